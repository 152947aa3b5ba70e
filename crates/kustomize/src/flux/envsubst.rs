//! Flux's post-build variable syntax, as fluxcd/pkg's `envsubst` (a drone/envsubst fork)
//! reads and evaluates it, quirks included: `${var}` with bash-like operators, `$$` standing
//! for `$` anywhere in the text, `$var` left alone.
//!
//! The reader is a small scanner whose acceptance rule changes with the context (the text,
//! a name, an operator, an argument), so what counts as an operator or an argument follows
//! fluxcd/pkg exactly: `${V-d}` is an unclosed expression, `${V/a}` a bad substitution,
//! `${V: -3}` an unreadable offset that leaves the value whole. Values are byte strings:
//! offsets, lengths and `${#V}` count bytes, as Go does.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Why an expression could not be evaluated; `Display` is fluxcd/pkg's text.
#[derive(Debug, PartialEq, Eq)]
pub enum SubstError {
    /// A malformed expression (`bad substitution`, `missing closing brace`, …).
    Parse(&'static str),
    /// Strict mode and a variable without value or default.
    NotSet(String),
    /// A slice out of range in Go, which panics there (a negative substring length).
    Panic(String),
}

impl std::fmt::Display for SubstError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubstError::Parse(m) => f.write_str(m),
            SubstError::NotSet(name) => write!(f, "variable not set (strict mode): {name:?}"),
            SubstError::Panic(m) => write!(f, "runtime error: {m}"),
        }
    }
}

const BAD: SubstError = SubstError::Parse("bad substitution");
const UNCLOSED: SubstError = SubstError::Parse("missing closing brace");
const BAD_NAME: SubstError = SubstError::Parse("unable to parse variable name");
const BAD_ARG: SubstError = SubstError::Parse("unable to parse substitution within function");
const BAD_DEFAULT: SubstError = SubstError::Parse("unable to parse default function");

/// Substitutes the expressions of `text`. `lookup` gives a variable's value, or `None` for
/// a variable that is not set (only strict mode reports those; otherwise they are empty).
pub fn substitute(
    text: &[u8],
    lookup: &dyn Fn(&str) -> Option<String>,
    strict: bool,
) -> Result<Vec<u8>, SubstError> {
    let mut sc = Scanner::new(text);
    let nodes = parse_text(&mut sc)?;
    let mut out = Vec::with_capacity(text.len());
    for n in &nodes {
        eval(n, lookup, strict, &mut out)?;
    }
    Ok(out)
}

enum Node {
    Text(Vec<u8>),
    /// `op` applied to variable `var` with evaluated `args` (`op` empty: the value itself).
    Expr {
        op: String,
        var: String,
        args: Vec<Node>,
    },
}

// What a scan may produce.
const IDENT: u8 = 1;
const OPEN: u8 = 2;
const CLOSE: u8 = 4;
const ESCAPES: u8 = 8;
// Which escapes apply when ESCAPES is on.
const DOLLAR: u8 = 1;
const BACKSLASH: u8 = 2;

#[derive(PartialEq, Eq)]
enum Token {
    Illegal,
    End,
    Ident,
    Open,
    Close,
}

/// Which characters a scan takes, given the character and its byte offset in the token
/// after it (1 for a first ASCII character).
#[derive(Clone, Copy)]
enum Accept {
    Any,
    Name,
    Colons,
    LenHash,
    NotClose,
    TrimHash,
    TrimPercent,
    DefaultOp,
    ReplaceOp,
    AssignOp,
    SubstrOp,
    OffsetText,
    Slashes,
    NotSlash,
    CaseOp,
}

