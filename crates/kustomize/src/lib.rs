//! ferroflux's kustomize renderer: a pure function from a directory tree to an
//! ordered list of Kubernetes objects, with the semantics of `kustomize build`
//! (v5.8.1), plus the extras Flux's kustomize-controller applies on top.
//!
//! # Model
//!
//! A build starts at a directory holding a `kustomization.yaml`. Its resources,
//! bases and components are accumulated recursively into a [`resource::ResMap`];
//! each directory runs its generators, then its transformers in kustomize's order
//! (patches, namespace, prefix/suffix, labels, annotations, JSON patches, replicas,
//! images, replacements). At the top, generated names get their content hash, name
//! references are fixed, vars are resolved and the result is sorted.
//!
//! - [`build`] runs `kustomize build`; [`to_yaml`] prints objects the way kustomize does.
//! - [`flux::build_kustomization`] adds Flux's overlay (generated kustomization,
//!   patches, images, components, name prefix/suffix, target namespace, common
//!   metadata) and post-build substitution.
//!
//! With [`BuildOptions::enable_helm`], `helmCharts` are rendered in-process by
//! `ferroflux-helm` from charts already in the chart home ([`helm`]).
//!
//! Nothing here touches the network or a cluster. Remote bases and files (URLs in
//! `resources`, `components`, patch and generator paths) are fetched only through a
//! [`remote::RemoteFetcher`] the caller hands over in [`BuildOptions::remote`], and refused
//! without one; chart pulls are always refused.
#![deny(missing_docs)]

pub mod alias;
pub mod config;
pub mod crds;
pub mod error;
pub mod fieldpath;
pub mod fieldspec;
pub mod flux;
pub mod generators;
pub mod helm;
mod iam;
pub mod kustfile;
pub mod loader;
pub mod nameref;
pub mod patch;
pub mod plugins;
pub mod remote;
pub mod replacements;
pub mod resource;
mod schema_nodes;
pub mod selector;
pub mod smp;
pub mod sort;
pub mod target;
pub mod transformers;
pub mod vars;
pub mod yaml;

pub use error::{Error, ErrorKind};
pub use loader::LoadRestrictor;
pub use remote::{FetchError, RemoteFetcher, RepoSpec};

use resource::ResMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A rendered Kubernetes object.
pub type Object = serde_json::Value;

/// Choices for [`build`].
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Which files kustomizations may read (`--load-restrictor`).
    pub load_restrictor: LoadRestrictor,
    /// Inflate `helmCharts` (`--enable-helm`); without it they are an error, as in kustomize.
    pub enable_helm: bool,
    /// `--helm-kube-version`: `.Capabilities.KubeVersion` for charts whose entry sets no
    /// `kubeVersion` (kustomize's "CLI takes precedence" is overwritten by the entry).
    pub helm_kube_version: Option<String>,
    /// `--helm-api-versions`: extra `.Capabilities.APIVersions` for charts whose entry sets
    /// no `apiVersions`.
    pub helm_api_versions: Vec<String>,
    /// Fetches remote bases and files; `None` (the default) refuses every URL with
    /// [`ErrorKind::RemoteBase`].
    pub remote: Option<Arc<dyn RemoteFetcher>>,
    /// Pulls `helmCharts` with a `repo` that are missing from their chart home; `None`
    /// (the default) makes them an error naming the `helm pull` to run.
    pub helm_puller: Option<Arc<dyn helm::ChartPuller>>,
    /// kustomize's deprecated `--reorder` flag.
    pub reorder: Reorder,
}

/// The final ordering asked for on the command line (`--reorder`), which a kustomization's
/// own `sortOptions` override.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reorder {
    /// No flag: legacy order unless the kustomization sets `sortOptions`.
    #[default]
    Unspecified,
    /// `--reorder legacy`.
    Legacy,
    /// `--reorder none`: the order of accumulation.
    None,
}

/// kustomize's `resource.BuildAnnotations`: what a build removes from every object at the
/// end, also where a file wrote them (kyaml's reader marks, kustomize's own bookkeeping, the
/// Helm mark).
const BUILD_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    "internal.config.kubernetes.io/needsHashSuffix",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
    helm::HELM_GENERATED_ANNOTATION,
];

