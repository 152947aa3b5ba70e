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
}

/// Where objects come from, for `config.kubernetes.io/origin`: a path relative to the top
/// kustomization, or to the root of a remote repository (then with its URL and ref).
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The directory (or file) path.
    pub path: String,
    /// The remote repository's clone URL, empty for local files.
    pub repo: String,
    /// The remote repository's ref, if any.
    pub git_ref: String,
}

impl Origin {
    /// `rel` below this origin; as in kustomize, an entry that parses as a repository URL
    /// (even an http(s) file) is recorded as that repository and its path.
    fn join(&self, rel: &str) -> Origin {
        if let Ok(spec) = RepoSpec::parse(rel) {
            return Origin::remote(&spec);
        }
        Origin {
            path: origin_join(&self.path, rel),
            ..self.clone()
        }
    }

    /// The root of a remote base.
    fn remote(spec: &RepoSpec) -> Origin {
        Origin {
            path: spec.origin_path(),
            repo: spec.clone_url(),
            git_ref: spec.git_ref.clone(),
        }
    }

    /// `repo:` and `ref:` lines (kyaml's field order: path, repo, ref, configuredIn, …).
    fn repo_lines(&self) -> String {
        let mut out = String::new();
        if !self.repo.is_empty() {
            out.push_str(&format!("repo: {}\n", origin_scalar(&self.repo)));
        }
        if !self.git_ref.is_empty() {
            out.push_str(&format!("ref: {}\n", origin_scalar(&self.git_ref)));
        }
        out
    }

    /// The annotation of an object read from `rel`.
    fn path_text(&self, rel: &str) -> String {
        let o = self.join(rel);
        format!("path: {}\n{}", origin_scalar(&o.path), o.repo_lines())
    }

    /// The first lines of the annotation of an object a generator or transformer configured
    /// in `file` made or changed (`configuredBy` follows).
    fn configured_in(&self, file: &str) -> String {
        format!(
            "{}configuredIn: {}\n",
            self.repo_lines(),
            origin_scalar(&origin_join(&self.path, file))
        )
    }
}

/// The annotation recording where an object came from.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

fn origin_join(base: &str, rel: &str) -> String {
    let joined = crate::loader::normalize(&Path::new(base).join(rel));
    joined.to_string_lossy().into_owned()
}

/// Removes the origin annotation from a plugin config and returns its path.
fn take_origin_path(obj: &mut Value) -> Option<String> {
    let annotations = obj
        .get_mut("metadata")?
        .get_mut("annotations")?
        .as_object_mut()?;
    let text = annotations.remove(ORIGIN_ANNOTATION)?;
    if annotations.is_empty()
        && let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        m.remove("annotations");
    }
    let origin = crate::yaml::parse_one(text.as_str()?).ok()?;
    origin.get("path")?.as_str().map(str::to_string)
}

fn origin_scalar(s: &str) -> String {
    crate::yaml::emit::to_yaml_document(&Value::String(s.to_string()))
        .trim_end()
        .to_string()
}

