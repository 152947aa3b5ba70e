//! Helm 4's duration helpers (`mustToDuration`, `durationSeconds` … `durationWeeks`,
//! `durationRoundTo`, `durationTruncateTo`): a value read as a Go `time.Duration` (a
//! duration string, a number of seconds, or a duration) and its conversions.

use ferroflux_gotemplate::funcs::date::{duration_string, parse_duration};
use ferroflux_gotemplate::{FuncMap, Object, Ty, Value};
use std::sync::Arc;

const SECOND: i64 = 1_000_000_000;
const MAX_SECONDS: i64 = i64::MAX / SECOND;
const MIN_SECONDS: i64 = i64::MIN / SECOND;

/// A Go `time.Duration` (nanoseconds): prints as `1m30s`, marshals as its number.
#[derive(Debug, Clone, Copy)]
pub struct Duration(pub i64);

impl Duration {
    fn value(self) -> Value {
        Value::Object(Arc::new(self))
    }
    /// Go's `d.Seconds()` (and `Minutes`, `Hours` with `unit` 60 s or 3600 s): whole units
    /// plus the remainder's fraction, as Go computes them.
    fn units(self, unit: i64) -> f64 {
        let whole = self.0 / unit;
        let rest = self.0 % unit;
        whole as f64 + rest as f64 / unit as f64
    }
    fn round(self, m: i64) -> i64 {
        let d = self.0;
        if m <= 0 {
            return d;
        }
        let less_than_half = |x: i64| (x as u64).wrapping_add(x as u64) < m as u64;
        let mut r = d % m;
        if d < 0 {
            r = -r;
            if less_than_half(r) {
                return d + r;
            }
            // Go's arithmetic wraps; a result past the end means overflow.
            let d1 = d.wrapping_sub(m).wrapping_add(r);
            return if d1 < d { d1 } else { i64::MIN };
        }
        if less_than_half(r) {
            return d - r;
        }
        let d1 = d.wrapping_add(m).wrapping_sub(r);
        if d1 > d { d1 } else { i64::MAX }
    }
    fn truncate(self, m: i64) -> i64 {
        if m <= 0 { self.0 } else { self.0 - self.0 % m }
    }
}

impl Object for Duration {
    fn type_name(&self) -> &str {
        "time.Duration"
    }
    fn kind(&self) -> &str {
        "int64"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "String" => Value::str(duration_string(self.0)),
            "Seconds" => Value::Float(self.units(SECOND)),
            "Minutes" => Value::Float(self.units(60 * SECOND)),
            "Hours" => Value::Float(self.units(3600 * SECOND)),
            "Milliseconds" => Value::Int64(self.0 / 1_000_000),
            "Microseconds" => Value::Int64(self.0 / 1_000),
            "Nanoseconds" => Value::Int64(self.0),
            "Abs" => Duration(if self.0 == i64::MIN {
                i64::MAX
            } else {
                self.0.abs()
            })
            .value(),
            _ => return None,
        })
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn marshal_json(&self) -> Option<String> {
        Some(self.0.to_string())
    }
    fn fmt_value(&self) -> Option<String> {
        Some(duration_string(self.0))
    }
}

fn from_seconds_int(s: i64) -> Result<i64, String> {
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&s) {
        return Err(format!("duration seconds overflow: {s}"));
    }
    Ok(s * SECOND)
}

fn from_seconds_float(s: f64) -> Result<i64, String> {
    let show = |f: f64| ferroflux_gotemplate::fmt::sprint_value(&Value::Float(f));
    if !s.is_finite() {
        return Err(format!("invalid duration seconds: {}", show(s)));
    }
    let max = i64::MAX as f64 / SECOND as f64;
    let min = i64::MIN as f64 / SECOND as f64;
    if s > max || s < min {
        return Err(format!("duration seconds overflow: {}", show(s)));
    }
    let nanos = s * SECOND as f64;
    if nanos > i64::MAX as f64 || nanos < i64::MIN as f64 {
        return Err(format!("duration nanoseconds overflow: {}", show(nanos)));
    }
    Ok(nanos as i64)
}

