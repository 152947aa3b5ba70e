//! Bucket sources against the real servers: s3s-fs (S3 with SigV4) and azurite (Azure Blob).
//! Run through `cargo xtask test`.

use ferroflux_source::bucket::{
    self, BucketAuth, BucketError, BucketSpec, Index, Provider, artifact_matcher,
};
use ferroflux_testsupport::endpoint;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A fresh s3s-fs bucket (a directory under the data dir) holding `objects`.
fn s3_bucket(name: &str, objects: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(endpoint("TEST_S3_DATA_DIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bucket dir");
    for (key, body) in objects {
        put_file(&dir, key, body);
    }
    dir
}

fn put_file(bucket_dir: &Path, key: &str, body: &str) {
    let path = bucket_dir.join(key);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("object dir");
    std::fs::write(path, body).expect("object");
}

fn s3_spec(name: &str) -> BucketSpec {
    let mut spec = BucketSpec::new(Provider::Generic, name, &endpoint("TEST_S3_ENDPOINT"));
    spec.insecure = true;
    spec.region = Some(endpoint("TEST_S3_REGION"));
    spec.timeout = std::time::Duration::from_secs(20);
    spec
}

fn s3_auth() -> BucketAuth {
    let data: BTreeMap<String, Vec<u8>> = [
        ("accesskey", endpoint("TEST_S3_ACCESS_KEY")),
        ("secretkey", endpoint("TEST_S3_SECRET_KEY")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_bytes()))
    .collect();
    BucketAuth::from_secret(Provider::Generic, "s3-creds", &data).expect("secret")
}

fn keys(index: &Index) -> Vec<&str> {
    index.iter().map(|(k, _)| k).collect()
}

/// Relative paths of the files under `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("entry");
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

const OBJECTS: &[(&str, &str)] = &[
    (".sourceignore", "*.md\nsecret/\n"),
    ("README.md", "# docs\n"),
    ("apps/deploy.yaml", "kind: Deployment\n"),
    ("apps/notes.md", "notes\n"),
    ("apps/secret/key.yaml", "kind: Secret\n"),
    ("logo.png", "not really a png"),
];

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn s3_lists_and_fetches_with_flux_ignore_rules() {
    init_tls();
    s3_bucket("ff-list-fetch", OBJECTS);
    let spec = s3_spec("ff-list-fetch");
    let index = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    // The root .sourceignore applies; there are no default excludes (logo.png stays).
    assert_eq!(keys(&index), ["apps/deploy.yaml", "logo.png"]);
    for (_, etag) in index.iter() {
        assert!(!etag.is_empty() && !etag.contains('"'), "{etag:?}");
    }
    let dest = tempfile::tempdir().expect("tempdir");
    let fetched = bucket::fetch(&spec, &s3_auth(), dest.path())
        .await
        .expect("fetch");
    assert_eq!(fetched.revision, index.revision());
    assert_eq!(fetched.index, index);
    // The .sourceignore is written too, as Flux downloads it into the directory.
    assert_eq!(
        files(dest.path()),
        [".sourceignore", "apps/deploy.yaml", "logo.png"]
    );
    assert_eq!(
        std::fs::read_to_string(dest.path().join("apps/deploy.yaml")).expect("read"),
        "kind: Deployment\n"
    );
    assert_eq!(fetched.bytes, 17 + 16);
    // The artifact takes everything fetched.
    let (info, _) =
        ferroflux_source::artifact::write_archive(dest.path(), &artifact_matcher(), Vec::new())
            .expect("archive");
    assert!(info.digest.starts_with("sha256:"));
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn s3_revision_is_stable_and_follows_changes() {
    init_tls();
    let dir = s3_bucket("ff-revision", OBJECTS);
    let spec = s3_spec("ff-revision");
    let first = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    let again = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    assert_eq!(first.revision(), again.revision(), "unchanged bucket");

    put_file(&dir, "apps/deploy.yaml", "kind: Deployment\nspec: {}\n");
    let changed = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    assert_ne!(first.revision(), changed.revision(), "object changed");
    assert_eq!(keys(&first), keys(&changed));

    // An ignored object does not change the revision.
    put_file(&dir, "more.md", "ignored\n");
    let ignored = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    assert_eq!(changed.revision(), ignored.revision());

    put_file(&dir, "apps/svc.yaml", "kind: Service\n");
    let added = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    assert_ne!(changed.revision(), added.revision(), "object added");

    // Downloading an index listed earlier gives the same revision when nothing moved.
    let dest = tempfile::tempdir().expect("tempdir");
    let fetched = bucket::download(&spec, &s3_auth(), added.clone(), dest.path())
        .await
        .expect("download");
    assert_eq!(fetched.revision, added.revision());
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn s3_spec_ignore_comes_after_the_bucket_sourceignore() {
    init_tls();
    s3_bucket("ff-spec-ignore", OBJECTS);
    let mut spec = s3_spec("ff-spec-ignore");
    spec.ignore = Some("!README.md\n*.png\n".into());
    let index = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    assert_eq!(keys(&index), ["README.md", "apps/deploy.yaml"]);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn s3_prefix_is_a_plain_string_prefix_and_keys_stay_whole() {
    init_tls();
    s3_bucket(
        "ff-prefix",
        &[
            ("apps/deploy.yaml", "a"),
            ("apps-old/deploy.yaml", "b"),
            ("infra/x.yaml", "c"),
        ],
    );
    let mut spec = s3_spec("ff-prefix");
    spec.prefix = Some("apps/".into());
    let dest = tempfile::tempdir().expect("tempdir");
    let fetched = bucket::fetch(&spec, &s3_auth(), dest.path())
        .await
        .expect("fetch");
    assert_eq!(keys(&fetched.index), ["apps/deploy.yaml"]);
    assert_eq!(files(dest.path()), ["apps/deploy.yaml"]);

    spec.prefix = Some("apps".into());
    let index = bucket::list_index(&spec, &s3_auth()).await.expect("list");
    assert_eq!(keys(&index), ["apps-old/deploy.yaml", "apps/deploy.yaml"]);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn s3_wrong_secret_and_missing_bucket_are_named() {
    init_tls();
    s3_bucket("ff-auth", &[("a.yaml", "a")]);
    let spec = s3_spec("ff-auth");
    let wrong = BucketAuth::s3(endpoint("TEST_S3_ACCESS_KEY"), "wrong-secret-key");
    let err = bucket::list_index(&spec, &wrong)
        .await
        .expect_err("a wrong secret key must be refused");
    let msg = err.to_string();
    assert!(msg.contains("'ff-auth'"), "{msg}");
    assert!(!msg.contains("wrong-secret-key"), "{msg}");

    let missing = s3_spec("ff-no-such-bucket");
    let err = bucket::list_index(&missing, &s3_auth())
        .await
        .expect_err("missing bucket");
    assert!(
        matches!(err, BucketError::NotFound { .. }),
        "{err}: {err:?}"
    );
    assert_eq!(err.to_string(), "bucket 'ff-no-such-bucket' not found");
}

// ---- Azure Blob (azurite)

fn azure_spec(container: &str) -> BucketSpec {
    let mut spec = BucketSpec::new(
        Provider::Azure,
        container,
        &endpoint("TEST_AZURE_BLOB_ENDPOINT"),
    );
    spec.insecure = true;
    spec.timeout = std::time::Duration::from_secs(20);
    spec
}

fn azure_auth(key: &str) -> BucketAuth {
    let data: BTreeMap<String, Vec<u8>> = [("accountKey".to_string(), key.as_bytes().to_vec())]
        .into_iter()
        .collect();
    BucketAuth::from_secret(Provider::Azure, "azure-creds", &data).expect("secret")
}

/// A fresh container holding `objects`, written with object_store.
async fn azure_container(
    name: &str,
    objects: &[(&str, &str)],
) -> object_store::azure::MicrosoftAzure {
    use futures::TryStreamExt;
    use object_store::{ObjectStore, ObjectStoreExt};
    init_tls();
    let endpoint_url = endpoint("TEST_AZURE_BLOB_ENDPOINT");
    let account = endpoint("TEST_AZURE_ACCOUNT");
    let key = endpoint("TEST_AZURE_KEY");
    ferroflux_testsupport::azure_create_container(&endpoint_url, &account, &key, name).await;
    let store = object_store::azure::MicrosoftAzureBuilder::new()
        .with_endpoint(endpoint_url)
        .with_account(account)
        .with_access_key(key)
        .with_container_name(name)
        .with_allow_http(true)
        .build()
        .expect("Azure client");
    let existing: Vec<_> = store.list(None).try_collect().await.expect("list");
    for meta in existing {
        store.delete(&meta.location).await.expect("delete blob");
    }
    for (k, body) in objects {
        azure_put(&store, k, body).await;
    }
    store
}

async fn azure_put(store: &object_store::azure::MicrosoftAzure, key: &str, body: &str) {
    use object_store::{ObjectStoreExt, PutPayload};
    store
        .put(&key.into(), PutPayload::from(body.as_bytes().to_vec()))
        .await
        .expect("put blob");
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn azure_lists_fetches_and_tracks_revisions() {
    let store = azure_container("ff-azure", OBJECTS).await;
    let spec = azure_spec("ff-azure");
    let auth = azure_auth(&endpoint("TEST_AZURE_KEY"));
    let index = bucket::list_index(&spec, &auth).await.expect("list");
    assert_eq!(keys(&index), ["apps/deploy.yaml", "logo.png"]);
    for (_, etag) in index.iter() {
        // Flux hex-encodes Azure ETags.
        assert!(
            !etag.is_empty() && etag.bytes().all(|b| b.is_ascii_hexdigit()),
            "{etag}"
        );
    }
    let again = bucket::list_index(&spec, &auth).await.expect("list");
    assert_eq!(index.revision(), again.revision());

    let dest = tempfile::tempdir().expect("tempdir");
    let fetched = bucket::fetch(&spec, &auth, dest.path())
        .await
        .expect("fetch");
    assert_eq!(fetched.revision, index.revision(), "download ETags agree");
    assert_eq!(
        files(dest.path()),
        [".sourceignore", "apps/deploy.yaml", "logo.png"]
    );

    azure_put(&store, "apps/deploy.yaml", "kind: Deployment\nspec: {}\n").await;
    let changed = bucket::list_index(&spec, &auth).await.expect("list");
    assert_ne!(index.revision(), changed.revision());

    let mut prefixed = azure_spec("ff-azure");
    prefixed.prefix = Some("apps/".into());
    let only_apps = bucket::list_index(&prefixed, &auth).await.expect("list");
    assert_eq!(keys(&only_apps), ["apps/deploy.yaml"]);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn azure_connection_string_secret_works() {
    azure_container("ff-azure-cs", &[("a.yaml", "a")]).await;
    let data: BTreeMap<String, Vec<u8>> = [(
        "connectionString".to_string(),
        endpoint("TEST_AZURE_CONNECTION_STRING").into_bytes(),
    )]
    .into_iter()
    .collect();
    let auth = BucketAuth::from_secret(Provider::Azure, "cs", &data).expect("secret");
    let index = bucket::list_index(&azure_spec("ff-azure-cs"), &auth)
        .await
        .expect("list");
    assert_eq!(keys(&index), ["a.yaml"]);
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn azure_wrong_key_is_refused_naming_the_container() {
    azure_container("ff-azure-auth", &[("a.yaml", "a")]).await;
    // A valid base64 key that is not the account's.
    let wrong = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
    let err = bucket::list_index(&azure_spec("ff-azure-auth"), &azure_auth(wrong))
        .await
        .expect_err("a wrong account key must be refused");
    let msg = err.to_string();
    assert!(msg.contains("'ff-azure-auth'"), "{msg}");
    assert!(!msg.contains(wrong), "{msg}");
}

#[tokio::test]
#[ignore = "needs the test servers (cargo xtask test)"]
async fn an_empty_bucket_is_an_empty_artifact_with_a_stable_revision() {
    init_tls();
    s3_bucket("ff-empty", &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let fetched = bucket::fetch(&s3_spec("ff-empty"), &s3_auth(), dir.path())
        .await
        .expect("an empty bucket is not an error");
    assert!(keys(&fetched.index).is_empty());
    assert!(files(dir.path()).is_empty());
    let again = bucket::list_index(&s3_spec("ff-empty"), &s3_auth())
        .await
        .expect("list");
    assert_eq!(again.revision(), fetched.revision);
}
