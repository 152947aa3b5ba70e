//! `patches`, `patchesStrategicMerge`, `patchesJson6902`: pick targets, then apply a
//! strategic merge patch or a JSON 6902 patch to each.

use crate::error::{ErrorKind, Result, err};
use crate::kustfile::{PatchOptions, Selector};
use crate::resource::{Gvk, ResId, ResMap, Resource, set_path};
use crate::selector;
use crate::smp::{self, CustomKeys};
use serde_json::Value;

/// A parsed patch body.
pub enum Body {
    /// One or more strategic-merge documents.
    Smp(Vec<Value>),
    /// JSON 6902 operations.
    Json(Value),
}

/// Parses a patch body: a YAML/JSON list is JSON 6902, objects are strategic merge.
pub fn parse_body(text: &str) -> Result<Body> {
    let docs = crate::yaml::parse_resources(text).map_err(|e| {
        err(ErrorKind::Patch(format!(
            "unable to parse SM or JSON patch: {e}"
        )))
    })?;
    if docs.len() == 1 && docs[0].is_array() {
        return Ok(Body::Json(docs.into_iter().next().unwrap_or(Value::Null)));
    }
    if docs.iter().any(|d| !d.is_object()) {
        return Err(err(ErrorKind::Patch(
            "unable to parse SM or JSON patch".into(),
        )));
    }
    Ok(Body::Smp(docs))
}

fn patch_id(p: &Value) -> ResId {
    let s = |path: &[&str]| crate::resource::get_str(p, path).unwrap_or("").to_string();
    ResId {
        gvk: Gvk::from_api_version(&s(&["apiVersion"]), &s(&["kind"])),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    }
}

/// Applies one strategic merge patch document to one object (kustomize's ApplySmPatch).
fn apply_smp_to(r: &mut Resource, patch: &Value, opts: &PatchOptions, custom: &CustomKeys) -> bool {
    let (name, ns, kind) = (
        r.name().to_string(),
        r.namespace().to_string(),
        r.kind().to_string(),
    );
    if opts.allow_name_change || opts.allow_kind_change {
        r.store_previous_id();
    }
    let gvk = r.gvk();
    match smp::merge_object(&r.obj, patch, &gvk, custom) {
        None => false,
        Some(v) => {
            if v.as_object().is_none_or(|m| m.is_empty()) {
                return false;
            }
            r.obj = v;
            if !opts.allow_kind_change {
                set_path(&mut r.obj, &["kind"], Value::String(kind));
            }
            if !opts.allow_name_change {
                r.set_name(&name);
            }
            if ns.is_empty() {
                if let Some(m) = r.obj.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("namespace");
                }
            } else {
                set_path(&mut r.obj, &["metadata", "namespace"], Value::String(ns));
            }
            true
        }
    }
}

fn select(m: &ResMap, sel: &Selector) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for (i, r) in m.items.iter().enumerate() {
        if selector::selects(sel, r)? {
            out.push(i);
        }
    }
    Ok(out)
}

/// Applies a `patches` entry.
pub fn apply(
    m: &mut ResMap,
    body: &Body,
    target: Option<&Selector>,
    opts: &PatchOptions,
    custom: &CustomKeys,
    legacy_json: bool,
) -> Result<()> {
    match body {
        Body::Smp(docs) => {
            if target.is_some() && docs.len() > 1 {
                return Err(err(ErrorKind::Patch(
                    "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field".into(),
                )));
            }
            for doc in docs {
                let idxs = match target {
                    Some(sel) => select(m, sel)?,
                    None => vec![find_one(m, doc)?],
                };
                let mut removed = Vec::new();
                for i in idxs {
                    if !apply_smp_to(&mut m.items[i], doc, opts, custom) {
                        removed.push(i);
                    }
                }
                for i in removed.into_iter().rev() {
                    m.items.remove(i);
                }
            }
            Ok(())
        }
        Body::Json(ops) => {
            let Some(sel) = target else {
                return Err(err(ErrorKind::Patch(
                    "must specify a target for JSON patch".into(),
                )));
            };
            let idxs = select(m, sel)?;
            for i in idxs {
                apply_json(&mut m.items[i], ops, !legacy_json)?;
            }
            Ok(())
        }
    }
}

fn find_one(m: &ResMap, doc: &Value) -> Result<usize> {
    let id = patch_id(doc);
    let found: Vec<usize> = m
        .items
        .iter()
        .enumerate()
        .filter(|(_, r)| r.all_ids().iter().any(|x| x.same_as(&id)))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(err(ErrorKind::Patch(format!(
            "no resource matches strategic merge patch \"{id}\""
        )))),
        _ => Err(err(ErrorKind::Patch(format!(
            "multiple resources match strategic merge patch \"{id}\""
        )))),
    }
}

/// Applies JSON 6902 operations to one object.
pub fn apply_json(r: &mut Resource, ops: &Value, store_previous_id: bool) -> Result<()> {
    let patch: json_patch::Patch = serde_json::from_value(ops.clone())
        .map_err(|e| err(ErrorKind::JsonPatch(format!("invalid JSON patch: {e}"))))?;
    let mut doc = r.obj.clone();
    json_patch::patch(&mut doc, &patch)
        .map_err(|e| err(ErrorKind::JsonPatch(e.to_string())).for_object(r.describe()))?;
    // JSON patches may rename or re-kind an object; `patches` records the old id.
    if store_previous_id {
        r.store_previous_id();
    }
    r.obj = doc;
    Ok(())
}
