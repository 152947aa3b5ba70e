//! Remote bases and files through a fake [`RemoteFetcher`] (no network): what is fetched, how
//! often, what a remote root may read, origins, cycles and the errors. The same behaviours
//! against a real Git server and the reference kubectl are in the engine's
//! `tests/kustomize_remote.rs`.

use ferroflux_kustomize::flux::{FluxOverlay, Substitutions, build_kustomization_with_remote};
use ferroflux_kustomize::remote::{FetchError, RemoteFetcher, RepoSpec};
use ferroflux_kustomize::{BuildOptions, ErrorKind, LoadRestrictor, build, build_remote, to_yaml};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const REPO: &str = "https://example.com/org/repo";

/// Repositories are local directories (one per clone URL and ref); files are bytes by URL.
#[derive(Debug, Default)]
struct Fake {
    repos: HashMap<(String, String), PathBuf>,
    files: HashMap<String, Vec<u8>>,
    /// Every repository fetch: (clone URL, ref).
    fetches: Mutex<Vec<(String, String)>>,
}

impl RemoteFetcher for Fake {
    fn fetch_repo(&self, spec: &RepoSpec) -> Result<PathBuf, FetchError> {
        let url = spec.clone_url();
        self.fetches
            .lock()
            .unwrap()
            .push((url.clone(), spec.git_ref.clone()));
        if !self.repos.keys().any(|(u, _)| *u == url) {
            return Err(FetchError::Failed(format!("repository '{url}' not found")));
        }
        let wanted = if spec.git_ref.is_empty() {
            "HEAD"
        } else {
            &spec.git_ref
        };
        self.repos
            .get(&(url.clone(), wanted.to_string()))
            .cloned()
            .ok_or(FetchError::RefNotFound {
                reference: wanted.to_string(),
                repository: url,
            })
    }

    fn fetch_file(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.files.get(url).cloned().ok_or(FetchError::HttpStatus {
            code: 404,
            reason: "Not Found".into(),
        })
    }
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// The repository's tree: a base with a generator and a base elsewhere in the repository, a
/// component, and kustomizations that try to leave their root or the repository.
fn repo_tree(dir: &Path) {
    write(
        dir,
        &[
            (
                "base/kustomization.yaml",
                "resources:\n- deploy.yaml\n- ../common\nlabels:\n- pairs:\n    tier: base\nconfigMapGenerator:\n- name: settings\n  literals: [a=b]\n",
            ),
            (
                "base/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.0\n",
            ),
            ("common/kustomization.yaml", "resources:\n- sa.yaml\n"),
            (
                "common/sa.yaml",
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n",
            ),
            (
                "comp/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  comp: \"yes\"\n",
            ),
            (
                "escape/kustomization.yaml",
                "resources:\n- ../common/sa.yaml\n",
            ),
            (
                "self/kustomization.yaml",
                "resources:\n- https://example.com/org/repo//self?ref=v1\n",
            ),
            ("empty/README.md", "no kustomization here\n"),
        ],
    );
}

/// A fake with `REPO` at `v1` (also its HEAD), `v2` (another checkout of the same tree) and
/// the files `cm.yaml`, `patch.yaml` and `app.properties` on example.com.
fn fake(work: &Path) -> Arc<Fake> {
    let v1 = work.join("checkout-v1");
    let v2 = work.join("checkout-v2");
    repo_tree(&v1);
    repo_tree(&v2);
    let mut f = Fake::default();
    for (r, dir) in [("v1", &v1), ("HEAD", &v1), ("v2", &v2)] {
        f.repos.insert((REPO.into(), r.into()), dir.clone());
    }
    f.files.insert(
        "https://example.com/cm.yaml".into(),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: served\ndata:\n  k: v\n".to_vec(),
    );
    f.files.insert(
        "https://example.com/patch.yaml".into(),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: served\ndata:\n  patched: \"true\"\n"
            .to_vec(),
    );
    f.files.insert(
        "https://example.com/app.properties".into(),
        b"color=blue\n".to_vec(),
    );
    f.files.insert(
        "https://example.com/page".into(),
        b"<html>hi</html>\n".to_vec(),
    );
    f.files.insert(
        "https://example.com/files/cm2.yaml".into(),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: served2\n".to_vec(),
    );
    Arc::new(f)
}

fn opts(f: &Arc<Fake>) -> BuildOptions {
    BuildOptions {
        remote: Some(f.clone() as Arc<dyn RemoteFetcher>),
        ..Default::default()
    }
}

fn overlay(work: &Path, kustomization: &str) -> PathBuf {
    let dir = work.join("overlay");
    let _ = std::fs::remove_dir_all(&dir);
    write(&dir, &[("kustomization.yaml", kustomization)]);
    dir
}

fn build_err(dir: &Path, o: &BuildOptions) -> ferroflux_kustomize::Error {
    match build(dir, o) {
        Ok(objects) => panic!("expected an error, built:\n{}", to_yaml(&objects)),
        Err(e) => e,
    }
}

#[test]
fn a_remote_base_builds_like_the_same_tree_locally() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let remote = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//base?ref=v1\ncomponents:\n- https://example.com/org/repo//comp?ref=v1\nnamePrefix: x-\n",
    );
    let remote_out = to_yaml(&build(&remote, &opts(&f)).expect("remote build"));
    let local = work.path().join("local");
    write(
        &local,
        &[(
            "kustomization.yaml",
            "resources:\n- ../checkout-v1/base\ncomponents:\n- ../checkout-v1/comp\nnamePrefix: x-\n",
        )],
    );
    let local_out = to_yaml(&build(&local, &BuildOptions::default()).expect("local build"));
    assert_eq!(remote_out, local_out);
    assert!(remote_out.contains("name: x-settings-"), "{remote_out}");
    assert!(remote_out.contains("comp: \"yes\""), "{remote_out}");
    // The same repository and ref: one fetch for the base and the component.
    assert_eq!(f.fetches.lock().unwrap().len(), 1);
}

