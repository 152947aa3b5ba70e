//! Dependencies on chart repositories and registries (Helm's `resolveRepoNames`,
//! `ensureMissingRepos`, `UpdateRepositories` and the resolver's repository branches). The
//! network and the index format live outside this crate, behind [`Remote`]; the order of
//! the steps, their messages and the choice of versions are Helm's and live here.

use ferroflux_versions::{Constraints, Version};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// A version of a chart in a repository index, newest first as Helm sorts them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexVersion {
    pub version: String,
    pub urls: Vec<String>,
}

/// What `--dependency-update` needs from the outside world for dependencies that are not
/// on disk. Implemented by the command line (which owns HTTP, OCI and the index format).
pub trait Remote {
    /// Helm's configured repositories, `(name, url)`, in the repositories file's order.
    fn repositories(&self) -> Vec<(String, String)>;
    /// Downloads the index of `url` into the repository cache as `<cache_name>-index.yaml`
    /// (and `<cache_name>-charts.txt`), with the credentials of the configured repository
    /// `cache_name` names, if any.
    fn update_index(&self, cache_name: &str, url: &str) -> Result<(), String>;
    /// The versions of `chart` in the cached index `<cache_name>-index.yaml`: `Ok(None)`
    /// when the index has no such chart; `Err` (Helm's `open …: no such file or
    /// directory` and the like) when the index cannot be read.
    fn cached_versions(
        &self,
        cache_name: &str,
        chart: &str,
    ) -> Result<Option<Vec<IndexVersion>>, String>;
    /// The tags of the OCI repository `reference` (`host/path/chart`).
    fn oci_tags(&self, reference: &str) -> Result<Vec<String>, String>;
    /// Downloads the chart at `url` (HTTP) into the file `dest`.
    fn download(&self, url: &str, dest: &std::path::Path) -> Result<(), String>;
    /// Pulls `oci://host/path/chart` at `version` (a version, or a constraint matched
    /// over the tags) into the file `dest`, printing Helm's `Pulled:` lines.
    fn pull(&self, reference: &str, version: &str, dest: &std::path::Path) -> Result<(), String>;
    /// Helm's `FindChartInRepoURL`: the index of `repo` downloaded (no credentials), and
    /// the URL of `chart` at `version` in it.
    fn find_in_repo_url(&self, repo: &str, chart: &str, version: &str) -> Result<String, String>;
    /// Helm's `ResolveReferenceURL`: a chart URL of an index, relative or absolute,
    /// against its repository's URL.
    fn resolve_url(&self, repo: &str, reference: &str) -> Result<String, String>;
}

/// Where a dependency's repository string leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoKind {
    /// No repository: vendored under `charts/`.
    Vendored,
    File,
    Oci,
    /// A repository of the repositories file, by its cache name.
    Configured(String),
    /// A URL of no configured repository: cached as `helm-manager-<sha256 of the URL>`.
    Unmanaged(String),
}

