//! Charts in OCI registries: `oci://host/path/chart[:tag][@digest]` read as Helm's registry
//! client reads it (`ValidateReference`), the tag chosen as it chooses it, the chart layer
//! pulled into the content cache, and the `Pulled:`/`Digest:` lines Helm prints.

use super::ChartPathFlags;
use super::cache::{self, Kind};
use super::repo::verify_as;
use ferroflux_source::helmrepo::oci::{self, ChartAt, OciAuth, OciError, OciRef, OciSource};
use ferroflux_versions::Version;
use std::io::Write as _;
use std::path::PathBuf;

/// Whether `name` is an OCI reference.
pub fn is_oci(name: &str) -> bool {
    name.starts_with("oci://")
}

/// A reference split as Helm's `newReference` splits it (the tag with `+` written `_`).
#[derive(Debug, PartialEq, Eq)]
struct Reference {
    registry: String,
    repository: String,
    tag: String,
    digest: String,
    /// The tag as written (`+` kept), which Helm's tag listing parses again.
    written_tag: String,
}

impl Reference {
    /// `host/path` and `chart` of `host/path/chart`: the repository a chart is pulled from
    /// and its name.
    fn parent_and_chart(&self) -> (String, String) {
        match self.repository.rsplit_once('/') {
            Some((p, c)) => (format!("{}/{p}", self.registry), c.to_string()),
            None => (self.registry.clone(), self.repository.clone()),
        }
    }
}

fn parse_reference(name: &str) -> Result<Reference, String> {
    let mut raw = name.strip_prefix("oci://").unwrap_or(name).to_string();
    let mut digest = String::new();
    if let Some(at) = raw.rfind('@') {
        digest = raw[at + 1..].to_string();
        raw.truncate(at);
    }
    let mut tag = String::new();
    let mut written_tag = String::new();
    if let Some(colon) = raw.rfind(':')
        && !raw[colon + 1..].contains('/')
        && raw[..colon].contains('/')
    {
        written_tag = raw[colon + 1..].to_string();
        tag = written_tag.replace('+', "_");
        raw.truncate(colon);
    }
    let invalid = |what: &str| format!("invalid reference: {what}");
    let Some((registry, repository)) = raw.split_once('/') else {
        return Err(invalid("missing registry or repository"));
    };
    if registry.is_empty() || repository.is_empty() {
        return Err(invalid("missing registry or repository"));
    }
    if !valid_repository(repository) {
        return Err(invalid(&format!("invalid repository {repository:?}")));
    }
    if !tag.is_empty() && !valid_tag(&tag) {
        return Err(invalid(&format!("invalid tag {tag:?}")));
    }
    if !digest.is_empty() && !valid_digest(&digest) {
        return Err(invalid(&format!("invalid digest {digest:?}")));
    }
    Ok(Reference {
        registry: registry.to_string(),
        repository: repository.to_string(),
        tag,
        digest,
        written_tag,
    })
}

/// The distribution spec's repository name: lowercase components joined by `/`, each
/// alphanumeric runs separated by `.`, `_`, `__` or dashes.
fn valid_repository(r: &str) -> bool {
    r.split('/').all(|part| {
        let b = part.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        if b.is_empty() || !alnum(&b[0]) || !alnum(&b[b.len() - 1]) {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if alnum(&b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !alnum(&b[i]) {
                i += 1;
            }
            let sep = &part[start..i];
            if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-')) {
                return false;
            }
        }
        true
    })
}

fn valid_tag(t: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    t.len() <= 128
        && t.chars().next().is_some_and(word)
        && t.chars().all(|c| word(c) || c == '.' || c == '-')
}

fn valid_digest(d: &str) -> bool {
    d.split_once(':').is_some_and(|(alg, hex)| {
        !alg.is_empty() && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
    })
}

/// What to pull once the reference and `--version` are reconciled.
enum Target {
    Tag(String),
    Digest(String),
}

