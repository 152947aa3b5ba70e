//! Sprig's encodings (base64, base32, JSON), paths, URLs, environment and UUIDs.

use super::{FuncMap, Ty, arg_str, s};
use crate::gobytes::{go_bytes, string_from_go_bytes};
use crate::value::{Map, Value, read};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("b64enc", &[Str], None, |a| {
        Ok(s(STANDARD.encode(go_bytes(arg_str(&a[0])))))
    });
    m.pure("b64dec", &[Str], None, |a| {
        Ok(s(match go_b64_decode(go_bytes(arg_str(&a[0])).as_ref()) {
            Ok(b) => string_from_go_bytes(&b),
            Err(e) => e,
        }))
    });
    m.pure("b32enc", &[Str], None, |a| {
        Ok(s(b32enc(&go_bytes(arg_str(&a[0])))))
    });
    m.pure("b32dec", &[Str], None, |a| {
        Ok(s(match b32dec(arg_str(&a[0])) {
            Ok(b) => string_from_go_bytes(&b),
            Err(i) => format!("illegal base32 data at input byte {i}"),
        }))
    });
    for (name, must) in [("toJson", false), ("mustToJson", true)] {
        m.pure(name, &[Any], None, move |a| {
            match to_json(&a[0], true, None) {
                Ok(j) => Ok(s(j)),
                Err(e) if must => Err(e),
                Err(_) => Ok(s("")),
            }
        });
    }
    for (name, must) in [("toPrettyJson", false), ("mustToPrettyJson", true)] {
        m.pure(name, &[Any], None, move |a| {
            match to_json(&a[0], true, Some("  ")) {
                Ok(j) => Ok(s(j)),
                Err(e) if must => Err(e),
                Err(_) => Ok(s("")),
            }
        });
    }
    // Sprig's `toRawJson` panics on a marshal error (text/template reports it), unlike `toJson`.
    for (name, must) in [("toRawJson", true), ("mustToRawJson", true)] {
        m.pure(name, &[Any], None, move |a| {
            match to_json(&a[0], false, None) {
                Ok(j) => Ok(s(j)),
                Err(e) if must => Err(e),
                Err(_) => Ok(s("")),
            }
        });
    }
    m.pure("fromJson", &[Str], None, |a| {
        Ok(decode_json(arg_str(&a[0]))
            .map(|j| Value::from_json(&j))
            .unwrap_or(Value::Nil))
    });
    m.pure("mustFromJson", &[Str], None, |a| {
        decode_json(arg_str(&a[0]))
            .map(|j| Value::from_json(&j))
            .map_err(|e| go_json_decode_error(arg_str(&a[0]), &e))
    });
    for name in ["base", "osBase"] {
        m.pure(name, &[Str], None, |a| Ok(s(path_base(arg_str(&a[0])))));
    }
    for name in ["dir", "osDir"] {
        m.pure(name, &[Str], None, |a| Ok(s(path_dir(arg_str(&a[0])))));
    }
    for name in ["clean", "osClean"] {
        m.pure(name, &[Str], None, |a| {
            Ok(s(ferroflux_goformat::path_clean(arg_str(&a[0]))))
        });
    }
    for name in ["ext", "osExt"] {
        m.pure(name, &[Str], None, |a| {
            let p = arg_str(&a[0]);
            let last = p.rsplit('/').next().unwrap_or("");
            Ok(s(last.rfind('.').map_or("", |i| &last[i..])))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        m.pure(name, &[Str], None, |a| {
            Ok(Value::Bool(arg_str(&a[0]).starts_with('/')))
        });
    }
    m.pure("env", &[Str], None, |a| {
        Ok(s(std::env::var(arg_str(&a[0])).unwrap_or_default()))
    });
    m.pure("expandenv", &[Str], None, |a| {
        Ok(s(expand_env(arg_str(&a[0]))))
    });
    m.pure("uuidv4", &[], None, |_| {
        Ok(s(uuid::Uuid::new_v4().to_string()))
    });
    m.pure("urlParse", &[Str], None, |a| url_parse(arg_str(&a[0])));
    m.pure("urlJoin", &[Map], None, |a| Ok(s(url_join(&a[0]))));
    m.pure("getHostByName", &[Str], None, |a| {
        Ok(s(host_by_name(arg_str(&a[0]))))
    });
}

/// Whether `getHostByName` resolves names (helm's `--enable-dns`, Flux's `AllowDNSLookups`
/// feature gate); off, it returns "" as Helm does by default. One switch for the process,
/// as those are.
pub static DNS_LOOKUPS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sprig's `getHostByName` with lookups allowed: the first address found, else "".
fn host_by_name(name: &str) -> String {
    use std::net::ToSocketAddrs;
    if !DNS_LOOKUPS.load(std::sync::atomic::Ordering::Relaxed) {
        return String::new();
    }
    (name, 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// Go's wording for the common JSON decode errors.
pub(crate) fn go_json_error(e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    e.to_string()
}

/// `input` read as `encoding/json` reads it into `interface{}`: nesting as deep as Go's
/// scanner allows (10000), where serde stops at 128.
pub fn decode_json(input: &str) -> Result<serde_json::Value, serde_json::Error> {
    use serde::Deserialize;
    match serde_json::from_str(input) {
        // Go reads a surrogate escape that is not half of a pair as U+FFFD; serde refuses it.
        Err(e) if e.is_syntax() && input.contains("\\u") => match paired_surrogates(input) {
            Some(fixed) => decode_json(&fixed),
            None => Err(e),
        },
        Err(e) if e.to_string().starts_with("recursion limit exceeded") => {
            if go_json_syntax_error(input.as_bytes()).is_some() {
                return Err(e);
            }
            // The scanner allows 10000 levels: room for serde's frames at each of them.
            stacker::grow(256 << 20, || {
                let mut de = serde_json::Deserializer::from_str(input);
                de.disable_recursion_limit();
                let v = serde_json::Value::deserialize(&mut de)?;
                de.end().map(|()| v)
            })
        }
        r => r,
    }
}

/// `input` with every `\uD800`–`\uDFFF` escape that is not half of a pair in a JSON string
/// written `\uFFFD`, or `None` when there is none.
fn paired_surrogates(input: &str) -> Option<String> {
    let b = input.as_bytes();
    let hex_at = |i: usize| -> Option<u32> {
        let digits = b.get(i..i + 4)?;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |i: usize| {
        (b.get(i..i + 2) == Some(b"\\u"))
            .then(|| hex_at(i + 2))
            .flatten()
    };
    let mut out = String::with_capacity(input.len());
    let (mut i, mut from, mut in_string, mut changed) = (0, 0, false, false);
    while i < b.len() {
        match b[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => match escape_at(i) {
                Some(0xD800..=0xDBFF) if matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)) => {
                    i += 12;
                    continue;
                }
                Some(0xD800..=0xDFFF) => {
                    out.push_str(&input[from..i]);
                    out.push_str("\\ufffd");
                    changed = true;
                    i += 6;
                    from = i;
                    continue;
                }
                _ => i += 1,
            },
            _ => {}
        }
        i += 1;
    }
    out.push_str(&input[from..]);
    changed.then_some(out)
}

/// The error `encoding/json` reports for `input` (its syntax check runs first, so the first
/// syntax error wins), falling back to serde's message for anything else.
pub fn go_json_decode_error(input: &str, e: &serde_json::Error) -> String {
    go_json_syntax_error(input.as_bytes()).unwrap_or_else(|| go_json_error(e))
}

/// Go's `quoteChar` for scanner messages: the character (a whole rune) in single quotes.
fn go_quote_json_char(data: &[u8], i: usize) -> String {
    let c = std::str::from_utf8(&data[i..(i + 4).min(data.len())])
        .map(|t| t.chars().next())
        .unwrap_or_else(|e| {
            std::str::from_utf8(&data[i..i + e.valid_up_to()])
                .ok()
                .and_then(|t| t.chars().next())
        })
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = crate::fmt::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// How Go's JSON decoder shows an invalid escape sequence: in backquotes when it can,
/// otherwise as a Go-quoted byte string.
fn go_json_escape_seq(seq: &[u8]) -> String {
    if let Ok(t) = std::str::from_utf8(seq)
        && t.chars()
            .all(|c| c == '\t' || (c != '`' && !c.is_control()))
    {
        return format!("`{t}`");
    }
    let mut o = String::from("\"");
    for &b in seq {
        match b {
            b'"' => o.push_str("\\\""),
            b'\\' => o.push_str("\\\\"),
            0x20..=0x7e => o.push(b as char),
            b => o.push_str(&format!("\\x{b:02x}")),
        }
    }
    o.push('"');
    o
}

/// `encoding/json`'s scanner (`checkValid`): the first syntax error in `data`, in Go's words.
pub(crate) fn go_json_syntax_error(data: &[u8]) -> Option<String> {
    go_json_syntax_error_at(data).map(|e| e.message)
}

/// A syntax error of [`go_json_syntax_error_at`].
pub struct JsonSyntaxError {
    /// The byte the scanner stopped at, or the length of the input when it ended too soon.
    pub at: usize,
    pub message: String,
    /// The input ended inside a value (`unexpected end of JSON input`).
    pub eof: bool,
}

/// [`go_json_syntax_error`] with where the error is (Go's `SyntaxError.Offset` is one more).
pub fn go_json_syntax_error_at(data: &[u8]) -> Option<JsonSyntaxError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Ctx {
        ObjectKey,
        ObjectValue,
        Array,
    }
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        BeginValueOrEmpty,
        BeginValue,
        BeginStringOrEmpty,
        BeginString,
        EndValue,
        EndTop,
        InString,
        InStringEsc(usize),
        InStringEscU(usize, u8),
        Neg,
        One,
        Zero,
        Dot,
        Dot0,
        E,
        ESign,
        E0,
        Lit(&'static [u8], usize, &'static str),
    }
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let at = |at: usize, message: String| {
        Some(JsonSyntaxError {
            at,
            message,
            eof: false,
        })
    };
    let err = |i: usize, ctx: &str| {
        at(
            i,
            format!("invalid character {} {ctx}", go_quote_json_char(data, i)),
        )
    };
    let bad_escape = |from: usize, to: usize| {
        at(
            to,
            format!(
                "invalid escape sequence {} in string",
                go_json_escape_seq(&data[from..=to])
            ),
        )
    };
    let mut stack: Vec<Ctx> = Vec::new();
    let mut st = St::BeginValue;
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        st = match st {
            St::BeginValueOrEmpty if space(c) => st,
            St::BeginValueOrEmpty if c == b']' => {
                stack.pop();
                if stack.is_empty() {
                    St::EndTop
                } else {
                    St::EndValue
                }
            }
            St::BeginValueOrEmpty | St::BeginValue => match c {
                c if space(c) => St::BeginValue,
                b'{' => {
                    stack.push(Ctx::ObjectKey);
                    St::BeginStringOrEmpty
                }
                b'[' => {
                    stack.push(Ctx::Array);
                    St::BeginValueOrEmpty
                }
                b'"' => St::InString,
                b'-' => St::Neg,
                b'0' => St::Zero,
                b'1'..=b'9' => St::One,
                b't' => St::Lit(b"rue", 0, "true"),
                b'f' => St::Lit(b"alse", 0, "false"),
                b'n' => St::Lit(b"ull", 0, "null"),
                _ => return err(i, "looking for beginning of value"),
            },
            St::BeginStringOrEmpty if space(c) => st,
            St::BeginStringOrEmpty if c == b'}' => {
                stack.pop();
                if stack.is_empty() {
                    St::EndTop
                } else {
                    St::EndValue
                }
            }
            St::BeginStringOrEmpty | St::BeginString => match c {
                c if space(c) => St::BeginString,
                b'"' => St::InString,
                _ => return err(i, "looking for beginning of object key string"),
            },
            St::EndTop => {
                if !space(c) {
                    return err(i, "after top-level value");
                }
                St::EndTop
            }
            St::EndValue => {
                if space(c) {
                    i += 1;
                    continue;
                }
                match (stack.last().copied(), c) {
                    (None, _) => {
                        st = St::EndTop;
                        continue;
                    }
                    (Some(Ctx::ObjectKey), b':') => {
                        *stack.last_mut()? = Ctx::ObjectValue;
                        St::BeginValue
                    }
                    (Some(Ctx::ObjectKey), _) => return err(i, "after object key"),
                    (Some(Ctx::ObjectValue), b',') => {
                        *stack.last_mut()? = Ctx::ObjectKey;
                        St::BeginString
                    }
                    (Some(Ctx::ObjectValue | Ctx::Array), b'}' | b']')
                        if (c == b'}') == (stack.last() == Some(&Ctx::ObjectValue)) =>
                    {
                        stack.pop();
                        if stack.is_empty() {
                            St::EndTop
                        } else {
                            St::EndValue
                        }
                    }
                    (Some(Ctx::ObjectValue), _) => return err(i, "after object key:value pair"),
                    (Some(Ctx::Array), b',') => St::BeginValue,
                    (Some(Ctx::Array), _) => return err(i, "after array element"),
                }
            }
            St::InString => match c {
                b'"' => St::EndValue,
                b'\\' => St::InStringEsc(i),
                c if c < 0x20 => return err(i, "in string"),
                _ => St::InString,
            },
            St::InStringEsc(at) => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => St::InString,
                b'u' => St::InStringEscU(at, 0),
                _ => return bad_escape(at, i),
            },
            St::InStringEscU(at, n) => {
                if !c.is_ascii_hexdigit() {
                    // Go shows the escape's full length (`\uXXXX`), bounded by the input.
                    return bad_escape(at, (at + 5).min(data.len() - 1));
                }
                if n == 3 {
                    St::InString
                } else {
                    St::InStringEscU(at, n + 1)
                }
            }
            St::Neg => match c {
                b'0' => St::Zero,
                b'1'..=b'9' => St::One,
                _ => return err(i, "in numeric literal"),
            },
            St::One if c.is_ascii_digit() => St::One,
            St::One | St::Zero => match c {
                b'.' => St::Dot,
                b'e' | b'E' => St::E,
                _ => {
                    st = St::EndValue;
                    continue;
                }
            },
            St::Dot => {
                if !c.is_ascii_digit() {
                    return err(i, "in numeric literal");
                }
                St::Dot0
            }
            St::Dot0 => match c {
                c if c.is_ascii_digit() => St::Dot0,
                b'e' | b'E' => St::E,
                _ => {
                    st = St::EndValue;
                    continue;
                }
            },
            St::E if c == b'+' || c == b'-' => St::ESign,
            St::E | St::ESign => {
                if !c.is_ascii_digit() {
                    return err(i, "in numeric literal");
                }
                St::E0
            }
            St::E0 => {
                if c.is_ascii_digit() {
                    St::E0
                } else {
                    st = St::EndValue;
                    continue;
                }
            }
            St::Lit(rest, n, word) => {
                if c != rest[n] {
                    return err(
                        i,
                        &format!(
                            "in literal {word} (expecting {})",
                            go_quote_json_char(rest, n)
                        ),
                    );
                }
                if n + 1 == rest.len() {
                    St::EndValue
                } else {
                    St::Lit(rest, n + 1, word)
                }
            }
        };
        if stack.len() > 10000 {
            return at(i, "exceeded max depth".into());
        }
        i += 1;
    }
    match st {
        St::EndTop => None,
        St::EndValue | St::One | St::Zero | St::Dot0 | St::E0 if stack.is_empty() => None,
        _ => Some(JsonSyntaxError {
            at: data.len(),
            message: "unexpected end of JSON input".into(),
            eof: true,
        }),
    }
}

