//! Flux's post-build variable syntax (fluxcd/pkg envsubst, a drone/envsubst fork):
//! `${var}` with bash-like operators; `$var` is left alone and `$${var}` escapes.

use crate::error::{ErrorKind, Result, err};
use indexmap::IndexMap;

/// Substitutes `${…}` expressions in `text`. In strict mode an unset variable
/// without a default is an error naming it.
pub fn substitute(text: &str, vars: &IndexMap<String, String>, strict: bool) -> Result<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1) == Some(&'$') && chars.get(i + 2) == Some(&'{') {
            out.push('$');
            i += 2;
            continue;
        }
        if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            let Some(end) = matching_brace(&chars, i + 2) else {
                return Err(err(ErrorKind::Substitution(format!(
                    "missing closing brace in {:?}",
                    snippet(&chars, i)
                ))));
            };
            let expr: String = chars[i + 2..end].iter().collect();
            out.push_str(&eval(&expr, vars, strict)?);
            i = end + 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    Ok(out)
}

fn snippet(chars: &[char], from: usize) -> String {
    chars[from..chars.len().min(from + 30)].iter().collect()
}

fn matching_brace(chars: &[char], mut i: usize) -> Option<usize> {
    let mut depth = 1;
    while i < chars.len() {
        match chars[i] {
            '{' if i > 0 && chars[i - 1] == '$' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn valid_name(s: &str) -> bool {
    let mut it = s.chars();
    matches!(it.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && it.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn eval(expr: &str, vars: &IndexMap<String, String>, strict: bool) -> Result<String> {
    if let Some(name) = expr.strip_prefix('#') {
        // Go's len(): bytes, not characters.
        return Ok(lookup(name, vars, strict)?.len().to_string());
    }
    let name_len = expr
        .chars()
        .take_while(|c| *c == '_' || c.is_ascii_alphanumeric())
        .count();
    let name = &expr[..name_len];
    let op = &expr[name_len..];
    if !valid_name(name) {
        return Err(err(ErrorKind::Substitution(format!(
            "invalid variable name in ${{{expr}}}"
        ))));
    }
    let value = vars.get(name).cloned();
    let default = |d: &str| substitute(d, vars, strict);
    if op.is_empty() {
        return lookup(name, vars, strict);
    }
    // Every default-style operator behaves like fluxcd/pkg's `toDefault`: an unset or
    // empty value takes the default. They are also exempt from strict mode.
    for prefix in [":-", ":=", ":?", ":+", "-", "=", "?", "+"] {
        if let Some(d) = op.strip_prefix(prefix) {
            return match value {
                Some(v) if !v.is_empty() => Ok(v),
                _ => default(d),
            };
        }
    }
    let v = lookup(name, vars, strict)?;
    match op {
        "^" => return Ok(map_first(&v, true)),
        "^^" => return Ok(v.to_uppercase()),
        "," => return Ok(map_first(&v, false)),
        ",," => return Ok(v.to_lowercase()),
        _ => {}
    }
    if let Some(rest) = op.strip_prefix(':') {
        let chars: Vec<char> = v.chars().collect();
        let (start, len) = match rest.split_once(':') {
            Some((s, l)) => (s.trim(), Some(l.trim())),
            None => (rest.trim(), None),
        };
        let start: i64 = start.parse().map_err(|_| {
            err(ErrorKind::Substitution(format!(
                "bad offset in ${{{expr}}}"
            )))
        })?;
        let n = chars.len() as i64;
        let s = if start < 0 {
            (n + start).max(0)
        } else {
            start.min(n)
        } as usize;
        let e = match len {
            None => chars.len(),
            Some(l) => {
                let l: i64 = l.parse().map_err(|_| {
                    err(ErrorKind::Substitution(format!(
                        "bad length in ${{{expr}}}"
                    )))
                })?;
                (s as i64 + l.max(0)).min(n) as usize
            }
        };
        return Ok(chars[s..e].iter().collect());
    }
    if let Some(p) = op.strip_prefix("##") {
        return Ok(trim_prefix(&v, p, true));
    }
    if let Some(p) = op.strip_prefix('#') {
        return Ok(trim_prefix(&v, p, false));
    }
    if let Some(p) = op.strip_prefix("%%") {
        return Ok(trim_suffix(&v, p, true));
    }
    if let Some(p) = op.strip_prefix('%') {
        return Ok(trim_suffix(&v, p, false));
    }
    if let Some(rest) = op.strip_prefix("//") {
        let (p, r) = rest.split_once('/').unwrap_or((rest, ""));
        return Ok(if p.is_empty() { v } else { v.replace(p, r) });
    }
    if let Some(rest) = op.strip_prefix("/#") {
        let (p, r) = rest.split_once('/').unwrap_or((rest, ""));
        return Ok(match v.strip_prefix(p) {
            Some(tail) => format!("{r}{tail}"),
            None => v,
        });
    }
    if let Some(rest) = op.strip_prefix("/%") {
        let (p, r) = rest.split_once('/').unwrap_or((rest, ""));
        return Ok(match v.strip_suffix(p) {
            Some(head) => format!("{head}{r}"),
            None => v,
        });
    }
    if let Some(rest) = op.strip_prefix('/') {
        let (p, r) = rest.split_once('/').unwrap_or((rest, ""));
        return Ok(if p.is_empty() { v } else { v.replacen(p, r, 1) });
    }
    Err(err(ErrorKind::Substitution(format!(
        "unsupported expression ${{{expr}}}"
    ))))
}

fn lookup(name: &str, vars: &IndexMap<String, String>, strict: bool) -> Result<String> {
    match vars.get(name) {
        Some(v) => Ok(v.clone()),
        None if strict => Err(err(ErrorKind::Substitution(format!(
            "variable not set (strict mode): \"{name}\""
        )))),
        None => Ok(String::new()),
    }
}

fn map_first(v: &str, upper: bool) -> String {
    let mut c = v.chars();
    match c.next() {
        Some(f) => {
            let f: String = if upper {
                f.to_uppercase().collect()
            } else {
                f.to_lowercase().collect()
            };
            f + c.as_str()
        }
        None => String::new(),
    }
}

/// Shell glob with `*` and `?`.
fn glob(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

fn trim_prefix(v: &str, pat: &str, longest: bool) -> String {
    let s: Vec<char> = v.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let range: Vec<usize> = if longest {
        (0..=s.len()).rev().collect()
    } else {
        (0..=s.len()).collect()
    };
    for i in range {
        if glob(&p, &s[..i]) {
            return s[i..].iter().collect();
        }
    }
    v.to_string()
}

fn trim_suffix(v: &str, pat: &str, longest: bool) -> String {
    let s: Vec<char> = v.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let range: Vec<usize> = if longest {
        (0..=s.len()).collect()
    } else {
        (0..=s.len()).rev().collect()
    };
    for i in range {
        if glob(&p, &s[i..]) {
            return s[..i].iter().collect();
        }
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> IndexMap<String, String> {
        [
            ("name", "Hello-World"),
            ("empty", ""),
            ("path", "a/b/c.tar.gz"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn s(t: &str) -> String {
        substitute(t, &vars(), true).expect("substitutes")
    }

    #[test]
    fn operators() {
        assert_eq!(s("x ${name} y"), "x Hello-World y");
        assert_eq!(s("${#name}"), "11");
        assert_eq!(
            s("${name^^} ${name,,} ${empty:-d} ${empty-d} ${unset:=u} ${unset=v}"),
            "HELLO-WORLD hello-world d d u v"
        );
        assert_eq!(
            s("${name:6} ${name:0:5} ${name:-3}"),
            "World Hello Hello-World"
        );
        assert_eq!(
            s("${path#*/} ${path##*/} ${path%.*} ${path%%.*}"),
            "b/c.tar.gz c.tar.gz a/b/c.tar a/b/c"
        );
        assert_eq!(
            s("${name/l/L} ${name//l/L} ${name/#Hello/Bye} ${name/%World/There}"),
            "HeLlo-World HeLLo-WorLd Bye-World Hello-There"
        );
        assert_eq!(
            s("$name $${name} ${unset:-${name}}"),
            "$name ${name} Hello-World"
        );
    }

    #[test]
    fn strict_mode_names_the_variable() {
        let e = substitute("${missing}", &vars(), true).expect_err("strict");
        assert!(e.to_string().contains("missing"), "{e}");
        assert_eq!(
            substitute("a${missing}b", &vars(), false).expect("lenient"),
            "ab"
        );
        // fluxcd/pkg parses these and treats them like `:-`.
        assert_eq!(s("${unset:+x} ${name:?y} ${empty+z}"), "x Hello-World z");
    }
}