/// Pulls the chart `name` refers to at `version`, as `helm template`/`show` pull it.
pub async fn pull(name: &str, version: &str, f: &ChartPathFlags) -> Result<PathBuf, String> {
    f.debug_line("set up default downloader cache", &[]);
    let asked = version;
    let r = parse_reference(name)?;
    let (parent, chart) = r.parent_and_chart();
    let repo_src = source(
        &format!("oci://{}/{}", r.registry, r.repository),
        f,
        &r.registry,
    )?;
    let version = if version.is_empty() {
        r.tag.clone()
    } else if !r.tag.is_empty() && r.tag != version {
        return Err(format!(
            "chart reference and version mismatch: {version} is not {}",
            r.tag
        ));
    } else {
        version.to_string()
    };
    let shown_repo = format!("{}/{}", r.registry, r.repository);
    // The cache key Helm knows before pulling: a digest whose tag was checked.
    let mut known_key = None;
    let target = if !r.digest.is_empty() {
        if !version.is_empty() {
            // The tag, when it resolves, must name the same manifest.
            let mut by_tag = repo_src.clone();
            by_tag.reference = OciRef::Tag(version.replace('+', "_"));
            // An untagged manifest is fine; a tag on another one is not.
            if let Ok(resolved) = oci::resolve(&by_tag).await {
                if resolved.digest != r.digest {
                    return Err(format!(
                        "chart reference digest mismatch: {} is not {}",
                        resolved.digest, r.digest
                    ));
                }
                known_key = cache::parse_digest(&r.digest)?;
            }
        }
        Target::Digest(r.digest.clone())
    } else if Version::parse(&version).is_ok() {
        Target::Tag(version)
    } else {
        // Helm lists the tags of the reference as written, where `+` is no tag character.
        if r.written_tag.contains('+') {
            return Err(format!(
                "invalid reference: invalid tag {:?}",
                r.written_tag
            ));
        }
        let tags = semver_tags(&repo_src, &shown_repo).await?;
        if tags.is_empty() {
            return Err(format!(
                "unable to locate any tags in provided repository: {name}"
            ));
        }
        Target::Tag(ferroflux_helm::ocitags::matching_tag(&tags, &version)?)
    };
    let (at, shown, verify_name) = match &target {
        Target::Tag(t) => {
            let underscored = t.replace('+', "_");
            (
                ChartAt::Tag(underscored.clone()),
                format!("{shown_repo}:{underscored}"),
                format!("{chart}-{t}.tgz"),
            )
        }
        Target::Digest(d) => (
            ChartAt::Digest(d.clone()),
            format!("{shown_repo}@{d}"),
            format!("{chart}@{}.tgz", d.replacen(':', "-", 1)),
        ),
    };
    let root = f.content_cache();
    if !f.verify
        && let Some(path) = known_key.and_then(|k| cache::get(&root, &k, Kind::Chart))
    {
        f.debug_line("found chart in cache", &[("id", &r.digest)]);
        return Ok(path);
    }
    f.debug_line(
        "attempting to download chart",
        &[("ref", name), ("version", asked)],
    );
    let scratch = tempfile::tempdir().map_err(|e| format!("creating a scratch directory: {e}"))?;
    let file = scratch.path().join("chart");
    let prov_file = scratch.path().join("prov");
    let mut parent_src = repo_src.clone();
    parent_src.url = format!("oci://{parent}");
    let pulled = oci::pull_chart_at(
        &parent_src,
        &chart,
        &at,
        &file,
        f.verify.then_some(prov_file.as_path()),
    )
    .await
    .map_err(|e| helm_error(&e, &shown))?;
    // Helm pulls once for the chart and, with --verify, once more for its provenance.
    for _ in 0..if f.verify { 2 } else { 1 } {
        if !f.quiet {
            print_pulled(&shown, &pulled.manifest_digest);
        }
    }
    let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let key = known_key.unwrap_or_else(|| cache::key_of(&data));
    let path = cache::put(&root, &key, Kind::Chart, &data)?;
    f.debug_line(
        "put downloaded chart in cache",
        &[("id", &hex::encode(key))],
    );
    if f.verify {
        let prov =
            std::fs::read(&prov_file).map_err(|e| format!("{}: {e}", prov_file.display()))?;
        let prov_path = cache::put(&root, &key, Kind::Prov, &prov)?;
        verify_as(&path, &prov_path, &verify_name, &root, f)?;
    }
    Ok(path)
}

/// Pulls `host/path/chart` at `tag` (a version; `+` becomes `_`) into `dest`: what
/// `--dependency-update` does for a registry dependency. Returns the reference as Helm
/// shows it and the manifest digest.
pub(super) async fn pull_into(
    path: &str,
    tag: &str,
    f: &ChartPathFlags,
    dest: &std::path::Path,
) -> Result<(String, String), String> {
    let r = parse_reference(&format!("oci://{path}"))?;
    let (parent, chart) = r.parent_and_chart();
    let mut src = source(&format!("oci://{parent}"), f, &r.registry)?;
    src.url = format!("oci://{parent}");
    let underscored = tag.replace('+', "_");
    let shown = format!("{}/{}:{underscored}", r.registry, r.repository);
    let pulled = oci::pull_chart_at(&src, &chart, &ChartAt::Tag(underscored), dest, None)
        .await
        .map_err(|e| helm_error(&e, &shown))?;
    Ok((shown, pulled.manifest_digest))
}

pub(super) fn print_pulled(shown: &str, digest: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "Pulled: {shown}");
    let _ = writeln!(err, "Digest: {digest}");
    if shown.contains('_') {
        let _ = writeln!(
            err,
            "{shown} contains an underscore.\n\n\
             OCI artifact references (e.g. tags) do not support the plus sign (+). To support\n\
             storing semantic versions, Helm adopts the convention of changing plus (+) to\n\
             an underscore (_) in chart version tags when pushing to a registry and back to\n\
             a plus (+) when pulling from a registry."
        );
    }
}

