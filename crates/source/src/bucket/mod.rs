//! Bucket sources: S3-compatible stores (`provider: generic` and `aws`) and Azure Blob
//! containers (`provider: azure`), through object_store, with Flux's semantics:
//!
//! - the ignore rules are the bucket's root `.sourceignore` object followed by `spec.ignore`,
//!   matched against full object keys at listing time; there are no default excludes (Flux
//!   archives a bucket with no filter), so archive the directory with [`artifact_matcher`];
//! - the root `.sourceignore` object is never indexed, but it is written into the directory
//!   (Flux downloads it there, so it ends up in the artifact);
//! - objects land at their full key below the directory (the prefix is not stripped);
//! - the revision is `sha256:` over the sorted `<key> <etag>\n` lines of the index
//!   ([`Index::revision`]); an object whose ETag changed between listing and download gets
//!   the new ETag, and one that disappeared is dropped, as in Flux.

mod auth;
mod index;

pub use auth::{BucketAuth, Credentials, SecretError, from_connection_string};
pub use index::Index;

use crate::ignore::{IGNORE_FILE, Matcher, Pattern, Verdict, read_patterns};
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Downloads running at once; Flux allows 100, a bound that only keeps memory small.
const CONCURRENT_DOWNLOADS: usize = 16;

/// `spec.provider` of a Bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Provider {
    #[default]
    Generic,
    Aws,
    Azure,
    Gcp,
}

impl Provider {
    /// Parses `spec.provider` (empty means `generic`).
    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "" | "generic" => Some(Provider::Generic),
            "aws" => Some(Provider::Aws),
            "azure" => Some(Provider::Azure),
            "gcp" => Some(Provider::Gcp),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Generic => "generic",
            Provider::Aws => "aws",
            Provider::Azure => "azure",
            Provider::Gcp => "gcp",
        }
    }
}

/// What a Bucket's spec says to fetch.
#[derive(Clone, Debug)]
pub struct BucketSpec {
    pub provider: Provider,
    /// `bucketName`: the S3 bucket or the Azure container.
    pub bucket_name: String,
    /// `endpoint`: `host[:port]` or a URL. For Azure, the account URL
    /// (`https://<account>.blob.core.windows.net`, or `http://host:port/<account>` for an
    /// emulator).
    pub endpoint: String,
    /// `region`; S3 only. Empty: taken from an AWS endpoint's host, else `us-east-1`.
    pub region: Option<String>,
    /// `prefix`: only keys starting with it (a plain string prefix, as S3 defines it).
    pub prefix: Option<String>,
    /// `insecure`: allow plain HTTP.
    pub insecure: bool,
    /// `ignore`: patterns in `.sourceignore` syntax, after the bucket's own `.sourceignore`.
    pub ignore: Option<String>,
    /// `timeout` (Flux's default is 60s), applied to the listing and to the download each.
    pub timeout: Duration,
}

impl BucketSpec {
    pub fn new(provider: Provider, bucket_name: &str, endpoint: &str) -> BucketSpec {
        BucketSpec {
            provider,
            bucket_name: bucket_name.to_string(),
            endpoint: endpoint.to_string(),
            region: None,
            prefix: None,
            insecure: false,
            ignore: None,
            timeout: Duration::from_secs(60),
        }
    }
}

/// The outcome of a fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// `sha256:<hex>` of the final index (see the module docs).
    pub revision: String,
    /// The objects written, by key, with their ETags.
    pub index: Index,
    /// Bytes of object content written.
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    #[error("bucket '{bucket}': invalid endpoint '{endpoint}': {reason}")]
    Endpoint {
        bucket: String,
        endpoint: String,
        reason: String,
    },
    #[error("bucket '{bucket}': {reason}")]
    Config { bucket: String, reason: String },
    #[error("bucket '{bucket}': {source}")]
    Secret {
        bucket: String,
        #[source]
        source: SecretError,
    },
    #[error("bucket '{bucket}' not found")]
    NotFound { bucket: String },
    #[error("listing objects from bucket '{bucket}' failed: {reason}")]
    List { bucket: String, reason: String },
    #[error("bucket '{bucket}': failed to get '{key}' object: {reason}")]
    Get {
        bucket: String,
        key: String,
        reason: String,
    },
    #[error("bucket '{bucket}': object key '{key}' is refused: {reason}")]
    UnsafeKey {
        bucket: String,
        key: String,
        reason: &'static str,
    },
    #[error("bucket '{bucket}': writing object '{key}' to {}: {source}", path.display())]
    Write {
        bucket: String,
        key: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("bucket '{bucket}': {what} timed out after {timeout:?}")]
    Timeout {
        bucket: String,
        what: &'static str,
        timeout: Duration,
    },
}

