//! Helm's `--set` syntax (`pkg/strvals`): `a.b=1,c[0].d=x,e={x,y}`, `\` escapes, typed
//! scalars (`true`, `null`, int64), and the variants behind `--set-string`, `--set-json`,
//! `--set-file` and `--set-literal`.

use crate::yaml::Values;
use serde_json::Value as J;

const MAX_INDEX: i64 = 65536;
const MAX_NESTED_NAME_LEVEL: usize = 30;

#[derive(Debug)]
enum E {
    Eof,
    NotList,
    Msg(String),
}

impl From<String> for E {
    fn from(s: String) -> Self {
        E::Msg(s)
    }
}

type R<T> = Result<T, E>;

/// How the right-hand side of `=` is read.
pub enum Mode<'a> {
    /// `--set`: `true`/`false`/`null`/integers are typed.
    Typed,
    /// `--set-string`: everything is a string.
    String,
    /// `--set-json`: the value is JSON.
    Json,
    /// `--set-file`: the value is a path whose contents become the string.
    File(&'a dyn Fn(&str) -> Result<String, String>),
    /// `--set-literal`: no escapes, no lists, everything after `=` verbatim.
    Literal,
}

struct Parser<'a> {
    s: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
}

/// Parses `text` into `dest` with `mode`'s rules.
pub fn parse_into(text: &str, dest: &mut Values, mode: Mode<'_>) -> Result<(), String> {
    let mut p = Parser {
        s: text.chars().collect(),
        pos: 0,
        mode,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(E::Eof) => return Ok(()),
            Err(E::NotList) => return Err("not a list".into()),
            Err(E::Msg(m)) => return Err(m),
        }
    }
}

fn conversion_panic(v: Option<&J>, want: &str) -> E {
    let got = match v {
        None | Some(J::Null) => "nil".to_string(),
        Some(J::Bool(_)) => "bool".into(),
        Some(J::Number(n)) if n.is_f64() => "float64".into(),
        Some(J::Number(_)) => "int64".into(),
        Some(J::String(_)) => "string".into(),
        Some(J::Array(_)) => "[]interface {}".into(),
        Some(J::Object(_)) => "map[string]interface {}".into(),
    };
    E::Msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {got}, not {want}"
    ))
}

fn set(data: &mut Values, key: &str, val: J) {
    if !key.is_empty() {
        data.insert(key.to_string(), val);
    }
}

fn set_index(mut list: Vec<J>, index: i64, val: J) -> Result<Vec<J>, (Vec<J>, E)> {
    if index < 0 {
        return Err((list, E::Msg(format!("negative {index} index not allowed"))));
    }
    if index > MAX_INDEX {
        return Err((
            list,
            E::Msg(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )),
        ));
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, J::Null);
    }
    list[i] = val;
    Ok(list)
}

