//! `.helmignore`: Helm's own rules (not gitignore's). Each line is a `filepath.Match` pattern;
//! a leading `/` anchors it to the chart root, a `/` inside matches the whole path, otherwise
//! only the base name; a trailing `/` matches directories only; `**` is refused. Helm's `!`
//! is peculiar: a negated rule *ignores* every path it does not match. `templates/.?*`
//! (hidden files under templates/) is always added last.

use crate::glob::path_match;

struct Rule {
    pattern: String,
    negate: bool,
    dir_only: bool,
    kind: Kind,
}

enum Kind {
    Anchored,
    Path,
    Base,
}

/// A parsed `.helmignore`.
#[derive(Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parses the file's text; a bad pattern is an error naming the line.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let mut r = Rules::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            r.add(line)?;
        }
        Ok(r)
    }

    /// Adds Helm's default rule.
    pub fn with_defaults(mut self) -> Rules {
        let _ = self.add("templates/.?*");
        self
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if path_match(rule, "abc").is_err() {
            return Err("syntax error in pattern".into());
        }
        let mut p = rule;
        let negate = p.starts_with('!');
        if negate {
            p = &p[1..];
        }
        let dir_only = p.ends_with('/');
        if dir_only {
            p = &p[..p.len() - 1];
        }
        let kind = if let Some(rest) = p.strip_prefix('/') {
            p = rest;
            Kind::Anchored
        } else if p.contains('/') {
            Kind::Path
        } else {
            Kind::Base
        };
        self.rules.push(Rule {
            pattern: p.to_string(),
            negate,
            dir_only,
            kind,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            let matched = || {
                let subject = match r.kind {
                    Kind::Anchored | Kind::Path => path,
                    Kind::Base => path.rsplit('/').next().unwrap_or(path),
                };
                path_match(&r.pattern, subject).unwrap_or(false)
            };
            if r.negate {
                if r.dir_only && !is_dir {
                    return true;
                }
                if !matched() {
                    return true;
                }
                continue;
            }
            if r.dir_only && !is_dir {
                continue;
            }
            if matched() {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_rules() {
        let r = Rules::parse("# c\n*.bak\n/docs/\nsecret/*.txt\n")
            .unwrap()
            .with_defaults();
        assert!(r.ignore("a/b.bak", false));
        assert!(r.ignore("docs", true));
        assert!(!r.ignore("docs", false));
        assert!(r.ignore("secret/x.txt", false));
        assert!(!r.ignore("other/secret/x.txt", false));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/a.yaml", false));
    }

    #[test]
    fn negation_ignores_what_does_not_match() {
        let r = Rules::parse("!*.yaml\n").unwrap();
        assert!(r.ignore("notes.txt", false));
        assert!(!r.ignore("a.yaml", false));
    }

    #[test]
    fn double_star_is_refused() {
        assert!(Rules::parse("a/**/b").is_err());
    }
}
