//! `Artifact` (fluxcd/pkg `meta.Artifact`): what a source produced.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::revision::{Digest, Revision, RevisionError};

/// A source artifact as reported in `status.artifact`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// `<algorithm>:<checksum>` of the file.
    #[schemars(regex(pattern = r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$"))]
    pub digest: String,
    /// Path of the file relative to the storage root.
    pub path: String,
    /// HTTP address of the file.
    pub url: String,
    /// Human-readable origin identifier, e.g. `main@sha1:<commit>`.
    pub revision: String,
    /// When the artifact was last updated.
    pub last_update_time: Time,
    /// File size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// Upstream metadata such as OCI annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

impl Artifact {
    /// The parsed digest.
    pub fn parsed_digest(&self) -> Result<Digest, RevisionError> {
        Digest::parse(&self.digest)
    }

    /// The parsed revision.
    pub fn parsed_revision(&self) -> Result<Revision, RevisionError> {
        Revision::parse(&self.revision)
    }

    /// Whether this artifact has the same revision as another revision string.
    pub fn has_revision(&self, revision: &str) -> bool {
        self.revision == revision
    }
}
