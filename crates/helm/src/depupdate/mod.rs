//! `helm template --dependency-update` (Helm's `downloader.Manager.Update`): dependencies
//! from `file://` paths (packaged into `charts/<name>-<version>.tgz`), vendored under
//! `charts/<name>` (no repository), and, given a [`Remote`], from chart repositories (URLs,
//! `@name`/`alias:name` of Helm's repositories file) and OCI registries. `Chart.lock` is
//! written as Helm writes it, and the lines Helm prints on the way go to `out`.
//!
//! - [`remote`]: repository names, index updates and version choice for remote
//!   dependencies, behind the [`Remote`] trait.
//! - [`lock`]: the lock file's digest and YAML.

mod lock;
pub mod remote;

use crate::chart::{Chart, Dependency, load};
use crate::package;
use ferroflux_goformat::path_clean;
use ferroflux_versions::{Constraints, Version};
use lock::{hash_req, lock_digest, lock_file_name, write_lock};
use remote::RepoKind;
pub use remote::{IndexVersion, Remote};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// A dependency as the lock file pins it.
struct Locked {
    name: String,
    repository: String,
    version: String,
    kind: RepoKind,
}

/// Whether `helm template --dependency-update` would update the chart: it can be installed
/// and a dependency in `Chart.yaml` is missing from `charts/`.
pub fn needs_update(chart: &Chart) -> bool {
    matches!(chart.metadata.chart_type.as_str(), "" | "application")
        && !crate::template::missing_dependencies(chart).is_empty()
}

/// Updates `charts/` of the chart directory at `chart_path` (as given on the command line)
/// and its `Chart.lock`; `out` receives what Helm prints to standard output meanwhile.
/// Without `remote`, a dependency on a chart repository or registry is refused before
/// anything is written.
pub fn update(
    chart_path: &Path,
    remote: Option<&dyn Remote>,
    out: &mut String,
) -> Result<(), String> {
    if !chart_path.is_dir() {
        if let Err(e) = std::fs::metadata(chart_path) {
            return Err(format!("could not find {}: {e}", chart_path.display()));
        }
        return Err("only unpacked charts can be updated".into());
    }
    let chart = load(chart_path).map_err(|e| e.0)?;
    let mut reqs: Vec<Dependency> = chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .cloned()
        .collect();
    if reqs.is_empty() {
        return Ok(());
    }
    // Helm works on the absolute path (`LocateChart`), and its messages show it.
    let root = crate::chart_dir::go_abs(chart_path)
        .to_string_lossy()
        .into_owned();
    let mut kinds = resolve_repo_names(&mut reqs, &root, remote)?;
    if let Some(r) = remote {
        let unmanaged = cache_names(&reqs, &mut kinds);
        remote::update_indexes(r, &unmanaged, out);
    }
    let mut locked = resolve(&reqs, &kinds, &root, remote)?;
    download_all(&root, &mut locked, remote, out)?;
    let digest = hash_req(&reqs, &locked);
    let lock_file = Path::new(&root).join(lock_file_name(&chart));
    if lock_digest(&lock_file).as_deref() == Some(digest.as_str()) {
        return Ok(());
    }
    write_lock(&lock_file, &locked, &digest)
}

