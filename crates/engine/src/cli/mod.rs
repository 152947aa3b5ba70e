//! The command line: one module per verb family.

pub mod artifact;
pub mod files;
pub mod gotmpl;
pub mod kustomize;
pub mod source;