/// Helm's `urlutil.Equal`: the URLs parse alike once an empty path is `/` and paths are
/// cleaned (a trailing slash does not count).
pub fn urls_equal(a: &str, b: &str) -> bool {
    let norm = |u: &str| -> Option<String> {
        let (scheme, rest) = u.split_once("://")?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let clean = ferroflux_goformat::path_clean(if path.is_empty() { "/" } else { path });
        Some(format!(
            "{}://{host}{clean}?{}",
            scheme.to_ascii_lowercase(),
            query.unwrap_or("")
        ))
    };
    match (norm(a), norm(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The cache name Helm gives a repository URL no configured repository has.
pub fn unmanaged_cache_name(url: &str) -> String {
    let mut name = String::from("helm-manager-");
    for b in Sha256::digest(url.as_bytes()) {
        let _ = write!(name, "{b:02x}");
    }
    name
}

/// The configured repository `url` is (by Helm's URL equality), by name.
pub fn configured_name(repos: &[(String, String)], url: &str) -> Option<String> {
    repos
        .iter()
        .find(|(_, u)| urls_equal(u, url))
        .map(|(n, _)| n.clone())
}

/// `@name` or `alias:name`: the repository name referred to.
pub fn alias_name(repo: &str) -> Option<&str> {
    repo.strip_prefix('@')
        .or_else(|| repo.strip_prefix("alias:"))
}

/// Helm's message for repository strings that name nothing configured.
pub fn missing_definition(missing: &[&str]) -> String {
    let mut msg = format!(
        "no repository definition for {}. Please add them via 'helm repo add'",
        missing.join(", ")
    );
    if missing
        .iter()
        .any(|m| !m.contains("//") && alias_name(m).is_none())
    {
        msg.push_str(
            "\nNote that repositories must be URLs or aliases. For example, to refer to the \"example\"\n\
             repository, use \"https://charts.example.com/\" or \"@example\" instead of\n\
             \"example\". Don't forget to add the repo, too ('helm repo add').",
        );
    }
    msg
}

/// `ensureMissingRepos` and `UpdateRepositories`: the unmanaged URLs' indexes, then every
/// configured repository's, with the lines Helm prints. Failures are reported, not fatal
/// (a stale or missing cached index surfaces later).
pub fn update_indexes(remote: &dyn Remote, unmanaged: &[(String, String)], out: &mut String) {
    if !unmanaged.is_empty() {
        let _ = writeln!(out, "Getting updates for unmanaged Helm repositories...");
        // One download per URL (a trailing slash aside); the last spelling wins.
        let mut seen: Vec<(String, &str, &str)> = Vec::new();
        for (name, url) in unmanaged {
            let key = url.trim_end_matches('/').to_string();
            match seen.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => *entry = (key, name, url),
                None => seen.push((key, name, url)),
            }
        }
        for (_, name, url) in seen {
            // Helm names an unmanaged repository by its URL.
            report_update(out, remote.update_index(name, url), url, "");
        }
    }
    let repos = remote.repositories();
    if repos.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Hang tight while we grab the latest from your chart repositories..."
    );
    for (name, url) in &repos {
        report_update(
            out,
            remote.update_index(name, url),
            name,
            &format!(" ({url})"),
        );
    }
    let _ = writeln!(out, "Update Complete. ⎈Happy Helming!⎈");
}

/// Helm's line for one repository's index update: `shown` quoted, and on failure `detail`
/// then the cause on a line of its own.
fn report_update(out: &mut String, result: Result<(), String>, shown: &str, detail: &str) {
    let _ = match result {
        Ok(()) => writeln!(
            out,
            "...Successfully got an update from the {shown:?} chart repository"
        ),
        Err(e) => writeln!(
            out,
            "...Unable to get an update from the {shown:?} chart repository{detail}:\n\t{e}"
        ),
    };
}

/// The version a chart repository offers for `constraint`: the first (newest) that parses,
/// has a URL and satisfies it. `Ok(None)`: none does.
pub fn resolve_http(
    remote: &dyn Remote,
    cache_name: &str,
    repo: &str,
    chart: &str,
    constraint: &Constraints,
) -> Result<Option<String>, String> {
    let versions = remote.cached_versions(cache_name, chart).map_err(|e| {
        format!("no cached repository for {cache_name} found. (try 'helm repo update'): {e}")
    })?;
    let Some(versions) = versions else {
        return Err(format!("{chart} chart not found in repo {repo}"));
    };
    Ok(versions
        .into_iter()
        .filter(|v| !v.urls.is_empty())
        .find(|v| Version::parse(&v.version).is_ok_and(|p| constraint.check(&p)))
        .map(|v| v.version))
}

/// The tag a registry offers for `version`: a version that parses is taken as the tag;
/// otherwise the highest strict-semver tag (`_` read as `+`) in the constraint. When none
/// matches, the constraint itself is kept, and the download fails on it, as in Helm.
pub fn resolve_oci(
    remote: &dyn Remote,
    repo: &str,
    chart: &str,
    version: &str,
    constraint: &Constraints,
) -> Result<String, String> {
    if Version::parse(version).is_ok() {
        return Ok(version.to_string());
    }
    let reference = format!("{}/{chart}", repo.trim_start_matches("oci://"));
    let tags = remote
        .oci_tags(&reference)
        .map_err(|e| format!("could not retrieve list of tags for repository {repo}: {e}"))?;
    Ok(crate::ocitags::semver_tags(tags)
        .into_iter()
        .find(|t| Version::parse(t).is_ok_and(|v| constraint.check(&v)))
        .unwrap_or_else(|| version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_compare_as_helm_compares_them() {
        assert!(urls_equal("http://h/charts", "http://h/charts/"));
        assert!(urls_equal("http://h", "http://h/"));
        assert!(!urls_equal("http://h/a", "http://h/b"));
        assert!(!urls_equal("http://h:1/a", "http://h:2/a"));
    }

    #[test]
    fn unmanaged_repositories_are_named_by_their_url() {
        assert_eq!(
            unmanaged_cache_name("http://127.0.0.1:1/charts"),
            "helm-manager-482230cd11890d13bcfe3afbf83e040560e3d70ce55fe44dc7755e68e3a83621"
        );
    }

    #[test]
    fn missing_definitions_explain_bare_names() {
        assert_eq!(
            missing_definition(&["@x"]),
            "no repository definition for @x. Please add them via 'helm repo add'"
        );
        assert!(missing_definition(&["stable"]).contains("\nNote that repositories must be"));
    }
}
