//! The `format` checks of santhosh-tekuri/jsonschema v6 (Helm's validator), with its messages.
//! Helm asserts formats for schemas of draft-07 and older; newer drafts only annotate.

use ferroflux_gotemplate::fmt::go_quote;

/// Format names santhosh checks; any other name is not asserted.
pub const FORMATS: &[&str] = &[
    "json-pointer",
    "relative-json-pointer",
    "uuid",
    "duration",
    "period",
    "ipv4",
    "ipv6",
    "hostname",
    "email",
    "date",
    "time",
    "date-time",
    "uri",
    "iri",
    "uri-reference",
    "iri-reference",
    "uri-template",
    "semver",
    "regex",
];

/// Checks `s` against the format `name`; `Err` holds santhosh's reason.
pub fn check(name: &str, s: &str) -> Result<(), String> {
    match name {
        "json-pointer" => json_pointer(s),
        "relative-json-pointer" => relative_json_pointer(s),
        "uuid" => uuid(s),
        "duration" => duration(s),
        "period" => period(s),
        "ipv4" => ipv4(s),
        "ipv6" => ipv6(s),
        "hostname" => hostname(s),
        "email" => email(s),
        "date" => date(s),
        "time" => time(s),
        "date-time" => date_time(s),
        "uri" | "iri" => uri(s),
        "uri-reference" | "iri-reference" => uri_reference(s),
        "uri-template" => parse_url(s).map(|_| ()),
        "semver" => semver(s),
        "regex" => ferroflux_gotemplate::funcs::regex::go_regex(s).map(|_| ()),
        _ => Ok(()),
    }
}

/// Go's `%q` of a rune.
fn qrune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Go's `%q` of a byte used as a rune (`unit %q` in duration messages).
fn qbyte(b: u8) -> String {
    qrune(char::from(b))
}

fn json_pointer(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    if !s.starts_with('/') {
        return Err("not starting with /".into());
    }
    for tok in s.split('/').skip(1) {
        let mut escape = false;
        for ch in tok.chars() {
            if escape {
                escape = false;
                if ch != '0' && ch != '1' {
                    return Err("~ must be followed by 0 or 1".into());
                }
                continue;
            }
            if ch == '~' {
                escape = true;
                continue;
            }
            // Every other character is allowed (the ranges cover all but '/' and '~').
        }
        if escape {
            return Err("~ must be followed by 0 or 1".into());
        }
    }
    Ok(())
}

fn relative_json_pointer(s: &str) -> Result<(), String> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("must start with non-negative integer".into());
    }
    if digits > 1 && s.starts_with('0') {
        return Err("starts with zero".into());
    }
    let rest = &s[digits..];
    if rest == "#" {
        return Ok(());
    }
    json_pointer(rest)
}

fn uuid(s: &str) -> Result<(), String> {
    let lens = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = s.split('-').collect();
    if groups.len() != lens.len() {
        return Err(format!("must have {} elements", lens.len()));
    }
    for (i, g) in groups.iter().enumerate() {
        if g.len() != lens[i] {
            return Err(format!(
                "element {} must be {} characters long",
                i + 1,
                lens[i]
            ));
        }
        if let Some(c) = g.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!("non-hex character {}", qrune(c)));
        }
    }
    Ok(())
}

fn duration(s: &str) -> Result<(), String> {
    let Some(s) = s.strip_prefix('P') else {
        return Err("must start with P".into());
    };
    if s.is_empty() {
        return Err("nothing after P".into());
    }
    if let Some(w) = s.strip_suffix('W') {
        if w.is_empty() {
            return Err("no number in week".into());
        }
        if w.bytes().any(|c| !c.is_ascii_digit()) {
            return Err("invalid week".into());
        }
        return Ok(());
    }
    let all = ["YMD", "HMS"];
    for (i, part) in s.split('T').enumerate() {
        if i != 0 && part.is_empty() {
            return Err("no time elements".into());
        }
        if i >= all.len() {
            return Err("more than one T".into());
        }
        let mut units = all[i];
        let mut rest = part;
        while !rest.is_empty() {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return Err("missing number".into());
            }
            rest = &rest[n..];
            let Some(&unit) = rest.as_bytes().first() else {
                return Err("missing unit".into());
            };
            match units.bytes().position(|u| u == unit) {
                Some(j) => units = &units[j + 1..],
                None if all[i].as_bytes().contains(&unit) => {
                    return Err(format!("unit {} out of order", qbyte(unit)));
                }
                None => return Err(format!("invalid unit {}", qbyte(unit))),
            }
            rest = &rest[1..];
        }
    }
    Ok(())
}

