//! Field sets (`fieldsV1`) over schemaless objects, with Kubernetes' list semantics.
//!
//! A set is a tree of path elements (`f:name`, `k:{"name":"c"}`, `v:"x"`, `i:0`); a node is
//! itself a member when it is a leaf or carries the `.` marker.

use crate::schema::{ListKind, Schema};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSet {
    pub this: bool,
    pub children: BTreeMap<String, FieldSet>,
}

impl FieldSet {
    pub fn is_empty(&self) -> bool {
        !self.this && self.children.is_empty()
    }

    /// Parses a `fieldsV1` object.
    pub fn from_fields_v1(v: &Value) -> FieldSet {
        let mut s = FieldSet::default();
        if let Some(m) = v.as_object() {
            if m.is_empty() {
                s.this = true;
            }
            for (k, child) in m {
                if k == "." {
                    s.this = true;
                } else {
                    s.children
                        .insert(k.clone(), FieldSet::from_fields_v1(child));
                }
            }
        }
        s
    }

    /// The `fieldsV1` object.
    pub fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        if self.this && !self.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, c) in &self.children {
            m.insert(k.clone(), c.to_fields_v1());
        }
        Value::Object(m)
    }

    /// Adds every member of `other`.
    pub fn union(&mut self, other: &FieldSet) {
        self.this |= other.this;
        for (k, c) in &other.children {
            self.children.entry(k.clone()).or_default().union(c);
        }
    }

    /// Removes every member of `other`; drops nodes left empty.
    pub fn subtract(&mut self, other: &FieldSet) {
        if other.this {
            self.this = false;
        }
        for (k, c) in &other.children {
            if let Some(mine) = self.children.get_mut(k) {
                mine.subtract(c);
                if mine.is_empty() {
                    self.children.remove(k);
                }
            }
        }
    }

    /// Members in both.
    pub fn intersect(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            this: self.this && other.this,
            children: BTreeMap::new(),
        };
        for (k, c) in &self.children {
            if let Some(o) = other.children.get(k) {
                let i = c.intersect(o);
                if !i.is_empty() {
                    out.children.insert(k.clone(), i);
                }
            }
        }
        out
    }

    /// Every member path, in order (`.spec.replicas`-like rendering is done by `render_path`).
    pub fn leaves(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        self.walk(&mut Vec::new(), &mut out);
        out
    }

    fn walk(&self, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if self.this && !prefix.is_empty() {
            out.push(prefix.clone());
        }
        for (k, c) in &self.children {
            prefix.push(k.clone());
            c.walk(prefix, out);
            prefix.pop();
        }
    }

    /// Whether a path is a member.
    pub fn has(&self, path: &[String]) -> bool {
        match path.split_first() {
            None => self.this,
            Some((h, rest)) => self.children.get(h).is_some_and(|c| c.has(rest)),
        }
    }

    /// Adds one path as a member.
    pub fn insert(&mut self, path: &[String]) {
        match path.split_first() {
            None => self.this = true,
            Some((h, rest)) => self.children.entry(h.clone()).or_default().insert(rest),
        }
    }
}

/// Renders a path as Kubernetes prints it in conflict messages: `.spec.containers[name="c"].image`.
pub fn render_path(path: &[String]) -> String {
    let mut s = String::new();
    for p in path {
        if let Some(f) = p.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = p.strip_prefix("k:") {
            let v: Value = serde_json::from_str(k).unwrap_or(Value::Null);
            let parts: Vec<String> = v
                .as_object()
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            s.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = p.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        } else if let Some(i) = p.strip_prefix("i:") {
            s.push_str(&format!("[{i}]"));
        }
    }
    s
}

/// The key path element of an associative list item.
pub fn key_element(item: &Value, keys: &[String]) -> Option<String> {
    let mut m = BTreeMap::new();
    for k in keys {
        match item.get(k) {
            Some(v) => {
                m.insert(k.clone(), v.clone());
            }
            None => {
                // Kubernetes defaults `protocol` to TCP for ports keyed by (port, protocol).
                if k == "protocol" {
                    m.insert(k.clone(), Value::String("TCP".into()));
                } else {
                    return None;
                }
            }
        }
    }
    let obj: Map<String, Value> = m.into_iter().collect();
    Some(format!("k:{}", Value::Object(obj)))
}

/// The set of fields an object sets (every leaf, every associative list item).
pub fn of_value(v: &Value, schema: &Schema, path: &mut Vec<String>) -> FieldSet {
    let mut s = FieldSet::default();
    match v {
        Value::Object(m) if !m.is_empty() && !schema.atomic_map(path) => {
            for (k, child) in m {
                path.push(k.clone());
                let cs = child_set(child, schema, path);
                path.pop();
                s.children.insert(format!("f:{k}"), cs);
            }
        }
        _ => s.this = true,
    }
    s
}

