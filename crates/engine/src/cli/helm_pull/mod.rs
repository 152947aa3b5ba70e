//! Charts that are not on disk, located as `helm template` and `helm show` locate them
//! (Helm's `LocateChart` and `ChartDownloader`): a chart in the repository `--repo URL`, an
//! `oci://` reference, a chart URL, or `repo/chart` through Helm's repositories file and the
//! index `helm repo add`/`update` cached for it. Downloads land in Helm's content cache
//! (`$HELM_CACHE_HOME/content`, shared with helm), which is read first when the digest of the
//! wanted chart is known; the chart is rendered from there.
//!
//! - [`repo`]: chart repositories (index lookups, HTTP downloads, `--verify`).
//! - [`registry`]: OCI registries (references, tags, pulls).
//! - [`cache`]: the content cache and Helm's configuration paths.
//! - [`credentials`]: registry credentials stored by `helm registry login` or Docker.
//! - [`untar`]: `helm pull --untar` for kustomize's `helmCharts`.
//! - [`deps`]: the same for `--dependency-update`'s dependencies on repositories and
//!   registries.

mod cache;
mod credentials;
mod deps;
mod registry;
mod repo;
mod untar;

pub use deps::DependencyRemote;
pub use repo::go_transfer_reason;
pub use untar::KustomizePuller;

use std::path::{Path, PathBuf};

/// Helm's chart path options: where a chart comes from and how to reach it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ChartPathFlags {
    /// The chart version: exact, or a constraint (default: the latest stable).
    #[arg(long, allow_hyphen_values = true)]
    version: Option<String>,
    /// Admit development versions too (`>0.0.0-0` when no --version is given).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    devel: bool,
    /// The chart repository URL to find the chart in.
    #[arg(long, allow_hyphen_values = true)]
    repo: Option<String>,
    /// Chart repository or registry user name.
    #[arg(long, allow_hyphen_values = true)]
    username: Option<String>,
    /// Chart repository or registry password.
    #[arg(long, allow_hyphen_values = true)]
    password: Option<String>,
    /// Send the credentials to chart URLs on other hosts too.
    #[arg(long = "pass-credentials", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    pass_credentials: bool,
    /// Trust the certificates of this CA bundle.
    #[arg(long = "ca-file", allow_hyphen_values = true)]
    ca_file: Option<PathBuf>,
    /// Client certificate for mutual TLS.
    #[arg(long = "cert-file", allow_hyphen_values = true)]
    cert_file: Option<PathBuf>,
    /// Client key for mutual TLS.
    #[arg(long = "key-file", allow_hyphen_values = true)]
    key_file: Option<PathBuf>,
    /// Do not check the server's certificate.
    #[arg(long = "insecure-skip-tls-verify", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    insecure_skip_tls_verify: bool,
    /// Reach the registry over plain HTTP.
    #[arg(long = "plain-http", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    plain_http: bool,
    /// Verify the chart archive against its `.prov` file and the keyring before rendering.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    verify: bool,
    /// The keyring `--verify` checks signatures with (default `~/.gnupg/pubring.gpg`).
    #[arg(long, allow_hyphen_values = true)]
    keyring: Option<PathBuf>,
    /// Helm's repositories file (default `$HELM_CONFIG_HOME/repositories.yaml`).
    #[arg(long = "repository-config", env = "HELM_REPOSITORY_CONFIG")]
    repository_config: Option<PathBuf>,
    /// Where `helm repo` caches repository indexes (default `$HELM_CACHE_HOME/repository`).
    #[arg(long = "repository-cache", env = "HELM_REPOSITORY_CACHE")]
    repository_cache: Option<PathBuf>,
    /// Registry credentials (default `$HELM_CONFIG_HOME/registry/config.json`).
    #[arg(long = "registry-config", env = "HELM_REGISTRY_CONFIG")]
    registry_config: Option<PathBuf>,
    /// Downloaded charts by digest (default `$HELM_CACHE_HOME/content`).
    #[arg(long = "content-cache", env = "HELM_CONTENT_CACHE")]
    content_cache: Option<PathBuf>,
    /// Print nothing (a pull on behalf of kustomize, whose output of `helm pull` is
    /// discarded).
    #[arg(skip)]
    quiet: bool,
    /// `--debug`: Helm's downloader `level=DEBUG` lines.
    #[arg(skip)]
    debug: bool,
}

