//! YAML in and out. Reading follows kyaml (YAML 1.2 booleans, `0644` is octal 420,
//! duplicate keys are errors); writing follows kustomize's printer (see [`emit`]).

pub mod emit;

use crate::error::{ErrorKind, Result, err};
use serde_json::Value;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: true,
        budget: budget(),
    }
}

/// Parser limits: generous for large manifests (many documents and nodes), still
/// bounded against alias bombs and deep nesting.
fn budget() -> Option<serde_saphyr::Budget> {
    serde_saphyr::budget! {
        max_documents: 1_000_000,
        max_events: 100_000_000,
        max_nodes: 50_000_000,
        max_depth: 256,
    }
}

/// Parses a multi-document YAML stream; empty documents are dropped.
pub fn parse_documents(text: &str) -> Result<Vec<Value>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| err(ErrorKind::Yaml(first_line(&e.to_string()))))?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Parses one document with YAML 1.1 booleans (`yes`, `on` are true), as
/// sigs.k8s.io/yaml does.
pub fn parse_one_yaml11(text: &str) -> Result<Value> {
    let opts = serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: false,
        budget: budget(),
    };
    let mut docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, opts)
        .map_err(|e| err(ErrorKind::Yaml(first_line(&e.to_string()))))?;
    docs.retain(|d| !d.is_null());
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.remove(0)),
        n => Err(err(ErrorKind::Yaml(format!(
            "expected one document, found {n}"
        )))),
    }
}

/// The first document of a stream read with YAML 1.1 rules, as sigs.k8s.io/yaml's
/// YAML-to-JSON conversion reads it (JSON patches written in YAML).
pub fn parse_first_yaml11(text: &str) -> Result<Value> {
    let opts = serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: false,
        budget: budget(),
    };
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, opts)
        .map_err(|e| err(ErrorKind::Yaml(first_line(&e.to_string()))))?;
    Ok(docs
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Null))
}

/// Parses a kustomization file as kustomize does (sigs.k8s.io/yaml: YAML 1.1 booleans,
/// a repeated key keeps its last value).
pub fn parse_kustomization(text: &str) -> Result<Value> {
    let opts = serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: false,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
        budget: budget(),
    };
    let mut docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, opts)
        .map_err(|e| err(ErrorKind::Yaml(first_line(&e.to_string()))))?;
    docs.retain(|d| !d.is_null());
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.remove(0)),
        n => Err(err(ErrorKind::Yaml(format!(
            "expected one document, found {n}"
        )))),
    }
}

/// Parses a single YAML document (null when empty).
pub fn parse_one(text: &str) -> Result<Value> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.remove(0)),
        n => Err(err(ErrorKind::Yaml(format!(
            "expected one document, found {n}"
        )))),
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string()
}

/// Marks a string that was quoted (or a block scalar) in its source file and holds a
/// `${…}` placeholder: Flux substitutes variables in kyaml's output, which keeps such
/// scalars quoted, so the value stays a string. Removed before objects leave the crate.
pub const QUOTED_MARK: char = '\u{F8FF}';

/// Parses resource or patch documents, marking quoted `${…}` strings (see [`QUOTED_MARK`]).
pub fn parse_resources(text: &str) -> Result<Vec<Value>> {
    let mut docs = parse_documents(text)?;
    if !text.contains("${") {
        return Ok(docs);
    }
    let marks = scan_scalars(text, |_, value, plain| !plain && value.contains("${"));
    if marks.len() == docs.len() {
        for (d, found) in docs.iter_mut().zip(marks) {
            for (p, _) in found {
                if let Some(Value::String(s)) = lookup_mut(d, &p) {
                    s.insert(0, QUOTED_MARK);
                }
            }
        }
    }
    Ok(docs)
}

/// Parses resource documents as kustomize loads resources: as [`parse_resources`], and
/// annotations that are not strings take the text they were written with (kyaml reads
/// annotations as a string map of the scalars' source text: an empty value is `""`, `~`
/// stays `~`, `0644` stays `0644`, `1.50` stays `1.50`). Collections become `""` later.
pub fn parse_resource_documents(text: &str) -> Result<Vec<Value>> {
    let mut docs = parse_resources(text)?;
    annotations_as_written(text, &mut docs, false);
    Ok(docs)
}

/// Parses patch documents: as [`parse_resource_documents`], except that null annotations
/// stay null (in a strategic merge patch they delete the annotation).
pub fn parse_patch_documents(text: &str) -> Result<Vec<Value>> {
    let mut docs = parse_resources(text)?;
    annotations_as_written(text, &mut docs, true);
    Ok(docs)
}

