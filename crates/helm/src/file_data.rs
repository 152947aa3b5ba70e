//! A chart file's bytes, read when the chart is loaded or, for files only `.Files` can reach,
//! on first use.
//!
//! Real charts carry READMEs, changelogs and CRD folders of megabytes that a render never
//! looks at; holding all of them cost a tenth of an umbrella's render on this kind of VM
//! (each megabyte of fresh memory is page faults and zeroing). The loader still opens and
//! sizes every file as Helm reads it, so a file Helm could not read fails the load the same
//! way; only the content waits.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Bytes that dereference to `[u8]`; cloning shares them.
#[derive(Clone)]
pub struct FileData(Inner);

#[derive(Clone)]
enum Inner {
    Loaded(Arc<[u8]>),
    Deferred(Arc<Deferred>),
}

struct Deferred {
    path: PathBuf,
    len: usize,
    /// Kept as read (no copy into an `Arc`: these are the large files).
    bytes: OnceLock<Vec<u8>>,
}

impl FileData {
    /// The file at `path`, `len` bytes long when it was opened, read on first use. A read
    /// that fails then (the file removed or changed since the load) gives no bytes.
    pub(crate) fn deferred(path: PathBuf, len: u64) -> Self {
        FileData(Inner::Deferred(Arc::new(Deferred {
            path,
            len: usize::try_from(len).unwrap_or(usize::MAX),
            bytes: OnceLock::new(),
        })))
    }

    /// The length without reading a deferred file.
    pub fn len(&self) -> usize {
        match &self.0 {
            Inner::Loaded(b) => b.len(),
            Inner::Deferred(d) => d.bytes.get().map_or(d.len, |b| b.len()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes as a shared slice (read now if deferred).
    pub fn shared(&self) -> Arc<[u8]> {
        match &self.0 {
            Inner::Loaded(b) => b.clone(),
            Inner::Deferred(d) => Arc::from(d.bytes()),
        }
    }
}

impl Deferred {
    fn bytes(&self) -> &[u8] {
        self.bytes.get_or_init(|| {
            let mut data = std::fs::read(&self.path).unwrap_or_default();
            crate::chart_dir::drop_bom(&mut data);
            data
        })
    }
}

impl std::ops::Deref for FileData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Inner::Loaded(b) => b,
            Inner::Deferred(d) => d.bytes(),
        }
    }
}

impl AsRef<[u8]> for FileData {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Arc<[u8]>> for FileData {
    fn from(b: Arc<[u8]>) -> Self {
        FileData(Inner::Loaded(b))
    }
}

impl From<&[u8]> for FileData {
    fn from(b: &[u8]) -> Self {
        FileData(Inner::Loaded(Arc::from(b)))
    }
}

impl std::fmt::Debug for FileData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::Loaded(b) => write!(f, "FileData({} bytes)", b.len()),
            Inner::Deferred(d) => write!(
                f,
                "FileData({}, {} bytes)",
                d.path.display(),
                self.len().max(d.len)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FileData;

    #[test]
    fn deferred_files_are_read_on_first_use_without_their_mark() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("README.md");
        std::fs::write(&p, b"\xEF\xBB\xBFhello").unwrap();
        let d = FileData::deferred(p.clone(), 8);
        assert_eq!(d.len(), 8, "the size from the load, before any read");
        let copy = d.clone();
        assert_eq!(&*d, b"hello");
        assert_eq!(copy.len(), 5, "the read is shared by clones");
        std::fs::remove_file(&p).unwrap();
        assert_eq!(&*copy, b"hello", "read once");
        let gone = FileData::deferred(p, 3);
        assert_eq!(gone.len(), 3);
        assert_eq!(&*gone, b"", "a file gone since the load reads as nothing");
        assert!(gone.is_empty());
    }
}
