//! Go duration strings (`metav1.Duration`): `1h`, `5m30s`, `1.5h`, `300ms`, `1h0m0s`.
//!
//! [`Duration`] keeps the text it was read from, so `interval: 5m` serializes back as `5m`;
//! a duration built from a number is written the way Go's `time.Duration.String()` writes it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The pattern Flux's CRDs put on duration fields.
pub const DURATION_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";
/// The pattern Flux's CRDs put on most source `timeout` fields (no hours).
pub const TIMEOUT_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$";

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}")]
pub struct DurationError {
    /// The text given.
    pub input: String,
}

/// A non-negative duration that remembers its original spelling.
#[derive(Clone, Debug, Default)]
pub struct Duration {
    value: std::time::Duration,
    text: Option<String>,
}

impl Duration {
    /// Parses Go's `time.ParseDuration` syntax (units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`;
    /// fractions allowed; bare `0`). Negative durations are refused.
    pub fn parse(s: &str) -> Result<Self, DurationError> {
        let value = parse_go(s).ok_or_else(|| DurationError {
            input: s.to_string(),
        })?;
        Ok(Duration {
            value,
            text: Some(s.to_string()),
        })
    }

    /// A duration with no original text; it is written in Go's canonical form.
    pub fn from_std(value: std::time::Duration) -> Self {
        Duration { value, text: None }
    }

    /// Seconds shorthand.
    pub fn from_secs(secs: u64) -> Self {
        Self::from_std(std::time::Duration::from_secs(secs))
    }

    /// The value.
    pub fn as_std(&self) -> std::time::Duration {
        self.value
    }

    /// The text as it will be serialized: the original spelling when there is one.
    pub fn as_text(&self) -> Cow<'_, str> {
        match &self.text {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(format_go(self.value)),
        }
    }

    /// Go's `time.Duration.String()` form, e.g. `1h0m0s`.
    pub fn canonical(&self) -> String {
        format_go(self.value)
    }

    /// Whether the text matches the pattern Flux's CRDs enforce (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`).
    pub fn matches_crd_pattern(&self) -> bool {
        matches_flux_pattern(&self.as_text(), true)
    }

    /// Whether the text matches the stricter timeout pattern (`^([0-9]+(\.[0-9]+)?(ms|s|m))+$`).
    pub fn matches_timeout_pattern(&self) -> bool {
        matches_flux_pattern(&self.as_text(), false)
    }
}

impl PartialEq for Duration {
    /// Durations compare by value: `5m` equals `5m0s`.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for Duration {}

impl From<std::time::Duration> for Duration {
    fn from(value: std::time::Duration) -> Self {
        Duration::from_std(value)
    }
}

impl FromStr for Duration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse(s)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_text())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_text())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string such as \"5m\" or \"1h30m\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                // Go accepts only "0" without a unit.
                if v == 0 {
                    Duration::parse("0").map_err(E::custom)
                } else {
                    Err(E::custom(format!("invalid duration {v}: missing unit")))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::custom(format!("invalid duration {v}"))),
                }
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!("invalid duration {v}: missing unit")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": DURATION_PATTERN,
        })
    }
}

fn matches_flux_pattern(s: &str, hours: bool) -> bool {
    // ^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$ without pulling a regex in.
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let frac = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == frac {
                return false;
            }
        }
        if b[i..].starts_with(b"ms") {
            i += 2;
        } else if i < b.len() && (matches!(b[i], b's' | b'm') || (hours && b[i] == b'h')) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

const NS: u128 = 1;
const US: u128 = 1_000;
const MS: u128 = 1_000_000;
const SEC: u128 = 1_000_000_000;
const MIN: u128 = 60 * SEC;
const HOUR: u128 = 60 * MIN;

