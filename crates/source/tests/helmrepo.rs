//! Helm repositories against the real chart server (nginx serving `TEST_HELM_REPO_DIR` at
//! `TEST_HELM_REPO_URL`, and with basic auth at `TEST_HELM_REPO_AUTH_URL`).
//! Run through `cargo xtask test`.

use ferroflux_source::helmrepo::{self, HelmAuth, HelmRepoError, HelmRepoSpec, Index, SelectError};
use ferroflux_testsupport::endpoint;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn creds() -> HelmAuth {
    HelmAuth {
        basic: Some((endpoint("TEST_HTTP_USER"), endpoint("TEST_HTTP_PASSWORD"))),
        ..HelmAuth::default()
    }
}

fn sha256_file(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
}

/// A sub-repository of the served chart directory with its own index (the charts stay one
/// level up), reachable at `<url>/<name>` and `<auth url>/<name>`.
fn sub_repo(name: &str, index: &str) -> PathBuf {
    let dir = PathBuf::from(endpoint("TEST_HELM_REPO_DIR")).join(name);
    std::fs::create_dir_all(&dir).expect("sub repo dir");
    std::fs::write(dir.join("index.yaml"), index).expect("index");
    dir
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn anonymous_index_revision_and_version_selection() {
    init_tls();
    let spec = HelmRepoSpec::new(&endpoint("TEST_HELM_REPO_URL"));
    let (download, index) = helmrepo::fetch_index(&spec, &HelmAuth::default())
        .await
        .expect("fetch index");
    let on_disk = PathBuf::from(endpoint("TEST_HELM_REPO_DIR")).join("index.yaml");
    assert_eq!(
        download.revision,
        sha256_file(&on_disk),
        "revision = sha256 of the bytes"
    );
    assert_eq!(
        download.size,
        std::fs::metadata(&on_disk).expect("stat").len()
    );

    let pick = |v: &str| index.get("podinfo-lite", v).map(|cv| cv.version.clone());
    assert_eq!(pick("").expect("latest"), "0.2.0");
    assert_eq!(pick("*").expect("latest"), "0.2.0");
    assert_eq!(pick("0.1.0").expect("exact"), "0.1.0");
    assert_eq!(pick("0.1.x").expect("range"), "0.1.0");
    assert_eq!(pick("<0.2.0").expect("range"), "0.1.0");
    assert_eq!(pick(">=0.1.0 <1").expect("range"), "0.2.0");
    let latest = index.get("podinfo-lite", "").expect("latest");
    assert_eq!(latest.app_version.as_deref(), Some("1.16.0"));
    assert_eq!(latest.api_version, "v2");

    // Downloading the same index twice gives the same revision.
    let dir = tempfile::tempdir().expect("tempdir");
    let again = helmrepo::download_index(&spec, &HelmAuth::default(), &dir.path().join("i.yaml"))
        .await
        .expect("index again");
    assert_eq!(again.revision, download.revision);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn missing_chart_and_version_are_errors_naming_them() {
    init_tls();
    let spec = HelmRepoSpec::new(&endpoint("TEST_HELM_REPO_URL"));
    let (_, index) = helmrepo::fetch_index(&spec, &HelmAuth::default())
        .await
        .expect("fetch index");
    let e = helmrepo::select(&spec, &index, "nginx", "*").expect_err("no such chart");
    let msg = e.to_string();
    assert!(msg.contains("'nginx'") && msg.contains("/charts"), "{msg}");
    assert!(matches!(
        index.get("podinfo-lite", "^1.0.0"),
        Err(SelectError::NoMatch { .. })
    ));
    assert_eq!(
        index.get("podinfo-lite", "9.9.9").unwrap_err().to_string(),
        "no 'podinfo-lite' chart with version matching '9.9.9' found"
    );
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn downloads_charts_and_checks_their_digest() {
    init_tls();
    let spec = HelmRepoSpec::new(&endpoint("TEST_HELM_REPO_URL"));
    let (_, index) = helmrepo::fetch_index(&spec, &HelmAuth::default())
        .await
        .expect("fetch index");
    let dir = tempfile::tempdir().expect("tempdir");
    for version in ["0.1.0", "0.2.0"] {
        let cv = index.get("podinfo-lite", version).expect("version");
        let dest = dir.path().join(format!("{version}.tgz"));
        let got = helmrepo::download_chart(&spec, &HelmAuth::default(), cv, &dest)
            .await
            .expect("download chart");
        assert_eq!(got.digest_matches, Some(true), "{got:?}");
        assert!(
            got.url.ends_with(&format!("podinfo-lite-{version}.tgz")),
            "{}",
            got.url
        );
        let served = PathBuf::from(endpoint("TEST_HELM_REPO_DIR"))
            .join(format!("podinfo-lite-{version}.tgz"));
        assert_eq!(
            std::fs::read(&dest).expect("read"),
            std::fs::read(served).expect("read")
        );
        assert_eq!(got.digest, sha256_file(&dest));
    }
    // A chart larger than the limit is refused.
    let mut small = spec.clone();
    small.max_chart_size = 100;
    let cv = index.get("podinfo-lite", "*").expect("latest");
    let e = helmrepo::download_chart(&small, &HelmAuth::default(), cv, &dir.path().join("x.tgz"))
        .await
        .expect_err("too large");
    assert!(matches!(e, HelmRepoError::TooLarge { .. }), "{e}");
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn relative_chart_urls_resolve_against_the_repository() {
    init_tls();
    let served = PathBuf::from(endpoint("TEST_HELM_REPO_DIR")).join("podinfo-lite-0.1.0.tgz");
    let digest = sha256_file(&served);
    sub_repo(
        "ff-relative",
        &format!(
            "apiVersion: v1\nentries:\n  podinfo-lite:\n  - name: podinfo-lite\n    version: 0.1.0\n    digest: {}\n    urls:\n    - ../podinfo-lite-0.1.0.tgz\n",
            digest.trim_start_matches("sha256:")
        ),
    );
    let spec = HelmRepoSpec::new(&format!("{}/ff-relative", endpoint("TEST_HELM_REPO_URL")));
    let (_, index) = helmrepo::fetch_index(&spec, &HelmAuth::default())
        .await
        .expect("fetch index");
    let cv = index.get("podinfo-lite", "").expect("latest");
    let dir = tempfile::tempdir().expect("tempdir");
    let got = helmrepo::download_chart(&spec, &HelmAuth::default(), cv, &dir.path().join("c.tgz"))
        .await
        .expect("download");
    assert_eq!(
        got.url,
        format!("{}/podinfo-lite-0.1.0.tgz", endpoint("TEST_HELM_REPO_URL"))
    );
    assert_eq!(got.digest, digest);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn basic_auth_repository() {
    init_tls();
    let spec = HelmRepoSpec::new(&endpoint("TEST_HELM_REPO_AUTH_URL"));
    let anonymous = helmrepo::fetch_index(&spec, &HelmAuth::default())
        .await
        .expect_err("anonymous access must be refused");
    let msg = anonymous.to_string();
    assert!(
        msg.contains("401") && msg.contains("/auth/charts/index.yaml"),
        "{msg}"
    );

    let wrong = HelmAuth {
        basic: Some((endpoint("TEST_HTTP_USER"), "wrong".into())),
        ..HelmAuth::default()
    };
    let e = helmrepo::fetch_index(&spec, &wrong)
        .await
        .expect_err("wrong password");
    assert!(matches!(e, HelmRepoError::Status { .. }), "{e}");
    assert!(!e.to_string().contains("wrong"), "{e}");

    let (download, index) = helmrepo::fetch_index(&spec, &creds())
        .await
        .expect("index with credentials");
    assert!(download.revision.starts_with("sha256:"));
    assert_eq!(
        index.get("podinfo-lite", "").expect("latest").version,
        "0.2.0"
    );
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn credentials_only_cross_hosts_with_pass_credentials() {
    init_tls();
    let auth_url = endpoint("TEST_HELM_REPO_AUTH_URL");
    // The same server under another host name: `localhost` instead of `127.0.0.1`.
    let other_host = auth_url.replace("127.0.0.1", "localhost");
    assert_ne!(other_host, auth_url, "expected a 127.0.0.1 URL: {auth_url}");
    sub_repo(
        "ff-cross-host",
        &format!(
            "apiVersion: v1\nentries:\n  podinfo-lite:\n  - name: podinfo-lite\n    version: 0.1.0\n    urls:\n    - {other_host}/podinfo-lite-0.1.0.tgz\n"
        ),
    );
    let mut spec = HelmRepoSpec::new(&format!("{auth_url}/ff-cross-host"));
    let (_, index) = helmrepo::fetch_index(&spec, &creds()).await.expect("index");
    let cv = index.get("podinfo-lite", "").expect("latest").clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let e = helmrepo::download_chart(&spec, &creds(), &cv, &dir.path().join("a.tgz"))
        .await
        .expect_err("credentials must not go to another host");
    assert!(e.to_string().contains("401"), "{e}");

    spec.pass_credentials = true;
    let got = helmrepo::download_chart(&spec, &creds(), &cv, &dir.path().join("b.tgz"))
        .await
        .expect("passCredentials sends them");
    assert_eq!(got.digest_matches, None, "this index has no digest");
    // helm package output varies by a byte or so between runs: compare with the served file.
    let served = std::fs::metadata(endpoint("TEST_CHART_TGZ"))
        .expect("the served chart")
        .len();
    assert_eq!(got.size, served);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn index_artifact_is_the_json_source_controller_stores() {
    init_tls();
    let spec = HelmRepoSpec::new(&endpoint("TEST_HELM_REPO_URL"));
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = dir.path().join("index.yaml");
    let download = helmrepo::download_index(&spec, &HelmAuth::default(), &raw)
        .await
        .expect("download index");
    // The revision is the raw bytes' (the reference helm wrote them), not the JSON's.
    let on_disk = PathBuf::from(endpoint("TEST_HELM_REPO_DIR")).join("index.yaml");
    assert_eq!(download.revision, sha256_file(&on_disk));
    let name = helmrepo::artifact_file_name(&download.revision);
    assert_eq!(
        name,
        format!(
            "index-{}.yaml",
            download.revision.trim_start_matches("sha256:")
        )
    );
    let dest = dir.path().join(&name);
    let json = helmrepo::index_artifact(&spec, &raw, &dest).expect("index artifact");
    assert_eq!(
        json.digest,
        sha256_file(&dest),
        "digest = sha256 of the JSON"
    );
    assert_ne!(json.digest, download.revision);
    assert_eq!(json.size, std::fs::metadata(&dest).expect("stat").len());
    assert_eq!((json.charts, json.versions), (1, 2));

    // json.MarshalIndent of Helm's IndexFile: Go's field order, two-space indent, no newline
    // at the end, versions newest first with Helm's fields.
    let text = std::fs::read_to_string(&dest).expect("read artifact");
    assert!(
        text.starts_with("{\n  \"apiVersion\": \"v1\",\n  \"generated\": \""),
        "{text}"
    );
    assert!(text.ends_with("\n}"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("the artifact is JSON");
    let versions = v["entries"]["podinfo-lite"]
        .as_array()
        .expect("podinfo-lite versions");
    let listed: Vec<&str> = versions
        .iter()
        .map(|cv| cv["version"].as_str().expect("version"))
        .collect();
    assert_eq!(listed, ["0.2.0", "0.1.0"]);
    for cv in versions {
        assert_eq!(cv["name"], "podinfo-lite");
        assert_eq!(cv["apiVersion"], "v2");
        assert_eq!(cv["type"], "application");
        assert_eq!(cv["digest"].as_str().map(str::len), Some(64));
        let url = cv["urls"][0].as_str().expect("url");
        assert!(url.starts_with(&endpoint("TEST_HELM_REPO_URL")), "{url}");
        let created = cv["created"].as_str().expect("created");
        assert!(created.len() >= 20 && &created[10..11] == "T", "{created}");
        let keys: Vec<&str> = cv
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let name_at = keys.iter().position(|k| *k == "name");
        let urls_at = keys.iter().position(|k| *k == "urls");
        assert!(name_at < urls_at, "Metadata fields come first: {keys:?}");
    }

    // source-controller reads its own artifact back (a HelmChart's index): JSON in, the same
    // bytes out, and the same selection.
    let again = dir.path().join("again.json");
    let back = helmrepo::write_index_artifact(&dest, &again).expect("artifact of the artifact");
    assert_eq!(back.digest, json.digest);
    let index = helmrepo::load_index(&spec, &dest).expect("the artifact parses as an index");
    assert_eq!(
        index.get("podinfo-lite", "").expect("latest").version,
        "0.2.0"
    );
}

#[test]
fn a_generated_large_index_parses_compactly() {
    // 40 charts x 50 versions, each with the fields real indexes carry.
    let mut yaml = String::from("apiVersion: v1\nentries:\n");
    for c in 0..40 {
        yaml.push_str(&format!("  chart-{c}:\n"));
        for v in 0..50 {
            yaml.push_str(&format!(
                "  - apiVersion: v2\n    appVersion: {v}.0.0\n    created: \"2024-01-01T00:00:{:02}Z\"\n    description: A long description of chart {c} that real indexes repeat for every version.\n    digest: {:064x}\n    home: https://example.com/{c}\n    keywords: [a, b, c]\n    maintainers:\n    - email: someone@example.com\n      name: someone\n    name: chart-{c}\n    sources: [https://github.com/example/{c}]\n    urls:\n    - https://charts.example.com/chart-{c}-1.{v}.0.tgz\n    version: 1.{v}.0\n",
                v % 60,
                c * 1000 + v
            ));
        }
    }
    let index = Index::from_slice(yaml.as_bytes()).expect("parse");
    assert_eq!(index.len(), 2_000);
    assert_eq!(index.get("chart-7", "").expect("latest").version, "1.49.0");
    assert_eq!(
        index.get("chart-7", "~1.42").expect("range").version,
        "1.42.0"
    );
}

// ---- OCI artifacts (plain-HTTP registry), as an OCIRepository pulls them

mod oci {
    use super::init_tls;
    use ferroflux_source::helmrepo::oci::{self, LayerOperation, OciError, OciRef, OciSource};
    use ferroflux_testsupport::endpoint;
    use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
    use oci_client::secrets::RegistryAuth;
    use oci_client::{Client, Reference};
    use std::collections::BTreeMap;

    const FLUX_LAYER: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";
    const FLUX_CONFIG: &str = "application/vnd.cncf.flux.config.v1+json";

    fn client() -> Client {
        init_tls();
        Client::new(ClientConfig {
            protocol: ClientProtocol::Http,
            ..ClientConfig::default()
        })
    }

    /// Pushes a Flux-style artifact (one tar.gz layer of `files`) as `repo:tag`; returns the
    /// manifest digest.
    async fn push(repo: &str, tag: &str, files: &[(&str, &str)]) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, body) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
            std::fs::write(p, body).expect("file");
        }
        let (_, tgz) = ferroflux_source::artifact::write_archive(
            dir.path(),
            &ferroflux_source::ignore::Matcher::default(),
            Vec::new(),
        )
        .expect("archive");
        let annotations: BTreeMap<String, String> = [(
            "org.opencontainers.image.revision".to_string(),
            format!("{tag}@sha1:0123456789abcdef0123456789abcdef01234567"),
        )]
        .into_iter()
        .collect();
        let host = endpoint("TEST_OCI_HOST");
        let reference = Reference::with_tag(host, repo.to_string(), tag.to_string());
        let c = client();
        let layers = [ImageLayer::new(tgz, FLUX_LAYER.to_string(), None)];
        let config = Config::new(b"{}".to_vec(), FLUX_CONFIG.to_string(), None);
        let manifest =
            oci_client::manifest::OciImageManifest::build(&layers, &config, Some(annotations));
        c.push(
            &reference,
            &layers,
            config,
            &RegistryAuth::Anonymous,
            Some(manifest),
        )
        .await
        .expect("push");
        c.fetch_manifest_digest(&reference, &RegistryAuth::Anonymous)
            .await
            .expect("digest")
    }

    fn source(repo: &str, reference: OciRef) -> OciSource {
        let mut src = OciSource::new(
            &format!("oci://{}/{repo}", endpoint("TEST_OCI_HOST")),
            reference,
        );
        src.insecure = true;
        src.timeout = std::time::Duration::from_secs(20);
        src
    }

    #[tokio::test]
    #[ignore = "needs the test servers (cargo xtask test)"]
    async fn oci_pulls_a_tag_with_flux_revision() {
        let digest = push("ff/app", "v1", &[("deploy/app.yaml", "kind: Deployment\n")]).await;
        let src = source("ff/app", OciRef::Tag("v1".into()));
        let resolved = oci::resolve(&src).await.expect("resolve");
        assert_eq!(resolved.revision, format!("v1@{digest}"));
        assert!(digest.starts_with("sha256:"));

        let dest = tempfile::tempdir().expect("tempdir");
        let fetched = oci::fetch(&src, dest.path()).await.expect("fetch");
        assert_eq!(fetched.resolved, resolved);
        assert_eq!(fetched.layer_media_type, FLUX_LAYER);
        assert!(
            fetched
                .annotations
                .get("org.opencontainers.image.revision")
                .is_some_and(|r| r.starts_with("v1@sha1:")),
            "{:?}",
            fetched.annotations
        );
        assert_eq!(
            std::fs::read_to_string(dest.path().join("deploy/app.yaml")).expect("extracted"),
            "kind: Deployment\n"
        );

        // A digest reference gives the digest alone as revision.
        let by_digest = oci::resolve(&source("ff/app", OciRef::Digest(digest.clone())))
            .await
            .expect("resolve digest");
        assert_eq!(by_digest.revision, digest);

        // A new push under the same tag changes the revision.
        let digest2 = push(
            "ff/app",
            "v1",
            &[("deploy/app.yaml", "kind: Deployment\nspec: {}\n")],
        )
        .await;
        assert_ne!(digest, digest2);
        assert_eq!(
            oci::resolve(&src).await.expect("resolve").revision,
            format!("v1@{digest2}")
        );
    }

    /// Pushes `layer` as the single Flux-typed layer of `repo:tag`.
    async fn push_raw_layer(repo: &str, tag: &str, layer: Vec<u8>) {
        let host = endpoint("TEST_OCI_HOST");
        let reference = Reference::with_tag(host, repo.to_string(), tag.to_string());
        let layers = [ImageLayer::new(layer, FLUX_LAYER.to_string(), None)];
        let config = Config::new(b"{}".to_vec(), FLUX_CONFIG.to_string(), None);
        let manifest = oci_client::manifest::OciImageManifest::build(&layers, &config, None);
        client()
            .push(
                &reference,
                &layers,
                config,
                &RegistryAuth::Anonymous,
                Some(manifest),
            )
            .await
            .expect("push");
    }

    #[tokio::test]
    #[ignore = "needs the test servers (cargo xtask test)"]
    async fn corrupt_or_escaping_layers_are_refused_and_leave_nothing() {
        // Not a gzip stream at all.
        push_raw_layer("ff/corrupt", "v1", b"this is not a tarball".to_vec()).await;
        let dest = tempfile::tempdir().expect("tempdir");
        let err = oci::fetch(&source("ff/corrupt", OciRef::Tag("v1".into())), dest.path())
            .await
            .expect_err("a corrupt layer must fail");
        assert!(
            err.to_string().contains("extracting layer sha256:"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(dest.path()).expect("dir").count(), 0);

        // A valid gzip of a tar whose entry leaves the target.
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // `append_data` refuses `..`; write the name into the header bytes directly.
        h.as_old_mut().name[..5].copy_from_slice(b"../x\0");
        h.set_cksum();
        tar.append(&h, &b"x"[..]).expect("append");
        let raw = tar.into_inner().expect("tar");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &raw).expect("gzip");
        push_raw_layer("ff/escape", "v1", gz.finish().expect("gzip")).await;
        // A private parent, so nothing else on the machine can own `../x`.
        let base = tempfile::tempdir().expect("tempdir");
        let dest = base.path().join("dest");
        std::fs::create_dir(&dest).expect("dest");
        let err = oci::fetch(&source("ff/escape", OciRef::Tag("v1".into())), &dest)
            .await
            .expect_err("an escaping entry must fail");
        assert!(err.to_string().contains("'..'"), "{err}");
        assert!(!base.path().join("x").exists());
    }

    #[tokio::test]
    #[ignore = "needs the test servers (cargo xtask test)"]
    async fn oci_semver_layer_selector_and_copy() {
        for tag in ["1.0.0", "1.1.0", "2.0.0-rc.1", "v1.2", "latest"] {
            push("ff/semver", tag, &[("v.txt", tag)]).await;
        }
        let semver = |range: &str, filter: Option<&str>| {
            source(
                "ff/semver",
                OciRef::Semver {
                    range: range.into(),
                    filter: filter.map(str::to_string),
                },
            )
        };
        let r = oci::resolve(&semver(">=1.0.0", None))
            .await
            .expect("semver");
        assert!(r.revision.starts_with("1.1.0@sha256:"), "{}", r.revision);
        let r = oci::resolve(&semver("~1.0", None)).await.expect("semver");
        assert_eq!(r.tag.as_deref(), Some("1.0.0"));
        let r = oci::resolve(&semver(">=1.0.0-0", None))
            .await
            .expect("semver");
        assert_eq!(r.tag.as_deref(), Some("2.0.0-rc.1"));
        let r = oci::resolve(&semver("*", Some("^1\\.0")))
            .await
            .expect("filtered");
        assert_eq!(r.tag.as_deref(), Some("1.0.0"));
        let e = oci::resolve(&semver("^3", None)).await.expect_err("none");
        assert!(matches!(e, OciError::NoMatchingTag { .. }), "{e}");

        let mut wrong = source("ff/semver", OciRef::Tag("1.0.0".into()));
        wrong.media_type = Some("application/vnd.cncf.helm.chart.content.v1.tar+gzip".into());
        let dest = tempfile::tempdir().expect("tempdir");
        let e = oci::fetch(&wrong, dest.path())
            .await
            .expect_err("no such layer");
        assert!(matches!(e, OciError::NoLayerOfType { .. }), "{e}");

        let mut copy = source("ff/semver", OciRef::Tag("1.0.0".into()));
        copy.media_type = Some(FLUX_LAYER.into());
        copy.operation = LayerOperation::Copy;
        let fetched = oci::fetch(&copy, dest.path()).await.expect("copy");
        let name = fetched.copied.expect("copied file");
        assert_eq!(
            name.to_string_lossy(),
            format!("{}.tgz", fetched.layer_digest.trim_start_matches("sha256:"))
        );
        assert!(dest.path().join(name).is_file());

        let missing = oci::resolve(&source("ff/semver", OciRef::Tag("nope".into())))
            .await
            .expect_err("missing tag");
        assert!(missing.to_string().contains("ff/semver"), "{missing}");
    }

    /// Pushes the test chart as a Helm OCI artifact `repo/podinfo-lite:tag`.
    async fn push_chart(repo: &str, tag: &str) {
        let tgz = std::fs::read(endpoint("TEST_CHART_TGZ")).expect("chart tgz");
        let host = endpoint("TEST_OCI_HOST");
        let reference = Reference::with_tag(host, format!("{repo}/podinfo-lite"), tag.to_string());
        let layers = [ImageLayer::new(
            tgz,
            oci::HELM_CHART_LAYER.to_string(),
            None,
        )];
        let config = Config::new(
            format!(r#"{{"name":"podinfo-lite","version":"{tag}","apiVersion":"v2"}}"#)
                .into_bytes(),
            "application/vnd.cncf.helm.config.v1+json".to_string(),
            None,
        );
        client()
            .push(&reference, &layers, config, &RegistryAuth::Anonymous, None)
            .await
            .expect("push chart");
    }

    #[tokio::test]
    #[ignore = "needs the test servers (cargo xtask test)"]
    async fn oci_helm_chart_versions_and_pull() {
        for tag in ["0.1.0", "0.2.0", "0.3.0-rc.1", "0.2.1_build.5", "latest"] {
            push_chart("ff/charts", tag).await;
        }
        let repo = {
            let mut r = OciSource::new(
                &format!("oci://{}/ff/charts", endpoint("TEST_OCI_HOST")),
                OciRef::default(),
            );
            r.insecure = true;
            r.timeout = std::time::Duration::from_secs(20);
            r
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("chart.tgz");
        let pull = |v: &'static str| {
            let repo = repo.clone();
            let dest = dest.clone();
            async move { oci::pull_chart(&repo, "podinfo-lite", v, &dest).await }
        };
        let latest = pull("").await.expect("latest stable");
        assert_eq!(latest.version, "0.2.1+build.5");
        assert_eq!(
            std::fs::read(&dest).expect("read"),
            std::fs::read(endpoint("TEST_CHART_TGZ")).expect("read")
        );
        assert_eq!(latest.digest, super::sha256_file(&dest));
        assert_eq!(latest.size, std::fs::metadata(&dest).expect("stat").len());
        assert_eq!(pull("*").await.expect("star").version, "0.2.1+build.5");
        assert_eq!(pull("0.1.x").await.expect("range").version, "0.1.0");
        assert_eq!(pull("0.1.0").await.expect("exact").version, "0.1.0");
        assert_eq!(pull(">=0.3.0-0").await.expect("pre").version, "0.3.0-rc.1");
        let e = pull("^5").await.expect_err("no match");
        assert!(matches!(e, OciError::NoMatchingTag { .. }), "{e}");
        let e = pull("9.9.9").await.expect_err("missing version");
        assert!(e.to_string().contains("ff/charts/podinfo-lite"), "{e}");
    }
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn error_paths_name_what_failed_and_leave_nothing_behind() {
    init_tls();
    // Nothing listens on port 1 of loopback.
    let unreachable = HelmRepoSpec::new("http://127.0.0.1:1/charts");
    let e = helmrepo::fetch_index(&unreachable, &HelmAuth::default())
        .await
        .expect_err("an unreachable repository fails")
        .to_string();
    assert!(e.contains("127.0.0.1:1"), "{e}");

    sub_repo(
        "ff-corrupt",
        "apiVersion: v1\nentries: [this is: not, a map\n",
    );
    let corrupt = HelmRepoSpec::new(&format!("{}/ff-corrupt", endpoint("TEST_HELM_REPO_URL")));
    let e = helmrepo::fetch_index(&corrupt, &HelmAuth::default())
        .await
        .expect_err("a corrupt index fails")
        .to_string();
    assert!(e.contains("ff-corrupt"), "{e}");

    let mut spec = HelmRepoSpec::new(&endpoint("TEST_HELM_REPO_URL"));
    let (_, index) = helmrepo::fetch_index(&spec, &HelmAuth::default())
        .await
        .expect("index");
    let chart = index.get("podinfo-lite", "").expect("latest").clone();
    let dir = tempfile::tempdir().expect("tempdir");
    spec.max_chart_size = 100;
    let e = helmrepo::download_chart(
        &spec,
        &HelmAuth::default(),
        &chart,
        &dir.path().join("big.tgz"),
    )
    .await
    .expect_err("a chart over the size limit fails")
    .to_string();
    assert!(e.contains("exceeds the maximum size of 100 bytes"), "{e}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read_dir").collect();
    assert!(left.is_empty(), "no partial chart is left: {left:?}");

    // A chart URL that answers 404.
    sub_repo(
        "ff-missing-tgz",
        "apiVersion: v1\nentries:\n  gone:\n  - name: gone\n    version: 1.0.0\n    urls:\n    - gone-1.0.0.tgz\n",
    );
    let missing = HelmRepoSpec::new(&format!(
        "{}/ff-missing-tgz",
        endpoint("TEST_HELM_REPO_URL")
    ));
    let (_, index) = helmrepo::fetch_index(&missing, &HelmAuth::default())
        .await
        .expect("index");
    let gone = index.get("gone", "").expect("listed").clone();
    let e = helmrepo::download_chart(
        &missing,
        &HelmAuth::default(),
        &gone,
        &dir.path().join("gone.tgz"),
    )
    .await
    .expect_err("a missing chart file fails")
    .to_string();
    assert!(e.contains("404") && e.contains("gone-1.0.0.tgz"), "{e}");
    assert!(!dir.path().join("gone.tgz").exists());
}
