//! Sources and artifacts: see README.md.

pub mod artifact;
pub mod git;
pub mod ignore;
pub mod store;
