//! `ferroflux source <kind> …`: fetch one source into an artifact, as source-controller does,
//! and print `revision: …` and `digest: sha256:…`.

pub mod bucket;
pub mod chart;
pub mod git;
pub mod helm;
pub mod oci;

use super::files::write_atomically;
use anyhow::{Context, Result, bail};
use ferroflux_source::artifact::{Limits, extract, write_archive};
use ferroflux_source::ignore::Matcher;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Archives `tree` into `--artifact` (or a scratch file when only `-o` wants it), extracts it
/// into `-o`, and prints the revision and digest (after any `extra` lines).
pub fn emit_tree(
    tree: &Path,
    matcher: &Matcher,
    artifact: Option<&PathBuf>,
    output: Option<&PathBuf>,
    revision: &str,
    extra: &[String],
) -> Result<()> {
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let path = match (artifact, output) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(_)) => Some(scratch.path().join("artifact.tar.gz")),
        (None, None) => None,
    };
    let info = match &path {
        Some(p) => write_atomically(p, |file| Ok(write_archive(tree, matcher, file)?.0))?,
        None => write_archive(tree, matcher, std::io::sink())?.0,
    };
    if let (Some(dir), Some(p)) = (output, &path) {
        if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
            bail!("{}: the output directory is not empty", dir.display());
        }
        extract(std::fs::File::open(p)?, dir, Limits::default())
            .with_context(|| format!("extracting into {}", dir.display()))?;
    }
    print_result(extra, revision, &info.digest)
}

/// Prints `extra` lines, then `revision:` and `digest:`.
pub fn print_result(extra: &[String], revision: &str, digest: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for line in extra {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "revision: {revision}")?;
    writeln!(out, "digest: {digest}")?;
    Ok(())
}

/// The sha256 of a file, as `sha256:<hex>`.
pub fn file_digest(path: &Path) -> Result<String> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    let mut file =
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

pub fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {what} {}", path.display()))
}

/// A current-thread runtime for the async fetchers.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
