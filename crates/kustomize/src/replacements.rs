//! `replacements`: copy a field (or a literal) into fields of other objects.

use crate::error::{ErrorKind, Result, err};
use crate::fieldpath::{self, Seg, scalar_string};
use crate::kustfile::{FieldOptions, ReplacementField, Selector, SourceSelector};
use crate::resource::{IdView, ResId, ResMap, Resource};
use crate::selector;
use serde_json::Value;

fn id_selected(id: IdView<'_>, s: &SourceSelector) -> bool {
    (s.group.is_empty() || s.group == id.group)
        && (s.version.is_empty() || s.version == id.version)
        && (s.kind.is_empty() || s.kind == id.kind)
        && (s.name.is_empty() || s.name == id.name)
        && (s.namespace.is_empty()
            || s.namespace == id.namespace
            || s.namespace == id.effective_namespace())
}

fn source_value(m: &ResMap, rep: &ReplacementField) -> Result<Value> {
    if rep.source_value.is_some() && rep.source.is_some() {
        return Err(err(ErrorKind::Replacement(
            "value and resource selectors are mutually exclusive".into(),
        )));
    }
    if let Some(v) = &rep.source_value {
        // An untagged scalar: where it creates a field, YAML decides its type.
        let resolved = crate::yaml::parse_one(v)
            .ok()
            .filter(|x| !x.is_object() && !x.is_array() && !x.is_null());
        return Ok(resolved.unwrap_or_else(|| Value::String(v.clone())));
    }
    let Some(src) = &rep.source else {
        return Err(err(ErrorKind::Replacement(
            "replacements must specify a source and at least one target".into(),
        )));
    };
    let found: Vec<&Resource> = m
        .items
        .iter()
        .filter(|r| r.any_id(|id| id_selected(id, src)))
        .collect();
    let r = match found.as_slice() {
        [r] => *r,
        [] => {
            return Err(err(ErrorKind::Replacement(format!(
                "nothing selected by {}",
                describe(src)
            ))));
        }
        _ => {
            return Err(err(ErrorKind::Replacement(format!(
                "multiple matches for selector {}",
                describe(src)
            ))));
        }
    };
    let path = if src.field_path.is_empty() {
        "metadata.name"
    } else {
        &src.field_path
    };
    let segs = fieldpath::parse(path);
    if segs.contains(&Seg::Any) {
        return Err(err(ErrorKind::Replacement(
            "error looking up replacement source: wildcard is not supported in PathGetter".into(),
        )));
    }
    let v = fieldpath::lookup(&r.obj, &segs)
        .cloned()
        .unwrap_or(Value::Null);
    let empty = match &v {
        Value::Null => true,
        Value::Object(o) => o.is_empty(),
        Value::Array(a) => a.is_empty(),
        // kyaml's IsNilOrEmpty: an empty string is a scalar like any other.
        _ => false,
    };
    if empty {
        return Err(err(ErrorKind::Replacement(format!(
            "fieldPath `{path}` is missing for replacement source {}",
            describe(src)
        ))));
    }
    refine(src.options.as_ref(), v)
}

fn describe(s: &SourceSelector) -> String {
    let mut parts = Vec::new();
    if !s.kind.is_empty() {
        parts.push(s.kind.clone());
    }
    if !s.name.is_empty() {
        parts.push(s.name.clone());
    }
    parts.join(".")
}

fn refine(opts: Option<&FieldOptions>, v: Value) -> Result<Value> {
    let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) else {
        return Ok(v);
    };
    if v.is_object() || v.is_array() {
        return Err(err(ErrorKind::Replacement(
            "delimiter option can only be used with scalar nodes".into(),
        )));
    }
    let s = scalar_string(&v);
    let parts: Vec<&str> = s.split(o.delimiter.as_str()).collect();
    if o.index < 0 || o.index as usize >= parts.len() {
        return Err(err(ErrorKind::Replacement(format!(
            "options.index {} is out of bounds for value {s}",
            o.index
        ))));
    }
    Ok(Value::String(parts[o.index as usize].to_string()))
}

