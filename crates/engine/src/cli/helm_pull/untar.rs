//! `helm pull --untar` on behalf of kustomize's `helmCharts`: a chart with a `repo` missing
//! from its chart home is located as `helm pull` locates it (with Helm's directories under
//! the entry's `configHome`, as kustomize points `HELM_CONFIG_HOME` and `HELM_CACHE_HOME`
//! there; `HELM_*` variables of the environment still win, as they do for the helm kustomize
//! runs) and unpacked into the chart home under the name its `Chart.yaml` gives.

use super::{ChartPathFlags, locate};
use ferroflux_kustomize::helm::{ChartPull, ChartPuller};
use std::path::{Path, PathBuf};

/// The [`ChartPuller`] of `ferroflux kustomize build --enable-helm`.
#[derive(Debug, Default)]
pub struct KustomizePuller;

impl ChartPuller for KustomizePuller {
    fn pull(&self, pull: &ChartPull) -> Result<(), String> {
        // kustomize gives helm a temporary configuration home unless the entry names one.
        let scratch = tempfile::Builder::new()
            .prefix("kustomize-helm-")
            .tempdir()
            .map_err(|e| format!("unable to create tmp dir for HELM_CONFIG_HOME: {e}"))?;
        let home = if pull.config_home.is_empty() {
            scratch.path().join("helm")
        } else {
            PathBuf::from(&pull.config_home)
        };
        let env_or = |var: &str, default: PathBuf| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map_or(default, PathBuf::from)
        };
        let oci = pull.repo.starts_with("oci://");
        let flags = ChartPathFlags {
            version: Some(pull.version.clone()).filter(|v| !v.is_empty()),
            devel: pull.devel,
            repo: (!oci).then(|| pull.repo.clone()),
            repository_config: Some(env_or(
                "HELM_REPOSITORY_CONFIG",
                home.join("repositories.yaml"),
            )),
            repository_cache: Some(env_or(
                "HELM_REPOSITORY_CACHE",
                home.join(".cache/repository"),
            )),
            registry_config: Some(env_or(
                "HELM_REGISTRY_CONFIG",
                home.join("registry/config.json"),
            )),
            // `helm pull` keeps no copy in the content cache.
            content_cache: Some(scratch.path().join("content")),
            quiet: true,
            ..ChartPathFlags::default()
        };
        let archive = locate(&pull.reference(), &flags).map_err(|e| format!("Error: {e}\n"))?;
        untar(&archive, &pull.untar_dir).map_err(|e| format!("Error: {e}\n"))
    }
}

/// Helm's `chartutil.ExpandFile`: the archive unpacked into `dir/<name in its Chart.yaml>`
/// (its own top directory dropped). It is unpacked beside and renamed into place, so that a
/// failure leaves no half chart for the next build to take as vendored.
fn untar(archive: &Path, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".untar-")
        .tempdir_in(dir)
        .map_err(|e| format!("failed to untar: {e}"))?;
    let file = std::fs::File::open(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    ferroflux_source::artifact::extract(
        std::io::BufReader::new(file),
        staging.path(),
        Default::default(),
    )
    .map_err(|e| format!("failed to untar: {e}"))?;
    let top = single_directory(staging.path())?;
    let chart = ferroflux_helm::load(&top).map_err(|e| e.0)?;
    let name = chart.name().to_string();
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(format!("chart name {name:?} is not allowed"));
    }
    let dest = dir.join(&name);
    if dest.exists() {
        return Err(format!(
            "failed to untar: a file or directory with the name {} already exists",
            dest.display()
        ));
    }
    std::fs::rename(&top, &dest).map_err(|e| format!("failed to untar: {e}"))
}

/// The one directory a chart archive holds.
fn single_directory(dir: &Path) -> Result<PathBuf, String> {
    let mut dirs = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("failed to untar: {e}"))? {
        let e = e.map_err(|e| format!("failed to untar: {e}"))?;
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push(e.path());
        }
    }
    match dirs.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err("chart name not specified".into()),
    }
}
