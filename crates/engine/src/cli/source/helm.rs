//! `ferroflux source helm REPO_URL --chart NAME …`: a chart from a Helm repository (what a
//! HelmChart with a HelmRepository source produces). The revision is the chart version; the
//! artifact is the chart's .tgz.

use super::{file_digest, print_result, read, runtime};
use anyhow::{Context, Result};
use ferroflux_source::helmrepo::{self, HelmAuth, HelmRepoSpec};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct HelmArgs {
    /// The repository URL (http:// or https://).
    url: String,
    #[arg(long)]
    chart: String,
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
    let rt = runtime()?;
    let (version, tgz) = rt.block_on(async {
        let (_, index) = helmrepo::fetch_index(&spec, &auth).await?;
        let version = helmrepo::select(&spec, &index, &a.chart, &a.version)?.clone();
        let tgz = scratch
            .path()
            .join(format!("{}-{}.tgz", version.name, version.version));
        helmrepo::download_chart(&spec, &auth, &version, &tgz).await?;
        anyhow::Ok((version, tgz))
    })?;
    let digest = file_digest(&tgz)?;
    if let Some(dest) = &a.artifact {
        std::fs::copy(&tgz, dest).with_context(|| format!("writing {}", dest.display()))?;
    }
    print_result(&[], &version.version, &digest)
}
