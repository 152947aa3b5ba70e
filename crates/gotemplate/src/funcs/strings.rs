//! Sprig's string functions.

use super::{FuncMap, Ty, arg_int, arg_str, s, strval};
use crate::value::{Map, Value};
use ferroflux_goformat::gobytes::{go_bytes, go_len, string_from_go_bytes};
use std::sync::Arc;

fn str_list(v: Vec<String>) -> Value {
    Value::StrList(Arc::new(v))
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("hello", &[], None, |_| Ok(s("Hello!")));
    m.pure("abbrev", &[Int, Str], None, |a| {
        let (w, st) = (arg_int(&a[0]), arg_str(&a[1]));
        if w < 4 {
            return Ok(s(st));
        }
        Ok(s(abbreviate_full(st, 0, w as usize)))
    });
    m.pure("abbrevboth", &[Int, Int, Str], None, |a| {
        let (l, r, st) = (arg_int(&a[0]), arg_int(&a[1]), arg_str(&a[2]));
        if r < 4 || l > 0 && r < 7 {
            return Ok(s(st));
        }
        Ok(s(abbreviate_full(st, l.max(0) as usize, r as usize)))
    });
    m.pure("trunc", &[Int, Str], None, |a| {
        let (c, st) = (arg_int(&a[0]), arg_str(&a[1]));
        let n = go_len(st) as i64;
        let r = if c < 0 && n + c > 0 {
            byte_slice(st, (n + c) as usize, n as usize)
        } else if c >= 0 && n > c {
            byte_slice(st, 0, c as usize)
        } else {
            st.to_string()
        };
        Ok(s(r))
    });
    m.pure("trim", &[Str], None, |a| Ok(s(arg_str(&a[0]).trim())));
    m.pure("upper", &[Str], None, |a| Ok(s(go_upper(arg_str(&a[0])))));
    m.pure("lower", &[Str], None, |a| Ok(s(go_lower(arg_str(&a[0])))));
    m.pure("title", &[Str], None, |a| Ok(s(title(arg_str(&a[0])))));
    m.pure("untitle", &[Str], None, |a| Ok(s(untitle(arg_str(&a[0])))));
    m.pure("substr", &[Int, Int, Str], None, |a| {
        let (start, end, st) = (arg_int(&a[0]), arg_int(&a[1]), arg_str(&a[2]));
        let n = go_len(st) as i64;
        let bad = |i: i64, j: i64| format!("runtime error: slice bounds out of range [{i}:{j}]");
        if start < 0 {
            if end < 0 || end > n {
                return Err(format!(
                    "runtime error: slice bounds out of range [:{end}] with length {n}"
                ));
            }
            return Ok(s(byte_slice(st, 0, end as usize)));
        }
        if end < 0 || end > n {
            if start > n {
                return Err(format!(
                    "runtime error: slice bounds out of range [{start}:{n}]"
                ));
            }
            return Ok(s(byte_slice(st, start as usize, n as usize)));
        }
        if start > end {
            return Err(bad(start, end));
        }
        Ok(s(byte_slice(st, start as usize, end as usize)))
    });
    m.pure("repeat", &[Int, Str], None, |a| {
        let c = arg_int(&a[0]);
        if c < 0 {
            return Err("strings: negative Repeat count".into());
        }
        let st = arg_str(&a[1]);
        if (st.len() as u64).saturating_mul(c as u64) > 64 << 20 {
            return Err("strings: Repeat output length overflow".into());
        }
        Ok(s(st.repeat(c as usize)))
    });
    for name in ["trimAll", "trimall"] {
        m.pure(name, &[Str, Str], None, |a| {
            let cut = arg_str(&a[0]);
            Ok(s(arg_str(&a[1]).trim_matches(|c| cut.contains(c))))
        });
    }
    m.pure("trimSuffix", &[Str, Str], None, |a| {
        let st = arg_str(&a[1]);
        Ok(s(st.strip_suffix(arg_str(&a[0])).unwrap_or(st)))
    });
    m.pure("trimPrefix", &[Str, Str], None, |a| {
        let st = arg_str(&a[1]);
        Ok(s(st.strip_prefix(arg_str(&a[0])).unwrap_or(st)))
    });
    m.pure("nospace", &[Str], None, |a| {
        Ok(s(arg_str(&a[0])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()))
    });
    m.pure("initials", &[Str], None, |a| {
        Ok(s(arg_str(&a[0])
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect::<String>()))
    });
    m.pure("swapcase", &[Str], None, |a| {
        Ok(s(arg_str(&a[0])
            .chars()
            .flat_map(|c| {
                if c.is_uppercase() {
                    [lower_char(c)]
                } else if c.is_lowercase() {
                    [title_char(c)]
                } else {
                    [c]
                }
            })
            .collect::<String>()))
    });
    m.pure("shuffle", &[Str], None, |a| {
        use rand::seq::SliceRandom;
        let mut c: Vec<char> = arg_str(&a[0]).chars().collect();
        c.shuffle(&mut rand::rng());
        Ok(s(c.into_iter().collect::<String>()))
    });
    m.pure("snakecase", &[Str], None, |a| {
        Ok(s(to_lower_words(arg_str(&a[0]), '_')))
    });
    m.pure("kebabcase", &[Str], None, |a| {
        Ok(s(to_lower_words(arg_str(&a[0]), '-')))
    });
    m.pure("camelcase", &[Str], None, |a| Ok(s(camel(arg_str(&a[0])))));
    m.pure("wrap", &[Int, Str], None, |a| {
        Ok(s(wrap_custom(arg_str(&a[1]), arg_int(&a[0]), "\n", false)))
    });
    m.pure("wrapWith", &[Int, Str, Str], None, |a| {
        Ok(s(wrap_custom(
            arg_str(&a[2]),
            arg_int(&a[0]),
            arg_str(&a[1]),
            true,
        )))
    });
    m.pure("contains", &[Str, Str], None, |a| {
        Ok(Value::Bool(arg_str(&a[1]).contains(arg_str(&a[0]))))
    });
    m.pure("hasPrefix", &[Str, Str], None, |a| {
        Ok(Value::Bool(arg_str(&a[1]).starts_with(arg_str(&a[0]))))
    });
    m.pure("hasSuffix", &[Str, Str], None, |a| {
        Ok(Value::Bool(arg_str(&a[1]).ends_with(arg_str(&a[0]))))
    });
    m.pure("quote", &[], Some(Any), |a| {
        let v: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| crate::fmt::go_quote(&strval(v)))
            .collect();
        Ok(s(v.join(" ")))
    });
    m.pure("squote", &[], Some(Any), |a| {
        let v: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            // `%v`, not `strval`: a `[]byte` prints as its numbers.
            .map(|v| format!("'{}'", crate::fmt::sprint_value(v)))
            .collect();
        Ok(s(v.join(" ")))
    });
    // Sprig formats `"%v %v …"`: each operand as `%v`, one space between, nothing trimmed
    // from the result (Sprintln's own line break is the only thing taken off).
    m.pure("cat", &[], Some(Any), |a| {
        let v: Vec<Value> = a.into_iter().filter(|v| !v.is_nil()).collect();
        let mut out = crate::fmt::sprintln(&v);
        out.pop();
        Ok(s(out))
    });
    m.pure("indent", &[Int, Str], None, |a| {
        indent(arg_int(&a[0]), arg_str(&a[1]), false).map(s)
    });
    m.pure("nindent", &[Int, Str], None, |a| {
        indent(arg_int(&a[0]), arg_str(&a[1]), true).map(s)
    });
    m.pure("replace", &[Str, Str, Str], None, |a| {
        let (old, new, src) = (arg_str(&a[0]), arg_str(&a[1]), arg_str(&a[2]));
        Ok(s(go_replace(src, old, new)))
    });
    m.pure("plural", &[Str, Str, Int], None, |a| {
        Ok(if arg_int(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    m.pure("split", &[Str, Str], None, |a| {
        let parts = go_split(arg_str(&a[1]), arg_str(&a[0]), -1);
        Ok(parts_map(parts))
    });
    m.pure("splitn", &[Str, Int, Str], None, |a| {
        let parts = go_split(arg_str(&a[2]), arg_str(&a[0]), arg_int(&a[1]));
        Ok(parts_map(parts))
    });
    m.pure("splitList", &[Str, Str], None, |a| {
        Ok(str_list(go_split(arg_str(&a[1]), arg_str(&a[0]), -1)))
    });
    m.pure("toStrings", &[Any], None, |a| Ok(str_list(strslice(&a[0]))));
    m.pure("join", &[Str, Any], None, |a| {
        Ok(s(strslice(&a[1]).join(arg_str(&a[0]))))
    });
    m.pure("sortAlpha", &[Any], None, |a| {
        let mut v = match &a[0] {
            Value::List(_) | Value::StrList(_) => strslice(&a[0]),
            other => vec![strval(other)],
        };
        v.sort();
        Ok(str_list(v))
    });
    m.pure("seq", &[], Some(Int), |a| {
        let p: Vec<i64> = a.iter().map(arg_int).collect();
        let v = match p.len() {
            1 => {
                let (start, end) = (1, p[0]);
                let inc = if end < start { -1 } else { 1 };
                until_step(start, end + inc, inc)
            }
            2 => {
                let (start, end) = (p[0], p[1]);
                let step = if end < start { -1 } else { 1 };
                until_step(start, end + step, step)
            }
            3 => {
                let (start, step, end) = (p[0], p[1], p[2]);
                let mut inc = 1;
                if end < start {
                    inc = -1;
                    if step > 0 {
                        return Ok(s(""));
                    }
                }
                until_step(start, end + inc, step)
            }
            _ => Vec::new(),
        };
        Ok(s(v
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ")))
    });
    m.pure("until", &[Int], None, |a| {
        let c = arg_int(&a[0]);
        let step = if c < 0 { -1 } else { 1 };
        Ok(Value::list(
            until_step(0, c, step).into_iter().map(Value::Int).collect(),
        ))
    });
    m.pure("untilStep", &[Int, Int, Int], None, |a| {
        Ok(Value::list(
            until_step(arg_int(&a[0]), arg_int(&a[1]), arg_int(&a[2]))
                .into_iter()
                .map(Value::Int)
                .collect(),
        ))
    });
    m.pure("randAlphaNum", &[Int], None, |a| {
        rand_str(
            &a[0],
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        )
    });
    m.pure("randAlpha", &[Int], None, |a| {
        rand_str(
            &a[0],
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        )
    });
    m.pure("randNumeric", &[Int], None, |a| {
        rand_str(&a[0], b"0123456789")
    });
    m.pure("randAscii", &[Int], None, |a| {
        let chars: Vec<u8> = (32u8..127).collect();
        rand_str(&a[0], &chars)
    });
}

fn rand_str(n: &Value, set: &[u8]) -> Result<Value, String> {
    use rand::RngExt;
    let n = arg_int(n);
    // goutils refuses a negative count, and Sprig drops that error: the result is empty.
    if n < 0 {
        return Ok(s(""));
    }
    let n = n.min(1 << 20) as usize;
    let mut r = rand::rng();
    Ok(s((0..n)
        .map(|_| set[r.random_range(0..set.len())] as char)
        .collect::<String>()))
}

pub(crate) fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    let limit = 10_000_000;
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut i = start;
        while i > stop && v.len() < limit {
            v.push(i);
            i += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut i = start;
    while i < stop && v.len() < limit {
        v.push(i);
        i += step;
    }
    v
}

/// Sprig's `strslice`: a list as strings (nil elements dropped), anything else as one string.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::StrList(l) => l.as_ref().clone(),
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Missing | Value::Nil => Vec::new(),
        // A `[]byte` is a slice: each byte is a number.
        Value::Object(o) if let Some(b) = o.as_bytes() => b.iter().map(u8::to_string).collect(),
        other => vec![strval(other)],
    }
}

fn parts_map(parts: Vec<String>) -> Value {
    let mut m = Map::new();
    for (i, p) in parts.into_iter().enumerate() {
        m.insert(format!("_{i}"), Value::str(p));
    }
    let m = Value::map(m);
    crate::value::mark_string_map(&m);
    m
}

/// Go's `strings.SplitN` (n < 0: all).
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let mut v: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && v.len() > n as usize {
            let rest: String = v[n as usize - 1..].concat();
            v.truncate(n as usize - 1);
            v.push(rest);
        }
        return v;
    }
    if n < 0 {
        s.split(sep).map(String::from).collect()
    } else {
        s.splitn(n as usize, sep).map(String::from).collect()
    }
}

/// Go's `strings.Replace(s, old, new, -1)` (an empty `old` inserts between runes).
pub(crate) fn go_replace(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut o = String::from(new);
        for c in s.chars() {
            o.push(c);
            o.push_str(new);
        }
        return o;
    }
    s.replace(old, new)
}

