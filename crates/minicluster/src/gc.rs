//! The garbage collector and the namespace controller: finalizers `orphan` and
//! `foregroundDeletion`, dependents whose owners are gone, terminating namespaces.

use crate::api::{self, DeleteOptions, Propagation};
use crate::registry::{ResKey, ResourceType};
use crate::store::State;
use crate::util;
use serde_json::{Value, json};
use std::sync::Arc;

fn rt_of(state: &State, key: &ResKey) -> Option<Arc<ResourceType>> {
    state.registry.get(key).cloned()
}

fn background() -> DeleteOptions {
    DeleteOptions {
        propagation: Some(Propagation::Background),
        ..Default::default()
    }
}

/// Runs until nothing is left to do (bounded).
pub fn collect(state: &mut State) {
    for _ in 0..1000 {
        if !state.gc_pending {
            return;
        }
        state.gc_pending = false;
        let mut changed = false;
        // Dependents of removed owners.
        let removed = std::mem::take(&mut state.removed_uids);
        for uid in removed {
            for (key, (ns, name)) in state.dependents(&uid) {
                let Some(obj) = state.get(&key, &ns, &name).cloned() else {
                    continue;
                };
                let refs = obj
                    .get("metadata")
                    .and_then(|m| m.get("ownerReferences"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let all_gone = refs.iter().all(|r| {
                    r.get("uid")
                        .and_then(Value::as_str)
                        .is_none_or(|u| !state.uid_exists(u))
                });
                if all_gone
                    && obj
                        .get("metadata")
                        .and_then(|m| m.get("deletionTimestamp"))
                        .is_none()
                    && let Some(rt) = rt_of(state, &key)
                {
                    let v = rt.preferred().to_string();
                    let _ = api::delete(state, &rt, &v, &ns, &name, &background());
                    changed = true;
                }
            }
        }
        // Objects being deleted.
        for (key, (ns, name)) in state.deleting() {
            let Some(obj) = state.get(&key, &ns, &name).cloned() else {
                continue;
            };
            let Some(rt) = rt_of(state, &key) else {
                continue;
            };
            let uid = util::meta_str(&obj, "uid").unwrap_or("").to_string();
            let fins = util::finalizers_of(&obj);
            if fins.iter().any(|f| f == "orphan") {
                for (dk, (dns, dname)) in state.dependents(&uid) {
                    let Some(dep) = state.get(&dk, &dns, &dname).cloned() else {
                        continue;
                    };
                    let Some(drt) = rt_of(state, &dk) else {
                        continue;
                    };
                    let mut new = (*dep).clone();
                    if let Some(refs) = util::meta_mut(&mut new)
                        .get_mut("ownerReferences")
                        .and_then(Value::as_array_mut)
                    {
                        refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid.as_str()));
                    }
                    let empty = new["metadata"]["ownerReferences"]
                        .as_array()
                        .is_some_and(Vec::is_empty);
                    if empty {
                        util::meta_mut(&mut new).remove("ownerReferences");
                    }
                    api::controller_write(state, &drt, &dep, new);
                }
                api::remove_finalizer(state, &rt, &ns, &name, "orphan");
                changed = true;
                continue;
            }
            if fins.iter().any(|f| f == "foregroundDeletion") {
                let deps = state.dependents(&uid);
                if deps.is_empty() {
                    api::remove_finalizer(state, &rt, &ns, &name, "foregroundDeletion");
                    changed = true;
                } else {
                    for (dk, (dns, dname)) in deps {
                        let Some(dep) = state.get(&dk, &dns, &dname).cloned() else {
                            continue;
                        };
                        if dep
                            .get("metadata")
                            .and_then(|m| m.get("deletionTimestamp"))
                            .is_some()
                        {
                            continue;
                        }
                        if let Some(drt) = rt_of(state, &dk) {
                            let v = drt.preferred().to_string();
                            let opts = DeleteOptions {
                                propagation: Some(Propagation::Foreground),
                                ..Default::default()
                            };
                            let _ = api::delete(state, &drt, &v, &dns, &dname, &opts);
                            changed = true;
                        }
                    }
                }
            }
            if key.group.is_empty() && key.plural == "namespaces" {
                changed |= terminate_namespace(state, &rt, &obj);
            }
        }
        if changed {
            state.gc_pending = true;
        }
    }
}

fn terminate_namespace(state: &mut State, rt: &Arc<ResourceType>, nsobj: &Arc<Value>) -> bool {
    let ns = util::name_of(nsobj).to_string();
    let mut changed = false;
    let mut remaining = 0;
    let types: Vec<Arc<ResourceType>> = state
        .registry
        .all()
        .filter(|t| t.namespaced)
        .cloned()
        .collect();
    for t in types {
        let names: Vec<(String, bool)> = state
            .list(&t.key(), Some(&ns))
            .map(|((_, n), v)| {
                (
                    n.clone(),
                    v.get("metadata")
                        .and_then(|m| m.get("deletionTimestamp"))
                        .is_some(),
                )
            })
            .collect();
        for (name, deleting) in names {
            remaining += 1;
            if !deleting {
                let v = t.preferred().to_string();
                let _ = api::delete(state, &t, &v, &ns, &name, &background());
                changed = true;
            }
        }
    }
    if remaining == 0 || state_is_empty(state, &ns) {
        // The namespace controller removes its spec finalizer once the namespace is empty.
        let mut new = (**nsobj).clone();
        new["spec"]["finalizers"] = json!([]);
        if let Some(s) = new.get_mut("spec").and_then(Value::as_object_mut) {
            s.remove("finalizers");
        }
        if util::finalizers_of(&new).is_empty() {
            state.replace(&rt.key(), new);
            if let Some(last) = state.remove(&rt.key(), "", &ns) {
                crate::hooks::after_remove(state, rt, &last);
            }
        } else {
            api::controller_write(state, rt, nsobj, new);
        }
        changed = true;
    }
    changed
}

fn state_is_empty(state: &State, ns: &str) -> bool {
    state
        .registry
        .all()
        .filter(|t| t.namespaced)
        .all(|t| state.list(&t.key(), Some(ns)).next().is_none())
}
