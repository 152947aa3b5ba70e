//! Helm's `toToml` and `fromToml`, as BurntSushi/toml (v1.6, the version Helm 4 ships) encodes
//! and decodes `map[string]interface{}` values.
//!
//! The encoder is ours, written to BurntSushi's layout: in every table the plain keys come first,
//! then the sub-tables and arrays of tables, each group sorted; tables nest with two spaces of
//! indentation; a blank line precedes top-level tables and every `[[array]]` entry; floats are
//! Go's `%g` with a `.0` added when there is neither a dot nor an exponent. Decoding uses the
//! `toml` crate and maps its values to Go's: integers are `int64`, floats `float64`, datetimes
//! `time.Time` (local ones in the zones BurntSushi names `datetime-local`, `date-local` and
//! `time-local`).

use super::date::GoTime;
use super::s;
use crate::value::{MAX_DEPTH, Map, Value, read};
use std::sync::Arc;

/// `toToml`: the document, or the encoder's error message as the text (as Helm returns it).
/// `Err` is a Go panic inside the encoder, which the template engine reports as an error.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let mut enc = Encoder::default();
    match enc.encode(&[], v) {
        Ok(()) => Ok(enc.out),
        Err(EncError::Message(m)) => Ok(m),
        Err(EncError::Panic(m)) => Err(m),
    }
}

enum EncError {
    /// An error BurntSushi returns (Helm prints it as the result).
    Message(String),
    /// A panic from reflection on a nil value.
    Panic(String),
}

const NIL_ELEMENT: &str = "toml: cannot encode array with nil element";

#[derive(Default)]
struct Encoder {
    out: String,
}

/// BurntSushi's TOML types, as far as the encoder distinguishes them.
#[derive(PartialEq)]
enum Kind {
    Nil,
    Plain,
    Table,
    ArrayOfTables,
}

fn kind(v: &Value) -> Result<Kind, EncError> {
    Ok(match v {
        Value::Missing | Value::Nil => Kind::Nil,
        Value::Map(_) => Kind::Table,
        Value::List(l) => {
            if l.is_empty() {
                return Ok(Kind::Plain);
            }
            let mut all_tables = true;
            for item in l.iter() {
                match kind(item)? {
                    Kind::Nil => return Err(EncError::Message(NIL_ELEMENT.into())),
                    Kind::Table => {}
                    _ => all_tables = false,
                }
            }
            if all_tables {
                Kind::ArrayOfTables
            } else {
                Kind::Plain
            }
        }
        _ => Kind::Plain,
    })
}

/// A key, quoted when it is not bare (`A-Za-z0-9_-`).
fn key_part(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn key_path(key: &[&str]) -> String {
    key.iter()
        .map(|k| key_part(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// BurntSushi's basic-string quoting: `"` and `\`, the named control escapes, other controls
/// and DEL as `\uXXXX`; everything else is written as is.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let g = crate::fmt::format_float(f, 'g', -1);
    if g.contains(['.', 'e']) {
        g
    } else {
        format!("{g}.0")
    }
}

impl Encoder {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// BurntSushi's `newline`: only once something has been written.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[&str]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn encode(&mut self, key: &[&str], v: &Value) -> Result<(), EncError> {
        crate::stack::deep(|| self.encode_here(key, v))
    }

    fn encode_here(&mut self, key: &[&str], v: &Value) -> Result<(), EncError> {
        if key.len() > MAX_DEPTH {
            return Err(EncError::Message("toml: nesting too deep".into()));
        }
        match v {
            Value::Missing | Value::Nil => {
                if key.is_empty() {
                    // Encode(nil): reflection on the zero Value panics.
                    return Err(EncError::Panic(
                        "reflect: call of reflect.Value.Type on zero Value".into(),
                    ));
                }
                Ok(())
            }
            Value::Map(m) => {
                let m = read(m).clone();
                self.table(key, &m)
            }
            Value::List(_) if kind(v)? == Kind::ArrayOfTables => {
                if key.is_empty() {
                    return Err(EncError::Message(
                        "toml: top-level values must be Go maps or structs".into(),
                    ));
                }
                self.array_of_tables(key, v)
            }
            _ => self.key_value(key, v),
        }
    }

    fn key_value(&mut self, key: &[&str], v: &Value) -> Result<(), EncError> {
        if let Some(last) = key.last() {
            let line = format!("{}{} = ", Self::indent(key), key_part(last));
            self.write(&line);
            self.element(v, key.len())?;
            self.newline();
        } else {
            self.element(v, 0)?;
        }
        Ok(())
    }

    fn table(&mut self, key: &[&str], m: &Map) -> Result<(), EncError> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            let line = format!("{}[{}]", Self::indent(key), key_path(key));
            self.write(&line);
            self.newline();
        }
        self.map_body(key, m)
    }

    fn array_of_tables(&mut self, key: &[&str], v: &Value) -> Result<(), EncError> {
        for item in v.list_items().unwrap_or_default() {
            let Value::Map(m) = &item else { continue };
            let m = read(m).clone();
            self.newline();
            let line = format!("{}[[{}]]", Self::indent(key), key_path(key));
            self.write(&line);
            self.newline();
            self.map_body(key, &m)?;
        }
        Ok(())
    }

    fn map_body(&mut self, key: &[&str], m: &Map) -> Result<(), EncError> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in m {
            match kind(v)? {
                Kind::Table | Kind::ArrayOfTables => sub.push((k, v)),
                _ => direct.push((k, v)),
            }
        }
        for (k, v) in direct.into_iter().chain(sub) {
            if v.is_nil() || matches!(v, Value::Missing) {
                continue;
            }
            let mut path = key.to_vec();
            path.push(k.as_str());
            self.encode(&path, v)?;
        }
        Ok(())
    }

    /// A value inside `key = …` or an array.
    fn element(&mut self, v: &Value, depth: usize) -> Result<(), EncError> {
        crate::stack::deep(|| self.element_here(v, depth))
    }

    fn element_here(&mut self, v: &Value, depth: usize) -> Result<(), EncError> {
        if depth > MAX_DEPTH {
            return Err(EncError::Message("toml: nesting too deep".into()));
        }
        match v {
            Value::Missing | Value::Nil => {
                return Err(EncError::Panic(
                    "reflect: call of reflect.Value.Interface on zero Value".into(),
                ));
            }
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.write(&i.to_string()),
            Value::Float(f) => self.write(&float(*f)),
            Value::String(x) => self.write(&quote(x)),
            Value::List(_) | Value::StrList(_) => {
                let items = v.list_items().unwrap_or_default();
                self.write("[");
                for (i, item) in items.iter().enumerate() {
                    self.element(item, depth + 1)?;
                    if i + 1 != items.len() {
                        self.write(", ");
                    }
                }
                self.write("]");
            }
            Value::Map(m) => {
                let m = read(m).clone();
                let mut direct = Vec::new();
                let mut sub = Vec::new();
                for (k, v) in &m {
                    match kind(v)? {
                        Kind::Table | Kind::ArrayOfTables => sub.push((k, v)),
                        _ => direct.push((k, v)),
                    }
                }
                self.write("{");
                let trailing = !sub.is_empty();
                for group in [(direct, trailing), (sub, false)] {
                    let (entries, trail) = group;
                    let n = entries.len();
                    for (i, (k, v)) in entries.into_iter().enumerate() {
                        if v.is_nil() || matches!(v, Value::Missing) {
                            continue;
                        }
                        self.write(&format!("{} = ", key_part(k)));
                        self.element(v, depth + 1)?;
                        if trail || i + 1 != n {
                            self.write(", ");
                        }
                    }
                }
                self.write("}");
            }
            Value::Object(o) if o.type_name() == "time.Time" => {
                let text = match o.call_method(
                    "Format",
                    &[Value::str("2006-01-02T15:04:05.999999999Z07:00")],
                ) {
                    Some(Ok(Value::String(t))) => t.to_string(),
                    _ => String::new(),
                };
                self.write(&text);
            }
            Value::Object(o) if let Some(list) = o.as_bytes().and(o.as_value()) => {
                self.element(&list, depth)?
            }
            Value::Object(_) => self.write(&quote(&super::strval(v))),
        }
        Ok(())
    }
}

