//! Go's predefined template functions.

use super::{FuncMap, Ty, s};
use crate::fmt::{sprint, sprintf, sprintln};
use crate::value::{Value, read};

pub fn register(m: &mut FuncMap) {
    // and/or are evaluated lazily by the executor; these bodies are never reached.
    m.pure("and", &[Ty::Any], Some(Ty::Any), |a| {
        Ok(a.into_iter().last().unwrap_or_default())
    });
    m.pure("or", &[Ty::Any], Some(Ty::Any), |a| {
        Ok(a.into_iter().last().unwrap_or_default())
    });
    m.pure("not", &[Ty::Any], None, |a| {
        Ok(Value::Bool(!a[0].is_true()))
    });
    m.pure("len", &[Ty::Reflect], None, |a| {
        len(&a[0]).map(|n| Value::Int(n as i64))
    });
    m.pure("index", &[Ty::Any], Some(Ty::Any), |a| {
        index(&a[0], &a[1..])
    });
    m.pure("slice", &[Ty::Any], Some(Ty::Any), |a| {
        slice(&a[0], &a[1..])
    });
    m.pure("print", &[], Some(Ty::Any), |a| Ok(s(sprint(&a))));
    m.pure("println", &[], Some(Ty::Any), |a| Ok(s(sprintln(&a))));
    m.pure("printf", &[Ty::Str], Some(Ty::Any), |a| {
        Ok(s(sprintf(a[0].as_str().unwrap_or(""), &a[1..])))
    });
    m.pure("html", &[], Some(Ty::Any), |a| {
        Ok(s(html_escape(&eval_args(&a))))
    });
    m.pure("js", &[], Some(Ty::Any), |a| {
        Ok(s(js_escape(&eval_args(&a))))
    });
    m.pure("urlquery", &[], Some(Ty::Any), |a| {
        Ok(s(query_escape(&eval_args(&a))))
    });
    m.pure("call", &[Ty::Any], Some(Ty::Any), |a| match &a[0] {
        Value::Nil | Value::Missing => Err("call of nil".into()),
        v => Err(format!("non-function of type {}", v.type_name())),
    });
    m.pure("eq", &[Ty::Any], Some(Ty::Any), |a| {
        eq(&a[0], &a[1..]).map(Value::Bool)
    });
    m.pure("ne", &[Ty::Any, Ty::Any], None, |a| {
        eq(&a[0], &a[1..2]).map(|b| Value::Bool(!b))
    });
    m.pure("lt", &[Ty::Any, Ty::Any], None, |a| {
        lt(&a[0], &a[1]).map(Value::Bool)
    });
    m.pure("le", &[Ty::Any, Ty::Any], None, |a| {
        le(&a[0], &a[1]).map(Value::Bool)
    });
    m.pure("gt", &[Ty::Any, Ty::Any], None, |a| {
        le(&a[0], &a[1]).map(|b| Value::Bool(!b))
    });
    m.pure("ge", &[Ty::Any, Ty::Any], None, |a| {
        lt(&a[0], &a[1]).map(|b| Value::Bool(!b))
    });
}

fn eval_args(a: &[Value]) -> String {
    if a.len() == 1
        && let Value::String(s) = &a[0]
    {
        return s.to_string();
    }
    let printable: Vec<Value> = a
        .iter()
        .map(|v| {
            if v.is_nil() {
                Value::str("<no value>")
            } else {
                v.clone()
            }
        })
        .collect();
    sprint(&printable)
}

pub fn len(v: &Value) -> Result<usize, String> {
    match v {
        Value::Missing => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::Nil => Err("len of nil pointer".into()),
        v => v
            .len()
            .ok_or_else(|| format!("len of type {}", v.type_name())),
    }
}

/// Go's `indexArg` check (up to `len` inclusive), then `reflect.Value.Index`'s panic at
/// exactly `len`, which the template turns into an error naming the kind (`slice`, `string`).
fn index_at(v: &Value, len: usize, kind: &str) -> Result<usize, String> {
    let i = index_arg(v, len)?;
    if i == len {
        return Err(format!("reflect: {kind} index out of range"));
    }
    Ok(i)
}

fn index_arg(v: &Value, cap: usize) -> Result<usize, String> {
    let i = match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Missing | Value::Nil => return Err("cannot index slice/array with nil".into()),
        v => {
            return Err(format!(
                "cannot index slice/array with type {}",
                v.type_name()
            ));
        }
    };
    if i < 0 || i as usize > cap {
        return Err(format!("index out of range: {i}"));
    }
    Ok(i as usize)
}

