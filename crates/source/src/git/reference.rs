//! Which commit a GitRepository's `spec.ref` names, resolved against the refs a remote
//! advertises, with Flux's precedence (commit > name > semver > tag > branch; `master` when none).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitRef {
    Branch(String),
    Tag(String),
    /// The highest tag satisfying a semver range (Masterminds syntax).
    Semver(String),
    /// Any ref by its full name, e.g. `refs/pull/1/head`.
    Name(String),
    /// A commit, optionally on a branch (which then names it in the revision).
    Commit {
        sha: String,
        branch: Option<String>,
    },
}

impl Default for GitRef {
    fn default() -> Self {
        GitRef::Branch("master".to_string())
    }
}

impl fmt::Display for GitRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitRef::Branch(b) => write!(f, "branch '{b}'"),
            GitRef::Tag(t) => write!(f, "tag '{t}'"),
            GitRef::Semver(r) => write!(f, "semver range '{r}'"),
            GitRef::Name(n) => write!(f, "ref '{n}'"),
            GitRef::Commit { sha, .. } => write!(f, "commit '{sha}'"),
        }
    }
}

/// One advertised ref: its full name, the object it points at, and the commit an annotated
/// tag peels to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRef {
    pub name: String,
    pub target: String,
    pub peeled: Option<String>,
}

impl RemoteRef {
    /// The commit this ref ends at (annotated tags are peeled).
    pub fn commit(&self) -> &str {
        self.peeled.as_deref().unwrap_or(&self.target)
    }
}

/// A ref resolved to what to fetch and how to name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The full ref to fetch (`refs/heads/main`); `None` for a bare commit.
    pub fetch_ref: Option<String>,
    /// The commit the artifact is made of (40 hex); for a bare commit, the one asked for.
    pub commit: String,
    /// What stands before `@sha1:` in the revision (`main`, `v1.2.3`, `refs/pull/1/head`), if anything.
    pub pointer: Option<String>,
    /// For a tag or semver ref: the tag's name and the object it points at (an annotated tag's
    /// own object, or the commit for a lightweight one).
    pub tag: Option<(String, String)>,
}

