//! Patch and replacement targets: regular expressions on group, version, kind,
//! name and namespace, plus label and annotation selectors.

use crate::error::{ErrorKind, Result, err};
use crate::kustfile::Selector;
use crate::resource::{IdView, Resource};
use regex::Regex;
use serde_json::{Map, Value};

fn anchored(s: &str) -> Result<Option<Regex>> {
    if s.is_empty() {
        return Ok(None);
    }
    // Go's syntax: a `{` that starts no repetition is a literal (`\${CLUSTER_NAME}`), `\d`
    // and `\w` are ASCII.
    let go = ferroflux_gotemplate::funcs::regex::go_syntax(s);
    Regex::new(&format!("^(?:{go})$")).map(Some).map_err(|e| {
        err(ErrorKind::Invalid(format!(
            "invalid selector regex {s:?}: {e}"
        )))
    })
}

/// A compiled selector field: any value, one exact string (a pattern without regular
/// expression syntax), or a regular expression.
enum Pattern {
    Any,
    Literal(String),
    Regex(Regex),
}

impl Pattern {
    fn compile(s: &str) -> Result<Pattern> {
        if s.is_empty() {
            return Ok(Pattern::Any);
        }
        // Without these characters a pattern is a plain string (outside a class, and without
        // the `x` flag, which needs `(?`, nothing else is syntax): it compiles and matches
        // exactly itself.
        if !s.contains(|c| "\\.+*?()|[]{}^$".contains(c)) {
            return Ok(Pattern::Literal(s.to_string()));
        }
        Ok(anchored(s)?.map_or(Pattern::Any, Pattern::Regex))
    }

    fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Literal(l) => l == s,
            Pattern::Regex(r) => r.is_match(s),
        }
    }
}

static NO_LABELS: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

/// A selector whose regular expressions are compiled once, for matching many objects. Each
/// pattern is compiled the first time a match needs it, so an invalid one fails exactly
/// where matching object by object would.
pub struct Matcher<'a> {
    sel: &'a Selector,
    /// namespace, name, group, version, kind
    res: [std::cell::OnceCell<Pattern>; 5],
    /// Every pattern compiled: matching cannot fail before the label selectors, so the
    /// cheapest test (the kind) can go first.
    all_valid: bool,
}

const NS: usize = 0;
const NAME: usize = 1;
const GROUP: usize = 2;
const VERSION: usize = 3;
const KIND: usize = 4;

impl<'a> Matcher<'a> {
    /// Prepares `sel` for matching.
    pub fn new(sel: &'a Selector) -> Matcher<'a> {
        let mut m = Matcher {
            sel,
            res: Default::default(),
            all_valid: false,
        };
        m.all_valid = (0..5).all(|which| m.re(which).is_ok());
        m
    }

    fn re(&self, which: usize) -> Result<&Pattern> {
        if let Some(re) = self.res[which].get() {
            return Ok(re);
        }
        let pattern = match which {
            NS => &self.sel.namespace,
            NAME => &self.sel.name,
            GROUP => &self.sel.group,
            VERSION => &self.sel.version,
            _ => &self.sel.kind,
        };
        let re = Pattern::compile(pattern)?;
        Ok(self.res[which].get_or_init(|| re))
    }

    /// The one kind the selector accepts, when it names one without regular expression
    /// syntax and every pattern is valid (so objects of other kinds are simply not selected).
    pub fn literal_kind(&self) -> Option<&str> {
        match self.res[KIND].get() {
            Some(Pattern::Literal(k)) if self.all_valid => Some(k),
            _ => None,
        }
    }

    fn is(&self, which: usize, s: &str) -> Result<bool> {
        Ok(self.re(which)?.matches(s))
    }

    /// Does the selector select `r`? Name and namespace match either the original or the
    /// current id.
    pub fn selects(&self, r: &Resource) -> Result<bool> {
        if self.all_valid {
            // Same answer as below (every test is a pure comparison), cheapest tests first.
            if !self.is(KIND, r.kind())? {
                return Ok(false);
            }
            let name = r.name();
            let org_name = r.prev_ids.first().map_or(name, |id| id.name.as_str());
            if !self.is(NAME, org_name)? && !self.is(NAME, name)? {
                return Ok(false);
            }
        }
        let cur = r.cur_view();
        let org = r.org_view();
        if !self.is(NS, org.effective_namespace())? && !self.is(NS, cur.effective_namespace())? {
            return Ok(false);
        }
        if !self.is(NAME, org.name)? && !self.is(NAME, cur.name)? {
            return Ok(false);
        }
        if !self.is(GROUP, cur.group)?
            || !self.is(VERSION, cur.version)?
            || !self.is(KIND, cur.kind)?
        {
            return Ok(false);
        }
        self.selects_meta(r)
    }

    /// Does the id part (group, version, kind, name, namespace) select this one id?
    pub fn selects_id(&self, id: IdView<'_>) -> Result<bool> {
        Ok(self.is(NS, id.effective_namespace())?
            && self.is(NAME, id.name)?
            && self.is(GROUP, id.group)?
            && self.is(VERSION, id.version)?
            && self.is(KIND, id.kind)?)
    }

    /// Do the label and annotation selectors match `r`?
    pub fn selects_meta(&self, r: &Resource) -> Result<bool> {
        let sel = self.sel;
        if !sel.label_selector.is_empty()
            && !label_selector_matches(&sel.label_selector, r.labels_ref().unwrap_or(&NO_LABELS))?
        {
            return Ok(false);
        }
        if !sel.annotation_selector.is_empty()
            && !label_selector_matches(
                &sel.annotation_selector,
                r.annotations_ref().unwrap_or(&NO_LABELS),
            )?
        {
            return Ok(false);
        }
        Ok(true)
    }
}

/// Does `sel` select `r`? Name and namespace match either the original or the current id.
pub fn selects(sel: &Selector, r: &Resource) -> Result<bool> {
    Matcher::new(sel).selects(r)
}

/// Does `sel`'s id part (group, version, kind, name, namespace) select this one id?
pub fn selects_id(sel: &Selector, id: &crate::resource::ResId) -> Result<bool> {
    Matcher::new(sel).selects_id(id.view())
}

/// Do `sel`'s label and annotation selectors match `r`?
pub fn selects_meta(sel: &Selector, r: &Resource) -> Result<bool> {
    Matcher::new(sel).selects_meta(r)
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