/// Go's `base64.StdEncoding.DecodeString`: line breaks anywhere are skipped, padding is
/// required, bits after the last byte may be set; an error is Go's text with Go's offset.
pub(crate) fn go_b64_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let corrupt = |at: usize| format!("illegal base64 data at input byte {at}");
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let is_break = |c: u8| c == b'\n' || c == b'\r';
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    // One quantum of four symbols at a time, as Go's decodeQuantum reads them.
    while si < src.len() {
        let mut buf = [0u32; 4];
        let mut len = 4;
        let mut j = 0;
        let mut trailing = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(corrupt(si - j));
            }
            let c = src[si];
            si += 1;
            if let Some(v) = value(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if is_break(c) {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(corrupt(si - 1));
            }
            if j == 2 {
                // "==" wanted: the first is read, line breaks may come between.
                while si < src.len() && is_break(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(corrupt(src.len()));
                }
                if src[si] != b'=' {
                    return Err(corrupt(si - 1));
                }
                si += 1;
            }
            while si < src.len() && is_break(src[si]) {
                si += 1;
            }
            if si < src.len() {
                trailing = Some(si);
            }
            len = j;
            break;
        }
        let v = buf[0] << 18 | buf[1] << 12 | buf[2] << 6 | buf[3];
        out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8][..len - 1]);
        if let Some(at) = trailing {
            return Err(corrupt(at));
        }
    }
    Ok(out)
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b32enc(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let v = buf.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
        let n = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < n {
                out.push(B32[((v >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32dec(s: &str) -> Result<Vec<u8>, usize> {
    let s = s.trim_end_matches(['\n', '\r']);
    if !s.len().is_multiple_of(8) {
        return Err(s.len() / 8 * 8);
    }
    let mut out = Vec::new();
    for (ci, chunk) in s.as_bytes().chunks(8).enumerate() {
        let mut v = 0u64;
        let mut n = 0;
        for (i, c) in chunk.iter().enumerate() {
            if *c == b'=' {
                continue;
            }
            let Some(d) = B32.iter().position(|x| x == c) else {
                return Err(ci * 8 + i);
            };
            v |= (d as u64) << (35 - i * 5);
            n = i + 1;
        }
        let bytes = n * 5 / 8;
        for i in 0..bytes {
            out.push((v >> (32 - i * 8)) as u8);
        }
    }
    Ok(out)
}

/// Go's `encoding/json` float format.
pub(crate) fn json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = crate::fmt::format_float(f, 'e', -1);
        // e-07 → e-7
        if let Some(i) = s.find("e-0") {
            return format!("{}e-{}", &s[..i], &s[i + 3..]);
        }
        if let Some(i) = s.find("e+0") {
            return format!("{}e+{}", &s[..i], &s[i + 3..]);
        }
        return s;
    }
    crate::fmt::format_float(f, 'f', -1)
}

/// `json.Marshal` (`indent` for `MarshalIndent(v, "", indent)`).
pub fn to_json(v: &Value, html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, html, indent, 0)?;
    Ok(out)
}

fn nl(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(i) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(i);
        }
    }
}

fn write_json(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    crate::stack::deep(|| write_json_here(out, v, html, indent, depth))
}

fn write_json_here(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    if depth > crate::value::MAX_DEPTH {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    match v {
        Value::Missing | Value::Nil => out.push_str("null"),
        v if v.is_nil_slice() => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    crate::fmt::format_float(*f, 'g', -1)
                ));
            }
            out.push_str(&json_float(*f));
        }
        Value::String(s) => ferroflux_goformat::write_json_string(out, s, html),
        Value::List(_) | Value::StrList(_) => {
            let items = v.list_items().unwrap_or_default();
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, indent, depth + 1);
                write_json(out, x, html, indent, depth + 1)?;
            }
            if !items.is_empty() {
                nl(out, indent, depth);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let m = read(m);
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, indent, depth + 1);
                ferroflux_goformat::write_json_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, html, indent, depth + 1)?;
            }
            if !m.is_empty() {
                nl(out, indent, depth);
            }
            out.push('}');
        }
        Value::Object(o) if o.as_complex().is_some() => {
            return Err("json: unsupported type: complex128".into());
        }
        Value::Object(o) => match o.marshal_json() {
            Some(j) => out.push_str(&j),
            None => out.push_str("{}"),
        },
    }
    Ok(())
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    ferroflux_goformat::path_clean(dir)
}

