//! Patch and replacement targets: regular expressions on group, version, kind,
//! name and namespace, plus label and annotation selectors.

use crate::error::{ErrorKind, Result, err};
use crate::kustfile::Selector;
use crate::resource::Resource;
use regex::Regex;
use serde_json::{Map, Value};

fn anchored(s: &str) -> Result<Option<Regex>> {
    if s.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{s})$")).map(Some).map_err(|e| {
        err(ErrorKind::Invalid(format!(
            "invalid selector regex {s:?}: {e}"
        )))
    })
}

fn is_match(re: &Option<Regex>, s: &str) -> bool {
    re.as_ref().is_none_or(|r| r.is_match(s))
}

/// Does `sel` select `r`? Name and namespace match either the original or the current id.
pub fn selects(sel: &Selector, r: &Resource) -> Result<bool> {
    let cur = r.cur_id();
    let org = r.org_id();
    let ns = anchored(&sel.namespace)?;
    if !is_match(&ns, org.effective_namespace()) && !is_match(&ns, cur.effective_namespace()) {
        return Ok(false);
    }
    let name = anchored(&sel.name)?;
    if !is_match(&name, &org.name) && !is_match(&name, &cur.name) {
        return Ok(false);
    }
    let gvk = r.gvk();
    if !is_match(&anchored(&sel.group)?, &gvk.group)
        || !is_match(&anchored(&sel.version)?, &gvk.version)
        || !is_match(&anchored(&sel.kind)?, &gvk.kind)
    {
        return Ok(false);
    }
    if !sel.label_selector.is_empty() && !label_selector_matches(&sel.label_selector, &r.labels())?
    {
        return Ok(false);
    }
    if !sel.annotation_selector.is_empty()
        && !label_selector_matches(&sel.annotation_selector, &r.annotations())?
    {
        return Ok(false);
    }
    Ok(true)
}

/// Does `sel`'s id part (group, version, kind, name, namespace) select this one id?
pub fn selects_id(sel: &Selector, id: &crate::resource::ResId) -> Result<bool> {
    Ok(
        is_match(&anchored(&sel.namespace)?, id.effective_namespace())
            && is_match(&anchored(&sel.name)?, &id.name)
            && is_match(&anchored(&sel.group)?, &id.gvk.group)
            && is_match(&anchored(&sel.version)?, &id.gvk.version)
            && is_match(&anchored(&sel.kind)?, &id.gvk.kind),
    )
}

/// Do `sel`'s label and annotation selectors match `r`?
pub fn selects_meta(sel: &Selector, r: &Resource) -> Result<bool> {
    if !sel.label_selector.is_empty() && !label_selector_matches(&sel.label_selector, &r.labels())?
    {
        return Ok(false);
    }
    if !sel.annotation_selector.is_empty()
        && !label_selector_matches(&sel.annotation_selector, &r.annotations())?
    {
        return Ok(false);
    }
    Ok(true)
}

/// Evaluates a Kubernetes label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
pub fn label_selector_matches(selector: &str, labels: &Map<String, Value>) -> Result<bool> {
    let get = |k: &str| labels.get(k).and_then(Value::as_str);
    for term in split_terms(selector) {
        let term = term.trim();
        if term.is_empty() {
            continue;
        }
        let ok = if let Some(k) = term.strip_prefix('!') {
            get(k.trim()).is_none()
        } else if let Some((k, v)) = term.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==") {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, v)) = term.split_once('=') {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, set)) = split_set(term, " notin ") {
            get(&k).is_none_or(|v| !set.iter().any(|s| s == v))
        } else if let Some((k, set)) = split_set(term, " in ") {
            get(&k).is_some_and(|v| set.iter().any(|s| s == v))
        } else if term
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./".contains(c))
        {
            get(term).is_some()
        } else {
            return Err(err(ErrorKind::Invalid(format!(
                "unable to parse requirement: {term:?}"
            ))));
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn split_terms(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn split_set(term: &str, op: &str) -> Option<(String, Vec<String>)> {
    let (k, rest) = term.split_once(op)?;
    let rest = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((
        k.trim().to_string(),
        rest.split(',').map(|s| s.trim().to_string()).collect(),
    ))
}
