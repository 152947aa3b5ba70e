//! Strategic merge patch with kyaml's semantics: maps merge key by key (null deletes),
//! lists with a Kubernetes merge key merge element-wise (patch elements first, then
//! the remaining original ones), other lists are replaced. Directives: `$patch:
//! delete|replace|merge`; like kyaml, other `$…` keys are ordinary fields.

use crate::resource::Gvk;
use crate::schema_nodes::{Merge, list_merge, list_merge_in};
use serde_json::{Map, Value};

/// How a list merges.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ListKind {
    /// Merge elements by this key.
    Keyed(Vec<String>),
    /// Set union of scalars.
    Primitive,
    /// Replace the list.
    Atomic,
}

/// Schema hints for custom resources, from `crds:` or `openapi:` (path → merge key).
#[derive(Clone, Debug, Default)]
pub struct CustomKeys {
    /// (apiVersion, kind, dotted path of field names) → merge key; an empty apiVersion
    /// matches any.
    pub keys: Vec<(String, String, String, String)>,
    /// A custom OpenAPI document replaces the built-in schema (kustomize's `openapi: {path}`).
    pub replaces_builtin: bool,
    /// (apiVersion, kind, dotted path, definition name) where a custom document refers to a
    /// definition it does not hold: kyaml resolves it in the built-in schema when that is
    /// loaded too.
    pub builtin_refs: Vec<(String, String, String, String)>,
    /// An `openapi:` field (custom `path` or built-in `version`) has chosen the build's
    /// schema; kustomize keeps the first one (see `Build::set_schema`).
    pub schema_set: bool,
}

/// Whether the built-in schema describes objects of this apiVersion and kind (kyaml
/// looks the pair up exactly; anything else has no schema).
pub fn in_builtin_schema(gvk: &Gvk) -> bool {
    crate::schema_nodes::has_schema(&gvk.api_version(), &gvk.kind)
}

/// The built-in definition a custom kind's `path` lies below (through a `$ref` of its
/// document into the built-in one), with the rest of the path.
fn under_builtin_ref<'a>(
    gvk: &Gvk,
    path: &'a [String],
    custom: &'a CustomKeys,
) -> Option<(&'a str, &'a [String])> {
    custom
        .builtin_refs
        .iter()
        .find_map(|(api_version, kind, prefix, def)| {
            if *kind != gvk.kind || *api_version != gvk.api_version() {
                return None;
            }
            let n = if prefix.is_empty() {
                0
            } else {
                prefix.split('.').count()
            };
            let inside =
                path.len() > n && (n == 0 || prefix.split('.').zip(path).all(|(a, b)| a == b));
            inside.then(|| (def.as_str(), &path[n..]))
        })
}

fn from_schema(m: Merge) -> ListKind {
    match m {
        Merge::Keyed(keys) => keyed(keys),
        Merge::Set => ListKind::Primitive,
        Merge::Replace => ListKind::Atomic,
    }
}

fn keyed(keys: &[&str]) -> ListKind {
    ListKind::Keyed(keys.iter().map(|k| (*k).to_string()).collect())
}

/// How the list at `path` of an object of kind `gvk` merges: by the custom schema's keys,
/// else as kyaml's built-in schema says (for a built-in kind, or below a custom document's
/// reference into it), else not at all.
fn list_kind(gvk: &Gvk, path: &[String], custom: &CustomKeys) -> ListKind {
    let joined = path.join(".");
    for (api_version, kind, p, key) in &custom.keys {
        if *kind == gvk.kind
            && *p == joined
            && (api_version.is_empty() || *api_version == gvk.api_version())
        {
            return ListKind::Keyed(vec![key.clone()]);
        }
    }
    if custom.replaces_builtin {
        return ListKind::Atomic;
    }
    if in_builtin_schema(gvk) {
        let segs = path.iter().map(String::as_str);
        return from_schema(list_merge(&gvk.api_version(), &gvk.kind, segs));
    }
    match under_builtin_ref(gvk, path, custom) {
        Some((def, rest)) => from_schema(list_merge_in(def, rest.iter().map(String::as_str))),
        None => ListKind::Atomic,
    }
}