fn annotate_origin(r: &mut Resource, text: String) {
    crate::resource::set_path(
        &mut r.obj,
        &["metadata", "annotations", ORIGIN_ANNOTATION],
        Value::String(text),
    );
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
            custom.replaces_builtin = top || !self.builtin_schema_touched;
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
        // Observed with kustomize v5.8.1: namePrefix/nameSuffix specs from a
        // configuration replace the default `metadata/name` spec; other sections add.
        if !custom_cfg.name_prefix.is_empty() {
            cfg.name_prefix.clear();
        }
        if !custom_cfg.name_suffix.is_empty() {
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

    /// Builtin plugin configs, each with the file it came from (relative, for origins).
    fn plugin_configs(&mut self, l: &Loaded, entries: &[String]) -> Result<Vec<(Value, String)>> {
        let mut out = Vec::new();
        let kfile = l
            .file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        for e in entries {
            match crate::plugins::inline_configs(e) {
                Some(docs) => out.extend(docs.into_iter().map(|d| (d, kfile.clone()))),
                None => {
                    let mut tmp = ResMap::default();
                    // kustomize names a config's own file as where it was configured (the
                    // file below a directory entry): its origin relative to this
                    // kustomization, recorded only when origins are tracked.
                    let saved = self.origin.take();
                    let tracked = saved.is_some();
                    if tracked {
                        self.origin = Some(Origin::default());
                    }
                    let res = self.accumulate_path(
                        &l.root,
                        e,
                        &mut tmp,
                        &mut crate::resource::IdIndex::default(),
                    );
                    self.origin = saved;
                    res?;
                    out.extend(tmp.items.into_iter().map(|r| {
                        let mut o = r.obj;
                        crate::yaml::strip_marks(&mut o);
                        let source = if tracked {
                            take_origin_path(&mut o).unwrap_or_else(|| e.clone())
                        } else {
                            e.clone()
                        };
                        (o, source)
                    }));
                }
            }
        }
        let configs: Vec<Value> = out.iter().map(|(v, _)| v.clone()).collect();
        crate::plugins::check_builtin(&configs)?;
        Ok(out)
    }

    fn run_generators(&mut self, l: &Loaded, ra: &mut ResMap) -> Result<()> {
        let k = &l.k;
        // kustomize configures every builtin generator (ConfigMap, Secret, Helm) before
        // running any: chart errors such as a missing --enable-helm come first.
        let (charts, globals) = crate::helm::charts_of(k)?;
        let mut helm_charts = Vec::new();
        for c in charts {
            helm_charts.push(crate::helm::configure(
                c,
                &globals,
                &self.helm_namespace,
                &l.root,
                self.loader,
                &mut self.helm,
            )?);
        }
        let global = k.generator_options.as_ref();
        for (kind, list) in [
            (Kind::ConfigMap, &k.config_map_generator),
            (Kind::Secret, &k.secret_generator),
        ] {
            for args in list.iter().flatten() {
                let opts = generators::merge_options(args.options.as_ref(), global);
                let mut r = generators::generate(kind, args, &opts, &l.root, self.loader)?;
                if let Some(o) = &self.origin {
                    let file = l
                        .file
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let by = if kind == Kind::ConfigMap {
                        "ConfigMapGenerator"
                    } else {
                        "SecretGenerator"
                    };
                    annotate_origin(
                        &mut r,
                        format!(
                            "{}configuredBy:\n  apiVersion: builtin\n  kind: {by}\n",
                            o.configured_in(&file)
                        ),
                    );
                }
                generators::absorb(ra, r)?;
            }
        }
        for c in &helm_charts {
            for mut r in crate::helm::inflate(c, self.loader)? {
                if let Some(o) = &self.origin
                    && !r.annotations().contains_key(ORIGIN_ANNOTATION)
                {
                    let file = l
                        .file
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    annotate_origin(
                        &mut r,
                        format!(
                            "{}configuredBy:\n  apiVersion: builtin\n  kind: HelmChartInflationGenerator\n",
                            o.configured_in(&file)
                        ),
                    );
                }
                generators::absorb(ra, r)?;
            }
        }
        let entries = k.generators.clone().unwrap_or_default();
        for (cfg, source) in self.plugin_configs(l, &entries)? {
            let rs = if cfg.get("kind").and_then(Value::as_str)
                == Some("HelmChartInflationGenerator")
            {
                let c = crate::helm::configure_plugin(&cfg, &l.root, self.loader, &mut self.helm)?;
                crate::helm::inflate(&c, self.loader)?
            } else {
                vec![crate::plugins::generate(&cfg, &l.root, self.loader)?]
            };
            for r in rs {
                self.absorb_plugin_output(ra, &cfg, &source, r)?;
            }
        }
        Ok(())
    }

    /// Adds an object from a `generators:` plugin, with its origin when tracked.
    fn absorb_plugin_output(
        &self,
        ra: &mut ResMap,
        cfg: &Value,
        source: &str,
        mut r: Resource,
    ) -> Result<()> {
        if let Some(o) = &self.origin
            && !r.annotations().contains_key(ORIGIN_ANNOTATION)
        {
            let kind = cfg.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = cfg
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut text = format!(
                "{}configuredBy:\n  apiVersion: builtin\n  kind: {kind}\n",
                o.configured_in(source)
            );
            if !name.is_empty() {
                text.push_str(&format!("  name: {}\n", origin_scalar(name)));
            }
            if let Some(ns) = cfg.pointer("/metadata/namespace").and_then(Value::as_str) {
                text.push_str(&format!("  namespace: {}\n", origin_scalar(ns)));
            }
            annotate_origin(&mut r, text);
        }
        generators::absorb(ra, r)
    }

    fn run_transformers(&mut self, l: &Loaded, ra: &mut ResMap) -> Result<()> {
        let k = &l.k;
        // patchesStrategicMerge
        let mut psm = Vec::new();
        for p in k.patches_strategic_merge.iter().flatten() {
            let full = Loader::join(&l.root, p.trim());
            let text = if !p.contains('\n') && is_remote_file(p.trim()) {
                self.loader.read_relative(&l.root, p.trim())?.1
            } else if !p.contains('\n') && self.loader.is_file(&full) {
                self.loader.check_restriction(&l.root, &full)?;
                self.loader.read(&full)?
            } else if !p.contains('\n') && !p.contains(':') {
                return Err(err(ErrorKind::MissingResource(format!(
                    "patch file '{}' doesn't exist",
                    full.display()
                ))));
            } else {
                p.clone()
            };
            psm.push(patch::parse_body_for(&text, true)?);
        }
        if !psm.is_empty()
            && psm
                .iter()
                .all(|b| matches!(b, patch::Body::Smp(d) if d.is_empty()))
        {
            return Err(err(ErrorKind::Patch("patch appears to be empty".into())));
        }
        let kf = l
            .file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut kinds = patch::KindIndex::default();
        if !psm.is_empty() && !ra.items.is_empty() {
            self.builtin_schema_touched = true;
        }
        for body in &psm {
            patch::apply_indexed(
                ra,
                body,
                None,
                &PatchOptions::default(),
                &self.custom,
                false,
                &mut kinds,
            )?;
        }
        if !psm.is_empty() {
            self.track(ra, &kf, "PatchStrategicMergeTransformer", None);
        }
        // Only the patches change objects in this loop (tracking touches annotations).
        let mut kinds = patch::KindIndex::default();
        for p in k.patches.iter().flatten() {
            self.apply_patch(&l.root, p, ra, false, &mut kinds)?;
            self.track(ra, &kf, "PatchTransformer", None);
        }
        if let Some(ns) = k.namespace.as_ref().filter(|n| !n.is_empty()) {
            let specs = ra.config.namespace.clone();
            namespace::apply(ra, ns, &specs)?;
            self.track(ra, &kf, "NamespaceTransformer", None);
        }
        // The transformers below read the configuration while changing the objects: it is
        // moved out meanwhile (none of them reads `ra.config`), not copied.
        let cfg = std::mem::take(&mut ra.config);
        let result = self.run_configured_transformers(l, ra, &cfg, &kf);
        ra.config = cfg;
        result
    }

    /// The transformers from `namePrefix` on, with the accumulated configuration `cfg`.
    fn run_configured_transformers(
        &mut self,
        l: &Loaded,
        ra: &mut ResMap,
        cfg: &TransformerConfig,
        kf: &str,
    ) -> Result<()> {
        let k = &l.k;
        if let Some(p) = k.name_prefix.as_ref().filter(|p| !p.is_empty()) {
            prefix::apply(ra, p, true, &cfg.name_prefix)?;
            self.track(ra, kf, "PrefixTransformer", None);
        }
        if let Some(s) = k.name_suffix.as_ref().filter(|s| !s.is_empty()) {
            prefix::apply(ra, s, false, &cfg.name_suffix)?;
            self.track(ra, kf, "SuffixTransformer", None);
        }
        // The same key in `labels` and `commonLabels` is no error to a build (only `kustomize
        // edit fix` refuses it): `labels` run first, so `commonLabels` has the last word.
        for lab in k.labels.iter().flatten() {
            let specs = label_specs(lab, cfg)?;
            labels::apply(ra, &lab.pairs, &specs)?;
            self.track(ra, kf, "LabelTransformer", None);
        }
        let has_labels = k.labels.as_ref().is_some_and(|v| !v.is_empty());
        let common_labels = k.common_labels.clone().unwrap_or_default();
        if has_labels || !common_labels.is_empty() {
            labels::apply(ra, &common_labels, &cfg.common_labels)?;
            self.track(ra, kf, "LabelTransformer", None);
        }
        if let Some(ca) = k.common_annotations.as_ref().filter(|c| !c.is_empty()) {
            labels::apply(ra, ca, &cfg.common_annotations)?;
            self.track(ra, kf, "AnnotationsTransformer", None);
        }
        let mut kinds = patch::KindIndex::default();
        for p in k.patches_json6902.iter().flatten() {
            self.apply_patch(&l.root, p, ra, true, &mut kinds)?;
            self.track(ra, kf, "PatchJson6902Transformer", None);
        }
        for r in k.replicas.iter().flatten() {
            replicas::apply(ra, r, &cfg.replicas)?;
            self.track(ra, kf, "ReplicaCountTransformer", None);
        }
        let mut imgs = k.images.clone().unwrap_or_default();
        imgs.extend(k.image_tags.clone().unwrap_or_default());
        for img in &imgs {
            images::apply(ra, img, &cfg.images)?;
            self.track(ra, kf, "ImageTagTransformer", None);
        }
        if let Some(reps) = &k.replacements {
            let list = replacements::expand_paths(reps, &l.root, self.loader)?;
            replacements::apply(ra, &list)?;
            self.track(ra, kf, "ReplacementTransformer", None);
        }
        let entries = k.transformers.clone().unwrap_or_default();
        for (cfg, source) in self.plugin_configs(l, &entries)? {
            crate::plugins::transform(ra, &cfg, &l.root, self.loader, &self.custom)?;
            let kind = cfg.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = cfg
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let ns = cfg
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            self.track(ra, &source, kind, Some((name, ns)));
        }
        Ok(())
    }

    fn apply_patch(
        &mut self,
        root: &Path,
        p: &Patch,
        ra: &mut ResMap,
        legacy_json: bool,
        kinds: &mut patch::KindIndex,
    ) -> Result<()> {
        let text = match (&p.patch, &p.path) {
            // kustomize's PatchTransformer trims an inline patch (so a block scalar ending it
            // loses its final line break); the legacy JSON 6902 entries are read as written.
            (Some(t), None) if !legacy_json => t.trim().to_string(),
            (Some(t), None) => t.clone(),
            (None, Some(path)) => self.loader.read_relative(root, path)?.1,
            (Some(_), Some(_)) => {
                return Err(err(ErrorKind::Patch(
                    "patch and path can't be set at the same time".into(),
                )));
            }
            (None, None) => {
                return Err(err(ErrorKind::Patch(
                    "must specify one of patch and path".into(),
                )));
            }
        };
        let body = patch::parse_body_for(&text, p.target.is_some())?;
        if legacy_json && p.target.is_none() {
            return Err(err(ErrorKind::Patch(
                "must specify the target field in patchesJson6902".into(),
            )));
        }
        let opts = p.options.clone().unwrap_or_default();
        if matches!(body, patch::Body::Smp(_)) && !ra.items.is_empty() {
            self.builtin_schema_touched = true;
        }
        patch::apply_indexed(
            ra,
            &body,
            p.target.as_ref(),
            &opts,
            &self.custom,
            legacy_json,
            kinds,
        )
    }
}

/// Where a `labels` entry writes, as kustomize assembles it: the entry's own `fields`, then
/// (`FsSlice.MergeAll`) the configured label specs, the selector or template specs, and
/// `metadata/labels` on every kind. A spec is left out when one already there has its path and
/// a kind that the new one selects (so `{path: metadata/labels, kind: Deployment}` replaces
/// the default), and refused when that one's `create` differs.
fn label_specs(lab: &crate::kustfile::Label, cfg: &TransformerConfig) -> Result<Vec<FieldSpec>> {
    use crate::config::merge_all;
    let mut specs: Vec<FieldSpec> = lab.fields.iter().map(FieldSpec::from_arg).collect();
    let conflict = |what: &str| {
        err(ErrorKind::Invalid(format!(
            "{what}: conflicting fieldspecs"
        )))
    };
    let labels = "failed to merge labels";
    if !merge_all(&mut specs, &cfg.labels) {
        return Err(conflict(labels));
    }
    if lab.include_selectors {
        if !merge_all(&mut specs, &cfg.common_labels) {
            return Err(conflict(labels));
        }
    } else {
        if lab.include_templates && !merge_all(&mut specs, &cfg.template_labels) {
            return Err(conflict("failed to merge template fieldSpec"));
        }
        let default = FieldSpec::new("", "", "", "metadata/labels", true);
        if !merge_all(&mut specs, std::slice::from_ref(&default)) {
            return Err(conflict(labels));
        }
    }
    Ok(specs)
}

/// Turns parsed documents into resources, expanding `List` kinds (see [`inline_lists`]).
pub fn resources_from_docs(docs: Vec<Value>, origin: &str) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    for mut d in inline_lists(docs, &validated)? {
        let blank_nulls = crate::yaml::take_blank_nulls(&mut d);
        let non_string_keys = crate::yaml::take_non_string_keys(&mut d);
        stringify_annotations(&mut d);
        let mut r = Resource::new(d, origin);
        r.blank_nulls = blank_nulls;
        r.non_string_keys = non_string_keys;
        out.push(r);
    }
    Ok(out)
}

