//! Strategic merge patch for built-in kinds: lists merged by their patch merge key,
//! with the `$patch`, `$retainKeys`, `$deleteFromPrimitiveList` and `$setElementOrder` directives.

use crate::schema::Schema;
use crate::status::ApiError;
use serde_json::{Map, Value};

/// Applies a strategic merge patch to `target`.
pub fn apply(target: &mut Value, patch: &Value, schema: &Schema) -> Result<(), ApiError> {
    if !patch.is_object() {
        return Err(ApiError::bad_request(
            "the strategic merge patch must be a JSON object",
        ));
    }
    merge_value(target, patch, schema, &mut Vec::new());
    Ok(())
}

fn strip(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if k.starts_with('$') {
                    continue;
                }
                if !x.is_null() {
                    out.insert(k.clone(), strip(x));
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|x| x.get("$patch").is_none())
                .map(strip)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge_value(target: &mut Value, patch: &Value, schema: &Schema, path: &mut Vec<String>) {
    let Some(pm) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if pm.get("$patch").and_then(Value::as_str) == Some("replace") {
        *target = strip(patch);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let mut orders: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(keep) = pm.get("$retainKeys").and_then(Value::as_array) {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        if let Some(tm) = target.as_object_mut() {
            tm.retain(|k, _| keep.contains(&k.as_str()));
        }
    }
    for (k, pv) in pm {
        if k == "$patch" || k == "$retainKeys" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$setElementOrder/") {
            if let Some(a) = pv.as_array() {
                orders.push((field.to_string(), a.clone()));
            }
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            let remove: Vec<Value> = pv.as_array().cloned().unwrap_or_default();
            if let Some(list) = target.get_mut(field).and_then(Value::as_array_mut) {
                list.retain(|x| !remove.contains(x));
            }
            continue;
        }
        let Some(tm) = target.as_object_mut() else {
            return;
        };
        if pv.is_null() {
            tm.remove(k);
            continue;
        }
        path.push(k.clone());
        match pv {
            Value::Object(po) => {
                if po.get("$patch").and_then(Value::as_str) == Some("delete") {
                    tm.remove(k);
                } else {
                    let slot = tm
                        .entry(k.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    merge_value(slot, pv, schema, path);
                }
            }
            Value::Array(pa) => {
                let slot = tm
                    .entry(k.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                merge_list(slot, pa, schema, path);
            }
            _ => {
                tm.insert(k.clone(), pv.clone());
            }
        }
        path.pop();
    }
    // `$setElementOrder` orders the merged list like the patch author's list.
    for (field, order) in orders {
        path.push(field.clone());
        let key = schema.patch_merge_key(path);
        path.pop();
        if let Some(list) = target.get_mut(&field).and_then(Value::as_array_mut) {
            let pos = |item: &Value| -> usize {
                order
                    .iter()
                    .position(|o| match &key {
                        Some(k) => o.get(k).is_some() && o.get(k) == item.get(k),
                        None => o == item,
                    })
                    .unwrap_or(usize::MAX)
            };
            list.sort_by_key(pos);
        }
    }
}

fn merge_list(target: &mut Value, patch: &[Value], schema: &Schema, path: &mut Vec<String>) {
    if patch
        .iter()
        .any(|x| x.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *target = Value::Array(
            patch
                .iter()
                .filter(|x| x.get("$patch").is_none())
                .map(strip)
                .collect(),
        );
        return;
    }
    if !target.is_array() {
        *target = Value::Array(Vec::new());
    }
    let Some(list) = target.as_array_mut() else {
        return;
    };
    if let Some(key) = schema.patch_merge_key(path) {
        for item in patch {
            let kv = item.get(&key).cloned();
            let pos = kv
                .as_ref()
                .and_then(|kv| list.iter().position(|x| x.get(&key) == Some(kv)));
            if item.get("$patch").and_then(Value::as_str) == Some("delete") {
                if let Some(i) = pos {
                    list.remove(i);
                }
                continue;
            }
            match pos {
                Some(i) => {
                    path.push("[]".into());
                    merge_value(&mut list[i], item, schema, path);
                    path.pop();
                }
                None => list.push(strip(item)),
            }
        }
    } else if schema.patch_merge_primitives(path) {
        for item in patch {
            if !list.contains(item) {
                list.push(item.clone());
            }
        }
    } else {
        *list = patch.iter().map(strip).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_by_name() {
        let s = Schema::builtin("apps", "Deployment");
        let mut d = json!({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}}});
        apply(&mut d, &json!({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"2"},{"name":"c","image":"3"}]}}}}), &s).unwrap();
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"],
            json!([{"name":"a","image":"1"},{"name":"b","image":"2"},{"name":"c","image":"3"}])
        );
        apply(
            &mut d,
            &json!({"spec":{"template":{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}}}),
            &s,
        )
        .unwrap();
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn directives() {
        let s = Schema::builtin("", "ConfigMap");
        let mut d = json!({"metadata":{"finalizers":["a","b"],"labels":{"x":"1","y":"2"}},"data":{"k":"v"}});
        apply(&mut d, &json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"labels":{"x":null}},"data":{"$patch":"replace","n":"m"}}), &s).unwrap();
        assert_eq!(
            d,
            json!({"metadata":{"finalizers":["b"],"labels":{"y":"2"}},"data":{"n":"m"}})
        );
    }
}
