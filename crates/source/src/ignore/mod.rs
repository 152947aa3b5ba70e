//! What an artifact leaves out, as Flux decides it: `.sourceignore` files anywhere in the tree,
//! `spec.ignore`, and Flux's default excludes. Any pattern of one's own replaces the defaults;
//! the VCS patterns always stay.

mod glob;
mod pattern;

pub use pattern::{Pattern, Verdict};

use std::path::Path;

/// The file whose lines are ignore patterns for its directory and below.
pub const IGNORE_FILE: &str = ".sourceignore";
const EXCLUDE_VCS: &str = ".git/,.gitignore,.gitmodules,.gitattributes";
const EXCLUDE_EXT: &str = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip";
const EXCLUDE_CI: &str = ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml";
const EXCLUDE_EXTRA: &str = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

/// An ordered pattern list; the last pattern that matches a path decides.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

impl Matcher {
    /// The matcher Flux's source-controller builds: VCS + defaults when `own` is empty,
    /// VCS + `own` otherwise.
    pub fn for_source(own: Vec<Pattern>) -> Matcher {
        let mut patterns = split(EXCLUDE_VCS);
        if own.is_empty() {
            for set in [EXCLUDE_EXT, EXCLUDE_CI, EXCLUDE_EXTRA] {
                patterns.extend(split(set));
            }
        } else {
            patterns.extend(own);
        }
        Matcher { patterns }
    }

    /// True when `path` (relative, `/`-separated components) is left out.
    pub fn is_ignored(&self, path: &[&str], is_dir: bool) -> bool {
        self.patterns
            .iter()
            .rev()
            .map(|p| p.check(path, is_dir))
            .find(|v| *v != Verdict::NoMatch)
            == Some(Verdict::Exclude)
    }
}

fn split(list: &str) -> Vec<Pattern> {
    list.split(',').map(|p| Pattern::parse(p, &[])).collect()
}

/// Patterns from text in `.sourceignore` syntax: one per line, `#` comments, blank lines skipped.
pub fn read_patterns(text: &str, domain: &[String]) -> Vec<Pattern> {
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| Pattern::parse(l, domain))
        .collect()
}

/// Every `.sourceignore` below `dir` (not inside `.git`), parents before children, siblings by name.
pub fn load_patterns(dir: &Path) -> std::io::Result<Vec<Pattern>> {
    let mut out = Vec::new();
    load_into(dir, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn load_into(dir: &Path, domain: &mut Vec<String>, out: &mut Vec<Pattern>) -> std::io::Result<()> {
    match std::fs::read(dir.join(IGNORE_FILE)) {
        Ok(bytes) => out.extend(read_patterns(&String::from_utf8_lossy(&bytes), domain)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut subdirs: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // A symlink to a directory is not followed, as Flux's walk does not follow it.
        if entry.file_type()?.is_dir()
            && let Some(name) = entry.file_name().to_str()
            && name != ".git"
        {
            subdirs.push(name.to_string());
        }
    }
    subdirs.sort();
    for name in subdirs {
        domain.push(name);
        let sub = dir.join(domain.last().map(String::as_str).unwrap_or_default());
        load_into(&sub, domain, out)?;
        domain.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(m: &Matcher, path: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        m.is_ignored(&parts, is_dir)
    }

    #[test]
    fn defaults_apply_without_own_patterns() {
        let m = Matcher::for_source(Vec::new());
        assert!(ignored(&m, ".git", true));
        assert!(ignored(&m, ".git/HEAD", false));
        assert!(ignored(&m, "docs/logo.png", false));
        assert!(ignored(&m, ".github/workflows/ci.yaml", false));
        assert!(ignored(&m, "apps/.sops.yaml", false));
        assert!(!ignored(&m, "apps/deploy.yaml", false));
        assert!(!ignored(&m, ".sourceignore", false));
    }

    #[test]
    fn own_patterns_replace_defaults_but_not_vcs() {
        let m = Matcher::for_source(read_patterns("# comment\n\n*.txt\n", &[]));
        assert!(ignored(&m, "notes.txt", false));
        assert!(!ignored(&m, "logo.png", false), "defaults are replaced");
        assert!(ignored(&m, ".git/config", false), "VCS patterns stay");
    }

    #[test]
    fn later_patterns_win_and_negation_reincludes() {
        let m = Matcher::for_source(read_patterns("*.yaml\n!keep.yaml\n", &[]));
        assert!(ignored(&m, "a.yaml", false));
        assert!(!ignored(&m, "keep.yaml", false));
    }

    #[test]
    fn nested_sourceignore_files_are_scoped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("apps/dev")).unwrap();
        std::fs::write(dir.path().join(".sourceignore"), "*.md\n").unwrap();
        std::fs::write(dir.path().join("apps/.sourceignore"), "dev/\n").unwrap();
        let m = Matcher::for_source(load_patterns(dir.path()).unwrap());
        assert!(ignored(&m, "README.md", false));
        assert!(ignored(&m, "apps/dev", true));
        assert!(ignored(&m, "apps/dev/x.yaml", false));
        assert!(
            !ignored(&m, "dev", true),
            "the apps/ file does not reach the root"
        );
    }
}
