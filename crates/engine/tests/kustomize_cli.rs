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

/// Expected texts and file names from kubectl kustomize v5.8.1 on the same trees.
#[test]
fn kustomize_build_takes_kubectl_flags_and_warns_as_kustomize_does() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let write = |p: &str, text: &str| std::fs::write(root.join(p), text).unwrap();
    write(
        "r.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        args: [\"on\", \"--x=1\"]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: S\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n",
    );
    write(
        "kustomization.yaml",
        "resources:\n- r.yaml\ncommonLabels: {}\nvars: []\n",
    );
    let dir = root.display().to_string();
    let (ok, out, err) = ferroflux(&["kustomize", "build", &dir, "--enable-alpha-plugins"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("apiVersion: v1\nkind: Namespace\n"),
        "{out}"
    );
    assert_eq!(
        err,
        "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n\
         # Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.\n"
    );
    // --reorder none keeps the order of accumulation; a bad value is refused.
    let (ok, out, err) = ferroflux(&["kustomize", "build", &dir, "--reorder", "none"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("apiVersion: apps/v1\nkind: Deployment\n"),
        "{out}"
    );
    assert!(
        err.starts_with("Flag --reorder has been deprecated"),
        "{err}"
    );
    let (ok, _, err) = ferroflux(&["kustomize", "build", &dir, "--reorder", "x"]);
    assert!(!ok);
    assert!(err.ends_with("error: illegal flag value --reorder x; legal values: [legacy none]\n"));
    // -o FILE holds what stdout would; -o DIR one file per object, yaml.v2 style.
    let file = root.join("all.yaml");
    let build_to = |path: &Path| {
        ferroflux(&[
            "kustomize",
            "build",
            &dir,
            "-o",
            &path.display().to_string(),
        ])
    };
    let (ok, out, _) = build_to(&file);
    assert!(ok && out.is_empty());
    let (_, printed, _) = ferroflux(&["kustomize", "build", &dir]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
    let outdir = root.join("out");
    std::fs::create_dir(&outdir).unwrap();
    let (ok, _, err) = build_to(&outdir);
    assert!(ok, "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&outdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "a_apps_v1_deployment_d.yaml",
            "default_v1_service_s.yaml",
            "v1_namespace_a.yaml"
        ]
    );
    assert!(
        std::fs::read_to_string(outdir.join("a_apps_v1_deployment_d.yaml"))
            .unwrap()
            .contains("      - args:\n        - \"on\"\n        - --x=1\n        name: c\n")
    );
    // A resource outside the root needs LoadRestrictionsNone, also spelled as kubectl
    // accepts it (`_` for `-`, as kustomize's examples write it).
    std::fs::create_dir(root.join("app")).unwrap();
    write("app/kustomization.yaml", "resources:\n- ../r.yaml\n");
    let app = root.join("app").display().to_string();
    let (ok, _, err) = ferroflux(&["kustomize", "build", &app]);
    assert!(!ok && err.contains("security"), "{err}");
    for flag in ["--load-restrictor", "--load_restrictor"] {
        let (ok, out, err) = ferroflux(&["kustomize", "build", &app, flag, "LoadRestrictionsNone"]);
        assert!(ok && out.contains("kind: Namespace"), "{flag}: {err}");
    }
}

/// kubectl's boolean flags take `=true`/`=false` (pflag), not a separate word.
#[test]
fn kustomize_build_boolean_flags_take_a_value_after_equals() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("kustomization.yaml"),
        "helmCharts:\n- name: nochart\n",
    )
    .unwrap();
    let dir = root.display().to_string();
    for off in ["--enable-helm=false", "--enable-helm=0", "--enable-helm=F"] {
        let (ok, _, err) = ferroflux(&["kustomize", "build", &dir, off]);
        assert!(
            !ok && err.contains("must specify --enable-helm"),
            "{off}: {err}"
        );
    }
    for on in ["--enable-helm", "--enable-helm=true", "--enable_helm=1"] {
        let (ok, _, err) = ferroflux(&["kustomize", "build", &dir, on]);
        assert!(!ok && err.contains("nochart"), "{on}: {err}");
    }
    for flag in [
        "--enable-alpha-plugins=false",
        "--helm-debug=true",
        "--as-current-user=false",
        "--network=false",
    ] {
        let (ok, _, err) = ferroflux(&["kustomize", "build", &dir, flag, "--enable-helm=false"]);
        assert!(
            !ok && err.contains("must specify --enable-helm"),
            "{flag}: {err}"
        );
    }
    let (ok, _, err) = ferroflux(&["kustomize", "build", &dir, "--enable-helm=maybe"]);
    assert!(!ok && err.contains("maybe"), "{err}");
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

/// As `flux build kustomization NAME --kustomization-file F`: other objects in the file are
/// skipped, the Kustomization is chosen by name and namespace, and fields a build does not
/// use may be missing.
#[test]
fn build_kustomization_picks_its_kustomization_from_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  color: ${color:=blue}\n",
    )
    .unwrap();
    let ks = root.join("ks.yaml");
    std::fs::write(
        &ks,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: podinfo\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: first\n  namespace: flux-system\nspec:\n  targetNamespace: from-first\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: podinfo\nspec:\n  targetNamespace: from-podinfo\n  postBuild:\n    substituteStrategy: Always\n",
    )
    .unwrap();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "kustomization"];
        args.extend_from_slice(extra);
        let (root, ks) = (root.display().to_string(), ks.display().to_string());
        args.extend_from_slice(&["--path", &root, "--kustomization-file", &ks]);
        ferroflux(&args)
    };
    let (ok, out, err) = build(&[]);
    assert!(ok, "{err}");
    assert!(out.contains("namespace: from-first"), "{out}");
    let (ok, out, err) = build(&["podinfo", "-n", "apps"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("namespace: from-podinfo") && out.contains("color: blue"),
        "{out}"
    );
    let (ok, _, err) = build(&["first", "-n", "apps"]);
    assert!(!ok);
    assert!(
        err.contains("failed find kustomization with name 'first' and namespace 'apps'"),
        "{err}"
    );
}

/// kustomize logs the vars it resolved but never substituted anywhere (names in declaration
/// order here; kustomize's order is its map's).
#[test]
fn kustomize_build_logs_vars_that_were_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let write = |p: &str, text: &str| std::fs::write(root.join(p), text).unwrap();
    write(
        "r.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        args: [\"--backend=$(WEB)\"]\n",
    );
    let var = |name: &str, kind: &str, target: &str| {
        format!("- name: {name}\n  objref: {{kind: {kind}, name: {target}, apiVersion: v1}}\n")
    };
    write(
        "kustomization.yaml",
        &format!(
            "resources:\n- r.yaml\nvars:\n{}{}{}",
            var("WEB", "Service", "web"),
            var("UNUSED_B", "Service", "web"),
            var("UNUSED_A", "Service", "web"),
        ),
    );
    let (ok, out, err) = ferroflux(&["kustomize", "build", &root.display().to_string()]);
    assert!(ok, "{err}");
    assert!(out.contains("--backend=web"), "{out}");
    assert!(
        err.ends_with("well-defined vars that were never replaced: UNUSED_B,UNUSED_A\n"),
        "{err}"
    );
}
