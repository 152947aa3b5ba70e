//! The builtin `IAMPolicyGenerator`: a Kubernetes ServiceAccount bound to a cloud
//! provider's service account (only GKE's Workload Identity exists in kustomize).

use crate::error::{ErrorKind, Result, err};
use crate::resource::Resource;
use serde_json::Value;

fn string_at(cfg: &Value, path: &[&str]) -> Result<String> {
    match crate::resource::get(cfg, path) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(err(ErrorKind::Invalid(format!(
            "IAMPolicyGenerator: {} must be a string, not {other}",
            path.join(".")
        )))),
    }
}

/// Generates the ServiceAccount of one `IAMPolicyGenerator` config.
pub fn generate(cfg: &Value) -> Result<Resource> {
    let cloud = string_at(cfg, &["cloud"])?;
    if cloud != "gke" {
        return Err(err(ErrorKind::Invalid(format!(
            "cloud provider {cloud} not supported yet"
        ))));
    }
    let ksa = string_at(cfg, &["kubernetesService", "name"])?;
    let namespace = string_at(cfg, &["kubernetesService", "namespace"])?;
    let gsa = string_at(cfg, &["serviceAccount", "name"])?;
    let project = string_at(cfg, &["serviceAccount", "projectId"])?;
    // kustomize fills the values into YAML text and parses it, so a value is read as
    // YAML (a name such as `true` or `1` would not stay a string there either).
    let mut text = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    \
         iam.gke.io/gcp-service-account: {gsa}@{project}.iam.gserviceaccount.com\n  name: {ksa}\n"
    );
    if !namespace.is_empty() {
        text.push_str(&format!("  namespace: {namespace}\n"));
    }
    let obj = crate::yaml::parse_one(&text)?;
    Ok(Resource::new(obj, format!("IAMPolicyGenerator {ksa}")))
}
