//! `helm lint`: the checks Helm v4.3.1 runs on a chart (Chart.yaml, values and their schema,
//! the templates rendered in lint mode and each manifest they give, vendored dependencies,
//! CRDs), with its messages, severities and order, and the report `helm lint` prints.
//!
//! Entry point: [`lint`]. Rules live in `chartfile` (Chart.yaml), `templates` (rendering and
//! manifests) and here (values, dependencies, CRDs); `k8s` reads manifests as apimachinery
//! does; `urls` holds govalidator's e-mail and URL checks.

mod chartfile;
mod deprecated_apis;
pub mod k8s;
mod templates;
mod urls;

use crate::objects::KubeVersion;
use crate::yaml::Values;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How serious a finding is (`support.*Sev`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info = 1,
    Warning = 2,
    Error = 3,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: `[SEVERITY] path: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub path: String,
    pub text: String,
}

/// The findings of one chart, in the order the rules made them, and what rendering logged.
#[derive(Default, Debug)]
struct Linter {
    messages: Vec<Message>,
    logs: Vec<String>,
}

impl Linter {
    fn add(&mut self, severity: Severity, path: &str, text: impl Into<String>) {
        self.messages.push(Message {
            severity,
            path: path.to_string(),
            text: text.into(),
        });
    }
}

/// `helm lint`'s flags.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Warnings fail the chart too.
    pub strict: bool,
    /// Also lint every chart found under each chart's `charts/`.
    pub with_subcharts: bool,
    /// Print only charts with warnings or errors, and no INFO lines.
    pub quiet: bool,
    pub skip_schema_validation: bool,
    pub kube_version: Option<KubeVersion>,
    pub namespace: String,
    /// User-supplied values (`-f`, `--set`, … already merged).
    pub values: Values,
    /// `--debug`: Helm's `level=DEBUG` lines join the logs.
    pub debug: bool,
}

/// What `helm lint` printed: stdout, the lines logged to stderr, and the error it exits with
/// (`N chart(s) linted, M chart(s) failed`) when a chart failed.
#[derive(Debug, Default)]
pub struct LintReport {
    pub stdout: String,
    pub logs: Vec<String>,
    pub error: Option<String>,
}

/// Lints each path (a chart directory or archive) as `helm lint PATH…` does.
pub fn lint(paths: &[String], o: &LintOptions) -> LintReport {
    let mut paths = paths.to_vec();
    if o.with_subcharts {
        let mut found = Vec::new();
        for p in &paths {
            walk_subcharts(&Path::new(p).join("charts"), &mut found);
        }
        paths.extend(found);
    }
    let mut report = LintReport::default();
    let (mut failed, mut noisy) = (0, 0);
    let tolerance = if o.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    for path in &paths {
        let (messages, fatal) = match lint_chart(path, o, &mut report.logs) {
            Ok(m) => (m, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let errors = fatal.is_some() || messages.iter().any(|m| m.severity >= tolerance);
        let warned = errors || messages.iter().any(|m| m.severity > Severity::Info);
        if warned {
            noisy += 1;
        }
        if errors {
            failed += 1;
        }
        if o.quiet && !warned {
            continue;
        }
        let out = &mut report.stdout;
        let _ = writeln!(out, "==> Linting {path}");
        if let Some(e) = &fatal {
            let _ = writeln!(out, "Error {e}");
        }
        for m in &messages {
            if !o.quiet || m.severity > Severity::Info {
                let _ = writeln!(out, "[{}] {}: {}", m.severity.label(), m.path, m.text);
            }
        }
        out.push('\n');
    }
    let summary = format!("{} chart(s) linted, {failed} chart(s) failed", paths.len());
    if failed > 0 {
        report.error = Some(summary);
    } else if !o.quiet || noisy > 0 {
        report.stdout.push_str(&summary);
        report.stdout.push('\n');
    }
    report
}

/// `filepath.Walk` of `charts/`: every directory holding a `Chart.yaml`, every `.tgz` and
/// `.tar.gz`, in lexical order.
fn walk_subcharts(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let shown = p.to_string_lossy().into_owned();
        if name == "Chart.yaml" {
            out.push(dir.to_string_lossy().into_owned());
        } else if shown.ends_with(".tgz") || shown.ends_with(".tar.gz") {
            out.push(shown);
        }
        if p.is_dir() {
            walk_subcharts(&p, out);
        }
    }
}

/// One chart (`action.lintChart`): an archive is unpacked first; a path without Chart.yaml is
/// an error that stops this chart's linting.
fn lint_chart(path: &str, o: &LintOptions, logs: &mut Vec<String>) -> Result<Vec<Message>, String> {
    let unpacked;
    let dir = if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        unpacked = unpack(Path::new(path))?;
        unpacked.1.clone()
    } else {
        PathBuf::from(path)
    };
    let chart_yaml = dir.join("Chart.yaml");
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        return Err(format!(
            "unable to check Chart.yaml file in chart: stat {}: {}",
            chart_yaml.display(),
            crate::values::go_io_error(&e)
        ));
    }
    let mut l = Linter::default();
    chartfile::lint(&mut l, &dir);
    values_rule(&mut l, &dir, o);
    templates::lint(&mut l, &dir, o);
    dependencies_rule(&mut l, &dir);
    crds_rule(&mut l, &dir);
    logs.append(&mut l.logs);
    Ok(l.messages)
}

/// An archive unpacked into a fresh temporary directory (removed when dropped), and the
/// chart directory inside it.
fn unpack(path: &Path) -> Result<(TempDir, PathBuf), String> {
    let extract = |e: String| format!("unable to extract tarball: {e}");
    let data = std::fs::read(path).map_err(|e| {
        let (what, op) = match e.kind() {
            // Go opens a directory, then fails to read it.
            std::io::ErrorKind::IsADirectory => ("extract", "read"),
            _ => ("open", "open"),
        };
        format!(
            "unable to {what} tarball: {op} {}: {}",
            path.display(),
            crate::values::go_io_error(&e)
        )
    })?;
    let files = crate::chart::archive_files(&data).map_err(|e| extract(e.0))?;
    // `chartutil.Expand` reads the name from Chart.yaml: none is no name.
    let md = match files.iter().find(|f| f.name == "Chart.yaml") {
        Some(chart_yaml) => crate::chart::read_chart_yaml(&chart_yaml.data).map_err(extract)?,
        None => return Err(extract("chart name not specified".into())),
    };
    // `chartutil.Expand` names the directory after the chart, and so needs a usable name.
    match md.name.as_str() {
        "" => return Err(extract("chart name not specified".into())),
        n @ ("." | "..") => return Err(extract(format!("chart name {n:?} is not allowed"))),
        n if n.contains('/') => {
            return Err(extract(format!(
                "chart name {n:?} must not contain path separators"
            )));
        }
        _ => {}
    }
    let tmp = TempDir::new()?;
    let dir = tmp.0.join(&md.name);
    for f in &files {
        let target = dir.join(&f.name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| extract(e.to_string()))?;
        }
        std::fs::write(&target, &f.data).map_err(|e| extract(e.to_string()))?;
    }
    Ok((tmp, dir))
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let base = std::env::temp_dir();
        for n in 0..1000u32 {
            let p = base.join(format!("helm-lint{}-{n}", std::process::id()));
            if std::fs::create_dir(&p).is_ok() {
                return Ok(TempDir(p));
            }
        }
        Err("unable to create temp dir to extract tarball".into())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `rules.ValuesWithOverrides`: values.yaml, with the user's values over it, against
/// values.schema.json.
fn values_rule(l: &mut Linter, dir: &Path, o: &LintOptions) {
    const FILE: &str = "values.yaml";
    let path = dir.join(FILE);
    if std::fs::metadata(&path).is_err() {
        l.add(Severity::Info, FILE, "file does not exist");
        return;
    }
    let values = match std::fs::read(&path) {
        Ok(d) => read_values(&String::from_utf8_lossy(&d)),
        Err(e) => Err(format!(
            "read {}: {}",
            path.display(),
            crate::values::go_io_error(&e)
        )),
    };
    let values = match values {
        Ok(v) => v,
        Err(e) => {
            l.add(Severity::Error, FILE, format!("unable to parse YAML: {e}"));
            return;
        }
    };
    let mut merged = o.values.clone();
    crate::coalesce::coalesce_tables_logged(&mut merged, values, "", false, &mut l.logs);
    let schema = std::fs::read(dir.join("values.schema.json")).unwrap_or_default();
    if schema.is_empty() || o.skip_schema_validation {
        return;
    }
    if o.debug {
        l.logs.extend(crate::schema::schema_debug_line(&schema));
    }
    if let Err(e) = crate::schema::validate_single(&merged, &schema) {
        l.add(Severity::Error, FILE, e);
    }
}

/// `common.ReadValuesFile`: one document, read into `common.Values`.
fn read_values(text: &str) -> Result<Values, String> {
    match crate::yaml::parse_untyped(text)
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?
    {
        serde_json::Value::Null => Ok(Values::new()),
        serde_json::Value::Object(m) => Ok(m),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type common.Values",
            crate::yaml::json_kind(&other)
        )),
    }
}

/// `rules.Dependencies`: the vendored subcharts against Chart.yaml's list. Helm names the
/// chart by its absolute path here.
fn dependencies_rule(l: &mut Linter, dir: &Path) {
    let chart = match crate::chart::load_v2_logged(dir, &mut l.logs) {
        Ok(c) => c,
        Err(e) => {
            l.add(
                Severity::Error,
                "",
                format!("unable to load chart\n\t{}", e.0),
            );
            return;
        }
    };
    let at = crate::chart_dir::go_abs(dir).to_string_lossy().into_owned();
    let declared: Vec<&crate::chart::Dependency> =
        chart.metadata.dependencies.iter().flatten().collect();
    let undeclared: Vec<&str> = chart
        .dependencies
        .iter()
        .map(|d| d.name())
        .filter(|n| !declared.iter().any(|d| d.name == *n))
        .collect();
    if !undeclared.is_empty() {
        l.add(
            Severity::Error,
            &at,
            format!(
                "chart metadata is missing these dependencies: {}",
                undeclared.join(",")
            ),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut shadowing: Vec<&str> = Vec::new();
    for d in &declared {
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if seen.contains(&key.as_str()) {
            shadowing.push(key);
        }
        seen.push(key);
    }
    if !shadowing.is_empty() {
        l.add(
            Severity::Error,
            &at,
            format!(
                "multiple dependencies with name or alias: {}",
                shadowing.join(",")
            ),
        );
    }
    let missing: Vec<&str> = declared
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| !chart.dependencies.iter().any(|c| c.name() == *n))
        .collect();
    if !missing.is_empty() {
        l.add(
            Severity::Warning,
            &at,
            format!(
                "chart directory is missing these dependencies: {}",
                missing.join(",")
            ),
        );
    }
}

/// `rules.Crds`: each CRD file (this chart's and its subcharts') holds only
/// CustomResourceDefinitions of `apiextensions.k8s.io`.
fn crds_rule(l: &mut Linter, dir: &Path) {
    const DIR: &str = "crds/";
    let path = dir.join("crds");
    let Ok(meta) = std::fs::metadata(&path) else {
        return;
    };
    if !meta.is_dir() {
        l.add(Severity::Error, DIR, "not a directory");
        return;
    }
    let chart = match crate::chart::load_v2_logged(dir, &mut l.logs) {
        Ok(c) => c,
        Err(e) => {
            l.add(Severity::Error, DIR, e.0);
            return;
        }
    };
    for (name, data) in chart.crd_objects() {
        for doc in k8s::decode_all(&String::from_utf8_lossy(&data)) {
            match doc {
                Err(e) => {
                    l.add(Severity::Error, &name, format!("unable to parse YAML: {e}"));
                    return;
                }
                Ok(None) => {}
                Ok(Some(h)) => {
                    if !h.api_version.starts_with("apiextensions.k8s.io") {
                        l.add(
                            Severity::Error,
                            &name,
                            "apiVersion is not in 'apiextensions.k8s.io'",
                        );
                    }
                    if h.kind != "CustomResourceDefinition" {
                        l.add(
                            Severity::Error,
                            &name,
                            "object kind is not 'CustomResourceDefinition'",
                        );
                    }
                }
            }
        }
    }
}
