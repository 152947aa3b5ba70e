//! `ferroflux source helm REPO_URL --chart NAME …`: a chart from a Helm repository (what a
//! HelmChart with a HelmRepository source produces). The revision is the chart version; the
//! artifact is the chart's .tgz.
//!
//! `--index-artifact FILE` also writes the HelmRepository's own artifact (the index as the JSON
//! source-controller stores) and prints `index-revision:` (sha256 of the downloaded index) and
//! `index-digest:` (sha256 of the JSON) first. Without `--chart` the source is the
//! HelmRepository alone: `revision:` and `digest:` are then those of the index artifact.

use super::{file_digest, print_result, read, runtime};
use anyhow::{Context, Result};
use ferroflux_source::helmrepo::{self, HelmAuth, HelmRepoSpec};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct HelmArgs {
    /// The repository URL (http:// or https://).
    url: String,
    /// The chart to fetch; may be left out with --index-artifact.
    #[arg(long, required_unless_present = "index_artifact")]
    chart: Option<String>,
    /// A semver range; empty or `*` means the latest stable version.
    #[arg(long, default_value = "*")]
    version: String,
    #[arg(long, requires = "password")]
    username: Option<String>,
    #[arg(long, requires = "username")]
    password: Option<String>,
    /// Send the credentials to chart URLs on other hosts too (passCredentials).
    #[arg(long = "pass-credentials")]
    pass_credentials: bool,
    #[arg(long = "ca-file")]
    ca_file: Option<PathBuf>,
    #[arg(long = "cert-file", requires = "key_file")]
    cert_file: Option<PathBuf>,
    #[arg(long = "key-file", requires = "cert_file")]
    key_file: Option<PathBuf>,
    /// Write the chart .tgz here.
    #[arg(long)]
    artifact: Option<PathBuf>,
    /// Write the HelmRepository artifact (the index as source-controller stores it, JSON) here.
    #[arg(long = "index-artifact")]
    index_artifact: Option<PathBuf>,
}

pub fn helm(a: &HelmArgs) -> Result<()> {
    let mut spec = HelmRepoSpec::new(&a.url);
    spec.pass_credentials = a.pass_credentials;
    let mut auth = HelmAuth {
        basic: a.username.clone().zip(a.password.clone()),
        ..Default::default()
    };
    if let Some(ca) = &a.ca_file {
        auth.ca_pem = Some(read(ca, "the CA file")?);
    }
    if let (Some(c), Some(k)) = (&a.cert_file, &a.key_file) {
        auth.client_cert = Some((read(c, "the certificate")?, read(k, "the key")?));
    }
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let index_file = scratch.path().join("index.yaml");
    let rt = runtime()?;
    let download = rt.block_on(helmrepo::download_index(&spec, &auth, &index_file))?;

    let mut extra = Vec::new();
    let mut repo_digest = None;
    if let Some(dest) = &a.index_artifact {
        let json = helmrepo::index_artifact(&spec, &index_file, dest)
            .with_context(|| format!("writing {}", dest.display()))?;
        extra.push(format!("index-revision: {}", download.revision));
        extra.push(format!("index-digest: {}", json.digest));
        repo_digest = Some(json.digest);
    }

    let Some(chart) = &a.chart else {
        let digest = repo_digest.unwrap_or_default();
        return print_result(&extra, &download.revision, &digest);
    };
    let index = helmrepo::load_index(&spec, &index_file)?;
    let version = helmrepo::select(&spec, &index, chart, &a.version)?.clone();
    let tgz = scratch
        .path()
        .join(format!("{}-{}.tgz", version.name, version.version));
    rt.block_on(helmrepo::download_chart(&spec, &auth, &version, &tgz))?;
    let digest = file_digest(&tgz)?;
    if let Some(dest) = &a.artifact {
        std::fs::copy(&tgz, dest).with_context(|| format!("writing {}", dest.display()))?;
    }
    print_result(&extra, &version.version, &digest)
}
