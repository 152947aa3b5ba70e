//! OCI artifacts, as Flux's OCIRepository pulls them (and as OCI Helm charts are stored): the
//! reference resolves to a manifest digest (the no-op poll is one HEAD request), the revision
//! is `<tag>@sha256:<manifest digest>` (`sha256:<digest>` alone for a digest reference), and
//! one layer is taken: the first, or the first with `layerSelector.mediaType`; it is extracted
//! (`operation: extract`, the default) or copied as `<layer digest hex>.tgz` (`copy`).
//!
//! References follow Flux's precedence: digest, then semver (over the repository's tags,
//! optionally filtered by a regular expression), then tag, then `latest`.

use crate::artifact::{Limits, extract};
use ferroflux_versions::{Constraints, Version};
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::manifest::{OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `spec.ref` of an OCIRepository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OciRef {
    Tag(String),
    /// `sha256:<hex>`.
    Digest(String),
    /// A Masterminds range over the tags, with an optional regular expression the tags must
    /// match first (`semverFilter`).
    Semver {
        range: String,
        filter: Option<String>,
    },
}

impl Default for OciRef {
    fn default() -> Self {
        OciRef::Tag("latest".to_string())
    }
}

/// `layerSelector.operation`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LayerOperation {
    #[default]
    Extract,
    Copy,
}

/// Registry credentials.
#[derive(Clone, Default)]
pub enum OciAuth {
    #[default]
    Anonymous,
    Basic(String, String),
    Bearer(String),
}

impl std::fmt::Debug for OciAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OciAuth::Anonymous => f.write_str("Anonymous"),
            OciAuth::Basic(u, _) => write!(f, "Basic({u}, ***)"),
            OciAuth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

impl OciAuth {
    /// Credentials for `registry` from a `kubernetes.io/dockerconfigjson` Secret's
    /// `.dockerconfigjson` (`auths.<host>.auth` as base64 `user:password`, or
    /// `username`/`password`; `registrytoken` as a bearer token).
    pub fn from_docker_config(json: &[u8], registry: &str) -> Result<OciAuth, String> {
        use base64::Engine;
        let doc: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| format!(".dockerconfigjson: {e}"))?;
        let auths = doc
            .get("auths")
            .and_then(|a| a.as_object())
            .ok_or(".dockerconfigjson has no 'auths'")?;
        let entry = auths.iter().find(|(host, _)| {
            let h = host
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            h.split('/').next() == Some(registry)
        });
        let Some((_, entry)) = entry else {
            return Ok(OciAuth::Anonymous);
        };
        let field = |k: &str| {
            entry
                .get(k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        if let Some(token) = field("registrytoken") {
            return Ok(OciAuth::Bearer(token.to_string()));
        }
        if let (Some(u), Some(p)) = (field("username"), field("password")) {
            return Ok(OciAuth::Basic(u.to_string(), p.to_string()));
        }
        if let Some(auth) = field("auth") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth)
                .map_err(|_| format!("auths.{registry}.auth is not base64"))?;
            let text = String::from_utf8(decoded)
                .map_err(|_| format!("auths.{registry}.auth is not UTF-8"))?;
            let (u, p) = text
                .split_once(':')
                .ok_or(format!("auths.{registry}.auth is not 'user:password'"))?;
            return Ok(OciAuth::Basic(u.to_string(), p.to_string()));
        }
        Ok(OciAuth::Anonymous)
    }

    fn registry_auth(&self) -> RegistryAuth {
        match self {
            OciAuth::Anonymous => RegistryAuth::Anonymous,
            OciAuth::Basic(u, p) => RegistryAuth::Basic(u.clone(), p.clone()),
            OciAuth::Bearer(t) => RegistryAuth::Bearer(t.clone()),
        }
    }
}

/// What an OCIRepository's spec says to pull.
#[derive(Clone, Debug)]
pub struct OciSource {
    /// `oci://<registry>/<repository>`.
    pub url: String,
    pub reference: OciRef,
    /// Plain HTTP to the registry.
    pub insecure: bool,
    /// Accept any registry certificate (`helm --insecure-skip-tls-verify`).
    pub insecure_skip_verify: bool,
    pub auth: OciAuth,
    /// PEM CA bundle to trust instead of the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// `layerSelector.mediaType`; none takes the first layer.
    pub media_type: Option<String>,
    pub operation: LayerOperation,
    pub timeout: Duration,
}

impl OciSource {
    pub fn new(url: &str, reference: OciRef) -> OciSource {
        OciSource {
            url: url.to_string(),
            reference,
            insecure: false,
            insecure_skip_verify: false,
            auth: OciAuth::Anonymous,
            ca_pem: None,
            media_type: None,
            operation: LayerOperation::Extract,
            timeout: Duration::from_secs(60),
        }
    }
}

