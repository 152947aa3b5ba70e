//! go-yaml v2's scalar resolution (`resolve.go` and `decode.go`'s `d.scalar`): what a scalar
//! decodes to in `interface{}` under YAML 1.1 rules and the core tags. Shared by every reader of
//! YAML as Go reads it (values and manifests here, Helm repository indexes in ferroflux-source).

/// A scalar decoded into `interface{}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

pub const TAG_PREFIX: &str = "tag:yaml.org,2002:";
pub const STR: &str = "tag:yaml.org,2002:str";
pub const INT: &str = "tag:yaml.org,2002:int";
pub const FLOAT: &str = "tag:yaml.org,2002:float";
pub const BOOL: &str = "tag:yaml.org,2002:bool";
pub const NULL: &str = "tag:yaml.org,2002:null";
pub const BINARY: &str = "tag:yaml.org,2002:binary";
pub const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
pub const MERGE: &str = "tag:yaml.org,2002:merge";

/// `!!name` for the core tags, the tag itself otherwise (as go-yaml prints tags in errors).
pub fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(TAG_PREFIX) {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

// Alias expansion limits, as go-yaml v2.
const ALIAS_RATIO_RANGE_LOW: u64 = 400_000;
const ALIAS_RATIO_RANGE_HIGH: u64 = 4_000_000;

/// How many of the decodes may come from aliases before go-yaml gives up
/// ("document contains excessive aliasing").
pub fn allowed_alias_ratio(decodes: u64) -> f64 {
    if decodes <= ALIAS_RATIO_RANGE_LOW {
        0.99
    } else if decodes >= ALIAS_RATIO_RANGE_HIGH {
        0.10
    } else {
        0.99 - 0.89
            * ((decodes - ALIAS_RATIO_RANGE_LOW) as f64
                / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW) as f64)
    }
}

/// One scalar as go-yaml v2 decodes it into `interface{}` (`d.scalar`): `tag` is the full tag
/// (`""` when none, `"!"` for the non-specific tag), `plain` whether it was written plain.
pub fn scalar(value: &str, tag: &str, plain: bool) -> Result<Scalar, String> {
    let implicit = (plain && tag.is_empty()) || tag == "!";
    if tag.is_empty() && !implicit {
        return Ok(Scalar::Str(value.to_string()));
    }
    let (rtag, resolved) = resolve(tag, value)?;
    if rtag == BINARY {
        return decode_base64(value)
            .map(Scalar::Str)
            .ok_or_else(|| "!!binary value contains invalid base64 data".to_string());
    }
    if rtag == TIMESTAMP {
        // Kept as the original text when decoding into interface{}.
        return Ok(Scalar::Str(value.to_string()));
    }
    Ok(resolved)
}

fn decode_base64(s: &str) -> Option<String> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    let clean: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let bytes = ENGINE.decode(clean).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// go-yaml v2's `resolve`: the tag a scalar resolves to and its value.
fn resolve(tag: &str, input: &str) -> Result<(&'static str, Scalar), String> {
    let resolvable = matches!(tag, "" | STR | BOOL | INT | FLOAT | TIMESTAMP | NULL);
    if !resolvable {
        let rtag = if tag == BINARY { BINARY } else { "" };
        return Ok((rtag, Scalar::Str(input.to_string())));
    }
    let (rtag, out) = resolve_untagged(tag, input);
    if tag.is_empty() || tag == rtag || tag == STR {
        return Ok((rtag, out));
    }
    if tag == FLOAT && rtag == INT {
        let f = match out {
            Scalar::Int(i) => i as f64,
            Scalar::Uint(u) => u as f64,
            _ => unreachable!("ints resolve to Int or Uint"),
        };
        return Ok((FLOAT, Scalar::Float(f)));
    }
    Err(format!(
        "cannot decode {} `{input}` as a {}",
        short_tag(rtag),
        short_tag(tag)
    ))
}

