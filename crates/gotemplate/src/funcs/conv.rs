//! Sprig's defaults (`default`, `empty`, `coalesce`, `ternary`, …) and conversions
//! (`toString`, `int`, `int64`, `float64`, `atoi`, `toDecimal`), with spf13/cast's rules.

use super::{FuncMap, Ty, s, strval};
use crate::value::Value;

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("default", &[Any], Some(Any), |a| {
        if a.len() < 2 || empty(&a[1]) {
            return Ok(a[0].clone());
        }
        Ok(a[1].clone())
    });
    m.pure("empty", &[Any], None, |a| Ok(Value::Bool(empty(&a[0]))));
    m.pure("coalesce", &[], Some(Any), |a| {
        Ok(a.into_iter().find(|v| !empty(v)).unwrap_or(Value::Nil))
    });
    m.pure("all", &[], Some(Any), |a| {
        Ok(Value::Bool(a.iter().all(|v| !empty(v))))
    });
    m.pure("any", &[], Some(Any), |a| {
        Ok(Value::Bool(a.iter().any(|v| !empty(v))))
    });
    m.pure("ternary", &[Any, Any, Bool], None, |a| {
        Ok(if matches!(a[2], Value::Bool(true)) {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    m.pure("fail", &[Str], None, |a| {
        Err(super::arg_str(&a[0]).to_string())
    });
    m.pure("toString", &[Any], None, |a| Ok(s(strval(&a[0]))));
    m.pure("atoi", &[Str], None, |a| {
        Ok(Value::Int(
            a[0].as_str()
                .and_then(|x| x.parse::<i64>().ok())
                .unwrap_or(0),
        ))
    });
    m.pure("int", &[Any], None, |a| Ok(Value::Int(to_int64(&a[0]))));
    m.pure("int64", &[Any], None, |a| Ok(Value::Int64(to_int64(&a[0]))));
    m.pure("float64", &[Any], None, |a| {
        Ok(Value::Float(to_float64(&a[0])))
    });
    m.pure("toDecimal", &[Any], None, |a| {
        Ok(Value::Int64(
            i64::from_str_radix(&strval(&a[0]), 8).unwrap_or(0),
        ))
    });
}

/// Sprig's `empty`.
pub fn empty(v: &Value) -> bool {
    match v {
        Value::Missing | Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        // A struct is never empty; a map or slice object is when it has nothing.
        Value::Object(o) => o.is_empty_collection() == Some(true),
        v => v.len() == Some(0),
    }
}

fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`.
pub(crate) fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let l = body.to_ascii_lowercase();
    let (radix, d) = if let Some(d) = l.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = l.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = l.strip_prefix("0b") {
        (2, d)
    } else if l.len() > 1 && l.starts_with('0') {
        (8, &l[1..])
    } else {
        (10, l.as_str())
    };
    if d.is_empty() || d.starts_with(['+', '-']) {
        return None;
    }
    let d: String = if radix != 10 || d.contains('_') {
        if d.starts_with('_') || d.ends_with('_') || d.contains("__") {
            return None;
        }
        d.replace('_', "")
    } else {
        d.to_string()
    };
    let u = u64::from_str_radix(&d, radix).ok()?;
    if neg {
        if u > i64::MAX as u64 + 1 {
            return None;
        }
        Some((u as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `int64(f)` on amd64: NaN, infinities and values out of range give the
/// "integer indefinite" value, i64::MIN (Rust's `as` would saturate instead).
pub fn go_f64_to_i64(f: f64) -> i64 {
    // i64::MIN is -2^63, exactly representable; 2^63 is the first value out of range.
    let (lo, hi) = (i64::MIN as f64, -(i64::MIN as f64));
    if f.is_nan() || !(lo..hi).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// spf13/cast `ToInt64` (errors become 0).
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => go_f64_to_i64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast `ToFloat64` (errors become 0).
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `strconv.ParseFloat(s, 64)` for the common forms.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(['+', '-']);
    match t.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    // Past the largest float64 ParseFloat fails (ErrRange), where Rust gives an infinity.
    s.replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    #[test]
    fn float_to_int_as_go_on_amd64() {
        // helm v4.3.1: {{ int64 1e21 }} prints -9223372036854775808.
        assert_eq!(super::go_f64_to_i64(1e21), i64::MIN);
        assert_eq!(super::go_f64_to_i64(-1e21), i64::MIN);
        assert_eq!(super::go_f64_to_i64(f64::INFINITY), i64::MIN);
        assert_eq!(super::go_f64_to_i64(i64::MIN as f64), i64::MIN);
        assert_eq!(super::go_f64_to_i64(-3.9), -3);
        assert_eq!(super::go_f64_to_i64(9.0e18), 9_000_000_000_000_000_000);
        assert_eq!(
            crate::render_helm(
                "{{ int64 1e21 }} {{ int 1e21 }} {{ add 1e21 0 }}",
                "t",
                None
            )
            .unwrap(),
            "-9223372036854775808 -9223372036854775808 -9223372036854775808"
        );
    }
}
