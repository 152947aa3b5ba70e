//! What the controllers of a real control plane do right after a write: CRDs become
//! served and Established, namespaces get their `default` ServiceAccount, aggregated
//! ClusterRoles collect their rules.

use crate::api;
use crate::registry::{PrinterColumn, ResKey, ResourceType, sort_versions};
use crate::selectors::LabelSelector;
use crate::status::ApiError;
use crate::store::State;
use crate::util;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

fn is(rt: &ResourceType, group: &str, plural: &str) -> bool {
    rt.group == group && rt.plural == plural
}

/// Kind-specific validation before a create or update is stored.
pub fn validate(state: &State, rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    if is(rt, "apiextensions.k8s.io", "customresourcedefinitions") {
        let name = util::name_of(obj);
        let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
        let group = spec.get("group").and_then(Value::as_str).unwrap_or("");
        let plural = spec
            .get("names")
            .and_then(|n| n.get("plural"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = spec
            .get("names")
            .and_then(|n| n.get("kind"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let inv = |field: &str, msg: String| {
            ApiError::invalid_field(&rt.kind, &rt.group, name, "FieldValueInvalid", field, &msg)
        };
        if group.is_empty() {
            return Err(inv("spec.group", "Required value".into()));
        }
        if plural.is_empty() {
            return Err(inv("spec.names.plural", "Required value".into()));
        }
        if kind.is_empty() {
            return Err(inv("spec.names.kind", "Required value".into()));
        }
        if name != format!("{plural}.{group}") {
            return Err(inv(
                "metadata.name",
                format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
            ));
        }
        let versions = spec
            .get("versions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if versions.is_empty() {
            return Err(inv(
                "spec.versions",
                "Invalid value: null: must have exactly one version marked as storage version"
                    .into(),
            ));
        }
        let storage = versions
            .iter()
            .filter(|v| v.get("storage") == Some(&Value::Bool(true)))
            .count();
        if storage != 1 {
            return Err(inv(
                "spec.versions",
                format!(
                    "Invalid value: {}: must have exactly one version marked as storage version",
                    Value::Array(versions.clone())
                ),
            ));
        }
        match spec.get("scope").and_then(Value::as_str) {
            Some("Namespaced" | "Cluster") => {}
            other => {
                return Err(inv(
                    "spec.scope",
                    format!(
                        "Unsupported value: {}: supported values: \"Cluster\", \"Namespaced\"",
                        json!(other)
                    ),
                ));
            }
        }
        let _ = state;
    }
    Ok(())
}

/// After an object was stored (created or updated).
pub fn after_write(
    state: &mut State,
    rt: &Arc<ResourceType>,
    old: Option<&Arc<Value>>,
    new: &Arc<Value>,
) {
    if is(rt, "apiextensions.k8s.io", "customresourcedefinitions") {
        crd_changed(state, rt, new);
    } else if is(rt, "", "namespaces") && old.is_none() {
        let ns = util::name_of(new).to_string();
        if let Some(sa) = state.registry.lookup("", "v1", "serviceaccounts") {
            let _ = api::create(
                state,
                &sa,
                "v1",
                &ns,
                json!({"metadata": {"name": "default"}}),
                &api::WriteOptions::default(),
            );
        }
    } else if is(rt, "rbac.authorization.k8s.io", "clusterroles") {
        aggregate_cluster_roles(state);
    }
}

/// After an object was removed for good.
pub fn after_remove(state: &mut State, rt: &Arc<ResourceType>, last: &Arc<Value>) {
    if is(rt, "apiextensions.k8s.io", "customresourcedefinitions") {
        if let Some(key) = crd_key(last) {
            let ours = state
                .registry
                .get(&key)
                .is_some_and(|t| t.crd.as_deref() == Some(util::name_of(last)));
            if ours {
                state.remove_all(&key);
                state.registry.remove(&key);
            }
        }
    } else if is(rt, "rbac.authorization.k8s.io", "clusterroles") {
        aggregate_cluster_roles(state);
    }
}

fn crd_key(crd: &Value) -> Option<ResKey> {
    let spec = crd.get("spec")?;
    Some(ResKey {
        group: spec.get("group")?.as_str()?.to_string(),
        plural: spec.get("names")?.get("plural")?.as_str()?.to_string(),
    })
}

fn columns(v: &Value) -> Vec<PrinterColumn> {
    v.get("additionalPrinterColumns")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|c| PrinterColumn {
                    name: c.get("name").and_then(Value::as_str).unwrap_or("").into(),
                    type_: c
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string")
                        .into(),
                    json_path: c
                        .get("jsonPath")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    description: c
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn crd_changed(state: &mut State, crd_rt: &Arc<ResourceType>, crd: &Arc<Value>) {
    let Some(key) = crd_key(crd) else {
        return;
    };
    let name = util::name_of(crd).to_string();
    let spec = crd.get("spec").cloned().unwrap_or(Value::Null);
    let names = spec.get("names").cloned().unwrap_or(Value::Null);
    let kind = names
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let strs = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let conflict = state
        .registry
        .get(&key)
        .is_some_and(|t| t.crd.as_deref() != Some(name.as_str()));
    let deleting = crd
        .get("metadata")
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some();
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut served: Vec<String> = versions
        .iter()
        .filter(|v| v.get("served") != Some(&Value::Bool(false)))
        .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    sort_versions(&mut served);
    let storage = versions
        .iter()
        .find(|v| v.get("storage") == Some(&Value::Bool(true)))
        .and_then(|v| v.get("name").and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    let mut status_sub = false;
    let mut scale_sub = false;
    let mut version_columns = BTreeMap::new();
    let mut schemas = BTreeMap::new();
    for v in &versions {
        let vn = v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(sub) = v.get("subresources") {
            status_sub |= sub.get("status").is_some();
            scale_sub |= sub.get("scale").is_some();
        }
        version_columns.insert(vn.clone(), columns(v));
        if let Some(s) = v.get("schema").and_then(|s| s.get("openAPIV3Schema")) {
            schemas.insert(vn, s.clone());
        }
    }
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_lowercase());
    if !conflict && !deleting && !served.is_empty() {
        state.registry.insert(ResourceType {
            group: key.group.clone(),
            versions: served,
            plural: key.plural.clone(),
            singular: singular.clone(),
            kind: kind.clone(),
            namespaced: spec.get("scope").and_then(Value::as_str) == Some("Namespaced"),
            verbs: crate::registry::STANDARD_VERBS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            short_names: strs(names.get("shortNames")),
            categories: strs(names.get("categories")),
            status: status_sub,
            scale: scale_sub,
            extra_subresources: Vec::new(),
            generation: true,
            printer_columns: Vec::new(),
            version_columns,
            schemas,
            crd: Some(name.clone()),
        });
    }
    // The status the apiextensions controllers write.
    let prev_status = crd.get("status").cloned().unwrap_or(json!({}));
    let prev_conds = prev_status
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let cond = |ty: &str, ok: bool, reason: &str, message: &str| {
        let same = prev_conds
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(ty));
        let status = if ok { "True" } else { "False" };
        let time = same
            .filter(|c| c.get("status").and_then(Value::as_str) == Some(status))
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| json!(util::now()));
        json!({"type": ty, "status": status, "lastTransitionTime": time, "reason": reason, "message": message})
    };
    let conditions = if conflict {
        vec![
            cond(
                "NamesAccepted",
                false,
                "ResourceConflict",
                &format!("\"{}\" is already in use", key.plural),
            ),
            cond(
                "Established",
                false,
                "NotAccepted",
                "not all names are accepted",
            ),
        ]
    } else {
        let mut c = vec![
            cond("NamesAccepted", true, "NoConflicts", "no conflicts found"),
            cond(
                "Established",
                true,
                "InitialNamesAccepted",
                "the initial names have been accepted",
            ),
        ];
        if deleting {
            c.push(cond(
                "Terminating",
                true,
                "InstanceDeletionInProgress",
                "CustomResource deletion is in progress",
            ));
        }
        c
    };
    let mut accepted = json!({"plural": key.plural, "singular": singular, "kind": kind, "listKind": names.get("listKind").cloned().unwrap_or_else(|| json!(format!("{kind}List")))});
    for f in ["shortNames", "categories"] {
        if let Some(v) = names.get(f) {
            accepted[f] = v.clone();
        }
    }
    let mut stored_versions: Vec<Value> = prev_status
        .get("storedVersions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !storage.is_empty() && !stored_versions.iter().any(|v| v.as_str() == Some(&storage)) {
        stored_versions.push(json!(storage));
    }
    let status = json!({"conditions": conditions, "acceptedNames": accepted, "storedVersions": stored_versions});
    if crd.get("status") != Some(&status) {
        let mut new = (**crd).clone();
        new["status"] = status;
        api::controller_write(state, crd_rt, crd, new);
    }
}

fn aggregate_cluster_roles(state: &mut State) {
    let Some(rt) = state
        .registry
        .lookup("rbac.authorization.k8s.io", "v1", "clusterroles")
    else {
        return;
    };
    let key = rt.key();
    let roles: Vec<Arc<Value>> = state.list(&key, None).map(|(_, v)| v.clone()).collect();
    for role in &roles {
        let Some(agg) = role.get("aggregationRule") else {
            continue;
        };
        let selectors: Vec<LabelSelector> = agg
            .get("clusterRoleSelectors")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(LabelSelector::from_object).collect())
            .unwrap_or_default();
        let mut rules: Vec<Value> = Vec::new();
        for other in &roles {
            if util::name_of(other) == util::name_of(role) {
                continue;
            }
            let labels = util::labels_of(other);
            if selectors
                .iter()
                .any(|s| !s.is_empty() && s.matches(&labels))
            {
                for r in other
                    .get("rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if !rules.contains(r) {
                        rules.push(r.clone());
                    }
                }
            }
        }
        let rules = Value::Array(rules);
        if role.get("rules") != Some(&rules) {
            let mut new = (**role).clone();
            new["rules"] = rules;
            api::controller_write(state, &rt, role, new);
        }
    }
}
