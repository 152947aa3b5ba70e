//! Remote target parsing. The expectations were produced by kustomize v5.8.1's own parser
//! (`api/internal/git` at api/v0.21.1) run on the same inputs.

use super::*;

/// (target, host, repo path, kustomization root, ref, timeout ms, submodules, origin path)
type Parsed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    bool,
    &'static str,
);

const PARSED: &[Parsed] = &[
    (
        "https://github.com/org/repo//sub/path?ref=v1",
        "https://github.com/",
        "org/repo",
        "sub/path",
        "v1",
        27000,
        true,
        "sub/path",
    ),
    (
        "https://github.com/org/repo/sub/path?ref=v1",
        "https://github.com/",
        "org/repo",
        "sub/path",
        "v1",
        27000,
        true,
        "sub/path",
    ),
    (
        "https://github.com/org/repo.git/sub?ref=main",
        "https://github.com/",
        "org/repo.git",
        "sub",
        "main",
        27000,
        true,
        "sub",
    ),
    (
        "https://github.com/org/repo.git//sub?ref=main",
        "https://github.com/",
        "org/repo.git",
        "sub",
        "main",
        27000,
        true,
        "sub",
    ),
    (
        "git::https://gitlab.com/org/repo//deploy?ref=v2",
        "https://gitlab.com/",
        "org/repo",
        "deploy",
        "v2",
        27000,
        true,
        "deploy",
    ),
    (
        "GIT::https://gitlab.com/org/repo",
        "https://gitlab.com/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "ssh://git@github.com/org/repo",
        "git@github.com:",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "ssh://git@example.com:7999/org/repo.git//base",
        "ssh://git@example.com:7999/",
        "org/repo.git",
        "base",
        "",
        27000,
        true,
        "base",
    ),
    (
        "ssh://example.com/org/repo",
        "ssh://example.com/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "git@github.com:org/repo.git//path",
        "git@github.com:",
        "org/repo.git",
        "path",
        "",
        27000,
        true,
        "path",
    ),
    (
        "git@github.com/org/repo",
        "git@github.com:",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "git@gitlab.com:org/repo.git/x/y",
        "git@gitlab.com:",
        "org/repo.git",
        "x/y",
        "",
        27000,
        true,
        "x/y",
    ),
    (
        "github.com/org/repo/path?ref=v1",
        "https://github.com/",
        "org/repo",
        "path",
        "v1",
        27000,
        true,
        "path",
    ),
    (
        "GitHub.com/org/repo",
        "https://github.com/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "github.com:org/repo//a",
        "https://github.com/",
        "org/repo",
        "a",
        "",
        27000,
        true,
        "a",
    ),
    (
        "http://github.com/org/repo",
        "https://github.com/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://git@github.com/org/repo",
        "git@github.com:",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?version=v3",
        "https://host/",
        "org/repo",
        "",
        "v3",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?version=v3&ref=v4",
        "https://host/",
        "org/repo",
        "",
        "v4",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?ref=&version=v5",
        "https://host/",
        "org/repo",
        "",
        "v5",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?ref=a%2Fb+c",
        "https://host/",
        "org/repo",
        "",
        "a/b c",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?ref=v1;x=y",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?ref=%zz",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=61",
        "https://host/",
        "org/repo",
        "",
        "",
        61000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=61s",
        "https://host/",
        "org/repo",
        "",
        "",
        61000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=1m30s",
        "https://host/",
        "org/repo",
        "",
        "",
        90000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=1.5h",
        "https://host/",
        "org/repo",
        "",
        "",
        5400000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=-3",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=0",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=abc",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?timeout=+5",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo?submodules=false",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        false,
        "notCloned",
    ),
    (
        "https://host/org/repo?submodules=0",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        false,
        "notCloned",
    ),
    (
        "https://host/org/repo?submodules=no",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://dev.azure.com/org/project/_git/repo/path/to/root?ref=main",
        "https://dev.azure.com/",
        "org/project/_git/repo",
        "path/to/root",
        "main",
        27000,
        true,
        "path/to/root",
    ),
    (
        "https://user@dev.azure.com/org/project/_git/repo",
        "https://user@dev.azure.com/",
        "org/project/_git/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
        "https://fabrikops2.visualstudio.com/",
        "someorg/somerepo",
        "",
        "master",
        27000,
        true,
        "notCloned",
    ),
    (
        "http://127.0.0.1:8080/git/repo.git//base?ref=v1",
        "http://127.0.0.1:8080/",
        "git/repo.git",
        "base",
        "v1",
        27000,
        true,
        "base",
    ),
    (
        "http://127.0.0.1:8080/git/repo.git/base",
        "http://127.0.0.1:8080/",
        "git/repo.git",
        "base",
        "",
        27000,
        true,
        "base",
    ),
    (
        "http://127.0.0.1:8080/git/repo",
        "http://127.0.0.1:8080/",
        "git/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://raw.githubusercontent.com/org/repo/main/deploy.yaml",
        "https://raw.githubusercontent.com/",
        "org/repo",
        "main/deploy.yaml",
        "",
        27000,
        true,
        "main/deploy.yaml",
    ),
    (
        "https://example.com/a/b",
        "https://example.com/",
        "a/b",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "file:///tmp/repo",
        "file://",
        "/tmp/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "file:///tmp/repo//sub",
        "file://",
        "/tmp/repo",
        "sub",
        "",
        27000,
        true,
        "sub",
    ),
    (
        "file:///tmp/repo.git/sub",
        "file://",
        "/tmp/repo.git",
        "sub",
        "",
        27000,
        true,
        "sub",
    ),
    (
        "https://github.com/org/repo///x",
        "https://github.com/",
        "org/repo",
        "x",
        "",
        27000,
        true,
        "x",
    ),
    (
        "https://github.com/org/repo//",
        "https://github.com/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "user@host/org/repo",
        "user@host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "user@host:org/repo",
        "user@host:",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "org-12345@github.com:org/repo",
        "org-12345@github.com:",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "https://host/org/repo.github.io/x",
        "https://host/",
        "org/repo.git",
        "hub.io/x",
        "",
        27000,
        true,
        "hub.io/x",
    ),
    (
        "https://host/org/repo?ref=v1&timeout=10&submodules=false",
        "https://host/",
        "org/repo",
        "",
        "v1",
        10000,
        false,
        "notCloned",
    ),
    (
        "https://HOST/Org/Repo",
        "https://HOST/",
        "Org/Repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
    (
        "HTTPS://host/org/repo",
        "https://host/",
        "org/repo",
        "",
        "",
        27000,
        true,
        "notCloned",
    ),
];

/// (target, the start of the reason it is not a repository)
const NOT_REPOS: &[(&str, &str)] = &[
    (
        "https://example.com/manifest.yaml",
        "failed to parse repo path segment",
    ),
    ("file:////tmp//path", "failed to parse repo path segment"),
    ("/tmp", "uri looks like abs path: /tmp"),
    ("../../tmp", "failed to parse scheme"),
    ("base", "failed to parse scheme"),
    ("src/github.com/org/repo/path", "failed to parse scheme"),
    ("htxxxtp://github.com/", "failed to parse scheme"),
    ("ssh://git.example.com", "failed to parse repo path segment"),
    ("https://host?ref=x", "failed to parse repo path segment"),
    (
        "https://github.com/org/repo.git//path/../../exits/repo",
        "url path exits repo: org/repo.git//path/../../exits/repo",
    ),
    (
        "https://github.com/org/repo//../x",
        "url path exits repo: org/repo//../x",
    ),
    ("gh:org/repo", "failed to parse scheme"),
    (
        "https://github.com/thisisa404.yaml",
        "failed to parse repo path segment",
    ),
    (
        "git@scp://github.com/org/repo.git//path",
        "failed to parse repo path segment",
    ),
    ("user@host", "failed to parse repo path segment"),
    ("1user@host:org/repo", "failed to parse scheme"),
    ("https://", "failed to parse host segment"),
    ("ftp://host/org/repo", "failed to parse scheme"),
];

#[test]
fn targets_parse_as_kustomize_parses_them() {
    for &(target, host, repo, root, git_ref, timeout_ms, submodules, origin) in PARSED {
        let spec = RepoSpec::parse(target)
            .unwrap_or_else(|e| panic!("{target}: expected a repository, got {e}"));
        assert_eq!(spec.raw, target);
        assert_eq!(
            (
                spec.host.as_str(),
                spec.repo_path.as_str(),
                spec.kust_root.as_str(),
                spec.git_ref.as_str()
            ),
            (host, repo, root, git_ref),
            "{target}"
        );
        assert_eq!(spec.timeout, Duration::from_millis(timeout_ms), "{target}");
        assert_eq!(spec.submodules, submodules, "{target}");
        assert_eq!(spec.origin_path(), origin, "{target}");
    }
}

#[test]
fn non_repositories_are_refused_with_kustomizes_reason() {
    for &(target, reason) in NOT_REPOS {
        match RepoSpec::parse(target) {
            Ok(spec) => panic!("{target}: expected an error, parsed {spec:?}"),
            Err(NotARepo(r)) => assert!(r.starts_with(reason), "{target}: {r}"),
        }
    }
}

#[test]
fn clone_urls_join_host_and_repository() {
    let cases = [
        (
            "github.com/org/repo/path?ref=v1",
            "https://github.com/org/repo",
        ),
        (
            "git@github.com:org/repo.git//path",
            "git@github.com:org/repo.git",
        ),
        ("ssh://git@github.com/org/repo", "git@github.com:org/repo"),
        (
            "ssh://git@example.com:7999/org/repo.git//base",
            "ssh://git@example.com:7999/org/repo.git",
        ),
        (
            "https://dev.azure.com/org/project/_git/repo/path/to/root?ref=main",
            "https://dev.azure.com/org/project/_git/repo",
        ),
        ("file:///tmp/repo//sub", "file:///tmp/repo"),
        (
            "http://127.0.0.1:8080/git/repo.git//base?ref=v1",
            "http://127.0.0.1:8080/git/repo.git",
        ),
    ];
    for (target, url) in cases {
        let spec = RepoSpec::parse(target).expect(target);
        assert_eq!(spec.clone_url(), url, "{target}");
    }
    let spec = RepoSpec::parse("https://host/org/repo//x?ref=v1").unwrap();
    assert_eq!(spec.to_string(), "https://host/org/repo at ref 'v1'");
    let spec = RepoSpec::parse("https://host/org/repo//x").unwrap();
    assert_eq!(spec.to_string(), "https://host/org/repo");
}

#[test]
fn remote_files_are_http_urls_in_any_case() {
    for s in [
        "https://example.com/a.yaml",
        "http://127.0.0.1:1/x",
        "HTTPS://example.com/a.yaml",
        "Http://x/y",
    ] {
        assert!(is_remote_file(s), "{s}");
    }
    for s in [
        "ssh://git@host/org/repo",
        "git@github.com:org/repo",
        "github.com/org/repo",
        "file:///tmp/x",
        "base/deploy.yaml",
        "https:/x",
        "ftp://host/x",
    ] {
        assert!(!is_remote_file(s), "{s}");
    }
}

#[test]
fn go_durations() {
    let ok = [
        ("0", 0),
        ("61s", 61_000),
        ("1m30s", 90_000),
        ("1.5h", 5_400_000),
        ("250ms", 250),
        ("1h2m3s4ms", 3_723_004),
        (".5s", 500),
        ("2.s", 2_000),
        ("+3s", 3_000),
        ("1000000us", 1_000),
        ("1000000\u{b5}s", 1_000),
        ("3000000000ns", 3_000),
    ];
    for (s, ms) in ok {
        assert_eq!(go_parse_duration(s), Some(Duration::from_millis(ms)), "{s}");
    }
    for s in [
        "",
        "s",
        "5",
        "1x",
        "-3s",
        ".s",
        "1..5s",
        "1e3s",
        "99999999999h",
    ] {
        assert_eq!(go_parse_duration(s), None, "{s}");
    }
    assert_eq!(go_parse_duration("-0s"), Some(Duration::ZERO));
}

#[test]
fn go_queries() {
    assert_eq!(
        go_parse_query("ref=a%2Fb+c&&x"),
        Some(vec![
            ("ref".to_string(), "a/b c".to_string()),
            ("x".to_string(), String::new())
        ])
    );
    assert_eq!(go_parse_query("ref=v1;x"), None);
    assert_eq!(go_parse_query("ref=%4"), None);
    assert_eq!(go_atoi("+61"), Some(61));
    assert_eq!(go_atoi("6_1"), None);
    assert_eq!(ferroflux_goformat::parse_bool("True"), Some(true));
    assert_eq!(ferroflux_goformat::parse_bool("yes"), None);
}