/// Sets `target` to `value` as kyaml does. Errors are kustomize's words for a text its
/// target's type cannot hold.
fn set_value(
    target: &mut Value,
    value: &Value,
    opts: Option<&FieldOptions>,
    annotation: bool,
) -> std::result::Result<(), String> {
    let mut value = value.clone();
    // A field a collection creates is a collection too.
    let collection_target = is_collection(target) || (target.is_null() && is_collection(&value));
    if let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) {
        if collection_target {
            return Err("delimiter option can only be used with scalar nodes".into());
        }
        let cur = scalar_string(target);
        let mut parts: Vec<String> = cur.split(o.delimiter.as_str()).map(String::from).collect();
        let v = node_text(&value);
        if o.index < 0 {
            parts.insert(0, v);
        } else if o.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[o.index as usize] = v;
        }
        value = Value::String(parts.join(&o.delimiter));
    }
    *target = if collection_target {
        value
    } else if annotation && !is_collection(&value) {
        // kustomize writes the object's annotations back as strings, as written.
        Value::String(scalar_string(&value))
    } else {
        // Only the text goes into a scalar.
        typed_scalar(target, node_text(&value))?
    };
    Ok(())
}

fn is_collection(v: &Value) -> bool {
    v.is_object() || v.is_array()
}

/// The text kyaml copies from a node: a scalar's own, none for a map or list.
fn node_text(v: &Value) -> String {
    if is_collection(v) {
        String::new()
    } else {
        scalar_string(v)
    }
}

/// The conversions of a replaced field inside JSON or YAML held in a string, where the
/// document goes back into its string as text and no type is checked.
fn loose_scalar(target: &Value, value: &Value) -> Value {
    match (target, value) {
        (_, v) if is_collection(v) => v.clone(),
        (Value::String(_), v) => Value::String(scalar_string(v)),
        (Value::Number(_), v) => {
            let s = scalar_string(v);
            s.parse::<i64>()
                .map(Value::from)
                .or_else(|_| s.parse::<f64>().map(Value::from))
                .unwrap_or(Value::String(s))
        }
        (Value::Bool(_), v) => match scalar_string(v).as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            s => Value::String(s.to_string()),
        },
        (Value::Null, Value::String(s)) => crate::yaml::parse_one(s)
            .ok()
            .filter(|x| x.is_number() || x.is_boolean())
            .unwrap_or_else(|| value.clone()),
        _ => value.clone(),
    }
}

/// kyaml puts only the text into a scalar target and keeps the target's tag; the text is
/// read as that type when kustomize writes the object out, and fails when it is not one
/// (`replicas: 1` takes `"3"` as the number 3 and refuses `"three"`). A field a
/// replacement created has no tag until the object is written: its text is read as any
/// plain scalar is, also by a later replacement into it. A null field is read the same
/// way (kustomize, which keeps a `key: null`'s tag, refuses text other than a null there).
fn typed_scalar(target: &Value, text: String) -> std::result::Result<Value, String> {
    use crate::yaml::resolve::{Plain, resolve};
    let want = match target {
        Value::Null => "",
        Value::Bool(_) => "!!bool",
        Value::Number(n) if n.is_f64() => "!!float",
        Value::Number(_) => "!!int",
        _ => return Ok(Value::String(text)),
    };
    let read = match resolve(&text, want.is_empty()) {
        // Go converts an integer text for a float field.
        Plain::Int(n) if want == "!!float" => Plain::Float(n.as_f64().unwrap_or_default()),
        read if want.is_empty() || read.tag() == want => read,
        read => {
            return Err(format!(
                "yaml: cannot decode {} `{text}` as a {want}",
                read.tag()
            ));
        }
    };
    Ok(match read {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(n) => Value::Number(n),
        Plain::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => {
                let go = if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "+Inf"
                } else {
                    "-Inf"
                };
                return Err(format!("json: unsupported value: {go}"));
            }
        },
        Plain::Timestamp(t) => Value::String(t),
        Plain::Str => Value::String(text),
    })
}

