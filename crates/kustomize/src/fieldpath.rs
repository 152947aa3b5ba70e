//! Dotted field paths used by replacements and vars:
//! `spec.template.spec.containers.[name=app].image`, `a.0.b`, `metadata.annotations.[a.b/c]`.

use serde_json::{Map, Value};

/// One path segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    /// A map field.
    Field(String),
    /// The element of a list whose `key` equals `value`.
    Match(String, String),
    /// A list index.
    Index(usize),
    /// Every element or field.
    Any,
}

/// Splits a dotted path; dots inside brackets don't split.
pub fn parse(path: &str) -> Vec<Seg> {
    let mut raw = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // `\.` is a literal dot inside a field name (`data.config\.json`).
            '\\' if depth == 0 && chars.peek() == Some(&'.') => {
                chars.next();
                cur.push('.');
            }
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => raw.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    raw.push(cur);
    let mut out = Vec::new();
    for r in raw {
        if r.is_empty() {
            continue;
        }
        let (head, bracket) = match r.find('[') {
            Some(0) => (String::new(), Some(r.clone())),
            Some(i) if r.ends_with(']') => (r[..i].to_string(), Some(r[i..].to_string())),
            _ => (r.clone(), None),
        };
        if !head.is_empty() {
            out.push(if head == "*" {
                Seg::Any
            } else if let Ok(i) = head.parse::<usize>() {
                Seg::Index(i)
            } else {
                Seg::Field(head)
            });
        }
        if let Some(b) = bracket {
            let inner = b
                .strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .unwrap_or(&b);
            match inner.split_once('=') {
                Some((k, v)) => out.push(Seg::Match(k.to_string(), v.to_string())),
                None => match inner.parse::<usize>() {
                    Ok(i) => out.push(Seg::Index(i)),
                    Err(_) => out.push(Seg::Field(inner.to_string())),
                },
            }
        }
    }
    out
}

/// Finds the value at `segs` (first match).
pub fn lookup<'a>(v: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    let Some((first, rest)) = segs.split_first() else {
        return Some(v);
    };
    match (first, v) {
        (Seg::Field(f), Value::Object(m)) => lookup(m.get(f)?, rest),
        (Seg::Index(i), Value::Array(a)) => lookup(a.get(*i)?, rest),
        (Seg::Match(k, val), Value::Array(a)) => a
            .iter()
            .find(|e| e.get(k).map(scalar_string).as_deref() == Some(val.as_str()))
            .and_then(|e| lookup(e, rest)),
        (Seg::Any, Value::Array(a)) => a.iter().find_map(|e| lookup(e, rest)),
        (Seg::Any, Value::Object(m)) => m.values().find_map(|e| lookup(e, rest)),
        _ => None,
    }
}

