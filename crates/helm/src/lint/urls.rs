//! The e-mail and URL checks `helm lint` makes on Chart.yaml (govalidator's `IsEmail`,
//! `IsURL` and `IsRequestURL`, the version Helm v4.3.1 pins), with the parts of Go's
//! `net/url` parser they rely on: what it refuses, and the host and path it finds.

use regex::Regex;
use std::sync::OnceLock;

/// Characters govalidator's patterns admit beside ASCII letters (`\x{00A0}-\x{D7FF}` …).
const UCS: &str = r"\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}";

fn email_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let atom = format!(r"[a-zA-Z0-9!#$%&'*+\-/=?^_`{{|}}~{UCS}]");
        let dot_atom = format!("{atom}+(\\.{atom}+)*");
        let ws = r"(((\x20|\x09)*(\x0d\x0a))?(\x20|\x09)+)";
        let qtext =
            format!(r"([\x01-\x08\x0b\x0c\x0e-\x1f\x7f]|\x21|[\x23-\x5b]|[\x5d-\x7e]|[{UCS}])");
        let qpair = format!(r"(\\([\x01-\x09\x0b\x0c\x0d-\x7f]|[{UCS}]))");
        let quoted = format!("(\\x22({ws}?({qtext}|{qpair}))*{ws}?\\x22)");
        let an = format!("[a-zA-Z0-9{UCS}]");
        let a = format!("[a-zA-Z{UCS}]");
        let label = format!("({an}|({an}[a-zA-Z0-9\\-._~{UCS}]*{an}))");
        let tld = format!("({a}|({a}[a-zA-Z0-9\\-_~{UCS}]*{a}))");
        Regex::new(&format!("^(({dot_atom})|{quoted})@({label}\\.)+{tld}\\.?$"))
            .expect("email pattern")
    })
}

/// govalidator's `IsEmail`.
pub fn is_email(s: &str) -> bool {
    email_regex().is_match(s)
}

fn url_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Go's `\S` is "not ASCII white space"; `\d` ASCII digits.
        let schema = r"((ftp|tcp|udp|wss?|https?)://)";
        let user = r"([^\t\n\f\r ]+(:[^\t\n\f\r ]*)?@)";
        let ip4 = r"([1-9][0-9]?|1[0-9][0-9]|2[01][0-9]|22[0-3]|24[0-9]|25[0-5])(\.([0-9]{1,2}|1[0-9][0-9]|2[0-4][0-9]|25[0-5])){2}(?:\.([0-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5]))";
        let h = "[0-9a-fA-F]{1,4}";
        let v4 = r"((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])";
        let ip6 = format!(
            "(({h}:){{7,7}}{h}|({h}:){{1,7}}:|({h}:){{1,6}}:{h}|({h}:){{1,5}}(:{h}){{1,2}}|({h}:){{1,4}}(:{h}){{1,3}}|({h}:){{1,3}}(:{h}){{1,4}}|({h}:){{1,2}}(:{h}){{1,5}}|{h}:((:{h}){{1,6}})|:((:{h}){{1,7}}|:)|fe80:(:[0-9a-fA-F]{{0,4}}){{0,4}}%[0-9a-zA-Z]{{1,}}|::(ffff(:0{{1,4}}){{0,1}}:){{0,1}}{v4}|({h}:){{1,4}}:{v4})"
        );
        let sub = r"((www\.)|([a-zA-Z0-9]+([-_.]?[a-zA-Z0-9])*[a-zA-Z0-9]\.[a-zA-Z0-9]+))";
        let u = r"[a-zA-Z\x{00a1}-\x{ffff}0-9]";
        let host = format!(
            r"(([a-zA-Z0-9]([a-zA-Z0-9-_]+)?[a-zA-Z0-9]([-.][a-zA-Z0-9]+)*)|({sub}?))?(({u}+-?-?)*{u}+)(?:\.([a-zA-Z\x{{00a1}}-\x{{ffff}}]{{1,}}))?"
        );
        Regex::new(&format!(
            r"^{schema}?{user}?(({ip4}|(\[{ip6}\])|({host})))\.?(:([0-9]{{1,5}}))?((/|\?|#)[^\t\n\f\r ]*)?$"
        ))
        .expect("url pattern")
    })
}

