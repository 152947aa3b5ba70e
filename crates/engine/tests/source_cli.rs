//! `ferroflux source git` end to end against the real Git server (`cargo xtask test`).

use ferroflux_testsupport::endpoint;
use std::process::Command;

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn source_git_prints_revision_and_digest_and_extracts() {
    let repo = std::path::PathBuf::from(endpoint("TEST_GIT_ROOT")).join("repo.git");
    let head = Command::new("git")
        .args(["--git-dir"])
        .arg(&repo)
        .args(["-c", "safe.directory=*", "rev-parse", "refs/heads/main"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let out_dir = tempfile::tempdir().unwrap();
    let tree = out_dir.path().join("tree");
    let artifact = out_dir.path().join("a.tar.gz");
    let o = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["source", "git"])
        .arg(format!("{}/repo.git", endpoint("TEST_GIT_HTTP_URL")))
        .args(["--branch", "main", "-o"])
        .arg(&tree)
        .arg("--artifact")
        .arg(&artifact)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("revision: main@sha1:{head}"));
    assert!(lines[1].starts_with("digest: sha256:"), "{stdout}");
    assert!(tree.join("deploy/kustomization.yaml").is_file());
    // The artifact of the extracted tree is the same artifact.
    let again = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["artifact", "build"])
        .arg(&tree)
        .output()
        .unwrap();
    let again = String::from_utf8(again.stdout).unwrap();
    assert_eq!(again.lines().next(), Some(lines[1]));
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn source_git_without_credentials_says_so() {
    let o = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["source", "git"])
        .arg(format!("{}/repo.git", endpoint("TEST_GIT_HTTP_AUTH_URL")))
        .args(["--branch", "main"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("authentication required"), "{err}");
}
