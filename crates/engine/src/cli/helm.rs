//! `ferroflux helm template NAME CHART [flags]` and `ferroflux helm show values CHART`: what
//! the same `helm` commands print, errors included (`Error: …` on stderr, exit 1).

use super::Reported;
use anyhow::Result;
use ferroflux_helm::{KubeVersion, TemplateOptions, ValueOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The flags `template` and `lint` share: the release namespace and Helm's values flags
/// (`-f` and the `--set` family).
#[derive(clap::Args)]
pub struct RenderFlags {
    /// The release namespace (`.Release.Namespace`).
    /// Without it (or empty), the kubeconfig context's namespace, else `default`.
    #[arg(short = 'n', long, env = "HELM_NAMESPACE", allow_hyphen_values = true)]
    namespace: Option<String>,
    /// The kubeconfig context whose namespace is the default (default: its current context).
    #[arg(long = "kube-context", env = "HELM_KUBECONTEXT")]
    kube_context: Option<String>,
    /// The kubeconfig file (default: `$KUBECONFIG`, else `~/.kube/config`).
    #[arg(long = "kubeconfig")]
    kubeconfig: Option<PathBuf>,
    /// Values files, in order (repeatable or comma-separated; `-` is standard input).
    #[arg(short = 'f', long = "values", allow_hyphen_values = true)]
    values: Vec<String>,
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
}

impl RenderFlags {
    fn options(&self) -> ValueOptions {
        ValueOptions {
            value_files: self
                .values
                .iter()
                .flat_map(|v| read_as_csv(v))
                .map(PathBuf::from)
                .collect(),
            json_values: self.set_json.clone(),
            values: self.set.clone(),
            string_values: self.set_string.clone(),
            file_values: self.set_file.clone(),
            literal_values: self.set_literal.clone(),
        }
    }
}

/// A values file (`-f URL`, `--set-file k=URL`) fetched as Helm's HTTP getter fetches it,
/// failing in its words.
fn fetch_values_url(url: &str) -> std::result::Result<Vec<u8>, String> {
    use ferroflux_kustomize::remote::{FetchError, RemoteFetcher};
    // `helm template` skips the TLS set-up of other commands (see main): done here when a
    // URL needs it (an error only means a provider is in place already).
    let _ = rustls::crypto::ring::default_provider().install_default();
    super::remote::Fetcher::new()
        .fetch_file(url)
        .map_err(|e| match e {
            FetchError::HttpStatus { code, reason } => {
                format!("failed to fetch {url} : {code} {reason}")
            }
            FetchError::Failed(why) => {
                format!("Get {}: {why}", ferroflux_gotemplate::fmt::go_quote(url))
            }
            other => other.to_string(),
        })
}

/// An `http(s):` reference of a `values.schema.json`, downloaded as Helm's validator downloads
/// it (15 seconds at most, the proxy from the environment) and failing in its words.
pub fn fetch_schema_reference(url: &str) -> std::result::Result<Vec<u8>, String> {
    use ferroflux_kustomize::remote::{FetchError, RemoteFetcher};
    static FETCHER: std::sync::OnceLock<std::sync::Arc<super::remote::Fetcher>> =
        std::sync::OnceLock::new();
    let fetcher = FETCHER.get_or_init(|| {
        super::remote::Fetcher::with_file_timeout(std::time::Duration::from_secs(15))
    });
    // The blocking client must not run on an async runtime's thread, where the controllers
    // render: the download has a thread of its own.
    let fetched = std::thread::scope(|s| {
        s.spawn(|| {
            // An error only means a provider is in place already.
            let _ = rustls::crypto::ring::default_provider().install_default();
            fetcher.fetch_file(url)
        })
        .join()
    })
    .unwrap_or_else(|_| Err(FetchError::Failed("the download failed".into())));
    fetched.map_err(|e| match e {
        FetchError::HttpStatus { code, reason } => {
            format!("HTTP request to {url} returned status {code} ({reason})")
        }
        FetchError::Failed(why) => format!(
            "HTTP request failed for {url}: Get {}: {}",
            ferroflux_gotemplate::fmt::go_quote(url),
            super::helm_pull::go_transfer_reason(url, &why)
        ),
        other => other.to_string(),
    })
}

/// Helm's `LocateChart` (`--verify` included); errors printed as Helm's.
fn locate(name: &str, pull: &super::helm_pull::ChartPathFlags) -> Result<PathBuf> {
    super::helm_pull::locate(name, pull).map_err(|e| helm_error(&e, false))
}

impl RenderFlags {
    /// The release namespace as Helm settles it: the flag, else the namespace of the
    /// kubeconfig's context, else `default`.
    fn namespace(&self) -> String {
        match self.namespace.as_deref().filter(|n| !n.is_empty()) {
            Some(ns) => ns.to_string(),
            None => kubeconfig_namespace(self.kubeconfig.as_deref(), self.kube_context.as_deref())
                .unwrap_or_else(|| "default".into()),
        }
    }
}

/// The namespace of a kubeconfig context (`context`, else the current one), reading the files
/// as client-go merges them: `path`, else each file of `$KUBECONFIG`, else `~/.kube/config`;
/// the first file to set `current-context` or define a context wins.
fn kubeconfig_namespace(path: Option<&Path>, context: Option<&str>) -> Option<String> {
    let files: Vec<PathBuf> = match (path, std::env::var_os("KUBECONFIG")) {
        (Some(p), _) => vec![p.to_path_buf()],
        (None, Some(list)) if !list.is_empty() => std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        _ => vec![Path::new(&std::env::var_os("HOME")?).join(".kube/config")],
    };
    let configs: Vec<serde_json::Value> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter_map(|t| serde_saphyr::from_str(&t).ok())
        .collect();
    let current = match context {
        Some(c) => c.to_string(),
        None => configs
            .iter()
            .find_map(|c| c.get("current-context")?.as_str().filter(|s| !s.is_empty()))?
            .to_string(),
    };
    let entry = configs.iter().find_map(|c| {
        c.get("contexts")?
            .as_array()?
            .iter()
            .find(|e| e.get("name").and_then(|n| n.as_str()) == Some(current.as_str()))
    })?;
    let ns = entry.get("context")?.get("namespace")?.as_str()?;
    Some(ns.to_string()).filter(|n| !n.is_empty())
}

/// pflag's string-slice flags read each value as one CSV record: `""` is no entry at all,
/// `a,` is `a` and an empty name, and a quoted field may hold commas.
fn read_as_csv(v: &str) -> Vec<String> {
    if v.is_empty() {
        return Vec::new();
    }
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = v.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => {
                // A quoted field: `""` inside is one quote.
                while let Some(q) = chars.next() {
                    if q == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            cur.push('"');
                        } else {
                            break;
                        }
                    } else {
                        cur.push(q);
                    }
                }
                at_start = false;
            }
            ',' => {
                fields.push(std::mem::take(&mut cur));
                at_start = true;
            }
            c => {
                cur.push(c);
                at_start = false;
            }
        }
    }
    fields.push(cur);
    fields
}

