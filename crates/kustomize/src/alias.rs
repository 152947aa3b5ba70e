//! Fields that share one YAML node, as they do in kustomize.
//!
//! kustomize's label and annotation transformers (`commonLabels`, `labels`,
//! `commonAnnotations` and their builtin plugins) build one scalar node per key and object
//! and insert that same node at every field spec where the key did not exist yet
//! (kyaml's `FieldSetter` appends the node it is given). The fields stay one node until
//! the object is rebuilt (a JSON 6902 patch re-reads it; setting origin or transformation
//! annotations rebuilds `metadata.annotations`). Whatever later edits one of them in place
//! edits them all: a strategic merge patch or a label transformer writing the key again
//! (kyaml copies into the existing node), a replacement, a var. So a base's
//! `commonLabels: {app: a}` followed by an overlay patch of `metadata.labels.app` changes
//! the selector and the pod template label too.
//!
//! We keep, for each object, the groups of paths that kustomize would have as one node,
//! and after an in-place edit copy the new value to the rest of the group.

use serde_json::Value;

/// One step of a path to a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A map key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Paths that are one node in kustomize, and the value they had when last synced.
#[derive(Clone, Debug, PartialEq)]
pub struct AliasGroup {
    /// The shared value.
    pub value: Value,
    /// Where it is (two or more paths).
    pub paths: Vec<Vec<Seg>>,
}

/// The value at `path`.
pub fn lookup<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Seg::Key(k) => cur.as_object()?.get(k)?,
            Seg::Index(i) => cur.as_array()?.get(*i)?,
        };
    }
    Some(cur)
}

fn lookup_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Seg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            Seg::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

fn is_scalar(v: &Value) -> bool {
    !(v.is_object() || v.is_array())
}

/// Adds a group for `paths` (fields just created with `value`). Groups of one are not kept.
/// The paths are in no older group: members exist (whatever removes fields syncs or drops
/// the groups), and these fields did not.
pub fn add_group(groups: &mut Vec<AliasGroup>, value: Value, paths: Vec<Vec<Seg>>) {
    if paths.len() > 1 {
        groups.push(AliasGroup { value, paths });
    }
}

/// After in-place edits of `obj`: a group member whose value changed gives its value to the
/// whole group (the last changed member wins, as the last write to a shared node does).
/// Members that are gone (or no longer scalars) leave their group.
pub fn sync(obj: &mut Value, groups: &mut Vec<AliasGroup>) {
    if groups.is_empty() {
        return;
    }
    for g in groups.iter_mut() {
        g.paths.retain(|p| lookup(obj, p).is_some_and(is_scalar));
        let changed = g
            .paths
            .iter()
            .rev()
            .filter_map(|p| lookup(obj, p))
            .find(|v| **v != g.value)
            .cloned();
        if let Some(new) = changed {
            for p in &g.paths {
                if let Some(v) = lookup_mut(obj, p) {
                    *v = new.clone();
                }
            }
            g.value = new;
        }
    }
    groups.retain(|g| g.paths.len() > 1);
}

/// Drops the members below `prefix` (that part of the object was rebuilt).
pub fn drop_under(groups: &mut Vec<AliasGroup>, prefix: &[&str]) {
    if groups.is_empty() {
        return;
    }
    let under = |p: &[Seg]| {
        p.len() >= prefix.len()
            && p.iter()
                .zip(prefix)
                .all(|(s, k)| matches!(s, Seg::Key(x) if x == k))
    };
    for g in groups.iter_mut() {
        g.paths.retain(|p| !under(p));
    }
    groups.retain(|g| g.paths.len() > 1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(s: &str) -> Vec<Seg> {
        s.split('.')
            .map(|p| match p.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(p.to_string()),
            })
            .collect()
    }

    #[test]
    fn an_edit_reaches_the_whole_group() {
        let mut obj = json!({"metadata": {"labels": {"app": "a"}},
            "spec": {"selector": {"app": "a"}, "t": [{"l": {"app": "a"}}]}});
        let mut groups = Vec::new();
        add_group(
            &mut groups,
            json!("a"),
            vec![
                path("metadata.labels.app"),
                path("spec.selector.app"),
                path("spec.t.0.l.app"),
            ],
        );
        obj["metadata"]["labels"]["app"] = json!("b");
        sync(&mut obj, &mut groups);
        assert_eq!(obj["spec"]["selector"]["app"], json!("b"));
        assert_eq!(obj["spec"]["t"][0]["l"]["app"], json!("b"));
        assert_eq!(groups[0].value, json!("b"));
    }

    #[test]
    fn removed_members_leave_and_small_groups_go() {
        let mut obj = json!({"a": {"k": "v"}, "b": {"k": "v"}, "c": {"k": "v"}});
        let mut groups = Vec::new();
        add_group(
            &mut groups,
            json!("v"),
            vec![path("a.k"), path("b.k"), path("c.k")],
        );
        obj["b"].as_object_mut().unwrap().remove("k");
        obj["a"]["k"] = json!("w");
        sync(&mut obj, &mut groups);
        assert_eq!(obj["c"]["k"], json!("w"));
        assert_eq!(groups[0].paths.len(), 2);
        drop_under(&mut groups, &["a"]);
        assert!(groups.is_empty());
        add_group(&mut groups, json!("v"), vec![path("a.k")]);
        assert!(groups.is_empty());
    }
}
