//! A Helm repository index in compact form: per chart, the versions with what selection and
//! download need (version, appVersion, digest, urls, created, …). The YAML (or JSON) is
//! deserialised straight into these small structs; no generic tree of the document is built,
//! and unknown fields (descriptions, maintainers, annotations…) are skipped while parsing.
//!
//! Loading follows Flux's `IndexFromBytes`: an empty document or a missing `apiVersion` is an
//! error; a chart version that fails Helm's metadata validation (no name, a name with a path
//! separator, a version that is not semver, an unknown type) is dropped; each chart's versions
//! are sorted newest first. Selection follows Flux's `GetChartVersion` (see [`Index::get`]).

use ferroflux_versions::{Constraints, Version};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One downloadable version of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartVersion {
    pub name: String,
    pub version: String,
    pub app_version: Option<String>,
    /// The chart's `apiVersion` (`v1` when the index leaves it out).
    pub api_version: String,
    /// sha256 hex of the .tgz, as the index states it.
    pub digest: Option<String>,
    pub urls: Vec<String>,
    /// RFC 3339 creation time, as written in the index.
    pub created: Option<String>,
    pub deprecated: bool,
    /// `application` or `library` (none means application).
    pub chart_type: Option<String>,
}

impl ChartVersion {
    /// `created` as nanoseconds since the Unix epoch; `None` when absent or unparsable
    /// (Go's zero time, which sorts first).
    pub fn created_nanos(&self) -> Option<i128> {
        self.created.as_deref().and_then(parse_rfc3339)
    }
}

/// The parsed index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    pub api_version: String,
    entries: BTreeMap<String, Vec<ChartVersion>>,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("empty index.yaml file")]
    Empty,
    #[error("no API version specified")]
    NoApiVersion,
    #[error("parsing the index: {0}")]
    Parse(String),
    #[error("reading the index {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing the index artifact: {0}")]
    Write(#[source] std::io::Error),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectError {
    #[error("chart '{chart}' not found in the repository index (no chart name found)")]
    NoChart { chart: String },
    #[error("chart '{chart}' has no versions in the repository index (no chart version found)")]
    NoVersions { chart: String },
    #[error("chart '{chart}': invalid version constraint '{constraint}': {reason}")]
    Constraint {
        chart: String,
        constraint: String,
        reason: String,
    },
    #[error("no '{chart}' chart with version matching '{constraint}' found")]
    NoMatch { chart: String, constraint: String },
}

#[derive(Deserialize)]
struct RawIndex {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(default)]
    entries: Option<BTreeMap<String, Option<Vec<Option<RawVersion>>>>>,
}

#[derive(Deserialize)]
struct RawVersion {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(rename = "appVersion", default)]
    app_version: Option<String>,
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    urls: Option<Vec<String>>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    deprecated: Option<bool>,
    #[serde(rename = "type", default)]
    chart_type: Option<String>,
}

