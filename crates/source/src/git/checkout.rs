//! Writes a commit's tree to a directory, without a Git work tree or index.
//! Files keep their executable bit; symlinks are not written (an artifact never holds them);
//! a submodule becomes an empty directory unless submodules are fetched.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("commit {0} is not in what the remote sent")]
    MissingCommit(String),
    #[error("reading {what}: {message}")]
    Read { what: String, message: String },
    #[error("{}: {cause}", path.display())]
    Write {
        path: std::path::PathBuf,
        cause: std::io::Error,
    },
    #[error("refusing tree entry '{0}': not a plain name")]
    BadName(String),
}

/// Writes the tree of `commit` (40 hex) below `dest`, which must exist.
pub fn checkout(repo: &gix::Repository, commit: &str, dest: &Path) -> Result<(), CheckoutError> {
    let id = gix::ObjectId::from_hex(commit.as_bytes())
        .map_err(|_| CheckoutError::MissingCommit(commit.to_string()))?;
    let commit_obj = repo
        .find_commit(id)
        .map_err(|_| CheckoutError::MissingCommit(commit.to_string()))?;
    let tree = commit_obj.tree().map_err(|e| CheckoutError::Read {
        what: format!("the tree of {commit}"),
        message: super::remote::flatten(&e),
    })?;
    write_tree(repo, &tree, dest)
}

fn write_tree(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    dir: &Path,
) -> Result<(), CheckoutError> {
    use gix::object::tree::EntryKind;
    for entry in tree.iter() {
        let entry = entry.map_err(|e| CheckoutError::Read {
            what: format!("tree {}", tree.id),
            message: super::remote::flatten(&e),
        })?;
        let name = entry.filename().to_string();
        // A hostile tree must not write outside `dest` or into a `.git`.
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            return Err(CheckoutError::BadName(name));
        }
        let path = dir.join(&name);
        let write_err = |cause| CheckoutError::Write {
            path: path.clone(),
            cause,
        };
        match entry.mode().kind() {
            EntryKind::Tree => {
                std::fs::create_dir(&path).map_err(write_err)?;
                let sub = repo
                    .find_tree(entry.object_id())
                    .map_err(|e| CheckoutError::Read {
                        what: format!("tree {}", entry.object_id()),
                        message: super::remote::flatten(&e),
                    })?;
                write_tree(repo, &sub, &path)?;
            }
            kind @ (EntryKind::Blob | EntryKind::BlobExecutable) => {
                let blob = repo
                    .find_blob(entry.object_id())
                    .map_err(|e| CheckoutError::Read {
                        what: format!("blob {}", entry.object_id()),
                        message: super::remote::flatten(&e),
                    })?;
                std::fs::write(&path, &blob.data).map_err(write_err)?;
                if kind == EntryKind::BlobExecutable {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                        .map_err(write_err)?;
                }
            }
            EntryKind::Commit => std::fs::create_dir(&path).map_err(write_err)?,
            EntryKind::Link => {}
        }
    }
    Ok(())
}
