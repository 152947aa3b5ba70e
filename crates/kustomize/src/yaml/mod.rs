//! YAML in and out. Reading follows kyaml (YAML 1.2 booleans, `0644` is octal 420,
//! duplicate keys are errors); writing follows kustomize's printer (see [`emit`]).

pub mod emit;
pub mod resolve;
pub mod styled;

use crate::error::{ErrorKind, Result, err};
use serde_json::Value;

/// [`options`] with another rule for a key repeated in one map: resources refuse it, as
/// kyaml does; patches keep the first, as kustomize's merge of a patch reads it.
fn options_with(
    duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy,
) -> serde_saphyr::Options {
    serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: true,
        duplicate_keys: duplicate_keys,
        budget: budget(),
        // Values carry no comments; buffering them while looking ahead is limited (33
        // comment lines between a key and its value failed, kubebuilder scaffolds have more).
        emit_comments: false,
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

/// The text as go-yaml reads it: NEL (U+0085) is a line break it keeps a line feed for, and
/// a block scalar's indicator may stand at its key's indentation on the next line.
fn go_line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    let mut text = std::borrow::Cow::Borrowed(text);
    if text.contains('\u{85}') {
        text = std::borrow::Cow::Owned(text.replace('\u{85}', "\n"));
    }
    if text.contains(['|', '>'])
        && let Some(lifted) = ferroflux_helm::yaml11::lift_block_indicators(&text)
    {
        text = std::borrow::Cow::Owned(lifted);
    }
    text
}

/// Parses a multi-document YAML stream; empty documents are dropped.
pub fn parse_documents(text: &str) -> Result<Vec<Value>> {
    parse_documents_with(text, serde_saphyr::options::DuplicateKeyPolicy::Error)
}

fn parse_documents_with(
    text: &str,
    duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy,
) -> Result<Vec<Value>> {
    let text = &*go_line_breaks(text);
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let docs = match read_stream(text, options_with(duplicate_keys)) {
        Ok(Read::Docs(docs)) => docs,
        Ok(Read::Again(spaced)) => return parse_documents_with(&spaced, duplicate_keys),
        Err(e) => match merged_annotation_blocks(text) {
            Some(docs) => docs,
            None => return Err(e),
        },
    };
    let mut docs: Vec<Value> = docs.into_iter().filter(|d| !d.is_null()).collect();
    if !text.ends_with('\n') {
        trim_final_block_scalar(text, &mut docs);
    }
    if may_hold_folded_scalar(text) {
        break_before_more_indented(text, &mut docs);
    }
    if may_hold_timestamp(text) {
        plain_timestamps(text, &mut docs);
    }
    Ok(docs)
}

/// Whether four digits and a `-` (how every timestamp yaml.v3 knows starts) appear anywhere.
fn may_hold_timestamp(text: &str) -> bool {
    text.as_bytes()
        .windows(5)
        .any(|w| w[..4].iter().all(u8::is_ascii_digit) && w[4] == b'-')
}

/// yaml.v3 reads a plain scalar shaped like a timestamp as a `time.Time`, which kustomize
/// writes back through JSON: `2024-01-01` becomes `2024-01-01T00:00:00Z`.
fn plain_timestamps(text: &str, docs: &mut [Value]) {
    use serde_saphyr::granit_parser::ScalarStyle;
    let found = scan_styled(
        text,
        |_, value, style| style == ScalarStyle::Plain && go_timestamp(value).is_some(),
        |_, _, _| false,
    );
    if found.len() != docs.len() {
        return;
    }
    for (doc, scalars) in docs.iter_mut().zip(found) {
        for (path, value) in scalars {
            if let Some(Value::String(s)) = lookup_mut(doc, &path)
                && *s == value
                && let Some(t) = go_timestamp(&value)
            {
                *s = t;
            }
        }
    }
}

/// yaml.v3's reading of a timestamp, as `time.Time` marshals to JSON.
pub fn go_timestamp(s: &str) -> Option<String> {
    ferroflux_goformat::go_yaml_timestamp(s)
}

/// What reading a stream gave: its documents, or a text to read instead.
/// Two `annotations:` blocks in one object's metadata: kustomize reads both (it clears the
/// first and sets its entries into the second, the first's value winning a shared key).
/// `None` unless that is the only repetition in the text: the stream read keeping the first
/// of each repeated key and the one keeping the last must then differ in nothing else.
fn merged_annotation_blocks(text: &str) -> Option<Vec<Value>> {
    use serde_saphyr::options::DuplicateKeyPolicy::{FirstWins, LastWins};
    if !only_annotations_repeat(text) {
        return None;
    }
    let Ok(Read::Docs(mut first)) = read_stream(text, options_with(FirstWins)) else {
        return None;
    };
    let Ok(Read::Docs(mut last)) = read_stream(text, options_with(LastWins)) else {
        return None;
    };
    if first.len() != last.len() {
        return None;
    }
    for (f, l) in first.iter_mut().zip(last.iter_mut()) {
        let take = |d: &mut Value| {
            d.get_mut("metadata")
                .and_then(Value::as_object_mut)
                .and_then(|m| m.get_mut("annotations"))
                .map(std::mem::take)
        };
        // An empty block (`annotations:` and nothing) holds no entries.
        let as_map = |a: Option<Value>| match a {
            Some(Value::Null) => Some(Value::Object(Default::default())),
            a => a,
        };
        match (as_map(take(f)), as_map(take(l))) {
            (Some(Value::Object(fa)), Some(Value::Object(mut merged))) => {
                for (k, v) in fa {
                    merged.insert(k, v);
                }
                let merged = Value::Object(merged);
                set_annotations(f, merged.clone());
                set_annotations(l, merged);
            }
            (fa, la) if fa == la => {
                if let Some(a) = fa {
                    set_annotations(f, a.clone());
                    set_annotations(l, a);
                }
            }
            _ => return None,
        }
    }
    (first == last).then_some(first)
}

