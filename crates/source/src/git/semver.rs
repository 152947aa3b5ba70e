//! `spec.ref.semver`: the highest tag that parses as a version and satisfies the range, with
//! Masterminds' rules (a `v` prefix is fine; pre-releases match only ranges that mention one).

use super::reference::ResolveError;
use ferroflux_versions::{Constraints, Version};

/// The tag (as named in the remote) of the highest version in `tags` satisfying `range`.
pub fn highest_tag<'a>(range: &str, tags: &[&'a str]) -> Result<&'a str, ResolveError> {
    let constraints = Constraints::parse(range).map_err(|e| ResolveError::BadRange {
        range: range.to_string(),
        reason: e.to_string(),
    })?;
    let mut best: Option<(Version, &'a str)> = None;
    for tag in tags {
        let Ok(version) = Version::parse(tag) else {
            continue;
        };
        if !constraints.check(&version) {
            continue;
        }
        let better = match &best {
            Some((current, _)) => version.compare(current).is_gt(),
            None => true,
        };
        if better {
            best = Some((version, tag));
        }
    }
    best.map(|(_, tag)| tag)
        .ok_or_else(|| ResolveError::NoSemverMatch {
            range: range.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::highest_tag;

    const TAGS: &[&str] = &[
        "v0.1.0",
        "v1.0.0",
        "v1.2.0",
        "v1.10.0",
        "1.11.0-rc.1",
        "v2.0.0-alpha",
        "latest",
        "v1.2",
    ];

    #[test]
    fn highest_satisfying_tag_wins() {
        assert_eq!(highest_tag(">=1.0.0 <2.0.0", TAGS).unwrap(), "v1.10.0");
        assert_eq!(highest_tag("~1.2", TAGS).unwrap(), "v1.2.0");
        assert_eq!(highest_tag("*", TAGS).unwrap(), "v1.10.0");
    }

    #[test]
    fn prereleases_only_for_ranges_that_name_one() {
        assert_eq!(highest_tag(">=1.11.0-rc.0", TAGS).unwrap(), "v2.0.0-alpha");
        assert_eq!(highest_tag("1.11.0-rc.1", TAGS).unwrap(), "1.11.0-rc.1");
    }

    #[test]
    fn no_match_and_bad_range_are_errors() {
        let none = highest_tag(">=3.0.0", TAGS).unwrap_err();
        assert_eq!(none.to_string(), "no tag matches semver range '>=3.0.0'");
        let bad = highest_tag(">=>1", TAGS).unwrap_err();
        assert!(
            bad.to_string().starts_with("invalid semver range '>=>1'"),
            "{bad}"
        );
    }
}
