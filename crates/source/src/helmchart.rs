//! HelmChart from a GitRepository or Bucket artifact: the chart at a path of the extracted
//! source, packaged as source-controller's local chart builder does. `valuesFiles` (relative
//! to the source root) are merged in order and replace the chart's `values.yaml`; missing
//! dependencies are added from `file://` paths or downloaded from their chart repositories;
//! `reconcileStrategy: Revision` adds `+<first 12 hex of the source revision>` to the version
//! (and `.<generation>` when values files are set). The artifact's revision is the version.

use crate::helmrepo::{self, HelmAuth, HelmRepoSpec};
use ferroflux_helm::chart::{Chart, Dependency};
use ferroflux_helm::{package, yaml};
use ferroflux_versions::{Constraints, Version};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// What the HelmChart spec asks for.
#[derive(Debug, Clone, Default)]
pub struct LocalChartOptions {
    /// `valuesFiles`, relative to the source root.
    pub values_files: Vec<String>,
    pub ignore_missing_values_files: bool,
    /// Semver build metadata to add to the version (see [`version_metadata`]).
    pub version_metadata: Option<String>,
    /// Credentials per chart repository URL, for dependencies downloaded from them.
    pub repository_auth: BTreeMap<String, HelmAuth>,
}

/// The result of a build.
#[derive(Debug, Clone)]
pub struct ChartBuild {
    pub name: String,
    /// The packaged chart's version: the artifact revision.
    pub version: String,
    /// The values files actually merged.
    pub values_files: Vec<String>,
    pub resolved_dependencies: usize,
    /// False when the source already held a packaged chart that was copied as is.
    pub packaged: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartBuildError {
    #[error("chart reference: {0}")]
    Reference(String),
    #[error("values files merge: {0}")]
    ValuesFiles(String),
    #[error("chart metadata patch: {0}")]
    Metadata(String),
    #[error("dependency build: {0}")]
    Dependency(String),
    #[error("chart package: {0}")]
    Package(String),
}

/// Flux's version metadata for a chart built from a `kind` (GitRepository or Bucket) source:
/// the first 12 hex digits of the revision with `reconcileStrategy: Revision`, then
/// `.<generation>` when values files are set.
pub fn version_metadata(
    revision_strategy: bool,
    source_kind: &str,
    source_revision: &str,
    has_values_files: bool,
    generation: i64,
) -> Option<String> {
    let mut meta = String::new();
    if revision_strategy {
        // `main@sha1:<hex>` for Git, `sha256:<hex>` for buckets.
        let hex = source_revision
            .rsplit(':')
            .next()
            .unwrap_or(source_revision);
        let rev = if matches!(source_kind, "GitRepository" | "Bucket") {
            hex.get(..12).unwrap_or(hex)
        } else {
            source_revision
        };
        meta.push_str(rev);
    }
    if has_values_files {
        if !meta.is_empty() {
            meta.push('.');
        }
        meta.push_str(&generation.to_string());
    }
    (!meta.is_empty()).then_some(meta)
}

/// `securejoin.SecureJoin`: `rel` under `root`, `..` never leaving it.
fn secure_join(root: &Path, rel: &str) -> PathBuf {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => parts.push(p),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    let mut out = root.to_path_buf();
    out.extend(parts);
    out
}

fn shown(root: &Path, p: &Path) -> String {
    format!("/{}", p.strip_prefix(root).unwrap_or(p).display())
}

/// Adds build metadata to a semver version as Masterminds' `SetMetadata` does.
fn with_metadata(version: &str, meta: &str) -> Result<String, ChartBuildError> {
    Version::parse(version).map_err(|e| {
        ChartBuildError::Metadata(format!(
            "failed to parse version from chart metadata as SemVer: {e}"
        ))
    })?;
    if meta.is_empty()
        || !meta
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(ChartBuildError::Metadata(
            "failed to set SemVer metadata on chart version: Invalid Metadata string".into(),
        ));
    }
    let base = version.split('+').next().unwrap_or(version);
    Ok(format!("{base}+{meta}"))
}