/// The matcher to archive a fetched bucket with: Flux archives it without any filter, so
/// neither default excludes nor `.sourceignore` apply a second time.
pub fn artifact_matcher() -> Matcher {
    Matcher::default()
}

/// Lists the bucket and returns the index of the objects the ignore rules keep: the no-op
/// poll. When `index.revision()` equals the last artifact's revision, nothing changed.
pub async fn list_index(spec: &BucketSpec, auth: &BucketAuth) -> Result<Index, BucketError> {
    let client = Client::connect(spec, auth)?;
    client
        .timed("listing", async {
            let ignore = client.get_ignore_file().await?;
            client.index(ignore.as_deref()).await
        })
        .await
}

/// Lists the bucket and downloads every indexed object into `dest` (created if missing; it
/// should be empty).
pub async fn fetch(
    spec: &BucketSpec,
    auth: &BucketAuth,
    dest: &Path,
) -> Result<Fetched, BucketError> {
    let client = Client::connect(spec, auth)?;
    let (ignore, index) = client
        .timed("listing", async {
            let ignore = client.get_ignore_file().await?;
            let index = client.index(ignore.as_deref()).await?;
            Ok((ignore, index))
        })
        .await?;
    client
        .timed("download", client.download(ignore.as_deref(), index, dest))
        .await
}

/// Downloads the objects of an index from [`list_index`] into `dest`, without listing again.
pub async fn download(
    spec: &BucketSpec,
    auth: &BucketAuth,
    index: Index,
    dest: &Path,
) -> Result<Fetched, BucketError> {
    let client = Client::connect(spec, auth)?;
    client
        .timed("download", async {
            let ignore = client.get_ignore_file().await?;
            client.download(ignore.as_deref(), index, dest).await
        })
        .await
}

struct Client {
    store: Arc<dyn ObjectStore>,
    bucket: String,
    provider: Provider,
    prefix: String,
    ignore: Option<String>,
    timeout: Duration,
    secrets: Vec<String>,
}

impl Client {
    fn connect(spec: &BucketSpec, auth: &BucketAuth) -> Result<Client, BucketError> {
        ensure_tls_provider();
        let bucket = spec.bucket_name.clone();
        if bucket.is_empty() {
            return Err(BucketError::Config {
                bucket,
                reason: "spec.bucketName is empty".into(),
            });
        }
        let store = match spec.provider {
            Provider::Generic | Provider::Aws => s3_store(spec, auth)?,
            Provider::Azure => azure_store(spec, auth)?,
            Provider::Gcp => {
                return Err(BucketError::Config {
                    bucket,
                    reason: "the 'gcp' provider is not supported by ferroflux".into(),
                });
            }
        };
        Ok(Client {
            store,
            bucket,
            provider: spec.provider,
            prefix: spec.prefix.clone().unwrap_or_default(),
            ignore: spec.ignore.clone(),
            timeout: spec.timeout,
            secrets: auth.secrets(),
        })
    }