/// Whether every key repeated within its mapping is `annotations` in an object's top-level
/// `metadata` (and some key is). Other repeated keys fail in kustomize even when both values
/// are the same, so comparing the two readings is not enough.
fn only_annotations_repeat(text: &str) -> bool {
    let repeats = repeated_keys(text).unwrap_or_default();
    !repeats.is_empty()
        && repeats
            .iter()
            .all(|r| r.key == "annotations" && r.parents == ["metadata"])
}

/// yaml.v3's complaint about keys repeated within a mapping, as kustomize prints it when it
/// turns the objects into maps: every repetition, `line N: mapping key "k" already defined
/// at line M`. `None` when no key repeats (or the text does not parse).
fn repeated_keys_report(text: &str) -> Option<String> {
    let repeats = repeated_keys(text)?;
    if repeats.is_empty() {
        return None;
    }
    let lines: Vec<String> = repeats
        .iter()
        .map(|r| {
            format!(
                "  line {}: mapping key {} already defined at line {}",
                r.line, r.shown, r.first_line
            )
        })
        .collect();
    Some(format!(
        "map[string]interface {{}}(nil): yaml: unmarshal errors:\n{}",
        lines.join("\n")
    ))
}

/// A key repeated within one mapping.
struct Repeat {
    /// The keys leading to the mapping from its document's root (sequences add nothing).
    parents: Vec<String>,
    key: String,
    /// The key as Go's `%#v` shows the decoded key: strings quoted, numbers and booleans bare.
    shown: String,
    line: usize,
    first_line: usize,
}

/// Every key repeated within its mapping, in every document; `None` when the text does not
/// parse.
fn repeated_keys(text: &str) -> Option<Vec<Repeat>> {
    use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
    enum Frame {
        Map {
            keys: std::collections::HashMap<String, usize>,
            /// The key whose value comes next, while its value is read.
            key: Option<String>,
            at_key: bool,
        },
        Seq,
    }
    let parents = |stack: &[Frame]| -> Vec<String> {
        stack
            .iter()
            .filter_map(|f| match f {
                Frame::Map { key, .. } => key.clone(),
                Frame::Seq => None,
            })
            .collect()
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut out = Vec::new();
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.ok()?;
        let line = span.start.line();
        // A node has been read: a key is recorded (or reported as a repetition), a value
        // ends its key's turn.
        let key = match &ev {
            Event::Scalar(value, style, ..) => {
                Some((value.to_string(), *style == ScalarStyle::Plain))
            }
            _ => None,
        };
        let node = matches!(
            ev,
            Event::Scalar(..)
                | Event::Alias(..)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
        );
        if node {
            let above = parents(&stack);
            if let Some(Frame::Map {
                keys,
                key: current,
                at_key,
            }) = stack.last_mut()
            {
                if *at_key {
                    if let Some((k, plain)) = &key {
                        let bare = *plain
                            && (k.parse::<f64>().is_ok() || matches!(k.as_str(), "true" | "false"));
                        let shown = if bare {
                            k.clone()
                        } else {
                            serde_json::to_string(k).unwrap_or_default()
                        };
                        match keys.get(&shown) {
                            Some(first) => out.push(Repeat {
                                parents: above,
                                key: k.clone(),
                                shown,
                                line,
                                first_line: *first,
                            }),
                            None => {
                                keys.insert(shown, line);
                            }
                        }
                    }
                    *current = key.map(|(k, _)| k);
                } else if !matches!(ev, Event::MappingStart(..) | Event::SequenceStart(..)) {
                    *current = None;
                }
                *at_key = !*at_key;
            }
        }
        match ev {
            Event::DocumentStart(..) => stack.clear(),
            Event::MappingStart(..) => stack.push(Frame::Map {
                keys: Default::default(),
                key: None,
                at_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                    *key = None;
                }
            }
            _ => {}
        }
    }
    Some(out)
}

fn set_annotations(d: &mut Value, a: Value) {
    if let Some(m) = d.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("annotations".into(), a);
    }
}

enum Read {
    Docs(Vec<Value>),
    /// The text as go-yaml reads what the parser refused (see [`go_yaml_reading`]).
    Again(String),
}

fn read_stream(text: &str, opts: serde_saphyr::Options) -> Result<Read> {
    match serde_saphyr::from_multiple_with_options(text, opts) {
        Ok(docs) => Ok(Read::Docs(docs)),
        Err(e) => {
            let msg = e.to_string();
            if msg.contains("duplicate mapping key")
                && let Some(report) = repeated_keys_report(text)
            {
                return Err(err(ErrorKind::Invalid(report)));
            }
            match go_yaml_reading(text, &msg) {
                Some(spaced) => Ok(Read::Again(spaced)),
                None => Err(err(ErrorKind::Yaml(first_line(&msg)))),
            }
        }
    }
}

/// Where the parser's message `msg` puts its complaint: the byte offset of "line L column C".
fn error_offset(text: &str, msg: &str) -> Option<usize> {
    let (_, at) = msg.split_once("line ")?;
    let (line, rest) = at.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let (line, col): (usize, usize) = (line.parse().ok()?, col.parse().ok()?);
    let start = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    Some(start + text[start..].char_indices().nth(col.checked_sub(1)?)?.0)
}

/// `text` as go-yaml would read it where the parser refused it, when `msg` is one of the
/// complaints go-yaml does not make: a `#` right after a token (`"x"# c`, `[1]# c`) is a
/// comment to go-yaml, so a space goes before it; `\'` in a double-quoted scalar is `'`
/// to go-yaml, so the backslash goes; a number beyond a float64 (`1e400`) is a string to
/// go-yaml, so it is quoted.
fn go_yaml_reading(text: &str, msg: &str) -> Option<String> {
    let off = error_offset(text, msg)?;
    if msg.contains("comments must be separated from other tokens by whitespace") {
        return text[off..]
            .starts_with('#')
            .then(|| format!("{} {}", &text[..off], &text[off..]));
    }
    // A number too large for a float64 is a string to go-yaml (ParseFloat's range error).
    if let Some((_, rest)) = msg.split_once("non-finite float `")
        && let Some((number, _)) = rest.split_once('`')
        && text[off..].starts_with(number)
    {
        let end = off + number.len();
        return Some(format!("{}\"{number}\"{}", &text[..off], &text[end..]));
    }
    if msg.contains("found unknown escape character") && text[off..].starts_with('"') {
        let mut out = String::with_capacity(text.len());
        out.push_str(&text[..=off]);
        let mut chars = text[off + 1..].char_indices();
        let mut changed = false;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    out.push_str(&text[off + 1 + i..]);
                    return changed.then_some(out);
                }
                '\\' => match chars.next() {
                    Some((_, '\'')) => {
                        out.push('\'');
                        changed = true;
                    }
                    Some((_, n)) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                },
                c => out.push(c),
            }
        }
    }
    None
}

