//! Git sources against the real servers (`cargo xtask test`): every transport, every ref kind,
//! auth failures, shallowness, no-op polls and reproducible artifacts.

use ferroflux_source::artifact::write_archive;
use ferroflux_source::git::{self, GitAuth, GitRef, GitSource, SshAuth};
use ferroflux_source::ignore::{Matcher, load_patterns};
use ferroflux_testsupport::{endpoint, endpoint_file};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
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

/// Commits of the fixture repository `fixture.git` in the served Git root.
struct Fixture {
    c1: String,
    c2: String,
    c3: String,
}

/// main: c1 (tag v1.0.0 annotated) ← c2 (tags v1.1.0, v2.0.0-rc.1); dev and refs/pull/1/head: c3.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = PathBuf::from(endpoint("TEST_GIT_ROOT"));
        let bare = root.join("fixture.git");
        let work = tempfile::tempdir().unwrap();
        let w = work.path();
        git(w, &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(w.join("deploy")).unwrap();
        std::fs::write(w.join("deploy/cm.yaml"), "kind: ConfigMap\n").unwrap();
        std::fs::write(w.join("run.sh"), "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(w.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("deploy/cm.yaml", w.join("link.yaml")).unwrap();
        std::fs::write(w.join("notes.md"), "docs\n").unwrap();
        std::fs::write(w.join(".sourceignore"), "*.md\n").unwrap();
        git(w, &["add", "-A"]);
        git(w, &["commit", "-q", "-m", "one"]);
        git(w, &["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
        let c1 = git(w, &["rev-parse", "HEAD"]);
        std::fs::write(w.join("deploy/cm.yaml"), "kind: ConfigMap\n# two\n").unwrap();
        git(w, &["commit", "-q", "-am", "two"]);
        git(w, &["tag", "v1.1.0"]);
        git(w, &["tag", "v2.0.0-rc.1"]);
        let c2 = git(w, &["rev-parse", "HEAD"]);
        git(w, &["checkout", "-q", "-b", "dev"]);
        std::fs::write(w.join("dev.yaml"), "kind: Dev\n").unwrap();
        git(w, &["add", "-A"]);
        git(w, &["commit", "-q", "-m", "three"]);
        let c3 = git(w, &["rev-parse", "HEAD"]);
        let _ = std::fs::remove_dir_all(&bare);
        git(
            &root,
            &["init", "-q", "--bare", "-b", "main", "fixture.git"],
        );
        git(
            w,
            &[
                "push",
                "-q",
                bare.to_str().unwrap(),
                "main",
                "dev",
                "--tags",
            ],
        );
        git(
            w,
            &["push", "-q", bare.to_str().unwrap(), "dev:refs/pull/1/head"],
        );
        // A copy only the no-op poll test reads, so its request count is its own.
        let _ = std::fs::remove_dir_all(root.join("noop.git"));
        git(&root, &["clone", "-q", "--bare", "fixture.git", "noop.git"]);
        // Served by git-http-backend and sshd as the `git` user.
        for repo in ["fixture.git", "noop.git"] {
            let _ = Command::new("chown")
                .args(["-R", "git:"])
                .arg(root.join(repo))
                .status();
        }
        Fixture { c1, c2, c3 }
    })
}

fn http_url() -> String {
    format!("{}/fixture.git", endpoint("TEST_GIT_HTTP_URL"))
}

fn ssh_auth(known_hosts: Vec<u8>) -> GitAuth {
    GitAuth {
        ssh: Some(SshAuth {
            identity: endpoint_file("TEST_SSH_KEY"),
            known_hosts,
            passphrase: None,
        }),
        ..Default::default()
    }
}

fn https_auth(password: &str) -> GitAuth {
    GitAuth {
        basic: Some((endpoint("TEST_HTTP_USER"), password.to_string())),
        ca_pem: Some(endpoint_file("TEST_CA_FILE")),
        ..Default::default()
    }
}

fn source(url: String, reference: GitRef, auth: GitAuth) -> GitSource {
    GitSource::new(url, reference, auth)
}

/// Fetches and builds the artifact; returns (revision, digest, shallow, checked-out dir).
fn fetch(src: &GitSource) -> Result<(String, String, bool, tempfile::TempDir), git::GitError> {
    init_tls();
    let dir = tempfile::tempdir().unwrap();
    let fetched = git::fetch(src, dir.path())?;
    let matcher = Matcher::for_source(load_patterns(dir.path()).unwrap());
    let (info, _) = write_archive(dir.path(), &matcher, std::io::sink()).unwrap();
    Ok((
        fetched.resolved.revision(),
        info.digest,
        fetched.shallow,
        dir,
    ))
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn branch_over_http_is_shallow_and_checked_out() {
    let f = fixture();
    let (revision, _, shallow, dir) = fetch(&source(
        http_url(),
        GitRef::Branch("main".into()),
        GitAuth::default(),
    ))
    .unwrap();
    assert_eq!(revision, format!("main@sha1:{}", f.c2));
    assert!(shallow, "depth 1 must give a shallow repository");
    let cm = std::fs::read_to_string(dir.path().join("deploy/cm.yaml")).unwrap();
    assert_eq!(cm, "kind: ConfigMap\n# two\n");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "the executable bit survives");
    assert!(
        !dir.path().join("link.yaml").exists(),
        "symlinks are not written"
    );
    assert!(!dir.path().join("dev.yaml").exists());
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn every_ref_kind_resolves_as_flux_does() {
    let f = fixture();
    let url = http_url();
    let rev = |r: GitRef| {
        fetch(&source(url.clone(), r, GitAuth::default()))
            .unwrap()
            .0
    };
    assert_eq!(
        rev(GitRef::Tag("v1.0.0".into())),
        format!("v1.0.0@sha1:{}", f.c1)
    );
    assert_eq!(
        rev(GitRef::Tag("v1.1.0".into())),
        format!("v1.1.0@sha1:{}", f.c2)
    );
    assert_eq!(
        rev(GitRef::Semver("~1.0".into())),
        format!("v1.0.0@sha1:{}", f.c1)
    );
    assert_eq!(
        rev(GitRef::Semver(">=1.0.0".into())),
        format!("v1.1.0@sha1:{}", f.c2)
    );
    // A pre-release only where the range names one.
    assert_eq!(
        rev(GitRef::Semver(">=1.0.0-0".into())),
        format!("v2.0.0-rc.1@sha1:{}", f.c2)
    );
    assert_eq!(
        rev(GitRef::Name("refs/pull/1/head".into())),
        format!("refs/pull/1/head@sha1:{}", f.c3)
    );
    assert_eq!(
        rev(GitRef::Branch("dev".into())),
        format!("dev@sha1:{}", f.c3)
    );
    // A commit that is not a branch tip, alone and on its branch.
    let alone = GitRef::Commit {
        sha: f.c1.clone(),
        branch: None,
    };
    assert_eq!(rev(alone), format!("sha1:{}", f.c1));
    let on_main = GitRef::Commit {
        sha: f.c1.clone(),
        branch: Some("main".into()),
    };
    assert_eq!(rev(on_main), format!("main@sha1:{}", f.c1));
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn missing_refs_and_ranges_are_clear_errors() {
    fixture();
    let err = |r: GitRef| {
        fetch(&source(http_url(), r, GitAuth::default()))
            .unwrap_err()
            .to_string()
    };
    assert!(err(GitRef::default()).ends_with("branch 'master' not found in the remote's refs"));
    assert!(err(GitRef::Tag("v9.9.9".into())).contains("tag 'v9.9.9' not found"));
    assert!(
        err(GitRef::Semver(">=5.0.0".into())).contains("no tag matches semver range '>=5.0.0'")
    );
    let missing = GitRef::Commit {
        sha: "0".repeat(40),
        branch: Some("main".into()),
    };
    assert!(err(missing).contains("is not in what the remote sent"));
    let bad_url = fetch(&source(
        "ftp://x/y".into(),
        GitRef::default(),
        GitAuth::default(),
    ))
    .unwrap_err()
    .to_string();
    assert!(
        bad_url.contains("unsupported Git URL 'ftp://x/y'"),
        "{bad_url}"
    );
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn https_with_ca_and_basic_auth() {
    let f = fixture();
    let url = format!("{}/fixture.git", endpoint("TEST_GIT_HTTPS_AUTH_URL"));
    let ok = fetch(&source(
        url.clone(),
        GitRef::Branch("main".into()),
        https_auth(&endpoint("TEST_HTTP_PASSWORD")),
    ))
    .unwrap();
    assert_eq!(ok.0, format!("main@sha1:{}", f.c2));
    assert!(ok.2, "shallow over HTTPS too");
    let wrong = fetch(&source(
        url.clone(),
        GitRef::Branch("main".into()),
        https_auth("wrong"),
    ))
    .unwrap_err();
    assert!(wrong.to_string().contains(&url), "{wrong}");
    let no_ca = GitAuth {
        ca_pem: None,
        ..https_auth(&endpoint("TEST_HTTP_PASSWORD"))
    };
    let untrusted = fetch(&source(url, GitRef::Branch("main".into()), no_ca)).unwrap_err();
    assert!(
        untrusted.to_string().to_lowercase().contains("certificate"),
        "{untrusted}"
    );
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn ssh_with_key_and_enforced_known_hosts() {
    let f = fixture();
    let url = format!("{}/fixture.git", endpoint("TEST_GIT_SSH_URL"));
    let good = ssh_auth(endpoint_file("TEST_SSH_KNOWN_HOSTS"));
    let ok = fetch(&source(url.clone(), GitRef::Branch("main".into()), good)).unwrap();
    assert_eq!(ok.0, format!("main@sha1:{}", f.c2));
    assert!(ok.2, "shallow over SSH too");
    // Unknown host: known_hosts without the server.
    let unknown = fetch(&source(
        url.clone(),
        GitRef::Branch("main".into()),
        ssh_auth(b"\n".to_vec()),
    ));
    assert!(unknown.is_err());
    // Wrong host key: the server's name with another key.
    let port = endpoint("TEST_SSH_PORT");
    let other = format!(
        "[127.0.0.1]:{port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ\n"
    );
    let mismatch = fetch(&source(
        url.clone(),
        GitRef::Branch("main".into()),
        ssh_auth(other.into_bytes()),
    ));
    assert!(mismatch.is_err(), "a changed host key must be refused");
    // Wrong key: a fresh key the server does not know.
    let keydir = tempfile::tempdir().unwrap();
    let key = keydir.path().join("k");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let mut wrong_key = ssh_auth(endpoint_file("TEST_SSH_KNOWN_HOSTS"));
    wrong_key.ssh.as_mut().unwrap().identity = std::fs::read(&key).unwrap();
    assert!(fetch(&source(url, GitRef::Branch("main".into()), wrong_key)).is_err());
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn artifacts_are_identical_across_transports_and_runs() {
    fixture();
    let main = || GitRef::Branch("main".into());
    let http = fetch(&source(http_url(), main(), GitAuth::default())).unwrap();
    let again = fetch(&source(http_url(), main(), GitAuth::default())).unwrap();
    let https = fetch(&source(
        format!("{}/fixture.git", endpoint("TEST_GIT_HTTPS_AUTH_URL")),
        main(),
        https_auth(&endpoint("TEST_HTTP_PASSWORD")),
    ))
    .unwrap();
    let ssh = fetch(&source(
        format!("{}/fixture.git", endpoint("TEST_GIT_SSH_URL")),
        main(),
        ssh_auth(endpoint_file("TEST_SSH_KNOWN_HOSTS")),
    ))
    .unwrap();
    assert_eq!(http.1, again.1);
    assert_eq!(http.1, https.1);
    assert_eq!(http.1, ssh.1);
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn no_op_poll_lists_refs_and_fetches_nothing() {
    let f = fixture();
    init_tls();
    let log = PathBuf::from(endpoint("TESTSRV_STATE")).join("nginx/access.log");
    let url = format!("{}/noop.git", endpoint("TEST_GIT_HTTP_URL"));
    let requests = |action: &dyn Fn()| {
        let before = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count();
        action();
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .skip(before)
            .filter(|l| l.contains("/git/noop.git/"))
            .count()
    };
    let src = source(url, GitRef::Branch("main".into()), GitAuth::default());
    let poll = requests(&|| {
        let resolved = git::resolve_remote(&src).unwrap();
        assert_eq!(
            resolved.commit, f.c2,
            "same commit as the last artifact: nothing to do"
        );
    });
    let full = requests(&|| {
        fetch(&src).unwrap();
    });
    // The poll is the ref advertisement and the ls-refs command; a fetch lists refs again,
    // then asks for a pack.
    assert_eq!(poll, 2, "a poll is one ref listing");
    assert!(
        full > poll,
        "a fetch makes more requests ({full}) than a poll ({poll})"
    );
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn sparse_checkout_keeps_only_the_chosen_directories() {
    fixture();
    let mut src = source(
        http_url(),
        GitRef::Branch("main".into()),
        GitAuth::default(),
    );
    src.sparse_checkout = vec!["./deploy/".into()];
    let (_, _, _, dir) = fetch(&src).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["deploy"]);
    assert!(dir.path().join("deploy/cm.yaml").is_file());
    src.sparse_checkout = vec!["deploy".into(), "nope/sub".into()];
    let err = fetch(&src).unwrap_err().to_string();
    assert_eq!(
        err,
        "sparse checkout directory 'nope/sub' does not exist in the repository"
    );
}

/// `withsub.git` holds `app.yaml` and, at `libs/sub`, a submodule `../sub.git` (relative URL)
/// whose commit has `lib.yaml`. Returns the parent's name in the Git root.
fn submodule_fixture() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let root = PathBuf::from(endpoint("TEST_GIT_ROOT"));
        let make = |name: &str, setup: &dyn Fn(&Path)| {
            let work = tempfile::tempdir().unwrap();
            let w = work.path();
            git(w, &["init", "-q", "-b", "main"]);
            setup(w);
            git(w, &["commit", "-q", "-m", name]);
            let _ = std::fs::remove_dir_all(root.join(name));
            git(&root, &["init", "-q", "--bare", "-b", "main", name]);
            git(
                w,
                &["push", "-q", root.join(name).to_str().unwrap(), "main"],
            );
            let _ = Command::new("chown")
                .args(["-R", "git:"])
                .arg(root.join(name))
                .status();
            git(w, &["rev-parse", "HEAD"])
        };
        let sub = make("sub.git", &|w| {
            std::fs::write(w.join("lib.yaml"), "kind: Lib\n").unwrap();
            git(w, &["add", "-A"]);
        });
        make("withsub.git", &|w| {
            std::fs::write(w.join("app.yaml"), "kind: App\n").unwrap();
            std::fs::write(
                w.join(".gitmodules"),
                "[submodule \"sub\"]\n\tpath = libs/sub\n\turl = ../sub.git\n",
            )
            .unwrap();
            git(w, &["add", "-A"]);
            let link = format!("160000,{sub},libs/sub");
            git(w, &["update-index", "--add", "--cacheinfo", &link]);
        });
    });
    "withsub.git"
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn submodules_are_fetched_only_when_asked() {
    let name = submodule_fixture();
    let url = format!("{}/{name}", endpoint("TEST_GIT_HTTP_URL"));
    let mut src = source(url, GitRef::Branch("main".into()), GitAuth::default());
    let (_, plain_digest, _, plain) = fetch(&src).unwrap();
    assert!(plain.path().join("libs/sub").is_dir());
    assert!(!plain.path().join("libs/sub/lib.yaml").exists());
    src.recurse_submodules = true;
    let (_, digest, _, with) = fetch(&src).unwrap();
    assert_eq!(
        std::fs::read_to_string(with.path().join("libs/sub/lib.yaml")).unwrap(),
        "kind: Lib\n"
    );
    assert_ne!(plain_digest, digest);
}

/// Keys and commits for signature tests: `signed.git` with main (signed commit), `unsigned`
/// (an unsigned commit on top), tags `v1.0.0` (signed) and `v0.9.0` (annotated, unsigned).
struct Signed {
    signer_key: Vec<u8>,
    stranger_key: Vec<u8>,
    main: String,
    fingerprint: String,
}

fn signed_fixture() -> &'static Signed {
    static FIXTURE: OnceLock<Signed> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let home = tempfile::tempdir().unwrap().keep();
        let gpg = |args: &[&str]| ferroflux_testsupport::gpg(&home, args);
        ferroflux_testsupport::gpg_signing_key(&home, "Signer <signer@test>", "ed25519");
        ferroflux_testsupport::gpg_signing_key(&home, "Stranger <stranger@test>", "ed25519");
        let listing =
            String::from_utf8(gpg(&["--with-colons", "--list-keys", "signer@test"])).unwrap();
        let fingerprint = listing
            .lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .unwrap()
            .to_string();
        let signer_key = gpg(&["--armor", "--export", "signer@test"]);
        let stranger_key = gpg(&["--armor", "--export", "stranger@test"]);
        let root = PathBuf::from(endpoint("TEST_GIT_ROOT"));
        let work = tempfile::tempdir().unwrap();
        let w = work.path();
        let signing = |args: &[&str]| {
            let out = Command::new("git")
                .current_dir(w)
                .env("GNUPGHOME", &home)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .args(["-c", "user.name=Signer", "-c", "user.email=signer@test"])
                .args([
                    "-c",
                    &format!("user.signingkey={fingerprint}"),
                    "-c",
                    "gpg.program=gpg",
                ])
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        };
        signing(&["init", "-q", "-b", "main"]);
        std::fs::write(w.join("a.yaml"), "kind: A\n").unwrap();
        signing(&["add", "-A"]);
        signing(&["commit", "-q", "-S", "-m", "signed"]);
        signing(&["tag", "-s", "v1.0.0", "-m", "signed tag"]);
        signing(&["tag", "-a", "v0.9.0", "-m", "unsigned tag"]);
        let main = signing(&["rev-parse", "HEAD"]);
        signing(&["checkout", "-q", "-b", "unsigned"]);
        std::fs::write(w.join("b.yaml"), "kind: B\n").unwrap();
        signing(&["add", "-A"]);
        signing(&["commit", "-q", "-m", "not signed"]);
        let bare = root.join("signed.git");
        let _ = std::fs::remove_dir_all(&bare);
        git(&root, &["init", "-q", "--bare", "-b", "main", "signed.git"]);
        signing(&[
            "push",
            "-q",
            bare.to_str().unwrap(),
            "main",
            "unsigned",
            "--tags",
        ]);
        let _ = Command::new("chown")
            .args(["-R", "git:"])
            .arg(&bare)
            .status();
        Signed {
            signer_key,
            stranger_key,
            main,
            fingerprint,
        }
    })
}

fn verified(reference: GitRef, mode: &str, key: &[u8]) -> Result<Vec<String>, String> {
    init_tls();
    let mut data = std::collections::BTreeMap::new();
    data.insert("author.asc".to_string(), key.to_vec());
    let mut src = source(
        format!("{}/signed.git", endpoint("TEST_GIT_HTTP_URL")),
        reference,
        GitAuth::default(),
    );
    src.verify = Some((
        git::VerifyMode::parse(mode).unwrap(),
        git::Keyring::from_secret(&data).unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    git::fetch(&src, dir.path())
        .map(|f| f.verified)
        .map_err(|e| e.to_string())
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn signed_commits_and_tags_verify_with_the_right_key_only() {
    let f = signed_fixture();
    let main = || GitRef::Branch("main".into());
    let ok = verified(main(), "HEAD", &f.signer_key).unwrap();
    assert_eq!(
        ok,
        [format!("commit '{}' with key '{}'", f.main, f.fingerprint)]
    );
    let stranger = verified(main(), "HEAD", &f.stranger_key).unwrap_err();
    assert!(
        stranger.ends_with("does not verify with any key of the secret"),
        "{stranger}"
    );
    let unsigned = verified(GitRef::Branch("unsigned".into()), "HEAD", &f.signer_key).unwrap_err();
    assert!(
        unsigned.contains("signature verification failed: commit '")
            && unsigned.ends_with("is not signed"),
        "{unsigned}"
    );

    let tag = verified(GitRef::Tag("v1.0.0".into()), "Tag", &f.signer_key).unwrap();
    assert_eq!(tag, [format!("tag 'v1.0.0' with key '{}'", f.fingerprint)]);
    let both = verified(GitRef::Semver("^1".into()), "TagAndHEAD", &f.signer_key).unwrap();
    assert_eq!(both.len(), 2, "{both:?}");
    let unsigned_tag = verified(GitRef::Tag("v0.9.0".into()), "Tag", &f.signer_key).unwrap_err();
    assert!(
        unsigned_tag.ends_with("tag 'v0.9.0' is not signed"),
        "{unsigned_tag}"
    );
    let no_tag = verified(main(), "Tag", &f.signer_key).unwrap_err();
    assert!(
        no_tag.ends_with("verification mode Tag needs a tag or semver reference"),
        "{no_tag}"
    );
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn ssh_keys_with_a_passphrase() {
    let f = fixture();
    // A new passphrase-protected key, authorised on the server for this test.
    let keydir = tempfile::tempdir().unwrap();
    let key = keydir.path().join("locked");
    let status = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "s3cret pass",
            "-C",
            "locked",
            "-f",
        ])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let authorized = PathBuf::from(endpoint("TESTSRV_STATE")).join("ssh/authorized_keys");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut keys = std::fs::read_to_string(&authorized).unwrap();
    if !keys.contains(public.trim()) {
        keys.push_str(&public);
        std::fs::write(&authorized, keys).unwrap();
    }
    let url = format!("{}/fixture.git", endpoint("TEST_GIT_SSH_URL"));
    let auth = |pass: Option<&str>| GitAuth {
        ssh: Some(SshAuth {
            identity: std::fs::read(&key).unwrap(),
            known_hosts: endpoint_file("TEST_SSH_KNOWN_HOSTS"),
            passphrase: pass.map(str::to_string),
        }),
        ..Default::default()
    };
    let ok = fetch(&source(
        url.clone(),
        GitRef::Branch("main".into()),
        auth(Some("s3cret pass")),
    ))
    .unwrap();
    assert_eq!(ok.0, format!("main@sha1:{}", f.c2));
    assert!(
        fetch(&source(
            url.clone(),
            GitRef::Branch("main".into()),
            auth(Some("wrong"))
        ))
        .is_err()
    );
    assert!(fetch(&source(url, GitRef::Branch("main".into()), auth(None))).is_err());
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn a_server_speaking_only_protocol_v1_still_gives_a_shallow_fetch() {
    let f = fixture();
    let main = || GitRef::Branch("main".into());
    let v1 = format!("{}/fixture.git", endpoint("TEST_GIT_HTTP_V1_URL"));
    let (revision, digest, shallow, _) = fetch(&source(v1, main(), GitAuth::default())).unwrap();
    assert_eq!(revision, format!("main@sha1:{}", f.c2));
    // Shallowness is judged by the objects (no parent of the commit arrived), not by the mark.
    assert!(
        shallow,
        "depth 1 must hold against a server without protocol v2"
    );
    let (_, v2_digest, v2_shallow, _) =
        fetch(&source(http_url(), main(), GitAuth::default())).unwrap();
    assert!(v2_shallow);
    assert_eq!(digest, v2_digest, "the artifact is the same either way");
}
