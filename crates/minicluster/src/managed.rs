//! `metadata.managedFields`: who set which field, updated on every write.

use crate::fieldset::{self, FieldSet};
use crate::schema::Schema;
use serde_json::{Map, Value, json};

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: String,
    pub subresource: String,
    pub set: FieldSet,
}

impl Entry {
    pub fn same_owner(&self, manager: &str, operation: &str, subresource: &str) -> bool {
        self.manager == manager && self.operation == operation && self.subresource == subresource
    }
}

/// The entries of an object.
pub fn read(obj: &Value) -> Vec<Entry> {
    obj.get("metadata")
        .and_then(|m| m.get("managedFields"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| Entry {
                    manager: e
                        .get("manager")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    operation: e
                        .get("operation")
                        .and_then(Value::as_str)
                        .unwrap_or("Update")
                        .into(),
                    api_version: e
                        .get("apiVersion")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    time: e.get("time").and_then(Value::as_str).unwrap_or("").into(),
                    subresource: e
                        .get("subresource")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    set: e
                        .get("fieldsV1")
                        .map(FieldSet::from_fields_v1)
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Writes the entries (drops the field when there are none).
pub fn write(obj: &mut Value, entries: &[Entry]) {
    let meta = crate::util::meta_mut(obj);
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.set.is_empty())
        .map(|e| {
            let mut m = Map::new();
            m.insert("manager".into(), json!(e.manager));
            m.insert("operation".into(), json!(e.operation));
            m.insert("apiVersion".into(), json!(e.api_version));
            m.insert("time".into(), json!(e.time));
            m.insert("fieldsType".into(), json!("FieldsV1"));
            m.insert("fieldsV1".into(), e.set.to_fields_v1());
            if !e.subresource.is_empty() {
                m.insert("subresource".into(), json!(e.subresource));
            }
            Value::Object(m)
        })
        .collect();
    if list.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

/// The tracked part of an object's field set, as one endpoint sees it: the main resource
/// of a kind with a status subresource does not own status; the status endpoint owns only status.
pub fn tracked(mut set: FieldSet, has_status: bool, subresource: &str) -> FieldSet {
    fieldset::strip_untracked(&mut set);
    if subresource == "status" {
        let status = set.children.remove("f:status");
        set.children.clear();
        if let Some(s) = status {
            set.children.insert("f:status".into(), s);
        }
    } else if has_status {
        set.children.remove("f:status");
    }
    set
}

/// Records a non-apply write by `manager`: it takes the fields it changed; fields removed
/// from the object leave every manager.
#[allow(clippy::too_many_arguments)]
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    api_version: &str,
    subresource: &str,
    has_status: bool,
    schema: &Schema,
    now: &str,
) {
    let empty = json!({});
    let old_v = old.unwrap_or(&empty);
    let mut entries = read(old_v);
    let changed = tracked(
        fieldset::changed(old_v, new, schema, &mut Vec::new()),
        has_status,
        subresource,
    );
    let mut removed = fieldset::of_value(old_v, schema, &mut Vec::new());
    removed.subtract(&fieldset::of_value(new, schema, &mut Vec::new()));
    let removed = tracked(removed, has_status, subresource);
    if changed.is_empty() && removed.is_empty() {
        write(new, &entries);
        return;
    }
    for e in entries.iter_mut() {
        e.set.subtract(&removed);
        e.set.subtract(&changed);
    }
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.same_owner(manager, "Update", subresource))
        {
            Some(e) => {
                e.set.union(&changed);
                e.time = now.to_string();
                e.api_version = api_version.to_string();
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: api_version.to_string(),
                time: now.to_string(),
                subresource: subresource.to_string(),
                set: changed,
            }),
        }
    }
    entries.retain(|e| !e.set.is_empty());
    write(new, &entries);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_takes_changed_fields() {
        let schema = Schema::default();
        let mut a = json!({"metadata":{"name":"x"},"data":{"a":"1","b":"2"}});
        record_update(None, &mut a, "m1", "v1", "", false, &schema, "t");
        let mut b = a.clone();
        b["data"]["a"] = json!("3");
        record_update(Some(&a), &mut b, "m2", "v1", "", false, &schema, "t");
        let e = read(&b);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].set.to_fields_v1(), json!({"f:data":{"f:b":{}}}));
        assert_eq!(e[1].set.to_fields_v1(), json!({"f:data":{"f:a":{}}}));
    }
}
