//! Version constraints with Masterminds semver v3 semantics.
//!
//! A constraint string is a list of OR groups separated by `||`; each group is a list of
//! comparators separated by spaces or commas, all of which must hold. Hyphen ranges
//! (`1.2 - 1.4.5`) are rewritten to `>= 1.2, <= 1.4.5` first.
//!
//! Pre-releases: a version with a pre-release part only satisfies a group when at least one
//! comparator of that group names a pre-release itself (or when
//! [`Constraints::include_prerelease`] is set).

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

// regex-lite, not regex: these patterns match a few short strings per run, and compiling
// them with `regex` (its faster engines built up front) was a twentieth of the CPU of a chart
// with a `kubeVersion`, on the main thread.
use regex_lite::Regex;

use crate::version::{Version, compare_prerelease};

/// Why a constraint string was refused. It always names the whole constraint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstraintError {
    /// A segment between `||` does not read as comparators.
    #[error("invalid semver constraint {constraint:?}: improper constraint {segment:?}")]
    Improper {
        /// The full constraint given.
        constraint: String,
        /// The offending part.
        segment: String,
    },
    /// A version inside a comparator does not parse (for example a leading zero).
    #[error("invalid semver constraint {constraint:?}: bad version {version:?}")]
    BadVersion {
        /// The full constraint given.
        constraint: String,
        /// The version text.
        version: String,
    },
}

impl ConstraintError {
    /// The error as Masterminds' `NewConstraint` words it (what Helm prints for a bad
    /// `--version`).
    pub fn masterminds_message(&self) -> String {
        match self {
            ConstraintError::Improper { segment, .. } => {
                format!("improper constraint: {segment:?}")
            }
            other => other.to_string(),
        }
    }
}

const OPS: &str = r"=|!=|>|<|>=|=>|<=|=<|~|~>|\^|";
const CV: &str = r"v?(?:[0-9xX*]+)(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?(?:\+[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?";

// Go's `\s` is `[\t\n\f\r ]`, written out: the `regex` crate's Unicode `\s` also takes
// other spaces, and its class made compiling these patterns most of a small chart's
// start-up.

// One comparator with its pieces captured.
static ONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\t\n\f\r ]*(?P<op>=|!=|>|<|>=|=>|<=|=<|~|~>|\^|)[\t\n\f\r ]*(?P<ver>v?(?P<major>[0-9xX*]+)(?P<minor>\.[0-9xX*]+)?(?P<patch>\.[0-9xX*]+)?(?P<pre>-[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?(?:\+[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?)[\t\n\f\r ]*$",
    )
    .expect("static regex")
});
static FIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?:{OPS})[\t\n\f\r ]*(?:{CV})")).expect("static regex"));
static VALID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:[\t\n\f\r ]*(?:{OPS})[\t\n\f\r ]*(?:{CV})[\t\n\f\r ]*)(?:(?:[\t\n\f\r ]+|,[\t\n\f\r ]*)(?:{OPS})[\t\n\f\r ]*(?:{CV})[\t\n\f\r ]*)*$"
    ))
    .expect("static regex")
});
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"[\t\n\f\r ]*(?P<a>{CV})[\t\n\f\r ]+-[\t\n\f\r ]+(?P<b>{CV})[\t\n\f\r ]*"
    ))
    .expect("static regex")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn parse(s: &str) -> Op {
        match s {
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => Op::TildeOrEqual,
        }
    }
}

#[derive(Debug, Clone)]
struct Comparator {
    op: Op,
    op_text: String,
    orig: String,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Comparator {
    fn parse(text: &str, whole: &str) -> Result<Comparator, ConstraintError> {
        let improper = || ConstraintError::Improper {
            constraint: whole.to_string(),
            segment: text.to_string(),
        };
        let caps = ONE.captures(text).ok_or_else(improper)?;
        let get = |n: &str| caps.name(n).map(|m| m.as_str()).unwrap_or("");
        let (op_text, ver, major, minor, patch, pre) = (
            get("op"),
            get("ver"),
            get("major"),
            get("minor"),
            get("patch"),
            get("pre"),
        );
        let minor_n = minor.trim_start_matches('.');
        let patch_n = patch.trim_start_matches('.');
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let normalized = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre}")
        } else if is_x(minor_n) || minor.is_empty() {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{pre}")
        } else if is_x(patch_n) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            ver.to_string()
        };
        let con = Version::parse(&normalized).map_err(|_| ConstraintError::BadVersion {
            constraint: whole.to_string(),
            version: ver.to_string(),
        })?;
        Ok(Comparator {
            op: Op::parse(op_text),
            op_text: op_text.to_string(),
            orig: ver.to_string(),
            con,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.prerelease().is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v == c
                }
            }
            Op::NotEqual => {
                if self.dirty {
                    if c.major() != v.major() {
                        return true;
                    }
                    if c.minor() != v.minor() && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch() != v.patch() && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.prerelease().is_empty() || !c.prerelease().is_empty() {
                            return compare_prerelease(v.prerelease(), c.prerelease()).is_ne();
                        }
                        return false;
                    }
                }
                v != c
            }
            Op::Greater => {
                if !self.dirty {
                    return v > c;
                }
                if v.major() != c.major() {
                    return v.major() > c.major();
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor() > c.minor();
                }
                v > c
            }
            Op::Less => v < c,
            Op::GreaterEqual => v >= c,
            Op::LessEqual => {
                if !self.dirty {
                    return v <= c;
                }
                if v.major() > c.major() {
                    return false;
                }
                !(v.major() == c.major() && v.minor() > c.minor() && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => {
                if v < c {
                    return false;
                }
                if c.major() > 0 || self.minor_dirty {
                    return v.major() == c.major();
                }
                if v.major() > 0 {
                    return false;
                }
                if c.minor() > 0 || self.patch_dirty {
                    return v.minor() == c.minor();
                }
                if v.minor() > 0 {
                    return false;
                }
                c.patch() == v.patch()
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v < c {
            return false;
        }
        if c.major() == 0
            && c.minor() == 0
            && c.patch() == 0
            && !self.minor_dirty
            && !self.patch_dirty
        {
            return true;
        }
        if v.major() != c.major() {
            return false;
        }
        v.minor() == c.minor() || self.minor_dirty
    }
}

/// A parsed constraint: OR groups of AND-ed comparators.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Comparator>>,
    contains_pre: Vec<bool>,
    original: String,
    /// When set, pre-release versions are considered by every group.
    pub include_prerelease: bool,
}

