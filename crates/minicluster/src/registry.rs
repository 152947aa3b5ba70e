//! The kinds the server serves: built-in ones and those CustomResourceDefinitions add.

use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The verbs of an ordinary resource.
pub const STANDARD_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// One printer column (`kubectl get`), as a CRD declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    pub type_: String,
    pub json_path: String,
    pub description: String,
    pub priority: i64,
}

/// One served resource.
#[derive(Debug, Clone)]
pub struct ResourceType {
    pub group: String,
    /// Served versions, preferred first.
    pub versions: Vec<String>,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub status: bool,
    pub scale: bool,
    /// Subresources with their own verbs but no storage of their own (`pods/log`, …).
    pub extra_subresources: Vec<String>,
    /// Whether `metadata.generation` is kept (bumped on changes outside metadata and status).
    pub generation: bool,
    pub printer_columns: Vec<PrinterColumn>,
    /// Per version: printer columns (CRDs may differ per version).
    pub version_columns: BTreeMap<String, Vec<PrinterColumn>>,
    /// Per version: the CRD's `openAPIV3Schema`, used for list semantics in apply.
    pub schemas: BTreeMap<String, Value>,
    /// The CRD that serves this resource, when not built in.
    pub crd: Option<String>,
}

impl ResourceType {
    /// `apps/v1` or `v1` for the given version.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// The preferred version.
    pub fn preferred(&self) -> &str {
        self.versions.first().map(String::as_str).unwrap_or("v1")
    }

    /// Whether `verb` is allowed on the main resource.
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Storage key.
    pub fn key(&self) -> ResKey {
        ResKey {
            group: self.group.clone(),
            plural: self.plural.clone(),
        }
    }

    /// Whether an object of this kind is a review (create-only, answered, never stored).
    pub fn is_virtual(&self) -> bool {
        !self.has_verb("get")
    }
}

/// Where objects of one resource live in the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResKey {
    pub group: String,
    pub plural: String,
}

/// Every served resource.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    types: BTreeMap<ResKey, Arc<ResourceType>>,
}

// group, versions (preferred first), plural, singular, kind, namespaced, shortNames, categories,
// flags: s = status, c = scale, g = generation, r = create-only review, o = get/list only, b = create only
/// group, versions, plural, singular, kind, namespaced, shortNames, categories, flags.
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static str,
);

