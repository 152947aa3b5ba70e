//! One gitignore pattern with the semantics of the go-git matcher Flux uses: patterns are scoped
//! to a domain (the directory of the `.sourceignore` that holds them), the last matching pattern
//! decides, `!` re-includes, a trailing `/` matches directories only, and a pattern containing
//! `/` is anchored to its domain (with `**` crossing any number of directories).

use super::glob;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    domain: Vec<String>,
    components: Vec<String>,
    negated: bool,
    dir_only: bool,
    anchored: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    NoMatch,
    Exclude,
    Include,
}

impl Pattern {
    /// Parses one line of a `.sourceignore` (comments and blank lines are the caller's to skip).
    pub fn parse(line: &str, domain: &[String]) -> Pattern {
        let mut p = line;
        let negated = p.starts_with('!');
        if negated {
            p = &p[1..];
        }
        // Trailing spaces are dropped unless escaped.
        let trimmed;
        if !p.ends_with("\\ ") {
            trimmed = p.trim_end_matches(' ');
            p = trimmed;
        }
        let dir_only = p.ends_with('/');
        if dir_only {
            p = &p[..p.len() - 1];
        }
        Pattern {
            domain: domain.to_vec(),
            components: p.split('/').map(str::to_string).collect(),
            negated,
            dir_only,
            anchored: p.contains('/'),
        }
    }

    /// Decides for `path` (components relative to the archive root).
    pub fn check(&self, path: &[&str], is_dir: bool) -> Verdict {
        if path.len() <= self.domain.len() {
            return Verdict::NoMatch;
        }
        if self.domain.iter().zip(path).any(|(d, p)| d != p) {
            return Verdict::NoMatch;
        }
        let rest = &path[self.domain.len()..];
        let hit = if self.anchored {
            self.anchored_match(rest, is_dir)
        } else {
            self.name_match(rest, is_dir)
        };
        match (hit, self.negated) {
            (false, _) => Verdict::NoMatch,
            (true, false) => Verdict::Exclude,
            (true, true) => Verdict::Include,
        }
    }

    /// An unanchored pattern matches any component; matching a parent directory matches all below.
    fn name_match(&self, path: &[&str], is_dir: bool) -> bool {
        let pattern = &self.components[0];
        for (i, name) in path.iter().enumerate() {
            if !glob::matches(pattern, name) {
                continue;
            }
            if self.dir_only && !is_dir && i == path.len() - 1 {
                return false;
            }
            return true;
        }
        false
    }

    fn anchored_match(&self, mut path: &[&str], is_dir: bool) -> bool {
        let mut matched = false;
        let mut traverse = false;
        let last = self.components.len() - 1;
        for (i, pattern) in self.components.iter().enumerate() {
            if pattern.is_empty() {
                traverse = false;
                continue;
            }
            if pattern == "**" {
                if i == last {
                    break;
                }
                traverse = true;
                continue;
            }
            if pattern.contains("**") {
                return false;
            }
            if path.is_empty() {
                return false;
            }
            if traverse {
                traverse = false;
                while let Some((first, rest)) = path.split_first() {
                    path = rest;
                    if glob::matches(pattern, first) {
                        matched = true;
                        break;
                    }
                    if path.is_empty() {
                        matched = false;
                    }
                }
            } else {
                if !glob::matches(pattern, path[0]) {
                    return false;
                }
                matched = true;
                path = &path[1..];
            }
        }
        if matched && self.dir_only && !is_dir && path.is_empty() {
            matched = false;
        }
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::{Pattern, Verdict};

    fn check(line: &str, path: &str, is_dir: bool) -> Verdict {
        let parts: Vec<&str> = path.split('/').collect();
        Pattern::parse(line, &[]).check(&parts, is_dir)
    }

    #[test]
    fn names_match_at_any_depth() {
        assert_eq!(check("*.png", "a/b/c.png", false), Verdict::Exclude);
        assert_eq!(check("*.png", "a/b/c.yaml", false), Verdict::NoMatch);
        // A matching parent directory excludes what is below it.
        assert_eq!(check(".git/", ".git/objects/ab", false), Verdict::Exclude);
        assert_eq!(check("!keep.png", "x/keep.png", false), Verdict::Include);
    }

    #[test]
    fn dir_only_patterns_skip_files() {
        assert_eq!(check("build/", "build", false), Verdict::NoMatch);
        assert_eq!(check("build/", "build", true), Verdict::Exclude);
        assert_eq!(check("build/", "build/out.yaml", false), Verdict::Exclude);
    }

    #[test]
    fn slashes_anchor_to_the_domain() {
        assert_eq!(check("/deploy", "deploy", true), Verdict::Exclude);
        assert_eq!(check("/deploy", "apps/deploy", true), Verdict::NoMatch);
        assert_eq!(check("apps/*.yaml", "apps/a.yaml", false), Verdict::Exclude);
        assert_eq!(
            check("apps/*.yaml", "x/apps/a.yaml", false),
            Verdict::NoMatch
        );
        assert_eq!(
            check("**/.flux.yaml", "a/b/.flux.yaml", false),
            Verdict::Exclude
        );
        assert_eq!(
            check("**/.flux.yaml", ".flux.yaml", false),
            Verdict::Exclude
        );
        assert_eq!(check("a/**", "a/b/c", false), Verdict::Exclude);
        assert_eq!(check("a/**/z", "a/b/c/z", false), Verdict::Exclude);
        assert_eq!(check("a/**/z", "a/b/c/y", false), Verdict::NoMatch);
    }

    #[test]
    fn domains_scope_patterns() {
        let domain = vec!["apps".to_string()];
        let p = Pattern::parse("*.yaml", &domain);
        assert_eq!(p.check(&["apps", "a.yaml"], false), Verdict::Exclude);
        assert_eq!(p.check(&["infra", "a.yaml"], false), Verdict::NoMatch);
        assert_eq!(p.check(&["apps"], true), Verdict::NoMatch);
    }

    #[test]
    fn trailing_spaces() {
        assert_eq!(check("a.yaml   ", "a.yaml", false), Verdict::Exclude);
        // go-git keeps the escape, and the glob reads `\ ` as a space.
        assert_eq!(check("a\\ ", "a ", false), Verdict::Exclude);
    }
}
