//! Remote bases through the binary: `ferroflux kustomize build --enable-remote-bases` and
//! `ferroflux build kustomization` against the real Git server (`cargo xtask test`), compared
//! with the same tree built locally and with the reference `kubectl kustomize` (kustomize
//! v5.8.1) building the same overlay against the same server; and the refusal without the flag
//! (no server needed).

use ferroflux_testsupport::endpoint;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const KUBECTL: &str = "/opt/oracles/bin/kubectl";

fn ferroflux(args: &[&str]) -> (bool, String, String) {
    ferroflux_env(args, &[])
}

fn ferroflux_env(args: &[&str], env: &[(&str, String)]) -> (bool, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ferroflux"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.success(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// `kubectl kustomize` on the same input, when the reference kubectl is installed.
fn kubectl(args: &[&str], env: &[(&str, String)]) -> Option<(bool, String, String)> {
    if !Path::new(KUBECTL).is_file() {
        eprintln!("note: {KUBECTL} is not installed; not comparing with the reference");
        return None;
    }
    let mut c = Command::new(KUBECTL);
    c.arg("kustomize").args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    Some((
        o.status.success(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    ))
}

/// Our output must equal `kubectl kustomize ARGS` (when the reference is installed).
fn assert_like_kubectl(ours: &str, args: &[&str], env: &[(&str, String)], what: &str) {
    if let Some((ok, reference, err)) = kubectl(args, env) {
        assert!(ok, "kubectl: {err}");
        assert_eq!(ours, reference, "{what}differs from kubectl kustomize");
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// The repository's files: a base (with a generator, and a base elsewhere in the
/// repository), a component, a directory without kustomization.
const TREE: &[(&str, &str)] = &[
    (
        "base/kustomization.yaml",
        "resources:\n- deploy.yaml\n- ../common\nlabels:\n- pairs:\n    tier: base\n  includeSelectors: true\nconfigMapGenerator:\n- name: settings\n  literals: [color=blue]\nimages:\n- name: nginx\n  newTag: \"1.27\"\n",
    ),
    (
        "base/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      serviceAccountName: web\n      containers:\n      - name: web\n        image: nginx:1.0\n        envFrom:\n        - configMapRef:\n            name: settings\n",
    ),
    ("common/kustomization.yaml", "resources:\n- sa.yaml\n"),
    (
        "common/sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n",
    ),
    (
        "comp/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  team: platform\n",
    ),
    ("docs/README.md", "no kustomization here\n"),
];

/// `remote-bases.git` on the served Git root: `main` (HEAD) at the tree above, tag `v1`
/// (annotated) on the same commit. Returns the work tree (a local copy of the same files)
/// and the commit.
fn fixture() -> &'static (PathBuf, String) {
    static FIXTURE: OnceLock<(PathBuf, String)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = PathBuf::from(endpoint("TEST_GIT_ROOT"));
        let work = tempfile::Builder::new()
            .prefix("remote-bases-work-")
            .tempdir()
            .unwrap()
            .keep();
        write(&work, TREE);
        git(&work, &["init", "-q", "-b", "main"]);
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "one"]);
        git(&work, &["tag", "-a", "v1", "-m", "v1"]);
        let commit = git(&work, &["rev-parse", "HEAD"]);
        let bare = root.join("remote-bases.git");
        let _ = std::fs::remove_dir_all(&bare);
        git(
            &root,
            &["init", "-q", "--bare", "-b", "main", "remote-bases.git"],
        );
        git(
            &work,
            &["push", "-q", bare.to_str().unwrap(), "main", "--tags"],
        );
        // Served by git-http-backend and sshd as the `git` user.
        let _ = Command::new("chown")
            .args(["-R", "git:"])
            .arg(&bare)
            .status();
        (work, commit)
    })
}

fn repo_url() -> String {
    fixture();
    format!("{}/remote-bases.git", endpoint("TEST_GIT_HTTP_URL"))
}

