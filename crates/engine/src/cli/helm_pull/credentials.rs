//! Registry credentials as Helm's registry client finds them when no `--username` and
//! `--password` are given: Helm's registry configuration (`--registry-config`,
//! `$HELM_REGISTRY_CONFIG`, `$HELM_CONFIG_HOME/registry/config.json`), then Docker's
//! (`$DOCKER_CONFIG/config.json`, `~/.docker/config.json`). In each file a credential helper
//! named for the registry (`credHelpers`) or for all (`credsStore`) answers instead of the
//! file's `auths`, as Docker's credential store protocol says: `docker-credential-<name> get`
//! with the server address on standard input, the credentials as JSON on standard output.

use super::ChartPathFlags;
use ferroflux_source::helmrepo::oci::OciAuth;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a credential helper may take before it is stopped (and no credentials used).
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// The stored credentials for `registry` (`host[:port]`); anonymous when none are found.
/// Looked up once per registry in a process (a helper may be slow or ask the user).
pub fn stored(f: &ChartPathFlags, registry: &str) -> OciAuth {
    static FOUND: Mutex<Option<HashMap<String, OciAuth>>> = Mutex::new(None);
    if let Some(auth) = FOUND
        .lock()
        .ok()
        .and_then(|m| m.as_ref()?.get(registry).cloned())
    {
        return auth;
    }
    let auth = stored_with(f, registry, &helper_on_path);
    if let Ok(mut m) = FOUND.lock() {
        m.get_or_insert_with(HashMap::new)
            .insert(registry.to_string(), auth.clone());
    }
    auth
}

/// `docker-credential-<helper>` found as Go's `exec.LookPath` finds it: in the absolute
/// directories of `PATH` only (never the working directory); a helper name that is no
/// plain file name finds nothing.
fn helper_on_path(helper: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    if helper.contains(['/', '\\', '\0']) || helper == ".." || helper == "." {
        return None;
    }
    let name = format!("docker-credential-{helper}");
    std::env::split_paths(&std::env::var_os("PATH")?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(&name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// [`stored`], with `program` finding a helper's executable ([`helper_on_path`] by default).
fn stored_with(
    f: &ChartPathFlags,
    registry: &str,
    program: &dyn Fn(&str) -> Option<PathBuf>,
) -> OciAuth {
    let helm = f
        .registry_config
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| super::cache::helm_config_home().join("registry/config.json"));
    let docker = std::env::var_os("DOCKER_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
        .map(|d| d.join("config.json"));
    // Docker Hub's credentials are filed under its index's name.
    let (key, server) = match registry {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => {
            ("index.docker.io", "https://index.docker.io/v1/")
        }
        other => (other, other),
    };
    for path in [Some(helm), docker].into_iter().flatten() {
        let Ok(json) = std::fs::read(&path) else {
            continue;
        };
        let helper = serde_json::from_slice::<serde_json::Value>(&json)
            .ok()
            .and_then(|doc| {
                let named = |v: Option<&serde_json::Value>| {
                    v.and_then(|h| h.as_str())
                        .filter(|h| !h.is_empty())
                        .map(str::to_string)
                };
                named(doc.get("credHelpers").and_then(|h| h.get(key)))
                    .or(named(doc.get("credsStore")))
            });
        let found = match helper {
            Some(h) => program(&h).map_or(OciAuth::Anonymous, |p| from_helper(&p, server)),
            None => OciAuth::from_docker_config(&json, key).unwrap_or_default(),
        };
        if !matches!(found, OciAuth::Anonymous) {
            return found;
        }
    }
    OciAuth::Anonymous
}

/// `docker-credential-<helper> get` for `server`; anonymous when the helper is missing,
/// fails (Docker's "credentials not found" included) or answers with an identity token,
/// which needs an OAuth2 exchange this client does not make.
fn from_helper(program: &std::path::Path, server: &str) -> OciAuth {
    let child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return OciAuth::Anonymous;
    };
    // Written from a thread of its own, and read from another, so that a helper that
    // answers before reading (or not at all) blocks neither side.
    if let Some(mut stdin) = child.stdin.take() {
        let server = server.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(server.as_bytes());
        });
    }
    let reader = child.stdout.take().map(|mut out| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out, &mut buf);
            buf
        })
    });
    let deadline = Instant::now() + HELPER_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return OciAuth::Anonymous;
            }
        }
    };
    let stdout = reader.and_then(|r| r.join().ok()).unwrap_or_default();
    if !status.success() {
        return OciAuth::Anonymous;
    }
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&stdout) else {
        return OciAuth::Anonymous;
    };
    let field = |k: &str| doc.get(k).and_then(|v| v.as_str()).unwrap_or("");
    match (field("Username"), field("Secret")) {
        (_, "") | ("<token>", _) => OciAuth::Anonymous,
        (user, secret) => OciAuth::Basic(user.to_string(), secret.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    /// A credential helper answering for one server, and the registry file naming it.
    fn helper_fixture(dir: &std::path::Path, body: &str) -> PathBuf {
        let script = dir.join("docker-credential-ffstub");
        std::fs::write(&script, format!("#!/bin/sh\nread server\n{body}\n")).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let config = dir.join("config.json");
        std::fs::write(
            &config,
            r#"{"auths":{"reg.example:5000":{"auth":"ZmlsZTpmaWxl"}},"credHelpers":{"reg.example:5000":"ffstub"}}"#,
        )
        .unwrap();
        config
    }

    #[test]
    fn helpers_answer_before_the_files_auths() {
        let dir = tempfile::tempdir().unwrap();
        let config = helper_fixture(
            dir.path(),
            r#"[ "$server" = reg.example:5000 ] && echo '{"ServerURL":"reg.example:5000","Username":"u","Secret":"s"}' || exit 1"#,
        );
        let flags = ChartPathFlags {
            registry_config: Some(config),
            ..ChartPathFlags::default()
        };
        let program = |h: &str| Some(dir.path().join(format!("docker-credential-{h}")));
        assert!(matches!(
            stored_with(&flags, "reg.example:5000", &program),
            OciAuth::Basic(u, s) if u == "u" && s == "s"
        ));
        // Another registry has no helper and no entry of its own.
        assert!(matches!(
            stored_with(&flags, "other:1", &program),
            OciAuth::Anonymous
        ));
    }

    #[test]
    fn identity_tokens_and_failures_give_no_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let program = |h: &str| Some(dir.path().join(format!("docker-credential-{h}")));
        let flags = ChartPathFlags {
            registry_config: Some(helper_fixture(
                dir.path(),
                r#"echo '{"Username":"<token>","Secret":"refresh"}'"#,
            )),
            ..ChartPathFlags::default()
        };
        assert!(matches!(
            stored_with(&flags, "reg.example:5000", &program),
            OciAuth::Anonymous
        ));
        helper_fixture(
            dir.path(),
            "echo 'credentials not found in native keychain'; exit 1",
        );
        assert!(matches!(
            stored_with(&flags, "reg.example:5000", &program),
            OciAuth::Anonymous
        ));
    }

    #[test]
    fn helpers_are_looked_up_as_go_looks_them_up() {
        assert_eq!(helper_on_path("../x"), None);
        assert_eq!(helper_on_path(".."), None);
        assert_eq!(helper_on_path("surely-not-installed-ffstub"), None);
    }
}