fn resolve_untagged(tag: &str, input: &str) -> (&'static str, Scalar) {
    let hint = match input.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    };
    if hint == 0 || tag == STR {
        return (STR, Scalar::Str(input.to_string()));
    }
    match input {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return (BOOL, Scalar::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return (BOOL, Scalar::Bool(false));
        }
        "" | "~" | "null" | "Null" | "NULL" => return (NULL, Scalar::Null),
        ".nan" | ".NaN" | ".NAN" => return (FLOAT, Scalar::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return (FLOAT, Scalar::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return (FLOAT, Scalar::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    match hint {
        b'.' => {
            if let Some(f) = go_parse_float(input) {
                return (FLOAT, Scalar::Float(f));
            }
        }
        b'D' | b'S' => {
            if (tag.is_empty() || tag == TIMESTAMP) && is_timestamp(input) {
                return (TIMESTAMP, Scalar::Str(input.to_string()));
            }
            let plain = input.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return (INT, Scalar::Int(i));
            }
            if let Some(u) = go_parse_uint(&plain) {
                return (INT, Scalar::Uint(u));
            }
            if ferroflux_goformat::is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return (FLOAT, Scalar::Float(f));
            }
        }
        _ => {}
    }
    (STR, Scalar::Str(input.to_string()))
}

/// `strconv.ParseUint(s, 0, 64)` for text without underscores.
fn go_parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (radix, digits) = if b[0] == b'0' && b.len() >= 3 && matches!(b[1], b'b' | b'B') {
        (2, &s[2..])
    } else if b[0] == b'0' && b.len() >= 3 && matches!(b[1], b'o' | b'O') {
        (8, &s[2..])
    } else if b[0] == b'0' && b.len() >= 3 && matches!(b[1], b'x' | b'X') {
        (16, &s[2..])
    } else if b[0] == b'0' {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// `strconv.ParseInt(s, 0, 64)` for text without underscores.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(body)?;
    if neg {
        if u <= 1 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseFloat(s, 64)` for text starting with `.` (decimal only; underscores allowed
/// between digits; out of range is an error).
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    // Underscores only between digits.
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !before || !after {
                return None;
            }
        }
    }
    let clean: String = s.chars().filter(|c| *c != '_').collect();
    if !ferroflux_goformat::is_yaml_float(&clean) {
        return None;
    }
    let f: f64 = format!("0{clean}").parse().ok()?;
    f.is_finite().then_some(f)
}

/// Does go-yaml read this as a timestamp (`2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`,
/// `2006-1-2t...`, `2006-1-2 15:4:5.999999999`)?
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: i64 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    // Go's getnum: one digit, or two when the second is a digit too.
    let num = |i: &mut usize| -> Option<u32> {
        let d0 = *b.get(*i)?;
        if !d0.is_ascii_digit() {
            return None;
        }
        *i += 1;
        let mut n = u32::from(d0 - b'0');
        if let Some(&d1) = b.get(*i)
            && d1.is_ascii_digit()
        {
            *i += 1;
            n = n * 10 + u32::from(d1 - b'0');
        }
        Some(n)
    };
    let Some(month) = num(&mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else {
        return false;
    };
    let days = ferroflux_goformat::days_in_month(year, month).unwrap_or(31);
    if day < 1 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let (Some(h), true, Some(m), true, Some(sec)) = (
        num(&mut i),
        {
            let ok = b.get(i) == Some(&b':');
            i += 1;
            ok
        },
        num(&mut i),
        {
            let ok = b.get(i) == Some(&b':');
            i += 1;
            ok
        },
        num(&mut i),
    ) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if i + 1 < b.len() && matches!(b[i], b'.' | b',') && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[0].is_ascii_digit()
                && z[1].is_ascii_digit()
                && z[2] == b':'
                && z[3].is_ascii_digit()
                && z[4].is_ascii_digit()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_as_go_yaml_v2_decodes_them() {
        let plain = |v: &str| scalar(v, "", true).expect("resolves");
        assert_eq!(plain("123"), Scalar::Int(123));
        assert_eq!(plain("0644"), Scalar::Int(420));
        assert_eq!(plain("yes"), Scalar::Bool(true));
        assert_eq!(plain("~"), Scalar::Null);
        assert_eq!(plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(plain("2024-01-02"), Scalar::Str("2024-01-02".into()));
        assert_eq!(plain("18446744073709551615"), Scalar::Uint(u64::MAX));
        // Quoted, and the non-specific tag `!` (helm v4.3.1 reads `a: ! 123` as a string).
        assert_eq!(scalar("123", "", false), Ok(Scalar::Str("123".into())));
        assert_eq!(scalar("123", "!", true), Ok(Scalar::Str("123".into())));
        assert_eq!(scalar("123", STR, true), Ok(Scalar::Str("123".into())));
        assert_eq!(scalar("1", FLOAT, true), Ok(Scalar::Float(1.0)));
        assert_eq!(scalar("aGk=", BINARY, false), Ok(Scalar::Str("hi".into())));
        assert_eq!(
            scalar("x", INT, true),
            Err("cannot decode !!str `x` as a !!int".to_string())
        );
    }
}
