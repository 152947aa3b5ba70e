//! Recursive-descent parser mirroring Go's `text/template/parse`, including its error messages.

use crate::ast::*;
use crate::lexer::{Tok, Token, lex_into, recycle};
use std::sync::Arc;

/// A parse failure: message and line (Go prints `template: NAME:LINE: MSG`).
#[derive(Debug, Clone)]
pub struct ParseError {
    pub line: usize,
    pub msg: String,
    /// The line of the action an error token interrupted, when it started on an earlier line
    /// (Go then adds "in action started at NAME:LINE", or "started at …" for action errors).
    pub action_line: Option<usize>,
}

impl ParseError {
    /// The message with Go's "started at" suffix for the parse name `name`.
    pub fn message(&self, name: &str) -> String {
        match self.action_line {
            Some(l) if self.msg.ends_with(" action") => {
                format!("{} started at {name}:{l}", self.msg)
            }
            Some(l) => format!("{} in action started at {name}:{l}", self.msg),
            None => self.msg.clone(),
        }
    }
}

/// Result of parsing one source: its top-level list and the `define`/`block` templates in it.
pub struct Parsed {
    pub root: List,
    pub defines: Vec<(String, List)>,
}

struct Parser<'f, 'a> {
    src: &'a str,
    else_with: bool,
    toks: Vec<Token<'a>>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    has_func: &'f dyn Fn(&str) -> bool,
    defines: Vec<(String, List)>,
    /// Line of the `{{` of the action being parsed (Go's `actionLine`), 0 outside actions.
    action_line: usize,
    /// Parenthesized pipelines open around the one being parsed (Go's `stackDepth`).
    paren_depth: usize,
}

/// Go's `maxStackDepth`: parentheses nested deeper fail to parse.
const MAX_PAREN_DEPTH: usize = 10_000;

type PResult<T> = Result<T, ParseError>;

/// Parses `src`; `has_func` tells which function names exist.
pub fn parse(
    src: &str,
    ld: &str,
    rd: &str,
    else_with: bool,
    has_func: &dyn Fn(&str) -> bool,
) -> PResult<Parsed> {
    thread_local! {
        /// The last token list this thread parsed, kept for its memory.
        static TOKENS: std::cell::Cell<Vec<Token<'static>>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut p = Parser {
        src,
        else_with,
        toks: lex_into(recycle(TOKENS.take()), src, ld, rd),
        i: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        has_func,
        defines: Vec::new(),
        action_line: 0,
        paren_depth: 0,
    };
    let root = p.top();
    TOKENS.set(recycle(std::mem::take(&mut p.toks)));
    let root = root?;
    // Go rejects two non-empty definitions of one name inside a single parse.
    let mut seen: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for (name, list) in &p.defines {
        let empty = is_empty_list(list, src);
        if let Some(s) = seen.get_mut(name.as_str()) {
            if !*s && !empty {
                return Err(ParseError {
                    line: 1,
                    msg: format!(
                        "template: multiple definition of template {}",
                        crate::fmt::go_quote(name)
                    ),
                    action_line: None,
                });
            }
            *s &= empty;
        } else {
            seen.insert(name, empty);
        }
    }
    Ok(Parsed {
        root,
        defines: p.defines,
    })
}

fn tok_str(t: &Tok<'_>) -> String {
    let q = |s: &str| {
        if s.chars().count() > 10 {
            let short: String = crate::fmt::go_quote(s).chars().take(11).collect();
            format!("{short}...")
        } else {
            crate::fmt::go_quote(s)
        }
    };
    match t {
        Tok::Eof => "EOF".into(),
        Tok::Error(e) => e.clone(),
        Tok::Keyword(k) => format!("<{k}>"),
        Tok::Text(s) => q(s),
        Tok::LeftDelim => q("{{"),
        Tok::RightDelim => q("}}"),
        Tok::Space => q(" "),
        Tok::Field(s) => q(&format!(".{s}")),
        Tok::Variable(s) | Tok::Identifier(s) | Tok::Number(s) => q(s),
        Tok::CharConst(s) | Tok::Str(s) | Tok::RawStr(s) => q(s),
        // Go prints keyword items (`.` and `nil` are keywords there) in angle brackets.
        Tok::Dot => "<.>".into(),
        Tok::Bool(b) => q(&b.to_string()),
        Tok::Nil => "<nil>".into(),
        Tok::Pipe => q("|"),
        Tok::Assign => q("="),
        Tok::Declare => q(":="),
        Tok::LeftParen => q("("),
        Tok::RightParen => q(")"),
        Tok::Comma => q(","),
        Tok::Char(c) => q(&c.to_string()),
    }
}

