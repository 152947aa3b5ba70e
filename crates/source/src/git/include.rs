//! `spec.include`: another source's artifact content, or a directory of it, copied into this
//! checkout at a path (replacing what was there), as Flux does before archiving.

use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum IncludeError {
    #[error("include path '{0}' must be relative and must not leave the repository")]
    BadPath(String),
    #[error("include fromPath '{0}' does not exist in the included artifact")]
    MissingFrom(String),
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// Copies `from` (relative to `included`, empty for all of it) to `to` (relative to `dest`).
pub fn apply_include(
    dest: &Path,
    included: &Path,
    from: &str,
    to: &str,
) -> Result<(), IncludeError> {
    let from_path = included.join(relative(from)?);
    let to_rel = relative(to)?;
    if to_rel.as_os_str().is_empty() {
        // Replacing the whole checkout is never what an include means.
        return Err(IncludeError::BadPath(to.to_string()));
    }
    let to_path = dest.join(to_rel);
    if !from_path.exists() {
        return Err(IncludeError::MissingFrom(from.to_string()));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| IncludeError::Io { path, cause }
    };
    match std::fs::symlink_metadata(&to_path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&to_path).map_err(io(&to_path))?,
        Ok(_) => std::fs::remove_file(&to_path).map_err(io(&to_path))?,
        Err(_) => {}
    }
    copy_tree(&from_path, &to_path)
}

fn relative(p: &str) -> Result<PathBuf, IncludeError> {
    let mut out = PathBuf::new();
    for c in Path::new(p).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => return Err(IncludeError::BadPath(p.to_string())),
        }
    }
    Ok(out)
}

/// Copies files and directories; links are not followed or copied.
fn copy_tree(from: &Path, to: &Path) -> Result<(), IncludeError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| IncludeError::Io { path, cause }
    };
    let meta = std::fs::symlink_metadata(from).map_err(io(from))?;
    if meta.is_file() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::copy(from, to).map_err(io(to))?;
        return Ok(());
    }
    if !meta.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        copy_tree(&entry.path(), &to.join(entry.file_name()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (p, body) in files {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        d
    }

    #[test]
    fn copies_a_subdirectory_over_the_target() {
        let dest = tree(&[("apps/old.yaml", "old"), ("keep.yaml", "k")]);
        let inc = tree(&[
            ("deploy/a.yaml", "a"),
            ("deploy/sub/b.yaml", "b"),
            ("other.yaml", "o"),
        ]);
        apply_include(dest.path(), inc.path(), "deploy", "apps").unwrap();
        assert!(
            !dest.path().join("apps/old.yaml").exists(),
            "the target is replaced"
        );
        assert_eq!(
            std::fs::read_to_string(dest.path().join("apps/sub/b.yaml")).unwrap(),
            "b"
        );
        assert!(dest.path().join("keep.yaml").exists());
        assert!(!dest.path().join("apps/other.yaml").exists());
    }

    #[test]
    fn whole_artifact_and_bad_paths() {
        let dest = tree(&[]);
        let inc = tree(&[("x.yaml", "x")]);
        apply_include(dest.path(), inc.path(), "", "vendor/lib").unwrap();
        assert!(dest.path().join("vendor/lib/x.yaml").is_file());
        let e = apply_include(dest.path(), inc.path(), "", "../out").unwrap_err();
        assert_eq!(
            e.to_string(),
            "include path '../out' must be relative and must not leave the repository"
        );
        let e = apply_include(dest.path(), inc.path(), "/etc", "x").unwrap_err();
        assert!(matches!(e, IncludeError::BadPath(_)));
        let e = apply_include(dest.path(), inc.path(), "nope", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "include fromPath 'nope' does not exist in the included artifact"
        );
        let e = apply_include(dest.path(), inc.path(), "", ".").unwrap_err();
        assert!(matches!(e, IncludeError::BadPath(_)));
    }
}