/// The registry client for `url`: TLS from the flags (plain HTTP only with `--plain-http`
/// and no TLS flag), credentials from the flags, else Helm's registry configuration, else
/// Docker's.
pub(super) fn source(url: &str, f: &ChartPathFlags, registry: &str) -> Result<OciSource, String> {
    let tls = super::repo::flag_tls(f)?;
    if tls.client_cert.is_some() {
        return Err(
            "client certificates (--cert-file, --key-file) are not supported for OCI registries here"
                .into(),
        );
    }
    let tls_given = tls.ca_pem.is_some() || tls.insecure_skip_verify;
    let mut src = OciSource::new(url, OciRef::default());
    src.insecure = f.plain_http && !tls_given;
    src.insecure_skip_verify = tls.insecure_skip_verify;
    src.ca_pem = tls.ca_pem;
    src.auth = match f.basic() {
        Some((u, p)) => OciAuth::Basic(u, p),
        None => super::credentials::stored(f, registry),
    };
    Ok(src)
}

/// The repository's tags that are chart versions, highest first, as Helm's registry
/// client lists them.
pub(super) async fn semver_tags(src: &OciSource, shown_repo: &str) -> Result<Vec<String>, String> {
    let tags = oci::list_tags(src)
        .await
        .map_err(|e| helm_error(&e, shown_repo))?;
    Ok(ferroflux_helm::ocitags::semver_tags(tags))
}

/// A registry error in the words of Helm's registry client (ORAS), as far as the causes
/// can be told apart.
pub(super) fn helm_error(e: &OciError, shown: &str) -> String {
    let OciError::Registry { url, reason } = e else {
        return e.to_string();
    };
    // Listing tags fails in the client's own words; fetching a manifest or blob is wrapped.
    let listing = reason.starts_with("listing tags");
    let fetch = |what: String| {
        if listing {
            what
        } else {
            format!("failed to perform \"FetchReference\" on source: {what}")
        }
    };
    let (_, repository) = url
        .strip_prefix("oci://")
        .and_then(|r| r.split_once('/'))
        .unwrap_or(("", ""));
    let request_url = reason
        .split_once("url ")
        .map(|(_, rest)| {
            let rest = rest.trim_start_matches('(');
            rest.split([',', ' ', ')'])
                .next()
                .unwrap_or(rest)
                .to_string()
        })
        .unwrap_or_default();
    let request_url = request_url
        .split_once('?')
        .map_or(request_url.as_str(), |(u, _)| u)
        .to_string();
    if listing && reason.contains("repository name not known") {
        return format!(
            "GET {request_url:?}: response status code 404: name unknown: repository name not known to registry: map[name:{repository}]"
        );
    }
    let resolving = reason.starts_with("resolving tag");
    if resolving && (reason.contains("manifest unknown") || reason.contains("not found")) {
        return fetch(format!("{shown}: not found"));
    }
    if reason.contains("Not authorized") || reason.contains("401 Unauthorized") {
        return fetch(format!("GET {request_url:?}: basic credential not found"));
    }
    let cause = super::repo::go_transfer_reason(&request_url, reason);
    if cause != *reason {
        return fetch(format!("Get {request_url:?}: {cause}"));
    }
    fetch(reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_as_helm_splits_them() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let r = parse_reference(&format!("oci://h:5000/charts/app:1.2.3+b@{digest}")).unwrap();
        assert_eq!(
            r,
            Reference {
                registry: "h:5000".into(),
                repository: "charts/app".into(),
                tag: "1.2.3_b".into(),
                digest: digest.clone(),
                written_tag: "1.2.3+b".into(),
            }
        );
        let r = parse_reference("oci://h:5000/app").unwrap();
        assert_eq!((r.repository.as_str(), r.tag.as_str()), ("app", ""));
        assert_eq!(
            parse_reference("oci://h/Charts/PodInfo").unwrap_err(),
            "invalid reference: invalid repository \"Charts/PodInfo\""
        );
        assert!(parse_reference("oci://h").is_err());
        assert_eq!(
            parse_reference("oci://h/app@sha256:xyz").unwrap_err(),
            "invalid reference: invalid digest \"sha256:xyz\""
        );
    }

    #[test]
    fn repository_names_follow_the_distribution_grammar() {
        for ok in [
            "a",
            "a/b",
            "a-b",
            "a--b",
            "a.b",
            "a_b",
            "a__b",
            "a0/b-1.c_d",
        ] {
            assert!(valid_repository(ok), "{ok}");
        }
        for bad in ["A", "a/", "-a", "a-", "a___b", "a..b", "a._b", ""] {
            assert!(!valid_repository(bad), "{bad}");
        }
    }
}