/// kustomize's resource factory on documents (resources and patches alike): a `…List`'s
/// items go to the end of the queue, a list whose `items` is null is dropped, one without
/// `items` is kept as an object. `check` sees the documents and each list's items first.
pub fn inline_lists(
    docs: Vec<Value>,
    check: &dyn Fn(Vec<Value>) -> Result<Vec<Value>>,
) -> Result<Vec<Value>> {
    let mut queue: std::collections::VecDeque<Value> = check(docs)?.into();
    let mut out = Vec::new();
    while let Some(d) = queue.pop_front() {
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List")
            && let Some(items) = d.get("items")
        {
            match items {
                Value::Null => {}
                Value::Array(items) => queue.extend(check(items.clone())?),
                other => {
                    return Err(err(ErrorKind::Invalid(format!(
                        "expected array in {kind}/items, but found {}",
                        go_type_name(other)
                    ))));
                }
            }
            continue;
        }
        out.push(d);
    }
    Ok(out)
}

/// kustomize's `dropBadNodes`: every document needs a kind, and a name unless it is a list.
fn validated(docs: Vec<Value>) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for d in docs {
        let empty = match &d {
            Value::Null => true,
            Value::Object(m) => m.is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if empty {
            continue;
        }
        if !d.is_object() {
            return Err(err(ErrorKind::Invalid(
                "a resource document must be a map".into(),
            )));
        }
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            return Err(err(ErrorKind::Invalid(
                "missing Resource metadata: kind is empty".into(),
            )));
        }
        let name = d
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.is_empty() && !kind.ends_with("List") {
            return Err(err(ErrorKind::Invalid(format!(
                "missing metadata.name in object of kind {kind}"
            ))));
        }
        out.push(d);
    }
    Ok(out)
}

/// Go's `%T` for a value decoded into `interface{}`.
fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// kustomize reads annotations as a string map when it loads a resource: scalars keep
/// their text, collections become "".
pub(crate) fn stringify_annotations(d: &mut Value) {
    let Some(Value::Object(ann)) = d.pointer_mut("/metadata/annotations") else {
        return;
    };
    for v in ann.values_mut() {
        if !v.is_string() {
            *v = Value::String(match v {
                Value::Number(_) | Value::Bool(_) => crate::fieldpath::scalar_string(v),
                // Resource files keep the null's spelling (parse_resource_documents);
                // objects made in memory have none, and `null` is what kyaml prints.
                Value::Null => "null".to_string(),
                _ => String::new(),
            });
        }
    }
}

/// An error's message without its location.
fn kind_text(e: &Error) -> String {
    e.kind().to_string()
}
