use super::*;
use std::time::{Duration, SystemTime};

fn key() -> ObjectKey {
    ObjectKey::new("GitRepository", "flux-system", "podinfo")
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("data")).unwrap();
    (dir, store)
}

fn put(store: &Store, file: &str, body: &[u8]) -> PathBuf {
    store.write(&key(), file, |w| w.write_all(body)).unwrap().1
}

#[test]
fn writes_land_at_the_flux_path_with_a_latest_link() {
    let (_d, store) = store();
    let _lock = store.lock(&key()).unwrap();
    let path = put(&store, "abc.tar.gz", b"one");
    assert_eq!(
        path,
        store
            .root()
            .join("gitrepository/flux-system/podinfo/abc.tar.gz")
    );
    let link = path.parent().unwrap().join(LATEST);
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("abc.tar.gz"));
    put(&store, "def.tar.gz", b"two");
    assert_eq!(std::fs::read(&link).unwrap(), b"two");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_failed_write_leaves_nothing() {
    let (_d, store) = store();
    let err = store
        .write(&key(), "x.tar.gz", |w| {
            w.write_all(b"partial")?;
            Err::<(), _>(io::Error::other("disk on fire"))
        })
        .unwrap_err();
    assert!(err.to_string().contains("disk on fire"), "{err}");
    let dir = store.root().join(key().dir());
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn names_cannot_leave_their_directory() {
    let (_d, store) = store();
    for (k, file) in [
        (ObjectKey::new("gitrepository", "..", "x"), "a"),
        (ObjectKey::new("gitrepository", "ns", "a/b"), "a"),
        (key(), "../escape"),
        (key(), ".lock"),
    ] {
        let err = store.path(&k, file).unwrap_err();
        assert!(err.to_string().starts_with("invalid "), "{err}");
    }
}

#[test]
fn the_lock_excludes_a_second_writer() {
    let (_d, store) = store();
    let held = store.lock(&key()).unwrap();
    let lock_path = store.root().join(key().dir()).join(".lock");
    let other = std::fs::File::options()
        .write(true)
        .open(&lock_path)
        .unwrap();
    assert!(other.try_lock().is_err(), "the lock is held");
    drop(held);
    assert!(other.try_lock().is_ok(), "released on drop");
}

#[test]
fn garbage_collection_keeps_records_and_fresh_files() {
    let (_d, store) = store();
    let now = SystemTime::now();
    let age = |mins: u64| now - Duration::from_secs(mins * 60);
    for (name, mins) in [("a", 50), ("b", 40), ("c", 30), ("d", 1), ("e", 0)] {
        let path = put(&store, &format!("{name}.tar.gz"), name.as_bytes());
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(age(mins))
            .unwrap();
    }
    // latest.tar.gz names e.tar.gz. Keep 3 records; older ones go once older than 35 minutes.
    let retention = Retention {
        records: 3,
        ttl: Duration::from_secs(35 * 60),
    };
    let deleted = store.collect_garbage(&key(), retention, now).unwrap();
    assert_eq!(deleted, ["a.tar.gz", "b.tar.gz"]);
    let deleted = store.collect_garbage(
        &key(),
        Retention {
            records: 1,
            ttl: Duration::ZERO,
        },
        now,
    );
    // e is the one record kept; with no ttl, c and d go.
    assert_eq!(deleted.unwrap(), ["c.tar.gz", "d.tar.gz"]);
    assert!(store.root().join(key().dir()).join("e.tar.gz").exists());
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn serve(store: Store) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(store)).await });
    addr
}

