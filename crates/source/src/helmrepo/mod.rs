//! Helm chart repositories of type `default` (HTTP/S): the index, its revision, chart selection
//! and chart download, with the semantics of Flux's source-controller and Helm's HTTP getter.
//!
//! - The index is `<url>/index.yaml`; its revision is `sha256:<hex>` of the bytes served,
//!   hashed while they stream to a file (capped at Flux's 50 MiB default).
//! - Basic auth (`username`/`password`, both non-empty) goes to the repository's scheme, host
//!   and port only, unless `passCredentials` is set; reqwest also drops it on a redirect to
//!   another host.
//! - Chart URLs are resolved against the repository URL as Helm does (the repository path gets
//!   a trailing `/`, its query string is kept); the first URL of a version is used.
//! - The HelmRepository artifact is the index re-encoded as source-controller stores it
//!   ([`write_index_json`], [`index_artifact`]): Helm's `IndexFile` as indented JSON.

mod index;
mod index_json;
pub mod oci;

pub use index::{ChartVersion, Index, IndexError, SelectError};
pub use index_json::{IndexJson, artifact_file_name, write_index_artifact, write_index_json};

use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Flux's `--helm-index-max-size` default.
pub const DEFAULT_MAX_INDEX_SIZE: u64 = 50 << 20;
/// Flux's `--helm-chart-max-size` default.
pub const DEFAULT_MAX_CHART_SIZE: u64 = 10 << 20;

/// What a HelmRepository's spec says to fetch.
#[derive(Clone, Debug)]
pub struct HelmRepoSpec {
    /// `url`: the repository, without `index.yaml`.
    pub url: String,
    /// `passCredentials`: send basic auth to chart URLs on other hosts too.
    pub pass_credentials: bool,
    /// `timeout` (Flux's default is 60s) for each request.
    pub timeout: Duration,
    pub max_index_size: u64,
    pub max_chart_size: u64,
    /// Told of each request and its answer (the CLI logs them as Helm's `--debug` does).
    pub observer: Option<RequestObserver>,
}

/// A request made, or answered.
#[derive(Debug)]
pub enum RequestEvent<'a> {
    /// About to GET this URL (as given, credentials left out).
    Sending { url: &'a str },
    /// The answer's status line and `Content-Length` (`None` when not sent).
    Answered {
        url: &'a str,
        status: &'a str,
        content_length: Option<u64>,
    },
}

/// Called with every [`RequestEvent`] of a download.
#[derive(Clone)]
pub struct RequestObserver(pub std::sync::Arc<dyn Fn(RequestEvent<'_>) + Send + Sync>);

impl std::fmt::Debug for RequestObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestObserver")
    }
}

impl HelmRepoSpec {
    pub fn new(url: &str) -> HelmRepoSpec {
        HelmRepoSpec {
            url: url.to_string(),
            pass_credentials: false,
            timeout: Duration::from_secs(60),
            max_index_size: DEFAULT_MAX_INDEX_SIZE,
            max_chart_size: DEFAULT_MAX_CHART_SIZE,
            observer: None,
        }
    }
}

/// Credentials and TLS material, from `secretRef` and `certSecretRef`.
#[derive(Clone, Default)]
pub struct HelmAuth {
    pub basic: Option<(String, String)>,
    /// PEM CA bundle to trust instead of the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM certificate chain and private key for mutual TLS.
    pub client_cert: Option<(Vec<u8>, Vec<u8>)>,
    /// Accept any server certificate (`helm --insecure-skip-tls-verify`; Flux has no such
    /// setting).
    pub insecure_skip_verify: bool,
}

impl std::fmt::Debug for HelmAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelmAuth")
            .field("basic", &self.basic.as_ref().map(|(u, _)| u))
            .field("ca_pem", &self.ca_pem.is_some())
            .field("client_cert", &self.client_cert.is_some())
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HelmSecretError {
    #[error("secret data '{0}' is not valid UTF-8")]
    NotUtf8(String),
    #[error("secret has '{present}' but not '{missing}'")]
    Incomplete { present: String, missing: String },
}

