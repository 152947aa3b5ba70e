//! Sources and artifacts: see README.md.

pub mod artifact;
pub mod bucket;
pub mod git;
pub mod helmchart;
pub mod helmrepo;
pub mod ignore;
pub mod keyring;
pub mod provenance;
pub mod store;
