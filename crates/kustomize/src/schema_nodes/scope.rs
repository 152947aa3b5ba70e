//! Which kinds kustomize takes as cluster-scoped (kyaml's precomputed table for its built-in
//! schema).

/// The (apiVersion, kind) pairs kustomize knows to be cluster-scoped: those kyaml's built-in
/// schema (Kubernetes 1.21.2) marks so, looked up exactly. A version the schema lacks
/// (`flowcontrol.apiserver.k8s.io/v1 FlowSchema`), a review kind and anything unknown are
/// namespaced to kustomize, whatever a cluster says. Sorted.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// Is an object of this group, version and kind cluster-scoped to kustomize?
pub fn is_cluster_scoped_kind(group: &str, version: &str, kind: &str) -> bool {
    let api_version = if group.is_empty() {
        std::borrow::Cow::Borrowed(version)
    } else {
        std::borrow::Cow::Owned(format!("{group}/{version}"))
    };
    CLUSTER_SCOPED
        .binary_search(&(api_version.as_ref(), kind))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_scope_is_looked_up_by_exact_api_version() {
        assert!(CLUSTER_SCOPED.windows(2).all(|w| w[0] < w[1]));
        assert!(is_cluster_scoped_kind("", "v1", "Namespace"));
        assert!(is_cluster_scoped_kind(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole"
        ));
        assert!(is_cluster_scoped_kind(
            "flowcontrol.apiserver.k8s.io",
            "v1beta1",
            "FlowSchema"
        ));
        // Versions and kinds the 1.21.2 schema lacks are namespaced to kustomize.
        assert!(!is_cluster_scoped_kind(
            "flowcontrol.apiserver.k8s.io",
            "v1",
            "FlowSchema"
        ));
        assert!(!is_cluster_scoped_kind(
            "authorization.k8s.io",
            "v1",
            "SubjectAccessReview"
        ));
        assert!(!is_cluster_scoped_kind("", "v1", "ConfigMap"));
        assert!(!is_cluster_scoped_kind("example.com", "v1", "Namespace"));
    }
}
