//! Parsed documents into resources: `List` kinds expanded, each document checked as kustomize checks it.

use super::*;

/// Turns parsed documents into resources, expanding `List` kinds (see [`inline_lists`]).
pub fn resources_from_docs(docs: Vec<Value>, origin: &str) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    for mut d in inline_lists(docs, &validated)? {
        let blank_nulls = crate::yaml::take_blank_nulls(&mut d);
        let non_string_keys = crate::yaml::take_non_string_keys(&mut d);
        stringify_annotations(&mut d);
        let mut r = Resource::new(d, origin);
        r.blank_nulls = blank_nulls;
        r.non_string_keys = non_string_keys;
        out.push(r);
    }
    Ok(out)
}

/// kustomize's resource factory on documents (resources and patches alike): a `…List`'s
/// items go to the end of the queue, a list whose `items` is null is dropped, one without
/// `items` is kept as an object. `check` sees the documents and each list's items first.
pub fn inline_lists(
    docs: Vec<Value>,
    check: &dyn Fn(Vec<Value>) -> Result<Vec<Value>>,
) -> Result<Vec<Value>> {
    let mut queue: std::collections::VecDeque<Value> = check(docs)?.into();
    let mut out = Vec::new();
    while let Some(d) = queue.pop_front() {
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List")
            && let Some(items) = d.get("items")
        {
            match items {
                Value::Null => {}
                Value::Array(items) => queue.extend(check(items.clone())?),
                other => {
                    return Err(err(ErrorKind::Invalid(format!(
                        "expected array in {kind}/items, but found {}",
                        go_type_name(other)
                    ))));
                }
            }
            continue;
        }
        out.push(d);
    }
    Ok(out)
}

/// kustomize's `dropBadNodes`: every document needs a kind, and a name unless it is a list.
pub(super) fn validated(docs: Vec<Value>) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for d in docs {
        let empty = match &d {
            Value::Null => true,
            Value::Object(m) => m.is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if empty {
            continue;
        }
        if !d.is_object() {
            return Err(err(ErrorKind::Invalid(
                "a resource document must be a map".into(),
            )));
        }
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            return Err(err(ErrorKind::Invalid(
                "missing Resource metadata: kind is empty".into(),
            )));
        }
        let name = d
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.is_empty() && !kind.ends_with("List") {
            return Err(err(ErrorKind::Invalid(format!(
                "missing metadata.name in object of kind {kind}"
            ))));
        }
        out.push(d);
    }
    Ok(out)
}

/// Go's `%T` for a value decoded into `interface{}`.
pub(super) fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// kustomize reads annotations as a string map when it loads a resource: scalars keep
/// their text, collections become "".
pub(crate) fn stringify_annotations(d: &mut Value) {
    let Some(Value::Object(ann)) = d.pointer_mut("/metadata/annotations") else {
        return;
    };
    for v in ann.values_mut() {
        if !v.is_string() {
            *v = Value::String(match v {
                Value::Number(_) | Value::Bool(_) => crate::fieldpath::scalar_string(v),
                // Resource files keep the null's spelling (parse_resource_documents);
                // objects made in memory have none, and `null` is what kyaml prints.
                Value::Null => "null".to_string(),
                _ => String::new(),
            });
        }
    }
}

/// An error's message without its location.
pub(super) fn kind_text(e: &Error) -> String {
    e.kind().to_string()
}
