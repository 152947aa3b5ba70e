//! Sources and artifacts: see README.md.

pub mod artifact;
pub mod ignore;