const BUILTIN: &[Builtin] = &[
    (
        "", "v1", "bindings", "binding", "Binding", true, "", "", "b",
    ),
    (
        "",
        "v1",
        "componentstatuses",
        "componentstatus",
        "ComponentStatus",
        false,
        "cs",
        "",
        "o",
    ),
    (
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        "cm",
        "",
        "",
    ),
    (
        "",
        "v1",
        "endpoints",
        "endpoints",
        "Endpoints",
        true,
        "ep",
        "",
        "",
    ),
    ("", "v1", "events", "event", "Event", true, "ev", "", ""),
    (
        "",
        "v1",
        "limitranges",
        "limitrange",
        "LimitRange",
        true,
        "limits",
        "",
        "",
    ),
    (
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        "ns",
        "",
        "s",
    ),
    ("", "v1", "nodes", "node", "Node", false, "no", "", "s"),
    (
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        "pvc",
        "",
        "s",
    ),
    (
        "",
        "v1",
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        false,
        "pv",
        "",
        "s",
    ),
    ("", "v1", "pods", "pod", "Pod", true, "po", "all", "sg"),
    (
        "",
        "v1",
        "podtemplates",
        "podtemplate",
        "PodTemplate",
        true,
        "",
        "",
        "",
    ),
    (
        "",
        "v1",
        "replicationcontrollers",
        "replicationcontroller",
        "ReplicationController",
        true,
        "rc",
        "all",
        "scg",
    ),
    (
        "",
        "v1",
        "resourcequotas",
        "resourcequota",
        "ResourceQuota",
        true,
        "quota",
        "",
        "s",
    ),
    ("", "v1", "secrets", "secret", "Secret", true, "", "", ""),
    (
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        "sa",
        "",
        "",
    ),
    (
        "", "v1", "services", "service", "Service", true, "svc", "all", "s",
    ),
    (
        "apps",
        "v1",
        "controllerrevisions",
        "controllerrevision",
        "ControllerRevision",
        true,
        "",
        "",
        "",
    ),
    (
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        "ds",
        "all",
        "sg",
    ),
    (
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        "deploy",
        "all",
        "scg",
    ),
    (
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        "rs",
        "all",
        "scg",
    ),
    (
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        "sts",
        "all",
        "scg",
    ),
    (
        "batch", "v1", "cronjobs", "cronjob", "CronJob", true, "cj", "all", "sg",
    ),
    ("batch", "v1", "jobs", "job", "Job", true, "", "all", "sg"),
    (
        "autoscaling",
        "v2,v1",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        "hpa",
        "all",
        "sg",
    ),
    (
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        "pdb",
        "",
        "sg",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        "",
        "",
        "",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        "",
        "",
        "",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        "",
        "",
        "",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        "",
        "",
        "",
    ),
    (
        "networking.k8s.io",
        "v1",
        "ingressclasses",
        "ingressclass",
        "IngressClass",
        false,
        "",
        "",
        "",
    ),
    (
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        true,
        "ing",
        "",
        "sg",
    ),
    (
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        true,
        "netpol",
        "",
        "g",
    ),
    (
        "networking.k8s.io",
        "v1",
        "ipaddresses",
        "ipaddress",
        "IPAddress",
        false,
        "ip",
        "",
        "",
    ),
    (
        "networking.k8s.io",
        "v1",
        "servicecidrs",
        "servicecidr",
        "ServiceCIDR",
        false,
        "",
        "",
        "s",
    ),
    (
        "storage.k8s.io",
        "v1",
        "csidrivers",
        "csidriver",
        "CSIDriver",
        false,
        "",
        "",
        "",
    ),
    (
        "storage.k8s.io",
        "v1",
        "csinodes",
        "csinode",
        "CSINode",
        false,
        "",
        "",
        "",
    ),
    (
        "storage.k8s.io",
        "v1",
        "csistoragecapacities",
        "csistoragecapacity",
        "CSIStorageCapacity",
        true,
        "",
        "",
        "",
    ),
    (
        "storage.k8s.io",
        "v1",
        "storageclasses",
        "storageclass",
        "StorageClass",
        false,
        "sc",
        "",
        "",
    ),
    (
        "storage.k8s.io",
        "v1",
        "volumeattachments",
        "volumeattachment",
        "VolumeAttachment",
        false,
        "",
        "",
        "s",
    ),
    (
        "coordination.k8s.io",
        "v1",
        "leases",
        "lease",
        "Lease",
        true,
        "",
        "",
        "",
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        false,
        "crd,crds",
        "api-extensions",
        "sg",
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        "MutatingWebhookConfiguration",
        false,
        "",
        "api-extensions",
        "g",
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        "ValidatingWebhookConfiguration",
        false,
        "",
        "api-extensions",
        "g",
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        "ValidatingAdmissionPolicy",
        false,
        "",
        "api-extensions",
        "sg",
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        "ValidatingAdmissionPolicyBinding",
        false,
        "",
        "api-extensions",
        "g",
    ),
    (
        "events.k8s.io",
        "v1",
        "events",
        "event",
        "Event",
        true,
        "ev",
        "",
        "",
    ),
    (
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "endpointslice",
        "EndpointSlice",
        true,
        "",
        "",
        "",
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "priorityclasses",
        "priorityclass",
        "PriorityClass",
        false,
        "pc",
        "",
        "",
    ),
    (
        "node.k8s.io",
        "v1",
        "runtimeclasses",
        "runtimeclass",
        "RuntimeClass",
        false,
        "",
        "",
        "",
    ),
    (
        "certificates.k8s.io",
        "v1",
        "certificatesigningrequests",
        "certificatesigningrequest",
        "CertificateSigningRequest",
        false,
        "csr",
        "",
        "s",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        false,
        "",
        "",
        "r",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        false,
        "",
        "",
        "r",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "subjectaccessreviews",
        "subjectaccessreview",
        "SubjectAccessReview",
        false,
        "",
        "",
        "r",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        "LocalSubjectAccessReview",
        true,
        "",
        "",
        "r",
    ),
    (
        "authentication.k8s.io",
        "v1",
        "tokenreviews",
        "tokenreview",
        "TokenReview",
        false,
        "",
        "",
        "r",
    ),
    (
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        "",
        "",
        "r",
    ),
    (
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "flowschemas",
        "flowschema",
        "FlowSchema",
        false,
        "",
        "",
        "sg",
    ),
    (
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "prioritylevelconfigurations",
        "prioritylevelconfiguration",
        "PriorityLevelConfiguration",
        false,
        "",
        "",
        "sg",
    ),
    (
        "apiregistration.k8s.io",
        "v1",
        "apiservices",
        "apiservice",
        "APIService",
        false,
        "",
        "",
        "s",
    ),
];

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

