//! File access for a build: where kustomization roots are, which files may be read
//! (load restrictions), remote bases and files (through the caller's
//! [`RemoteFetcher`], refused without one), and in-memory files layered on top
//! (Flux's generated kustomization.yaml never touches the disk).

use crate::error::{Error, ErrorKind, Result, err};
use crate::remote::{FetchError, RemoteFetcher, RepoSpec, is_remote_file};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Which files a kustomization may read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files must be in or below the kustomization's directory (the default).
    #[default]
    RootOnly,
    /// Any file may be read.
    None,
}

/// Reads files for a build. Paths it resolves (symlinks) are remembered: use one loader per
/// build.
#[derive(Debug, Default)]
pub struct Loader {
    restrictor: LoadRestrictor,
    virtual_files: HashMap<PathBuf, String>,
    /// [`real`] of the paths seen so far.
    resolved: Mutex<HashMap<PathBuf, PathBuf>>,
    /// Fetches remote bases and files; `None` refuses them.
    remote: Option<Arc<dyn RemoteFetcher>>,
    /// Repositories checked out for this build: (clone URL, ref, submodules) and the real
    /// path of the checkout. A repository used twice is fetched once.
    checkouts: Mutex<Vec<(RepoKey, PathBuf)>>,
    /// What kustomize would print on stderr while loading (deprecated fields), in order.
    warnings: Mutex<Vec<String>>,
}

type RepoKey = (String, String, bool);

impl Loader {
    /// A loader with the given restriction.
    pub fn new(restrictor: LoadRestrictor) -> Loader {
        Loader {
            restrictor,
            ..Loader::default()
        }
    }

    /// Lets the build fetch remote bases and files through `fetcher` (`None` refuses them).
    pub fn set_remote(&mut self, fetcher: Option<Arc<dyn RemoteFetcher>>) {
        self.remote = fetcher;
    }