/// Flags that take a value take the next argument even when it starts with `-`, as pflag
/// (Helm's flag parser) does.
#[derive(clap::Args)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: the release name (optional) and a chart directory or .tgz.
    #[arg(num_args = 1..)]
    args: Vec<String>,
    #[command(flatten)]
    render: RenderFlags,
    /// A Go template (with Sprig) producing the release name.
    #[arg(long = "name-template", allow_hyphen_values = true)]
    name_template: Option<String>,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long = "is-upgrade", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
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
    #[arg(long = "include-crds", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    include_crds: bool,
    /// Leave out test hooks.
    #[arg(long = "skip-tests", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    skip_tests: bool,
    /// Leave out hooks.
    #[arg(long = "no-hooks", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    no_hooks: bool,
    /// Only the manifests of these templates (`templates/x.yaml`, globs allowed).
    #[arg(short = 's', long = "show-only", allow_hyphen_values = true)]
    show_only: Vec<String>,
    /// Write each template's manifests to `DIR/<chart path>` instead of stdout (printing
    /// `wrote PATH` for each write), as `helm template --output-dir` does.
    /// (`--output-dir=` is no directory, as in Helm.)
    #[arg(long = "output-dir", allow_hyphen_values = true)]
    output_dir: Option<String>,
    /// With --output-dir: under `DIR/<release name>/`.
    #[arg(long = "release-name", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    release_name: bool,
    /// Accepted for compatibility: `helm template` never installs CRDs.
    #[arg(long = "skip-crds", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    skip_crds: bool,
    /// Do not validate values against `values.schema.json`.
    #[arg(long = "skip-schema-validation", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    skip_schema_validation: bool,
    /// Helm's `level=DEBUG` lines on stderr, and on a manifest that is not valid YAML the
    /// rendered files too (as `helm --debug`).
    #[command(flatten)]
    debug: DebugFlag,
    /// Accepted as `helm template` does: with one argument the release name is the default.
    #[arg(short = 'g', long = "generate-name", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    generate_name: bool,
    /// Client-side only: `client` (the default), `server` needs a cluster and is refused.
    #[arg(long = "dry-run", num_args = 0..=1, require_equals = true, default_missing_value = "unset")]
    dry_run: Option<String>,
    /// Checked as Helm checks it; waiting means nothing when nothing is installed.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<String>,
    /// Checked as Helm checks it (a Go duration); nothing is installed, so nothing waits.
    #[arg(long, allow_hyphen_values = true)]
    timeout: Option<String>,
    /// Checked as Helm checks it (a boolean); no effect on rendering.
    #[arg(long = "server-side", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    server_side: Option<String>,
    /// Release labels (`key=value`, comma-separated): checked, not rendered (as in Helm).
    #[arg(short = 'l', long = "labels", allow_hyphen_values = true)]
    labels: Vec<String>,
    /// Package `file://` dependencies missing from `charts/` (and write `Chart.lock`) first,
    /// as `helm dependency update` would.
    #[arg(long = "dependency-update", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    dependency_update: bool,
    /// Post-renderer plugins are not available: any name is refused, as Helm refuses an
    /// unknown plugin.
    #[arg(long = "post-renderer", allow_hyphen_values = true)]
    post_renderer: Option<String>,
    /// Where the chart comes from when it is not on disk, and `--verify`.
    #[command(flatten)]
    pull: super::helm_pull::ChartPathFlags,
    /// Flags of `helm template` (install and cluster options) that do not change what a
    /// chart renders: accepted and ignored.
    #[command(flatten)]
    ignored: IgnoredHelmFlags,
    #[command(flatten)]
    deprecated: DeprecatedHelmFlags,
}