impl<'a> Parser<'_, 'a> {
    fn next(&mut self) -> Token<'a> {
        let t = self
            .toks
            .get(self.i)
            .or(self.toks.last())
            .cloned()
            .unwrap_or(Token {
                tok: Tok::Eof,
                pos: 0,
                line: 1,
            });
        self.i += 1;
        t
    }
    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }
    fn peek(&mut self) -> Token<'a> {
        let t = self.next();
        self.backup();
        t
    }
    fn next_non_space(&mut self) -> Token<'a> {
        loop {
            let t = self.next();
            if t.tok != Tok::Space {
                return t;
            }
        }
    }
    fn peek_non_space(&mut self) -> Token<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }
    fn err<T>(&self, line: usize, msg: String) -> PResult<T> {
        Err(ParseError {
            line,
            msg,
            action_line: None,
        })
    }
    fn cur_line(&self) -> usize {
        self.toks
            .get(self.i.saturating_sub(1))
            .map_or(1, |t| t.line)
    }
    fn unexpected<T>(&self, t: &Token<'a>, context: &str) -> PResult<T> {
        if let Tok::Error(e) = &t.tok {
            let started =
                (self.action_line != 0 && self.action_line != t.line).then_some(self.action_line);
            return Err(ParseError {
                line: t.line,
                msg: e.clone(),
                action_line: started,
            });
        }
        self.err(
            t.line,
            format!("unexpected {} in {context}", tok_str(&t.tok)),
        )
    }
    fn expect(&mut self, want: Tok<'a>, context: &str) -> PResult<Token<'a>> {
        let t = self.next_non_space();
        if std::mem::discriminant(&t.tok) != std::mem::discriminant(&want) {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn top(&mut self) -> PResult<List> {
        let mut list = Vec::new();
        loop {
            let t = self.peek();
            match t.tok {
                Tok::Eof => return Ok(list),
                Tok::LeftDelim => {
                    let save = self.i;
                    self.next();
                    if self.next_non_space().tok == Tok::Keyword("define") {
                        self.definition()?;
                        continue;
                    }
                    self.i = save;
                }
                _ => {}
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End(line) => return self.err(line, "unexpected {{end}}".into()),
                Item::Else(line, _) => return self.err(line, "unexpected {{else}}".into()),
            }
        }
    }

    fn template_name(&mut self, t: &Token<'a>, context: &str) -> PResult<String> {
        match &t.tok {
            Tok::Str(s) | Tok::RawStr(s) => match unquote(s) {
                Some(v) => Ok(v),
                None => self.err(t.line, "invalid syntax".into()),
            },
            _ => self.unexpected(t, context),
        }
    }

    fn definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        self.expect(Tok::RightDelim, context)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        if let Item::Else(line, _) = end {
            return self.err(line, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.defines.push((name, list));
        Ok(())
    }

    fn item_list(&mut self) -> PResult<(List, Item)> {
        crate::stack::deep(|| self.item_list_here())
    }

    fn item_list_here(&mut self) -> PResult<(List, Item)> {
        let mut list = Vec::new();
        loop {
            let t = self.peek_non_space();
            if t.tok == Tok::Eof {
                return self.err(t.line, "unexpected EOF".into());
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                end => return Ok((list, end)),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok(Item::Node(Node::Text(Span::within(self.src, s)))),
            Tok::LeftDelim => {
                let saved = std::mem::replace(&mut self.action_line, t.line);
                let r = self.action();
                self.action_line = saved;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Keyword("block") => return self.block().map(Item::Node),
            Tok::Keyword("break") | Tok::Keyword("continue") => {
                let kw = if t.tok == Tok::Keyword("break") {
                    "break"
                } else {
                    "continue"
                };
                let n = self.next_non_space();
                if n.tok != Tok::RightDelim {
                    return self.unexpected(&n, &format!("{{{{{kw}}}}}"));
                }
                if self.range_depth == 0 {
                    return self.err(t.line, format!("{{{{{kw}}}}} outside {{{{range}}}}"));
                }
                return Ok(Item::Node(if kw == "break" {
                    Node::Break(t.pos)
                } else {
                    Node::Continue(t.pos)
                }));
            }
            Tok::Keyword("else") => {
                let p = self.peek_non_space();
                if p.tok == Tok::Keyword("if") || self.else_with && p.tok == Tok::Keyword("with") {
                    return Ok(Item::Else(p.line, true));
                }
                let r = self.expect(Tok::RightDelim, "else")?;
                return Ok(Item::Else(r.line, false));
            }
            Tok::Keyword("end") => {
                let r = self.expect(Tok::RightDelim, "end")?;
                return Ok(Item::End(r.line));
            }
            Tok::Keyword("if") => {
                return self
                    .control("if")
                    .map(|b| Item::Node(Node::If(Box::new(b))));
            }
            Tok::Keyword("range") => {
                return self
                    .control("range")
                    .map(|b| Item::Node(Node::Range(Box::new(b))));
            }
            Tok::Keyword("with") => {
                return self
                    .control("with")
                    .map(|b| Item::Node(Node::With(Box::new(b))));
            }
            Tok::Keyword("template") => {
                let context = "template clause";
                let nt = self.next_non_space();
                let name = self.template_name(&nt, context)?;
                let pipe = if self.next_non_space().tok != Tok::RightDelim {
                    self.backup();
                    Some(self.pipeline(context, Tok::RightDelim)?)
                } else {
                    None
                };
                return Ok(Item::Node(Node::Template(Box::new(TemplateCall {
                    pos: nt.pos,
                    name: name.into(),
                    pipe,
                }))));
            }
            Tok::Keyword("define") => {
                return self.err(t.line, "unexpected <define> in command".into());
            }
            _ => {}
        }
        self.backup();
        Ok(Item::Node(Node::Action(
            self.pipeline("command", Tok::RightDelim)?,
        )))
    }

    fn block(&mut self) -> PResult<Node> {
        let context = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        self.range_depth = saved_depth;
        if let Item::Else(line, _) = end {
            return self.err(line, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.defines.push((name.clone(), list));
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name: name.into(),
            pipe: Some(pipe),
        })))
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        crate::stack::deep(|| self.control_here(context))
    }

    fn control_here(&mut self, context: &str) -> PResult<Branch> {
        let nvars = self.vars.len();
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Item::Else(line, chained) = next {
            if chained && context != "range" {
                // `else if` / `else with`: a nested control sharing our {{end}}.
                let kw = self.next_non_space();
                let want = if context == "if" { "if" } else { "with" };
                if kw.tok != Tok::Keyword(want) {
                    // Go keeps the else and reads on: the keyword then opens no action.
                    return self.unexpected(&kw, "input");
                }
                let b = self.control(want)?;
                let n = if want == "if" {
                    Node::If(Box::new(b))
                } else {
                    Node::With(Box::new(b))
                };
                else_list = Some(vec![n]);
            } else if chained {
                let t = self.peek_non_space();
                let _ = line;
                return self.err(t.line, format!("unexpected {} in input", tok_str(&t.tok)));
            } else {
                let (l, end) = self.item_list()?;
                if let Item::Else(line, _) = end {
                    return self.err(line, "expected end; found {{else}}".into());
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(nvars);
        Ok(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn pipeline(&mut self, context: &str, end: Tok<'a>) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations. As in Go, `$a,` in a range goes back for a second variable, and a
        // second variable that is not followed by `:=`/`=` is read again as an operand.
        loop {
            let v = self.peek_non_space();
            let Tok::Variable(name) = &v.tok else { break };
            let save = self.i;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    self.next_non_space();
                    pipe.decl.push((v.pos, name.to_string()));
                    self.vars.push(name.to_string());
                    break;
                }
                Tok::Comma => {
                    self.next_non_space();
                    pipe.decl.push((v.pos, name.to_string()));
                    self.vars.push(name.to_string());
                    if context == "range" && pipe.decl.len() < 2 {
                        let v2 = self.peek_non_space();
                        if matches!(v2.tok, Tok::Variable(_) | Tok::RightDelim | Tok::RightParen) {
                            continue;
                        }
                        return self.err(v2.line, "range can only initialize variables".into());
                    }
                    return self.err(next.line, format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if std::mem::discriminant(&t.tok) == std::mem::discriminant(&end) {
                if pipe.cmds.is_empty() {
                    return self.err(t.line, format!("missing value for {context}"));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args.first(),
                        Some(
                            Arg::Bool(..)
                                | Arg::Dot(_)
                                | Arg::Nil(_)
                                | Arg::Number(..)
                                | Arg::Str(..)
                        )
                    ) {
                        return self.err(
                            t.line,
                            format!("non executable command in pipeline stage {}", i + 1),
                        );
                    }
                }
                return Ok(pipe);
            }
            match t.tok {
                Tok::Bool(_)
                | Tok::CharConst(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Identifier(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::RawStr(_)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn command(&mut self) -> PResult<Cmd> {
        let start = self.peek_non_space();
        let mut cmd = Cmd {
            pos: start.pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(a) = self.operand()? {
                cmd.args.push(a);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err(self.cur_line(), "empty command".into());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        let t = self.peek();
        if let Tok::Field(_) = t.tok {
            let mut fields = Vec::new();
            while let Tok::Field(f) = self.peek().tok {
                self.next();
                fields.push(f.to_string());
            }
            let pos = t.pos;
            return Ok(Some(match node {
                Arg::Field(_, mut names) => {
                    names.extend(fields);
                    Arg::Field(pos, names)
                }
                Arg::Variable(_, n, mut names) => {
                    names.extend(fields);
                    Arg::Variable(pos, n, names)
                }
                Arg::Bool(..) | Arg::Str(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return self.err(
                        t.line,
                        format!(
                            "unexpected . after term {}",
                            crate::fmt::go_quote(&node.to_string())
                        ),
                    );
                }
                other => Arg::Chain(pos, Box::new(other), fields),
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        Ok(Some(match t.tok {
            Tok::Identifier(name) => {
                if !(self.has_func)(name) {
                    return self.err(
                        t.line,
                        format!("function {} not defined", crate::fmt::go_quote(name)),
                    );
                }
                Arg::Ident(t.pos, name.to_string())
            }
            Tok::Dot => Arg::Dot(t.pos),
            Tok::Nil => Arg::Nil(t.pos),
            Tok::Variable(name) => {
                if !self.vars.iter().any(|v| v == name) {
                    return self.err(
                        t.line,
                        format!("undefined variable {}", crate::fmt::go_quote(name)),
                    );
                }
                Arg::Variable(t.pos, name.to_string(), Vec::new())
            }
            Tok::Field(f) => Arg::Field(t.pos, vec![f.to_string()]),
            Tok::Bool(b) => Arg::Bool(t.pos, b),
            Tok::Number(text) => match parse_number(text) {
                Ok(n) => Arg::Number(t.pos, Box::new(n)),
                Err(e) => return self.err(t.line, e),
            },
            Tok::CharConst(text) => match parse_char(text) {
                Some(c) => Arg::Number(
                    t.pos,
                    Box::new(Number {
                        text: text.to_string(),
                        int: Some(c as i64),
                        uint: true,
                        float: Some(c as u32 as f64),
                        complex: None,
                    }),
                ),
                None => return self.err(t.line, format!("malformed character constant: {text}")),
            },
            Tok::LeftParen => {
                if self.paren_depth >= MAX_PAREN_DEPTH {
                    return self.err(t.line, "max expression depth exceeded".into());
                }
                self.paren_depth += 1;
                let p =
                    crate::stack::deep(|| self.pipeline("parenthesized pipeline", Tok::RightParen));
                self.paren_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            Tok::Str(q) | Tok::RawStr(q) => match unquote(q) {
                Some(s) => Arg::Str(t.pos, q.to_string(), Arc::from(s)),
                None => return self.err(t.line, "invalid syntax".into()),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Item {
    Node(Node),
    End(usize),
    Else(usize, bool),
}

fn parse_char(text: &str) -> Option<char> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let s = unescape(inner, '\'')?;
    let mut it = s.chars();
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(c)
}

/// Go's `strconv.Unquote` for "…" and `…` literals.
pub fn unquote(q: &str) -> Option<String> {
    if let Some(raw) = q.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        return Some(raw.replace('\r', ""));
    }
    let inner = q.strip_prefix('"')?.strip_suffix('"')?;
    unescape(inner, '"')
}

fn unescape(s: &str, quote: char) -> Option<String> {
    // In a string `\xNN` and octal escapes are bytes (Go strings are bytes), in a character
    // literal they are characters.
    let in_string = quote == '"';
    let mut out = Vec::with_capacity(s.len());
    let push =
        |out: &mut Vec<u8>, c: char| out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    let push_byte = |out: &mut Vec<u8>, v: u32| -> Option<()> {
        if in_string {
            out.push(u8::try_from(v).ok()?);
        } else {
            push(out, char::from_u32(v)?);
        }
        Some(())
    };
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == quote || c == '\n' {
            return None;
        }
        if c != '\\' {
            push(&mut out, c);
            continue;
        }
        let e = it.next()?;
        let hex = |it: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Option<u32> {
            let mut v = 0u32;
            for _ in 0..n {
                v = v * 16 + it.next()?.to_digit(16)?;
            }
            Some(v)
        };
        match e {
            'a' => out.push(0x07),
            'b' => out.push(0x08),
            'f' => out.push(0x0c),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(0x0b),
            '\\' => out.push(b'\\'),
            '\'' | '"' if e == quote => push(&mut out, e),
            'x' => push_byte(&mut out, hex(&mut it, 2)?)?,
            'u' => push(&mut out, char::from_u32(hex(&mut it, 4)?)?),
            'U' => push(&mut out, char::from_u32(hex(&mut it, 8)?)?),
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + it.next()?.to_digit(8)?;
                }
                if v > 255 {
                    return None;
                }
                push_byte(&mut out, v)?;
            }
            _ => return None,
        }
    }
    Some(crate::gobytes::string_from_go_bytes(&out))
}

/// Go's integer parsing with base prefix (`strconv.ParseInt(s, 0, 64)`).
pub(crate) fn parse_go_int(text: &str) -> Option<(bool, u64)> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    if digits.is_empty() || digits.starts_with('_') && radix == 10 || !underscores_ok(text) {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let v = u64::from_str_radix(&clean, radix).ok()?;
    Some((neg, v))
}

/// Go's `parse.NumberNode` rules.
pub fn parse_number(text: &str) -> Result<Number, String> {
    let illegal = || format!("illegal number syntax: {}", crate::fmt::go_quote(text));
    if let Some(body) = text.strip_suffix('i') {
        // An imaginary constant (`1.5i`) or a complex one (`1+2i`, one token in Go's lexer).
        let (re, im) = match parse_go_float(body) {
            Some(im) => (0.0, im),
            None => {
                // A token with a sign inside is Go's complex item, read by fmt.Sscan.
                let at = complex_split(body).ok_or_else(illegal)?;
                let sscan = || "syntax error scanning complex number".to_string();
                let re = parse_go_float(&body[..at]).ok_or_else(sscan)?;
                (re, parse_go_float(&body[at..]).ok_or_else(sscan)?)
            }
        };
        // Go's simplifyComplex: with no imaginary part it is also a float (and an integer
        // when integral), so it can be passed to typed parameters.
        let mut n = Number {
            text: text.to_string(),
            int: None,
            uint: false,
            float: None,
            complex: Some((re, im)),
        };
        if im == 0.0 {
            n.float = Some(re);
            if re.fract() == 0.0 && (-9.2e18..9.2e18).contains(&re) {
                n.int = Some(re as i64);
            }
            n.uint = re.fract() == 0.0 && (0.0..1.8e19).contains(&re);
        }
        return Ok(n);
    }
    let mut n = Number {
        text: text.to_string(),
        int: None,
        uint: false,
        float: None,
        complex: None,
    };
    if let Some((neg, u)) = parse_go_int(text) {
        if !neg {
            n.uint = true;
        }
        let i = if neg {
            if u <= i64::MAX as u64 + 1 {
                Some((u as i128).wrapping_neg() as i64)
            } else {
                None
            }
        } else if u <= i64::MAX as u64 {
            Some(u as i64)
        } else {
            None
        };
        n.int = i;
        if neg && u == 0 {
            n.uint = true;
        }
        n.float = Some(match i {
            Some(i) => i as f64,
            None => u as f64,
        });
        if i.is_none() && neg {
            n.uint = false;
        }
        if n.int.is_none() && !n.uint {
            return Err(format!(
                "illegal number syntax: {}",
                crate::fmt::go_quote(text)
            ));
        }
        return Ok(n);
    }
    // Go's ParseFloat fails (ErrRange) where Rust's parse gives an infinity.
    match parse_go_float(text) {
        Some(f) => {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(format!("integer overflow: {}", crate::fmt::go_quote(text)));
            }
            n.float = Some(f);
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                n.int = Some(f as i64);
            }
            if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) {
                n.uint = true;
            }
            Ok(n)
        }
        None => Err(illegal()),
    }
}

/// strconv's rule for `_` in a number: only between two digits, or between a base prefix
/// (`0x`, `0o`, `0b`) and a digit.
fn underscores_ok(text: &str) -> bool {
    #[derive(PartialEq)]
    enum Last {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let b = text.strip_prefix(['+', '-']).unwrap_or(text).as_bytes();
    let mut last = Last::Start;
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        hex = b[1].eq_ignore_ascii_case(&b'x');
        last = Last::Digit;
        i = 2;
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            last = Last::Digit;
        } else if c == b'_' {
            if last != Last::Digit {
                return false;
            }
            last = Last::Underscore;
        } else if last == Last::Underscore {
            return false;
        } else {
            last = Last::Other;
        }
    }
    last != Last::Underscore
}

/// A finite float in Go's syntax (decimal or hexadecimal, `_` separators), as `ParseFloat`.
fn parse_go_float(text: &str) -> Option<f64> {
    if !underscores_ok(text) {
        return None;
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let f = if lower.trim_start_matches(['+', '-']).starts_with("0x") {
        parse_hex_float(&lower)
    } else if lower
        .trim_start_matches(['+', '-'])
        .starts_with(|c: char| c.is_ascii_digit() || c == '.')
    {
        lower.parse::<f64>().ok()
    } else {
        None
    };
    f.filter(|f| f.is_finite())
}

/// In `RE+IM` / `RE-IM` (a complex constant without its `i`), where the imaginary part
/// starts: the last sign not at the start and not inside an exponent.
fn complex_split(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    (1..b.len())
        .rev()
        .find(|&i| matches!(b[i], b'+' | b'-') && !matches!(b[i - 1], b'e' | b'E' | b'p' | b'P'))
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let s = s.strip_prefix("0x")?;
    let (mant, exp) = match s.split_once('p') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => return None,
    };
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use crate::{FuncMap, Options, Template};

    fn parse_error(src: &str) -> String {
        let mut t = Template::new("t", FuncMap::sprig(), Options::default());
        match t.parse("t", src) {
            Ok(()) => panic!("{src:?} parsed"),
            Err(e) => e.to_string(),
        }
    }

    /// helm v4.3.1: `_` only between digits (or after a base prefix); a hexadecimal
    /// mantissa needs a digit.
    #[test]
    fn number_literals_follow_strconv() {
        for ok in [
            "1_000",
            "0x_1f",
            "0b1_0",
            "0_7",
            "1_000.5",
            "0x1p-2",
            "0x1_f.8p1",
        ] {
            assert!(super::parse_number(ok).is_ok(), "{ok}");
        }
        for bad in [
            "1_", "1__2", "1_.5", "1._5", "1e_5", "1_e5", "0x1_", "0x1p_4", "0x.p4",
        ] {
            let e = parse_error(&format!("{{{{ {bad} }}}}"));
            assert!(
                e.contains(&format!("illegal number syntax: \"{bad}\"")),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_bad_character_after_a_word_is_reported_before_the_word() {
        assert_eq!(
            parse_error("{{ nosuch& }}"),
            "template: t:1: bad character U+0026 '&'"
        );
        assert_eq!(
            parse_error("{{ $v% }}"),
            "template: t:1: bad character U+0025 '%'"
        );
        assert_eq!(
            parse_error("{{ .a.b# }}"),
            "template: t:1: bad character U+0023 '#'"
        );
    }

    #[test]
    fn dot_and_nil_print_as_keywords_in_unexpected_token_errors() {
        assert_eq!(
            parse_error("{{ print \"x\". }}"),
            "template: t:1: unexpected <.> in operand"
        );
        assert_eq!(
            parse_error("{{ print (print)nil }}"),
            "template: t:1: unexpected <nil> in operand"
        );
    }

    #[test]
    fn range_declarations_follow_go() {
        assert_eq!(
            parse_error("{{ range $a, $b }}{{ end }}"),
            "template: t:1: undefined variable \"$b\""
        );
        assert_eq!(
            parse_error("{{ range $a, }}{{ end }}"),
            "template: t:1: missing value for range"
        );
        assert_eq!(
            parse_error("{{ range $a, \"x\" }}{{ end }}"),
            "template: t:1: range can only initialize variables"
        );
        assert_eq!(
            parse_error("{{ range $a, $b, $c := . }}{{ end }}"),
            "template: t:1: too many declarations in range"
        );
        let mut t = Template::new("t", FuncMap::sprig(), Options::default());
        t.parse(
            "t",
            "{{ $l := list 4 5 }}{{ range $e, $l }}{{ $e }}{{ end }}",
        )
        .unwrap();
        assert_eq!(t.execute("t", &crate::Value::Missing).unwrap(), "45");
    }

    fn render(src: &str) -> String {
        let mut t = Template::new("t", FuncMap::sprig(), Options::default());
        t.parse("t", src).unwrap();
        t.execute("t", &crate::Value::Missing).unwrap()
    }

    #[test]
    fn complex_constants_are_complex128() {
        assert_eq!(
            render("{{ 2.5i }} {{ 3-0.5i }} {{ 1e2+1e-2i }}"),
            "(0+2.5i) (3-0.5i) (100+0.01i)"
        );
        assert_eq!(
            render("{{ typeOf -1i }} {{ if 0i }}t{{ else }}f{{ end }}"),
            "complex128 f"
        );
        assert_eq!(render("{{ eq 2i 2i }} {{ eq 2i 3i }}"), "true false");
        assert_eq!(
            render(r#"{{ printf "%.1f|%d" 1-2i 1i }}"#),
            "(1.0-2.0i)|%!d(complex128=(0+1i))"
        );
        // With no imaginary part it still fits typed integer parameters.
        assert_eq!(render(r#"{{ repeat 3+0i "ab" }}"#), "ababab");
        assert_eq!(
            parse_error("{{ 1+i }}"),
            "template: t:1: syntax error scanning complex number"
        );
        assert_eq!(
            parse_error("{{ 0x1i }}"),
            "template: t:1: illegal number syntax: \"0x1i\""
        );
    }
}
