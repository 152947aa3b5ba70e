//! Helpers the verbs share: a source's ignore matcher and atomic file writes.

use anyhow::{Context, Result};
use ferroflux_source::ignore::{Matcher, load_patterns, read_patterns};
use std::io::Write;
use std::path::Path;

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
