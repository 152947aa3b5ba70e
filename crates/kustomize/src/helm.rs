//! `helmCharts` and `helmGlobals` (kustomize's HelmChartInflationGenerator) behind
//! `--enable-helm`. Charts come from the local chart home only (`<chartHome>/<name>`, or
//! `<chartHome>/<name>-<version>/<name>` when both `version` and `repo` are set, as
//! `helm pull --untar` lays them out); a missing chart with a `repo` is pulled there
//! through the caller's [`ChartPuller`] (refused without one). Rendering is in-process
//! with `ferroflux-helm`, given the flags kustomize passes to `helm template`. The objects
//! join the build as generated resources, right after ConfigMap and Secret generators,
//! marked so that the `namespace` transformer leaves them alone (kustomize v5.8.1 lets
//! Helm own their namespace and passes the kustomization's namespace to the chart).

use crate::error::{Error, ErrorKind, Result, err};
use crate::loader::Loader;
use crate::resource::Resource;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The annotation kustomize puts on inflated objects during the build (removed before
/// printing); the namespace transformer skips objects that carry it.
pub const HELM_GENERATED_ANNOTATION: &str = "internal.config.kubernetes.io/helm-generated";

/// kustomize's default chart home, relative to the kustomization.
pub const DEFAULT_CHART_HOME: &str = "charts";

/// What kustomize asks `helm pull` for when a chart with a `repo` is not in its chart home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartPull {
    /// `repo`: a chart repository URL or `oci://…`.
    pub repo: String,
    /// The chart's name.
    pub name: String,
    /// Empty: the latest (stable unless `devel`).
    pub version: String,
    /// Admit pre-releases (`--devel`).
    pub devel: bool,
    /// `--untardir`: the chart lands in `<untar_dir>/<chart name>`.
    pub untar_dir: PathBuf,
    /// `configHome` (Helm's configuration and cache directory); empty: a temporary one.
    pub config_home: String,
}

impl ChartPull {
    /// What `helm pull` is given to find the chart: `oci://…/<name>` for a registry, else
    /// the name (looked up with `--repo`).
    pub fn reference(&self) -> String {
        if self.repo.starts_with("oci://") {
            format!("{}/{}", self.repo.trim_end_matches('/'), self.name)
        } else {
            self.name.clone()
        }
    }

    /// The `helm` arguments kustomize v5.8.1 runs (`pullCommand`).
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "pull".to_string(),
            "--untar".into(),
            "--untardir".into(),
            self.untar_dir.display().to_string(),
        ];
        if !self.repo.starts_with("oci://") {
            args.extend(["--repo".into(), self.repo.clone()]);
        }
        args.push(self.reference());
        if !self.version.is_empty() {
            args.extend(["--version".into(), self.version.clone()]);
        }
        if self.devel {
            args.push("--devel".into());
        }
        args
    }
}

/// Pulls charts for a build, as `helm pull --untar` would: the network is the caller's.
/// Builds call it synchronously; an implementation that blocks on async work must not
/// assume it runs outside an async runtime.
pub trait ChartPuller: Send + Sync + std::fmt::Debug {
    /// Downloads the chart `pull` names and unpacks it under `pull.untar_dir`; the error is
    /// what `helm pull` would print.
    fn pull(&self, pull: &ChartPull) -> std::result::Result<(), String>;
}

/// The `--enable-helm` family of build flags.
#[derive(Clone, Debug, Default)]
pub struct HelmOptions {
    /// `--enable-helm`: without it a kustomization with charts fails, as in kustomize.
    pub enabled: bool,
    /// `--helm-kube-version`: the `kubeVersion` of charts that set none.
    pub kube_version: Option<String>,
    /// `--helm-api-versions`: the `apiVersions` of charts that set none.
    pub api_versions: Vec<String>,
    /// Pulls charts missing from the chart home; `None`: such a chart is an error.
    pub puller: Option<std::sync::Arc<dyn ChartPuller>>,
}

/// `helmGlobals`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HelmGlobals {
    #[serde(default)]
    pub chart_home: String,
    /// Helm's configuration home for pulls (HELM_CONFIG_HOME; caches below it).
    #[serde(default)]
    pub config_home: String,
}

