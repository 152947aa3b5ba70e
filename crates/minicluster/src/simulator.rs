//! Optional workload simulator: marks Deployments, StatefulSets, DaemonSets, ReplicaSets,
//! Jobs and Pods ready a delay after each change of their spec, as the controllers and the
//! kubelet of a real cluster would. An object annotated
//! `minicluster.ferroflux.io/simulate: fail` is kept failing instead.

use crate::api;
use crate::registry::ResKey;
use crate::{Cluster, util};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The annotation that keeps a workload failing.
pub const FAIL_ANNOTATION: &str = "minicluster.ferroflux.io/simulate";

const KINDS: &[(&str, &str)] = &[
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("", "pods"),
];

fn cond(ty: &str, ok: bool, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": ty, "status": if ok { "True" } else { "False" }, "lastTransitionTime": now, "reason": reason, "message": message})
}

/// The status a workload reaches (or keeps, when failing).
pub fn simulated_status(plural: &str, obj: &Value, fail: bool) -> Value {
    let now = util::now();
    let generation = obj
        .pointer("/metadata/generation")
        .cloned()
        .unwrap_or(json!(1));
    let replicas = obj
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let ready = if fail { 0 } else { replicas };
    let name = util::name_of(obj);
    match plural {
        "deployments" => {
            let mut c = cond(
                "Available",
                !fail,
                if fail {
                    "MinimumReplicasUnavailable"
                } else {
                    "MinimumReplicasAvailable"
                },
                if fail {
                    "Deployment does not have minimum availability."
                } else {
                    "Deployment has minimum availability."
                },
                &now,
            );
            c["lastUpdateTime"] = json!(now);
            let mut p = if fail {
                cond(
                    "Progressing",
                    false,
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{name}\" has timed out progressing."),
                    &now,
                )
            } else {
                cond(
                    "Progressing",
                    true,
                    "NewReplicaSetAvailable",
                    &format!("ReplicaSet \"{name}\" has successfully progressed."),
                    &now,
                )
            };
            p["lastUpdateTime"] = json!(now);
            json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": ready,
                "availableReplicas": ready, "unavailableReplicas": replicas - ready, "conditions": [c, p]})
        }
        "statefulsets" => {
            json!({"observedGeneration": generation, "replicas": replicas, "readyReplicas": ready,
            "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": ready,
            "currentRevision": format!("{name}-1"), "updateRevision": format!("{name}-1"), "collisionCount": 0})
        }
        "daemonsets" => {
            json!({"observedGeneration": generation, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
            "numberReady": if fail { 0 } else { 1 }, "updatedNumberScheduled": 1, "numberAvailable": if fail { 0 } else { 1 },
            "numberMisscheduled": 0})
        }
        "replicasets" => {
            json!({"observedGeneration": generation, "replicas": replicas, "readyReplicas": ready,
            "availableReplicas": ready, "fullyLabeledReplicas": replicas})
        }
        "jobs" => {
            if fail {
                json!({"startTime": now, "failed": 1, "conditions": [
                    cond("FailureTarget", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit", &now),
                    cond("Failed", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit", &now)]})
            } else {
                json!({"startTime": now, "completionTime": now, "succeeded": 1, "ready": 0, "conditions": [
                    cond("SuccessCriteriaMet", true, "CompletionsReached", "Reached expected number of succeeded pods", &now),
                    cond("Complete", true, "CompletionsReached", "Reached expected number of succeeded pods", &now)]})
            }
        }
        "pods" => {
            let containers: Vec<Value> = obj
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            let state = if fail {
                                json!({"waiting": {"reason": "CrashLoopBackOff"}})
                            } else {
                                json!({"running": {"startedAt": now}})
                            };
                            json!({"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": !fail,
                                "restartCount": 0, "started": !fail, "state": state})
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({"phase": if fail { "Pending" } else { "Running" }, "observedGeneration": generation,
                "conditions": [cond("PodScheduled", true, "", "", &now), cond("Initialized", true, "", "", &now),
                    cond("ContainersReady", !fail, "", "", &now), cond("Ready", !fail, "", "", &now)],
                "hostIP": "10.0.0.1", "podIP": "10.244.0.10", "startTime": now, "qosClass": "BestEffort",
                "containerStatuses": containers})
        }
        _ => json!({}),
    }
}

/// Runs until aborted.
pub async fn run(cluster: Arc<Cluster>, delay: Duration) {
    let mut first_seen: HashMap<(String, String, String, String), Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tick.tick().await;
        let mut state = match cluster.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let mut seen = HashMap::new();
        for (group, plural) in KINDS {
            let key = ResKey {
                group: group.to_string(),
                plural: plural.to_string(),
            };
            let Some(rt) = state.registry.get(&key).cloned() else {
                continue;
            };
            let objs: Vec<Arc<Value>> = state.list(&key, None).map(|(_, o)| o.clone()).collect();
            for obj in objs {
                if obj.pointer("/metadata/deletionTimestamp").is_some() {
                    continue;
                }
                let fail = obj
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(FAIL_ANNOTATION))
                    .and_then(Value::as_str)
                    == Some("fail");
                let generation = obj
                    .pointer("/metadata/generation")
                    .map(Value::to_string)
                    .unwrap_or_default();
                let id = (
                    plural.to_string(),
                    util::namespace_of(&obj).to_string(),
                    util::name_of(&obj).to_string(),
                    format!(
                        "{generation}/{fail}/{}",
                        obj.pointer("/spec/replicas")
                            .map(Value::to_string)
                            .unwrap_or_default()
                    ),
                );
                let since = *first_seen.get(&id).unwrap_or(&Instant::now());
                seen.insert(id.clone(), since);
                if since.elapsed() < delay {
                    continue;
                }
                let status = simulated_status(plural, &obj, fail);
                let current = obj.get("status").cloned().unwrap_or(Value::Null);
                let same_shape = |a: &Value, b: &Value| {
                    let strip = |v: &Value| {
                        let mut v = v.clone();
                        if let Some(m) = v.as_object_mut() {
                            for k in [
                                "conditions",
                                "startTime",
                                "completionTime",
                                "containerStatuses",
                            ] {
                                m.remove(k);
                            }
                        }
                        v
                    };
                    strip(a) == strip(b)
                };
                if !same_shape(&current, &status) {
                    let mut new = (*obj).clone();
                    new["status"] = status;
                    api::controller_write(&mut state, &rt, &obj, new);
                }
            }
        }
        first_seen = seen;
    }
}
