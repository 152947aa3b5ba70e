//! `ferroflux source oci oci://HOST/REPO …`: an OCIRepository. The revision is
//! `<tag>@sha256:<manifest digest>`; the artifact is the extracted layer, archived.

use super::{emit_tree, file_digest, print_result, read, runtime};
use anyhow::{Context, Result};
use ferroflux_source::helmrepo::oci::{self, LayerOperation, OciAuth, OciRef, OciSource};
use ferroflux_source::ignore::Matcher;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct OciArgs {
    /// oci://HOST/REPOSITORY
    url: String,
    #[arg(long, conflicts_with_all = ["semver", "digest"])]
    tag: Option<String>,
    /// The highest tag in this semver range.
    #[arg(long, conflicts_with = "digest")]
    semver: Option<String>,
    /// Only tags matching this regular expression are considered for --semver.
    #[arg(long = "semver-filter", requires = "semver")]
    semver_filter: Option<String>,
    /// sha256:<hex>
    #[arg(long)]
    digest: Option<String>,
    /// Talk to the registry over plain HTTP.
    #[arg(long = "plain-http")]
    plain_http: bool,
    #[arg(long, requires = "password")]
    username: Option<String>,
    #[arg(long, requires = "username")]
    password: Option<String>,
    #[arg(long = "ca-file")]
    ca_file: Option<PathBuf>,
    /// The layer to take (layerSelector.mediaType); the first layer by default.
    #[arg(long = "media-type")]
    media_type: Option<String>,
    /// Copy the layer as it is instead of extracting it (layerSelector.operation: copy).
    #[arg(long)]
    copy: bool,
    #[arg(long)]
    artifact: Option<PathBuf>,
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub fn oci(a: &OciArgs) -> Result<()> {
    let reference = if let Some(d) = &a.digest {
        OciRef::Digest(d.clone())
    } else if let Some(r) = &a.semver {
        OciRef::Semver {
            range: r.clone(),
            filter: a.semver_filter.clone(),
        }
    } else if let Some(t) = &a.tag {
        OciRef::Tag(t.clone())
    } else {
        OciRef::default()
    };
    let mut src = OciSource::new(&a.url, reference);
    src.insecure = a.plain_http;
    if let (Some(u), Some(p)) = (&a.username, &a.password) {
        src.auth = OciAuth::Basic(u.clone(), p.clone());
    }
    if let Some(ca) = &a.ca_file {
        src.ca_pem = Some(read(ca, "the CA file")?);
    }
    src.media_type = a.media_type.clone();
    src.operation = if a.copy {
        LayerOperation::Copy
    } else {
        LayerOperation::Extract
    };
    let tree = tempfile::tempdir().context("creating a scratch directory")?;
    let fetched = runtime()?.block_on(oci::fetch(&src, tree.path()))?;
    match &fetched.copied {
        // The layer itself is the artifact.
        Some(layer) => {
            if let Some(dest) = &a.artifact {
                std::fs::copy(layer, dest)
                    .with_context(|| format!("writing {}", dest.display()))?;
            }
            print_result(&[], &fetched.resolved.revision, &file_digest(layer)?)
        }
        None => emit_tree(
            tree.path(),
            &Matcher::default(),
            a.artifact.as_ref(),
            a.output.as_ref(),
            &fetched.resolved.revision,
            &[],
        ),
    }
}