/// A Go boolean, as pflag reads a boolean flag's value (`--include-crds=false`, `-g=0`).
pub(crate) fn go_bool(s: &str) -> std::result::Result<bool, String> {
    ferroflux_goformat::parse_bool(s)
        .ok_or_else(|| format!("{PARSE_BOOL}: parsing {s:?}: invalid syntax"))
}

/// How [`go_bool`]'s refusals start: the command line's error handler knows them by it.
pub(crate) const PARSE_BOOL: &str = "strconv.ParseBool";

/// Flags `helm template` still accepts with a deprecation notice, given or not: the notice
/// pflag prints for each that is set (in this order, the order of Helm's flag table).
#[derive(clap::Args)]
struct DeprecatedHelmFlags {
    #[arg(long = "atomic", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    atomic: Option<bool>,
    #[arg(long = "force", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    force: Option<bool>,
    #[arg(long = "hide-notes", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    hide_notes: Option<bool>,
    #[arg(long = "render-subchart-notes", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    render_subchart_notes: Option<bool>,
}

impl DeprecatedHelmFlags {
    fn notices(&self) -> Vec<String> {
        const NO_EFFECT: &str =
            "this flag has no effect for 'helm template' and will be removed in Helm 5";
        let notices = [
            (self.atomic, "atomic", "use --rollback-on-failure instead"),
            (self.force, "force", "use --force-replace instead"),
            (self.hide_notes, "hide-notes", NO_EFFECT),
            (
                self.render_subchart_notes,
                "render-subchart-notes",
                NO_EFFECT,
            ),
        ]
        .into_iter()
        .filter(|(given, _, _)| given.is_some())
        .collect::<Vec<_>>();
        // pflag prints a notice each time it meets one of them: in command-line order.
        std::env::args()
            .filter_map(|a| {
                let name = a.strip_prefix("--")?.split('=').next()?.to_string();
                notices.iter().find(|(_, flag, _)| *flag == name)
            })
            .map(|(_, flag, why)| format!("Flag --{flag} has been deprecated, {why}"))
            .collect()
    }
}

