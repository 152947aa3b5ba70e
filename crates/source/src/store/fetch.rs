//! The consumer side: download an artifact with retries and a size limit, check its digest,
//! then extract it safely. Nothing is extracted from a download that did not verify.

use crate::artifact::{ExtractError, Limits, extract};
use sha2::Digest as _;
use std::path::Path;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Attempts after the first (kustomize-controller's `--http-retry`, 9).
    pub retries: u32,
    /// The first wait between attempts; it doubles each time, capped at 30 s.
    pub backoff: Duration,
    /// Largest download accepted, in bytes.
    pub max_download: u64,
    pub limits: Limits,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            retries: 9,
            backoff: Duration::from_millis(500),
            max_download: 1 << 30,
            limits: Limits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: the artifact exceeds the {limit} byte download limit")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("unsupported digest '{0}': expected sha256:, sha384: or sha512: and hex")]
    BadDigest(String),
    #[error("{url}: {cause}")]
    Extract { url: String, cause: ExtractError },
    #[error("{0}")]
    Local(String),
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn for_digest(digest: &str) -> Result<(Hasher, String), FetchError> {
        let bad = || FetchError::BadDigest(digest.to_string());
        let (algo, hex) = digest.split_once(':').ok_or_else(bad)?;
        let (hasher, len) = match algo {
            "sha256" => (Hasher::Sha256(Default::default()), 64),
            "sha384" => (Hasher::Sha384(Default::default()), 96),
            "sha512" => (Hasher::Sha512(Default::default()), 128),
            _ => return Err(bad()),
        };
        if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok((hasher, hex.to_ascii_lowercase()))
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn hex(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha384(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// Downloads `url`, checks it against `digest` (`sha256:<hex>`), and extracts it into `dest`.
/// Returns the number of entries extracted.
pub async fn fetch_artifact(
    client: &reqwest::Client,
    url: &str,
    digest: &str,
    dest: &Path,
    options: &FetchOptions,
) -> Result<u64, FetchError> {
    Hasher::for_digest(digest)?;
    let mut wait = options.backoff;
    let mut attempt = 0;
    let file = loop {
        match download(client, url, digest, options).await {
            Ok(file) => break file,
            Err((err, retryable)) if retryable && attempt < options.retries => {
                attempt += 1;
                tracing::debug!(%url, attempt, error = %err, "artifact download failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
            Err((err, _)) => return Err(err),
        }
    };
    let dest = dest.to_path_buf();
    let limits = options.limits;
    let url_owned = url.to_string();
    tokio::task::spawn_blocking(move || {
        let reader =
            std::fs::File::open(file.path()).map_err(|e| FetchError::Local(e.to_string()))?;
        extract(reader, &dest, limits).map_err(|cause| FetchError::Extract {
            url: url_owned,
            cause,
        })
    })
    .await
    .map_err(|e| FetchError::Local(e.to_string()))?
}

/// One attempt: the verified download in a temp file, or the error and whether to retry.
async fn download(
    client: &reqwest::Client,
    url: &str,
    digest: &str,
    options: &FetchOptions,
) -> Result<tempfile::NamedTempFile, (FetchError, bool)> {
    let http = |e: reqwest::Error| {
        (
            FetchError::Http {
                url: url.to_string(),
                message: e.to_string(),
            },
            true,
        )
    };
    let local = |e: std::io::Error| (FetchError::Local(e.to_string()), false);
    let (mut hasher, expected) = Hasher::for_digest(digest).map_err(|e| (e, false))?;
    let mut response = client.get(url).send().await.map_err(http)?;
    let status = response.status();
    if !status.is_success() {
        let retry = status.is_server_error() || status.as_u16() == 429;
        return Err((
            FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            },
            retry,
        ));
    }
    let too_large = || {
        (
            FetchError::TooLarge {
                url: url.to_string(),
                limit: options.max_download,
            },
            false,
        )
    };
    if response
        .content_length()
        .is_some_and(|n| n > options.max_download)
    {
        return Err(too_large());
    }
    let tmp = tempfile::NamedTempFile::new().map_err(local)?;
    let mut out = tokio::fs::File::from_std(tmp.reopen().map_err(local)?);
    let mut total = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(http)? {
        total += chunk.len() as u64;
        if total > options.max_download {
            return Err(too_large());
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(local)?;
    }
    out.flush().await.map_err(local)?;
    let actual = hasher.hex();
    if actual != expected {
        let algo = digest.split(':').next().unwrap_or_default();
        return Err((
            FetchError::DigestMismatch {
                url: url.to_string(),
                expected: digest.to_string(),
                actual: format!("{algo}:{actual}"),
            },
            false,
        ));
    }
    Ok(tmp)
}