/// Visits every value at `segs`; with `create`, missing fields and matched elements are created.
pub fn visit_mut(
    v: &mut Value,
    segs: &[Seg],
    create: bool,
    f: &mut dyn FnMut(&mut Value),
) -> usize {
    let Some((first, rest)) = segs.split_first() else {
        f(v);
        return 1;
    };
    match first {
        Seg::Field(name) => {
            if v.is_null() && create {
                *v = Value::Object(Map::new());
            }
            let Value::Object(m) = v else { return 0 };
            if !m.contains_key(name) {
                if !create {
                    return 0;
                }
                m.insert(name.clone(), Value::Null);
            }
            match m.get_mut(name) {
                Some(child) => visit_mut(child, rest, create, f),
                None => 0,
            }
        }
        Seg::Index(i) => {
            // Creating, a missing list is made and the index one past its end appends
            // an element (kyaml's path matcher).
            if v.is_null() && create {
                *v = Value::Array(Vec::new());
            }
            match v {
                Value::Array(a) => {
                    if create && a.len() == *i {
                        a.push(Value::Null);
                    }
                    match a.get_mut(*i) {
                        Some(e) => visit_mut(e, rest, create, f),
                        None => 0,
                    }
                }
                _ => 0,
            }
        }
        Seg::Match(k, val) => {
            if v.is_null() && create {
                *v = Value::Array(Vec::new());
            }
            let Value::Array(a) = v else { return 0 };
            let matches = element_matcher(val);
            let mut n = 0;
            for e in a.iter_mut() {
                // `[=value]` matches the list's scalars themselves.
                let field = if k.is_empty() { Some(&*e) } else { e.get(k) };
                if field.is_some_and(|v| matches_as_written(v, &matches)) {
                    n += visit_mut(e, rest, create, f);
                }
            }
            if n == 0 && create {
                let mut m = Map::new();
                m.insert(k.clone(), Value::String(val.clone()));
                a.push(Value::Object(m));
                if let Some(last) = a.last_mut() {
                    n += visit_mut(last, rest, create, f);
                }
            }
            n
        }
        Seg::Any => match v {
            Value::Array(a) => a.iter_mut().map(|e| visit_mut(e, rest, create, f)).sum(),
            Value::Object(m) => m.values_mut().map(|e| visit_mut(e, rest, create, f)).sum(),
            _ => 0,
        },
    }
}

/// kyaml matches an element's field as YAML writes it: a string that would read as
/// something else is matched with its double quotes too (`[name="1"]` picks `name: "1"`).
fn matches_as_written(v: &Value, matches: &dyn Fn(&str) -> bool) -> bool {
    let s = scalar_string(v);
    matches(&s)
        || (v.is_string()
            && crate::yaml::emit::resolves_to_non_string_v3(&s)
            && matches(&format!("\"{s}\"")))
}

/// How a target path's `[field=value]` picks list elements: kyaml's path matcher takes the
/// value as a Go regular expression found anywhere in the field (`[name=app]` also picks
/// `app-sidecar`), unlike a source path, which wants the value itself. A value that is no
/// regular expression matches itself.
fn element_matcher(val: &str) -> Box<dyn Fn(&str) -> bool + '_> {
    // A target path is matched against every selected object: each pattern compiles once.
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
            Default::default();
    }
    let compiled = COMPILED.with(|c| {
        c.borrow_mut()
            .entry(val.to_string())
            .or_insert_with(|| {
                regex::Regex::new(&ferroflux_gotemplate::funcs::regex::go_syntax(val)).ok()
            })
            .clone()
    });
    match compiled {
        Some(r) => Box::new(move |s| r.is_match(s)),
        None => Box::new(move |s| s == val),
    }
}

/// A scalar as kustomize prints it in a string context.
pub fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => crate::yaml::emit::format_number(n),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escaped_dots_stay_in_the_field_name() {
        assert_eq!(
            parse(r"data.config\.json.host"),
            vec![
                Seg::Field("data".into()),
                Seg::Field("config.json".into()),
                Seg::Field("host".into())
            ]
        );
    }

    #[test]
    fn creating_appends_at_the_index_past_the_end() {
        let mut v = json!({"spec": {"rules": [{"a": 1}]}});
        let n = visit_mut(&mut v, &parse("spec.tls.0.hosts.0"), true, &mut |x| {
            *x = json!("h")
        });
        assert_eq!(n, 1);
        let n = visit_mut(&mut v, &parse("spec.rules.1.host"), true, &mut |x| {
            *x = json!("h")
        });
        assert_eq!(n, 1);
        assert_eq!(
            v,
            json!({"spec": {"rules": [{"a": 1}, {"host": "h"}], "tls": [{"hosts": ["h"]}]}})
        );
        // Not past the end, or not creating: nothing.
        assert_eq!(
            visit_mut(&mut v, &parse("spec.rules.5.host"), true, &mut |_| {}),
            0
        );
        assert_eq!(visit_mut(&mut v, &parse("spec.x.0"), false, &mut |_| {}), 0);
    }
}