/// `helm template`'s flags without effect on rendering.
#[derive(clap::Args)]
struct IgnoredHelmFlags {
    #[arg(long = "create-namespace", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _create_namespace: bool,
    #[arg(long = "disable-openapi-validation", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _disable_openapi_validation: bool,
    /// Let `getHostByName` resolve names (off: it returns "").
    #[arg(long = "enable-dns", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    enable_dns: bool,
    #[arg(long = "force-conflicts", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _force_conflicts: bool,
    #[arg(long = "force-replace", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _force_replace: bool,
    #[arg(long = "replace", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _replace: bool,
    #[arg(long = "rollback-on-failure", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _rollback_on_failure: bool,
    #[arg(long = "take-ownership", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _take_ownership: bool,
    #[arg(long = "wait-for-jobs", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _wait_for_jobs: bool,
    #[arg(long = "kube-insecure-skip-tls-verify", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _kube_insecure: bool,
    #[arg(
        long = "description",
        alias = "output-format",
        alias = "post-renderer-args",
        alias = "kube-apiserver",
        alias = "kube-token",
        alias = "kube-as-user",
        alias = "kube-as-group",
        alias = "kube-ca-file",
        alias = "kube-tls-server-name",
        alias = "burst-limit",
        alias = "qps",
        alias = "color",
        alias = "colour",
        hide = true,
        allow_hyphen_values = true
    )]
    _valued: Vec<String>,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// A chart directory or .tgz (exactly one; checked as Helm checks it).
    #[arg(value_name = "CHART")]
    args: Vec<String>,
    /// `show values` only: print what this JSONPath template selects from the values.
    #[arg(long = "jsonpath")]
    jsonpath: Option<String>,
    /// Where the chart comes from when it is not on disk, and `--verify`.
    #[command(flatten)]
    pull: super::helm_pull::ChartPathFlags,
    #[command(flatten)]
    debug: DebugFlag,
}

/// `helm lint`'s flags.
#[derive(clap::Args)]
pub struct LintArgs {
    /// Chart directories or archives.
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// Fail on lint warnings too.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    strict: bool,
    /// Lint the charts under each chart's `charts/` too.
    #[arg(long = "with-subcharts", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    with_subcharts: bool,
    /// Print only warnings and errors.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    quiet: bool,
    /// Do not validate values against `values.schema.json`.
    #[arg(long = "skip-schema-validation", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    skip_schema_validation: bool,
    /// Kubernetes version for capabilities and deprecation checks.
    #[arg(long = "kube-version", allow_hyphen_values = true)]
    kube_version: Option<String>,
    #[command(flatten)]
    render: RenderFlags,
    #[command(flatten)]
    debug: DebugFlag,
}

