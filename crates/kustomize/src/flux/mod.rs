//! Flux kustomize-controller's build: the directory's kustomization (or one generated
//! from the manifests below it), Flux's spec fields written into it, `kustomize
//! build`, common metadata, then post-build variable substitution.

pub mod envsubst;

use crate::error::{Error, ErrorKind, Result, err};
use crate::kustfile::{Image, Kustomization, Patch, Selector};
use crate::loader::{LoadRestrictor, Loader};
use crate::remote::RemoteFetcher;
use crate::{Object, build_flux_with, yaml};
use indexmap::IndexMap;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The annotation/label value that turns substitution off for one object.
pub const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// A Flux `spec.patches` entry.
#[derive(Clone, Debug, Default)]
pub struct FluxPatch {
    /// The patch (strategic merge or JSON 6902).
    pub patch: String,
    /// Which objects it applies to.
    pub target: Option<Selector>,
}

/// `spec.commonMetadata`.
#[derive(Clone, Debug, Default)]
pub struct CommonMetadata {
    /// Labels added to every object's metadata.
    pub labels: IndexMap<String, String>,
    /// Annotations added to every object's metadata.
    pub annotations: IndexMap<String, String>,
}

/// The Flux Kustomization fields that shape the build.
#[derive(Clone, Debug, Default)]
pub struct FluxOverlay {
    /// `spec.targetNamespace` (replaces the kustomization's `namespace`).
    pub target_namespace: Option<String>,
    /// `spec.namePrefix` (replaces the kustomization's).
    pub name_prefix: Option<String>,
    /// `spec.nameSuffix` (replaces the kustomization's).
    pub name_suffix: Option<String>,
    /// `spec.patches` (appended).
    pub patches: Vec<FluxPatch>,
    /// `spec.images` (merged by name).
    pub images: Vec<Image>,
    /// `spec.components` (appended; local relative paths only).
    pub components: Vec<String>,
    /// `spec.ignoreMissingComponents`.
    pub ignore_missing_components: bool,
    /// `spec.commonMetadata`.
    pub common_metadata: Option<CommonMetadata>,
    /// `spec.buildMetadata` (`originAnnotations`, `transformerAnnotations`; replaces the
    /// kustomization's when given).
    pub build_metadata: Vec<String>,
}

/// `spec.postBuild` values, already resolved (inline `substitute` wins over `substituteFrom`).
#[derive(Clone, Debug)]
pub struct Substitutions {
    /// Variable values.
    pub vars: IndexMap<String, String>,
    /// Undefined variables without default are errors (Flux's default since v1.9).
    pub strict: bool,
    /// `substituteStrategy: Always`: substitute even when no variable is defined.
    pub always: bool,
}

impl Default for Substitutions {
    fn default() -> Self {
        Substitutions {
            vars: IndexMap::new(),
            strict: true,
            always: false,
        }
    }
}

/// Builds `dir` the way Flux's kustomize-controller does, refusing remote bases (see
/// [`build_kustomization_with_remote`]).
pub fn build_kustomization(
    dir: &Path,
    overlay: &FluxOverlay,
    subs: &Substitutions,
) -> Result<Vec<Object>> {
    build_kustomization_with_remote(dir, overlay, subs, None)
}