    async fn timed<T>(
        &self,
        what: &'static str,
        fut: impl Future<Output = Result<T, BucketError>>,
    ) -> Result<T, BucketError> {
        tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| BucketError::Timeout {
                bucket: self.bucket.clone(),
                what,
                timeout: self.timeout,
            })?
    }

    /// An error message with every secret string masked.
    fn redact(&self, e: &dyn std::fmt::Display) -> String {
        let mut s = e.to_string();
        for secret in self.secrets.iter().filter(|s| s.len() >= 4) {
            s = s.replace(secret.as_str(), "***");
        }
        s
    }

    /// The bucket's root `.sourceignore`, whatever the prefix; `None` when there is none.
    async fn get_ignore_file(&self) -> Result<Option<Vec<u8>>, BucketError> {
        let path = ObjectPath::from(IGNORE_FILE);
        let got = match self.store.get(&path).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.get_error(IGNORE_FILE, &e)),
        };
        let bytes = got
            .bytes()
            .await
            .map_err(|e| self.get_error(IGNORE_FILE, &e))?;
        Ok(Some(bytes.to_vec()))
    }

    fn get_error(&self, key: &str, e: &object_store::Error) -> BucketError {
        BucketError::Get {
            bucket: self.bucket.clone(),
            key: key.to_string(),
            reason: self.redact(e),
        }
    }

    /// Lists the objects under the prefix and keeps those the ignore rules let through.
    async fn index(&self, ignore_file: Option<&[u8]>) -> Result<Index, BucketError> {
        let mut patterns: Vec<Pattern> = Vec::new();
        if let Some(bytes) = ignore_file {
            patterns.extend(read_patterns(&String::from_utf8_lossy(bytes), &[]));
        }
        if let Some(own) = &self.ignore {
            patterns.extend(read_patterns(own, &[]));
        }
        // object_store lists whole path segments; list the prefix's directory and filter by
        // the plain string prefix, as S3 itself would.
        let dir = self
            .prefix
            .rsplit_once('/')
            .map(|(d, _)| d.trim_matches('/'))
            .unwrap_or("");
        let dir = (!dir.is_empty()).then(|| ObjectPath::from(dir));
        let mut listing = self.store.list(dir.as_ref());
        let mut index = Index::new();
        let mut without_etag = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| self.list_error(e))?;
            let key: &str = meta.location.as_ref();
            if !key.starts_with(self.prefix.as_str()) || key.ends_with('/') || key == IGNORE_FILE {
                continue;
            }
            if is_ignored(&patterns, key) {
                continue;
            }
            match meta.e_tag.as_deref().filter(|e| !e.is_empty()) {
                Some(etag) => index.insert(key, self.etag(Some(etag))),
                None => without_etag.push(meta.location),
            }
        }
        // Some S3-compatible stores list no ETags. Flux would then index empty ETags and
        // replace them with the ETag of each download, so only a full fetch would see a
        // change; asking for each object's ETag gives that same final revision without it.
        let heads: Vec<(String, String)> = futures::stream::iter(without_etag)
            .map(|location| async move {
                let key = location.as_ref().to_string();
                match self.store.head(&location).await {
                    Ok(meta) => Ok(Some((key, self.etag(meta.e_tag.as_deref())))),
                    // Deleted since the listing.
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(self.get_error(&key, &e)),
                }
            })
            .buffer_unordered(CONCURRENT_DOWNLOADS)
            .try_filter_map(|x| async move { Ok(x) })
            .try_collect()
            .await?;
        for (key, etag) in heads {
            index.insert(key, etag);
        }
        Ok(index)
    }

    /// A listing error; a 404 on a listing means the bucket or container does not exist.
    fn list_error(&self, e: object_store::Error) -> BucketError {
        let text = e.to_string();
        let missing = matches!(e, object_store::Error::NotFound { .. })
            || text.contains("NoSuchBucket")
            || text.contains("ContainerNotFound")
            || text.contains("404 Not Found");
        if missing {
            BucketError::NotFound {
                bucket: self.bucket.clone(),
            }
        } else {
            BucketError::List {
                bucket: self.bucket.clone(),
                reason: self.redact(&text),
            }
        }
    }

    /// The ETag as Flux's clients report it: without quotes for S3 (minio-go trims them),
    /// hex-encoded for Azure (Flux formats the listing's ETag with `%x`).
    fn etag(&self, raw: Option<&str>) -> String {
        let raw = raw.unwrap_or("");
        let bare = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        match self.provider {
            Provider::Azure => hex::encode(bare.as_bytes()),
            _ => bare.to_string(),
        }
    }

    async fn download(
        &self,
        ignore_file: Option<&[u8]>,
        mut index: Index,
        dest: &Path,
    ) -> Result<Fetched, BucketError> {
        let write_err = |key: &str, path: &Path, source| BucketError::Write {
            bucket: self.bucket.clone(),
            key: key.to_string(),
            path: path.to_path_buf(),
            source,
        };
        tokio::fs::create_dir_all(dest)
            .await
            .map_err(|e| write_err("", dest, e))?;
        if let Some(bytes) = ignore_file {
            let path = dest.join(IGNORE_FILE);
            tokio::fs::write(&path, bytes)
                .await
                .map_err(|e| write_err(IGNORE_FILE, &path, e))?;
        }
        // Every key is checked before anything is written.
        let mut jobs = Vec::with_capacity(index.len());
        for (key, etag) in index.iter() {
            let rel = safe_relative(key).map_err(|reason| BucketError::UnsafeKey {
                bucket: self.bucket.clone(),
                key: key.to_string(),
                reason,
            })?;
            jobs.push((key.to_string(), etag.to_string(), dest.join(rel)));
        }
        let results: Vec<Downloaded> = futures::stream::iter(jobs)
            .map(|(key, etag, path)| async move {
                let got = self.download_one(&key, &path).await?;
                Ok::<_, BucketError>((key, etag, got))
            })
            .buffer_unordered(CONCURRENT_DOWNLOADS)
            .try_collect()
            .await?;
        let mut bytes = 0u64;
        for (key, listed_etag, got) in results {
            match got {
                // Gone since the listing: dropped from the index, as Flux does.
                None => {
                    index.remove(&key);
                }
                // Changed since the listing: the ETag of what was written counts.
                Some((etag, n)) => {
                    bytes += n;
                    if etag != listed_etag {
                        index.insert(key, etag);
                    }
                }
            }
        }
        Ok(Fetched {
            revision: index.revision(),
            index,
            bytes,
        })
    }

    /// Streams one object to `path`; `None` when it no longer exists.
    async fn download_one(
        &self,
        key: &str,
        path: &Path,
    ) -> Result<Option<(String, u64)>, BucketError> {
        let location = ObjectPath::parse(key).map_err(|e| self.get_error(key, &e.into()))?;
        let got = match self.store.get(&location).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.get_error(key, &e)),
        };
        let etag = self.etag(got.meta.e_tag.as_deref());
        let write_err = |source| BucketError::Write {
            bucket: self.bucket.clone(),
            key: key.to_string(),
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(write_err)?;
        }
        let mut file = tokio::fs::File::create(path).await.map_err(write_err)?;
        let mut stream = got.into_stream();
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.get_error(key, &e))?;
            file.write_all(&chunk).await.map_err(write_err)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(write_err)?;
        Ok(Some((etag, written)))
    }
}

