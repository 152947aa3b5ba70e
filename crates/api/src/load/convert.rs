//! Conversions from older apiVersions to the current ones, on the JSON form.
//!
//! Fields renamed or merged upstream are mapped; fields removed without replacement are dropped
//! (the API server prunes them the same way when it serves the current version).

use serde_json::{Map, Value};

/// Rewrites `doc` (of `kind` at old `version`) into the current version's shape.
/// The caller sets `apiVersion`.
pub(crate) fn upgrade(kind: &str, version: &str, doc: &mut Value) {
    match (kind, version) {
        ("GitRepository", _) => {
            if let Some(spec) = spec_mut(doc) {
                spec.remove("gitImplementation");
                spec.remove("accessFrom");
            }
            if let Some(status) = status_mut(doc) {
                status.remove("url");
            }
        }
        ("HelmChart", _) => {
            if let Some(spec) = spec_mut(doc) {
                spec.remove("accessFrom");
                merge_values_file(spec);
            }
        }
        ("Bucket", _) => {
            if let Some(spec) = spec_mut(doc) {
                spec.remove("accessFrom");
            }
        }
        ("HelmRelease", _) => upgrade_helm_release(doc),
        _ => {}
    }
    fix_artifacts(doc);
}

fn spec_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.get_mut("spec").and_then(Value::as_object_mut)
}

fn status_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.get_mut("status").and_then(Value::as_object_mut)
}

/// `valuesFile` (deprecated) is merged before `valuesFiles`.
fn merge_values_file(spec: &mut Map<String, Value>) {
    let Some(Value::String(file)) = spec.remove("valuesFile") else {
        return;
    };
    if file.is_empty() {
        return;
    }
    let list = spec
        .entry("valuesFiles")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = list
        && !items.iter().any(|v| v.as_str() == Some(file.as_str()))
    {
        items.insert(0, Value::String(file));
    }
}

fn upgrade_helm_release(doc: &mut Value) {
    let Some(spec) = spec_mut(doc) else { return };
    if let Some(chart_spec) = spec
        .get_mut("chart")
        .and_then(|c| c.get_mut("spec"))
        .and_then(Value::as_object_mut)
    {
        merge_values_file(chart_spec);
    }
    if let Some(Value::Array(renderers)) = spec.get_mut("postRenderers") {
        for renderer in renderers {
            if let Some(k) = renderer.get_mut("kustomize").and_then(Value::as_object_mut) {
                merge_legacy_patches(k);
            }
        }
    }
    spec.remove("validateClientConfig");
    if let Some(status) = status_mut(doc) {
        status.remove("lastAppliedRevision");
    }
}

/// `patchesStrategicMerge` and `patchesJson6902` become entries of `patches`, in kustomize's
/// order: strategic-merge patches first, then `patches`, then JSON6902 patches.
fn merge_legacy_patches(k: &mut Map<String, Value>) {
    let smp = k.remove("patchesStrategicMerge");
    let json6902 = k.remove("patchesJson6902");
    if smp.is_none() && json6902.is_none() {
        return;
    }
    let mut merged = Vec::new();
    if let Some(Value::Array(items)) = smp {
        for item in items {
            merged.push(patch_entry(&item, None));
        }
    }
    if let Some(Value::Array(existing)) = k.remove("patches") {
        merged.extend(existing);
    }
    if let Some(Value::Array(items)) = json6902 {
        for item in items {
            let ops = item
                .get("patch")
                .cloned()
                .unwrap_or(Value::Array(Vec::new()));
            merged.push(patch_entry(&ops, item.get("target").cloned()));
        }
    }
    k.insert("patches".to_string(), Value::Array(merged));
}

fn patch_entry(body: &Value, target: Option<Value>) -> Value {
    let text = match body {
        Value::String(s) => s.clone(),
        other => serde_saphyr::to_string(other).unwrap_or_else(|_| other.to_string()),
    };
    let mut entry = Map::new();
    entry.insert("patch".to_string(), Value::String(text));
    if let Some(t) = target {
        entry.insert("target".to_string(), t);
    }
    Value::Object(entry)
}

/// Old artifacts carried `checksum` (sha256 hex) instead of `digest`.
fn fix_artifacts(doc: &mut Value) {
    let Some(status) = status_mut(doc) else {
        return;
    };
    if let Some(a) = status.get_mut("artifact").and_then(Value::as_object_mut) {
        fix_artifact(a);
    }
    if let Some(Value::Array(list)) = status.get_mut("includedArtifacts") {
        for a in list.iter_mut().filter_map(Value::as_object_mut) {
            fix_artifact(a);
        }
    }
}

fn fix_artifact(a: &mut Map<String, Value>) {
    if let Some(Value::String(sum)) = a.remove("checksum")
        && !a.contains_key("digest")
    {
        a.insert("digest".to_string(), Value::String(format!("sha256:{sum}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_file_goes_first_once() {
        let mut doc = json!({"spec": {"chart": {"spec": {"valuesFile": "a.yaml", "valuesFiles": ["b.yaml"]}}}});
        upgrade("HelmRelease", "v2beta1", &mut doc);
        assert_eq!(
            doc["spec"]["chart"]["spec"],
            json!({"valuesFiles": ["a.yaml", "b.yaml"]})
        );
        let mut dup = json!({"spec": {"valuesFile": "b.yaml", "valuesFiles": ["b.yaml"]}});
        upgrade("HelmChart", "v1beta2", &mut dup);
        assert_eq!(dup["spec"], json!({"valuesFiles": ["b.yaml"]}));
    }

    #[test]
    fn legacy_patches_become_patches() {
        let mut doc = json!({"spec": {"postRenderers": [{"kustomize": {
            "patchesStrategicMerge": [{"kind": "Deployment", "metadata": {"name": "x"}}],
            "patches": [{"patch": "p"}],
            "patchesJson6902": [{"target": {"kind": "Service"}, "patch": [{"op": "remove", "path": "/spec/x"}]}],
        }}]}});
        upgrade("HelmRelease", "v2beta2", &mut doc);
        let patches = doc["spec"]["postRenderers"][0]["kustomize"]["patches"]
            .as_array()
            .unwrap();
        assert_eq!(patches.len(), 3);
        assert!(
            patches[0]["patch"]
                .as_str()
                .unwrap()
                .contains("kind: Deployment")
        );
        assert_eq!(patches[1]["patch"], "p");
        assert_eq!(patches[2]["target"], json!({"kind": "Service"}));
        assert!(patches[2]["patch"].as_str().unwrap().contains("op: remove"));
    }

    #[test]
    fn checksum_becomes_digest() {
        let mut doc = json!({"status": {"artifact": {"checksum": "abc"}}});
        upgrade("GitRepository", "v1beta1", &mut doc);
        assert_eq!(doc["status"]["artifact"], json!({"digest": "sha256:abc"}));
    }
}