/// Whether some line ends in a folded block scalar's header (`>`, `>-`, `>+2`, maybe with a
/// comment): a cheap test before looking for the scalars themselves.
fn may_hold_folded_scalar(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.split(" #").next().unwrap_or(line);
        line.split_whitespace()
            .next_back()
            .and_then(|last| last.strip_prefix('>'))
            .is_some_and(|rest| {
                rest.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
            })
    })
}

/// kustomize passes a folded block scalar once through yaml.v3's writer, which decides
/// whether a line break needs a second one by looking at the start of the whole value instead
/// of the next line, and reads it back. When the value starts with text, a run of breaks
/// after a line of text gains one when a more-indented line (or, kept by `+`, the end)
/// follows; when it starts with a space or tab, a run between two lines of text loses one
/// (a single break becomes a space). Elsewhere the round trip changes nothing.
fn break_before_more_indented(text: &str, docs: &mut [Value]) {
    use serde_saphyr::granit_parser::ScalarStyle;
    let found = scan_styled(
        text,
        // Annotations are set anew as strings during every build (kustomize's build
        // annotations come and go), so their values never see the round trip.
        |path, value, style| {
            style == ScalarStyle::Folded
                && value.contains(['\n'])
                && !is_annotation_path(path, true)
        },
        |_, _, _| false,
    );
    if found.len() != docs.len() {
        return;
    }
    for (doc, scalars) in docs.iter_mut().zip(found) {
        for (path, value) in scalars {
            let fixed = more_indented_breaks(&value);
            if let Some(Value::String(s)) = lookup_mut(doc, &path)
                && *s == value
            {
                *s = fixed;
            }
        }
    }
}

fn more_indented_breaks(value: &str) -> String {
    // yaml.v3 writes no block scalar for a value with a space before a line break or at its
    // end: it goes out double-quoted and comes back as it was.
    if value.contains(" \n") || value.ends_with(' ') {
        return value.to_string();
    }
    let blank = |c: Option<char>| matches!(c, Some(' ' | '\t'));
    let starts_blank = blank(value.chars().next());
    let mut out = String::with_capacity(value.len() + 8);
    let mut rest = value;
    // Whether the line just written is text not starting with a space or tab.
    let mut after_text = false;
    while !rest.is_empty() {
        let breaks = rest.len() - rest.trim_start_matches('\n').len();
        if breaks == 0 {
            let line = rest.split('\n').next().unwrap_or(rest);
            after_text = !blank(line.chars().next());
            out.push_str(line);
            rest = &rest[line.len()..];
            continue;
        }
        rest = &rest[breaks..];
        let next = rest.chars().next();
        let n = match (after_text, starts_blank) {
            (true, false) if blank(next) || (next.is_none() && breaks >= 2) => breaks + 1,
            (true, true) if next.is_some() && !blank(next) => breaks - 1,
            _ => breaks,
        };
        if n == 0 {
            out.push(' ');
        }
        out.extend(std::iter::repeat_n('\n', n));
        after_text = false;
    }
    out
}

/// A block scalar (`|`, `>`) that ends the text without a line break: saphyr gives it the
/// break clip and keep chomping would keep, go-yaml (and so kyaml) has none to keep, and
/// kustomize writes the value back as `|-`. The scalar is the last leaf of the last document.
fn trim_final_block_scalar(text: &str, docs: &mut [Value]) {
    use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
    let last_line = text.rsplit('\n').next().unwrap_or(text).trim();
    if last_line.is_empty() || last_line.starts_with('#') {
        return;
    }
    let mut ends_block = false;
    for ev in Parser::new_from_str(text) {
        let Ok((ev, _)) = ev else { return };
        match ev {
            Event::Scalar(value, style, ..) => {
                ends_block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && value.ends_with('\n');
            }
            Event::Alias(_) => ends_block = false,
            _ => {}
        }
    }
    let Some(mut v) = docs.last_mut().filter(|_| ends_block) else {
        return;
    };
    loop {
        v = match v {
            Value::Object(m) => match m.iter_mut().next_back() {
                Some((_, last)) => last,
                None => return,
            },
            Value::Array(items) => match items.last_mut() {
                Some(last) => last,
                None => return,
            },
            Value::String(s) => {
                if s.ends_with('\n') {
                    s.pop();
                }
                return;
            }
            _ => return,
        };
    }
}

/// The first document of a stream read with YAML 1.1 rules, as sigs.k8s.io/yaml's
/// YAML-to-JSON conversion reads it (JSON patches written in YAML).
///
/// yaml.v2's booleans include plain `y`, `Y`, `n` and `N`, and a boolean map key becomes
/// the key `"true"` or `"false"` (a later one wins).
pub fn parse_first_yaml11(text: &str) -> Result<Value> {
    let text = &*go_line_breaks(text);
    let opts = serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: false,
        budget: budget(),
        emit_comments: false, // as in options()
    };
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, opts)
        .map_err(|e| err(ErrorKind::Yaml(first_line(&e.to_string()))))?;
    let mut docs: Vec<Value> = docs.into_iter().filter(|d| !d.is_null()).collect();
    if !text.ends_with('\n') {
        trim_final_block_scalar(text, &mut docs);
    }
    let Some(mut doc) = docs.into_iter().next() else {
        return Ok(Value::Null);
    };
    yaml11_booleans(text, &mut doc);
    Ok(doc)
}