impl HelmAuth {
    /// Reads Secret data (already base64-decoded): `username`/`password`, and the TLS keys
    /// `ca.crt`, `tls.crt`, `tls.key` (or the deprecated `caFile`, `certFile`, `keyFile`).
    /// Call it for `secretRef` and for `certSecretRef` and [`HelmAuth::merge`] the two.
    pub fn from_secret(data: &BTreeMap<String, Vec<u8>>) -> Result<HelmAuth, HelmSecretError> {
        let text = |k: &str| {
            data.get(k)
                .map(|v| {
                    String::from_utf8(v.clone()).map_err(|_| HelmSecretError::NotUtf8(k.into()))
                })
                .transpose()
        };
        let incomplete = |present: &str, missing: &str| HelmSecretError::Incomplete {
            present: present.into(),
            missing: missing.into(),
        };
        let basic = match (text("username")?, text("password")?) {
            (Some(u), Some(p)) => Some((u, p)),
            (Some(_), None) => return Err(incomplete("username", "password")),
            (None, Some(_)) => return Err(incomplete("password", "username")),
            (None, None) => None,
        };
        let pick = |a: &str, b: &str| data.get(a).or_else(|| data.get(b)).cloned();
        let client_cert = match (pick("tls.crt", "certFile"), pick("tls.key", "keyFile")) {
            (Some(c), Some(k)) => Some((c, k)),
            (Some(_), None) => return Err(incomplete("tls.crt", "tls.key")),
            (None, Some(_)) => return Err(incomplete("tls.key", "tls.crt")),
            (None, None) => None,
        };
        Ok(HelmAuth {
            basic,
            ca_pem: pick("ca.crt", "caFile"),
            client_cert,
            insecure_skip_verify: false,
        })
    }

    /// `self` with the fields `other` has (`certSecretRef` over `secretRef` for TLS).
    pub fn merge(mut self, other: HelmAuth) -> HelmAuth {
        if other.basic.is_some() {
            self.basic = other.basic;
        }
        if other.ca_pem.is_some() {
            self.ca_pem = other.ca_pem;
        }
        if other.client_cert.is_some() {
            self.client_cert = other.client_cert;
        }
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HelmRepoError {
    #[error("invalid Helm repository URL '{url}': {reason}")]
    Url { url: String, reason: String },
    #[error("Helm repository '{url}': {reason}")]
    Client { url: String, reason: String },
    #[error("failed to fetch {url} : {status}")]
    Status { url: String, status: String },
    #[error("failed to fetch {url} : {reason}")]
    Transfer { url: String, reason: String },
    #[error("{what} {url} exceeds the maximum size of {limit} bytes")]
    TooLarge {
        what: &'static str,
        url: String,
        limit: u64,
    },
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("Helm repository '{url}': {source}")]
    Index {
        url: String,
        #[source]
        source: IndexError,
    },
    #[error("Helm repository '{url}': {source}")]
    Select {
        url: String,
        #[source]
        source: SelectError,
    },
    #[error("chart '{chart}' version '{version}' has no downloadable URLs")]
    NoUrls { chart: String, version: String },
}

/// A downloaded index file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexDownload {
    /// `sha256:<hex>` of the index bytes: the HelmRepository artifact revision.
    pub revision: String,
    pub size: u64,
}

/// A downloaded chart package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartDownload {
    /// The URL the chart came from (credentials never included).
    pub url: String,
    /// `sha256:<hex>` of the .tgz.
    pub digest: String,
    pub size: u64,
    /// Whether the digest equals the index's `digest` field; `None` when the index has none.
    pub digest_matches: Option<bool>,
}

/// Downloads `<url>/index.yaml` into the file `dest` and returns its revision; the no-op
/// poll compares the revision with the last artifact's before parsing anything.
pub async fn download_index(
    spec: &HelmRepoSpec,
    auth: &HelmAuth,
    dest: &Path,
) -> Result<IndexDownload, HelmRepoError> {
    let repo = repo_url(spec)?;
    let url = index_url(&repo);
    let client = http_client(spec, auth)?;
    let (digest, size) = get_to_file(
        &client,
        &repo,
        &url,
        spec,
        auth,
        dest,
        spec.max_index_size,
        "index",
    )
    .await?;
    Ok(IndexDownload {
        revision: digest,
        size,
    })
}

