//! Charts from chart repositories: `--repo URL` (the index downloaded), `repo/chart` (the
//! index `helm repo update` cached), and chart URLs; downloads over HTTP(S) and `--verify`.

use super::cache::{self, Kind};
use super::{ChartPathFlags, Tls, go_io_error};
use ferroflux_source::helmrepo::{self, ChartVersion, HelmAuth, HelmRepoError, HelmRepoSpec};
use ferroflux_versions::{Constraints, Version};
use std::path::{Path, PathBuf};

/// The largest index and chart read (Helm sets none; this only stops runaway downloads).
const MAX_INDEX_BYTES: u64 = 512 << 20;
const MAX_CHART_BYTES: u64 = 256 << 20;

/// Whose credentials go with a chart download.
#[derive(Clone, Debug)]
pub enum Creds {
    /// `--username`/`--password` (sent to the chart's own host, or anywhere with
    /// `--pass-credentials`).
    Flags,
    /// None: a `--repo` chart on another host without `--pass-credentials`.
    None,
}

/// How a chart URL is fetched: credentials, the URL they belong to, TLS.
pub(super) struct Fetch {
    pub basic: Option<(String, String)>,
    /// The URL the credentials were given for (Helm's `WithURL`).
    pub owner: String,
    pub pass_credentials: bool,
    pub tls: Tls,
}

impl Fetch {
    /// No credentials, no TLS files: how Helm reaches a repository no configuration names.
    pub fn anonymous(url: &str) -> Fetch {
        Fetch {
            basic: None,
            owner: url.to_string(),
            pass_credentials: false,
            tls: Tls::default(),
        }
    }

    pub fn spec(&self) -> HelmRepoSpec {
        let mut spec = HelmRepoSpec::new(&self.owner);
        spec.pass_credentials = self.pass_credentials;
        // Helm's HTTP getter waits two minutes.
        spec.timeout = std::time::Duration::from_secs(120);
        spec.max_index_size = MAX_INDEX_BYTES;
        spec.max_chart_size = MAX_CHART_BYTES;
        spec.observer = super::request_observer();
        spec
    }

    pub fn auth(&self) -> HelmAuth {
        HelmAuth {
            basic: self.basic.clone(),
            ca_pem: self.tls.ca_pem.clone(),
            client_cert: self.tls.client_cert.clone(),
            insecure_skip_verify: self.tls.insecure_skip_verify,
        }
    }

    /// GETs `url` into `file`.
    pub async fn get(&self, url: &str, file: &Path) -> Result<(), String> {
        let cv = url_version(url);
        helmrepo::download_chart(&self.spec(), &self.auth(), &cv, file)
            .await
            .map(|_| ())
            .map_err(get_error)
    }
}

pub(super) fn flag_tls(f: &ChartPathFlags) -> Result<Tls, String> {
    Tls::read(
        f.ca_file.as_deref(),
        f.cert_file.as_deref(),
        f.key_file.as_deref(),
        f.insecure_skip_tls_verify,
    )
}

/// A "version" whose only URL is `url`, for the repository client's download.
fn url_version(url: &str) -> ChartVersion {
    ChartVersion {
        name: String::new(),
        version: String::new(),
        app_version: None,
        api_version: String::new(),
        digest: None,
        urls: vec![url.to_string()],
        created: None,
        deprecated: false,
        chart_type: None,
    }
}

/// `--repo URL` (Helm's `FindChartInRepoURL`): the index is downloaded, the chart looked up,
/// and its first URL downloaded, with the credentials only when it is on the repository's
/// host or `--pass-credentials` says so.
pub async fn from_repo_url(
    repo: &str,
    chart: &str,
    version: &str,
    f: &ChartPathFlags,
) -> Result<PathBuf, String> {
    let fetch = Fetch {
        basic: f.basic(),
        owner: repo.to_string(),
        pass_credentials: f.pass_credentials,
        tls: flag_tls(f)?,
    };
    let chart_url = find_chart_in_repo_url(repo, chart, version, &fetch, f).await?;
    let base = reqwest::Url::parse(repo).map_err(|e| format!("parse {repo:?}: {e}"))?;
    let creds = match reqwest::Url::parse(&chart_url) {
        Ok(u) if f.pass_credentials || same_origin(&base, &u) => Creds::Flags,
        _ => Creds::None,
    };
    download_to_cache(&chart_url, version, f, creds).await
}

