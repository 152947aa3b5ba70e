//! Condition types and reasons exactly as Flux spells them, and a `Condition` matching
//! `metav1.Condition` JSON.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One status condition (`metav1.Condition`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Condition type, e.g. `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// The `.metadata.generation` the condition was set for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// When the status last changed.
    pub last_transition_time: Time,
    /// CamelCase reason, e.g. `Succeeded`.
    pub reason: String,
    /// Human-readable details.
    #[serde(default)]
    pub message: String,
}

impl Condition {
    /// Whether the status is `True`.
    pub fn is_true(&self) -> bool {
        self.status == STATUS_TRUE
    }
}

/// Finds a condition by type.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Condition status `True`.
pub const STATUS_TRUE: &str = "True";
/// Condition status `False`.
pub const STATUS_FALSE: &str = "False";
/// Condition status `Unknown`.
pub const STATUS_UNKNOWN: &str = "Unknown";

/// Condition types.
pub mod types {
    /// Summary condition of every kind.
    pub const READY: &str = "Ready";
    /// Abnormal-true: a reconciliation is in progress.
    pub const RECONCILING: &str = "Reconciling";
    /// Abnormal-true: the object cannot make progress without a change.
    pub const STALLED: &str = "Stalled";
    /// Kustomization health assessment.
    pub const HEALTHY: &str = "Healthy";
    /// Sources: an artifact is in storage.
    pub const ARTIFACT_IN_STORAGE: &str = "ArtifactInStorage";
    /// Sources, abnormal-true: the stored artifact is outdated.
    pub const ARTIFACT_OUTDATED: &str = "ArtifactOutdated";
    /// Git/OCI/HelmChart: signature verification result.
    pub const SOURCE_VERIFIED: &str = "SourceVerified";
    /// Sources, abnormal-true.
    pub const FETCH_FAILED: &str = "FetchFailed";
    /// Sources, abnormal-true.
    pub const BUILD_FAILED: &str = "BuildFailed";
    /// Sources, abnormal-true.
    pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
    /// GitRepository, abnormal-true.
    pub const INCLUDE_UNAVAILABLE: &str = "IncludeUnavailable";
    /// HelmRelease: the release was performed.
    pub const RELEASED: &str = "Released";
    /// HelmRelease: Helm tests passed.
    pub const TEST_SUCCESS: &str = "TestSuccess";
    /// HelmRelease: a remediation was performed.
    pub const REMEDIATED: &str = "Remediated";
    /// HelmRelease: drift was detected.
    pub const DRIFTED: &str = "Drifted";
}