fn overlay(dir: &Path, kustomization: &str) -> String {
    write(dir, &[("kustomization.yaml", kustomization)]);
    dir.display().to_string()
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn a_remote_base_over_http_builds_like_the_local_tree_and_like_kubectl() {
    let (work, _) = fixture();
    let url = repo_url();
    let tmp = tempfile::tempdir().unwrap();
    let remote = overlay(
        &tmp.path().join("remote"),
        &format!(
            "resources:\n- {url}//base?ref=v1\ncomponents:\n- {url}//comp?ref=v1\nnamePrefix: prod-\nnamespace: prod\n"
        ),
    );
    let local = overlay(
        &tmp.path().join("local"),
        &format!(
            "resources:\n- {0}/base\ncomponents:\n- {0}/comp\nnamePrefix: prod-\nnamespace: prod\n",
            work.display()
        ),
    );
    let (ok, from_remote, err) =
        ferroflux(&["kustomize", "build", "--enable-remote-bases", &remote]);
    assert!(ok, "{err}");
    let (ok, from_local, err) = ferroflux(&["kustomize", "build", &local]);
    assert!(ok, "{err}");
    assert_eq!(from_remote, from_local);
    assert!(
        from_remote.contains("name: prod-settings-"),
        "{from_remote}"
    );
    assert!(from_remote.contains("image: nginx:1.27"), "{from_remote}");
    assert!(from_remote.contains("team: platform"), "{from_remote}");
    assert_like_kubectl(&from_remote, &[&remote], &[], "");
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn refs_paths_origins_and_top_level_urls_match_kubectl() {
    let (_, commit) = fixture();
    let url = repo_url();
    let tmp = tempfile::tempdir().unwrap();
    // A branch through `version=`, a commit, `.git/` without `//`; the origin annotations
    // carry the repository and ref.
    let dir = overlay(
        tmp.path(),
        &format!(
            "resources:\n- {url}/base?version=main\ncomponents:\n- {url}/comp?ref={commit}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"
        ),
    );
    let (ok, ours, err) = ferroflux(&["kustomize", "build", "--enable-remote-bases", &dir]);
    assert!(ok, "{err}");
    assert!(
        ours.contains(&format!(
            "config.kubernetes.io/origin: |\n      path: common/sa.yaml\n      repo: {url}\n      ref: main\n"
        )),
        "{ours}"
    );
    assert_like_kubectl(&ours, &[&dir], &[], "");
    // `kustomize build URL`, at a tag and at the default branch (HEAD).
    for (target, kind) in [
        (format!("{url}//base?ref=v1"), "kind: Deployment"),
        (format!("{url}//common"), "kind: ServiceAccount"),
    ] {
        let (ok, ours, err) = ferroflux(&["kustomize", "build", "--enable-remote-bases", &target]);
        assert!(ok, "{err}");
        assert!(ours.contains(kind), "{ours}");
        assert_like_kubectl(&ours, &[&target], &[], &format!("{target}: "));
    }
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn ssh_remote_bases_use_the_users_ssh() {
    fixture();
    let tmp = tempfile::tempdir().unwrap();
    let ssh = endpoint("TEST_GIT_SSH_URL");
    let port = endpoint("TEST_SSH_PORT");
    // The user's ssh settings (here: the test key and known_hosts) through GIT_SSH_COMMAND.
    let env = [(
        "GIT_SSH_COMMAND",
        format!("{} -p {port}", endpoint("TEST_GIT_SSH_COMMAND")),
    )];
    for target in [
        format!("{ssh}/remote-bases.git//base?ref=v1"),
        "git@127.0.0.1:remote-bases.git//base?ref=v1".to_string(),
    ] {
        let dir = overlay(tmp.path(), &format!("resources:\n- {target}\n"));
        let (ok, ours, err) =
            ferroflux_env(&["kustomize", "build", "--enable-remote-bases", &dir], &env);
        assert!(ok, "{target}: {err}");
        assert!(ours.contains("kind: Deployment"), "{ours}");
        assert_like_kubectl(&ours, &[&dir], &env, &format!("{target}: "));
    }
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn remote_errors_name_the_url_and_what_failed() {
    fixture();
    let url = repo_url();
    let tmp = tempfile::tempdir().unwrap();
    let missing_repo = format!("{}/no-such-repo.git", endpoint("TEST_GIT_HTTP_URL"));
    let cases = [
        (
            format!("{url}//base?ref=v9"),
            format!("ref 'v9' not found in {url}"),
        ),
        (
            format!("{url}//nowhere?ref=v1"),
            format!("no directory 'nowhere' in {url} at ref 'v1'"),
        ),
        (
            format!("{url}//docs?ref=v1"),
            format!(
                "no kustomization ('kustomization.yaml', 'kustomization.yml' or 'Kustomization') in 'docs' of {url} at ref 'v1'"
            ),
        ),
        (
            format!("{missing_repo}//base"),
            format!("cloning {missing_repo} failed: "),
        ),
        (
            format!("{url}//base?ref=v1&timeout=1ms"),
            "failed: timed out after 1ms".to_string(),
        ),
    ];
    for (target, expected) in cases {
        let dir = overlay(tmp.path(), &format!("resources:\n- {target}\n"));
        let (ok, _, err) = ferroflux(&["kustomize", "build", "--enable-remote-bases", &dir]);
        assert!(!ok, "{target}: built");
        assert!(err.contains(&format!("remote '{target}': ")), "{err}");
        assert!(err.contains(&expected), "{target}: {err}");
        if let Some((ok, _, kerr)) = kubectl(&[&dir], &[]) {
            assert!(!ok, "{target}: kubectl built it: {kerr}");
        }
    }
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn build_kustomization_fetches_remote_bases_unless_told_not_to() {
    fixture();
    let url = repo_url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = overlay(
        tmp.path(),
        &format!("resources:\n- {url}//base?ref=v1\n- cm.yaml\n"),
    );
    write(
        tmp.path(),
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  env: ${env}\n",
        )],
    );
    let (ok, out, err) = ferroflux(&[
        "build",
        "kustomization",
        "--path",
        &dir,
        "--substitute",
        "env=prod",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("kind: Deployment"), "{out}");
    assert!(out.contains("env: prod"), "{out}");
    let (ok, _, err) = ferroflux(&[
        "build",
        "kustomization",
        "--path",
        &dir,
        "--substitute",
        "env=prod",
        "--no-remote-bases",
    ]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "remote base or resource '{url}//base?ref=v1' refused: remote bases are disabled by --no-remote-bases"
        )),
        "{err}"
    );
}

#[test]
fn kustomize_build_refuses_remote_bases_by_default_and_says_how_to_enable_them() {
    let tmp = tempfile::tempdir().unwrap();
    // Nothing listens there: a refusal must come before any connection.
    let target = "http://127.0.0.1:9/org/repo.git//base?ref=v1";
    let dir = overlay(
        tmp.path(),
        &format!("resources:\n- {target}\n- github.com/org/repo/base?ref=v1\n"),
    );
    let (ok, out, err) = ferroflux(&["kustomize", "build", &dir]);
    assert!(!ok);
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        err,
        format!(
            "error: {dir}/kustomization.yaml: remote base or resource '{target}' refused: fetching remote bases is not enabled for this build (--enable-remote-bases on `ferroflux kustomize build`)\n"
        )
    );
    let (ok, _, err) = ferroflux(&["kustomize", "build", "github.com/org/repo//base?ref=v1"]);
    assert!(!ok);
    assert!(
        err.contains("remote base or resource 'github.com/org/repo//base?ref=v1' refused"),
        "{err}"
    );
    let (ok, _, err) = ferroflux(&[
        "build",
        "kustomization",
        "--path",
        &dir,
        "--no-remote-bases",
    ]);
    assert!(!ok);
    assert!(
        err.contains(&format!("remote base or resource '{target}' refused: remote bases are disabled by --no-remote-bases")),
        "{err}"
    );
}
