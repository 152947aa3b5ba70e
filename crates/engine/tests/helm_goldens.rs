//! Runs `ferroflux helm template` on every case under testdata/helm and compares with what
//! helm v4.3.1 printed (`cargo xtask goldens helm`). A success must print the same bytes, or
//! at least the same documents (same `# Source` headers, equal parsed YAML) in the same order.
//! Where helm fails, ferroflux must fail too, with Helm's message. A case listed in
//! testdata/helm/allowlist.txt (with the reason) may differ in text, never in success.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::split_args;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/helm")
}

/// `# Source` header and parsed body of each document.
fn documents(text: &str) -> Vec<(String, serde_json::Value)> {
    text.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            let (head, body) = d.split_once('\n').unwrap_or((d, ""));
            let parsed = serde_saphyr::from_str::<serde_json::Value>(body)
                .unwrap_or_else(|_| serde_json::Value::String(body.trim().to_string()));
            (head.to_string(), parsed)
        })
        .collect()
}

fn allowlist() -> BTreeMap<String, String> {
    std::fs::read_to_string(root().join("allowlist.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn helm_template_goldens() {
    let allow = allowlist();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("testdata/helm")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("cmd").is_file())
        .collect();
    cases.sort();
    let (mut exact, mut same_docs, mut errors_same, mut allowed) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let args = split_args(&std::fs::read_to_string(dir.join("cmd")).unwrap());
        let out = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
            // As the reference ran: no kubeconfig, so no context namespace.
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .env_remove("HELM_NAMESPACE")
            .env_remove("HELM_KUBECONTEXT")
            .env_remove("HELM_DEBUG")
            .arg("helm")
            .arg("template")
            .args(&args)
            .current_dir(dir)
            .env_remove("HELM_NAMESPACE")
            .output()
            .expect("run ferroflux");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Ok(want) = std::fs::read_to_string(dir.join("expected.yaml")) {
            if !out.status.success() {
                failures.push(format!(
                    "{name}: helm succeeded, ferroflux failed: {stderr}"
                ));
            } else if stdout == want {
                exact += 1;
            } else if documents(&stdout) == documents(&want) {
                same_docs += 1;
            } else if allow.contains_key(&name) {
                allowed += 1;
            } else {
                failures.push(format!(
                    "{name}: output differs\n--- want\n{want}\n--- got\n{stdout}"
                ));
            }
        } else if let Ok(want) = std::fs::read_to_string(dir.join("expected-error.txt")) {
            if out.status.success() {
                failures.push(format!("{name}: helm failed, ferroflux succeeded:\n{want}"));
            } else if stderr.trim() == want.trim() {
                errors_same += 1;
            } else if allow.contains_key(&name) {
                allowed += 1;
            } else {
                failures.push(format!(
                    "{name}: error differs\n--- want\n{want}\n--- got\n{stderr}"
                ));
            }
        }
    }
    println!(
        "helm goldens: {} cases; {exact} identical, {same_docs} same documents, {errors_same} same error, {allowed} allowlisted, {} failed",
        cases.len(),
        failures.len()
    );
    for f in &failures {
        println!("{f}\n");
    }
    assert!(
        failures.is_empty(),
        "{} helm golden cases differ",
        failures.len()
    );
}
