//! YAML as Helm writes and reads it: `toYaml` is sigs.k8s.io/yaml (JSON, then go-yaml v2's
//! emitter: sorted keys, unindented sequences, quoting of strings that would read back as
//! something else, literal blocks for multi-line strings); `fromYaml` decodes through JSON, so
//! numbers come back as float64.

use crate::value::{Value, read};
use ferroflux_goformat::gobytes::{decoded, holds_raw_bytes};

/// Would a plain scalar read back as something other than this string (YAML 1.1 rules)?
fn resolves_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return false;
    }
    // A leading `.` sends go-yaml straight to `strconv.ParseFloat` of the text itself, which
    // allows `_` only between digits; other numbers are read with every `_` removed.
    if first == b'.' && s.contains('_') && !underscores_between_digits(s) {
        return false;
    }
    let plain = s.replace('_', "");
    if super::conv::parse_int_base0(&plain).is_some() {
        return true;
    }
    let body = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
    // go-yaml reads `0b…`/`-0b…` as an integer only when the rest is binary digits.
    let binary = |r: Option<&str>| {
        r.is_some_and(|r| {
            !r.is_empty()
                && r.bytes().all(|b| b == b'0' || b == b'1')
                && r.trim_start_matches('0').len() <= 64
        })
    };
    if binary(plain.strip_prefix("0b"))
        || binary(plain.strip_prefix("-0b"))
        || (body.bytes().all(|c| c.is_ascii_digit()) && body.parse::<u64>().is_ok())
    {
        return true;
    }
    // A number too large for a float64 is a string to go-yaml (ParseFloat's range error).
    if ferroflux_goformat::is_yaml_float(&plain)
        && !plain.parse::<f64>().is_ok_and(f64::is_infinite)
    {
        return true;
    }
    is_timestamp(s) || ferroflux_goformat::is_base60_float(s)
}

/// Go's `strconv.underscoreOK` for a number without base prefix: each `_` has a digit on
/// both sides.
fn underscores_between_digits(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// go-yaml's `parseTimestamp` succeeds (`time.Parse` with its four layouts).
fn is_timestamp(s: &str) -> bool {
    ferroflux_goformat::go_yaml_timestamp(s).is_some()
}

/// libyaml's printable set: NEL is not in it, so it is written `\N`.
fn is_printable(c: char) -> bool {
    c == '\n'
        || (' '..='~').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}'
}

/// libyaml's line breaks: a scalar holding one is never plain, and a single-quoted one is
/// indented after it.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
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
        if is_break(c) {
            line_break = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == chars.len() - 1 {
                trailing_space = true;
            }
            if chars.get(i + 1).is_some_and(|n| is_break(*n)) {
                space_break = true;
            }
        }
        if is_break(c) && chars.get(i + 1).is_some_and(|n| *n == ' ') {
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
    // libyaml's BOM test looks at the start of the scalar, not at the current character, so
    // a leading BOM gets every character escaped (`\uFEFF\x62\x6F\x6D`).
    let escape_all = s.starts_with('\u{feff}');
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
            // A no-break space is printable: escaped only when everything is.
            '\u{a0}' if escape_all => o.push_str("\\_"),
            '\u{2028}' => o.push_str("\\L"),
            '\u{2029}' => o.push_str("\\P"),
            c if escape_all || !is_printable(c) => {
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
    let mut after_break = false;
    for (i, &c) in chars.iter().enumerate() {
        if is_break(c) {
            // Only single-quoted scalars keep raw breaks (LS, PS); the next line is indented.
            out.push(c);
            column = 0;
            after_break = true;
            continue;
        }
        if after_break {
            out.extend(std::iter::repeat_n(' ', indent));
            column = indent;
            after_break = false;
        }
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
            // libyaml's block scalar hints: any line break counts (LS, PS, NEL, CR too).
            let mut rev = s.chars().rev();
            let chomp = match (rev.next(), rev.next()) {
                (Some(last), _) if !is_break(last) => "-",
                (Some(_), None) => "+",
                (Some(_), Some(prev)) if is_break(prev) => "+",
                (None, _) => "-",
                _ => "",
            };
            let ind = if s.starts_with(' ') || s.starts_with(is_break) {
                "2"
            } else {
                ""
            };
            let mut o = format!("|{ind}{chomp}");
            let body = s.strip_suffix('\n').unwrap_or(s);
            let pad = " ".repeat(indent);
            for line in body.split('\n') {
                o.push('\n');
                // A break other than a line feed is written as it is and starts a line,
                // which is indented before its next character.
                let mut at_start = true;
                for c in line.chars() {
                    if is_break(c) {
                        o.push(c);
                        at_start = true;
                    } else {
                        if at_start {
                            o.push_str(&pad);
                            at_start = false;
                        }
                        o.push(c);
                    }
                }
            }
            o
        }
    }
}