/// The YAML 1.1 boolean a plain scalar reads as in yaml.v2.
fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            Some(false)
        }
        _ => None,
    }
}

/// Gives `doc` (the first document of `text`) yaml.v2's reading of `y`/`n` values and of
/// boolean keys, which serde-saphyr's YAML 1.1 mode does not have.
fn yaml11_booleans(text: &str, doc: &mut Value) {
    let first = |found: Vec<Vec<(Vec<PathSeg>, String)>>| found.into_iter().next();
    // serde-saphyr also reads other spellings (`tRue`, `yEs`) as booleans; yaml.v2 does not.
    let values = first(scan_scalars(text, |_, v, plain| {
        plain
            && (matches!(v, "y" | "Y" | "n" | "N")
                || (yaml11_bool(v).is_none()
                    && ["true", "false", "yes", "no", "on", "off"]
                        .iter()
                        .any(|b| b.eq_ignore_ascii_case(v))))
    }));
    let keys = first(scan_scalars_and_keys(
        text,
        |_, _, _| false,
        |_, k, plain| plain && yaml11_bool(k).is_some(),
    ));
    // Values first (their paths use the keys as written), then keys, innermost first.
    for (p, raw) in values.unwrap_or_default() {
        match (lookup_mut(doc, &p), yaml11_bool(&raw)) {
            (Some(v), Some(b)) if v.as_str() == Some(raw.as_str()) => *v = Value::Bool(b),
            (Some(v), None) if v.is_boolean() => *v = Value::String(raw),
            _ => {}
        }
    }
    let mut keys = keys.unwrap_or_default();
    keys.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (p, raw) in keys {
        let Some((_, parent)) = p.split_last() else {
            continue;
        };
        let (Some(b), Some(Value::Object(m))) = (yaml11_bool(&raw), lookup_mut(doc, parent)) else {
            continue;
        };
        if let Some(v) = m.shift_remove(raw.as_str()) {
            m.insert(b.to_string(), v);
        }
    }
}

/// Parses a kustomization file as kustomize does (sigs.k8s.io/yaml: YAML 1.1 booleans as
/// in [`parse_first_yaml11`], a repeated key keeps its last value).
pub fn parse_kustomization(text: &str) -> Result<Value> {
    let text = &*go_line_breaks(text);
    let opts = serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: false,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
        budget: budget(),
        emit_comments: false, // as in options()
    };
    let mut docs = match read_stream(text, opts)? {
        Read::Docs(docs) => docs,
        Read::Again(spaced) => return parse_kustomization(&spaced),
    };
    docs.retain(|d| !d.is_null());
    match docs.len() {
        0 => Ok(Value::Null),
        1 => {
            let mut doc = docs.remove(0);
            yaml11_booleans(text, &mut doc);
            Ok(doc)
        }
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
    let line = s.lines().next().unwrap_or("").trim_start_matches("error: ");
    // The YAML library's advice to its own callers ("…; use Option<String>") means nothing
    // to someone whose file has a null map key.
    match line.find("; use Option<") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}

/// Parses resource documents as kustomize loads resources: as [`parse_documents`], and
/// annotations that are not strings take the text they were written with (kyaml reads
/// annotations as a string map of the scalars' source text: an empty value is `""`, `~`
/// stays `~`, `0644` stays `0644`, `1.50` stays `1.50`). Collections become `""` later.
///
/// Fields left blank (`key:` with nothing after it) are listed under [`BLANK_NULLS_KEY`]
/// in their document (see there).
pub fn parse_resource_documents(text: &str) -> Result<Vec<Value>> {
    let parts = kyaml_parts(text)?;
    refuse_directives(text, &parts)?;
    let text = &*go_line_breaks(text);
    let mut docs = parse_documents(text)?;
    refuse_non_finite(text, &docs)?;
    annotations_as_written(text, &mut docs, false);
    mark_blank_nulls(text, &mut docs);
    mark_non_string_keys(text, &mut docs);
    Ok(docs)
}

/// kyaml's `splitDocuments`: the parts of `text` (each with its byte offset) between
/// separators, lines after a line break that start with `---` and carry only blanks or a
/// comment after it (anything else is an error). Its pattern (`\n---.*\n`) is matched
/// without overlap, so the line break ending one separator does not start the next.
fn kyaml_parts(text: &str) -> Result<Vec<(usize, &str)>> {
    let mut parts = Vec::new();
    let (mut from, mut start) = (0, 0);
    while let Some(at) = text[from..].find("\n---").map(|i| from + i) {
        let rest = &text[at + 4..];
        let Some(end) = rest.find('\n') else {
            break;
        };
        let after = rest[..end].trim_matches(|c: char| c.is_whitespace());
        if !after.is_empty() && !after.starts_with('#') {
            let separator = text[at..at + 4 + end].trim_matches(|c: char| c.is_whitespace());
            return Err(err(ErrorKind::Yaml(format!(
                "invalid document separator: {separator}"
            ))));
        }
        parts.push((start, &text[start..at]));
        from = at + 4 + end + 1;
        start = from;
    }
    parts.push((start, &text[start..]));
    Ok(parts)
}

/// yaml.v3 reads each of kyaml's parts ([`kyaml_parts`]) on its own, so a directive
/// (`%YAML 1.1`, `%TAG …`) opening a part has no document after it. yaml.v3 refuses that,
/// and any `%YAML` version but 1.1 before that. Lines are counted in the whole file.
fn refuse_directives(text: &str, parts: &[(usize, &str)]) -> Result<()> {
    if !text.starts_with('%') && !text.contains("\n%") {
        return Ok(());
    }
    for (offset, part) in parts {
        let first = part.split('\n').enumerate().find(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        });
        let Some((i, line)) = first.filter(|(_, l)| l.starts_with('%')) else {
            continue;
        };
        let mut words = line[1..].split_whitespace();
        let incompatible = words.next() == Some("YAML") && words.next() != Some("1.1");
        let n = text[..*offset].matches('\n').count() + i + 1;
        return Err(err(ErrorKind::Yaml(if incompatible {
            "yaml: found incompatible YAML document".to_string()
        } else {
            format!("yaml: line {n}: did not find expected <document start>")
        })));
    }
    Ok(())
}

