//! `ferroflux demo`: the sample repository reconciled on the embedded cluster, and a repository
//! whose apply must stop before writing anything of the failing stage.

use std::path::Path;
use std::process::Command;

fn sample_repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/sample-repo")
}

#[test]
fn the_sample_repository_reconciles_end_to_end() {
    let out = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["demo", "--ready-after", "0.2", "--repo"])
        .arg(sample_repo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "flux installed: 15 CustomResourceDefinitions",
        "Namespace/demo created",
        "Deployment/demo/podinfo created",
        "Kustomization flux-system/infrastructure: 1 objects applied",
        "Kustomization flux-system/apps: 3 objects applied, healthy",
        "HelmChart flux-system/flux-system-hello: pulled 'hello' chart with version '0.1.0+",
        "Deployment/demo/demo-hello created",
        "HelmRelease flux-system/hello: release demo/demo-hello installed, 3 objects, healthy",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    // infrastructure is reconciled before apps, which depends on it.
    assert!(stdout.find("flux-system/infrastructure") < stdout.find("flux-system/apps:"));
}

#[test]
fn an_object_the_cluster_cannot_take_fails_the_kustomization_naming_it() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    std::fs::create_dir_all(r.join("sync")).unwrap();
    std::fs::create_dir_all(r.join("app")).unwrap();
    std::fs::write(
        r.join("sync/sync.yaml"),
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app, namespace: flux-system}\nspec: {interval: 1m, path: ./app, prune: true, sourceRef: {kind: GitRepository, name: x}}\n",
    )
    .unwrap();
    std::fs::write(
        r.join("app/objects.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine, namespace: default}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["demo", "--sync", "sync", "--repo"])
        .arg(r)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Kustomization flux-system/app"), "{stderr}");
    assert!(
        stderr.contains("Widget (example.com/v1) is not served by the cluster"),
        "{stderr}"
    );
    // The dry run stopped the stage: the ConfigMap was never reported as applied.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ConfigMap/default/fine"));
}