/// One `helmCharts` entry (kustomize's `types.HelmChart`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HelmChart {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub release_name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub additional_values_files: Vec<String>,
    #[serde(default)]
    pub values_file: String,
    #[serde(default)]
    pub values_inline: Map<String, Value>,
    #[serde(default)]
    pub values_merge: String,
    #[serde(default, rename = "includeCRDs")]
    pub include_crds: bool,
    #[serde(default)]
    pub skip_hooks: bool,
    #[serde(default)]
    pub api_versions: Vec<String>,
    #[serde(default)]
    pub kube_version: String,
    #[serde(default)]
    pub name_template: String,
    #[serde(default)]
    pub skip_tests: bool,
    #[serde(default)]
    pub debug: bool,
    #[serde(default)]
    pub devel: bool,
}

const CHART_FIELDS: &[&str] = &[
    "name",
    "version",
    "digest",
    "repo",
    "releaseName",
    "namespace",
    "additionalValuesFiles",
    "valuesFile",
    "valuesInline",
    "valuesMerge",
    "includeCRDs",
    "skipHooks",
    "apiVersions",
    "kubeVersion",
    "nameTemplate",
    "skipTests",
    "debug",
    "devel",
];

/// The deprecated `helmChartInflationGenerator` entry (kustomize's `types.HelmChartArgs`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HelmChartArgs {
    #[serde(default)]
    chart_name: String,
    #[serde(default)]
    chart_version: String,
    #[serde(default)]
    chart_repo_url: String,
    #[serde(default)]
    chart_home: String,
    #[serde(default)]
    #[allow(dead_code)]
    chart_repo_name: String,
    #[serde(default)]
    #[allow(dead_code)]
    helm_bin: String,
    #[serde(default)]
    helm_home: String,
    #[serde(default)]
    values: String,
    #[serde(default)]
    values_local: Map<String, Value>,
    #[serde(default)]
    values_merge: String,
    #[serde(default)]
    release_name: String,
    #[serde(default)]
    #[allow(dead_code)]
    release_namespace: String,
    #[serde(default)]
    #[allow(dead_code)]
    extra_args: Vec<String>,
}

const ARGS_FIELDS: &[&str] = &[
    "chartName",
    "chartVersion",
    "chartRepoUrl",
    "chartHome",
    "chartRepoName",
    "helmBin",
    "helmHome",
    "values",
    "valuesLocal",
    "valuesMerge",
    "releaseName",
    "releaseNamespace",
    "extraArgs",
];

/// Go's JSON decoding: field names match case-insensitively and `null` is the zero value.
fn decode<T: for<'de> Deserialize<'de>>(v: &Value, fields: &[&str], what: &str) -> Result<T> {
    let mut v = v.clone();
    crate::kustfile::rename_keys(&mut v, fields);
    if let Some(m) = v.as_object_mut() {
        m.retain(|_, x| !x.is_null());
    }
    serde_json::from_value(v)
        .map_err(|e| err(ErrorKind::InvalidKustomization(format!("{what}: {e}"))))
}

/// The charts and globals of a kustomization, with the deprecated
/// `helmChartInflationGenerator` entries converted as kustomize does.
pub fn charts_of(k: &crate::kustfile::Kustomization) -> Result<(Vec<HelmChart>, HelmGlobals)> {
    let mut globals: Option<HelmGlobals> = match &k.helm_globals {
        Some(v) if !v.is_null() => Some(decode(v, &["chartHome", "configHome"], "helmGlobals")?),
        _ => None,
    };
    let mut charts = Vec::new();
    for c in k.helm_charts.iter().flatten() {
        charts.push(decode::<HelmChart>(c, CHART_FIELDS, "helmCharts")?);
    }
    let mut old_globals = HelmGlobals::default();
    for a in k.helm_chart_inflation_generator.iter().flatten() {
        let a: HelmChartArgs = decode(a, ARGS_FIELDS, "helmChartInflationGenerator")?;
        if !a.helm_home.is_empty() {
            old_globals.config_home = a.helm_home.clone();
        }
        if !a.chart_home.is_empty() {
            old_globals.chart_home = a.chart_home.clone();
        }
        charts.push(HelmChart {
            name: a.chart_name,
            version: a.chart_version,
            repo: a.chart_repo_url,
            values_file: a.values,
            values_inline: a.values_local,
            values_merge: a.values_merge,
            release_name: a.release_name,
            ..HelmChart::default()
        });
    }
    if globals.is_none()
        && (!old_globals.chart_home.is_empty() || !old_globals.config_home.is_empty())
    {
        globals = Some(old_globals);
    }
    Ok((charts, globals.unwrap_or_default()))
}