/// Downloads and parses the index (through a temporary file).
pub async fn fetch_index(
    spec: &HelmRepoSpec,
    auth: &HelmAuth,
) -> Result<(IndexDownload, Index), HelmRepoError> {
    let tmp = tempfile::NamedTempFile::new().map_err(|source| HelmRepoError::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let download = download_index(spec, auth, tmp.path()).await?;
    let path = tmp.path().to_path_buf();
    let parsed = tokio::task::spawn_blocking(move || Index::load(&path))
        .await
        .map_err(|e| HelmRepoError::Client {
            url: redacted(&spec.url),
            reason: format!("index parser task: {e}"),
        })?;
    let index = parsed.map_err(|source| HelmRepoError::Index {
        url: redacted(&spec.url),
        source,
    })?;
    Ok((download, index))
}

/// Parses an index downloaded with [`download_index`], naming the repository in the error.
pub fn load_index(spec: &HelmRepoSpec, index: &Path) -> Result<Index, HelmRepoError> {
    Index::load(index).map_err(|source| HelmRepoError::Index {
        url: redacted(&spec.url),
        source,
    })
}

/// Writes the HelmRepository artifact for an index downloaded with [`download_index`]: the
/// JSON source-controller stores (see [`write_index_json`]), to `dest` through a temporary file
/// beside it. Its digest is the artifact's; the revision stays the download's.
pub fn index_artifact(
    spec: &HelmRepoSpec,
    index: &Path,
    dest: &Path,
) -> Result<IndexJson, HelmRepoError> {
    write_index_artifact(index, dest).map_err(|source| HelmRepoError::Index {
        url: redacted(&spec.url),
        source,
    })
}

/// Selects `chart` at `version` (a Masterminds range; empty or `*` = latest stable) in
/// `index`, naming the repository in the error.
pub fn select<'a>(
    spec: &HelmRepoSpec,
    index: &'a Index,
    chart: &str,
    version: &str,
) -> Result<&'a ChartVersion, HelmRepoError> {
    index
        .get(chart, version)
        .map_err(|source| HelmRepoError::Select {
            url: redacted(&spec.url),
            source,
        })
}

/// Downloads the .tgz of `version` (its first URL, resolved against the repository URL) into
/// the file `dest`.
pub async fn download_chart(
    spec: &HelmRepoSpec,
    auth: &HelmAuth,
    version: &ChartVersion,
    dest: &Path,
) -> Result<ChartDownload, HelmRepoError> {
    let repo = repo_url(spec)?;
    let first = version.urls.first().ok_or_else(|| HelmRepoError::NoUrls {
        chart: version.name.clone(),
        version: version.version.clone(),
    })?;
    let url = resolve_chart_url(&repo, first).map_err(|reason| HelmRepoError::Url {
        url: first.clone(),
        reason,
    })?;
    let client = http_client(spec, auth)?;
    let (digest, size) = get_to_file(
        &client,
        &repo,
        &url,
        spec,
        auth,
        dest,
        spec.max_chart_size,
        "chart",
    )
    .await?;
    let digest_matches = version
        .digest
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| digest.strip_prefix("sha256:") == Some(d.trim_start_matches("sha256:")));
    Ok(ChartDownload {
        url: redacted(url.as_str()),
        digest,
        size,
        digest_matches,
    })
}