fn expand_env(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            let rest = &s[i + 1..];
            if let Some(r) = rest.strip_prefix('{')
                && let Some(e) = r.find('}')
            {
                out.push_str(&std::env::var(&r[..e]).unwrap_or_default());
                i += e + 3;
                continue;
            }
            let n = rest
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            if n > 0 {
                out.push_str(&std::env::var(&rest[..n]).unwrap_or_default());
                i += n + 1;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn url_parse(u: &str) -> Result<Value, String> {
    let mut m = Map::new();
    let (rest, fragment) = u.split_once('#').unwrap_or((u, ""));
    let (scheme, rest) = match rest.find(':') {
        Some(i)
            if rest[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && i > 0 =>
        {
            (&rest[..i], &rest[i + 1..])
        }
        _ => ("", rest),
    };
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path, opaque, userinfo) = if let Some(r) = rest.strip_prefix("//") {
        let (auth, path) = match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        };
        let (ui, host) = match auth.rfind('@') {
            Some(i) => (&auth[..i], &auth[i + 1..]),
            None => ("", auth),
        };
        (host, path, "", ui)
    } else if !scheme.is_empty() && !rest.starts_with('/') {
        ("", "", rest, "")
    } else {
        ("", rest, "", "")
    };
    let hostname = match host.rfind(':') {
        Some(i) if !host.ends_with(']') => &host[..i],
        _ => host,
    };
    m.insert("scheme".into(), s(scheme.to_ascii_lowercase()));
    m.insert("host".into(), s(host));
    m.insert(
        "hostname".into(),
        s(hostname.trim_start_matches('[').trim_end_matches(']')),
    );
    m.insert("path".into(), s(url_unescape(path)));
    m.insert("query".into(), s(query));
    m.insert("opaque".into(), s(opaque));
    m.insert("fragment".into(), s(url_unescape(fragment)));
    m.insert("userinfo".into(), s(userinfo));
    Ok(Value::map(m))
}

/// Parts of a URL Go's `url.escape` treats differently.
#[derive(Clone, Copy, PartialEq)]
enum UrlPart {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// Go's `url.shouldEscape`.
fn url_should_escape(c: u8, part: UrlPart) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if part == UrlPart::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match part {
            UrlPart::Path => return c == b'?',
            UrlPart::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            UrlPart::Fragment => return false,
            UrlPart::Host => {}
        },
        _ => {}
    }
    !(part == UrlPart::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

/// Go's `url.escape` (percent-encoding with upper-case hex).
fn url_escape(s: &str, part: UrlPart) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if url_should_escape(b, part) {
            o.push_str(&format!("%{b:02X}"));
        } else {
            o.push(b as char);
        }
    }
    o
}

