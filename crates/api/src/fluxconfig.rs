//! Azure's `FluxConfig` (`clusterconfig.azure.com/v1alpha1`, CRD `fluxconfigs.clusterconfig.azure.com`),
//! the in-cluster form of an ARM `Microsoft.KubernetesConfiguration/fluxConfigurations` resource.
//!
//! The real CRD is served as `v1alpha1` (as `flux check` on an AKS cluster lists it). Field names
//! follow the ARM model (`models.tsp`); the microsoft.flux agent copies them into the CR.

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group.
pub const GROUP: &str = "clusterconfig.azure.com";
/// Served version.
pub const VERSION: &str = "v1alpha1";

/// Desired state of a FluxConfig.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "clusterconfig.azure.com",
    version = "v1alpha1",
    kind = "FluxConfig",
    plural = "fluxconfigs",
    namespaced,
    status = "FluxConfigStatus",
    derive = "PartialEq",
    doc = "FluxConfig is the in-cluster form of an Azure Flux configuration.",
    printcolumn = r#"{"name":"Scope","type":"string","jsonPath":".spec.scope"}"#,
    printcolumn = r#"{"name":"URL","type":"string","jsonPath":".spec.gitRepository.url"}"#,
    printcolumn = r#"{"name":"Provision","type":"string","jsonPath":".status.provisioningState"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct FluxConfigSpec {
    /// `cluster` or `namespace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<FluxConfigScope>,
    /// Namespace of the configuration; `default` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Which source block is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_kind: Option<FluxSourceKind>,
    /// Stop reconciling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Git source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_repository: Option<GitRepositoryDefinition>,
    /// S3-compatible bucket source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<BucketDefinition>,
    /// Azure Blob source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_blob: Option<AzureBlobDefinition>,
    /// OCI source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oci_repository: Option<OCIRepositoryDefinition>,
    /// Kustomizations keyed by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomizations: Option<BTreeMap<String, KustomizationDefinition>>,
    /// Protected settings (secret values, base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_protected_settings: Option<BTreeMap<String, String>>,
    /// Wait for reconciliation before reporting success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_reconciliation: Option<bool>,
    /// ISO-8601 wait duration, e.g. `PT30M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_wait_duration: Option<String>,
}

/// Configuration scope.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FluxConfigScope {
    /// Cluster-wide.
    Cluster,
    /// One namespace.
    Namespace,
}

/// Source kinds of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum FluxSourceKind {
    /// GitRepository.
    GitRepository,
    /// Bucket.
    Bucket,
    /// Azure Blob container.
    AzureBlob,
    /// OCIRepository.
    OCIRepository,
}

/// Git source of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepositoryDefinition {
    /// Repository URL (http, https or ssh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Timeout in seconds; 600 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<i64>,
    /// Sync interval in seconds; 600 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_in_seconds: Option<i64>,
    /// Reference to check out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_ref: Option<RepositoryRefDefinition>,
    /// Base64 known_hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_known_hosts: Option<String>,
    /// HTTPS user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_user: Option<String>,
    /// Base64 HTTPS CA certificate.
    #[serde(
        default,
        rename = "httpsCACert",
        skip_serializing_if = "Option::is_none"
    )]
    pub https_ca_cert: Option<String>,
    /// Local Secret with credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_auth_ref: Option<String>,
    /// `Azure`, `GitHub` or `Generic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<FluxGitProvider>,
}

/// Git providers of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum FluxGitProvider {
    /// Azure DevOps with workload identity.
    Azure,
    /// GitHub App.
    GitHub,
    /// Secret-based.
    Generic,
}

/// Git reference of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct RepositoryRefDefinition {
    /// Branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// SemVer range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// Commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// Bucket source of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketDefinition {
    /// Endpoint URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Bucket name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_name: Option<String>,
    /// Plain HTTP; true by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<i64>,
    /// Sync interval in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_in_seconds: Option<i64>,
    /// Access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    /// Local Secret with credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_auth_ref: Option<String>,
}

