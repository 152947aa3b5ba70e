//! Remote bases and resources: kustomize's remote target syntax (Git repositories and
//! plain HTTP(S) files), and the fetcher a caller hands to the build.
//!
//! The renderer itself never opens a connection. A build that meets a URL asks its
//! [`RemoteFetcher`] for a local checkout (for a Git repository) or for the bytes (for an
//! HTTP(S) file); a build without one refuses the URL ([`ErrorKind::RemoteBase`](crate::ErrorKind::RemoteBase)).
//!
//! What counts as a repository follows kustomize v5.8.1 (`api/internal/git/repospec.go`):
//!
//! - the query (`?ref=`, its alias `?version=`, `?timeout=`, `?submodules=`) is cut first;
//! - a leading `git::` is dropped; the scheme is `ssh://`, `https://`, `http://` or `file://`
//!   (any case); without one the target must be scp-like (`user@host:path`, the user is
//!   required) or start with `github.com/` or `github.com:`;
//! - GitHub hosts are normalized: with `ssh://` or a user they become `user@github.com:`,
//!   otherwise `https://github.com/`;
//! - the repository ends at the segment after `_git/` (Azure DevOps), else at `//`, else after
//!   the first `.git`, else after two path segments (all of them for `file://`); the rest is
//!   the kustomization's path in the repository, which may not climb out of it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long kustomize lets a Git command run when the URL sets no `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(27);

/// A Git repository and a kustomization directory in it, parsed from a remote target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    /// The target as written (used for cycle detection, as kustomize does).
    pub raw: String,
    /// Scheme, user and host with their separator: `https://github.com/`,
    /// `git@github.com:`, `ssh://git@example.com:7999/`, `file://`.
    pub host: String,
    /// The repository's path on the host: `org/repo`, `org/repo.git`,
    /// `project/_git/repo`.
    pub repo_path: String,
    /// The kustomization's directory inside the repository (`""` for its root).
    pub kust_root: String,
    /// `?ref=` (or `?version=`): a branch, tag or commit; `""` for the remote's HEAD.
    pub git_ref: String,
    /// `?timeout=`: seconds or a Go duration; 27 s by default.
    pub timeout: Duration,
    /// `?submodules=`: whether submodules are checked out too (the default).
    pub submodules: bool,
}

/// Why a target is not a Git repository URL (kustomize's wording).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotARepo(pub String);

impl RepoSpec {
    /// Parses a remote target the way kustomize v5.8.1 does. An error means the target is
    /// not a Git repository (it may still be a local path, or an HTTP(S) file).
    pub fn parse(target: &str) -> Result<RepoSpec, NotARepo> {
        if target.starts_with('/') {
            return Err(NotARepo(format!("uri looks like abs path: {target}")));
        }
        let (rest, query) = match target.split_once('?') {
            Some((r, q)) => (r, q),
            None => (target, ""),
        };
        let (git_ref, timeout, submodules) = parse_query(query);
        let (host, path) = split_host(rest)?;
        let all_segments = host.starts_with(FILE);
        let (repo_path, kust_root) = split_path(path, all_segments)?;
        Ok(RepoSpec {
            raw: target.to_string(),
            host,
            repo_path,
            kust_root,
            git_ref,
            timeout,
            submodules,
        })
    }

    /// What `git clone` is given: host and repository path.
    pub fn clone_url(&self) -> String {
        format!("{}{}", self.host, self.repo_path)
    }

    /// The path kustomize records in `config.kubernetes.io/origin` for objects of this
    /// remote root. kustomize v5.8.1 derives it from a placeholder clone directory, so a
    /// repository's root is recorded as `notCloned`.
    pub fn origin_path(&self) -> String {
        let cleaned = crate::loader::normalize(Path::new(self.kust_root.trim_start_matches('/')));
        let s = cleaned.to_string_lossy();
        if s.is_empty() {
            "notCloned".to_string()
        } else {
            s.into_owned()
        }
    }
}