/// Parser limits sized for indexes up to Flux's 50 MiB default, not for hostile documents
/// beyond that (the download is capped before parsing).
fn options(input_len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = Some(input_len.max(1) + 1);
    budget.max_events = 200_000_000;
    budget.max_nodes = 100_000_000;
    budget.max_total_scalar_bytes = 1 << 30;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

impl Index {
    /// Parses an index in YAML or JSON.
    pub fn from_slice(bytes: &[u8]) -> Result<Index, IndexError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(IndexError::Empty);
        }
        let raw: RawIndex = serde_saphyr::from_slice_with_options(bytes, options(bytes.len()))
            .map_err(|e| IndexError::Parse(e.to_string()))?;
        Index::from_raw(raw)
    }

    /// Parses the index file at `path`. Files up to 16 MiB are read whole (parsing a slice is
    /// about 1.5x faster); larger ones stream through the parser, so memory stays near the
    /// size of the compact index (a 52 MB, 100 000-version index peaks at 68 MB RSS).
    pub fn load(path: &Path) -> Result<Index, IndexError> {
        Index::load_with(path, 16 << 20)
    }

    fn load_with(path: &Path, whole_up_to: u64) -> Result<Index, IndexError> {
        let read_err = |source| IndexError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let len = file.metadata().map_err(read_err)?.len();
        if len == 0 {
            return Err(IndexError::Empty);
        }
        if len <= whole_up_to {
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            std::io::Read::read_to_end(&mut std::io::BufReader::new(file), &mut bytes)
                .map_err(read_err)?;
            return Index::from_slice(&bytes);
        }
        let reader = std::io::BufReader::with_capacity(64 * 1024, file);
        let raw: RawIndex = serde_saphyr::from_reader_with_options(
            reader,
            options(usize::try_from(len).unwrap_or(usize::MAX - 1)),
        )
        .map_err(|e| IndexError::Parse(e.to_string()))?;
        Index::from_raw(raw)
    }

    fn from_raw(raw: RawIndex) -> Result<Index, IndexError> {
        let api_version = raw
            .api_version
            .filter(|v| !v.is_empty())
            .ok_or(IndexError::NoApiVersion)?;
        let mut entries = BTreeMap::new();
        for (chart, versions) in raw.entries.unwrap_or_default() {
            let mut kept: Vec<ChartVersion> = versions
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .filter_map(validate)
                .collect();
            sort_newest_first(&mut kept);
            entries.insert(chart, kept);
        }
        Ok(Index {
            api_version,
            entries,
        })
    }

    /// Chart names, in order.
    pub fn charts(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// A chart's valid versions, newest first.
    pub fn versions(&self, chart: &str) -> Option<&[ChartVersion]> {
        self.entries.get(chart).map(Vec::as_slice)
    }

    /// Number of chart versions over all charts.
    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The version of `chart` that `version` selects, as Flux's source-controller selects it:
    /// an exact string match first; then, with `version` empty or `*`, the latest stable
    /// version; otherwise the highest version satisfying the Masterminds constraint (which
    /// admits pre-releases only when the constraint names one). Versions must have three
    /// dot-separated parts (a leading `v` is allowed). Equal versions (differing in build
    /// metadata only) are ordered by `created`, the latest winning.
    pub fn get(&self, chart: &str, version: &str) -> Result<&ChartVersion, SelectError> {
        let versions = self
            .entries
            .get(chart)
            .ok_or_else(|| SelectError::NoChart {
                chart: chart.to_string(),
            })?;
        if versions.is_empty() {
            return Err(SelectError::NoVersions {
                chart: chart.to_string(),
            });
        }
        let version = version.trim();
        if !version.is_empty()
            && let Some(exact) = versions.iter().find(|cv| cv.version == version)
        {
            return Ok(exact);
        }
        let text = if version.is_empty() { "*" } else { version };
        let constraint = Constraints::parse(text).map_err(|e| SelectError::Constraint {
            chart: chart.to_string(),
            constraint: version.to_string(),
            reason: e.to_string(),
        })?;
        let mut best: Option<(Version, Option<i128>, &ChartVersion)> = None;
        for cv in versions {
            let Some(v) = flux_version(&cv.version) else {
                continue;
            };
            if !constraint.check(&v) {
                continue;
            }
            let created = cv.created_nanos();
            let better = match &best {
                None => true,
                Some((bv, bc, _)) => match v.cmp(bv) {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Equal => created > *bc,
                },
            };
            if better {
                best = Some((v, created, cv));
            }
        }
        best.map(|(_, _, cv)| cv)
            .ok_or_else(|| SelectError::NoMatch {
                chart: chart.to_string(),
                constraint: version.to_string(),
            })
    }
}

/// fluxcd/pkg `version.ParseVersion`: three dot-separated parts, then Masterminds parsing.
fn flux_version(s: &str) -> Option<Version> {
    if s.splitn(3, '.').count() != 3 {
        return None;
    }
    Version::parse(s).ok()
}

