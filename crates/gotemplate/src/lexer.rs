//! Tokenizer for Go's template syntax (text, delimiters with trim markers, comments, and the
//! tokens inside actions). Produces the whole token list up front.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'a> {
    Text(&'a str),
    LeftDelim,
    RightDelim,
    Space,
    Field(&'a str),
    Variable(&'a str),
    Identifier(&'a str),
    Dot,
    Bool(bool),
    Nil,
    Number(&'a str),
    CharConst(&'a str),
    Str(&'a str),
    RawStr(&'a str),
    Pipe,
    Assign,
    Declare,
    LeftParen,
    RightParen,
    Comma,
    /// Any other printable ASCII character (the parser rejects it in context).
    Char(char),
    Keyword(&'static str),
    Eof,
    Error(String),
}

#[derive(Debug, Clone)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    /// Byte offset in the source.
    pub pos: usize,
    pub line: usize,
}

const KEYWORDS: &[&str] = &[
    "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
];

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

struct Lexer<'a> {
    src: &'a str,
    ld: &'a str,
    rd: &'a str,
    pos: usize,
    line: usize,
    out: Vec<Token<'a>>,
    paren: usize,
}

/// Tokenizes `src` with the given delimiters into `out` (emptied first), whose memory a
/// caller may have kept from an earlier source (see [`recycle`]).
pub fn lex_into<'a>(
    mut out: Vec<Token<'a>>,
    src: &'a str,
    ld: &'a str,
    rd: &'a str,
) -> Vec<Token<'a>> {
    out.clear();
    let mut l = Lexer {
        src,
        ld,
        rd,
        pos: 0,
        line: 1,
        out,
        paren: 0,
    };
    l.run();
    l.out
}

/// An emptied token list with `v`'s memory, for tokens of another source. A big template's
/// list is megabytes that, freed and allocated anew for the next template, came back as
/// fresh pages the kernel zeroes (a twentieth of a big chart's render).
pub fn recycle<'b>(mut v: Vec<Token<'_>>) -> Vec<Token<'b>> {
    v.clear();
    // Collecting an emptied vector's iterator into one of the same layout keeps its memory.
    v.into_iter().map(|_| unreachable!()).collect()
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }
    fn emit(&mut self, tok: Tok<'a>, pos: usize, line: usize) {
        self.out.push(Token { tok, pos, line });
    }
    fn advance(&mut self, n: usize) {
        let end = (self.pos + n).min(self.src.len());
        self.line += self.src[self.pos..end].matches('\n').count();
        self.pos = end;
    }
    fn error(&mut self, msg: String) {
        let (p, l) = (self.pos, self.line);
        self.emit(Tok::Error(msg), p, l);
    }
    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn run(&mut self) {
        loop {
            // Text up to the next left delimiter.
            let start = self.pos;
            let start_line = self.line;
            match self.rest().find(self.ld) {
                None => {
                    let text = self.rest();
                    self.advance(text.len());
                    if !text.is_empty() {
                        self.emit(Tok::Text(text), start, start_line);
                    }
                    let (p, l) = (self.pos, self.line);
                    self.emit(Tok::Eof, p, l);
                    return;
                }
                Some(i) => {
                    let after = &self.rest()[i + self.ld.len()..];
                    let trim = left_trim(after);
                    let mut text = &self.rest()[..i];
                    if trim {
                        text = text.trim_end_matches([' ', '\t', '\r', '\n']);
                    }
                    self.advance(i);
                    if !text.is_empty() {
                        self.emit(Tok::Text(text), start, start_line);
                    }
                    if !self.left_delim(trim) {
                        return;
                    }
                }
            }
        }
    }

    /// At a left delimiter. Returns false when lexing must stop (error or EOF).
    fn left_delim(&mut self, trim: bool) -> bool {
        let (p, l) = (self.pos, self.line);
        self.advance(self.ld.len());
        let after_marker = if trim { 2 } else { 0 };
        if self.rest()[after_marker..].starts_with("/*") {
            self.advance(after_marker);
            return self.comment();
        }
        self.emit(Tok::LeftDelim, p, l);
        self.advance(after_marker);
        self.paren = 0;
        self.inside_action()
    }

    fn comment(&mut self) -> bool {
        // The end is looked for after the opening `/*`, so `{{/*/}}` is unclosed, as in Go.
        let Some(end) = self.rest()[2..].find("*/") else {
            self.error("unclosed comment".into());
            return false;
        };
        self.advance(2 + end + 2);
        match self.at_right_delim() {
            Some((n, trim)) => {
                self.advance(n);
                if trim {
                    self.trim_following();
                }
                true
            }
            None => {
                self.error("comment ends before closing delimiter".into());
                false
            }
        }
    }

    /// Length of the right delimiter here (with its trim marker) and whether it trims.
    fn at_right_delim(&self) -> Option<(usize, bool)> {
        let r = self.rest();
        let b = r.as_bytes();
        if b.len() >= 2 && is_space(b[0]) && b[1] == b'-' && r[2..].starts_with(self.rd) {
            return Some((2 + self.rd.len(), true));
        }
        if r.starts_with(self.rd) {
            return Some((self.rd.len(), false));
        }
        None
    }

    fn trim_following(&mut self) {
        let n = self.rest().len()
            - self
                .rest()
                .trim_start_matches([' ', '\t', '\r', '\n'])
                .len();
        self.advance(n);
    }

    fn inside_action(&mut self) -> bool {
        loop {
            if let Some((n, trim)) = self.at_right_delim() {
                if self.paren > 0 {
                    self.error("unclosed left paren".into());
                    return false;
                }
                let (p, l) = (self.pos, self.line);
                self.advance(n);
                self.emit(Tok::RightDelim, p, l);
                if trim {
                    self.trim_following();
                }
                return true;
            }
            let (p, l) = (self.pos, self.line);
            let Some(c) = self.peek_char() else {
                self.error("unclosed action".into());
                return false;
            };
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    let mut n = 0;
                    let b = self.rest().as_bytes();
                    while n < b.len() && is_space(b[n]) {
                        n += 1;
                    }
                    // Leave one space before a trim-marked right delimiter.
                    let rest = &self.rest()[n.saturating_sub(1)..];
                    if rest.len() >= 2
                        && rest.as_bytes()[1] == b'-'
                        && rest[2..].starts_with(self.rd)
                    {
                        n -= 1;
                        if n == 0 {
                            continue;
                        }
                    }
                    self.advance(n);
                    self.emit(Tok::Space, p, l);
                }
                '=' => {
                    self.advance(1);
                    self.emit(Tok::Assign, p, l);
                }
                ':' => {
                    if self.rest().starts_with(":=") {
                        self.advance(2);
                        self.emit(Tok::Declare, p, l);
                    } else {
                        self.error("expected :=".into());
                        return false;
                    }
                }
                '|' => {
                    self.advance(1);
                    self.emit(Tok::Pipe, p, l);
                }
                '"' => {
                    if !self.quote(p, l) {
                        return false;
                    }
                }
                '`' => match self.rest()[1..].find('`') {
                    Some(e) => {
                        let s = &self.rest()[..e + 2];
                        self.advance(e + 2);
                        self.emit(Tok::RawStr(s), p, l);
                    }
                    None => {
                        self.error("unterminated raw quoted string".into());
                        return false;
                    }
                },
                '$' => {
                    self.advance(1);
                    self.alnum_run();
                    let name = &self.src[p..self.pos];
                    // Go reports a bad character after a word instead of emitting the word.
                    if !self.check_terminator() {
                        return false;
                    }
                    self.emit(Tok::Variable(name), p, l);
                }
                '\'' => {
                    if !self.char_const(p, l) {
                        return false;
                    }
                }
                '.' => {
                    let next = self.rest().as_bytes().get(1).copied();
                    if matches!(next, Some(b'0'..=b'9')) {
                        if !self.number(p, l) {
                            return false;
                        }
                    } else {
                        self.advance(1);
                        let name = self.alnum_run();
                        if !self.check_terminator() {
                            return false;
                        }
                        if name.is_empty() {
                            self.emit(Tok::Dot, p, l);
                        } else {
                            self.emit(Tok::Field(name), p, l);
                        }
                    }
                }
                '+' | '-' | '0'..='9' => {
                    if !self.number(p, l) {
                        return false;
                    }
                }
                '(' => {
                    self.advance(1);
                    self.paren += 1;
                    self.emit(Tok::LeftParen, p, l);
                }
                ')' => {
                    self.advance(1);
                    if self.paren == 0 {
                        self.error("unexpected right paren".into());
                        return false;
                    }
                    self.paren -= 1;
                    self.emit(Tok::RightParen, p, l);
                }
                ',' => {
                    self.advance(1);
                    self.emit(Tok::Comma, p, l);
                }
                c if is_alnum(c) => {
                    let word = self.alnum_run();
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        w => match KEYWORDS.iter().find(|k| **k == w) {
                            Some(k) => Tok::Keyword(k),
                            None => Tok::Identifier(word),
                        },
                    };
                    if !self.check_terminator() {
                        return false;
                    }
                    self.emit(tok, p, l);
                }
                c if c.is_ascii_graphic() => {
                    self.advance(1);
                    self.emit(Tok::Char(c), p, l);
                }
                c => {
                    self.error(format!(
                        "unrecognized character in action: {}",
                        go_unicode(c)
                    ));
                    return false;
                }
            }
        }
    }

    fn alnum_run(&mut self) -> &'a str {
        let n: usize = self
            .rest()
            .chars()
            .take_while(|c| is_alnum(*c))
            .map(char::len_utf8)
            .sum();
        let s = &self.rest()[..n];
        self.advance(n);
        s
    }

    fn check_terminator(&mut self) -> bool {
        let Some(c) = self.peek_char() else {
            return true;
        };
        if matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
        ) || self.rest().starts_with(self.rd)
        {
            return true;
        }
        self.error(format!("bad character {}", go_unicode(c)));
        false
    }

    fn quote(&mut self, p: usize, l: usize) -> bool {
        self.escaped_literal(b'"', p, l, Tok::Str, "unterminated quoted string")
    }

    fn char_const(&mut self, p: usize, l: usize) -> bool {
        self.escaped_literal(
            b'\'',
            p,
            l,
            Tok::CharConst,
            "unterminated character constant",
        )
    }

    /// A `"…"` or `'…'` literal with backslash escapes, on one line.
    fn escaped_literal(
        &mut self,
        close: u8,
        p: usize,
        l: usize,
        token: fn(&'a str) -> Tok<'a>,
        unterminated: &str,
    ) -> bool {
        let b = self.rest().as_bytes();
        let mut i = 1;
        while i < b.len() {
            match b[i] {
                b'\\' => {
                    if i + 1 < b.len() && b[i + 1] != b'\n' {
                        i += 2;
                        continue;
                    }
                    break;
                }
                b'\n' => break,
                c if c == close => {
                    let s = &self.rest()[..=i];
                    self.advance(i + 1);
                    self.emit(token(s), p, l);
                    return true;
                }
                _ => i += 1,
            }
        }
        self.error(unterminated.into());
        false
    }

    fn number(&mut self, p: usize, l: usize) -> bool {
        let b = self.rest().as_bytes();
        let mut i = scan_number(b, 0);
        // Go scans `1+2i` as one complex constant; a sign right after a number starts one:
        // a second number scan that must end in `i`.
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            let j = scan_number(b, i);
            let glued = b
                .get(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
            if glued || b[j - 1] != b'i' {
                let end = if glued { j + 1 } else { j };
                let bad = String::from_utf8_lossy(&b[..end]).into_owned();
                self.error(format!("bad number syntax: {}", crate::fmt::go_quote(&bad)));
                return false;
            }
            i = j;
        }
        let text = &self.rest()[..i];
        let next = self.rest()[i..].chars().next();
        if next.is_some_and(is_alnum) {
            let c = next.map_or(0, char::len_utf8);
            let bad = self.rest()[..i + c].to_string();
            self.error(format!("bad number syntax: {}", crate::fmt::go_quote(&bad)));
            return false;
        }
        self.advance(i);
        self.emit(Tok::Number(text), p, l);
        true
    }
}