/// `helm lint PATH... [flags]`: the report on stdout, what rendering logged on stderr, and
/// `Error: N chart(s) linted, M chart(s) failed` (exit 1) when a chart failed.
pub fn lint(a: &LintArgs) -> Result<()> {
    if a.paths.is_empty() {
        return Err(helm_error(
            "\"helm lint\" requires at least 1 argument\n\nUsage:  helm lint PATH [flags]",
            false,
        ));
    }
    let kube_version = kube_version(a.kube_version.as_deref())?;
    let vo = a.render.options();
    let values = vo
        .merge_fetching(Path::new(""), &fetch_values_url)
        .map_err(|e| helm_error(&e, false))?;
    let opts = ferroflux_helm::lint::LintOptions {
        strict: a.strict,
        with_subcharts: a.with_subcharts,
        quiet: a.quiet,
        skip_schema_validation: a.skip_schema_validation,
        kube_version,
        namespace: a.render.namespace(),
        values,
        debug: a.debug.on()?,
    };
    let report = ferroflux_helm::lint::lint(&a.paths, &opts);
    for l in &report.logs {
        eprintln!("{l}");
    }
    std::io::stdout()
        .lock()
        .write_all(report.stdout.as_bytes())?;
    match report.error {
        Some(e) => Err(helm_error(&e, false)),
        None => Ok(()),
    }
}

/// `--kube-version`, checked as Helm checks it (an empty one is no version).
fn kube_version(v: Option<&str>) -> Result<Option<KubeVersion>> {
    match v.filter(|v| !v.is_empty()) {
        Some(v) => KubeVersion::parse(v)
            .map(Some)
            .map_err(|e| helm_error(&format!("invalid kube version '{v}': {e}"), false)),
        None => Ok(None),
    }
}

/// Helm's global `--debug` (or `HELM_DEBUG`): its `level=DEBUG` lines on stderr.
#[derive(clap::Args)]
pub struct DebugFlag {
    /// Helm's `level=DEBUG` lines on stderr (default: `$HELM_DEBUG`).
    #[arg(
        long = "debug",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    value: Option<String>,
}

impl DebugFlag {
    /// Whether it is on: the flag's value must be a Go boolean (Helm's error otherwise);
    /// without the flag `HELM_DEBUG`, where anything else means off.
    fn on(&self) -> Result<bool> {
        match self.value.as_deref() {
            Some(v) => ferroflux_goformat::parse_bool(v).ok_or_else(|| {
                helm_error(
                    &format!(
                        "invalid argument {v:?} for \"--debug\" flag: strconv.ParseBool: parsing {v:?}: invalid syntax"
                    ),
                    false,
                )
            }),
            None => Ok(std::env::var("HELM_DEBUG")
                .ok()
                .and_then(|v| ferroflux_goformat::parse_bool(&v))
                .unwrap_or(false)),
        }
    }
}

/// Helm's first `level=DEBUG` lines of a command that locates a chart (`template` says
/// "Original", `show` "original").
fn debug_version_lines(msg: &str, pull: &super::helm_pull::ChartPathFlags) {
    let line = ferroflux_helm::manifests::slog_line;
    eprintln!(
        "{}",
        line("DEBUG", msg, &[("version", pull.version().unwrap_or(""))])
    );
    if pull.devel() && pull.version().is_none_or(str::is_empty) {
        eprintln!("{}", line("DEBUG", "setting version to >0.0.0-0", &[]));
    }
}

/// Prints Helm's error shape and reports the failure as already printed.
fn helm_error(msg: &str, hint: bool) -> anyhow::Error {
    helm_error_logged(None, msg, hint)
}