fn period(s: &str) -> Result<(), String> {
    let Some((start, end)) = s.split_once('/') else {
        return Err("missing slash".into());
    };
    if start.starts_with('P') {
        duration(start).map_err(|e| format!("invalid start duration: {e}"))?;
        date_time(end).map_err(|e| format!("invalid end date-time: {e}"))?;
    } else {
        date_time(start).map_err(|e| format!("invalid start date-time: {e}"))?;
        if end.starts_with('P') {
            duration(end).map_err(|e| format!("invalid end duration: {e}"))?;
        } else {
            date_time(end).map_err(|e| format!("invalid end date-time: {e}"))?;
        }
    }
    Ok(())
}

/// Go's `strconv.Atoi` and its errors.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

fn ipv4(s: &str) -> Result<(), String> {
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() != 4 {
        return Err("expected four decimals".into());
    }
    for g in groups {
        if g.len() > 1 && g.starts_with('0') {
            return Err("leading zeros".into());
        }
        let n = atoi(g)?;
        if !(0..=255).contains(&n) {
            return Err("decimal must be between 0 and 255".into());
        }
    }
    Ok(())
}

fn ipv6(s: &str) -> Result<(), String> {
    if !s.contains(':') {
        return Err("missing colon".into());
    }
    let (addr, zone) = match s.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (s, None),
    };
    if addr.parse::<std::net::Ipv6Addr>().is_err() {
        // Go's netip.ParseAddr gives a more specific reason; the address is invalid either way.
        return Err(format!("ParseAddr({}): invalid IPv6 address", go_quote(s)));
    }
    if zone.is_some() {
        return Err("zone id is not a part of ipv6 address".into());
    }
    Ok(())
}

fn hostname(s: &str) -> Result<(), String> {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 {
        return Err("more than 253 characters long".into());
    }
    for label in s.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("label must be 1 to 63 characters long".into());
        }
        if label.starts_with('-') {
            return Err("label starts with hyphen".into());
        }
        if label.ends_with('-') {
            return Err("label ends with hyphen".into());
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!("invalid character {}", qrune(c)));
        }
    }
    Ok(())
}

fn email(s: &str) -> Result<(), String> {
    if s.len() > 254 {
        return Err("more than 255 characters long".into());
    }
    let Some(at) = s.rfind('@') else {
        return Err("missing @".into());
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.len() > 64 {
        return Err("local part more than 64 characters long".into());
    }
    if local.len() > 1 && local.starts_with('"') {
        let inner = &local[1..local.len() - 1];
        if inner.contains(['\\', '"']) {
            return Err("backslash and quote are not allowed within quoted local part".into());
        }
    } else {
        if local.starts_with('.') {
            return Err("starts with dot".into());
        }
        if local.ends_with('.') {
            return Err("ends with dot".into());
        }
        if local.contains("..") {
            return Err("consecutive dots".into());
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || ".!#$%&'*+-/=?^_`{|}~".contains(*c)))
        {
            return Err(format!("invalid character {}", qrune(c)));
        }
    }
    if domain.starts_with('[') && domain.ends_with(']') && domain.len() >= 2 {
        let inner = &domain[1..domain.len() - 1];
        if let Some(v6) = inner.strip_prefix("IPv6:") {
            return ipv6(v6).map_err(|e| format!("invalid ipv6 address: {e}"));
        }
        return ipv4(inner).map_err(|e| format!("invalid ipv4 address: {e}"));
    }
    hostname(domain).map_err(|e| format!("invalid domain: {e}"))
}

