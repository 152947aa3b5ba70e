//! `ferroflux helm template|show` on charts that are not on disk (`--repo`, `oci://`, chart
//! URLs, `repo/chart`), side by side with the reference helm against the real chart
//! repository and registries: the same standard output, standard error and exit status, and
//! the same files in Helm's content cache.

use ferroflux_testsupport::endpoint;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn reference_helm() -> PathBuf {
    ferroflux_testsupport::oracle("helm")
}

/// The test chart pushed to both registries once (pushing the same archive again is a
/// no-op for a registry); returns the manifest digest of podinfo-lite 0.1.0.
fn pushed() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(|| {
        let dir = endpoint("TEST_HELM_REPO_DIR");
        let home = tempfile::tempdir().unwrap();
        let mut digest = String::new();
        for version in ["0.1.0", "0.2.0"] {
            let tgz = format!("{dir}/podinfo-lite-{version}.tgz");
            let plain = format!("oci://{}/ff-remote", endpoint("TEST_OCI_HOST"));
            let o = helm_in(home.path())
                .args(["push", &tgz, &plain, "--plain-http"])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            if version == "0.1.0" {
                digest = printed
                    .lines()
                    .find_map(|l| l.strip_prefix("Digest: "))
                    .expect("helm push prints the digest")
                    .to_string();
            }
        }
        let tgz = format!("{dir}/podinfo-lite-0.1.0.tgz");
        let tls = format!("oci://{}/ff-remote", endpoint("TEST_OCI_AUTH_HOST"));
        let o = helm_in(home.path())
            .args(["push", &tgz, &tls, "--ca-file", &endpoint("TEST_CA_FILE")])
            .args(["--username", &endpoint("TEST_HTTP_USER")])
            .args(["--password", &endpoint("TEST_HTTP_PASSWORD")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        digest
    })
}

fn helm_in(home: &Path) -> Command {
    let mut c = Command::new(reference_helm());
    isolate(&mut c, home);
    c
}

/// Helm's directories, HOME and Docker's configuration inside `home`, nothing else of the
/// user's.
fn isolate(c: &mut Command, home: &Path) {
    for v in [
        "HELM_REPOSITORY_CONFIG",
        "HELM_REPOSITORY_CACHE",
        "HELM_REGISTRY_CONFIG",
        "HELM_CONTENT_CACHE",
        "HELM_DEBUG",
        "HELM_NAMESPACE",
        "KUBECONFIG",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
    ] {
        c.env_remove(v);
    }
    c.env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("HOME", home.join("home"))
        .env("DOCKER_CONFIG", home.join("home/.docker"))
        // Credential helpers a case writes are found first.
        .env(
            "PATH",
            format!(
                "{}:{}",
                home.join("bin").display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .current_dir(home);
}

/// What one run printed and left in the cache.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
    cached: Vec<String>,
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().display().to_string());
        }
    }
}

/// Runs `args` with `bin` (and `prefix`) in a fresh case directory at `dir`, after `setup`.
fn run(bin: &Path, prefix: &[&str], args: &[String], dir: &Path, setup: &dyn Fn(&Path)) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("home")).unwrap();
    setup(dir);
    let mut c = Command::new(bin);
    isolate(&mut c, dir);
    let o = c.args(prefix).args(args).output().unwrap();
    let mut cached = Vec::new();
    files_under(&dir.join("cache"), &dir.join("cache/content"), &mut cached);
    cached.sort();
    Run {
        ok: o.status.success(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        cached,
    }
}

/// Runs a case with helm and with ferroflux in the same directory, and compares.
/// `helm template x podinfo-lite --repo URL EXTRA…` in both tools, as [`same_as_helm`].
fn template_from_repo(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["template", "x", "podinfo-lite", "--repo", url];
    args.extend_from_slice(extra);
    same_as_helm(&args, &no_setup)
}

fn same_as_helm(args: &[&str], setup: &dyn Fn(&Path)) -> Run {
    pushed();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("case");
    let want = run(&reference_helm(), &[], &args, &dir, setup);
    let got = run(
        Path::new(env!("CARGO_BIN_EXE_ferroflux")),
        &["helm"],
        &args,
        &dir,
        setup,
    );
    assert_eq!(got, want, "helm {}", args.join(" "));
    got
}

