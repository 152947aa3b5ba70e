//! Built-in transformers and generators configured through a kustomization's
//! `transformers:` and `generators:` fields (`apiVersion: builtin` objects, inline or
//! in files). Other plugins are refused: ferroflux runs no external code.

use crate::error::{Error, ErrorKind, Result, err};
use crate::fieldspec::FieldSpec;
use crate::generators::{self, Kind};
use crate::kustfile::{
    GeneratorArgs, GeneratorOptions, Image, PatchOptions, ReplacementField, Replica, Selector,
};
use crate::patch;
use crate::resource::{Gvk, ResMap, Resource};
use crate::smp::CustomKeys;
use crate::transformers::{images, labels, namespace, prefix, replicas, valueadd};
use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

fn bad(msg: String) -> Error {
    err(ErrorKind::Invalid(msg))
}

/// A config field; Go's JSON decoding (which kustomize's plugin configs go through)
/// matches field names case-insensitively, the exact name winning.
fn lookup<'a>(cfg: &'a Value, name: &str) -> Option<&'a Value> {
    cfg.get(name).or_else(|| {
        cfg.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn field<T: DeserializeOwned + Default>(cfg: &Value, name: &str) -> Result<T> {
    field_with(cfg, name, &[])
}

/// [`field`] for a struct value whose own field names (`known`) are also matched
/// case-insensitively.
fn field_with<T: DeserializeOwned + Default>(cfg: &Value, name: &str, known: &[&str]) -> Result<T> {
    match lookup(cfg, name) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => {
            let mut v = v.clone();
            crate::kustfile::rename_keys(&mut v, known);
            serde_json::from_value(v)
                .map_err(|e| bad(format!("builtin plugin field {name:?}: {e}")))
        }
    }
}

fn field_specs(cfg: &Value) -> Result<Vec<FieldSpec>> {
    let mut out = Vec::new();
    for e in lookup(cfg, "fieldSpecs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = |f: &str| {
            lookup(e, f)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        out.push(FieldSpec {
            gvk: Gvk {
                group: s("group"),
                version: s("version"),
                kind: s("kind"),
            },
            path: s("path"),
            create: lookup(e, "create")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    Ok(out)
}

fn string_map(cfg: &Value, name: &str) -> IndexMap<String, String> {
    lookup(cfg, name)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), crate::fieldpath::scalar_string(v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Is this entry inline YAML (config objects) rather than a path?
pub fn inline_configs(entry: &str) -> Option<Vec<Value>> {
    crate::yaml::parse_documents(entry)
        .ok()
        .filter(|docs| !docs.is_empty() && docs.iter().all(|d| d.get("kind").is_some()))
}

/// Refuses config objects that are not builtin plugins.
pub fn check_builtin(configs: &[Value]) -> Result<()> {
    for c in configs {
        let api = c.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if api != "builtin" {
            let kind = c.get("kind").and_then(Value::as_str).unwrap_or("");
            return Err(bad(format!(
                "plugin {api}/{kind} is not a builtin plugin; external plugins are not supported"
            )));
        }
    }
    Ok(())
}

fn kind(cfg: &Value) -> &str {
    cfg.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// Runs one builtin transformer config.
pub fn transform(
    m: &mut ResMap,
    cfg: &Value,
    root: &Path,
    loader: &crate::loader::Loader,
    custom: &CustomKeys,
) -> Result<()> {
    match kind(cfg) {
        "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
            let specs = field_specs(cfg)?;
            let p: String = field(cfg, "prefix")?;
            let s: String = field(cfg, "suffix")?;
            if kind(cfg) != "SuffixTransformer" {
                prefix::apply(m, &p, true, &specs)?;
            }
            if kind(cfg) != "PrefixTransformer" {
                prefix::apply(m, &s, false, &specs)?;
            }
            Ok(())
        }
        "LabelTransformer" => labels::apply(m, &string_map(cfg, "labels"), &field_specs(cfg)?),
        "AnnotationsTransformer" => {
            labels::apply(m, &string_map(cfg, "annotations"), &field_specs(cfg)?)
        }
        "NamespaceTransformer" => {
            let ns = cfg
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let opts = namespace::Options {
                unset_only: lookup(cfg, "unsetOnly")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                subjects: field(cfg, "setRoleBindingSubjects")?,
            };
            namespace::apply_with(m, &ns, &field_specs(cfg)?, &opts)
        }
        "ImageTagTransformer" => {
            let img: Image = field_with(
                cfg,
                "imageTag",
                &["name", "newName", "tagSuffix", "newTag", "digest"],
            )?;
            images::apply(m, &img, &field_specs(cfg)?)
        }
        "ReplicaCountTransformer" => {
            let rep: Replica = field_with(cfg, "replica", &["name", "count"])?;
            replicas::apply(m, &rep, &field_specs(cfg)?)
        }
        "PatchTransformer" => {
            let path: String = field(cfg, "path")?;
            // kustomize trims the inline patch before checking it is there.
            let text = field::<String>(cfg, "patch")?.trim().to_string();
            let target: Option<Selector> = field(cfg, "target")?;
            let opts: PatchOptions = field(cfg, "options")?;
            let text = match (text.is_empty(), path.is_empty()) {
                (false, true) => text,
                (true, false) => loader.read_relative(root, &path)?.1,
                (false, false) => {
                    return Err(bad("patch and path can't be set at the same time".into()));
                }
                (true, true) => return Err(bad("must specify one of patch and path".into())),
            };
            let body = patch::parse_body_for(&text, target.is_some())?;
            patch::apply(m, &body, target.as_ref(), &opts, custom, false)
        }
        "PatchStrategicMergeTransformer" => {
            let paths: Vec<String> = field(cfg, "paths")?;
            let inline: String = field(cfg, "patches")?;
            if paths.is_empty() && inline.trim().is_empty() {
                return Err(bad("empty file path and empty patch content".into()));
            }
            let mut texts = Vec::new();
            for p in &paths {
                // Like kustomize, an entry that is patch content rather than a path is
                // taken as the patch itself.
                if p.contains('\n') {
                    texts.push(p.clone());
                } else {
                    texts.push(loader.read_relative(root, p)?.1);
                }
            }
            if !inline.is_empty() {
                texts.push(inline);
            }
            for t in texts {
                let body = patch::parse_body_for(&t, true)?;
                patch::apply(m, &body, None, &PatchOptions::default(), custom, false)?;
            }
            Ok(())
        }
        "PatchJson6902Transformer" => {
            let target: Option<Selector> = field(cfg, "target")?;
            let path: String = field(cfg, "path")?;
            let op: String = field(cfg, "jsonOp")?;
            if path.is_empty() && op.is_empty() {
                return Err(bad("empty file path and empty jsonOp".into()));
            }
            if !path.is_empty() && !op.is_empty() {
                return Err(bad("must specify a file path or jsonOp, not both".into()));
            }
            let text = if path.is_empty() {
                op
            } else {
                loader.read_relative(root, &path)?.1
            };
            let Some(target) = target else {
                return Err(bad("must specify a target for patch".into()));
            };
            let body = patch::parse_body(&text)?;
            patch::apply(
                m,
                &body,
                Some(&target),
                &PatchOptions::default(),
                custom,
                true,
            )
        }
        "ValueAddTransformer" => {
            let mut value = field::<String>(cfg, "value")?.trim().to_string();
            if value.is_empty() {
                // kustomize falls back to the name of the kustomization's directory.
                value = root
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
            }
            let mut targets: Vec<valueadd::Target> = field(cfg, "targets")?;
            let file: String = field(cfg, "targetFilePath")?;
            if !file.is_empty() {
                let text = loader.read_relative(root, &file)?.1;
                let doc = crate::yaml::parse_one(&text)
                    .map_err(|e| bad(format!("targetFilePath {file:?}: {e}")))?;
                let more: Vec<valueadd::Target> = field(&doc, "targets")?;
                targets.extend(more);
            }
            valueadd::validate(&targets)?;
            valueadd::apply(m, &value, &targets)
        }
        "HashTransformer" => {
            // Appends the content hash to every generated object that wants one; the
            // build's own hashing appends it again later, as in kustomize.
            for r in &mut m.items {
                if r.needs_hash {
                    let h = generators::content_hash(&r.obj);
                    r.store_previous_id();
                    let name = format!("{}-{}", r.name(), h);
                    r.set_name(&name);
                }
            }
            Ok(())
        }
        "ReplacementTransformer" => {
            let reps: Vec<ReplacementField> = field(cfg, "replacements")?;
            let reps = crate::replacements::expand_paths(&reps, root, loader)?;
            crate::replacements::apply(m, &reps)
        }
        other => Err(bad(format!(
            "builtin transformer {other:?} is not supported"
        ))),
    }
}

/// Runs one builtin generator config.
pub fn generate(cfg: &Value, root: &Path, loader: &crate::loader::Loader) -> Result<Resource> {
    let k = match kind(cfg) {
        "IAMPolicyGenerator" => return crate::iam::generate(cfg),
        "ConfigMapGenerator" => Kind::ConfigMap,
        "SecretGenerator" => Kind::Secret,
        other => return Err(bad(format!("builtin generator {other:?} is not supported"))),
    };
    let meta = |f: &str| {
        cfg.pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let top: String = field(cfg, "name")?;
    let top_ns: String = field(cfg, "namespace")?;
    let args = GeneratorArgs {
        namespace: if top_ns.is_empty() {
            meta("namespace")
        } else {
            top_ns
        },
        name: if top.is_empty() { meta("name") } else { top },
        behavior: field(cfg, "behavior")?,
        literals: field(cfg, "literals")?,
        files: field(cfg, "files")?,
        envs: field(cfg, "envs")?,
        env: field(cfg, "env")?,
        options: field(cfg, "options")?,
        type_: field(cfg, "type")?,
    };
    let opts: GeneratorOptions = args.options.clone().unwrap_or_default();
    generators::generate(k, &args, &opts, root, loader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_fields_match_whatever_their_case() {
        let cfg = json!({"Path": "p.yaml", "imageTag": {"Name": "nginx", "Digest": "sha256:1"}});
        let path: String = field(&cfg, "path").unwrap();
        assert_eq!(path, "p.yaml");
        let img: Image = field_with(
            &cfg,
            "imageTag",
            &["name", "newName", "tagSuffix", "newTag", "digest"],
        )
        .unwrap();
        assert_eq!(
            (img.name.as_str(), img.digest.as_str()),
            ("nginx", "sha256:1")
        );
        let specs =
            field_specs(&json!({"FieldSpecs": [{"Path": "spec/x", "Create": true}]})).unwrap();
        assert_eq!((specs[0].path.as_str(), specs[0].create), ("spec/x", true));
    }
}