/// yaml.v3 reads plain `.inf` and `.nan` as floats, which kustomize cannot turn into the
/// JSON its resources are held as (`json: unsupported value: +Inf`). A resource's
/// annotations are read as strings first (also a `List`'s items'), so there they pass.
fn refuse_non_finite(text: &str, docs: &[Value]) -> Result<()> {
    const SPECIAL: [&str; 12] = [
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN",
    ];
    const NEEDLES: [&str; 6] = [".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"];
    fn holds_special(v: &Value) -> bool {
        match v {
            Value::String(s) => SPECIAL.contains(&s.as_str()),
            Value::Array(a) => a.iter().any(holds_special),
            Value::Object(m) => m.values().any(holds_special),
            _ => false,
        }
    }
    if !NEEDLES.iter().any(|s| text.contains(s)) || !docs.iter().any(holds_special) {
        return Ok(());
    }
    let annotation = |path: &[PathSeg]| {
        let key = |i: usize, k: &str| matches!(path.get(i), Some(PathSeg::Key(x)) if x == k);
        (path.len() == 3 && key(0, "metadata") && key(1, "annotations"))
            || (path.len() == 5
                && key(0, "items")
                && matches!(path.get(1), Some(PathSeg::Index(_)))
                && key(2, "metadata")
                && key(3, "annotations"))
    };
    let found = scan_scalars(text, |path, value, plain| {
        plain && SPECIAL.contains(&value) && !annotation(path)
    });
    let Some((path, value)) = found.into_iter().flatten().next() else {
        return Ok(());
    };
    let go = match value.trim_start_matches('+') {
        v if v.starts_with('-') => "-Inf",
        v if v.eq_ignore_ascii_case(".nan") => "NaN",
        _ => "+Inf",
    };
    let at: Vec<String> = path
        .iter()
        .map(|p| match p {
            PathSeg::Key(k) => k.clone(),
            PathSeg::Index(i) => i.to_string(),
        })
        .collect();
    Err(err(ErrorKind::Yaml(format!(
        "json: unsupported value: {go} (the plain scalar {value} at {})",
        at.join(".")
    ))))
}

/// Key under which [`parse_resource_documents`] lists the blank nulls of a document: map
/// fields written `key:` with nothing after them (not `key: null` or `key: ~`), as paths of
/// keys (strings) and list indexes (numbers). kyaml keeps the written form of a null, and a
/// strategic merge patch drops blank ones from the object it walks (`merge2`'s `VisitMap`
/// keeps only nulls with text, then `FieldSetter` clears the rest); so does
/// [`crate::smp::drop_blank_nulls`]. The paths of a `List` alone in its file go to its
/// items (kustomize re-encodes the items of a `List` that shares its file, and blank nulls
/// become `null` there). `target::resources_from_docs` takes the key out (see
/// [`take_blank_nulls`]) into `Resource::blank_nulls`.
pub const BLANK_NULLS_KEY: &str = "\u{F8FE}blank-nulls";

fn mark_blank_nulls(text: &str, docs: &mut [Value]) {
    fn has_null(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(a) => a.iter().any(has_null),
            Value::Object(m) => m.values().any(has_null),
            _ => false,
        }
    }
    if !docs.iter().any(has_null) {
        return;
    }
    let found = scan_scalars(text, |path, value, plain| {
        plain && value.is_empty() && matches!(path.last(), Some(PathSeg::Key(_)))
    });
    if found.len() != docs.len() {
        return;
    }
    let lists_too = docs.len() == 1;
    for (d, found) in docs.iter_mut().zip(found) {
        let paths: Vec<Vec<PathSeg>> = found
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| lookup_mut(d, p).is_some_and(|v| v.is_null()))
            .collect();
        if !paths.is_empty() {
            attach_paths(d, BLANK_NULLS_KEY, paths, lists_too);
        }
    }
}

/// Records `paths` under `key` in `d`, or in the items of `d` when it is a list kustomize
/// expands (without `lists_too`, the paths of list items are dropped: kustomize re-encodes
/// those items).
fn attach_paths(d: &mut Value, key: &str, paths: Vec<Vec<PathSeg>>, lists_too: bool) {
    let is_list = d
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && d.get("items").is_some_and(Value::is_array);
    let mut own = Vec::new();
    let mut items: std::collections::BTreeMap<usize, Vec<Vec<PathSeg>>> = Default::default();
    for p in paths {
        match p.as_slice() {
            [PathSeg::Key(k), PathSeg::Index(i), rest @ ..] if is_list && k == "items" => {
                if lists_too {
                    items.entry(*i).or_default().push(rest.to_vec());
                }
            }
            _ => own.push(p),
        }
    }
    for (i, paths) in items {
        if let Some(item) = d.get_mut("items").and_then(|v| v.get_mut(i)) {
            attach_paths(item, key, paths, true);
        }
    }
    if own.is_empty() {
        return;
    }
    let encoded = own
        .into_iter()
        .map(|p| {
            Value::Array(
                p.into_iter()
                    .map(|s| match s {
                        PathSeg::Key(k) => Value::String(k),
                        PathSeg::Index(i) => Value::from(i),
                    })
                    .collect(),
            )
        })
        .collect();
    if let Some(m) = d.as_object_mut() {
        m.insert(key.to_string(), Value::Array(encoded));
    }
}

/// Takes the [`BLANK_NULLS_KEY`] list out of a document.
pub fn take_blank_nulls(d: &mut Value) -> Vec<Vec<PathSeg>> {
    take_paths(d, BLANK_NULLS_KEY)
}

/// Takes the [`NON_STRING_KEYS_KEY`] list out of a document.
pub fn take_non_string_keys(d: &mut Value) -> Vec<Vec<PathSeg>> {
    take_paths(d, NON_STRING_KEYS_KEY)
}

