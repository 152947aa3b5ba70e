//! `namespace:` — sets metadata.namespace on namespaced objects, renames Namespace
//! objects, and fixes RoleBinding subjects (those named `default`, by default).

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec};
use crate::resource::ResMap;
use serde::Deserialize;
use serde_json::Value;

/// Which RoleBinding/ClusterRoleBinding subjects get the namespace.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum SubjectMode {
    /// Subjects named `default` (kustomize's default).
    #[default]
    #[serde(rename = "defaultOnly", alias = "")]
    DefaultOnly,
    /// None.
    #[serde(rename = "none")]
    None,
    /// Every ServiceAccount subject.
    #[serde(rename = "allServiceAccounts")]
    AllServiceAccounts,
}

/// NamespaceTransformer options beyond the namespace itself.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Only set namespaces that are empty.
    pub unset_only: bool,
    /// RoleBinding subject handling.
    pub subjects: SubjectMode,
}

/// Applies the namespace transformer with default options.
pub fn apply(m: &mut ResMap, ns: &str, specs: &[FieldSpec]) -> Result<()> {
    apply_with(m, ns, specs, &Options::default())
}

fn set(v: &mut Value, ns: &str, unset_only: bool) {
    let empty = match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if !unset_only || empty {
        *v = Value::String(ns.to_string());
    }
}

/// Applies the namespace transformer.
pub fn apply_with(m: &mut ResMap, ns: &str, specs: &[FieldSpec], opts: &Options) -> Result<()> {
    if ns.is_empty() {
        return Ok(());
    }
    let spec_set = fieldspec::SpecSet::new(specs);
    for i in 0..m.items.len() {
        let r = &mut m.items[i];
        // kustomize v5.8.1 leaves inflated Helm charts alone: Helm owns their namespace.
        if crate::helm::is_helm_generated(r) {
            continue;
        }
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            if !r.obj.get("metadata").is_some_and(Value::is_object) {
                crate::resource::set_path(
                    &mut r.obj,
                    &["metadata"],
                    Value::Object(Default::default()),
                );
            }
            if let Some(meta) = r.obj.get_mut("metadata").and_then(Value::as_object_mut) {
                let slot = meta.entry("namespace").or_insert(Value::Null);
                set(slot, ns, opts.unset_only);
            }
        }
        let is_binding = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if is_binding
            && opts.subjects != SubjectMode::None
            && let Some(Value::Array(subjects)) = r.obj.get_mut("subjects")
        {
            for s in subjects {
                let hit = match opts.subjects {
                    SubjectMode::DefaultOnly => {
                        s.get("name").and_then(Value::as_str) == Some("default")
                    }
                    _ => s.get("kind").and_then(Value::as_str) == Some("ServiceAccount"),
                };
                if hit && let Some(map) = s.as_object_mut() {
                    let slot = map.entry("namespace").or_insert(Value::Null);
                    set(slot, ns, opts.unset_only);
                }
            }
        }
        let core_v1 = r.obj.get("apiVersion").and_then(Value::as_str) == Some("v1");
        let keep = |fs: &FieldSpec| {
            fs.path != "metadata/namespace"
                && (core_v1 || fs.path != "metadata/name")
                && !(is_binding && fs.path == "subjects/namespace")
        };
        spec_set.apply_filtered(&mut r.obj, keep, &mut |v| {
            if v.is_null() || v.is_string() {
                set(v, ns, opts.unset_only);
                Ok(())
            } else {
                Err(err(ErrorKind::Invalid(
                    "namespace field specs must target scalar nodes".into(),
                )))
            }
        })?;
    }
    // Objects only gain the namespace (Helm's are left as they are), so a clash seen
    // midway persists: one check at the end is equivalent to kustomize's check after
    // each object.
    let mut seen = std::collections::HashSet::new();
    for r in &m.items {
        if !seen.insert(r.id_key()) {
            return Err(err(ErrorKind::ConflictingIds(format!(
                "namespace transformation produces ID conflict: {}",
                r.cur_id()
            ))));
        }
    }
    Ok(())
}