fn merge_values_files(
    root: &Path,
    files: &[String],
    ignore_missing: bool,
) -> Result<(yaml::Values, Vec<String>), ChartBuildError> {
    let mut merged = yaml::Values::new();
    let mut used = Vec::new();
    for f in files {
        let p = secure_join(root, f);
        match std::fs::metadata(&p) {
            Err(e) if ignore_missing && e.kind() == std::io::ErrorKind::NotFound => continue,
            Ok(m) if m.is_file() => {}
            _ => {
                return Err(ChartBuildError::ValuesFiles(format!(
                    "no values file found at path '{}' (reference '{f}')",
                    shown(root, &p)
                )));
            }
        }
        let text = std::fs::read_to_string(&p).map_err(|e| {
            ChartBuildError::ValuesFiles(format!("could not read values from file '{f}': {e}"))
        })?;
        let v = match yaml::parse_untyped(&text) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(serde_json::Value::Null) => yaml::Values::new(),
            Ok(other) => {
                return Err(ChartBuildError::ValuesFiles(format!(
                    "unmarshaling values from '{f}' failed: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    yaml::json_kind(&other)
                )));
            }
            Err(e) => {
                return Err(ChartBuildError::ValuesFiles(format!(
                    "unmarshaling values from '{f}' failed: {e}"
                )));
            }
        };
        merged = yaml::merge_maps(merged, v);
        used.push(f.clone());
    }
    Ok((merged, used))
}

fn is_local(d: &Dependency) -> bool {
    d.repository.is_empty() || d.repository.starts_with("file://")
}

fn check_version(d: &Dependency, version: &str) -> Result<(), String> {
    let c = Constraints::parse(&d.version)
        .map_err(|e| format!("invalid version/constraint format '{}': {e}", d.version))?;
    let v = Version::parse(version).map_err(|e| e.to_string())?;
    if !c.check(&v) {
        return Err(format!(
            "can't get a valid version for constraint '{}'",
            d.version
        ));
    }
    Ok(())
}

async fn remote_dependency(d: &Dependency, opts: &LocalChartOptions) -> Result<Chart, String> {
    let url = d.repository.trim_end_matches('/');
    let spec = HelmRepoSpec::new(url);
    let auth = opts
        .repository_auth
        .get(url)
        .or_else(|| opts.repository_auth.get(&d.repository))
        .cloned()
        .unwrap_or_default();
    let (_, index) = helmrepo::fetch_index(&spec, &auth)
        .await
        .map_err(|e| e.to_string())?;
    let version =
        helmrepo::select(&spec, &index, &d.name, &d.version).map_err(|e| e.to_string())?;
    let tmp = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    helmrepo::download_chart(&spec, &auth, version, tmp.path())
        .await
        .map_err(|e| e.to_string())?;
    let bytes = std::fs::read(tmp.path()).map_err(|e| e.to_string())?;
    ferroflux_helm::load_archive(&bytes).map_err(|e| e.0)
}

/// Adds the dependencies Chart.yaml declares but `charts/` lacks.
async fn build_dependencies(
    root: &Path,
    chart_dir: &Path,
    chart: &mut Chart,
    opts: &LocalChartOptions,
) -> Result<usize, ChartBuildError> {
    let missing: Vec<Dependency> = chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .filter(|r| !chart.dependencies.iter().any(|c| c.name() == r.name))
        .cloned()
        .collect();
    for d in &missing {
        let mut sub = if is_local(d) {
            let rel = d.repository.trim_start_matches("file://");
            let joined = chart_dir.join(rel);
            let rel_to_root = joined
                .strip_prefix(root)
                .unwrap_or(&joined)
                .to_string_lossy()
                .to_string();
            let path = secure_join(root, &rel_to_root);
            if !path.exists() {
                return Err(ChartBuildError::Dependency(format!(
                    "failed to add local dependency '{}': no chart found at '{}' (reference '{}')",
                    d.name,
                    shown(root, &path),
                    d.repository
                )));
            }
            let c = ferroflux_helm::load(&path).map_err(|e| {
                ChartBuildError::Dependency(format!(
                    "failed to add local dependency '{}': failed to load chart from '{}' (reference '{}'): {}",
                    d.name,
                    shown(root, &path),
                    d.repository,
                    e.0
                ))
            })?;
            check_version(d, &c.metadata.version).map_err(|e| {
                ChartBuildError::Dependency(format!(
                    "failed to add local dependency '{}': {e}",
                    d.name
                ))
            })?;
            c
        } else {
            remote_dependency(d, opts).await.map_err(|e| {
                ChartBuildError::Dependency(format!(
                    "failed to add remote dependency '{}': {e}",
                    d.name
                ))
            })?
        };
        if !d.alias.is_empty() {
            sub.metadata.name = d.alias.clone();
        }
        chart.dependencies.push(sub);
    }
    Ok(missing.len())
}

