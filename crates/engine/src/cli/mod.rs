//! The command line: one module per verb family.

pub mod artifact;
pub mod kustomize;
pub mod source;
