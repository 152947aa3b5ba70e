//! `ferroflux source chart DIR --chart PATH …`: a HelmChart whose source is a GitRepository or
//! Bucket, from that source's extracted tree: the chart at PATH packaged with its values files
//! and dependencies. The revision is the packaged chart's version.

use super::{file_digest, print_result, runtime};
use anyhow::{Context, Result, bail};
use ferroflux_source::helmchart::{self, LocalChartOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ChartArgs {
    /// The extracted source artifact (a Git checkout or bucket contents).
    dir: PathBuf,
    /// The chart's path inside DIR (a directory or a packaged .tgz).
    #[arg(long)]
    chart: String,
    /// valuesFiles, relative to DIR, merged in order into the packaged chart's values.yaml.
    #[arg(long = "values-file")]
    values_files: Vec<String>,
    /// ignoreMissingValuesFiles.
    #[arg(long = "ignore-missing-values-files")]
    ignore_missing_values_files: bool,
    /// reconcileStrategy: ChartVersion (default) or Revision.
    #[arg(long = "reconcile-strategy", default_value = "ChartVersion")]
    reconcile_strategy: String,
    /// The source artifact's revision (`main@sha1:…`, `sha256:…`), for Revision.
    #[arg(long = "source-revision")]
    source_revision: Option<String>,
    /// The source's kind: GitRepository or Bucket.
    #[arg(long = "source-kind", default_value = "GitRepository")]
    source_kind: String,
    /// The HelmChart's metadata.generation (part of the version when values files are set).
    #[arg(long, default_value_t = 1)]
    generation: i64,
    /// Write the packaged chart here.
    #[arg(long)]
    artifact: Option<PathBuf>,
}

pub fn chart(a: &ChartArgs) -> Result<()> {
    let revision_strategy = match a.reconcile_strategy.as_str() {
        "ChartVersion" => false,
        "Revision" => true,
        other => bail!("--reconcile-strategy must be ChartVersion or Revision, not {other:?}"),
    };
    if revision_strategy && a.source_revision.is_none() {
        bail!("--reconcile-strategy Revision needs --source-revision");
    }
    let opts = LocalChartOptions {
        values_files: a.values_files.clone(),
        ignore_missing_values_files: a.ignore_missing_values_files,
        version_metadata: helmchart::version_metadata(
            revision_strategy,
            &a.source_kind,
            a.source_revision.as_deref().unwrap_or_default(),
            !a.values_files.is_empty(),
            a.generation,
        ),
        ..Default::default()
    };
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let out = scratch.path().join("chart.tgz");
    let build = runtime()?.block_on(helmchart::build_local(&a.dir, &a.chart, &out, &opts))?;
    let digest = file_digest(&out)?;
    if let Some(dest) = &a.artifact {
        std::fs::copy(&out, dest).with_context(|| format!("writing {}", dest.display()))?;
    }
    let mut extra = vec![format!("chart: {}", build.name)];
    if !build.values_files.is_empty() {
        extra.push(format!("values files: {}", build.values_files.join(", ")));
    }
    print_result(&extra, &build.version, &digest)
}
