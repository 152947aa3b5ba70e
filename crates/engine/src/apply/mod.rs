//! The applier: rendered objects onto a cluster with server-side apply, staged as Flux's
//! kustomize-controller stages them (CustomResourceDefinitions, Namespaces and ClusterRoles
//! first, then everything else after a server-side dry run of the whole set, so a bad object
//! stops the apply before anything of that stage is written), with health checks for
//! workloads and inventory entries in Flux's format.

pub mod health;

use anyhow::{Context, Result, anyhow, bail};
use ferroflux_api::inventory::{ObjectId, ResourceRef};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiCapabilities, ApiResource, Scope};
use serde_json::Value;
use std::time::Duration;

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Configured,
    Unchanged,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
        })
    }
}

/// One applied object.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: ObjectId,
    pub version: String,
    pub action: Action,
    /// `Kind/namespace/name` as Flux prints it in events.
    pub display: String,
}

impl Applied {
    pub fn entry(&self) -> ResourceRef {
        self.id.to_entry(&self.version)
    }
}

/// Server-side apply with one field manager.
pub struct Applier {
    client: kube::Client,
    manager: String,
}

fn first_stage(kind: &str) -> bool {
    matches!(
        kind,
        "CustomResourceDefinition" | "Namespace" | "ClusterRole"
    )
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str()
}

impl Applier {
    pub fn new(client: kube::Client, manager: &str) -> Self {
        Applier {
            client,
            manager: manager.to_string(),
        }
    }

    async fn resolve(&self, obj: &Value) -> Result<(ApiResource, ApiCapabilities)> {
        let api_version = str_at(obj, &["apiVersion"]).context("object without apiVersion")?;
        let kind = str_at(obj, &["kind"]).context("object without kind")?;
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        kube::discovery::pinned_kind(&self.client, &gvk)
            .await
            .with_context(|| format!("{kind} ({api_version}) is not served by the cluster"))
    }

    fn api(
        &self,
        ar: &ApiResource,
        caps: &ApiCapabilities,
        ns: Option<&str>,
    ) -> Api<DynamicObject> {
        match (caps.scope.clone(), ns) {
            (Scope::Namespaced, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, ar),
            (Scope::Namespaced, None) => Api::default_namespaced_with(self.client.clone(), ar),
            (Scope::Cluster, _) => Api::all_with(self.client.clone(), ar),
        }
    }

    async fn apply_one(
        &self,
        obj: &Value,
        dry_run: bool,
        default_ns: Option<&str>,
    ) -> Result<Applied> {
        let (ar, caps) = self.resolve(obj).await?;
        let name = str_at(obj, &["metadata", "name"]).context("object without metadata.name")?;
        let ns = str_at(obj, &["metadata", "namespace"]).or(default_ns);
        let mut owned;
        let obj = match (ns, str_at(obj, &["metadata", "namespace"]), &caps.scope) {
            // A namespaced object without a namespace goes to the default one (Helm's release
            // namespace), which the apply body must then name too.
            (Some(ns), None, Scope::Namespaced) => {
                owned = obj.clone();
                owned["metadata"]["namespace"] = Value::String(ns.to_string());
                &owned
            }
            _ => obj,
        };
        let display = match (caps.scope.clone(), ns) {
            (Scope::Namespaced, Some(ns)) => format!("{}/{ns}/{name}", ar.kind),
            _ => format!("{}/{name}", ar.kind),
        };
        let api = self.api(&ar, &caps, ns);
        let before = api
            .get_opt(name)
            .await
            .with_context(|| format!("{display}: reading the live object"))?;
        let mut params = PatchParams::apply(&self.manager).force();
        params.dry_run = dry_run;
        let after = api
            .patch(name, &params, &Patch::Apply(obj))
            .await
            .map_err(|e| {
                anyhow!(
                    "{display} {}: {e}",
                    if dry_run {
                        "dry-run failed"
                    } else {
                        "apply failed"
                    }
                )
            })?;
        let action = match &before {
            None => Action::Created,
            Some(b) if b.metadata.resource_version == after.metadata.resource_version => {
                Action::Unchanged
            }
            Some(_) => Action::Configured,
        };
        let namespace = match caps.scope {
            Scope::Namespaced => Some(ns.unwrap_or("default")),
            Scope::Cluster => None,
        };
        Ok(Applied {
            id: ObjectId::from_object(&ar.api_version, &ar.kind, namespace, name),
            version: ar.version.clone(),
            action,
            display,
        })
    }

    /// Applies `objects` in Flux's stages; returns what was done, in input order per stage.
    pub async fn apply_all(&self, objects: &[Value]) -> Result<Vec<Applied>> {
        self.apply_all_in(objects, None).await
    }

    /// [`Applier::apply_all`] with a namespace for namespaced objects that name none.
    pub async fn apply_all_in(
        &self,
        objects: &[Value],
        default_ns: Option<&str>,
    ) -> Result<Vec<Applied>> {
        let (first, rest): (Vec<&Value>, Vec<&Value>) = objects
            .iter()
            .partition(|o| first_stage(str_at(o, &["kind"]).unwrap_or_default()));
        let mut out = Vec::new();
        for o in &first {
            out.push(self.apply_one(o, false, default_ns).await?);
        }
        for a in out
            .iter()
            .filter(|a| a.id.kind == "CustomResourceDefinition")
        {
            health::wait_crd_established(&self.client, &a.id.name, Duration::from_secs(30)).await?;
        }
        // Validate the whole second stage before writing any of it.
        for o in &rest {
            self.apply_one(o, true, default_ns).await?;
        }
        for o in &rest {
            out.push(self.apply_one(o, false, default_ns).await?);
        }
        Ok(out)
    }

    /// Waits until every applied workload is ready (Flux's `wait: true`).
    pub async fn wait(&self, applied: &[Applied], timeout: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        for a in applied {
            loop {
                match health::status(&self.client, a).await? {
                    health::Health::Current => break,
                    health::Health::Failed(why) => bail!("{}: {why}", a.display),
                    health::Health::InProgress(why) => {
                        if tokio::time::Instant::now() >= deadline {
                            bail!("timeout waiting for {}: {why}", a.display);
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        }
        Ok(())
    }
}