pub fn index(item: &Value, idx: &[Value]) -> Result<Value, String> {
    let mut cur = item.clone();
    if cur.is_nil() {
        return Err("index of untyped nil".into());
    }
    for k in idx {
        if let (Value::Object(o), Value::String(key)) = (&cur, k)
            && let Some(v) = o.map_index(key)
        {
            cur = v;
            continue;
        }
        if let Value::Object(o) = &cur
            && let Some(b) = o.as_bytes()
        {
            cur = Value::Int(i64::from(b[index_at(k, b.len(), "slice")?]));
            continue;
        }
        if let Value::Object(o) = &cur
            && let Some(plain) = o.as_value()
        {
            cur = plain;
        }
        cur = match &cur {
            Value::Missing | Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => l[index_at(k, l.len(), "slice")?].clone(),
            Value::StrList(l) => Value::str(l[index_at(k, l.len(), "slice")?].as_str()),
            Value::String(s) => {
                // Go indexes the string's bytes (raw ones as they were read).
                let b = crate::gobytes::go_bytes(s);
                Value::Int(i64::from(b[index_at(k, b.len(), "string")?]))
            }
            Value::Map(m) => match k {
                // A missing key is the element type's zero value.
                Value::String(key) => read(m).get(key.as_ref()).cloned().unwrap_or_else(|| {
                    if crate::value::is_string_map(m) {
                        Value::str("")
                    } else {
                        Value::Nil
                    }
                }),
                Value::Missing | Value::Nil => {
                    return Err("value is nil; should be of type string".into());
                }
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(cur)
}

fn slice(item: &Value, idx: &[Value]) -> Result<Value, String> {
    if idx.len() > 3 {
        return Err(format!("too many slice indexes: {}", idx.len()));
    }
    let cap = match item {
        Value::Missing | Value::Nil => return Err("slice of untyped nil".into()),
        Value::String(s) => {
            if idx.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::StrList(l) => l.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut ix = [0usize, cap, cap];
    for (i, v) in idx.iter().enumerate() {
        let n = match v {
            Value::Int(n) | Value::Int64(n) => *n,
            Value::Missing | Value::Nil => return Err("cannot index slice/array with nil".into()),
            v => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    v.type_name()
                ));
            }
        };
        if n < 0 || n as usize > cap {
            return Err(format!("index out of range: {n}"));
        }
        ix[i] = n as usize;
    }
    if ix[0] > ix[1] {
        return Err(format!("invalid slice index: {} > {}", ix[0], ix[1]));
    }
    if idx.len() == 3 && ix[1] > ix[2] {
        return Err(format!("invalid slice index: {} > {}", ix[1], ix[2]));
    }
    Ok(match item {
        Value::String(s) => match s.get(ix[0]..ix[1]) {
            Some(sub) => Value::str(sub),
            None => Value::str(String::from_utf8_lossy(&s.as_bytes()[ix[0]..ix[1]]).as_ref()),
        },
        Value::List(l) => Value::list(l[ix[0]..ix[1]].to_vec()),
        Value::StrList(l) => Value::StrList(std::sync::Arc::new(l[ix[0]..ix[1]].to_vec())),
        _ => Value::Nil,
    })
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Missing | Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::Str,
        _ => Kind::Other,
    }
}

pub fn eq(a: &Value, rest: &[Value]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = kind(a);
    for b in rest {
        let k2 = kind(b);
        let truth = if k1 != k2 {
            if k1 != Kind::Invalid && k2 != Kind::Invalid {
                return Err(incompatible(a, b));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                _ if k1 == Kind::Invalid => true,
                _ => {
                    if a.kind_name() != b.kind_name() {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprintf("%s", std::slice::from_ref(a)),
                            a.type_name(),
                            b.type_name(),
                            sprintf("%s", std::slice::from_ref(b)),
                        ));
                    }
                    if let (Value::Object(x), Value::Object(y)) = (a, b) {
                        // complex128 values compare by value.
                        if let (Some(p), Some(q)) = (x.as_complex(), y.as_complex()) {
                            p == q
                        } else {
                            std::sync::Arc::ptr_eq(x, y)
                        }
                    } else {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            sprintf("%s", std::slice::from_ref(b)),
                            b.type_name()
                        ));
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go 1.27's text/template names both types (helm v4.3.1; gotmpl-oracle's Go does not).
fn incompatible(a: &Value, b: &Value) -> String {
    format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    )
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (kind(a), kind(b));
    if matches!(k1, Kind::Invalid | Kind::Other) || matches!(k2, Kind::Invalid | Kind::Other) {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err(incompatible(a, b));
    }
    Ok(match (a, b) {
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => x < y,
        _ => return Err("invalid type for comparison".into()),
    })
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => o.push('\u{FFFD}'),
            '"' => o.push_str("&#34;"),
            '\'' => o.push_str("&#39;"),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            c => o.push(c),
        }
    }
    o
}

/// Go's `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\'' => o.push_str("\\'"),
            '"' => o.push_str("\\\""),
            '<' => o.push_str("\\u003C"),
            '>' => o.push_str("\\u003E"),
            '&' => o.push_str("\\u0026"),
            '=' => o.push_str("\\u003D"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) < 0x80 => o.push(c),
            // Go writes other runes as they are unless unicode.IsPrint rejects them.
            c if !crate::fmt::is_print(c) => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                o.push(b as char)
            }
            b' ' => o.push('+'),
            b => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}