/// A failed render reported as `helm template` reports it. Under `--debug` Helm prints
/// what it rendered (the files, or an empty line when a template failed to run, narrowed
/// to `--show-only`) after what it logged, and does not suggest the flag it was given.
fn render_failure(
    e: ferroflux_helm::TemplateError,
    debug: bool,
    show_only: &[String],
) -> anyhow::Error {
    if debug && (e.rendered.is_some() || e.during_render) {
        if let Some(l) = e.log.as_deref() {
            eprintln!("{l}");
        }
        let out = ferroflux_helm::debug_failure_output(e.rendered.as_deref(), show_only);
        // Bytes a template produced that are no UTF-8 are printed as they were made.
        let bytes = ferroflux_goformat::gobytes::go_bytes(&out);
        let _ = std::io::stdout().lock().write_all(&bytes);
        return helm_error(&e.message, false);
    }
    helm_error_logged(e.log.as_deref(), &e.message, e.during_render)
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
            if a.generate_name {
                return Err("cannot set --generate-name and also specify a name".into());
            }
            if a.name_template.as_ref().is_some_and(|t| !t.is_empty()) {
                return Err("cannot set --name-template and also specify a name".into());
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => match a.name_template.as_ref().filter(|t| !t.is_empty()) {
            Some(t) => ferroflux_gotemplate::render_plain(t, "name-template", None)
                .map(|n| (n, chart.clone()))
                .map_err(|e| e.to_string()),
            None => Ok(("release-name".into(), chart.clone())),
        },
        [_, _, rest @ ..] => Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            rest.join(", ")
        )),
        [] => Err(
            "\"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]"
                .into(),
        ),
    }
}

/// Helm's checks of the flags that do not change the rendering.
fn check_flags(a: &TemplateArgs) -> Result<(), String> {
    let invalid = |flag: &str, v: &str, why: String| {
        Err(format!("invalid argument {v:?} for \"{flag}\" flag: {why}"))
    };
    match a.dry_run.as_deref() {
        None | Some("client") => {}
        // Helm logs these and goes on as with `--dry-run=client`.
        Some("unset") => eprintln!(
            "level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\""
        ),
        Some("true") => eprintln!(
            "level=WARN msg=\"boolean '--dry-run=true' flag is deprecated and must be replaced with '--dry-run=client'\""
        ),
        Some("server") => {
            return Err("--dry-run=server needs a cluster; ferroflux renders offline".into());
        }
        Some(v @ ("false" | "none")) => {
            return Err(format!(
                "invalid dry-run value ({v:?}). Must be \"server\" or \"client\""
            ));
        }
        Some(v) => {
            return Err(format!(
                "invalid dry-run value ({v:?}). Must be \"none\", \"server\", or \"client\""
            ));
        }
    }
    if let Some(v @ ("true" | "false")) = a.wait.as_deref() {
        let instead = if v == "true" { "watcher" } else { "hookOnly" };
        eprintln!(
            "level=WARN msg=\"--wait={v} is deprecated (boolean value) and can be replaced with --wait={instead}\""
        );
    }
    if let Some(v) = a.wait.as_deref()
        && !matches!(v, "true" | "false" | "watcher" | "hookOnly" | "legacy")
    {
        return invalid(
            "--wait",
            v,
            format!("invalid wait input {v:?}. Valid inputs are watcher, hookOnly, and legacy"),
        );
    }
    if let Some(v) = a.timeout.as_deref()
        && let Err(e) = ferroflux_gotemplate::funcs::date::parse_duration(v)
    {
        return invalid("--timeout", v, e);
    }
    if let Some(v) = a.server_side.as_deref()
        && ferroflux_goformat::parse_bool(v).is_none()
    {
        return invalid(
            "--server-side",
            v,
            format!("strconv.ParseBool: parsing {v:?}: invalid syntax"),
        );
    }
    for v in &a.labels {
        if let Some(bad) = v.split(',').find(|kv| !kv.contains('=')) {
            return invalid(
                "-l, --labels",
                v,
                format!("{bad} must be formatted as key=value"),
            );
        }
    }
    if let Some(v) = &a.post_renderer {
        return invalid(
            "--post-renderer",
            v,
            format!("plugin: {{Name:{v} Type:postrenderer/v1}} not found"),
        );
    }
    Ok(())
}

