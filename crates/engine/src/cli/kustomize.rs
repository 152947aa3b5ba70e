//! `ferroflux kustomize build DIR` (what `kustomize build` prints) and
//! `ferroflux build kustomization --path DIR …` (what Flux's kustomize-controller renders:
//! the directory's kustomization, or a generated one, with the Flux Kustomization's patches,
//! images, components, prefix/suffix, targetNamespace and commonMetadata, then post-build
//! substitution).
//!
//! Remote bases (URLs in `resources`/`components`, see `cli/remote.rs`): `kustomize build`
//! refuses them unless `--enable-remote-bases`; `build kustomization` fetches them, as
//! kustomize-controller does by default, unless `--no-remote-bases`.

use anyhow::{Context, Result, bail};
use ferroflux_api::load::FluxObject;
use ferroflux_kustomize::flux::{
    CommonMetadata, FluxOverlay, FluxPatch, Substitutions, build_kustomization_with_remote,
};
use ferroflux_kustomize::remote::RemoteFetcher;
use ferroflux_kustomize::{
    BuildOptions, ErrorKind, LoadRestrictor, Object, Reorder, RepoSpec, build_remote_with_warnings,
    build_with_warnings, to_yaml,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Multi-word flags also answer to their `_` spelling (`--load_restrictor`), which kubectl
/// accepts and kustomize's own examples use.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// The kustomization directory (or, with --enable-remote-bases, a Git repository URL).
    dir: PathBuf,
    /// LoadRestrictionsRootOnly (default) or LoadRestrictionsNone.
    #[arg(
        long = "load-restrictor",
        alias = "load_restrictor",
        default_value = "LoadRestrictionsRootOnly"
    )]
    load_restrictor: String,
    /// Inflate `helmCharts` from the local chart home (rendered in-process; never pulled).
    #[arg(long = "enable-helm", alias = "enable_helm", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    enable_helm: bool,
    /// Kubernetes version for `.Capabilities.KubeVersion` of charts that set no `kubeVersion`.
    #[arg(long = "helm-kube-version", alias = "helm_kube_version")]
    helm_kube_version: Option<String>,
    /// API versions for `.Capabilities.APIVersions` of charts that set no `apiVersions`.
    #[arg(
        long = "helm-api-versions",
        alias = "helm_api_versions",
        value_delimiter = ','
    )]
    helm_api_versions: Vec<String>,
    /// Accepted for compatibility with `kustomize build`; charts are rendered in-process.
    #[arg(long = "helm-command", alias = "helm_command", hide = true)]
    _helm_command: Option<String>,
    /// Accepted for compatibility with `kustomize build`; no effect.
    #[arg(long = "helm-debug", alias = "helm_debug", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _helm_debug: bool,
    /// Fetch remote bases and resources (Git repository URLs such as
    /// `https://host/org/repo//path?ref=v1`, and http(s) files), as kustomize does; without it
    /// they are refused.
    #[arg(long = "enable-remote-bases", alias = "enable_remote_bases", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    enable_remote_bases: bool,
    /// Write the output to this file, or, when it is an existing directory, each object to
    /// its own file in it (`[namespace_]group_version_kind_name.yaml`), as kustomize does.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Deprecated in kustomize (use `sortOptions`): `legacy` (the default order) or `none`
    /// (the order of accumulation).
    #[arg(long = "reorder")]
    reorder: Option<String>,
    /// Accepted for compatibility with `kustomize build`: external plugins (exec, container
    /// and Go plugins, KRM functions) are refused with or without it.
    #[arg(long = "enable-alpha-plugins", alias = "enable_alpha_plugins", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _enable_alpha_plugins: bool,
    /// Accepted for compatibility (KRM function options; functions are refused).
    #[arg(long = "as-current-user", alias = "as_current_user", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _as_current_user: bool,
    #[arg(short = 'e', long = "env", hide = true)]
    _env: Vec<String>,
    #[arg(long = "mount", hide = true)]
    _mount: Vec<String>,
    #[arg(long = "network", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    _network: bool,
    #[arg(long = "network-name", alias = "network_name", hide = true)]
    _network_name: Option<String>,
}