#[test]
fn the_same_repository_is_fetched_once_per_ref() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//common?ref=v1\n- github.com/org/other/x?ref=v1\n",
    );
    // An unknown repository fails the build; the known one was fetched first.
    let e = build_err(&dir, &opts(&f));
    let text = e.to_string();
    assert!(
        text.contains("remote 'github.com/org/other/x?ref=v1': cloning https://github.com/org/other at ref 'v1' failed: repository 'https://github.com/org/other' not found"),
        "{text}"
    );
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//base?ref=v1\n- https://example.com/org/repo//comp/..?ref=v2\n",
    );
    // `//comp/..` is the repository's root, which has no kustomization.
    let text = build_err(&dir, &opts(&f)).to_string();
    assert!(
        text.contains("no kustomization ('kustomization.yaml', 'kustomization.yml' or 'Kustomization') in 'comp/..' of https://example.com/org/repo at ref 'v2'"),
        "{text}"
    );
    f.fetches.lock().unwrap().clear();
    overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//base?ref=v1\nnamePrefix: a-\n",
    );
    let top = work.path().join("top");
    write(
        &top,
        &[
            ("kustomization.yaml", "resources:\n- ../overlay\n- b\n- c\n"),
            (
                "b/kustomization.yaml",
                "resources:\n- https://example.com/org/repo//base?ref=v1\nnamePrefix: b-\n",
            ),
            (
                "c/kustomization.yaml",
                "resources:\n- https://example.com/org/repo//common?ref=v2\nnamePrefix: c-\n",
            ),
        ],
    );
    let out = to_yaml(&build(&top, &opts(&f)).expect("builds"));
    for name in ["a-web", "b-web", "c-web"] {
        assert!(out.contains(&format!("name: {name}\n")), "{name}:\n{out}");
    }
    assert_eq!(
        *f.fetches.lock().unwrap(),
        [
            (REPO.to_string(), "v1".to_string()),
            (REPO.to_string(), "v2".to_string())
        ]
    );
}

#[test]
fn remote_origins_record_the_repository_and_ref() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//base?ref=v1\n- https://example.com/cm.yaml\n- https://example.com/files/cm2.yaml\nbuildMetadata: [originAnnotations]\n",
    );
    let out = to_yaml(&build(&dir, &opts(&f)).expect("builds"));
    // As kubectl kustomize v1.37.1 writes them for the same layout on a Git server.
    for expected in [
        "    config.kubernetes.io/origin: |\n      path: common/sa.yaml\n      repo: https://example.com/org/repo\n      ref: v1\n",
        "    config.kubernetes.io/origin: |\n      path: base/deploy.yaml\n      repo: https://example.com/org/repo\n      ref: v1\n",
        "    config.kubernetes.io/origin: |\n      repo: https://example.com/org/repo\n      ref: v1\n      configuredIn: base/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n",
        // kustomize joins a file URL as a path (`//` collapses), unless it parses as a
        // repository URL: then it is recorded as one.
        "    config.kubernetes.io/origin: |\n      path: https:/example.com/cm.yaml\n",
        "    config.kubernetes.io/origin: |\n      path: notCloned\n      repo: https://example.com/files/cm2.yaml\n",
    ] {
        assert!(out.contains(expected), "missing\n{expected}in\n{out}");
    }
}

