//! Strategic merge patch with kyaml's semantics: maps merge key by key (null deletes),
//! lists with a Kubernetes merge key merge element-wise (patch elements first, then
//! the remaining original ones), other lists are replaced. Directives: `$patch:
//! delete|replace|merge`; like kyaml, other `$…` keys are ordinary fields.

use crate::resource::Gvk;
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

const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "extensions",
    "policy",
    "autoscaling",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
];

/// Schema hints for custom resources, from `crds:` or `openapi:` (path → merge key).
#[derive(Clone, Debug, Default)]
pub struct CustomKeys {
    /// (apiVersion, kind, dotted path of field names) → merge key; an empty apiVersion
    /// matches any.
    pub keys: Vec<(String, String, String, String)>,
    /// A custom OpenAPI document replaces the built-in schema (kustomize's `openapi: {path}`).
    pub replaces_builtin: bool,
    /// (apiVersion, kind, dotted path) where a custom document refers to a definition it
    /// does not hold: kyaml resolves it in the built-in schema when that is loaded too.
    pub builtin_refs: Vec<(String, String, String)>,
    /// An `openapi:` field (custom `path` or built-in `version`) has chosen the build's
    /// schema; kustomize keeps the first one (see `Build::set_schema`).
    pub schema_set: bool,
}

/// Whether the built-in schema describes objects of this kind (by API group).
pub fn in_builtin_schema(gvk: &Gvk) -> bool {
    BUILTIN_GROUPS.contains(&gvk.group.as_str())
}

/// Whether `path` of a custom kind lies below a reference into the built-in schema; the
/// built-in rules then apply there (they look at field names, e.g. `containers`).
fn under_builtin_ref(gvk: &Gvk, path: &str, custom: &CustomKeys) -> bool {
    custom
        .builtin_refs
        .iter()
        .any(|(api_version, kind, prefix)| {
            *kind == gvk.kind
                && *api_version == gvk.api_version()
                && (prefix.is_empty()
                    || path
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('.')))
        })
}

fn keyed(keys: &[&str]) -> ListKind {
    ListKind::Keyed(keys.iter().map(|k| (*k).to_string()).collect())
}

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
    if custom.replaces_builtin
        || !(in_builtin_schema(gvk) || under_builtin_ref(gvk, &joined, custom))
    {
        return ListKind::Atomic;
    }
    let Some(last) = path.last() else {
        return ListKind::Atomic;
    };
    let parent = if path.len() >= 2 {
        path[path.len() - 2].as_str()
    } else {
        ""
    };
    let in_container = path
        .iter()
        .any(|p| p == "containers" || p == "initContainers" || p == "ephemeralContainers");
    match last.as_str() {
        "containers" | "initContainers" | "ephemeralContainers" => keyed(&["name"]),
        "env" if in_container => keyed(&["name"]),
        "ports" if in_container => keyed(&["containerPort", "protocol"]),
        "ports" if gvk.kind == "Service" && joined == "spec.ports" => keyed(&["port", "protocol"]),
        "volumeMounts" if in_container => keyed(&["mountPath"]),
        "volumeDevices" if in_container => keyed(&["devicePath"]),
        "resizePolicy" if in_container => ListKind::Atomic,
        "volumes" if parent == "spec" => keyed(&["name"]),
        "imagePullSecrets" if parent == "spec" => keyed(&["name"]),
        "hostAliases" if parent == "spec" => keyed(&["ip"]),
        "topologySpreadConstraints" if parent == "spec" => {
            keyed(&["topologyKey", "whenUnsatisfiable"])
        }
        "conditions" if parent == "status" => keyed(&["type"]),
        "ownerReferences" if parent == "metadata" => keyed(&["uid"]),
        "finalizers" if parent == "metadata" => ListKind::Primitive,
        "secrets" if gvk.kind == "ServiceAccount" && path.len() == 1 => keyed(&["name"]),
        _ => ListKind::Atomic,
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
            Some(Value::Object(out))
        }
        Value::Array(pitems) => {
            let kind = list_kind(gvk, path, custom);
            let (dest_is_list, dest_items) = match dest {
                Some(Value::Array(d)) => (true, d),
                _ => (false, Vec::new()),
            };
            if pitems.iter().any(|i| directive(i) == Some("replace")) {
                let rest: Vec<Value> = pitems
                    .iter()
                    .filter(|i| directive(i) != Some("replace"))
                    .map(clean)
                    .collect();
                return Some(Value::Array(rest));
            }
            match kind {
                ListKind::Atomic => Some(clean(patch)),
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
                    // With no original list, kyaml merges the patch list into itself.
                    let dest_items = if dest_is_list {
                        dest_items
                    } else {
                        pitems.clone()
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
            for j in 0..list.len() {
                if let Some(m) = match_values(&list[i], &list[j]) {
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
                    Some(v) => {
                        dest[d] = v.clone();
                        Some(v)
                    }
                    None => None,
                }
            }
            (Some(d), None) => Some(dest[d].clone()),
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