/// What kustomize prints on stderr when `--reorder` and `sortOptions` are both given.
const REORDER_IGNORED: &str = "Warning: Sorting order is set both in 'kustomization.yaml' ('sortOptions') and in a CLI flag ('--reorder'). Using the kustomization file over the CLI flag.";

/// Runs `kustomize build` on `dir`.
pub fn build(dir: &Path, opts: &BuildOptions) -> Result<Vec<Object>, Error> {
    build_with_warnings(dir, opts).0
}

/// [`build`], and the warnings kustomize would print on stderr on the way (deprecated
/// fields, in the order the kustomizations were loaded), whether or not the build failed.
pub fn build_with_warnings(
    dir: &Path,
    opts: &BuildOptions,
) -> (Result<Vec<Object>, Error>, Vec<String>) {
    let mut loader = loader::Loader::new(opts.load_restrictor);
    loader.set_remote(opts.remote.clone());
    let result =
        build_impl(&loader, dir, &helm_options(opts), opts.reorder, false).map(|mut objects| {
            objects.iter_mut().for_each(yaml::strip_marks);
            objects
        });
    (result, loader.take_warnings())
}

/// Runs `kustomize build URL` on a remote target (a Git repository in kustomize's
/// [`RepoSpec`] syntax), fetched through [`BuildOptions::remote`]. As in kustomize, the
/// files of a remote root are always restricted to it.
pub fn build_remote(target: &str, opts: &BuildOptions) -> Result<Vec<Object>, Error> {
    build_remote_with_warnings(target, opts).0
}

/// [`build_remote`] and its warnings, as [`build_with_warnings`].
pub fn build_remote_with_warnings(
    target: &str,
    opts: &BuildOptions,
) -> (Result<Vec<Object>, Error>, Vec<String>) {
    let mut loader = loader::Loader::new(opts.load_restrictor);
    loader.set_remote(opts.remote.clone());
    let result = (|| {
        let spec = RepoSpec::parse(target).map_err(|e| {
            Error::new(ErrorKind::Remote {
                url: target.to_string(),
                reason: format!("not a Git repository URL: {e}"),
            })
        })?;
        let root = loader.open_repo(&spec)?;
        let checkout = loader.checkout_of(&root);
        let mut objects = build_impl(&loader, &root, &helm_options(opts), opts.reorder, false)
            .map_err(|e| e.in_remote(target, checkout.as_deref()))?;
        objects.iter_mut().for_each(yaml::strip_marks);
        Ok(objects)
    })();
    (result, loader.take_warnings())
}

fn helm_options(opts: &BuildOptions) -> helm::HelmOptions {
    helm::HelmOptions {
        enabled: opts.enable_helm,
        kube_version: opts.helm_kube_version.clone(),
        api_versions: opts.helm_api_versions.clone(),
        puller: opts.helm_puller.clone(),
    }
}

/// Builds `dir` with a prepared loader (in-memory files), as `kustomize build` does.
pub fn build_with(loader: &loader::Loader, dir: &Path) -> Result<Vec<Object>, Error> {
    build_prepared(loader, dir, false)
}

/// [`build_with`] as Flux's kustomize-controller runs kustomize (see `build_impl`); used by
/// the Flux layer.
pub fn build_flux_with(loader: &loader::Loader, dir: &Path) -> Result<Vec<Object>, Error> {
    build_prepared(loader, dir, true)
}

fn build_prepared(loader: &loader::Loader, dir: &Path, flux: bool) -> Result<Vec<Object>, Error> {
    let reorder = if flux {
        Reorder::None
    } else {
        Reorder::Unspecified
    };
    let mut objects = build_impl(loader, dir, &helm::HelmOptions::default(), reorder, flux)?;
    objects.iter_mut().for_each(yaml::strip_marks);
    Ok(objects)
}

