//! `configMapGenerator` and `secretGenerator`, generator options, merge/replace
//! behaviour, and the content hash kustomize appends to generated names.

use crate::error::{Error, ErrorKind, Result, err};
use crate::kustfile::{GeneratorArgs, GeneratorOptions};
use crate::loader::Loader;
use crate::resource::{Behavior, ResMap, Resource, get};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Which kind a generator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// configMapGenerator
    ConfigMap,
    /// secretGenerator
    Secret,
}

/// Merges global generator options into a generator's own (own values win).
pub fn merge_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> GeneratorOptions {
    let mut out = GeneratorOptions::default();
    let mut labels: IndexMap<String, String> = IndexMap::new();
    let mut annotations: IndexMap<String, String> = IndexMap::new();
    for o in [global, local].into_iter().flatten() {
        if let Some(l) = &o.labels {
            labels.extend(l.clone());
        }
        if let Some(a) = &o.annotations {
            annotations.extend(a.clone());
        }
        if o.disable_name_suffix_hash.is_some() {
            out.disable_name_suffix_hash = o.disable_name_suffix_hash;
        }
        if o.immutable.is_some() {
            out.immutable = o.immutable;
        }
    }
    if let (Some(g), Some(l)) = (global, local) {
        if l.disable_name_suffix_hash == Some(false) && g.disable_name_suffix_hash == Some(true) {
            out.disable_name_suffix_hash = Some(true);
        }
        if l.immutable == Some(false) && g.immutable == Some(true) {
            out.immutable = Some(true);
        }
    }
    if !labels.is_empty() {
        out.labels = Some(labels);
    }
    if !annotations.is_empty() {
        out.annotations = Some(annotations);
    }
    out
}

fn strip_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Value of a generated key: text, or bytes that are not UTF-8.
enum Datum {
    Text(String),
    Bytes(Vec<u8>),
}