/// Helm's repository-name map (`resolveRepoNames`, then `ensureMissingRepos`), keyed by
/// the dependency's chart name (an unmanaged URL by itself): a dependency with no entry
/// under its name gets the `helm-manager-` name of its repository and is to be updated.
/// Each chart-repository dependency then reads the index its name maps to, which for two
/// dependencies of one name from different repositories is the last one's, as in Helm.
/// Returns the unmanaged repositories to update, `(cache name, URL)`.
fn cache_names(reqs: &[Dependency], kinds: &mut [RepoKind]) -> Vec<(String, String)> {
    let mut names: std::collections::HashMap<String, String> = Default::default();
    for (d, k) in reqs.iter().zip(kinds.iter()) {
        match k {
            RepoKind::Vendored => {}
            RepoKind::File | RepoKind::Oci => {
                names.insert(d.name.clone(), d.repository.clone());
            }
            RepoKind::Configured(name) => {
                names.insert(d.name.clone(), name.clone());
            }
            RepoKind::Unmanaged(_) => {
                names.insert(d.repository.clone(), d.repository.clone());
            }
        }
    }
    let mut unmanaged = Vec::new();
    for d in reqs.iter().filter(|d| !d.repository.is_empty()) {
        if names.contains_key(&d.name) {
            continue;
        }
        let name = remote::unmanaged_cache_name(&d.repository);
        names.insert(d.name.clone(), name.clone());
        unmanaged.push((name, d.repository.clone()));
    }
    for (d, k) in reqs.iter().zip(kinds.iter_mut()) {
        if let RepoKind::Configured(n) | RepoKind::Unmanaged(n) = k
            && let Some(mapped) = names.get(&d.name)
        {
            *n = mapped.clone();
        }
    }
    unmanaged
}

/// `Manager.resolveRepoNames`: `file://` paths must exist; `@name`/`alias:name` become the
/// configured repository's URL; a URL is a configured repository's or an unmanaged one;
/// anything else has no definition. Without a [`Remote`], only `file://` and vendored
/// dependencies can be updated, and others are refused here, before anything is written.
fn resolve_repo_names(
    reqs: &mut [Dependency],
    root: &str,
    remote: Option<&dyn Remote>,
) -> Result<Vec<RepoKind>, String> {
    let repos = remote.map(|r| r.repositories()).unwrap_or_default();
    let mut kinds = Vec::with_capacity(reqs.len());
    let mut undefined = Vec::new();
    for d in reqs.iter_mut() {
        let r = d.repository.clone();
        let kind = if r.is_empty() {
            RepoKind::Vendored
        } else if r.starts_with("file://") {
            local_path(&r, root)?;
            RepoKind::File
        } else if r.starts_with("oci://") {
            RepoKind::Oci
        } else if let Some(name) = remote::alias_name(&r) {
            match repos.iter().find(|(n, _)| n == name) {
                Some((n, url)) => {
                    d.repository = url.clone();
                    RepoKind::Configured(n.clone())
                }
                None => {
                    undefined.push(r.clone());
                    RepoKind::Vendored
                }
            }
        } else if let Some(name) = remote::configured_name(&repos, &r) {
            RepoKind::Configured(name)
        } else if is_request_uri(&r) {
            RepoKind::Unmanaged(remote::unmanaged_cache_name(&r))
        } else {
            undefined.push(r.clone());
            RepoKind::Vendored
        };
        kinds.push(kind);
    }
    if !undefined.is_empty() {
        let names: Vec<&str> = undefined.iter().map(String::as_str).collect();
        return Err(remote::missing_definition(&names));
    }
    if remote.is_none()
        && let Some(d) = reqs
            .iter()
            .zip(&kinds)
            .find(|(_, k)| !matches!(k, RepoKind::Vendored | RepoKind::File))
            .map(|(d, _)| d)
    {
        return Err(format!(
            "dependency {:?} comes from {:?}: only dependencies with a file:// repository or vendored under charts/ can be updated here",
            d.name, d.repository
        ));
    }
    Ok(kinds)
}