impl ChartPathFlags {
    /// `--version` as given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// `--devel`.
    pub fn devel(&self) -> bool {
        self.devel
    }

    /// The keyring `--verify` reads: `--keyring`, else Helm's default.
    fn keyring_file(&self) -> PathBuf {
        self.keyring
            .clone()
            .unwrap_or_else(ferroflux_source::provenance::default_keyring)
    }

    /// Log Helm's downloader `level=DEBUG` lines (`--debug`), those of its HTTP getter too.
    pub fn set_debug(&mut self, debug: bool) {
        self.debug = debug;
        LOG_REQUESTS.store(debug, std::sync::atomic::Ordering::Relaxed);
    }

    /// A `level=DEBUG` line on standard error, with `--debug`.
    fn debug_line(&self, msg: &str, attrs: &[(&str, &str)]) {
        if !self.debug || self.quiet {
            return;
        }
        eprintln!(
            "{}",
            ferroflux_helm::manifests::slog_line("DEBUG", msg, attrs)
        );
    }

    /// The version asked for, as Helm settles it: `--devel` without a version admits
    /// pre-releases.
    fn wanted_version(&self) -> String {
        let v = self.version.as_deref().unwrap_or("").trim();
        if v.is_empty() && self.devel {
            ">0.0.0-0".to_string()
        } else {
            v.to_string()
        }
    }

    /// `--username`/`--password` when both are given (Helm sends neither otherwise).
    fn basic(&self) -> Option<(String, String)> {
        let user = self.username.clone().filter(|u| !u.is_empty())?;
        let pass = self.password.clone().filter(|p| !p.is_empty())?;
        Some((user, pass))
    }

    fn content_cache(&self) -> PathBuf {
        self.content_cache
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| cache::helm_cache_home().join("content"))
    }

    fn repository_config(&self) -> PathBuf {
        self.repository_config
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| cache::helm_config_home().join("repositories.yaml"))
    }

    fn repository_cache(&self) -> PathBuf {
        self.repository_cache
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| cache::helm_cache_home().join("repository"))
    }
}

/// Whether HTTP requests are logged as Helm's getter logs them under `--debug` (a
/// process-wide choice, as Helm's logger is).
static LOG_REQUESTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The observer that logs requests, when `--debug` asked for it.
fn request_observer() -> Option<ferroflux_source::helmrepo::RequestObserver> {
    use ferroflux_helm::manifests::slog_line;
    use ferroflux_source::helmrepo::{RequestEvent, RequestObserver};
    if !LOG_REQUESTS.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    Some(RequestObserver(std::sync::Arc::new(|e| match e {
        RequestEvent::Sending { url } => {
            eprintln!("{}", slog_line("DEBUG", "fetching", &[("url", url)]));
        }
        RequestEvent::Answered {
            url,
            status,
            content_length,
        } => {
            // Go's `ContentLength` is -1 when the answer gives none.
            let length = content_length.map_or("-1".to_string(), |n| n.to_string());
            eprintln!(
                "{}",
                slog_line(
                    "DEBUG",
                    "fetch complete",
                    &[
                        ("url", url),
                        ("status", status),
                        ("content-length", &length)
                    ]
                )
            );
        }
    })))
}

/// TLS files as Helm reads them for a client: the CA bundle and the client key pair.
#[derive(Clone, Debug, Default)]
pub(super) struct Tls {
    ca_pem: Option<Vec<u8>>,
    client_cert: Option<(Vec<u8>, Vec<u8>)>,
    insecure_skip_verify: bool,
}