/// Go's `time.Parse("2006-01-02", s)`, with its error texts.
fn date(s: &str) -> Result<(), String> {
    const LAYOUT: &str = "2006-01-02";
    let cannot = |value: &str, elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(s),
            go_quote(LAYOUT),
            go_quote(value),
            go_quote(elem)
        )
    };
    let range = |what: &str| format!("parsing time {}: {what} out of range", go_quote(s));
    let digit = |v: &str, i: usize| v.as_bytes().get(i).is_some_and(u8::is_ascii_digit);
    // Year: four digits.
    if s.len() < 4 || !digit(s, 0) || !s.is_char_boundary(4) {
        return Err(cannot(s, "2006"));
    }
    let (y, rest) = s.split_at(4);
    let year: i64 = y.parse().map_err(|_| cannot(s, "2006"))?;
    let Some(rest) = rest.strip_prefix('-') else {
        return Err(cannot(rest, "-"));
    };
    // Month and day: exactly two digits each.
    let two = |v: &str, elem: &str| -> Result<(i64, usize), String> {
        if !digit(v, 0) || !digit(v, 1) {
            return Err(cannot(v, elem));
        }
        Ok((v[..2].parse().unwrap_or(0), 2))
    };
    let (month, n) = two(rest, "01")?;
    let mut range_err = (!(1..=12).contains(&month)).then_some("month");
    let rest = &rest[n..];
    let Some(rest) = rest.strip_prefix('-') else {
        return Err(cannot(rest, "-"));
    };
    let (day, n) = two(rest, "02")?;
    if !(0..=31).contains(&day) && range_err.is_none() {
        range_err = Some("day");
    }
    let rest = &rest[n..];
    if let Some(what) = range_err {
        return Err(range(what));
    }
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            go_quote(s),
            go_quote(rest)
        ));
    }
    let days = u32::try_from(month)
        .ok()
        .and_then(|m| ferroflux_goformat::days_in_month(year, m))
        .unwrap_or(31);
    if day < 1 || day > i64::from(days) {
        return Err(range("day"));
    }
    Ok(())
}

fn time(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.len() < 9 {
        return Err("less than 9 characters long".into());
    }
    if b[2] != b':' || b[5] != b':' {
        return Err("missing colon in correct place".into());
    }
    let mut hms = Vec::new();
    for tok in s.get(..8).unwrap_or_default().splitn(3, ':') {
        let i = atoi(tok).map_err(|_| "invalid hour/min/sec".to_string())?;
        if i < 0 {
            return Err("non-positive hour/min/sec".into());
        }
        hms.push(i);
    }
    if hms.len() != 3 {
        return Err("missing hour/min/sec".into());
    }
    let (mut h, mut m, sec) = (hms[0], hms[1], hms[2]);
    if h > 23 || m > 59 || sec > 60 {
        return Err("hour/min/sec out of range".into());
    }
    let mut rest = &s[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err("no digits in second fraction".into());
        }
        rest = &frac[n..];
    }
    if rest != "z" && rest != "Z" {
        if rest.len() != 6 {
            return Err("offset must be 6 characters long".into());
        }
        let sign = match rest.as_bytes()[0] {
            b'+' => -1,
            b'-' => 1,
            _ => return Err("offset must begin with plus/minus".into()),
        };
        let off = &rest[1..];
        if off.as_bytes()[2] != b':' {
            return Err("missing colon in offset in correct place".into());
        }
        let mut zhm = Vec::new();
        for tok in off.splitn(2, ':') {
            let i = atoi(tok).map_err(|_| "invalid hour/min in offset".to_string())?;
            if i < 0 {
                return Err("non-positive hour/min in offset".into());
            }
            zhm.push(i);
        }
        let (zh, zm) = (zhm[0], zhm[1]);
        if zh > 23 || zm > 59 {
            return Err("hour/min in offset out of range".into());
        }
        let mut hm = (h * 60 + m) + sign * (zh * 60 + zm);
        if hm < 0 {
            hm += 24 * 60;
        }
        (h, m) = (hm / 60, hm % 60);
    }
    if sec >= 60 && (h != 23 || m != 59) {
        return Err("invalid leap second".into());
    }
    Ok(())
}