/// A reference resolved to a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// `<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest reference.
    pub revision: String,
    /// The manifest digest.
    pub digest: String,
    /// The tag the reference selected, if any.
    pub tag: Option<String>,
}

/// The outcome of a fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciFetched {
    pub resolved: Resolved,
    pub layer_digest: String,
    pub layer_media_type: String,
    /// The manifest's annotations (`org.opencontainers.image.revision`, …).
    pub annotations: BTreeMap<String, String>,
    /// For `copy`: the file written below the destination.
    pub copied: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum OciError {
    #[error("invalid OCI URL '{url}': {reason}")]
    Url { url: String, reason: String },
    #[error("'{url}': {reason}")]
    Registry { url: String, reason: String },
    #[error("'{url}': invalid semver range '{range}': {reason}")]
    Semver {
        url: String,
        range: String,
        reason: String,
    },
    #[error("'{url}': no tag matches the semver range '{range}'")]
    NoMatchingTag { url: String, range: String },
    #[error("'{url}': no layers found in artifact {digest}")]
    NoLayers { url: String, digest: String },
    #[error("'{url}': failed to find layer with media type '{media_type}' in artifact {digest}")]
    NoLayerOfType {
        url: String,
        media_type: String,
        digest: String,
    },
    #[error("'{url}': extracting layer {digest}: {reason}")]
    Extract {
        url: String,
        digest: String,
        reason: String,
    },
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "manifest does not contain minimum number of descriptors ({wanted}), descriptors found: {found}"
    )]
    TooFewDescriptors { wanted: usize, found: usize },
    #[error("'{url}': timed out after {timeout:?}")]
    Timeout { url: String, timeout: Duration },
}

struct Session {
    client: Client,
    auth: RegistryAuth,
    registry: String,
    repository: String,
    url: String,
}

impl Session {
    fn new(src: &OciSource) -> Result<Session, OciError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let bad = |reason: &str| OciError::Url {
            url: src.url.clone(),
            reason: reason.to_string(),
        };
        let rest = src
            .url
            .trim()
            .strip_prefix("oci://")
            .ok_or_else(|| bad("the URL must start with oci://"))?;
        let (registry, repository) = rest
            .trim_end_matches('/')
            .split_once('/')
            .ok_or_else(|| bad("expected oci://<registry>/<repository>"))?;
        if registry.is_empty() || repository.is_empty() || repository.contains(['@', ' ']) {
            return Err(bad("expected oci://<registry>/<repository>"));
        }
        let mut config = ClientConfig {
            protocol: if src.insecure {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            accept_invalid_certificates: src.insecure_skip_verify,
            read_timeout: Some(src.timeout),
            connect_timeout: Some(src.timeout.min(Duration::from_secs(30))),
            ..ClientConfig::default()
        };
        if let Some(pem) = &src.ca_pem {
            config.tls_certs_only = vec![Certificate {
                encoding: CertificateEncoding::Pem,
                data: pem.clone(),
            }];
        }
        // `Client::new` would fall back to defaults on a bad CA; refuse instead.
        let client = Client::try_from(config).map_err(|e| bad(&format!("client: {e}")))?;
        Ok(Session {
            client,
            auth: src.auth.registry_auth(),
            registry: registry.to_string(),
            repository: repository.to_string(),
            url: src.url.clone(),
        })
    }

    fn err(&self, e: impl std::fmt::Display) -> OciError {
        OciError::Registry {
            url: self.url.clone(),
            reason: e.to_string(),
        }
    }