impl Tls {
    /// Reads the files; errors in Helm's words (`can't create TLS config for client: …`).
    fn read<'a>(
        ca: Option<&'a Path>,
        cert: Option<&'a Path>,
        key: Option<&'a Path>,
        insecure: bool,
    ) -> Result<Tls, String> {
        fn given(p: Option<&Path>) -> Option<&Path> {
            p.filter(|p| !p.as_os_str().is_empty())
        }
        let mut tls = Tls {
            insecure_skip_verify: insecure,
            ..Tls::default()
        };
        if let (Some(c), Some(k)) = (given(cert), given(key)) {
            let read = |p: &Path| {
                std::fs::read(p).map_err(|e| {
                    format!(
                        "can't create TLS config for client: can't load key pair from cert {} and key {}: open {}: {}",
                        c.display(),
                        k.display(),
                        p.display(),
                        go_io_error(&e)
                    )
                })
            };
            tls.client_cert = Some((read(c)?, read(k)?));
        }
        if let Some(ca) = given(ca) {
            tls.ca_pem = Some(std::fs::read(ca).map_err(|e| {
                format!(
                    "can't create TLS config for client: can't read CA file: {:?}: open {}: {}",
                    ca.display().to_string(),
                    ca.display(),
                    go_io_error(&e)
                )
            })?);
        }
        Ok(tls)
    }
}

use ferroflux_goformat::go_io_error;

/// Helm's registry client set up from the flags (before anything else in `helm template`
/// and `helm show`): its TLS files must read.
pub fn registry_client(f: &ChartPathFlags) -> Result<(), String> {
    Tls::read(
        f.ca_file.as_deref(),
        f.cert_file.as_deref(),
        f.key_file.as_deref(),
        false,
    )
    .map(|_| ())
    .map_err(|e| format!("missing registry client: {e}"))
}

/// Helm's `LocateChart` for `name`: the chart's path, on disk as given or in the content
/// cache. Without `--repo` a path on disk is used as it is (its `.prov` checked with
/// `--verify`); anything else is downloaded (or found in the content cache) and verified
/// there. `Pulled:`/`Digest:` lines of a registry pull go to standard error, as Helm prints
/// them.
pub fn locate(name: &str, f: &ChartPathFlags) -> Result<PathBuf, String> {
    registry_client(f)?;
    let name = name.trim();
    let repo_url = f.repo.as_deref().filter(|r| !r.is_empty());
    if repo_url.is_none() {
        if Path::new(name).exists() {
            if f.verify {
                let archive = std::path::absolute(name).unwrap_or_else(|_| PathBuf::from(name));
                ferroflux_source::provenance::verify_chart(&archive, &f.keyring_file())?;
            }
            return Ok(PathBuf::from(name));
        }
        if Path::new(name).is_absolute() || name.starts_with('.') {
            return Err(format!(
                "path {} not found",
                ferroflux_gotemplate::fmt::go_quote(name)
            ));
        }
    }
    let version = f.wanted_version();
    // Called from inside an async runtime (a library user's), the downloads get a thread
    // of their own: a runtime cannot block inside another.
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|s| {
            s.spawn(|| download(name, repo_url, &version, f))
                .join()
                .unwrap_or_else(|_| Err("the download thread panicked".into()))
        });
    }
    download(name, repo_url, &version, f)
}

/// A fresh single-threaded runtime for the downloads of one command.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the download runtime: {e}"))
}

fn download(
    name: &str,
    repo_url: Option<&str>,
    version: &str,
    f: &ChartPathFlags,
) -> Result<PathBuf, String> {
    runtime()?.block_on(async {
        match repo_url {
            Some(url) => repo::from_repo_url(url, name, version, f).await,
            None if registry::is_oci(name) => registry::pull(name, version, f).await,
            None => repo::download_to_cache(name, version, f, repo::Creds::Flags).await,
        }
    })
}