#[test]
fn repository_cycles_are_detected() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//self?ref=v1\n",
    );
    let e = build_err(&dir, &opts(&f));
    assert!(matches!(e.kind(), ErrorKind::Cycle(_)), "{e}");
    assert_eq!(
        e.remote(),
        Some("https://example.com/org/repo//self?ref=v1")
    );
    assert_eq!(e.file(), Some(Path::new("self/kustomization.yaml")));
    assert!(
        e.to_string().contains("cycle detected: URI 'https://example.com/org/repo//self?ref=v1' referenced by previous URI"),
        "{e}"
    );
}

#[test]
fn a_remote_root_reads_only_below_itself_and_bases_in_its_repository() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    for restrictor in [LoadRestrictor::RootOnly, LoadRestrictor::None] {
        let o = BuildOptions {
            load_restrictor: restrictor,
            ..opts(&f)
        };
        // A file beside the kustomization root: refused even with LoadRestrictionsNone.
        let dir = overlay(
            work.path(),
            "resources:\n- https://example.com/org/repo//escape?ref=v1\n",
        );
        let e = build_err(&dir, &o);
        assert!(matches!(e.kind(), ErrorKind::LoadRestriction(_)), "{e}");
        // A base elsewhere in the repository (base → ../common) is fine.
        let dir = overlay(
            work.path(),
            "resources:\n- https://example.com/org/repo//base?ref=v1\n",
        );
        build(&dir, &o).expect("a base within the repository");
    }
    // A base outside the repository.
    let outside = work.path().join("outside");
    write(
        &outside,
        &[
            ("kustomization.yaml", "resources:\n- cm.yaml\n"),
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n",
            ),
        ],
    );
    let v3 = work.path().join("checkout-v3");
    write(
        &v3,
        &[("out/kustomization.yaml", "resources:\n- ../../outside\n")],
    );
    let mut fk = Fake::default();
    fk.repos.insert((REPO.into(), "v3".into()), v3);
    let fk = Arc::new(fk);
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//out?ref=v3\n",
    );
    let e = build_err(
        &dir,
        &BuildOptions {
            load_restrictor: LoadRestrictor::None,
            remote: Some(fk as Arc<dyn RemoteFetcher>),
            ..Default::default()
        },
    );
    assert!(
        e.to_string()
            .contains("bases in kustomizations found in cloned git repos must be within the repo"),
        "{e}"
    );
}

#[test]
fn http_files_are_resources_patches_and_generator_sources() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/cm.yaml\npatches:\n- path: https://example.com/patch.yaml\nconfigMapGenerator:\n- name: props\n  files:\n  - https://example.com/app.properties\n",
    );
    let out = to_yaml(&build(&dir, &opts(&f)).expect("builds"));
    assert!(out.contains("  k: v\n  patched: \"true\"\n"), "{out}");
    assert!(
        out.contains("  app.properties: |\n    color=blue\n"),
        "{out}"
    );
    assert!(
        f.fetches.lock().unwrap().is_empty(),
        "no repository fetched"
    );
}

#[test]
fn http_urls_that_are_not_files_are_tried_as_repositories() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    // 404 for a repository URL: cloned.
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo/common?ref=v1\n",
    );
    build(&dir, &opts(&f)).expect("cloned after the 404");
    // 404 for a URL that cannot be a repository: the HTTP error.
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/nothing.yaml\n",
    );
    let text = build_err(&dir, &opts(&f)).to_string();
    assert!(
        text.contains("remote 'https://example.com/nothing.yaml': fetching the file failed: HTTP status 404 (Not Found)"),
        "{text}"
    );
    // Not YAML resources and not a repository.
    let dir = overlay(work.path(), "resources:\n- https://example.com/page\n");
    let text = build_err(&dir, &opts(&f)).to_string();
    assert!(
        text.contains("remote 'https://example.com/page': not a resource file: ")
            && text
                .contains("and it is not a Git repository URL (failed to parse repo path segment)"),
        "{text}"
    );
}

