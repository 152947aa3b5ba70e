//! Git sources: resolve `spec.ref` against the remote, fetch only what is needed (depth 1 where
//! the ref allows), and write the commit's tree to a directory that becomes the artifact.

mod auth;
mod checkout;
mod include;
mod reference;
mod remote;
mod semver;
mod submodules;
mod verify;

pub use auth::{GitAuth, SecretError, SshAuth};
pub use checkout::{CheckoutError, Sparse, Submodules};
pub use include::{IncludeError, apply_include};
pub use reference::{GitRef, RemoteRef, ResolveError, Resolved, resolve};
pub use remote::{RemoteError, list_refs};
pub use verify::{Keyring, VerifyError, VerifyMode};

use std::path::Path;

/// What a GitRepository's spec says to fetch.
#[derive(Clone, Debug)]
pub struct GitSource {
    pub url: String,
    pub reference: GitRef,
    pub auth: GitAuth,
    /// `spec.sparseCheckout`: only these directories; empty for all.
    pub sparse_checkout: Vec<String>,
    /// `spec.recurseSubmodules`: fetch submodules (with the same credentials) into the tree.
    pub recurse_submodules: bool,
    /// `spec.verify`: which signatures must verify, and against which keys.
    pub verify: Option<(VerifyMode, Keyring)>,
}

impl GitSource {
    pub fn new(url: impl Into<String>, reference: GitRef, auth: GitAuth) -> GitSource {
        GitSource {
            url: url.into(),
            reference,
            auth,
            sparse_checkout: Vec::new(),
            recurse_submodules: false,
            verify: None,
        }
    }
}

/// The outcome of a fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub resolved: Resolved,
    /// False when the server ignored the requested depth (a protocol v1 server) and the whole
    /// history came; the artifact is the same, only the transfer was larger.
    pub shallow: bool,
    /// What `spec.verify` verified, e.g. `commit '<sha>' with key '<fingerprint>'`.
    pub verified: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("{url}: {reason}")]
    Resolve { url: String, reason: ResolveError },
    #[error(transparent)]
    Checkout(#[from] CheckoutError),
    #[error("{url}: signature verification failed: {reason}")]
    Verify { url: String, reason: VerifyError },
    #[error("unsupported Git URL '{0}': use http://, https:// or ssh:// (or user@host:path)")]
    BadUrl(String),
}

/// Resolves the ref only: the no-op poll. When the commit equals the last artifact's, there is
/// nothing to fetch.
pub fn resolve_remote(source: &GitSource) -> Result<Resolved, GitError> {
    check_url(&source.url)?;
    let refs = list_refs(&source.url, &source.auth)?;
    resolve(&source.reference, &refs).map_err(|e| GitError::Resolve {
        url: source.url.clone(),
        reason: e,
    })
}

/// Fetches `source` and writes the resolved commit's tree into `dest` (an existing, empty dir).
pub fn fetch(source: &GitSource, dest: &Path) -> Result<Fetched, GitError> {
    // Checked before any network traffic.
    let sparse = Sparse::new(&source.sparse_checkout)?;
    check_url(&source.url)?;
    let scratch = remote::Scratch::new(&source.auth)?;
    let (resolved, marked_shallow) = match &source.reference {
        // The ref to fetch is known up front: list and fetch over one connection.
        GitRef::Branch(_) | GitRef::Tag(_) | GitRef::Name(_) => {
            let full = match &source.reference {
                GitRef::Branch(b) => format!("refs/heads/{b}"),
                GitRef::Tag(t) => format!("refs/tags/{t}"),
                GitRef::Name(n) => n.clone(),
                _ => unreachable!("matched above"),
            };
            let refspec = format!("+{full}:refs/ferroflux/fetched");
            remote::fetch_resolving(
                &scratch,
                &source.url,
                &source.auth,
                &refspec,
                true,
                |refs| resolve(&source.reference, refs),
            )?
            .map_err(|e| GitError::Resolve {
                url: source.url.clone(),
                reason: e,
            })?
        }
        // Semver needs every tag first; a commit may lie anywhere in the history.
        _ => {
            let resolved = resolve_remote(source)?;
            let (refspec, shallow) = match (&source.reference, &resolved.fetch_ref) {
                (GitRef::Commit { .. }, Some(branch)) => {
                    (format!("+{branch}:refs/ferroflux/fetched"), false)
                }
                (GitRef::Commit { .. }, None) => {
                    ("+refs/heads/*:refs/ferroflux/heads/*".to_string(), false)
                }
                (_, Some(r)) => (format!("+{r}:refs/ferroflux/fetched"), true),
                (_, None) => ("+refs/heads/*:refs/ferroflux/heads/*".to_string(), false),
            };
            let marked = remote::fetch(&scratch, &source.url, &source.auth, &refspec, shallow)?;
            (resolved, marked)
        }
    };
    // A server may ignore the depth and send the whole history; trust the objects, not the mark.
    let is_shallow = marked_shallow && !remote::has_history(&scratch.repo, &resolved.commit);
    // Nothing is checked out from unverified objects.
    let verified = match &source.verify {
        Some((mode, keyring)) => {
            let tag = resolved.tag.as_ref().map(|(n, o)| (n.as_str(), o.as_str()));
            verify::verify(&scratch.repo, *mode, keyring, &resolved.commit, tag).map_err(
                |reason| GitError::Verify {
                    url: source.url.clone(),
                    reason,
                },
            )?
        }
        None => Vec::new(),
    };
    let fetch_submodule = |url: &str, commit: &str, dir: &Path| {
        fetch_commit(url, &source.auth, commit, dir).map_err(|e| e.to_string())
    };
    let submodules = Submodules {
        parent_url: source.url.clone(),
        fetch: source
            .recurse_submodules
            .then_some(&fetch_submodule as &checkout::SubmoduleFetch<'_>),
    };
    checkout::checkout(&scratch.repo, &resolved.commit, dest, &sparse, &submodules)?;
    Ok(Fetched {
        resolved,
        shallow: is_shallow,
        verified,
    })
}

/// A submodule: the given commit of `url` (any branch may hold it), its own submodules included.
fn fetch_commit(url: &str, auth: &GitAuth, commit: &str, dest: &Path) -> Result<(), GitError> {
    check_url(url)?;
    let scratch = remote::Scratch::new(auth)?;
    remote::fetch(
        &scratch,
        url,
        auth,
        "+refs/heads/*:refs/ferroflux/heads/*",
        false,
    )?;
    let fetch_nested =
        |u: &str, c: &str, d: &Path| fetch_commit(u, auth, c, d).map_err(|e| e.to_string());
    let submodules = Submodules {
        parent_url: url.to_string(),
        fetch: Some(&fetch_nested),
    };
    std::fs::create_dir_all(dest).map_err(|e| {
        GitError::Checkout(CheckoutError::Read {
            what: dest.display().to_string(),
            message: e.to_string(),
        })
    })?;
    checkout::checkout(&scratch.repo, commit, dest, &Sparse::default(), &submodules)?;
    Ok(())
}

fn check_url(url: &str) -> Result<(), GitError> {
    let scp_like = !url.contains("://") && url.contains('@') && url.contains(':');
    let ok = ["http://", "https://", "ssh://"]
        .iter()
        .any(|s| url.starts_with(s))
        || scp_like;
    if ok {
        Ok(())
    } else {
        Err(GitError::BadUrl(url.to_string()))
    }
}
