//! `ferroflux artifact build DIR [-o FILE] [--ignore-paths P,…]`: the tarball a source makes of
//! a directory, with `.sourceignore` files honoured, and its digest.

use super::files::{ignore_matcher, write_atomically};
use anyhow::Result;
use ferroflux_source::artifact::write_archive;
use std::io::Write;
use std::path::PathBuf;

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
