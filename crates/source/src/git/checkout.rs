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
    #[error("submodule '{path}': no URL for it in .gitmodules")]
    SubmoduleWithoutUrl { path: String },
    #[error("submodule '{path}' ({url}): {message}")]
    Submodule {
        path: String,
        url: String,
        message: String,
    },
    #[error("sparse checkout directory '{0}' does not exist in the repository")]
    MissingSparseDir(String),
    #[error("invalid sparse checkout directory '{0}': it must be a relative path without '..'")]
    BadSparseDir(String),
}

/// Fetches a submodule's commit into a checkout directory: `(url, commit, dest)`.
pub type SubmoduleFetch<'a> = dyn Fn(&str, &str, &Path) -> Result<(), String> + 'a;

/// How gitlinks are handled: left as empty directories, or fetched.
pub struct Submodules<'a> {
    pub parent_url: String,
    pub fetch: Option<&'a SubmoduleFetch<'a>>,
}

/// Which paths a checkout writes: all, or only the given directories (and what lies below).
#[derive(Clone, Debug, Default)]
pub struct Sparse {
    dirs: Vec<Vec<String>>,
}

impl Sparse {
    /// `spec.sparseCheckout`: directories relative to the root; `.` or `/` mean everything.
    pub fn new(dirs: &[String]) -> Result<Sparse, CheckoutError> {
        let mut out = Vec::new();
        for d in dirs {
            let parts: Vec<String> = d
                .split('/')
                .filter(|p| !p.is_empty() && *p != ".")
                .map(str::to_string)
                .collect();
            if parts.iter().any(|p| p == "..") {
                return Err(CheckoutError::BadSparseDir(d.clone()));
            }
            if parts.is_empty() {
                return Ok(Sparse::default());
            }
            out.push(parts);
        }
        Ok(Sparse { dirs: out })
    }

    fn is_all(&self) -> bool {
        self.dirs.is_empty()
    }

    /// Whether `path` (components) is inside a chosen directory.
    fn includes(&self, path: &[String]) -> bool {
        self.is_all() || self.dirs.iter().any(|d| path.starts_with(d))
    }

    /// Whether `path` leads to a chosen directory (so its tree must be walked).
    fn leads_to(&self, path: &[String]) -> bool {
        self.dirs.iter().any(|d| d.starts_with(path))
    }
}

/// Writes the tree of `commit` (40 hex) below `dest`, which must exist; with a sparse set,
/// only the chosen directories, each of which must exist.
pub fn checkout(
    repo: &gix::Repository,
    commit: &str,
    dest: &Path,
    sparse: &Sparse,
    submodules: &Submodules<'_>,
) -> Result<(), CheckoutError> {
    let id = gix::ObjectId::from_hex(commit.as_bytes())
        .map_err(|_| CheckoutError::MissingCommit(commit.to_string()))?;
    let commit_obj = repo
        .find_commit(id)
        .map_err(|_| CheckoutError::MissingCommit(commit.to_string()))?;
    let tree = commit_obj.tree().map_err(|e| CheckoutError::Read {
        what: format!("the tree of {commit}"),
        message: super::remote::flatten(&e),
    })?;
    write_tree(repo, &tree, dest, &mut Vec::new(), sparse)?;
    if let Some(fetch) = submodules.fetch {
        fetch_submodules(repo, &tree, dest, sparse, &submodules.parent_url, fetch)?;
    }
    for d in &sparse.dirs {
        let path = d.iter().fold(dest.to_path_buf(), |p, c| p.join(c));
        if !path.is_dir() {
            return Err(CheckoutError::MissingSparseDir(d.join("/")));
        }
    }
    Ok(())
}

/// Fills each gitlink's directory from the submodule's own repository.
fn fetch_submodules(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    dest: &Path,
    sparse: &Sparse,
    parent_url: &str,
    fetch: &SubmoduleFetch<'_>,
) -> Result<(), CheckoutError> {
    let mut links = Vec::new();
    collect_gitlinks(repo, tree, &mut Vec::new(), &mut links)?;
    if links.is_empty() {
        return Ok(());
    }
    let urls = std::fs::read_to_string(dest.join(".gitmodules"))
        .map(|t| super::submodules::parse_gitmodules(&t))
        .unwrap_or_default();
    for (path, commit) in links {
        let parts: Vec<String> = path.split('/').map(str::to_string).collect();
        if !sparse.includes(&parts) {
            continue;
        }
        let url = urls
            .get(&path)
            .ok_or_else(|| CheckoutError::SubmoduleWithoutUrl { path: path.clone() })?;
        let url = super::submodules::resolve_url(parent_url, url);
        fetch(&url, &commit, &dest.join(&path)).map_err(|message| CheckoutError::Submodule {
            path: path.clone(),
            url: url.clone(),
            message,
        })?;
    }
    Ok(())
}

fn collect_gitlinks(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    rel: &mut Vec<String>,
    out: &mut Vec<(String, String)>,
) -> Result<(), CheckoutError> {
    use gix::object::tree::EntryKind;
    for entry in tree.iter() {
        let entry = entry.map_err(|e| CheckoutError::Read {
            what: format!("tree {}", tree.id),
            message: super::remote::flatten(&e),
        })?;
        rel.push(entry.filename().to_string());
        match entry.mode().kind() {
            EntryKind::Commit => out.push((rel.join("/"), entry.object_id().to_string())),
            EntryKind::Tree => {
                let sub = repo
                    .find_tree(entry.object_id())
                    .map_err(|e| CheckoutError::Read {
                        what: format!("tree {}", entry.object_id()),
                        message: super::remote::flatten(&e),
                    })?;
                collect_gitlinks(repo, &sub, rel, out)?;
            }
            _ => {}
        }
        rel.pop();
    }
    Ok(())
}

fn write_tree(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    dir: &Path,
    rel: &mut Vec<String>,
    sparse: &Sparse,
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
        rel.push(name.clone());
        let kind = entry.mode().kind();
        let wanted = sparse.includes(rel) || (kind == EntryKind::Tree && sparse.leads_to(rel));
        if !wanted {
            rel.pop();
            continue;
        }
        let path = dir.join(&name);
        let write_err = |cause| CheckoutError::Write {
            path: path.clone(),
            cause,
        };
        match kind {
            EntryKind::Tree => {
                std::fs::create_dir(&path).map_err(write_err)?;
                let sub = repo
                    .find_tree(entry.object_id())
                    .map_err(|e| CheckoutError::Read {
                        what: format!("tree {}", entry.object_id()),
                        message: super::remote::flatten(&e),
                    })?;
                write_tree(repo, &sub, &path, rel, sparse)?;
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
        rel.pop();
    }
    Ok(())
}