/// Whether Go's `url.ParseRequestURI` takes the text: an absolute path or a URI with a scheme.
fn is_request_uri(r: &str) -> bool {
    if r.starts_with('/') {
        return true;
    }
    let Some((scheme, _)) = r.split_once(':') else {
        return false;
    };
    let mut cs = scheme.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `resolver.GetLocalPath`: a `file://` reference or `charts/<name>`, joined to the chart's
/// path as Go's `filepath.Join` joins (cleaned), which must exist.
fn local_path(reference: &str, chart_path: &str) -> Result<String, String> {
    let p = reference.trim_start_matches("file://");
    let joined = if p.starts_with('/') {
        path_clean(p)
    } else {
        path_clean(&format!("{chart_path}/{p}"))
    };
    if !Path::new(&joined).exists() {
        return Err(format!("directory {joined} not found"));
    }
    Ok(joined)
}

/// `semver.NewConstraint`, refused in Masterminds' words (v3.4 quotes the constraint).
fn constraint(name: &str, version: &str, quote_name: bool) -> Result<Constraints, String> {
    Constraints::parse(version).map_err(|_| {
        let name = if quote_name {
            ferroflux_gotemplate::fmt::go_quote(name)
        } else {
            name.to_owned()
        };
        format!(
            "dependency {name} has an invalid version/constraint format: improper constraint: {}",
            ferroflux_gotemplate::fmt::go_quote(version)
        )
    })
}

/// `Resolver.Resolve`: each dependency pinned to a version, local ones to the version on
/// disk, remote ones to what their repository offers.
fn resolve(
    reqs: &[Dependency],
    kinds: &[RepoKind],
    root: &str,
    remote: Option<&dyn Remote>,
) -> Result<Vec<Locked>, String> {
    let mut locked = Vec::with_capacity(reqs.len());
    let mut missing = Vec::new();
    for (d, kind) in reqs.iter().zip(kinds) {
        let c = constraint(&d.name, &d.version, true)?;
        let lock = |version: String| Locked {
            name: d.name.clone(),
            repository: d.repository.clone(),
            version,
            kind: kind.clone(),
        };
        let version = match (kind, remote) {
            (RepoKind::Vendored, _) => {
                local_path(&format!("charts/{}", d.name), root)?;
                Some(d.version.clone())
            }
            (RepoKind::File, _) => {
                let path = local_path(&d.repository, root)?;
                let ch = load(Path::new(&path)).map_err(|e| e.0)?;
                let v = Version::parse(&ch.metadata.version).map_err(|e| e.to_string())?;
                c.check(&v).then(|| ch.metadata.version.clone())
            }
            (RepoKind::Oci, Some(r)) => Some(remote::resolve_oci(
                r,
                &d.repository,
                &d.name,
                &d.version,
                &c,
            )?),
            (RepoKind::Configured(name) | RepoKind::Unmanaged(name), Some(r)) => {
                remote::resolve_http(r, name, &d.repository, &d.name, &c)?
            }
            (_, None) => unreachable!("refused by resolve_repo_names"),
        };
        match version {
            Some(v) => locked.push(lock(v)),
            None => missing.push(format!(
                "{:?} (repository {:?}, version {:?})",
                d.name, d.repository, d.version
            )),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
            missing.len(),
            missing.join(", ")
        ));
    }
    Ok(locked)
}