impl Accept {
    fn takes(self, r: u32, i: usize) -> bool {
        let c = char::from_u32(r).unwrap_or('\u{fffd}');
        match self {
            Accept::Any => true,
            Accept::Name => c == '_' || is_go_letter(c) || is_go_digit(c),
            Accept::Colons => c == ':',
            Accept::LenHash => c == '#' && i == 1,
            Accept::NotClose => c != '}',
            Accept::TrimHash => c == '#' && i < 3,
            Accept::TrimPercent => c == '%' && i < 3,
            Accept::DefaultOp => (i == 1 && c == ':') || (i == 2 && "=-?+".contains(c)),
            Accept::ReplaceOp => (i == 1 && c == '/') || (i == 2 && "/#%".contains(c)),
            Accept::AssignOp => i == 1 && c == '=',
            Accept::SubstrOp => i == 1 && c == ':',
            Accept::OffsetText => c != ':' && c != '}',
            Accept::Slashes => c == '/',
            Accept::NotSlash => c != '/',
            Accept::CaseOp => (c == ',' || c == '^') && i < 3,
        }
    }
}

fn is_go_letter(c: char) -> bool {
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter
    )
}

fn is_go_digit(c: char) -> bool {
    get_general_category(c) == GeneralCategory::DecimalNumber
}

/// Go's `utf8.DecodeRune`: the rune at the start of `b` and its width; an invalid byte is
/// U+FFFD of width 1. An empty slice gives (0, 0).
fn decode(b: &[u8]) -> (u32, usize) {
    let Some(&first) = b.first() else {
        return (0, 0);
    };
    if first < 0x80 {
        return (u32::from(first), 1);
    }
    let len = match first {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (0xfffd, 1),
    };
    match b.get(..len).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next().map_or(0xfffd, u32::from), len),
        None => (0xfffd, 1),
    }
}

/// The scanner. Its position moves back by the width of the last rune read, whatever
/// moved it since, and an escape removes the escaping byte from the buffer while the
/// position stays: both as in fluxcd/pkg, which decides some odd inputs.
struct Scanner {
    buf: Vec<u8>,
    pos: usize,
    start: usize,
    width: usize,
    mode: u8,
    escapes: u8,
    accept: Accept,
}

/// The end of input; a NUL character ends it too, as in fluxcd/pkg.
const END: u32 = 0;

impl Scanner {
    fn new(text: &[u8]) -> Scanner {
        Scanner {
            buf: text.to_vec(),
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            escapes: 0,
            accept: Accept::Any,
        }
    }

    fn read(&mut self) -> u32 {
        let (r, w) = decode(self.buf.get(self.pos..).unwrap_or_default());
        self.width = w;
        self.pos += w;
        r
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
    }

    fn peek(&mut self) -> u32 {
        let r = self.read();
        self.unread();
        r
    }

    /// Drops the byte just read (the escaping `$` or `\`).
    fn skip(&mut self) {
        self.buf.remove(self.pos - 1);
    }

    fn token(&self) -> Vec<u8> {
        self.buf[self.start..self.pos].to_vec()
    }

    fn set(&mut self, accept: Accept, mode: u8) {
        self.accept = accept;
        self.mode = mode;
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        let r = self.read();
        if r == END {
            Token::End
        } else if self.open(r) {
            Token::Open
        } else if self.close(r) {
            Token::Close
        } else if self.ident(r) {
            Token::Ident
        } else {
            Token::Illegal
        }
    }

    fn ident(&mut self, r: u32) -> bool {
        if self.mode & IDENT == 0 {
            return false;
        }
        if self.escaped(r) {
            self.skip();
        } else if !self.accept.takes(r, self.pos - self.start) {
            return false;
        }
        loop {
            let r = self.read();
            if r == END {
                self.unread();
                break;
            }
            if self.open(r) {
                // Back before `${`: the expression starts the next token.
                self.unread();
                self.unread();
                break;
            }
            if self.escaped(r) {
                self.skip();
                continue;
            }
            if !self.accept.takes(r, self.pos - self.start) {
                self.unread();
                break;
            }
        }
        true
    }

    fn open(&mut self, r: u32) -> bool {
        if self.mode & OPEN == 0 || r != u32::from(b'$') {
            return false;
        }
        if self.read() == u32::from(b'{') {
            return true;
        }
        self.unread();
        false
    }