/// One object's download: its key, the ETag listed, and the ETag and size written (`None`
/// when the object is gone).
type Downloaded = (String, String, Option<(String, u64)>);

/// reqwest (under object_store) panics without a process-wide rustls provider; install ring,
/// the workspace's one provider, when `main` has not done so yet.
fn ensure_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Go-git matching of a full key against the patterns: the last pattern that matches decides.
fn is_ignored(patterns: &[Pattern], key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    patterns
        .iter()
        .rev()
        .map(|p| p.check(&parts, false))
        .find(|v| *v != Verdict::NoMatch)
        == Some(Verdict::Exclude)
}

/// The relative path an object key is written to, or why the key is refused.
fn safe_relative(key: &str) -> Result<PathBuf, &'static str> {
    if key.is_empty() {
        return Err("the key is empty");
    }
    if key.starts_with('/') {
        return Err("absolute paths are refused");
    }
    if key.contains('\0') {
        return Err("NUL bytes are refused");
    }
    let mut path = PathBuf::new();
    for part in key.split('/') {
        match part {
            ".." => return Err("paths leaving the target with '..' are refused"),
            "" | "." => return Err("empty or '.' path segments are refused"),
            p => path.push(p),
        }
    }
    Ok(path)
}

fn endpoint_error(spec: &BucketSpec, reason: impl Into<String>) -> BucketError {
    BucketError::Endpoint {
        bucket: spec.bucket_name.clone(),
        endpoint: spec.endpoint.clone(),
        reason: reason.into(),
    }
}

/// The endpoint as a URL (`https://`, or `http://` when insecure), without a trailing slash.
fn endpoint_url(spec: &BucketSpec) -> Result<reqwest::Url, BucketError> {
    let ep = spec.endpoint.trim();
    if ep.is_empty() {
        return Err(endpoint_error(spec, "spec.endpoint is empty"));
    }
    let full = if ep.starts_with("https://") || ep.starts_with("http://") {
        ep.to_string()
    } else if ep.contains("://") {
        return Err(endpoint_error(
            spec,
            "only http:// and https:// are supported",
        ));
    } else if spec.insecure {
        format!("http://{ep}")
    } else {
        format!("https://{ep}")
    };
    let url = reqwest::Url::parse(full.trim_end_matches('/'))
        .map_err(|e| endpoint_error(spec, e.to_string()))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(endpoint_error(spec, "no host"));
    }
    if url.scheme() == "http" && !spec.insecure {
        return Err(endpoint_error(spec, "plain HTTP needs spec.insecure: true"));
    }
    Ok(url)
}

