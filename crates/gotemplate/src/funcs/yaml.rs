//! YAML as Helm writes and reads it: `toYaml` is sigs.k8s.io/yaml (JSON, then go-yaml v2's
//! emitter: sorted keys, unindented sequences, quoting of strings that would read back as
//! something else, literal blocks for multi-line strings); `fromYaml` decodes through JSON, so
//! numbers come back as float64.

use crate::value::{Value, read};

/// go-yaml v2's key order as a comparator (equal only for equal keys).
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    if ferroflux_goformat::key_less(a, b) {
        Less
    } else if a == b {
        Equal
    } else {
        Greater
    }
}

/// Would a plain scalar read back as something other than this string (YAML 1.1 rules)?
fn resolves_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return false;
    }
    let plain = s.replace('_', "");
    if super::conv::parse_int_base0(&plain).is_some() {
        return true;
    }
    let body = plain.trim_start_matches(['+', '-']);
    if plain.starts_with("0b") || plain.starts_with("-0b") || body.parse::<u64>().is_ok() {
        return true;
    }
    if ferroflux_goformat::is_yaml_float(&plain) {
        return true;
    }
    is_timestamp(s) || ferroflux_goformat::is_base60_float(s)
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 8 || !d(0..4) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let n = (i..b.len().min(i + 2))
        .take_while(|j| b[*j].is_ascii_digit())
        .count();
    if n == 0 || b.get(i + n) != Some(&b'-') {
        return false;
    }
    i += n + 1;
    let n = (i..b.len().min(i + 2))
        .take_while(|j| b[*j].is_ascii_digit())
        .count();
    if n == 0 {
        return false;
    }
    i += n;
    i == b.len() || matches!(b[i], b'T' | b't' | b' ')
}

fn is_printable(c: char) -> bool {
    c == '\n'
        || c == '\u{85}'
        || (' '..='~').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}'
}

enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn choose_style(s: &str, want_double: bool) -> Style {
    let chars: Vec<char> = s.chars().collect();
    let mut flow_ind = false;
    let mut block_ind = false;
    let mut special = false;
    let mut leading_space = false;
    let mut trailing_space = false;
    let mut space_break = false;
    let mut break_space = false;
    let mut line_break = false;
    if s.starts_with("---") || s.starts_with("...") {
        block_ind = true;
    }
    let blankz = |i: usize| i >= chars.len() || matches!(chars[i], ' ' | '\t' | '\n' | '\r');
    for (i, &c) in chars.iter().enumerate() {
        let followed_ws = blankz(i + 1);
        let preceded_ws = i == 0 || matches!(chars[i - 1], ' ' | '\t' | '\n' | '\r');
        let (flow, block) =
            ferroflux_goformat::scalar_char_indicators(c, i == 0, followed_ws, preceded_ws);
        flow_ind |= flow;
        block_ind |= block;
        if !is_printable(c) {
            special = true;
        }
        if c == '\n' || c == '\r' {
            line_break = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == chars.len() - 1 {
                trailing_space = true;
            }
            if chars.get(i + 1).is_some_and(|n| *n == '\n') {
                space_break = true;
            }
        }
        if c == '\n' && chars.get(i + 1).is_some_and(|n| *n == ' ') {
            break_space = true;
        }
    }
    let _ = flow_ind;
    let mut plain = !(leading_space || trailing_space || block_ind || line_break);
    let mut single = true;
    let mut block = true;
    if trailing_space {
        block = false;
    }
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
        block = false;
    }
    if line_break {
        plain = false;
        single = false;
    }
    if s.contains('\n') && block && !want_double {
        return Style::Literal;
    }
    if want_double || s.contains('\n') {
        return Style::Double;
    }
    if plain {
        Style::Plain
    } else if single {
        Style::Single
    } else {
        Style::Double
    }
}

