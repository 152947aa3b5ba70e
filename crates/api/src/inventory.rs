//! Inventory entries: `<namespace>_<name>_<group>_<kind>` plus the version in `v`.
//!
//! Cluster-scoped objects have an empty namespace and core objects an empty group, e.g.
//! `default_podinfo__Service` (v `v1`) or `_podinfo_rbac.authorization.k8s.io_ClusterRole`.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `status.inventory` of a Kustomization or HelmRelease.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct ResourceInventory {
    /// Entries of Kubernetes resource object references.
    #[serde(default)]
    pub entries: Vec<ResourceRef>,
}

/// One applied object.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ResourceRef {
    /// `<namespace>_<name>_<group>_<kind>`.
    pub id: String,
    /// API version of the object's kind, e.g. `v1`.
    pub v: String,
}

/// Why an inventory id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid inventory id {0:?}: expected <namespace>_<name>_<group>_<kind>")]
pub struct InventoryIdError(pub String);

/// The object identity encoded in an inventory id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// Empty for cluster-scoped objects.
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// API group, empty for the core group.
    pub group: String,
    /// Kind.
    pub kind: String,
}

impl ObjectId {
    /// Builds an id from an object's `apiVersion`, kind, namespace and name.
    pub fn from_object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Self {
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        ObjectId {
            namespace: namespace.unwrap_or("").to_string(),
            name: name.to_string(),
            group: group.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Parses `<namespace>_<name>_<group>_<kind>`.
    pub fn parse(id: &str) -> Result<Self, InventoryIdError> {
        let parts: Vec<&str> = id.split('_').collect();
        match parts.as_slice() {
            [ns, name, group, kind] if !name.is_empty() && !kind.is_empty() => Ok(ObjectId {
                namespace: ns.to_string(),
                name: name.to_string(),
                group: group.to_string(),
                kind: kind.to_string(),
            }),
            _ => Err(InventoryIdError(id.to_string())),
        }
    }

    /// The inventory entry for this object at `version` (e.g. `v1`).
    pub fn to_entry(&self, version: &str) -> ResourceRef {
        ResourceRef {
            id: self.to_string(),
            v: version.to_string(),
        }
    }

    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}_{}_{}_{}",
            self.namespace, self.name, self.group, self.kind
        )
    }
}

impl FromStr for ObjectId {
    type Err = InventoryIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ObjectId::parse(s)
    }
}

impl ResourceRef {
    /// The object identity of this entry.
    pub fn object_id(&self) -> Result<ObjectId, InventoryIdError> {
        ObjectId::parse(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let svc = ObjectId::from_object("v1", "Service", Some("default"), "podinfo");
        assert_eq!(svc.to_string(), "default_podinfo__Service");
        let dep = ObjectId::from_object("apps/v1", "Deployment", Some("default"), "podinfo");
        assert_eq!(dep.to_entry("v1").id, "default_podinfo_apps_Deployment");
        let cr = ObjectId::from_object("rbac.authorization.k8s.io/v1", "ClusterRole", None, "view");
        assert_eq!(
            cr.to_string(),
            "_view_rbac.authorization.k8s.io_ClusterRole"
        );
        for id in [
            "default_podinfo__Service",
            "_view_rbac.authorization.k8s.io_ClusterRole",
            "_flux-system__Namespace",
        ] {
            assert_eq!(ObjectId::parse(id).unwrap().to_string(), id);
        }
        assert_eq!(cr.api_version("v1"), "rbac.authorization.k8s.io/v1");
        assert_eq!(svc.api_version("v1"), "v1");
    }

    #[test]
    fn rejects_bad_ids() {
        for bad in [
            "",
            "a_b_c",
            "a_b_c_d_e",
            "ns__apps_Deployment",
            "ns_name_apps_",
        ] {
            assert!(ObjectId::parse(bad).is_err(), "{bad}");
        }
    }
}
