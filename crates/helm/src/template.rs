//! `helm template`: the whole pipeline from a loaded chart and user values to the text Helm
//! prints, in the order Helm checks things (installable, dependencies vendored, release name,
//! dependency processing, values and schema, kubeVersion, render, sort, print).

use crate::chart::Chart;
use crate::coalesce::coalesce_values_logged;
use crate::deps::{is_compatible_range, process_dependencies_logged};
use crate::engine::{ReleaseOptions, render_then};
use crate::glob::path_match;
use crate::manifests::{ReadDocuments, read_documents, sort_read_manifests, split_manifests};
use crate::objects::{Capabilities, KubeVersion};
use crate::schema::validate_chart_traced;
use crate::yaml::Values;
use std::fmt::Write as _;

/// Flags of `helm template` that shape the output.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    pub release_name: String,
    pub namespace: String,
    /// User-supplied values (`-f`, `--set`, … already merged).
    pub values: Values,
    pub kube_version: Option<KubeVersion>,
    pub api_versions: Vec<String>,
    pub is_upgrade: bool,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub show_only: Vec<String>,
    pub skip_schema_validation: bool,
    /// `--debug`: the `level=DEBUG` lines Helm logs while rendering join the logs.
    pub debug: bool,
}

/// Why `helm template` failed, worded as Helm words it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub message: String,
    /// What Helm logs (slog text format) before it prints the error, if anything.
    pub log: Option<String>,
    /// The failure happened while rendering (Helm then suggests `--debug`).
    pub during_render: bool,
    /// When a manifest was not valid YAML: every rendered file, as `helm --debug` prints
    /// them then (`---`, `# Source: …`, the text).
    pub rendered: Option<String>,
}

fn fail(message: impl Into<String>) -> TemplateError {
    TemplateError {
        message: message.into(),
        log: None,
        during_render: false,
        rendered: None,
    }
}

/// The rendered files as `helm --debug` prints them after a YAML error (Helm's order is a
/// Go map's, random; ours is the rendering order).
fn debug_dump(files: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (name, text) in files {
        if name.ends_with("NOTES.txt") || text.trim().is_empty() {
            continue;
        }
        let _ = writeln!(out, "---\n# Source: {name}\n{text}");
    }
    out
}

fn render_fail(message: impl Into<String>) -> TemplateError {
    TemplateError {
        message: message.into(),
        log: None,
        during_render: true,
        rendered: None,
    }
}

/// An error Helm also logs at ERROR level as `msg` with the cause as `error`.
fn logged_fail(msg: &str, cause: String) -> TemplateError {
    TemplateError {
        message: format!("{msg}: {cause}"),
        log: Some(format!(
            "level=ERROR msg={} error={}",
            ferroflux_gotemplate::fmt::go_quote(msg),
            ferroflux_gotemplate::fmt::go_quote(&cause)
        )),
        during_render: false,
        rendered: None,
    }
}

/// `ValidateReleaseName`.
fn validate_release_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("no name provided".into());
    }
    // Labels of lower-case letters, digits and inner hyphens, joined by dots.
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if name.len() > 53 || !name.split('.').all(label_ok) {
        return Err(format!(
            "invalid release name, must match regex {RELEASE_NAME_PATTERN} and the length must not be longer than 53"
        ));
    }
    Ok(())
}

/// Helm's release name pattern, quoted in its error.
const RELEASE_NAME_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// The rendered release before it is printed.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// CRDs (with `--include-crds`) and manifests, each as `---\n# Source: …\n…\n`.
    pub manifest: String,
    /// Hooks in kind order, with their source path.
    pub hooks: Vec<crate::manifests::Hook>,
    pub notes: String,
    /// Lines Helm logs to stderr while rendering (slog text format), in order.
    pub logs: Vec<String>,
}

/// A template's output as the rest of the pipeline takes it.
enum Output {
    /// A NOTES.txt: printed by `helm install` for the top chart only, never a manifest.
    Notes(String),
    Documents(ReadDocuments),
}

/// `action.CheckDependencies`: the dependencies `Chart.yaml` names that `charts/` lacks.
pub(crate) fn missing_dependencies(chart: &Chart) -> Vec<String> {
    chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.clone())
        .collect()
}