/// The plugin configuration kustomize prints in its errors: globals and chart as YAML,
/// empty fields left out.
fn config_yaml(c: &HelmChart, g: &HelmGlobals) -> String {
    let mut m = Map::new();
    let mut s = |k: &str, v: &str| {
        if !v.is_empty() {
            m.insert(k.into(), Value::String(v.into()));
        }
    };
    s("chartHome", &g.chart_home);
    s("configHome", &g.config_home);
    s("name", &c.name);
    s("version", &c.version);
    s("digest", &c.digest);
    s("repo", &c.repo);
    s("releaseName", &c.release_name);
    s("namespace", &c.namespace);
    s("valuesFile", &c.values_file);
    s("valuesMerge", &c.values_merge);
    s("kubeVersion", &c.kube_version);
    s("nameTemplate", &c.name_template);
    let strings = |l: &[String]| Value::Array(l.iter().cloned().map(Value::String).collect());
    if !c.additional_values_files.is_empty() {
        m.insert(
            "additionalValuesFiles".into(),
            strings(&c.additional_values_files),
        );
    }
    if !c.api_versions.is_empty() {
        m.insert("apiVersions".into(), strings(&c.api_versions));
    }
    if !c.values_inline.is_empty() {
        m.insert(
            "valuesInline".into(),
            Value::Object(c.values_inline.clone()),
        );
    }
    for (k, b) in [
        ("includeCRDs", c.include_crds),
        ("skipHooks", c.skip_hooks),
        ("skipTests", c.skip_tests),
        ("debug", c.debug),
        ("devel", c.devel),
    ] {
        if b {
            m.insert(k.into(), Value::Bool(true));
        }
    }
    crate::yaml::emit::to_yaml_document(&Value::Object(m))
}

fn trouble(c: &HelmChart, g: &HelmGlobals, msg: impl std::fmt::Display) -> Error {
    err(ErrorKind::Helm(format!(
        "trouble configuring builtin HelmChartInflationGenerator with config: `\n{}`: {msg}",
        config_yaml(c, g)
    )))
}

/// A chart ready to inflate (kustomize's plugin after `Config`).
#[derive(Clone, Debug)]
pub struct Configured {
    chart: HelmChart,
    /// `<chartHome>` (absolute or joined to the root), plus `<name>-<version>` when both
    /// version and repo are set.
    chart_home: PathBuf,
    /// The kustomization root.
    root: PathBuf,
    /// Additional values files, read and parsed (in order).
    additional: Vec<(PathBuf, String)>,
    /// `helmGlobals.configHome`, for a pull.
    config_home: String,
    puller: Option<std::sync::Arc<dyn ChartPuller>>,
}

/// Validates one `helmCharts` entry as kustomize's `Config` does. `namespace` is the
/// kustomization's own namespace, or the nearest one above it, for charts that set none.
pub fn configure(
    mut chart: HelmChart,
    globals: &HelmGlobals,
    namespace: &str,
    root: &Path,
    loader: &Loader,
    opts: &mut HelmOptions,
) -> Result<Configured> {
    if chart.namespace.is_empty() {
        chart.namespace = namespace.to_string();
    }
    let shown = chart.clone();
    configure_inner(chart, globals, root, loader, opts).map_err(|m| trouble(&shown, globals, m))
}

/// Configures a `HelmChartInflationGenerator` given in `generators:` (builtin plugin
/// config: the chart and global fields at the top level, unknown fields ignored).
pub fn configure_plugin(
    cfg: &Value,
    root: &Path,
    loader: &Loader,
    opts: &mut HelmOptions,
) -> Result<Configured> {
    let meta = |f: &str| {
        cfg.pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("")
            .to_string()
    };
    let (name, ns) = (meta("name"), meta("namespace"));
    let id = format!(
        "HelmChartInflationGenerator.builtin.[noGrp]/{}.{}",
        if name.is_empty() { "[noName]" } else { &name },
        if ns.is_empty() { "[noNs]" } else { &ns }
    );
    let fail = |m: String| {
        helm_err(format!(
            "loading generator plugins: failed to load generator: plugin {id} fails configuration: {m}"
        ))
    };
    if !opts.enabled {
        return Err(fail("must specify --enable-helm".into()));
    }
    let pick = |fields: &[&str]| {
        let mut v = cfg.clone();
        crate::kustfile::rename_keys(&mut v, fields);
        let kept: Map<String, Value> = v
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, x)| fields.contains(&k.as_str()) && !x.is_null())
                    .map(|(k, x)| (k.clone(), x.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Value::Object(kept)
    };
    let chart: HelmChart =
        serde_json::from_value(pick(CHART_FIELDS)).map_err(|e| fail(e.to_string()))?;
    let globals: HelmGlobals = serde_json::from_value(pick(&["chartHome", "configHome"]))
        .map_err(|e| fail(e.to_string()))?;
    configure_inner(chart, &globals, root, loader, opts).map_err(fail)
}