fn double_quoted(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\0' => o.push_str("\\0"),
            '\x07' => o.push_str("\\a"),
            '\x08' => o.push_str("\\b"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\x0b' => o.push_str("\\v"),
            '\x0c' => o.push_str("\\f"),
            '\r' => o.push_str("\\r"),
            '\x1b' => o.push_str("\\e"),
            '\u{85}' => o.push_str("\\N"),
            '\u{a0}' => o.push_str("\\_"),
            '\u{2028}' => o.push_str("\\L"),
            '\u{2029}' => o.push_str("\\P"),
            c if !is_printable(c) || c == '\u{feff}' => {
                let n = c as u32;
                if n <= 0xff {
                    o.push_str(&format!("\\x{n:02X}"));
                } else if n <= 0xffff {
                    o.push_str(&format!("\\u{n:04X}"));
                } else {
                    o.push_str(&format!("\\U{n:08X}"));
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The emitter's preferred line width: plain and quoted scalars fold at spaces past it.
const BEST_WIDTH: usize = 80;
/// Column value meaning "never fold" (mapping keys are simple keys).
const NO_BREAKS: usize = usize::MAX / 2;

/// Writes `s` starting at column `col`, breaking at single spaces once past the best width
/// (continuation lines start at `indent`); `quoted` applies libyaml's quoted-scalar rules.
#[derive(PartialEq, Clone, Copy)]
enum FoldMode {
    Plain,
    Single,
    Double,
}

fn fold(
    s: &str,
    col: usize,
    indent: usize,
    mode: FoldMode,
    escape: &dyn Fn(char, &mut String),
) -> String {
    let quoted = mode != FoldMode::Plain;
    let breaks = col != NO_BREAKS;
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut column = col;
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_space = chars.get(i + 1) == Some(&' ');
            let inner = !quoted || (i != 0 && i != chars.len() - 1);
            if breaks
                && !spaces
                && column > BEST_WIDTH
                && inner
                && (mode == FoldMode::Double || !next_space)
            {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                column = indent;
                if mode == FoldMode::Double && next_space {
                    out.push('\\');
                    column += 1;
                }
                spaces = true;
                continue;
            }
            out.push(' ');
            column += 1;
            spaces = true;
            continue;
        }
        spaces = false;
        let before = out.len();
        escape(c, &mut out);
        column += out[before..].chars().count();
    }
    out
}

/// A scalar as go-yaml v2 writes it, starting at column `col`; `indent` is where continuation
/// lines (folds, literal block lines) start.
fn scalar_string(s: &str, indent: usize, col: usize) -> String {
    let want_double = resolves_non_string(s);
    match choose_style(s, want_double) {
        Style::Plain => fold(s, col, indent, FoldMode::Plain, &|c, o| o.push(c)),
        Style::Single => {
            let start = if col == NO_BREAKS { col } else { col + 1 };
            let body = fold(s, start, indent, FoldMode::Single, &|c, o| {
                if c == '\'' {
                    o.push_str("''");
                } else {
                    o.push(c);
                }
            });
            format!("'{body}'")
        }
        Style::Double => {
            let quoted = double_quoted(s);
            let inner = &quoted[1..quoted.len() - 1];
            if col == NO_BREAKS || col + quoted.chars().count() <= BEST_WIDTH || !s.contains(' ') {
                return quoted;
            }
            // Fold at spaces of the escaped text (escapes contain no spaces).
            let body = fold(inner, col + 1, indent, FoldMode::Double, &|c, o| o.push(c));
            format!("\"{body}\"")
        }
        Style::Literal => {
            let chomp = if !s.ends_with('\n') {
                "-"
            } else if s.ends_with("\n\n") || s == "\n" {
                "+"
            } else {
                ""
            };
            let ind = if s.starts_with(' ') || s.starts_with('\n') {
                "2"
            } else {
                ""
            };
            let mut o = format!("|{ind}{chomp}");
            let body = s.strip_suffix('\n').unwrap_or(s);
            let pad = " ".repeat(indent);
            for line in body.split('\n') {
                o.push('\n');
                if !line.is_empty() {
                    o.push_str(&pad);
                    o.push_str(line);
                }
            }
            o
        }
    }
}

/// A number as it reads back after Go's JSON round trip (float64 3 is written `3`).
fn number(f: f64) -> String {
    let j = super::encoding::json_float(f);
    if j.contains(['.', 'e', 'E']) {
        // YAML float: FormatFloat 'g'.
        crate::fmt::format_float(f, 'g', -1)
    } else {
        j
    }
}

/// A scalar's text; `v3` is yaml.v3's encoder (`toYamlPretty`), which writes float64 with
/// `FormatFloat(f, 'g', -1)` (1e+06) where the JSON round trip of `toYaml` gives 1000000.
fn scalar(v: &Value, indent: usize, col: usize, v3: bool) -> Option<String> {
    Some(match v {
        Value::Missing | Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                ".nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 {
                    ".inf".into()
                } else {
                    "-.inf".into()
                }
            } else if v3 {
                crate::fmt::format_float(*f, 'g', -1)
            } else {
                number(*f)
            }
        }
        // yaml.v3 never folds long lines.
        Value::String(s) => scalar_string(s, indent, if v3 { NO_BREAKS } else { col }),
        Value::Object(o) => scalar_string(&format!("{o:?}"), indent, col),
        v if v.is_nil_slice() => "null".into(),
        Value::List(l) if l.is_empty() => "[]".into(),
        Value::StrList(l) if l.is_empty() => "[]".into(),
        Value::Map(m) if read(m).is_empty() => "{}".into(),
        _ => return None,
    })
}