fn repo_url(spec: &HelmRepoSpec) -> Result<reqwest::Url, HelmRepoError> {
    let bad = |reason: &str| HelmRepoError::Url {
        url: redacted(&spec.url),
        reason: reason.to_string(),
    };
    let url = reqwest::Url::parse(spec.url.trim()).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" => {}
        "oci" => return Err(bad("OCI repositories are not of type 'default'")),
        _ => return Err(bad("the scheme must be http or https")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(url)
}

/// `<url>/index.yaml`, with Go's `path.Join` cleaning of the path.
fn index_url(repo: &reqwest::Url) -> reqwest::Url {
    let mut url = repo.clone();
    let joined = format!("{}/index.yaml", repo.path().trim_end_matches('/'));
    url.set_path(&joined);
    url
}

/// Helm's `ResolveReferenceURL`: an absolute URL is used as is; a relative one is resolved
/// against the repository URL with a trailing `/`, and gets the repository's query string.
pub fn resolve_chart_url(repo: &reqwest::Url, reference: &str) -> Result<reqwest::Url, String> {
    if let Ok(abs) = reqwest::Url::parse(reference) {
        return Ok(abs);
    }
    let mut base = repo.clone();
    let path = format!("{}/", base.path().trim_end_matches('/'));
    base.set_path(&path);
    let mut resolved = base.join(reference).map_err(|e| e.to_string())?;
    resolved.set_query(repo.query());
    Ok(resolved)
}

/// Whether credentials for `repo` may go to `target`: same scheme, host and port, or
/// `passCredentials`.
fn sends_credentials(repo: &reqwest::Url, target: &reqwest::Url, pass: bool) -> bool {
    pass || (repo.scheme() == target.scheme()
        && repo.host_str() == target.host_str()
        && repo.port_or_known_default() == target.port_or_known_default())
}

/// A URL for messages: no user or password.
fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
}

fn http_client(spec: &HelmRepoSpec, auth: &HelmAuth) -> Result<reqwest::Client, HelmRepoError> {
    // reqwest panics without a process-wide rustls provider; ring is the workspace's one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let err = |reason: String| HelmRepoError::Client {
        url: redacted(&spec.url),
        reason,
    };
    let mut b = reqwest::Client::builder()
        .timeout(spec.timeout)
        .connect_timeout(spec.timeout.min(Duration::from_secs(30)))
        .user_agent(concat!("ferroflux/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &auth.ca_pem {
        let certs =
            reqwest::Certificate::from_pem_bundle(pem).map_err(|e| err(format!("ca.crt: {e}")))?;
        b = b.tls_certs_only(certs);
    }
    if let Some((cert, key)) = &auth.client_cert {
        let mut pem = cert.clone();
        pem.push(b'\n');
        pem.extend_from_slice(key);
        let id =
            reqwest::Identity::from_pem(&pem).map_err(|e| err(format!("tls.crt/tls.key: {e}")))?;
        b = b.identity(id);
    }
    if auth.insecure_skip_verify {
        b = b.danger_accept_invalid_certs(true);
    }
    b.build().map_err(|e| err(e.to_string()))
}

/// GETs `url` into the file `dest`, hashing while writing and stopping past `limit` bytes.
#[allow(clippy::too_many_arguments)]
async fn get_to_file(
    client: &reqwest::Client,
    repo: &reqwest::Url,
    url: &reqwest::Url,
    spec: &HelmRepoSpec,
    auth: &HelmAuth,
    dest: &Path,
    limit: u64,
    what: &'static str,
) -> Result<(String, u64), HelmRepoError> {
    let shown = redacted(url.as_str());
    let transfer = |e: reqwest::Error| HelmRepoError::Transfer {
        url: shown.clone(),
        reason: error_chain(&e),
    };
    let mut request = client.get(url.clone());
    if let Some((user, password)) = &auth.basic
        && !user.is_empty()
        && !password.is_empty()
        && sends_credentials(repo, url, spec.pass_credentials)
    {
        request = request.basic_auth(user, Some(password));
    }
    let observe = |e: RequestEvent<'_>| {
        if let Some(o) = &spec.observer {
            (o.0)(e);
        }
    };
    observe(RequestEvent::Sending { url: &shown });
    let mut response = request.send().await.map_err(transfer)?;
    let status = response.status();
    observe(RequestEvent::Answered {
        url: &shown,
        status: &status.to_string(),
        content_length: response.content_length(),
    });
    if !status.is_success() {
        return Err(HelmRepoError::Status {
            url: shown,
            status: status.to_string(),
        });
    }
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(HelmRepoError::TooLarge {
            what,
            url: shown,
            limit,
        });
    }
    let write_err = |source| HelmRepoError::Write {
        path: dest.to_path_buf(),
        source,
    };
    // Written beside `dest` and renamed into place only when complete: a failed or oversized
    // download leaves nothing behind (the temp file is deleted when dropped).
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(parent).map_err(write_err)?;
    let mut file = tokio::fs::File::from_std(tmp.reopen().map_err(write_err)?);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(transfer)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(HelmRepoError::TooLarge {
                what,
                url: shown,
                limit,
            });
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(write_err)?;
    }
    file.flush().await.map_err(write_err)?;
    drop(file);
    tmp.persist(dest).map_err(|e| write_err(e.error))?;
    Ok((format!("sha256:{}", hex::encode(hasher.finalize())), size))
}

