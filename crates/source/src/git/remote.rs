//! Talking to a Git remote with gix (blocking; call from a blocking thread): listing refs for a
//! no-op poll, and a shallow fetch of exactly the ref to build.
//!
//! Every operation works in a scratch bare repository that is dropped afterwards. Protocol v2
//! is forced: on v1 gix silently ignores the depth and fetches all history.

use super::auth::GitAuth;
use super::reference::RemoteRef;
use gix::protocol::transport::client::blocking_io::http;
use std::path::Path;
use std::sync::atomic::AtomicBool;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url}: {message}")]
    Remote { url: String, message: String },
    #[error("preparing the scratch repository: {0}")]
    Scratch(String),
    #[error("invalid CA or client certificate: {0}")]
    Certificate(String),
}

/// A scratch bare repository set up for one remote and its credentials.
pub struct Scratch {
    _dir: tempfile::TempDir,
    pub repo: gix::Repository,
}

impl Scratch {
    pub fn new(auth: &GitAuth) -> Result<Scratch, RemoteError> {
        let dir = tempfile::tempdir().map_err(|e| RemoteError::Scratch(e.to_string()))?;
        let mut repo = gix::init_bare(dir.path().join("repo.git"))
            .map_err(|e| RemoteError::Scratch(flatten(&e)))?;
        let mut settings: Vec<(&str, String)> = vec![("protocol.version", "2".into())];
        if let Some(ssh) = &auth.ssh {
            let key = write_private(dir.path(), "identity", &ssh.identity)?;
            let known = write_private(dir.path(), "known_hosts", &ssh.known_hosts)?;
            // Host keys are enforced: an unknown or changed key fails the connection.
            let options = format!(
                "-i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null \
                 -o StrictHostKeyChecking=yes -o LogLevel=ERROR",
                key.display(),
                known.display()
            );
            let command = match &ssh.passphrase {
                // ssh asks the askpass program (which prints a 0600 file) instead of a terminal;
                // the passphrase never appears on a command line.
                Some(pass) => {
                    let file = write_private(dir.path(), "passphrase", pass.as_bytes())?;
                    let askpass = dir.path().join("askpass.sh");
                    std::fs::write(
                        &askpass,
                        format!("#!/bin/sh\nexec cat '{}'\n", file.display()),
                    )
                    .map_err(|e| RemoteError::Scratch(e.to_string()))?;
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&askpass, std::fs::Permissions::from_mode(0o700))
                        .map_err(|e| RemoteError::Scratch(e.to_string()))?;
                    format!(
                        "env SSH_ASKPASS={} SSH_ASKPASS_REQUIRE=force ssh -o NumberOfPasswordPrompts=1 {options}",
                        askpass.display()
                    )
                }
                None => format!("ssh -o BatchMode=yes {options}"),
            };
            settings.push(("core.sshCommand", command));
        }
        {
            let mut config = repo.config_snapshot_mut();
            for (key, value) in &settings {
                config
                    .set_raw_value(*key, value.as_str())
                    .map_err(|e| RemoteError::Scratch(flatten(&e)))?;
            }
            config
                .commit()
                .map_err(|e| RemoteError::Scratch(flatten(&e)))?;
        }
        Ok(Scratch { _dir: dir, repo })
    }
}

