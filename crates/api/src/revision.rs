//! Artifact revisions and digests (Flux RFC-0005).
//!
//! A revision is `[<named pointer>][@]<algo>:<checksum>`, e.g. `main@sha1:<40 hex>`,
//! `v1.2.3@sha256:<64 hex>`, `sha256:<hex>`, or just a name such as the chart version `6.0.3`.
//! It is split at the **last** `@`.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

static ALGO_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$").expect("static regex"));
static ENCODED_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9=_-]+$").expect("static regex"));

/// Why a digest or revision string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// Not `<algo>:<encoded>`.
    #[error("invalid digest {0:?}: expected <algorithm>:<checksum>")]
    Format(String),
    /// The algorithm part does not match `^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$`.
    #[error("invalid digest {0:?}: bad algorithm")]
    Algorithm(String),
    /// The checksum has characters outside `[a-zA-Z0-9=_-]`.
    #[error("invalid digest {0:?}: bad checksum characters")]
    Encoded(String),
    /// A known algorithm with the wrong checksum length or non-hex characters.
    #[error("invalid digest {input:?}: {algorithm} needs {expected} lowercase hex characters")]
    Length {
        /// The digest given.
        input: String,
        /// Its algorithm.
        algorithm: String,
        /// Hex length the algorithm produces.
        expected: usize,
    },
    /// A revision with an `@` but nothing usable around it.
    #[error("invalid revision {0:?}")]
    Revision(String),
}

/// `<algorithm>:<checksum>`, as in `status.artifact.digest`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: String,
    encoded: String,
}

/// Hex length of the algorithms Flux produces; others are only checked against the pattern.
pub fn known_hex_len(algorithm: &str) -> Option<usize> {
    match algorithm {
        "sha1" => Some(40),
        "sha256" | "blake3" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    }
}

impl Digest {
    /// Parses and validates `<algo>:<checksum>`.
    pub fn parse(s: &str) -> Result<Self, RevisionError> {
        let (algorithm, encoded) = s
            .split_once(':')
            .ok_or_else(|| RevisionError::Format(s.to_string()))?;
        if !ALGO_RE.is_match(algorithm) {
            return Err(RevisionError::Algorithm(s.to_string()));
        }
        if !ENCODED_RE.is_match(encoded) {
            return Err(RevisionError::Encoded(s.to_string()));
        }
        if let Some(expected) = known_hex_len(algorithm) {
            let hex = encoded
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            if encoded.len() != expected || !hex {
                return Err(RevisionError::Length {
                    input: s.to_string(),
                    algorithm: algorithm.to_string(),
                    expected,
                });
            }
        }
        Ok(Digest {
            algorithm: algorithm.to_string(),
            encoded: encoded.to_string(),
        })
    }

    /// Builds a digest from parts, validating them.
    pub fn new(algorithm: &str, encoded: &str) -> Result<Self, RevisionError> {
        Digest::parse(&format!("{algorithm}:{encoded}"))
    }