    fn tagged(&self, tag: &str) -> Reference {
        Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            tag.to_string(),
        )
    }

    fn digested(&self, digest: &str) -> Reference {
        Reference::with_digest(
            self.registry.clone(),
            self.repository.clone(),
            digest.to_string(),
        )
    }

    async fn resolve(&self, reference: &OciRef) -> Result<Resolved, OciError> {
        let tag = match reference {
            OciRef::Digest(d) => {
                return Ok(Resolved {
                    revision: d.clone(),
                    digest: d.clone(),
                    tag: None,
                });
            }
            OciRef::Tag(t) if t.is_empty() => "latest".to_string(),
            OciRef::Tag(t) => t.clone(),
            OciRef::Semver { range, filter } => {
                self.tag_by_semver(range, filter.as_deref()).await?
            }
        };
        let digest = self
            .client
            .fetch_manifest_digest(&self.tagged(&tag), &self.auth)
            .await
            .map_err(|e| self.err(format!("resolving tag '{tag}': {}", chain(&e))))?;
        Ok(Resolved {
            revision: format!("{tag}@{digest}"),
            digest,
            tag: Some(tag),
        })
    }

    /// The highest tag in `range` (after `filter`), as Flux picks it: tags must parse as
    /// versions with three parts; the tag text is kept as written.
    async fn tag_by_semver(&self, range: &str, filter: Option<&str>) -> Result<String, OciError> {
        let semver_err = |reason: String| OciError::Semver {
            url: self.url.clone(),
            range: range.to_string(),
            reason,
        };
        let constraint = Constraints::parse(range).map_err(|e| semver_err(e.to_string()))?;
        let filter = filter
            .filter(|f| !f.is_empty())
            .map(regex::Regex::new)
            .transpose()
            .map_err(|e| semver_err(format!("semverFilter: {e}")))?;
        let tags = self.list_tags().await?;
        let mut best: Option<(Version, String)> = None;
        for tag in tags {
            if filter.as_ref().is_some_and(|f| !f.is_match(&tag)) {
                continue;
            }
            let Some(v) = flux_version(&tag) else {
                continue;
            };
            if constraint.check(&v) && best.as_ref().is_none_or(|(b, _)| v > *b) {
                best = Some((v, tag));
            }
        }
        best.map(|(_, t)| t).ok_or_else(|| OciError::NoMatchingTag {
            url: self.url.clone(),
            range: range.to_string(),
        })
    }

    async fn list_tags(&self) -> Result<Vec<String>, OciError> {
        let image = self.tagged("latest");
        let mut all = Vec::new();
        let mut last: Option<String> = None;
        loop {
            let page = self
                .client
                .list_tags(&image, &self.auth, Some(1000), last.as_deref())
                .await
                .map_err(|e| self.err(format!("listing tags: {}", chain(&e))))?;
            let n = page.tags.len();
            last = page.tags.last().cloned();
            all.extend(page.tags);
            if n < 1000 || last.is_none() {
                return Ok(all);
            }
        }
    }

    /// Pulls the manifest of `resolved`, selects the layer (`media_type`, else the first) and
    /// writes it to the file `to` (the client checks its digest).
    async fn pull_layer(
        &self,
        resolved: &Resolved,
        media_type: Option<&str>,
        min_descriptors: usize,
        to: &Path,
    ) -> Result<(OciImageManifest, OciDescriptor, u64), OciError> {
        let image = self.digested(&resolved.digest);
        let (manifest, _) = self
            .client
            .pull_image_manifest(&image, &self.auth)
            .await
            .map_err(|e| {
                self.err(format!(
                    "pulling manifest {}: {}",
                    resolved.digest,
                    chain(&e)
                ))
            })?;
        // Helm's chart pull counts the descriptors it keeps first: the manifest, a Helm
        // config, and the layers of the type pulled.
        let found = 1
            + usize::from(manifest.config.media_type == HELM_CONFIG)
            + manifest
                .layers
                .iter()
                .filter(|l| Some(l.media_type.as_str()) == media_type)
                .count();
        if found < min_descriptors {
            return Err(OciError::TooFewDescriptors {
                wanted: min_descriptors,
                found,
            });
        }
        let layer = match media_type.filter(|m| !m.is_empty()) {
            Some(mt) => manifest
                .layers
                .iter()
                .find(|l| l.media_type == mt)
                .ok_or_else(|| OciError::NoLayerOfType {
                    url: self.url.clone(),
                    media_type: mt.to_string(),
                    digest: resolved.digest.clone(),
                })?,
            None => manifest.layers.first().ok_or_else(|| OciError::NoLayers {
                url: self.url.clone(),
                digest: resolved.digest.clone(),
            })?,
        }
        .clone();
        let write_err = |source| OciError::Write {
            path: to.to_path_buf(),
            source,
        };
        let mut file = tokio::fs::File::create(to).await.map_err(write_err)?;
        self.client
            .pull_blob(&image, &layer, &mut file)
            .await
            .map_err(|e| self.err(format!("pulling layer {}: {}", layer.digest, chain(&e))))?;
        tokio::io::AsyncWriteExt::flush(&mut file)
            .await
            .map_err(write_err)?;
        let size = file.metadata().await.map_err(write_err)?.len();
        Ok((manifest, layer, size))
    }

    async fn fetch(&self, src: &OciSource, dest: &Path) -> Result<OciFetched, OciError> {
        let resolved = self.resolve(&src.reference).await?;
        std::fs::create_dir_all(dest).map_err(|source| OciError::Write {
            path: dest.to_path_buf(),
            source,
        })?;
        // The layer goes to a temporary file first, not to memory.
        let tmp = tempfile::NamedTempFile::new().map_err(|source| OciError::Write {
            path: std::env::temp_dir(),
            source,
        })?;
        let (manifest, layer, _) = self
            .pull_layer(&resolved, src.media_type.as_deref(), 0, tmp.path())
            .await?;
        let copied = match src.operation {
            LayerOperation::Extract => {
                let to = dest.to_path_buf();
                let from = tmp.reopen().map_err(|source| OciError::Write {
                    path: tmp.path().to_path_buf(),
                    source,
                })?;
                let result = tokio::task::spawn_blocking(move || {
                    extract(std::io::BufReader::new(from), &to, Limits::default())
                })
                .await
                .map_err(|e| self.err(format!("extract task: {e}")))?;
                result.map_err(|e| OciError::Extract {
                    url: self.url.clone(),
                    digest: layer.digest.clone(),
                    reason: e.to_string(),
                })?;
                None
            }
            LayerOperation::Copy => {
                let hex = layer
                    .digest
                    .split_once(':')
                    .map_or(&*layer.digest, |(_, h)| h);
                let name = PathBuf::from(format!("{hex}.tgz"));
                let path = dest.join(&name);
                std::fs::copy(tmp.path(), &path)
                    .map_err(|source| OciError::Write { path, source })?;
                Some(name)
            }
        };
        Ok(OciFetched {
            resolved,
            layer_digest: layer.digest.clone(),
            layer_media_type: layer.media_type.clone(),
            annotations: manifest.annotations.clone().unwrap_or_default(),
            copied,
        })
    }

    /// The chart version a HelmRepository of type `oci` selects, as Flux does: a version with
    /// three parts is taken as is (no tag listing); otherwise the tags (with `_` read as `+`,
    /// strict semver only) are matched exactly, then as a range (empty or `*`: latest
    /// stable), the highest winning.
    async fn chart_version(&self, version: &str) -> Result<String, OciError> {
        let version = version.trim();
        if flux_version(version).is_some() {
            return Ok(version.to_string());
        }
        let tags: Vec<String> = self
            .list_tags()
            .await?
            .into_iter()
            .map(|t| t.replace('_', "+"))
            .filter(|t| !t.starts_with('v') && flux_version(t).is_some())
            .collect();
        if tags.is_empty() {
            return Err(OciError::NoMatchingTag {
                url: self.url.clone(),
                range: version.to_string(),
            });
        }
        if !version.is_empty()
            && let Some(t) = tags.iter().find(|t| *t == version)
        {
            return Ok(t.clone());
        }
        let range = if version.is_empty() { "*" } else { version };
        let constraint = Constraints::parse(range).map_err(|e| OciError::Semver {
            url: self.url.clone(),
            range: range.to_string(),
            reason: e.to_string(),
        })?;
        tags.into_iter()
            .filter_map(|t| flux_version(&t).map(|v| (v, t)))
            .filter(|(v, _)| constraint.check(v))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, t)| t)
            .ok_or_else(|| OciError::NoMatchingTag {
                url: self.url.clone(),
                range: range.to_string(),
            })
    }
}