fn child_set(v: &Value, schema: &Schema, path: &mut Vec<String>) -> FieldSet {
    match v {
        Value::Array(items) if !items.is_empty() => match schema.list_kind(path) {
            ListKind::Atomic => FieldSet {
                this: true,
                children: BTreeMap::new(),
            },
            ListKind::Set => {
                let mut s = FieldSet::default();
                for it in items {
                    s.children.insert(
                        format!("v:{it}"),
                        FieldSet {
                            this: true,
                            children: BTreeMap::new(),
                        },
                    );
                }
                s
            }
            ListKind::Map(keys) => {
                let mut s = FieldSet::default();
                for it in items {
                    let Some(ke) = key_element(it, &keys) else {
                        // An item without its keys: the whole list is owned atomically.
                        return FieldSet {
                            this: true,
                            children: BTreeMap::new(),
                        };
                    };
                    path.push("[]".into());
                    let mut is = of_value(it, schema, path);
                    path.pop();
                    is.this = true;
                    s.children.insert(ke, is);
                }
                s
            }
        },
        _ => of_value(v, schema, path),
    }
}

/// The members of `new` whose value differs from `old` (added or changed).
pub fn changed(old: &Value, new: &Value, schema: &Schema, path: &mut Vec<String>) -> FieldSet {
    let mut s = FieldSet::default();
    match (old, new) {
        (Value::Object(om), Value::Object(nm)) if !nm.is_empty() && !schema.atomic_map(path) => {
            for (k, nv) in nm {
                path.push(k.clone());
                let cs = match om.get(k) {
                    None => child_set(nv, schema, path),
                    Some(ov) => changed_child(ov, nv, schema, path),
                };
                path.pop();
                if !cs.is_empty() {
                    s.children.insert(format!("f:{k}"), cs);
                }
            }
        }
        _ => {
            if old != new {
                s.this = true;
            }
        }
    }
    s
}

fn changed_child(ov: &Value, nv: &Value, schema: &Schema, path: &mut Vec<String>) -> FieldSet {
    if ov == nv {
        return FieldSet::default();
    }
    match (ov, nv) {
        (Value::Array(oa), Value::Array(na)) if !na.is_empty() => match schema.list_kind(path) {
            ListKind::Map(keys) => {
                let mut s = FieldSet::default();
                for it in na {
                    let Some(ke) = key_element(it, &keys) else {
                        return FieldSet {
                            this: true,
                            children: BTreeMap::new(),
                        };
                    };
                    let old_item = oa
                        .iter()
                        .find(|o| key_element(o, &keys).as_deref() == Some(ke.as_str()));
                    path.push("[]".into());
                    let mut is = match old_item {
                        None => {
                            let mut x = of_value(it, schema, path);
                            x.this = true;
                            x
                        }
                        Some(o) => changed(o, it, schema, path),
                    };
                    path.pop();
                    if old_item.is_none() {
                        is.this = true;
                    }
                    if !is.is_empty() {
                        s.children.insert(ke, is);
                    }
                }
                s
            }
            ListKind::Set => {
                let mut s = FieldSet::default();
                for it in na {
                    if !oa.contains(it) {
                        s.children.insert(
                            format!("v:{it}"),
                            FieldSet {
                                this: true,
                                children: BTreeMap::new(),
                            },
                        );
                    }
                }
                s
            }
            ListKind::Atomic => FieldSet {
                this: true,
                children: BTreeMap::new(),
            },
        },
        (Value::Object(_), Value::Object(_)) => changed(ov, nv, schema, path),
        _ => child_set(nv, schema, path),
    }
}

/// Fields never tracked: identity and server-owned metadata.
pub fn strip_untracked(set: &mut FieldSet) {
    set.children.remove("f:apiVersion");
    set.children.remove("f:kind");
    if let Some(m) = set.children.get_mut("f:metadata") {
        for f in [
            "name",
            "namespace",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "selfLink",
            "generateName",
        ] {
            m.children.remove(&format!("f:{f}"));
        }
        if m.children.is_empty() {
            set.children.remove("f:metadata");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roundtrip_fields_v1() {
        let v = json!({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}});
        let s = FieldSet::from_fields_v1(&v);
        assert_eq!(s.to_fields_v1(), v);
        assert!(s.has(&["f:metadata".into(), "f:labels".into(), "f:app".into()]));
    }

    #[test]
    fn set_of_deployment() {
        let schema = Schema::builtin("apps", "Deployment");
        let v = json!({"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}]}]}}}});
        let s = of_value(&v, &schema, &mut Vec::new());
        let fv = s.to_fields_v1();
        assert_eq!(
            fv,
            json!({"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})
        );
    }

    #[test]
    fn changed_fields() {
        let schema = Schema::default();
        let s = changed(
            &json!({"a":1,"b":{"c":1,"d":2}}),
            &json!({"a":1,"b":{"c":2,"d":2},"e":3}),
            &schema,
            &mut Vec::new(),
        );
        assert_eq!(s.to_fields_v1(), json!({"f:b":{"f:c":{}},"f:e":{}}));
        assert_eq!(
            render_path(&[
                "f:spec".into(),
                "k:{\"name\":\"c\"}".into(),
                "f:image".into()
            ]),
            ".spec[name=\"c\"].image"
        );
    }
}
