//! Merge keys for custom resources, read from `openapi: {path: …}` documents.

use crate::error::Result;
use crate::smp::CustomKeys;
use serde_json::Value;

/// Collects merge keys from an OpenAPI document (`definitions` with `x-kubernetes-group-version-kind`).
pub fn collect_openapi(text: &str, out: &mut CustomKeys) -> Result<()> {
    for doc in crate::yaml::parse_documents(text)? {
        collect_definitions(&doc, out);
    }
    Ok(())
}

fn collect_definitions(doc: &Value, out: &mut CustomKeys) {
    let defs = doc
        .get("definitions")
        .or_else(|| doc.pointer("/components/schemas"))
        .unwrap_or(doc);
    let Some(defs) = defs.as_object() else { return };
    for def in defs.values() {
        let gvks = def
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for g in gvks {
            let field = |f: &str| g.get(f).and_then(Value::as_str);
            let (Some(kind), Some(version)) = (field("kind"), field("version")) else {
                continue;
            };
            // kyaml indexes the definition by apiVersion and kind.
            let api_version = match field("group") {
                Some(group) if !group.is_empty() => format!("{group}/{version}"),
                _ => version.to_string(),
            };
            let mut walked = Walked::default();
            walk_defs(def, &mut Vec::new(), defs, &mut walked, 0);
            out.keys.extend(
                walked
                    .merge_keys
                    .into_iter()
                    .map(|(p, key)| (api_version.clone(), kind.to_string(), p, key)),
            );
            out.builtin_refs.extend(
                walked
                    .builtin_refs
                    .into_iter()
                    .map(|(p, def)| (api_version.clone(), kind.to_string(), p, def)),
            );
        }
    }
}

/// What one definition's schema says, by dotted field path.
#[derive(Default)]
struct Walked {
    /// (path, `x-kubernetes-patch-merge-key`).
    merge_keys: Vec<(String, String)>,
    /// Paths whose `$ref` names a definition this document does not hold, with that name.
    builtin_refs: Vec<(String, String)>,
}

fn walk_defs(
    schema: &Value,
    path: &mut Vec<String>,
    defs: &serde_json::Map<String, Value>,
    out: &mut Walked,
    depth: usize,
) {
    if depth > 20 {
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        match defs.get(name) {
            Some(d) => walk_defs(d, path, defs, out, depth + 1),
            None => out.builtin_refs.push((path.join("."), name.to_string())),
        }
        return;
    }
    if let Some(key) = schema
        .get("x-kubernetes-patch-merge-key")
        .and_then(Value::as_str)
    {
        out.merge_keys.push((path.join("."), key.to_string()));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            path.push(k.clone());
            walk_defs(v, path, defs, out, depth + 1);
            path.pop();
        }
    }
    if let Some(items) = schema.get("items") {
        path.push("[]".into());
        walk_defs(items, path, defs, out, depth + 1);
        path.pop();
    }
}
