//! Server-side apply: field ownership per manager, conflicts, removal of fields a
//! manager stopped applying, lists merged by key where the schema says so.

use crate::fieldset::{self, FieldSet};
use crate::managed::{self, Entry};
use crate::schema::{ListKind, Schema};
use crate::status::{ApiError, Cause};
use serde_json::{Map, Value, json};

/// One apply request.
pub struct ApplyRequest<'a> {
    pub manager: &'a str,
    pub force: bool,
    pub subresource: &'a str,
    pub has_status: bool,
    pub api_version: &'a str,
    pub now: &'a str,
    pub schema: &'a Schema,
}

/// The value at a field path inside an object.
pub fn value_at<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    let mut cur = v;
    for p in path {
        if let Some(f) = p.strip_prefix("f:") {
            cur = cur.get(f)?;
        } else if let Some(k) = p.strip_prefix("k:") {
            let key: Value = serde_json::from_str(k).ok()?;
            let km = key.as_object()?;
            cur = cur.as_array()?.iter().find(|item| {
                km.iter().all(|(kk, kv)| {
                    item.get(kk) == Some(kv)
                        || (kk == "protocol" && item.get(kk).is_none() && kv == "TCP")
                })
            })?;
        } else if let Some(x) = p.strip_prefix("v:") {
            let want: Value = serde_json::from_str(x).ok()?;
            cur = cur.as_array()?.iter().find(|item| **item == want)?;
        } else if let Some(i) = p.strip_prefix("i:") {
            cur = cur.get(i.parse::<usize>().ok()?)?;
        } else {
            return None;
        }
    }
    Some(cur)
}