fn client_options(spec: &BucketSpec, auth: &BucketAuth) -> Result<ClientOptions, BucketError> {
    let mut opts = ClientOptions::new()
        .with_timeout(spec.timeout)
        .with_connect_timeout(spec.timeout.min(Duration::from_secs(30)))
        .with_allow_http(spec.insecure);
    if let Some(pem) = &auth.ca_pem {
        let certs =
            object_store::Certificate::from_pem_bundle(pem).map_err(|e| BucketError::Config {
                bucket: spec.bucket_name.clone(),
                reason: format!("ca.crt: {e}"),
            })?;
        for cert in certs {
            opts = opts.with_root_certificate(cert);
        }
    }
    Ok(opts)
}

fn retry(spec: &BucketSpec) -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        retry_timeout: spec.timeout,
        ..RetryConfig::default()
    }
}

fn config_error(spec: &BucketSpec, e: impl std::fmt::Display) -> BucketError {
    BucketError::Config {
        bucket: spec.bucket_name.clone(),
        reason: e.to_string(),
    }
}

/// `s3.<region>.amazonaws.com` (or `s3.dualstack.<region>…`) gives its region.
fn aws_region_of(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n >= 4 && labels[0] == "s3" && labels[n - 2] == "amazonaws" {
        let r = if labels[1] == "dualstack" {
            labels.get(2)?
        } else {
            &labels[1]
        };
        if *r != "amazonaws" {
            return Some(r.to_string());
        }
    }
    None
}

fn s3_store(spec: &BucketSpec, auth: &BucketAuth) -> Result<Arc<dyn ObjectStore>, BucketError> {
    use object_store::aws::AmazonS3Builder;
    let url = endpoint_url(spec)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let region = spec
        .region
        .clone()
        .filter(|r| !r.is_empty())
        .or_else(|| aws_region_of(&host))
        .unwrap_or_else(|| "us-east-1".to_string());
    let mut b = match (&auth.credentials, spec.provider) {
        // An IAM role, a web identity token or the instance metadata, from the environment.
        (Credentials::Ambient, Provider::Aws) => AmazonS3Builder::from_env(),
        _ => AmazonS3Builder::new(),
    };
    b = b
        .with_bucket_name(&spec.bucket_name)
        .with_region(region)
        .with_allow_http(spec.insecure)
        .with_client_options(client_options(spec, auth)?)
        .with_retry(retry(spec));
    let endpoint = url.as_str().trim_end_matches('/').to_string();
    if host.ends_with(".amazonaws.com") {
        // AWS: virtual-hosted requests, as minio-go makes them for AWS hosts.
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        b = b
            .with_virtual_hosted_style_request(true)
            .with_endpoint(format!(
                "{}://{}.{host}{port}",
                url.scheme(),
                spec.bucket_name
            ));
    } else {
        b = b
            .with_virtual_hosted_style_request(false)
            .with_endpoint(endpoint);
    }
    b = match &auth.credentials {
        Credentials::S3Keys {
            access_key,
            secret_key,
        } => b
            .with_access_key_id(access_key)
            .with_secret_access_key(secret_key),
        Credentials::Ambient if spec.provider == Provider::Generic => b.with_skip_signature(true),
        Credentials::Ambient => b,
        other => {
            return Err(config_error(
                spec,
                format!(
                    "{other:?} credentials do not apply to provider '{}'",
                    spec.provider.as_str()
                ),
            ));
        }
    };
    Ok(Arc::new(b.build().map_err(|e| config_error(spec, e))?))
}