/// [`build_kustomization`] with remote bases fetched through `remote` (kustomize-controller
/// allows them unless started with `--no-remote-bases`); `None` refuses them.
pub fn build_kustomization_with_remote(
    dir: &Path,
    overlay: &FluxOverlay,
    subs: &Substitutions,
    remote: Option<Arc<dyn RemoteFetcher>>,
) -> Result<Vec<Object>> {
    // Flux lifts kustomize's load restriction (the artifact root is the boundary).
    let mut loader = Loader::new(LoadRestrictor::None);
    loader.set_remote(remote);
    let dir = crate::loader::real(dir);
    let (file, mut k) = match loader.find_kustomization(&dir)? {
        Some(f) => {
            let mut k = crate::target::load_kustomization(&loader, &dir)?.k;
            // fluxcd/pkg's generator: an existing kustomization without resources
            // gets origin annotations.
            if k.resources.as_ref().is_none_or(Vec::is_empty) {
                k.build_metadata = Some(vec!["originAnnotations".into()]);
            }
            (f, k)
        }
        None => (
            dir.join("kustomization.yaml"),
            generate_kustomization(&loader, &dir)?,
        ),
    };
    apply_overlay(&mut k, overlay, &dir)?;
    let value = serde_json::to_value(&k).map_err(|e| err(ErrorKind::Invalid(e.to_string())))?;
    loader.add_virtual_file(file, yaml::to_yaml(&[strip_nulls(value)]));
    let objects = build_flux_with(&loader, &dir)?;
    check_identities(&objects)?;
    let mut objects = post_build(objects, subs)?;
    // kustomize-controller adds commonMetadata at apply time, after substitution.
    if let Some(cm) = &overlay.common_metadata {
        for o in &mut objects {
            add_metadata(o, "labels", &cm.labels);
            add_metadata(o, "annotations", &cm.annotations);
        }
    }
    Ok(objects)
}

/// kustomize-controller refuses a build holding an object without apiVersion, kind or name
/// (kustomize itself lets an apiVersion go missing).
fn check_identities(objects: &[Object]) -> Result<()> {
    for o in objects {
        let field = |path: &[&str]| crate::resource::get_str(o, path).unwrap_or("").is_empty();
        if field(&["apiVersion"]) || field(&["kind"]) || field(&["metadata", "name"]) {
            return Err(err(ErrorKind::Invalid(format!(
                "failed to decode Kubernetes apiVersion, kind and name from: {o}"
            ))));
        }
    }
    Ok(())
}

/// Post-build substitution (`spec.postBuild`) over built objects.
fn post_build(objects: Vec<Object>, subs: &Substitutions) -> Result<Vec<Object>> {
    if subs.vars.is_empty() && !subs.always {
        return Ok(objects);
    }
    // Flux drops newlines from values.
    let vars: IndexMap<String, String> = subs
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.replace('\n', "")))
        .collect();
    let subs = Substitutions {
        vars,
        strict: subs.strict,
        always: subs.always,
    };
    objects
        .into_iter()
        .map(|o| substitute_object(o, &subs))
        .collect()
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        o => o,
    }
}

fn add_metadata(o: &mut Value, field: &str, pairs: &IndexMap<String, String>) {
    if pairs.is_empty() {
        return;
    }
    for (k, v) in pairs {
        crate::resource::set_path(o, &["metadata", field, k], Value::String(v.clone()));
    }
}

/// Writes Flux's spec fields into a kustomization, as kustomize-controller does.
pub fn apply_overlay(k: &mut Kustomization, o: &FluxOverlay, dir: &Path) -> Result<()> {
    if let Some(ns) = &o.target_namespace {
        k.namespace = Some(ns.clone());
    }
    if let Some(p) = &o.name_prefix {
        k.name_prefix = Some(p.clone());
    }
    if let Some(s) = &o.name_suffix {
        k.name_suffix = Some(s.clone());
    }
    if !o.build_metadata.is_empty() {
        k.build_metadata = Some(o.build_metadata.clone());
    }
    for p in &o.patches {
        k.patches.get_or_insert_with(Vec::new).push(Patch {
            path: None,
            patch: Some(p.patch.clone()),
            target: p.target.clone(),
            options: None,
        });
    }
    for c in &o.components {
        if c.starts_with('/') || Loader::is_remote(c) {
            return Err(err(ErrorKind::Invalid(format!(
                "component path '{c}' must be local and relative"
            ))));
        }
        if o.ignore_missing_components && !Loader::join(dir, c).exists() {
            continue;
        }
        k.components.get_or_insert_with(Vec::new).push(c.clone());
    }
    for img in &o.images {
        let images = k.images.get_or_insert_with(Vec::new);
        match images.iter_mut().find(|i| i.name == img.name) {
            Some(existing) => {
                if !img.new_name.is_empty() {
                    existing.new_name = img.new_name.clone();
                }
                if !img.new_tag.is_empty() || !img.digest.is_empty() {
                    existing.new_tag = img.new_tag.clone();
                    existing.digest = img.digest.clone();
                }
            }
            None => images.push(Image {
                tag_suffix: String::new(),
                ..img.clone()
            }),
        }
    }
    Ok(())
}

