//! Artifacts: the deterministic tarball a source produces, and its safe extraction.

mod archive;
mod extract;
mod pgzip;

pub use archive::{ArchiveError, ArchiveInfo, DIR_MODE, EXE_MODE, FILE_MODE, write_archive};
pub use extract::{ExtractError, Limits, extract};
pub use pgzip::ParallelGzWriter;

#[cfg(test)]
mod tests;