    fn close(&self, r: u32) -> bool {
        self.mode & CLOSE != 0 && r == u32::from(b'}')
    }

    fn escaped(&mut self, r: u32) -> bool {
        if self.mode & ESCAPES == 0 {
            return false;
        }
        if r == u32::from(b'$') && self.escapes & DOLLAR != 0 && self.peek() == u32::from(b'$') {
            return true;
        }
        r == u32::from(b'\\')
            && self.escapes & BACKSLASH != 0
            && matches!(char::from_u32(self.peek()), Some('/' | '\\'))
    }
}

fn name_of(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Text and expressions up to the end of input.
fn parse_text(sc: &mut Scanner) -> Result<Vec<Node>, SubstError> {
    let mut nodes = Vec::new();
    loop {
        sc.set(Accept::Any, IDENT | OPEN | ESCAPES);
        sc.escapes = DOLLAR;
        match sc.scan() {
            Token::Ident => nodes.push(Node::Text(sc.token())),
            Token::End => return Ok(nodes),
            Token::Open => nodes.push(parse_expr(sc)?),
            _ => return Err(BAD),
        }
    }
}

/// After `${`.
fn parse_expr(sc: &mut Scanner) -> Result<Node, SubstError> {
    sc.escapes = DOLLAR | BACKSLASH;
    if sc.peek() == u32::from(b'#') {
        return parse_length(sc);
    }
    sc.set(Accept::Name, IDENT);
    if sc.scan() != Token::Ident {
        return Err(BAD_NAME);
    }
    let var = name_of(sc.token());
    match char::from_u32(sc.peek()) {
        Some(':') => {
            sc.read();
            let next = sc.peek();
            sc.unread();
            return match char::from_u32(next) {
                Some('=' | '-' | '?' | '+') => parse_default(sc, var),
                _ => parse_substring(sc, var),
            };
        }
        Some('=') => return parse_default(sc, var),
        Some(',' | '^') => return parse_operator_only(sc, var, Accept::CaseOp),
        Some('/') => return parse_replace(sc, var),
        Some('#') => return parse_trim(sc, var, Accept::TrimHash),
        Some('%') => return parse_trim(sc, var, Accept::TrimPercent),
        _ => {}
    }
    sc.set(Accept::Name, CLOSE);
    match sc.scan() {
        Token::Close => Ok(Node::Expr {
            op: String::new(),
            var,
            args: Vec::new(),
        }),
        _ => Err(UNCLOSED),
    }
}

/// The operator at the scanner, taken by `accept`.
fn operator(sc: &mut Scanner, accept: Accept, err: SubstError) -> Result<String, SubstError> {
    sc.set(accept, IDENT);
    match sc.scan() {
        Token::Ident => Ok(name_of(sc.token())),
        _ => Err(err),
    }
}

/// One argument: text taken by `accept`, or a nested expression.
fn parse_arg(sc: &mut Scanner, accept: Accept, mode: u8) -> Result<Node, SubstError> {
    sc.set(accept, mode | OPEN);
    match sc.scan() {
        Token::Open => parse_expr(sc),
        Token::Ident | Token::Close => Ok(Node::Text(sc.token())),
        _ => Err(BAD_ARG),
    }
}

fn expect_close(sc: &mut Scanner) -> Result<(), SubstError> {
    sc.mode = CLOSE;
    if sc.scan() == Token::Close {
        Ok(())
    } else {
        Err(BAD)
    }
}

fn parse_substring(sc: &mut Scanner, var: String) -> Result<Node, SubstError> {
    let op = operator(sc, Accept::SubstrOp, BAD)?;
    let mut args = vec![parse_arg(sc, Accept::OffsetText, IDENT)?];
    sc.set(Accept::Colons, IDENT | CLOSE);
    match sc.scan() {
        Token::Close => return Ok(Node::Expr { op, var, args }),
        Token::Ident => {}
        _ => return Err(BAD),
    }
    args.push(parse_arg(sc, Accept::NotClose, IDENT)?);
    expect_close(sc)?;
    Ok(Node::Expr { op, var, args })
}

fn parse_trim(sc: &mut Scanner, var: String, accept: Accept) -> Result<Node, SubstError> {
    let op = operator(sc, accept, BAD)?;
    let args = vec![parse_arg(sc, Accept::NotClose, IDENT)?];
    expect_close(sc)?;
    Ok(Node::Expr { op, var, args })
}

fn parse_replace(sc: &mut Scanner, var: String) -> Result<Node, SubstError> {
    let op = operator(sc, Accept::ReplaceOp, BAD)?;
    let mut args = vec![parse_arg(sc, Accept::NotSlash, IDENT | ESCAPES)?];
    sc.set(Accept::Slashes, IDENT);
    if sc.scan() != Token::Ident {
        return Err(BAD);
    }
    if sc.peek() != u32::from(b'}') {
        args.push(parse_arg(sc, Accept::NotClose, IDENT | ESCAPES)?);
    }
    expect_close(sc)?;
    Ok(Node::Expr { op, var, args })
}

fn parse_default(sc: &mut Scanner, var: String) -> Result<Node, SubstError> {
    let accept = if sc.peek() == u32::from(b'=') {
        Accept::AssignOp
    } else {
        Accept::DefaultOp
    };
    let op = operator(sc, accept, BAD_DEFAULT)?;
    let mut args = Vec::new();
    loop {
        if sc.peek() == u32::from(b'}') {
            expect_close(sc)?;
            return Ok(Node::Expr { op, var, args });
        }
        args.push(parse_arg(sc, Accept::NotClose, IDENT)?);
    }
}

fn parse_operator_only(sc: &mut Scanner, var: String, accept: Accept) -> Result<Node, SubstError> {
    let op = operator(sc, accept, BAD)?;
    expect_close(sc)?;
    Ok(Node::Expr {
        op,
        var,
        args: Vec::new(),
    })
}

/// `${#V}`.
fn parse_length(sc: &mut Scanner) -> Result<Node, SubstError> {
    let op = operator(sc, Accept::LenHash, BAD)?;
    sc.set(Accept::Name, IDENT);
    if sc.scan() != Token::Ident {
        return Err(BAD);
    }
    let var = name_of(sc.token());
    expect_close(sc)?;
    Ok(Node::Expr {
        op,
        var,
        args: Vec::new(),
    })
}

fn is_default_op(op: &str) -> bool {
    matches!(op, "-" | "+" | "=" | "?" | ":-" | ":+" | ":=" | ":?")
}

fn eval(
    node: &Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    strict: bool,
    out: &mut Vec<u8>,
) -> Result<(), SubstError> {
    let (op, var, args) = match node {
        Node::Text(t) => {
            out.extend_from_slice(t);
            return Ok(());
        }
        Node::Expr { op, var, args } => (op, var, args),
    };
    // Arguments first, defaults included, so strict mode sees their variables too.
    let mut values = Vec::with_capacity(args.len());
    for a in args {
        let mut v = Vec::new();
        eval(a, lookup, strict, &mut v)?;
        values.push(v);
    }
    let value = match lookup(var) {
        Some(v) => v.into_bytes(),
        None if strict && !is_default_op(op) => return Err(SubstError::NotSet(var.clone())),
        None => Vec::new(),
    };
    out.extend(apply(op, value, &values)?);
    Ok(())
}

/// One operator on a value; unknown operators (`${V^,}`) give the value, or its default.
fn apply(op: &str, s: Vec<u8>, args: &[Vec<u8>]) -> Result<Vec<u8>, SubstError> {
    Ok(match op {
        "," => map_first(&s, false),
        ",," => map_all(&s, false),
        "^" => map_first(&s, true),
        "^^" => map_all(&s, true),
        "#" if args.is_empty() => s.len().to_string().into_bytes(),
        "#" => trim_front(&s, &args[0], false),
        "##" => trim_front(&s, &args[0], true),
        "%" => trim_back(&s, &args[0], false),
        "%%" => trim_back(&s, &args[0], true),
        ":" => return substring(s, args),
        "/#" => match args {
            [old, new] if s.starts_with(old) => replace(&s, old, new, Some(1)),
            _ => s,
        },
        "/%" => match args {
            [old, new] if s.ends_with(old) => [&s[..s.len() - old.len()], new].concat(),
            _ => s,
        },
        "/" | "//" => {
            let n = (op == "/").then_some(1);
            match args {
                [old] => replace(&s, old, b"", n),
                [old, new] => replace(&s, old, new, n),
                _ => s,
            }
        }
        _ if s.is_empty() && !args.is_empty() => args.concat(),
        _ => s,
    })
}

/// Go's `strconv.Atoi`.
fn atoi(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?;
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `${V:offset}` and `${V:offset:length}` on bytes; an unreadable number leaves the value
/// whole, and a length reaching before the offset is Go's slice panic.
fn substring(s: Vec<u8>, args: &[Vec<u8>]) -> Result<Vec<u8>, SubstError> {
    let Some(mut pos) = args.first().and_then(|a| atoi(a)) else {
        return Ok(s);
    };
    let len = s.len() as i64;
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let tail = |pos: i64| {
        if pos < len {
            s[pos as usize..].to_vec()
        } else {
            Vec::new()
        }
    };
    let Some(length) = args.get(1) else {
        return Ok(tail(pos));
    };
    let Some(length) = atoi(length) else {
        return Ok(s);
    };
    let end = pos.wrapping_add(length);
    if end >= len {
        return Ok(tail(pos));
    }
    if end < 0 {
        return Err(SubstError::Panic(format!(
            "slice bounds out of range [:{end}]"
        )));
    }
    if end < pos {
        return Err(SubstError::Panic(format!(
            "slice bounds out of range [{pos}:{end}]"
        )));
    }
    Ok(s[pos as usize..end as usize].to_vec())
}

/// Go's `strings.Replace` on bytes: `n` replacements at most (`None`: all); an empty `old`
/// matches before every rune and at the end.
fn replace(s: &[u8], old: &[u8], new: &[u8], n: Option<usize>) -> Vec<u8> {
    let limit = n.unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(s.len());
    let mut done = 0;
    let mut i = 0;
    if old.is_empty() {
        while done < limit {
            out.extend_from_slice(new);
            done += 1;
            if i >= s.len() {
                return out;
            }
            let (_, w) = decode(&s[i..]);
            out.extend_from_slice(&s[i..i + w]);
            i += w;
        }
        out.extend_from_slice(&s[i..]);
        return out;
    }
    while done < limit {
        match s[i..].windows(old.len()).position(|w| w == old) {
            Some(at) => {
                out.extend_from_slice(&s[i..i + at]);
                out.extend_from_slice(new);
                i += at + old.len();
                done += 1;
            }
            None => break,
        }
    }
    out.extend_from_slice(&s[i..]);
    out
}

/// Go's `unicode.ToUpper`/`ToLower` of one rune: a simple mapping, so a character whose full
/// mapping has several characters (`ß`) stays as it is.
fn map_char(c: char, upper: bool) -> char {
    let mut m: Vec<char> = if upper {
        c.to_uppercase().collect()
    } else {
        c.to_lowercase().collect()
    };
    if m.len() == 1 { m.remove(0) } else { c }
}

fn map_all(s: &[u8], upper: bool) -> Vec<u8> {
    String::from_utf8_lossy(s)
        .chars()
        .map(|c| map_char(c, upper))
        .collect::<String>()
        .into_bytes()
}

fn map_first(s: &[u8], upper: bool) -> Vec<u8> {
    if s.is_empty() {
        return Vec::new();
    }
    let (r, w) = decode(s);
    let c = map_char(char::from_u32(r).unwrap_or('\u{fffd}'), upper);
    let mut out = c.to_string().into_bytes();
    out.extend_from_slice(&s[w..]);
    out
}

/// Go's `[]rune` round trip: runes reversed, an invalid byte becoming U+FFFD.
fn reverse(s: &[u8]) -> Vec<u8> {
    let mut runes = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let (r, w) = decode(&s[i..]);
        runes.push(char::from_u32(r).unwrap_or('\u{fffd}'));
        i += w;
    }
    runes.iter().rev().collect::<String>().into_bytes()
}

/// `#` / `##`: the shortest (or longest) non-empty prefix the pattern matches is removed;
/// a bad pattern leaves the value.
fn trim_front(s: &[u8], pat: &[u8], longest: bool) -> Vec<u8> {
    let mut found = None;
    for end in (1..=s.len()).rev() {
        match glob_match(pat, &s[..end]) {
            Err(()) => return s.to_vec(),
            Ok(true) if longest => return s[end..].to_vec(),
            Ok(true) => found = Some(end),
            Ok(false) => {}
        }
    }
    found.map_or_else(|| s.to_vec(), |end| s[end..].to_vec())
}

/// `%` / `%%`: [`trim_front`] on the reversed value and pattern.
fn trim_back(s: &[u8], pat: &[u8], longest: bool) -> Vec<u8> {
    reverse(&trim_front(&reverse(s), &reverse(pat), longest))
}

/// Go's `path.Match` without the special meaning of `/`: `*`, `?`, `[…]` classes with
/// ranges and `^` negation, `\` escapes; `Err` for a malformed pattern.
fn glob_match(mut pat: &[u8], mut name: &[u8]) -> Result<bool, ()> {
    'pattern: while !pat.is_empty() {
        let (star, chunk, rest) = next_chunk(pat);
        pat = rest;
        if star && chunk.is_empty() {
            return Ok(true);
        }
        let first = match_chunk(chunk, name);
        if let Ok(Some(t)) = first
            && (t.is_empty() || !pat.is_empty())
        {
            name = t;
            continue;
        }
        first?;
        if star {
            for i in 0..name.len() {
                match match_chunk(chunk, &name[i + 1..]) {
                    Ok(Some(t)) => {
                        if pat.is_empty() && !t.is_empty() {
                            continue;
                        }
                        name = t;
                        continue 'pattern;
                    }
                    Ok(None) => {}
                    Err(()) => return Err(()),
                }
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Leading stars, then the pattern up to the next star outside a class.
fn next_chunk(pat: &[u8]) -> (bool, &[u8], &[u8]) {
    let stars = pat.iter().take_while(|&&c| c == b'*').count();
    let pat = &pat[stars..];
    let mut in_class = false;
    let mut i = 0;
    while i < pat.len() {
        match pat[i] {
            b'\\' if i + 1 < pat.len() => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'*' if !in_class => break,
            _ => {}
        }
        i += 1;
    }
    (stars > 0, &pat[..i], &pat[i..])
}

/// What is left of `s` after `chunk` matched its start (`None`: no match).
fn match_chunk<'s>(mut chunk: &[u8], mut s: &'s [u8]) -> Result<Option<&'s [u8]>, ()> {
    while let Some(&c) = chunk.first() {
        if s.is_empty() {
            return Ok(None);
        }
        match c {
            b'[' => {
                let (r, w) = decode(s);
                s = &s[w..];
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    return Ok(None);
                }
            }
            b'?' => {
                let (_, w) = decode(s);
                s = &s[w..];
                chunk = &chunk[1..];
            }
            _ => {
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(());
                    }
                }
                if chunk[0] != s[0] {
                    return Ok(None);
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
        }
    }
    Ok(Some(s))
}

/// One character of a class, escaped or not; a class may not end here.
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), ()> {
    let mut chunk = match chunk.first() {
        None | Some(b'-' | b']') => return Err(()),
        Some(_) => chunk,
    };
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(());
        }
    }
    let (r, w) = decode(chunk);
    let rest = &chunk[w..];
    if (r == 0xfffd && w == 1) || rest.is_empty() {
        return Err(());
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests;
