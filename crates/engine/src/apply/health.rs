//! Readiness as kstatus computes it, for the kinds that have a rollout: Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, Job; everything else is current once applied.

use super::Applied;
use anyhow::{Context, Result, bail};
use kube::api::{Api, DynamicObject};
use kube::core::GroupVersionKind;
use serde_json::Value;
use std::time::Duration;

/// kstatus's three outcomes that matter for `wait`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Current,
    InProgress(String),
    Failed(String),
}

fn int(v: &Value, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        match cur.get(*p) {
            Some(x) => cur = x,
            None => return 0,
        }
    }
    cur.as_i64().unwrap_or(0)
}

fn condition<'a>(v: &'a Value, kind: &str) -> Option<&'a Value> {
    v.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

/// kstatus for one object's JSON.
pub fn compute(kind: &str, obj: &Value) -> Health {
    let generation = int(obj, &["metadata", "generation"]);
    let observed = int(obj, &["status", "observedGeneration"]);
    if generation > 0 && observed < generation && kind != "Job" {
        return Health::InProgress(format!(
            "observed generation {observed} < generation {generation}"
        ));
    }
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => {
            let want = obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let ready = int(obj, &["status", "readyReplicas"]);
            if let Some(c) = condition(obj, "Progressing")
                && c.get("reason").and_then(Value::as_str) == Some("ProgressDeadlineExceeded")
            {
                return Health::Failed("progress deadline exceeded".into());
            }
            if ready < want {
                Health::InProgress(format!("{ready} of {want} replicas ready"))
            } else {
                Health::Current
            }
        }
        "DaemonSet" => {
            let want = int(obj, &["status", "desiredNumberScheduled"]);
            let ready = int(obj, &["status", "numberReady"]);
            if want == 0 || ready < want {
                Health::InProgress(format!("{ready} of {want} pods ready"))
            } else {
                Health::Current
            }
        }
        "Job" => {
            if condition(obj, "Failed")
                .is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
            {
                Health::Failed("job failed".into())
            } else if condition(obj, "Complete")
                .is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
            {
                Health::Current
            } else {
                Health::InProgress("job not complete".into())
            }
        }
        _ => Health::Current,
    }
}

/// Reads the live object and computes its health.
pub async fn status(client: &kube::Client, a: &Applied) -> Result<Health> {
    if !matches!(
        a.id.kind.as_str(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job"
    ) {
        return Ok(Health::Current);
    }
    let gvk = GroupVersionKind::gvk(&a.id.group, &a.version, &a.id.kind);
    let (ar, _) = kube::discovery::pinned_kind(client, &gvk).await?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &a.id.namespace, &ar);
    let live = api
        .get(&a.id.name)
        .await
        .with_context(|| format!("reading {}", a.display))?;
    Ok(compute(&a.id.kind, &serde_json::to_value(live)?))
}

/// Waits for a CRD's Established condition.
pub async fn wait_crd_established(
    client: &kube::Client,
    name: &str,
    timeout: Duration,
) -> Result<()> {
    let gvk = GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition");
    let (ar, _) = kube::discovery::pinned_kind(client, &gvk).await?;
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let crd = serde_json::to_value(api.get(name).await?)?;
        if condition(&crd, "Established")
            .is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
        {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("CustomResourceDefinition/{name} not established");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployments_need_ready_replicas_of_the_current_generation() {
        let mut d = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 1, "readyReplicas": 2}});
        assert!(matches!(compute("Deployment", &d), Health::InProgress(_)));
        d["status"]["observedGeneration"] = json!(2);
        assert_eq!(compute("Deployment", &d), Health::Current);
        d["status"]["readyReplicas"] = json!(1);
        assert!(matches!(compute("Deployment", &d), Health::InProgress(_)));
    }

    #[test]
    fn jobs_complete_or_fail() {
        let j = json!({"status": {"conditions": [{"type": "Failed", "status": "True"}]}});
        assert!(matches!(compute("Job", &j), Health::Failed(_)));
        let j = json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(compute("Job", &j), Health::Current);
        assert_eq!(compute("ConfigMap", &json!({})), Health::Current);
    }
}