/// Percent-decoding as Go's `url.unescape` does for paths and fragments (an invalid escape
/// is kept as written).
pub fn url_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sprig's `urlJoin`: a Go `url.URL` built from the dict's parts, printed by its `String`.
fn url_join(d: &Value) -> String {
    let get = |k: &str| -> String {
        match d {
            Value::Map(m) => read(m).get(k).map(super::strval).unwrap_or_default(),
            _ => String::new(),
        }
    };
    let (scheme, host, path) = (get("scheme"), get("host"), get("path"));
    let (query, opaque, fragment, userinfo) = (
        get("query"),
        get("opaque"),
        get("fragment"),
        get("userinfo"),
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !userinfo.is_empty() {
            if !host.is_empty() || !path.is_empty() || !userinfo.is_empty() {
                out.push_str("//");
            }
            if !userinfo.is_empty() {
                // Parsed back from `proto://<userinfo>@host`, then escaped again.
                let ui = url_unescape(&userinfo);
                match ui.split_once(':') {
                    Some((u, p)) => {
                        out.push_str(&url_escape(u, UrlPart::UserPassword));
                        out.push(':');
                        out.push_str(&url_escape(p, UrlPart::UserPassword));
                    }
                    None => out.push_str(&url_escape(&ui, UrlPart::UserPassword)),
                }
                out.push('@');
            }
            out.push_str(&url_escape(&host, UrlPart::Host));
        }
        let path = if path == "*" {
            path
        } else {
            url_escape(&path, UrlPart::Path)
        };
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
            out.push_str("./");
        }
        out.push_str(&path);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&url_escape(&fragment, UrlPart::Fragment));
    }
    out
}