/// kustomize's complaint about a build target that is not a directory: a file is named as
/// given; a missing path names its first missing ancestor, absolute and cleaned, as Go's
/// `filepath.EvalSymlinks` failure does.
fn not_a_build_dir(given: &Path) -> String {
    let shown = given.display();
    let absolute = std::env::current_dir()
        .map(|cwd| loader::normalize(&cwd.join(given)))
        .unwrap_or_else(|_| loader::normalize(given));
    let mut prefix = PathBuf::new();
    for c in absolute.components() {
        prefix.push(c);
        match std::fs::symlink_metadata(&prefix) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return format!(
                    "must build at directory: not a valid directory: evalsymlink failure on '{shown}' : lstat {}: no such file or directory",
                    prefix.display()
                );
            }
            Err(_) => break,
        }
    }
    format!("must build at directory: '{shown}': file is not directory")
}

/// `flux`: as fluxcd/pkg's `kustomize.Build` runs krusty: no `--reorder` (objects stay in
/// the order of accumulation unless the kustomization sets `sortOptions`), and kyaml's
/// built-in schema loaded first, so an `openapi.path` document adds to it.
fn build_impl(
    loader: &loader::Loader,
    dir: &Path,
    helm_opts: &helm::HelmOptions,
    reorder: Reorder,
    flux: bool,
) -> Result<Vec<Object>, Error> {
    let given = dir;
    let dir = loader::real(dir);
    if !dir.is_dir() {
        return Err(Error::new(ErrorKind::MissingResource(not_a_build_dir(
            given,
        ))));
    }
    let top = target::load_kustomization(loader, &dir)?;
    let meta = top.k.build_metadata.clone().unwrap_or_default();
    let has = |o: &str| meta.iter().any(|m| m == o);
    let mut b = target::Build::new(loader);
    b.helm = helm_opts.clone();
    b.builtin_schema_preloaded = flux;
    // Any build metadata turns on origin tracking (kustomize's `kt.origin`), also options
    // kustomize does not know, which it otherwise ignores.
    if !meta.is_empty() {
        b.origin = Some(target::Origin::default());
    }
    let mut ra = b.accumulate(&dir, ResMap::default(), false)?;
    generators::add_hashes(&mut ra);
    // The configuration is not needed after these two steps.
    let rules = std::mem::take(&mut ra.config.name_reference);
    nameref::fix(&mut ra, &rules)?;
    let var_specs = std::mem::take(&mut ra.config.var_reference);
    let unused = vars::resolve(&mut ra, &b.vars, &var_specs)?;
    if !unused.is_empty() {
        loader.warn(format!(
            "well-defined vars that were never replaced: {}",
            unused.join(",")
        ));
    }
    // Objects marked as local configuration never leave the build.
    ra.items.retain(|r| {
        r.annotations_ref()
            .and_then(|a| a.get("config.kubernetes.io/local-config"))
            .and_then(|v| v.as_str())
            != Some("true")
    });
    // kustomize rebuilds its resource map here (dropping local configuration), which
    // refuses two objects that transformations (a patch renaming one, say) left with the
    // same id.
    let items = std::mem::take(&mut ra.items);
    let mut unique = ResMap::default();
    unique.extend_checked(items)?;
    ra.items = unique.items;
    if top.k.sort_options.is_some() && reorder != Reorder::Unspecified && !flux {
        loader.warn(REORDER_IGNORED.into());
    }
    match &top.k.sort_options {
        None if reorder == Reorder::None => {}
        None => sort::legacy(&mut ra, None, None),
        Some(so) => match so.order.as_str() {
            "legacy" => {
                let l = so.legacy_sort_options.as_ref();
                sort::legacy(
                    &mut ra,
                    l.map(|l| l.order_first.as_slice()),
                    l.map(|l| l.order_last.as_slice()),
                );
            }
            "fifo" => {
                if so.legacy_sort_options.is_some() {
                    return Err(Error::new(ErrorKind::InvalidKustomization(
                        "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".into(),
                    ))
                    .in_file(&top.file));
                }
            }
            _ => {
                return Err(Error::new(ErrorKind::InvalidKustomization(
                    "the field 'sortOptions.order' must be one of [fifo, legacy]".into(),
                ))
                .in_file(&top.file));
            }
        },
    }
    for r in &ra.items {
        r.check_string_keys()?;
    }
    for r in &mut ra.items {
        // kustomize rewrites the annotations as a string map when it drops its build
        // annotations at the end, so values set since loading (patches, replacements)
        // become text.
        target::stringify_annotations(&mut r.obj);
        let transformations = std::mem::take(&mut r.transformations);
        let Some(meta_obj) = r.obj.get_mut("metadata").and_then(|m| m.as_object_mut()) else {
            continue;
        };
        // kyaml's reader gives every resource its index annotations and clears them at the
        // end, so `annotations:` left null (or empty) in a file is gone from the output.
        if let Some(a @ serde_json::Value::Null) = meta_obj.get_mut("annotations") {
            *a = serde_json::Value::Object(Default::default());
        }
        let Some(ann) = meta_obj
            .get_mut("annotations")
            .and_then(|a| a.as_object_mut())
        else {
            continue;
        };
        if !has("originAnnotations") {
            ann.remove(target::ORIGIN_ANNOTATION);
        }
        for key in BUILD_ANNOTATIONS {
            ann.remove(*key);
        }
        if has("transformerAnnotations") && !transformations.is_empty() {
            let text: String = transformations
                .iter()
                .map(|t| {
                    let mut lines = t.lines();
                    let first = lines.next().unwrap_or("");
                    let mut out = format!("- {first}\n");
                    for l in lines {
                        out.push_str(&format!("  {l}\n"));
                    }
                    out
                })
                .collect();
            ann.insert(
                "alpha.config.kubernetes.io/transformations".into(),
                serde_json::Value::String(text),
            );
        }
        if ann.is_empty() {
            meta_obj.remove("annotations");
        }
    }
    if has("managedByLabel") {
        for r in &mut ra.items {
            resource::set_path(
                &mut r.obj,
                &["metadata", "labels", "app.kubernetes.io/managed-by"],
                serde_json::Value::String(MANAGED_BY.into()),
            );
        }
    }
    let objects = ra.into_values();
    for o in &objects {
        check_printable(o)?;
    }
    Ok(objects)
}