pub fn template(a: &TemplateArgs) -> Result<()> {
    // The process ends with this command: what it rendered is left to the exit.
    ferroflux_par::exit_follows();
    for notice in a.deprecated.notices() {
        eprintln!("{notice}");
    }
    check_flags(a).map_err(|e| helm_error(&e, false))?;
    if a.ignored.enable_dns {
        ferroflux_gotemplate::funcs::encoding::DNS_LOOKUPS
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let debug = a.debug.on()?;
    // Helm reads --kube-version and sets up its registry client before anything else.
    let kube_version = kube_version(a.kube_version.as_deref())?;
    super::helm_pull::registry_client(&a.pull).map_err(|e| helm_error(&e, false))?;
    if debug {
        debug_version_lines("Original chart version", &a.pull);
    }
    let (name, chart_ref) = release_and_chart(a).map_err(|e| helm_error(&e, false))?;
    let mut pull = a.pull.clone();
    pull.set_debug(debug);
    let located = locate(&chart_ref, &pull)?;
    // A chart with subcharts, or an archive, maps its loading and rendering over both CPUs:
    // the helpers start now, while the values are read, rather than once the walk of the
    // chart's directory meets its `charts/`.
    if located.is_file() || located.join("charts").is_dir() {
        ferroflux_par::warm_up();
    }
    let chart_ref = located.to_string_lossy().into_owned();
    if debug {
        let abs = ferroflux_helm::go_abs(&located);
        eprintln!(
            "{}",
            ferroflux_helm::manifests::slog_line(
                "DEBUG",
                "Chart path",
                &[("path", &abs.to_string_lossy())]
            )
        );
    }
    let vo = a.render.options();
    let values = vo
        .merge_fetching(Path::new(""), &fetch_values_url)
        .map_err(|e| helm_error(&e, false))?;
    let mut load_logs = Vec::new();
    let chart = ferroflux_helm::load_logged(Path::new(&chart_ref), &mut load_logs);
    for l in load_logs {
        eprintln!("{l}");
    }
    let mut chart = chart.map_err(|e| helm_error(&e.0, false))?;
    if a.dependency_update && ferroflux_helm::depupdate::needs_update(&chart) {
        let mut printed = String::new();
        let remote =
            super::helm_pull::DependencyRemote::new(&pull).map_err(|e| helm_error(&e, false))?;
        let updated =
            ferroflux_helm::depupdate::update(Path::new(&chart_ref), Some(&remote), &mut printed);
        std::io::stdout().lock().write_all(printed.as_bytes())?;
        updated.map_err(|e| helm_error(&e, false))?;
        let mut load_logs = Vec::new();
        let reloaded = ferroflux_helm::load_logged(Path::new(&chart_ref), &mut load_logs);
        for l in load_logs {
            eprintln!("{l}");
        }
        chart = reloaded.map_err(|e| {
            helm_error(
                &format!("failed reloading chart after repo update: {}", e.0),
                false,
            )
        })?;
    }
    let opts = TemplateOptions {
        release_name: name,
        namespace: a.render.namespace(),
        values,
        kube_version,
        api_versions: a.api_versions.clone(),
        is_upgrade: a.is_upgrade,
        include_crds: a.include_crds,
        skip_tests: a.skip_tests,
        no_hooks: a.no_hooks,
        show_only: a.show_only.clone(),
        skip_schema_validation: a.skip_schema_validation,
        debug,
    };
    if let Some(dir) = a
        .output_dir
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(Path::new)
    {
        let r = ferroflux_helm::render_release(chart, &opts)
            .map_err(|e| render_failure(e, debug, &opts.show_only))?;
        for l in &r.logs {
            eprintln!("{l}");
        }
        let release_dir = a.release_name.then_some(opts.release_name.as_str());
        write_output_dir(dir, release_dir, &r, &opts)?;
        // Helm looks for --show-only's templates in what it printed: nothing, here.
        if let Some(f) = opts.show_only.first() {
            let f = f.replace('\\', "/");
            return Err(helm_error(
                &format!("could not find template {f} in chart"),
                false,
            ));
        }
        // Helm then prints its (empty) manifest text and a line break.
        println!();
        return Ok(());
    }
    let (out, logs) = ferroflux_helm::template_logged(chart, &opts)
        .map_err(|e| render_failure(e, debug, &opts.show_only))?;
    for l in logs {
        eprintln!("{l}");
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

/// `--output-dir`: CRDs (with --include-crds) under `dir`, manifests and hooks under `dir`
/// or `dir/<release>`, each file holding `---`, `# Source: PATH` and the manifest for every
/// document of its template, as Helm writes them. A file is started afresh on its first
/// CRD or manifest; a hook is appended to a file that exists already, even from an earlier
/// run, as Helm does.
fn write_output_dir(
    dir: &Path,
    release: Option<&str>,
    r: &ferroflux_helm::Rendered,
    o: &TemplateOptions,
) -> Result<()> {
    let release_dir = match release {
        Some(name) => dir.join(name),
        None => dir.to_path_buf(),
    };
    let mut written = std::collections::HashSet::new();
    // `r.manifest` is the printed form: `---\n# Source: PATH\nCONTENT\n` after another.
    for chunk in r.manifest.split("---\n# Source: ").skip(1) {
        let (path, content) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let content = content.strip_suffix('\n').unwrap_or(content);
        let is_crd = match (path.find("/crds/"), path.find("/templates/")) {
            (Some(c), Some(t)) => c < t,
            (c, _) => c.is_some(),
        };
        let base = if is_crd { dir } else { &release_dir };
        let append = !written.insert(path.to_string());
        write_template_file(base, path, content, append)?;
    }
    if o.no_hooks {
        return Ok(());
    }
    let mut hook_written = std::collections::HashSet::new();
    for h in r.hooks.iter().filter(|h| !(o.skip_tests && h.is_test())) {
        let path = &h.manifest.path;
        if release_dir.join(path).exists() {
            hook_written.insert(path.clone());
        }
        let append = !hook_written.insert(path.clone());
        write_template_file(&release_dir, path, &h.manifest.content, append)?;
    }
    Ok(())
}

fn write_template_file(dir: &Path, name: &str, data: &str, append: bool) -> Result<()> {
    let file = format!("{}/{name}", dir.display());
    if let Some(parent) = Path::new(&file).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(append)
        .truncate(!append)
        .open(&file)
        .map_err(|e| helm_error(&format!("open {file}: {e}"), false))?;
    write!(f, "---\n# Source: {name}\n{data}\n")?;
    println!("wrote {file}");
    Ok(())
}

/// `helm show <part> CHART`, offline: a chart directory or archive.
pub fn show(part: ferroflux_helm::show::Part, a: &ShowArgs) -> Result<()> {
    let [chart] = a.args.as_slice() else {
        let verb = format!("{part:?}").to_lowercase();
        return Err(helm_error(
            &format!(
                "\"helm show {verb}\" requires 1 argument\n\nUsage:  helm show {verb} [CHART] [flags]"
            ),
            false,
        ));
    };
    if a.jsonpath.is_some() && part != ferroflux_helm::show::Part::Values {
        return Err(helm_error("unknown flag: --jsonpath", false));
    }
    super::helm_pull::registry_client(&a.pull).map_err(|e| helm_error(&e, false))?;
    let debug = a.debug.on()?;
    if debug {
        debug_version_lines("original chart version", &a.pull);
    }
    let mut pull = a.pull.clone();
    pull.set_debug(debug);
    let located = locate(chart, &pull)?;
    let mut logs = Vec::new();
    let loaded = ferroflux_helm::chart::load_v2_logged(&located, &mut logs);
    for l in &logs {
        eprintln!("{l}");
    }
    let chart = loaded.map_err(|e| helm_error(&e.0, false))?;
    if let Some(template) = &a.jsonpath {
        let values = serde_json::Value::Object(chart.values.clone());
        let text = ferroflux_helm::jsonpath::render(template, &values)
            .map_err(|e| helm_error(&format!("error parsing jsonpath {template}: {e}"), false))?;
        std::io::stdout().lock().write_all(text.as_bytes())?;
        return Ok(());
    }
    std::io::stdout()
        .lock()
        .write_all(ferroflux_helm::show::show(&chart, part).as_bytes())?;
    Ok(())
}
