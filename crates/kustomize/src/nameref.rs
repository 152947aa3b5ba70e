//! Name references: after names change (prefix, suffix, hash, namespace), fields that
//! refer to an object by name are updated to its final name.

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, NameRef};
use crate::resource::{Gvk, ResId, ResMap, Resource};
use serde_json::Value;
use std::collections::HashSet;

/// Fixes every name reference in `m`.
pub fn fix(m: &mut ResMap, rules: &[NameRef]) -> Result<()> {
    let snapshot = m.items.clone();
    let ids: Vec<ResId> = snapshot.iter().map(Resource::cur_id).collect();
    for i in 0..m.items.len() {
        let referrer = &snapshot[i];
        let org = referrer.org_id();
        let specs: Vec<(&NameRef, &crate::fieldspec::FieldSpec)> = rules
            .iter()
            .flat_map(|rule| rule.referrers.iter().map(move |fs| (rule, fs)))
            .filter(|(_, fs)| org.gvk.is_selected_by(&fs.gvk))
            .collect();
        if specs.is_empty() {
            continue;
        }
        let candidates = could_be_referenced_by(&snapshot, &ids, i)?;
        for (rule, fs) in specs {
            let segs = fieldspec::split_path(&fs.path);
            let role_ref = if fs.path.ends_with("roleRef/name") {
                role_ref_gvk(referrer)
            } else {
                None
            };
            let ctx = Ctx {
                referrer,
                referrer_id: &ids[i],
                target: &rule.target,
                role_ref: role_ref.as_ref(),
                all: &snapshot,
                ids: &ids,
                candidates: &candidates,
            };
            let obj = &mut m.items[i].obj;
            fieldspec::visit(obj, &segs, false, &mut |v| ctx.set(v))?;
        }
    }
    Ok(())
}

struct Ctx<'a> {
    referrer: &'a Resource,
    referrer_id: &'a ResId,
    target: &'a Gvk,
    role_ref: Option<&'a Gvk>,
    all: &'a [Resource],
    ids: &'a [ResId],
    candidates: &'a [usize],
}

impl Ctx<'_> {
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
        let Some(old) = v.as_str() else { return Ok(()) };
        let cands: Vec<usize> = self.candidates.to_vec();
        if let Some(r) = self.select(old, cands, false)? {
            *v = Value::String(r.name().to_string());
        }
        Ok(())
    }

    fn set_mapping(&self, v: &mut Value) -> Result<()> {
        let Some(map) = v.as_object_mut() else {
            return Ok(());
        };
        let Some(old) = map.get("name").and_then(Value::as_str).map(String::from) else {
            return Ok(());
        };
        let cands: Vec<usize> = match map.get("namespace").and_then(Value::as_str) {
            None => self.candidates.to_vec(),
            Some(ns) => {
                let ns = if ns.is_empty() { "default" } else { ns };
                let by_org: Vec<usize> = self
                    .candidates
                    .iter()
                    .copied()
                    .filter(|i| self.all[*i].org_id().effective_namespace() == ns)
                    .collect();
                if !by_org.is_empty() {
                    by_org
                } else {
                    self.candidates
                        .iter()
                        .copied()
                        .filter(|i| self.ids[*i].effective_namespace() == ns)
                        .collect()
                }
            }
        };
        if let Some(r) = self.select(&old, cands, true)? {
            if r.name() == old && r.namespace().is_empty() {
                return Ok(());
            }
            map.insert("name".into(), Value::String(r.name().to_string()));
            if !r.namespace().is_empty() {
                map.insert("namespace".into(), Value::String(r.namespace().to_string()));
            }
        }
        Ok(())
    }

    fn select(&self, old: &str, cands: Vec<usize>, with_ns: bool) -> Result<Option<&'_ Resource>> {
        let referrer_id = self.referrer_id;
        let referrer_cluster = referrer_id.gvk.is_cluster_scoped();
        let mut c: Vec<usize> = cands
            .into_iter()
            .filter(|i| {
                let r = &self.all[*i];
                r.prev_ids.iter().any(|id| id.name == old)
                    && r.prev_ids
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
            return Ok(Some(&self.all[c[0]]));
        }
        c.retain(|i| self.all[*i].prefixes_suffixes_equal(self.referrer, true));
        if c.len() > 1 {
            c.retain(|i| self.all[*i].prefixes_suffixes_equal(self.referrer, false));
        }
        match c.len() {
            0 => Ok(None),
            1 => Ok(Some(&self.all[c[0]])),
            _ => {
                let first = &self.all[c[0]];
                let same = c.iter().all(|i| {
                    let r = &self.all[*i];
                    r.name() == first.name() && (!with_ns || r.namespace() == first.namespace())
                });
                if same {
                    Ok(Some(first))
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

fn could_be_referenced_by(all: &[Resource], ids: &[ResId], i: usize) -> Result<Vec<usize>> {
    let referrer = &all[i];
    let rid = &ids[i];
    if rid.gvk.is_cluster_scoped() {
        return Ok((0..all.len()).collect());
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
    Ok((0..all.len())
        .filter(|j| {
            let id = &ids[*j];
            id.gvk.is_cluster_scoped()
                || id.ns_equals(rid)
                || sa_namespaces.contains(id.namespace.as_str())
        })
        .collect())
}
