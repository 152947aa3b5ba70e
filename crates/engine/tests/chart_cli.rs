//! `ferroflux source chart`: a HelmChart from a Git/Bucket source tree, printed like the other
//! source verbs.

use std::process::Command;

#[test]
fn packages_a_chart_from_a_source_tree() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    std::fs::create_dir_all(r.join("c/templates")).unwrap();
    std::fs::create_dir_all(r.join("env")).unwrap();
    std::fs::write(
        r.join("c/Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.3.0\n",
    )
    .unwrap();
    std::fs::write(r.join("c/values.yaml"), "a: 1\n").unwrap();
    std::fs::write(
        r.join("c/templates/cm.yaml"),
        "kind: ConfigMap\ndata:\n  a: \"{{ .Values.a }}\"\n",
    )
    .unwrap();
    std::fs::write(r.join("env/x.yaml"), "a: 2\n").unwrap();
    let artifact = r.join("out.tgz");
    let out = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["source", "chart"])
        .arg(r)
        .args([
            "--chart",
            "c",
            "--values-file",
            "env/x.yaml",
            "--reconcile-strategy",
            "Revision",
            "--source-revision",
            "main@sha1:abcdef0123456789abcdef0123456789abcdef01",
            "--generation",
            "4",
            "--artifact",
        ])
        .arg(&artifact)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("revision: 0.3.0+abcdef012345.4\n"),
        "{stdout}"
    );
    assert!(stdout.contains("digest: sha256:"), "{stdout}");
    let chart = ferroflux_helm::load_archive(&std::fs::read(&artifact).unwrap()).unwrap();
    assert_eq!(chart.values["a"], serde_json::json!(2.0));

    let bad = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["source", "chart"])
        .arg(r)
        .args(["--chart", "c", "--values-file", "env/none.yaml"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("no values file found at path '/env/none.yaml' (reference 'env/none.yaml')")
    );
}