/// An error and its causes (a failed request names its cause only there).
fn chain(e: &dyn std::error::Error) -> String {
    super::error_chain(e)
}

/// fluxcd/pkg `version.ParseVersion`: three dot-separated parts, then Masterminds parsing.
fn flux_version(s: &str) -> Option<Version> {
    if s.splitn(3, '.').count() != 3 {
        return None;
    }
    Version::parse(s).ok()
}

/// The Helm chart layer of an OCI chart.
pub const HELM_CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// The config of an OCI chart.
pub const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";

/// The provenance layer of a signed OCI chart.
pub const HELM_PROVENANCE_LAYER: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";

/// A chart pulled from an OCI Helm repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciChart {
    /// The chart version (`+` restored from the tag's `_`).
    pub version: String,
    /// The manifest digest.
    pub manifest_digest: String,
    /// `sha256:` of the chart .tgz (the layer digest, checked while pulling).
    pub digest: String,
    pub size: u64,
}

/// Which manifest of an OCI chart to pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChartAt {
    /// A chart version: exact, a range, or empty for the latest stable (see
    /// [`pull_chart`]).
    Version(String),
    /// A tag as written (`_` stands for `+`).
    Tag(String),
    /// A manifest digest, `sha256:<hex>`.
    Digest(String),
}