impl fmt::Display for RepoSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.clone_url())?;
        if !self.git_ref.is_empty() {
            write!(f, " at ref '{}'", self.git_ref)?;
        }
        Ok(())
    }
}

/// Is `s` a URL kustomize loads over HTTP(S) when it names a file (`http://` or `https://`,
/// any case)?
pub fn is_remote_file(s: &str) -> bool {
    has_prefix_ignore_case(s, HTTP) || has_prefix_ignore_case(s, HTTPS)
}

/// What went wrong fetching a remote repository or file, as the fetcher reports it.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP server answered outside 200–299.
    #[error("HTTP status {code} ({reason})")]
    HttpStatus {
        /// The status code.
        code: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// The repository has no ref of that name.
    #[error("ref '{reference}' not found in {repository}")]
    RefNotFound {
        /// The ref asked for.
        reference: String,
        /// The repository's URL.
        repository: String,
    },
    /// The fetch took longer than the URL's `timeout`.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Anything else (connection, authentication, checkout), with the fetcher's message.
    #[error("{0}")]
    Failed(String),
}

/// Fetches what a build needs from the network. The renderer calls it from its own
/// (synchronous) thread; a repository is asked for once per build.
pub trait RemoteFetcher: Send + Sync + fmt::Debug {
    /// Checks out `spec`'s repository at `spec.git_ref` (the remote's HEAD when empty), with
    /// submodules when `spec.submodules`, within `spec.timeout`, and returns the checkout's
    /// root directory. The directory must outlive the build.
    fn fetch_repo(&self, spec: &RepoSpec) -> Result<PathBuf, FetchError>;

    /// GETs an `http://` or `https://` URL and returns the body.
    fn fetch_file(&self, url: &str) -> Result<Vec<u8>, FetchError>;
}

const SSH: &str = "ssh://";
const HTTPS: &str = "https://";
const HTTP: &str = "http://";
const FILE: &str = "file://";

fn has_prefix_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    has_prefix_ignore_case(s, prefix).then(|| &s[prefix.len()..])
}

/// `ref`/`version`, `timeout` and `submodules` from the query. As in kustomize, a query Go's
/// `url.ParseQuery` rejects (a `;`, a bad `%` escape) yields the defaults for all three.
fn parse_query(query: &str) -> (String, Duration, bool) {
    let defaults = (String::new(), DEFAULT_TIMEOUT, true);
    let Some(values) = go_parse_query(query) else {
        return defaults;
    };
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut git_ref = get("version").to_string();
    if !get("ref").is_empty() {
        git_ref = get("ref").to_string();
    }
    let mut timeout = DEFAULT_TIMEOUT;
    let t = get("timeout");
    if !t.is_empty() {
        if let Some(secs) = go_atoi(t).filter(|n| *n > 0) {
            timeout = Duration::from_secs(secs as u64);
        } else if let Some(d) = go_parse_duration(t).filter(|d| !d.is_zero()) {
            timeout = d;
        }
    }
    let mut submodules = true;
    if let Some(b) = ferroflux_goformat::parse_bool(get("submodules")) {
        submodules = b;
    }
    (git_ref, timeout, submodules)
}

