//! `ferroflux artifact build DIR [-o FILE] [--ignore-paths P,…]`: the tarball a source makes of
//! a directory, with `.sourceignore` files honoured, and its digest.

use anyhow::{Context, Result};
use ferroflux_source::artifact::write_archive;
use ferroflux_source::ignore::{Matcher, load_patterns, read_patterns};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct BuildArgs {
    /// The directory to archive.
    dir: PathBuf,
    /// Where to write the tar.gz (written atomically); without it only the digest is printed.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Ignore patterns in .sourceignore syntax (like a source's spec.ignore), comma separated;
    /// they replace Flux's default excludes, the VCS ones excepted.
    #[arg(long = "ignore-paths", value_delimiter = ',')]
    ignore_paths: Vec<String>,
}

pub fn build(args: &BuildArgs) -> Result<()> {
    let matcher = ignore_matcher(&args.dir, &args.ignore_paths)?;
    let info = match &args.output {
        Some(path) => write_atomically(path, |file| {
            let (info, _) = write_archive(&args.dir, &matcher, file)?;
            Ok(info)
        })?,
        None => write_archive(&args.dir, &matcher, std::io::sink())?.0,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "digest: {}", info.digest)?;
    writeln!(out, "size: {}", info.size)?;
    Ok(())
}

/// `.sourceignore` files below `dir` plus `--ignore-paths`, as a source's matcher.
pub fn ignore_matcher(dir: &Path, ignore_paths: &[String]) -> Result<Matcher> {
    let mut patterns = load_patterns(dir)
        .with_context(|| format!("reading .sourceignore files below {}", dir.display()))?;
    patterns.extend(read_patterns(&ignore_paths.join("\n"), &[]));
    Ok(Matcher::for_source(patterns))
}

/// Writes through a temp file beside `path` and renames it into place: no half-written artifact.
pub fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> Result<T>,
) -> Result<T> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(parent)
        .with_context(|| format!("creating a temp file in {}", parent.display()))?;
    let value = {
        let mut buf = std::io::BufWriter::new(tmp.as_file());
        let value = write(&mut buf)?;
        buf.flush()?;
        value
    };
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(value)
}
