//! `helm pull --untar` on behalf of kustomize's `helmCharts`: a chart with a `repo` missing
//! from its chart home is located as `helm pull` locates it (with Helm's directories under
//! the entry's `configHome`, as kustomize points `HELM_CONFIG_HOME` and `HELM_CACHE_HOME`
//! there) and unpacked into the chart home.

use super::{ChartPathFlags, locate};
use ferroflux_kustomize::helm::{ChartPull, ChartPuller};
use std::path::PathBuf;

/// The [`ChartPuller`] of `ferroflux kustomize build --enable-helm`.
#[derive(Debug, Default)]
pub struct KustomizePuller;

impl ChartPuller for KustomizePuller {
    fn pull(&self, pull: &ChartPull) -> Result<(), String> {
        // kustomize gives helm a temporary configuration home unless the entry names one.
        let scratch;
        let home = if pull.config_home.is_empty() {
            scratch = tempfile::Builder::new()
                .prefix("kustomize-helm-")
                .tempdir()
                .map_err(|e| format!("unable to create tmp dir for HELM_CONFIG_HOME: {e}"))?;
            scratch.path().join("helm")
        } else {
            PathBuf::from(&pull.config_home)
        };
        let oci = pull.repo.starts_with("oci://");
        let flags = ChartPathFlags {
            version: Some(pull.version.clone()).filter(|v| !v.is_empty()),
            devel: pull.devel,
            repo: (!oci).then(|| pull.repo.clone()),
            repository_config: Some(home.join("repositories.yaml")),
            repository_cache: Some(home.join(".cache/repository")),
            registry_config: Some(home.join("registry/config.json")),
            content_cache: Some(home.join(".cache/content")),
            quiet: true,
            ..ChartPathFlags::default()
        };
        let name = if oci {
            format!("{}/{}", pull.repo.trim_end_matches('/'), pull.name)
        } else {
            pull.name.clone()
        };
        let located = locate(&name, &flags).map_err(|e| format!("Error: {e}\n"))?;
        let archive = std::fs::File::open(&located.path)
            .map_err(|e| format!("Error: {}: {e}\n", located.path.display()))?;
        ferroflux_source::artifact::extract(
            std::io::BufReader::new(archive),
            &pull.untar_dir,
            Default::default(),
        )
        .map_err(|e| format!("Error: failed to untar: {e}\n"))?;
        Ok(())
    }
}