fn parse_go(s: &str) -> Option<std::time::Duration> {
    let mut rest = s;
    if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    } else if let Some(r) = rest.strip_prefix('-') {
        // Negative durations only make sense as zero.
        return (r == "0").then_some(std::time::Duration::ZERO);
    }
    if rest == "0" {
        return Some(std::time::Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map(|(i, _)| i)
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale = match unit {
            "ns" => NS,
            "us" | "\u{b5}s" | "\u{3bc}s" => US,
            "ms" => MS,
            "s" => SEC,
            "m" => MIN,
            "h" => HOUR,
            _ => return None,
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut amount = whole.checked_mul(scale)?;
        if !frac_part.is_empty() {
            // Go keeps the fraction exact up to nanoseconds and truncates the rest.
            let mut frac_ns: u128 = 0;
            let mut denom: u128 = 1;
            for d in frac_part.bytes().take(30) {
                frac_ns = frac_ns * 10 + u128::from(d - b'0');
                denom *= 10;
            }
            amount = amount.checked_add(frac_ns.checked_mul(scale)? / denom)?;
        }
        total = total.checked_add(amount)?;
        if total > i64::MAX as u128 {
            return None;
        }
        rest = next;
    }
    let secs = u64::try_from(total / SEC).ok()?;
    let nanos = u32::try_from(total % SEC).ok()?;
    Some(std::time::Duration::new(secs, nanos))
}

fn fraction(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let rem = value % unit;
    if rem == 0 {
        return whole.to_string();
    }
    let width = unit.to_string().len() - 1;
    let digits = format!("{rem:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Formats like Go's `time.Duration.String()`.
pub fn format_go(d: std::time::Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".to_string();
    }
    if ns < US {
        return format!("{ns}ns");
    }
    if ns < MS {
        return format!("{}µs", fraction(ns, US));
    }
    if ns < SEC {
        return format!("{}ms", fraction(ns, MS));
    }
    let hours = ns / HOUR;
    let mins = (ns % HOUR) / MIN;
    let secs = ns % MIN;
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || mins > 0 {
        out.push_str(&format!("{mins}m"));
    }
    out.push_str(&format!("{}s", fraction(secs, SEC)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> f64 {
        Duration::parse(s).unwrap().as_std().as_secs_f64()
    }

    #[test]
    fn parses_go_syntax() {
        assert_eq!(secs("1h"), 3600.0);
        assert_eq!(secs("5m30s"), 330.0);
        assert_eq!(secs("1.5h"), 5400.0);
        assert_eq!(secs("300ms"), 0.3);
        assert_eq!(secs("1h0m0s"), 3600.0);
        assert_eq!(secs("0"), 0.0);
        assert_eq!(secs(".5s"), 0.5);
        assert_eq!(secs("1.s"), 1.0);
        assert_eq!(Duration::parse("2us").unwrap().as_std().as_nanos(), 2000);
        assert_eq!(Duration::parse("2µs").unwrap().as_std().as_nanos(), 2000);
        assert_eq!(Duration::parse("7ns").unwrap().as_std().as_nanos(), 7);
        assert_eq!(secs("1h1h"), 7200.0);
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "5",
            "5x",
            "h",
            ".s",
            "1d",
            "-5m",
            "1h 2m",
            "1.2.3s",
            "99999999999h",
            "s1",
        ] {
            let err = Duration::parse(bad).expect_err(bad);
            assert_eq!(err.to_string(), format!("invalid duration {bad:?}"));
        }
    }

    #[test]
    fn formats_like_go() {
        let f = |s: u64| format_go(std::time::Duration::from_secs(s));
        assert_eq!(f(3600), "1h0m0s");
        assert_eq!(f(90), "1m30s");
        assert_eq!(f(0), "0s");
        assert_eq!(f(59), "59s");
        assert_eq!(f(3661), "1h1m1s");
        assert_eq!(f(86400 * 2), "48h0m0s");
        assert_eq!(format_go(std::time::Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_go(std::time::Duration::from_millis(300)), "300ms");
        assert_eq!(format_go(std::time::Duration::from_micros(1500)), "1.5ms");
        assert_eq!(format_go(std::time::Duration::from_nanos(1500)), "1.5µs");
        assert_eq!(format_go(std::time::Duration::from_nanos(12)), "12ns");
        assert_eq!(format_go(std::time::Duration::new(61, 5)), "1m1.000000005s");
    }

    #[test]
    fn keeps_original_text() {
        let d: Duration = serde_json::from_str("\"5m\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"5m\"");
        assert_eq!(d.canonical(), "5m0s");
        assert_eq!(d, Duration::from_secs(300));
        assert_eq!(
            serde_json::to_string(&Duration::from_secs(300)).unwrap(),
            "\"5m0s\""
        );
    }

    #[test]
    fn crd_pattern() {
        assert!(Duration::parse("1h30m").unwrap().matches_crd_pattern());
        assert!(Duration::parse("1.5h").unwrap().matches_crd_pattern());
        assert!(!Duration::parse("0").unwrap().matches_crd_pattern());
        assert!(!Duration::parse("1us").unwrap().matches_crd_pattern());
        assert!(!Duration::parse(".5s").unwrap().matches_crd_pattern());
        assert!(Duration::parse("90s").unwrap().matches_timeout_pattern());
        assert!(!Duration::parse("1h").unwrap().matches_timeout_pattern());
    }
}