fn annotations_as_written(text: &str, docs: &mut [Value], keep_null: bool) {
    let untyped = |v: &Value| !v.is_string() && !v.is_object() && !v.is_array();
    let needed = |v: &Value| untyped(v) && !(keep_null && v.is_null());
    // kustomize re-encodes the items of a `List` that shares its file with other documents,
    // so their annotations take the typed value's text (as parse_documents gives it); a
    // `List` alone in its file keeps its items' source text.
    let items_too = docs.len() == 1;
    let wanted = |d: &Value| {
        has_annotation(d, needed)
            || (items_too
                && d.get("items")
                    .and_then(Value::as_array)
                    .is_some_and(|items| items.iter().any(|i| has_annotation(i, needed))))
    };
    if !docs.iter().any(wanted) {
        return;
    }
    let found = scan_scalars(text, |path, _, plain| {
        plain && is_annotation_path(path, items_too)
    });
    if found.len() != docs.len() {
        return;
    }
    for (d, found) in docs.iter_mut().zip(found) {
        for (p, raw) in found {
            if let Some(v) = lookup_mut(d, &p)
                && needed(v)
            {
                *v = Value::String(raw);
            }
        }
    }
}

/// Whether a document has an annotation whose value `pick`s.
fn has_annotation(d: &Value, pick: impl Fn(&Value) -> bool) -> bool {
    d.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|m| m.values().any(pick))
}

/// `metadata.annotations.<key>` of a document, or of an item of its `items` too.
fn is_annotation_path(path: &[PathSeg], items_too: bool) -> bool {
    let tail = match path {
        [PathSeg::Key(items), PathSeg::Index(_), rest @ ..] if items_too && items == "items" => {
            rest
        }
        _ => path,
    };
    matches!(tail, [PathSeg::Key(m), PathSeg::Key(a), PathSeg::Key(_)]
        if m == "metadata" && a == "annotations")
}

#[derive(Clone, Debug)]
enum PathSeg {
    Key(String),
    Index(usize),
}

enum Frame {
    Map {
        expecting_key: bool,
        key: Option<String>,
    },
    Seq {
        index: usize,
    },
    /// A collection used as a mapping key: ignored.
    KeyCollection,
}