/// Helm's `FindChartInRepoURL`: the index of `repo` downloaded, `chart` looked up at
/// `version`, and the URL of its first archive.
pub(super) async fn find_chart_in_repo_url(
    repo: &str,
    chart: &str,
    version: &str,
    fetch: &Fetch,
    f: &ChartPathFlags,
) -> Result<String, String> {
    let unreachable = |e: String| {
        format!("looks like {repo:?} is not a valid chart repository or cannot be reached: {e}")
    };
    let scratch = tempfile::tempdir().map_err(|e| format!("creating a scratch directory: {e}"))?;
    let index_file = scratch.path().join("index.yaml");
    helmrepo::download_index(&fetch.spec(), &fetch.auth(), &index_file)
        .await
        .map_err(|e| unreachable(with_userinfo(e, repo)))?;
    let index = helmrepo::Index::load(&index_file).map_err(|e| unreachable(e.to_string()))?;
    let what = if version.is_empty() {
        format!("chart {chart:?}")
    } else {
        format!("chart {chart:?} version {version:?}")
    };
    let picked = pick(&index, chart, version, f)
        .map_err(|_| format!("{what} not found in {repo} repository"))?;
    let Some(first) = picked.urls.first() else {
        return Err(format!("{what} has no downloadable URLs"));
    };
    let base = reqwest::Url::parse(repo).map_err(|e| format!("parse {repo:?}: {e}"))?;
    helmrepo::resolve_chart_url(&base, first)
        .map(|u| u.to_string())
        .map_err(|e| format!("failed to make chart URL: {e}"))
}

/// A failed index download of `repo` with its URL shown as Helm shows it: with the user
/// and password the URL was given with in a status error (Helm's own message), with the
/// password masked in a transfer error (Go's HTTP client masks it).
fn with_userinfo(e: HelmRepoError, repo: &str) -> String {
    let masked = matches!(e, HelmRepoError::Transfer { .. });
    let message = get_error(e);
    let Ok(u) = reqwest::Url::parse(repo) else {
        return message;
    };
    if u.username().is_empty() && u.password().is_none() {
        return message;
    }
    let mut bare = u.clone();
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    let mut shown = u.clone();
    if masked && u.password().is_some() {
        let _ = shown.set_password(Some("xxxxx"));
    }
    let prefix = |x: &reqwest::Url| x.as_str().trim_end_matches('/').to_string();
    message.replace(&prefix(&bare), &prefix(&shown))
}

/// Helm's `urlEqual`: scheme, host and port (the scheme's default port when none is given).
fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Helm's `ChartDownloader.DownloadToCache` for a chart URL or `repo/chart`: resolved,
/// taken from the content cache when its digest is known and cached, else downloaded and
/// cached; then verified with `--verify`.
pub async fn download_to_cache(
    reference: &str,
    version: &str,
    f: &ChartPathFlags,
    creds: Creds,
) -> Result<PathBuf, String> {
    f.debug_line("set up default downloader cache", &[]);
    let repos = load_repositories(&f.repository_config())?;
    let flags_basic = match creds {
        Creds::Flags => f.basic(),
        Creds::None => None,
    };
    let is_url = reqwest::Url::parse(reference).is_ok_and(|u| {
        u.host_str().is_some_and(|h| !h.is_empty()) && !matches!(u.path(), "" | "/")
    });
    let (digest, url, fetch) = if is_url {
        let cache_dir = f.repository_cache();
        let owner = scan_repos_for_url(reference, &repos, |rc| {
            load_cached_index(&cache_dir.join(format!("{}-index.yaml", rc.name))).map(Box::new)
        })?;
        let mut fetch = Fetch {
            basic: flags_basic,
            owner: reference.to_string(),
            pass_credentials: f.pass_credentials,
            tls: flag_tls(f)?,
        };
        if let Some(rc) = owner {
            fetch.owner = rc.url.clone();
            rc.apply(&mut fetch)?;
        }
        (None, reference.to_string(), fetch)
    } else {
        resolve_named(reference, version, f, flags_basic, &repos)?
    };
    let root = f.content_cache();
    let key = digest
        .as_deref()
        .map(cache::parse_digest)
        .transpose()?
        .flatten();
    let cached = key.and_then(|k| cache::get(&root, &k, Kind::Chart));
    let digest_shown = digest.as_deref().unwrap_or("");
    let (key, path) = match (key, cached) {
        (Some(k), Some(p)) => {
            f.debug_line("found chart in cache", &[("id", digest_shown)]);
            (k, p)
        }
        (known, _) => {
            f.debug_line(
                "attempting to download chart",
                &[("ref", reference), ("version", version)],
            );
            let scratch =
                tempfile::tempdir().map_err(|e| format!("creating a scratch directory: {e}"))?;
            let file = scratch.path().join("chart");
            fetch.get(&url, &file).await?;
            let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let k = known.unwrap_or_else(|| cache::key_of(&data));
            let path = cache::put(&root, &k, Kind::Chart, &data)?;
            f.debug_line("put downloaded chart in cache", &[("id", &hex::encode(k))]);
            (k, path)
        }
    };
    if f.verify {
        let prov = match cache::get(&root, &key, Kind::Prov) {
            Some(p) => {
                f.debug_line("found provenance in cache", &[("id", digest_shown)]);
                p
            }
            None => {
                let scratch = tempfile::tempdir()
                    .map_err(|e| format!("creating a scratch directory: {e}"))?;
                let file = scratch.path().join("prov");
                let prov_url = format!("{url}.prov");
                fetch
                    .get(&prov_url, &file)
                    .await
                    .map_err(|_| format!("failed to fetch provenance {prov_url:?}"))?;
                let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let path = cache::put(&root, &key, Kind::Prov, &data)?;
                f.debug_line(
                    "put downloaded provenance file in cache",
                    &[("id", &hex::encode(key))],
                );
                path
            }
        };
        let name = reqwest::Url::parse(&url)
            .ok()
            .and_then(|u| u.path_segments()?.next_back().map(str::to_string))
            .unwrap_or_default();
        verify_as(&path, &prov, &name, &root, f)?;
    }
    Ok(path)
}

