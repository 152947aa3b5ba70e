//! One kustomization directory and its recursion: resources, bases, components,
//! generators, then transformers in kustomize's order.

use crate::config::TransformerConfig;
use crate::error::{Error, ErrorKind, Result, err};
use crate::fieldspec::FieldSpec;
use crate::generators::{self, Kind};
use crate::kustfile::{Kustomization, Patch, PatchOptions};
use crate::loader::Loader;
use crate::patch;
use crate::remote::{FetchError, RepoSpec, is_remote_file};
use crate::replacements;
use crate::resource::{ResMap, Resource};
use crate::smp::CustomKeys;
use crate::transformers::{images, labels, namespace, prefix, replicas};
use crate::vars::VarDecl;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod docs;
mod origin;
mod plugins;

pub(crate) use docs::stringify_annotations;
use docs::*;
pub use docs::{inline_lists, resources_from_docs};
use origin::*;
pub use origin::{ORIGIN_ANNOTATION, Origin};

/// State shared by one build.
pub struct Build<'a> {
    /// File access.
    pub loader: &'a Loader,
    /// Directories being accumulated (cycle detection).
    stack: Vec<PathBuf>,
    /// Merge keys declared through `crds:` / `openapi:`.
    pub custom: CustomKeys,
    /// Vars declared anywhere in the tree.
    pub vars: Vec<VarDecl>,
    /// With `buildMetadata: [originAnnotations]`: where the current directory is (relative
    /// to the top kustomization, or in a remote repository).
    pub origin: Option<Origin>,
    /// `--enable-helm` and friends.
    pub helm: crate::helm::HelmOptions,
    /// The namespace Helm charts default to: the current kustomization's, else the
    /// nearest one above it (kustomize's `helmRootNamespace`).
    helm_namespace: String,
    /// Resource files of the kustomization being accumulated, already parsed (together,
    /// on several threads): taken when the file's turn comes.
    parsed: std::collections::HashMap<PathBuf, Result<Vec<Value>>>,
    /// Remote bases being accumulated, as written (kustomize's repository cycle check).
    remote_stack: Vec<String>,
    /// Something consulted kyaml's built-in schema before any `openapi:` chose one: an
    /// object of a kind outside it was read, or a strategic merge patch ran.
    builtin_schema_touched: bool,
    /// The built-in schema is loaded before the build starts (Flux's build), so a custom
    /// `openapi.path` document adds to it rather than replacing it.
    pub builtin_schema_preloaded: bool,
}
/// A loaded kustomization file.
pub struct Loaded {
    /// Its directory.
    pub root: PathBuf,
    /// The file.
    pub file: PathBuf,
    /// Parsed content.
    pub k: Kustomization,
}

/// Reads and validates the kustomization file in `dir`.
pub fn load_kustomization(loader: &Loader, dir: &Path) -> Result<Loaded> {
    let Some(file) = loader.find_kustomization(dir)? else {
        return Err(err(ErrorKind::MissingResource(format!(
            "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
            dir.display()
        ))));
    };
    let text = loader.read(&file)?;
    let v = crate::yaml::parse_kustomization(&text).map_err(|e| e.in_file(&file))?;
    let v = crate::kustfile::normalize_keys(v);
    let v = if v.is_null() {
        Value::Object(Default::default())
    } else {
        v
    };
    let k: Kustomization = serde_json::from_value(v)
        .map_err(|e| Error::new(ErrorKind::InvalidKustomization(e.to_string())).in_file(&file))?;
    if k.is_empty() {
        return Err(Error::new(ErrorKind::InvalidKustomization(
            "kustomization.yaml is empty".into(),
        ))
        .in_file(&file));
    }
    if let Some(kind) = &k.kind
        && kind != "Kustomization"
        && kind != "Component"
    {
        return Err(Error::new(ErrorKind::InvalidKustomization(
            "kind should be Kustomization or Component".into(),
        ))
        .in_file(&file));
    }
    let component = k.kind.as_deref() == Some("Component");
    let required = if component {
        "kustomize.config.k8s.io/v1alpha1"
    } else {
        "kustomize.config.k8s.io/v1beta1"
    };
    if let Some(v) = &k.api_version
        && v != required
    {
        let kind = if component {
            "Component"
        } else {
            "Kustomization"
        };
        return Err(Error::new(ErrorKind::InvalidKustomization(format!(
            "apiVersion for {kind} should be {required}"
        )))
        .in_file(&file));
    }
    Ok(Loaded {
        root: dir.to_path_buf(),
        file,
        k,
    })
}