/// govalidator's `IsURL`.
pub fn is_url(s: &str) -> bool {
    if s.is_empty() || s.chars().count() >= 2083 || s.len() <= 3 || s.starts_with('.') {
        return false;
    }
    let with_scheme;
    let parsed = if s.contains(':') && !s.contains("://") {
        with_scheme = format!("http://{s}");
        parse(&with_scheme, false)
    } else {
        parse(s, false)
    };
    let Ok(u) = parsed else {
        return false;
    };
    if u.host.starts_with('.') || (u.host.is_empty() && !u.path.is_empty() && !u.path.contains('.'))
    {
        return false;
    }
    url_regex().is_match(s)
}

/// govalidator's `IsRequestURL`: `url.ParseRequestURI` succeeds and finds a scheme.
pub fn is_request_url(s: &str) -> bool {
    parse(s, true).is_ok_and(|u| !u.scheme.is_empty())
}

#[derive(Debug, Default)]
struct GoUrl {
    scheme: String,
    host: String,
    path: String,
}

/// `url.Parse` (`via_request` false: the fragment is cut off first) or `url.ParseRequestURI`.
fn parse(raw: &str, via_request: bool) -> Result<GoUrl, ()> {
    let raw = if via_request {
        raw
    } else {
        let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
        unescape(frag, false)?;
        u
    };
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) || (raw.is_empty() && via_request) {
        return Err(());
    }
    let mut u = GoUrl::default();
    if raw == "*" {
        u.path = "*".into();
        return Ok(u);
    }
    let (scheme, rest) = scheme(raw)?;
    u.scheme = scheme.to_ascii_lowercase();
    let mut rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        rest.split_once('?').map_or(rest, |(r, _)| r)
    };
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            return Ok(u);
        }
        if via_request {
            return Err(());
        }
        let first = rest.split('/').next().unwrap_or_default();
        if first.contains(':') {
            return Err(());
        }
    }
    if (!u.scheme.is_empty() || (!via_request && !rest.starts_with("///")))
        && rest.starts_with("//")
    {
        let authority = &rest[2..];
        let (auth, path) = match authority.find('/') {
            Some(i) => authority.split_at(i),
            None => (authority, ""),
        };
        u.host = authority_host(auth)?;
        rest = path;
    }
    unescape(rest, false)?;
    u.path = rest.to_string();
    Ok(u)
}

fn scheme(raw: &str) -> Result<(&str, &str), ()> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn authority_host(auth: &str) -> Result<String, ()> {
    let (user, host) = match auth.rfind('@') {
        Some(i) => (Some(&auth[..i]), &auth[i + 1..]),
        None => (None, auth),
    };
    let port_ok = |p: &str| {
        p.is_empty()
            || p.strip_prefix(':')
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    if host.starts_with('[') {
        let i = host.rfind(']').ok_or(())?;
        if !port_ok(&host[i + 1..]) {
            return Err(());
        }
    } else if let Some(i) = host.rfind(':')
        && !port_ok(&host[i..])
    {
        return Err(());
    }
    unescape(host, true)?;
    if let Some(user) = user {
        let ok = user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b));
        if !ok {
            return Err(());
        }
        unescape(user, false)?;
    }
    Ok(host.to_string())
}

/// Go's `unescape` checks: `%` takes two hex digits; a host takes no character that must be
/// escaped.
fn unescape(s: &str, host: bool) -> Result<(), ()> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    return Err(());
                }
                // In a host only `%25` (an escaped `%`) or a non-ASCII byte may be escaped.
                if host
                    && &s[i..i + 3] != "%25"
                    && u8::from_str_radix(&s[i + 1..i + 2], 16).unwrap_or(0) < 8
                {
                    return Err(());
                }
                i += 3;
            }
            c if host && c < 0x80 && host_must_escape(c) => return Err(()),
            _ => i += 1,
        }
    }
    Ok(())
}

fn host_must_escape(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || b"!$&'()*+,;=:[]<>\"-_.~".contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.io",
            "first.last@sub.example.com",
            "x+y@a-b.org",
            "\"q s\"@x.io",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in ["notanemail", "a@b", "a@.io", "a b@c.io", "a@b.c1", "@x.io"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        for ok in [
            "https://example.com",
            "example.com",
            "http://localhost:8080/x",
            "github.com/a/b",
            "https://10.1.2.3/x",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in ["foo", "http://", "a b", ".x.com", "http://x:y/", "ab"] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn request_urls() {
        for ok in ["https://x", "mailto:a@b", "http://h/a b", "git+ssh://h/p"] {
            assert!(is_request_url(ok), "{ok}");
        }
        for bad in [
            "foo",
            "/abs/path",
            "not a url",
            "http://x:port/",
            "http://a%zz/",
            "http://a b/",
            ":x",
            "",
        ] {
            assert!(!is_request_url(bad), "{bad}");
        }
    }
}