fn no_setup(_: &Path) {}

/// The run's standard error says `text`.
fn assert_logged(r: &Run, text: &str) {
    assert!(r.stderr.contains(text), "{}", r.stderr);
}

/// Helm's repositories file naming the test repository `myrepo`, and (with `cached`) the
/// index `helm repo update` would have cached for it.
fn configured_repo(cached: bool) -> impl Fn(&Path) {
    move |dir: &Path| {
        let url = endpoint("TEST_HELM_REPO_URL");
        std::fs::create_dir_all(dir.join("config")).unwrap();
        std::fs::write(
            dir.join("config/repositories.yaml"),
            format!("apiVersion: \"\"\nrepositories:\n- name: myrepo\n  url: {url}\n"),
        )
        .unwrap();
        if cached {
            std::fs::create_dir_all(dir.join("cache/repository")).unwrap();
            std::fs::copy(
                format!("{}/index.yaml", endpoint("TEST_HELM_REPO_DIR")),
                dir.join("cache/repository/myrepo-index.yaml"),
            )
            .unwrap();
        }
    }
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn charts_from_a_repository_url() {
    let url = endpoint("TEST_HELM_REPO_URL");
    let r = template_from_repo(&url, &[]);
    assert!(r.ok && r.stdout.contains("# Source: podinfo-lite/templates/"));
    assert_eq!(r.cached.len(), 1, "the download is cached: {:?}", r.cached);
    // A version that is no range falls back with Helm's warning.
    let r = template_from_repo(&url, &["--version", "0.1"]);
    assert!(
        r.stderr
            .contains("falling back to closest available version")
    );
    let r = template_from_repo(&url, &["--version", "9.9"]);
    assert!(!r.ok && r.stderr.contains("version \"9.9\" not found in"));
    same_as_helm(&["template", "x", "nope", "--repo", &url], &no_setup);
    // Values flags apply to the downloaded chart as to a local one.
    template_from_repo(&url, &["--set", "replicaCount=3"]);
    same_as_helm(
        &["show", "values", "podinfo-lite", "--repo", &url],
        &no_setup,
    );
    // --debug: the getter's requests, the version picked, the download cache.
    let r = template_from_repo(&url, &["--version", "<0.2", "--debug"]);
    assert!(
        r.stderr
            .contains("msg=\"selected version matching constraint\"")
            && r.stderr.contains("msg=\"fetch complete\"")
            && r.stderr.contains("msg=\"put downloaded chart in cache\""),
        "{}",
        r.stderr
    );
    // The chart URL itself.
    let tgz = format!("{url}/podinfo-lite-0.1.0.tgz");
    same_as_helm(&["template", "x", &tgz], &no_setup);
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn repository_credentials() {
    let url = endpoint("TEST_HELM_REPO_AUTH_URL");
    let (user, pass) = (endpoint("TEST_HTTP_USER"), endpoint("TEST_HTTP_PASSWORD"));
    let r = template_from_repo(&url, &[]);
    assert!(
        !r.ok && r.stderr.contains("401 Unauthorized"),
        "{}",
        r.stderr
    );
    let r = template_from_repo(&url, &["--username", &user, "--password", &pass]);
    assert!(r.ok);
    let r = template_from_repo("http://127.0.0.1:1/charts", &[]);
    assert_logged(&r, "connect: connection refused");
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn charts_from_configured_repositories() {
    let r = same_as_helm(
        &["template", "x", "myrepo/podinfo-lite", "--version", "0.1.0"],
        &configured_repo(true),
    );
    assert!(r.ok && r.cached.len() == 1, "{r:?}");
    // The digest in the index finds the cached chart: no download happens.
    let offline = |dir: &Path| {
        configured_repo(true)(dir);
        let index = dir.join("cache/repository/myrepo-index.yaml");
        let text = std::fs::read_to_string(&index).unwrap();
        let url = endpoint("TEST_HELM_REPO_URL");
        std::fs::write(&index, text.replace(&url, "http://127.0.0.1:1/charts")).unwrap();
        let tgz = std::fs::read(format!(
            "{}/podinfo-lite-0.2.0.tgz",
            endpoint("TEST_HELM_REPO_DIR")
        ))
        .unwrap();
        let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&tgz));
        let dest = dir.join(format!("cache/content/{}/{digest}.chart", &digest[..2]));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, tgz).unwrap();
    };
    let r = same_as_helm(&["template", "x", "myrepo/podinfo-lite"], &offline);
    assert!(r.ok, "{}", r.stderr);
    let r = same_as_helm(
        &["template", "x", "myrepo/podinfo-lite"],
        &configured_repo(false),
    );
    assert_logged(&r, "no cached repo found");
    same_as_helm(
        &["template", "x", "other/podinfo-lite"],
        &configured_repo(true),
    );
    same_as_helm(&["template", "x", "myrepo/nope"], &configured_repo(true));
    same_as_helm(&["template", "x", "podinfo-lite"], &no_setup);
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn charts_from_registries() {
    let digest = pushed();
    let plain = format!("oci://{}/ff-remote/podinfo-lite", endpoint("TEST_OCI_HOST"));
    let r = same_as_helm(&["template", "x", &plain, "--plain-http"], &no_setup);
    assert!(r.ok && r.stderr.starts_with("Pulled: "), "{}", r.stderr);
    assert_logged(&r, ":0.2.0\nDigest: sha256:");
    same_as_helm(
        &["template", "x", &plain, "--plain-http", "--version", "~0.1"],
        &no_setup,
    );
    same_as_helm(
        &["template", "x", &format!("{plain}:0.1.0"), "--plain-http"],
        &no_setup,
    );
    let r = same_as_helm(
        &[
            "template",
            "x",
            &format!("{plain}:0.1.0"),
            "--plain-http",
            "--version",
            "0.2.0",
        ],
        &no_setup,
    );
    assert!(r.stderr.contains("chart reference and version mismatch"));
    let r = same_as_helm(
        &[
            "template",
            "x",
            &plain,
            "--plain-http",
            "--version",
            "9.9.9",
        ],
        &no_setup,
    );
    assert_logged(&r, "not found");
    same_as_helm(
        &[
            "template",
            "x",
            &format!("{plain}@{digest}"),
            "--plain-http",
        ],
        &no_setup,
    );
    same_as_helm(
        &["template", "x", &plain, "--plain-http", "--version", ">5"],
        &no_setup,
    );
    same_as_helm(&["show", "chart", &plain, "--plain-http"], &no_setup);
    // TLS and credentials, from the flags and from `helm registry login`'s file.
    let tls = format!(
        "oci://{}/ff-remote/podinfo-lite",
        endpoint("TEST_OCI_AUTH_HOST")
    );
    let ca = endpoint("TEST_CA_FILE");
    let (user, pass) = (endpoint("TEST_HTTP_USER"), endpoint("TEST_HTTP_PASSWORD"));
    let r = same_as_helm(
        &[
            "template",
            "x",
            &tls,
            "--ca-file",
            &ca,
            "--username",
            &user,
            "--password",
            &pass,
        ],
        &no_setup,
    );
    assert!(r.ok, "{}", r.stderr);
    let logged_in = |dir: &Path| {
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        std::fs::create_dir_all(dir.join("config/registry")).unwrap();
        std::fs::write(
            dir.join("config/registry/config.json"),
            format!(
                "{{\"auths\":{{\"{}\":{{\"auth\":\"{auth}\"}}}}}}",
                endpoint("TEST_OCI_AUTH_HOST")
            ),
        )
        .unwrap();
    };
    let r = same_as_helm(&["template", "x", &tls, "--ca-file", &ca], &logged_in);
    assert!(r.ok, "{}", r.stderr);
    // A Docker credential helper named by the registry file answers for the registry.
    let helped = |dir: &Path| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let script = dir.join("bin/docker-credential-ffstub");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh
read server
echo '{{\"ServerURL\":\"'$server'\",\"Username\":\"{user}\",\"Secret\":\"{pass}\"}}'
"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(dir.join("config/registry")).unwrap();
        std::fs::write(
            dir.join("config/registry/config.json"),
            r#"{"auths":{},"credsStore":"ffstub"}"#,
        )
        .unwrap();
    };
    let r = same_as_helm(&["template", "x", &tls, "--ca-file", &ca], &helped);
    assert!(r.ok, "{}", r.stderr);
    let r = same_as_helm(&["template", "x", &tls], &no_setup);
    assert_logged(&r, "unknown authority");
}

