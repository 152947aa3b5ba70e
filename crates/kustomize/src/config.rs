//! Transformer configuration: which fields each transformer touches. Starts from the
//! built-in tables, grows with `configurations:` files and `crds:` definitions, and
//! travels with the accumulated objects (a base's configuration applies above it).

use crate::error::{Error, ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec, NameRef};
use crate::resource::{FastBuild, Gvk};
use serde_json::Value;
use std::collections::HashMap;

/// Field specs per transformer.
#[derive(Clone, Debug, Default)]
pub struct TransformerConfig {
    /// namePrefix
    pub name_prefix: Vec<FieldSpec>,
    /// nameSuffix
    pub name_suffix: Vec<FieldSpec>,
    /// namespace (beyond metadata/namespace)
    pub namespace: Vec<FieldSpec>,
    /// commonLabels / labels with selectors
    pub common_labels: Vec<FieldSpec>,
    /// labels (no selectors)
    pub labels: Vec<FieldSpec>,
    /// labels with includeTemplates
    pub template_labels: Vec<FieldSpec>,
    /// commonAnnotations
    pub common_annotations: Vec<FieldSpec>,
    /// name references
    pub name_reference: Vec<NameRef>,
    /// vars
    pub var_reference: Vec<FieldSpec>,
    /// images
    pub images: Vec<FieldSpec>,
    /// replicas
    pub replicas: Vec<FieldSpec>,
}

/// kustomize's `FsSlice.MergeAll`: each spec of `more` is added unless one already there
/// has the same path and a gvk the new spec's gvk selects (its empty fields are
/// wildcards, so a spec without a gvk is dropped when its path is already present for
/// any kind).
fn merge_specs(into: &mut Vec<FieldSpec>, more: &[FieldSpec]) {
    if more.is_empty() {
        return;
    }
    let added: Vec<usize> = {
        let mut by_path: HashMap<&str, Vec<&Gvk>, FastBuild> =
            HashMap::with_capacity_and_hasher(into.len() + more.len(), FastBuild::default());
        for o in into.iter() {
            by_path.entry(o.path.as_str()).or_default().push(&o.gvk);
        }
        let mut added = Vec::new();
        for (i, s) in more.iter().enumerate() {
            let present = by_path.entry(s.path.as_str()).or_default();
            if present.iter().any(|g| g.is_selected_by(&s.gvk)) {
                continue;
            }
            present.push(&s.gvk);
            added.push(i);
        }
        added
    };
    into.extend(added.into_iter().map(|i| more[i].clone()));
}

/// Would [`merge_specs`] meet a spec already there whose `create` differs?
fn conflicting(into: &[FieldSpec], more: &[FieldSpec]) -> bool {
    !merge_all(&mut into.to_vec(), more)
}

/// kustomize's `FsSlice.MergeAll`: each incoming spec is added unless one already there has
/// its path and a kind the incoming spec selects; `false` ("conflicting fieldspecs") when
/// that one's `create` differs. [`merge_specs`] is the same merge for the configuration's long
/// lists, without the check.
pub fn merge_all(specs: &mut Vec<FieldSpec>, incoming: &[FieldSpec]) -> bool {
    for x in incoming {
        match specs
            .iter()
            .find(|s| s.path == x.path && s.gvk.is_selected_by(&x.gvk))
        {
            Some(s) if s.create != x.create => return false,
            Some(_) => {}
            None => specs.push(x.clone()),
        }
    }
    true
}

/// [`merge_specs`] taking `more` by value.
fn merge_specs_owned(into: &mut Vec<FieldSpec>, more: Vec<FieldSpec>) {
    merge_specs(into, &more);
}

impl TransformerConfig {
    /// kustomize's built-in configuration.
    pub fn builtin() -> TransformerConfig {
        static BUILTIN: std::sync::LazyLock<TransformerConfig> =
            std::sync::LazyLock::new(TransformerConfig::make_builtin);
        BUILTIN.clone()
    }

    fn make_builtin() -> TransformerConfig {
        TransformerConfig {
            name_prefix: vec![FieldSpec::new("", "", "", "metadata/name", false)],
            name_suffix: vec![FieldSpec::new("", "", "", "metadata/name", false)],
            namespace: fieldspec::namespace(),
            common_labels: fieldspec::common_labels(),
            labels: Vec::new(),
            template_labels: fieldspec::template_labels(),
            common_annotations: fieldspec::common_annotations(),
            name_reference: fieldspec::name_references(),
            var_reference: crate::vars::var_reference_specs(),
            images: fieldspec::images(),
            replicas: fieldspec::replicas(),
        }
    }