#[cfg(test)]
mod tests {
    /// encoding/json reads an unpaired surrogate escape as U+FFFD.
    #[test]
    fn unpaired_surrogates_read_as_replacement_characters() {
        let read = |t: &str| super::decode_json(t).map(|v| v.to_string());
        assert_eq!(read(r#"{"a":"\ud800"}"#).unwrap(), "{\"a\":\"\u{fffd}\"}");
        assert_eq!(
            read(r#"["\udc00x\ud83d\ude00","\\ud800"]"#).unwrap(),
            "[\"\u{fffd}x😀\",\"\\\\ud800\"]"
        );
        assert_eq!(read(r#"["\ud800\u0041"]"#).unwrap(), "[\"\u{fffd}A\"]");
        assert!(read(r#"{"a":"\ud800"#).is_err());
    }

    /// Helm's `fromJson` error texts for malformed input, as helm v4.3.1 (Go 1.27) prints them.
    #[test]
    fn json_syntax_errors_in_go_words() {
        let cases = [
            (
                "not json",
                "invalid character 'o' in literal null (expecting 'u')",
            ),
            ("", "unexpected end of JSON input"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            ("truex", "invalid character 'x' after top-level value"),
            ("1.e3", "invalid character 'e' in numeric literal"),
            ("1e+", "unexpected end of JSON input"),
            ("\"a\\qb\"", "invalid escape sequence `\\q` in string"),
            ("\"\\u12G4\"", "invalid escape sequence `\\u12G4` in string"),
            ("\"\\u12\"", "invalid escape sequence `\\u12\"` in string"),
            ("\"\\é\"", "invalid escape sequence \"\\\\\\xc3\" in string"),
            ("\"a\tb\"", "invalid character '\\t' in string"),
            (
                "{\"a\":1]",
                "invalid character ']' after object key:value pair",
            ),
            ("[1}", "invalid character '}' after array element"),
            (
                "'x'",
                "invalid character '\\'' looking for beginning of value",
            ),
            ("é", "invalid character 'é' looking for beginning of value"),
            ("01", "invalid character '1' after top-level value"),
            ("{\"a\":1}}", "invalid character '}' after top-level value"),
        ];
        for (input, want) in cases {
            assert_eq!(
                super::go_json_syntax_error(input.as_bytes()).as_deref(),
                Some(want),
                "{input:?}"
            );
        }
        for ok in [
            "{}",
            " [ 1, -2.5e+3, \"\\u00e9\\n\", true, null ] ",
            "0",
            "{\"a\":{\"b\":[]}}",
        ] {
            assert_eq!(super::go_json_syntax_error(ok.as_bytes()), None, "{ok:?}");
        }
    }

    #[test]
    fn url_join_escapes_as_go() {
        let cases = [
            (
                r#"{{ urlJoin (dict "scheme" "https" "host" "example.org" "path" "/a b" "query" "x=1") }}"#,
                "https://example.org/a%20b?x=1",
            ),
            (
                r#"{{ urlJoin (dict "scheme" "http" "host" "h" "path" "p?q" "fragment" "f g!") }}"#,
                "http://h/p%3Fq#f%20g!",
            ),
            (r#"{{ urlJoin (dict "path" "a:b/c") }}"#, "./a:b/c"),
            (
                r#"{{ urlJoin (dict "scheme" "mailto" "opaque" "x@y") }}"#,
                "mailto:x@y",
            ),
            (
                r#"{{ urlJoin (dict "scheme" "https" "host" "h" "userinfo" "u:p%20w") }}"#,
                "https://u:p%20w@h",
            ),
            (r#"{{ (urlParse "HTTP://h/a%20b#x%21").path }}"#, "/a b"),
            (r#"{{ (urlParse "HTTP://h/a%20b#x%21").scheme }}"#, "http"),
        ];
        for (tpl, want) in cases {
            assert_eq!(crate::render_plain(tpl, "t", None).unwrap(), want, "{tpl}");
        }
    }
}