fn is_component(k: &Kustomization) -> bool {
    k.kind.as_deref() == Some("Component")
}

impl<'a> Build<'a> {
    /// Starts a build.
    pub fn new(loader: &'a Loader) -> Build<'a> {
        Build {
            loader,
            stack: Vec::new(),
            custom: CustomKeys::default(),
            vars: Vec::new(),
            origin: None,
            helm: crate::helm::HelmOptions::default(),
            helm_namespace: String::new(),
            parsed: std::collections::HashMap::new(),
            remote_stack: Vec::new(),
            builtin_schema_touched: false,
            builtin_schema_preloaded: false,
        }
    }

    /// Accumulates the kustomization at `dir` into `ra` (components share `ra`).
    pub fn accumulate(&mut self, dir: &Path, ra: ResMap, component: bool) -> Result<ResMap> {
        let real = self.loader.real(dir);
        if self.stack.contains(&real) {
            return Err(err(ErrorKind::Cycle(format!(
                "'{}' is already being built (bases include each other)",
                dir.display()
            ))));
        }
        let loaded = load_kustomization(self.loader, dir)?;
        for w in loaded.k.deprecation_warnings() {
            self.loader.warn(w);
        }
        if component && !is_component(&loaded.k) {
            return Err(Error::new(ErrorKind::InvalidKustomization(format!(
                "expected kind 'Component' for path '{}' but got '{}'",
                dir.display(),
                loaded
                    .k
                    .kind
                    .clone()
                    .unwrap_or_else(|| "Kustomization".into())
            )))
            .in_file(&loaded.file));
        }
        // kustomize only checks the kind of the kustomizations it reaches from another one:
        // the build target itself may be a Component.
        if !component && !self.stack.is_empty() && is_component(&loaded.k) {
            return Err(Error::new(ErrorKind::InvalidKustomization(format!(
                "expected kind != 'Component' for path '{}'",
                dir.display()
            )))
            .in_file(&loaded.file));
        }
        self.stack.push(real);
        let inherited = self.helm_namespace.clone();
        if let Some(ns) = loaded.k.namespace.as_ref().filter(|n| !n.is_empty()) {
            self.helm_namespace = ns.clone();
        }
        let out = self
            .accumulate_loaded(&loaded, ra)
            .map_err(|e| e.in_file(&loaded.file));
        self.helm_namespace = inherited;
        self.stack.pop();
        out
    }

    /// kustomize's `openapi.SetSchema`: one schema for the whole build. The top
    /// kustomization sets it (a custom `path`, or a built-in `version`); below it, the first
    /// kustomization met in the traversal that names one sets it and later ones are ignored.
    /// The schema file is read either way, as kustomize does.
    fn set_schema(&mut self, l: &Loaded) -> Result<()> {
        let Some(openapi) = &l.k.openapi else {
            return Ok(());
        };
        let text = match openapi.get("path") {
            Some(p) => Some(self.loader.read_relative(&l.root, p)?.1),
            None => None,
        };
        let top = self.stack.len() == 1;
        if self.custom.schema_set && !top {
            return Ok(());
        }
        let version = openapi.get("version");
        if let Some(text) = text {
            if version.is_some() {
                return Err(err(ErrorKind::InvalidKustomization(
                    "builtin version and custom schema provided, cannot use both".into(),
                )));
            }
            let mut custom = CustomKeys::default();
            crate::crds::collect_openapi(&text, &mut custom)?;
            // kyaml adds a custom document to the definitions it holds; the built-in ones
            // are only absent when nothing has needed them yet in this build (always the
            // case for the top kustomization, which sets its schema before reading).
            custom.replaces_builtin =
                !self.builtin_schema_preloaded && (top || !self.builtin_schema_touched);
            custom.schema_set = true;
            self.custom = custom;
            return Ok(());
        }
        match version.map(String::as_str) {
            None | Some("") => {}
            Some("v1.21.2") => {
                self.custom = CustomKeys {
                    schema_set: true,
                    ..CustomKeys::default()
                };
            }
            Some(_) => {
                return Err(err(ErrorKind::InvalidKustomization(
                    "the specified OpenAPI version is not built in".into(),
                )));
            }
        }
        Ok(())
    }

    fn accumulate_loaded(&mut self, l: &Loaded, mut ra: ResMap) -> Result<ResMap> {
        let k = &l.k;
        for unsupported in [(
            "validators",
            k.validators.as_ref().is_some_and(|v| !v.is_empty()),
        )] {
            if unsupported.1 {
                return Err(err(ErrorKind::Invalid(format!(
                    "'{}' (plugins) is not supported",
                    unsupported.0
                ))));
            }
        }
        self.set_schema(l)?;
        let mut paths: Vec<String> = k.resources.clone().unwrap_or_default();
        paths.extend(k.bases.clone().unwrap_or_default());
        self.prefetch(&l.root, &paths);
        // `ra` only grows in this loop: one id index serves every append.
        let mut index = crate::resource::IdIndex::default();
        for p in &paths {
            self.accumulate_path(&l.root, p, &mut ra, &mut index)?;
        }
        let mut custom_cfg = TransformerConfig::default();
        for c in k.configurations.iter().flatten() {
            let (file, text) = self.loader.read_relative(&l.root, c)?;
            let parsed = TransformerConfig::parse(&text).map_err(|e| e.in_file(&file))?;
            custom_cfg
                .check_merge(&parsed)
                .map_err(|e| e.in_file(&file))?;
            custom_cfg.merge(&parsed);
        }
        let mut cfg = TransformerConfig::builtin();
        // Observed with kustomize v5.8.1: a `metadata/name` spec in a configuration's
        // namePrefix/nameSuffix replaces the default one (so a kind-scoped one leaves other
        // kinds' names alone); other specs, and other sections, add to the defaults.
        let names = |specs: &[crate::fieldspec::FieldSpec]| {
            specs.iter().any(|fs| fs.path == "metadata/name")
        };
        if names(&custom_cfg.name_prefix) {
            cfg.name_prefix.clear();
        }
        if names(&custom_cfg.name_suffix) {
            cfg.name_suffix.clear();
        }
        cfg.check_merge(&custom_cfg)?;
        cfg.merge(&custom_cfg);
        ra.config.merge_owned(cfg);
        for c in k.crds.iter().flatten() {
            let (file, text) = self.loader.read_relative(&l.root, c)?;
            let crd_cfg =
                TransformerConfig::from_crd_definitions(&text).map_err(|e| e.in_file(&file))?;
            ra.config.merge(&crd_cfg);
        }
        self.run_generators(l, &mut ra)?;
        for c in k.components.clone().unwrap_or_default() {
            // kustomize tries a component as a repository first.
            if let Ok(spec) = RepoSpec::parse(&c) {
                ra = self.accumulate_remote(&spec, ra, true)?;
                continue;
            }
            if c.contains("://") {
                return Err(self.unsupported_url(&c));
            }
            let dir = Loader::join(&l.root, &c);
            if !self.loader.is_dir(&dir) {
                return Err(err(ErrorKind::MissingResource(format!(
                    "component '{c}' is not a directory"
                ))));
            }
            self.check_in_checkout(&l.root, &dir)?;
            let saved = self.origin.clone();
            if let Some(o) = &saved {
                self.origin = Some(o.join(&c));
            }
            let res = self.accumulate(&dir, ra, true);
            self.origin = saved;
            ra = res?;
        }
        self.run_transformers(l, &mut ra)?;
        if let Some(vars) = &k.vars {
            for v in vars {
                if self.vars.iter().any(|d| d.var.name == v.name) {
                    return Err(err(ErrorKind::Replacement(format!(
                        "var '{}' already encountered",
                        v.name
                    ))));
                }
                crate::vars::bind(&mut ra, v)?;
                self.vars.push(VarDecl { var: v.clone() });
            }
        }
        Ok(ra)
    }

    /// Reads the resource files among `paths` that may be read, and parses them together
    /// (see [`Build::parsed`]). Files that cannot be read are left to the loop, which
    /// reports the error where it always did.
    fn prefetch(&mut self, root: &Path, paths: &[String]) {
        let mut files = Vec::new();
        let mut texts = Vec::new();
        for p in paths {
            if p.contains("://") {
                continue;
            }
            let full = Loader::join(root, p);
            if files.contains(&full)
                || !self.loader.is_file(&full)
                || self.loader.check_restriction(root, &full).is_err()
            {
                continue;
            }
            if let Ok(text) = self.loader.read(&full) {
                files.push(full);
                texts.push(text);
            }
        }
        if files.len() < 2 {
            return;
        }
        let parsed = crate::yaml::parse_resources_many(&texts);
        self.parsed.extend(files.into_iter().zip(parsed));
    }

    fn accumulate_path(
        &mut self,
        root: &Path,
        p: &str,
        ra: &mut ResMap,
        index: &mut crate::resource::IdIndex,
    ) -> Result<()> {
        // As kustomize: an http(s) URL is tried as a file, then as a repository.
        if is_remote_file(p) {
            return self.accumulate_url(p, ra, index);
        }
        let full = Loader::join(root, p);
        if !p.contains("://") && self.loader.is_file(&full) {
            self.loader.check_restriction(root, &full)?;
            let docs = match self.parsed.remove(&full) {
                Some(docs) => docs,
                None => crate::yaml::parse_resource_documents(&self.loader.read(&full)?),
            }
            .map_err(|e| e.in_file(&full))?;
            let rs = resources_from_docs(docs, &full.display().to_string())
                .map_err(|e| e.in_file(&full))?;
            self.add_file_resources(rs, p, ra, index)
                .map_err(|e| e.in_file(&full))?;
            return Ok(());
        }
        if let Ok(spec) = RepoSpec::parse(p) {
            let sub = self.accumulate_remote(&spec, ResMap::default(), false)?;
            ra.append_all_indexed(sub, index)?;
            return Ok(());
        }
        if p.contains("://") {
            return Err(self.unsupported_url(p));
        }
        if self.loader.is_dir(&full) {
            self.check_in_checkout(root, &full)?;
            let saved = self.origin.clone();
            if let Some(o) = &saved {
                self.origin = Some(o.join(p));
            }
            let sub = self.accumulate(&full, ResMap::default(), false);
            self.origin = saved;
            let sub = sub?;
            ra.append_all_indexed(sub, index)?;
            return Ok(());
        }
        Err(err(ErrorKind::MissingResource(format!(
            "'{}' doesn't exist",
            full.display()
        ))))
    }

    /// Adds the objects of the resource file `p`, with their origin when tracked.
    fn add_file_resources(
        &mut self,
        mut rs: Vec<Resource>,
        p: &str,
        ra: &mut ResMap,
        index: &mut crate::resource::IdIndex,
    ) -> Result<()> {
        if !self.custom.schema_set && rs.iter().any(|r| !crate::smp::in_builtin_schema(&r.gvk())) {
            self.builtin_schema_touched = true;
        }
        if let Some(o) = &self.origin {
            let text = o.path_text(p);
            for r in &mut rs {
                annotate_origin(r, text.clone());
            }
        }
        ra.extend_indexed(rs, index)
    }

    /// An `http(s)://` entry of `resources`: kustomize v5.8.1 GETs it as a file first, and
    /// only when that fails (other than with an HTTP error status for a URL that is no
    /// repository) clones it as a repository.
    fn accumulate_url(
        &mut self,
        p: &str,
        ra: &mut ResMap,
        index: &mut crate::resource::IdIndex,
    ) -> Result<()> {
        let fetcher = self.loader.fetcher(p)?;
        let spec = RepoSpec::parse(p);
        let remote_err = |reason: String| {
            err(ErrorKind::Remote {
                url: p.to_string(),
                reason,
            })
        };
        // Why the URL is not a resource file; `None` when it answered with an HTTP error
        // status and is a repository (kustomize: "URL is a git repository").
        let file_err = match fetcher.fetch_file(p) {
            Ok(bytes) => {
                let parsed =
                    crate::yaml::parse_resource_documents(&String::from_utf8_lossy(&bytes))
                        .and_then(|docs| resources_from_docs(docs, p));
                match parsed {
                    Ok(rs) => return self.add_file_resources(rs, p, ra, index),
                    Err(e) => Some(format!("not a resource file: {}", kind_text(&e))),
                }
            }
            Err(FetchError::HttpStatus { .. }) if spec.is_ok() => None,
            Err(e @ FetchError::HttpStatus { .. }) => {
                return Err(remote_err(format!("fetching the file failed: {e}")));
            }
            Err(e) => Some(format!("fetching it as a file failed: {e}")),
        };
        let spec = match spec {
            Ok(spec) => spec,
            Err(not_repo) => {
                return Err(remote_err(format!(
                    "{}; and it is not a Git repository URL ({not_repo})",
                    file_err.unwrap_or_default()
                )));
            }
        };
        match self.accumulate_remote(&spec, ResMap::default(), false) {
            Ok(sub) => ra.append_all_indexed(sub, index),
            // The repository could not be fetched either: say what failed both ways.
            Err(e) if e.remote().is_none() && file_err.is_some() => match e.kind() {
                ErrorKind::Remote { reason, .. } => Err(remote_err(format!(
                    "{}; as a Git repository: {reason}",
                    file_err.unwrap_or_default()
                ))),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Accumulates the kustomization at the root of a remote base.
    fn accumulate_remote(
        &mut self,
        spec: &RepoSpec,
        ra: ResMap,
        component: bool,
    ) -> Result<ResMap> {
        if let Some(prev) = self
            .remote_stack
            .iter()
            .find(|prev| prev.starts_with(&spec.raw))
        {
            return Err(err(ErrorKind::Cycle(format!(
                "URI '{}' referenced by previous URI '{prev}'",
                spec.raw
            ))));
        }
        let root = self.loader.open_repo(spec)?;
        let saved = self.origin.clone();
        if saved.is_some() {
            self.origin = Some(Origin::remote(spec));
        }
        self.remote_stack.push(spec.raw.clone());
        let res = self.accumulate(&root, ra, component);
        self.remote_stack.pop();
        self.origin = saved;
        res.map_err(|e| e.in_remote(&spec.raw, self.loader.checkout_of(&root).as_deref()))
    }

    /// Bases of a kustomization inside a checked-out repository must stay in it.
    fn check_in_checkout(&self, root: &Path, dir: &Path) -> Result<()> {
        let Some(checkout) = self.loader.checkout_of(root) else {
            return Ok(());
        };
        let real = self.loader.real(dir);
        if !real.starts_with(&checkout) {
            return Err(err(ErrorKind::LoadRestriction(format!(
                "bases in kustomizations found in cloned git repos must be within the repo, but base '{}' is outside '{}'",
                real.display(),
                checkout.display()
            ))));
        }
        Ok(())
    }

    /// A URL with a scheme kustomize does not fetch.
    fn unsupported_url(&self, p: &str) -> Error {
        if !self.loader.remote_enabled() {
            return err(ErrorKind::RemoteBase(p.to_string()));
        }
        let reason = RepoSpec::parse(p).err().map(|e| e.0).unwrap_or_default();
        err(ErrorKind::Remote {
            url: p.to_string(),
            reason: format!(
                "not a URL kustomize fetches ({reason}): use https://, http://, ssh://, file://, user@host:path or github.com/…"
            ),
        })
    }

    /// Records that a transformer configured in `configured_in` ran (kustomize adds it
    /// to every object's transformations once build metadata is on).
    fn track(&self, ra: &mut ResMap, configured_in: &str, kind: &str, id: Option<(&str, &str)>) {
        let Some(o) = &self.origin else { return };
        let mut text = format!(
            "{}configuredBy:\n  apiVersion: builtin\n  kind: {kind}\n",
            o.configured_in(configured_in)
        );
        if let Some((name, namespace)) = id {
            if !name.is_empty() {
                text.push_str(&format!("  name: {}\n", origin_scalar(name)));
            }
            if !namespace.is_empty() {
                text.push_str(&format!("  namespace: {}\n", origin_scalar(namespace)));
            }
        }
        for r in &mut ra.items {
            // kustomize rewrites the whole annotation map to record either.
            crate::alias::drop_under(&mut r.aliases, &["metadata", "annotations"]);
            if r.annotations().contains_key(ORIGIN_ANNOTATION) {
                r.transformations.push(text.clone());
            } else {
                annotate_origin(r, text.clone());
            }
        }
    }
}
