//! The renderer's error: what went wrong, in which file, for which object.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong while building.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// A file or directory could not be read.
    #[error("{0}")]
    Io(#[source] std::io::Error),
    /// YAML that does not parse.
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// A kustomization file that is not valid (unknown field, wrong type, wrong kind).
    #[error("invalid kustomization: {0}")]
    InvalidKustomization(String),
    /// A resource, base or component that does not exist.
    #[error("{0}")]
    MissingResource(String),
    /// A file outside the kustomization root while restrictions are on.
    #[error("security: {0}")]
    LoadRestriction(String),
    /// A remote base or file (URL) in a build that was given no
    /// [`RemoteFetcher`](crate::remote::RemoteFetcher).
    #[error(
        "remote base or resource '{0}' refused: fetching remote bases is not enabled for this build (--enable-remote-bases on `ferroflux kustomize build`)"
    )]
    RemoteBase(String),
    /// A remote base or file that could not be fetched or used: the URL and what failed.
    #[error("remote '{url}': {reason}")]
    Remote {
        /// The target as written in the kustomization.
        url: String,
        /// What failed (clone, ref, path, HTTP status, ...).
        reason: String,
    },
    /// Two bases include each other.
    #[error("cycle detected: {0}")]
    Cycle(String),
    /// Two objects with the same id.
    #[error("conflicting ids: {0}")]
    ConflictingIds(String),
    /// A patch target that matches nothing, or a malformed patch.
    #[error("patch: {0}")]
    Patch(String),
    /// A JSON 6902 operation that failed.
    #[error("JSON patch: {0}")]
    JsonPatch(String),
    /// A generator that cannot produce its object.
    #[error("generator: {0}")]
    Generator(String),
    /// A replacement or var that cannot be resolved.
    #[error("replacement: {0}")]
    Replacement(String),
    /// A post-build variable without a value (strict mode) or bad syntax.
    #[error("substitution: {0}")]
    Substitution(String),
    /// A Helm chart that cannot be configured or inflated (`helmCharts`), worded like
    /// kustomize where it can be.
    #[error("{0}")]
    Helm(String),
    /// Anything else kustomize rejects.
    #[error("{0}")]
    Invalid(String),
}

/// A build error: the kind, plus the file and object it concerns when known.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    file: Option<PathBuf>,
    object: Option<String>,
    remote: Option<String>,
}

impl Error {
    /// An error without location.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            file: None,
            object: None,
            remote: None,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file the error concerns, if known.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The object (`apiVersion/kind namespace/name`) the error concerns, if known.
    pub fn object(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// Sets the file unless one is already set (the innermost file wins).
    pub fn in_file(mut self, file: &Path) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_path_buf());
        }
        self
    }

    /// The remote base (URL as written) whose files the error concerns, if any.
    pub fn remote(&self) -> Option<&str> {
        self.remote.as_deref()
    }

    /// Records that the error happened inside the remote base `url` checked out at
    /// `checkout` (the file is then shown relative to the repository), unless an inner remote
    /// base is already recorded or the error is about that URL itself.
    pub fn in_remote(mut self, url: &str, checkout: Option<&Path>) -> Self {
        let about_it = match &self.kind {
            ErrorKind::Remote { url: u, .. } | ErrorKind::RemoteBase(u) => u == url,
            _ => false,
        };
        if self.remote.is_none() && !about_it {
            self.remote = Some(url.to_string());
            if let (Some(file), Some(checkout)) = (&self.file, checkout)
                && let Ok(rel) = file.strip_prefix(checkout)
            {
                self.file = Some(rel.to_path_buf());
            }
        }
        self
    }

    /// Sets the object unless one is already set.
    pub fn for_object(mut self, object: impl Into<String>) -> Self {
        if self.object.is_none() {
            self.object = Some(object.into());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(url) = &self.remote {
            write!(f, "in remote base '{url}': ")?;
        }
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if let Some(obj) = &self.object {
            write!(f, "{obj}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

/// Shorthand constructors used across the crate.
pub(crate) fn err(kind: ErrorKind) -> Error {
    Error::new(kind)
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