/// Go's `url.ParseQuery`: `&`-separated `key=value` pairs, `+` and `%XX` unescaped; `None`
/// when any pair is malformed (Go reports the first error after parsing the rest).
fn go_parse_query(query: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut ok = true;
    for pair in query.split('&') {
        if pair.contains(';') {
            ok = false;
            continue;
        }
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match (query_unescape(k), query_unescape(v)) {
            (Some(k), Some(v)) => out.push((k, v)),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn query_unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `strconv.Atoi` (base 10, optional sign, 64-bit).
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Go's `time.ParseDuration` for non-negative results (`1m30s`, `1.5h`, `250ms`); `None` for
/// invalid input and negative durations (kustomize ignores both).
fn go_parse_duration(s: &str) -> Option<Duration> {
    let nanos = ferroflux_gotemplate::funcs::date::parse_duration(s).ok()?;
    u64::try_from(nanos).ok().map(Duration::from_nanos)
}

/// Splits scheme, user and host from the rest of the path (kustomize's `extractHost`).
fn split_host(target: &str) -> Result<(String, &str), NotARepo> {
    let n = strip_prefix_ignore_case(target, "git::").unwrap_or(target);
    let (mut scheme, n) = [SSH, HTTPS, HTTP, FILE]
        .iter()
        .find_map(|p| strip_prefix_ignore_case(n, p).map(|rest| (*p, rest)))
        .unwrap_or(("", n));
    let (mut user, n) = split_user(n);
    let github =
        has_prefix_ignore_case(n, "github.com/") || has_prefix_ignore_case(n, "github.com:");
    let scp = scheme.is_empty() && (!user.is_empty() || github);
    if scheme.is_empty() && !scp {
        return Err(NotARepo("failed to parse scheme".into()));
    }
    // A file URL's "host" is part of its absolute path.
    if scheme == FILE {
        return Ok((
            FILE.to_string(),
            &target[target.len() - n.len() - user.len()..],
        ));
    }
    let slash = n.find('/');
    let sep = if scp {
        match (slash, n.find(':')) {
            (None, colon) => colon,
            (Some(s), Some(c)) if c > 0 && c < s => Some(c),
            (s, _) => s,
        }
    } else {
        slash
    };
    let (mut host, rest) = match sep {
        Some(i) => (&n[..=i], &n[i + 1..]),
        None => (n, ""),
    };
    if github {
        if scheme == SSH || !user.is_empty() {
            scheme = "";
            host = "github.com:";
        } else {
            scheme = HTTPS;
            user = "";
            host = "github.com/";
        }
    }
    if host.is_empty() {
        return Err(NotARepo("failed to parse host segment".into()));
    }
    Ok((format!("{scheme}{user}{host}"), rest))
}

/// A leading `user@` where the user is a letter followed by letters, digits or dashes.
fn split_user(s: &str) -> (&str, &str) {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        _ => return ("", s),
    }
    for (i, c) in chars {
        if c == '@' {
            return (&s[..=i], &s[i + 1..]);
        }
        if !(c.is_ascii_alphanumeric() || c == '-') {
            break;
        }
    }
    ("", s)
}

/// Splits the repository from the kustomization root inside it (kustomize's
/// `parsePathParts`).
fn split_path(n: &str, all_segments: bool) -> Result<(String, String), NotARepo> {
    let split = explicit_split(n).or_else(|| {
        if all_segments {
            Some((n.to_string(), String::new()))
        } else {
            let segments: Vec<&str> = n.split('/').collect();
            (segments.len() >= 2).then(|| (segments[..2].join("/"), segments[2..].join("/")))
        }
    });
    let Some((repo, root)) = split.filter(|(repo, _)| !repo.is_empty()) else {
        return Err(NotARepo("failed to parse repo path segment".into()));
    };
    let root_text = root.strip_prefix('/').unwrap_or(&root);
    let cleaned = crate::loader::normalize(Path::new(root_text));
    if cleaned.components().next() == Some(std::path::Component::ParentDir) {
        return Err(NotARepo(format!("url path exits repo: {n}")));
    }
    let root = root.strip_prefix('/').unwrap_or(&root).to_string();
    Ok((repo, root))
}

/// `_git/<repo>`, then `//`, then the first `.git`, each marking the repository's end.
fn explicit_split(n: &str) -> Option<(String, String)> {
    const AZURE: &str = "_git/";
    if let Some(i) = n.find(AZURE) {
        let after = &n[i + AZURE.len()..];
        let (repo, root) = after.split_once('/').unwrap_or((after, ""));
        return Some((format!("{}{repo}", &n[..i + AZURE.len()]), root.to_string()));
    }
    if let Some(i) = n.find("//") {
        return Some((n[..i].to_string(), n[i + 2..].to_string()));
    }
    if let Some(i) = n.find(".git") {
        let end = i + ".git".len();
        return Some((n[..end].to_string(), n[end..].to_string()));
    }
    None
}

#[cfg(test)]
mod tests;
