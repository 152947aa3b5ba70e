//! The `kustomization.yaml` schema (kustomize.config.k8s.io/v1beta1 Kustomization
//! and v1alpha1 Component). Unknown fields are rejected, as kustomize does.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Names kustomize accepts for the kustomization file, in lookup order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A kustomization file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Kustomization {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<serde_json::Value>,
    pub openapi: Option<IndexMap<String, String>>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    pub namespace: Option<String>,
    pub common_labels: Option<IndexMap<String, String>>,
    pub labels: Option<Vec<Label>>,
    pub common_annotations: Option<IndexMap<String, String>>,
    pub patches_strategic_merge: Option<Vec<String>>,
    pub patches_json6902: Option<Vec<Patch>>,
    pub patches: Option<Vec<Patch>>,
    pub images: Option<Vec<Image>>,
    pub image_tags: Option<Vec<Image>>,
    pub replacements: Option<Vec<ReplacementField>>,
    pub replicas: Option<Vec<Replica>>,
    pub vars: Option<Vec<Var>>,
    pub sort_options: Option<SortOptions>,
    pub resources: Option<Vec<String>>,
    pub components: Option<Vec<String>>,
    pub crds: Option<Vec<String>>,
    pub bases: Option<Vec<String>>,
    pub config_map_generator: Option<Vec<GeneratorArgs>>,
    pub secret_generator: Option<Vec<GeneratorArgs>>,
    pub helm_globals: Option<serde_json::Value>,
    pub helm_charts: Option<Vec<serde_json::Value>>,
    pub helm_chart_inflation_generator: Option<Vec<serde_json::Value>>,
    pub generator_options: Option<GeneratorOptions>,
    pub configurations: Option<Vec<String>>,
    pub generators: Option<Vec<String>>,
    pub transformers: Option<Vec<String>>,
    pub validators: Option<Vec<String>>,
    pub build_metadata: Option<Vec<String>>,
}

impl Kustomization {
    /// The warnings kustomize prints on stderr for each deprecated field this file sets
    /// (present, even empty), in kustomize's order.
    pub fn deprecation_warnings(&self) -> Vec<String> {
        const EDIT_FIX: &str =
            "Run 'kustomize edit fix' to update your Kustomization automatically.";
        let deprecated: [(bool, &str, &str, &str); 6] = [
            (self.bases.is_some(), "bases", "resources", ""),
            (self.common_labels.is_some(), "commonLabels", "labels", ""),
            (self.image_tags.is_some(), "imageTags", "images", ""),
            (
                self.patches_json6902.is_some(),
                "patchesJson6902",
                "patches",
                "",
            ),
            (
                self.patches_strategic_merge.is_some(),
                "patchesStrategicMerge",
                "patches",
                "",
            ),
            (
                self.vars.is_some(),
                "vars",
                "replacements",
                "[EXPERIMENTAL] ",
            ),
        ];
        deprecated
            .iter()
            .filter(|(set, ..)| *set)
            .map(|(_, old, new, tag)| {
                format!(
                    "# Warning: '{old}' is deprecated. Please use '{new}' instead. {tag}{EDIT_FIX}"
                )
            })
            .collect()
    }

    /// True when nothing but apiVersion/kind is set (kustomize refuses such a file).
    pub fn is_empty(&self) -> bool {
        // Every other field would serialize as null: unset, or (for the free-form ones) null.
        // The pattern names every field, so a new one cannot be forgotten here.
        let Kustomization {
            api_version: _,
            kind: _,
            metadata,
            openapi,
            name_prefix,
            name_suffix,
            namespace,
            common_labels,
            labels,
            common_annotations,
            patches_strategic_merge,
            patches_json6902,
            patches,
            images,
            image_tags,
            replacements,
            replicas,
            vars,
            sort_options,
            resources,
            components,
            crds,
            bases,
            config_map_generator,
            secret_generator,
            helm_globals,
            helm_charts,
            helm_chart_inflation_generator,
            generator_options,
            configurations,
            generators,
            transformers,
            validators,
            build_metadata,
        } = self;
        let null = |v: &Option<serde_json::Value>| v.as_ref().is_none_or(|v| v.is_null());
        null(metadata)
            && null(helm_globals)
            && openapi.is_none()
            && name_prefix.is_none()
            && name_suffix.is_none()
            && namespace.is_none()
            && common_labels.is_none()
            && labels.is_none()
            && common_annotations.is_none()
            && patches_strategic_merge.is_none()
            && patches_json6902.is_none()
            && patches.is_none()
            && images.is_none()
            && image_tags.is_none()
            && replacements.is_none()
            && replicas.is_none()
            && vars.is_none()
            && sort_options.is_none()
            && resources.is_none()
            && components.is_none()
            && crds.is_none()
            && bases.is_none()
            && config_map_generator.is_none()
            && secret_generator.is_none()
            && helm_charts.is_none()
            && helm_chart_inflation_generator.is_none()
            && generator_options.is_none()
            && configurations.is_none()
            && generators.is_none()
            && transformers.is_none()
            && validators.is_none()
            && build_metadata.is_none()
    }
}

