//! Generators, transformers and patches of one kustomization, run in kustomize's order.

use super::*;

impl Build<'_> {
    /// Builtin plugin configs, each with the file it came from (relative, for origins).
    pub(super) fn plugin_configs(
        &mut self,
        l: &Loaded,
        entries: &[String],
    ) -> Result<Vec<(Value, String)>> {
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

    pub(super) fn run_generators(&mut self, l: &Loaded, ra: &mut ResMap) -> Result<()> {
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
    pub(super) fn absorb_plugin_output(
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

    pub(super) fn run_transformers(&mut self, l: &Loaded, ra: &mut ResMap) -> Result<()> {
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
    pub(super) fn run_configured_transformers(
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
            // In the merged configuration's order, which kustomize's error lists.
            let mut specs = cfg.replicas.clone();
            specs.sort_by_cached_key(|fs| crate::sort::gvk_order_key(&fs.gvk));
            replicas::apply(ra, r, &specs)?;
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

    pub(super) fn apply_patch(
        &mut self,
        root: &Path,
        p: &Patch,
        ra: &mut ResMap,
        legacy_json: bool,
        kinds: &mut patch::KindIndex,
    ) -> Result<()> {
        // An empty patch or path is none. kustomize's PatchTransformer trims an inline patch
        // (so a block scalar ending it loses its final line break); the legacy JSON 6902
        // entries (PatchJson6902Transformer) are read as written.
        let given = |t: &Option<String>, f: fn(&str) -> &str| {
            t.as_deref()
                .map(f)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let inline_as_read: fn(&str) -> &str = if legacy_json { |t| t } else { str::trim };
        let (patch, path) = (given(&p.patch, inline_as_read), given(&p.path, |t| t));
        let mut file = None;
        let text = match (&patch, &path) {
            (Some(t), None) => t.clone(),
            (None, Some(path)) => {
                let (full, text) = self.loader.read_relative(root, path)?;
                file = Some(full);
                text
            }
            (Some(_), Some(_)) => {
                return Err(err(ErrorKind::Patch(if legacy_json {
                    "must specify a file path or jsonOp, not both".into()
                } else {
                    "patch and path can't be set at the same time".into()
                })));
            }
            (None, None) => {
                return Err(err(ErrorKind::Patch(if legacy_json {
                    "empty file path and empty jsonOp".into()
                } else {
                    "must specify one of patch and path".into()
                })));
            }
        };
        // A patch file that does not read, or holds nothing, is named rather than its
        // kustomization.
        let in_patch_file = |e: crate::error::Error| match &file {
            Some(f) => e.in_file(f),
            None => e,
        };
        let body = patch::parse_body_for(&text, p.target.is_some()).map_err(in_patch_file)?;
        if legacy_json && p.target.is_none() {
            return Err(err(ErrorKind::Patch(
                "must specify the target field in patchesJson6902".into(),
            )));
        }
        // The legacy transformer refuses a patch without operations (`patches` accepts it).
        let no_ops = match &body {
            patch::Body::Json(ops) => ops.is_null() || ops.as_array().is_some_and(Vec::is_empty),
            patch::Body::Smp(docs) => docs.iter().all(Value::is_null),
        };
        if legacy_json && no_ops {
            return Err(in_patch_file(err(ErrorKind::Patch(
                "patch appears to be empty".into(),
            ))));
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
pub(super) fn label_specs(
    lab: &crate::kustfile::Label,
    cfg: &TransformerConfig,
) -> Result<Vec<FieldSpec>> {
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
