//! `helm template --dependency-update` (Helm's `downloader.Manager.Update`) for the
//! dependencies a machine without chart repositories can satisfy: `file://` paths, packaged
//! into `charts/<name>-<version>.tgz`, and charts vendored under `charts/<name>` (no
//! repository). `Chart.lock` is written as Helm writes it, and the lines Helm prints on the
//! way go to `out`. A dependency on a chart repository or registry is refused before anything
//! is written.

use crate::chart::{Chart, Dependency, load};
use crate::package;
use ferroflux_goformat::{path_clean, write_json_string};
use ferroflux_gotemplate::Value;
use ferroflux_versions::{Constraints, Version};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// A dependency as the lock file pins it.
struct Locked {
    name: String,
    repository: String,
    version: String,
}

/// Whether `helm template --dependency-update` would update the chart: it can be installed
/// and a dependency in `Chart.yaml` is missing from `charts/`.
pub fn needs_update(chart: &Chart) -> bool {
    matches!(chart.metadata.chart_type.as_str(), "" | "application")
        && !crate::template::missing_dependencies(chart).is_empty()
}

/// Updates `charts/` of the chart directory at `chart_path` (as given on the command line)
/// and its `Chart.lock`; `out` receives what Helm prints to standard output meanwhile.
pub fn update(chart_path: &Path, out: &mut String) -> Result<(), String> {
    if !chart_path.is_dir() {
        if let Err(e) = std::fs::metadata(chart_path) {
            return Err(format!("could not find {}: {e}", chart_path.display()));
        }
        return Err("only unpacked charts can be updated".into());
    }
    let chart = load(chart_path).map_err(|e| e.0)?;
    let reqs: Vec<Dependency> = chart
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
    check_repositories(&reqs, &root)?;
    let mut locked = resolve(&reqs, &root)?;
    download_all(&root, &mut locked, out)?;
    let digest = hash_req(&reqs, &locked);
    let lock_file = Path::new(&root).join(lock_file_name(&chart));
    if lock_digest(&lock_file).as_deref() == Some(digest.as_str()) {
        return Ok(());
    }
    write_lock(&lock_file, &locked, &digest)
}