/// Removes the member at `path` from an object (a field, a list item).
fn remove_at(v: &mut Value, path: &[String]) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let mut cur = v;
    for p in parent_path {
        let next = if let Some(f) = p.strip_prefix("f:") {
            cur.get_mut(f)
        } else if p.starts_with("k:") || p.starts_with("v:") || p.starts_with("i:") {
            let idx = index_in(cur, p);
            match idx {
                Some(i) => cur.get_mut(i),
                None => None,
            }
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Some(f) = last.strip_prefix("f:") {
        if let Some(m) = cur.as_object_mut() {
            m.remove(f);
        }
    } else if let Some(i) = index_in(cur, last)
        && let Some(a) = cur.as_array_mut()
    {
        a.remove(i);
    }
}

fn index_in(list: &Value, p: &str) -> Option<usize> {
    let a = list.as_array()?;
    let target = value_at(list, &[p.to_string()])?;
    a.iter().position(|x| std::ptr::eq(x, target))
}

/// Merges an applied configuration into the live object.
pub fn merge(live: &mut Value, cfg: &Value, schema: &Schema, path: &mut Vec<String>) {
    match (live.as_object_mut(), cfg.as_object()) {
        (Some(lm), Some(cm)) if !schema.atomic_map(path) => {
            for (k, cv) in cm {
                if cv.is_null() {
                    lm.remove(k);
                    continue;
                }
                path.push(k.clone());
                match lm.get_mut(k) {
                    Some(lv) => merge_child(lv, cv, schema, path),
                    None => {
                        lm.insert(k.clone(), cv.clone());
                    }
                }
                path.pop();
            }
        }
        _ => *live = cfg.clone(),
    }
}

fn merge_child(lv: &mut Value, cv: &Value, schema: &Schema, path: &mut Vec<String>) {
    match (lv.as_array_mut(), cv.as_array()) {
        (Some(la), Some(ca)) => match schema.list_kind(path) {
            ListKind::Map(keys) => {
                for item in ca {
                    let ke = fieldset::key_element(item, &keys);
                    let pos = ke.as_ref().and_then(|ke| {
                        la.iter().position(|x| {
                            fieldset::key_element(x, &keys).as_deref() == Some(ke.as_str())
                        })
                    });
                    match pos {
                        Some(i) => {
                            path.push("[]".into());
                            merge(&mut la[i], item, schema, path);
                            path.pop();
                        }
                        None => la.push(item.clone()),
                    }
                }
            }
            ListKind::Set => {
                for item in ca {
                    if !la.contains(item) {
                        la.push(item.clone());
                    }
                }
            }
            ListKind::Atomic => *lv = cv.clone(),
        },
        _ => {
            if lv.is_object() && cv.is_object() {
                merge(lv, cv, schema, path)
            } else {
                *lv = cv.clone()
            }
        }
    }
}

fn manager_label(e: &Entry) -> String {
    let mut s = format!("{:?}", e.manager);
    if !e.subresource.is_empty() {
        s = format!("{s} with subresource {:?}", e.subresource);
    }
    if e.operation == "Update" {
        s = format!("{s} using {}", e.api_version);
    }
    s
}

fn conflict_error(conflicts: &[(String, String)]) -> ApiError {
    let causes: Vec<Cause> = conflicts
        .iter()
        .map(|(m, p)| Cause {
            reason: "FieldManagerConflict".into(),
            message: format!("conflict with {m}"),
            field: p.clone(),
        })
        .collect();
    let message = if conflicts.len() == 1 {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            conflicts[0].0, conflicts[0].1
        )
    } else {
        let mut managers: Vec<&String> = conflicts.iter().map(|(m, _)| m).collect();
        managers.sort();
        managers.dedup();
        let mut lines = Vec::new();
        for m in managers {
            lines.push(format!("conflicts with {m}:"));
            for (_, p) in conflicts.iter().filter(|(cm, _)| cm == m) {
                lines.push(format!("- {p}"));
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let mut e = ApiError::new(409, "Conflict", message);
    e.details.causes = causes;
    e
}

/// The part of an applied configuration one endpoint takes.
fn endpoint_view(cfg: &Value, subresource: &str, has_status: bool) -> Value {
    let mut c = cfg.clone();
    if let Some(m) = c.as_object_mut() {
        if subresource == "status" {
            m.retain(|k, _| matches!(k.as_str(), "status" | "apiVersion" | "kind" | "metadata"));
            if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.retain(|k, _| k == "name" || k == "namespace");
            }
        } else if has_status {
            m.remove("status");
        }
        if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
            for f in [
                "managedFields",
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "generation",
                "deletionTimestamp",
            ] {
                meta.remove(f);
            }
        }
    }
    c
}

/// Applies `cfg` over `live` (an empty object when creating); returns the new object
/// with its managedFields.
pub fn apply(live: &Value, cfg: &Value, req: &ApplyRequest) -> Result<Value, ApiError> {
    let cfg = endpoint_view(cfg, req.subresource, req.has_status);
    let cfg_set = managed::tracked(
        fieldset::of_value(&cfg, req.schema, &mut Vec::new()),
        req.has_status,
        req.subresource,
    );
    let mut entries = managed::read(live);
    let mine = entries
        .iter()
        .position(|e| e.same_owner(req.manager, "Apply", req.subresource));
    let old_set = mine.map(|i| entries[i].set.clone()).unwrap_or_default();
    // Conflicts: fields another manager owns whose value this apply changes.
    let mut conflicts: Vec<(String, String)> = Vec::new();
    let mut conflict_sets: Vec<FieldSet> = vec![FieldSet::default(); entries.len()];
    for (i, e) in entries.iter().enumerate() {
        if Some(i) == mine {
            continue;
        }
        let common = cfg_set.intersect(&e.set);
        for p in common.leaves() {
            let is_leaf = {
                let mut node = &common;
                for seg in &p {
                    node = &node.children[seg];
                }
                node.children.is_empty()
            };
            if !is_leaf {
                continue;
            }
            if value_at(&cfg, &p) != value_at(live, &p) {
                conflicts.push((manager_label(e), fieldset::render_path(&p)));
                conflict_sets[i].insert(&p);
            }
        }
    }
    if !conflicts.is_empty() && !req.force {
        return Err(conflict_error(&conflicts));
    }
    for (i, cs) in conflict_sets.iter().enumerate() {
        if !cs.is_empty() {
            entries[i].set.subtract(cs);
        }
    }
    let mut merged = live.clone();
    if !merged.is_object() {
        merged = json!({});
    }
    merge(&mut merged, &cfg, req.schema, &mut Vec::new());
    // Fields this manager applied before and no longer does, owned by nobody else, go away.
    let mut removed = old_set.clone();
    removed.subtract(&cfg_set);
    for (i, e) in entries.iter().enumerate() {
        if Some(i) != mine {
            removed.subtract(&e.set);
        }
    }
    let mut paths = removed.leaves();
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in &paths {
        remove_at(&mut merged, p);
    }
    prune_empty_metadata(&mut merged);
    match mine {
        Some(i) => {
            entries[i].set = cfg_set;
            entries[i].time = req.now.to_string();
            entries[i].api_version = req.api_version.to_string();
        }
        None => entries.push(Entry {
            manager: req.manager.to_string(),
            operation: "Apply".into(),
            api_version: req.api_version.to_string(),
            time: req.now.to_string(),
            subresource: req.subresource.to_string(),
            set: cfg_set,
        }),
    }
    entries.retain(|e| !e.set.is_empty());
    managed::write(&mut merged, &entries);
    Ok(merged)
}

fn prune_empty_metadata(v: &mut Value) {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in ["labels", "annotations"] {
            if meta
                .get(f)
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
            {
                meta.remove(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(m: &'a str, force: bool, schema: &'a Schema) -> ApplyRequest<'a> {
        ApplyRequest {
            manager: m,
            force,
            subresource: "",
            has_status: false,
            api_version: "v1",
            now: "t",
            schema,
        }
    }

    #[test]
    fn ownership_and_conflicts() {
        let s = Schema::builtin("", "ConfigMap");
        let a = apply(&json!({}), &json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}), &req("m1", false, &s)).unwrap();
        // Same value: shared, no conflict.
        let b = apply(
            &a,
            &json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}),
            &req("m2", false, &s),
        )
        .unwrap();
        // Different value: conflict.
        let err = apply(
            &b,
            &json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"9"}}),
            &req("m2", false, &s),
        )
        .unwrap_err();
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"m1\": .data.a"
        );
        // m1 stops applying b: removed; a still owned by m2 stays.
        let c = apply(
            &b,
            &json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}),
            &req("m1", false, &s),
        )
        .unwrap();
        assert_eq!(c["data"], json!({"a":"1"}));
        // Force takes ownership.
        let d = apply(
            &b,
            &json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"9"}}),
            &req("m2", true, &s),
        )
        .unwrap();
        assert_eq!(d["data"]["a"], "9");
        let e = managed::read(&d);
        assert_eq!(e[0].set.to_fields_v1(), json!({"f:data":{"f:b":{}}}));
    }

    #[test]
    fn containers_merge_by_name() {
        let s = Schema::builtin("apps", "Deployment");
        let live = json!({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"sidecar","image":"s"}]}}}});
        let out = apply(
            &live,
            &json!({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"2"}]}}}}),
            &req("m", false, &s),
        )
        .unwrap();
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"],
            json!([{"name":"a","image":"2"},{"name":"sidecar","image":"s"}])
        );
    }
}
