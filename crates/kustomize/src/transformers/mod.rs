//! The built-in transformers a kustomization configures, one module each.

pub mod images;
pub mod labels;
pub mod namespace;
pub mod prefix;
pub mod replicas;
pub mod valueadd;