/// Condition reasons.
pub mod reasons {
    /// Generic success.
    pub const SUCCEEDED: &str = "Succeeded";
    /// Generic failure.
    pub const FAILED: &str = "Failed";
    /// Reconciling reason.
    pub const PROGRESSING: &str = "Progressing";
    /// Reconciling reason after a failure.
    pub const PROGRESSING_WITH_RETRY: &str = "ProgressingWithRetry";
    /// The object is suspended.
    pub const SUSPENDED: &str = "Suspended";
    /// A dependency is not ready.
    pub const DEPENDENCY_NOT_READY: &str = "DependencyNotReady";
    /// A path is invalid.
    pub const INVALID_PATH: &str = "InvalidPath";
    /// A URL is invalid.
    pub const INVALID_URL: &str = "InvalidURL";
    /// Insecure connections are not allowed.
    pub const INSECURE_CONNECTIONS_DISALLOWED: &str = "InsecureConnectionsDisallowed";
    /// The connection type is not supported.
    pub const UNSUPPORTED_CONNECTION_TYPE: &str = "UnsupportedConnectionType";
    /// Garbage collection failed.
    pub const PRUNE_FAILED: &str = "PruneFailed";
    /// The artifact could not be fetched or used.
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    /// A build failed.
    pub const BUILD_FAILED: &str = "BuildFailed";
    /// Health checks failed.
    pub const HEALTH_CHECK_FAILED: &str = "HealthCheckFailed";
    /// Health checks were cancelled (Flux 2.8).
    pub const HEALTH_CHECK_CANCELED: &str = "HealthCheckCanceled";
    /// Kustomization success.
    pub const RECONCILIATION_SUCCEEDED: &str = "ReconciliationSucceeded";
    /// Kustomization failure.
    pub const RECONCILIATION_FAILED: &str = "ReconciliationFailed";
    /// A CEL expression is invalid.
    pub const INVALID_CEL_EXPRESSION: &str = "InvalidCELExpression";
    /// A feature gate needed by the spec is off.
    pub const FEATURE_GATE_DISABLED: &str = "FeatureGateDisabled";
    /// Source: invalid URL.
    pub const URL_INVALID: &str = "URLInvalid";
    /// Source: authentication failed.
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    /// Source: verification failed.
    pub const VERIFICATION_ERROR: &str = "VerificationError";
    /// Source storage.
    pub const DIRECTORY_CREATION_FAILED: &str = "DirectoryCreationFailed";
    /// Source storage.
    pub const STAT_OPERATION_FAILED: &str = "StatOperationFailed";
    /// Source storage.
    pub const READ_OPERATION_FAILED: &str = "ReadOperationFailed";
    /// Source storage.
    pub const ACQUIRE_LOCK_FAILED: &str = "AcquireLockFailed";
    /// Source storage.
    pub const ARCHIVE_OPERATION_FAILED: &str = "ArchiveOperationFailed";
    /// Source storage.
    pub const SYMLINK_UPDATE_FAILED: &str = "SymlinkUpdateFailed";
    /// Source: the artifact is up to date.
    pub const ARTIFACT_UP_TO_DATE: &str = "ArtifactUpToDate";
    /// Source: cache failure.
    pub const CACHE_OPERATION_FAILED: &str = "CacheOperationFailed";
    /// Source: status patch failure.
    pub const PATCH_OPERATION_FAILED: &str = "PatchOperationFailed";
    /// Bucket: bad STS configuration.
    pub const INVALID_STS_CONFIGURATION: &str = "InvalidSTSConfiguration";
    /// Source: bad provider configuration.
    pub const INVALID_PROVIDER_CONFIGURATION: &str = "InvalidProviderConfiguration";
    /// Git success.
    pub const GIT_OPERATION_SUCCEEDED: &str = "GitOperationSucceeded";
    /// Git failure.
    pub const GIT_OPERATION_FAILED: &str = "GitOperationFailed";
    /// Source: a new revision is available.
    pub const NEW_REVISION: &str = "NewRevision";
    /// HelmRelease.
    pub const INSTALL_SUCCEEDED: &str = "InstallSucceeded";
    /// HelmRelease.
    pub const INSTALL_FAILED: &str = "InstallFailed";
    /// HelmRelease.
    pub const UPGRADE_SUCCEEDED: &str = "UpgradeSucceeded";
    /// HelmRelease.
    pub const UPGRADE_FAILED: &str = "UpgradeFailed";
    /// HelmRelease.
    pub const TEST_SUCCEEDED: &str = "TestSucceeded";
    /// HelmRelease.
    pub const TEST_FAILED: &str = "TestFailed";
    /// HelmRelease.
    pub const ROLLBACK_SUCCEEDED: &str = "RollbackSucceeded";
    /// HelmRelease.
    pub const ROLLBACK_FAILED: &str = "RollbackFailed";
    /// HelmRelease.
    pub const UNINSTALL_SUCCEEDED: &str = "UninstallSucceeded";
    /// HelmRelease.
    pub const UNINSTALL_FAILED: &str = "UninstallFailed";
    /// HelmRelease.
    pub const DRIFT_DETECTED: &str = "DriftDetected";
    /// HelmRelease.
    pub const NO_DRIFT_DETECTED: &str = "NoDriftDetected";
}

/// Finalizer Flux sets on every object.
pub const FINALIZER: &str = "finalizers.fluxcd.io";
/// Annotation requesting an immediate reconcile.
pub const RECONCILE_REQUESTED_AT_ANNOTATION: &str = "reconcile.fluxcd.io/requestedAt";
/// HelmRelease annotation forcing a release.
pub const FORCE_REQUESTED_AT_ANNOTATION: &str = "reconcile.fluxcd.io/forceAt";
/// HelmRelease annotation resetting failure counters.
pub const RESET_REQUESTED_AT_ANNOTATION: &str = "reconcile.fluxcd.io/resetAt";