/// Pulls `chart` from the OCI Helm repository `repo` (`oci://host/path`, a HelmRepository of
/// type `oci`) at `version` (exact, a range, or empty for the latest stable) into the file
/// `dest`. `repo.reference`, `media_type` and `operation` are ignored.
pub async fn pull_chart(
    repo: &OciSource,
    chart: &str,
    version: &str,
    dest: &Path,
) -> Result<OciChart, OciError> {
    pull_chart_at(
        repo,
        chart,
        &ChartAt::Version(version.to_string()),
        dest,
        None,
    )
    .await
}

/// [`pull_chart`] at a version, a tag or a digest; with `prov`, the provenance layer too
/// (into that file), which must then be there. For a digest the version is left empty (only
/// the chart's own `Chart.yaml` knows it).
pub async fn pull_chart_at(
    repo: &OciSource,
    chart: &str,
    at: &ChartAt,
    dest: &Path,
    prov: Option<&Path>,
) -> Result<OciChart, OciError> {
    let mut src = repo.clone();
    src.url = format!("{}/{chart}", repo.url.trim_end_matches('/'));
    let session = Session::new(&src)?;
    timed(&src, async {
        let (version, reference) = match at {
            ChartAt::Version(v) => {
                let version = session.chart_version(v).await?;
                // OCI tags cannot hold '+': Helm stores it as '_'.
                let tag = version.replace('+', "_");
                (version, OciRef::Tag(tag))
            }
            ChartAt::Tag(t) => (t.replace('_', "+"), OciRef::Tag(t.clone())),
            ChartAt::Digest(d) => (String::new(), OciRef::Digest(d.clone())),
        };
        let resolved = session.resolve(&reference).await?;
        let (_, layer, size) = session
            .pull_layer(&resolved, Some(HELM_CHART_LAYER), 2, dest)
            .await?;
        if let Some(prov) = prov {
            session
                .pull_layer(&resolved, Some(HELM_PROVENANCE_LAYER), 2, prov)
                .await?;
        }
        Ok(OciChart {
            version,
            manifest_digest: resolved.digest,
            digest: layer.digest,
            size,
        })
    })
    .await
}

async fn timed<T>(
    src: &OciSource,
    fut: impl Future<Output = Result<T, OciError>>,
) -> Result<T, OciError> {
    tokio::time::timeout(src.timeout, fut)
        .await
        .map_err(|_| OciError::Timeout {
            url: src.url.clone(),
            timeout: src.timeout,
        })?
}

/// Every tag of the repository `src.url` names, as the registry lists them.
pub async fn list_tags(src: &OciSource) -> Result<Vec<String>, OciError> {
    let session = Session::new(src)?;
    timed(src, session.list_tags()).await
}

/// Resolves the reference to a manifest digest and revision: the no-op poll.
pub async fn resolve(src: &OciSource) -> Result<Resolved, OciError> {
    let session = Session::new(src)?;
    timed(src, session.resolve(&src.reference)).await
}

/// Resolves the reference and writes the selected layer into `dest`.
pub async fn fetch(src: &OciSource, dest: &Path) -> Result<OciFetched, OciError> {
    let session = Session::new(src)?;
    timed(src, session.fetch(src, dest)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_oci() {
        let s = |u: &str| {
            Session::new(&OciSource::new(u, OciRef::default())).map(|s| (s.registry, s.repository))
        };
        assert_eq!(
            s("oci://ghcr.io/org/app").unwrap(),
            ("ghcr.io".to_string(), "org/app".to_string())
        );
        assert_eq!(
            s("oci://127.0.0.1:5000/app/").unwrap(),
            ("127.0.0.1:5000".to_string(), "app".to_string())
        );
        assert!(s("https://ghcr.io/org/app").is_err());
        assert!(s("oci://ghcr.io").is_err());
        assert!(s("oci://ghcr.io/app@sha256:00").is_err());
    }

    #[test]
    fn docker_config_auth() {
        let json = br#"{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNz"},"https://reg.example.com/v1/":{"username":"u","password":"p"}}}"#;
        assert!(matches!(
            OciAuth::from_docker_config(json, "ghcr.io").unwrap(),
            OciAuth::Basic(u, p) if u == "user" && p == "pass"
        ));
        assert!(matches!(
            OciAuth::from_docker_config(json, "reg.example.com").unwrap(),
            OciAuth::Basic(u, _) if u == "u"
        ));
        assert!(matches!(
            OciAuth::from_docker_config(json, "other.io").unwrap(),
            OciAuth::Anonymous
        ));
        assert!(OciAuth::from_docker_config(b"{}", "x").is_err());
        assert!(!format!("{:?}", OciAuth::Basic("u".into(), "secret".into())).contains("secret"));
    }
}
