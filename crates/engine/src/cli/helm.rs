//! `ferroflux helm template NAME CHART [flags]` and `ferroflux helm show values CHART`: what
//! the same `helm` commands print, errors included (`Error: …` on stderr, exit 1).

use super::Reported;
use anyhow::Result;
use ferroflux_helm::{KubeVersion, TemplateOptions, ValueOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Flags that take a value take the next argument even when it starts with `-`, as pflag
/// (Helm's flag parser) does.
#[derive(clap::Args)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: the release name (optional) and a chart directory or .tgz.
    #[arg(num_args = 1..)]
    args: Vec<String>,
    /// Values files, in order (repeatable or comma-separated).
    #[arg(
        short = 'f',
        long = "values",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    values: Vec<PathBuf>,
    /// `key=value` pairs (Helm's strvals syntax).
    #[arg(long = "set", allow_hyphen_values = true)]
    set: Vec<String>,
    /// Like --set, every value a string.
    #[arg(long = "set-string", allow_hyphen_values = true)]
    set_string: Vec<String>,
    /// `key=JSON` pairs, or a JSON object.
    #[arg(long = "set-json", allow_hyphen_values = true)]
    set_json: Vec<String>,
    /// `key=path`: the file's contents as the value.
    #[arg(long = "set-file", allow_hyphen_values = true)]
    set_file: Vec<String>,
    /// `key=value` with the value taken literally.
    #[arg(long = "set-literal", allow_hyphen_values = true)]
    set_literal: Vec<String>,
    /// The release namespace (`.Release.Namespace`).
    #[arg(
        short = 'n',
        long,
        env = "HELM_NAMESPACE",
        default_value = "default",
        allow_hyphen_values = true
    )]
    namespace: String,
    /// A Go template (with Sprig) producing the release name.
    #[arg(long = "name-template", allow_hyphen_values = true)]
    name_template: Option<String>,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long = "kube-version", allow_hyphen_values = true)]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    api_versions: Vec<String>,
    /// Print the chart's (and subcharts') `crds/` too.
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// Leave out test hooks.
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// Leave out hooks.
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// Only the manifests of these templates (`templates/x.yaml`, globs allowed).
    #[arg(short = 's', long = "show-only", allow_hyphen_values = true)]
    show_only: Vec<String>,
    /// Accepted for compatibility (it only matters with an output directory).
    #[arg(long = "release-name")]
    release_name: bool,
    /// Accepted for compatibility: `helm template` never installs CRDs.
    #[arg(long = "skip-crds")]
    skip_crds: bool,
    /// Do not validate values against `values.schema.json`.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// A chart directory or .tgz.
    chart: PathBuf,
}

/// Prints Helm's error shape and reports the failure as already printed.
fn helm_error(msg: &str, hint: bool) -> anyhow::Error {
    helm_error_logged(None, msg, hint)
}

fn helm_error_logged(log: Option<&str>, msg: &str, hint: bool) -> anyhow::Error {
    let mut e = std::io::stderr().lock();
    if let Some(l) = log {
        let _ = writeln!(e, "{l}");
    }
    let _ = write!(e, "Error: {msg}");
    if hint {
        let _ = write!(e, "\n\nUse --debug flag to render out invalid YAML");
    }
    let _ = writeln!(e);
    Reported.into()
}

fn release_and_chart(a: &TemplateArgs) -> Result<(String, String), String> {
    match a.args.as_slice() {
        [name, chart] => {
            if a.name_template.is_some() {
                return Err("cannot set --name-template and also specify a name".into());
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => match &a.name_template {
            Some(t) => ferroflux_gotemplate::render_plain(t, "name-template", None)
                .map(|n| (n, chart.clone()))
                .map_err(|e| e.to_string()),
            None => Ok(("release-name".into(), chart.clone())),
        },
        [_, _, rest @ ..] => Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            rest.join(", ")
        )),
        [] => Err("\"helm template\" requires at least 1 argument".into()),
    }
}

pub fn template(a: &TemplateArgs) -> Result<()> {
    // The process ends with this command: what it rendered is left to the exit.
    ferroflux_par::exit_follows();
    let (name, chart_ref) = release_and_chart(a).map_err(|e| helm_error(&e, false))?;
    let kube_version = match &a.kube_version {
        Some(v) => Some(
            KubeVersion::parse(v)
                .map_err(|e| helm_error(&format!("invalid kube version '{v}': {e}"), false))?,
        ),
        None => None,
    };
    let vo = ValueOptions {
        value_files: a.values.clone(),
        json_values: a.set_json.clone(),
        values: a.set.clone(),
        string_values: a.set_string.clone(),
        file_values: a.set_file.clone(),
        literal_values: a.set_literal.clone(),
    };
    let values = vo.merge(Path::new("")).map_err(|e| helm_error(&e, false))?;
    let mut load_logs = Vec::new();
    let chart = ferroflux_helm::load_logged(Path::new(&chart_ref), &mut load_logs);
    for l in load_logs {
        eprintln!("{l}");
    }
    let chart = chart.map_err(|e| helm_error(&e.0, false))?;
    let opts = TemplateOptions {
        release_name: name,
        namespace: a.namespace.clone(),
        values,
        kube_version,
        api_versions: a.api_versions.clone(),
        is_upgrade: a.is_upgrade,
        include_crds: a.include_crds,
        skip_tests: a.skip_tests,
        no_hooks: a.no_hooks,
        show_only: a.show_only.clone(),
        skip_schema_validation: a.skip_schema_validation,
    };
    let (out, logs) = ferroflux_helm::template_logged(chart, &opts)
        .map_err(|e| helm_error_logged(e.log.as_deref(), &e.message, e.during_render))?;
    for l in logs {
        eprintln!("{l}");
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

pub fn show_values(a: &ShowArgs) -> Result<()> {
    let chart = ferroflux_helm::load(&a.chart).map_err(|e| helm_error(&e.0, false))?;
    let mut out = std::io::stdout().lock();
    if let Some(raw) = &chart.values_raw {
        out.write_all(raw)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
