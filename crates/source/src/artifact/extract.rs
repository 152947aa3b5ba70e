//! Safe extraction of an artifact tarball, as a consumer (kustomize or helm controller) does
//! it: only regular files and directories, only relative paths that stay inside the target,
//! and limits on total size and entry count. Each refusal has its own error naming the entry.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Total bytes of file content.
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // Generous for manifests and charts, small enough to stop a decompression bomb.
        Limits {
            max_bytes: 1 << 30,
            max_entries: 100_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("entry '{0}': absolute paths are refused")]
    AbsolutePath(String),
    #[error("entry '{0}': paths leaving the target with '..' are refused")]
    ParentTraversal(String),
    #[error("entry '{0}': symbolic and hard links are refused")]
    Link(String),
    #[error("entry '{name}': {kind} entries are refused")]
    Special { name: String, kind: String },
    #[error("archive content exceeds {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("archive has more than {limit} entries")]
    TooManyEntries { limit: u64 },
    #[error("reading the archive: {0}")]
    Read(io::Error),
    #[error("{}: {cause}", path.display())]
    Write { path: PathBuf, cause: io::Error },
}

/// Extracts the tar.gz read from `input` into `dest` (created if missing).
/// Returns the number of entries written.
pub fn extract(input: impl Read, dest: &Path, limits: Limits) -> Result<u64, ExtractError> {
    std::fs::create_dir_all(dest).map_err(|cause| ExtractError::Write {
        path: dest.to_path_buf(),
        cause,
    })?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(input));
    let mut entries = 0u64;
    let mut bytes = 0u64;
    for entry in archive.entries().map_err(ExtractError::Read)? {
        let mut entry = entry.map_err(ExtractError::Read)?;
        entries += 1;
        if entries > limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let rel = safe_relative(&name)?;
        let kind = entry.header().entry_type();
        let target = dest.join(&rel);
        let write_err = |cause| ExtractError::Write {
            path: target.clone(),
            cause,
        };
        match kind {
            tar::EntryType::Directory => std::fs::create_dir_all(&target).map_err(write_err)?,
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let size = entry.header().size().map_err(ExtractError::Read)?;
                bytes = bytes.saturating_add(size);
                if bytes > limits.max_bytes {
                    return Err(ExtractError::TooLarge {
                        limit: limits.max_bytes,
                    });
                }
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(write_err)?;
                }
                let mut file = std::fs::File::create(&target).map_err(write_err)?;
                // Never trust the header's size alone: copy at most what was accounted for.
                io::copy(&mut (&mut entry).take(size), &mut file).map_err(ExtractError::Read)?;
                let mode = entry.header().mode().unwrap_or(0o600);
                if mode & 0o111 != 0 {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))
                        .map_err(write_err)?;
                }
            }
            tar::EntryType::Symlink | tar::EntryType::Link => return Err(ExtractError::Link(name)),
            // Metadata entries that only describe the next entry.
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => {}
            tar::EntryType::GNULongName | tar::EntryType::GNULongLink => {}
            other => {
                return Err(ExtractError::Special {
                    name,
                    kind: format!("{other:?}").to_lowercase(),
                });
            }
        }
    }
    Ok(entries)
}

/// The entry's path relative to the target, or why it is refused.
fn safe_relative(name: &str) -> Result<PathBuf, ExtractError> {
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => return Err(ExtractError::ParentTraversal(name.to_string())),
            Component::RootDir | Component::Prefix(_) => {
                return Err(ExtractError::AbsolutePath(name.to_string()));
            }
        }
    }
    Ok(out)
}