fn date_time(s: &str) -> Result<(), String> {
    if s.len() < 20 {
        return Err("less than 20 characters long".into());
    }
    let b = s.as_bytes();
    if b[10] != b't' && b[10] != b'T' {
        return Err("11th character must be t or T".into());
    }
    let (Some(d), Some(t)) = (s.get(..10), s.get(11..)) else {
        return Err("11th character must be t or T".into());
    };
    date(d).map_err(|e| format!("invalid date element: {e}"))?;
    time(t).map_err(|e| format!("invalid time element: {e}"))
}

/// The parts of Go's `url.Parse` santhosh looks at; errors as Go words them.
struct Url {
    scheme: String,
}

fn url_error(u: &str, e: &str) -> String {
    format!("parse {}: {e}", go_quote(u))
}

/// Go's `url.Parse` (the checks that can fail) plus santhosh's IPv6 host checks.
fn parse_url(raw: &str) -> Result<Url, String> {
    let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
    if u.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(url_error(u, "net/url: invalid control character in URL"));
    }
    // Scheme: a letter, then letters, digits, '+', '-', '.', up to ':'.
    let mut scheme = String::new();
    let mut rest = u;
    for (i, c) in u.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err(url_error(u, "missing protocol scheme")),
            ':' => {
                scheme = u[..i].to_ascii_lowercase();
                rest = &u[i + 1..];
                break;
            }
            _ => break,
        }
    }
    let (rest, _query) = rest.split_once('?').unwrap_or((rest, ""));
    let check_escapes = |s: &str, whole: &str| -> Result<(), String> {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let ok =
                    b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
                if !ok {
                    let end = (i + 3).min(b.len());
                    let esc = String::from_utf8_lossy(&b[i..end]);
                    return Err(url_error(
                        whole,
                        &format!("invalid URL escape {}", go_quote(&esc)),
                    ));
                }
                i += 3;
                continue;
            }
            i += 1;
        }
        Ok(())
    };
    if !rest.starts_with('/') && !scheme.is_empty() {
        // Opaque ("mailto:x"): nothing more is parsed.
    } else if let Some(auth_path) = rest.strip_prefix("//") {
        let (authority, path) = match auth_path.find('/') {
            Some(i) => (&auth_path[..i], &auth_path[i..]),
            None => (auth_path, ""),
        };
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        if let Some(ui) = userinfo {
            let valid = ui
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
            if !valid {
                return Err(url_error(u, "net/url: invalid userinfo"));
            }
        }
        if let Some(h) = host.strip_prefix('[') {
            let Some(end) = h.find(']') else {
                return Err(url_error(u, "missing ']' in host"));
            };
            let after = &h[end + 1..];
            if !after.is_empty() && !valid_port(after) {
                return Err(url_error(
                    u,
                    &format!("invalid port {} after host", go_quote(after)),
                ));
            }
        } else if let Some(i) = host.rfind(':') {
            let port = &host[i..];
            if !valid_port(port) {
                return Err(url_error(
                    u,
                    &format!("invalid port {} after host", go_quote(port)),
                ));
            }
        }
        check_escapes(path, u)?;
        // santhosh: an IPv6 host must be bracketed and valid.
        let hostname = hostname_of(host);
        if hostname.contains(':') {
            if !host.contains('[') || !host.contains(']') {
                return Err("ipv6 address not enclosed in brackets".into());
            }
            ipv6(&hostname).map_err(|e| format!("invalid ipv6 address: {e}"))?;
        }
    } else {
        if scheme.is_empty() {
            let first = rest.split('/').next().unwrap_or_default();
            if first.contains(':') {
                return Err(url_error(
                    u,
                    "first path segment in URL cannot contain colon",
                ));
            }
        }
        check_escapes(rest, u)?;
    }
    check_escapes(frag, raw)?;
    Ok(Url { scheme })
}

/// `:digits` (or just `:`).
fn valid_port(p: &str) -> bool {
    p.strip_prefix(':')
        .is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit()))
}

