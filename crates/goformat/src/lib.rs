//! Rules of Go's text formats shared by ferroflux's writers; see README.md.

pub mod gobytes;

/// Go's `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// go-yaml v2's map key order: `a` sorts before `b`. Runs of digits compare as numbers (a
/// leading zero run keeps them apart), and at the first difference a letter sorts after a
/// non-letter.
pub fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// go-yaml's `isBase60Float`, `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`: YAML 1.1
/// sexagesimal numbers such as `12:30:00`, which yaml.v2 and yaml.v3 quote when they write
/// a string of this shape.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let len = i - start;
        if len == 0 || (len == 2 && b[start] > b'5') {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Days in `month` (1–12) of `year` in the proleptic Gregorian calendar, as Go's `time`
/// package counts them when it checks a date; `None` for a month outside 1–12.
pub fn days_in_month(year: i64, month: u32) -> Option<u32> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    Some(match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        _ => return None,
    })
}

/// YAML 1.1's float pattern, `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`: a plain
/// scalar of this shape reads back as a number.
pub fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// go-yaml's timestamp forms (v2 and v3 alike) (`2006-1-2T15:4:5.999999999Z07:00`, the same with `t`,
/// `2006-1-2 15:4:5.999999999` in UTC, `2006-1-2`) read as Go's `time.Parse` reads them,
/// written as `time.Time` marshals to JSON (RFC 3339 with nanoseconds).
pub fn go_yaml_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    // Up to two digits (Go's non-padded fields take one or two).
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse().ok()).flatten()
    };
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let mut i = 5;
    let month = num(&mut i, 2)?;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let day = num(&mut i, 2)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if i == b.len() {
        return Some(format!("{date}T00:00:00Z"));
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return None,
    };
    i += 1;
    let hour = num(&mut i, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let min = num(&mut i, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let sec = num(&mut i, 2)?;
    if hour >= 24 || min >= 60 || sec >= 60 {
        return None;
    }
    let mut frac = String::new();
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = s[start..i].chars().take(9).collect::<String>();
        frac = frac.trim_end_matches('0').to_string();
    }
    let zone = if zoned {
        match b.get(i) {
            Some(b'Z') => {
                i += 1;
                "Z".to_string()
            }
            Some(sign @ (b'+' | b'-')) => {
                let z = s.get(i + 1..i + 6)?;
                let zb = z.as_bytes();
                if zb[2] != b':' || !zb[..2].iter().chain(&zb[3..]).all(u8::is_ascii_digit) {
                    return None;
                }
                let (hh, mm): (u32, u32) = (z[..2].parse().ok()?, z[3..].parse().ok()?);
                if hh > 24 || mm > 60 {
                    return None;
                }
                i += 6;
                if hh == 0 && mm == 0 {
                    "Z".to_string()
                } else {
                    format!("{}{hh:02}:{mm:02}", *sign as char)
                }
            }
            _ => return None,
        }
    } else {
        "Z".to_string()
    };
    if i != b.len() {
        return None;
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Some(format!("{date}T{hour:02}:{min:02}:{sec:02}{frac}{zone}"))
}

/// A JSON string as Go's `encoding/json` writes it; with `html`, `<`, `>` and `&` are escaped
/// too (Go's default).
pub fn write_json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go 1.22 and later write the short escapes for these two.
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            // A byte that is not UTF-8: Go writes the replacement character.
            c if gobytes::is_raw_byte(c) => out.push(gobytes::decoded_char(c)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, or with `bits32` `FormatFloat(float64(float32(f)), 'g',
/// -1, 32)`: the shortest digits that read back at that width, as `%e` (two-digit exponent at
/// least) when the decimal exponent is below -4 or from 6 on, else as `%f`; `NaN`, `+Inf`, `-Inf`.
pub fn float_g(f: f64, bits32: bool) -> String {
    let (text, neg) = if bits32 {
        let f = f as f32;
        (format!("{:e}", f.abs()), f.is_sign_negative())
    } else {
        (format!("{:e}", f.abs()), f.is_sign_negative())
    };
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() || text == "inf" {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            out.push_str(&"0".repeat(int_len - digits.len()));
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// An I/O error as Go's `os` package words its cause (`open X: <this>`).
pub fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
    }
}

/// Go's `path.Clean` (also `filepath.Clean` on Unix): `.` and `a/..` pairs removed, `..`
/// kept at the start of a relative path and dropped at the root of an absolute one.
pub fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".into()
    } else {
        body
    }
}

/// Sorts by a "less" function that may not be a total order (go-yaml's key order is not
/// transitive on keys such as `v1beta1`, `v3`, `v10`): a merge sort that never gives up,
/// where Rust's own sorts may panic. Stable; on a consistent order it is an ordinary sort.
pub fn sort_by_less<T>(items: &mut Vec<T>, less: impl Fn(&T, &T) -> bool) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut buf = vec![0usize; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right run only when it is strictly less: stable.
                if less(&items[order[j]], &items[order[i]]) {
                    buf[k] = order[j];
                    j += 1;
                } else {
                    buf[k] = order[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - i)].copy_from_slice(&order[i..mid]);
            k += mid - i;
            buf[k..k + (end - j)].copy_from_slice(&order[j..end]);
            start = end;
        }
        std::mem::swap(&mut order, &mut buf);
        width *= 2;
    }
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn sort_by_less_survives_an_inconsistent_order() {
        let mut v: Vec<String> = [
            "e", "g", "app", "node2", "node10", "d", "port", "v1beta1", "v3", "a", "name", "x1a",
            "b", "image", "tag", "v10", "c", "node1", "v11", "x2", "x10",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        super::sort_by_less(&mut v, |a, b| super::key_less(a, b));
        assert_eq!(v.len(), 21);
        assert_eq!(&v[..3], ["a", "app", "b"]);
        let mut n = vec![5, 3, 9, 1, 3];
        super::sort_by_less(&mut n, |a, b| a < b);
        assert_eq!(n, [1, 3, 3, 5, 9]);
    }

    #[test]
    fn path_clean_is_gos() {
        assert_eq!(super::path_clean("a/./b/../c"), "a/c");
        assert_eq!(super::path_clean("../x"), "../x");
        assert_eq!(super::path_clean("a/../../x/"), "../x");
        assert_eq!(super::path_clean(""), ".");
        assert_eq!(super::path_clean("/../a//b/."), "/a/b");
        assert_eq!(super::path_clean("p2/../sub"), "sub");
    }

    use super::*;

    #[test]
    fn days_in_months() {
        assert_eq!(days_in_month(2024, 2), Some(29));
        assert_eq!(days_in_month(1900, 2), Some(28));
        assert_eq!(days_in_month(2000, 2), Some(29));
        assert_eq!(days_in_month(2023, 4), Some(30));
        assert_eq!(days_in_month(2023, 12), Some(31));
        assert_eq!(days_in_month(2023, 0), None);
        assert_eq!(days_in_month(2023, 13), None);
    }

    #[test]
    fn base60_floats() {
        for yes in ["12:30", "1:2:3", "-1_0:59.5", "+0:00.", "190:20:30"] {
            assert!(is_base60_float(yes), "{yes}");
        }
        for no in ["12", "12:60", "1:", ":1", "1:123", "a:1", "1:2:x", "1.5:2"] {
            assert!(!is_base60_float(no), "{no}");
        }
    }

    #[test]
    fn keys_order_like_go_yaml() {
        assert!(key_less("a", "b"));
        assert!(key_less("a2", "a10"), "digit runs compare as numbers");
        assert!(!key_less("a10", "a2"));
        assert!(key_less("_x", "ax"), "non-letters before letters");
        assert!(key_less("a", "ab"));
        assert!(!key_less("same", "same"));
    }

    #[test]
    fn json_strings_like_encoding_json() {
        let mut out = String::new();
        write_json_string(&mut out, "a\"b\\<&>\n\u{1}\u{2028}é", true);
        assert_eq!(out, r#""a\"b\\\u003c\u0026\u003e\n\u0001\u2028é""#);
        let mut plain = String::new();
        write_json_string(&mut plain, "<&>", false);
        assert_eq!(plain, r#""<&>""#);
    }

    #[test]
    fn floats_by_the_yaml_1_1_pattern() {
        for yes in ["1.5", "-1", "+.5", "1.", "1e3", "2.5E-7", "10"] {
            assert!(is_yaml_float(yes), "{yes}");
        }
        for no in ["", ".", "e3", "1e", "1.2.3", "1_000", "0x1f", "abc"] {
            assert!(!is_yaml_float(no), "{no}");
        }
    }
}

/// The indicators libyaml's emitter finds at one character of a scalar
/// (`yaml_emitter_analyze_scalar`): whether it rules out the plain style in flow context and in
/// block context. `first` is the scalar's first character; `followed_ws`/`preceded_ws` say
/// whether a blank (or the end/start) is next to it. go-yaml v2 (Helm) and v3 (kustomize)
/// share this part of the analysis.
pub fn scalar_char_indicators(
    c: char,
    first: bool,
    followed_ws: bool,
    preceded_ws: bool,
) -> (bool, bool) {
    if first {
        match c {
            '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
            | '@' | '`' => (true, true),
            '?' | ':' => (true, followed_ws),
            '-' if followed_ws => (true, true),
            _ => (false, false),
        }
    } else {
        match c {
            ',' | '?' | '[' | ']' | '{' | '}' => (true, false),
            ':' => (true, followed_ws),
            '#' if preceded_ws => (true, true),
            _ => (false, false),
        }
    }
}

#[cfg(test)]
mod scalar_indicator_tests {
    use super::scalar_char_indicators as ind;

    #[test]
    fn indicators() {
        assert_eq!(ind('#', true, false, true), (true, true));
        assert_eq!(ind(':', true, false, true), (true, false));
        assert_eq!(ind(':', false, true, false), (true, true));
        assert_eq!(ind('-', true, false, true), (false, false));
        assert_eq!(ind('#', false, false, false), (false, false));
        assert_eq!(ind('{', false, false, false), (true, false));
    }

    #[test]
    fn floats_format_as_go_g() {
        use crate::float_g;
        assert_eq!(float_g(0.1, true), "0.1");
        assert_eq!(float_g(1234567.0, true), "1.234567e+06");
        assert_eq!(float_g(0.00001, true), "1e-05");
        assert_eq!(float_g(123456.0, true), "123456");
        assert_eq!(float_g(-2.5, false), "-2.5");
        assert_eq!(float_g(1e21, false), "1e+21");
        assert_eq!(float_g(100.0, false), "100");
        assert_eq!(float_g(0.0001, false), "0.0001");
        assert_eq!(float_g(0.0, false), "0");
        assert_eq!(float_g(-0.0, false), "-0");
        assert_eq!(float_g(1.1, true), "1.1");
        assert_eq!(float_g(16777217.0, true), "1.6777216e+07");
        assert_eq!(float_g(f64::NAN, false), "NaN");
        assert_eq!(float_g(f64::NEG_INFINITY, true), "-Inf");
        assert_eq!(float_g(1e300, true), "+Inf");
    }
}
