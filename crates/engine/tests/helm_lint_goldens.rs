//! Runs `ferroflux helm lint` on every case under testdata/helm-lint and compares stdout,
//! stderr and the exit status with what helm v4.3.1 gave (`cargo xtask goldens helm-lint`),
//! byte for byte (the case folder's absolute path written `<case>`).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::split_args;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/helm-lint")
}

#[test]
fn every_case_prints_what_helm_lint_printed() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("testdata/helm-lint")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "expected the helm-lint cases");
    let mut failed = Vec::new();
    for case in &cases {
        let cmd = std::fs::read_to_string(case.join("cmd")).expect("cmd");
        let out = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
            // As the reference ran: no kubeconfig, so no context namespace.
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .env_remove("HELM_NAMESPACE")
            .env_remove("HELM_KUBECONTEXT")
            .env_remove("HELM_DEBUG")
            .args(["helm", "lint"])
            .args(split_args(&cmd))
            .current_dir(case)
            .env_remove("HELM_NAMESPACE")
            .output()
            .expect("run ferroflux");
        let abs = std::fs::canonicalize(case).expect("case path");
        let abs = abs.to_string_lossy();
        let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(abs.as_ref(), "<case>");
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap_or_default();
        let status = format!("{}\n", out.status.code().unwrap_or(-1));
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        for (what, got, want) in [
            ("stdout", clean(&out.stdout), read("expected-stdout.txt")),
            ("stderr", clean(&out.stderr), read("expected-stderr.txt")),
            ("status", status, read("expected-status")),
        ] {
            if got != want {
                failed.push(format!(
                    "{name}: {what} differs\n--- want\n{want}--- got\n{got}"
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
