//! Invalid manifests: every error names the document, the object and the field.

use ferroflux_api::load::{LoadError, parse_documents};

fn err(yaml: &str) -> String {
    match parse_documents(yaml, "test.yaml") {
        Ok(objs) => panic!("expected an error, parsed {} objects", objs.len()),
        Err(e) => e.to_string(),
    }
}

fn assert_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "{msg:?} should contain {p:?}");
    }
}

const HR: &str = r#"
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: default
spec:
  interval: INTERVAL
  chart:
    spec:
      chart: podinfo
      version: "VERSION"
      sourceRef:
        kind: KIND
        name: podinfo
"#;

fn hr(interval: &str, version: &str, kind: &str) -> String {
    HR.replace("INTERVAL", interval)
        .replace("VERSION", version)
        .replace("KIND", kind)
}

#[test]
fn bad_interval() {
    let msg = err(&hr("5x", "1.x", "HelmRepository"));
    assert_eq!(
        msg,
        r#"test.yaml#0: HelmRelease default/podinfo: spec.interval: invalid duration "5x""#
    );
    // Valid for Go but outside the CRD pattern.
    let msg = err(&hr("100us", "1.x", "HelmRepository"));
    assert_has(&msg, &["spec.interval", "invalid duration \"100us\""]);
}

#[test]
fn bad_interval_in_old_version() {
    let yaml = hr("1d", "1.x", "HelmRepository").replace(
        "helm.toolkit.fluxcd.io/v2",
        "helm.toolkit.fluxcd.io/v2beta1",
    );
    assert_has(
        &err(&yaml),
        &[
            "HelmRelease default/podinfo",
            "spec.interval",
            "invalid duration \"1d\"",
        ],
    );
}

#[test]
fn unknown_enum_value() {
    let msg = err(&hr("5m", "1.x", "GitRepo"));
    assert_has(
        &msg,
        &[
            "HelmRelease default/podinfo",
            "spec.chart.spec.sourceRef.kind",
            "\"GitRepo\"",
            "HelmRepository",
        ],
    );
    let ks = r#"
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 5m
  prune: true
  deletionPolicy: Sometimes
  sourceRef: {kind: GitRepository, name: repo}
"#;
    assert_has(
        &err(ks),
        &[
            "Kustomization flux-system/apps",
            "spec.deletionPolicy",
            "\"Sometimes\"",
        ],
    );
}

#[test]
fn missing_required_field() {
    let ks = r#"
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 5m
  sourceRef: {kind: GitRepository, name: repo}
"#;
    assert_eq!(
        err(ks),
        "test.yaml#0: Kustomization flux-system/apps: spec.prune: missing required field"
    );
    let git = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: flux-system}
spec:
  interval: 5m
"#;
    assert_has(
        &err(git),
        &[
            "GitRepository flux-system/repo",
            "spec.url: missing required field",
        ],
    );
    let no_spec = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: b}\n";
    assert_has(&err(no_spec), &["Bucket b", "spec: missing required field"]);
}

#[test]
fn bad_semver_range() {
    let msg = err(&hr("5m", ">=1.0 <<2", "HelmRepository"));
    assert_has(
        &msg,
        &[
            "spec.chart.spec.version",
            "invalid semver range \">=1.0 <<2\"",
        ],
    );
    // Versions are ignored for Git sources, as Flux does.
    assert!(parse_documents(&hr("5m", "not a range", "GitRepository"), "t").is_ok());
    let git = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: flux-system}
spec:
  url: https://example.com/repo.git
  interval: 5m
  ref:
    semver: "~>v1.2.x.y"
"#;
    assert_has(
        &err(git),
        &[
            "GitRepository flux-system/repo",
            "spec.ref.semver",
            "invalid semver range",
        ],
    );
    let chart = r#"
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: HelmChart
metadata: {name: c, namespace: ns}
spec:
  chart: podinfo
  version: "latest"
  interval: 5m
  sourceRef: {kind: HelmRepository, name: repo}
"#;
    assert_has(
        &err(chart),
        &[
            "HelmChart ns/c",
            "spec.version",
            "invalid semver range \"latest\"",
        ],
    );
    let policy = r#"
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {name: p, namespace: ns}
spec:
  imageRepositoryRef: {name: r}
  policy:
    semver: {range: "1.2.3.4"}
"#;
    assert_has(
        &err(policy),
        &["ImagePolicy ns/p", "spec.policy.semver.range"],
    );
}

#[test]
fn bad_url_scheme() {
    let git = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: flux-system}
