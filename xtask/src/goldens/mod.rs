//! `cargo xtask goldens [AREA…]`: regenerate golden files with the reference tools.
//! Each area owns one module; every module records the tool and version that made its goldens.

mod gotemplate;
pub mod helm;
mod helm_lint;
mod kustomize;

use anyhow::{Result, bail};
use std::path::Path;

type Regenerate = fn(&Path) -> Result<()>;

/// Every area with goldens, by name.
const AREAS: &[(&str, Regenerate)] = &[
    ("kustomize", kustomize::regenerate),
    ("gotemplate", gotemplate::regenerate),
    ("helm", helm::regenerate),
    ("helm-lint", helm_lint::regenerate),
];

/// The case folders of a goldens area, in name order.
fn case_dirs(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut cases: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    cases.sort();
    Ok(cases)
}

pub fn regenerate(root: &Path, only: &[String]) -> Result<()> {
    for name in only {
        if !AREAS.iter().any(|(n, _)| n == name) {
            bail!("unknown goldens area {name:?}");
        }
    }
    for (name, run) in AREAS {
        if only.is_empty() || only.iter().any(|o| o == name) {
            eprintln!("goldens: {name}");
            run(root)?;
        }
    }
    Ok(())
}