/// Merges `patch` into `dest` (an object of kind `gvk`). `None` means the object was deleted.
pub fn merge_object(dest: &Value, patch: &Value, gvk: &Gvk, custom: &CustomKeys) -> Option<Value> {
    merge(Some(dest.clone()), patch, gvk, &mut Vec::new(), custom)
}

/// [`merge_object`] on an object the caller gives up: merged in place, no copy.
pub fn merge_object_owned(
    dest: Value,
    patch: &Value,
    gvk: &Gvk,
    custom: &CustomKeys,
) -> Option<Value> {
    merge(Some(dest), patch, gvk, &mut Vec::new(), custom)
}

/// Before a strategic merge patch: removes the map fields at `blank` (written `key:` in
/// the object's file, see [`crate::yaml::BLANK_NULLS_KEY`]) that are still null and that
/// kyaml's walk reaches: through maps and the elements of lists merged by key, not inside
/// other lists (kyaml takes those whole). kyaml drops such a field when the patch leaves it
/// alone; where the patch writes the field, the result is the same either way.
pub fn drop_blank_nulls(
    obj: &mut Value,
    blank: &[Vec<crate::yaml::PathSeg>],
    gvk: &Gvk,
    custom: &CustomKeys,
) {
    use crate::yaml::PathSeg;
    for p in blank {
        let Some((PathSeg::Key(last), parents)) = p.split_last() else {
            continue;
        };
        // Reached by the walk: every list on the way merges by key.
        let mut path: Vec<String> = Vec::new();
        let mut walked = true;
        for seg in parents {
            match seg {
                PathSeg::Key(k) => path.push(k.clone()),
                PathSeg::Index(_) => {
                    if !matches!(list_kind(gvk, &path, custom), ListKind::Keyed(_)) {
                        walked = false;
                        break;
                    }
                    path.push("[]".into());
                }
            }
        }
        if !walked {
            continue;
        }
        let mut cur = Some(&mut *obj);
        for seg in parents {
            cur = cur.and_then(|v| match seg {
                PathSeg::Key(k) => v.as_object_mut()?.get_mut(k.as_str()),
                PathSeg::Index(i) => v.as_array_mut()?.get_mut(*i),
            });
        }
        if let Some(m) = cur.and_then(Value::as_object_mut)
            && m.get(last.as_str()).is_some_and(Value::is_null)
        {
            m.shift_remove(last.as_str());
        }
    }
}

fn directive(v: &Value) -> Option<&str> {
    v.as_object()?.get("$patch")?.as_str()
}

