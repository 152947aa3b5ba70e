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
    let marks = quoted_placeholder_paths(text);
    if marks.len() == docs.len() {
        for (d, paths) in docs.iter_mut().zip(marks) {
            for p in paths {
                if let Some(Value::String(s)) = lookup_mut(d, &p) {
                    s.insert(0, QUOTED_MARK);
                }
            }
        }
    }
    Ok(docs)
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

/// For each non-empty document, the paths of non-plain scalars holding `${`.
fn quoted_placeholder_paths(text: &str) -> Vec<Vec<Vec<PathSeg>>> {
    use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut paths: Vec<Vec<PathSeg>> = Vec::new();
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
        let Ok((ev, _)) = ev else { return Vec::new() };
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
                paths.clear();
                root_empty = true;
            }
            Event::DocumentEnd if !root_empty => {
                out.push(std::mem::take(&mut paths));
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
                if style != ScalarStyle::Plain && value.contains("${") {
                    paths.push(current_path(&stack));
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
    let parts = par_map(&chunks, |range| {
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

/// Parses many resource files' texts (as [`parse_resources`] each), on several threads when
/// there is much to read.
pub fn parse_resources_many(texts: &[String]) -> Vec<Result<Vec<Value>>> {
    let total: usize = texts.iter().map(String::len).sum();
    if total < 128 * 1024 || texts.len() < 2 {
        return texts.iter().map(|t| parse_resources(t)).collect();
    }
    par_map(texts, |t| parse_resources(t))
}

/// `len` items in ranges of at least `min` items, one per worker at most.
fn par_chunks(len: usize, min: usize) -> Vec<std::ops::Range<usize>> {
    if len < 2 * min.max(1) {
        return std::iter::once(0..len).collect();
    }
    let n = workers().min(len.div_ceil(min.max(1))).max(1);
    let size = len.div_ceil(n).max(1);
    (0..len)
        .step_by(size)
        .map(|s| s..(s + size).min(len))
        .collect()
}

/// Threads to use (asking the system reads cgroup files: once per process).
fn workers() -> usize {
    static WORKERS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WORKERS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    })
}

/// `f` over `items`, results in order; items are handed out one at a time to up to
/// [`workers`] threads (the calling thread is one of them).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let n = workers().min(items.len());
    if n <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..n).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
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
}