/// The managed-by label value kustomize v5.8.1 writes.
const MANAGED_BY: &str = "kustomize-v5.8.1";

/// kustomize's printer rejects strings with raw control characters (DEL, C1 controls,
/// U+FFFE/U+FFFF) that its YAML reader cannot read back.
fn check_printable(v: &serde_json::Value) -> Result<(), Error> {
    let bad = |s: &str| {
        // Every character at issue is DEL or outside ASCII.
        s.bytes().any(|b| b >= 0x7f)
            && s.chars()
                .any(|c| matches!(c as u32, 0x7f..=0x84 | 0x86..=0x9f | 0xfffe | 0xffff))
    };
    match v {
        serde_json::Value::String(s) if bad(s) => Err(Error::new(ErrorKind::Invalid(
            "yaml: control characters are not allowed".into(),
        ))),
        serde_json::Value::Array(a) => a.iter().try_for_each(check_printable),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if bad(k) {
                    return Err(Error::new(ErrorKind::Invalid(
                        "yaml: control characters are not allowed".into(),
                    )));
                }
                check_printable(x)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Prints objects like `kustomize build`: `---` between documents, keys sorted,
/// sequences not indented under their key.
pub fn to_yaml(objects: &[Object]) -> String {
    yaml::to_yaml(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_renamed_to_one_id_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "kustomization.yaml",
            "resources:\n- a.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n    - op: replace\n      path: /metadata/name\n      value: same\n",
        );
        write(
            "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n",
        );
        let e = build(dir.path(), &BuildOptions::default()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::ConflictingIds(_)), "{e}");
        assert!(e.to_string().contains("already registered id"), "{e}");

        // One rename alone is fine.
        write(
            "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n",
        );
        assert_eq!(
            build(dir.path(), &BuildOptions::default()).unwrap().len(),
            1
        );
    }
}