/// Builds the chart at `chart_path` of the extracted source `root` into the file `out`.
pub async fn build_local(
    root: &Path,
    chart_path: &str,
    out: &Path,
    opts: &LocalChartOptions,
) -> Result<ChartBuild, ChartBuildError> {
    let path = secure_join(root, chart_path);
    let meta = std::fs::metadata(&path).map_err(|_| {
        ChartBuildError::Reference(format!(
            "no chart found at '{}' (reference '{chart_path}')",
            shown(root, &path)
        ))
    })?;
    let is_dir = meta.is_dir();
    let mut chart = ferroflux_helm::load(&path).map_err(|e| ChartBuildError::Reference(e.0))?;
    let mut version = chart.metadata.version.clone();
    if let Some(m) = &opts.version_metadata {
        version = with_metadata(&version, m)?;
    }
    let requires_packaging =
        is_dir || opts.version_metadata.is_some() || !opts.values_files.is_empty();
    let name = chart.name().to_string();
    if !requires_packaging {
        std::fs::copy(&path, out).map_err(|e| ChartBuildError::Package(e.to_string()))?;
        return Ok(ChartBuild {
            name,
            version,
            values_files: Vec::new(),
            resolved_dependencies: 0,
            packaged: false,
        });
    }
    let mut used = Vec::new();
    if !opts.values_files.is_empty() {
        let (merged, files) =
            merge_values_files(root, &opts.values_files, opts.ignore_missing_values_files)?;
        if package::overwrite_values(&mut chart, merged) {
            used = files;
        }
    }
    chart.metadata.version = version.clone();
    let resolved = if is_dir {
        build_dependencies(root, &path, &mut chart, opts).await?
    } else {
        0
    };
    let tmp = out.with_extension("tgz.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| ChartBuildError::Package(e.to_string()))?;
    package::save(&chart, std::io::BufWriter::new(file))
        .map_err(|e| ChartBuildError::Package(e.to_string()))?;
    std::fs::rename(&tmp, out).map_err(|e| ChartBuildError::Package(e.to_string()))?;
    Ok(ChartBuild {
        name,
        version,
        values_files: used,
        resolved_dependencies: resolved,
        packaged: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_follows_flux() {
        assert_eq!(
            version_metadata(
                true,
                "GitRepository",
                "main@sha1:0123456789abcdef0123",
                false,
                3
            ),
            Some("0123456789ab".into())
        );
        assert_eq!(
            version_metadata(true, "Bucket", "sha256:fedcba9876543210aa", true, 2),
            Some("fedcba987654.2".into())
        );
        assert_eq!(
            version_metadata(false, "GitRepository", "x", true, 5),
            Some("5".into())
        );
        assert_eq!(
            version_metadata(false, "GitRepository", "x", false, 5),
            None
        );
        assert_eq!(with_metadata("1.2.3+old", "abc.1").unwrap(), "1.2.3+abc.1");
        assert!(with_metadata("1.2.3", "a_b").is_err());
    }

    #[test]
    fn secure_join_stays_inside() {
        assert_eq!(
            secure_join(Path::new("/r"), "../../etc/x"),
            PathBuf::from("/r/etc/x")
        );
        assert_eq!(
            secure_join(Path::new("/r"), "./a/../b"),
            PathBuf::from("/r/b")
        );
    }
}