/// Azure Blob source of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureBlobDefinition {
    /// Storage account URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Container name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// Timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<i64>,
    /// Sync interval in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_in_seconds: Option<i64>,
    /// Service principal credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal: Option<ServicePrincipalDefinition>,
    /// Account key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_key: Option<String>,
    /// SAS token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sas_token: Option<String>,
    /// Managed identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_identity: Option<ManagedIdentityDefinition>,
    /// Local Secret with credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_auth_ref: Option<String>,
}

/// Service principal.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipalDefinition {
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Base64 client certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
    /// Certificate password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_password: Option<String>,
    /// Send the certificate chain; false by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_send_chain: Option<bool>,
}

/// Managed identity.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentityDefinition {
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// OCI source of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositoryDefinition {
    /// `oci://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<i64>,
    /// Sync interval in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_in_seconds: Option<i64>,
    /// Tag, semver or digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_ref: Option<OCIRepositoryRefDefinition>,
    /// Layer selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_selector: Option<LayerSelectorDefinition>,
    /// Signature verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyDefinition>,
    /// Plain HTTP; false by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Use workload identity; false by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_workload_identity: Option<bool>,
    /// ServiceAccount with pull secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// TLS material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfigDefinition>,
    /// Local Secret with credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_auth_ref: Option<String>,
}

/// OCI reference.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct OCIRepositoryRefDefinition {
    /// Tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// SemVer range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// Digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Layer selection.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LayerSelectorDefinition {
    /// Media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `extract` or `copy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<crate::source::OCILayerOperation>,
}

/// OCI verification.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyDefinition {
    /// `cosign` or `notation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Public keys or certificates keyed by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_config: Option<BTreeMap<String, String>>,
    /// Keyless identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_oidc_identity: Option<Vec<crate::source::OIDCIdentityMatch>>,
}

/// TLS material.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfigDefinition {
    /// Base64 client certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
    /// Base64 private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// Base64 CA certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<String>,
}

/// A Kustomization generated by a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationDefinition {
    /// Name (the map key in ARM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Path in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Names of other kustomizations of this configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
    /// Timeout in seconds; 600 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<i64>,
    /// Sync interval in seconds; 600 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_in_seconds: Option<i64>,
    /// Retry interval in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval_in_seconds: Option<i64>,
    /// Prune; false by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Force; false by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Wait; true by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    /// Post-build substitution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_build: Option<PostBuildDefinition>,
}

/// Post-build substitution of a FluxConfig kustomization.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostBuildDefinition {
    /// Inline variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<BTreeMap<String, String>>,
    /// ConfigMaps and Secrets with variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_from: Option<Vec<crate::kustomize::SubstituteReference>>,
}

/// Observed state of a FluxConfig.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FluxConfigStatus {
    /// Status of each object the configuration created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<ObjectStatusDefinition>>,
    /// Public key of a generated SSH key pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_public_key: Option<String>,
    /// Last synced commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_synced_commit_id: Option<String>,
    /// When the source was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_updated_at: Option<String>,
    /// When the status was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_updated_at: Option<String>,
    /// `Compliant`, `Non-Compliant`, `Pending`, `Suspended` or `Unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_state: Option<String>,
    /// `Succeeded`, `Failed`, `Canceled`, `Creating`, `Updating` or `Deleting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// Status of one created object.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectStatusDefinition {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Compliance state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_state: Option<String>,
    /// Object that applied it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_by: Option<ObjectReferenceDefinition>,
    /// Conditions as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_conditions: Option<Vec<ObjectStatusConditionDefinition>>,
    /// HelmRelease details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_release_properties: Option<HelmReleasePropertiesDefinition>,
}

/// Name and namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ObjectReferenceDefinition {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Condition as reported to Azure.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectStatusConditionDefinition {
    /// Last transition time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

/// HelmRelease details.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleasePropertiesDefinition {
    /// Last applied revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_revision_applied: Option<i64>,
    /// HelmChart reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_chart_ref: Option<ObjectReferenceDefinition>,
    /// Failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_count: Option<i64>,
    /// Install failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_failure_count: Option<i64>,
    /// Upgrade failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_failure_count: Option<i64>,
}