/// A `labels` entry.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Label {
    #[serde(default)]
    pub pairs: IndexMap<String, String>,
    #[serde(default)]
    pub include_selectors: bool,
    #[serde(default)]
    pub include_templates: bool,
    #[serde(default)]
    pub fields: Vec<FieldSpecArg>,
}

/// A user-supplied field spec.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct FieldSpecArg {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create: bool,
}

/// A patch (inline or file) with an optional target.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Patch {
    pub path: Option<String>,
    pub patch: Option<String>,
    pub target: Option<Selector>,
    pub options: Option<PatchOptions>,
}

/// Patch options.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct PatchOptions {
    #[serde(default)]
    pub allow_name_change: bool,
    #[serde(default)]
    pub allow_kind_change: bool,
}

/// Selects objects by id fields (regular expressions), labels and annotations.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Selector {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub label_selector: String,
    #[serde(default)]
    pub annotation_selector: String,
}

/// An `images` entry.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Image {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub new_name: String,
    #[serde(default)]
    pub tag_suffix: String,
    #[serde(default)]
    pub new_tag: String,
    #[serde(default)]
    pub digest: String,
}

/// A `replicas` entry.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Replica {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub count: i64,
}

/// `configMapGenerator` / `secretGenerator` entry.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct GeneratorArgs {
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub behavior: String,
    #[serde(default)]
    pub literals: Vec<String>,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub envs: Vec<String>,
    #[serde(default)]
    pub env: String,
    pub options: Option<GeneratorOptions>,
    /// Secrets only.
    #[serde(default, rename = "type")]
    pub type_: String,
}

/// `generatorOptions` (global or per generator).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct GeneratorOptions {
    pub labels: Option<IndexMap<String, String>>,
    pub annotations: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub disable_name_suffix_hash: Option<bool>,
    #[serde(default)]
    pub immutable: Option<bool>,
}

/// `sortOptions`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct SortOptions {
    #[serde(default)]
    pub order: String,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

/// Custom legacy order.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct LegacySortOptions {
    #[serde(default)]
    pub order_first: Vec<String>,
    #[serde(default)]
    pub order_last: Vec<String>,
}

/// A `replacements` entry: inline or from a file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct ReplacementField {
    pub path: Option<String>,
    pub source: Option<SourceSelector>,
    pub targets: Option<Vec<TargetSelector>>,
    pub source_value: Option<String>,
}

/// Where a replacement reads its value.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct SourceSelector {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

/// Where a replacement writes.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct TargetSelector {
    pub select: Option<Selector>,
    #[serde(default)]
    pub reject: Vec<Selector>,
    #[serde(default)]
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

/// Delimiter/index/create options of a replacement.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct FieldOptions {
    #[serde(default)]
    pub delimiter: String,
    #[serde(default)]
    pub index: i64,
    #[serde(default)]
    pub encoding: String,
    #[serde(default)]
    pub create: bool,
}

/// A legacy var.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Var {
    pub name: String,
    pub objref: VarTarget,
    #[serde(default)]
    pub fieldref: Option<FieldRef>,
}

/// A var's object reference.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct VarTarget {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
}

/// A var's field.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct FieldRef {
    #[serde(default, alias = "fieldpath")]
    pub field_path: String,
}

/// Renames keys that match a known field name case-insensitively (Go's JSON decoding).
pub(crate) fn rename_keys(v: &mut serde_json::Value, known: &[&str]) {
    let Some(m) = v.as_object_mut() else { return };
    let keys: Vec<String> = m.keys().cloned().collect();
    for k in keys {
        if known.contains(&k.as_str()) {
            continue;
        }
        if let Some(canon) = known.iter().find(|c| c.eq_ignore_ascii_case(&k))
            && !m.contains_key(*canon)
            && let Some(val) = m.remove(&k)
        {
            m.insert((*canon).to_string(), val);
        }
    }
}