impl Resolved {
    /// The revision as Flux writes it: `main@sha1:<commit>` or `sha1:<commit>`.
    pub fn revision(&self) -> String {
        match &self.pointer {
            Some(p) => format!("{p}@sha1:{}", self.commit),
            None => format!("sha1:{}", self.commit),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("{0} not found in the remote's refs")]
    NotFound(String),
    #[error("no tag matches semver range '{range}'")]
    NoSemverMatch { range: String },
    #[error("invalid semver range '{range}': {reason}")]
    BadRange { range: String, reason: String },
    #[error("invalid commit '{0}': a commit is 40 hexadecimal characters")]
    BadCommit(String),
}

/// Resolves `reference` against `refs` (as listed by the remote).
pub fn resolve(reference: &GitRef, refs: &[RemoteRef]) -> Result<Resolved, ResolveError> {
    let find = |full: &str| refs.iter().find(|r| r.name == full);
    match reference {
        GitRef::Branch(b) => {
            let full = format!("refs/heads/{b}");
            let r = find(&full).ok_or_else(|| ResolveError::NotFound(reference.to_string()))?;
            Ok(Resolved {
                fetch_ref: Some(full),
                commit: r.commit().to_string(),
                pointer: Some(b.clone()),
                tag: None,
            })
        }
        GitRef::Tag(t) => {
            let full = format!("refs/tags/{t}");
            let r = find(&full).ok_or_else(|| ResolveError::NotFound(reference.to_string()))?;
            Ok(Resolved {
                fetch_ref: Some(full),
                commit: r.commit().to_string(),
                pointer: Some(t.clone()),
                tag: Some((t.clone(), r.target.clone())),
            })
        }
        GitRef::Name(n) => {
            let r = find(n).ok_or_else(|| ResolveError::NotFound(reference.to_string()))?;
            Ok(Resolved {
                fetch_ref: Some(n.clone()),
                commit: r.commit().to_string(),
                pointer: Some(n.clone()),
                tag: None,
            })
        }
        GitRef::Semver(range) => {
            let tags: Vec<&str> = refs
                .iter()
                .filter_map(|r| r.name.strip_prefix("refs/tags/"))
                .collect();
            let tag = crate::git::semver::highest_tag(range, &tags)?;
            let full = format!("refs/tags/{tag}");
            let r = find(&full).ok_or_else(|| ResolveError::NotFound(reference.to_string()))?;
            Ok(Resolved {
                fetch_ref: Some(full),
                commit: r.commit().to_string(),
                pointer: Some(tag.to_string()),
                tag: Some((tag.to_string(), r.target.clone())),
            })
        }
        GitRef::Commit { sha, branch } => {
            if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ResolveError::BadCommit(sha.clone()));
            }
            let fetch_ref = match branch {
                Some(b) => {
                    let full = format!("refs/heads/{b}");
                    find(&full).ok_or_else(|| {
                        ResolveError::NotFound(GitRef::Branch(b.clone()).to_string())
                    })?;
                    Some(full)
                }
                None => None,
            };
            Ok(Resolved {
                fetch_ref,
                commit: sha.to_ascii_lowercase(),
                pointer: branch.clone(),
                tag: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const T: &str = "3333333333333333333333333333333333333333";

    fn refs() -> Vec<RemoteRef> {
        let r = |name: &str, target: &str, peeled: Option<&str>| RemoteRef {
            name: name.into(),
            target: target.into(),
            peeled: peeled.map(Into::into),
        };
        vec![
            r("HEAD", A, None),
            r("refs/heads/main", A, None),
            r("refs/heads/dev", B, None),
            r("refs/tags/v1.0.0", T, Some(B)),
            r("refs/pull/1/head", B, None),
        ]
    }

    #[test]
    fn branches_tags_and_names() {
        let main = resolve(&GitRef::Branch("main".into()), &refs()).unwrap();
        assert_eq!(main.revision(), format!("main@sha1:{A}"));
        assert_eq!(main.fetch_ref.as_deref(), Some("refs/heads/main"));
        // An annotated tag is peeled to its commit.
        let tag = resolve(&GitRef::Tag("v1.0.0".into()), &refs()).unwrap();
        assert_eq!(tag.revision(), format!("v1.0.0@sha1:{B}"));
        let pr = resolve(&GitRef::Name("refs/pull/1/head".into()), &refs()).unwrap();
        assert_eq!(pr.revision(), format!("refs/pull/1/head@sha1:{B}"));
    }

    #[test]
    fn default_is_master_and_missing_refs_say_so() {
        let err = resolve(&GitRef::default(), &refs()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "branch 'master' not found in the remote's refs"
        );
        let err = resolve(&GitRef::Tag("v9".into()), &refs()).unwrap_err();
        assert_eq!(err.to_string(), "tag 'v9' not found in the remote's refs");
    }

    #[test]
    fn commits_alone_and_on_a_branch() {
        let alone = resolve(
            &GitRef::Commit {
                sha: B.to_uppercase(),
                branch: None,
            },
            &refs(),
        )
        .unwrap();
        assert_eq!(alone.revision(), format!("sha1:{B}"));
        assert_eq!(alone.fetch_ref, None);
        let on_dev = resolve(
            &GitRef::Commit {
                sha: B.into(),
                branch: Some("dev".into()),
            },
            &refs(),
        )
        .unwrap();
        assert_eq!(on_dev.revision(), format!("dev@sha1:{B}"));
        let bad = resolve(
            &GitRef::Commit {
                sha: "abc".into(),
                branch: None,
            },
            &refs(),
        )
        .unwrap_err();
        assert!(matches!(bad, ResolveError::BadCommit(_)));
    }
}
