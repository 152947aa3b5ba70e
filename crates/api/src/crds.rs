//! CustomResourceDefinitions of every kind, with all served versions merged.
//!
//! The current version of each kind is generated from the Rust types. Older versions
//! (source `v1beta2`/`v1beta1`, helm `v2beta2`/`v2beta1`) are served with the same schema plus
//! the fields those versions had that were renamed or dropped since (`valuesFile`,
//! `patchesStrategicMerge`, …), marked deprecated; the current version is the storage version.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use kube::core::crd::merge_crds;
use serde_json::{Value, json};

use crate::fluxconfig::FluxConfig;
use crate::helm::HelmRelease;
use crate::image::{ImagePolicy, ImageRepository, ImageUpdateAutomation};
use crate::kustomize::Kustomization;
use crate::notification::{Alert, Provider, Receiver};
use crate::source::{
    Bucket, ExternalArtifact, GitRepository, HelmChart, HelmRepository, OCIRepository,
};

/// Why a CRD could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    /// Versions could not be merged.
    #[error("merge versions of {kind}: {message}")]
    Merge {
        /// Kind.
        kind: String,
        /// Cause.
        message: String,
    },
    /// JSON round trip of the CRD failed.
    #[error("convert CRD of {kind}: {source}")]
    Json {
        /// Kind.
        kind: String,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// YAML emission failed.
    #[error("write CRD of {kind} as YAML: {message}")]
    Yaml {
        /// Kind.
        kind: String,
        /// Cause.
        message: String,
    },
}

fn legacy_any() -> Value {
    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})
}

/// Adds `name: schema` under the object schema reached by `path` (property names; `[]` = items).
fn add_property(schema: &mut Value, path: &[&str], name: &str, prop: Value) {
    let mut node = schema;
    for step in path {
        let next = if *step == "[]" {
            node.get_mut("items")
        } else {
            node.get_mut("properties").and_then(|p| p.get_mut(*step))
        };
        match next {
            Some(n) => node = n,
            None => return,
        }
    }
    if let Some(props) = node.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(name.to_string(), prop);
    }
}

/// Schema additions of an older version.
fn legacy_fields(kind: &str, schema: &mut Value) {
    match kind {
        "GitRepository" => {
            add_property(
                schema,
                &["spec"],
                "gitImplementation",
                json!({"type": "string", "enum": ["go-git", "libgit2"], "description": "Deprecated: ignored, go-git is always used."}),
            );
            add_property(schema, &["spec"], "accessFrom", legacy_any());
        }
        "HelmChart" => {
            add_property(
                schema,
                &["spec"],
                "valuesFile",
                json!({"type": "string", "description": "Deprecated: merged before valuesFiles."}),
            );
            add_property(schema, &["spec"], "accessFrom", legacy_any());
        }
        "Bucket" => add_property(schema, &["spec"], "accessFrom", legacy_any()),
        "HelmRelease" => {
            add_property(
                schema,
                &["spec", "chart", "spec"],
                "valuesFile",
                json!({"type": "string", "description": "Deprecated: merged before valuesFiles."}),
            );
            let k = ["spec", "postRenderers", "[]", "kustomize"];
            add_property(
                schema,
                &k,
                "patchesStrategicMerge",
                json!({"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": true}, "description": "Deprecated: use patches."}),
            );
            add_property(
                schema,
                &k,
                "patchesJson6902",
                json!({"type": "array", "items": legacy_any(), "description": "Deprecated: use patches."}),
            );
        }
        _ => {}
    }
}

fn with_old_versions(
    crd: CustomResourceDefinition,
    kind: &str,
    storage: &str,
    old: &[&str],
) -> Result<CustomResourceDefinition, CrdError> {
    if old.is_empty() {
        return Ok(crd);
    }
    let json_err = |source| CrdError::Json {
        kind: kind.to_string(),
        source,
    };
    let base = serde_json::to_value(&crd).map_err(json_err)?;
    let mut all = vec![crd];
    for version in old {
        let mut v = base.clone();
        if let Some(entry) = v.pointer_mut("/spec/versions/0") {
            entry["name"] = json!(version);
            entry["storage"] = json!(false);
            entry["served"] = json!(true);
            entry["deprecated"] = json!(true);
            entry["deprecationWarning"] = json!(format!(
                "{version} {kind} is deprecated, upgrade to {storage}"
            ));
            if let Some(schema) = entry.pointer_mut("/schema/openAPIV3Schema") {
                legacy_fields(kind, schema);
            }
        }
        all.push(serde_json::from_value(v).map_err(json_err)?);
    }
    merge_crds(all, storage).map_err(|e| CrdError::Merge {
        kind: kind.to_string(),
        message: e.to_string(),
    })
}

/// Every CRD, current version stored, older versions served.
pub fn all() -> Result<Vec<CustomResourceDefinition>, CrdError> {
    let src = crate::source::OLD_VERSIONS;
    let helm = crate::helm::OLD_VERSIONS;
    Ok(vec![
        with_old_versions(Bucket::crd(), "Bucket", "v1", src)?,
        with_old_versions(ExternalArtifact::crd(), "ExternalArtifact", "v1", &[])?,
        with_old_versions(GitRepository::crd(), "GitRepository", "v1", src)?,
        with_old_versions(HelmChart::crd(), "HelmChart", "v1", src)?,
        with_old_versions(HelmRepository::crd(), "HelmRepository", "v1", src)?,
        with_old_versions(OCIRepository::crd(), "OCIRepository", "v1", &["v1beta2"])?,
        Kustomization::crd(),
        with_old_versions(HelmRelease::crd(), "HelmRelease", "v2", helm)?,
        Alert::crd(),
        Provider::crd(),
        Receiver::crd(),
        ImagePolicy::crd(),
        ImageRepository::crd(),
        ImageUpdateAutomation::crd(),
        FluxConfig::crd(),
    ])
}

/// File name Flux uses for a CRD: `<group>_<plural>.yaml`.
pub fn file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}_{}.yaml", crd.spec.group, crd.spec.names.plural)
}

/// Every CRD as `(file name, YAML)`, e.g. `("source.toolkit.fluxcd.io_gitrepositories.yaml", …)`.
pub fn try_render_all() -> Result<Vec<(String, String)>, CrdError> {
    all()?
        .into_iter()
        .map(|crd| {
            let yaml = serde_saphyr::to_string(&crd).map_err(|e| CrdError::Yaml {
                kind: crd.spec.names.kind.clone(),
                message: e.to_string(),
            })?;
            Ok((file_name(&crd), format!("---\n{yaml}")))
        })
        .collect()
}

/// Every CRD as `(file name, YAML)`.
///
/// # Panics
/// Only if the built-in types cannot produce a CRD, which the `crds_fresh` test rules out.
pub fn render_all() -> Vec<(String, String)> {
    match try_render_all() {
        Ok(files) => files,
        Err(e) => panic!("ferroflux-api CRDs: {e}"),
    }
}
