//! Lenient semantic versions, parsed and ordered the way Masterminds semver v3 does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string is empty.
    #[error("invalid semantic version \"\": empty string")]
    Empty,
    /// The string does not have the shape `[v]MAJOR[.MINOR[.PATCH]][-PRE][+META]`.
    #[error("invalid semantic version {0:?}")]
    Invalid(String),
    /// A number does not fit in 64 bits.
    #[error("invalid semantic version {0:?}: number out of range")]
    Overflow(String),
    /// A numeric pre-release identifier with a leading zero (`1.2.3-01`): Masterminds'
    /// `ErrSegmentStartsZero`.
    #[error("invalid semantic version {0:?}: version segment starts with 0")]
    SegmentStartsZero(String),
}

/// A semantic version. `1`, `v1.2` and `1.2.3-rc.1+build` are all accepted; missing
/// minor and patch numbers are zero. The original text is kept for display.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// Parses leniently: an optional leading `v`, minor and patch optional.
    ///
    /// The grammar is Masterminds' `^v?N(\.N)?(\.N)?(-PRE)?(\+META)?$` with ASCII digits
    /// (Go's `\d`): numbers may have leading zeros (v3.4's `CoerceNewVersion`, on by default:
    /// `01.2.3` is 1.2.3), pre-release identifiers are numeric without
    /// a leading zero or contain a letter or hyphen, metadata identifiers are any non-empty
    /// run of letters, digits and hyphens. Written out by hand because compiling that regex
    /// cost more than a whole small chart's render.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        if s.is_empty() {
            return Err(VersionError::Empty);
        }
        let invalid = || VersionError::Invalid(s.to_string());
        let rest = s.strip_prefix('v').unwrap_or(s);
        let (core, metadata) = match rest.split_once('+') {
            Some((c, m)) => (c, Some(m)),
            None => (rest, None),
        };
        let (numbers, pre) = match core.split_once('-') {
            Some((n, p)) => (n, Some(p)),
            None => (core, None),
        };
        let mut parts = [0u64; 3];
        for (i, part) in numbers.split('.').enumerate() {
            if i == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            parts[i] = part
                .parse::<u64>()
                .map_err(|_| VersionError::Overflow(s.to_string()))?;
        }
        // The shape first (Masterminds' loose pattern), then the pre-release's numbers.
        let identifiers_ok = |t: &str| {
            t.split('.')
                .all(|i| !i.is_empty() && i.bytes().all(is_identifier_byte))
        };
        if pre.is_some_and(|p| !identifiers_ok(p)) || metadata.is_some_and(|m| !identifiers_ok(m)) {
            return Err(invalid());
        }
        if let Some(p) = pre
            && !p.split('.').all(is_prerelease_identifier)
        {
            return Err(VersionError::SegmentStartsZero(s.to_string()));
        }
        Ok(Version {
            major: parts[0],
            minor: parts[1],
            patch: parts[2],
            pre: pre.unwrap_or_default().to_string(),
            metadata: metadata.unwrap_or_default().to_string(),
            original: s.to_string(),
        })
    }

    /// Builds `major.minor.patch` with no pre-release or metadata.
    pub fn new(major: u64, minor: u64, patch: u64) -> Self {
        Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original: format!("{major}.{minor}.{patch}"),
        }
    }

    /// Major number.
    pub fn major(&self) -> u64 {
        self.major
    }
    /// Minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }
    /// Patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }
    /// Pre-release part without the `-`, empty when none.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }
    /// Build metadata without the `+`, empty when none.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }
    /// The text the version was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Orders by precedence (semver 2 §11); metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