fn lookup_mut<'a>(v: &'a mut Value, path: &[PathSeg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = match p {
            PathSeg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            PathSeg::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// For each non-empty document, the paths and source texts of the value scalars that
/// `want(path, text, plain)` picks. Empty when the text does not parse.
fn scan_scalars(
    text: &str,
    mut want: impl FnMut(&[PathSeg], &str, bool) -> bool,
) -> Vec<Vec<(Vec<PathSeg>, String)>> {
    use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut found: Vec<(Vec<PathSeg>, String)> = Vec::new();
    let mut root_empty = true;
    let current_path = |stack: &[Frame]| -> Vec<PathSeg> {
        stack
            .iter()
            .filter_map(|f| match f {
                Frame::Map { key: Some(k), .. } => Some(PathSeg::Key(k.clone())),
                Frame::Seq { index } => Some(PathSeg::Index(*index)),
                _ => None,
            })
            .collect()
    };
    fn advance(stack: &mut [Frame]) {
        match stack.last_mut() {
            Some(Frame::Map { expecting_key, key }) => {
                *expecting_key = true;
                *key = None;
            }
            Some(Frame::Seq { index }) => *index += 1,
            _ => {}
        }
    }
    for ev in Parser::new_from_str(text) {
        let Ok((ev, span)) = ev else {
            return Vec::new();
        };
        let in_key = matches!(
            stack.last(),
            Some(Frame::Map {
                expecting_key: true,
                ..
            })
        ) || stack.iter().any(|f| matches!(f, Frame::KeyCollection));
        match ev {
            Event::DocumentStart(..) => {
                stack.clear();
                found.clear();
                root_empty = true;
            }
            Event::DocumentEnd if !root_empty => {
                out.push(std::mem::take(&mut found));
            }
            Event::Scalar(value, style, _, _) => {
                if stack.is_empty() {
                    let null = style == ScalarStyle::Plain
                        && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                    root_empty = null;
                    continue;
                }
                if in_key {
                    if let Some(Frame::Map { expecting_key, key }) = stack.last_mut()
                        && *expecting_key
                    {
                        *key = Some(value.into_owned());
                        *expecting_key = false;
                    }
                    continue;
                }
                // An empty node comes as a plain `~`; only its span tells it apart.
                let value = if style == ScalarStyle::Plain && span.start == span.end {
                    std::borrow::Cow::Borrowed("")
                } else {
                    value
                };
                let path = current_path(&stack);
                if want(&path, &value, style == ScalarStyle::Plain) {
                    found.push((path, value.into_owned()));
                }
                advance(&mut stack);
            }
            Event::Alias(_) if !in_key => {
                advance(&mut stack);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(ev, Event::MappingStart(..));
                if stack.is_empty() {
                    root_empty = false;
                }
                if in_key {
                    stack.push(Frame::KeyCollection);
                } else if is_map {
                    stack.push(Frame::Map {
                        expecting_key: true,
                        key: None,
                    });
                } else {
                    stack.push(Frame::Seq { index: 0 });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let popped = stack.pop();
                if matches!(popped, Some(Frame::KeyCollection)) {
                    if !stack.iter().any(|f| matches!(f, Frame::KeyCollection))
                        && let Some(Frame::Map { expecting_key, .. }) = stack.last_mut()
                    {
                        *expecting_key = false;
                    }
                    continue;
                }
                advance(&mut stack);
            }
            _ => {}
        }
    }
    out
}

/// Removes [`QUOTED_MARK`]s.
pub fn strip_marks(v: &mut Value) {
    match v {
        Value::String(s) if s.contains(QUOTED_MARK) => s.retain(|c| c != QUOTED_MARK),
        Value::Array(a) => a.iter_mut().for_each(strip_marks),
        Value::Object(m) => m.values_mut().for_each(strip_marks),
        _ => {}
    }
}

/// Writes objects like `kustomize build`: documents separated by `---`. Many objects are
/// written on several threads (each document on its own, joined in order).
pub fn to_yaml(objects: &[Value]) -> String {
    let chunks = par_chunks(objects.len(), 256);
    let parts = ferroflux_par::map(&chunks, 2, |range| {
        let mut out = String::new();
        for (i, o) in objects[range.clone()].iter().enumerate() {
            if i + range.start > 0 {
                out.push_str("---\n");
            }
            out.push_str(&emit::to_yaml_document(o));
        }
        out
    });
    parts.concat()
}

/// Parses many resource files' texts (as [`parse_resource_documents`] each), on several threads when
/// there is much to read.
pub fn parse_resources_many(texts: &[String]) -> Vec<Result<Vec<Value>>> {
    let total: usize = texts.iter().map(String::len).sum();
    if total < 128 * 1024 || texts.len() < 2 {
        return texts.iter().map(|t| parse_resource_documents(t)).collect();
    }
    ferroflux_par::map(texts, 2, |t| parse_resource_documents(t))
}

/// `len` items in ranges of at least `min` items, one per worker at most.
fn par_chunks(len: usize, min: usize) -> Vec<std::ops::Range<usize>> {
    if len < 2 * min.max(1) {
        return std::iter::once(0..len).collect();
    }
    let n = ferroflux_par::available_workers()
        .min(len.div_ceil(min.max(1)))
        .max(1);
    let size = len.div_ceil(n).max(1);
    (0..len)
        .step_by(size)
        .map(|s| s..(s + size).min(len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_placeholders_are_marked_by_position() {
        let text = "---\n# empty\n---\na: \"${x}\"\nb: ${x}\nc:\n- '${y}'\n- ${y}\n- k: |\n    ${z}\n---\nd: ${x}\n";
        let docs = parse_resources(text).expect("parses");
        assert_eq!(docs.len(), 2);
        let m = |s: &str| format!("{QUOTED_MARK}{s}");
        assert_eq!(docs[0]["a"], Value::String(m("${x}")));
        assert_eq!(docs[0]["b"], Value::String("${x}".into()));
        assert_eq!(docs[0]["c"][0], Value::String(m("${y}")));
        assert_eq!(docs[0]["c"][1], Value::String("${y}".into()));
        assert_eq!(docs[0]["c"][2]["k"], Value::String(m("${z}\n")));
        assert_eq!(docs[1]["d"], Value::String("${x}".into()));
        let mut stripped = docs[0].clone();
        strip_marks(&mut stripped);
        assert_eq!(stripped["a"], Value::String("${x}".into()));
        assert_eq!(emit::to_yaml_document(&docs[0]["a"]), "\"${x}\"\n");
    }

    #[test]
    fn annotations_keep_their_source_text() {
        let text = "metadata:\n  name: a\n  annotations:\n    e:\n    t: ~\n    o: 0644\n    d: 1.50\n    s: '1'\n  labels:\n    d: 1.50\n";
        let docs = parse_resource_documents(text).expect("parses");
        let ann = &docs[0]["metadata"]["annotations"];
        assert_eq!(ann["e"], "");
        assert_eq!(ann["t"], "~");
        assert_eq!(ann["o"], "0644");
        assert_eq!(ann["d"], "1.50");
        assert_eq!(ann["s"], "1");
        assert_eq!(docs[0]["metadata"]["labels"]["d"], 1.5);
        let patch = parse_patch_documents(text).expect("parses");
        assert!(patch[0]["metadata"]["annotations"]["e"].is_null());
        assert!(patch[0]["metadata"]["annotations"]["t"].is_null());
        assert_eq!(patch[0]["metadata"]["annotations"]["o"], "0644");
    }
}
