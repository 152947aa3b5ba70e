//! Sprig's encodings (base64, base32, JSON), paths, URLs, environment and UUIDs.

use super::{FuncMap, Ty, arg_str, s};
use crate::value::{Map, Value, read};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("b64enc", &[Str], None, |a| {
        Ok(s(STANDARD.encode(arg_str(&a[0]))))
    });
    m.pure("b64dec", &[Str], None, |a| {
        Ok(s(match STANDARD.decode(arg_str(&a[0])) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => go_b64_error(&e),
        }))
    });
    m.pure("b32enc", &[Str], None, |a| {
        Ok(s(b32enc(arg_str(&a[0]).as_bytes())))
    });
    m.pure("b32dec", &[Str], None, |a| {
        Ok(s(match b32dec(arg_str(&a[0])) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(i) => format!("illegal base32 data at input byte {i}"),
        }))
    });
    for (name, must) in [("toJson", false), ("mustToJson", true)] {
        m.pure(name, &[Any], None, move |a| {
            match to_json(&a[0], true, None) {
                Ok(j) => Ok(s(j)),
                Err(e) if must => Err(e),
                Err(_) => Ok(s("")),
            }
        });
    }
    for (name, must) in [("toPrettyJson", false), ("mustToPrettyJson", true)] {
        m.pure(name, &[Any], None, move |a| {
            match to_json(&a[0], true, Some("  ")) {
                Ok(j) => Ok(s(j)),
                Err(e) if must => Err(e),
                Err(_) => Ok(s("")),
            }
        });
    }
    for (name, must) in [("toRawJson", false), ("mustToRawJson", true)] {
        m.pure(name, &[Any], None, move |a| {
            match to_json(&a[0], false, None) {
                Ok(j) => Ok(s(j)),
                Err(e) if must => Err(e),
                Err(_) => Ok(s("")),
            }
        });
    }
    m.pure("fromJson", &[Str], None, |a| {
        Ok(serde_json::from_str::<serde_json::Value>(arg_str(&a[0]))
            .map(|j| Value::from_json(&j))
            .unwrap_or(Value::Nil))
    });
    m.pure("mustFromJson", &[Str], None, |a| {
        serde_json::from_str::<serde_json::Value>(arg_str(&a[0]))
            .map(|j| Value::from_json(&j))
            .map_err(|e| go_json_error(&e))
    });
    for name in ["base", "osBase"] {
        m.pure(name, &[Str], None, |a| Ok(s(path_base(arg_str(&a[0])))));
    }
    for name in ["dir", "osDir"] {
        m.pure(name, &[Str], None, |a| Ok(s(path_dir(arg_str(&a[0])))));
    }
    for name in ["clean", "osClean"] {
        m.pure(name, &[Str], None, |a| Ok(s(path_clean(arg_str(&a[0])))));
    }
    for name in ["ext", "osExt"] {
        m.pure(name, &[Str], None, |a| {
            let p = arg_str(&a[0]);
            let last = p.rsplit('/').next().unwrap_or("");
            Ok(s(last.rfind('.').map_or("", |i| &last[i..])))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        m.pure(name, &[Str], None, |a| {
            Ok(Value::Bool(arg_str(&a[0]).starts_with('/')))
        });
    }
    m.pure("env", &[Str], None, |a| {
        Ok(s(std::env::var(arg_str(&a[0])).unwrap_or_default()))
    });
    m.pure("expandenv", &[Str], None, |a| {
        Ok(s(expand_env(arg_str(&a[0]))))
    });
    m.pure("uuidv4", &[], None, |_| {
        Ok(s(uuid::Uuid::new_v4().to_string()))
    });
    m.pure("urlParse", &[Str], None, |a| url_parse(arg_str(&a[0])));
    m.pure("urlJoin", &[Map], None, |a| Ok(s(url_join(&a[0]))));
    m.pure("getHostByName", &[Str], None, |_| Ok(s("")));
}

/// Go's wording for the common JSON decode errors.
pub(crate) fn go_json_error(e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    e.to_string()
}

pub(crate) fn go_b64_error(e: &base64::DecodeError) -> String {
    let off = match e {
        base64::DecodeError::InvalidByte(i, _) => *i,
        base64::DecodeError::InvalidLength(n) => *n,
        base64::DecodeError::InvalidLastSymbol(i, _) => *i,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {off}")
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b32enc(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let v = buf.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
        let n = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < n {
                out.push(B32[((v >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32dec(s: &str) -> Result<Vec<u8>, usize> {
    let s = s.trim_end_matches(['\n', '\r']);
    if !s.len().is_multiple_of(8) {
        return Err(s.len() / 8 * 8);
    }
    let mut out = Vec::new();
    for (ci, chunk) in s.as_bytes().chunks(8).enumerate() {
        let mut v = 0u64;
        let mut n = 0;
        for (i, c) in chunk.iter().enumerate() {
            if *c == b'=' {
                continue;
            }
            let Some(d) = B32.iter().position(|x| x == c) else {
                return Err(ci * 8 + i);
            };
            v |= (d as u64) << (35 - i * 5);
            n = i + 1;
        }
        let bytes = n * 5 / 8;
        for i in 0..bytes {
            out.push((v >> (32 - i * 8)) as u8);
        }
    }
    Ok(out)
}

/// Go's `encoding/json` float format.
pub(crate) fn json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = crate::fmt::format_float(f, 'e', -1);
        // e-07 → e-7
        if let Some(i) = s.find("e-0") {
            return format!("{}e-{}", &s[..i], &s[i + 3..]);
        }
        if let Some(i) = s.find("e+0") {
            return format!("{}e+{}", &s[..i], &s[i + 3..]);
        }
        return s;
    }
    crate::fmt::format_float(f, 'f', -1)
}

/// `json.Marshal` (`indent` for `MarshalIndent(v, "", indent)`).
pub fn to_json(v: &Value, html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, html, indent, 0)?;
    Ok(out)
}

fn nl(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(i) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(i);
        }
    }
}

fn write_json(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    if depth > crate::value::MAX_DEPTH {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    match v {
        Value::Missing | Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    crate::fmt::format_float(*f, 'g', -1)
                ));
            }
            out.push_str(&json_float(*f));
        }
        Value::String(s) => ferroflux_goformat::write_json_string(out, s, html),
        Value::List(_) | Value::StrList(_) => {
            let items = v.list_items().unwrap_or_default();
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, indent, depth + 1);
                write_json(out, x, html, indent, depth + 1)?;
            }
            if !items.is_empty() {
                nl(out, indent, depth);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let m = read(m);
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, indent, depth + 1);
                ferroflux_goformat::write_json_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, html, indent, depth + 1)?;
            }
            if !m.is_empty() {
                nl(out, indent, depth);
            }
            out.push('}');
        }
        Value::Object(o) => match o.marshal_json() {
            Some(j) => out.push_str(&j),
            None => out.push_str("{}"),
        },
    }
    Ok(())
}