/// Removes directives and null fields from a value being inserted fresh.
pub fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                if k == "$patch" || val.is_null() {
                    continue;
                }
                out.insert(k.clone(), clean(val));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|i| directive(i) != Some("delete"))
                .map(clean)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge(
    dest: Option<Value>,
    patch: &Value,
    gvk: &Gvk,
    path: &mut Vec<String>,
    custom: &CustomKeys,
) -> Option<Value> {
    match patch {
        Value::Object(pm) => {
            match directive(patch) {
                Some("delete") => return None,
                Some("replace") => {
                    let mut p = pm.clone();
                    p.remove("$patch");
                    return Some(clean(&Value::Object(p)));
                }
                _ => {}
            }
            let mut out = match dest {
                Some(Value::Object(d)) => d,
                _ => Map::new(),
            };
            for (k, pv) in pm {
                if k == "$patch" {
                    continue;
                }
                if pv.is_null() {
                    out.remove(k);
                    continue;
                }
                path.push(k.clone());
                // The field is taken out (its slot keeps its place) and merged by value.
                let current = out.get_mut(k.as_str()).map(std::mem::take);
                let merged = merge(current, pv, gvk, path, custom);
                path.pop();
                match merged {
                    Some(v) => {
                        out.insert(k.clone(), v);
                    }
                    None => {
                        out.remove(k);
                    }
                }
            }
            // kyaml walks the fields only the original has as well.
            for (k, v) in out.iter_mut() {
                if !pm.contains_key(k.as_str()) {
                    path.push(k.clone());
                    normalize(v, gvk, path, custom);
                    path.pop();
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(pitems) => {
            let kind = list_kind(gvk, path, custom);
            let (dest_is_list, dest_items) = match dest {
                Some(Value::Array(d)) => (true, d),
                _ => (false, Vec::new()),
            };
            if let ListKind::Keyed(keys) = &kind
                && dest_is_list
            {
                // kyaml reads a list directive only on associative lists that have an
                // original: the first element carrying `$patch`, when that is its only
                // field; every element with the same `$patch` value is then dropped.
                let (elided, dest_items) = match list_directive(pitems) {
                    Some("delete") => return None,
                    Some(d @ "replace") => {
                        let elided = elide_list_directive(pitems, d);
                        (elided.clone(), elided)
                    }
                    Some(d) => (elide_list_directive(pitems, d), dest_items),
                    None => (pitems.clone(), dest_items),
                };
                return Some(Value::Array(merge_keyed(
                    dest_items, &elided, keys, gvk, path, custom,
                )));
            }
            // kyaml hands a list without merge semantics over as the patch wrote it,
            // directives and nulls included.
            if kind == ListKind::Atomic {
                return Some(patch.clone());
            }
            if kind == ListKind::Primitive && pitems.iter().any(|i| directive(i) == Some("replace"))
            {
                let rest: Vec<Value> = pitems
                    .iter()
                    .filter(|i| directive(i) != Some("replace"))
                    .map(clean)
                    .collect();
                return Some(Value::Array(rest));
            }
            match kind {
                ListKind::Atomic => Some(patch.clone()),
                ListKind::Primitive => {
                    let mut out: Vec<Value> = Vec::new();
                    for v in pitems.iter().chain(dest_items.iter()) {
                        if !out.contains(v) {
                            out.push(v.clone());
                        }
                    }
                    Some(Value::Array(out))
                }
                ListKind::Keyed(keys) => {
                    // With no original list, kyaml merges the patch list into itself, list
                    // directives included (they are read only with an original). The
                    // elements are one node on both sides, so an element the walk finds by
                    // key loses its `$patch` in the original too.
                    let dest_items = if dest_is_list {
                        dest_items
                    } else {
                        pitems
                            .iter()
                            .map(|e| match e.as_object() {
                                Some(m)
                                    if m.contains_key("$patch")
                                        && values_of(e, &keys).iter().any(|v| !v.is_empty()) =>
                                {
                                    let mut m = m.clone();
                                    m.shift_remove("$patch");
                                    Value::Object(m)
                                }
                                _ => e.clone(),
                            })
                            .collect()
                    };
                    Some(Value::Array(merge_keyed(
                        dest_items, pitems, &keys, gvk, path, custom,
                    )))
                }
            }
        }
        other => Some(other.clone()),
    }
}

/// A value of the original that the patch does not mention, as kyaml's walk leaves
/// it: keyed lists are merged with nothing (elements sharing a key collapse into one,
/// at the first one's place with the last one's content), sets lose repeated values.
fn normalize(v: &mut Value, gvk: &Gvk, path: &mut Vec<String>, custom: &CustomKeys) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                path.push(k.clone());
                normalize(child, gvk, path, custom);
                path.pop();
            }
        }
        Value::Array(items) => match list_kind(gvk, path, custom) {
            ListKind::Keyed(keys) => {
                let owned = std::mem::take(items);
                *items = merge_keyed(owned, &[], &keys, gvk, path, custom);
            }
            ListKind::Primitive => {
                let mut out: Vec<Value> = Vec::with_capacity(items.len());
                for x in items.drain(..) {
                    if !out.contains(&x) {
                        out.push(x);
                    }
                }
                *items = out;
            }
            ListKind::Atomic => {}
        },
        _ => {}
    }
}