/// `asDuration`: what the helpers accept, in nanoseconds.
fn as_duration(v: &Value) -> Result<i64, String> {
    match v {
        Value::Object(o) if o.type_name() == "time.Duration" => o
            .marshal_json()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| "invalid duration".to_string()),
        Value::String(x) => {
            let s = x.trim();
            if s.is_empty() {
                return Err("empty duration".into());
            }
            if let Ok(d) = parse_duration(s) {
                return Ok(d);
            }
            if let Ok(f) = s.parse::<f64>() {
                return from_seconds_float(f);
            }
            Err(format!(
                "could not parse duration {}",
                ferroflux_gotemplate::fmt::go_quote(x)
            ))
        }
        Value::Missing | Value::Nil => Err("invalid duration".into()),
        Value::Int(i) | Value::Int64(i) => from_seconds_int(*i),
        Value::Float(f) => from_seconds_float(*f),
        other => Err(format!("unsupported duration type {}", other.type_name())),
    }
}

/// Registers the helpers in `m`.
pub fn register(m: &mut FuncMap) {
    use Ty::Any;
    m.pure("mustToDuration", &[Any], None, |a| {
        as_duration(&a[0]).map(|d| Duration(d).value())
    });
    let float = |name: &str, f: fn(Duration) -> f64, m: &mut FuncMap| {
        m.pure(name, &[Any], None, move |a| {
            Ok(Value::Float(
                as_duration(&a[0]).map_or(0.0, |d| f(Duration(d))),
            ))
        });
    };
    float("durationSeconds", |d| d.units(SECOND), m);
    float("durationMinutes", |d| d.units(60 * SECOND), m);
    float("durationHours", |d| d.units(3600 * SECOND), m);
    float("durationDays", |d| d.units(3600 * SECOND) / 24.0, m);
    float("durationWeeks", |d| d.units(3600 * SECOND) / 24.0 / 7.0, m);
    let int = |name: &str, per: i64, m: &mut FuncMap| {
        m.pure(name, &[Any], None, move |a| {
            Ok(Value::Int64(as_duration(&a[0]).map_or(0, |d| d / per)))
        });
    };
    int("durationMilliseconds", 1_000_000, m);
    int("durationMicroseconds", 1_000, m);
    int("durationNanoseconds", 1, m);
    let to = |name: &str, f: fn(Duration, i64) -> i64, m: &mut FuncMap| {
        m.pure(name, &[Any, Any], None, move |a| {
            let d = match as_duration(&a[0]) {
                Ok(d) => d,
                Err(_) => return Ok(Duration(0).value()),
            };
            Ok(Duration(match as_duration(&a[1]) {
                Ok(mul) => f(Duration(d), mul),
                Err(_) => d,
            })
            .value())
        });
    };
    to("durationRoundTo", Duration::round, m);
    to("durationTruncateTo", Duration::truncate, m);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn values_read_as_durations() {
        assert_eq!(as_duration(&s("1m30s")), Ok(90 * SECOND));
        assert_eq!(as_duration(&s("  2.5 ")), Ok(2_500_000_000));
        assert_eq!(as_duration(&Value::Int(2)), Ok(2 * SECOND));
        assert_eq!(as_duration(&Value::Float(1.5)), Ok(1_500_000_000));
        assert_eq!(as_duration(&s("  ")).unwrap_err(), "empty duration");
        assert_eq!(
            as_duration(&s("nope")).unwrap_err(),
            "could not parse duration \"nope\""
        );
        assert_eq!(as_duration(&Value::Nil).unwrap_err(), "invalid duration");
        assert!(as_duration(&Value::Int(MAX_SECONDS + 1)).is_err());
        assert!(as_duration(&Value::Float(f64::NAN)).is_err());
        assert_eq!(
            as_duration(&Value::Bool(true)).unwrap_err(),
            "unsupported duration type bool"
        );
        assert_eq!(as_duration(&Duration(7).value()), Ok(7));
    }

    #[test]
    fn rounding_and_units_follow_go() {
        let d = Duration(93 * SECOND);
        assert_eq!(duration_string(d.round(60 * SECOND)), "2m0s");
        assert_eq!(duration_string(d.truncate(60 * SECOND)), "1m0s");
        assert_eq!(d.round(0), 93 * SECOND);
        assert_eq!(Duration(-93 * SECOND).round(60 * SECOND), -120 * SECOND);
        assert_eq!(Duration(90 * SECOND).units(60 * SECOND), 1.5);
        assert_eq!(
            Duration(i64::MAX).round(2 * SECOND),
            9_223_372_036_000_000_000
        );
        // Rounding up past the largest duration saturates.
        assert_eq!(
            Duration(i64::MAX).round(6_000_000_000_000_000_000),
            i64::MAX
        );
    }
}