pub fn kustomize_build(a: &BuildArgs) -> Result<()> {
    let load_restrictor = match a.load_restrictor.as_str() {
        "LoadRestrictionsRootOnly" | "rootOnly" => LoadRestrictor::RootOnly,
        "LoadRestrictionsNone" | "none" => LoadRestrictor::None,
        other => bail!(
            "--load-restrictor '{other}': expected LoadRestrictionsRootOnly or LoadRestrictionsNone"
        ),
    };
    let reorder = match a.reorder.as_deref() {
        None => Reorder::Unspecified,
        Some(given) => {
            eprintln!(
                "Flag --reorder has been deprecated, use the new 'sortOptions' field in kustomization.yaml instead."
            );
            match given {
                "legacy" => Reorder::Legacy,
                "none" => Reorder::None,
                other => bail!("illegal flag value --reorder {other}; legal values: [legacy none]"),
            }
        }
    };
    let opts = BuildOptions {
        load_restrictor,
        enable_helm: a.enable_helm,
        helm_kube_version: a.helm_kube_version.clone(),
        helm_api_versions: a.helm_api_versions.clone(),
        remote: a
            .enable_remote_bases
            .then(|| super::remote::Fetcher::new() as Arc<dyn RemoteFetcher>),
        helm_puller: a.enable_helm.then(|| {
            Arc::new(super::helm_pull::KustomizePuller)
                as Arc<dyn ferroflux_kustomize::helm::ChartPuller>
        }),
        reorder,
    };
    // `kustomize build URL`: a target that is no local directory but a repository URL.
    let target = a.dir.to_string_lossy();
    let (objects, warnings) = if !a.dir.exists() && RepoSpec::parse(&target).is_ok() {
        build_remote_with_warnings(&target, &opts)
    } else {
        build_with_warnings(&a.dir, &opts)
    };
    for w in warnings {
        eprintln!("{w}");
    }
    let objects = objects?;
    match &a.output {
        Some(dir) if dir.is_dir() => write_individual_files(dir, &objects),
        Some(file) => std::fs::write(file, to_yaml(&objects))
            .with_context(|| format!("writing {}", file.display())),
        None => Ok(std::io::stdout()
            .lock()
            .write_all(to_yaml(&objects).as_bytes())?),
    }
}

