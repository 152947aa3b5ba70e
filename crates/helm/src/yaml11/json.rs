//! JSON (sigs.k8s.io/yaml's convertToJSONableObject, then encoding/json)

use super::*;

pub(super) fn to_json(g: &G, typed: bool) -> Result<J, String> {
    to_json_at(g, typed, 1)
}

/// encoding/json reads no more than 10000 nested arrays and objects.
const MAX_JSON_DEPTH: usize = 10_000;

fn to_json_at(g: &G, typed: bool, depth: usize) -> Result<J, String> {
    if depth > MAX_JSON_DEPTH && matches!(g, G::Seq(_) | G::Map(_)) {
        return Err("exceeded max depth".into());
    }
    ferroflux_gotemplate::stack::deep(|| to_json_here(g, typed, depth))
}

fn to_json_here(g: &G, typed: bool, depth: usize) -> Result<J, String> {
    Ok(match g {
        G::Nil => J::Null,
        G::Bool(b) => J::Bool(*b),
        G::Int(i) if typed => J::Number(Number::from(*i)),
        G::Uint(u) if typed => J::Number(Number::from(*u)),
        G::Int(i) => float(*i as f64),
        G::Uint(u) => float(*u as f64),
        G::Float(f) => float(*f),
        G::Str(s) => J::String(s.clone()),
        G::Seq(items) => J::Array(
            items
                .iter()
                .map(|x| to_json_at(x, typed, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        G::Map(m) => {
            let mut out = Map::new();
            for (k, v) in &m.entries {
                out.insert(key_string(k, v)?, to_json_at(v, typed, depth + 1)?);
            }
            J::Object(out)
        }
    })
}

/// A float64 JSON number; infinities and NaN (reported afterwards) become null here.
pub(super) fn float(f: f64) -> J {
    Number::from_f64(f).map_or(J::Null, J::Number)
}

/// How sigs.k8s.io/yaml turns a YAML map key into a JSON key.
pub(super) fn key_string(k: &G, v: &G) -> Result<String, String> {
    Ok(match k {
        G::Str(s) => s.clone(),
        G::Int(i) => i.to_string(),
        G::Bool(b) => b.to_string(),
        G::Float(f) => {
            let f32v = *f as f32;
            if f32v.is_nan() {
                ".nan".into()
            } else if f32v.is_infinite() {
                if f32v > 0.0 { ".inf" } else { "-.inf" }.into()
            } else {
                ferroflux_goformat::float_g(f32v as f64, true)
            }
        }
        G::Nil => {
            return Err(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_sharp(v, true)
            ));
        }
        G::Uint(u) => {
            return Err(format!(
                "unsupported map key of type: uint64, key: {u:#x}, value: {}",
                go_sharp(v, true)
            ));
        }
        G::Seq(_) | G::Map(_) => unreachable!("collection keys are rejected while decoding"),
    })
}

pub(super) fn has_bad_float(g: &G) -> bool {
    ferroflux_gotemplate::stack::deep(|| has_bad_float_here(g))
}

fn has_bad_float_here(g: &G) -> bool {
    match g {
        G::Float(f) => !f.is_finite(),
        G::Seq(items) => items.iter().any(has_bad_float),
        G::Map(m) => m.entries.iter().any(|(_, v)| has_bad_float(v)),
        _ => false,
    }
}

/// The first NaN or infinity `json.Marshal` meets (map keys in sorted order).
pub(super) fn first_bad_float(g: &G) -> Option<f64> {
    if !has_bad_float(g) {
        return None;
    }
    match g {
        G::Float(f) if !f.is_finite() => Some(*f),
        G::Seq(items) => items.iter().find_map(first_bad_float),
        G::Map(m) => {
            let mut entries: Vec<(String, &G)> = m
                .entries
                .iter()
                .map(|(k, v)| (key_string(k, v).unwrap_or_default(), v))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.into_iter().find_map(|(_, v)| first_bad_float(v))
        }
        _ => None,
    }
}

/// Go's `%#v` of a decoded value (for error messages).
pub(super) fn go_sharp(g: &G, top: bool) -> String {
    match g {
        G::Nil if top => "<nil>".into(),
        G::Nil => "interface {}(nil)".into(),
        G::Bool(b) => b.to_string(),
        G::Int(i) => i.to_string(),
        G::Uint(u) => format!("{u:#x}"),
        G::Float(f) if f.is_nan() => "NaN".into(),
        G::Float(f) if f.is_infinite() => if *f > 0.0 { "+Inf" } else { "-Inf" }.into(),
        G::Float(f) => ferroflux_goformat::float_g(*f, false),
        G::Str(s) => go_quote(s),
        G::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items
                .iter()
                .map(|x| go_sharp(x, false))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        G::Map(m) => {
            let mut entries: Vec<(&G, &G)> = m.entries.iter().map(|(k, v)| (k, v)).collect();
            entries.sort_by(|a, b| go_key_order(a.0, b.0));
            format!(
                "map[interface {{}}]interface {{}}{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", go_sharp(k, false), go_sharp(v, false)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// fmt's map key order: by kind, then by value.
pub(super) fn go_key_order(a: &G, b: &G) -> std::cmp::Ordering {
    pub(super) fn rank(g: &G) -> u8 {
        match g {
            G::Nil => 0,
            G::Bool(_) => 1,
            G::Int(_) => 2,
            G::Uint(_) => 3,
            G::Float(_) => 4,
            G::Str(_) => 5,
            G::Seq(_) => 6,
            G::Map(_) => 7,
        }
    }
    match (a, b) {
        (G::Bool(x), G::Bool(y)) => x.cmp(y),
        (G::Int(x), G::Int(y)) => x.cmp(y),
        (G::Uint(x), G::Uint(y)) => x.cmp(y),
        (G::Float(x), G::Float(y)) => x.total_cmp(y),
        (G::Str(x), G::Str(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// `strconv.Quote`.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || c == '\u{feff}' => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