    /// Fails where merging `o` would meet a spec already present (as [`merge_specs`]
    /// decides) with a different `create`: kustomize's "conflicting fieldspecs".
    pub fn check_merge(&self, o: &TransformerConfig) -> Result<()> {
        let lists: [(&str, &Vec<FieldSpec>, &Vec<FieldSpec>); 10] = [
            ("NamePrefix", &self.name_prefix, &o.name_prefix),
            ("NameSuffix", &self.name_suffix, &o.name_suffix),
            ("NameSpace", &self.namespace, &o.namespace),
            (
                "CommonAnnotations",
                &self.common_annotations,
                &o.common_annotations,
            ),
            ("CommonLabels", &self.common_labels, &o.common_labels),
            ("Labels", &self.labels, &o.labels),
            ("TemplateLabels", &self.template_labels, &o.template_labels),
            ("VarReference", &self.var_reference, &o.var_reference),
            ("Images", &self.images, &o.images),
            ("Replicas", &self.replicas, &o.replicas),
        ];
        for (name, into, more) in lists {
            if conflicting(into, more) {
                return Err(err(ErrorKind::InvalidKustomization(format!(
                    "failed to merge {name} fieldSpec: conflicting fieldspecs"
                ))));
            }
        }
        Ok(())
    }

    /// Adds another configuration's specs (duplicates dropped).
    pub fn merge(&mut self, o: &TransformerConfig) {
        merge_specs(&mut self.name_prefix, &o.name_prefix);
        merge_specs(&mut self.name_suffix, &o.name_suffix);
        merge_specs(&mut self.namespace, &o.namespace);
        merge_specs(&mut self.common_labels, &o.common_labels);
        merge_specs(&mut self.labels, &o.labels);
        merge_specs(&mut self.template_labels, &o.template_labels);
        merge_specs(&mut self.common_annotations, &o.common_annotations);
        merge_specs(&mut self.var_reference, &o.var_reference);
        merge_specs(&mut self.images, &o.images);
        merge_specs(&mut self.replicas, &o.replicas);
        for nr in &o.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|x| x.target == nr.target)
            {
                Some(x) => merge_specs(&mut x.referrers, &nr.referrers),
                None => self.name_reference.push(nr.clone()),
            }
        }
    }

    /// [`TransformerConfig::merge`] taking the other configuration by value (its specs are
    /// moved, not copied).
    pub fn merge_owned(&mut self, o: TransformerConfig) {
        merge_specs_owned(&mut self.name_prefix, o.name_prefix);
        merge_specs_owned(&mut self.name_suffix, o.name_suffix);
        merge_specs_owned(&mut self.namespace, o.namespace);
        merge_specs_owned(&mut self.common_labels, o.common_labels);
        merge_specs_owned(&mut self.labels, o.labels);
        merge_specs_owned(&mut self.template_labels, o.template_labels);
        merge_specs_owned(&mut self.common_annotations, o.common_annotations);
        merge_specs_owned(&mut self.var_reference, o.var_reference);
        merge_specs_owned(&mut self.images, o.images);
        merge_specs_owned(&mut self.replicas, o.replicas);
        for nr in o.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|x| x.target == nr.target)
            {
                Some(x) => merge_specs(&mut x.referrers, &nr.referrers),
                None => self.name_reference.push(nr),
            }
        }
    }

    /// Parses a `configurations:` file.
    pub fn parse(text: &str) -> Result<TransformerConfig> {
        let v = crate::yaml::parse_one(text)?;
        let mut c = TransformerConfig::default();
        let Some(m) = v.as_object() else {
            return if v.is_null() {
                Ok(c)
            } else {
                Err(bad("a configuration must be a map"))
            };
        };
        for (k, val) in m {
            match k.as_str() {
                "namePrefix" => c.name_prefix = specs(val)?,
                "nameSuffix" => c.name_suffix = specs(val)?,
                "namespace" => c.namespace = specs(val)?,
                "commonLabels" => c.common_labels = specs(val)?,
                "labels" => c.labels = specs(val)?,
                "templateLabels" => c.template_labels = specs(val)?,
                "commonAnnotations" => c.common_annotations = specs(val)?,
                "varReference" => c.var_reference = specs(val)?,
                "images" => c.images = specs(val)?,
                "replicas" => c.replicas = specs(val)?,
                "nameReference" => {
                    for e in val.as_array().into_iter().flatten() {
                        known_fields(e, &["group", "version", "kind", "fieldSpecs"])?;
                        let s =
                            |f: &str| e.get(f).and_then(Value::as_str).unwrap_or("").to_string();
                        c.name_reference.push(NameRef {
                            target: Gvk {
                                group: s("group"),
                                version: s("version"),
                                kind: s("kind"),
                            },
                            referrers: specs(e.get("fieldSpecs").unwrap_or(&Value::Null))?,
                        });
                    }
                }
                other => {
                    return Err(bad(&format!(
                        "unknown transformer configuration field {other:?}"
                    )));
                }
            }
        }
        Ok(c)
    }

    /// Reads `crds:` OpenAPI definitions (kustomize's `x-kubernetes-*` markers).
    pub fn from_crd_definitions(text: &str) -> Result<TransformerConfig> {
        let v = crate::yaml::parse_one(text)?;
        let mut c = TransformerConfig::default();
        let Some(defs) = v.as_object() else {
            return Ok(c);
        };
        for (name, def) in defs {
            let props = def
                .get("Schema")
                .or(Some(def))
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object);
            let Some(props) = props else { continue };
            if !(props.contains_key("kind")
                && props.contains_key("apiVersion")
                && props.contains_key("metadata"))
            {
                continue;
            }
            let kind = name.rsplit('.').next().unwrap_or(name).to_string();
            let gvk = Gvk {
                kind,
                ..Gvk::default()
            };
            crd_walk(&mut c, &gvk, defs, name, &mut Vec::new(), 0);
        }
        Ok(c)
    }
}

