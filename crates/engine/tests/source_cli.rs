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

fn ferroflux(args: &[&str]) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn source_helm_selects_versions_like_flux() {
    let url = endpoint("TEST_HELM_REPO_URL");
    let (ok, out, err) = ferroflux(&["source", "helm", &url, "--chart", "podinfo-lite"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("revision: 0.2.0\ndigest: sha256:"), "{out}");
    let auth = endpoint("TEST_HELM_REPO_AUTH_URL");
    let (user, pass) = (endpoint("TEST_HTTP_USER"), endpoint("TEST_HTTP_PASSWORD"));
    let (ok, out, err) = ferroflux(&[
        "source",
        "helm",
        &auth,
        "--chart",
        "podinfo-lite",
        "--version",
        "<0.2",
        "--username",
        &user,
        "--password",
        &pass,
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("revision: 0.1.0\n"), "{out}");
    let (ok, _, err) = ferroflux(&["source", "helm", &url, "--chart", "nope"]);
    assert!(!ok);
    assert!(err.contains("chart 'nope' not found"), "{err}");
    let (ok, _, err) = ferroflux(&["source", "helm", &auth, "--chart", "podinfo-lite"]);
    assert!(!ok, "the auth repository refuses anonymous access");
    assert!(err.contains("401"), "{err}");
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn source_bucket_fetches_and_names_the_bucket_on_error() {
    let data = std::path::PathBuf::from(endpoint("TEST_S3_DATA_DIR"));
    std::fs::create_dir_all(data.join("cli-test/apps")).unwrap();
    std::fs::write(data.join("cli-test/apps/a.yaml"), "kind: A\n").unwrap();
    let endpoint_url = endpoint("TEST_S3_ENDPOINT");
    let key = endpoint("TEST_S3_ACCESS_KEY");
    let run = |secret: &str, out: &std::path::Path| {
        ferroflux(&[
            "source",
            "bucket",
            "--endpoint",
            &endpoint_url,
            "--bucket",
            "cli-test",
            "--region",
            "us-east-1",
            "--access-key",
            &key,
            "--secret-key",
            secret,
            "--insecure",
            "-o",
            out.to_str().unwrap(),
        ])
    };
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(&endpoint("TEST_S3_SECRET_KEY"), &dir.path().join("one"));
    assert!(ok, "{err}");
    let (ok2, out2, _) = run(&endpoint("TEST_S3_SECRET_KEY"), &dir.path().join("two"));
    assert!(ok2);
    assert_eq!(
        out, out2,
        "an unchanged bucket has the same revision and artifact"
    );
    assert!(out.starts_with("revision: sha256:"), "{out}");
    assert!(dir.path().join("one/apps/a.yaml").is_file());
    let (ok, _, err) = run("wrong", &dir.path().join("three"));
    assert!(!ok);
    assert!(err.contains("bucket 'cli-test'"), "{err}");
}