fn collect(args: &GeneratorArgs, root: &Path, loader: &Loader) -> Result<Vec<(String, Datum)>> {
    let mut out: Vec<(String, Datum)> = Vec::new();
    let mut envs = args.envs.clone();
    if !args.env.is_empty() {
        envs.push(args.env.clone());
    }
    for e in &envs {
        let (_, text) = loader.read_relative(root, e)?;
        for (n, line) in text.lines().enumerate() {
            let line = if n == 0 {
                line.strip_prefix('\u{feff}').unwrap_or(line)
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // kustomize checks no names (its `IsEnvVarName` accepts all): `export A=1` is
            // the key `export A`, and a line with nothing before `=` is skipped.
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            if k.is_empty() {
                continue;
            }
            out.push((k.to_string(), Datum::Text(v.to_string())));
        }
    }
    for lit in &args.literals {
        if lit.starts_with('=') || !lit.contains('=') {
            return Err(err(ErrorKind::Generator(format!(
                "invalid literal source {lit}, expected key=value"
            ))));
        }
        let (k, v) = lit.split_once('=').unwrap_or((lit, ""));
        out.push((k.to_string(), Datum::Text(strip_quotes(v).to_string())));
    }
    for f in &args.files {
        let (key, path) = match f.split_once('=') {
            Some((k, p)) => {
                if k.is_empty() || p.is_empty() {
                    return Err(err(ErrorKind::Generator(format!(
                        "key or file path is missing in source {f}"
                    ))));
                }
                (k.to_string(), p.to_string())
            }
            None => (
                Path::new(f)
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                f.clone(),
            ),
        };
        let (_, bytes) = loader.read_relative_bytes(root, &path)?;
        let datum = match String::from_utf8(bytes) {
            Ok(s) => Datum::Text(s),
            Err(e) => Datum::Bytes(e.into_bytes()),
        };
        out.push((key, datum));
    }
    Ok(out)
}

/// Runs one generator.
pub fn generate(
    kind: Kind,
    args: &GeneratorArgs,
    opts: &GeneratorOptions,
    root: &Path,
    loader: &Loader,
) -> Result<Resource> {
    let what = if kind == Kind::ConfigMap {
        "configmap"
    } else {
        "secret"
    };
    if args.name.is_empty() {
        return Err(err(ErrorKind::Generator(format!(
            "a {what} generator needs a name"
        ))));
    }
    let pairs = collect(args, root, loader)
        .map_err(|e: Error| e.for_object(format!("{what}Generator {}", args.name)))?;
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in pairs {
        if data.contains_key(&k) || binary.contains_key(&k) {
            return Err(err(ErrorKind::Generator(format!(
                "{what} {} illegally repeats the key `{k}`",
                args.name
            ))));
        }
        match (kind, v) {
            (Kind::ConfigMap, Datum::Text(s)) => {
                data.insert(k, Value::String(s));
            }
            (Kind::ConfigMap, Datum::Bytes(b)) => {
                binary.insert(k, Value::String(base64_lines(&b)));
            }
            (Kind::Secret, Datum::Text(s)) => {
                data.insert(k, Value::String(base64_lines(s.as_bytes())));
            }
            (Kind::Secret, Datum::Bytes(b)) => {
                data.insert(k, Value::String(base64_lines(&b)));
            }
        }
    }
    let mut meta = Map::new();
    meta.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        meta.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    if let Some(l) = &opts.labels {
        meta.insert("labels".into(), string_map(l));
    }
    if let Some(a) = &opts.annotations {
        meta.insert("annotations".into(), string_map(a));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), Value::String("v1".into()));
    obj.insert(
        "kind".into(),
        Value::String(
            if kind == Kind::ConfigMap {
                "ConfigMap"
            } else {
                "Secret"
            }
            .into(),
        ),
    );
    obj.insert("metadata".into(), Value::Object(meta));
    if kind == Kind::Secret {
        let t = if args.type_.is_empty() {
            "Opaque"
        } else {
            &args.type_
        };
        obj.insert("type".into(), Value::String(t.to_string()));
    }
    // kyaml's `LoadMapIntoSecretData` writes `data` even when there is nothing to put in it
    // (`data: {}`, which the name's hash covers); a ConfigMap's stays out when empty.
    if !data.is_empty() || kind == Kind::Secret {
        obj.insert("data".into(), Value::Object(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Object(binary));
    }
    if opts.immutable == Some(true) {
        obj.insert("immutable".into(), Value::Bool(true));
    }
    let mut r = Resource::new(Value::Object(obj), format!("{what}Generator {}", args.name));
    r.needs_hash = opts.disable_name_suffix_hash != Some(true);
    // kustomize reads any other word as "unspecified", which adds the object as `create` does.
    r.behavior = match args.behavior.as_str() {
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        _ => Behavior::Create,
    };
    Ok(r)
}

fn string_map(m: &IndexMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Adds a generated object, honouring its behaviour.
pub fn absorb(m: &mut ResMap, mut r: Resource) -> Result<()> {
    let id = r.cur_id();
    let matches = m.find_by_any_id(&id);
    match matches.as_slice() {
        [] => match r.behavior {
            Behavior::Create => m.append(r),
            _ => Err(err(ErrorKind::Generator(format!(
                "id {id} does not exist; cannot merge or replace"
            )))),
        },
        [i] => {
            let old = m.items[*i].clone();
            match r.behavior {
                Behavior::Create => {
                    return Err(err(ErrorKind::ConflictingIds(format!(
                        "id {id} exists; behavior must be merge or replace"
                    ))));
                }
                Behavior::Merge => {
                    for field in ["data", "binaryData"] {
                        let mut merged = kyaml_string_map(get(&old.obj, &[field]));
                        if let Some(new) = get(&r.obj, &[field]).and_then(Value::as_object) {
                            for (k, v) in new {
                                merged.insert(k.clone(), v.clone());
                            }
                        }
                        if let Some(o) = r.obj.as_object_mut() {
                            if merged.is_empty() {
                                o.remove(field);
                            } else {
                                o.insert(field.into(), Value::Object(merged));
                            }
                        }
                    }
                }
                Behavior::Replace => {}
            }
            let keep_origin = r.behavior == Behavior::Merge;
            for field in ["labels", "annotations"] {
                let mut merged = kyaml_string_map(get(&old.obj, &["metadata", field]));
                if let Some(new) = get(&r.obj, &["metadata", field]).and_then(Value::as_object) {
                    for (k, v) in new {
                        merged.insert(k.clone(), v.clone());
                    }
                }
                if let Some(meta) = r.obj.get_mut("metadata").and_then(Value::as_object_mut) {
                    if merged.is_empty() {
                        meta.remove(field);
                    } else {
                        meta.insert(field.into(), Value::Object(merged));
                    }
                }
            }
            if keep_origin && let Some(o) = old.annotations().get(crate::target::ORIGIN_ANNOTATION)
            {
                crate::resource::set_path(
                    &mut r.obj,
                    &["metadata", "annotations", crate::target::ORIGIN_ANNOTATION],
                    o.clone(),
                );
            }
            r.set_name(old.name());
            if let Some(meta) = r.obj.get_mut("metadata").and_then(Value::as_object_mut) {
                if old.namespace().is_empty() {
                    meta.remove("namespace");
                } else {
                    meta.insert(
                        "namespace".into(),
                        Value::String(old.namespace().to_string()),
                    );
                }
            }
            r.prev_ids = old.prev_ids.clone();
            r.ref_vars = old.ref_vars.clone();
            r.prefixes = old.prefixes.clone();
            r.suffixes = old.suffixes.clone();
            // The transformations annotation is an annotation in kustomize, so it survives
            // merge and replace like the old object's other annotations.
            let mut transformations = old.transformations.clone();
            transformations.append(&mut r.transformations);
            r.transformations = transformations;
            // The hash marker survives only when both the old and the new object carry it.
            r.needs_hash = old.needs_hash && r.needs_hash;
            r.behavior = old.behavior;
            m.items[*i] = r;
            Ok(())
        }
        _ => Err(err(ErrorKind::ConflictingIds(format!(
            "id {id} matches more than one object"
        )))),
    }
}

/// The 10-character hash kustomize appends to generated names.
pub fn content_hash(obj: &Value) -> String {
    let mut stripped = obj.clone();
    crate::yaml::strip_marks(&mut stripped);
    let obj = &stripped;
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let field = |p: &[&str]| -> Value {
        match get(obj, p) {
            None => Value::String(String::new()),
            Some(v) => v.clone(),
        }
    };
    let mut m = Map::new();
    let encoded = match kind {
        "ConfigMap" => {
            m.insert("kind".into(), Value::String("ConfigMap".into()));
            // kustomize looks the name up as one key named "metadata/name", which never
            // exists, so the name always hashes as "".
            m.insert("name".into(), field(&["metadata/name"]));
            m.insert("data".into(), field(&["data"]));
            if let Some(b @ Value::Object(_)) = get(obj, &["binaryData"]) {
                m.insert("binaryData".into(), b.clone());
            }
            go_json(&Value::Object(m))
        }
        "Secret" => {
            m.insert("kind".into(), Value::String("Secret".into()));
            m.insert("type".into(), field(&["type"]));
            // kustomize looks the name up as one key named "metadata/name", which never
            // exists, so the name always hashes as "".
            m.insert("name".into(), field(&["metadata/name"]));
            m.insert("data".into(), field(&["data"]));
            if let Some(b @ Value::Object(_)) = get(obj, &["stringData"]) {
                m.insert("stringData".into(), b.clone());
            }
            go_json(&Value::Object(m))
        }
        _ => go_json(obj),
    };
    let digest = hex::encode(Sha256::digest(encoded.as_bytes()));
    digest[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            o => o,
        })
        .collect()
}

/// JSON as Go's encoding/json writes a map: sorted keys, HTML-safe escapes.
pub fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

fn write_go_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ferroflux_goformat::write_json_string(out, k, true);
                out.push(':');
                write_go_json(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(it, out);
            }
            out.push(']');
        }
        Value::String(s) => ferroflux_goformat::write_json_string(out, s, true),
        other => out.push_str(&other.to_string()),
    }
}