/// `Manager.resolveRepoNames` without configured repositories: `file://` paths must exist,
/// and a name that is no URL (`@repo`) has no definition. A dependency from a chart
/// repository or registry cannot be fetched here and is refused before anything is written.
fn check_repositories(reqs: &[Dependency], root: &str) -> Result<(), String> {
    let mut undefined = Vec::new();
    for d in reqs {
        let r = d.repository.as_str();
        if r.is_empty() {
            continue;
        }
        if r.starts_with("file://") {
            local_path(r, root)?;
        } else if !is_request_uri(r) {
            undefined.push(r);
        }
    }
    if !undefined.is_empty() {
        return Err(format!(
            "no repository definition for {}. Please add them via 'helm repo add'",
            undefined.join(", ")
        ));
    }
    if let Some(d) = reqs
        .iter()
        .find(|d| !d.repository.is_empty() && !d.repository.starts_with("file://"))
    {
        return Err(format!(
            "dependency {:?} comes from {:?}: only dependencies with a file:// repository or vendored under charts/ can be updated here",
            d.name, d.repository
        ));
    }
    Ok(())
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

/// `Resolver.Resolve` for local dependencies: each pinned to the version found on disk.
fn resolve(reqs: &[Dependency], root: &str) -> Result<Vec<Locked>, String> {
    let mut locked = Vec::with_capacity(reqs.len());
    let mut missing = Vec::new();
    for d in reqs {
        let c = constraint(&d.name, &d.version, true)?;
        if d.repository.is_empty() {
            local_path(&format!("charts/{}", d.name), root)?;
            locked.push(Locked {
                name: d.name.clone(),
                repository: String::new(),
                version: d.version.clone(),
            });
            continue;
        }
        let path = local_path(&d.repository, root)?;
        let ch = load(Path::new(&path)).map_err(|e| e.0)?;
        let v = Version::parse(&ch.metadata.version).map_err(|e| e.to_string())?;
        if !c.check(&v) {
            missing.push(format!(
                "{:?} (repository {:?}, version {:?})",
                d.name, d.repository, d.version
            ));
            continue;
        }
        locked.push(Locked {
            name: d.name.clone(),
            repository: d.repository.clone(),
            version: ch.metadata.version.clone(),
        });
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
fn download_all(root: &str, locked: &mut [Locked], out: &mut String) -> Result<(), String> {
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
    let result = package_all(root, &dest, &tmp, locked, out);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn package_all(
    root: &str,
    dest: &Path,
    tmp: &Path,
    locked: &mut [Locked],
    out: &mut String,
) -> Result<(), String> {
    let _ = writeln!(out, "Saving {} charts", locked.len());
    let mut save_error = None;
    for d in locked.iter_mut() {
        if d.repository.is_empty() {
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

/// `resolver.HashReq`: the SHA-256 of `json.Marshal([2][]*Dependency{req, lock})`.
fn hash_req(reqs: &[Dependency], locked: &[Locked]) -> String {
    let mut j = String::from("[[");
    for (i, d) in reqs.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        dependency_json(&mut j, d);
    }
    j.push_str("],[");
    for (i, l) in locked.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let d = Dependency {
            name: l.name.clone(),
            repository: l.repository.clone(),
            version: l.version.clone(),
            ..Dependency::default()
        };
        dependency_json(&mut j, &d);
    }
    j.push_str("]]");
    let sum = Sha256::digest(j.as_bytes());
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for b in sum {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// One `chart.Dependency` as Go's `encoding/json` writes it: the fields `package::dependency`
/// keeps, in struct order, HTML characters escaped, maps inside with sorted keys.
fn dependency_json(j: &mut String, d: &Dependency) {
    let serde_json::Value::Object(fields) = package::dependency(d) else {
        return;
    };
    j.push('{');
    for (i, (key, v)) in fields.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        write_json_string(j, key, true);
        j.push(':');
        match v {
            serde_json::Value::String(s) => write_json_string(j, s, true),
            v => {
                let text = ferroflux_gotemplate::funcs::encoding::to_json(
                    &Value::from_json(v),
                    true,
                    None,
                )
                .unwrap_or_default();
                j.push_str(&text);
            }
        }
    }
    j.push('}');
}

/// The lock file Helm reads and writes: `requirements.lock` for apiVersion v1 charts.
fn lock_file_name(chart: &Chart) -> &'static str {
    if chart.metadata.api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    }
}

/// The digest of the chart's current lock file, if it has one that reads.
fn lock_digest(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let v = crate::yaml::parse_untyped(&text).ok()?;
    v.get("digest")?.as_str().map(str::to_owned)
}

/// `writeLock`: the lock as `yaml.Marshal(lock)` writes it; a lock file that is a symbolic
/// link is refused.
fn write_lock(dest: &Path, locked: &[Locked], digest: &str) -> Result<(), String> {
    if let Ok(m) = std::fs::symlink_metadata(dest)
        && m.file_type().is_symlink()
    {
        let link = std::fs::read_link(dest).map_err(|e| {
            format!(
                "error reading symlink for {:?}: {e}",
                dest.display().to_string()
            )
        })?;
        let name = dest.file_name().unwrap_or_default().to_string_lossy();
        return Err(format!(
            "the {name} file is a symlink to {:?}",
            link.display().to_string()
        ));
    }
    let mut deps = Vec::with_capacity(locked.len());
    for l in locked {
        let mut m = ferroflux_gotemplate::Map::new();
        m.insert("name".into(), Value::str(l.name.as_str()));
        m.insert("repository".into(), Value::str(l.repository.as_str()));
        if !l.version.is_empty() {
            m.insert("version".into(), Value::str(l.version.as_str()));
        }
        deps.push(Value::map(m));
    }
    let mut lock = ferroflux_gotemplate::Map::new();
    lock.insert("dependencies".into(), Value::list(deps));
    lock.insert("digest".into(), Value::str(digest));
    let generated = ferroflux_gotemplate::funcs::date::GoTime::now()
        .format("2006-01-02T15:04:05.999999999Z07:00");
    lock.insert("generated".into(), Value::str(generated));
    let text = ferroflux_gotemplate::funcs::yaml::to_yaml(&Value::map(lock), false)?;
    std::fs::write(dest, text).map_err(|e| e.to_string())
}