/// Key under which [`parse_resource_documents`] and [`parse_patch_documents`] list the map
/// keys of a document that kyaml reads as something other than a string (`2:`, `true:`,
/// `1.5:`, `2020-01-01:`, `~:`), as paths ending with the key as written (see
/// [`BLANK_NULLS_KEY`] for the form). kustomize fails to print an object that still has
/// one (`json: unsupported type: map[interface {}]interface {}`), and to JSON-patch it.
pub const NON_STRING_KEYS_KEY: &str = "\u{F8FE}non-string-keys";

fn mark_non_string_keys(text: &str, docs: &mut [Value]) {
    fn suspect(v: &Value) -> bool {
        match v {
            Value::Array(a) => a.iter().any(suspect),
            Value::Object(m) => m
                .iter()
                .any(|(k, v)| k.is_empty() || emit::resolves_to_non_string_v3(k) || suspect(v)),
            _ => false,
        }
    }
    if !docs.iter().any(suspect) {
        return;
    }
    let found = scan_scalars_and_keys(
        text,
        |_, _, _| false,
        |_, k, plain| plain && (k.is_empty() || emit::resolves_to_non_string_v3(k)),
    );
    if found.len() != docs.len() {
        return;
    }
    for (d, found) in docs.iter_mut().zip(found) {
        let paths: Vec<Vec<PathSeg>> = found.into_iter().map(|(p, _)| p).collect();
        if !paths.is_empty() {
            // Items of a `List` sharing its file are re-encoded as JSON when loaded, which
            // fails on such keys in kustomize; here they fail at the end like the others.
            attach_paths(d, NON_STRING_KEYS_KEY, paths, true);
        }
    }
}

/// Whether a map key recorded by [`NON_STRING_KEYS_KEY`] is still in `v` (list indexes
/// match any element: lists may have been merged since).
pub fn has_key_at(v: &Value, path: &[PathSeg]) -> bool {
    match path {
        [] => false,
        [PathSeg::Key(k)] => v.as_object().is_some_and(|m| m.contains_key(k.as_str())),
        [PathSeg::Key(k), rest @ ..] => v
            .as_object()
            .and_then(|m| m.get(k.as_str()))
            .is_some_and(|c| has_key_at(c, rest)),
        [PathSeg::Index(_), rest @ ..] => v
            .as_array()
            .is_some_and(|a| a.iter().any(|c| has_key_at(c, rest))),
    }
}

