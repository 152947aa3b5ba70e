//! Helm's rules for chart versions kept as OCI tags (its registry client's `Tags` and
//! `GetTagMatchingVersionOrConstraint`): tags cannot hold `+`, so `_` stands for it, and
//! only strict semantic versions count as chart versions.

use ferroflux_versions::{Constraints, Version};

/// The tags that are chart versions (`_` read as `+`; three numeric parts, no `v`),
/// highest first.
pub fn semver_tags(tags: Vec<String>) -> Vec<String> {
    let mut versions: Vec<(Version, String)> = tags
        .into_iter()
        .map(|t| t.replace('_', "+"))
        .filter(|t| is_strict(t))
        .filter_map(|t| Version::parse(&t).ok().map(|v| (v, t)))
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, t)| t).collect()
}

/// Masterminds' `StrictNewVersion` shape: three numeric parts without leading zeros, and
/// no `v`.
fn is_strict(t: &str) -> bool {
    let core = t.split(['-', '+']).next().unwrap_or(t);
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

/// `GetTagMatchingVersionOrConstraint` over [`semver_tags`]: the tag equal to `version`,
/// else the first (highest) in the constraint (empty: `*`, no pre-releases).
pub fn matching_tag(tags: &[String], version: &str) -> Result<String, String> {
    if !version.is_empty()
        && let Some(t) = tags.iter().find(|t| *t == version)
    {
        return Ok(t.clone());
    }
    let range = if version.is_empty() { "*" } else { version };
    let constraint = Constraints::parse(range).map_err(|e| e.masterminds_message())?;
    tags.iter()
        .find(|t| Version::parse(t).is_ok_and(|v| constraint.check(&v)))
        .cloned()
        .ok_or_else(|| {
            format!("could not locate a version matching provided version string {version}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_chosen_as_helm_chooses_them() {
        let tags = semver_tags(
            [
                "1.0.0",
                "01.2.3",
                "v2.0.0",
                "3.0",
                "latest",
                "1.1.0-rc.1",
                "1.2.0_build.1",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert_eq!(tags, ["1.2.0+build.1", "1.1.0-rc.1", "1.0.0"]);
        assert_eq!(matching_tag(&tags, "").unwrap(), "1.2.0+build.1");
        assert_eq!(matching_tag(&tags, "~1.0").unwrap(), "1.0.0");
        assert_eq!(matching_tag(&tags, ">0.0.0-0").unwrap(), "1.2.0+build.1");
        assert_eq!(
            matching_tag(&tags, ">5").unwrap_err(),
            "could not locate a version matching provided version string >5"
        );
        assert_eq!(
            matching_tag(&tags, "latest").unwrap_err(),
            "improper constraint: \"latest\""
        );
    }
}