/// A chart `c` whose dependencies are missing from `charts/`: `deps` is the YAML list.
fn chart_with_deps(deps: &'static str) -> impl Fn(&Path) {
    move |dir: &Path| {
        let c = dir.join("c");
        std::fs::create_dir_all(c.join("templates")).unwrap();
        std::fs::write(
            c.join("Chart.yaml"),
            format!("apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n{deps}"),
        )
        .unwrap();
        std::fs::write(
            c.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-top\n",
        )
        .unwrap();
    }
}

/// `charts/` and `Chart.lock` (its time masked) after a run in `dir`.
fn dependency_tree(dir: &Path) -> String {
    let mut files = Vec::new();
    files_under(dir, &dir.join("c"), &mut files);
    files.sort();
    let lock = std::fs::read_to_string(dir.join("c/Chart.lock")).unwrap_or_default();
    let lock: Vec<&str> = lock
        .lines()
        .filter(|l| !l.starts_with("generated:"))
        .collect();
    format!("{}\n{}", files.join("\n"), lock.join("\n"))
}

/// `template r c --dependency-update ARGS` with helm and ferroflux: the same output (Helm
/// prints its repository updates in no fixed order: compared sorted), the same archives
/// and lock.
fn dependency_update_as_helm(args: &[&str], setup: &dyn Fn(&Path)) -> (Run, String) {
    pushed();
    let mut all = vec!["template", "r", "c", "--dependency-update"];
    all.extend_from_slice(args);
    let all: Vec<String> = all.iter().map(|a| a.to_string()).collect();
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("case");
    let sorted = |mut r: Run| {
        let mut lines: Vec<&str> = r.stdout.lines().collect();
        lines.sort();
        r.stdout = lines.join("\n");
        r
    };
    let want = sorted(run(&reference_helm(), &[], &all, &dir, setup));
    let want_tree = dependency_tree(&dir);
    let got = sorted(run(
        Path::new(env!("CARGO_BIN_EXE_ferroflux")),
        &["helm"],
        &all,
        &dir,
        setup,
    ));
    let got_tree = dependency_tree(&dir);
    assert_eq!(got, want, "helm {}", all.join(" "));
    assert_eq!(got_tree, want_tree, "helm {}", all.join(" "));
    (got, got_tree)
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn dependency_update_from_repositories_and_registries() {
    let url = endpoint("TEST_HELM_REPO_URL");
    let oci = format!("oci://{}/ff-remote", endpoint("TEST_OCI_HOST"));
    // A URL no repository is configured for (twice, under two aliases).
    let deps: &'static str = Box::leak(
        format!(
            "- name: podinfo-lite\n  version: ~0.1.0\n  repository: {url}\n\
             - name: podinfo-lite\n  alias: again\n  version: ~0.1.0\n  repository: {url}/\n"
        )
        .into_boxed_str(),
    );
    let (r, tree) = dependency_update_as_helm(&[], &chart_with_deps(deps));
    assert!(r.ok, "{}", r.stderr);
    // With --debug, Helm's lines too: the index fetched twice (the second time to find the
    // chart's URL), the downloader, the schema walk.
    let (d, _) = dependency_update_as_helm(&["--debug"], &chart_with_deps(deps));
    assert_logged(&d, "msg=\"set up default downloader cache\"");
    assert!(
        r.stdout
            .contains("Getting updates for unmanaged Helm repositories...")
    );
    assert!(
        r.stdout.contains("Already downloaded podinfo-lite"),
        "{}",
        r.stdout
    );
    assert!(tree.contains("c/charts/podinfo-lite-0.1.0.tgz"), "{tree}");
    // A registry (plain HTTP by the flag), with a range over its tags.
    let deps: &'static str = Box::leak(
        format!("- name: podinfo-lite\n  version: \">=0.2.0\"\n  repository: {oci}\n")
            .into_boxed_str(),
    );
    let (r, tree) = dependency_update_as_helm(&["--plain-http"], &chart_with_deps(deps));
    assert!(r.ok && r.stderr.starts_with("Pulled: "), "{}", r.stderr);
    assert!(tree.contains("c/charts/podinfo-lite-0.2.0.tgz"), "{tree}");
    // One chart name from a repository and a registry: Helm keys repositories by chart
    // name, so the repository dependency looks for the registry's index, and fails.
    let deps: &'static str = Box::leak(
        format!(
            "- name: podinfo-lite\n  version: ~0.1.0\n  repository: {url}\n\
             - name: podinfo-lite\n  alias: fromoci\n  version: 0.2.0\n  repository: {oci}\n"
        )
        .into_boxed_str(),
    );
    let (r, _) = dependency_update_as_helm(&["--plain-http"], &chart_with_deps(deps));
    assert_logged(&r, "no cached repository for oci:");
    // `@name` through the repositories file, a version no one has, a missing definition.
    let at: &'static str = "- name: podinfo-lite\n  version: \"*\"\n  repository: \"@myrepo\"\n";
    let setup = |dir: &Path| {
        configured_repo(false)(dir);
        chart_with_deps(at)(dir);
    };
    let (r, tree) = dependency_update_as_helm(&[], &setup);
    assert!(
        r.stdout.contains("Update Complete. ⎈Happy Helming!⎈"),
        "{}",
        r.stdout
    );
    assert!(tree.contains(&format!("repository: {url}")), "{tree}");
    let none: &'static str = Box::leak(
        format!("- name: podinfo-lite\n  version: ~0.9.0\n  repository: {url}\n").into_boxed_str(),
    );
    let (r, _) = dependency_update_as_helm(&[], &chart_with_deps(none));
    assert_logged(&r, "can't get a valid version");
    let (r, _) = dependency_update_as_helm(&[], &chart_with_deps(at));
    assert_logged(&r, "no repository definition for @myrepo");
}

