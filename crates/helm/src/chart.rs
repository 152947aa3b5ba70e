//! Chart types and loading from a directory or a `.tgz`, as Helm's v2 loader does.

use crate::ignore::Rules;
use crate::yaml::{self, Values};
use serde::{Deserialize, Deserializer};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Helm's per-file and per-chart size limits for archives.
const MAX_CHART: u64 = 100 * 1024 * 1024;

/// A file of a chart, named relative to the chart root with `/`.
#[derive(Clone, Debug)]
pub struct File {
    pub name: String,
    pub data: crate::file_data::FileData,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Maintainer {
    #[serde(deserialize_with = "go_string")]
    pub name: String,
    #[serde(deserialize_with = "go_string")]
    pub email: String,
    #[serde(deserialize_with = "go_string")]
    pub url: String,
}

/// `Chart.yaml` (and a v1 chart's `requirements.yaml` dependencies).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Metadata {
    #[serde(deserialize_with = "go_string")]
    pub name: String,
    #[serde(deserialize_with = "go_string")]
    pub home: String,
    #[serde(deserialize_with = "go_strings")]
    pub sources: Vec<String>,
    #[serde(deserialize_with = "go_string")]
    pub version: String,
    #[serde(deserialize_with = "go_string")]
    pub description: String,
    #[serde(deserialize_with = "go_strings")]
    pub keywords: Vec<String>,
    #[serde(deserialize_with = "maintainers")]
    pub maintainers: Vec<Option<Maintainer>>,
    #[serde(deserialize_with = "go_string")]
    pub icon: String,
    #[serde(rename = "apiVersion", deserialize_with = "go_string")]
    pub api_version: String,
    #[serde(deserialize_with = "go_string")]
    pub condition: String,
    #[serde(deserialize_with = "go_string")]
    pub tags: String,
    #[serde(rename = "appVersion", deserialize_with = "go_string")]
    pub app_version: String,
    pub deprecated: bool,
    #[serde(deserialize_with = "annotations")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(rename = "kubeVersion", deserialize_with = "go_string")]
    pub kube_version: String,
    #[serde(deserialize_with = "dependencies")]
    pub dependencies: Vec<Option<Dependency>>,
    #[serde(rename = "type", deserialize_with = "go_string")]
    pub chart_type: String,
}

/// One entry of `dependencies:`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Dependency {
    #[serde(deserialize_with = "go_string")]
    pub name: String,
    #[serde(deserialize_with = "go_string")]
    pub version: String,
    #[serde(deserialize_with = "go_string")]
    pub repository: String,
    #[serde(deserialize_with = "go_string")]
    pub condition: String,
    #[serde(deserialize_with = "go_strings")]
    pub tags: Vec<String>,
    pub enabled: bool,
    #[serde(rename = "import-values")]
    pub import_values: Vec<J>,
    #[serde(deserialize_with = "go_string")]
    pub alias: String,
}

/// A loaded chart with its vendored dependencies.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub metadata: Metadata,
    pub values: Values,
    /// `values.yaml` as written (what `helm show values` prints).
    pub values_raw: Option<Arc<[u8]>>,
    pub schema: Option<Arc<[u8]>>,
    pub templates: Vec<File>,
    /// Every other file (what `.Files` serves), `crds/` included.
    pub files: Vec<File>,
    pub dependencies: Vec<Chart>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }

    /// Files under `crds/` with a manifest extension, this chart's first, then each
    /// dependency's, named by their full path (`parent/charts/sub/crds/x.yaml`).
    pub fn crd_files(&self, full_path: &str) -> Vec<(String, crate::file_data::FileData)> {
        self.crds_named(
            &|chart_path, name| format!("{chart_path}/{name}"),
            full_path,
        )
    }

    /// The same files named within their own chart (`crds/x.yaml`), as Helm's `CRDObjects`
    /// names them.
    pub fn crd_objects(&self) -> Vec<(String, crate::file_data::FileData)> {
        self.crds_named(&|_, name| name.to_string(), self.name())
    }

    fn crds_named(
        &self,
        name_of: &dyn Fn(&str, &str) -> String,
        full_path: &str,
    ) -> Vec<(String, crate::file_data::FileData)> {
        let mut out = Vec::new();
        for f in &self.files {
            if f.name.starts_with("crds/") && has_manifest_extension(&f.name) {
                out.push((name_of(full_path, &f.name), f.data.clone()));
            }
        }
        for d in &self.dependencies {
            out.extend(d.crds_named(name_of, &format!("{full_path}/charts/{}", d.name())));
        }
        out
    }
}