pub(crate) fn path_clean(p: &str) -> String {
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

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

fn expand_env(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            let rest = &s[i + 1..];
            if let Some(r) = rest.strip_prefix('{')
                && let Some(e) = r.find('}')
            {
                out.push_str(&std::env::var(&r[..e]).unwrap_or_default());
                i += e + 3;
                continue;
            }
            let n = rest
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            if n > 0 {
                out.push_str(&std::env::var(&rest[..n]).unwrap_or_default());
                i += n + 1;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn url_parse(u: &str) -> Result<Value, String> {
    let mut m = Map::new();
    let (rest, fragment) = u.split_once('#').unwrap_or((u, ""));
    let (scheme, rest) = match rest.find(':') {
        Some(i)
            if rest[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && i > 0 =>
        {
            (&rest[..i], &rest[i + 1..])
        }
        _ => ("", rest),
    };
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path, opaque, userinfo) = if let Some(r) = rest.strip_prefix("//") {
        let (auth, path) = match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        };
        let (ui, host) = match auth.rfind('@') {
            Some(i) => (&auth[..i], &auth[i + 1..]),
            None => ("", auth),
        };
        (host, path, "", ui)
    } else if !scheme.is_empty() && !rest.starts_with('/') {
        ("", "", rest, "")
    } else {
        ("", rest, "", "")
    };
    let hostname = match host.rfind(':') {
        Some(i) if !host.ends_with(']') => &host[..i],
        _ => host,
    };
    m.insert("scheme".into(), s(scheme));
    m.insert("host".into(), s(host));
    m.insert(
        "hostname".into(),
        s(hostname.trim_start_matches('[').trim_end_matches(']')),
    );
    m.insert("path".into(), s(path));
    m.insert("query".into(), s(query));
    m.insert("opaque".into(), s(opaque));
    m.insert("fragment".into(), s(fragment));
    m.insert("userinfo".into(), s(userinfo));
    Ok(Value::map(m))
}

fn url_join(d: &Value) -> String {
    let get = |k: &str| -> String {
        match d {
            Value::Map(m) => read(m).get(k).map(super::strval).unwrap_or_default(),
            _ => String::new(),
        }
    };
    let mut out = String::new();
    let scheme = get("scheme");
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    let opaque = get("opaque");
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        let host = get("host");
        let ui = get("userinfo");
        if !host.is_empty() || !ui.is_empty() || !scheme.is_empty() {
            out.push_str("//");
            if !ui.is_empty() {
                out.push_str(&ui);
                out.push('@');
            }
            out.push_str(&host);
        }
        let path = get("path");
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&path);
    }
    let q = get("query");
    if !q.is_empty() {
        out.push('?');
        out.push_str(&q);
    }
    let f = get("fragment");
    if !f.is_empty() {
        out.push('#');
        out.push_str(&f);
    }
    out
}