fn left_trim(after: &str) -> bool {
    let b = after.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

/// Go's `%#U`: the character itself only when it is printable.
pub fn go_unicode(c: char) -> String {
    if crate::fmt::is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// Go's `scanNumber` from `start`: sign, base prefix, digits, fraction, exponent, `i`.
/// Returns the end offset.
fn scan_number(b: &[u8], start: usize) -> usize {
    let mut i = start;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut digits: &[u8] = b"0123456789_";
    let mut exp: &[u8] = b"eE";
    if i + 1 < b.len() && b[i] == b'0' {
        match b[i + 1] {
            b'x' | b'X' => {
                i += 2;
                digits = b"0123456789abcdefABCDEF_";
                exp = b"pP";
            }
            b'o' | b'O' => {
                i += 2;
                digits = b"01234567_";
            }
            b'b' | b'B' => {
                i += 2;
                digits = b"01_";
            }
            _ => {}
        }
    }
    let run = |i: &mut usize, set: &[u8]| {
        while *i < b.len() && set.contains(&b[*i]) {
            *i += 1;
        }
    };
    run(&mut i, digits);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        run(&mut i, digits);
    }
    if i < b.len() && exp.contains(&b[i]) {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        run(&mut i, b"0123456789_");
    }
    if i < b.len() && b[i] == b'i' {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recycled list is empty and keeps its memory, for a source of another lifetime.
    #[test]
    fn recycled_token_lists_keep_their_memory() {
        let src = String::from("a {{ .b | c }} d");
        let toks = lex_into(Vec::new(), &src, "{{", "}}");
        assert!(toks.len() > 5);
        let (cap, ptr) = (toks.capacity(), toks.as_ptr() as usize);
        let again: Vec<Token<'static>> = recycle(toks);
        assert!(again.is_empty());
        assert_eq!((again.capacity(), again.as_ptr() as usize), (cap, ptr));
        let other = String::from("{{ 1 }}");
        let toks = lex_into(again, &other, "{{", "}}");
        assert_eq!(toks.as_ptr() as usize, ptr);
        assert_eq!(toks[0].tok, Tok::LeftDelim);
    }
}