/// Go's `URL.Hostname`.
fn hostname_of(host: &str) -> String {
    if let Some(h) = host.strip_prefix('[') {
        return h.split(']').next().unwrap_or_default().to_string();
    }
    match host.rfind(':') {
        Some(i) => host[..i].to_string(),
        None => host.to_string(),
    }
}

fn uri(s: &str) -> Result<(), String> {
    let u = parse_url(s)?;
    if u.scheme.is_empty() {
        return Err("relative url".into());
    }
    Ok(())
}

fn uri_reference(s: &str) -> Result<(), String> {
    if s.contains('\\') {
        return Err("contains \\".into());
    }
    parse_url(s).map(|_| ())
}

fn semver(s: &str) -> Result<(), String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut s = s;
    if let Some(i) = s.find('+') {
        let build = &s[i + 1..];
        if build.is_empty() {
            return Err("build is empty".into());
        }
        for id in build.split('.') {
            if id.is_empty() {
                return Err("build identifier is empty".into());
            }
            if let Some(c) = id.chars().find(|c| !ident(*c)) {
                return Err(format!(
                    "invalid character {} in build identifier",
                    qrune(c)
                ));
            }
        }
        s = &s[..i];
    }
    if let Some(i) = s.find('-') {
        for id in s[i + 1..].split('.') {
            if id.is_empty() {
                return Err("pre-release identifier is empty".into());
            }
            if let Some(c) = id.chars().find(|c| !ident(*c)) {
                return Err(format!(
                    "invalid character {} in pre-release identifier",
                    qrune(c)
                ));
            }
            if id.len() > 1 && id.bytes().all(|c| c.is_ascii_digit()) && id.starts_with('0') {
                return Err("pre-release numeric identifier starts with zero".into());
            }
        }
        s = &s[..i];
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 3 {
        return Err("versionCore must have 3 numbers separated by dot".into());
    }
    for (name, v) in ["major", "minor", "patch"].iter().zip(parts) {
        if v.is_empty() {
            return Err(format!("{name} is empty"));
        }
        if v.len() > 1 && v.starts_with('0') {
            return Err(format!("{name} starts with zero"));
        }
        if v.bytes().any(|c| !c.is_ascii_digit()) {
            return Err(format!("{name} contains non-digit"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    /// Reasons as helm v4.3.1 prints them after "'<value>' is not valid <format>: ".
    #[test]
    fn santhosh_reasons() {
        let cases = [
            ("hostname", "bad_host!", "invalid character '_'"),
            ("hostname", "-bad", "label starts with hyphen"),
            ("email", "a@b_c", "invalid domain: invalid character '_'"),
            ("ipv4", "1.2.3.256", "decimal must be between 0 and 255"),
            (
                "ipv4",
                "1.2.x.4",
                "strconv.Atoi: parsing \"x\": invalid syntax",
            ),
            ("uri", "/relative/path", "relative url"),
            (
                "date-time",
                "2024-13-01T00:00:00Z",
                "invalid date element: parsing time \"2024-13-01\": month out of range",
            ),
            ("uuid", "1234", "must have 5 elements"),
            (
                "date",
                "2024-02-30",
                "parsing time \"2024-02-30\": day out of range",
            ),
            (
                "date",
                "2024-1-01",
                "parsing time \"2024-1-01\" as \"2006-01-02\": cannot parse \"1-01\" as \"01\"",
            ),
            ("duration", "P1M2Y", "unit 'Y' out of order"),
            ("semver", "1.02.3", "minor starts with zero"),
        ];
        for (f, v, want) in cases {
            assert_eq!(check(f, v), Err(want.to_string()), "{f} {v}");
        }
        for (f, v) in [
            ("hostname", "a.example.com."),
            ("email", "me+x@example.org"),
            ("uri", "https://u@h:8443/p?q#f"),
            ("date-time", "2024-02-29T23:59:60Z"),
            ("duration", "P1Y2M3DT4H5M6S"),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000"),
            ("ipv6", "::ffff:10.0.0.1"),
            ("semver", "1.2.3-rc.1+build.5"),
        ] {
            assert_eq!(check(f, v), Ok(()), "{f} {v}");
        }
    }
}