/// Verifies a cached chart as Helm does: copied under the file name its provenance names.
pub fn verify_as(
    chart: &Path,
    prov: &Path,
    name: &str,
    root: &Path,
    f: &ChartPathFlags,
) -> Result<(), String> {
    let named = tempfile::tempdir_in(root)
        .map_err(|e| format!("creating a directory in {}: {e}", root.display()))?;
    let copy = named.path().join(name);
    std::fs::copy(chart, &copy).map_err(|e| format!("{}: {e}", copy.display()))?;
    ferroflux_source::provenance::verify_chart_with(&copy, prov, &f.keyring_file()).map(|_| ())
}

/// `repo/chart`: the repository from the repositories file, the chart from its cached index
/// (never downloaded, as in Helm), the URL resolved against the repository's.
fn resolve_named(
    reference: &str,
    version: &str,
    f: &ChartPathFlags,
    flags_basic: Option<(String, String)>,
    repos: &[RepoEntry],
) -> Result<(Option<String>, String, Fetch), String> {
    let path = reqwest::Url::parse(&format!("x:{reference}"))
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| reference.to_string());
    let Some((repo_name, chart)) = path.split_once('/') else {
        return Err(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {reference}"
        ));
    };
    let rc = repos
        .iter()
        .find(|r| r.name == repo_name)
        .ok_or_else(|| format!("repo {repo_name} not found"))?;
    if rc.url.is_empty() {
        return Err(format!("no URL found for repository {repo_name}"));
    }
    let mut fetch = Fetch {
        basic: flags_basic,
        owner: rc.url.clone(),
        pass_credentials: f.pass_credentials,
        tls: flag_tls(f)?,
    };
    rc.apply(&mut fetch)?;
    let index_file = f.repository_cache().join(format!("{repo_name}-index.yaml"));
    let index = load_cached_index(&index_file)?;
    let cv = pick(&index, chart, version, f).map_err(|e| {
        format!(
            "chart {chart:?} matching {version} not found in {repo_name} index. (try 'helm repo update'): {e}"
        )
    })?;
    let Some(first) = cv.urls.first() else {
        return Err(format!("chart {reference:?} has no downloadable URLs"));
    };
    let base = reqwest::Url::parse(&rc.url)
        .map_err(|_| format!("invalid chart URL format: {reference}"))?;
    let url = helmrepo::resolve_chart_url(&base, first)
        .map_err(|_| format!("invalid chart URL format: {reference}"))?;
    Ok((cv.digest.clone(), url.to_string(), fetch))
}

