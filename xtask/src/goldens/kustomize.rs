//! Goldens for crates/kustomize (owned by the kustomize work; see testdata/kustomize/README.md).
//!
//! Every folder `testdata/kustomize/<case>/` is an input tree. The build target is the
//! case folder, or the relative path in `<case>/target`; `<case>/flags` holds extra
//! `kubectl kustomize` flags (with `--enable-helm`, `--helm-command` is added pointing at
//! the reference helm). The reference output goes to `expected.yaml`, or the reference's
//! stderr to `expected-error.txt` when it fails.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

pub fn regenerate(root: &Path) -> Result<()> {
    let kubectl = crate::oracles::kubectl();
    let dir = root.join("testdata/kustomize");
    let version = Command::new(&kubectl)
        .args(["version", "--client"])
        .output()
        .with_context(|| format!("running {}", kubectl.display()))?;
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let field = |label: &str| {
        version
            .lines()
            .find_map(|l| l.strip_prefix(label).map(|v| v.trim().to_string()))
            .unwrap_or_default()
    };
    let (client, kustomize) = (field("Client Version:"), field("Kustomize Version:"));
    if client.is_empty() || kustomize.is_empty() {
        bail!("could not read versions from `kubectl version --client`: {version}");
    }
    let cases = super::case_dirs(&dir)?;
    let mut failures = 0;
    for case in &cases {
        let target = std::fs::read_to_string(case.join("target"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| ".".into());
        let flags = std::fs::read_to_string(case.join("flags")).unwrap_or_default();
        let mut flags: Vec<String> = flags.split_whitespace().map(str::to_string).collect();
        if flags.iter().any(|f| f == "--enable-helm") {
            flags.push("--helm-command".into());
            flags.push(crate::oracles::helm().display().to_string());
        }
        let out = Command::new(&kubectl)
            .arg("kustomize")
            .arg(&target)
            .args(&flags)
            .current_dir(case)
            .output()
            .with_context(|| format!("running kubectl kustomize in {}", case.display()))?;
        let (ok_file, err_file) = (case.join("expected.yaml"), case.join("expected-error.txt"));
        if out.status.success() {
            std::fs::write(&ok_file, &out.stdout)?;
            let _ = std::fs::remove_file(&err_file);
        } else {
            failures += 1;
            std::fs::write(&err_file, &out.stderr)?;
            let _ = std::fs::remove_file(&ok_file);
        }
    }
    let readme = format!(
        "# kustomize goldens\n\n\
         Each folder is one case: an input tree, plus `expected.yaml` (or `expected-error.txt`\n\
         when the reference fails). The build target is the folder itself, or the relative path\n\
         in `target`; `flags` holds extra `kubectl kustomize` flags (with `--enable-helm`, the\n\
         reference helm is added as `--helm-command`). `skip.txt` lists cases the renderer does\n\
         not handle yet, with the reason.\n\n\
         Expected files are produced by the reference tool, never edited by hand:\n\n\
         ```\ncargo xtask goldens kustomize\n```\n\n\
         Reference: kubectl {client} / kustomize {kustomize} ({} cases, {failures} expected errors).\n",
        cases.len()
    );
    std::fs::write(dir.join("README.md"), readme)?;
    eprintln!(
        "kustomize goldens: {} cases ({failures} expected errors) with kubectl {client} / kustomize {kustomize}",
        cases.len()
    );
    Ok(())
}
