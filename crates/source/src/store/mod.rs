//! The artifact store on disk: `<root>/<kind>/<namespace>/<name>/<file>`, as source-controller
//! lays it out. Artifacts are written to a temp file and renamed into place under a per-object
//! lock; a `latest.tar.gz` link names the newest; old files are collected by age and count.

mod fetch;
mod gc;
mod server;

pub use fetch::{FetchError, FetchOptions, fetch_artifact};
pub use gc::Retention;
pub use server::router;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Which object an artifact belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectKey {
    /// The kind in lower case, e.g. `gitrepository`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(kind: &str, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The object's directory, relative to the store root.
    pub fn dir(&self) -> PathBuf {
        PathBuf::from(&self.kind)
            .join(&self.namespace)
            .join(&self.name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {cause}", path.display())]
    Io { path: PathBuf, cause: io::Error },
    #[error("invalid {what} '{value}': it must be one plain path component")]
    BadComponent { what: &'static str, value: String },
    #[error(transparent)]
    Write(Box<dyn std::error::Error + Send + Sync>),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |cause| StoreError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// The file name of the link to the newest artifact in each object directory.
pub const LATEST: &str = "latest.tar.gz";

#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

/// Holds an object's lock; released on drop.
pub struct ObjectLock {
    _file: File,
}

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Result<Store, StoreError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(io_at(&root))?;
        Ok(Store { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of an artifact file.
    pub fn path(&self, key: &ObjectKey, file: &str) -> Result<PathBuf, StoreError> {
        check_key(key)?;
        check_component("file name", file)?;
        Ok(self.root.join(key.dir()).join(file))
    }

    /// Locks the object so two reconciles never write its artifacts at once (across processes too).
    pub fn lock(&self, key: &ObjectKey) -> Result<ObjectLock, StoreError> {
        check_key(key)?;
        let dir = self.root.join(key.dir());
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
        let path = dir.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_at(&path))?;
        file.lock().map_err(io_at(&path))?;
        Ok(ObjectLock { _file: file })
    }

    /// Writes an artifact atomically: `write` fills a temp file beside the target, which is then
    /// renamed into place and named by `latest.tar.gz`. A failed write leaves nothing behind.
    /// The caller holds the object's lock.
    pub fn write<T, E>(
        &self,
        key: &ObjectKey,
        file: &str,
        write: impl FnOnce(&mut io::BufWriter<&File>) -> Result<T, E>,
    ) -> Result<(T, PathBuf), StoreError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let target = self.path(key, file)?;
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&dir)
            .map_err(io_at(&dir))?;
        let value = {
            let mut buf = io::BufWriter::new(tmp.as_file());
            let value = write(&mut buf).map_err(|e| StoreError::Write(Box::new(e)))?;
            buf.flush().map_err(io_at(&target))?;
            value
        };
        tmp.as_file().sync_all().map_err(io_at(&target))?;
        set_mode(tmp.path(), 0o600)?;
        tmp.persist(&target).map_err(|e| StoreError::Io {
            path: target.clone(),
            cause: e.error,
        })?;
        self.point_latest(&dir, file)?;
        Ok((value, target))
    }

    /// Replaces the `latest.tar.gz` link atomically (a new link renamed over the old one).
    fn point_latest(&self, dir: &Path, file: &str) -> Result<(), StoreError> {
        let link = dir.join(LATEST);
        if file == LATEST {
            return Ok(());
        }
        let tmp = dir.join(format!(".tmp-link-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(file, &tmp).map_err(io_at(&tmp))?;
        fs::rename(&tmp, &link).map_err(io_at(&link))
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_at(path))
}

fn check_key(key: &ObjectKey) -> Result<(), StoreError> {
    check_component("kind", &key.kind)?;
    check_component("namespace", &key.namespace)?;
    check_component("name", &key.name)
}

/// Names come from Kubernetes objects, but the store never trusts them to stay in their directory.
fn check_component(what: &'static str, value: &str) -> Result<(), StoreError> {
    let bad = value.is_empty()
        || value == "."
        || value == ".."
        || value.contains('/')
        || value.contains('\0')
        || value.starts_with(".tmp-")
        || value == ".lock";
    if bad {
        Err(StoreError::BadComponent {
            what,
            value: value.to_string(),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
