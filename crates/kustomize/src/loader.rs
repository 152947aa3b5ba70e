//! File access for a build: where kustomization roots are, which files may be read
//! (load restrictions), remote bases refused, and in-memory files layered on top
//! (Flux's generated kustomization.yaml never touches the disk).

use crate::error::{Error, ErrorKind, Result, err};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

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
    resolved: std::sync::Mutex<HashMap<PathBuf, PathBuf>>,
}

impl Loader {
    /// A loader with the given restriction.
    pub fn new(restrictor: LoadRestrictor) -> Loader {
        Loader {
            restrictor,
            virtual_files: HashMap::new(),
            resolved: Default::default(),
        }
    }

    /// Adds an in-memory file that shadows the disk.
    pub fn add_virtual_file(&mut self, path: PathBuf, content: String) {
        self.virtual_files.insert(normalize(&path), content);
    }

    /// Is `s` a remote reference kustomize would fetch?
    pub fn is_remote(s: &str) -> bool {
        s.contains("://")
            || s.starts_with("git@")
            || s.starts_with("github.com/")
            || s.starts_with("gitlab.com/")
            || s.starts_with("bitbucket.org/")
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

    /// Reads a file named relative to a kustomization root, enforcing the restriction.
    pub fn read_relative(&self, root: &Path, rel: &str) -> Result<(PathBuf, String)> {
        if Self::is_remote(rel) {
            return Err(err(ErrorKind::RemoteBase(rel.to_string())));
        }
        let path = Self::join(root, rel);
        self.check_restriction(root, &path)?;
        let text = self.read(&path)?;
        Ok((path, text))
    }

    /// Enforces the load restriction for `path` relative to `root`.
    pub fn check_restriction(&self, root: &Path, path: &Path) -> Result<()> {
        if self.restrictor == LoadRestrictor::None {
            return Ok(());
        }
        let real_root = self.real(root);
        let real_path = self.real(path);
        if !real_path.starts_with(&real_root) {
            return Err(err(ErrorKind::LoadRestriction(format!(
                "file '{}' is not in or below '{}'",
                real_path.display(),
                real_root.display()
            ))));
        }
        Ok(())
    }

    /// [`real`], remembered for the rest of the build (kustomization roots are resolved for
    /// every file they read).
    pub fn real(&self, p: &Path) -> PathBuf {
        let mut resolved = self
            .resolved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
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
            if self.is_file(&p) {
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
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
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