/// The JSON names of every field of the kustomization's structs, which Go's decoder matches
/// without regard to case.
const FIELDS: &[&str] = &[
    "allowKindChange",
    "allowNameChange",
    "annotationSelector",
    "annotations",
    "apiVersion",
    "bases",
    "behavior",
    "buildMetadata",
    "commonAnnotations",
    "commonLabels",
    "components",
    "configMapGenerator",
    "configurations",
    "count",
    "crds",
    "create",
    "delimiter",
    "digest",
    "disableNameSuffixHash",
    "encoding",
    "env",
    "envs",
    "fieldPath",
    "fieldPaths",
    "fieldref",
    "fields",
    "files",
    "generatorOptions",
    "generators",
    "group",
    "helmChartInflationGenerator",
    "helmCharts",
    "helmGlobals",
    "imageTags",
    "images",
    "immutable",
    "includeSelectors",
    "includeTemplates",
    "index",
    "kind",
    "labelSelector",
    "labels",
    "legacySortOptions",
    "literals",
    "metadata",
    "name",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "newName",
    "newTag",
    "objref",
    "openapi",
    "options",
    "order",
    "orderFirst",
    "orderLast",
    "pairs",
    "patch",
    "patches",
    "patchesJson6902",
    "patchesStrategicMerge",
    "path",
    "reject",
    "replacements",
    "replicas",
    "resources",
    "secretGenerator",
    "select",
    "sortOptions",
    "source",
    "sourceValue",
    "tagSuffix",
    "target",
    "targets",
    "transformers",
    "type",
    "validators",
    "vars",
    "version",
];

/// A kustomization (or a replacements file) as Go's JSON decoder reads it: field names match
/// without regard to case (of two keys naming one field, the one that sorts last wins: the
/// YAML reaches the decoder as JSON with sorted keys), a null field keeps its zero value (as
/// if absent), a null value of a string map (labels, annotations) is "". Free-form content
/// (`metadata`, Helm values, a patch's `options` map) is left alone.
pub fn normalize_keys(mut v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    fn strings(v: &mut Value) {
        if let Value::Object(m) = v {
            for x in m.values_mut().filter(|x| x.is_null()) {
                *x = Value::String(String::new());
            }
        }
    }
    fn fields(v: &mut Value, in_patch: bool) {
        match v {
            Value::Object(m) => {
                canonical_keys(m);
                m.retain(|_, x| !x.is_null());
                for (k, x) in m.iter_mut() {
                    match (k.as_str(), &*x) {
                        ("metadata" | "helmGlobals" | "helmCharts" | "valuesInline", _)
                        | ("helmChartInflationGenerator", _) => {}
                        ("options", _) if in_patch => {}
                        ("commonLabels" | "commonAnnotations" | "openapi" | "pairs", _)
                        | ("labels" | "annotations", Value::Object(_)) => strings(x),
                        ("patches" | "patchesJson6902", _) => fields(x, true),
                        _ => fields(x, false),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|x| fields(x, in_patch)),
            _ => {}
        }
    }
    fields(&mut v, false);
    v
}

/// Renames the keys of `m` that name a field of [`FIELDS`] in another case.
fn canonical_keys(m: &mut serde_json::Map<String, serde_json::Value>) {
    if m.keys().all(|k| FIELDS.binary_search(&k.as_str()).is_ok()) {
        return;
    }
    let mut named: Vec<(&'static str, String)> = m
        .keys()
        .filter_map(|k| {
            let field = FIELDS.iter().find(|f| f.eq_ignore_ascii_case(k))?;
            Some((*field, k.clone()))
        })
        .collect();
    named.sort();
    for group in named.chunk_by(|a, b| a.0 == b.0) {
        let field = group[0].0;
        if group.len() == 1 && group[0].1 == field {
            continue;
        }
        let last = group.iter().map(|(_, k)| k).max().cloned();
        let value = last.and_then(|k| m.remove(&k));
        for (_, k) in group {
            m.remove(k);
        }
        if let Some(value) = value {
            m.insert(field.to_string(), value);
        }
    }
}