impl Parser<'_> {
    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn read(&mut self) -> Option<char> {
        let c = self.s.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Reads up to one of `stop` (consumed). `Err(Eof)` carries what was read.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') if !self.literal() => match self.read() {
                    None => return (v, None),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn typed(&self, rs: &str) -> R<J> {
        match &self.mode {
            Mode::String | Mode::Literal => Ok(J::String(rs.into())),
            Mode::File(read) => read(rs).map(J::String).map_err(E::Msg),
            Mode::Typed | Mode::Json => Ok(typed_val(rs)),
        }
    }

    fn key(&mut self, data: &mut Values, mut level: usize) -> R<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        match last {
            None => {
                if k.is_empty() {
                    Err(E::Eof)
                } else {
                    Err(E::Msg(format!("key {k:?} has no value")))
                }
            }
            Some('[') => {
                // Go wraps the index error with `%w`: an end of input inside `[…]` stays
                // `io.EOF`, which ends the parse successfully.
                let i = self.key_index().map_err(index_error)?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(J::Array(a)) => a.clone(),
                    other => return Err(conversion_panic(other, "[]interface {}")),
                };
                let (list, r) = match self.list_item(list, i, level) {
                    Ok(l) => (l, Ok(())),
                    Err((l, e)) => (l, Err(e)),
                };
                set(data, &k, J::Array(list));
                r
            }
            Some('=') => {
                if self.literal() {
                    let (v, _) = self.until(&[]);
                    set(data, &k, J::String(v));
                    return Ok(());
                }
                if matches!(self.mode, Mode::Json) {
                    if self.empty_val() {
                        set(data, &k, J::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, J::Array(vl));
                        Ok(())
                    }
                    Err(E::Eof) => {
                        set(data, &k, J::String(String::new()));
                        Err(E::Eof)
                    }
                    Err(E::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.typed(&rs)?;
                        set(data, &k, v);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Some(',') => {
                set(data, &k, J::String(String::new()));
                Err(E::Msg(format!(
                    "key {k:?} has no value (cannot end with ,)"
                )))
            }
            Some('.') => {
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(E::Msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let existed = data.contains_key(&k);
                let mut inner = match data.get(&k) {
                    None => Values::new(),
                    Some(J::Object(m)) => m.clone(),
                    other => return Err(conversion_panic(other, "map[string]interface {}")),
                };
                let e = self.key(&mut inner, level);
                let empty = inner.is_empty();
                if !empty || existed {
                    set(data, &k, J::Object(inner));
                }
                match e {
                    Ok(()) if empty => Err(E::Msg(format!("key map {k:?} has no value"))),
                    e => e,
                }
            }
            Some(_) => Ok(()),
        }
    }

    fn key_index(&mut self) -> R<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(E::Eof);
        }
        go_atoi(&v).map_err(E::Msg)
    }

    fn list_item(&mut self, list: Vec<J>, i: i64, level: usize) -> Result<Vec<J>, (Vec<J>, E)> {
        if i < 0 {
            return Err((list, E::Msg(format!("negative {i} index not allowed"))));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err((
                list,
                E::Msg(format!(
                    "unexpected data at end of array index: {}",
                    go_quote_runes(&k)
                )),
            ));
        }
        match last {
            None => Err((list, E::Eof)),
            Some('=') => {
                if self.literal() {
                    let (v, _) = self.until(&[]);
                    return set_index(list, i, J::String(v));
                }
                if matches!(self.mode, Mode::Json) {
                    if self.empty_val() {
                        return set_index(list, i, J::Null);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return Err((list, e)),
                    };
                    let list = set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(list);
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, J::Array(vl)),
                    Err(E::Eof) => set_index(list, i, J::String(String::new())),
                    Err(E::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        match self.typed(&rs) {
                            Ok(v) => set_index(list, i, v),
                            Err(e) => Err((list, e)),
                        }
                    }
                    Err(e) => Err((list, e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return Err((list, index_error(e))),
                };
                let cur = match list.get(i as usize) {
                    None | Some(J::Null) => Vec::new(),
                    Some(J::Array(a)) => a.clone(),
                    other => return Err((list.clone(), conversion_panic(other, "[]interface {}"))),
                };
                let (existed, len) = (matches!(list.get(i as usize), Some(J::Array(_))), cur.len());
                match self.list_item(cur, next, level) {
                    Ok(l2) => set_index(list, i, J::Array(l2)),
                    // Go changed the existing slice in place unless it had to grow it.
                    Err((l2, e)) if existed && l2.len() == len => {
                        let mut list = list;
                        list[i as usize] = J::Array(l2);
                        Err((list, e))
                    }
                    Err((_, e)) => Err((list, e)),
                }
            }
            Some('.') => {
                let mut list = list;
                let mut inner = Values::new();
                if let Some(slot) = list.get_mut(i as usize) {
                    match slot {
                        J::Object(m) => inner = m.clone(),
                        other => *other = J::Object(Values::new()),
                    }
                }
                if let Err(e) = self.key(&mut inner, level) {
                    // Go's map is shared with the list: what was set before the error (or
                    // the end of input after `key=`) stays when the element existed.
                    if let Some(slot) = list.get_mut(i as usize) {
                        *slot = J::Object(inner);
                    }
                    return Err((list, e));
                }
                set_index(list, i, J::Object(inner))
            }
            Some(c) => Err((
                list,
                E::Msg(format!("parse error: unexpected token {}", c as u32)),
            )),
        }
    }

    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.pos -= 1;
                    return false;
                }
            }
        }
    }

    /// Go's `json.Decoder.Decode` on the rest of the input: one value, the rest left unread
    /// (a number or literal ends where its token does: `1b=2` reads 1); nothing left is
    /// `io.EOF`, which ends the parse.
    fn json_value(&mut self) -> R<J> {
        let rest: String = self.s[self.pos..].iter().collect();
        let mut it = serde_json::Deserializer::from_str(&rest).into_iter::<J>();
        match it.next() {
            Some(Ok(v)) => {
                let used = rest[..it.byte_offset()].chars().count();
                self.pos += used;
                Ok(crate::yaml::floats(v))
            }
            Some(Err(e)) => match scalar_token(&rest) {
                Some((start, token)) => {
                    let v: J = serde_json::from_str(token).map_err(|_| E::Msg(e.to_string()))?;
                    self.pos += rest[..start + token.len()].chars().count();
                    Ok(crate::yaml::floats(v))
                }
                None => Err(E::Msg(e.to_string())),
            },
            None => Err(E::Eof),
        }
    }

    fn val_list(&mut self) -> R<Vec<J>> {
        match self.read() {
            None => return Err(E::Eof),
            Some('{') => {}
            Some(_) => {
                self.pos -= 1;
                return Err(E::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return Err(E::Msg("list must terminate with '}'".into())),
                Some('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.pos -= 1;
                    }
                    list.push(self.typed(&rs)?);
                    return Ok(list);
                }
                _ => list.push(self.typed(&rs)?),
            }
        }
    }
}