/// A kustomization whose `helmCharts` name a chart repository: the charts missing from the
/// chart home are pulled there (`helm pull --untar`), as `kubectl kustomize --enable-helm`
/// (kustomize v5.8.1 running the reference helm) pulls them, and render the same.
#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn kustomize_pulls_missing_helm_charts() {
    let kubectl = ferroflux_testsupport::oracle("kubectl");
    let url = endpoint("TEST_HELM_REPO_URL");
    let kustomization = format!(
        "helmCharts:\n\
         - name: podinfo-lite\n  repo: {url}\n  version: 0.1.0\n  releaseName: pinned\n\
         - name: podinfo-lite\n  repo: {url}\n  releaseName: latest\n  valuesInline:\n    replicaCount: 2\n"
    );
    let base = tempfile::tempdir().unwrap();
    let tree = |dir: &Path| {
        let mut files = Vec::new();
        files_under(dir, &dir.join("charts"), &mut files);
        files.sort();
        files
    };
    let mut runs = Vec::new();
    for (name, bin, prefix) in [
        (
            "reference",
            kubectl.clone(),
            vec!["kustomize", "--enable-helm", "--helm-command"],
        ),
        (
            "ours",
            PathBuf::from(env!("CARGO_BIN_EXE_ferroflux")),
            vec!["kustomize", "build", "--enable-helm"],
        ),
    ] {
        let dir = base.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kustomization.yaml"), &kustomization).unwrap();
        let mut c = Command::new(&bin);
        isolate(&mut c, base.path());
        c.args(&prefix);
        if name == "reference" {
            c.arg(reference_helm());
        }
        let o = c.arg(&dir).output().unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Pulled once: a second build finds the charts in the chart home.
        let again = c.output().unwrap();
        assert_eq!(again.stdout, o.stdout, "{name}: second build");
        runs.push((String::from_utf8(o.stdout).unwrap(), tree(&dir)));
    }
    assert!(
        runs[0]
            .1
            .contains(&"charts/podinfo-lite-0.1.0/podinfo-lite/Chart.yaml".to_string())
    );
    assert_eq!(runs[1], runs[0]);
}