/// Go's `s[a:b]` on a string's bytes (Go lengths: see `gobytes`); a cut inside a character
/// keeps the partial bytes, as Go does.
fn byte_slice(s: &str, a: usize, b: usize) -> String {
    let bytes = go_bytes(s);
    let (a, b) = (a.min(bytes.len()), b.min(bytes.len()));
    match std::str::from_utf8(&bytes[a..b]) {
        Ok(x) => x.to_string(),
        Err(_) => string_from_go_bytes(&bytes[a..b]),
    }
}

/// Sprig's `indent` (`nindent` when `newline_first`): `n` spaces before every line. Built in
/// one buffer, as `nindent` runs for nearly every label block of a chart. The padding is
/// `strings.Repeat`, whose panic on a negative count the template reports as an error.
fn indent(n: i64, v: &str, newline_first: bool) -> Result<String, String> {
    const SPACES: &str = "                                                                ";
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let n = n.min(1 << 16) as usize;
    let lines = v.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = String::with_capacity(v.len() + n * lines + usize::from(newline_first));
    let pad = |out: &mut String| {
        let mut left = n;
        while left > 0 {
            let k = left.min(SPACES.len());
            out.push_str(&SPACES[..k]);
            left -= k;
        }
    };
    if newline_first {
        out.push('\n');
    }
    for (i, line) in v.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        pad(&mut out);
        out.push_str(line);
    }
    Ok(out)
}

