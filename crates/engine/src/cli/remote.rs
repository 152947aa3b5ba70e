//! Remote bases for the kustomize renderer: the [`RemoteFetcher`] the kustomize verbs hand to
//! `ferroflux-kustomize`. Git repositories are checked out with `ferroflux-source`'s Git client
//! (HTTP(S) and SSH, shallow where the ref allows) into a temporary directory that lives as
//! long as the fetcher; plain HTTP(S) files are fetched with reqwest.
//!
//! The ref of a remote target is resolved as `git fetch <url> <ref>` resolves it (kustomize
//! runs exactly that): empty means the remote's `HEAD`; a 40-hex name is a commit; otherwise
//! the first advertised ref among `<ref>`, `refs/<ref>`, `refs/tags/<ref>`, `refs/heads/<ref>`,
//! `refs/remotes/<ref>`, `refs/remotes/<ref>/HEAD`.
//!
//! No credentials are configured here: HTTP(S) repositories are fetched anonymously, SSH uses
//! the user's own `ssh` configuration and agent.

use ferroflux_kustomize::remote::{FetchError, RemoteFetcher, RepoSpec};
use ferroflux_source::git::{self, GitAuth, GitError, GitRef, GitSource, ResolveError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

/// The largest remote file a build reads (kustomize sets no limit; this only stops runaway
/// downloads).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// How long one HTTP(S) file may take (kustomize's client has no timeout).
const FILE_TIMEOUT: Duration = Duration::from_secs(120);

/// Fetches remote bases into a temporary directory removed when the fetcher is dropped.
/// Create it on a thread that may block (not inside an async task): its HTTP client is
/// reqwest's blocking one.
#[derive(Debug, Default)]
pub struct Fetcher {
    dir: OnceLock<Result<tempfile::TempDir, String>>,
    next: AtomicUsize,
    http: OnceLock<Result<reqwest::blocking::Client, String>>,
    /// How long one file may take when not [`FILE_TIMEOUT`].
    file_timeout: Option<Duration>,
}

impl Fetcher {
    pub fn new() -> Arc<Fetcher> {
        Arc::new(Fetcher::default())
    }

    /// A fetcher whose files may each take `timeout`.
    pub fn with_file_timeout(timeout: Duration) -> Arc<Fetcher> {
        Arc::new(Fetcher {
            file_timeout: Some(timeout),
            ..Fetcher::default()
        })
    }

    fn work_dir(&self) -> Result<&Path, FetchError> {
        self.dir
            .get_or_init(|| {
                tempfile::Builder::new()
                    .prefix("ferroflux-remote-bases-")
                    .tempdir()
                    .map_err(|e| format!("creating a temporary directory: {e}"))
            })
            .as_ref()
            .map(|d| d.path())
            .map_err(|e| FetchError::Failed(e.clone()))
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, FetchError> {
        self.http
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(self.file_timeout.unwrap_or(FILE_TIMEOUT))
                    .build()
                    .map_err(|e| format!("creating the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(|e| FetchError::Failed(e.clone()))
    }
}

impl RemoteFetcher for Fetcher {
    fn fetch_repo(&self, spec: &RepoSpec) -> Result<PathBuf, FetchError> {
        if spec.host.starts_with("file://") {
            return Err(FetchError::Failed(
                "file:// repositories are not supported; build the local checkout's directory instead"
                    .into(),
            ));
        }
        let dest = self.work_dir()?.join(format!(
            "repo-{}",
            self.next.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&dest)
            .map_err(|e| FetchError::Failed(format!("creating {}: {e}", dest.display())))?;
        // kustomize bounds every git command by the URL's timeout; the clone runs on its own
        // thread so that a hung server cannot hold the build past it.
        let (tx, rx) = mpsc::channel();
        let (url, git_ref, submodules, out) = (
            spec.clone_url(),
            spec.git_ref.clone(),
            spec.submodules,
            dest.clone(),
        );
        std::thread::Builder::new()
            .name("remote-base".into())
            .spawn(move || {
                let _ = tx.send(checkout(&url, &git_ref, submodules, &out));
            })
            .map_err(|e| FetchError::Failed(format!("starting the clone: {e}")))?;
        match rx.recv_timeout(spec.timeout) {
            Ok(result) => result.map(|()| dest),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(FetchError::Timeout(spec.timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(FetchError::Failed("the clone stopped unexpectedly".into()))
            }
        }
    }

    fn fetch_file(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        use std::io::Read;
        let response = self
            .client()?
            .get(url)
            .send()
            .map_err(|e| FetchError::Failed(one_line(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::HttpStatus {
                code: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            });
        }
        let mut body = Vec::new();
        response
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| FetchError::Failed(format!("reading the body: {e}")))?;
        if body.len() as u64 > MAX_FILE_BYTES {
            return Err(FetchError::Failed(format!(
                "the file is larger than {} MiB",
                MAX_FILE_BYTES >> 20
            )));
        }
        Ok(body)
    }
}

/// A reqwest error with its causes (its own message omits them).
fn one_line(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// The refs `git fetch` tries for a short name, in its order.
fn candidates(name: &str) -> Vec<String> {
    if name == "HEAD" || name.starts_with("refs/") {
        return vec![name.to_string()];
    }
    vec![
        name.to_string(),
        format!("refs/{name}"),
        format!("refs/tags/{name}"),
        format!("refs/heads/{name}"),
        format!("refs/remotes/{name}"),
        format!("refs/remotes/{name}/HEAD"),
    ]
}

fn is_commit(name: &str) -> bool {
    name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks out `git_ref` of `url` into `dest` (an existing, empty directory).
fn checkout(url: &str, git_ref: &str, submodules: bool, dest: &Path) -> Result<(), FetchError> {
    let auth = GitAuth::default();
    let wanted = if git_ref.is_empty() { "HEAD" } else { git_ref };
    let not_found = || FetchError::RefNotFound {
        reference: wanted.to_string(),
        repository: url.to_string(),
    };
    let reference = if is_commit(wanted) {
        GitRef::Commit {
            sha: wanted.to_ascii_lowercase(),
            branch: None,
        }
    } else {
        let refs = git::list_refs(url, &auth).map_err(|e| FetchError::Failed(e.to_string()))?;
        let full = candidates(wanted)
            .into_iter()
            .find(|c| refs.iter().any(|r| &r.name == c))
            .ok_or_else(not_found)?;
        GitRef::Name(full)
    };
    let mut source = GitSource::new(url, reference, auth);
    source.recurse_submodules = submodules;
    git::fetch(&source, dest).map_err(|e| match e {
        GitError::Resolve {
            reason: ResolveError::NotFound(_),
            ..
        } => not_found(),
        e => FetchError::Failed(e.to_string()),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_resolve_in_git_fetch_order() {
        assert_eq!(
            candidates("v1"),
            [
                "v1",
                "refs/v1",
                "refs/tags/v1",
                "refs/heads/v1",
                "refs/remotes/v1",
                "refs/remotes/v1/HEAD"
            ]
        );
        assert_eq!(candidates("HEAD"), ["HEAD"]);
        assert_eq!(candidates("refs/pull/1/head"), ["refs/pull/1/head"]);
        assert!(is_commit("0123456789abcdef0123456789ABCDEF01234567"));
        assert!(!is_commit("0123456"));
    }
}