/// `0|[1-9][0-9]*`.
fn is_number(s: &str) -> bool {
    match s.as_bytes() {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        b => b.iter().all(u8::is_ascii_digit),
    }
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*`.
fn is_prerelease_identifier(s: &str) -> bool {
    if s.is_empty() || !s.bytes().all(is_identifier_byte) {
        return false;
    }
    !s.bytes().all(|b| b.is_ascii_digit()) || is_number(s)
}

/// Compares two pre-release strings; an empty one (a release) sorts last.
pub(crate) fn compare_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = compare_identifier(x, y);
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

fn compare_identifier(x: &str, y: &str) -> Ordering {
    let xn = x
        .parse::<u64>()
        .ok()
        .filter(|_| x.bytes().all(|b| b.is_ascii_digit()));
    let yn = y
        .parse::<u64>()
        .ok()
        .filter(|_| y.bytes().all(|b| b.is_ascii_digit()));
    match (xn, yn) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => x.cmp(y),
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Ordering::Equal
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare(other)
    }
}

impl fmt::Display for Version {
    /// Canonical form `MAJOR.MINOR.PATCH[-PRE][+META]` (no leading `v`), as Masterminds' `String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn lenient_parsing() {
        assert_eq!(v("1").to_string(), "1.0.0");
        assert_eq!(v("v1.2").to_string(), "1.2.0");
        assert_eq!(
            v("1.2.3-beta.1+build.5").to_string(),
            "1.2.3-beta.1+build.5"
        );
        assert_eq!(v("v1.2.3").original(), "v1.2.3");
        assert_eq!(v("1.2.3-alpha").prerelease(), "alpha");
        assert_eq!(v("1.2.3+meta").metadata(), "meta");
        // helm v4.3.1: `semver "v01.002.0003"` prints 1.2.3 and keeps the original.
        assert_eq!(v("v01.002.0003").to_string(), "1.2.3");
        assert_eq!(v("v01.002.0003").original(), "v01.002.0003");
    }

    #[test]
    fn invalid_versions() {
        for bad in [
            "", "a", "1.2.3.4", "1.2.3-01", "1.2.3-", "1.2.3+", "x", "1.x", " 1.2", "V1.2.3",
            "1.2.3 ",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should fail");
        }
        assert!(matches!(
            Version::parse("99999999999999999999"),
            Err(VersionError::Overflow(_))
        ));
        assert!(matches!(
            Version::parse("1.2.3-alpha.01"),
            Err(VersionError::SegmentStartsZero(_))
        ));
        assert!(matches!(
            Version::parse("1.2.3-01+a..b"),
            Err(VersionError::Invalid(_))
        ));
    }

    /// The hand-written parser accepts exactly what Masterminds' pattern (ASCII digits, as
    /// Go's `\d`) accepts, over every string of up to five symbols from an alphabet that
    /// covers each branch, and a list of longer shapes.
    #[test]
    fn parser_agrees_with_the_pattern() {
        let re = regex::Regex::new(
            r"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
        )
        .unwrap();
        let alphabet = ["0", "1", "9", ".", "-", "+", "v", "a", "Z", " ", "\u{661}"];
        let mut inputs = ferroflux_testsupport::strings_of(&alphabet, 5, "");
        inputs.extend(
            [
                "1.2.3-rc.1+build.5",
                "v10.20.30-alpha-beta.0.x-y+001.a-b",
                "1.2.3-0a.00a.a0",
                "1.2.3-00",
                "1.2.3+0.00.-",
                "1.2.3-a..b",
                "1.2.3+a..b",
                "1.2.3-a+b+c",
                "18446744073709551615.0.1",
            ]
            .map(String::from),
        );
        for input in &inputs {
            let want = re.captures(input);
            match (Version::parse(input), want) {
                (Ok(got), Some(c)) => {
                    let part = |i: usize| c.get(i).map_or("", |m| m.as_str());
                    let num = |i: usize| part(i).parse::<u64>().unwrap_or(0);
                    assert_eq!(
                        (
                            got.major,
                            got.minor,
                            got.patch,
                            got.prerelease(),
                            got.metadata()
                        ),
                        (num(1), num(2), num(3), part(4), part(5)),
                        "{input:?}"
                    );
                }
                (Err(_), None) => {}
                (got, want) => panic!("{input:?}: parsed {got:?}, pattern matched {want:?}"),
            }
        }
    }

    #[test]
    fn ordering() {
        let mut list: Vec<Version> = [
            "1.0.0",
            "1.0.0-rc.1",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "0.9",
            "2",
            "1.10.0",
            "1.2.0",
        ]
        .iter()
        .map(|s| v(s))
        .collect();
        list.sort();
        let got: Vec<String> = list.iter().map(|x| x.to_string()).collect();
        assert_eq!(
            got,
            [
                "0.9.0",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.2.0",
                "1.10.0",
                "2.0.0",
            ]
        );
        assert_eq!(v("1.2.3+a"), v("1.2.3+b"));
        assert_eq!(v("v1.2"), v("1.2.0"));
    }
}