/// What encoding/json writes for an object that marshals itself, as a plain value:
/// sigs.k8s.io/yaml writes that.
fn marshalled(v: &Value) -> Option<Value> {
    let Value::Object(o) = v else { return None };
    let json = serde_json::from_str(&o.marshal_json()?).ok()?;
    Some(Value::from_json(&json))
}

/// A number as it reads back after Go's JSON round trip (float64 3 is written `3`): JSON's
/// digits read back as an integer when they fit int64 or uint64, else as a float64 (so 1e20
/// is written `1e+20`).
fn number(f: f64) -> String {
    let j = super::encoding::json_float(f);
    let integer =
        !j.contains(['.', 'e', 'E']) && (j.parse::<i64>().is_ok() || j.parse::<u64>().is_ok());
    if !integer {
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
            } else if *f == 0.0 {
                // JSON's `-0` reads back as the integer 0.
                "0".into()
            } else {
                number(*f)
            }
        }
        // yaml.v3 never folds long lines.
        Value::String(s) if v3 => scalar_string(s, indent, NO_BREAKS),
        Value::String(s) => scalar_string(&super::yaml_reread::fold_nel(s), indent, col),
        Value::Object(o) => match marshalled(v) {
            Some(plain) => return scalar(&plain, indent, col, v3),
            None => scalar_string(&format!("{o:?}"), indent, col),
        },
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
    // sigs.k8s.io/yaml marshals through encoding/json, which writes each byte that is not
    // part of valid UTF-8 as U+FFFD.
    let scrubbed;
    let v = if holds_raw_bytes_in(v, 0) {
        scrubbed = without_raw_bytes(v, 0);
        &scrubbed
    } else {
        v
    };
    let mut out = String::new();
    match write_node(&mut out, v, 0, seq_indent, 0) {
        Err(e) if e == NEL_KEY => return Err(super::yaml_reread::nel_key_error(v)),
        r => r?,
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Whether a string (or a key) in `v` holds bytes that are not valid UTF-8.
fn holds_raw_bytes_in(v: &Value, depth: usize) -> bool {
    if depth > crate::value::MAX_DEPTH {
        return false;
    }
    crate::stack::deep(|| match v {
        Value::String(t) => holds_raw_bytes(t),
        Value::List(l) => l.iter().any(|x| holds_raw_bytes_in(x, depth + 1)),
        Value::Map(m) => read(m)
            .iter()
            .any(|(k, x)| holds_raw_bytes(k) || holds_raw_bytes_in(x, depth + 1)),
        _ => false,
    })
}

/// `v` with every such byte replaced by U+FFFD.
fn without_raw_bytes(v: &Value, depth: usize) -> Value {
    if depth > crate::value::MAX_DEPTH {
        return v.clone();
    }
    crate::stack::deep(|| match v {
        Value::String(t) if holds_raw_bytes(t) => Value::str(decoded(t)),
        Value::List(l) => Value::list(l.iter().map(|x| without_raw_bytes(x, depth + 1)).collect()),
        Value::Map(m) => Value::map(
            read(m)
                .iter()
                .map(|(k, x)| (decoded(k).into_owned(), without_raw_bytes(x, depth + 1)))
                .collect(),
        ),
        other => other.clone(),
    })
}

/// Error marker for a mapping key with a NEL under `toYaml` (the message needs the whole value).
const NEL_KEY: &str = "\u{85} key";

/// A mapping key go-yaml cannot write as a simple key: it then writes `? KEY` and `: VALUE`
/// on lines of their own, with a block value starting on the `:` line.
fn is_complex_key(k: &str) -> bool {
    k.chars().count() > 128 || k.chars().any(is_break)
}

fn write_node(
    out: &mut String,
    v: &Value,
    indent: usize,
    si: bool,
    depth: usize,
) -> Result<(), String> {
    crate::stack::deep(|| write_node_here(out, v, indent, si, depth))
}

fn write_node_here(
    out: &mut String,
    v: &Value,
    indent: usize,
    si: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > crate::value::MAX_DEPTH {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    check_finite(v, si)?;
    if let Some(plain) = marshalled(v) {
        return write_node(out, &plain, indent, si, depth);
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
            ferroflux_goformat::sort_by_less(&mut entries, |a, b| {
                ferroflux_goformat::key_less(&a.0, &b.0)
            });
            for (k, x) in entries {
                if !si && k.contains('\u{85}') {
                    return Err(NEL_KEY.into());
                }
                out.push_str(&pad);
                if is_complex_key(&k) {
                    out.push_str("? ");
                    out.push_str(&scalar_string(&k, indent + 2, indent + 2));
                    out.push('\n');
                    out.push_str(&pad);
                    out.push(':');
                    write_value_inline(out, &x, indent, si, depth)?;
                    continue;
                }
                let x = marshalled(&x).unwrap_or(x);
                let key = scalar_string(&k, indent + 2, NO_BREAKS);
                let col = indent + key.chars().count() + 2;
                out.push_str(&key);
                out.push(':');
                match scalar(&x, indent + 2, col, si) {
                    Some(s) => {
                        check_finite(&x, si)?;
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
                write_value_inline(out, &x, indent, si, depth)?;
            }
        }
    }
    Ok(())
}

/// A value after an indicator (`- `, or `: ` of a complex key) at `indent`: a block collection
/// starts on the indicator's line, two columns in.
fn write_value_inline(
    out: &mut String,
    x: &Value,
    indent: usize,
    si: bool,
    depth: usize,
) -> Result<(), String> {
    out.push(' ');
    match scalar(x, indent + 2, indent + 2, si) {
        Some(s) => {
            check_finite(x, si)?;
            out.push_str(&s);
            out.push('\n');
        }
        None => {
            let mut sub = String::new();
            write_node(&mut sub, x, indent + 2, si, depth + 1)?;
            out.push_str(sub.trim_start_matches(' '));
        }
    }
    Ok(())
}

/// JSON has no infinities or NaN, so only `toYaml` (not yaml.v3's `toYamlPretty`) fails on them.
fn check_finite(x: &Value, v3: bool) -> Result<(), String> {
    match x {
        Value::Float(f) if !v3 && !f.is_finite() => Err(format!(
            "json: unsupported value: {}",
            crate::fmt::format_float(*f, 'g', -1)
        )),
        _ => Ok(()),
    }
}

/// Parses YAML (one document) into a value the way sigs.k8s.io/yaml + encoding/json do.
pub fn from_yaml(s: &str) -> Result<Value, String> {
    // No comment events: they are not kept, and buffering them has a limit.
    let opts = serde_saphyr::options! { legacy_octal_numbers: true, emit_comments: false };
    let j: serde_json::Value = serde_saphyr::from_str_with_options(s, opts)
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    Ok(Value::from_json(&j))
}

#[cfg(test)]
mod go_yaml_tests {
    /// go-yaml's key order is not transitive on such keys (`v1beta1 < v3 < v10 < v1beta1`):
    /// Go sorts them somehow (helm's order then varies between runs); ours must not panic.
    #[test]
    fn inconsistent_key_order_still_sorts() {
        let tpl = r#"{{ dict "e" 0 "g" 1 "app" 2 "node2" 3 "node10" 4 "d" 5 "port" 6 "v1beta1" 7 "v3" 8 "a" 9 "name" 10 "x1a" 11 "b" 12 "image" 13 "tag" 14 "v10" 15 "c" 16 "node1" 17 "v11" 18 "x2" 19 "x10" 20 | toYaml }}"#;
        let out = crate::render_helm(tpl, "t", None).unwrap();
        assert_eq!(out.lines().count(), 21);
        assert!(out.starts_with("a: 9\napp: 2\nb: 12\n"), "{out}");
    }

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

    /// Merge key, `-0`, leading BOM, NEL and LS/PS line breaks, and keys that cannot be simple
    /// keys, as helm v4.3.1 writes them (`""`: `toYaml` swallowed an error).
    #[test]
    fn special_strings_and_complex_keys_as_helm() {
        let cases = [
            (r#"toYaml (list "<<")"#, "- <<"),
            (r#"toYaml (dict "<<" 1)"#, "<<: 1"),
            (r#"toYaml (list "<<<")"#, "- <<<"),
            (r#"toYaml (dict "<<<" 1)"#, "<<<: 1"),
            (r#"toYaml (list "a<<")"#, "- a<<"),
            (r#"toYaml (dict "a<<" 1)"#, "a<<: 1"),
            (r#"toYaml (list "<<:")"#, "- '<<:'"),
            (r#"toYaml (dict "<<:" 1)"#, "'<<:': 1"),
            (r#"toYaml (list "<< ")"#, "- '<< '"),
            (r#"toYaml (dict "<< " 1)"#, "'<< ': 1"),
            (r#"toYaml (list "-0")"#, "- \"-0\""),
            (r#"toYaml (dict "-0" 1)"#, "\"-0\": 1"),
            (r#"toYaml (list "-0.0")"#, "- \"-0.0\""),
            (r#"toYaml (dict "-0.0" 1)"#, "\"-0.0\": 1"),
            (
                r#"toYaml (list "\ufeffbom")"#,
                "- \"\\uFEFF\\x62\\x6F\\x6D\"",
            ),
            (
                r#"toYaml (dict "\ufeffbom" 1)"#,
                "\"\\uFEFF\\x62\\x6F\\x6D\": 1",
            ),
            (r#"toYaml (list "\ufeff")"#, "- \"\\uFEFF\""),
            (r#"toYaml (dict "\ufeff" 1)"#, "\"\\uFEFF\": 1"),
            (r#"toYaml (list "a\ufeff")"#, "- \"a\\uFEFF\""),
            (r#"toYaml (dict "a\ufeff" 1)"#, "\"a\\uFEFF\": 1"),
            (
                r#"toYaml (list "\ufeffa b")"#,
                "- \"\\uFEFF\\x61\\x20\\x62\"",
            ),
            (
                r#"toYaml (dict "\ufeffa b" 1)"#,
                "\"\\uFEFF\\x61\\x20\\x62\": 1",
            ),
            (r#"toYaml (list "\ufeff\"\\")"#, "- \"\\uFEFF\\\"\\\\\""),
            (r#"toYaml (dict "\ufeff\"\\" 1)"#, "\"\\uFEFF\\\"\\\\\": 1"),
            (
                r#"toYaml (list "\ufeff\u65e5\u672c")"#,
                "- \"\\uFEFF\\u65E5\\u672C\"",
            ),
            (
                r#"toYaml (dict "\ufeff\u65e5\u672c" 1)"#,
                "\"\\uFEFF\\u65E5\\u672C\": 1",
            ),
            (
                r#"toYaml (list "\ufeff\U0001f600")"#,
                "- \"\\uFEFF\\U0001F600\"",
            ),
            (
                r#"toYaml (dict "\ufeff\U0001f600" 1)"#,
                "\"\\uFEFF\\U0001F600\": 1",
            ),
            (r#"toYaml (list "\ufeff\u0009a")"#, "- \"\\uFEFF\\t\\x61\""),
            (
                r#"toYaml (dict "\ufeff\u0009a" 1)"#,
                "\"\\uFEFF\\t\\x61\": 1",
            ),
            (r#"toYaml (list "\ufeff<<")"#, "- \"\\uFEFF\\x3C\\x3C\""),
            (r#"toYaml (dict "\ufeff<<" 1)"#, "\"\\uFEFF\\x3C\\x3C\": 1"),
            (r#"toYaml (list "a\u0085b")"#, "- a b"),
            (r#"toYaml (dict "a\u0085b" 1)"#, ""),
            (r#"toYaml (list "\u2028x")"#, "- '\u{2028}  x'"),
            (r#"toYaml (dict "\u2028x" 1)"#, "? '\u{2028}  x'\n: 1"),
            (r#"toYaml (list "a\u2028 b")"#, "- \"a\\L b\""),
            (r#"toYaml (dict "a\u2028 b" 1)"#, "? \"a\\L b\"\n: 1"),
            (r#"toYaml (list "a \u2028b")"#, "- \"a \\Lb\""),
            (r#"toYaml (dict "a \u2028b" 1)"#, "? \"a \\Lb\"\n: 1"),
            (
                r#"toYamlPretty (list "<<" "\ufeffab" "\u0085" "\u2028a")"#,
                "- <<\n- \"\\uFEFF\\x61\\x62\"\n- \"\\N\"\n- '\u{2028}  a'",
            ),
            (
                r#"toYaml (list -0.0 0.0 -0.5 (float64 "-0") (mulf -1 0))"#,
                "- 0\n- 0\n- -0.5\n- 0\n- 0",
            ),
            (
                r#"toYaml (dict "a" (list -0.0) "b" (dict "c" -0.0))"#,
                "a:\n- 0\nb:\n  c: 0",
            ),
            (r#"toYamlPretty (list -0.0 0.0)"#, "- -0\n- 0"),
            (r#"toYaml -0.0"#, "0"),
            (
                r#"toYaml (list "\ufeff\u0000\u0007\u001b\u00ff\u0100\u00a0\u2028")"#,
                "- \"\\uFEFF\\0\\a\\e\\xFF\\u0100\\_\\L\"",
            ),
            (
                r#"toYaml (list (list "<<") (dict "<<" (dict "<<" "<<")))"#,
                "- - <<\n- <<:\n    <<: <<",
            ),
            (r#"toYaml (list "\ufeff\u0085")"#, "- \"\\uFEFF\\x20\""),
            (r#"toYaml (list "\ta\u00a0b")"#, "- \"\\ta\u{a0}b\""),
            (
                r#"toYaml (dict ".1_" 0 "._1" 1 ".1_2" 2)"#,
                "._1: 1\n.1_: 0\n\".1_2\": 2",
            ),
            (
                r#"toYaml (list "\u2028x\ny" "a\u2028\u2028\n")"#,
                "- |2-\n\u{2028}  x\n  y\n- |+\n  a\u{2028}\u{2028}",
            ),
            (
                r#"toYaml (dict "a\nb" (dict "c\nd" 1))"#,
                "? |-\n  a\n  b\n: ? |-\n    c\n    d\n  : 1",
            ),
            (
                r#"toYaml (list (dict "a\nb" 1))"#,
                "- ? |-\n    a\n    b\n  : 1",
            ),
            (
                r#"toYaml (dict "a\n" 1 "\nb" 2 "a b\n" 3)"#,
                "? |2-\n\n  b\n: 2\n? |\n  a\n: 1\n? |\n  a b\n: 3",
            ),
            (
                r#"toYaml (dict "a\u2029b" "\u2029")"#,
                "? 'a\u{2029}  b'\n: '\u{2029}'",
            ),
            (r#"toYaml (dict "a\rb" "x")"#, "? \"a\\rb\"\n: x"),
            (
                r#"toYaml (dict "a\u2028b" "c\u2028d" "z" (list "e\u2028f"))"#,
                "? 'a\u{2028}  b'\n: 'c\u{2028}  d'\nz:\n- 'e\u{2028}  f'",
            ),
            (
                r#"toYamlPretty (dict "a\u2028b" "c\u2028d" "z" (list "e\u2028f"))"#,
                "? 'a\u{2028}  b'\n: 'c\u{2028}  d'\nz:\n  - 'e\u{2028}    f'",
            ),
            (
                r#"toYaml (list "x\u0085 " "\u0085 x" " \u0085 " "a\u0085\u0085\u0085b" "a\u0085 \u0085b")"#,
                "- 'x '\n- ' x'\n- ' '\n- |-\n  a\n\n  b\n- |-\n  a\n  b",
            ),
            (r#"toYaml (list (dict "a\u0085b" 1))"#, ""),
            (
                r#"toYaml (list "a\u2028\u2028b" "a\u2029\u2028b" "\u2028" " \u2028")"#,
                "- 'a\u{2028}\u{2028}  b'\n- 'a\u{2029}\u{2028}  b'\n- '\u{2028}'\n- \" \\L\"",
            ),
            (r#"toYaml (list (float64 "+Inf"))"#, ""),
            (
                r#"toYamlPretty (list (float64 "+Inf") (float64 "-Inf"))"#,
                "- .inf\n- -.inf",
            ),
            (r#"toYamlPretty (float64 "NaN")"#, ".nan"),
            (
                r#"toYaml (dict (repeat 130 "k") (dict "a" 1))"#,
                "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: a: 1",
            ),
            (
                r#"toYaml (list (print (repeat 30 "ab\u2028") "z"))"#,
                "- 'ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  ab\u{2028}  z'",
            ),
        ];
        for (expr, want) in cases {
            let tpl = format!("{{{{ {expr} }}}}");
            assert_eq!(crate::render_helm(&tpl, "t", None).unwrap(), want, "{expr}");
        }
        // Keys with a line break: both functions write them alike.
        let complex_keys = [
            (
                r#"(dict "a\nb" (dict "c" 1 "d" 2))"#,
                "? |-\n  a\n  b\n: c: 1\n  d: 2",
            ),
            (
                r#"(dict "a\nb" (list 1 2))"#,
                "? |-\n  a\n  b\n: - 1\n  - 2",
            ),
            (
                r#"(dict "a\nb" (list (dict "x" 1 "y" 2)))"#,
                "? |-\n  a\n  b\n: - x: 1\n    \"y\": 2",
            ),
            (
                r#"(dict "k" (dict "a\nb" (list 1)))"#,
                "k:\n  ? |-\n    a\n    b\n  : - 1",
            ),
            (
                r#"(list (list (dict "a\nb" (list 1 (list 2)))))"#,
                "- - ? |-\n      a\n      b\n    : - 1\n      - - 2",
            ),
            (
                r#"(dict "a\nb" (dict) "c\nd" (list) "e\nf" nil)"#,
                "? |-\n  a\n  b\n: {}\n? |-\n  c\n  d\n: []\n? |-\n  e\n  f\n: null",
            ),
        ];
        for (arg, want) in complex_keys {
            for f in ["toYaml", "toYamlPretty"] {
                let tpl = format!("{{{{ {f} {arg} }}}}");
                assert_eq!(
                    crate::render_helm(&tpl, "t", None).unwrap(),
                    want,
                    "{f} {arg}"
                );
            }
        }
    }
}