/// The error and its causes on one line (reqwest's Display hides the cause).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn index_url_joins_like_path_join() {
        assert_eq!(
            index_url(&url("https://h/charts")).as_str(),
            "https://h/charts/index.yaml"
        );
        assert_eq!(
            index_url(&url("https://h/charts/")).as_str(),
            "https://h/charts/index.yaml"
        );
        assert_eq!(
            index_url(&url("https://h")).as_str(),
            "https://h/index.yaml"
        );
        assert_eq!(
            index_url(&url("https://h/c?token=x")).as_str(),
            "https://h/c/index.yaml?token=x"
        );
    }

    #[test]
    fn chart_urls_resolve_like_helm() {
        let repo = url("https://h/charts");
        let r = |s: &str| resolve_chart_url(&repo, s).unwrap().to_string();
        assert_eq!(r("podinfo-1.0.0.tgz"), "https://h/charts/podinfo-1.0.0.tgz");
        assert_eq!(r("sub/p.tgz"), "https://h/charts/sub/p.tgz");
        assert_eq!(r("/abs/p.tgz"), "https://h/abs/p.tgz");
        assert_eq!(r("../p.tgz"), "https://h/p.tgz");
        assert_eq!(r("https://cdn/p.tgz"), "https://cdn/p.tgz");
        assert_eq!(r("//cdn/p.tgz"), "https://cdn/p.tgz");
        let q = url("https://h/charts/?sig=abc");
        assert_eq!(
            resolve_chart_url(&q, "p.tgz?x=1").unwrap().as_str(),
            "https://h/charts/p.tgz?sig=abc"
        );
    }

    #[test]
    fn credentials_stay_on_the_repository_host() {
        let repo = url("https://charts.example.com/x");
        assert!(sends_credentials(
            &repo,
            &url("https://charts.example.com/y.tgz"),
            false
        ));
        assert!(sends_credentials(
            &repo,
            &url("https://charts.example.com:443/y.tgz"),
            false
        ));
        assert!(!sends_credentials(
            &repo,
            &url("https://cdn.example.com/y.tgz"),
            false
        ));
        assert!(!sends_credentials(
            &repo,
            &url("http://charts.example.com/y.tgz"),
            false
        ));
        assert!(!sends_credentials(
            &repo,
            &url("https://charts.example.com:8443/y.tgz"),
            false
        ));
        assert!(sends_credentials(
            &repo,
            &url("https://cdn.example.com/y.tgz"),
            true
        ));
    }

    #[test]
    fn secrets() {
        let data = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect()
        };
        let a = HelmAuth::from_secret(&data(&[("username", "u"), ("password", "p")])).unwrap();
        assert_eq!(a.basic, Some(("u".into(), "p".into())));
        assert!(!format!("{a:?}").contains("\"p\""));
        assert!(HelmAuth::from_secret(&data(&[("username", "u")])).is_err());
        let tls = HelmAuth::from_secret(&data(&[
            ("ca.crt", "CA"),
            ("tls.crt", "C"),
            ("tls.key", "K"),
        ]))
        .unwrap();
        assert_eq!(tls.ca_pem.as_deref(), Some(&b"CA"[..]));
        assert!(HelmAuth::from_secret(&data(&[("tls.crt", "C")])).is_err());
        let merged = a.merge(tls);
        assert!(merged.basic.is_some() && merged.client_cert.is_some());
    }

    #[test]
    fn bad_urls() {
        assert!(repo_url(&HelmRepoSpec::new("oci://ghcr.io/x")).is_err());
        assert!(repo_url(&HelmRepoSpec::new("not a url")).is_err());
        assert!(repo_url(&HelmRepoSpec::new("ftp://h/x")).is_err());
        let e = repo_url(&HelmRepoSpec::new("ftp://user:pw@h/x")).unwrap_err();
        assert!(!e.to_string().contains("pw"), "{e}");
    }
}