/// `kustomize build -o DIR`: each object in its own file, named by its group, version, kind
/// and name in lower case, prefixed by its namespace when the namespaced objects span more
/// than one (objects without one count as `default`); written as `sigs.k8s.io/yaml` writes
/// a map, as kustomize does for these files.
fn write_individual_files(dir: &Path, objects: &[Object]) -> Result<()> {
    use ferroflux_kustomize::resource::is_cluster_scoped_kind;
    let field = |o: &Object, path: &[&str]| {
        let mut v = o;
        for p in path {
            v = v.get(p)?;
        }
        v.as_str().map(str::to_string)
    };
    let placed: Vec<(Option<String>, String)> = objects
        .iter()
        .map(|o| {
            let api_version = field(o, &["apiVersion"]).unwrap_or_default();
            let (group, version) = api_version.split_once('/').unwrap_or(("", &api_version));
            let kind = field(o, &["kind"]).unwrap_or_default();
            let name = field(o, &["metadata", "name"]).unwrap_or_default();
            let gvk: Vec<&str> = [group, version, kind.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            let file = format!("{}_{}.yaml", gvk.join("_"), name).to_lowercase();
            let namespace = (!is_cluster_scoped_kind(group, version, &kind)).then(|| {
                field(o, &["metadata", "namespace"])
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "default".into())
            });
            (namespace, file)
        })
        .collect();
    let namespaces: std::collections::HashSet<&String> =
        placed.iter().filter_map(|(ns, _)| ns.as_ref()).collect();
    for (o, (namespace, file)) in objects.iter().zip(&placed) {
        let file = match namespace {
            Some(ns) if namespaces.len() > 1 => format!("{}_{file}", ns.to_lowercase()),
            _ => file.clone(),
        };
        let value = ferroflux_gotemplate::Value::from_json_ints(o);
        let text = ferroflux_gotemplate::funcs::yaml::to_yaml(&value, false)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let path = dir.join(&file);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct FluxBuildArgs {
    /// The Kustomization to take from --kustomization-file (default: the first there).
    name: Option<String>,
    /// Its namespace (one without a namespace in the file matches any).
    #[arg(short = 'n', long = "namespace", default_value = "flux-system")]
    namespace: String,
    /// The directory inside the source artifact (spec.path).
    #[arg(long)]
    path: PathBuf,
    /// A Flux Kustomization manifest whose spec shapes the build (patches, images, components,
    /// namePrefix, nameSuffix, targetNamespace, commonMetadata, buildMetadata,
    /// postBuild.substitute).
    #[arg(long = "kustomization-file")]
    kustomization_file: Option<PathBuf>,
    /// A post-build variable KEY=VALUE (repeatable; wins over everything else).
    #[arg(long = "substitute")]
    substitute: Vec<String>,
    /// Variables from a ConfigMap or Secret manifest, or KEY=VALUE lines, as substituteFrom
    /// would give them (repeatable; later files win).
    #[arg(long = "substitute-from-file")]
    substitute_from_file: Vec<PathBuf>,
    /// Undefined variables without a default become empty strings instead of errors.
    #[arg(long = "no-strict-substitution", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    no_strict: bool,
    /// Refuse remote bases and resources (URLs), like kustomize-controller's
    /// `--no-remote-bases`; by default they are fetched, as Flux does.
    #[arg(long = "no-remote-bases", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", hide_default_value = true, value_parser = crate::cli::helm::go_bool, action = clap::ArgAction::Set)]
    no_remote_bases: bool,
}

pub fn build_flux(a: &FluxBuildArgs) -> Result<()> {
    let mut overlay = FluxOverlay::default();
    let mut subs = Substitutions {
        strict: !a.no_strict,
        ..Substitutions::default()
    };
    for file in &a.substitute_from_file {
        subs.vars.extend(vars_from_file(file)?);
    }
    if a.kustomization_file.is_none()
        && let Some(name) = &a.name
    {
        bail!(
            "Kustomization '{name}': give its manifest with --kustomization-file (this build reads no cluster)"
        );
    }
    if let Some(file) = &a.kustomization_file {
        apply_spec(
            file,
            a.name.as_deref(),
            &a.namespace,
            &mut overlay,
            &mut subs,
        )?;
    }
    for kv in &a.substitute {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--substitute '{kv}': expected KEY=VALUE"))?;
        subs.vars.insert(k.to_string(), v.to_string());
    }
    let objects = flux_build(&a.path, &overlay, &subs, !a.no_remote_bases)?;
    std::io::stdout()
        .lock()
        .write_all(to_yaml(&objects).as_bytes())?;
    Ok(())
}

/// Flux's build of `dir`, fetching remote bases when `remote_bases` (kustomize-controller's
/// default). Call it where blocking is allowed (not on an async task): remote bases are
/// fetched with blocking clients.
pub fn flux_build(
    dir: &Path,
    overlay: &FluxOverlay,
    subs: &Substitutions,
    remote_bases: bool,
) -> Result<Vec<Object>> {
    let fetcher = remote_bases.then(|| super::remote::Fetcher::new() as Arc<dyn RemoteFetcher>);
    build_kustomization_with_remote(dir, overlay, subs, fetcher).map_err(|e| {
        match e.kind() {
            // The library's hint names `kustomize build`'s flag; here the refusal is ours.
            ErrorKind::RemoteBase(url) if !remote_bases => {
                let file = e
                    .file()
                    .map(|f| format!("{}: ", f.display()))
                    .unwrap_or_default();
                anyhow::anyhow!(
                    "{file}remote base or resource '{url}' refused: remote bases are disabled by --no-remote-bases"
                )
            }
            _ => e.into(),
        }
    })
}

/// Reads the Flux Kustomization in `file` into the overlay and substitutions. As the flux
/// CLI does, other objects in the file are skipped, and with a `name` the Kustomization of
/// that name in `namespace` (or with none) is taken; without one, the first. Fields a build
/// does not use (`interval`, `prune`, `sourceRef`) may be left out.
fn apply_spec(
    file: &Path,
    wanted: Option<&str>,
    namespace: &str,
    overlay: &mut FluxOverlay,
    subs: &mut Substitutions,
) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let source = file.display().to_string();
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text)
        .with_context(|| format!("failed to unmarshall kustomization file {source}"))?;
    let field = |d: &serde_json::Value, path: &str| {
        d.pointer(path)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (index, mut doc) = docs
        .into_iter()
        .enumerate()
        .find(|(_, d)| {
            field(d, "/apiVersion").starts_with("kustomize.toolkit.fluxcd.io/")
                && field(d, "/kind") == "Kustomization"
                && wanted.is_none_or(|n| {
                    let ns = field(d, "/metadata/namespace");
                    field(d, "/metadata/name") == n && (ns.is_empty() || ns == namespace)
                })
        })
        .with_context(|| match wanted {
            Some(n) => format!(
                "failed find kustomization with name '{n}' and namespace '{namespace}' in file '{source}'"
            ),
            None => format!("{source}: no Kustomization (kustomize.toolkit.fluxcd.io) in it"),
        })?;
    if let Some(obj) = doc.as_object_mut()
        && !obj.get("spec").is_some_and(|s| s.is_object())
    {
        obj.insert("spec".into(), serde_json::json!({}));
    }
    if let Some(spec) = doc.get_mut("spec").and_then(|s| s.as_object_mut()) {
        let placeholders = [
            ("interval", serde_json::json!("10m")),
            ("prune", serde_json::json!(false)),
            (
                "sourceRef",
                serde_json::json!({"kind": "GitRepository", "name": "none"}),
            ),
        ];
        for (k, v) in placeholders {
            if spec.get(k).is_none_or(serde_json::Value::is_null) {
                spec.insert(k.into(), v);
            }
        }
    }
    let spec = match ferroflux_api::load::parse_value(doc, &source, index)? {
        FluxObject::Kustomization(k) => k.spec,
        _ => bail!("{source}: no Kustomization (kustomize.toolkit.fluxcd.io) in it"),
    };
    overlay_from_spec(spec, &source, overlay, subs)
}

/// A Flux Kustomization's spec as build settings: the overlay fields and post-build values.
pub fn overlay_from_spec(
    spec: ferroflux_api::kustomize::KustomizationSpec,
    name: &str,
    overlay: &mut FluxOverlay,
    subs: &mut Substitutions,
) -> Result<()> {
    overlay.target_namespace = spec.target_namespace;
    overlay.name_prefix = spec.name_prefix;
    overlay.name_suffix = spec.name_suffix;
    overlay.components = spec.components.unwrap_or_default();
    overlay.ignore_missing_components = spec.ignore_missing_components.unwrap_or(false);
    for option in spec.build_metadata.unwrap_or_default() {
        if let serde_json::Value::String(o) = serde_json::to_value(option)? {
            overlay.build_metadata.push(o);
        }
    }
    for (i, p) in spec.patches.unwrap_or_default().into_iter().enumerate() {
        let target = match p.target {
            Some(t) => Some(
                serde_json::from_value(serde_json::to_value(t)?)
                    .with_context(|| format!("{name}: spec.patches[{i}].target"))?,
            ),
            None => None,
        };
        overlay.patches.push(FluxPatch {
            patch: p.patch,
            target,
        });
    }
    for (i, image) in spec.images.unwrap_or_default().into_iter().enumerate() {
        overlay.images.push(
            serde_json::from_value(serde_json::to_value(image)?)
                .with_context(|| format!("{name}: spec.images[{i}]"))?,
        );
    }
    if let Some(m) = spec.common_metadata {
        overlay.common_metadata = Some(CommonMetadata {
            labels: m.labels.unwrap_or_default().into_iter().collect(),
            annotations: m.annotations.unwrap_or_default().into_iter().collect(),
        });
    }
    if let Some(post) = spec.post_build {
        if post.substitute_from.is_some_and(|f| !f.is_empty()) {
            eprintln!(
                "note: {name}: spec.postBuild.substituteFrom needs a cluster; pass the values with --substitute-from-file"
            );
        }
        subs.always = matches!(
            post.substitute_strategy,
            Some(ferroflux_api::kustomize::SubstituteStrategy::Always)
        );
        // Inline values win over substituteFrom.
        subs.vars.extend(post.substitute.unwrap_or_default());
    }
    Ok(())
}

/// `KEY=VALUE` lines, or a ConfigMap/Secret manifest's data (Secret data base64-decoded).
fn vars_from_file(file: &Path) -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.display();
    if let Ok(doc) = serde_saphyr::from_str::<serde_json::Value>(&text)
        && let Some(kind) = doc.get("kind").and_then(|k| k.as_str())
    {
        let mut out = Vec::new();
        let field = |f: &str| {
            doc.get(f)
                .and_then(|d| d.as_object())
                .cloned()
                .unwrap_or_default()
        };
        match kind {
            "ConfigMap" => {
                for (k, v) in field("data") {
                    out.push((k, v.as_str().unwrap_or_default().to_string()));
                }
            }
            "Secret" => {
                use base64::Engine;
                for (k, v) in field("data") {
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(v.as_str().unwrap_or_default())
                        .with_context(|| format!("{name}: data.{k} is not base64"))?;
                    let value = String::from_utf8(raw)
                        .with_context(|| format!("{name}: data.{k} is not UTF-8"))?;
                    out.push((k, value));
                }
                for (k, v) in field("stringData") {
                    out.push((k, v.as_str().unwrap_or_default().to_string()));
                }
            }
            other => bail!("{name}: kind {other}: expected a ConfigMap or a Secret"),
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .with_context(|| format!("{name}:{}: expected KEY=VALUE", n + 1))?;
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok(out)
}
