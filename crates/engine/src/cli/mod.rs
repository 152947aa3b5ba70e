//! The command line: one module per verb family.

pub mod artifact;
pub mod demo;
pub mod files;
pub mod gotmpl;
pub mod helm;
pub mod helm_pull;
pub mod kustomize;
pub mod minicluster;
pub mod remote;
pub mod source;

/// An error already reported to the user in the shape of the tool being imitated
/// (e.g. Helm's `Error: …`); `main` only sets the exit code.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("error already reported")
    }
}

impl std::error::Error for Reported {}
