//! An in-process Kubernetes API server on loopback, for tests and `ferroflux demo`.
//!
//! Clients reach it only over HTTP(S), through the kubeconfig it writes, exactly as they
//! reach a real cluster. See the crate README for what it serves.

pub mod api;
pub mod discovery;
pub mod fieldset;
pub mod gc;
pub mod hooks;
pub mod http;
pub mod managed;
pub mod openapi;
pub mod patch;
pub mod protobuf;
pub mod rbac;
pub mod registry;
pub mod schema;
pub mod selectors;
pub mod simulator;
pub mod status;
pub mod store;
pub mod table;
pub mod tls;
pub mod util;
pub mod watch;

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The Kubernetes version the server reports.
pub const GIT_VERSION: &str = "v1.35.0";

/// `/version`.
pub fn version_info() -> Value {
    json!({
        "major": "1", "minor": "35", "emulationMajor": "1", "emulationMinor": "35",
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "34",
        "gitVersion": GIT_VERSION, "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0", "compiler": "gc", "platform": "linux/amd64"
    })
}

/// How to start a minicluster.
#[derive(Debug, Clone)]
pub struct Options {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Serve HTTPS with a generated CA (the kubeconfig carries it); plain HTTP otherwise.
    pub tls: bool,
    /// Mark workloads ready after this delay.
    pub simulate_workloads: Option<Duration>,
    /// Load objects from this file at start (when it exists) and save them on `save_state`.
    pub state_file: Option<PathBuf>,
    /// How many past changes a watch may resume from before it gets 410 Gone.
    pub watch_history: usize,
    /// Print each request on stderr.
    pub log_requests: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            tls: true,
            simulate_workloads: None,
            state_file: None,
            watch_history: 10_000,
            log_requests: std::env::var_os("MINICLUSTER_LOG_REQUESTS").is_some(),
        }
    }
}

/// Starting failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("binding 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("reading state file {path}: {message}")]
    State { path: PathBuf, message: String },
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The shared server state.
pub struct Cluster {
    pub state: Mutex<store::State>,
    pub token: String,
    pub server_address: String,
    pub log_requests: bool,
}

/// A running minicluster.
pub struct MiniCluster {
    pub cluster: Arc<Cluster>,
    addr: SocketAddr,
    ca_pem: Option<String>,
    options: Options,
    server: tokio::task::JoinHandle<()>,
    simulator: Option<tokio::task::JoinHandle<()>>,
}

fn bootstrap(state: &mut store::State) {
    let opts = api::WriteOptions::default();
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        if let Some(rt) = state.registry.lookup("", "v1", "namespaces") {
            let _ = api::create(
                state,
                &rt,
                "v1",
                "",
                json!({"metadata": {"name": ns}}),
                &opts,
            );
        }
    }
    for (plural, obj) in rbac::bootstrap_objects() {
        if let Some(rt) = state
            .registry
            .lookup("rbac.authorization.k8s.io", "v1", plural)
        {
            let _ = api::create(state, &rt, "v1", "", obj, &opts);
        }
    }
    gc::collect(state);
}

