//! Artifacts: the deterministic tarball a source produces.

mod archive;

pub use archive::{ArchiveError, ArchiveInfo, DIR_MODE, EXE_MODE, FILE_MODE, write_archive};

#[cfg(test)]
mod tests;