/// Flux's generated kustomization: every manifest file below `dir`, and every
/// subdirectory that holds its own kustomization (not descended into).
pub fn generate_kustomization(loader: &Loader, dir: &Path) -> Result<Kustomization> {
    let mut resources = Vec::new();
    scan(loader, dir, dir, &mut resources)?;
    let mut k = Kustomization {
        api_version: Some("kustomize.config.k8s.io/v1beta1".into()),
        kind: Some("Kustomization".into()),
        ..Kustomization::default()
    };
    if resources.is_empty() {
        k.namespace = Some("_placeholder".into());
    } else {
        k.resources = Some(resources);
    }
    Ok(k)
}

fn scan(loader: &Loader, base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::new(ErrorKind::Io(e)).in_file(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let rel = || format!("./{}", p.strip_prefix(base).unwrap_or(&p).display());
        // Like Go's filepath.Walk, symlinks to directories are not followed.
        let is_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
        if is_dir {
            if loader.find_kustomization(&p).ok().flatten().is_some() {
                out.push(rel());
            } else {
                scan(loader, base, &p, out)?;
            }
            continue;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "yaml" && ext != "yml" {
            continue;
        }
        let text = loader.read(&p)?;
        let docs = yaml::parse_documents(&text).map_err(|e| {
            Error::new(ErrorKind::Invalid(format!(
                "failed to decode Kubernetes YAML: {e}"
            )))
            .in_file(&p)
        })?;
        crate::target::resources_from_docs(docs, "").map_err(|e| e.in_file(&p))?;
        out.push(rel());
    }
    Ok(())
}

fn disabled(o: &Value) -> bool {
    ["labels", "annotations"].iter().any(|f| {
        o.get("metadata")
            .and_then(|m| m.get(*f))
            .and_then(|m| m.get(SUBSTITUTE_KEY))
            .and_then(Value::as_str)
            == Some("disabled")
    })
}

/// Substitutes variables in one object as kustomize-controller does: in the object's text
/// as `sigs.k8s.io/yaml` writes it (so quotes written around a `${…}` in the source are gone,
/// and `"${PORT}"` with `8080` becomes a number), read back as `sigs.k8s.io/yaml` reads YAML
/// (YAML 1.1: `yes` is true; the first document only). Objects labelled or annotated
/// `kustomize.toolkit.fluxcd.io/substitute: disabled` are left alone, before the variable
/// names are even checked.
pub fn substitute_object(o: Value, subs: &Substitutions) -> Result<Value> {
    if disabled(&o) {
        return Ok(o);
    }
    if let Some(name) = subs.vars.keys().find(|n| !valid_var_name(n)) {
        return Err(err(ErrorKind::Substitution(format!(
            "'{name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
        ))));
    }
    let id = describe(&o);
    let fail = |m: String| err(ErrorKind::Substitution(m)).for_object(id.clone());
    let text = ferroflux_gotemplate::funcs::yaml::to_yaml(
        &ferroflux_gotemplate::Value::from_json_ints(&o),
        false,
    )
    .map_err(|e| fail(format!("AsYAML: {e}")))?;
    let lookup = |name: &str| subs.vars.get(name).cloned();
    let out = envsubst::substitute(text.as_bytes(), &lookup, subs.strict)
        .map_err(|e| fail(format!("variable substitution failed: {e}")))?;
    let out = String::from_utf8(out)
        .map_err(|_| fail("YAMLToJSON: yaml: invalid leading UTF-8 octet".into()))?;
    ferroflux_helm::yaml11::parse_typed(&out).map_err(|e| fail(format!("YAMLToJSON: {e}")))
}

/// Flux's `^[_[:alpha:]][_[:alpha:][:digit:]]*$` (ASCII classes).
fn valid_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn describe(o: &Value) -> String {
    let s = |p: &[&str]| crate::resource::get_str(o, p).unwrap_or("").to_string();
    format!(
        "{}/{} {}",
        s(&["kind"]),
        s(&["metadata", "namespace"]),
        s(&["metadata", "name"])
    )
}

#[cfg(test)]
mod tests;