/// The directive of a list patch: the `$patch` value of its first element that has a
/// `$patch` field, when that element has no other field.
fn list_directive(items: &[Value]) -> Option<&str> {
    let first = items
        .iter()
        .filter_map(Value::as_object)
        .find(|m| m.contains_key("$patch"))?;
    if first.len() > 1 {
        return None;
    }
    first.get("$patch")?.as_str()
}

/// The patch list without the elements whose `$patch` is `value`.
fn elide_list_directive(items: &[Value], value: &str) -> Vec<Value> {
    items
        .iter()
        .filter(|i| directive(i) != Some(value))
        .cloned()
        .collect()
}

/// A field's value as kyaml compares it ("" when missing, null or not a scalar).
fn key_value(elem: &Value, key: &str) -> Option<String> {
    match elem.as_object()?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(crate::yaml::emit::format_number(n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => Some(String::new()),
    }
}

fn values_of(elem: &Value, keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| match elem.as_object().and_then(|m| m.get(k.as_str())) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => crate::yaml::emit::format_number(n),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Object(m)) if m.is_empty() => String::new(),
            Some(Value::Array(a)) if a.is_empty() => String::new(),
            Some(_) => String::new(),
        })
        .collect()
}

/// kyaml's `validateKeys`: drop keys that no tuple has a value for.
fn validate_keys(
    all: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let valid: Vec<&String> = keys
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            all.iter()
                .any(|vs| vs.get(*i).is_some_and(|v| !v.is_empty()))
        })
        .map(|(_, k)| k)
        .collect();
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk: Vec<String> = keys.iter().filter(|k| valid.contains(k)).cloned().collect();
    let vv: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || keys.get(*i).is_some_and(|k| valid.contains(&k)))
        .map(|(_, v)| v.clone())
        .collect();
    (vk, vv)
}

/// kyaml's `match`: tuples agree where both have values and share at least one.
fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::new();
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// The first map element whose fields equal `values` (kyaml's ElementMatcher).
fn find_element(items: &[Value], keys: &[String], values: &[String]) -> Option<usize> {
    items.iter().position(|e| {
        e.is_object()
            && keys
                .iter()
                .enumerate()
                .all(|(i, k)| key_value(e, k).is_some_and(|v| Some(&v) == values.get(i)))
    })
}