/// Marshals a value as YAML. `seq_indent` indents sequences under mappings (yaml.v3 style,
/// Helm's `toYamlPretty`).
pub fn to_yaml(v: &Value, seq_indent: bool) -> Result<String, String> {
    let mut out = String::new();
    write_node(&mut out, v, 0, seq_indent, 0)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn write_node(
    out: &mut String,
    v: &Value,
    indent: usize,
    si: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > crate::value::MAX_DEPTH {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    if let Value::Float(f) = v
        && !f.is_finite()
    {
        return Err(format!(
            "json: unsupported value: {}",
            crate::fmt::format_float(*f, 'g', -1)
        ));
    }
    if let Some(s) = scalar(v, indent + 2, indent, si) {
        out.push_str(&s);
        out.push('\n');
        return Ok(());
    }
    let pad = " ".repeat(indent);
    match v {
        Value::Map(m) => {
            let mut entries: Vec<(String, Value)> = read(m)
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            entries.sort_by(|a, b| key_order(&a.0, &b.0));
            for (k, x) in entries {
                out.push_str(&pad);
                let key = if k.chars().count() > 128 {
                    // Not a simple key: libyaml writes `? KEY` (folded) and `: VALUE`.
                    let folded = scalar_string(&k, indent + 2, indent + 2);
                    format!("? {folded}\n{pad}")
                } else {
                    scalar_string(&k, indent + 2, NO_BREAKS)
                };
                let col = match key.rfind('\n') {
                    Some(i) => key.len() - i - 1 + 2,
                    None => indent + key.chars().count() + 2,
                };
                out.push_str(&key);
                out.push(':');
                match scalar(&x, indent + 2, col, si) {
                    Some(s) => {
                        if let Value::Float(f) = x
                            && !f.is_finite()
                        {
                            return Err(format!(
                                "json: unsupported value: {}",
                                crate::fmt::format_float(f, 'g', -1)
                            ));
                        }
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        out.push('\n');
                        let child = if matches!(x, Value::Map(_)) || si {
                            indent + 2
                        } else {
                            indent
                        };
                        write_node(out, &x, child, si, depth + 1)?;
                    }
                }
            }
        }
        _ => {
            let items = v.list_items().unwrap_or_default();
            for x in items {
                out.push_str(&pad);
                out.push('-');
                match scalar(&x, indent + 2, indent + 2, si) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        out.push(' ');
                        let mut sub = String::new();
                        write_node(&mut sub, &x, indent + 2, si, depth + 1)?;
                        // The first line of the nested block goes on the dash line.
                        out.push_str(sub.trim_start_matches(' '));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Parses YAML (one document) into a value the way sigs.k8s.io/yaml + encoding/json do.
pub fn from_yaml(s: &str) -> Result<Value, String> {
    let opts = serde_saphyr::options! { legacy_octal_numbers: true };
    let j: serde_json::Value = serde_saphyr::from_str_with_options(s, opts)
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    Ok(Value::from_json(&j))
}

#[cfg(test)]
mod go_yaml_tests {
    /// toYaml (yaml.v2 after a JSON round trip) and toYamlPretty (yaml.v3), as helm v4.3.1
    /// prints them.
    #[test]
    fn quoting_and_numbers_as_go_yaml() {
        let tpl = r#"{{ list "émoji 🚀" "12:30:00" "1:20" "-1:20.5" "1:60" "2024-1-2" | toYaml }}
{{ dict "n" 1000000.0 "s" 123456789.0 "i" 100 | toYamlPretty }}
{{ dict "n" 1000000.0 "s" 123456789.0 "i" 100 | toYaml }}
{{ list "a long string that goes well beyond eighty characters so that yaml.v2 folds it, but not v3" | toYamlPretty }}"#;
        assert_eq!(
            crate::render_helm(tpl, "t", None).unwrap(),
            "- \"émoji \\U0001F680\"\n- \"12:30:00\"\n- \"1:20\"\n- \"-1:20.5\"\n- 1:60\n- \"2024-1-2\"\n\
             i: 100\n\"n\": 1e+06\ns: 1.23456789e+08\n\
             i: 100\n\"n\": 1000000\ns: 123456789\n\
             - a long string that goes well beyond eighty characters so that yaml.v2 folds it, but not v3"
        );
    }
}
