//! HelmChart from a Git/Bucket source tree: packaging, values files, version metadata and
//! dependencies. The packaged chart is checked by loading it back and by the reference helm
//! (v4.3.1) rendering it exactly as ferroflux renders it. The remote-dependency case needs the
//! chart server (`cargo xtask test`).

use ferroflux_source::helmchart::{self, ChartBuildError, LocalChartOptions};
use std::path::{Path, PathBuf};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A source tree with an app chart, a local library dependency and environment values.
fn source_tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    write(
        r,
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.4.0\ndependencies:\n- name: common\n  version: \">=0.1.0\"\n  repository: file://../common\n",
    );
    write(
        r,
        "charts/app/values.yaml",
        "replicas: 1\nimage:\n  tag: v1\n",
    );
    write(
        r,
        "charts/app/templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"common.name\" . }}\n  labels:\n    version: {{ .Chart.Version | quote }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n      - image: \"app:{{ .Values.image.tag }}\"\n",
    );
    write(
        r,
        "charts/common/Chart.yaml",
        "apiVersion: v2\nname: common\nversion: 0.2.0\ntype: library\n",
    );
    write(
        r,
        "charts/common/templates/_names.tpl",
        "{{- define \"common.name\" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}\n",
    );
    write(r, "env/prod.yaml", "replicas: 3\n");
    write(r, "env/prod-image.yaml", "image:\n  tag: v2\n");
    t
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn reference_helm() -> PathBuf {
    ferroflux_testsupport::oracle("helm")
}

#[test]
fn packages_with_values_files_revision_metadata_and_a_local_dependency() {
    let src = source_tree();
    let out = src.path().join("out.tgz");
    let opts = LocalChartOptions {
        values_files: vec!["env/prod.yaml".into(), "env/prod-image.yaml".into()],
        version_metadata: helmchart::version_metadata(
            true,
            "GitRepository",
            "main@sha1:0123456789abcdef0123456789abcdef01234567",
            true,
            2,
        ),
        ..Default::default()
    };
    let build = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/app",
            &out,
            &opts,
        ))
        .expect("build");
    assert_eq!(build.version, "1.4.0+0123456789ab.2");
    assert_eq!(build.values_files, ["env/prod.yaml", "env/prod-image.yaml"]);
    assert_eq!(build.resolved_dependencies, 1);
    let chart = ferroflux_helm::load_archive(&std::fs::read(&out).unwrap()).expect("loads back");
    assert_eq!(chart.metadata.version, "1.4.0+0123456789ab.2");
    assert_eq!(chart.values["replicas"], serde_json::json!(3.0));
    assert_eq!(chart.dependencies[0].name(), "common");

    // The reference helm renders the packaged chart as ferroflux does.
    let theirs = std::process::Command::new(reference_helm())
        .args(["template", "rel"])
        .arg(&out)
        .env("HELM_CACHE_HOME", src.path().join("cache"))
        .env("HELM_CONFIG_HOME", src.path().join("config"))
        .output()
        .unwrap();
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let ours = ferroflux_helm::template(
        chart,
        &ferroflux_helm::TemplateOptions {
            release_name: "rel".into(),
            namespace: "default".into(),
            ..Default::default()
        },
    )
    .expect("render");
    assert_eq!(ours, String::from_utf8_lossy(&theirs.stdout));
    assert!(ours.contains("replicas: 3") && ours.contains("app:v2") && ours.contains("rel-app"));
}

#[test]
fn an_aliased_local_dependency_takes_its_alias() {
    let src = source_tree();
    write(
        src.path(),
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.4.0\ndependencies:\n- name: common\n  version: \">=0.1.0\"\n  repository: file://../common\n  alias: lib\n",
    );
    let out = src.path().join("out.tgz");
    rt().block_on(helmchart::build_local(
        src.path(),
        "charts/app",
        &out,
        &LocalChartOptions::default(),
    ))
    .expect("build");
    let chart = ferroflux_helm::load_archive(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(chart.dependencies[0].name(), "lib");
}

#[test]
fn values_file_errors_and_ignore_missing() {
    let src = source_tree();
    let out = src.path().join("out.tgz");
    let mut opts = LocalChartOptions {
        values_files: vec!["env/missing.yaml".into()],
        ..Default::default()
    };
    let err = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/app",
            &out,
            &opts,
        ))
        .unwrap_err();
    assert!(matches!(err, ChartBuildError::ValuesFiles(_)));
    assert_eq!(
        err.to_string(),
        "values files merge: no values file found at path '/env/missing.yaml' (reference 'env/missing.yaml')"
    );
    assert!(!out.exists(), "nothing written on failure");
    opts.ignore_missing_values_files = true;
    opts.values_files.push("env/prod.yaml".into());
    let b = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/app",
            &out,
            &opts,
        ))
        .expect("build");
    assert_eq!(b.values_files, ["env/prod.yaml"]);
}

#[test]
fn chart_path_and_dependency_errors_name_what_is_missing() {
    let src = source_tree();
    let out = src.path().join("out.tgz");
    let opts = LocalChartOptions::default();
    let e = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/nope",
            &out,
            &opts,
        ))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "chart reference: no chart found at '/charts/nope' (reference 'charts/nope')"
    );
    write(
        src.path(),
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.4.0\ndependencies:\n- name: common\n  version: \">=1.0.0\"\n  repository: file://../common\n",
    );
    let e = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/app",
            &out,
            &opts,
        ))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "dependency build: failed to add local dependency 'common': can't get a valid version for constraint '>=1.0.0'"
    );
}

#[test]
fn a_packaged_chart_without_changes_is_copied_as_is() {
    let src = source_tree();
    let packaged = src.path().join("pkg.tgz");
    rt().block_on(helmchart::build_local(
        src.path(),
        "charts/common",
        &packaged,
        &LocalChartOptions::default(),
    ))
    .expect("package");
    std::fs::rename(&packaged, src.path().join("charts/common-0.2.0.tgz")).unwrap();
    let out = src.path().join("out.tgz");
    let b = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/common-0.2.0.tgz",
            &out,
            &LocalChartOptions::default(),
        ))
        .expect("copy");
    assert!(!b.packaged);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(src.path().join("charts/common-0.2.0.tgz")).unwrap()
    );
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn remote_dependencies_come_from_their_chart_repository() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let src = source_tree();
    let url = ferroflux_testsupport::endpoint("TEST_HELM_REPO_URL");
    write(
        src.path(),
        "charts/app/Chart.yaml",
        &format!(
            "apiVersion: v2\nname: app\nversion: 1.4.0\ndependencies:\n- name: podinfo-lite\n  version: \"0.1.x\"\n  repository: {url}\n"
        ),
    );
    let out = src.path().join("out.tgz");
    let b = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/app",
            &out,
            &LocalChartOptions::default(),
        ))
        .expect("build with a remote dependency");
    assert_eq!(b.resolved_dependencies, 1);
    let chart = ferroflux_helm::load_archive(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(chart.dependencies[0].metadata.version, "0.1.0");
    write(
        src.path(),
        "charts/app/Chart.yaml",
        &format!(
            "apiVersion: v2\nname: app\nversion: 1.4.0\ndependencies:\n- name: podinfo-lite\n  version: \"9.x\"\n  repository: {url}\n"
        ),
    );
    let e = rt()
        .block_on(helmchart::build_local(
            src.path(),
            "charts/app",
            &out,
            &LocalChartOptions::default(),
        ))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("dependency build: failed to add remote dependency 'podinfo-lite'"),
        "{e}"
    );
}