pub(super) fn load_cached_index(path: &Path) -> Result<helmrepo::Index, String> {
    let no_cache = |why: String| format!("no cached repo found. (try 'helm repo update'): {why}");
    if let Err(e) = std::fs::metadata(path) {
        return Err(no_cache(format!(
            "open {}: {}",
            path.display(),
            go_io_error(&e)
        )));
    }
    helmrepo::Index::load(path).map_err(|e| no_cache(e.to_string()))
}

/// Helm's `scanReposForURL`: the configured repository whose cached index lists `url`
/// (its credentials and TLS files then apply). Every configured repository must have a
/// cached index, as in Helm; `load` reads a repository's.
pub(super) fn scan_repos_for_url<'a, I: std::ops::Deref<Target = helmrepo::Index>>(
    url: &str,
    repos: &'a [RepoEntry],
    load: impl Fn(&RepoEntry) -> Result<I, String>,
) -> Result<Option<&'a RepoEntry>, String> {
    for rc in repos {
        let index = load(rc)?;
        let Ok(base) = reqwest::Url::parse(&rc.url) else {
            continue;
        };
        for chart in index.charts() {
            for cv in index.versions(chart).unwrap_or_default() {
                for u in &cv.urls {
                    if helmrepo::resolve_chart_url(&base, u).is_ok_and(|r| r.as_str() == url) {
                        return Ok(Some(rc));
                    }
                }
            }
        }
    }
    Ok(None)
}

/// Helm's `IndexFile.Get`: versions newest first, an exact match first, then the first that
/// satisfies the constraint (empty: `*`, which admits no pre-release). Falling back from a
/// version that is no range is logged, as Helm logs it.
fn pick<'a>(
    index: &'a helmrepo::Index,
    chart: &str,
    version: &str,
    f: &ChartPathFlags,
) -> Result<&'a ChartVersion, String> {
    let versions = index.versions(chart).ok_or("no chart name found")?;
    if versions.is_empty() {
        return Err("no chart version found".into());
    }
    if !version.is_empty()
        && let Some(cv) = versions.iter().find(|cv| cv.version == version)
    {
        return Ok(cv);
    }
    let range = if version.is_empty() { "*" } else { version };
    let constraint = Constraints::parse(range).map_err(|e| e.masterminds_message())?;
    let cv = versions
        .iter()
        .find(|cv| Version::parse(&cv.version).is_ok_and(|v| constraint.check(&v)))
        .ok_or_else(|| format!("no chart version found for {chart}-{version}"))?;
    if !version.is_empty() && is_version_range(version) {
        f.debug_line(
            "selected version matching constraint",
            &[
                ("chart", chart),
                ("constraint", version),
                ("selected", &cv.version),
            ],
        );
    } else if !f.quiet && !version.is_empty() {
        eprintln!(
            "level=WARN msg=\"unable to find exact version requested; falling back to closest available version\" chart={} requested={} selected={}",
            ferroflux_helm::manifests::slog_text_value(chart),
            ferroflux_helm::manifests::slog_text_value(version),
            ferroflux_helm::manifests::slog_text_value(&cv.version)
        );
    }
    Ok(cv)
}

/// Helm's `isVersionRange`.
fn is_version_range(v: &str) -> bool {
    if v.contains(['^', '~', '<', '>', '=', '!', '*']) || v.contains("||") || v.contains(" - ") {
        return true;
    }
    let core = v.split(['-', '+']).next().unwrap_or(v);
    core.contains(['x', 'X'])
}

/// A download error in the words of Helm's HTTP getter.
pub(super) fn get_error(e: HelmRepoError) -> String {
    match e {
        HelmRepoError::Status { url, status } => format!("failed to fetch {url} : {status}"),
        HelmRepoError::Transfer { url, reason } => {
            format!("Get {url:?}: {}", go_transfer_reason(&url, &reason))
        }
        other => other.to_string(),
    }
}

/// The causes Go's HTTP client names in its own words; others as reqwest words them.
pub fn go_transfer_reason(url: &str, reason: &str) -> String {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_default();
    if reason.contains("Connection refused") {
        format!("dial tcp {host}: connect: connection refused")
    } else if reason.contains("UnknownIssuer") {
        "tls: failed to verify certificate: x509: certificate signed by unknown authority".into()
    } else if reason.contains("InvalidContentType") || reason.contains("CorruptMessage") {
        "http: server gave HTTP response to HTTPS client".into()
    } else if reason.contains("Name or service not known")
        && let Some(name) = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    {
        format!(
            "dial tcp: lookup {name} on {}: no such host",
            go_name_server(&std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default())
        )
    } else {
        reason.to_string()
    }
}

