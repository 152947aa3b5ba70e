//! yaml.v3's reading of a plain scalar's text (its `resolve`): whether the emitter must
//! quote a string (`emit.rs`), and what kyaml makes of a scalar node whose text was
//! replaced while its tag stayed, as a replacement does.

use serde_json::Number;

/// A plain scalar as yaml.v3 reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    /// `~`, `null`, or nothing.
    Null,
    /// `true`, `False`, … (not YAML 1.1's `yes`/`on`).
    Bool(bool),
    /// An integer (`int` or `uint64` in Go).
    Int(Number),
    /// A float, possibly infinite or NaN (`.inf`, `.nan`).
    Float(f64),
    /// A timestamp, as `time.Time` marshals to JSON (only tried for untagged nodes).
    Timestamp(String),
    /// Anything else: the text itself.
    Str,
}

impl Plain {
    /// The tag yaml.v3 names it by in its errors.
    pub fn tag(&self) -> &'static str {
        match self {
            Plain::Null => "!!null",
            Plain::Bool(_) => "!!bool",
            Plain::Int(_) => "!!int",
            Plain::Float(_) => "!!float",
            Plain::Timestamp(_) => "!!timestamp",
            Plain::Str => "!!str",
        }
    }
}

/// How yaml.v3 reads `s` as a plain scalar; `timestamps` as for a node without a tag (a
/// node tagged `!!int`, `!!bool`, … is not read as a timestamp).
pub fn resolve(s: &str, timestamps: bool) -> Plain {
    // The first byte decides what the text may be; other first bytes are strings at once.
    let hint = match s.bytes().next() {
        None => return Plain::Null,
        Some(b'+' | b'-' | b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return Plain::Str,
    };
    match s {
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        "~" | "null" | "Null" | "NULL" => return Plain::Null,
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Plain::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match hint {
        b'.' => go_float(s).map_or(Plain::Str, Plain::Float),
        b'D' => {
            if timestamps && let Some(t) = super::go_timestamp(s) {
                return Plain::Timestamp(t);
            }
            // Underscores go before any number is tried (`1_000` is 1000).
            let plain = s.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return Plain::Int(i.into());
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Plain::Int(u.into());
            }
            if ferroflux_goformat::is_yaml_float(&plain)
                && let Some(f) = go_float(&plain)
            {
                return Plain::Float(f);
            }
            Plain::Str
        }
        _ => Plain::Str,
    }
}

/// Go's `strconv.ParseFloat` for the decimal forms that reach it: out of range is an error.
fn go_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    // Rust's parser also takes `inf` and `nan`; Go's forms that get here are all decimal.
    if !b.iter().all(|c| c.is_ascii_digit() || b".eE+-".contains(c)) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// The digits of `s` after Go's base prefix (`0x`, `0o`, `0b`, or a leading `0` for octal),
/// with their base; `None` when no digit follows the prefix or one is not of the base.
fn go_digits(s: &str) -> Option<(u32, &str)> {
    let lower = s.get(..2).map(str::to_ascii_lowercase);
    let (base, digits) = match lower.as_deref() {
        Some("0x") => (16, &s[2..]),
        Some("0o") => (8, &s[2..]),
        Some("0b") => (2, &s[2..]),
        _ if s.len() > 1 && s.starts_with('0') => (8, &s[1..]),
        _ => (10, s),
    };
    (!digits.is_empty() && digits.chars().all(|c| c.is_digit(base))).then_some((base, digits))
}

/// Go's `strconv.ParseInt(s, 0, 64)` (underscores already removed).
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (base, digits) = go_digits(body)?;
    let magnitude = u128::from_str_radix(digits, base).ok()?;
    if neg {
        (magnitude <= 1u128 << 63).then(|| (magnitude as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign.
fn go_parse_uint(s: &str) -> Option<u64> {
    let (base, digits) = go_digits(s)?;
    u64::from_str_radix(digits, base).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each text with what yaml.v3 v3.0.1 reads it as.
    #[test]
    fn reads_plain_scalars_as_yaml_v3() {
        let int = |i: i64| Plain::Int(i.into());
        for (text, want) in [
            ("", Plain::Null),
            ("~", Plain::Null),
            ("NULL", Plain::Null),
            ("True", Plain::Bool(true)),
            ("yes", Plain::Str),
            ("off", Plain::Str),
            ("8080", int(8080)),
            ("-3", int(-3)),
            ("+0x10", int(16)),
            ("0x1F", int(31)),
            ("0o17", int(15)),
            ("0b101", int(5)),
            ("0777", int(511)),
            ("1_000", int(1000)),
            ("-9223372036854775808", int(i64::MIN)),
            ("18446744073709551615", Plain::Int(u64::MAX.into())),
            ("08", Plain::Float(8.0)),
            ("1.5", Plain::Float(1.5)),
            ("1e3", Plain::Float(1000.0)),
            (".5", Plain::Float(0.5)),
            ("-.inf", Plain::Float(f64::NEG_INFINITY)),
            ("1e999", Plain::Str),
            ("0x", Plain::Str),
            ("-", Plain::Str),
            ("1.2.3", Plain::Str),
            ("_1", Plain::Str),
            ("abc", Plain::Str),
            (
                "2001-12-14",
                Plain::Timestamp("2001-12-14T00:00:00Z".into()),
            ),
        ] {
            assert_eq!(resolve(text, true), want, "{text:?}");
        }
        // A tagged node is not read as a timestamp.
        assert_eq!(resolve("2001-12-14", false), Plain::Str);
        assert!(matches!(resolve(".nan", false), Plain::Float(f) if f.is_nan()));
    }
}