fn configure_inner(
    mut chart: HelmChart,
    globals: &HelmGlobals,
    root: &Path,
    loader: &Loader,
    opts: &mut HelmOptions,
) -> std::result::Result<Configured, String> {
    if !opts.enabled {
        return Err("must specify --enable-helm".into());
    }
    // kustomize sets the CLI values first and then decodes the chart entry over them, so
    // they only fill in what the entry leaves empty.
    if let Some(v) = opts.kube_version.as_ref().filter(|v| !v.is_empty())
        && chart.kube_version.is_empty()
    {
        chart.kube_version = v.clone();
    }
    if !opts.api_versions.is_empty() {
        if chart.api_versions.is_empty() {
            chart.api_versions = opts.api_versions.clone();
        } else {
            // The entry is decoded into the CLI's own slice, so its first values overwrite
            // the CLI list seen by every later chart of the build (observed with v5.8.1).
            for (slot, v) in opts.api_versions.iter_mut().zip(&chart.api_versions) {
                *slot = v.clone();
            }
        }
    }
    if chart.name.is_empty() {
        return Err("chart name cannot be empty".into());
    }
    if !chart.digest.is_empty() && !chart.repo.starts_with("oci://") {
        return Err(
            "digest is only supported for OCI repos (e.g. 'oci://my-registry.com/my-chart:latest')"
                .into(),
        );
    }
    let home = if globals.chart_home.is_empty() {
        DEFAULT_CHART_HOME
    } else {
        globals.chart_home.as_str()
    };
    let mut chart_home = Loader::join(root, home);
    if !chart.version.is_empty() && !chart.repo.is_empty() {
        chart_home = chart_home.join(format!("{}-{}", chart.name, chart.version));
    }
    let mut additional = Vec::new();
    for f in &chart.additional_values_files {
        let read = loader
            .read_relative(root, f)
            .map_err(|e| format!("could not load additionalValuesFile: {}", e.kind()))?;
        additional.push(read);
    }
    match chart.values_merge.as_str() {
        "" => chart.values_merge = "override".into(),
        "merge" | "override" | "replace" => {}
        _ => return Err("valuesMerge must be one of [merge override replace]".into()),
    }
    Ok(Configured {
        chart,
        chart_home,
        root: root.to_path_buf(),
        additional,
        config_home: globals.config_home.clone(),
        puller: opts.puller.clone(),
    })
}

fn helm_err(msg: impl Into<String>) -> Error {
    err(ErrorKind::Helm(msg.into()))
}

