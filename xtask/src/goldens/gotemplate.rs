//! Goldens for crates/gotemplate (owned by the gotemplate work; see testdata/gotemplate/README.md).

use anyhow::Result;
use std::path::Path;

pub fn regenerate(_root: &Path) -> Result<()> {
    Ok(())
}