/// Like [`go_json`] but indented by two spaces (Go's `json.MarshalIndent(v, "", "  ")`).
pub fn go_json_indent(v: &Value) -> String {
    let mut out = String::new();
    write_go_json_indent(v, &mut out, 0);
    out
}

fn write_go_json_indent(v: &Value, out: &mut String, depth: usize) {
    let pad = |out: &mut String, d: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(d));
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                ferroflux_goformat::write_json_string(out, k, true);
                out.push_str(": ");
                write_go_json_indent(&m[k.as_str()], out, depth + 1);
            }
            pad(out, depth);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_go_json_indent(it, out, depth + 1);
            }
            pad(out, depth);
            out.push(']');
        }
        other => write_go_json(other, out),
    }
}

/// Base64 broken into 70-character lines, each ending in a newline, when it is 70
/// characters or longer (kyaml's generator encoding).
pub fn base64_lines(data: &[u8]) -> String {
    let enc = base64(data);
    if enc.len() < 70 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / 70 + 1);
    for chunk in enc.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// The build annotation a generator sets on what gets a hash; one written by hand on a
/// resource asks for the same (and, like every build annotation, leaves with the build).
const NEEDS_HASH_SUFFIX: &str = "internal.config.kubernetes.io/needsHashSuffix";

/// Appends content hashes to the names of generated objects that need one.
pub fn add_hashes(m: &mut ResMap) {
    for r in &mut m.items {
        let asked = r
            .obj
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .and_then(|a| a.get(NEEDS_HASH_SUFFIX));
        if asked.is_some() {
            let enabled = asked.and_then(Value::as_str) == Some("enabled");
            if let Some(Value::Object(meta)) = r.obj.get_mut("metadata")
                && let Some(Value::Object(a)) = meta.get_mut("annotations")
            {
                a.shift_remove(NEEDS_HASH_SUFFIX);
                if a.is_empty() {
                    meta.shift_remove("annotations");
                }
            }
            r.needs_hash |= enabled;
        }
        if !r.needs_hash {
            continue;
        }
        let h = content_hash(&r.obj);
        r.store_previous_id();
        let name = format!("{}-{}", r.name(), h);
        r.set_name(&name);
        r.needs_hash = false;
    }
}

/// A map as kyaml's string-map getters read it (`GetDataMap`, `GetLabels`): each value's
/// text, and `""` for a null or a collection.
fn kyaml_string_map(v: Option<&Value>) -> serde_json::Map<String, Value> {
    let Some(m) = v.and_then(Value::as_object) else {
        return Default::default();
    };
    m.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => crate::fieldpath::scalar_string(v),
                _ => String::new(),
            };
            (k.clone(), Value::String(text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_maps_are_read_as_string_maps() {
        let v = serde_json::json!({"a": null, "b": 1, "c": true, "d": "x", "e": {"f": 1}});
        assert_eq!(
            Value::Object(kyaml_string_map(Some(&v))),
            serde_json::json!({"a": "", "b": "1", "c": "true", "d": "x", "e": ""})
        );
        assert!(kyaml_string_map(None).is_empty());
    }
}
