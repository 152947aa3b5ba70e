//! Endpoints of the real test servers, as `cargo xtask test` hands them over.
//!
//! Tests that need a server are marked `#[ignore = "needs the test servers (cargo xtask test)"]`
//! so a plain `cargo test` passes without them; `cargo xtask test` runs them with
//! `--include-ignored`. Once running, a missing endpoint is a failure, never a skip.

/// The value of the endpoint variable `name` (e.g. `TEST_GIT_HTTP_URL`).
///
/// # Panics
/// When the variable is unset: the test cannot run without its server.
pub fn endpoint(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: this test needs the real servers; run it through `cargo xtask test` \
             (or source the env file that `cargo xtask servers` prints)"
        ),
    }
}

/// A reference tool (`helm`, `kubectl`, …) installed by `cargo xtask install` under
/// `/opt/oracles/bin`, or `$FERROFLUX_ORACLES/bin`.
///
/// # Panics
/// When it is not installed: the test compares with it and cannot run without it.
pub fn oracle(tool: &str) -> std::path::PathBuf {
    let base = std::env::var_os("FERROFLUX_ORACLES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/opt/oracles"));
    let path = base.join("bin").join(tool);
    assert!(
        path.exists(),
        "reference {tool} missing at {} (cargo xtask install)",
        path.display()
    );
    path
}

/// A file named by an endpoint variable, read whole (e.g. `TEST_CA_FILE`).
pub fn endpoint_file(name: &str) -> Vec<u8> {
    let path = endpoint(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{name}={path}: {e}"))
}

/// Creates a blob container in Azurite (or Azure) with a Shared Key signed request, as
/// object_store cannot create one. An existing container is fine.
///
/// # Panics
/// When the request fails or is refused: the test cannot set up its fixture.
pub async fn azure_create_container(endpoint_url: &str, account: &str, key_b64: &str, name: &str) {
    use base64::Engine;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let b64 = base64::engine::general_purpose::STANDARD;
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let version = "2021-08-06";
    // With path-style (emulator) URLs the account appears twice in the canonical resource.
    let path = endpoint_url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, p)| format!("/{p}"))
        .unwrap_or_default();
    let to_sign = format!(
        "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{account}{path}/{name}\nrestype:container"
    );
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        &b64.decode(key_b64).expect("the account key is base64"),
    );
    let signature = b64.encode(ring::hmac::sign(&key, to_sign.as_bytes()).as_ref());
    let response = reqwest::Client::new()
        .put(format!("{endpoint_url}/{name}?restype=container"))
        .header("x-ms-date", date)
        .header("x-ms-version", version)
        .header("Authorization", format!("SharedKey {account}:{signature}"))
        .header("Content-Length", "0")
        .send()
        .await
        .expect("the create-container request is sent");
    let status = response.status();
    assert!(
        status.is_success() || status.as_u16() == 409,
        "create container {name}: {status} {}",
        response.text().await.unwrap_or_default()
    );
}

/// Every string of at most `max_pieces` of `pieces` (repeats allowed), each piece followed by
/// `sep`, the empty string included: the inputs for checking a hand-written parser against
/// the pattern or implementation it replaces.
pub fn strings_of(pieces: &[&str], max_pieces: usize, sep: &str) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut layer = vec![String::new()];
    for _ in 0..max_pieces {
        layer = layer
            .iter()
            .flat_map(|p| pieces.iter().map(move |c| format!("{p}{c}{sep}")))
            .collect();
        all.extend(layer.iter().cloned());
    }
    all
}

/// Runs `gpg` in batch mode with its home in `home` (keys without passphrase), returning its
/// standard output.
///
/// # Panics
/// When gpg is missing or fails: the test cannot make its keys or signatures without it.
/// Makes a signing key for `uid` (`Name <mail>`) of `algo` (`rsa2048`, `ed25519`, …) that
/// never expires, in the gpg home `home`.
pub fn gpg_signing_key(home: &std::path::Path, uid: &str, algo: &str) {
    gpg(home, &["--quick-gen-key", uid, algo, "sign", "never"]);
}

pub fn gpg(home: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("gpg")
        .env("GNUPGHOME", home)
        .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("gpg: {e}"));
    assert!(
        out.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
