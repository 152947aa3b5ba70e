//! Name references: after names change (prefix, suffix, hash, namespace), fields that
//! refer to an object by name are updated to its final name.

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, NameRef};
use crate::resource::{Gvk, ResId, ResMap, Resource};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Fixes every name reference in `m`.
///
/// Only the referrer being visited changes (and only at its name-reference fields), so the
/// other objects are read in place; their ids are taken once up front, as they were before
/// any fix. Objects are found by their earlier names through an index instead of a scan.
pub fn fix(m: &mut ResMap, rules: &[NameRef]) -> Result<()> {
    let ids: Vec<ResId> = m.items.iter().map(Resource::cur_id).collect();
    // Earlier names → objects that had them (ascending, each object once per name).
    let mut by_prev_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, r) in m.items.iter().enumerate() {
        for id in &r.prev_ids {
            let list = by_prev_name.entry(id.name.clone()).or_default();
            if list.last() != Some(&j) {
                list.push(j);
            }
        }
    }
    // Original effective namespaces, and the objects that have each (ascending).
    let org_ns: Vec<String> = m
        .items
        .iter()
        .zip(&ids)
        .map(|(r, id)| {
            r.prev_ids
                .first()
                .unwrap_or(id)
                .effective_namespace()
                .to_string()
        })
        .collect();
    let mut by_org_ns: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, ns) in org_ns.iter().enumerate() {
        by_org_ns.entry(ns.as_str()).or_default().push(j);
    }
    let specs_of: Vec<(&NameRef, &crate::fieldspec::FieldSpec)> = rules
        .iter()
        .flat_map(|rule| rule.referrers.iter().map(move |fs| (rule, fs)))
        .collect();
    // Paths split when first needed (most specs select no object).
    let mut split: Vec<Option<Vec<String>>> = vec![None; specs_of.len()];
    for i in 0..m.items.len() {
        let org_gvk = match m.items[i].prev_ids.first() {
            Some(id) => id.gvk.clone(),
            None => ids[i].gvk.clone(),
        };
        let specs: Vec<usize> = (0..specs_of.len())
            .filter(|&s| org_gvk.is_selected_by(&specs_of[s].1.gvk))
            .collect();
        if specs.is_empty() {
            continue;
        }
        let candidates = could_be_referenced_by(&m.items[i], &ids, i)?;
        // The referrer's roleRef as it was before any fix (only this object changes below,
        // and only at its reference fields).
        let role_ref = role_ref_gvk(&m.items[i]);
        let mut obj = std::mem::take(&mut m.items[i].obj);
        let mut result = Ok(());
        for s in specs {
            let (rule, fs) = specs_of[s];
            let segs = split[s].get_or_insert_with(|| fieldspec::split_path(&fs.path));
            let role_ref = if fs.path.ends_with("roleRef/name") {
                role_ref.as_ref()
            } else {
                None
            };
            let ctx = Ctx {
                referrer: &m.items[i],
                referrer_id: &ids[i],
                target: &rule.target,
                role_ref,
                all: &m.items,
                ids: &ids,
                org_ns: &org_ns,
                by_prev_name: &by_prev_name,
                by_org_ns: &by_org_ns,
                candidates: &candidates,
            };
            result = fieldspec::visit(&mut obj, segs, false, &mut |v| ctx.set(v)).map_err(|e| {
                e.for_object(format!(
                    "{} (updating the name reference at '{}')",
                    ids[i], fs.path
                ))
            });
            if result.is_err() {
                break;
            }
        }
        m.items[i].obj = obj;
        result?;
    }
    Ok(())
}

/// The objects a referrer may point at: every object, or those in its namespace, cluster
/// scoped ones, and those in the namespaces of its ServiceAccount subjects.
struct Candidates {
    all: bool,
    sa_namespaces: HashSet<String>,
}

impl Candidates {
    fn contains(&self, ids: &[ResId], rid: &ResId, j: usize) -> bool {
        if self.all {
            return true;
        }
        let id = &ids[j];
        id.gvk.is_cluster_scoped()
            || id.ns_equals(rid)
            || self.sa_namespaces.contains(id.namespace.as_str())
    }
}

struct Ctx<'a> {
    referrer: &'a Resource,
    referrer_id: &'a ResId,
    target: &'a Gvk,
    role_ref: Option<&'a Gvk>,
    /// Every object; the referrer's own `obj` is moved out while it is visited.
    all: &'a [Resource],
    /// Current ids, as they were before any fix.
    ids: &'a [ResId],
    org_ns: &'a [String],
    by_prev_name: &'a HashMap<String, Vec<usize>>,
    by_org_ns: &'a HashMap<&'a str, Vec<usize>>,
    candidates: &'a Candidates,
}

