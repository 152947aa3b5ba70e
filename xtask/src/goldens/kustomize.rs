//! Goldens for crates/kustomize (owned by the kustomize work; see testdata/kustomize/README.md).

use anyhow::Result;
use std::path::Path;

pub fn regenerate(_root: &Path) -> Result<()> {
    Ok(())
}