/// `Manager.downloadAll` and `safeMoveDeps`: archives are written to `tmpcharts-<pid>` in
/// the chart, moved into `charts/` when every one was made, and archives in `charts/` that
/// none of them replaced are deleted (but not those of charts vendored without a repository).
fn download_all(
    root: &str,
    locked: &mut [Locked],
    remote: Option<&dyn Remote>,
    out: &mut String,
) -> Result<(), String> {
    // Helm loads every configured repository's cached index first.
    if let Some(r) = remote {
        for (name, _) in r.repositories() {
            r.cached_versions(&name, "")?;
        }
    }
    let dest = Path::new(root).join("charts");
    match std::fs::metadata(&dest) {
        Ok(m) if !m.is_dir() => {
            return Err(format!(
                "{:?} is not a directory",
                dest.display().to_string()
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
        }
        Err(e) => {
            return Err(format!(
                "unable to retrieve file info for '{}': {e}",
                dest.display()
            ));
        }
    }
    let tmp = Path::new(root).join(format!("tmpcharts-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let result = package_all(root, &dest, &tmp, locked, remote, out);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn package_all(
    root: &str,
    dest: &Path,
    tmp: &Path,
    locked: &mut [Locked],
    remote: Option<&dyn Remote>,
    out: &mut String,
) -> Result<(), String> {
    let _ = writeln!(out, "Saving {} charts", locked.len());
    let mut save_error = None;
    let mut fetched = BTreeSet::new();
    for d in locked.iter_mut() {
        if let (Some(r), RepoKind::Oci | RepoKind::Configured(_) | RepoKind::Unmanaged(_)) =
            (remote, &d.kind)
        {
            if let Err(e) = download_remote(r, d, tmp, &mut fetched, out) {
                save_error = Some(e);
                break;
            }
            continue;
        }
        if d.kind == RepoKind::Vendored {
            let _ = writeln!(
                out,
                "Dependency {} did not declare a repository. Assuming it exists in the charts directory",
                d.name
            );
            let path = dest.join(&d.name);
            let ch = load(&path)
                .map_err(|e| format!("unable to load chart '{}': {}", path.display(), e.0))?;
            let c = constraint(&d.name, &d.version, false)?;
            let v = Version::parse(&ch.metadata.version).map_err(|e| {
                format!(
                    "invalid version {} for dependency {}: {e}",
                    d.version, d.name
                )
            })?;
            if !c.check(&v) {
                save_error = Some(format!(
                    "dependency {} at version {} does not satisfy the constraint {}",
                    d.name, ch.metadata.version, d.version
                ));
                break;
            }
            continue;
        }
        match package_local(root, d, tmp) {
            Ok(version) => d.version = version,
            Err(e) => {
                save_error = Some(e);
                break;
            }
        }
    }
    if let Some(e) = save_error {
        let _ = writeln!(out, "Save error occurred:  {e}");
        return Err(e);
    }
    move_archives(locked, tmp, dest, out)
}

/// A chart from a repository or registry saved in `tmp` under Helm's file name (the chart
/// URL's, or `<name>-<version>.tgz` from a registry); one URL is fetched once.
fn download_remote(
    r: &dyn Remote,
    d: &Locked,
    tmp: &Path,
    fetched: &mut BTreeSet<String>,
    out: &mut String,
) -> Result<(), String> {
    let (url, file) = match &d.kind {
        RepoKind::Oci => (
            format!("{}/{}:{}", d.repository, d.name, d.version),
            format!("{}-{}.tgz", d.name, d.version),
        ),
        RepoKind::Configured(cache) | RepoKind::Unmanaged(cache) => {
            let url = chart_url(r, cache, d)
                .map_err(|e| format!("could not find {}: {e}", d.repository))?;
            let file = url_file_name(&url)?;
            (url, file)
        }
        _ => unreachable!("local dependencies are not downloaded"),
    };
    if !fetched.insert(url.clone()) {
        let _ = writeln!(
            out,
            "Already downloaded {} from repo {}",
            d.name, d.repository
        );
        return Ok(());
    }
    let _ = writeln!(out, "Downloading {} from repo {}", d.name, d.repository);
    let dest = tmp.join(&file);
    match d.kind {
        RepoKind::Oci => {
            let reference = format!("{}/{}", d.repository, d.name);
            r.pull(&reference, &d.version, &dest)
                .map_err(|e| format!("could not download {reference}: {e}"))
        }
        _ => r
            .download(&url, &dest)
            .map_err(|e| format!("could not download {url}: {e}")),
    }
}

/// Go's `filepath.Base` of a URL's decoded path: the name Helm saves a download under.
/// Names that would not be a file of `charts/` are refused.
fn url_file_name(url: &str) -> Result<String, String> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |i| &after_scheme[i..])
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let name = ferroflux_gotemplate::funcs::encoding::url_unescape(last);
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(format!("chart URL {url:?} names no file"));
    }
    Ok(name)
}

/// The URL of a locked version in its repository's cached index (`findChartURL`).
/// A repository of no configuration is asked again (Helm's `FindChartInRepoURL` downloads
/// its index once more).
fn chart_url(r: &dyn Remote, cache: &str, d: &Locked) -> Result<String, String> {
    if matches!(d.kind, RepoKind::Unmanaged(_)) {
        return r.find_in_repo_url(&d.repository, &d.name, &d.version);
    }
    let versions = r
        .cached_versions(cache, &d.name)?
        .ok_or_else(|| format!("{} chart not found in repo {}", d.name, d.repository))?;
    let wanted = Version::parse(&d.version).ok();
    let found = versions.iter().filter(|v| !v.urls.is_empty()).find(|v| {
        match (&wanted, Version::parse(&v.version)) {
            (Some(w), Ok(p)) => *w == p,
            _ => v.version == d.version,
        }
    });
    let v = found.ok_or_else(|| {
        format!(
            "chart {:?} version {:?} not found in repo {}",
            d.name, d.version, d.repository
        )
    })?;
    r.resolve_url(&d.repository, &v.urls[0])
}

/// `tarFromLocalDir`: the chart at the `file://` path saved as an archive in `tmp`.
fn package_local(root: &str, d: &Locked, tmp: &Path) -> Result<String, String> {
    let path = local_path(&d.repository, root)?;
    let ch = load(Path::new(&path)).map_err(|e| e.0)?;
    let file = tmp.join(package::archive_name(&ch.metadata));
    let f = std::fs::File::create(&file).map_err(|e| e.to_string())?;
    package::save(&ch, std::io::BufWriter::new(f)).map_err(|e| e.to_string())?;
    Ok(ch.metadata.version.clone())
}

fn move_archives(
    locked: &[Locked],
    tmp: &Path,
    dest: &Path,
    out: &mut String,
) -> Result<(), String> {
    let vendored: BTreeSet<&str> = locked
        .iter()
        .filter(|d| d.repository.is_empty())
        .map(|d| d.name.as_str())
        .collect();
    let made = plain_files(tmp)?;
    let before = plain_files(dest)?;
    for f in &made {
        std::fs::rename(tmp.join(f), dest.join(f)).map_err(|e| e.to_string())?;
    }
    let _ = writeln!(out, "Deleting outdated charts");
    for f in before.iter().filter(|f| !made.contains(*f)) {
        let path = dest.join(f);
        let name = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|data| crate::load_archive(&data).map_err(|e| e.0));
        match name {
            Err(e) => {
                let _ = writeln!(
                    out,
                    "Could not verify {} for deletion: {e} (Skipping)",
                    path.display()
                );
            }
            Ok(ch) if vendored.contains(ch.name()) => {}
            Ok(_) => {
                if let Err(e) = std::fs::remove_file(&path) {
                    let _ = write!(out, "Could not delete {}: {e} (Skipping)", path.display());
                }
            }
        }
    }
    Ok(())
}

/// The names of the files (not directories) in `dir`.
fn plain_files(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    for e in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let e = e.map_err(|e| e.to_string())?;
        if !e.file_type().map_err(|e| e.to_string())?.is_dir() {
            names.insert(e.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_as_go_names_them() {
        assert_eq!(
            url_file_name("http://h/c/a-1.0.0.tgz").unwrap(),
            "a-1.0.0.tgz"
        );
        assert_eq!(
            url_file_name("http://h/c/a%20b.tgz?x=1").unwrap(),
            "a b.tgz"
        );
        assert_eq!(url_file_name("http://h/c/dir/").unwrap(), "dir");
        assert_eq!(url_file_name("http://h/c/a%2").unwrap(), "a%2");
        assert!(url_file_name("http://h/").is_err());
        assert!(url_file_name("http://h/c/..").is_err());
        assert!(url_file_name("http://h/c/a%2Fb").is_err());
    }
}