fn crd_walk(
    c: &mut TransformerConfig,
    gvk: &Gvk,
    defs: &serde_json::Map<String, Value>,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    let Some(def) = defs.get(type_name) else {
        return;
    };
    let Some(props) = def
        .get("Schema")
        .or(Some(def))
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return;
    };
    for (prop, p) in props {
        path.push(prop.clone());
        let fs = |path: &[String]| FieldSpec {
            gvk: gvk.clone(),
            path: path.join("/"),
            create: false,
        };
        let has = |k: &str| p.get(k).and_then(Value::as_str).is_some();
        if has("x-kubernetes-annotation") {
            merge_specs(&mut c.common_annotations, &[fs(path)]);
        }
        if has("x-kubernetes-label-selector") {
            merge_specs(&mut c.common_labels, &[fs(path)]);
        }
        if has("x-kubernetes-identity") {
            merge_specs(&mut c.name_prefix, &[fs(path)]);
        }
        if let (Some(version), Some(kind)) = (
            p.get("x-kubernetes-object-ref-api-version")
                .and_then(Value::as_str),
            p.get("x-kubernetes-object-ref-kind")
                .and_then(Value::as_str),
        ) {
            let key = p
                .get("x-kubernetes-object-ref-name-key")
                .and_then(Value::as_str)
                .unwrap_or("name");
            let mut full = path.clone();
            full.push(key.to_string());
            c.merge(&TransformerConfig {
                name_reference: vec![NameRef {
                    target: Gvk {
                        group: String::new(),
                        version: version.into(),
                        kind: kind.into(),
                    },
                    referrers: vec![fs(&full)],
                }],
                ..TransformerConfig::default()
            });
        }
        if let Some(r) = p.get("$ref").and_then(Value::as_str) {
            let target = r.trim_start_matches("#/definitions/").to_string();
            crd_walk(c, gvk, defs, &target, path, depth + 1);
        }
        path.pop();
    }
}

fn bad(msg: &str) -> Error {
    err(ErrorKind::InvalidKustomization(msg.to_string()))
}

/// kustomize decodes configuration files strictly: a key its Go struct lacks is an error.
fn known_fields(e: &Value, known: &[&str]) -> Result<()> {
    match e
        .as_object()
        .and_then(|m| m.keys().find(|k| !known.contains(&k.as_str())))
    {
        Some(k) => Err(err(ErrorKind::Invalid(format!(
            "error unmarshaling JSON: while decoding JSON: json: unknown field {k:?}"
        )))),
        None => Ok(()),
    }
}

fn specs(v: &Value) -> Result<Vec<FieldSpec>> {
    let mut out = Vec::new();
    for e in v.as_array().into_iter().flatten() {
        known_fields(e, &["group", "version", "kind", "path", "create"])?;
        let s = |f: &str| e.get(f).and_then(Value::as_str).unwrap_or("").to_string();
        if e.get("path").is_none() {
            return Err(bad("a field spec needs a path"));
        }
        out.push(FieldSpec {
            gvk: Gvk {
                group: s("group"),
                version: s("version"),
                kind: s("kind"),
            },
            path: s("path"),
            create: e.get("create").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: &str, path: &str) -> FieldSpec {
        FieldSpec::new("", "", kind, path, true)
    }

    #[test]
    fn a_repeated_spec_with_another_create_conflicts() {
        let base = TransformerConfig::builtin();
        let mut extra = TransformerConfig {
            common_annotations: vec![FieldSpec::new("", "", "", "metadata/annotations", false)],
            ..TransformerConfig::default()
        };
        let e = base.check_merge(&extra).unwrap_err();
        assert!(
            e.to_string()
                .contains("failed to merge CommonAnnotations fieldSpec")
        );
        extra.common_annotations[0].create = true;
        assert!(base.check_merge(&extra).is_ok());
    }

    #[test]
    fn a_kindless_spec_for_a_known_path_adds_nothing() {
        let mut specs = vec![spec("Deployment", "spec/template/metadata/annotations")];
        merge_specs(
            &mut specs,
            &[
                spec("", "spec/template/metadata/annotations"),
                spec("Job", "spec/template/metadata/annotations"),
                spec("", "spec/extra"),
                spec("Job", "spec/extra"),
            ],
        );
        let got: Vec<(&str, &str)> = specs
            .iter()
            .map(|s| (s.gvk.kind.as_str(), s.path.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Deployment", "spec/template/metadata/annotations"),
                ("Job", "spec/template/metadata/annotations"),
                ("", "spec/extra"),
                ("Job", "spec/extra"),
            ]
        );
    }
}