/// Renders a configured chart into resources (kustomize's `Generate`), each marked with
/// [`HELM_GENERATED_ANNOTATION`].
pub fn inflate(c: &Configured, loader: &Loader) -> Result<Vec<Resource>> {
    let chart = &c.chart;
    let chart_dir = c.chart_home.join(&chart.name);
    if !chart_dir.is_dir()
        && !chart.repo.is_empty()
        && let Some(puller) = &c.puller
    {
        let pull = ChartPull {
            repo: chart.repo.clone(),
            name: chart.name.clone(),
            version: chart.version.clone(),
            devel: chart.devel,
            untar_dir: c.chart_home.clone(),
            config_home: c.config_home.clone(),
        };
        // kustomize's wrapping of a failed helm run (its environment left out).
        puller.pull(&pull).map_err(|e| {
            helm_err(format!(
                "{e}: unable to run: 'helm {}' (is 'helm' installed?): exit status 1",
                pull.args().join(" ")
            ))
        })?;
    }
    if !chart_dir.is_dir() {
        return Err(if chart.repo.is_empty() {
            helm_err(format!(
                "helm chart '{}': no repo specified for pull, no chart found at '{}'",
                chart.name,
                chart_dir.display()
            ))
        } else {
            let version = if chart.version.is_empty() {
                String::new()
            } else {
                format!(" --version {}", chart.version)
            };
            let source = match chart.repo.strip_suffix('/').unwrap_or(&chart.repo) {
                oci if oci.starts_with("oci://") => format!("{oci}/{}", chart.name),
                repo => format!("--repo {repo} {}", chart.name),
            };
            helm_err(format!(
                "helm chart '{}' not found at '{}': this build pulls no charts from '{}'; vendor it first (helm pull --untar --untardir {} {source}{version})",
                chart.name,
                chart_dir.display(),
                chart.repo,
                c.chart_home.display(),
            ))
        });
    }
    let values = user_values(c, loader)?;
    let loaded = ferroflux_helm::load(&chart_dir)
        .map_err(|e| helm_err(format!("helm chart '{}': {}", chart.name, e.0)))?;
    let release_name = release_name(chart, &chart_dir)?;
    let kube_version = if chart.kube_version.is_empty() {
        None
    } else {
        Some(
            ferroflux_helm::KubeVersion::parse(&chart.kube_version).map_err(|e| {
                helm_err(format!(
                    "helm chart '{}': invalid kube version '{}': {e}",
                    chart.name, chart.kube_version
                ))
            })?,
        )
    };
    // helm's --api-versions is a string slice flag: each value may hold several, comma-separated.
    let api_versions: Vec<String> = chart
        .api_versions
        .iter()
        .flat_map(|a| a.split(','))
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    let opts = ferroflux_helm::TemplateOptions {
        release_name,
        namespace: if chart.namespace.is_empty() {
            "default".into()
        } else {
            chart.namespace.clone()
        },
        values,
        kube_version,
        api_versions,
        is_upgrade: false,
        include_crds: chart.include_crds,
        skip_tests: chart.skip_tests,
        no_hooks: chart.skip_hooks,
        show_only: Vec::new(),
        skip_schema_validation: false,
        // What helm logs is not shown by kustomize on success.
        debug: false,
    };
    let out = ferroflux_helm::template(loaded, &opts).map_err(|e| {
        helm_err(format!(
            "helm chart '{}': helm template {}: Error: {}",
            chart.name,
            chart_dir.display(),
            e.message
        ))
    })?;
    let origin = format!("helm chart {}", chart_dir.display());
    let docs = crate::yaml::parse_resource_documents(&out).map_err(|e| {
        helm_err(format!(
            "helm chart '{}': error reading helm output: {}",
            chart.name,
            e.kind()
        ))
    })?;
    let mut rs = crate::target::resources_from_docs(docs, &origin)?;
    for r in &mut rs {
        crate::resource::set_path(
            &mut r.obj,
            &["metadata", "annotations", HELM_GENERATED_ANNOTATION],
            Value::String("true".into()),
        );
    }
    Ok(rs)
}

/// Is the object one the Helm generator made (the namespace transformer skips those)?
pub fn is_helm_generated(r: &Resource) -> bool {
    crate::resource::get_str(
        &r.obj,
        &["metadata", "annotations", HELM_GENERATED_ANNOTATION],
    ) == Some("true")
}

