//! Go's and santhosh-tekuri/jsonschema's spellings of values, types and numbers in messages.

use super::*;

pub(super) fn go_type(v: &J) -> &'static str {
    match v {
        J::Bool(_) => "bool",
        J::Number(n) if n.is_f64() => "float64",
        J::Number(_) => "int64",
        J::String(_) => "string",
        J::Array(_) => "[]interface {}",
        _ => "map[string]interface {}",
    }
}

/// santhosh's `quote`: Go's `%q` with `\"` turned into `"` (the closing quote included, so
/// a trailing backslash loses its escape) and `'` escaped, in single quotes.
pub(super) fn quote(s: &str) -> String {
    let q = ferroflux_gotemplate::fmt::go_quote(s)
        .replace("\\\"", "\"")
        .replace('\'', "\\'");
    format!("'{}'", &q[1..q.len() - 1])
}

pub(super) fn join_quoted<S: AsRef<str>>(v: &[S]) -> String {
    v.iter()
        .map(|s| quote(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A number as Go's `%v` prints it (integers as integers, else float64).
pub(super) fn go_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    // santhosh's numbers are rationals: there is no negative zero.
    let f = n.as_f64().unwrap_or(0.0);
    ferroflux_gotemplate::fmt::format_float(if f == 0.0 { 0.0 } else { f }, 'g', -1)
}

/// santhosh's `display`: strings quoted, collections as "value", others with `%v`.
pub(super) fn display(v: &J) -> String {
    match v {
        J::String(s) => quote(s),
        J::Array(_) | J::Object(_) => "value".into(),
        J::Null => "<nil>".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => go_number(n),
    }
}

pub(super) fn is_primitive(v: &J) -> bool {
    !matches!(v, J::Array(_) | J::Object(_))
}

/// Thousands separators, as golang.org/x/text/message prints integers in English.
pub(super) fn group_digits(int: &str) -> String {
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// An integer as x/text's `%d` prints it in English.
pub(super) fn xtext_int(n: impl std::fmt::Display) -> String {
    group_digits(&n.to_string())
}

/// A float64 as x/text's `%v` prints it in English: Go's choice between plain and
/// scientific notation, digits grouped, exponents as `×10` with superscripts.
pub(super) fn xtext_float(f: f64) -> String {
    // santhosh's numbers are rationals: there is no negative zero.
    let f = if f == 0.0 { 0.0 } else { f };
    let g = ferroflux_gotemplate::fmt::format_float(f, 'g', -1);
    if let Some((mant, exp)) = g.split_once('e') {
        let sup: String = exp
            .chars()
            .filter_map(|c| match c {
                '+' => None,
                '-' => Some('⁻'),
                d => "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(d.to_digit(10)? as usize),
            })
            .collect();
        return format!("{mant}×10{sup}");
    }
    match g.split_once('.') {
        Some((i, frac)) => format!("{}.{frac}", group_digits(i)),
        None => group_digits(&g),
    }
}

pub(super) fn num(v: &J) -> String {
    xtext_float(v.as_f64().unwrap_or(0.0))
}

/// santhosh's type name of a value (every number is "number").
pub(super) fn json_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// The wanted types in santhosh's fixed order.
pub(super) fn want_types(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(ts) => ts.iter().map(|t| t.to_string()).collect(),
    };
    [
        "null", "boolean", "number", "integer", "string", "array", "object",
    ]
    .iter()
    .filter(|t| names.iter().any(|n| n == *t))
    .copied()
    .collect::<Vec<_>>()
    .join(" or ")
}

/// santhosh's `duplicates`: the first pair (j < i) of equal items, scanning i upwards.
pub(super) fn first_duplicates(items: &[J]) -> (usize, usize) {
    for i in 1..items.len() {
        for j in 0..i {
            if json_equal(&items[i], &items[j]) {
                return (j, i);
            }
        }
    }
    (0, 0)
}

pub(super) fn json_equal(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}
