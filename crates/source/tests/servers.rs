//! One test per real server, proving each is reachable from Rust with the clients ferroflux
//! uses: gix (HTTP, HTTP with basic auth, SSH), reqwest (HTTPS Git with our CA, the OCI
//! registries, the Helm repository) and object_store (S3, Azure Blob).
//! Run through `cargo xtask test`; see crates/testsupport.

use ferroflux_testsupport::{endpoint, endpoint_file};
use std::sync::Once;

const NEEDS: &str = "needs the test servers (cargo xtask test)";

fn init_tls() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The refs a remote advertises, listed with gix the way a no-op poll does (no clone).
fn ls_remote(
    url: &str,
    ssh_command: Option<&str>,
    credentials: Option<(&str, &str)>,
) -> Result<Vec<String>, String> {
    ls_remote_with_ca(url, ssh_command, credentials, None)
}

fn ls_remote_with_ca(
    url: &str,
    ssh_command: Option<&str>,
    credentials: Option<(&str, &str)>,
    ca_pem: Option<Vec<u8>>,
) -> Result<Vec<String>, String> {
    init_tls();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut repo = gix::init_bare(dir.path()).map_err(|e| e.to_string())?;
    if let Some(cmd) = ssh_command {
        let mut config = repo.config_snapshot_mut();
        config
            .set_raw_value("core.sshCommand", cmd)
            .map_err(|e| e.to_string())?;
        config.commit().map_err(|e| e.to_string())?;
    }
    let remote = repo.remote_at(url).map_err(|e| e.to_string())?;
    let connection = remote
        .connect(gix::remote::Direction::Fetch)
        .map_err(|e| format!("{e:?}"))?;
    let connection = match ca_pem {
        Some(pem) => connection.with_transport_options(Box::new(trust_only(pem)?)),
        None => connection,
    };
    let (user, password) = credentials.unwrap_or(("", ""));
    let (user, password) = (user.to_string(), password.to_string());
    let with_creds = credentials.is_some();
    let connection = connection.with_credentials(move |action| match action {
        gix::credentials::helper::Action::Get(ctx) if with_creds => {
            Ok(Some(gix::credentials::protocol::Outcome {
                identity: gix::sec::identity::Account {
                    username: user.clone(),
                    password: password.clone(),
                    oauth_refresh_token: None,
                },
                next: ctx.into(),
            }))
        }
        _ => Ok(None),
    });
    let (ref_map, _) = connection
        .ref_map(
            gix::progress::Discard,
            gix::remote::ref_map::Options {
                // List every ref, as `git ls-remote` does, not only those a refspec selects.
                prefix_from_spec_as_filter_on_remote: false,
                ..Default::default()
            },
        )
        .map_err(|e| format!("{e:?}"))?;
    Ok(ref_map
        .remote_refs
        .iter()
        .map(|r| r.unpack().0.to_string())
        .collect())
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn git_http_anonymous_lists_refs() {
    let _ = NEEDS;
    let url = format!("{}/repo.git", endpoint("TEST_GIT_HTTP_URL"));
    let refs = ls_remote(&url, None, None).expect("ls-remote over HTTP");
    assert!(refs.iter().any(|r| r == "refs/heads/main"), "{refs:?}");
    assert!(refs.iter().any(|r| r == "refs/tags/v0.1.0"), "{refs:?}");
}

/// HTTP transport options trusting only the given CA, through gix's reqwest hook.
fn trust_only(
    pem: Vec<u8>,
) -> Result<gix::protocol::transport::client::blocking_io::http::Options, String> {
    use gix::protocol::transport::client::blocking_io::http;
    let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| e.to_string())?;
    let backend = http::reqwest::Options {
        configure_client: Some(Box::new(move |builder| {
            Ok(builder.tls_certs_only([cert.clone()]))
        })),
        ..Default::default()
    };
    Ok(http::Options {
        backend: Some(std::sync::Arc::new(std::sync::Mutex::new(backend))),
        ..Default::default()
    })
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn git_https_basic_auth_with_our_ca() {
    let url = format!("{}/repo.git", endpoint("TEST_GIT_HTTPS_AUTH_URL"));
    let user = endpoint("TEST_HTTP_USER");
    let password = endpoint("TEST_HTTP_PASSWORD");
    let ca = || Some(endpoint_file("TEST_CA_FILE"));
    let refs = ls_remote_with_ca(&url, None, Some((&user, &password)), ca())
        .expect("ls-remote over HTTPS with auth");
    assert!(refs.iter().any(|r| r == "refs/heads/main"), "{refs:?}");
    let wrong = ls_remote_with_ca(&url, None, Some((&user, "wrong")), ca());
    assert!(wrong.is_err(), "a wrong password must be refused");
    let anonymous = ls_remote_with_ca(&url, None, None, ca());
    assert!(anonymous.is_err(), "anonymous access must be refused");
    let untrusted = ls_remote(&url, None, Some((&user, &password)));
    assert!(
        untrusted.is_err(),
        "the server's CA is not trusted by default"
    );
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn git_http_basic_auth_is_refused_and_never_sent_in_clear() {
    let url = format!("{}/repo.git", endpoint("TEST_GIT_HTTP_AUTH_URL"));
    let anonymous = ls_remote(&url, None, None).expect_err("anonymous access must be refused");
    assert!(anonymous.contains("credentials"), "{anonymous}");
    let user = endpoint("TEST_HTTP_USER");
    let password = endpoint("TEST_HTTP_PASSWORD");
    let clear = ls_remote(&url, None, Some((&user, &password)))
        .expect_err("gix refuses to send a password over plain HTTP");
    assert!(clear.contains("clear text"), "{clear}");
}

#[test]
#[ignore = "needs the test servers (cargo xtask test)"]
fn git_ssh_with_key_and_known_hosts_lists_refs() {
    let url = format!("{}/repo.git", endpoint("TEST_GIT_SSH_URL"));
    let ssh = endpoint("TEST_GIT_SSH_COMMAND");
    let refs = ls_remote(&url, Some(&ssh), None).expect("ls-remote over SSH");
    assert!(refs.iter().any(|r| r == "refs/heads/main"), "{refs:?}");

    // A known_hosts file without the server's key must make the connection fail.
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    let strict = format!(
        "ssh -i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o BatchMode=yes",
        endpoint("TEST_SSH_KEY"),
        empty.path().display()
    );
    assert!(
        ls_remote(&url, Some(&strict), None).is_err(),
        "an unknown host key must be refused"
    );
}

fn http_client(ca: bool) -> reqwest::Client {
    init_tls();
    let mut b = reqwest::Client::builder();
    if ca {
        let pem = endpoint_file("TEST_CA_FILE");
        let cert = reqwest::Certificate::from_pem(&pem).expect("test CA parses");
        b = b.tls_certs_only([cert]);
    }
    b.build().expect("reqwest client")
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn git_https_with_our_ca_and_basic_auth() {
    let client = http_client(true);
    let url = format!(
        "{}/repo.git/info/refs?service=git-upload-pack",
        endpoint("TEST_GIT_HTTPS_AUTH_URL")
    );
    let ok = client
        .get(&url)
        .basic_auth(
            endpoint("TEST_HTTP_USER"),
            Some(endpoint("TEST_HTTP_PASSWORD")),
        )
        .send()
        .await
        .expect("HTTPS request");
    assert_eq!(ok.status(), 200);
    let body = ok.text().await.expect("body");
    assert!(body.contains("refs/heads/main"), "{body}");
    let anon = client.get(&url).send().await.expect("HTTPS request");
    assert_eq!(anon.status(), 401);
    // Without our CA the server's certificate is not trusted.
    assert!(http_client(false).get(&url).send().await.is_err());
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn oci_registries_answer_v2() {
    let plain = format!("http://{}/v2/", endpoint("TEST_OCI_HOST"));
    let r = http_client(false)
        .get(&plain)
        .send()
        .await
        .expect("GET /v2/");
    assert_eq!(r.status(), 200);

    let authed = format!("https://{}/v2/", endpoint("TEST_OCI_AUTH_HOST"));
    let client = http_client(true);
    let anon = client.get(&authed).send().await.expect("GET /v2/ over TLS");
    assert_eq!(anon.status(), 401);
    let ok = client
        .get(&authed)
        .basic_auth(
            endpoint("TEST_HTTP_USER"),
            Some(endpoint("TEST_HTTP_PASSWORD")),
        )
        .send()
        .await
        .expect("GET /v2/ with auth");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn helm_repository_serves_its_index() {
    let client = http_client(false);
    let index = client
        .get(format!("{}/index.yaml", endpoint("TEST_HELM_REPO_URL")))
        .send()
        .await
        .expect("GET index.yaml");
    assert_eq!(index.status(), 200);
    let text = index.text().await.expect("index body");
    assert!(text.contains("podinfo-lite"), "{text}");
    assert!(text.contains("version: 0.2.0"), "{text}");

    let auth_url = format!("{}/index.yaml", endpoint("TEST_HELM_REPO_AUTH_URL"));
    assert_eq!(
        client.get(&auth_url).send().await.expect("GET").status(),
        401
    );
    let ok = client
        .get(&auth_url)
        .basic_auth(
            endpoint("TEST_HTTP_USER"),
            Some(endpoint("TEST_HTTP_PASSWORD")),
        )
        .send()
        .await
        .expect("GET with auth");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn s3_bucket_lists_with_sigv4() {
    use futures::TryStreamExt;
    use object_store::{ObjectStore, ObjectStoreExt};
    init_tls();
    // s3s-fs keeps bucket B, key K as the file DATA/B/K.
    let data = std::path::PathBuf::from(endpoint("TEST_S3_DATA_DIR"));
    std::fs::create_dir_all(data.join("servers-test/dir")).expect("bucket dir");
    std::fs::write(data.join("servers-test/dir/cm.yaml"), "kind: ConfigMap\n").expect("object");
    let store = |secret: &str| {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(endpoint("TEST_S3_ENDPOINT"))
            .with_region(endpoint("TEST_S3_REGION"))
            .with_bucket_name("servers-test")
            .with_access_key_id(endpoint("TEST_S3_ACCESS_KEY"))
            .with_secret_access_key(secret)
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .with_retry(object_store::RetryConfig {
                max_retries: 0,
                ..Default::default()
            })
            .build()
            .expect("S3 client")
    };
    let good = store(&endpoint("TEST_S3_SECRET_KEY"));
    let listed: Vec<_> = good.list(None).try_collect().await.expect("list bucket");
    let keys: Vec<String> = listed.iter().map(|m| m.location.to_string()).collect();
    assert_eq!(keys, ["dir/cm.yaml"]);
    let body = good
        .get(&"dir/cm.yaml".into())
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&body[..], b"kind: ConfigMap\n");
    // s3s-fs checks signatures: a wrong secret is refused.
    let bad = store("wrong-secret");
    let refused: Result<Vec<_>, _> = bad.list(None).try_collect().await;
    assert!(refused.is_err(), "a wrong secret key must be refused");
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn azure_container_lists_blobs() {
    use futures::TryStreamExt;
    use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
    init_tls();
    let endpoint_url = endpoint("TEST_AZURE_BLOB_ENDPOINT");
    let account = endpoint("TEST_AZURE_ACCOUNT");
    let key = endpoint("TEST_AZURE_KEY");
    ferroflux_testsupport::azure_create_container(&endpoint_url, &account, &key, "servers-test")
        .await;
    let store = object_store::azure::MicrosoftAzureBuilder::new()
        .with_endpoint(endpoint_url)
        .with_account(account)
        .with_access_key(key)
        .with_container_name("servers-test")
        .with_allow_http(true)
        .build()
        .expect("Azure client");
    store
        .put(
            &"dir/cm.yaml".into(),
            PutPayload::from_static(b"kind: ConfigMap\n"),
        )
        .await
        .expect("put blob");
    let listed: Vec<_> = store
        .list(None)
        .try_collect()
        .await
        .expect("list container");
    let names: Vec<String> = listed.iter().map(|m| m.location.to_string()).collect();
    assert_eq!(names, ["dir/cm.yaml"]);
}