#[test]
fn refs_paths_and_kustomizations_that_are_missing_name_the_url() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let cases = [
        (
            "https://example.com/org/repo//base?ref=v9",
            "remote 'https://example.com/org/repo//base?ref=v9': ref 'v9' not found in https://example.com/org/repo",
        ),
        (
            "https://example.com/org/repo//nowhere?version=v1",
            "remote 'https://example.com/org/repo//nowhere?version=v1': no directory 'nowhere' in https://example.com/org/repo at ref 'v1'",
        ),
        (
            "https://example.com/org/repo//empty",
            "remote 'https://example.com/org/repo//empty': no kustomization ('kustomization.yaml', 'kustomization.yml' or 'Kustomization') in 'empty' of https://example.com/org/repo",
        ),
        (
            "https://example.com/org/repo//base/deploy.yaml?ref=v1",
            "'base/deploy.yaml' in https://example.com/org/repo at ref 'v1' is a file; expecting a directory",
        ),
    ];
    for (url, expected) in cases {
        let dir = overlay(work.path(), &format!("resources:\n- {url}\n"));
        let e = build_err(&dir, &opts(&f));
        let text = e.to_string();
        assert!(text.contains(expected), "{url}: {text}");
        assert!(text.starts_with(&dir.join("kustomization.yaml").display().to_string()));
    }
}

#[test]
fn without_a_fetcher_every_url_is_refused_with_the_way_to_enable_it() {
    let work = tempfile::tempdir().unwrap();
    let cases = [
        "resources:\n- https://example.com/org/repo//base?ref=v1\n",
        "resources:\n- git@github.com:org/repo.git//base\n",
        "resources:\n- github.com/org/repo/base?ref=v1\n",
        "resources:\n- https://example.com/cm.yaml\n",
        "resources:\n- oci://example.com/thing\n",
        "components:\n- ssh://git@example.com/org/repo//comp\n",
        "resources: []\npatches:\n- path: https://example.com/patch.yaml\n",
        "configMapGenerator:\n- name: p\n  files:\n  - https://example.com/app.properties\n",
    ];
    for k in cases {
        let dir = overlay(work.path(), k);
        let e = build_err(&dir, &BuildOptions::default());
        assert!(matches!(e.kind(), ErrorKind::RemoteBase(_)), "{k}: {e}");
        let text = e.to_string();
        assert!(
            text.contains("refused: fetching remote bases is not enabled for this build (--enable-remote-bases"),
            "{k}: {text}"
        );
    }
}

#[test]
fn local_paths_stay_local() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    // A local file whose name looks like an scp target is read as a file, as kustomize does.
    let dir = overlay(work.path(), "resources:\n- me@host:x.yaml\n");
    write(
        &dir,
        &[(
            "me@host:x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n",
        )],
    );
    build(&dir, &BuildOptions::default()).expect("a local file");
    build(&dir, &opts(&f)).expect("a local file");
    assert!(f.fetches.lock().unwrap().is_empty());
}

#[test]
fn flux_builds_fetch_remote_bases_when_given_a_fetcher() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let dir = overlay(
        work.path(),
        "resources:\n- https://example.com/org/repo//common?ref=v1\n- cm.yaml\n",
    );
    write(
        &dir,
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  who: ${who}\n",
        )],
    );
    let mut subs = Substitutions::default();
    subs.vars.insert("who".into(), "me".into());
    let fluxo = FluxOverlay {
        target_namespace: Some("apps".into()),
        ..Default::default()
    };
    let objects = build_kustomization_with_remote(
        &dir,
        &fluxo,
        &subs,
        Some(f.clone() as Arc<dyn RemoteFetcher>),
    )
    .expect("builds");
    let out = to_yaml(&objects);
    assert!(
        out.contains("kind: ServiceAccount\nmetadata:\n  name: web\n  namespace: apps\n"),
        "{out}"
    );
    assert!(out.contains("who: me"), "{out}");
    let e = build_kustomization_with_remote(&dir, &fluxo, &subs, None).expect_err("refused");
    assert!(matches!(e.kind(), ErrorKind::RemoteBase(_)), "{e}");
}

#[test]
fn a_remote_target_builds_at_the_top() {
    let work = tempfile::tempdir().unwrap();
    let f = fake(work.path());
    let out = to_yaml(
        &build_remote("https://example.com/org/repo//base?ref=v1", &opts(&f)).expect("builds"),
    );
    assert!(out.contains("kind: Deployment"), "{out}");
    let e = build_remote("https://example.com/org/repo//escape", &opts(&f)).expect_err("escapes");
    assert!(matches!(e.kind(), ErrorKind::LoadRestriction(_)), "{e}");
    assert_eq!(e.remote(), Some("https://example.com/org/repo//escape"));
    let e = build_remote(
        "https://example.com/org/repo//base",
        &BuildOptions::default(),
    )
    .expect_err("no fetcher");
    assert!(matches!(e.kind(), ErrorKind::RemoteBase(_)), "{e}");
}