impl Constraints {
    /// Parses a constraint string such as `>= 1.2, < 2 || ^3.1`.
    pub fn parse(input: &str) -> Result<Self, ConstraintError> {
        let rewritten = rewrite_ranges(input);
        let mut groups = Vec::new();
        let mut contains_pre = Vec::new();
        for segment in rewritten.split("||") {
            if !VALID.is_match(segment) {
                return Err(ConstraintError::Improper {
                    constraint: input.to_string(),
                    segment: segment.trim().to_string(),
                });
            }
            let mut group = Vec::new();
            let mut has_pre = false;
            for m in FIND.find_iter(segment) {
                let comparator = Comparator::parse(m.as_str(), input)?;
                has_pre |= !comparator.con.prerelease().is_empty();
                group.push(comparator);
            }
            if group.is_empty() {
                return Err(ConstraintError::Improper {
                    constraint: input.to_string(),
                    segment: segment.trim().to_string(),
                });
            }
            groups.push(group);
            contains_pre.push(has_pre);
        }
        Ok(Constraints {
            groups,
            contains_pre,
            original: input.to_string(),
            include_prerelease: false,
        })
    }

    /// The text this constraint was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// True when `v` satisfies at least one OR group.
    pub fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .zip(&self.contains_pre)
            .any(|(group, pre)| {
                let include = self.include_prerelease || *pre;
                group.iter().all(|c| c.check(v, include))
            })
    }

    /// Parses `candidate` leniently and checks it; unparsable candidates never match.
    pub fn matches_str(&self, candidate: &str) -> bool {
        Version::parse(candidate).is_ok_and(|v| self.check(&v))
    }

    /// The highest candidate that parses and satisfies the constraint.
    pub fn latest_matching<'a, I>(&self, candidates: I) -> Option<Version>
    where
        I: IntoIterator<Item = &'a str>,
    {
        candidates
            .into_iter()
            .filter_map(|c| Version::parse(c).ok())
            .filter(|v| self.check(v))
            .max()
    }
}

impl fmt::Display for Constraints {
    /// Normalized form as Masterminds prints it: comparators joined by spaces, groups by ` || `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| format!("{}{}", c.op_text, c.orig))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&text.join(" || "))
    }
}

impl FromStr for Constraints {
    type Err = ConstraintError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constraints::parse(s)
    }
}

fn rewrite_ranges(input: &str) -> String {
    let mut out = input.to_string();
    let found: Vec<(String, String, String)> = RANGE
        .captures_iter(input)
        .filter_map(|c| {
            Some((
                c.get(0)?.as_str().to_string(),
                c.name("a")?.as_str().to_string(),
                c.name("b")?.as_str().to_string(),
            ))
        })
        .collect();
    for (whole, a, b) in found {
        out = out.replacen(&whole, &format!(">= {a}, <= {b} "), 1);
    }
    out
}

/// Sorts versions ascending by precedence.
pub fn sort(versions: &mut [Version]) {
    versions.sort();
}

/// Parses `constraint` and returns the highest of `candidates` that satisfies it.
pub fn latest_matching<'a, I>(
    constraint: &str,
    candidates: I,
) -> Result<Option<Version>, ConstraintError>
where
    I: IntoIterator<Item = &'a str>,
{
    Ok(Constraints::parse(constraint)?.latest_matching(candidates))
}

#[cfg(test)]
mod tests {
    use super::{FIND, ONE, RANGE, VALID};

    /// regex-lite reads the four patterns as `regex` does: the same matches, at the same
    /// places, with the same groups, over every string of up to four symbols from an
    /// alphabet that reaches each of their branches.
    #[test]
    fn lite_patterns_match_as_regex_does() {
        let alphabet = [
            "1", "0", "x", "*", ".", "-", "+", "v", "a", " ", ",", ">", "<", "=", "!", "~", "^",
            "||", " - ",
        ];
        let inputs = ferroflux_testsupport::strings_of(&alphabet, 4, "");
        for (lite, pattern) in [
            (&*ONE, ONE.as_str()),
            (&*FIND, FIND.as_str()),
            (&*VALID, VALID.as_str()),
            (&*RANGE, RANGE.as_str()),
        ] {
            let full = regex::Regex::new(pattern).unwrap();
            for s in &inputs {
                let lite_matches: Vec<_> = lite.find_iter(s).map(|m| m.range()).collect();
                let full_matches: Vec<_> = full.find_iter(s).map(|m| m.range()).collect();
                assert_eq!(lite_matches, full_matches, "{pattern} on {s:?}");
                let lite_groups: Vec<_> = lite
                    .captures(s)
                    .map(|c| c.iter().map(|g| g.map(|g| g.range())).collect())
                    .unwrap_or_default();
                let full_groups: Vec<_> = full
                    .captures(s)
                    .map(|c| c.iter().map(|g| g.map(|g| g.range())).collect())
                    .unwrap_or_default();
                assert_eq!(lite_groups, full_groups, "{pattern} on {s:?}");
            }
        }
    }
}