/// Renders a chart as `helm install --dry-run` would, without printing.
pub fn render_release(chart: Chart, o: &TemplateOptions) -> Result<Rendered, TemplateError> {
    let mut logs = Vec::new();
    match render_logging(chart, o, &mut logs) {
        Ok(mut r) => {
            r.logs = logs;
            Ok(r)
        }
        Err(mut e) => {
            // What was logged before the failure comes before the failure's own line.
            logs.extend(e.log.take());
            e.log = (!logs.is_empty()).then(|| logs.join("\n"));
            Err(e)
        }
    }
}

fn render_logging(
    mut chart: Chart,
    o: &TemplateOptions,
    logs: &mut Vec<String>,
) -> Result<Rendered, TemplateError> {
    match chart.metadata.chart_type.as_str() {
        "" | "application" => {}
        t => return Err(fail(format!("{t} charts are not installable"))),
    }
    if chart.metadata.deprecated {
        logs.push("level=WARN msg=\"this chart is deprecated\"".into());
    }
    let missing = missing_dependencies(&chart);
    if !missing.is_empty() {
        return Err(fail(format!(
            "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )));
    }
    validate_release_name(&o.release_name).map_err(|e| {
        logged_fail(
            "release name check failed",
            format!("release name {:?}: {e}", o.release_name),
        )
    })?;
    process_dependencies_logged(&mut chart, &o.values, logs)
        .map_err(|e| logged_fail("chart dependencies processing failed", e))?;
    let caps = Capabilities::new(o.kube_version.clone(), &o.api_versions);
    let release = ReleaseOptions {
        name: o.release_name.clone(),
        namespace: o.namespace.clone(),
        revision: 1,
        is_upgrade: o.is_upgrade,
        is_install: !o.is_upgrade,
    };
    let vals = coalesce_values_logged(&chart, &o.values, logs).map_err(fail)?;
    let validate = |logs: &mut Vec<String>| {
        validate_chart_traced(&chart, &vals, logs, o.debug).map_err(|e| {
            fail(format!(
                "values don't meet the specifications of the schema(s) in the following chart(s):\n{e}"
            ))
        })
    };
    let render = || {
        let kv = &chart.metadata.kube_version;
        if !kv.is_empty() && !is_compatible_range(kv, &caps.kube_version.normalized) {
            return Err(render_fail(format!(
                "chart requires kubeVersion: {kv} which is incompatible with Kubernetes {}",
                caps.kube_version.version
            )));
        }
        // Each output is split and its heads read where it was rendered; NOTES.txt is kept
        // whole.
        render_then(&chart, &vals, &release, &caps, false, &|name, out| {
            if name.ends_with("NOTES.txt") {
                Output::Notes(out)
            } else {
                Output::Documents(read_documents(name, &out))
            }
        })
        .map_err(render_fail)
    };
    // Values the quick check finds valid need no validator built, nor a thread to build it
    // on (Helm's debug lines of the walk are written by the full walk).
    let files =
        if o.skip_schema_validation || (!o.debug && crate::schema::surely_valid(&chart, &vals)) {
            render()?
        } else if schema_bytes(&chart) < BIG_SCHEMAS {
            validate(logs)?;
            render()?
        } else {
            // Big schemas take milliseconds to build: they are checked on a thread of their own
            // while the chart renders (rendering changes nothing), and their verdict comes first.
            let (checked, rendered) = std::thread::scope(|s| {
                let checking = s.spawn(|| {
                    let mut own = Vec::new();
                    (validate(&mut own), own)
                });
                let rendered = render();
                let checked = checking
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                (checked, rendered)
            });
            logs.extend(checked.1);
            checked.0?;
            rendered?
        };
    let notes_key = format!("{}/templates/NOTES.txt", chart.name());
    let mut notes = String::new();
    let mut read = Vec::with_capacity(files.len());
    for (name, file) in files {
        match file {
            Output::Notes(text) if name == notes_key => notes = text,
            Output::Notes(_) => {}
            Output::Documents(docs) => read.push((name, docs)),
        }
    }
    let (hooks, manifests) = sort_read_manifests(read, logs).map_err(|e| TemplateError {
        // `--debug` shows the files as rendered: rendered again, as text (the first
        // rendering was split into documents on the way).
        rendered: o
            .debug
            .then(|| render_then(&chart, &vals, &release, &caps, false, &|_, out| out).ok())
            .flatten()
            .map(|files| debug_dump(&files)),
        ..render_fail(e)
    })?;
    let mut b = String::new();
    if o.include_crds {
        for (name, data) in chart.crd_files(chart.name()) {
            let _ = writeln!(
                b,
                "---\n# Source: {name}\n{}",
                String::from_utf8_lossy(&data)
            );
        }
    }
    b.reserve(
        manifests
            .iter()
            .map(|m| m.path.len() + m.content.len() + 16)
            .sum(),
    );
    for m in &manifests {
        push_document(&mut b, &m.path, &m.content);
    }
    ferroflux_par::dispose((chart, vals, manifests));
    Ok(Rendered {
        manifest: b,
        hooks,
        notes,
        logs: Vec::new(),
    })
}

/// Appends `---`, the `# Source:` line and the manifest, as Helm prints each document.
fn push_document(out: &mut String, path: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(path);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// Schema text, over the whole chart tree, from which validating beside the rendering
/// saves more than starting a thread costs.
const BIG_SCHEMAS: usize = 32 << 10;

fn schema_bytes(chart: &Chart) -> usize {
    chart.schema.as_ref().map_or(0, |s| s.len())
        + chart.dependencies.iter().map(schema_bytes).sum::<usize>()
}

/// What `helm template NAME CHART [flags]` prints on success.
pub fn template(chart: Chart, o: &TemplateOptions) -> Result<String, TemplateError> {
    template_logged(chart, o).map(|(out, _)| out)
}

/// [`template`], with the lines Helm logs to stderr on the way (errors carry them in `log`).
pub fn template_logged(
    chart: Chart,
    o: &TemplateOptions,
) -> Result<(String, Vec<String>), TemplateError> {
    let mut r = render_release(chart, o)?;
    let logs = std::mem::take(&mut r.logs);
    let printed = print_release(&r, o, &logs);
    ferroflux_par::dispose(r);
    printed.map(|out| (out, logs))
}

/// What `helm template` prints of a rendered release: its manifests, then the hooks the flags
/// keep, narrowed to `--show-only`. `logs` are what a failure carries.
fn print_release(
    r: &Rendered,
    o: &TemplateOptions,
    logs: &[String],
) -> Result<String, TemplateError> {
    let hooks: Vec<_> = r
        .hooks
        .iter()
        // Hooks print unless --no-hooks; test hooks not with --skip-tests.
        .filter(|h| !(o.no_hooks || (o.skip_tests && h.is_test())))
        .collect();
    let mut out = String::with_capacity(
        r.manifest.len()
            + hooks
                .iter()
                .map(|h| h.manifest.path.len() + h.manifest.content.len() + 16)
                .sum::<usize>(),
    );
    out.push_str(r.manifest.trim());
    out.push('\n');
    for h in hooks {
        push_document(&mut out, &h.manifest.path, &h.manifest.content);
    }
    if o.show_only.is_empty() {
        return Ok(out);
    }
    show_only(&out, &o.show_only).map_err(|missing| {
        let mut err = fail(format!("could not find template {missing} in chart"));
        err.log = (!logs.is_empty()).then(|| logs.join("\n"));
        err
    })
}

/// The documents of printed manifests `out` that `--show-only`'s patterns pick, each as
/// `---\n<document>\n`; `Err` names the first pattern that picks none.
fn show_only(out: &str, patterns: &[String]) -> Result<String, String> {
    let docs = split_manifests(out);
    let source = regex::Regex::new("# Source: [^/]+/(.+)").expect("static regex");
    let mut picked = Vec::new();
    for f in patterns {
        let f = f.replace('\\', "/");
        let mut missing = true;
        for d in &docs {
            let Some(c) = source.captures(d) else {
                continue;
            };
            if path_match(&f, &c[1]).unwrap_or(false) {
                picked.push(d.as_str());
                missing = false;
            }
        }
        if missing {
            return Err(f);
        }
    }
    let mut shown = String::new();
    for d in picked {
        let _ = writeln!(shown, "---\n{d}");
    }
    Ok(shown)
}

/// What `helm template --debug` prints on standard output when rendering failed: the files
/// rendered (`rendered`, when manifests failed to read as YAML) or an empty line (when a
/// template failed to run), narrowed to `--show-only` as Helm narrows them (nothing at all
/// when a pattern picks no file).
pub fn debug_failure_output(rendered: Option<&str>, patterns: &[String]) -> String {
    match (rendered, patterns.is_empty()) {
        // Helm prints the release's manifest text trimmed, then a line break.
        (Some(r), true) => format!("{}\n", r.trim()),
        (None, true) => "\n".to_string(),
        (None, false) => String::new(),
        (Some(r), false) => show_only(&format!("{}\n", r.trim()), patterns).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names() {
        let re = regex::Regex::new(RELEASE_NAME_PATTERN).unwrap();
        for name in [
            "a",
            "my-rel.v1",
            "a.b.c",
            "0",
            "a-b-c",
            "-a",
            "a-",
            "a..b",
            ".a",
            "a.",
            "A",
            "a_b",
            "a.-b",
            "ab.c-",
            "x1-2y",
            "é",
        ] {
            assert_eq!(
                validate_release_name(name).is_ok(),
                re.is_match(name),
                "{name:?}"
            );
        }
        assert!(validate_release_name("my-rel.v1").is_ok());
        assert!(validate_release_name("My_Rel").is_err());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }
}

#[cfg(test)]
mod log_tests {
    use super::*;
    use crate::chart::{File, load_files};

    fn file(name: &str, text: &str) -> File {
        File {
            name: name.into(),
            data: text.as_bytes().into(),
        }
    }

    /// A schema big enough to be checked beside the rendering still decides first: its
    /// violation is the error whatever the templates or `kubeVersion` would have said.
    #[test]
    fn big_schemas_checked_beside_the_render_keep_their_verdict_first() {
        let props: Vec<String> = (0..1500)
            .map(|i| {
                format!("\"p{i}\": {{\"type\": \"string\", \"description\": \"property {i}\"}}")
            })
            .collect();
        let schema = format!(
            "{{\"type\": \"object\", \"properties\": {{\"count\": {{\"type\": \"integer\"}}, {}}}}}",
            props.join(", ")
        );
        let chart = |kube: &str, template: &str| {
            load_files(vec![
                file(
                    "Chart.yaml",
                    &format!(
                        "apiVersion: v2\nname: big\nversion: 0.1.0\nkubeVersion: \"{kube}\"\n"
                    ),
                ),
                file("values.yaml", "count: 1\n"),
                file("values.schema.json", &schema),
                file("templates/a.yaml", template),
            ])
            .expect("loads")
        };
        assert!(schema_bytes(&chart(">=1.0.0", "")) >= BIG_SCHEMAS);
        let mut o = TemplateOptions {
            release_name: "r".into(),
            ..Default::default()
        };
        let out = template(chart(">=1.0.0", "count: {{ .Values.count }}\n"), &o).expect("renders");
        assert!(
            out.ends_with("# Source: big/templates/a.yaml\ncount: 1\n"),
            "{out}"
        );
        let e = template(chart("<1.0.0", "a: 1\n"), &o).unwrap_err();
        assert!(
            e.message.contains("chart requires kubeVersion: <1.0.0"),
            "{}",
            e.message
        );
        o.values = serde_json::from_str(r#"{"count": "one"}"#).unwrap();
        for c in [
            chart(">=1.0.0", "{{ fail \"no\" }}"),
            chart("<1.0.0", "a: 1\n"),
        ] {
            let e = template(c, &o).unwrap_err();
            assert!(
                e.message.starts_with(
                    "values don't meet the specifications of the schema(s) in the following chart(s):\nbig:\n"
                ),
                "{}",
                e.message
            );
        }
    }

    /// What helm v4.3.1 logs to stderr for these charts and `--set` values.
    #[test]
    fn deprecation_and_coalescing_warnings_are_logged_in_order() {
        let chart = load_files(vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: warny\nversion: 0.1.0\ndeprecated: true\n",
            ),
            file("values.yaml", "tbl:\n  k: v\nscalar: 1\n"),
            file("templates/cm.yaml", "a: 1\n"),
        ])
        .expect("loads");
        let mut o = TemplateOptions {
            release_name: "r".into(),
            ..Default::default()
        };
        o.values = serde_json::from_str(r#"{"tbl": "flat", "scalar": {"x": 1}}"#).unwrap();
        let (_, logs) = template_logged(chart, &o).expect("renders");
        assert_eq!(
            logs,
            [
                "level=WARN msg=\"this chart is deprecated\"",
                "level=INFO msg=\"warning: skipped value for warny.scalar: Not a table.\"",
            ]
        );
        let chart = load_files(vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: w2\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n",
            ),
            file("values.yaml", "sub:\n  enabled: true\n"),
            file("templates/a.yaml", "a: 1\n"),
            file("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            file("charts/sub/values.yaml", "inner:\n  a: 1\nleaf: 2\n"),
        ])
        .expect("loads");
        // (A table over `leaf` would log from dependency processing too, in a random order.)
        o.values = serde_json::from_str(r#"{"sub": {"inner": 3}}"#).unwrap();
        let (_, logs) = template_logged(chart, &o).expect("renders");
        assert_eq!(
            logs,
            [
                "level=INFO msg=\"warning: cannot overwrite table with non table for w2.sub.inner (map[a:1])\"",
            ]
        );
    }

    /// helm v4.3.1 coalesces while enabling dependencies, while importing values and while
    /// rendering, and logs each time: a conflict between a parent's section for a subchart
    /// and the subchart's own values three times; a subchart with dependencies of its own is
    /// coalesced into its parent's whole values, warning about the parent's keys.
    #[test]
    fn coalescing_warnings_as_often_as_helm_logs_them() {
        let o = TemplateOptions {
            release_name: "r".into(),
            ..Default::default()
        };
        let chart = load_files(vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: ctw\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n",
            ),
            file("values.yaml", "sub:\n  tls:\n    autoGenerated: false\n"),
            file("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            file("charts/sub/values.yaml", "tls:\n  autoGenerated:\n    enabled: true\n"),
            file("charts/sub/templates/cm.yaml", "tls: {{ .Values.tls | toJson }}\n"),
        ])
        .expect("loads");
        let (_, logs) = template_logged(chart, &o).expect("renders");
        let line = "level=INFO msg=\"warning: cannot overwrite table with non table for ctw.sub.tls.autoGenerated (map[enabled:true])\"";
        assert_eq!(logs, [line, line, line]);
        let chart = load_files(vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n",
            ),
            file("values.yaml", "tls:\n  autoGenerated:\n    enabled: true\n"),
            file(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: 0.1.0\n",
            ),
            file("charts/sub/values.yaml", "tls:\n  autoGenerated: false\n"),
            file("charts/sub/templates/cm.yaml", "tls: {{ .Values.tls | toJson }}\n"),
            file("charts/sub/charts/lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\n"),
        ])
        .expect("loads");
        let (_, logs) = template_logged(chart, &o).expect("renders");
        assert_eq!(
            logs,
            [
                "level=INFO msg=\"warning: destination for sub.tls.autoGenerated is a table. Ignoring non-table value (false)\""
            ]
        );
    }

    /// helm v4.3.1 logs a missing import table at WARN, and each scalar that an imported
    /// table meets (in Go's random map order; one conflict here).
    #[test]
    fn import_values_warnings() {
        let chart = load_files(vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: iv\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  import-values:\n  - child: missing.table\n    parent: got\n  - nothere\n  - child: tbl\n    parent: conf\n",
            ),
            file("values.yaml", "conf:\n  mode: 1\n"),
            file("templates/a.yaml", "a: {{ toJson .Values.conf }}\n"),
            file("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            file("charts/sub/values.yaml", "tbl:\n  mode:\n    x: 1\n"),
        ])
        .expect("loads");
        let o = TemplateOptions {
            release_name: "r".into(),
            ..Default::default()
        };
        let (out, logs) = template_logged(chart, &o).expect("renders");
        assert!(out.ends_with("a: {\"mode\":1}\n"), "{out}");
        assert_eq!(
            logs,
            [
                r#"level=WARN msg="ImportValues missing table from chart" chart=sub error="\"missing\" is not a table""#,
                r#"level=WARN msg="ImportValues missing table" error="\"exports\" is not a table""#,
                r#"level=INFO msg="warning: cannot overwrite table with non table for conf.mode (map[x:1])""#,
            ]
        );
    }
}