/// `fmt.Errorf("error parsing index: %w", err)`: `io.EOF` keeps its identity.
fn index_error(e: E) -> E {
    match e {
        E::Eof => E::Eof,
        E::NotList => E::Msg("error parsing index: not a list".into()),
        E::Msg(m) => E::Msg(format!("error parsing index: {m}")),
    }
}

/// `strconv.Atoi` (64-bit `int`) with Go's error text.
fn go_atoi(v: &str) -> Result<i64, String> {
    let quoted = ferroflux_gotemplate::fmt::go_quote(v);
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {quoted}: invalid syntax"));
    }
    v.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {quoted}: value out of range"))
}

/// Go's `%q` of a `[]rune`: each rune quoted as a character literal, in brackets.
fn go_quote_runes(s: &str) -> String {
    let runes: Vec<String> = s
        .chars()
        .map(|c| match c {
            '\'' => "'\\''".to_string(),
            '"' => "'\"'".to_string(),
            c => {
                let q = ferroflux_gotemplate::fmt::go_quote(c.encode_utf8(&mut [0; 4]));
                format!("'{}'", &q[1..q.len() - 1])
            }
        })
        .collect();
    format!("[{}]", runes.join(" "))
}

/// `typedVal`: Helm's scalar typing for `--set`.
pub fn typed_val(v: &str) -> J {
    if v.eq_ignore_ascii_case("true") {
        return J::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return J::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return J::Null;
    }
    if v == "0" {
        return J::from(0i64);
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Some(i) = parse_go_int(v)
    {
        return J::from(i);
    }
    J::String(v.into())
}

/// `strconv.ParseInt(v, 10, 64)`: optional sign, decimal digits, no underscores.
fn parse_go_int(v: &str) -> Option<i64> {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<i64>().ok()
}

/// A JSON number or literal at the start of `s` (after white space) that something other
/// than a delimiter follows: where it starts and its text.
fn scalar_token(s: &str) -> Option<(usize, &str)> {
    let start = s.len() - s.trim_start().len();
    let t = &s[start..];
    for lit in ["true", "false", "null"] {
        if t.starts_with(lit) {
            return Some((start, &t[..lit.len()]));
        }
    }
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return None;
    }
    // A fraction or exponent begun must have digits: Go's scanner fails on `1.` or `1e`.
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    Some((start, &t[..i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(text: &str, mode: Mode<'_>) -> Result<J, String> {
        let mut m = Values::new();
        parse_into(text, &mut m, mode)?;
        Ok(J::Object(m))
    }

    #[test]
    fn typed_set() {
        assert_eq!(
            p("a.b=1,c=true,d=null,e=007,f={x,2}", Mode::Typed).unwrap(),
            json!({"a": {"b": 1}, "c": true, "d": null, "e": "007", "f": ["x", 2]})
        );
        assert_eq!(
            p("a\\.b=x\\,y", Mode::Typed).unwrap(),
            json!({"a.b": "x,y"})
        );
        assert_eq!(
            p("l[1].n=a,l[0]=b", Mode::Typed).unwrap(),
            json!({"l": ["b", {"n": "a"}]})
        );
        assert_eq!(p("a=", Mode::Typed).unwrap(), json!({"a": ""}));
    }

    /// `key=` at the end sets "" and ends the parse with io.EOF; Helm's list element map is
    /// shared, so the value stays where the element existed (helm v4.3.1's results).
    #[test]
    fn empty_value_at_the_end_inside_a_list_element() {
        assert_eq!(
            p("env[0].name=FOO,env[0].value=", Mode::Typed).unwrap(),
            json!({"env": [{"name": "FOO", "value": ""}]})
        );
        assert_eq!(
            p("z[1]=1,z[0].m[0].b=", Mode::Typed).unwrap(),
            json!({"z": [{"m": []}, 1]})
        );
        // A fresh element is lost with the end of input, as in Go.
        assert_eq!(p("env[0].value=", Mode::Typed).unwrap(), json!({"env": []}));
        // --set-json: a value needs no comma after it (helm v4.3.1).
        assert_eq!(
            p("a=1b=2", Mode::Json).unwrap(),
            json!({"a": 1.0, "b": 2.0})
        );
        assert_eq!(p("a=true=", Mode::Json).unwrap(), json!({"a": true}));
        let mut base = Values::new();
        base.insert("list".into(), json!([{"name": "A", "value": "a"}]));
        parse_into("list[0].value=", &mut base, Mode::Typed).unwrap();
        assert_eq!(
            J::Object(base),
            json!({"list": [{"name": "A", "value": ""}]})
        );
    }

    #[test]
    fn errors() {
        assert_eq!(p("a", Mode::Typed).unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            p("a,b=1", Mode::Typed).unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert!(
            p("a[x]=1", Mode::Typed)
                .unwrap_err()
                .starts_with("error parsing index")
        );
        assert!(
            p("a=1,a.b=2", Mode::Typed)
                .unwrap_err()
                .contains("interface conversion")
        );
    }

    #[test]
    fn index_errors_as_go_words_them() {
        // Input ending inside an index is io.EOF wrapped with %w: the parse ends there.
        assert_eq!(p("a[0", Mode::Typed).unwrap(), json!({}));
        assert_eq!(p("b=1,a[", Mode::String).unwrap(), json!({"b": "1"}));
        assert_eq!(p("a[0][1", Mode::Typed).unwrap(), json!({"a": []}));
        assert_eq!(
            p("a[99999999999999999999]=1", Mode::Typed).unwrap_err(),
            "error parsing index: strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(
            p("a[1x]=1", Mode::Typed).unwrap_err(),
            "error parsing index: strconv.Atoi: parsing \"1x\": invalid syntax"
        );
        assert_eq!(
            p("a[0]n'\"=1", Mode::Literal).unwrap_err(),
            "unexpected data at end of array index: ['n' '\\'' '\"']"
        );
    }

    #[test]
    fn string_json_literal() {
        assert_eq!(
            p("a=1,b=true", Mode::String).unwrap(),
            json!({"a": "1", "b": "true"})
        );
        assert_eq!(
            p("a={\"x\":[1,2]},b=null", Mode::Json).unwrap(),
            json!({"a": {"x": [1.0, 2.0]}, "b": null})
        );
        assert_eq!(
            p("a.b=x,y=z\\n", Mode::Literal).unwrap(),
            json!({"a": {"b": "x,y=z\\n"}})
        );
    }
}