impl MiniCluster {
    /// Starts serving; returns once the port is bound.
    pub async fn start(options: Options) -> Result<MiniCluster, Error> {
        let tcp = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|source| Error::Bind {
                port: options.port,
                source,
            })?;
        let addr = tcp.local_addr().map_err(|source| Error::Bind {
            port: options.port,
            source,
        })?;
        let mut state = store::State::new(options.watch_history);
        let restored = match &options.state_file {
            Some(p) if p.exists() => {
                load_state(&mut state, p)?;
                true
            }
            _ => false,
        };
        if !restored {
            bootstrap(&mut state);
        }
        state.dirty = false;
        let cluster = Arc::new(Cluster {
            state: Mutex::new(state),
            token: util::uuid().replace('-', ""),
            server_address: addr.to_string(),
            log_requests: options.log_requests,
        });
        let app = http::router(cluster.clone());
        let (server, ca_pem) = if options.tls {
            let certs = tls::generate()?;
            let listener =
                tls::TlsListener::new(tcp, certs.server.clone()).map_err(|source| Error::Bind {
                    port: options.port,
                    source,
                })?;
            let h = tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            (h, Some(certs.ca_pem))
        } else {
            let h = tokio::spawn(async move {
                let _ = axum::serve(tcp, app).await;
            });
            (h, None)
        };
        let simulator = options
            .simulate_workloads
            .map(|d| tokio::spawn(simulator::run(cluster.clone(), d)));
        Ok(MiniCluster {
            cluster,
            addr,
            ca_pem,
            options,
            server,
            simulator,
        })
    }

    /// `https://127.0.0.1:<port>` (or `http://`).
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn token(&self) -> &str {
        &self.cluster.token
    }

    /// The CA certificate (PEM) when serving HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A kubeconfig (YAML) for the admin user, context `minicluster`, namespace `default`.
    pub fn kubeconfig(&self) -> String {
        use base64::Engine;
        let ca = match &self.ca_pem {
            Some(pem) => format!(
                "\n    certificate-authority-data: {}",
                base64::engine::general_purpose::STANDARD.encode(pem)
            ),
            None => String::new(),
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: minicluster\n  cluster:\n    server: {}{ca}\ncontexts:\n- name: minicluster\n  context:\n    cluster: minicluster\n    user: minicluster-admin\n    namespace: default\ncurrent-context: minicluster\nusers:\n- name: minicluster-admin\n  user:\n    token: {}\npreferences: {{}}\n",
            self.url(),
            self.cluster.token
        )
    }

    /// Writes the kubeconfig (mode 0600), through a temporary file renamed into place.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), Error> {
        let tmp = path.with_extension("tmp-minicluster");
        let write = || -> std::io::Result<()> {
            std::fs::write(&tmp, self.kubeconfig())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
            }
            std::fs::rename(&tmp, path)
        };
        write().map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Saves every object to the state file, when one was given and something changed.
    pub fn save_state(&self) -> Result<(), Error> {
        let Some(path) = &self.options.state_file else {
            return Ok(());
        };
        let mut state = match self.cluster.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if !state.dirty && path.exists() {
            return Ok(());
        }
        let doc = state_document(&state);
        state.dirty = false;
        drop(state);
        let tmp = path.with_extension("tmp-minicluster");
        let bytes = serde_json::to_vec(&doc).unwrap_or_default();
        std::fs::write(&tmp, bytes)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })
    }

    /// Stops serving (open watch streams end when their clients go).
    pub fn shutdown(self) {
        self.server.abort();
        if let Some(s) = self.simulator {
            s.abort();
        }
    }
}

/// The persisted form: CRDs first so their kinds exist when their objects load.
fn state_document(state: &store::State) -> Value {
    let mut objects: Vec<(bool, Value)> = state
        .all()
        .map(|(k, _, v)| {
            let is_crd = k.group == "apiextensions.k8s.io";
            (
                !is_crd,
                json!({"group": k.group, "resource": k.plural, "object": **v}),
            )
        })
        .collect();
    objects.sort_by_key(|(not_crd, _)| *not_crd);
    json!({"resourceVersion": state.resource_version(), "objects": objects.into_iter().map(|(_, v)| v).collect::<Vec<_>>()})
}

fn load_state(state: &mut store::State, path: &Path) -> Result<(), Error> {
    let err = |message: String| Error::State {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
    let objects = doc
        .get("objects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for o in objects {
        let group = o
            .get("group")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let plural = o
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let obj = o.get("object").cloned().unwrap_or(Value::Null);
        let key = registry::ResKey { group, plural };
        state.restore(&key, obj.clone());
        if key.group == "apiextensions.k8s.io"
            && key.plural == "customresourcedefinitions"
            && let Some(rt) = state.registry.get(&key).cloned()
        {
            let stored = Arc::new(obj);
            hooks::after_write(state, &rt, Some(&stored), &stored);
        }
    }
    Ok(())
}