    /// e.g. `sha256`.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The checksum, usually hex.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Display form with the checksum cut to `len` characters (never fewer than 7).
    pub fn short(&self, len: usize) -> String {
        let n = len.max(7).min(self.encoded.len());
        format!("{}:{}", self.algorithm, &self.encoded[..n])
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl FromStr for Digest {
    type Err = RevisionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

/// A source revision: an optional named pointer (branch, tag, version) and an optional digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Revision {
    /// Branch, tag or version, e.g. `main`, `v1.2.3`, `6.0.3`.
    pub name: Option<String>,
    /// Commit or content digest.
    pub digest: Option<Digest>,
}

impl Revision {
    /// Parses a revision, splitting at the last `@`. Without `@`, a string that reads as a
    /// digest is a digest, anything else is a name (e.g. a chart version).
    pub fn parse(s: &str) -> Result<Self, RevisionError> {
        if s.is_empty() {
            return Err(RevisionError::Revision(s.to_string()));
        }
        if let Some((name, digest)) = s.rsplit_once('@') {
            if name.is_empty() || digest.is_empty() {
                return Err(RevisionError::Revision(s.to_string()));
            }
            return Ok(Revision {
                name: Some(name.to_string()),
                digest: Some(Digest::parse(digest)?),
            });
        }
        if let Some((algo, _)) = s.split_once(':')
            && ALGO_RE.is_match(algo)
        {
            return Ok(Revision {
                name: None,
                digest: Some(Digest::parse(s)?),
            });
        }
        Ok(Revision {
            name: Some(s.to_string()),
            digest: None,
        })
    }

    /// `<name>@<digest>`.
    pub fn named(name: &str, digest: Digest) -> Self {
        Revision {
            name: Some(name.to_string()),
            digest: Some(digest),
        }
    }

    /// A Git revision: `<branch or tag>@sha1:<commit>`, or `sha1:<commit>` without a name.
    pub fn git(reference: Option<&str>, commit: &str) -> Result<Self, RevisionError> {
        let algo = if commit.len() == 64 { "sha256" } else { "sha1" };
        let digest = Digest::new(algo, commit)?;
        Ok(Revision {
            name: reference.filter(|r| !r.is_empty()).map(str::to_string),
            digest: Some(digest),
        })
    }

    /// Display form with the checksum shortened (see [`Digest::short`]).
    pub fn short(&self, len: usize) -> String {
        match (&self.name, &self.digest) {
            (Some(n), Some(d)) => format!("{n}@{}", d.short(len)),
            (None, Some(d)) => d.short(len),
            (Some(n), None) => n.clone(),
            (None, None) => String::new(),
        }
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.digest) {
            (Some(n), Some(d)) => write!(f, "{n}@{d}"),
            (None, Some(d)) => write!(f, "{d}"),
            (Some(n), None) => f.write_str(n),
            (None, None) => Ok(()),
        }
    }
}

impl FromStr for Revision {
    type Err = RevisionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Revision::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: &str = "1eabc9a41ca088515cab83f1cce49eb43e84b67f";
    const SHA256: &str = "a9d6d5b9d1b0f4c7e1a6e0f5a2c3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5";

    #[test]
    fn git_revisions() {
        let r = Revision::parse(&format!("main@sha1:{SHA1}")).unwrap();
        assert_eq!(r.name.as_deref(), Some("main"));
        assert_eq!(r.digest.as_ref().unwrap().algorithm(), "sha1");
        assert_eq!(r.to_string(), format!("main@sha1:{SHA1}"));
        assert_eq!(r.short(7), "main@sha1:1eabc9a");
        let commit_only = Revision::git(None, SHA1).unwrap();
        assert_eq!(commit_only.to_string(), format!("sha1:{SHA1}"));
    }

    #[test]
    fn split_at_last_at() {
        let r = Revision::parse(&format!("refs/heads/feat@x@sha256:{SHA256}")).unwrap();
        assert_eq!(r.name.as_deref(), Some("refs/heads/feat@x"));
        let t = Revision::parse(&format!("v1.2.3@sha256:{SHA256}")).unwrap();
        assert_eq!(t.to_string(), format!("v1.2.3@sha256:{SHA256}"));
    }

    #[test]
    fn digest_only_and_names() {
        let d = Revision::parse(&format!("sha256:{SHA256}")).unwrap();
        assert!(d.name.is_none());
        let chart = Revision::parse("6.0.3+1").unwrap();
        assert_eq!(chart.name.as_deref(), Some("6.0.3+1"));
        assert!(chart.digest.is_none());
    }

    #[test]
    fn digest_validation() {
        assert!(Digest::parse(&format!("sha256:{SHA256}")).is_ok());
        assert!(Digest::parse("blake3:abc").is_err());
        assert!(Digest::parse("sha256:ABC").is_err());
        assert!(Digest::parse("nocolon").is_err());
        assert!(Digest::parse("SHA256:abc").is_err());
        assert!(Digest::parse("sha256:").is_err());
        assert!(Digest::parse("foo+bar:a=b_c-d").is_ok());
        assert!(Digest::parse("foo:a/b").is_err());
        assert!(Revision::parse("main@").is_err());
        assert!(Revision::parse("@sha1:abc").is_err());
        assert!(Revision::parse("main@sha1:short").is_err());
    }
}