/// Helm's metadata validation, as far as an index entry carries it.
fn validate(raw: RawVersion) -> Option<ChartVersion> {
    let name = raw.name.filter(|n| !n.is_empty())?;
    // Go's filepath.Base(name) == name: no separator, not only slashes.
    if name.contains('/') {
        return None;
    }
    let version = raw.version.filter(|v| !v.is_empty())?;
    Version::parse(&version).ok()?;
    let chart_type = raw.chart_type.filter(|t| !t.is_empty());
    if let Some(t) = &chart_type
        && t != "application"
        && t != "library"
    {
        return None;
    }
    Some(ChartVersion {
        name,
        version,
        app_version: raw.app_version,
        api_version: raw
            .api_version
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "v1".to_string()),
        digest: raw.digest,
        urls: raw.urls.unwrap_or_default(),
        created: raw.created,
        deprecated: raw.deprecated.unwrap_or(false),
        chart_type,
    })
}

/// Helm's `SortEntries`: `sort.Sort(sort.Reverse(versions))` by semver, with Go's own unstable
/// sort, so that versions equal under semver (`1.0.0+a`, `1.0.0+b`, `v1.0.0`) keep the order
/// source-controller gives them (its HelmChart reads the sorted JSON artifact; sorting that
/// again changes nothing).
fn sort_newest_first(versions: &mut Vec<ChartVersion>) {
    let mut keyed: Vec<(Option<Version>, ChartVersion)> = std::mem::take(versions)
        .into_iter()
        .map(|cv| (Version::parse(&cv.version).ok(), cv))
        .collect();
    // Less(i, j) of the reversed list is Less(j, i): j's version below i's; a version that does
    // not parse is "less" than any (validation leaves none).
    super::index_json::go_sort(&mut keyed, &|a, b| match (&b.0, &a.0) {
        (Some(x), Some(y)) => x < y,
        (None, _) => true,
        (Some(_), None) => false,
    });
    versions.extend(keyed.into_iter().map(|(_, cv)| cv));
}