spec:
  url: git@github.com:org/repo.git
  interval: 5m
"#;
    assert_has(
        &err(git),
        &[
            "GitRepository flux-system/repo",
            "spec.url",
            "invalid URL \"git@github.com:org/repo.git\"",
            "ssh://",
        ],
    );
    let oci = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: o, namespace: ns}
spec:
  url: https://ghcr.io/org/app
  interval: 5m
"#;
    assert_has(&err(oci), &["OCIRepository ns/o", "spec.url", "oci://"]);
    let repo = r#"
apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: HelmRepository
metadata: {name: bitnami, namespace: flux-system}
spec:
  url: ftp://charts.example.com
  interval: 30m
"#;
    assert_has(
        &err(repo),
        &["HelmRepository flux-system/bitnami", "spec.url", "ftp://"],
    );
}

#[test]
fn several_errors_are_all_reported() {
    let git = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: ns}
spec:
  url: file:///tmp/repo
  interval: 5m
  timeout: 1h
  ref: {semver: "=>"}
"#;
    let e = parse_documents(git, "t.yaml").unwrap_err();
    let paths: Vec<&str> = e.field_errors().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["spec.url", "spec.timeout", "spec.ref.semver"]);
}

#[test]
fn unknown_api_version_or_kind() {
    let msg =
        err("apiVersion: source.toolkit.fluxcd.io/v9\nkind: GitRepository\nmetadata: {name: x}\n");
    assert_has(
        &msg,
        &[
            "test.yaml#0",
            "unknown apiVersion/kind",
            "source.toolkit.fluxcd.io/v9",
            "GitRepository",
        ],
    );
    let msg = err("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assert_has(&msg, &["\"v1\"", "\"ConfigMap\""]);
    let msg = err(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomisation\nmetadata: {name: x}\n",
    );
    assert_has(&msg, &["Kustomisation"]);
}

#[test]
fn document_index_is_reported() {
    let two = format!(
        "{}---\n{}",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: ok, namespace: ns}\nspec: {url: https://x}\n",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: bad, namespace: ns}\nspec: {url: https://x, interval: soon}\n"
    );
    let msg = err(&two);
    assert!(
        msg.starts_with("test.yaml#1: HelmRepository ns/bad: spec.interval"),
        "{msg}"
    );
}

#[test]
fn not_objects_and_bad_yaml() {
    assert!(matches!(
        parse_documents("- a\n- b\n", "t"),
        Err(LoadError::NotAnObject { .. })
    ));
    assert_has(
        &err("kind: GitRepository\nmetadata: {name: x}\n"),
        &["apiVersion: missing required field"],
    );
    assert!(matches!(
        parse_documents("a: [b\n", "t"),
        Err(LoadError::Yaml { .. })
    ));
    assert!(matches!(
        parse_documents("a: 1\na: 2\n", "t"),
        Err(LoadError::Yaml { .. })
    ));
    assert!(parse_documents("", "t").unwrap().is_empty());
    assert!(
        parse_documents("# only a comment\n---\n", "t")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn wrong_types_name_the_field() {
    let ks = r#"
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 5m
  prune: "yes please"
  sourceRef: {kind: GitRepository, name: repo}
"#;
    assert_has(&err(ks), &["Kustomization flux-system/apps", "spec.prune"]);
    let hr = r#"
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: r, namespace: ns}
spec:
  interval: 5m
  chartRef: {kind: OCIRepository, name: x}
  install:
    remediation:
      retries: three
"#;
    assert_has(&err(hr), &["spec.install.remediation.retries"]);
}

#[test]
fn helm_release_chart_one_of() {
    let none = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: r, namespace: ns}\nspec: {interval: 5m}\n";
    assert_has(
        &err(none),
        &["spec.chart", "either spec.chart or spec.chartRef"],
    );
}

#[test]
fn unknown_fields_are_errors_unless_allowed() {
    let yaml = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: ns}
spec:
  url: https://example.com/repo.git
  intervall: 5m
  interval: 5m
  ref:
    branche: main
"#;
    let e = parse_documents(yaml, "t.yaml").unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.yaml#0: GitRepository ns/repo: spec.intervall: unknown field; spec.ref.branche: unknown field"
    );
    let lenient = ferroflux_api::load::LoadOptions {
        allow_unknown_fields: true,
    };
    let objs = ferroflux_api::load::parse_documents_with(yaml, "t.yaml", &lenient).unwrap();
    assert_eq!(objs.len(), 1);
}