impl Ctx<'_> {
    fn is_candidate(&self, j: usize) -> bool {
        self.candidates.contains(self.ids, self.referrer_id, j)
    }

    fn set(&self, v: &mut Value) -> Result<()> {
        match v {
            Value::String(_) => self.set_scalar(v),
            Value::Object(_) => self.set_mapping(v),
            Value::Array(items) => {
                for it in items {
                    match it {
                        Value::String(_) => self.set_scalar(it)?,
                        Value::Object(_) => self.set_mapping(it)?,
                        _ => {}
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn set_scalar(&self, v: &mut Value) -> Result<()> {
        let Some(old) = v.as_str() else {
            return Ok(());
        };
        if let Some(j) = self.select(old, |j| self.is_candidate(j), false)?
            && self.ids[j].name != old
        {
            *v = Value::String(self.ids[j].name.clone());
        }
        Ok(())
    }

    fn set_mapping(&self, v: &mut Value) -> Result<()> {
        let Some(map) = v.as_object_mut() else {
            return Ok(());
        };
        // A reference field spec names a mapping with a `name` (a subject, a secret entry).
        if !map.contains_key("name") {
            return Err(err(ErrorKind::Invalid(
                "path config error; no 'name' field in node".into(),
            )));
        }
        let Some(old) = map.get("name").and_then(Value::as_str).map(str::to_string) else {
            return Ok(());
        };
        let found = match map.get("namespace").and_then(Value::as_str) {
            None => self.select(&old, |j| self.is_candidate(j), true)?,
            Some(ns) => {
                let ns = if ns.is_empty() { "default" } else { ns };
                // Candidates whose original namespace is `ns`, or when there are none,
                // candidates whose current namespace is.
                let by_org = self
                    .by_org_ns
                    .get(ns)
                    .is_some_and(|l| l.iter().any(|j| self.is_candidate(*j)));
                if by_org {
                    self.select(&old, |j| self.is_candidate(j) && self.org_ns[j] == ns, true)?
                } else {
                    self.select(
                        &old,
                        |j| self.is_candidate(j) && self.ids[j].effective_namespace() == ns,
                        true,
                    )?
                }
            }
        };
        if let Some(j) = found {
            let id = &self.ids[j];
            if id.name == old && id.namespace.is_empty() {
                return Ok(());
            }
            map.insert("name".into(), Value::String(id.name.clone()));
            if !id.namespace.is_empty() {
                map.insert("namespace".into(), Value::String(id.namespace.clone()));
            }
        }
        Ok(())
    }

    /// The object `old` names among the candidates, by index.
    fn select(
        &self,
        old: &str,
        is_candidate: impl Fn(usize) -> bool,
        with_ns: bool,
    ) -> Result<Option<usize>> {
        let referrer_id = self.referrer_id;
        let referrer_cluster = referrer_id.gvk.is_cluster_scoped();
        let Some(named) = self.by_prev_name.get(old) else {
            return Ok(None);
        };
        let mut c: Vec<usize> = named
            .iter()
            .copied()
            .filter(|i| is_candidate(*i))
            .filter(|i| {
                let r = &self.all[*i];
                r.prev_ids
                    .iter()
                    .any(|id| id.gvk.is_selected_by(self.target))
                    && self
                        .role_ref
                        .is_none_or(|g| r.prev_ids.iter().any(|id| id.gvk.is_selected_by(g)))
            })
            .filter(|i| {
                let id = &self.ids[*i];
                referrer_cluster
                    || id.gvk.is_cluster_scoped()
                    || id.gvk.kind == "ServiceAccount"
                    || referrer_id.ns_equals(id)
            })
            .collect();
        if c.len() == 1 {
            return Ok(Some(c[0]));
        }
        c.retain(|i| self.all[*i].prefixes_suffixes_equal(self.referrer, true));
        if c.len() > 1 {
            c.retain(|i| self.all[*i].prefixes_suffixes_equal(self.referrer, false));
        }
        match c.len() {
            0 => Ok(None),
            1 => Ok(Some(c[0])),
            _ => {
                let first = &self.ids[c[0]];
                let same = c.iter().all(|i| {
                    let id = &self.ids[*i];
                    id.name == first.name && (!with_ns || id.namespace == first.namespace)
                });
                if same {
                    Ok(Some(c[0]))
                } else {
                    let ids: Vec<String> = c.iter().map(|i| self.ids[*i].to_string()).collect();
                    Err(err(ErrorKind::Invalid(format!(
                        "found multiple possible referrals: {}",
                        ids.join(", ")
                    ))))
                }
            }
        }
    }
}

fn role_ref_gvk(r: &Resource) -> Option<Gvk> {
    let rr = r.obj.get("roleRef")?;
    Some(Gvk {
        group: rr.get("apiGroup")?.as_str()?.to_string(),
        version: String::new(),
        kind: rr.get("kind")?.as_str()?.to_string(),
    })
}

fn could_be_referenced_by(referrer: &Resource, ids: &[ResId], i: usize) -> Result<Candidates> {
    let rid = &ids[i];
    if rid.gvk.is_cluster_scoped() {
        return Ok(Candidates {
            all: true,
            sa_namespaces: HashSet::new(),
        });
    }
    let mut sa_namespaces: HashSet<String> = HashSet::new();
    if referrer.kind() == "RoleBinding"
        && let Some(Value::Array(subjects)) = referrer.obj.get("subjects")
    {
        for s in subjects {
            if s.get("kind").and_then(Value::as_str) != Some("ServiceAccount") {
                continue;
            }
            match s.get("namespace") {
                None => {}
                Some(Value::String(ns)) => {
                    sa_namespaces.insert(ns.clone());
                }
                Some(_) => {
                    return Err(err(ErrorKind::Invalid(format!(
                        "Invalid Input: namespace is blank for resource {rid}"
                    ))));
                }
            }
        }
    }
    Ok(Candidates {
        all: false,
        sa_namespaces,
    })
}