/// RFC 3339 (`2024-01-02T03:04:05.123Z`, `…+02:00`) as nanoseconds since the Unix epoch.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i128> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i128 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = s.get(start..i)?;
        if digits.is_empty() {
            return None;
        }
        let mut frac = digits.chars().take(9).collect::<String>();
        while frac.len() < 9 {
            frac.push('0');
        }
        nanos = frac.parse().ok()?;
    }
    let offset_secs: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
            let h = num(i + 1..i + 3)?;
            let m = num(i + 4..i + 6)?;
            let o = h * 3600 + m * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
    Some(i128::from(secs) * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"apiVersion: v1
entries:
  podinfo:
  - apiVersion: v2
    appVersion: 6.0.0
    created: "2023-01-01T00:00:00Z"
    description: A chart
    digest: aaa
    maintainers:
    - name: someone
    name: podinfo
    urls:
    - https://charts.example.com/podinfo-6.0.0.tgz
    version: 6.0.0
  - name: podinfo
    version: 6.1.0-rc.1
    urls: [podinfo-6.1.0-rc.1.tgz]
    created: 2023-03-01T00:00:00Z
  - name: podinfo
    version: 5.2.1
    urls: [podinfo-5.2.1.tgz]
    created: 2022-03-01T00:00:00Z
  - name: podinfo
    version: "6.0"
    urls: [two-parts.tgz]
  - name: podinfo
    version: not-semver
  - version: 9.9.9
  - name: bad/name
    version: 9.9.9
  - name: podinfo
    version: 9.9.9
    type: plugin
  meta:
  - name: meta
    version: 1.0.0+build.1
    created: "2023-01-01T00:00:00Z"
    urls: [old.tgz]
  - name: meta
    version: 1.0.0+build.2
    created: "2023-02-01T00:00:00.5+01:00"
    urls: [new.tgz]
  empty: []
generated: "2023-03-01T00:00:00Z"
serverInfo: {}
"#;

    fn index() -> Index {
        Index::from_slice(INDEX.as_bytes()).unwrap()
    }

    #[test]
    fn parses_keeps_valid_versions_newest_first() {
        let i = index();
        assert_eq!(i.api_version, "v1");
        assert_eq!(i.charts().collect::<Vec<_>>(), ["empty", "meta", "podinfo"]);
        let versions: Vec<&str> = i
            .versions("podinfo")
            .unwrap()
            .iter()
            .map(|v| v.version.as_str())
            .collect();
        assert_eq!(versions, ["6.1.0-rc.1", "6.0.0", "6.0", "5.2.1"]);
        let v = &i.versions("podinfo").unwrap()[1];
        assert_eq!(v.app_version.as_deref(), Some("6.0.0"));
        assert_eq!(v.api_version, "v2");
        assert_eq!(v.digest.as_deref(), Some("aaa"));
        assert_eq!(v.urls, ["https://charts.example.com/podinfo-6.0.0.tgz"]);
        assert_eq!(i.versions("podinfo").unwrap()[0].api_version, "v1");
        assert_eq!(i.len(), 6);
    }

    #[test]
    fn selection_follows_flux() {
        let i = index();
        let get = |v: &str| i.get("podinfo", v).map(|cv| cv.version.clone());
        // Latest stable for empty and "*".
        assert_eq!(get("").unwrap(), "6.0.0");
        assert_eq!(get("*").unwrap(), "6.0.0");
        // Ranges; pre-releases only when the constraint names one.
        assert_eq!(get("<6").unwrap(), "5.2.1");
        assert_eq!(get(">=6.1.0-0").unwrap(), "6.1.0-rc.1");
        assert_eq!(get("~5.2").unwrap(), "5.2.1");
        // Exact string match first, even for a version a constraint would not pick.
        assert_eq!(get("6.1.0-rc.1").unwrap(), "6.1.0-rc.1");
        assert_eq!(get("6.0").unwrap(), "6.0");
        assert_eq!(
            get("7.x").unwrap_err(),
            SelectError::NoMatch {
                chart: "podinfo".into(),
                constraint: "7.x".into()
            }
        );
        assert!(matches!(
            get(">>1").unwrap_err(),
            SelectError::Constraint { .. }
        ));
        assert!(matches!(
            i.get("nope", "*").unwrap_err(),
            SelectError::NoChart { .. }
        ));
        assert!(matches!(
            i.get("empty", "*").unwrap_err(),
            SelectError::NoVersions { .. }
        ));
    }

    #[test]
    fn two_part_versions_only_match_exactly() {
        let i = index();
        // "6.0" has two parts: Flux's ParseVersion refuses it for ranges.
        assert_eq!(i.get("podinfo", "6.0.x").unwrap().version, "6.0.0");
    }

    #[test]
    fn build_metadata_ties_go_to_the_latest_created() {
        let i = index();
        assert_eq!(i.get("meta", "*").unwrap().urls, ["new.tgz"]);
        assert_eq!(i.get("meta", "1.0.0").unwrap().urls, ["new.tgz"]);
    }

    #[test]
    fn json_index_and_errors() {
        let json = br#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","urls":["a-1.0.0.tgz"]}]}}"#;
        let i = Index::from_slice(json).unwrap();
        assert_eq!(i.get("a", "").unwrap().urls, ["a-1.0.0.tgz"]);
        assert!(matches!(Index::from_slice(b""), Err(IndexError::Empty)));
        assert!(matches!(Index::from_slice(b"  \n"), Err(IndexError::Empty)));
        assert!(matches!(
            Index::from_slice(b"entries: {}\n"),
            Err(IndexError::NoApiVersion)
        ));
        assert!(matches!(
            Index::from_slice(b"apiVersion: v1\nentries: [1, 2]\n"),
            Err(IndexError::Parse(_))
        ));
        assert!(matches!(
            Index::from_slice(b"apiVersion: v1\nentries: {\n"),
            Err(IndexError::Parse(_))
        ));
        // No entries at all is a valid, empty index.
        assert!(Index::from_slice(b"apiVersion: v1\n").unwrap().is_empty());
    }

    #[test]
    fn load_streams_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("index.yaml");
        std::fs::write(&p, INDEX).unwrap();
        assert_eq!(Index::load(&p).unwrap(), index());
        assert_eq!(Index::load_with(&p, 0).unwrap(), index(), "streamed");
        std::fs::write(&p, "").unwrap();
        assert!(matches!(Index::load(&p), Err(IndexError::Empty)));
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(1_500_000_000));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00Z"),
            Some(951_868_800 * 1_000_000_000)
        );
        assert_eq!(parse_rfc3339("2000-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2000-01-01T00:00:00"), None);
    }
}