    /// Records a warning for the caller to show.
    pub fn warn(&self, message: String) {
        self.warnings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    /// The warnings recorded so far, in order; the loader keeps none.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// May this build fetch remote bases and files?
    pub fn remote_enabled(&self) -> bool {
        self.remote.is_some()
    }

    /// The fetcher, or the refusal of `url` when there is none.
    pub(crate) fn fetcher(&self, url: &str) -> Result<&dyn RemoteFetcher> {
        self.remote
            .as_deref()
            .ok_or_else(|| err(ErrorKind::RemoteBase(url.to_string())))
    }

    /// Checks out the repository of `spec` (once per build) and returns the real path of the
    /// kustomization root inside it, which must be a directory within the checkout.
    pub fn open_repo(&self, spec: &RepoSpec) -> Result<PathBuf> {
        let fetcher = self.fetcher(&spec.raw)?;
        let remote_err = |reason: String| {
            err(ErrorKind::Remote {
                url: spec.raw.clone(),
                reason,
            })
        };
        let key = (spec.clone_url(), spec.git_ref.clone(), spec.submodules);
        let known = self
            .checkouts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, dir)| dir.clone());
        let checkout = match known {
            Some(dir) => dir,
            None => {
                let dir = fetcher.fetch_repo(spec).map_err(|e| {
                    remote_err(match e {
                        FetchError::RefNotFound { .. } => e.to_string(),
                        e => format!("cloning {spec} failed: {e}"),
                    })
                })?;
                let dir = real(&dir);
                self.checkouts
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((key, dir.clone()));
                dir
            }
        };
        let root = real(&checkout.join(&spec.kust_root));
        let shown = if spec.kust_root.is_empty() {
            "the repository's root".to_string()
        } else {
            format!("'{}'", spec.kust_root)
        };
        if !root.starts_with(&checkout) {
            return Err(remote_err(format!(
                "{shown} leads outside the repository {spec} (a symbolic link?)"
            )));
        }
        if root.is_file() {
            return Err(remote_err(format!(
                "{shown} in {spec} is a file; expecting a directory with a kustomization"
            )));
        }
        if !root.is_dir() {
            return Err(remote_err(format!("no directory {shown} in {spec}")));
        }
        if self.find_kustomization(&root)?.is_none() {
            return Err(remote_err(format!(
                "no kustomization ('kustomization.yaml', 'kustomization.yml' or 'Kustomization') in {shown} of {spec}"
            )));
        }
        Ok(root)
    }

    /// The real path of the checkout that holds `dir`, if `dir` lies in one.
    pub fn checkout_of(&self, dir: &Path) -> Option<PathBuf> {
        let checkouts = self
            .checkouts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if checkouts.is_empty() {
            return None;
        }
        let dir = self.real(dir);
        checkouts
            .iter()
            .map(|(_, c)| c)
            .filter(|c| dir.starts_with(c))
            .max_by_key(|c| c.as_os_str().len())
            .cloned()
    }

    /// Fetches an `http(s)://` file.
    pub fn fetch_file(&self, url: &str) -> Result<Vec<u8>> {
        self.fetcher(url)?.fetch_file(url).map_err(|e| {
            err(ErrorKind::Remote {
                url: url.to_string(),
                reason: format!("fetching the file failed: {e}"),
            })
        })
    }

    /// Reads a file named by a URL: `http(s)://` through the fetcher; other URLs cannot name
    /// a file. `None` when `rel` is not a URL.
    fn read_url(&self, rel: &str) -> Option<Result<Vec<u8>>> {
        if is_remote_file(rel) {
            return Some(self.fetch_file(rel));
        }
        if !rel.contains("://") {
            return None;
        }
        Some(self.fetcher(rel).and_then(|_| {
            Err(err(ErrorKind::Remote {
                url: rel.to_string(),
                reason: "only http:// and https:// URLs can name a file".into(),
            }))
        }))
    }

    /// Adds an in-memory file that shadows the disk.
    pub fn add_virtual_file(&mut self, path: PathBuf, content: String) {
        self.virtual_files.insert(normalize(&path), content);
    }

    /// Is `s` a remote reference kustomize would fetch (an HTTP(S) URL or a Git repository
    /// in [`RepoSpec`] syntax), or any other URL?
    pub fn is_remote(s: &str) -> bool {
        s.contains("://") || is_remote_file(s) || RepoSpec::parse(s).is_ok()
    }

    /// Resolves `rel` against `root` without touching the disk.
    pub fn join(root: &Path, rel: &str) -> PathBuf {
        normalize(&root.join(rel))
    }

    /// Is there a file (virtual or real) at `path`?
    pub fn is_file(&self, path: &Path) -> bool {
        let p = normalize(path);
        self.virtual_files.contains_key(&p) || p.is_file()
    }

    /// Is there a directory at `path`?
    pub fn is_dir(&self, path: &Path) -> bool {
        normalize(path).is_dir()
    }

    /// Reads a file named relative to a kustomization root, enforcing the restriction; an
    /// `http(s)://` URL is fetched (no restriction applies to it, as in kustomize).
    pub fn read_relative(&self, root: &Path, rel: &str) -> Result<(PathBuf, String)> {
        let (path, bytes) = self.read_relative_bytes(root, rel)?;
        Ok((path, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// [`Loader::read_relative`] as bytes (for generator files).
    pub fn read_relative_bytes(&self, root: &Path, rel: &str) -> Result<(PathBuf, Vec<u8>)> {
        if let Some(fetched) = self.read_url(rel) {
            return Ok((PathBuf::from(rel), fetched?));
        }
        let path = Self::join(root, rel);
        self.check_restriction(root, &path)?;
        let bytes = self.read_bytes(&path)?;
        Ok((path, bytes))
    }

    /// Enforces the load restriction for `path` relative to `root`. Inside a checked-out
    /// repository files must stay below the kustomization root whatever the restriction, as
    /// kustomize's loader for a clone is always root-only.
    pub fn check_restriction(&self, root: &Path, path: &Path) -> Result<()> {
        if self.restrictor == LoadRestrictor::None && self.checkout_of(root).is_none() {
            return Ok(());
        }
        let real_root = self.real(root);
        let real_path = self.real(path);
        if !real_path.starts_with(&real_root) {
            // kustomize names the path as asked for (a link, not where it leads).
            return Err(err(ErrorKind::LoadRestriction(format!(
                "file '{}' is not in or below '{}'",
                normalize(path).display(),
                real_root.display()
            ))));
        }
        Ok(())
    }

    /// [`real`], remembered for the rest of the build (kustomization roots are resolved for
    /// every file they read).
    pub fn real(&self, p: &Path) -> PathBuf {
        let mut resolved = self.resolved.lock().unwrap_or_else(PoisonError::into_inner);
        resolved
            .entry(p.to_path_buf())
            .or_insert_with(|| real(p))
            .clone()
    }

    /// Reads a file (virtual first).
    pub fn read(&self, path: &Path) -> Result<String> {
        let p = normalize(path);
        if let Some(t) = self.virtual_files.get(&p) {
            return Ok(t.clone());
        }
        let bytes = std::fs::read(&p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                err(ErrorKind::MissingResource(format!(
                    "'{}' doesn't exist",
                    p.display()
                )))
            } else {
                Error::new(ErrorKind::Io(e)).in_file(&p)
            }
        })?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Reads raw bytes (for generator files).
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>> {
        let p = normalize(path);
        if let Some(t) = self.virtual_files.get(&p) {
            return Ok(t.clone().into_bytes());
        }
        std::fs::read(&p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                err(ErrorKind::MissingResource(format!(
                    "'{}' doesn't exist",
                    p.display()
                )))
            } else {
                Error::new(ErrorKind::Io(e)).in_file(&p)
            }
        })
    }

    /// Finds the kustomization file in a directory.
    pub fn find_kustomization(&self, dir: &Path) -> Result<Option<PathBuf>> {
        let mut found = Vec::new();
        for name in crate::kustfile::FILE_NAMES {
            let p = normalize(&dir.join(name));
            // kustomize reads each name through its restricted loader and counts what fails
            // as absent: a kustomization file linked from outside the root is not there.
            if self.is_file(&p) && self.check_restriction(dir, &p).is_ok() {
                found.push(p);
            }
        }
        if found.len() > 1 {
            return Err(err(ErrorKind::InvalidKustomization(format!(
                "Found multiple kustomization files under: {}",
                dir.display()
            ))));
        }
        Ok(found.pop())
    }
}

/// Lexically normalizes a path (no symlink resolution).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            // As Go's filepath.Clean: `..` cancels a name, piles up on earlier `..`s, and
            // stops at the root.
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Resolves symlinks when the path exists, else normalizes.
pub fn real(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| normalize(p))
}