fn has_manifest_extension(name: &str) -> bool {
    matches!(
        Path::new(name).extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

// --- lenient strings: sigs.k8s.io/yaml turns a YAML number or bool into a string when the
// Go field is a string (so `version: 1.10` reads as "1.1", as in Helm).

pub(crate) fn scalar_to_go_string(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Bool(b) => Some(b.to_string()),
        J::Number(n) => Some(if let Some(i) = n.as_i64() {
            i.to_string()
        } else if let Some(u) = n.as_u64() {
            u.to_string()
        } else {
            go_float32_g(n.as_f64().unwrap_or(0.0))
        }),
        J::Null => Some(String::new()),
        _ => None,
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`.
fn go_float32_g(f: f64) -> String {
    ferroflux_goformat::float_g(f, true)
}

/// A value of the wrong kind: `chart_types::first_mismatch` reports these first, with Go's
/// paths, so this is only the decoder's own refusal.
fn wrong_kind<E: serde::de::Error>(v: &J, ty: &str) -> E {
    E::custom(format!(
        "json: cannot unmarshal {} into Go value of type {ty}",
        yaml::json_kind(v)
    ))
}

fn go_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = J::deserialize(d)?;
    scalar_to_go_string(&v).ok_or_else(|| wrong_kind(&v, "string"))
}

fn go_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match J::deserialize(d)? {
        J::Null => Ok(Vec::new()),
        J::Array(a) => a
            .iter()
            .map(|x| scalar_to_go_string(x).ok_or_else(|| wrong_kind(x, "string")))
            .collect(),
        other => Err(wrong_kind(&other, "[]string")),
    }
}

fn annotations<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    match J::deserialize(d)? {
        J::Null => Ok(None),
        J::Object(o) => o
            .into_iter()
            .map(|(k, x)| {
                scalar_to_go_string(&x)
                    .map(|s| (k, s))
                    .ok_or_else(|| wrong_kind(&x, "string"))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Some),
        other => Err(wrong_kind(&other, "map[string]string")),
    }
}

fn maintainers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<Maintainer>>, D::Error> {
    Option::<Vec<Option<Maintainer>>>::deserialize(d).map(Option::unwrap_or_default)
}

fn dependencies<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<Dependency>>, D::Error> {
    Option::<Vec<Option<Dependency>>>::deserialize(d).map(Option::unwrap_or_default)
}

/// Why a chart could not be loaded, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub String);

fn err(s: impl Into<String>) -> LoadError {
    LoadError(s.into())
}

/// Loads a chart from a directory or a `.tgz` file.
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    load_logged(path, &mut Vec::new())
}

/// [`load`], appending to `logs` the lines Helm's loader logs on the way (one per symbolic
/// link it follows), also when loading then fails.
pub fn load_logged(path: &Path, logs: &mut Vec<String>) -> Result<Chart, LoadError> {
    if is_dir(path)? {
        let chart_yaml = crate::chart_dir::go_abs(path).join("Chart.yaml");
        let data = std::fs::read(&chart_yaml).map_err(|e| {
            let op = if chart_yaml.is_dir() { "read" } else { "open" };
            err(format!(
                "unable to detect chart at {p}: {op} {p}: {}",
                crate::chart_dir::go_error_text(&e),
                p = chart_yaml.display()
            ))
        })?;
        let v3 = chart_format(&data)?;
        load_dir_logged(path, logs).and_then(|c| refuse_v3(c, v3))
    } else {
        load_top_archive(&read_archive(path)?, logs)
    }
}

/// Loads a chart as Helm's v2 loader does when called directly (`helm show`): whatever its
/// `apiVersion`, and with the loader's own words for a missing `Chart.yaml` or a bad archive.
pub fn load_v2(path: &Path) -> Result<Chart, LoadError> {
    load_v2_logged(path, &mut Vec::new())
}

/// [`load_v2`], appending what the loader logs to `logs`.
pub fn load_v2_logged(path: &Path, logs: &mut Vec<String>) -> Result<Chart, LoadError> {
    if is_dir(path)? {
        load_dir_logged(path, logs)
    } else {
        load_archive_logged(&read_archive(path)?, logs)
    }
}

fn is_dir(path: &Path) -> Result<bool, LoadError> {
    std::fs::metadata(path)
        .map(|m| m.is_dir())
        .map_err(|_| err(format!("path {:?} not found", path.display().to_string())))
}

/// A chart archive's bytes, refused as Helm refuses a file that is not gzipped.
fn read_archive(path: &Path) -> Result<Vec<u8>, LoadError> {
    let data = std::fs::read(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    if !data.starts_with(&[0x1f, 0x8b, 0x08]) {
        // Helm names the chart by the absolute path it located.
        let name = crate::chart_dir::go_abs(path).display().to_string();
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            return Err(err(format!(
                "file '{name}' seems to be a YAML file, but expected a gzipped archive"
            )));
        }
        return Err(err(format!(
            "file '{name}' does not appear to be a gzipped archive; got 'application/octet-stream'"
        )));
    }
    Ok(data)
}

/// Helm 4 reads `apiVersion` first to pick a loader: v1, v2 and none load as v2 charts, v3
/// charts (which `helm template` cannot install) as v3, anything else not at all. Whether
/// the chart is v3; a Chart.yaml that does not parse is left to the loader to report.
fn chart_format(chart_yaml: &[u8]) -> Result<bool, LoadError> {
    use serde_json::Value as J;
    let Ok(j) = crate::yaml::parse_untyped(&String::from_utf8_lossy(chart_yaml)) else {
        return Ok(false);
    };
    let json_kind = |v: &J| match v {
        J::Array(_) => "array",
        J::Object(_) => "object",
        J::String(_) => "string",
        J::Number(_) => "number",
        _ => "bool",
    };
    let cannot = |what: String| {
        err(format!(
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what}"
        ))
    };
    let m = match &j {
        J::Null => return Ok(false),
        J::Object(m) => m,
        other => {
            return Err(cannot(format!(
                "{} into Go value of type loader.chartBase",
                json_kind(other)
            )));
        }
    };
    match m.get("apiVersion") {
        None | Some(J::Null) => Ok(false),
        Some(J::String(v)) => match v.as_str() {
            "" | "v1" | "v2" => Ok(false),
            "v3" => Ok(true),
            _ => Err(err("unsupported chart version")),
        },
        // sigs.k8s.io/yaml turns a scalar into the string the field wants: never a known one.
        Some(J::Number(_) | J::Bool(_)) => Err(err("unsupported chart version")),
        Some(other) => Err(cannot(format!(
            "{} into Go struct field .apiVersion of type string",
            json_kind(other)
        ))),
    }
}

/// A v3 chart loads, but installing (and so `helm template`) refuses it.
fn refuse_v3(c: Chart, v3: bool) -> Result<Chart, LoadError> {
    if v3 {
        return Err(err("invalid chart apiVersion"));
    }
    Ok(c)
}

/// Loads a chart directory, honouring its `.helmignore`.
pub fn load_dir(dir: &Path) -> Result<Chart, LoadError> {
    load_dir_logged(dir, &mut Vec::new())
}

fn load_dir_logged(dir: &Path, logs: &mut Vec<String>) -> Result<Chart, LoadError> {
    let rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Rules::parse(&text).map_err(err)?,
        Err(_) => Rules::default(),
    }
    .with_defaults();
    let files = crate::chart_dir::read_tree(dir, &rules, MAX_CHART, logs)?;
    start_helpers_for(&files);
    load_files_logged(files, logs)
}

/// Starts the helper threads when the chart is big enough for rendering to map work over
/// them (see the `ferroflux_par::map` calls of the loader and engine): many templates, or
/// subchart archives whose contents are not counted yet. A small chart never maps, and a
/// thread start would be a twentieth of its whole run.
fn start_helpers_for(files: &[File]) {
    let templates = files
        .iter()
        .filter(|f| f.name.starts_with("templates/") || f.name.contains("/templates/"))
        .count();
    let archives = files
        .iter()
        .any(|f| f.name.starts_with("charts/") && f.name.ends_with(".tgz"));
    if templates >= 16 || archives {
        ferroflux_par::warm_up();
    }
}

/// Loads a chart from `.tgz` bytes (the first path component is the chart's directory).
pub fn load_archive(data: &[u8]) -> Result<Chart, LoadError> {
    load_archive_logged(data, &mut Vec::new())
}

/// A chart archive named on the command line: Helm 4 reads its `apiVersion` first.
fn load_top_archive(data: &[u8], logs: &mut Vec<String>) -> Result<Chart, LoadError> {
    // Helm 4's first pass over the archive drops the reason it could not be read.
    let files = archive_files(data).map_err(|_| err("unable to load chart archive"))?;
    let Some(chart_yaml) = files.iter().find(|f| f.name == "Chart.yaml") else {
        return Err(err("unable to detect chart version, no Chart.yaml found"));
    };
    let v3 = chart_format(&chart_yaml.data)?;
    start_helpers_for(&files);
    load_files_logged(files, logs).and_then(|c| refuse_v3(c, v3))
}

fn load_archive_logged(data: &[u8], logs: &mut Vec<String>) -> Result<Chart, LoadError> {
    load_files_logged(archive_files(data)?, logs)
}

/// A failure reading a chart archive in the words of Go's `compress/gzip` and `archive/tar`
/// (Helm's loader reads the tar stream inside the gzip stream).
fn archive_error(data: &[u8], e: &std::io::Error) -> LoadError {
    let text = e.to_string();
    let go = if data.is_empty() {
        "EOF"
    } else if text.contains("invalid gzip header") {
        "gzip: invalid header"
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof
        || text.contains("incomplete deflate stream")
        || text.contains("unexpected end of file")
    {
        "unexpected EOF"
    } else if text.contains("corrupt deflate stream") {
        "flate: corrupt input"
    } else if text.contains("failed to read entire block") {
        // A gzip stream whose content stops inside a tar block.
        "unexpected EOF"
    } else if text.contains("numeric field")
        || text.contains("checksum mismatch")
        || text.contains("when getting cksum")
    {
        "archive/tar: invalid tar header"
    } else {
        return err(text);
    };
    err(go)
}

/// The files of a chart archive, names relative to its top directory.
pub(crate) fn archive_files(data: &[u8]) -> Result<Vec<File>, LoadError> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut tar = tar::Archive::new(gz);
    let mut files = Vec::new();
    let mut remaining = MAX_CHART;
    let entries = tar.entries().map_err(|e| archive_error(data, &e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| archive_error(data, &e))?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).to_string();
        let delim = if raw.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw.split(delim).collect();
        let rest = parts[1..].join("/");
        if rest.starts_with('/') {
            return Err(err("chart illegally contains absolute paths"));
        }
        let name = ferroflux_goformat::path_clean(&rest);
        if name == "." {
            return Err(err(format!(
                "chart illegally contains content outside the base directory: {raw:?}"
            )));
        }
        if name.starts_with("..") {
            return Err(err("chart illegally references parent directory"));
        }
        // Mixed separators can still clean to a Windows drive path (`c:/…`).
        let b = name.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
            return Err(err("chart contains illegally named files"));
        }
        if parts[0] == "Chart.yaml" {
            return Err(err("chart yaml not in base directory"));
        }
        let size = entry.header().size().unwrap_or(0);
        if size > remaining {
            return Err(err(format!(
                "decompressed chart is larger than the maximum size {MAX_CHART}"
            )));
        }
        let mut buf = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(remaining)
            .read_to_end(&mut buf)
            .map_err(|e| archive_error(data, &e))?;
        remaining -= buf.len() as u64;
        files.push(File {
            name,
            data: crate::chart_dir::strip_bom(buf).into(),
        });
    }
    if files.is_empty() {
        return Err(err("no files in chart archive"));
    }
    Ok(files)
}

/// Several `Chart.yaml` files (an archive can hold two): Go decodes each over the same
/// struct, so a later file's keys replace the earlier ones' and the rest stay.
fn parse_chart_yamls(docs: &[&[u8]]) -> Result<Metadata, LoadError> {
    if let [one] = docs {
        return parse_metadata(one, None, "Chart.yaml");
    }
    let mut merged = serde_json::Map::new();
    for data in docs {
        if let J::Object(o) = chart_yaml_json(data, "Chart.yaml")? {
            merged.extend(o.into_iter().filter(|(_, v)| !v.is_null()));
        }
    }
    let text = serde_json::to_string(&merged).unwrap_or_default();
    parse_metadata(text.as_bytes(), None, "Chart.yaml")
}

fn chart_yaml_json(data: &[u8], what: &str) -> Result<J, LoadError> {
    let text = String::from_utf8_lossy(data);
    if text.trim().is_empty() {
        return Ok(J::Object(Default::default()));
    }
    yaml::parse_typed(&text).map_err(|e| {
        err(format!(
            "cannot load {what}: error converting YAML to JSON: {e}"
        ))
    })
}

/// Chart.yaml read as `chartutil.LoadChartfile` reads it (no validation), with its error
/// as Go words it.
pub(crate) fn read_chart_yaml(data: &[u8]) -> Result<Metadata, String> {
    parse_metadata(data, None, "Chart.yaml").map_err(|e| {
        e.0.strip_prefix("cannot load Chart.yaml: ")
            .unwrap_or(&e.0)
            .to_string()
    })
}

fn parse_metadata(data: &[u8], into: Option<Metadata>, what: &str) -> Result<Metadata, LoadError> {
    let mut j = match chart_yaml_json(data, what)? {
        J::Null => J::Object(Default::default()),
        j => j,
    };
    // Values of the wrong kind, as Go's decoder names the first (serde would name another).
    if let Some(mismatch) = crate::chart_types::first_mismatch(&j) {
        return Err(err(format!(
            "cannot load {what}: error unmarshaling JSON: while decoding JSON: {mismatch}"
        )));
    }
    crate::chart_types::as_go_decodes(&mut j);
    // requirements.yaml only contributes its dependencies to existing metadata.
    if let Some(base) = into {
        let deps: Metadata = serde_json::from_value(j)
            .map_err(|e| err(format!("cannot load {what}: error unmarshaling JSON: {e}")))?;
        let mut base = base;
        base.dependencies = deps.dependencies;
        return Ok(base);
    }
    let kind = match &mut j {
        J::Object(o) => {
            o.retain(|_, v| !v.is_null());
            None
        }
        J::Array(_) => Some("array"),
        J::String(_) => Some("string"),
        J::Number(_) => Some("number"),
        _ => Some("bool"),
    };
    // A Chart.yaml that is no mapping (reached when Helm's v2 loader is called directly, as
    // `helm show` does; `helm template` refuses it earlier, naming its own type).
    if let Some(kind) = kind {
        return Err(err(format!(
            "cannot load {what}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type v2.Metadata"
        )));
    }
    serde_json::from_value(j)
        .map_err(|e| err(format!("cannot load {what}: error unmarshaling JSON: {e}")))
}

/// Builds a chart from its files, as Helm's `LoadFiles`.
pub fn load_files(files: Vec<File>) -> Result<Chart, LoadError> {
    load_files_logged(files, &mut Vec::new())
}

/// [`load_files`], appending what Helm's loader logs on the way to `logs`.
fn load_files_logged(files: Vec<File>, logs: &mut Vec<String>) -> Result<Chart, LoadError> {
    let mut c = Chart::default();
    let mut have_meta = false;
    let chart_yamls: Vec<&[u8]> = files
        .iter()
        .filter(|f| f.name == "Chart.yaml")
        .map(|f| &*f.data)
        .collect();
    if !chart_yamls.is_empty() {
        c.metadata = parse_chart_yamls(&chart_yamls)?;
        if c.metadata.api_version.is_empty() {
            c.metadata.api_version = "v1".into();
        }
        have_meta = true;
    }
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        let name = f.name.as_str();
        match name {
            "Chart.yaml" | "Chart.lock" | "requirements.lock" => {
                if name == "requirements.lock" && c.metadata.api_version == "v1" {
                    c.files.push(f);
                }
            }
            "values.yaml" => {
                c.values = yaml::load_values_bytes(&f.data)
                    .map_err(|e| err(format!("cannot load values.yaml: {e}")))?;
                c.values_raw = Some(f.data.shared());
            }
            "values.schema.json" => c.schema = Some(f.data.shared()),
            "requirements.yaml" => {
                if c.metadata.api_version != "v1" {
                    logs.push(
                        "level=INFO msg=\"Warning: Dependencies are handled in Chart.yaml since apiVersion \\\"v2\\\". We recommend migrating dependencies to Chart.yaml.\"".into(),
                    );
                }
                let base = std::mem::take(&mut c.metadata);
                c.metadata = parse_metadata(&f.data, Some(base), "requirements.yaml")?;
                have_meta = true;
                if c.metadata.api_version == "v1" {
                    c.files.push(f);
                }
            }
            _ if name.starts_with("templates/") => c.templates.push(f),
            _ if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    c.files.push(f);
                    continue;
                }
                let rest = &name["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                subcharts.entry(cname).or_default().push(File {
                    name: rest.to_string(),
                    data: f.data,
                });
            }
            _ => c.files.push(f),
        }
    }
    if !have_meta {
        return Err(err("Chart.yaml file is missing"));
    }
    validate(&mut c.metadata)?;
    let subcharts: Vec<(String, Vec<File>)> = subcharts
        .into_iter()
        .filter(|(n, _)| !(n.starts_with('_') || n.starts_with('.')))
        .collect();
    let parent = c.name().to_string();
    // Subcharts are independent: an umbrella chart's are loaded on several threads.
    let loaded = ferroflux_par::map(&subcharts, 8, |(n, f)| {
        let mut sub_logs = Vec::new();
        let sc = load_subchart(&parent, n, f.clone(), &mut sub_logs);
        (sc, sub_logs)
    });
    for (sc, mut sub_logs) in loaded {
        logs.append(&mut sub_logs);
        c.dependencies.push(sc?);
    }
    Ok(c)
}

/// One entry of `charts/`: an archive or a directory's files.
fn load_subchart(
    parent: &str,
    n: &str,
    files: Vec<File>,
    logs: &mut Vec<String>,
) -> Result<Chart, LoadError> {
    let sc = if n.ends_with(".tgz") {
        let f = &files[0];
        if f.name != n {
            return Err(err(format!(
                "error unpacking subchart tar in {parent}: expected {n}, got {}",
                f.name
            )));
        }
        load_archive_logged(&f.data, logs)
    } else {
        let inner: Vec<File> = files
            .into_iter()
            .filter_map(|f| {
                f.name.split_once('/').map(|(_, rest)| File {
                    name: rest.to_string(),
                    data: f.data,
                })
            })
            .collect();
        load_files_logged(inner, logs)
    };
    sc.map_err(|e| err(format!("error unpacking subchart {n} in {parent}: {}", e.0)))
}

fn sanitize(s: &mut String) {
    if s.chars().all(|c| !c.is_whitespace() || c == ' ') && !s.chars().any(char::is_control) {
        return;
    }
    *s = s
        .chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect();
}

/// `semver.NewVersion` succeeds: Masterminds falls back to a looser reading that takes
/// leading zeros in the major, minor and patch numbers (`01.2.3`), not in a pre-release.
pub(crate) fn is_valid_semver(v: &str) -> bool {
    if ferroflux_versions::Version::parse(v).is_ok() {
        return true;
    }
    let (prefix, rest) = match v.strip_prefix('v') {
        Some(r) => ("v", r),
        None => ("", v),
    };
    let end = rest.find(['-', '+']).unwrap_or(rest.len());
    let (core, tail) = rest.split_at(end);
    let trimmed: Vec<&str> = core
        .split('.')
        .map(|n| {
            let t = n.trim_start_matches('0');
            if t.is_empty() && !n.is_empty() {
                "0"
            } else {
                t
            }
        })
        .collect();
    let again = format!("{prefix}{}{tail}", trimmed.join("."));
    again != v && ferroflux_versions::Version::parse(&again).is_ok()
}

fn validate(md: &mut Metadata) -> Result<(), LoadError> {
    let v = |m: &str| err(format!("validation: {m}"));
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        sanitize(s);
    }
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        sanitize(s);
    }
    if md.api_version.is_empty() {
        return Err(v("chart.metadata.apiVersion is required"));
    }
    if md.name.is_empty() {
        return Err(v("chart.metadata.name is required"));
    }
    if md.name == "." || md.name == ".." {
        return Err(v(&format!(
            "chart.metadata.name {:?} is not allowed",
            md.name
        )));
    }
    if md.name.contains('/') {
        return Err(v(&format!("chart.metadata.name {:?} is invalid", md.name)));
    }
    if md.version.is_empty() {
        return Err(v("chart.metadata.version is required"));
    }
    if !is_valid_semver(&md.version) {
        return Err(v(&format!(
            "chart.metadata.version {:?} is invalid",
            md.version
        )));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err(v("chart.metadata.type must be application or library"));
    }
    for m in &mut md.maintainers {
        let Some(m) = m else {
            return Err(v("maintainers must not contain empty or null nodes"));
        };
        sanitize(&mut m.name);
        sanitize(&mut m.email);
        sanitize(&mut m.url);
    }
    // `^[a-zA-Z0-9_-]+$`.
    let alias_ok = |a: &str| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let mut seen = std::collections::HashSet::new();
    for d in &mut md.dependencies {
        let Some(d) = d else {
            return Err(v("dependencies must not contain empty or null nodes"));
        };
        sanitize(&mut d.name);
        sanitize(&mut d.version);
        sanitize(&mut d.repository);
        sanitize(&mut d.condition);
        for t in &mut d.tags {
            sanitize(t);
        }
        if !d.alias.is_empty() && !alias_ok(&d.alias) {
            return Err(v(&format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            )));
        }
        let key = if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        };
        if !seen.insert(key.clone()) {
            return Err(v(&format!(
                "more than one dependency with name or alias {key:?}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, body: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
        std::fs::write(p, body).expect("write");
    }

    #[test]
    fn many_files_load_in_walk_order_and_the_first_failure_wins() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path();
        write(
            dir,
            "Chart.yaml",
            b"apiVersion: v2\nname: many\nversion: 1.0.0\n",
        );
        write(dir, ".helmignore", b"ignored/\n");
        for i in 0..40 {
            write(
                dir,
                &format!("templates/t{i:02}.yaml"),
                format!("n: {i}\n").as_bytes(),
            );
        }
        write(dir, "ignored/big.bin", b"skipped");
        let c = load_dir(dir).expect("loads");
        let names: Vec<&str> = c.templates.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), 40);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert_eq!(&*c.templates[7].data, b"n: 7\n");

        // Helm v4 has no limit per file (v3.17's 5 MiB is gone), only on the whole chart.
        let big = vec![b'#'; 6 << 20];
        write(dir, "templates/t20-big.yaml", &big);
        let c = load_dir(dir).expect("a 6 MiB template loads");
        assert!(c.templates.iter().any(|t| t.data.len() == 6 << 20));
    }

    /// Outputs of helm v4.3.1 on the same layout: each link followed is logged with both
    /// absolute paths; a link to nothing fails as `filepath.EvalSymlinks` does.
    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_followed_and_logged() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().canonicalize().expect("canonical");
        write(
            &dir,
            "Chart.yaml",
            b"apiVersion: v2\nname: links\nversion: 1.0.0\n",
        );
        write(&dir, "real/cm.yaml", b"kind: ConfigMap\n");
        write(&dir, "other/s.yaml", b"kind: Secret\n");
        std::fs::create_dir_all(dir.join("templates")).expect("dir");
        std::os::unix::fs::symlink("../real/cm.yaml", dir.join("templates/linked.yaml"))
            .expect("link");
        std::os::unix::fs::symlink(dir.join("other"), dir.join("templates/ext")).expect("link");
        let mut logs = Vec::new();
        let c = load_logged(&dir, &mut logs).expect("loads");
        let names: Vec<&str> = c.templates.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["templates/ext/s.yaml", "templates/linked.yaml"]);
        let d = dir.display();
        assert_eq!(
            logs,
            [
                format!(
                    "level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\" path={d}/templates/ext resolved={d}/other"
                ),
                format!(
                    "level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\" path={d}/templates/linked.yaml resolved={d}/real/cm.yaml"
                ),
            ]
        );
        std::os::unix::fs::symlink("nowhere", dir.join("templates/broken.yaml")).expect("link");
        let e = load_dir(&dir).expect_err("broken link");
        assert_eq!(
            e.0,
            format!(
                "error evaluating symlink {d}/templates/broken.yaml: lstat {d}/templates/nowhere: no such file or directory"
            )
        );
        // Go's EvalSymlinks names the first name it cannot find, `..` taken by name and
        // links inside the target followed (helm v4.3.1's wording).
        std::fs::remove_file(dir.join("templates/broken.yaml")).expect("rm");
        std::os::unix::fs::symlink("other", dir.join("hop")).expect("link");
        std::os::unix::fs::symlink("../hop/../../gone/deeper/f", dir.join("templates/far.yaml"))
            .expect("link");
        let e = load_dir(&dir).expect_err("broken link");
        let parent = dir.parent().expect("parent").display();
        assert_eq!(
            e.0,
            format!(
                "error evaluating symlink {d}/templates/far.yaml: lstat {parent}/gone: no such file or directory"
            )
        );
    }

    #[test]
    fn what_helm_4_reads_before_loading() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().canonicalize().expect("canonical");
        let e = load(&dir).expect_err("no Chart.yaml");
        let d = dir.display();
        assert_eq!(
            e.0,
            format!(
                "unable to detect chart at {d}/Chart.yaml: open {d}/Chart.yaml: no such file or directory"
            )
        );
        write(&dir, "templates/a.yaml", b"a: 1\n");
        for (api, error) in [
            ("v3", Some("invalid chart apiVersion")),
            ("v4", Some("unsupported chart version")),
            ("V2", Some("unsupported chart version")),
            ("v1", None),
            ("''", None),
        ] {
            write(
                &dir,
                "Chart.yaml",
                format!("apiVersion: {api}\nname: c\nversion: 1.0.0\n").as_bytes(),
            );
            assert_eq!(
                load(&dir).err().map(|e| e.0),
                error.map(String::from),
                "{api}"
            );
        }
        // Only the chart named is refused; its packaged subcharts load as they are.
        write(
            &dir,
            "Chart.yaml",
            b"apiVersion: v3\nname: c\nversion: 1.0.0\n",
        );
        let mut tgz = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let body = b"apiVersion: v3\nname: sub\nversion: 0.1.0\n";
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        tgz.append_data(&mut header, "sub/Chart.yaml", &body[..])
            .expect("tar");
        let tgz = tgz.into_inner().expect("tar").finish().expect("gz");
        write(&dir, "charts/sub-0.1.0.tgz", &tgz);
        assert_eq!(load(&dir).expect_err("v3").0, "invalid chart apiVersion");
        // A v2 chart with requirements.yaml: loaded, with Helm's advice logged.
        write(
            &dir,
            "Chart.yaml",
            b"apiVersion: v2\nname: c\nversion: 1.0.0\n",
        );
        write(&dir, "requirements.yaml", b"dependencies: []\n");
        let mut logs = Vec::new();
        load_logged(&dir, &mut logs).expect("loads");
        assert_eq!(
            logs,
            [
                "level=INFO msg=\"Warning: Dependencies are handled in Chart.yaml since apiVersion \\\"v2\\\". We recommend migrating dependencies to Chart.yaml.\""
            ]
        );
    }

    /// A `.tgz` of `(raw tar name, body)` entries, names written as given.
    fn raw_tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut tgz = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (name, body) in entries {
            let mut header = tar::Header::new_gnu();
            header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tgz.append(&header, *body).expect("tar");
        }
        tgz.into_inner().expect("tar").finish().expect("gz")
    }

    #[test]
    fn chart_yaml_is_read_for_its_api_version_as_helm_4_reads_it() {
        let e = |y: &str| chart_format(y.as_bytes()).err().map(|e| e.0);
        assert_eq!(e("apiVersion: v2\n"), None);
        assert_eq!(e("~\n"), None);
        assert_eq!(
            e("foo\n").unwrap(),
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type loader.chartBase"
        );
        assert!(
            e("- a\n")
                .unwrap()
                .ends_with("unmarshal array into Go value of type loader.chartBase")
        );
        assert_eq!(e("apiVersion: 2\n").unwrap(), "unsupported chart version");
        assert_eq!(
            e("apiVersion: true\n").unwrap(),
            "unsupported chart version"
        );
        assert!(
            e("apiVersion: [a]\n").unwrap().ends_with(
                "cannot unmarshal array into Go struct field .apiVersion of type string"
            )
        );
    }

    #[test]
    fn versions_take_leading_zeros_in_numbers_only() {
        for ok in [
            "01.2.3",
            "1.02.3",
            "00.0.0",
            "v01.2",
            "1.2.03-rc.1+01",
            "08",
        ] {
            assert!(is_valid_semver(ok), "{ok}");
        }
        for bad in ["1.2.3-01", "1.2.3.4", "0x1", "1..2", "-1", ""] {
            assert!(!is_valid_semver(bad), "{bad}");
        }
    }

    #[test]
    fn metadata_lists_and_maintainers_are_sanitized() {
        let mut md = parse_metadata(
            b"apiVersion: v2\nname: c\nversion: 1.0.0\nkeywords: [\"a\\tb\"]\nsources: [\"x\\u0081y\"]\nmaintainers:\n- name: \"\\r\"\n  email: \"e\\nf\"\n",
            None,
            "Chart.yaml",
        )
        .expect("parses");
        validate(&mut md).expect("valid");
        assert_eq!(md.keywords, ["a b"]);
        assert_eq!(md.sources, ["xy"]);
        let m = md.maintainers[0].as_ref().expect("maintainer");
        assert_eq!((m.name.as_str(), m.email.as_str()), (" ", "e f"));
    }

    #[test]
    fn archive_names_that_clean_to_a_drive_path_are_refused() {
        let chart = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";
        for odd in ["\\.\\c:\\\\foo", "/./c://foo"] {
            let tgz = raw_tgz(&[("c/Chart.yaml", chart), (odd, b"x")]);
            assert_eq!(
                archive_files(&tgz).err().map(|e| e.0).as_deref(),
                Some("chart contains illegally named files"),
                "{odd}"
            );
        }
    }

    #[test]
    fn a_chart_archive_named_on_the_command_line_hides_why_it_could_not_be_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        let chart = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";
        let tgz = raw_tgz(&[("c/Chart.yaml", chart), ("c/../../x", b"x")]);
        write(tmp.path(), "c.tgz", &tgz);
        assert_eq!(
            load(&tmp.path().join("c.tgz")).expect_err("refused").0,
            "unable to load chart archive"
        );
        // A second Chart.yaml (here from an entry with an empty first component) decodes
        // over the first: keys it lacks keep their values.
        let tgz = raw_tgz(&[
            ("c/Chart.yaml", chart),
            ("/Chart.yaml", b"description: d\n"),
        ]);
        write(tmp.path(), "two.tgz", &tgz);
        let c = load(&tmp.path().join("two.tgz")).expect("loads");
        assert_eq!((c.name(), c.metadata.description.as_str()), ("c", "d"));
    }

    #[cfg(unix)]
    #[test]
    fn an_irregular_file_is_refused_after_the_files_before_it_are_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path();
        write(
            dir,
            "Chart.yaml",
            b"apiVersion: v2\nname: fifo\nversion: 1.0.0\n",
        );
        let fifo = dir.join("templates/pipe");
        std::fs::create_dir_all(fifo.parent().expect("parent")).expect("dir");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        let e = load_dir(dir).expect_err("irregular");
        // Named by its absolute path, as Helm's walk of the absolute chart path names it.
        assert_eq!(
            e.0,
            format!(
                "cannot load irregular file {} as it has file mode type bits set",
                fifo.display()
            )
        );
    }

    #[test]
    fn go_float_strings() {
        assert_eq!(go_float32_g(1.10), "1.1");
        assert_eq!(go_float32_g(1.0), "1");
        assert_eq!(go_float32_g(2.5), "2.5");
        assert_eq!(go_float32_g(1e6), "1e+06");
    }

    #[test]
    fn numbers_in_chart_yaml_become_strings() {
        let md = parse_metadata(
            b"apiVersion: v2\nname: a\nversion: 1.2.3\nappVersion: 1.10\n",
            None,
            "Chart.yaml",
        )
        .unwrap();
        assert_eq!(md.app_version, "1.1");
    }
}