fn abbreviate_full(st: &str, offset: usize, max: usize) -> String {
    if st.is_empty() {
        return String::new();
    }
    let n = go_len(st);
    if n <= max {
        return st.to_string();
    }
    let mut offset = offset.min(n);
    if n - offset < max - 3 {
        offset = n - (max - 3);
    }
    if offset <= 4 {
        return format!("{}...", byte_slice(st, 0, max - 3));
    }
    if offset + max - 3 < n {
        let sub = byte_slice(st, offset, n);
        let ab = if go_len(&sub) <= max - 3 {
            sub
        } else {
            format!("{}...", byte_slice(&sub, 0, max - 6))
        };
        return format!("...{ab}");
    }
    format!("...{}", byte_slice(st, n - (max - 3), n))
}

/// Go's `unicode.ToUpper`: the simple (one character) mapping. Rust's `to_uppercase` is the
/// full one (`ß` → `SS`); where that is longer, Go keeps the character, except the Greek
/// letters with ypogegrammeni, which map to their prosgegrammeni capitals.
pub fn upper_char(c: char) -> char {
    let mut full = c.to_uppercase();
    match (full.next(), full.next()) {
        (Some(u), None) => u,
        _ => match c as u32 {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => {
                char::from_u32(c as u32 + 8).unwrap_or(c)
            }
            0x1FB3 => '\u{1FBC}',
            0x1FC3 => '\u{1FCC}',
            0x1FF3 => '\u{1FFC}',
            _ => c,
        },
    }
}