/// Replacement targets match any id the object has had (current or earlier).
fn selects_any(sel: &selector::Matcher<'_>, r: &Resource) -> Result<bool> {
    if !sel.selects_meta(r)? {
        return Ok(false);
    }
    for id in r.prev_ids.iter().map(ResId::view).chain([r.cur_view()]) {
        if sel.selects_id(id)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A `reject` entry prepared for matching many objects.
struct Reject<'a> {
    /// The entry has a label or annotation selector: only those count.
    has_meta: bool,
    /// The entry selects nothing by id.
    empty: bool,
    /// The whole entry (for its label/annotation selectors).
    meta: selector::Matcher<'a>,
    /// The entry without label/annotation selectors.
    id_only: selector::Matcher<'a>,
}

fn id_only(rej: &Selector) -> Selector {
    Selector {
        label_selector: String::new(),
        annotation_selector: String::new(),
        ..rej.clone()
    }
}

fn rejected(rejects: &[Reject<'_>], r: &Resource) -> Result<bool> {
    for rej in rejects {
        if rej.has_meta {
            if rej.meta.selects_meta(r)? {
                return Ok(true);
            }
            continue;
        }
        if rej.empty {
            continue;
        }
        for id in r.prev_ids.iter().map(ResId::view).chain([r.cur_view()]) {
            if rej.id_only.selects_id(id)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The replacements with each `path:` entry replaced by the ones its file lists (a list,
/// or documents of single replacements).
pub fn expand_paths(
    reps: &[ReplacementField],
    root: &std::path::Path,
    loader: &crate::loader::Loader,
) -> Result<Vec<ReplacementField>> {
    let mut list = Vec::new();
    for r in reps {
        let Some(p) = &r.path else {
            list.push(r.clone());
            continue;
        };
        if r.source.is_some() || r.targets.as_ref().is_some_and(|t| !t.is_empty()) {
            return Err(err(ErrorKind::Replacement(
                "cannot specify both path and inline replacement".into(),
            )));
        }
        let (file, text) = loader.read_relative(root, p)?;
        // kustomize reads the file as JSON does: its first document, unknown fields ignored.
        let first = crate::yaml::parse_documents(&text)
            .map_err(|e| e.in_file(&file))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        let items = match first {
            Value::Array(a) => a,
            d @ Value::Object(_) => vec![d],
            other => {
                let kind = match other {
                    Value::Null => "invalid",
                    Value::String(_) => "string",
                    Value::Bool(_) => "bool",
                    _ => "float64",
                };
                return Err(err(ErrorKind::Replacement(format!(
                    "unsupported replacement type encountered within replacement path: {kind}"
                )))
                .in_file(&file));
            }
        };
        for it in items {
            let mut it = crate::kustfile::normalize_keys(it);
            drop_unknown_fields(&mut it, &REPLACEMENT_FIELDS);
            let rf: ReplacementField = serde_json::from_value(it)
                .map_err(|e| err(ErrorKind::Replacement(e.to_string())).in_file(&file))?;
            list.push(rf);
        }
    }
    Ok(list)
}

/// A level of a replacement's fields: its known keys, and the known keys below some of them.
struct Fields(&'static [(&'static str, Option<&'static Fields>)]);

static OPTION_FIELDS: Fields = Fields(&[
    ("delimiter", None),
    ("index", None),
    ("encoding", None),
    ("create", None),
]);
static SELECTOR_FIELDS: Fields = Fields(&[
    ("group", None),
    ("version", None),
    ("kind", None),
    ("name", None),
    ("namespace", None),
    ("labelSelector", None),
    ("annotationSelector", None),
]);
static SOURCE_FIELDS: Fields = Fields(&[
    ("group", None),
    ("version", None),
    ("kind", None),
    ("name", None),
    ("namespace", None),
    ("fieldPath", None),
    ("options", Some(&OPTION_FIELDS)),
]);
static TARGET_FIELDS: Fields = Fields(&[
    ("select", Some(&SELECTOR_FIELDS)),
    ("reject", Some(&SELECTOR_FIELDS)),
    ("fieldPaths", None),
    ("options", Some(&OPTION_FIELDS)),
]);
static REPLACEMENT_FIELDS: Fields = Fields(&[
    ("path", None),
    ("source", Some(&SOURCE_FIELDS)),
    ("targets", Some(&TARGET_FIELDS)),
    ("sourceValue", None),
]);

/// Removes the keys Go's JSON decoding of a replacement file would ignore, at every level
/// (lists of objects take their elements' fields).
fn drop_unknown_fields(v: &mut Value, fields: &Fields) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| fields.0.iter().any(|(f, _)| f == k));
            for (k, x) in m.iter_mut() {
                if let Some((_, Some(below))) = fields.0.iter().find(|(f, _)| f == k) {
                    drop_unknown_fields(x, below);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| drop_unknown_fields(x, fields)),
        _ => {}
    }
}

/// Applies the replacements in order.
pub fn apply(m: &mut ResMap, reps: &[ReplacementField]) -> Result<()> {
    for rep in reps {
        if rep.targets.as_ref().is_none_or(Vec::is_empty) {
            return Err(err(ErrorKind::Replacement(
                "replacements must specify a source and at least one target".into(),
            )));
        }
        let value = source_value(m, rep)?;
        for t in rep.targets.iter().flatten() {
            let Some(sel) = &t.select else {
                return Err(err(ErrorKind::Replacement(
                    "target must specify resources to select".into(),
                )));
            };
            let paths = if t.field_paths.is_empty() {
                vec!["metadata.name".to_string()]
            } else {
                t.field_paths.clone()
            };
            let create = t.options.as_ref().is_some_and(|o| o.create);
            let matcher = selector::Matcher::new(sel);
            let id_onlys: Vec<Selector> = t.reject.iter().map(id_only).collect();
            let rejects: Vec<Reject<'_>> = t
                .reject
                .iter()
                .zip(&id_onlys)
                .map(|(rej, id_only)| Reject {
                    has_meta: !rej.label_selector.is_empty() || !rej.annotation_selector.is_empty(),
                    empty: *id_only == Selector::default(),
                    meta: selector::Matcher::new(rej),
                    id_only: selector::Matcher::new(id_only),
                })
                .collect();
            let segs: Vec<Vec<Seg>> = paths.iter().map(|p| fieldpath::parse(p)).collect();
            for r in &mut m.items {
                if !selects_any(&matcher, r)? || rejected(&rejects, r)? {
                    continue;
                }
                for (p, segs) in paths.iter().zip(&segs) {
                    if set_in_structured(&mut r.obj, segs, &value, create)? {
                        r.sync_aliases();
                        continue;
                    }
                    let mut failure = None;
                    let annotation = matches!(segs.as_slice(),
                        [Seg::Field(m), Seg::Field(a), Seg::Field(_)]
                            if m == "metadata" && a == "annotations");
                    let n = fieldpath::visit_mut(&mut r.obj, segs, create, &mut |v| {
                        if let Err(e) = set_value(v, &value, t.options.as_ref(), annotation) {
                            failure.get_or_insert(e);
                        }
                    });
                    if let Some(e) = failure {
                        return Err(
                            err(ErrorKind::Replacement(format!("target field {p}: {e}")))
                                .for_object(r.describe()),
                        );
                    }
                    // Targets are edited in place in kustomize.
                    r.sync_aliases();
                    if n == 0 {
                        let what = if create {
                            "unable to find or create field"
                        } else {
                            "unable to find field"
                        };
                        return Err(err(ErrorKind::Replacement(format!(
                            "{what} \"{p}\" in replacement target"
                        )))
                        .for_object(r.describe()));
                    }
                }
            }
        }
    }
    Ok(())
}

/// A path that continues inside a string holding JSON or YAML (kustomize's
/// "structured data" targets): edit the parsed document and write it back.
fn set_in_structured(obj: &mut Value, segs: &[Seg], value: &Value, create: bool) -> Result<bool> {
    if segs.len() < 2 {
        return Ok(false);
    }
    for i in 1..segs.len() {
        let Some(Value::String(text)) = fieldpath::lookup(obj, &segs[..i]) else {
            continue;
        };
        let Ok(mut doc) = crate::yaml::parse_one(text) else {
            continue;
        };
        if !doc.is_object() && !doc.is_array() {
            return Ok(false);
        }
        let before = doc.clone();
        // kustomize v5.8.1 replaces the whole value here: `delimiter`/`index` only apply
        // to plain fields (later kustomize applies them inside the document too). The
        // document goes back into its string as text: a type it cannot hold fails nothing.
        let json = matches!(text.trim_start().chars().next(), Some('{' | '['));
        let mut refused = false;
        // A JSON null written in the document is typed (a created field is not).
        let null_written = fieldpath::lookup(&before, &segs[i..]).is_some_and(Value::is_null);
        let n = fieldpath::visit_mut(&mut doc, &segs[i..], create, &mut |v| {
            let created = v.is_null() && !null_written;
            if !json || is_collection(v) || created {
                *v = loose_scalar(v, value);
                return;
            }
            // Only the text goes into a scalar, and it must fit the field's type.
            let text = node_text(value);
            let held = if v.is_null() {
                let null = crate::yaml::resolve::resolve(&text, false);
                (null == crate::yaml::resolve::Plain::Null).then_some(Value::Null)
            } else {
                typed_scalar(v, text).ok()
            };
            match held {
                None => refused = true,
                Some(h) if is_collection(value) => *v = h,
                // JSON keeps the text's own number form (`7` into a float field stays `7`).
                Some(_) => *v = loose_scalar(v, value),
            }
        });
        if n == 0 {
            return Ok(false);
        }
        // kustomize writes JSON back through its types: when a field cannot hold the text,
        // the string is left as it was, without an error.
        if refused {
            return Ok(true);
        }
        let original = text.clone();
        let out = if json {
            if original.contains('\n') && original.contains("  ") {
                crate::generators::go_json_indent(&doc)
            } else {
                crate::generators::go_json(&doc)
            }
        } else {
            // kyaml keeps the document's presentation where it can.
            crate::yaml::styled::rewrite(&original, &before, &doc)
                .unwrap_or_else(|| crate::yaml::emit::to_yaml_document_in_order(&doc))
                .trim()
                .to_string()
        };
        let mut written = false;
        fieldpath::visit_mut(obj, &segs[..i], false, &mut |v| {
            *v = Value::String(out.clone());
            written = true;
        });
        return Ok(written);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustfile::{SourceSelector, TargetSelector};
    use crate::loader::{LoadRestrictor, Loader};
    use std::path::{Path, PathBuf};

    /// The field tables a `path:` file is pruned with name every field of the structs it
    /// is read into, and nothing else survives.
    #[test]
    fn replacement_field_tables_follow_the_structs() {
        let full = ReplacementField {
            path: Some("p".into()),
            source: Some(SourceSelector {
                options: Some(FieldOptions::default()),
                ..Default::default()
            }),
            targets: Some(vec![TargetSelector {
                select: Some(Selector::default()),
                reject: vec![Selector::default()],
                field_paths: vec!["a".into()],
                options: Some(FieldOptions::default()),
            }]),
            source_value: Some("v".into()),
        };
        let written = serde_json::to_value(&full).unwrap();
        let mut pruned = written.clone();
        drop_unknown_fields(&mut pruned, &REPLACEMENT_FIELDS);
        assert_eq!(pruned, written);

        let mut extra = written.clone();
        extra["targets"][0]["select"]["note"] = "x".into();
        extra["source"]["options"]["note"] = "x".into();
        extra["note"] = "x".into();
        drop_unknown_fields(&mut extra, &REPLACEMENT_FIELDS);
        assert_eq!(extra, written);
    }

    #[test]
    fn path_entries_expand_to_the_replacements_of_their_file() {
        let mut loader = Loader::new(LoadRestrictor::None);
        loader.add_virtual_file(
            PathBuf::from("/k/list.yaml"),
            "- source: {kind: A}\n  targets: []\n- source: {kind: B}\n  targets: []\n".into(),
        );
        loader.add_virtual_file(
            PathBuf::from("/k/one.yaml"),
            "source: {kind: C}\ntargets: []\n".into(),
        );
        let entry = |p: &str| ReplacementField {
            path: Some(p.into()),
            ..Default::default()
        };
        let inline = ReplacementField {
            source: Some(SourceSelector {
                kind: "D".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let list = expand_paths(
            &[entry("list.yaml"), inline, entry("one.yaml")],
            Path::new("/k"),
            &loader,
        )
        .unwrap();
        let kinds: Vec<&str> = list
            .iter()
            .map(|r| r.source.as_ref().unwrap().kind.as_str())
            .collect();
        assert_eq!(kinds, vec!["A", "B", "D", "C"]);
    }
}
