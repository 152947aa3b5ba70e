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

/// A file named by an endpoint variable, read whole (e.g. `TEST_CA_FILE`).
pub fn endpoint_file(name: &str) -> Vec<u8> {
    let path = endpoint(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{name}={path}: {e}"))
}