/// `fromToml`: the document as a map, or a map holding only `Error`.
pub fn from_toml(text: &str) -> Value {
    match text.parse::<::toml::Table>() {
        Ok(t) => table_value(t),
        Err(e) => {
            let line = e
                .span()
                .map(|sp| {
                    let end = sp.start.min(text.len());
                    text.as_bytes()[..end]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count()
                        + 1
                })
                .unwrap_or(1);
            let msg = e.message().trim_end().replace('\n', " ");
            let mut m = Map::new();
            m.insert("Error".into(), s(format!("toml: line {line}: {msg}")));
            Value::map(m)
        }
    }
}

fn table_value(t: ::toml::Table) -> Value {
    let mut m = Map::new();
    for (k, v) in t {
        m.insert(k, toml_value(v));
    }
    Value::map(m)
}

fn toml_value(v: ::toml::Value) -> Value {
    match v {
        ::toml::Value::String(x) => s(x),
        ::toml::Value::Integer(i) => Value::Int64(i),
        ::toml::Value::Float(f) => Value::Float(f),
        ::toml::Value::Boolean(b) => Value::Bool(b),
        ::toml::Value::Datetime(d) => datetime(&d),
        ::toml::Value::Array(a) => Value::list(a.into_iter().map(toml_value).collect()),
        ::toml::Value::Table(t) => table_value(t),
    }
}

/// A TOML datetime as the `time.Time` BurntSushi makes of it.
fn datetime(d: &::toml::value::Datetime) -> Value {
    let (y, mo, day) = d
        .date
        .map(|x| (i32::from(x.year), u32::from(x.month), u32::from(x.day)))
        .unwrap_or((0, 1, 1));
    let (h, mi, sec, nanos) = d
        .time
        .map(|t| {
            (
                u32::from(t.hour),
                u32::from(t.minute),
                u32::from(t.second.unwrap_or(0)),
                t.nanosecond.unwrap_or(0),
            )
        })
        .unwrap_or((0, 0, 0, 0));
    let civil = chrono::NaiveDate::from_ymd_opt(y, mo, day)
        .and_then(|date| date.and_hms_opt(h, mi, sec))
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0);
    let (offset, zone) = match (&d.offset, &d.date, &d.time) {
        (Some(::toml::value::Offset::Z), _, _) => (0, "UTC".to_string()),
        (Some(::toml::value::Offset::Custom { minutes }), _, _) => {
            let off = i32::from(*minutes) * 60;
            (off, if off == 0 { "UTC" } else { "" }.to_string())
        }
        (None, Some(_), Some(_)) => (0, "datetime-local".into()),
        (None, Some(_), None) => (0, "date-local".into()),
        (None, None, _) => (0, "time-local".into()),
    };
    Value::Object(Arc::new(GoTime {
        secs: civil - i64::from(offset),
        nanos,
        offset,
        zone,
        mono: None,
    }))
}