/// `a.b[0].c`, for messages.
pub fn path_text(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn take_paths(d: &mut Value, key: &str) -> Vec<Vec<PathSeg>> {
    let Some(Value::Array(paths)) = d.as_object_mut().and_then(|m| m.shift_remove(key)) else {
        return Vec::new();
    };
    paths
        .into_iter()
        .filter_map(|p| match p {
            Value::Array(segs) => segs
                .into_iter()
                .map(|s| match s {
                    Value::String(k) => Some(PathSeg::Key(k)),
                    Value::Number(n) => n.as_u64().map(|i| PathSeg::Index(i as usize)),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
        .collect()
}

/// Parses patch documents: as [`parse_resource_documents`], except that null annotations
/// stay null (in a strategic merge patch they delete the annotation) and blank nulls are
/// not listed.
pub fn parse_patch_documents(text: &str) -> Result<Vec<Value>> {
    let text = &*go_line_breaks(text);
    let mut docs =
        parse_documents_with(text, serde_saphyr::options::DuplicateKeyPolicy::FirstWins)?;
    annotations_as_written(text, &mut docs, true);
    mark_non_string_keys(text, &mut docs);
    Ok(docs)
}

/// What kustomize's `resWrangler.ApplySmPatch` does to a patch before merging it (for
/// `patchesStrategicMerge` and for `patches` with a `target`): `CopyMergeMetaDataFieldsFrom`
/// reads `metadata.labels` and `metadata.annotations` as string maps (each value its node's
/// text: `null` stays the word, a map or list is empty) and sets them back, sorted, after
/// the other metadata fields; an empty map is dropped. So `null` there no longer deletes.
pub fn patch_metadata_as_strings(text: &str, docs: &mut [Value]) {
    const FIELDS: [&str; 2] = ["labels", "annotations"];
    let untyped = |v: &Value| !v.is_string();
    let touched = |d: &Value| {
        d.get("metadata")
            .and_then(Value::as_object)
            .is_some_and(|m| FIELDS.iter().any(|f| m.contains_key(*f)))
    };
    if !docs.iter().any(touched) {
        return;
    }
    let needs_text = docs.iter().any(|d| {
        FIELDS.iter().any(|f| {
            d.pointer(&format!("/metadata/{f}"))
                .and_then(Value::as_object)
                .is_some_and(|m| {
                    m.values()
                        .any(|v| untyped(v) && !v.is_object() && !v.is_array())
                })
        })
    });
    let raw = if needs_text {
        let found = scan_scalars(text, |path, _, plain| {
            plain
                && matches!(path, [PathSeg::Key(m), PathSeg::Key(f), PathSeg::Key(_)]
                    if m == "metadata" && FIELDS.contains(&f.as_str()))
        });
        (found.len() == docs.len()).then_some(found)
    } else {
        None
    };
    for (i, d) in docs.iter_mut().enumerate() {
        let Some(meta) = d.get_mut("metadata").and_then(Value::as_object_mut) else {
            continue;
        };
        for f in FIELDS {
            let Some(old) = meta.shift_remove(f) else {
                continue;
            };
            let mut strings: Vec<(String, String)> = match old {
                Value::Object(m) => m
                    .into_iter()
                    .map(|(k, v)| {
                        let text = match v {
                            Value::String(s) => s,
                            Value::Object(_) | Value::Array(_) => String::new(),
                            v => raw
                                .as_ref()
                                .and_then(|r| {
                                    r[i].iter().find(|(p, _)| {
                                        matches!(&p[..], [_, PathSeg::Key(pf), PathSeg::Key(pk)]
                                            if pf == f && *pk == k)
                                    })
                                })
                                .map(|(_, t)| t.clone())
                                .unwrap_or_else(|| scalar_text(&v)),
                        };
                        (k, text)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if strings.is_empty() {
                continue;
            }
            strings.sort();
            let m = strings
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            meta.insert(f.to_string(), Value::Object(m));
        }
    }
}

/// A typed scalar's text when its source is not at hand.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
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

/// A step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSeg {
    /// A map key.
    Key(String),
    /// A list index.
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
    use serde_saphyr::granit_parser::ScalarStyle;
    scan_styled(
        text,
        |path, value, style| want(path, value, style == ScalarStyle::Plain),
        |_, _, _| false,
    )
}

/// [`scan_scalars_and_keys`], with each value scalar's style.
fn scan_scalars_and_keys(
    text: &str,
    mut want: impl FnMut(&[PathSeg], &str, bool) -> bool,
    want_key: impl FnMut(&[PathSeg], &str, bool) -> bool,
) -> Vec<Vec<(Vec<PathSeg>, String)>> {
    use serde_saphyr::granit_parser::ScalarStyle;
    scan_styled(
        text,
        |path, value, style| want(path, value, style == ScalarStyle::Plain),
        want_key,
    )
}

/// [`scan_scalars`] with each value's style, plus the scalar map keys that
/// `want_key(path, text, plain)` picks (their path ends with the key).
fn scan_styled(
    text: &str,
    mut want: impl FnMut(&[PathSeg], &str, serde_saphyr::granit_parser::ScalarStyle) -> bool,
    mut want_key: impl FnMut(&[PathSeg], &str, bool) -> bool,
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
                    let direct = !stack.iter().any(|f| matches!(f, Frame::KeyCollection));
                    if direct {
                        let mut path = current_path(&stack);
                        path.push(PathSeg::Key(value.to_string()));
                        if want_key(&path, &value, style == ScalarStyle::Plain) {
                            found.push((path, value.to_string()));
                        }
                    }
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
                if want(&path, &value, style) {
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

/// Removes the [`BLANK_NULLS_KEY`] and [`NON_STRING_KEYS_KEY`] lists if still there.
pub fn strip_marks(v: &mut Value) {
    if let Some(m) = v.as_object_mut() {
        m.shift_remove(BLANK_NULLS_KEY);
        m.shift_remove(NON_STRING_KEYS_KEY);
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

    /// kyaml's `splitDocuments` on separator lines.
    #[test]
    fn separators_carry_only_blanks_or_comments() {
        let bad = |t: &str| kyaml_parts(t).unwrap_err().to_string();
        assert!(bad("a: 1\n--- {b: 1}\nc: 2\n").contains("invalid document separator: --- {b: 1}"));
        assert!(bad("a: 1\n---x \n").contains("invalid document separator: ---x"));
        assert!(bad("a: 1\n----\n").contains("invalid document separator: ----"));
        for ok in [
            "a: 1\n--- # c\nb: 2\n",
            "a: 1\n---  \t\nb: 2\n",
            "--- {a: 1}\n",
            "a: 1\n---x",
            // The first separator's line break is not the start of the next one.
            "a: 1\n---\n--- x\n",
        ] {
            assert!(kyaml_parts(ok).is_ok(), "{ok:?}");
        }
        assert!(parse_resource_documents("a: 1\n--- {b: 1}\n").is_err());
    }

    /// Directives are refused as kyaml's split leaves them, without their document.
    #[test]
    fn directives_are_refused() {
        let bad = |t: &str| parse_resource_documents(t).unwrap_err().to_string();
        assert!(bad("%YAML 1.2\n---\na: 1\n").contains("found incompatible YAML document"));
        assert!(
            bad("a: 1\n---\n# c\n%YAML 1.1\n---\nb: 1\n")
                .contains("did not find expected <document start>")
        );
        assert!(bad("%TAG ! tag:x:\n---\na: 1\n").contains("<document start>"));
        assert!(parse_resource_documents("a: |\n  %YAML 1.2\nb: \"%x\"\n").is_ok());
    }

    /// kustomize cannot hold infinities or NaN (its resources are JSON); quoted they are text.
    #[test]
    fn plain_infinities_are_refused() {
        let bad = |t: &str| parse_resource_documents(t).unwrap_err().to_string();
        assert!(
            bad("a: 1\n---\nb:\n  c: [x, -.Inf]\n")
                .contains("unsupported value: -Inf (the plain scalar -.Inf at b.c.1)")
        );
        assert!(bad("k: .nan\n").contains("NaN"));
        assert!(bad("k: +.inf\n").contains("+Inf"));
        assert!(
            bad("kind: List\nitems:\n- metadata:\n    labels:\n      a: .inf\n")
                .contains("items.0.metadata.labels.a")
        );
        for ok in [
            "k: \".inf\"\n",
            "k: '.nan'\n",
            "k: .infinity\n",
            "k: |\n  .inf\n",
            // Annotations are read as strings before anything else.
            "metadata:\n  annotations:\n    a: .nan\n",
            "kind: List\nitems:\n- metadata:\n    annotations:\n      a: .inf\n",
        ] {
            assert!(parse_resource_documents(ok).is_ok(), "{ok}");
        }
    }

    /// The YAML library's advice to Rust callers stays out of messages about a null key.
    #[test]
    fn a_null_map_key_is_reported_without_library_advice() {
        let e = parse_documents("a:\n  : x\n")
            .expect_err("null key")
            .to_string();
        assert!(e.contains("cannot deserialize null into string"), "{e}");
        assert!(!e.contains("Option<"), "{e}");
    }

    /// go-yaml has no line break to keep for a block scalar that ends the text without one.
    #[test]
    fn a_block_scalar_at_the_end_of_the_text_keeps_no_break_it_does_not_have() {
        let one = |t: &str| parse_documents(t).expect("parses").remove(0);
        assert_eq!(one("a: |\n  x\n  y"), serde_json::json!({"a": "x\ny"}));
        assert_eq!(one("a: >\n  x\n  y"), serde_json::json!({"a": "x y"}));
        assert_eq!(one("a: |+\n  x"), serde_json::json!({"a": "x"}));
        assert_eq!(one("- |\n  x"), serde_json::json!(["x"]));
        assert_eq!(one("a: |\n  x\n  y\n"), serde_json::json!({"a": "x\ny\n"}));
        assert_eq!(one("a: |\n  x\n# end"), serde_json::json!({"a": "x\n"}));
        assert_eq!(one("a: |-\n  x"), serde_json::json!({"a": "x"}));
        assert_eq!(
            one("b: |\n  x\nc: d"),
            serde_json::json!({"b": "x\n", "c": "d"})
        );
        let docs = parse_documents("a: |\n  x\n---\nb: |\n  y").expect("parses");
        assert_eq!(docs[0], serde_json::json!({"a": "x\n"}));
        assert_eq!(docs[1], serde_json::json!({"b": "y"}));
    }

    #[test]
    fn blank_nulls_are_listed_by_path() {
        let key = |k: &str| PathSeg::Key(k.into());
        let text = "a:\nb: null\nc: ~\nd: ''\nm: {x: , y: 1}\nl:\n- k:\n  j: null\n-\nmetadata:\n  annotations:\n    e:\n---\nz: 1\n";
        let mut docs = parse_resource_documents(text).expect("parses");
        assert_eq!(docs.len(), 2);
        let blank = take_blank_nulls(&mut docs[0]);
        assert_eq!(
            blank,
            vec![
                vec![key("a")],
                vec![key("m"), key("x")],
                vec![key("l"), PathSeg::Index(0), key("k")],
            ]
        );
        assert!(docs[0].get(BLANK_NULLS_KEY).is_none());
        assert!(docs[0]["a"].is_null() && docs[0]["b"].is_null());
        assert_eq!(docs[0]["metadata"]["annotations"]["e"], "");
        assert!(take_blank_nulls(&mut docs[1]).is_empty());
        // A List alone in its file: its items' blank fields go to the items.
        let list = "kind: List\nitems:\n- kind: ConfigMap\n  data:\n    a:\n";
        let mut docs = parse_resource_documents(list).expect("parses");
        assert!(take_blank_nulls(&mut docs[0]).is_empty());
        let item = &mut docs[0]["items"][0];
        assert_eq!(take_blank_nulls(item), vec![vec![key("data"), key("a")]]);
        // Sharing its file, the items are re-encoded: nothing is blank.
        let mut docs = parse_resource_documents(&format!("{list}---\nb:\n")).expect("parses");
        assert!(take_blank_nulls(&mut docs[0]["items"][0]).is_empty());
        assert_eq!(take_blank_nulls(&mut docs[1]), vec![vec![key("b")]]);
        // Patches and other readers do not mark them.
        assert!(
            parse_patch_documents("a:\n").expect("parses")[0]
                .get(BLANK_NULLS_KEY)
                .is_none()
        );
    }

    #[test]
    fn non_string_keys_are_listed_by_path() {
        let key = |k: &str| PathSeg::Key(k.into());
        let text = "metadata:\n  labels:\n    2: a\n    \"3\": b\n    yes: c\n    tRue: d\n    True: e\nl:\n- 0x1F: f\n  1e: g\n  2020-01-01: h\n  08: i\n";
        let mut docs = parse_resource_documents(text).expect("parses");
        let found = take_non_string_keys(&mut docs[0]);
        assert_eq!(
            found,
            vec![
                vec![key("metadata"), key("labels"), key("2")],
                vec![key("metadata"), key("labels"), key("True")],
                vec![key("l"), PathSeg::Index(0), key("0x1F")],
                vec![key("l"), PathSeg::Index(0), key("2020-01-01")],
                vec![key("l"), PathSeg::Index(0), key("08")],
            ]
        );
        assert!(docs[0].get(NON_STRING_KEYS_KEY).is_none());
        assert!(found.iter().all(|p| has_key_at(&docs[0], p)));
        docs[0]["l"] = serde_json::json!([{"x": 1}, {"0x1F": 2}]);
        assert!(has_key_at(&docs[0], &found[2]));
        assert!(!has_key_at(&docs[0], &found[3]));
        assert_eq!(path_text(&found[2]), "l[0].0x1F");
        // Items of a List get theirs, whether or not the List shares its file.
        let list = "kind: List\nitems:\n- kind: A\n  2: x\n---\nkind: B\n";
        let mut docs = parse_resource_documents(list).expect("parses");
        assert_eq!(
            take_non_string_keys(&mut docs[0]["items"][0]),
            vec![vec![key("2")]]
        );
        // Patches list them too (a strategic merge patch carries them into the object).
        let patch = parse_patch_documents("a: {1.5: x}\n").expect("parses");
        assert_eq!(
            patch[0][NON_STRING_KEYS_KEY],
            serde_json::json!([["a", "1.5"]])
        );
    }

    #[test]
    fn json_patch_yaml_reads_yaml_v2_booleans() {
        let text = "- value:\n    a: y\n    b: N\n    c: yes\n    d: tRue\n    e: yEs\n    f: 'y'\n    y: 1\n    on: 2\n    No: 3\n    \"n\": 4\n    l: [y, n, Off, 'y', y x]\n";
        let v = parse_first_yaml11(text).expect("parses");
        let value = &v[0]["value"];
        assert_eq!(value["a"], true);
        assert_eq!(value["b"], false);
        assert_eq!(value["c"], true);
        assert_eq!(value["d"], "tRue");
        assert_eq!(value["e"], "yEs");
        assert_eq!(value["f"], "y");
        assert_eq!(value["true"], 2);
        assert_eq!(value["false"], 3);
        assert_eq!(value["n"], 4);
        assert!(value.get("y").is_none() && value.get("on").is_none());
        assert_eq!(
            value["l"],
            serde_json::json!([true, false, false, "y", "y x"])
        );
    }

    #[test]
    fn kustomization_files_use_yaml_1_1_booleans() {
        let k = parse_kustomization("commonAnnotations:\n  a: tRue\n  b: y\n").expect("parses");
        assert_eq!(k["commonAnnotations"]["a"], "tRue");
        assert_eq!(k["commonAnnotations"]["b"], true);
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
