//! `source.toolkit.fluxcd.io/v1`: GitRepository, HelmRepository, HelmChart, OCIRepository,
//! Bucket and ExternalArtifact.

mod bucket;
mod external_artifact;
mod git_repository;
mod helm_chart;
mod helm_repository;
mod oci_repository;

pub use bucket::*;
pub use external_artifact::*;
pub use git_repository::*;
pub use helm_chart::*;
pub use helm_repository::*;
pub use oci_repository::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group of the source kinds.
pub const GROUP: &str = "source.toolkit.fluxcd.io";
/// Storage version.
pub const VERSION: &str = "v1";
/// Older versions still read and served.
pub const OLD_VERSIONS: &[&str] = &["v1beta2", "v1beta1"];

/// Authentication provider of OCI, HelmRepository (OCI), Bucket and ImageRepository.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CloudProvider {
    /// Static credentials or none.
    #[default]
    Generic,
    /// AWS.
    Aws,
    /// Azure.
    Azure,
    /// Google Cloud.
    Gcp,
}

/// Signature technology of OCI artifacts.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerificationProvider {
    /// Sigstore cosign.
    #[default]
    Cosign,
    /// Notary notation.
    Notation,
}

/// Keyless cosign identity matcher.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct OIDCIdentityMatch {
    /// Regex matched against the OIDC issuer.
    pub issuer: String,
    /// Regex matched against the identity subject.
    pub subject: String,
}
