//! `ferroflux kustomize build` and `ferroflux build kustomization`, through the binary.

use std::path::Path;
use std::process::Command;

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

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/sample-repo")
        .display()
        .to_string()
}

#[test]
fn kustomize_build_renders_the_sample_overlay() {
    let (ok, out, err) = ferroflux(&["kustomize", "build", &format!("{}/clusters/demo", sample())]);
    assert!(ok, "{err}");
    // kustomize's legacy order: Namespace first, then ConfigMap, Service, Deployment.
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(kinds, ["Namespace", "ConfigMap", "Service", "Deployment"]);
    assert!(
        out.contains("  name: podinfo-config-"),
        "the generated name carries a hash:\n{out}"
    );
    assert!(out.contains("  namespace: demo\n"), "{out}");
    let (ok, _, err) = ferroflux(&["kustomize", "build", "/no/such/dir"]);
    assert!(!ok);
    assert!(err.contains("/no/such/dir"), "{err}");
}

#[test]
fn kustomize_build_of_a_missing_file_or_empty_dir_fails_in_kustomize_words() {
    // Messages of kubectl kustomize v5.8.1.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().display().to_string();
    let (ok, _, err) = ferroflux(&["kustomize", "build", &format!("{root}/gone/a/b")]);
    assert!(!ok);
    assert_eq!(
        err,
        format!(
            "error: must build at directory: not a valid directory: evalsymlink failure on '{root}/gone/a/b' : lstat {root}/gone: no such file or directory\n"
        )
    );
    std::fs::write(tmp.path().join("file"), "").unwrap();
    let (ok, _, err) = ferroflux(&["kustomize", "build", &format!("{root}/file")]);
    assert!(!ok);
    assert_eq!(
        err,
        format!("error: must build at directory: '{root}/file': file is not directory\n")
    );
    let (ok, _, err) = ferroflux(&["kustomize", "build", &root]);
    assert!(!ok);
    assert_eq!(
        err,
        format!(
            "error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{root}'\n"
        )
    );
}

#[test]
fn build_kustomization_applies_the_flux_spec_and_substitutes() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir_all(&apps).unwrap();
    // No kustomization.yaml: Flux generates one from the manifests below the path.
    std::fs::write(
        apps.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  region: ${region}\n  size: ${size:=small}\n",
    )
    .unwrap();
    let ks = dir.path().join("ks.yaml");
    std::fs::write(
        &ks,
        r#"apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  path: ./apps
  sourceRef:
    kind: GitRepository
    name: repo
  targetNamespace: prod
  namePrefix: team-
  commonMetadata:
    labels:
      owner: platform
  postBuild:
    substitute:
      region: eu-west-1
"#,
    )
    .unwrap();
    let path = apps.display().to_string();
    let ks = ks.display().to_string();
    let (ok, out, err) = ferroflux(&[
        "build",
        "kustomization",
        "--path",
        &path,
        "--kustomization-file",
        &ks,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("  name: team-settings\n"), "{out}");
    assert!(out.contains("  namespace: prod\n"), "{out}");
    assert!(out.contains("    owner: platform\n"), "{out}");
    assert!(out.contains("  region: eu-west-1\n"), "{out}");
    assert!(out.contains("  size: small\n"), "{out}");
    // A command-line value wins over the spec's.
    let (ok, out, _) = ferroflux(&[
        "build",
        "kustomization",
        "--path",
        &path,
        "--kustomization-file",
        &ks,
        "--substitute",
        "region=us-east-2",
    ]);
    assert!(ok);
    assert!(out.contains("  region: us-east-2\n"), "{out}");
    // Strict by default: an undefined variable without a default is an error naming it.
    let (ok, _, err) = ferroflux(&[
        "build",
        "kustomization",
        "--path",
        &path,
        "--substitute",
        "other=x",
    ]);
    assert!(!ok);
    assert!(err.contains("region"), "{err}");
}
