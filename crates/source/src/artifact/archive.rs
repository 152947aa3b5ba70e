//! The artifact tarball, built as Flux's source-controller builds it: a depth-first walk with
//! siblings in name order (the root itself first, as "."), directories and regular files only
//! (symlinks and devices are left out), names relative to the root, uid/gid 0, no user or group
//! names, zero times, modes normalised to 0750 (dirs), 0700 (executables) and 0600 (files),
//! gzip-compressed, and hashed with sha256 while it is written.

use crate::ignore::Matcher;
use sha2::{Digest as _, Sha256};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub const DIR_MODE: u32 = 0o750;
pub const EXE_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// What a written archive is: its digest (`sha256:<hex>`) and size in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveInfo {
    pub digest: String,
    pub size: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("{}: {cause}", path.display())]
    Io { path: PathBuf, cause: io::Error },
    #[error("writing the archive: {0}")]
    Write(io::Error),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> ArchiveError + '_ {
    move |cause| ArchiveError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// Writes the tar.gz of `dir` (less what `ignore` leaves out) to `out`.
pub fn write_archive<W: Write>(
    dir: &Path,
    ignore: &Matcher,
    out: W,
) -> Result<(ArchiveInfo, W), ArchiveError> {
    let meta = fs::metadata(dir).map_err(io_at(dir))?;
    if !meta.is_dir() {
        return Err(ArchiveError::NotADirectory(dir.to_path_buf()));
    }
    let hashing = HashingWriter::new(out);
    let gz = super::ParallelGzWriter::new(hashing, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    append_tree(&mut tar, dir, &mut Vec::new(), ignore, true)?;
    let gz = tar.into_inner().map_err(ArchiveError::Write)?;
    let hashing = gz.finish().map_err(ArchiveError::Write)?;
    Ok(hashing.finish())
}

/// Appends `dir` (at relative `rel`, empty for the root) and what lies below it. A filtered
/// directory (`own_entry` false) gets no entry of its own, but its children are still judged one
/// by one, as Flux's walk does, so a `!` pattern can bring them back.
fn append_tree<W: Write>(
    tar: &mut tar::Builder<W>,
    dir: &Path,
    rel: &mut Vec<String>,
    ignore: &Matcher,
    own_entry: bool,
) -> Result<(), ArchiveError> {
    if own_entry {
        let name = if rel.is_empty() {
            ".".to_string()
        } else {
            rel.join("/")
        };
        append_entry(
            tar,
            &name,
            tar::EntryType::Directory,
            DIR_MODE,
            &[] as &[u8],
        )?;
    }
    let mut entries: Vec<(String, PathBuf)> = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        entries.push((file_name, entry.path()));
    }
    // Go's walk orders siblings by their names as bytes.
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (file_name, path) in entries {
        // Not followed: a symlink is neither a regular file nor a directory.
        let meta = fs::symlink_metadata(&path).map_err(io_at(&path))?;
        let kind = meta.file_type();
        if !kind.is_dir() && !kind.is_file() {
            continue;
        }
        rel.push(file_name);
        let parts: Vec<&str> = rel.iter().map(String::as_str).collect();
        let skip = ignore.is_ignored(&parts, kind.is_dir());
        if kind.is_dir() {
            append_tree(tar, &path, rel, ignore, !skip)?;
        } else if !skip {
            let mode = if is_executable(&meta) {
                EXE_MODE
            } else {
                FILE_MODE
            };
            let file = fs::File::open(&path).map_err(io_at(&path))?;
            append_file(tar, &rel.join("/"), mode, meta.len(), file, &path)?;
        }
        rel.pop();
    }
    Ok(())
}

fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(size);
    h
}

fn append_entry<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    kind: tar::EntryType,
    mode: u32,
    data: &[u8],
) -> Result<(), ArchiveError> {
    let mut h = header(kind, mode, data.len() as u64);
    tar.append_data(&mut h, name, data)
        .map_err(ArchiveError::Write)
}

fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    mode: u32,
    size: u64,
    file: fs::File,
    path: &Path,
) -> Result<(), ArchiveError> {
    let mut h = header(tar::EntryType::Regular, mode, size);
    // A file that changes size while being read would corrupt the stream: read exactly `size`.
    let reader = io::Read::take(file, size);
    tar.append_data(&mut h, name, reader).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ArchiveError::Io {
                path: path.to_path_buf(),
                cause: e,
            }
        } else {
            ArchiveError::Write(e)
        }
    })
}

/// Passes bytes through while hashing and counting them.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    fn finish(self) -> (ArchiveInfo, W) {
        let digest = format!("sha256:{}", hex::encode(self.hasher.finalize()));
        (
            ArchiveInfo {
                digest,
                size: self.size,
            },
            self.inner,
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