impl Registry {
    /// The built-in kinds.
    pub fn builtin() -> Self {
        let mut r = Registry::default();
        for (group, versions, plural, singular, kind, namespaced, short, cats, flags) in BUILTIN {
            let verbs: Vec<String> = if flags.contains('r') || flags.contains('b') {
                vec!["create".into()]
            } else if flags.contains('o') {
                vec!["get".into(), "list".into()]
            } else {
                STANDARD_VERBS.iter().map(|s| s.to_string()).collect()
            };
            let mut extra = Vec::new();
            match *plural {
                "pods" => {
                    extra = split(
                        "attach,binding,ephemeralcontainers,eviction,exec,log,portforward,proxy,resize",
                    )
                }
                "serviceaccounts" => extra = split("token"),
                "services" | "nodes" => extra = split("proxy"),
                "certificatesigningrequests" => extra = split("approval"),
                "namespaces" => extra = split("finalize"),
                _ => {}
            }
            r.insert(ResourceType {
                group: group.to_string(),
                versions: split(versions),
                plural: plural.to_string(),
                singular: singular.to_string(),
                kind: kind.to_string(),
                namespaced: *namespaced,
                verbs,
                short_names: split(short),
                categories: split(cats),
                status: flags.contains('s'),
                scale: flags.contains('c'),
                extra_subresources: extra,
                generation: flags.contains('g'),
                printer_columns: Vec::new(),
                version_columns: BTreeMap::new(),
                schemas: BTreeMap::new(),
                crd: None,
            });
        }
        r
    }

    pub fn insert(&mut self, t: ResourceType) {
        self.types.insert(t.key(), Arc::new(t));
    }

    pub fn remove(&mut self, key: &ResKey) -> Option<Arc<ResourceType>> {
        self.types.remove(key)
    }

    pub fn get(&self, key: &ResKey) -> Option<&Arc<ResourceType>> {
        self.types.get(key)
    }

    /// The resource served at `group/version/plural`.
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        let t = self.types.get(&ResKey {
            group: group.to_string(),
            plural: plural.to_string(),
        })?;
        t.versions.iter().any(|v| v == version).then(|| t.clone())
    }

    /// The resource of a kind in a group (any served version).
    pub fn by_kind(&self, group: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.types
            .values()
            .find(|t| t.group == group && t.kind == kind)
            .cloned()
    }

    /// The resource of an `apiVersion` + `kind` pair.
    pub fn by_api_version_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        self.by_kind(group, kind)
            .filter(|t| t.versions.iter().any(|v| v == version))
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<ResourceType>> {
        self.types.values()
    }

    /// Groups in the order discovery lists them (core first, then built-in groups, then CRD groups),
    /// each with its versions (preferred first).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut order: Vec<String> = Vec::new();
        for (g, ..) in BUILTIN {
            if !order.iter().any(|o| o == g) {
                order.push(g.to_string());
            }
        }
        for t in self.types.values() {
            if !order.contains(&t.group) {
                order.push(t.group.clone());
            }
        }
        let mut out = Vec::new();
        for g in order {
            let mut versions: Vec<String> = Vec::new();
            let mut found = false;
            for t in self.types.values().filter(|t| t.group == g) {
                found = true;
                for v in &t.versions {
                    if !versions.contains(v) {
                        versions.push(v.clone());
                    }
                }
            }
            if found {
                sort_versions(&mut versions);
                out.push((g, versions));
            }
        }
        out
    }

    /// Resources served in one group version.
    pub fn in_group_version(&self, group: &str, version: &str) -> Vec<Arc<ResourceType>> {
        self.types
            .values()
            .filter(|t| t.group == group && t.versions.iter().any(|v| v == version))
            .cloned()
            .collect()
    }
}

/// Kubernetes version priority: GA > beta > alpha, higher numbers first.
pub fn sort_versions(v: &mut [String]) {
    fn rank(s: &str) -> (u8, u64, u64) {
        let Some(rest) = s.strip_prefix('v') else {
            return (0, 0, 0);
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major = digits.parse().unwrap_or(0);
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            (3, major, 0)
        } else if let Some(n) = tail.strip_prefix("beta") {
            (2, major, n.parse().unwrap_or(0))
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (1, major, n.parse().unwrap_or(0))
        } else {
            (0, 0, 0)
        }
    }
    v.sort_by(|a, b| rank(b).cmp(&rank(a)).then(a.cmp(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        let r = Registry::builtin();
        assert!(r.lookup("", "v1", "pods").is_some_and(|t| t.namespaced));
        assert!(
            r.lookup("", "v1", "namespaces")
                .is_some_and(|t| !t.namespaced)
        );
        assert!(
            r.lookup("apps", "v1", "deployments")
                .is_some_and(|t| t.scale)
        );
        assert!(
            r.lookup("autoscaling", "v1", "horizontalpodautoscalers")
                .is_some()
        );
        assert_eq!(r.groups()[0].0, "");
    }

    #[test]
    fn version_order() {
        let mut v = vec![
            "v1beta1".to_string(),
            "v1".into(),
            "v2beta2".into(),
            "v2".into(),
            "v1alpha1".into(),
        ];
        sort_versions(&mut v);
        assert_eq!(v, ["v2", "v1", "v2beta2", "v1beta1", "v1alpha1"]);
    }
}