/// helm's `NameAndChart` given kustomize's arguments: the release name, or
/// `--name-template`, or `--generate-name`.
fn release_name(chart: &HelmChart, chart_dir: &Path) -> Result<String> {
    if !chart.release_name.is_empty() {
        if !chart.name_template.is_empty() {
            return Err(helm_err(format!(
                "helm chart '{}': Error: cannot set --name-template and also specify a name",
                chart.name
            )));
        }
        return Ok(chart.release_name.clone());
    }
    if !chart.name_template.is_empty() {
        return render_name_template(&chart.name_template).map_err(|e| {
            helm_err(format!(
                "helm chart '{}': nameTemplate: Error: {e}",
                chart.name
            ))
        });
    }
    let base = chart_dir
        .file_name()
        .map(|b| b.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = match base.split_once('.') {
        _ if base.is_empty() || base == "." => "chart".to_string(),
        Some((b, _)) => b.to_string(),
        None => base,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    Ok(format!("{base}-{now}"))
}

/// Renders `--name-template` with Helm's template engine (Sprig functions, no data).
fn render_name_template(text: &str) -> std::result::Result<String, String> {
    const FILE: &str = "templates/name-template";
    let chart = ferroflux_helm::Chart {
        metadata: ferroflux_helm::chart::Metadata {
            name: "name-template".into(),
            ..Default::default()
        },
        templates: vec![ferroflux_helm::chart::File {
            name: FILE.into(),
            data: text.as_bytes().into(),
        }],
        ..Default::default()
    };
    let release = ferroflux_helm::engine::ReleaseOptions {
        name: String::new(),
        namespace: String::new(),
        revision: 1,
        is_upgrade: false,
        is_install: true,
    };
    let caps = ferroflux_helm::objects::Capabilities::new(None, &[]);
    let files = ferroflux_helm::engine::render(&chart, &Map::new(), &release, &caps, false)?;
    Ok(files
        .get(&format!("name-template/{FILE}"))
        .cloned()
        .unwrap_or_default())
}

/// The values kustomize hands to `helm template -f`: the values file (the chart's
/// `values.yaml` by default) or `valuesInline` merged with it per `valuesMerge`, then the
/// additional values files.
fn user_values(c: &Configured, loader: &Loader) -> Result<ferroflux_helm::yaml::Values> {
    let chart = &c.chart;
    let values_file = if chart.values_file.is_empty() {
        c.chart_home
            .join(&chart.name)
            .join("values.yaml")
            .to_string_lossy()
            .into_owned()
    } else {
        chart.values_file.clone()
    };
    let helm_values = |file: &Path, text: &str| {
        ferroflux_helm::yaml::load_values(text).map_err(|e| {
            helm_err(format!(
                "helm chart '{}': Error: failed to parse {}: {e}",
                chart.name,
                file.display()
            ))
        })
    };
    let mut out = if chart.values_inline.is_empty() {
        let (file, text) = loader.read_relative(&c.root, &values_file)?;
        helm_values(&file, &text)?
    } else if chart.values_merge == "replace" {
        as_helm_values(Value::Object(chart.values_inline.clone()))
    } else {
        let (_, text) = loader.read_relative(&c.root, &values_file)?;
        // kyaml reads the values file here (YAML 1.2 scalars: `yes` stays a string).
        let file_values = crate::yaml::parse_documents(&text)
            .map_err(|e| {
                helm_err(format!(
                    "could not parse values file into rnode: {}",
                    e.kind()
                ))
            })?
            .into_iter()
            .next()
            .ok_or_else(|| helm_err("could not parse values file into rnode: EOF"))?;
        let inline = Value::Object(chart.values_inline.clone());
        let merged = if chart.values_merge == "override" {
            merge2(Some(&file_values), Some(&inline))
        } else {
            merge2(Some(&inline), Some(&file_values))
        }
        .map_err(|e| helm_err(format!("could not merge values: {e}")))?;
        match merged {
            Some(Value::Object(_)) | None => {}
            Some(_) => {
                return Err(helm_err(
                    "could not parse merged values into map: not a mapping node",
                ));
            }
        }
        as_helm_values(merged.unwrap_or_else(|| Value::Object(Map::new())))
    };
    for (file, text) in &c.additional {
        out = ferroflux_helm::yaml::merge_maps(out, helm_values(file, text)?);
    }
    Ok(out)
}

/// Values as Helm sees them after reading them back from YAML (every number a float64).
fn as_helm_values(v: Value) -> ferroflux_helm::yaml::Values {
    match ferroflux_helm::yaml::floats(v) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NodeKind {
    Mapping,
    Sequence,
    Scalar,
}

fn node_kind(v: &Value) -> Option<NodeKind> {
    match v {
        Value::Null => None,
        Value::Object(_) => Some(NodeKind::Mapping),
        Value::Array(_) => Some(NodeKind::Sequence),
        _ => Some(NodeKind::Scalar),
    }
}

/// kyaml's `merge2.Merge(src, dest)` without a schema: maps merge field by field (a null
/// in `src` clears, `$patch: delete|replace|merge` directives apply), lists are not
/// associative so `src` replaces them, scalars from `src` win. `None` is a missing or
/// cleared node.
fn merge2(dest: Option<&Value>, src: Option<&Value>) -> std::result::Result<Option<Value>, String> {
    let present = |v: Option<&Value>| v.is_some_and(|v| !v.is_null());
    let kind = [dest, src].into_iter().flatten().find_map(node_kind);
    let Some(kind) = kind else {
        // Both missing or null: an explicit null in dest survives when src says nothing.
        return Ok(match (dest, src) {
            (Some(Value::Null), None) => Some(Value::Null),
            _ => None,
        });
    };
    for v in [dest, src].into_iter().flatten() {
        if let Some(k) = node_kind(v)
            && k != kind
        {
            return Err(format!(
                "wrong node kind: expected {kind:?}Node but got {k:?}Node: node contents:\n{}",
                crate::yaml::emit::to_yaml_document(v)
            ));
        }
    }
    match kind {
        NodeKind::Scalar | NodeKind::Sequence => Ok(match src {
            Some(Value::Null) => None,
            Some(s) => Some(s.clone()),
            None => dest.cloned(),
        }),
        NodeKind::Mapping => {
            if present(dest) && src.is_some_and(Value::is_null) {
                return Ok(None);
            }
            let mut src_map = src.and_then(Value::as_object).cloned();
            let directive = match src_map.as_mut().and_then(|m| m.remove("$patch")) {
                None => None,
                Some(Value::String(d)) if matches!(d.as_str(), "delete" | "replace" | "merge") => {
                    Some(d)
                }
                Some(other) => {
                    return Err(format!(
                        "unknown patch strategy '{}'",
                        crate::fieldpath::scalar_string(&other)
                    ));
                }
            };
            if directive.as_deref() == Some("delete") {
                return Ok(None);
            }
            let base: Map<String, Value> =
                if !present(dest) || directive.as_deref() == Some("replace") {
                    // Adding (or replacing): src merged into itself, which drops its nulls.
                    src_map.clone().unwrap_or_default()
                } else {
                    dest.and_then(Value::as_object).cloned().unwrap_or_default()
                };
            let mut keys: Vec<String> = base.keys().cloned().collect();
            for k in src_map.iter().flat_map(|m| m.keys()) {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
            keys.sort();
            let mut out = base.clone();
            for k in keys {
                let merged = merge2(base.get(&k), src_map.as_ref().and_then(|m| m.get(&k)))?;
                match merged {
                    Some(v) => {
                        out.insert(k, v);
                    }
                    None => {
                        out.remove(&k);
                    }
                }
            }
            Ok(Some(Value::Object(out)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge2_override_and_merge() {
        let file =
            json!({"a": 1, "b": {"c": 2, "d": [1, 2], "e": "keep"}, "m": {"k": "v"}, "n": null});
        let inline = json!({"a": 10, "b": {"c": 20, "d": [3]}, "m": null, "new": true});
        let over = merge2(Some(&file), Some(&inline)).unwrap().unwrap();
        assert_eq!(
            over,
            json!({"a": 10, "b": {"c": 20, "d": [3], "e": "keep"}, "n": null, "new": true})
        );
        let merged = merge2(Some(&inline), Some(&file)).unwrap().unwrap();
        assert_eq!(
            merged,
            json!({"a": 1, "b": {"c": 2, "d": [1, 2], "e": "keep"}, "m": {"k": "v"}, "new": true})
        );
    }

    #[test]
    fn merge2_kind_mismatch() {
        let e = merge2(Some(&json!({"a": [1]})), Some(&json!({"a": "hi"}))).unwrap_err();
        assert_eq!(
            e,
            "wrong node kind: expected SequenceNode but got ScalarNode: node contents:\nhi\n"
        );
    }

    #[test]
    fn name_template_renders() {
        assert_eq!(
            render_name_template("{{ \"abc\" | upper }}-x").unwrap(),
            "ABC-x"
        );
    }

    #[test]
    fn disabled_error_text() {
        let chart = HelmChart {
            name: "demo".into(),
            release_name: "rel".into(),
            values_inline: json!({"extra": {"c": 3}}).as_object().unwrap().clone(),
            ..Default::default()
        };
        let e = configure(
            chart,
            &HelmGlobals::default(),
            "kns",
            Path::new("/nonexistent"),
            &Loader::default(),
            &mut HelmOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.kind().to_string(),
            "trouble configuring builtin HelmChartInflationGenerator with config: `\nname: demo\nnamespace: kns\nreleaseName: rel\nvaluesInline:\n  extra:\n    c: 3\n`: must specify --enable-helm"
        );
    }
}