fn write_private(dir: &Path, name: &str, data: &[u8]) -> Result<std::path::PathBuf, RemoteError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(name);
    let mut data = data.to_vec();
    // ssh refuses a key file without its final newline.
    if !data.ends_with(b"\n") {
        data.push(b'\n');
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f| f.write_all(&data))
        .map_err(|e| RemoteError::Scratch(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Lists the refs `url` advertises (one round trip, nothing fetched).
pub fn list_refs(url: &str, auth: &GitAuth) -> Result<Vec<RemoteRef>, RemoteError> {
    let scratch = Scratch::new(auth)?;
    let err = |e: String| RemoteError::Remote {
        url: url.to_string(),
        message: e,
    };
    let remote = scratch.repo.remote_at(url).map_err(|e| err(flatten(&e)))?;
    let connection = remote
        .connect(gix::remote::Direction::Fetch)
        .map_err(|e| err(flatten(&e)))?;
    let connection = with_auth(connection, url, auth)?;
    let (ref_map, _) = connection
        .ref_map(gix::progress::Discard, all_refs())
        .map_err(|e| err(flatten(&e)))?;
    Ok(ref_map
        .remote_refs
        .iter()
        .filter_map(|r| {
            let (name, target, peeled) = r.unpack();
            Some(RemoteRef {
                name: name.to_string(),
                target: target?.to_string(),
                peeled: peeled.map(|p| p.to_string()),
            })
        })
        .collect())
}

/// Fetches `refspec` (depth 1 when `shallow`) into the scratch repository.
/// Returns whether the repository is marked shallow afterwards (see [`has_history`] for the
/// objects themselves).
pub fn fetch(
    scratch: &Scratch,
    url: &str,
    auth: &GitAuth,
    refspec: &str,
    shallow: bool,
) -> Result<bool, RemoteError> {
    let fetched = fetch_resolving(scratch, url, auth, refspec, shallow, |_| {
        Ok::<(), std::convert::Infallible>(())
    })?;
    match fetched {
        Ok(((), marked)) => Ok(marked),
        Err(never) => match never {},
    }
}

/// One connection that lists the refs `refspec` selects, lets `resolve` pick the commit from
/// them, then fetches (depth 1 when `shallow`): a poll's listing and the fetch share a
/// round trip. Returns `resolve`'s value and whether the repository is marked shallow.
pub fn fetch_resolving<T, E>(
    scratch: &Scratch,
    url: &str,
    auth: &GitAuth,
    refspec: &str,
    shallow: bool,
    resolve: impl FnOnce(&[RemoteRef]) -> Result<T, E>,
) -> Result<Result<(T, bool), E>, RemoteError> {
    let err = |e: String| RemoteError::Remote {
        url: url.to_string(),
        message: e,
    };
    let remote = scratch
        .repo
        .remote_at(url)
        .map_err(|e| err(flatten(&e)))?
        .with_refspecs([refspec], gix::remote::Direction::Fetch)
        .map_err(|e| err(flatten(&e)))?;
    let connection = remote
        .connect(gix::remote::Direction::Fetch)
        .map_err(|e| err(flatten(&e)))?;
    let connection = with_auth(connection, url, auth)?;
    let mut prepare = connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| err(flatten(&e)))?;
    let listed: Vec<RemoteRef> = prepare
        .ref_map()
        .remote_refs
        .iter()
        .filter_map(|r| {
            let (name, target, peeled) = r.unpack();
            Some(RemoteRef {
                name: name.to_string(),
                target: target?.to_string(),
                peeled: peeled.map(|p| p.to_string()),
            })
        })
        .collect();
    let value = match resolve(&listed) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if shallow {
        prepare = prepare.with_shallow(gix::remote::fetch::Shallow::DepthAtRemote(
            std::num::NonZeroU32::MIN,
        ));
    }
    prepare
        .receive(gix::progress::Discard, &AtomicBool::new(false))
        .map_err(|e| err(flatten(&e)))?;
    let marked = scratch.repo.is_shallow().map_err(|e| err(flatten(&e)))?;
    Ok(Ok((value, marked)))
}

/// Whether any parent of `commit` arrived: after a depth-1 fetch none should have.
pub fn has_history(repo: &gix::Repository, commit: &str) -> bool {
    let Ok(id) = gix::ObjectId::from_hex(commit.as_bytes()) else {
        return false;
    };
    let Ok(found) = repo.find_commit(id) else {
        return false;
    };
    found.parent_ids().any(|p| repo.has_object(p))
}

fn all_refs() -> gix::remote::ref_map::Options {
    gix::remote::ref_map::Options {
        // List every ref, as `git ls-remote` does, not only those a refspec selects.
        prefix_from_spec_as_filter_on_remote: false,
        ..Default::default()
    }
}

type Conn<'a, 'b> = gix::remote::Connection<
    'a,
    'b,
    'a,
    Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>,
>;

/// Credentials and TLS settings for one connection.
fn with_auth<'a, 'b>(
    connection: Conn<'a, 'a>,
    url: &str,
    auth: &'b GitAuth,
) -> Result<Conn<'a, 'b>, RemoteError>
where
    'a: 'b,
{
    let is_http = url.starts_with("http://") || url.starts_with("https://");
    let connection = if is_http {
        connection.with_transport_options(Box::new(http_options(auth)?))
    } else {
        connection
    };
    let basic = auth.basic.clone();
    Ok(
        connection.with_credentials(move |action| match (action, &basic) {
            (gix::credentials::helper::Action::Get(ctx), Some((user, password))) => {
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
        }),
    )
}

/// HTTP options with our CA, client certificate and bearer token, through gix's reqwest hooks.
fn http_options(auth: &GitAuth) -> Result<http::Options, RemoteError> {
    let ca = match &auth.ca_pem {
        Some(pem) => Some(
            reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| RemoteError::Certificate(format!("ca.crt: {e}")))?,
        ),
        None => None,
    };
    let identity = match &auth.client_cert {
        Some((cert, key)) => {
            let mut pem = cert.clone();
            pem.push(b'\n');
            pem.extend_from_slice(key);
            Some(
                reqwest::Identity::from_pem(&pem)
                    .map_err(|e| RemoteError::Certificate(format!("tls.crt/tls.key: {e}")))?,
            )
        }
        None => None,
    };
    let token = auth.bearer_token.clone();
    let backend = http::reqwest::Options {
        configure_client: Some(Box::new(move |mut builder| {
            if let Some(certs) = &ca {
                builder = builder.tls_certs_only(certs.clone());
            }
            if let Some(id) = &identity {
                builder = builder.identity(id.clone());
            }
            Ok(builder)
        })),
        configure_request: token.map(|t| {
            Box::new(move |request: &mut reqwest::blocking::Request| {
                let value = format!("Bearer {t}").parse().map_err(|_| {
                    gix::protocol::transport::client::Error::AuthenticationRefused(
                        "the bearer token is not a valid header value",
                    )
                })?;
                request.headers_mut().insert("authorization", value);
                Ok(())
            }) as Box<http::reqwest::ConfigureRequestFn>
        }),
    };
    Ok(http::Options {
        backend: Some(std::sync::Arc::new(std::sync::Mutex::new(backend))),
        ..Default::default()
    })
}

/// gix's error chain as one line a user can act on.
pub fn flatten(e: &dyn std::fmt::Debug) -> String {
    let text = chain(e);
    if text.contains("No credentials were returned") {
        return "authentication required: the remote asked for credentials and none were given \
                (username/password or bearerToken)"
            .to_string();
    }
    if text.contains("Will not send credentials in clear text") {
        return "refusing to send credentials over plain http://; use https://".to_string();
    }
    text
}

/// One line from gix's error chain ("a: b: c").
fn chain(e: &dyn std::fmt::Debug) -> String {
    let text = format!("{e:?}");
    let mut parts: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line == "Caused by:" {
            continue;
        }
        // Drop the "0: " numbering of causes.
        let line = match line.split_once(": ") {
            Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest,
            _ => line,
        };
        if parts.last().map(String::as_str) != Some(line) {
            parts.push(line.to_string());
        }
    }
    parts.join(": ")
}