/// Go's `unicode.ToLower` (simple mapping: `İ` → `i`).
pub fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.ToTitle`: the upper-case letter, except for the Latin digraphs.
pub fn title_char(c: char) -> char {
    match c as u32 {
        0x01C4..=0x01C6 => '\u{01C5}',
        0x01C7..=0x01C9 => '\u{01C8}',
        0x01CA..=0x01CC => '\u{01CB}',
        0x01F1..=0x01F3 => '\u{01F2}',
        _ => upper_char(c),
    }
}

/// Go's `strings.ToUpper`.
pub fn go_upper(st: &str) -> String {
    if st.is_ascii() {
        return st.to_ascii_uppercase();
    }
    st.chars()
        .map(|c| upper_char(ferroflux_goformat::gobytes::decoded_char(c)))
        .collect()
}

/// Go's `strings.ToLower`.
pub fn go_lower(st: &str) -> String {
    if st.is_ascii() {
        return st.to_ascii_lowercase();
    }
    st.chars()
        .map(|c| lower_char(ferroflux_goformat::gobytes::decoded_char(c)))
        .collect()
}

/// Go's deprecated `strings.Title`.
fn title(st: &str) -> String {
    let mut prev = ' ';
    let mut o = String::with_capacity(st.len());
    for c in st.chars().map(ferroflux_goformat::gobytes::decoded_char) {
        if is_separator(prev) {
            o.push(title_char(c));
        } else {
            o.push(c);
        }
        prev = c;
    }
    o
}

fn untitle(st: &str) -> String {
    let mut prev = ' ';
    let mut o = String::with_capacity(st.len());
    for c in st.chars() {
        if prev.is_whitespace() || prev == ' ' {
            o.push(lower_char(c));
        } else {
            o.push(c);
        }
        prev = c;
    }
    o
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings.ToCamelCase as vendored by Helm 4.3.1: words split at `-`, `_` and white space
/// (the last connector of a run is dropped, the others kept); each word's first letter is
/// upper-cased, and when that letter was already upper case, the upper-case letters right after
/// it are lowered (`HTTP_SERVER` → `HttpServer`, `fooBAR` → `FooBAR`). A string of connectors
/// only gets its last one doubled, as the Go loop writes it twice.
fn camel(st: &str) -> String {
    let mut out = String::with_capacity(st.len() + 1);
    let mut chars = st.chars();
    let Some(mut prev) = chars.next() else {
        return out;
    };
    while is_connector(prev) {
        out.push(prev);
        match chars.next() {
            Some(c) => prev = c,
            None => break,
        }
    }
    let mut lowering = go_is_upper(prev);
    prev = upper_char(prev);
    for c in chars {
        match (is_connector(prev), is_connector(c)) {
            (true, true) => out.push(prev),
            (true, false) => {
                lowering = go_is_upper(c);
                prev = upper_char(c);
                continue;
            }
            _ => out.push(prev),
        }
        prev = if lowering && go_is_upper(c) {
            lower_char(c)
        } else {
            lowering = false;
            c
        };
    }
    out.push(prev);
    out
}

/// Go's `unicode.IsUpper` (category Lu). Rust's `is_uppercase` also counts Other_Uppercase
/// (Roman numerals, circled and squared letters), which Go does not.
fn go_is_upper(c: char) -> bool {
    c.is_uppercase()
        && !matches!(c,
            '\u{2160}'..='\u{216F}'
            | '\u{24B6}'..='\u{24CF}'
            | '\u{1F130}'..='\u{1F149}'
            | '\u{1F150}'..='\u{1F169}'
            | '\u{1F170}'..='\u{1F189}')
}

/// snake/kebab case: words split at case changes, digits stay with their word.
/// xstrings' `camelCaseToLowerCase` (Sprig's `snakecase` and `kebabcase`, xstrings v1.5.0 as
/// Helm vendors it): the text is read as words (connectors, punctuation, upper-case runs,
/// letters, numbers, other), upper-case words are lowered, connector runs keep their length
/// as `conn`s, and a connector goes between words, with numbers joined to the letters around
/// them as xstrings decides (`Bld4Floor3rd` → `bld4_floor_3rd`, `HTTP2xx` → `http_2xx`).
fn to_lower_words(st: &str, conn: char) -> String {
    let mut out = String::with_capacity(st.len() + 4);
    let (mut wt, mut word, mut rest) = next_word(st);
    while !rest.is_empty() {
        if wt != Word::Connector {
            lower_word(&mut out, wt, word, conn);
        }
        let (prev, last) = (wt, word);
        (wt, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while matches!(wt, Word::Alphabet | Word::Number) {
                    lower_word(&mut out, wt, word, conn);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(conn);
                }
            }
            Word::Connector => lower_word(&mut out, prev, last, conn),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if !matches!(wt, Word::Connector | Word::Punct) {
                        out.push(conn);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let number = word;
                (wt, word, rest) = next_word(rest);
                // A number is part of the word before it unless letters follow it.
                if wt != Word::Alphabet {
                    lower_word(&mut out, Word::Number, number, conn);
                    if !matches!(wt, Word::Connector | Word::Punct) {
                        out.push(conn);
                    }
                    continue;
                }
                out.push(conn);
                lower_word(&mut out, Word::Number, number, conn);
                while matches!(wt, Word::Alphabet | Word::Number) {
                    lower_word(&mut out, wt, word, conn);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(conn);
                }
            }
        }
    }
    lower_word(&mut out, wt, word, conn);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// Go's `unicode.IsLetter`, `IsNumber`, `IsPunct`, `IsUpper` by general category.
fn category(c: char) -> unicode_general_category::GeneralCategory {
    unicode_general_category::get_general_category(c)
}

fn is_letter(c: char) -> bool {
    use unicode_general_category::GeneralCategory as G;
    matches!(
        category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

fn is_number(c: char) -> bool {
    use unicode_general_category::GeneralCategory as G;
    matches!(
        category(c),
        G::DecimalNumber | G::LetterNumber | G::OtherNumber
    )
}

fn is_punct(c: char) -> bool {
    use unicode_general_category::GeneralCategory as G;
    matches!(
        category(c),
        G::ConnectorPunctuation
            | G::DashPunctuation
            | G::OpenPunctuation
            | G::ClosePunctuation
            | G::InitialPunctuation
            | G::FinalPunctuation
            | G::OtherPunctuation
    )
}

fn is_upper(c: char) -> bool {
    category(c) == unicode_general_category::GeneralCategory::UppercaseLetter
}

/// xstrings' `isAlphabet`: a letter that is not a (common or rare) CJK ideograph.
fn is_alphabet(c: char) -> bool {
    is_letter(c)
        && !matches!(c, '\u{4E00}'..='\u{9FCC}' | '\u{3400}'..='\u{4D85}' | '\u{20000}'..='\u{2B81D}')
}

/// xstrings' `nextWord`: the kind of the word at the start of `s`, the word, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return (Word::Invalid, "", "");
    };
    let run = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
               keep: &dyn Fn(char) -> bool|
     -> usize {
        while let Some(&(i, c)) = chars.peek() {
            if !keep(c) {
                return i;
            }
            chars.next();
        }
        s.len()
    };
    let (wt, end) = if is_connector(first) {
        (Word::Connector, run(&mut chars, &is_connector))
    } else if is_punct(first) {
        (Word::Punct, run(&mut chars, &is_punct))
    } else if is_upper(first) {
        match chars.peek().map(|&(_, c)| c) {
            Some(c) if is_upper(c) => {
                // `HTTPStatus`: the capital starting the next word stays in the rest.
                let mut last_start = first.len_utf8();
                let mut end = s.len();
                while let Some(&(i, c)) = chars.peek() {
                    if !is_upper(c) {
                        end = i;
                        break;
                    }
                    last_start = i;
                    chars.next();
                }
                let next_is_alpha = chars.peek().is_some_and(|&(_, c)| is_alphabet(c));
                if end < s.len() && next_is_alpha {
                    end = last_start;
                }
                (Word::Upper, end)
            }
            Some(c) if is_alphabet(c) => {
                chars.next();
                (
                    Word::Upper,
                    run(&mut chars, &|c| is_alphabet(c) && !is_upper(c)),
                )
            }
            _ => (Word::Upper, first.len_utf8()),
        }
    } else if is_alphabet(first) {
        (
            Word::Alphabet,
            run(&mut chars, &|c| is_alphabet(c) && !is_upper(c)),
        )
    } else if is_number(first) {
        (Word::Number, run(&mut chars, &is_number))
    } else {
        (
            Word::Other,
            run(&mut chars, &|c| {
                !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
            }),
        )
    };
    (wt, &s[..end], &s[end..])
}

/// xstrings' `toLower`: upper-case and connector words are rewritten (connectors become
/// `conn`, capitals lower case); other words are copied.
fn lower_word(out: &mut String, wt: Word, word: &str, conn: char) {
    if !matches!(wt, Word::Upper | Word::Connector) {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(conn);
        } else if is_upper(c) {
            out.push(lower_char(c));
        } else {
            out.push(c);
        }
    }
}

/// goutils.WrapCustom.
fn wrap_custom(st: &str, len: i64, nl: &str, long: bool) -> String {
    if st.is_empty() {
        return String::new();
    }
    let nl = if nl.is_empty() { "\n" } else { nl };
    let w = len.max(1) as usize;
    // goutils works on the string's bytes: a cut may fall inside a character.
    let b = go_bytes(st);
    let n = b.len();
    let space_in = |from: usize, to: usize| b[from..to].iter().position(|&c| c == b' ');
    let mut off = 0;
    let mut out: Vec<u8> = Vec::with_capacity(n + 8);
    while n - off > w {
        if b[off] == b' ' {
            off += 1;
            continue;
        }
        let end = w + off + 1;
        match b[off..end].iter().rposition(|&c| c == b' ') {
            Some(i) => {
                out.extend_from_slice(&b[off..off + i]);
                out.extend_from_slice(nl.as_bytes());
                off += i + 1;
            }
            None if long => {
                out.extend_from_slice(&b[off..off + w]);
                out.extend_from_slice(nl.as_bytes());
                off += w;
            }
            None => match space_in(off + w, n) {
                None => {
                    out.extend_from_slice(&b[off..]);
                    off = n;
                }
                Some(i) => {
                    let sp = off + w + i;
                    out.extend_from_slice(&b[off..sp]);
                    out.extend_from_slice(nl.as_bytes());
                    off = sp + 1;
                }
            },
        }
    }
    out.extend_from_slice(&b[off..]);
    string_from_go_bytes(&out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn indent_pads_every_line() {
        let indent = |n, v, nl| super::indent(n, v, nl).unwrap();
        assert_eq!(indent(2, "a\nb", false), "  a\n  b");
        assert_eq!(indent(2, "a\n", true), "\n  a\n  ");
        assert_eq!(indent(3, "", false), "   ");
        assert_eq!(indent(0, "x", true), "\nx");
        let wide = indent(100, "x\ny", false);
        assert_eq!(wide, format!("{0}x\n{0}y", " ".repeat(100)));
    }

    /// Go's simple case mappings (`unicode.ToUpper`/`ToLower`/`ToTitle`), as Sprig uses them.
    #[test]
    fn case_mappings_are_go_simple_ones() {
        let cases = [
            (r#"{{ upper "Grüße, 世界! école" }}"#, "GRÜßE, 世界! ÉCOLE"),
            (r#"{{ lower "İSTANBUL ÉCOLE" }}"#, "istanbul école"),
            (r#"{{ title "ǆungla ßtraße ﬁne" }}"#, "ǅungla ßtraße ﬁne"),
            (r#"{{ upper "ǆ ᾳ ŉ" }}"#, "Ǆ ᾼ ŉ"),
            (r#"{{ swapcase "Straße" }}"#, "sTRAßE"),
        ];
        for (tpl, want) in cases {
            assert_eq!(crate::render_plain(tpl, "t", None).unwrap(), want, "{tpl}");
        }
    }

    /// Expected values from `helm template` (v4.3.1). gotmpl-oracle vendors a newer xstrings
    /// that lowers every letter after a word's first (`fooBar` → `Foobar`); Helm's keeps them
    /// unless the word starts with an upper-case run.
    /// `wrap`, `trunc`, `substr` and `abbrev` cut the string's bytes as Go does, inside a
    /// character if need be (expected values from helm v4.3.1).
    #[test]
    fn byte_cuts_keep_partial_characters() {
        let cases = [
            (r#"{{ wrap 1 "é " | quote }}"#, r#""é\n""#),
            (r#"{{ wrap 2 "日本語 テキスト" }}"#, "日本語\nテキスト"),
            (r#"{{ trunc 2 "héllo" | b64enc }}"#, "aMM="),
            (r#"{{ substr 1 3 "a☃b" | b64enc }}"#, "4pg="),
            (r#"{{ wrapWith 3 "|" "aaaaaaa bb" }}"#, "aaa|aaa|a|bb"),
        ];
        for (tpl, want) in cases {
            assert_eq!(crate::render_plain(tpl, "t", None).unwrap(), want, "{tpl}");
        }
    }

    /// `snakecase` / `kebabcase` word splitting, expected values from helm v4.3.1.
    #[test]
    fn snake_and_kebab_case_split_words_as_xstrings() {
        let cases = [
            ("v1beta1", "v_1beta1"),
            ("a1B2c3", "a1_b_2c3"),
            ("a__b", "a__b"),
            (" 5 ", "_5_"),
            ("\t tab\n", "__tab_"),
            ("<a href='x'>", "<_a_href_='x'>"),
            ("日本語テキスト", "日本語_テキスト"),
            ("ǅx", "ǅx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("userID2", "user_id2"),
            ("HTTPServer", "http_server"),
            ("1a", "1a"),
        ];
        for (input, want) in cases {
            assert_eq!(super::to_lower_words(input, '_'), want, "{input:?}");
        }
        assert_eq!(super::to_lower_words("a--b", '-'), "a--b");
        assert_eq!(super::to_lower_words("Duration2m3s", '-'), "duration-2m3s");
    }

    #[test]
    fn camelcase_matches_helm() {
        let cases = [
            ("HTTP_SERVER", "HttpServer"),
            ("ALLCAPS", "Allcaps"),
            ("foo_BAR_baz", "FooBarBaz"),
            ("foo_bar", "FooBar"),
            ("foo bar", "FooBar"),
            ("foo-bar", "FooBar"),
            ("_foo_bar", "_FooBar"),
            ("__foo", "__Foo"),
            ("-foo", "-Foo"),
            (" foo", " Foo"),
            ("foo_", "Foo_"),
            ("foo__bar", "Foo_Bar"),
            ("foo--bar", "Foo-Bar"),
            ("foo  bar", "Foo Bar"),
            ("foo_-bar", "Foo_Bar"),
            ("fooBar", "FooBar"),
            ("FooBar", "FooBar"),
            ("fooBAR", "FooBAR"),
            ("HTTPServer", "Httpserver"),
            ("httpServer", "HttpServer"),
            ("XMLHttpRequest", "XmlhttpRequest"),
            ("a", "A"),
            ("A", "A"),
            ("_", "__"),
            ("__", "___"),
            ("___a", "___A"),
            ("a_b_c", "ABC"),
            ("A_B_C", "ABC"),
            ("foo1bar", "Foo1bar"),
            ("foo_1bar", "Foo1bar"),
            ("foo_1_bar", "Foo1Bar"),
            ("1foo", "1foo"),
            ("1_foo", "1Foo"),
            ("foo1_bar", "Foo1Bar"),
            ("foo_bar1", "FooBar1"),
            ("ABC123def", "Abc123def"),
            ("abc123DEF", "Abc123DEF"),
            ("hello_world_2", "HelloWorld2"),
            ("v1_alpha", "V1Alpha"),
            ("V1ALPHA", "V1ALPHA"),
            ("foo.bar", "Foo.bar"),
            ("foo.BAR", "Foo.BAR"),
            ("foo/bar", "Foo/bar"),
            ("foo:bar", "Foo:bar"),
            ("foo\u{9}bar", "FooBar"),
            ("foo\u{a}bar", "FooBar"),
            ("éCOLE_école", "ÉCOLEÉcole"),
            ("ÉCOLE", "École"),
            ("straße_STRASSE", "StraßeStrasse"),
            ("ǆungla_ǄUNGLA", "ǄunglaǄungla"),
            ("日本_語", "日本語"),
            ("ΑΒΓ_δεζ", "ΑβγΔεζ"),
            ("foo_ΑΒΓ", "FooΑβγ"),
            ("İSTANBUL", "İstanbul"),
            ("a-B-c", "ABC"),
            ("a_B", "AB"),
            ("aB_cD", "ABCD"),
            ("AB_CD", "AbCd"),
            ("Ab_Cd", "AbCd"),
            ("x__Y", "X_Y"),
            ("x_ _y", "X_ Y"),
            ("foo bar baz", "FooBarBaz"),
            (" ", "  "),
            ("-", "--"),
            ("___", "____"),
            ("_-", "_--"),
            (" _", " __"),
            ("a__", "A__"),
            ("foo___bar", "Foo__Bar"),
            ("a\u{a0}b", "AB"),
            ("a\u{3000}b", "AB"),
            ("a\u{2028}b", "AB"),
            ("aİ", "Aİ"),
            ("AİB", "Aib"),
            ("aΣ", "AΣ"),
            ("ΣΣaΣ", "ΣσaΣ"),
            ("aǅ", "Aǅ"),
            ("a_ǅb", "AǄb"),
            ("ǅAB", "ǄAB"),
            ("ǄAB", "Ǆab"),
            ("ǆx", "Ǆx"),
            ("a\u{212a}", "A\u{212a}"),
            ("ﬁne_ﬁne", "ﬁneﬁne"),
            ("ß_ß", "ßß"),
            ("a1_2b", "A12b"),
            ("_1", "_1"),
            ("", ""),
            (" a b ", " AB "),
            ("a\u{d}\u{a}b", "A\u{d}B"),
            ("\u{feff}a_b", "\u{feff}aB"),
            ("AbCD", "AbCD"),
            ("ABcD", "AbcD"),
            ("AB1CD", "Ab1CD"),
            ("A1BC", "A1BC"),
            ("1ABC", "1ABC"),
            ("ABC_1DEF", "Abc1DEF"),
            ("A_bC", "ABC"),
            ("HTTP__SERVER", "Http_Server"),
            ("HTTP_", "Http_"),
            ("AⅠⅡ", "AⅠⅡ"),
            ("AⒶⒷ", "AⒶⒷ"),
            ("AḀḁB", "AḁḁB"),
        ];
        for (input, want) in cases {
            assert_eq!(super::camel(input), want, "{input:?}");
        }
    }

    /// helm v4.3.1: a negative count gives an empty string (Sprig drops goutils' error), and
    /// a width under one wraps at every space.
    #[test]
    fn negative_counts_and_widths() {
        let cases = [
            (r#"{{ randAlpha -1 | quote }}"#, r#""""#),
            (r#"{{ randAlphaNum -2 | quote }}"#, r#""""#),
            (r#"{{ randNumeric -1 | quote }}"#, r#""""#),
            (r#"{{ randAscii -1 | quote }}"#, r#""""#),
            (r#"{{ randAlpha 0 | quote }}"#, r#""""#),
            (r#"{{ wrap -1 "a b c" | quote }}"#, r#""a\nb\nc""#),
            (r#"{{ wrap 0 "aa bb" | quote }}"#, r#""aa\nbb""#),
            (r#"{{ wrapWith -1 "|" "a b c" }}"#, "a|b|c"),
            (r#"{{ wrap 1 "abc de" | quote }}"#, r#""abc\nde""#),
        ];
        for (tpl, want) in cases {
            assert_eq!(crate::render_helm(tpl, "t", None).unwrap(), want, "{tpl}");
        }
    }
}