/// The storage account of an Azure endpoint: the first label of
/// `<account>.blob.core.windows.net`, or the first path segment of an emulator URL.
fn azure_account_of(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    let labels: Vec<&str> = host.split('.').collect();
    let is_ip = host.parse::<std::net::IpAddr>().is_ok();
    if labels.len() > 2 && !is_ip {
        return Some(labels[0].to_string());
    }
    url.path_segments()?
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

fn azure_store(spec: &BucketSpec, auth: &BucketAuth) -> Result<Arc<dyn ObjectStore>, BucketError> {
    use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
    let mut url = endpoint_url(spec)?;
    // A SAS token may come in the endpoint's query, as in Flux.
    let query_sas = url.query().map(str::to_string);
    url.set_query(None);
    let named = match &auth.credentials {
        Credentials::AzureAccountKey { account, .. } | Credentials::AzureSas { account, .. } => {
            account.clone()
        }
        _ => None,
    };
    let account = named.or_else(|| azure_account_of(&url)).ok_or_else(|| {
        endpoint_error(
            spec,
            "cannot tell the storage account: expected https://<account>.blob.core.windows.net",
        )
    })?;
    let mut b = match &auth.credentials {
        Credentials::Ambient if query_sas.is_none() => MicrosoftAzureBuilder::from_env(),
        _ => MicrosoftAzureBuilder::new(),
    };
    b = b
        .with_account(account)
        .with_container_name(&spec.bucket_name)
        .with_endpoint(url.as_str().trim_end_matches('/').to_string())
        .with_allow_http(spec.insecure)
        .with_client_options(client_options(spec, auth)?)
        .with_retry(retry(spec));
    b = match &auth.credentials {
        Credentials::AzureAccountKey { key, .. } => b.with_access_key(key),
        Credentials::AzureSas { token, .. } => {
            b.with_config(AzureConfigKey::SasKey, token.trim_start_matches('?'))
        }
        Credentials::AzureClientSecret {
            tenant_id,
            client_id,
            client_secret,
            authority_host,
        } => {
            let b = b.with_client_secret_authorization(client_id, client_secret, tenant_id);
            match authority_host {
                Some(h) => b.with_authority_host(h),
                None => b,
            }
        }
        Credentials::AzureManagedIdentity { client_id } => b.with_client_id(client_id),
        Credentials::Ambient => match &query_sas {
            Some(sas) => b.with_config(AzureConfigKey::SasKey, sas),
            None => b,
        },
        Credentials::S3Keys { .. } => {
            return Err(config_error(
                spec,
                "'accesskey'/'secretkey' do not apply to provider 'azure'",
            ));
        }
    };
    Ok(Arc::new(b.build().map_err(|e| config_error(spec, e))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_leave_the_directory_are_refused() {
        assert_eq!(
            safe_relative("a/b.yaml").unwrap(),
            PathBuf::from("a/b.yaml")
        );
        assert!(safe_relative("../x").is_err());
        assert!(safe_relative("a/../../x").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("a//b").is_err());
        assert!(safe_relative("./a").is_err());
        assert!(safe_relative("").is_err());
    }

    #[test]
    fn ignore_rules_match_full_keys_last_pattern_wins() {
        let mut p = read_patterns("*.md\nsecret/\n", &[]);
        p.extend(read_patterns("!keep.md\n", &[]));
        assert!(is_ignored(&p, "README.md"));
        assert!(is_ignored(&p, "apps/notes.md"));
        assert!(!is_ignored(&p, "apps/keep.md"));
        assert!(is_ignored(&p, "secret/key.yaml"));
        assert!(is_ignored(&p, "apps/secret/key.yaml"));
        assert!(!is_ignored(&p, "apps/deploy.yaml"));
        // No default excludes for buckets.
        assert!(!is_ignored(&[], "logo.png"));
        assert!(!is_ignored(&[], ".git/config"));
    }

    #[test]
    fn endpoints() {
        let mut s = BucketSpec::new(Provider::Generic, "b", "minio.example.com:9000");
        assert_eq!(
            endpoint_url(&s).unwrap().as_str(),
            "https://minio.example.com:9000/"
        );
        s.insecure = true;
        assert_eq!(
            endpoint_url(&s).unwrap().as_str(),
            "http://minio.example.com:9000/"
        );
        s.insecure = false;
        s.endpoint = "http://127.0.0.1:9000".into();
        let e = endpoint_url(&s).unwrap_err().to_string();
        assert!(e.contains("insecure"), "{e}");
        assert!(e.contains("bucket 'b'"), "{e}");
        s.endpoint = "ftp://x".into();
        assert!(endpoint_url(&s).is_err());
        s.endpoint = "".into();
        assert!(endpoint_url(&s).is_err());
    }

    #[test]
    fn aws_regions_and_azure_accounts() {
        assert_eq!(
            aws_region_of("s3.eu-west-1.amazonaws.com").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            aws_region_of("s3.dualstack.us-west-2.amazonaws.com").as_deref(),
            Some("us-west-2")
        );
        assert_eq!(aws_region_of("s3.amazonaws.com"), None);
        assert_eq!(aws_region_of("minio.local"), None);
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        assert_eq!(
            azure_account_of(&u("https://acme.blob.core.windows.net")).as_deref(),
            Some("acme")
        );
        assert_eq!(
            azure_account_of(&u("http://127.0.0.1:10000/devstoreaccount1")).as_deref(),
            Some("devstoreaccount1")
        );
        assert_eq!(azure_account_of(&u("http://localhost:10000")), None);
    }

    #[test]
    fn provider_names() {
        assert_eq!(Provider::parse(""), Some(Provider::Generic));
        assert_eq!(Provider::parse("azure"), Some(Provider::Azure));
        assert_eq!(Provider::parse("minio"), None);
    }
}
