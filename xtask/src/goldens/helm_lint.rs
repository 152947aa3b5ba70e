//! `cargo xtask goldens helm-lint`: what `helm lint` (the reference helm) prints for each case
//! under testdata/helm-lint: stdout, stderr and the exit status, with the case folder's
//! absolute path (Helm names a chart by it in dependency findings) written as `<case>`.

use super::helm::split_args;
use anyhow::{Context, Result};
use std::path::Path;

pub fn regenerate(root: &Path) -> Result<()> {
    let helm = crate::oracles::helm();
    let dir = root.join("testdata/helm-lint");
    let cases = super::case_dirs(&dir)?;
    let mut failures = 0;
    for case in &cases {
        let cmd = std::fs::read_to_string(case.join("cmd"))
            .with_context(|| format!("reading {}/cmd", case.display()))?;
        let home = tempfile::tempdir()?;
        let out = super::helm::helm_in(&helm, case, home.path())
            .arg("lint")
            .args(split_args(&cmd)?)
            .output()
            .with_context(|| format!("running helm lint in {}", case.display()))?;
        let abs = std::fs::canonicalize(case)?;
        let abs = abs.to_string_lossy();
        let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(abs.as_ref(), "<case>");
        std::fs::write(case.join("expected-stdout.txt"), clean(&out.stdout))?;
        std::fs::write(case.join("expected-stderr.txt"), clean(&out.stderr))?;
        let code = out.status.code().unwrap_or(-1);
        std::fs::write(case.join("expected-status"), format!("{code}\n"))?;
        if code != 0 {
            failures += 1;
        }
    }
    let version = super::helm::helm_version(&helm)?;
    let readme = format!(
        "# helm lint goldens\n\n\
         Each folder is one case: the chart(s) it lints and a one-line `cmd` with the arguments\n\
         after `helm lint` (split on whitespace; '…' and \"…\" group words), run in the folder.\n\
         `expected-stdout.txt`, `expected-stderr.txt` and `expected-status` are what the\n\
         reference printed and exited with; the folder's absolute path is written `<case>`.\n\
         Charts that render several documents into one file keep them free of random functions,\n\
         and no case depends on the order Helm reads `charts/` in (a Go map's, random).\n\n\
         Expected files (and this README) are produced by the reference tool, never edited by hand:\n\n\
         ```\ncargo xtask goldens helm-lint\n```\n\n\
         Reference: helm {version} ({} cases, {failures} exiting with an error).\n",
        cases.len()
    );
    std::fs::write(dir.join("README.md"), readme)?;
    eprintln!(
        "helm lint goldens: {} cases ({failures} failing) with helm {version}",
        cases.len()
    );
    Ok(())
}