/// The name server Go's resolver names in its errors: the first of resolv.conf, else its
/// default.
fn go_name_server(resolv_conf: &str) -> String {
    resolv_conf
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("nameserver")).then(|| words.next())?
        })
        .and_then(|a| a.parse::<std::net::IpAddr>().ok())
        .map_or("127.0.0.1:53".into(), |a| {
            std::net::SocketAddr::new(a, 53).to_string()
        })
}

/// One repository of Helm's repositories file.
#[derive(Debug)]
pub(super) struct RepoEntry {
    pub name: String,
    pub url: String,
    basic: Option<(String, String)>,
    ca_file: Option<PathBuf>,
    cert_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    insecure_skip_tls_verify: bool,
    pass_credentials: bool,
}

impl RepoEntry {
    /// How Helm reaches this repository for its index: its own credentials and TLS files
    /// (and its `insecure_skip_tls_verify`), nothing of the command line's.
    pub fn fetch(&self) -> Result<Fetch, String> {
        Ok(Fetch {
            basic: self.basic.clone(),
            owner: self.url.clone(),
            pass_credentials: self.pass_credentials,
            tls: Tls::read(
                self.ca_file.as_deref(),
                self.cert_file.as_deref(),
                self.key_file.as_deref(),
                self.insecure_skip_tls_verify,
            )?,
        })
    }

    /// The repository's own TLS files and credentials, over the flags' (as Helm appends
    /// them after).
    pub fn apply(&self, fetch: &mut Fetch) -> Result<(), String> {
        if self.ca_file.is_some() || self.cert_file.is_some() || self.key_file.is_some() {
            let insecure = fetch.tls.insecure_skip_verify;
            fetch.tls = Tls::read(
                self.ca_file.as_deref(),
                self.cert_file.as_deref(),
                self.key_file.as_deref(),
                insecure,
            )?;
        }
        if let Some(b) = &self.basic {
            fetch.basic = Some(b.clone());
            fetch.pass_credentials = self.pass_credentials;
        }
        Ok(())
    }
}

/// Helm's repositories file; a missing file is an empty one.
pub(super) fn load_repositories(path: &Path) -> Result<Vec<RepoEntry>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(format!(
                "couldn't load repositories file ({}): {e}",
                path.display()
            ));
        }
    };
    let doc: serde_json::Value = if text.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_saphyr::from_str(&text)
            .map_err(|e| format!("couldn't load repositories file ({}): {e}", path.display()))?
    };
    let list = doc.get("repositories").and_then(|r| r.as_array());
    Ok(list
        .into_iter()
        .flatten()
        .map(|entry| {
            let s = |k: &str| {
                entry
                    .get(k)
                    .and_then(|v| v.as_str())
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            RepoEntry {
                name: s("name").unwrap_or_default(),
                url: s("url").unwrap_or_default(),
                basic: s("username").zip(s("password")),
                ca_file: s("caFile").map(PathBuf::from),
                cert_file: s("certFile").map(PathBuf::from),
                key_file: s("keyFile").map(PathBuf::from),
                insecure_skip_tls_verify: entry
                    .get("insecure_skip_tls_verify")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                pass_credentials: entry
                    .get("pass_credentials_all")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ranges_as_helm_tells_them() {
        for v in [
            "^1.0", "~1", ">=1", "1.x", "1.2.X", "*", "1 - 2", "1 || 2", "!=1",
        ] {
            assert!(is_version_range(v), "{v}");
        }
        for v in ["1.0.0", "0.1", "v1.2.3", "1.0.0-x.1", "1.0.0+X"] {
            assert!(!is_version_range(v), "{v}");
        }
    }

    #[test]
    fn transfer_causes_in_go_words() {
        assert_eq!(
            go_transfer_reason(
                "http://127.0.0.1:1/x",
                "error sending request: tcp connect error: Connection refused (os error 111)"
            ),
            "dial tcp 127.0.0.1:1: connect: connection refused"
        );
        assert_eq!(
            go_transfer_reason("https://h/x", "invalid peer certificate: UnknownIssuer"),
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        );
        assert_eq!(
            go_name_server("# x\nsearch a\nnameserver 10.255.255.53\nnameserver 1.1.1.1\n"),
            "10.255.255.53:53"
        );
        assert_eq!(go_name_server("nameserver fd00::1\n"), "[fd00::1]:53");
        assert_eq!(go_name_server(""), "127.0.0.1:53");
    }
}