/// kyaml's ElementSetter: replace (or with `None`, delete) matching elements, append if none.
fn element_setter(
    list: &mut Vec<Value>,
    element: Option<&Value>,
    keys: &[String],
    values: &[String],
) {
    let mapping_setter = keys.first().is_some_and(|k| !k.is_empty())
        && values.first().is_some_and(|v| !v.is_empty());
    let mut out = Vec::new();
    let mut found_any = false;
    for elem in list.drain(..) {
        let empty = elem.is_null() || elem.as_object().is_some_and(|m| m.is_empty());
        if empty {
            continue;
        }
        if !elem.is_object() && mapping_setter {
            out.push(elem);
            continue;
        }
        let mut found = true;
        let mut last: Option<bool> = None;
        for (j, k) in keys.iter().enumerate() {
            if let Some(v) = values.get(j) {
                last = Some(if k.is_empty() {
                    crate::fieldpath::scalar_string(&elem) == *v && !elem.is_object()
                } else if v.is_empty() {
                    elem.as_object().is_some_and(|m| m.contains_key(k.as_str()))
                } else {
                    key_value(&elem, k).as_deref() == Some(v.as_str())
                });
            }
            if last != Some(true) {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(elem);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = element {
            out.push(e.clone());
        }
    }
    *list = out;
    if let Some(e) = element
        && !e.is_null()
        && !found_any
    {
        list.push(e.clone());
    }
}

/// Merges an associative list the way kyaml's walker does with "prepend" direction:
/// patch elements first (merged with their originals), then the remaining originals.
fn merge_keyed(
    mut dest: Vec<Value>,
    patch: &[Value],
    keys: &[String],
    gvk: &Gvk,
    path: &mut Vec<String>,
    custom: &CustomKeys,
) -> Vec<Value> {
    let mut list: Vec<Vec<String>> = Vec::new();
    for e in patch.iter().chain(dest.iter()) {
        if !e.is_object() {
            continue;
        }
        let vs = values_of(e, keys);
        if !list.contains(&vs) {
            list.push(vs);
        }
    }
    if keys.len() > 1 {
        for i in 0..list.len() {
            // kyaml compares against the tuple as it was when its turn came, even
            // after a match has rewritten it.
            let first = list[i].clone();
            for j in 0..list.len() {
                if let Some(m) = match_values(&first, &list[j]) {
                    list[i] = m.clone();
                    list[j] = m;
                }
            }
        }
    }
    let mut items: Vec<Value> = Vec::new();
    let mut last_keys: Vec<String> = keys.to_vec();
    for values in list.clone() {
        let (vk, vv) = validate_keys(&list, &values, keys);
        last_keys = vk.clone();
        let (ek, ev) = validate_keys(std::slice::from_ref(&vv), &vv, &vk);
        let di = find_element(&dest, &ek, &ev);
        let pi = find_element(patch, &ek, &ev);
        let merged = match (di, pi) {
            (Some(d), Some(p)) => {
                path.push("[]".into());
                let m = merge(Some(dest[d].clone()), &patch[p], gvk, path, custom);
                path.pop();
                match m {
                    // kyaml merges an element in place, except when the patch element
                    // replaces it: the original then stays in the list and wins over
                    // the replacement when the lists are joined below.
                    Some(v) if directive(&patch[p]) == Some("replace") => Some(v),
                    Some(v) => {
                        dest[d] = v.clone();
                        Some(v)
                    }
                    None => None,
                }
            }
            (Some(d), None) => {
                path.push("[]".into());
                normalize(&mut dest[d], gvk, path, custom);
                path.pop();
                Some(dest[d].clone())
            }
            (None, Some(p)) => {
                if directive(&patch[p]) == Some("delete") {
                    None
                } else {
                    Some(clean(&patch[p]))
                }
            }
            (None, None) => None,
        };
        let Some(mut val) =
            merged.filter(|v| !v.is_null() && !v.as_object().is_some_and(|m| m.is_empty()))
        else {
            element_setter(&mut dest, None, &vk, &vv);
            continue;
        };
        if let Some(m) = val.as_object_mut() {
            for (i, k) in vk.iter().enumerate() {
                if let Some(v) = vv.get(i).filter(|v| !v.is_empty())
                    && !m.contains_key(k.as_str())
                {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
        element_setter(&mut items, Some(&val), &vk, &vv);
    }
    if list.is_empty() {
        return dest;
    }
    for elem in dest {
        let mut v = Vec::new();
        for k in &last_keys {
            match elem.as_object().and_then(|m| m.get(k.as_str())) {
                None => items.push(elem.clone()),
                Some(x) => v.push(crate::fieldpath::scalar_string(x)),
            }
        }
        if last_keys.len() > 1 {
            element_setter(&mut items, None, &last_keys, &v);
        }
        element_setter(&mut items, Some(&elem), &last_keys, &v);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(api_version: &str, kind: &str) -> Gvk {
        Gvk::from_api_version(api_version, kind)
    }

    fn containers(v: &Value) -> &Value {
        &v["spec"]["template"]["spec"]["containers"]
    }

    #[test]
    fn schema_is_looked_up_by_exact_api_version_and_kind() {
        let dest = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "a"}
        ]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "side", "image": "s"}
        ]}}}});
        let none = CustomKeys::default();
        let known = merge_object(&dest, &patch, &deployment("apps/v1", "Deployment"), &none);
        assert_eq!(containers(&known.unwrap()).as_array().unwrap().len(), 2);
        for gvk in [
            deployment("apps/v1", "Rollout"),
            deployment("apps/v1beta2", "Deployment"),
        ] {
            let merged = merge_object(&dest, &patch, &gvk, &none).unwrap();
            assert_eq!(
                containers(&merged),
                &json!([{"name": "side", "image": "s"}])
            );
        }
    }

    #[test]
    fn list_directive_elements() {
        let gvk = deployment("apps/v1", "Deployment");
        let none = CustomKeys::default();
        let dest = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a"}, {"name": "b"}
        ]}}}});
        let with = |items: Value| json!({"spec": {"template": {"spec": {"containers": items}}}});
        let merged = merge_object(
            &dest,
            &with(json!([{"name": "c"}, {"$patch": "merge"}])),
            &gvk,
            &none,
        );
        assert_eq!(
            containers(&merged.unwrap()),
            &json!([{"name": "c"}, {"name": "a"}, {"name": "b"}])
        );
        let deleted = merge_object(
            &dest,
            &with(json!([{"name": "c"}, {"$patch": "delete"}])),
            &gvk,
            &none,
        );
        assert_eq!(
            deleted.unwrap(),
            json!({"spec": {"template": {"spec": {}}}})
        );
        let replaced = merge_object(
            &dest,
            &with(json!([{"$patch": "replace"}, {"name": "c"}])),
            &gvk,
            &none,
        );
        assert_eq!(containers(&replaced.unwrap()), &json!([{"name": "c"}]));
        // On an element next to other fields: kyaml keeps the original element.
        let element = merge_object(
            &dest,
            &with(json!([{"name": "b", "image": "x", "$patch": "replace"}])),
            &gvk,
            &none,
        );
        assert_eq!(
            containers(&element.unwrap()),
            &json!([{"name": "b"}, {"name": "a"}])
        );
    }

    #[test]
    fn blank_nulls_are_dropped_where_the_walk_goes() {
        use crate::yaml::PathSeg;
        let key = |k: &str| PathSeg::Key(k.into());
        let gvk = deployment("apps/v1", "Deployment");
        let mut obj = json!({"spec": {"replicas": null, "paused": null, "template": {"spec": {
            "containers": [{"name": "a", "args": null}],
            "tolerations": [{"key": "k", "value": null}],
            "volumes": [{"name": "v", "emptyDir": {"medium": "x"}}]
        }}}});
        let spec = |rest: &[PathSeg]| {
            let mut p = vec![key("spec"), key("template"), key("spec")];
            p.extend_from_slice(rest);
            p
        };
        let blank = vec![
            vec![key("spec"), key("replicas")],
            spec(&[key("containers"), PathSeg::Index(0), key("args")]),
            spec(&[key("tolerations"), PathSeg::Index(0), key("value")]),
            // No longer null: kept.
            spec(&[key("volumes"), PathSeg::Index(0), key("emptyDir")]),
            // Gone: ignored.
            vec![key("nothing"), key("here")],
        ];
        drop_blank_nulls(&mut obj, &blank, &gvk, &CustomKeys::default());
        assert_eq!(
            obj,
            json!({"spec": {"paused": null, "template": {"spec": {
                "containers": [{"name": "a"}],
                "tolerations": [{"key": "k", "value": null}],
                "volumes": [{"name": "v", "emptyDir": {"medium": "x"}}]
            }}}})
        );
    }

    #[test]
    fn keyed_list_missing_from_the_original_merges_into_itself() {
        let gvk = deployment("apps/v1", "Deployment");
        let dest = json!({"spec": {"template": {"spec": {}}}});
        let volumes = |items: Value| {
            let patch = json!({"spec": {"template": {"spec": {"volumes": items}}}});
            let merged = merge_object(&dest, &patch, &gvk, &CustomKeys::default()).unwrap();
            merged["spec"]["template"]["spec"]["volumes"].clone()
        };
        // What kubectl kustomize v5.8.1 prints for each.
        let replace = json!([{"$patch": "replace"}]);
        assert_eq!(
            volumes(json!([{"$patch": "replace"}, {"name": "v1"}])),
            replace
        );
        assert_eq!(
            volumes(json!([{"name": "v1"}, {"$patch": "replace"}])),
            replace
        );
        assert_eq!(
            volumes(json!([{"name": "v1"}, {"$patch": "replace"}, {"name": "v2"}])),
            replace
        );
        assert_eq!(
            volumes(json!([{"$patch": "merge"}, {"name": "v1"}])),
            json!([{"$patch": "merge"}])
        );
        assert_eq!(
            volumes(json!([{"name": "v1"}, {"$patch": "delete"}])),
            json!([{"$patch": "delete"}])
        );
        assert_eq!(
            volumes(json!([{"name": "v1", "$patch": "replace"}, {"name": "v2"}])),
            json!([{"name": "v1"}, {"name": "v2"}])
        );
        assert_eq!(
            volumes(json!([{"name": "v1", "$patch": "delete"}, {"name": "v2"}])),
            json!([{"name": "v2"}])
        );
        assert_eq!(
            volumes(json!([{"$patch": "replace", "x": 1}, {"name": "v1"}])),
            json!([{"$patch": "replace", "x": 1}])
        );
        assert_eq!(
            volumes(json!([{"$patch": "replace"}, {"name": "v1"}, {"image": "v1"}])),
            json!([{"image": "v1"}])
        );
        assert_eq!(
            volumes(json!([{"name": "v1"}, {"name": "v1", "a": "b"}])),
            json!([{"name": "v1", "a": "b"}])
        );
    }

    #[test]
    fn atomic_lists_are_taken_as_written() {
        let gvk = deployment("apps/v1", "Deployment");
        let dest = json!({"spec": {"template": {"spec": {"tolerations": [{"key": "a"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {"tolerations": [
            {"key": "b", "value": null, "$patch": "delete"}
        ]}}}});
        let merged = merge_object(&dest, &patch, &gvk, &CustomKeys::default()).unwrap();
        assert_eq!(
            merged["spec"]["template"]["spec"]["tolerations"],
            json!([{"key": "b", "value": null, "$patch": "delete"}])
        );
    }

    #[test]
    fn two_key_tuples_match_against_their_value_at_their_turn() {
        let gvk = deployment("apps/v1", "Deployment");
        let ports = json!([
            {"containerPort": 80},
            {"containerPort": 80, "protocol": "UDP"},
            {"name": "http"},
            {"containerPort": 80, "protocol": "TCP", "name": "dup"}
        ]);
        let dest = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "ports": ports}
        ]}}}});
        let patch = json!({"metadata": {"labels": {"x": "y"}}});
        let merged = merge_object(&dest, &patch, &gvk, &CustomKeys::default()).unwrap();
        assert_eq!(
            containers(&merged)[0]["ports"],
            json!([{"name": "http"}, {"containerPort": 80, "protocol": "TCP", "name": "dup"}])
        );
    }

    #[test]
    fn unpatched_keyed_lists_collapse_repeated_keys() {
        let gvk = deployment("apps/v1", "Deployment");
        let dest = json!({"metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "1"}, {"name": "b", "image": "2"}, {"name": "a", "image": "3"}
        ]}}}});
        let patch = json!({"metadata": {"labels": {"x": "y"}}});
        let merged = merge_object(&dest, &patch, &gvk, &CustomKeys::default()).unwrap();
        assert_eq!(
            containers(&merged),
            &json!([{"name": "a", "image": "3"}, {"name": "b", "image": "2"}])
        );
    }
}