/// A raw HTTP/1.1 request, so paths reach the server exactly as written.
async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn the_server_serves_artifacts_and_nothing_else() {
    let (_d, store) = store();
    put(&store, "abc.tar.gz", b"artifact-bytes");
    let addr = serve(store.clone()).await;
    let base = format!("http://{addr}/gitrepository/flux-system/podinfo");
    let client = client();
    let get = client
        .get(format!("{base}/abc.tar.gz"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(get.headers()["content-type"], "application/gzip");
    assert_eq!(get.bytes().await.unwrap(), &b"artifact-bytes"[..]);
    let latest = client
        .get(format!("{base}/latest.tar.gz"))
        .send()
        .await
        .unwrap();
    assert_eq!(latest.bytes().await.unwrap(), &b"artifact-bytes"[..]);
    let head = client
        .head(format!("{base}/abc.tar.gz"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "14");
    let missing = client
        .get(format!("{base}/nope.tar.gz"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    for path in [
        "/gitrepository/flux-system/podinfo/.lock",
        "/gitrepository/../../../etc/passwd",
        "/gitrepository/flux-system/podinfo/../podinfo/abc.tar.gz",
        "/gitrepository/flux-system",
        "/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let reply = raw(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
        .await;
        let status = reply.lines().next().unwrap_or_default().to_string();
        assert!(
            status.contains(" 404 ") || status.contains(" 400 "),
            "{path}: {status}"
        );
        assert!(!reply.contains("root:"), "{path} leaked a file");
    }
}

fn tarball() -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cm.yaml"), "kind: ConfigMap\n").unwrap();
    let matcher = crate::ignore::Matcher::for_source(Vec::new());
    let (info, bytes) = crate::artifact::write_archive(dir.path(), &matcher, Vec::new()).unwrap();
    (bytes, info.digest)
}

fn quick() -> FetchOptions {
    FetchOptions {
        retries: 3,
        backoff: Duration::from_millis(10),
        ..Default::default()
    }
}

#[tokio::test]
async fn fetch_verifies_the_digest_before_extracting() {
    let (_d, store) = store();
    let (bytes, digest) = tarball();
    put(&store, "a.tar.gz", &bytes);
    let addr = serve(store).await;
    let url = format!("http://{addr}/gitrepository/flux-system/podinfo/a.tar.gz");
    let client = client();
    let out = tempfile::tempdir().unwrap();
    let n = fetch_artifact(&client, &url, &digest, out.path(), &quick())
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(out.path().join("cm.yaml").is_file());

    let wrong = format!("sha256:{}", "0".repeat(64));
    let out2 = tempfile::tempdir().unwrap();
    let err = fetch_artifact(&client, &url, &wrong, out2.path(), &quick())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("digest mismatch: expected sha256:000"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(out2.path()).unwrap().count(),
        0,
        "nothing extracted"
    );

    let small = FetchOptions {
        max_download: 10,
        ..quick()
    };
    let err = fetch_artifact(&client, &url, &digest, out2.path(), &small)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("exceeds the 10 byte download limit"),
        "{err}"
    );

    let err = fetch_artifact(&client, &url, "md5:abc", out2.path(), &quick())
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("unsupported digest 'md5:abc'"),
        "{err}"
    );
}

#[tokio::test]
async fn fetch_retries_server_errors_but_not_missing_artifacts() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let (bytes, digest) = tarball();
    let hits = std::sync::Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let flaky = axum::Router::new().route(
        "/flaky",
        axum::routing::get(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let bytes = bytes.clone();
            async move {
                if n < 2 {
                    (axum::http::StatusCode::SERVICE_UNAVAILABLE, Vec::new())
                } else {
                    (axum::http::StatusCode::OK, bytes)
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, flaky).await });
    let client = client();
    let out = tempfile::tempdir().unwrap();
    fetch_artifact(
        &client,
        &format!("http://{addr}/flaky"),
        &digest,
        out.path(),
        &quick(),
    )
    .await
    .unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "two 503s, then the artifact"
    );
    let err = fetch_artifact(
        &client,
        &format!("http://{addr}/missing"),
        &digest,
        out.path(),
        &quick(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().ends_with("HTTP status 404"), "{err}");
}

#[test]
fn garbage_collection_never_deletes_the_current_artifact() {
    let (_d, store) = store();
    let now = SystemTime::now();
    let old = put(&store, "old.tar.gz", b"old");
    put(&store, "new.tar.gz", b"new");
    // The link points back at the older file (a rollback); it must survive.
    let dir = store.root().join(key().dir());
    std::fs::remove_file(dir.join(LATEST)).unwrap();
    std::os::unix::fs::symlink("old.tar.gz", dir.join(LATEST)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(now - Duration::from_secs(3600))
        .unwrap();
    let deleted = store
        .collect_garbage(
            &key(),
            Retention {
                records: 0,
                ttl: Duration::ZERO,
            },
            now + Duration::from_secs(1),
        )
        .unwrap();
    assert_eq!(deleted, ["new.tar.gz"]);
    assert!(old.exists());
}
