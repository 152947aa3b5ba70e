//! YAML exactly as Helm reads it: `sigs.k8s.io/yaml.Unmarshal` (go-yaml v2, YAML 1.1) into
//! `interface{}`, then through JSON.
//!
//! The syntax comes from `granit-parser`'s events; everything after that is go-yaml v2's
//! semantics:
//! * only the first document is read, anything after its end is ignored;
//! * plain scalars resolve by YAML 1.1 rules (`y`/`n`/`on`/`off`/`yes`/`no` are booleans, `0644`
//!   is octal, `0x1F`, `0o17`, `0b101`, `1_000` and `+5` are ints, `1e3` and `.5` are floats,
//!   `~`/`null`/empty are null, timestamps stay strings, no sexagesimal numbers), quoted and block
//!   scalars are strings, the core tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`,
//!   `!!binary`, `!!timestamp`) force a resolution;
//! * merge keys (`<<`) overwrite what precedes them, earlier maps of a merged list win;
//! * map keys are stringified as sigs.k8s.io/yaml does (`true`, `1`, floats through float32);
//! * duplicate keys: the last one wins;
//! * `.inf`/`.nan` values cannot be written as JSON;
//! * errors read like go-yaml's (`yaml: line N: <libyaml message>`), line numbers included.
//!
//! [`parse`] turns every number into a float64 (`json.Unmarshal` into `interface{}`);
//! [`parse_typed`] keeps integers for typed targets.

mod fast;
pub mod resolve;

use resolve::{MERGE, Scalar, allowed_alias_ratio};

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, StructureStyle};
use serde_json::{Map, Number, Value as J};

/// Parses one YAML document as `sigs.k8s.io/yaml.Unmarshal` into `interface{}` does: every
/// number becomes a float64. Errors read like go-yaml's (`yaml: line 3: ...`); JSON-stage errors
/// (`json: unsupported value: +Inf`, `unsupported map key of type: ...`) are returned as Go
/// words them, without the `error converting YAML to JSON: ` prefix.
pub fn parse(text: &str) -> Result<J, String> {
    convert(text, false)
}

/// Like [`parse`], but integers stay integers (`i64`, or `u64` beyond `i64::MAX`), for typed
/// targets such as Chart.yaml where the consumer decides.
pub fn parse_typed(text: &str) -> Result<J, String> {
    convert(text, true)
}

/// As [`parse`] (or [`parse_typed`] when `typed`), keeping only the top-level keys `keep`
/// picks. A simple document is decoded only as far as those keys, after checking the rest for
/// what would make the whole conversion fail; anything else is converted whole and filtered.
pub fn parse_keys(text: &str, typed: bool, keep: &dyn Fn(&str) -> bool) -> Result<J, String> {
    if reader_error(text).is_none()
        && !text.contains('\u{85}')
        && let Some((nodes, root)) = fast::compose(text)
        && let Some(j) = decode_keys(&nodes, root, typed, keep)
    {
        return Ok(j);
    }
    let mut j = convert(text, typed)?;
    if let J::Object(o) = &mut j {
        o.retain(|k, _| keep(k));
    }
    Ok(j)
}

/// The picked top-level entries of a simple document's root mapping; `None` when the root is
/// no mapping or converting the whole document could fail (a null or uint64 key, a non-finite
/// float: the only failures nodes of the simple reader can lead to).
fn decode_keys(
    nodes: &[Kind<'_>],
    root: usize,
    typed: bool,
    keep: &dyn Fn(&str) -> bool,
) -> Option<J> {
    let Kind::Map(top) = &nodes[root] else {
        return None;
    };
    for n in nodes {
        match n {
            Kind::Map(children) => {
                for &k in children.iter().step_by(2) {
                    if let Kind::Scalar { value, .. } = &nodes[k]
                        && value.starts_with(|c: char| {
                            c.is_ascii_digit() || matches!(c, '+' | 'n' | 'N' | '~')
                        })
                        && matches!(scalar(value, "", true), Ok(G::Nil | G::Uint(_)) | Err(_))
                    {
                        return None;
                    }
                }
            }
            Kind::Scalar {
                value, plain: true, ..
            } if value.len() <= 5 && value.starts_with(['.', '+', '-']) => {
                if matches!(scalar(value, "", true), Ok(G::Float(f)) if !f.is_finite()) {
                    return None;
                }
            }
            _ => {}
        }
    }
    let mut d = Decoder::new(nodes);
    let mut out = Map::new();
    for pair in top.chunks(2) {
        let [k, v] = pair else { break };
        let key = d.value(*k).ok()?;
        let key = key_string(&key, &G::Nil).ok()?;
        if keep(&key) {
            let g = d.value(*v).ok()?;
            out.insert(key, to_json(&g, typed).ok()?);
        }
    }
    Some(J::Object(out))
}

/// go-yaml v2's strict reading (`yaml.UnmarshalStrict`) of the first document: every key
/// repeated within its mapping, as `line N: key "k" already set in map`. Only scalar keys are
/// compared; a text that does not parse gives nothing here (the plain reading reports it).
pub fn duplicate_keys(text: &str) -> Vec<String> {
    struct Frame {
        map: bool,
        keys: Vec<String>,
        at_key: bool,
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut out = Vec::new();
    let mut started = false;
    // Called for every node: when it is a key, whether it repeats one before it.
    fn visit(stack: &mut [Frame], key: Option<String>, line: usize, out: &mut Vec<String>) {
        let Some(top) = stack.last_mut() else { return };
        if !top.map {
            return;
        }
        if top.at_key
            && let Some(k) = key
        {
            if top.keys.contains(&k) {
                out.push(format!("line {line}: key {k} already set in map"));
            } else {
                top.keys.push(k);
            }
        }
        top.at_key = !top.at_key;
    }
    while let Some(Ok((ev, span))) = parser.next() {
        let start = span.byte_range().map_or(0, |r| r.start);
        let line = line_of(text, start);
        match ev {
            Event::DocumentStart(..) if started => break,
            Event::DocumentStart(..) => started = true,
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Scalar(value, style, ..) => {
                let plain = style == ScalarStyle::Plain;
                let shown = if plain
                    && (value.parse::<f64>().is_ok()
                        || matches!(value.as_ref(), "true" | "false" | "null" | "~"))
                {
                    value.to_string()
                } else {
                    go_quote(&value)
                };
                visit(&mut stack, Some(shown), line, &mut out);
            }
            Event::Alias(..) => visit(&mut stack, None, line, &mut out),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                visit(&mut stack, None, line, &mut out);
                stack.push(Frame {
                    map: matches!(ev, Event::MappingStart(..)),
                    keys: Vec::new(),
                    at_key: true,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    out
}

/// For tests and fuzzing: whether the simple block-YAML reader takes `text`. When it does, it
/// panics unless the result equals the full reader's in both decodings and in [`parse_keys`].
#[doc(hidden)]
pub fn check_simple_reader(text: &str) -> bool {
    if reader_error(text).is_some() || fast::compose(text).is_none() {
        return false;
    }
    for typed in [false, true] {
        let quick = decode(fast::compose(text), typed);
        let full = compose_full(text).and_then(|c| decode(c, typed));
        assert_eq!(quick, full, "simple and full readers differ on {text:?}");
        let keep = |k: &str| k.len().is_multiple_of(2);
        let mut filtered = full.clone();
        if let Ok(J::Object(o)) = &mut filtered {
            o.retain(|k, _| keep(k));
        }
        assert_eq!(
            parse_keys(text, typed, &keep),
            filtered,
            "parse_keys on {text:?}"
        );
    }
    true
}

fn convert(text: &str, typed: bool) -> Result<J, String> {
    decode(compose(text)?, typed)
}

fn decode(composed: Option<(Vec<Kind<'_>>, usize)>, typed: bool) -> Result<J, String> {
    let Some((nodes, root)) = composed else {
        return Ok(J::Null);
    };
    let g = Decoder::new(&nodes)
        .value(root)
        .map_err(|e| format!("yaml: {e}"))?;
    let j = to_json(&g, typed)?;
    if let Some(f) = first_bad_float(&g) {
        let s = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        return Err(format!("json: unsupported value: {s}"));
    }
    Ok(j)
}

// ---------------------------------------------------------------------------------------------
// Composition: events -> node graph (go-yaml's parser.go)

/// A node; a scalar's text borrows from the document where the simple reader could take it
/// as it stands.
enum Kind<'t> {
    Scalar {
        value: Cow<'t, str>,
        tag: String,
        plain: bool,
    },
    Seq(Vec<usize>),
    /// Keys and values interleaved.
    Map(Vec<usize>),
    Alias {
        target: usize,
        name: String,
    },
}

/// An open collection while composing.
#[derive(Clone, Copy)]
struct Open {
    node: usize,
    map: bool,
    flow: bool,
    /// Column of a block collection.
    col: usize,
}

/// Where a token sits in the source, for the checks granit does not make.
#[derive(Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    class: Class,
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// A plain scalar in block context, with its enclosing block collection's column (-1 at
    /// the top).
    Plain(i64),
    Quoted,
    Block,
    /// A whole flow collection (`[`...`]`).
    Flow,
    Other,
}

#[derive(Default)]
struct Composer {
    nodes: Vec<Kind<'static>>,
    open: Vec<Open>,
    /// granit's anchor ids -> nodes.
    anchors: HashMap<usize, usize>,
    names: HashMap<usize, String>,
    root: Option<usize>,
    toks: Vec<Tok>,
    /// Start offsets of open flow collections.
    flows: Vec<usize>,
    /// Where the last event ended.
    last_end: usize,
}

impl Composer {
    fn add(&mut self, kind: Kind<'static>, anchor: usize) -> usize {
        let id = self.nodes.len();
        self.nodes.push(kind);
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        match self.open.last() {
            Some(o) => match &mut self.nodes[o.node] {
                Kind::Seq(c) | Kind::Map(c) => c.push(id),
                _ => unreachable!("only collections are open"),
            },
            None => self.root = Some(id),
        }
        id
    }

    fn block_indent(&self) -> i64 {
        self.open
            .iter()
            .rev()
            .find(|o| !o.flow)
            .map_or(-1, |o| o.col as i64)
    }
}

/// Whether a token spanning `range` takes in the text's last line, when that line has content
/// and no line break.
fn runs_to_unbroken_end(text: &str, range: &std::ops::Range<usize>) -> bool {
    if text.ends_with('\n') {
        return false;
    }
    let tail = text.rfind('\n').map_or(0, |i| i + 1);
    let last = text[tail..].trim();
    if last.is_empty() || range.end <= tail {
        return false;
    }
    // A `#` line inside the scalar's span is content when indented as far as the block's
    // first line of content (where the span starts); otherwise a comment.
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let first_line = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let first = &text[first_line..];
    !last.starts_with('#') || indent(&text[tail..]) >= indent(first)
}

/// Where go-yaml refuses the anchor or alias token at `range` (`&name`, `*name`): a name is
/// ASCII letters, digits, `_` and `-`, and ends at a blank, a line end or `?:,]}%@` and a
/// backquote. YAML 1.2 (and granit) take more (`&lt;no`, `&x.y`).
fn bad_anchor_name(text: &str, range: &std::ops::Range<usize>) -> Option<usize> {
    let token = text.get(range.clone())?;
    let name_start = range.start + 1;
    let name = token.get(1..)?;
    if let Some(i) = name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        return Some(name_start + i);
    }
    if name.is_empty() {
        return Some(name_start);
    }
    match text[range.end..].chars().next() {
        None | Some(' ' | '\t' | '\r' | '\n' | '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`') => {
            None
        }
        Some(_) => Some(range.end),
    }
}

/// How reading the first document ended.
enum Stop {
    /// The document ended (at this offset).
    End(usize),
    /// granit failed.
    Scan(ScanError),
    /// A go-yaml error found while composing, at this offset.
    Fail(String, usize),
}

/// Reads the first document into nodes; `None` when the stream has no document.
fn compose(text: &str) -> Result<Option<(Vec<Kind<'_>>, usize)>, String> {
    if let Some(e) = reader_error(text) {
        return Err(e);
    }
    // go-yaml reads NEL (U+0085) as a line break, a line feed in the text it keeps.
    if text.contains('\u{85}') {
        return compose_full(&text.replace('\u{85}', "\n"));
    }
    if let Some(lifted) = lift_block_indicators(text) {
        return compose_full(&lifted);
    }
    if let Some(simple) = fast::compose(text) {
        return Ok(Some(simple));
    }
    compose_full(text)
}

/// go-yaml takes a block scalar whose indicator (`|`, `>`) stands on the line after its key
/// at the key's own indentation (`k:` then `|`); granit does not. Such an indicator is moved
/// one column right, which changes neither the value nor any line number.
pub fn lift_block_indicators(text: &str) -> Option<String> {
    let indicator_line = |l: &str| {
        let t = l.trim_start_matches(' ');
        let rest = t.strip_prefix(['|', '>'])?;
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
        let rest = rest.trim_end_matches(['\r', ' ', '\t']);
        (rest.is_empty() || rest.starts_with(" #") || rest.starts_with("\t#"))
            .then_some(l.len() - t.len())
    };
    let mut out: Option<String> = None;
    let mut prev: Option<(usize, bool)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let (Some(indent), Some((key_indent, true))) = (indicator_line(body), prev)
            && indent == key_indent
        {
            let o = out.get_or_insert_with(|| text[..at].to_string());
            o.push(' ');
            o.push_str(line);
        } else if let Some(o) = &mut out {
            o.push_str(line);
        }
        at += line.len();
        let t = body.trim_start_matches(' ');
        if !t.is_empty() && !t.starts_with('#') {
            prev = Some((body.len() - t.len(), t.trim_end().ends_with(':')));
        }
    }
    out
}

/// [`compose`] without the simple reader: granit's events, with go-yaml's errors.
fn compose_full(text: &str) -> Result<Option<(Vec<Kind<'static>>, usize)>, String> {
    if let Some(e) = reader_error(text) {
        return Err(e);
    }
    let opts = granit_parser::options! {
        emit_comments: false,
        emit_anchor_events: true,
        emit_unresolved_aliases: true,
        flow_nesting_limit: 1_000,
        block_nesting_limit: 1_000,
    };
    let mut parser = Parser::new_from_str_with_options(text, opts);
    let mut c = Composer::default();
    let mut started = false;
    let stop = loop {
        let (ev, span) = match parser.next() {
            None => break Stop::End(text.len()),
            Some(Ok(x)) => x,
            Some(Err(e)) => break Stop::Scan(e),
        };
        let range = span.byte_range().unwrap_or(0..0);
        let in_flow = c.open.last().is_some_and(|o| o.flow);
        if !range.is_empty() {
            c.last_end = range.end;
        }
        match ev {
            Event::StreamStart => {}
            Event::StreamEnd | Event::DocumentEnd => break Stop::End(range.start),
            Event::DocumentStart(..) => {
                if started {
                    break Stop::End(range.start);
                }
                started = true;
                if let Some((msg, at)) = directive_error(text, range.start) {
                    break Stop::Fail(msg, at);
                }
                // A document end marker before any content is no node to go-yaml.
                let first =
                    next_token(text, text.len() - text.trim_start_matches('\u{feff}').len());
                if is_marker(text, first, "...") {
                    let msg = with_line(
                        line_of(text, first),
                        "did not find expected node content",
                        false,
                    );
                    break Stop::Fail(msg, first);
                }
            }
            Event::Anchor(id, name) => {
                if let Some(at) = bad_anchor_name(text, &range) {
                    let msg = "did not find expected alphabetic or numeric character";
                    break Stop::Fail(with_line(line_of(text, at), msg, true), at);
                }
                c.names.insert(id, name.into_owned());
            }
            Event::Alias(_) | Event::UnresolvedAlias(_)
                if let Some(at) = bad_anchor_name(text, &range) =>
            {
                let msg = "did not find expected alphabetic or numeric character";
                break Stop::Fail(with_line(line_of(text, at), msg, true), at);
            }
            Event::Alias(id) => {
                let name = c.names.get(&id).cloned().unwrap_or_default();
                let Some(&target) = c.anchors.get(&id) else {
                    let msg = format!("yaml: unknown anchor '{name}' referenced");
                    break Stop::Fail(msg, range.start);
                };
                c.add(Kind::Alias { target, name }, 0);
                c.toks.push(Tok {
                    start: range.start,
                    end: range.end,
                    class: Class::Other,
                });
            }
            Event::UnresolvedAlias(name) => {
                let msg = format!("yaml: unknown anchor '{name}' referenced");
                break Stop::Fail(msg, range.start);
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag
                    .map(|t| format!("{}{}", t.handle(), t.suffix()))
                    .unwrap_or_default();
                if let Some((msg, at)) = quoted_scalar_error(text, &range, style) {
                    break Stop::Fail(msg, at);
                }
                let class = match style {
                    ScalarStyle::Plain if in_flow => Class::Other,
                    ScalarStyle::Plain => Class::Plain(c.block_indent()),
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Class::Quoted,
                    _ => Class::Block,
                };
                c.toks.push(Tok {
                    start: range.start,
                    end: range.end,
                    class,
                });
                let plain = style == ScalarStyle::Plain;
                let mut value = value.into_owned();
                if class == Class::Block && runs_to_unbroken_end(text, &range) {
                    // go-yaml has no line break to keep after a last line that lacks one;
                    // granit gives clip and keep chomping one all the same.
                    if value.ends_with('\n') {
                        value.pop();
                    }
                }
                let value = Cow::Owned(value);
                c.add(Kind::Scalar { value, tag, plain }, anchor);
            }
            Event::SequenceStart(style, anchor, _) | Event::MappingStart(style, anchor, _) => {
                let map = matches!(ev, Event::MappingStart(..));
                let kind = if map {
                    Kind::Map(Vec::new())
                } else {
                    Kind::Seq(Vec::new())
                };
                let node = c.add(kind, anchor);
                let flow = style == StructureStyle::Flow;
                if flow {
                    c.flows.push(range.start);
                }
                let col = column(text, range.start);
                c.open.push(Open {
                    node,
                    map,
                    flow,
                    col,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let closed = c.open.pop();
                if closed.is_some_and(|o| o.flow) {
                    let start = c.flows.pop().unwrap_or(range.start);
                    c.toks.push(Tok {
                        start,
                        end: range.end,
                        class: Class::Flow,
                    });
                }
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
    };
    // Flow collections still open are flow context to the end.
    for &start in &c.flows {
        c.toks.push(Tok {
            start,
            end: text.len(),
            class: Class::Flow,
        });
    }
    let limit = match &stop {
        Stop::End(at) | Stop::Fail(_, at) => *at,
        Stop::Scan(e) => e.marker().byte_offset().unwrap_or(text.len()),
    };
    if let Some(e) = tab_error(text, &c.toks, limit) {
        return Err(e);
    }
    match stop {
        Stop::End(_) => {}
        Stop::Fail(msg, _) => return Err(msg),
        Stop::Scan(e) => match map_error(text, &e, &c) {
            Mapped::Error(msg) => return Err(msg),
            Mapped::Ignore => {}
            Mapped::Prefix(end) if end < text.len() => return compose_full(&text[..end]),
            Mapped::Prefix(_) => {}
            // Each retry removes one thing granit refuses, so this ends.
            Mapped::Retry(other) => return compose_full(&other),
        },
    }
    Ok(c.root.map(|r| (c.nodes, r)))
}

// ---------------------------------------------------------------------------------------------
// Decoding: node graph -> Go values (go-yaml's decode.go into interface{})

/// A Go value as go-yaml v2 decodes into `interface{}`.
#[derive(Clone, Debug)]
enum G {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<G>),
    Map(GMap),
}

/// `map[interface{}]interface{}` in insertion order, with Go's key equality.
#[derive(Clone, Debug, Default)]
struct GMap {
    entries: Vec<(G, G)>,
    /// Keys hashed with foldhash: a values file's top level is often past [`SMALL_MAP`], and
    /// the standard hasher's SipHash was most of what indexing it cost.
    index: HashMap<KeyId, usize, foldhash::fast::RandomState>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum KeyId {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

/// Maps up to this size are searched; larger ones get an index.
const SMALL_MAP: usize = 16;

impl GMap {
    fn insert(&mut self, k: G, v: G) {
        if self.entries.len() < SMALL_MAP {
            match self.entries.iter_mut().find(|(e, _)| go_eq(e, &k)) {
                Some(e) => e.1 = v,
                None => self.entries.push((k, v)),
            }
            return;
        }
        if self.index.is_empty() {
            for i in 0..self.entries.len() {
                if let Some(id) = key_id(&self.entries[i].0) {
                    self.index.insert(id, i);
                }
            }
        }
        match key_id(&k) {
            Some(id) => match self.index.get(&id) {
                Some(&i) => self.entries[i].1 = v,
                None => {
                    self.index.insert(id, self.entries.len());
                    self.entries.push((k, v));
                }
            },
            None => self.entries.push((k, v)),
        }
    }
}

/// Go's `==` on two map keys (scalars).
fn go_eq(a: &G, b: &G) -> bool {
    match (a, b) {
        (G::Nil, G::Nil) => true,
        (G::Bool(x), G::Bool(y)) => x == y,
        (G::Int(x), G::Int(y)) => x == y,
        (G::Uint(x), G::Uint(y)) => x == y,
        (G::Float(x), G::Float(y)) => x == y,
        (G::Str(x), G::Str(y)) => x == y,
        _ => false,
    }
}

/// A hashable identity for a map key under Go's `==` (none for NaN, which equals nothing).
fn key_id(k: &G) -> Option<KeyId> {
    match k {
        G::Nil => Some(KeyId::Nil),
        G::Bool(b) => Some(KeyId::Bool(*b)),
        G::Int(i) => Some(KeyId::Int(*i)),
        G::Uint(u) => Some(KeyId::Uint(*u)),
        G::Float(f) if f.is_nan() => None,
        // -0 == +0.
        G::Float(f) => Some(KeyId::Float(if *f == 0.0 { 0 } else { f.to_bits() })),
        G::Str(s) => Some(KeyId::Str(s.clone())),
        G::Seq(_) | G::Map(_) => None,
    }
}

struct Decoder<'a> {
    nodes: &'a [Kind<'a>],
    /// Alias nodes being expanded (to detect an anchor that contains itself).
    active: HashSet<usize>,
    decodes: u64,
    aliases: u64,
    alias_depth: u32,
}

impl<'a> Decoder<'a> {
    fn new(nodes: &'a [Kind<'a>]) -> Self {
        Decoder {
            nodes,
            active: HashSet::new(),
            decodes: 0,
            aliases: 0,
            alias_depth: 0,
        }
    }

    fn count(&mut self) -> Result<(), String> {
        self.decodes += 1;
        if self.alias_depth > 0 {
            self.aliases += 1;
        }
        if self.aliases > 100
            && self.decodes > 1000
            && self.aliases as f64 / self.decodes as f64 > allowed_alias_ratio(self.decodes)
        {
            return Err("document contains excessive aliasing".into());
        }
        Ok(())
    }

    fn enter_alias(&mut self, n: usize, name: &str) -> Result<(), String> {
        if !self.active.insert(n) {
            return Err(format!("anchor '{name}' value contains itself"));
        }
        self.alias_depth += 1;
        Ok(())
    }

    fn leave_alias(&mut self, n: usize) {
        self.alias_depth -= 1;
        self.active.remove(&n);
    }

    fn value(&mut self, n: usize) -> Result<G, String> {
        self.count()?;
        match &self.nodes[n] {
            Kind::Alias { target, name } => {
                self.enter_alias(n, name)?;
                let r = self.value(*target);
                self.leave_alias(n);
                r
            }
            Kind::Scalar { value, tag, plain } => scalar(value, tag, *plain),
            Kind::Seq(children) => {
                let mut out = Vec::with_capacity(children.len());
                for &c in children {
                    out.push(self.value(c)?);
                }
                Ok(G::Seq(out))
            }
            Kind::Map(children) => {
                let mut m = GMap::default();
                self.fill(children, &mut m)?;
                Ok(G::Map(m))
            }
        }
    }

    /// Decodes a mapping (or an alias to one) into an existing map, as a merge does.
    fn merge_into(&mut self, n: usize, m: &mut GMap) -> Result<(), String> {
        self.count()?;
        match &self.nodes[n] {
            Kind::Alias { target, name } => {
                self.enter_alias(n, name)?;
                let r = self.merge_into(*target, m);
                self.leave_alias(n);
                r
            }
            Kind::Map(children) => self.fill(children, m),
            _ => Err(WANT_MAP.into()),
        }
    }

    fn fill(&mut self, children: &[usize], m: &mut GMap) -> Result<(), String> {
        for pair in children.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if self.is_merge(k) {
                self.merge(v, m)?;
                continue;
            }
            let key = self.value(k)?;
            if matches!(key, G::Seq(_) | G::Map(_)) {
                return Err(format!("invalid map key: {}", go_sharp(&key, true)));
            }
            let val = self.value(v)?;
            m.insert(key, val);
        }
        Ok(())
    }

    fn is_merge(&self, n: usize) -> bool {
        match &self.nodes[n] {
            Kind::Scalar { value, tag, plain } => {
                value == "<<" && ((*plain && tag.is_empty()) || tag == "!" || tag == MERGE)
            }
            _ => false,
        }
    }

    fn is_map(&self, n: usize) -> bool {
        matches!(self.nodes[n], Kind::Map(_))
    }

    fn merge(&mut self, n: usize, m: &mut GMap) -> Result<(), String> {
        match &self.nodes[n] {
            Kind::Map(_) => self.merge_into(n, m),
            Kind::Alias { target, .. } => {
                if !self.is_map(*target) {
                    return Err(WANT_MAP.into());
                }
                self.merge_into(n, m)
            }
            Kind::Seq(children) => {
                // Earlier maps take precedence: apply them last.
                for &c in children.iter().rev() {
                    let ok = match &self.nodes[c] {
                        Kind::Alias { target, .. } => self.is_map(*target),
                        Kind::Map(_) => true,
                        _ => false,
                    };
                    if !ok {
                        return Err(WANT_MAP.into());
                    }
                    self.merge_into(c, m)?;
                }
                Ok(())
            }
            Kind::Scalar { .. } => Err(WANT_MAP.into()),
        }
    }
}

const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";

/// One scalar into `interface{}`.
fn scalar(value: &str, tag: &str, plain: bool) -> Result<G, String> {
    resolve::scalar(value, tag, plain).map(G::from)
}

impl From<Scalar> for G {
    fn from(s: Scalar) -> G {
        match s {
            Scalar::Null => G::Nil,
            Scalar::Bool(b) => G::Bool(b),
            Scalar::Int(i) => G::Int(i),
            Scalar::Uint(u) => G::Uint(u),
            Scalar::Float(f) => G::Float(f),
            Scalar::Str(s) => G::Str(s),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON (sigs.k8s.io/yaml's convertToJSONableObject, then encoding/json)

fn to_json(g: &G, typed: bool) -> Result<J, String> {
    Ok(match g {
        G::Nil => J::Null,
        G::Bool(b) => J::Bool(*b),
        G::Int(i) if typed => J::Number(Number::from(*i)),
        G::Uint(u) if typed => J::Number(Number::from(*u)),
        G::Int(i) => float(*i as f64),
        G::Uint(u) => float(*u as f64),
        G::Float(f) => float(*f),
        G::Str(s) => J::String(s.clone()),
        G::Seq(items) => J::Array(
            items
                .iter()
                .map(|x| to_json(x, typed))
                .collect::<Result<_, _>>()?,
        ),
        G::Map(m) => {
            let mut out = Map::new();
            for (k, v) in &m.entries {
                out.insert(key_string(k, v)?, to_json(v, typed)?);
            }
            J::Object(out)
        }
    })
}

/// A float64 JSON number; infinities and NaN (reported afterwards) become null here.
fn float(f: f64) -> J {
    Number::from_f64(f).map_or(J::Null, J::Number)
}

/// How sigs.k8s.io/yaml turns a YAML map key into a JSON key.
fn key_string(k: &G, v: &G) -> Result<String, String> {
    Ok(match k {
        G::Str(s) => s.clone(),
        G::Int(i) => i.to_string(),
        G::Bool(b) => b.to_string(),
        G::Float(f) => {
            let f32v = *f as f32;
            if f32v.is_nan() {
                ".nan".into()
            } else if f32v.is_infinite() {
                if f32v > 0.0 { ".inf" } else { "-.inf" }.into()
            } else {
                ferroflux_goformat::float_g(f32v as f64, true)
            }
        }
        G::Nil => {
            return Err(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_sharp(v, true)
            ));
        }
        G::Uint(u) => {
            return Err(format!(
                "unsupported map key of type: uint64, key: {u:#x}, value: {}",
                go_sharp(v, true)
            ));
        }
        G::Seq(_) | G::Map(_) => unreachable!("collection keys are rejected while decoding"),
    })
}

fn has_bad_float(g: &G) -> bool {
    match g {
        G::Float(f) => !f.is_finite(),
        G::Seq(items) => items.iter().any(has_bad_float),
        G::Map(m) => m.entries.iter().any(|(_, v)| has_bad_float(v)),
        _ => false,
    }
}

/// The first NaN or infinity `json.Marshal` meets (map keys in sorted order).
fn first_bad_float(g: &G) -> Option<f64> {
    if !has_bad_float(g) {
        return None;
    }
    match g {
        G::Float(f) if !f.is_finite() => Some(*f),
        G::Seq(items) => items.iter().find_map(first_bad_float),
        G::Map(m) => {
            let mut entries: Vec<(String, &G)> = m
                .entries
                .iter()
                .map(|(k, v)| (key_string(k, v).unwrap_or_default(), v))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.into_iter().find_map(|(_, v)| first_bad_float(v))
        }
        _ => None,
    }
}

/// Go's `%#v` of a decoded value (for error messages).
fn go_sharp(g: &G, top: bool) -> String {
    match g {
        G::Nil if top => "<nil>".into(),
        G::Nil => "interface {}(nil)".into(),
        G::Bool(b) => b.to_string(),
        G::Int(i) => i.to_string(),
        G::Uint(u) => format!("{u:#x}"),
        G::Float(f) if f.is_nan() => "NaN".into(),
        G::Float(f) if f.is_infinite() => if *f > 0.0 { "+Inf" } else { "-Inf" }.into(),
        G::Float(f) => ferroflux_goformat::float_g(*f, false),
        G::Str(s) => go_quote(s),
        G::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items
                .iter()
                .map(|x| go_sharp(x, false))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        G::Map(m) => {
            let mut entries: Vec<(&G, &G)> = m.entries.iter().map(|(k, v)| (k, v)).collect();
            entries.sort_by(|a, b| go_key_order(a.0, b.0));
            format!(
                "map[interface {{}}]interface {{}}{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", go_sharp(k, false), go_sharp(v, false)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// fmt's map key order: by kind, then by value.
fn go_key_order(a: &G, b: &G) -> std::cmp::Ordering {
    fn rank(g: &G) -> u8 {
        match g {
            G::Nil => 0,
            G::Bool(_) => 1,
            G::Int(_) => 2,
            G::Uint(_) => 3,
            G::Float(_) => 4,
            G::Str(_) => 5,
            G::Seq(_) => 6,
            G::Map(_) => 7,
        }
    }
    match (a, b) {
        (G::Bool(x), G::Bool(y)) => x.cmp(y),
        (G::Int(x), G::Int(y)) => x.cmp(y),
        (G::Uint(x), G::Uint(y)) => x.cmp(y),
        (G::Float(x), G::Float(y)) => x.total_cmp(y),
        (G::Str(x), G::Str(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || c == '\u{feff}' => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Errors in libyaml's words, positioned as go-yaml reports them

/// `yaml: line N: msg` as go-yaml's `parser.fail` words it. `line` is the 1-based line of the
/// problem; scanner errors report it as is, parser errors report the 0-based line (one less),
/// and a problem on the first line has no line at all.
fn with_line(line: usize, msg: &str, scanner: bool) -> String {
    let line0 = line.saturating_sub(1);
    if line0 == 0 {
        return format!("yaml: {msg}");
    }
    let shown = if scanner { line0 + 1 } else { line0 };
    format!("yaml: line {shown}: {msg}")
}

/// The reader's check: go-yaml refuses control characters anywhere in the input.
fn reader_error(text: &str) -> Option<String> {
    // Printable ASCII, tabs and line breaks are the common case: only other bytes need
    // decoding.
    if is_plain_ascii(text.as_bytes()) {
        return None;
    }
    let bad = |c: char| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    // A byte order mark is allowed at the start.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    body.chars()
        .any(bad)
        .then(|| "yaml: control characters are not allowed".to_string())
}

/// Whether every byte is printable ASCII, a tab or a line feed: what nearly every values
/// file and rendered manifest is made of. Checked 32 bytes at a time without a branch per
/// byte, which the compiler turns into vector compares (a byte loop that stops at the first
/// miss cost as much as reading the document's nodes).
pub(super) fn is_plain_ascii(b: &[u8]) -> bool {
    let ok = |c: u8| (c.wrapping_sub(0x20) < 0x5f) | (c == b'\n') | (c == b'\t');
    let mut chunks = b.chunks_exact(32);
    for chunk in &mut chunks {
        if !chunk.iter().fold(true, |all, &c| all & ok(c)) {
            return false;
        }
    }
    chunks.remainder().iter().all(|&c| ok(c))
}

/// Line (1-based) of a byte offset, counting `\n`, `\r\n` and a lone `\r` as one break.
fn line_of(text: &str, offset: usize) -> usize {
    let b = text.as_bytes();
    let end = offset.min(b.len());
    let mut line = 1;
    for i in 0..end {
        match b[i] {
            b'\n' => line += 1,
            b'\r' if b.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

/// Line (1-based) of the end of the input: libyaml's end-of-stream mark.
fn eof_line(text: &str) -> usize {
    line_of(text, text.len())
}

/// Line (1-based) of libyaml's stream-end token, which starts a line of its own.
fn stream_end_line(text: &str) -> usize {
    eof_line(text) + usize::from(column(text, text.len()) != 0)
}

/// Column (in characters) of a byte offset.
fn column(text: &str, offset: usize) -> usize {
    let before = &text[..offset.min(text.len())];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    before[start..].chars().count()
}

/// Byte offsets where lines start.
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = vec![0];
    for i in 0..b.len() {
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            out.push(i + 1);
        }
    }
    out
}

/// The offset just after the line holding `offset` (its break included).
fn next_line(text: &str, offset: usize) -> usize {
    let b = text.as_bytes();
    let mut i = offset;
    while i < b.len() {
        match b[i] {
            b'\n' => return i + 1,
            b'\r' if b.get(i + 1) == Some(&b'\n') => return i + 2,
            b'\r' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The text of the line starting at `start`, without its break.
fn line_at(text: &str, start: usize) -> &str {
    let rest = &text[start.min(text.len())..];
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    &rest[..end]
}

/// Where the next token starts: blanks, line breaks and comments skipped.
fn next_token(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i
}

/// The first line at or after the line of `from` whose indentation holds a tab.
fn tab_line_after(text: &str, from: usize) -> usize {
    let first = line_of(text, from);
    for (n, &start) in line_starts(text).iter().enumerate().skip(first - 1) {
        let line = line_at(text, start);
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        if line[..lead].contains('\t') {
            return n + 1;
        }
    }
    first
}

/// Does a document marker (`---` or `...`) start at `at`, at the start of a line?
fn is_marker(text: &str, at: usize, which: &str) -> bool {
    let rest = &text[at.min(text.len())..];
    column(text, at) == 0
        && rest.starts_with(which)
        && rest[3..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// The first line after the line of `from` starting with a document marker.
fn marker_line_after(text: &str, from: usize) -> usize {
    let first = line_of(text, from);
    for (n, &start) in line_starts(text).iter().enumerate().skip(first) {
        let line = line_at(text, start);
        if (line.starts_with("---") || line.starts_with("..."))
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
        {
            return n + 1;
        }
    }
    first
}

/// Directives before the first document: go-yaml only knows `%YAML 1.1` and `%TAG`.
fn directive_error(text: &str, doc_start: usize) -> Option<(String, usize)> {
    let head = &text[..doc_start.min(text.len())];
    for (n, &start) in line_starts(head).iter().enumerate() {
        let line = line_at(head, start);
        let Some(d) = line.strip_prefix('%') else {
            continue;
        };
        let mut words = d.split_whitespace();
        match words.next() {
            Some("YAML") => {
                if words.next() != Some("1.1") {
                    let msg = with_line(n + 1, "found incompatible YAML document", false);
                    return Some((msg, start));
                }
            }
            Some("TAG") => {}
            _ => {
                let msg = with_line(n + 1, "found unknown directive name", true);
                return Some((msg, start));
            }
        }
    }
    None
}

/// A bad escape in the double-quoted scalar starting at `from`, as libyaml sees it: its
/// offset and message.
fn bad_escape(text: &str, from: usize) -> Option<(usize, &'static str)> {
    let b = text.as_bytes();
    let mut i = from + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return None,
            b'\\' if i + 1 < b.len() => {
                let n = match b[i + 1] {
                    b'x' => 2,
                    b'u' => 4,
                    b'U' => 8,
                    b'0' | b'a' | b'b' | b't' | b'\t' | b'n' | b'v' | b'f' | b'r' | b'e' | b' '
                    | b'"' | b'\'' | b'\\' | b'N' | b'_' | b'L' | b'P' | b'\n' | b'\r' => {
                        i += 2;
                        continue;
                    }
                    _ => return Some((i, "found unknown escape character")),
                };
                let hex = text.get(i + 2..i + 2 + n).unwrap_or("");
                if hex.len() != n || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return Some((i, "did not find expected hexdecimal number"));
                }
                let v = u32::from_str_radix(hex, 16).unwrap_or(0);
                if (0xd800..=0xdfff).contains(&v) || v > 0x10ffff {
                    return Some((i, "found invalid Unicode character escape code"));
                }
                i += 2 + n;
            }
            _ => i += 1,
        }
    }
    None
}

/// libyaml rejects escapes granit accepts (`\/`, surrogate halves).
fn quoted_scalar_error(
    text: &str,
    range: &std::ops::Range<usize>,
    style: ScalarStyle,
) -> Option<(String, usize)> {
    if style != ScalarStyle::DoubleQuoted || range.is_empty() {
        return None;
    }
    let (at, msg) = bad_escape(text, range.start)?;
    Some((with_line(line_of(text, at), msg, true), at))
}

/// Tabs libyaml refuses but granit accepts: in indentation and after `-`/`?` indicators
/// (`found character that cannot start any token`), in the indentation of a plain scalar's
/// continuation lines (`found a tab character that violates indentation`) and of block
/// scalars (`found a tab character where an indentation space is expected`). Only lines
/// starting before `limit` count.
fn tab_error(text: &str, toks: &[Tok], limit: usize) -> Option<String> {
    // Tabs can only matter on lines starting before the limit.
    if !text[..next_line(text, limit)].contains('\t') {
        return None;
    }
    let mut toks = toks.to_vec();
    toks.sort_by_key(|t| t.start);
    let mut found: Option<(usize, String)> = None;
    let mut keep = |at: usize, msg: String| {
        if found.as_ref().is_none_or(|(o, _)| at < *o) {
            found = Some((at, msg));
        }
    };
    // Block scalars: from the line after the header to the line that ends them.
    let mut zones: Vec<(usize, usize)> = Vec::new();
    for t in toks
        .iter()
        .filter(|t| t.class == Class::Block && t.start < limit)
    {
        let head = text[..t.start]
            .trim_end_matches([' ', '\t', '\n', '\r'])
            .len();
        let mut ls = next_line(text, head);
        let zone_start = ls;
        let mut indent: Option<usize> = None;
        while ls < text.len() && ls < limit {
            let line = line_at(text, ls);
            let n = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[n..];
            let tab = rest.starts_with('\t');
            let blank = rest.is_empty();
            let ends = match indent {
                None if tab => {
                    keep(ls, BLOCK_TAB.into());
                    break;
                }
                None if blank => false,
                None => {
                    indent = Some(n);
                    false
                }
                Some(i) if n < i && tab => {
                    keep(ls, BLOCK_TAB.into());
                    break;
                }
                Some(i) => n < i && !blank,
            };
            if ends {
                break;
            }
            ls = next_line(text, ls);
        }
        zones.push((zone_start, ls));
    }
    // Regions where tabs are plain whitespace, sorted, with the furthest end so far.
    let regions: Vec<(usize, usize)> = toks
        .iter()
        .filter(|t| matches!(t.class, Class::Quoted | Class::Flow))
        .map(|t| (t.start, t.end))
        .collect();
    let furthest = |spans: &[(usize, usize)]| {
        spans
            .iter()
            .scan(0, |m, &(_, e)| {
                *m = e.max(*m);
                Some(*m)
            })
            .collect::<Vec<_>>()
    };
    let (region_ends, zone_ends) = (furthest(&regions), furthest(&zones));
    let inside = |ls: usize| {
        let i = regions.partition_point(|r| r.0 < ls);
        let z = zones.partition_point(|r| r.0 <= ls);
        (i > 0 && region_ends[i - 1] > ls) || (z > 0 && zone_ends[z - 1] >= ls)
    };
    for ls in line_starts(text) {
        if ls >= limit {
            break;
        }
        let line = line_at(text, ls);
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        let before = toks.partition_point(|t| t.start < ls);
        let plain_before = before
            .checked_sub(1)
            .map(|i| toks[i])
            .and_then(|t| match t.class {
                Class::Plain(indent)
                    if t.end > ls
                        || text[t.end..ls]
                            .trim_start_matches([' ', '\t', '\n', '\r'])
                            .is_empty() =>
                {
                    Some(indent)
                }
                _ => None,
            });
        if let Some(tab) = line[..lead].find('\t') {
            if inside(ls) {
                continue;
            }
            match plain_before {
                Some(indent) if (tab as i64) < indent + 1 => keep(ls, PLAIN_TAB.into()),
                Some(_) => {}
                None => keep(ls, NO_TOKEN.into()),
            }
            continue;
        }
        // A plain scalar's continuation line is text, not indicators.
        if plain_before.is_some_and(|indent| lead as i64 > indent) || inside(ls) {
            continue;
        }
        // `-` and `?` indicators followed by a tab.
        let b = line.as_bytes();
        let mut i = lead;
        while i + 1 < b.len() && matches!(b[i], b'-' | b'?') && matches!(b[i + 1], b' ' | b'\t') {
            let blanks = line[i + 1..].len() - line[i + 1..].trim_start_matches([' ', '\t']).len();
            if line[i + 1..i + 1 + blanks].contains('\t') {
                keep(ls, NO_TOKEN.into());
                break;
            }
            i += 1 + blanks;
        }
    }
    let (at, msg) = found?;
    Some(with_line(line_of(text, at), &msg, true))
}

const BLOCK_TAB: &str = "found a tab character where an indentation space is expected";
const PLAIN_TAB: &str = "found a tab character that violates indentation";
const NO_TOKEN: &str = "found character that cannot start any token";

/// Where libyaml's scanner stops reading a plain scalar starting at `from` in block context
/// whose continuation lines must be indented past `col`.
fn plain_stop(text: &str, from: usize, col: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    loop {
        // Within the line.
        while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
            let next_blank = b
                .get(i + 1)
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
            if b[i] == b':' && next_blank {
                return i;
            }
            if matches!(b[i], b' ' | b'\t') && b.get(i + 1) == Some(&b'#') {
                return i + 1;
            }
            i += 1;
        }
        // Blank lines, then the next line's indentation.
        loop {
            if i >= b.len() {
                return b.len();
            }
            i = next_line(text, i);
            let line = line_at(text, i);
            let rest = line.trim_start_matches([' ', '\t']);
            if rest.is_empty() && i < b.len() {
                continue;
            }
            let lead = line.len() - rest.len();
            let marker = (line.starts_with("---") || line.starts_with("..."))
                && line[3..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == ' ' || c == '\t');
            if lead < col + 1 || rest.starts_with('#') || marker || i >= b.len() {
                return i + lead;
            }
            i += lead;
            break;
        }
    }
}

/// The line go-yaml blames for a simple key without its `:` (the key starts at `key`).
fn key_error_line(text: &str, key: usize) -> usize {
    let stop = plain_stop(text, key, column(text, key));
    let at = if line_of(text, stop) > line_of(text, key) {
        stop
    } else {
        next_token(text, stop)
    };
    if at >= text.len() {
        stream_end_line(text)
    } else {
        line_of(text, at)
    }
}

/// What libyaml's parser sees of the flow collection opened at `from`, read up to `until`:
/// the innermost collection still open, the last significant character, where a wrong
/// closing bracket is, and where the collection closes.
struct FlowScan {
    open: Option<u8>,
    last: Option<u8>,
    mismatch: Option<usize>,
    closed: Option<usize>,
}

fn flow_scan(text: &str, from: usize, until: usize) -> FlowScan {
    let b = text.as_bytes();
    let until = until.min(b.len());
    let mut stack: Vec<u8> = Vec::new();
    let mut last: Option<u8> = None;
    let mut i = from;
    let mut out = FlowScan {
        open: None,
        last: None,
        mismatch: None,
        closed: None,
    };
    while i < until {
        let c = b[i];
        match c {
            b'[' | b'{' => {
                stack.push(c);
                last = Some(c);
            }
            b']' | b'}' => {
                let want = match stack.last() {
                    Some(b'[') => b']',
                    Some(_) => b'}',
                    None => break,
                };
                if c != want {
                    out.mismatch = Some(i);
                    break;
                }
                stack.pop();
                last = Some(c);
                if stack.is_empty() {
                    out.closed = Some(i + 1);
                    break;
                }
            }
            b'"' | b'\'' if last.is_none_or(|l| matches!(l, b'[' | b'{' | b',' | b':')) => {
                i += 1;
                while i < b.len() {
                    if c == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == c {
                        if c == b'\'' && b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                last = Some(b'"');
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => last = Some(c),
        }
        i += 1;
    }
    out.open = stack.last().copied();
    out.last = last;
    out
}

/// libyaml's parser message when a flow collection meets something other than what it
/// expects after `last`.
fn flow_message(open: Option<u8>, last: Option<u8>) -> &'static str {
    match (last, open) {
        (Some(b'[' | b'{' | b',' | b':'), _) => "did not find expected node content",
        (_, Some(b'{')) => "did not find expected ',' or '}'",
        _ => "did not find expected ',' or ']'",
    }
}

/// The line where libyaml gives up on a flow collection at `start` as a required mapping key
/// (it starts a line at the column of the block mapping around it, and no `:` follows it on
/// that line); `None` when it is no such key.
fn pending_key_line(text: &str, c: &Composer, start: usize) -> Option<usize> {
    let col = column(text, start);
    let line = line_of(text, start);
    let ls = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let starts_line = text[ls..start].chars().all(|c| c == ' ' || c == '\t');
    let key_col = c.open.iter().rev().find(|o| !o.flow).filter(|o| o.map)?.col;
    if !starts_line || key_col != col {
        return None;
    }
    let f = flow_scan(text, start, text.len());
    let at = match f.closed {
        Some(end) if line_of(text, end - 1) == line => {
            let p = next_token(text, end);
            if text[p..].starts_with(':') && line_of(text, p) == line {
                return None;
            }
            p
        }
        _ => next_token(text, next_line(text, start)),
    };
    Some(if at >= text.len() {
        stream_end_line(text)
    } else {
        line_of(text, at)
    })
}

/// The scanner error go-yaml meets on the token after a root node ending at `end`: the
/// parser peeks at it to end the document.
fn trailing_token_error(text: &str, end: usize) -> Option<String> {
    let at = next_token(text, end);
    let b = text.as_bytes();
    let c = *b.get(at)?;
    let line = line_of(text, at);
    match c {
        b'@' | b'`' => Some(with_line(line, NO_TOKEN, true)),
        b'%' if column(text, at) > 0 => Some(with_line(line, NO_TOKEN, true)),
        b'"' | b'\'' => {
            let mut i = at + 1;
            while i < b.len() {
                if c == b'"' && b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i] == c {
                    if c == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return None;
                }
                i += 1;
            }
            Some(with_line(
                eof_line(text),
                "found unexpected end of stream",
                true,
            ))
        }
        b'|' | b'>' => {
            let header = line_at(text, at)[1..]
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
            let rest = header.trim_start_matches([' ', '\t']);
            (!rest.is_empty() && !rest.starts_with('#'))
                .then(|| with_line(line, "did not find expected comment or line break", true))
        }
        _ => indicator_after_node(text, end, at).map(|msg| with_line(line, msg, true)),
    }
}

/// libyaml's scanner refuses a `- ` or `? ` indicator (at `at`) on the line where a node ended
/// (at `end`) in block context, as no simple key may start there, before its parser can
/// complain: after a root node, or after a quoted scalar (`value: "1"- name: b`, a template
/// that lost a line break).
fn indicator_after_node(text: &str, end: usize, at: usize) -> Option<&'static str> {
    let b = text.as_bytes();
    let blank_after = b
        .get(at + 1)
        .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
    if line_of(text, at) != line_of(text, end) || !blank_after {
        return None;
    }
    match b.get(at) {
        Some(b'-') => Some("block sequence entries are not allowed in this context"),
        Some(b'?') => Some("mapping keys are not allowed in this context"),
        _ => None,
    }
}

/// libyaml's parser message when a collection meets an unexpected token.
fn container_message(o: &Open) -> &'static str {
    match (o.flow, o.map) {
        (true, true) => "did not find expected ',' or '}'",
        (true, false) => "did not find expected ',' or ']'",
        (false, true) => "did not find expected key",
        (false, false) => "did not find expected '-' indicator",
    }
}

enum Mapped {
    Error(String),
    /// go-yaml never looks that far: the document is what was read.
    Ignore,
    /// go-yaml stops before this offset: the document is what precedes it.
    Prefix(usize),
    /// go-yaml accepts what granit refused: read this equivalent text instead.
    Retry(String),
}

fn map_error(text: &str, e: &ScanError, c: &Composer) -> Mapped {
    use ErrorKind as K;
    let off = e
        .marker()
        .byte_offset()
        .unwrap_or(text.len())
        .min(text.len());
    // go-yaml reads a `#` right after a token (`"x"# c`, `[1]# c`) as a comment; with a
    // space before it, granit does too.
    if matches!(e.kind(), K::CommentNotSeparated) && text[off..].starts_with('#') {
        return Mapped::Retry(format!("{} {}", &text[..off], &text[off..]));
    }
    let line = line_of(text, off);
    let innermost = c.open.last();
    let block = c.open.iter().rev().find(|o| !o.flow);
    let root_done = c.root.is_some() && c.open.is_empty();
    let err = |line: usize, msg: &str, scanner: bool| Mapped::Error(with_line(line, msg, scanner));
    // The outermost flow collection around the error (granit may not have reported its
    // start yet while looking ahead).
    let flow_at = match c.open.iter().position(|o| o.flow) {
        Some(_) => c.flows.first().copied(),
        None => {
            let b = text.as_bytes();
            let mut p = next_token(text, c.last_end);
            while p + 1 < b.len()
                && matches!(b[p], b':' | b'-' | b'?')
                && matches!(b[p + 1], b' ' | b'\t' | b'\n' | b'\r')
            {
                p = next_token(text, p + 1);
            }
            (p < off && matches!(b.get(p), Some(b'[' | b'{'))).then_some(p)
        }
    };
    // go-yaml's document ends with a root flow collection.
    if c.open.first().is_none_or(|o| o.flow)
        && c.root.is_none_or(|_| !c.open.is_empty())
        && let Some(start) = flow_at
        && let Some(end) = flow_scan(text, start, off).closed
        && end <= off
    {
        return match trailing_token_error(text, end) {
            Some(e) => Mapped::Error(e),
            None => Mapped::Prefix(end),
        };
    }
    // A flow collection where a block mapping needs a key: libyaml's scanner reads on until
    // it knows whether a `:` follows, before its parser sees the collection at all.
    let parser_error = matches!(
        e.kind(),
        K::InvalidColonPlacement
            | K::BlockEntryInFlowCollection
            | K::PlainScalarStartsWithDashFlowIndicator
            | K::ExpectedFlowMappingSeparator
            | K::ExpectedFlowSequenceSeparator
            | K::FlowMappingValueAdjacentCollection
            | K::MismatchedFlowCollectionEnd { .. }
            | K::InvalidTrailingDoubleQuotedScalar
            | K::InvalidTrailingSingleQuotedScalar
            | K::ExpectedNodeContent
    );
    if parser_error
        && let Some(start) = flow_at
        && let Some(line) = pending_key_line(text, c, start)
    {
        return err(line, "could not find expected ':'", true);
    }
    match e.kind() {
        K::SimpleKeyExpected | K::InvalidSimpleKey => err(
            key_error_line(text, off),
            "could not find expected ':'",
            true,
        ),
        K::UnclosedQuotedScalar => err(eof_line(text), "found unexpected end of stream", true),
        K::DocumentIndicatorInQuotedScalar => err(
            marker_line_after(text, off),
            "found unexpected document indicator",
            true,
        ),
        K::UnknownQuotedScalarEscape
        | K::InvalidQuotedScalarHexEscape
        | K::InvalidLowSurrogateHexEscape
        | K::InvalidUnicodeEscape
        | K::InvalidLowSurrogate
        | K::MissingLowSurrogate
        | K::UnpairedLowSurrogate => match bad_escape(text, off) {
            Some((at, msg)) => err(line_of(text, at), msg, true),
            // `\'` is an escape to go-yaml (not to YAML 1.2).
            None => match text[off..].find("\\'") {
                Some(i) => {
                    let mut other = text.to_string();
                    other.replace_range(off + i..off + i + 2, "\\x27");
                    Mapped::Retry(other)
                }
                None => err(line, "found unknown escape character", true),
            },
        },
        K::TabInPlainScalar => err(tab_line_after(text, off), PLAIN_TAB, true),
        K::TabAtBlockScalarStart => err(tab_line_after(text, off), BLOCK_TAB, true),
        K::UnclosedFlowCollection { .. }
        | K::UnexpectedEofFlowSequence
        | K::UnexpectedEofFlowMapping => {
            let f = flow_scan(text, off, text.len());
            err(stream_end_line(text), flow_message(f.open, f.last), false)
        }
        K::MismatchedFlowCollectionEnd { .. } => {
            let f = flow_scan(text, off, text.len());
            let at = f.mismatch.unwrap_or(off);
            err(line_of(text, at), flow_message(f.open, f.last), false)
        }
        K::InvalidColonPlacement
        | K::MappingValueNotAllowed
        | K::BlockEntryInFlowCollection
        | K::PlainScalarStartsWithDashFlowIndicator
        | K::ExpectedFlowMappingSeparator
        | K::ExpectedFlowSequenceSeparator
        | K::FlowMappingValueAdjacentCollection
            if flow_at.is_some() =>
        {
            let f = flow_scan(text, flow_at.expect("checked"), off);
            err(line, flow_message(f.open, f.last), false)
        }
        K::MisplacedFlowCollectionEnd => {
            let before = text[..off].trim_end_matches([' ', '\t', '\n', '\r']);
            match block {
                // The closing bracket ends the root: go-yaml stops there.
                None => match trailing_token_error(text, off) {
                    Some(e) => Mapped::Error(e),
                    None => Mapped::Prefix(off),
                },
                Some(_) if before.ends_with([':', '-', '?']) => {
                    err(line, "did not find expected node content", false)
                }
                Some(o) => err(line, container_message(o), false),
            }
        }
        K::InvalidTrailingSingleQuotedScalar | K::InvalidTrailingDoubleQuotedScalar => {
            let at = next_token(text, off);
            let flow = flow_at.is_some();
            let bad = if flow { "|>%@`" } else { "%@`" };
            if text[at..].starts_with(|ch: char| bad.contains(ch)) {
                return err(line_of(text, at), NO_TOKEN, true);
            }
            match (flow_at, innermost) {
                (Some(start), _) => {
                    let f = flow_scan(text, start, at);
                    err(line_of(text, at), flow_message(f.open, Some(b'"')), false)
                }
                (None, None) => match trailing_token_error(text, off) {
                    Some(e) => Mapped::Error(e),
                    None => Mapped::Prefix(off),
                },
                (None, Some(o)) => match indicator_after_node(text, off, at) {
                    Some(msg) => err(line_of(text, at), msg, true),
                    None => err(line_of(text, at), container_message(o), false),
                },
            }
        }
        K::InvalidDocumentEnd | K::MissingDocumentEndBeforeDirective => Mapped::Prefix(off),
        // A tab in a flow collection's indentation is only whitespace to go-yaml.
        K::TabInBlockIndentation | K::TabInIndentation if innermost.is_some_and(|o| o.flow) => {
            let start = line_starts(text)[line - 1];
            let lead = line_at(text, start).len()
                - line_at(text, start).trim_start_matches([' ', '\t']).len();
            let mut other = text.to_string();
            other.replace_range(start..start + lead, &" ".repeat(lead));
            if other == text {
                return err(line, NO_TOKEN, true);
            }
            Mapped::Retry(other)
        }
        K::UnexpectedEofImplicitFlowMapping => {
            err(line, "did not find expected node content", false)
        }
        kind => {
            let (msg, scanner) = message(kind);
            if root_done && !scanner {
                return Mapped::Ignore;
            }
            err(line, &msg, scanner)
        }
    }
}

/// libyaml's message for the other granit error kinds, and whether libyaml's scanner (rather
/// than its parser) reports it.
fn message(kind: &ErrorKind) -> (String, bool) {
    use ErrorKind as K;
    let (msg, scanner) = match kind {
        K::MappingValueNotAllowed | K::InvalidColonPlacement => {
            ("mapping values are not allowed in this context", true)
        }
        K::ExpectedBlockMappingKey | K::UnexpectedEofBlockMapping => {
            ("did not find expected key", false)
        }
        K::ExpectedBlockSequenceEntry | K::UnexpectedEofBlockSequence => {
            ("did not find expected '-' indicator", false)
        }
        K::TabInIndentation
        | K::TabInBlockIndentation
        | K::TabNotAllowed
        | K::UnexpectedCharacter { .. } => (NO_TOKEN, true),
        K::ExpectedNodeContent => ("did not find expected node content", false),
        K::ExpectedFlowMappingSeparator => ("did not find expected ',' or '}'", false),
        K::ExpectedFlowSequenceSeparator => ("did not find expected ',' or ']'", false),
        K::MissingAnchorOrAliasName => (
            "did not find expected alphabetic or numeric character",
            true,
        ),
        K::BlockSequenceEntryNotAllowed => (
            "block sequence entries are not allowed in this context",
            true,
        ),
        K::UndeclaredTagHandle => ("found undefined tag handle", false),
        K::InvalidBlockScalarHeader => ("did not find expected comment or line break", true),
        K::ZeroBlockScalarIndent => ("found an indentation indicator equal to 0", true),
        K::DuplicateVersionDirective => ("found duplicate %YAML directive", false),
        K::UnsupportedYamlMajorVersion => ("found incompatible YAML document", false),
        K::DuplicateTagDirective => ("found duplicate %TAG directive", false),
        K::ExpectedDocumentStart => ("did not find expected <document start>", false),
        K::MissingTagUri => ("did not find expected tag URI", true),
        K::UnclosedVerbatimTag => ("did not find the expected '>'", true),
        K::InvalidTagTerminator => ("did not find expected whitespace or line break", true),
        other => return (other.to_string(), true),
    };
    (msg.to_string(), scanner)
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length around the 32-byte chunks, with one byte outside the set at every place.
    #[test]
    fn plain_ascii_is_found_and_missed_at_every_position() {
        for len in [0usize, 1, 31, 32, 33, 64, 95] {
            let text: Vec<u8> = (0..len).map(|i| b" az~\n\t{}"[i % 8]).collect();
            assert!(is_plain_ascii(&text), "{len}");
            for at in 0..len {
                for bad in [b'\r', 0x1f, 0x7f, 0x80, 0xff, 0] {
                    let mut t = text.clone();
                    t[at] = bad;
                    assert!(!is_plain_ascii(&t), "{len} {at} {bad}");
                }
            }
        }
    }

    /// What helm v4.3.1 gives for a document (`fromYaml` in a template, which is
    /// sigs.k8s.io/yaml.Unmarshal): the JSON it holds, or the error after
    /// `error converting YAML to JSON: `. Every case below was checked against it.
    enum Want {
        Ok(&'static str),
        Err(&'static str),
    }

    /// Every number as a float64.
    fn floats(v: &J) -> J {
        match v {
            J::Number(n) => J::Number(Number::from_f64(n.as_f64().unwrap()).unwrap()),
            J::Array(a) => J::Array(a.iter().map(floats).collect()),
            J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), floats(v))).collect()),
            other => other.clone(),
        }
    }

    fn check(cases: &[(&str, Want)]) {
        for (input, want) in cases {
            let got = parse(input);
            match want {
                Want::Ok(json) => {
                    let got = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
                    assert_eq!(got, floats(&got), "{input:?}: untyped numbers are float64");
                    let want: J = serde_json::from_str(json).unwrap();
                    assert_eq!(got, floats(&want), "{input:?}");
                }
                Want::Err(msg) => assert_eq!(got.err().as_deref(), Some(*msg), "{input:?}"),
            }
        }
    }

    const BOOLS_AND_NULLS: &[(&str, Want)] = &[
        (
            "y: 1\nn: 2\non: 3\noff: 4\n\"y\": q\nyES: 9\n",
            Want::Ok("{\"false\":4,\"true\":3,\"y\":\"q\",\"yES\":9}"),
        ),
        (
            "a: [y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE, tRue, yES]\n",
            Want::Ok(
                "{\"a\":[true,true,true,true,true,true,true,true,true,true,true,\"tRue\",\"yES\"]}",
            ),
        ),
        (
            "a: [n, N, no, No, NO, off, Off, OFF, false, False, FALSE, nO, oFF]\n",
            Want::Ok(
                "{\"a\":[false,false,false,false,false,false,false,false,false,false,false,\"nO\",\"oFF\"]}",
            ),
        ),
        (
            "a: [~, null, Null, NULL, nULL, '', \"\"]\nb:\nc: ~\n",
            Want::Ok("{\"a\":[null,null,null,null,\"nULL\",\"\",\"\"],\"b\":null,\"c\":null}"),
        ),
        (
            "s: \"y\"\nt: 'on'\nu: |\n  yes\nv: >-\n  1\n  2\nw: '0x10'\n",
            Want::Ok("{\"s\":\"y\",\"t\":\"on\",\"u\":\"yes\\n\",\"v\":\"1 2\",\"w\":\"0x10\"}"),
        ),
    ];

    const NUMBERS: &[(&str, Want)] = &[
        (
            "hex: 0x1F\nhex2: 0X1f\noct: 0o17\nlegacy: 0644\nund: 1_000\nund2: 1__0\ntrail: 1_\nplus: +5\nbin: 0b101\nnbin: -0b101\nneg: -0x10\nzero: 00\nnot_octal: 09\nnot_octal2: 0_8\n",
            Want::Ok(
                "{\"bin\":5,\"hex\":31,\"hex2\":31,\"legacy\":420,\"nbin\":-5,\"neg\":-16,\"not_octal\":9,\"not_octal2\":8,\"oct\":15,\"plus\":5,\"trail\":1,\"und\":1000,\"und2\":10,\"zero\":0}",
            ),
        ),
        (
            "a: 1:20\nb: 190:20:30.15\nc: 0x\nd: 0b2\ne: _1\nf: --1\ng: 1,000\nh: 12abc\n",
            Want::Ok(
                "{\"a\":\"1:20\",\"b\":\"190:20:30.15\",\"c\":\"0x\",\"d\":\"0b2\",\"e\":\"_1\",\"f\":\"--1\",\"g\":\"1,000\",\"h\":\"12abc\"}",
            ),
        ),
        (
            "a: 1e3\nb: .5\nc: 1.\nd: 1.5E-3\ne: -.5e2\nf: .5_0\ng: 1e400\nh: ._5\ni: .e3\nj: +.5\nk: 1e-400\nl: .5e1_0\n",
            Want::Ok(
                "{\"a\":1000,\"b\":0.5,\"c\":1,\"d\":0.0015,\"e\":-50,\"f\":0.5,\"g\":\"1e400\",\"h\":\"._5\",\"i\":\".e3\",\"j\":0.5,\"k\":0,\"l\":5000000000}",
            ),
        ),
        (
            "a: 9223372036854775807\nb: 18446744073709551615\nc: 99999999999999999999\nd: 0x10000000000000000\ne: -9223372036854775809\n",
            Want::Ok(
                "{\"a\":9223372036854776000,\"b\":18446744073709552000,\"c\":100000000000000000000,\"d\":\"0x10000000000000000\",\"e\":-9223372036854776000}",
            ),
        ),
        (
            "a: .iNf\nb: Infinity\nc: NaN\nd: inf\n",
            Want::Ok("{\"a\":\".iNf\",\"b\":\"Infinity\",\"c\":\"NaN\",\"d\":\"inf\"}"),
        ),
    ];

    const TIMESTAMPS: &[(&str, Want)] = &[(
        "a: 2024-01-02\nb: 2001-12-14t21:59:43.10-05:00\nc: 2024-13-45\nd: 2001-12-14 21:59:43.10 -5\ne: !!timestamp 2024-1-2\nf: !!timestamp 2000-2-29\n",
        Want::Ok(
            "{\"a\":\"2024-01-02\",\"b\":\"2001-12-14t21:59:43.10-05:00\",\"c\":\"2024-13-45\",\"d\":\"2001-12-14 21:59:43.10 -5\",\"e\":\"2024-1-2\",\"f\":\"2000-2-29\"}",
        ),
    )];

    const KEYS: &[(&str, Want)] = &[
        (
            "1: a\n1.5: b\n3.14159265358979: c\n0x10: d\n1e20: e\n2024-01-02: f\n.inf: g\ntrue: h\n1e-7: i\n16777217.0: j\n-0: k\n",
            Want::Ok(
                "{\".inf\":\"g\",\"0\":\"k\",\"1\":\"a\",\"1.5\":\"b\",\"1.6777216e+07\":\"j\",\"16\":\"d\",\"1e+20\":\"e\",\"1e-07\":\"i\",\"2024-01-02\":\"f\",\"3.1415927\":\"c\",\"true\":\"h\"}",
            ),
        ),
        ("1: a\n\"1\": b\n", Want::Ok("{\"1\":\"b\"}")),
        ("true: a\ny: b\n\"true\": c\n", Want::Ok("{\"true\":\"c\"}")),
        (
            "? |\n  block key\n: v\n",
            Want::Ok("{\"block key\\n\":\"v\"}"),
        ),
    ];

    const MERGES: &[(&str, Want)] = &[
        (
            "base: &b {a: 1, b: 2}\nm1:\n  a: 0\n  <<: *b\nm2:\n  <<: *b\n  a: 0\nm3:\n  <<: [{p: 1}, {p: 2, q: 3}]\n  q: 4\nm4:\n  \"<<\": 1\nm5:\n  <<: []\n",
            Want::Ok(
                "{\"base\":{\"a\":1,\"b\":2},\"m1\":{\"a\":1,\"b\":2},\"m2\":{\"a\":0,\"b\":2},\"m3\":{\"p\":1,\"q\":4},\"m4\":{\"<<\":1},\"m5\":{}}",
            ),
        ),
        (
            "a: &a {p: 1}\nb:\n  <<: *a\n  <<: {q: 2}\nc:\n  !!merge <<: {r: 3}\nd: <<\n",
            Want::Ok("{\"a\":{\"p\":1},\"b\":{\"p\":1,\"q\":2},\"c\":{\"r\":3},\"d\":\"<<\"}"),
        ),
    ];

    const ALIASES: &[(&str, Want)] = &[
        (
            "a: &x 1\nb: &x 2\nc: *x\ns: &s [1, 2]\nt: *s\nm: &m {k: v}\nn: *m\n",
            Want::Ok(
                "{\"a\":1,\"b\":2,\"c\":2,\"false\":{\"k\":\"v\"},\"m\":{\"k\":\"v\"},\"s\":[1,2],\"t\":[1,2]}",
            ),
        ),
        ("&a a: &b b\n*a : *b\n", Want::Ok("{\"a\":\"b\"}")),
    ];

    const DUPLICATES: &[(&str, Want)] = &[(
        "a: 1\na: 2\nb: {c: 1, c: 2}\nd: [1]\nd: x\n",
        Want::Ok("{\"a\":2,\"b\":{\"c\":2},\"d\":\"x\"}"),
    )];

    const TAGS: &[(&str, Want)] = &[
        (
            "a: !!str 12\nb: !!int \"12\"\nc: !!float 1\nd: !!bool yes\ne: !!null ~\nf: !!binary aGVsbG8=\ng: !foo bar\nh: ! 12\ni: !!str\nj: !!float \"1e3\"\nk: !!int 0x1F\nl: !!str ~\n",
            Want::Ok(
                "{\"a\":\"12\",\"b\":12,\"c\":1,\"d\":true,\"e\":null,\"f\":\"hello\",\"g\":\"bar\",\"h\":\"12\",\"i\":\"\",\"j\":1000,\"k\":31,\"l\":\"~\"}",
            ),
        ),
        (
            "a: !!str [a]\nb: !!set {x}\nc: !!seq x\n",
            Want::Ok("{\"a\":[\"a\"],\"b\":{\"x\":null},\"c\":\"x\"}"),
        ),
        (
            "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n",
            Want::Ok("{\"a\":\"1\"}"),
        ),
    ];

    const SCALARS: &[(&str, Want)] = &[
        (
            "a: \"\\x41\\u00e9\\t\\'\\_\"\nb: 'it''s'\nc: plain\n  continued\nd: b#c\ne: f #g\n",
            Want::Ok(
                "{\"a\":\"Aé\\t' \",\"b\":\"it's\",\"c\":\"plain continued\",\"d\":\"b#c\",\"e\":\"f\"}",
            ),
        ),
        (
            "a: |+\n  keep\n\nb: |-\n  strip\nc: >\n  folded\n  text\n\n  para\nd: |2\n    indented\n",
            Want::Ok(
                "{\"a\":\"keep\\n\\n\",\"b\":\"strip\",\"c\":\"folded text\\npara\\n\",\"d\":\"  indented\\n\"}",
            ),
        ),
        (
            "a: 'multi\n\n  line'\nb: \"esc\\\n  aped\"\n",
            Want::Ok("{\"a\":\"multi\\nline\",\"b\":\"escaped\"}"),
        ),
    ];

    const SYNTAX: &[(&str, Want)] = &[
        (
            "x: {? a, b: }\ny: [a: b, c]\nz: {b:c}\nw: [b:c]\n",
            Want::Ok(
                "{\"true\":[{\"a\":\"b\"},\"c\"],\"w\":[\"b:c\"],\"x\":{\"a\":null,\"b\":null},\"z\":{\"b:c\":null}}",
            ),
        ),
        ("a:\tb\nc: d\t\n", Want::Ok("{\"a\":\"b\",\"c\":\"d\"}")),
        (
            "a: 1\r\nb:\r\n  c: 2\r\n",
            Want::Ok("{\"a\":1,\"b\":{\"c\":2}}"),
        ),
        ("%YAML 1.1\n---\na: 1\n", Want::Ok("{\"a\":1}")),
        ("\u{feff}a: 1\n", Want::Ok("{\"a\":1}")),
        (
            "key: [1,\n\t2]\nk2: {\n\ta: 1}\n",
            Want::Ok("{\"k2\":{\"a\":1},\"key\":[1,2]}"),
        ),
        ("- a\n \t\n", Want::Ok("[\"a\"]")),
    ];

    const DOCUMENTS: &[(&str, Want)] = &[
        ("a: 1\n---\nb: [\n", Want::Ok("{\"a\":1}")),
        ("a: 1\n...\n]]]\n", Want::Ok("{\"a\":1}")),
        ("[a, b]]\n", Want::Ok("[\"a\",\"b\"]")),
        ("a: b\n... x\n", Want::Ok("{\"a\":\"b\"}")),
        ("a: 1\n%YAML 1.1\n", Want::Ok("{\"a\":1}")),
        ("--- |\n  text\n", Want::Ok("\"text\\n\"")),
        ("", Want::Ok("null")),
        ("# only a comment\n", Want::Ok("null")),
        ("---\n", Want::Ok("null")),
        ("- \n-\n- ~\n", Want::Ok("[null,null,null]")),
    ];

    const INDENTATION_ERRORS: &[(&str, Want)] = &[
        (
            "a: 1\n b: 2\n",
            Want::Err("yaml: line 2: mapping values are not allowed in this context"),
        ),
        (
            "a: b: c\n",
            Want::Err("yaml: mapping values are not allowed in this context"),
        ),
        (
            "key: value\n  other: x\n",
            Want::Err("yaml: line 2: mapping values are not allowed in this context"),
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            Want::Err("yaml: line 2: did not find expected key"),
        ),
        (
            "a:\n  b: 1\n  c:\n    d: 2\n   e: 3\n",
            Want::Err("yaml: line 4: did not find expected key"),
        ),
        (
            "a: 1\n- b\n",
            Want::Err("yaml: line 1: did not find expected key"),
        ),
        (
            "a:\n  - 1\n  b: 2\n",
            Want::Err("yaml: line 2: did not find expected '-' indicator"),
        ),
        (
            "- a\n- b\nc: d\n",
            Want::Err("yaml: line 2: did not find expected '-' indicator"),
        ),
        (
            "a: -b\nc: - d\n",
            Want::Err("yaml: line 2: block sequence entries are not allowed in this context"),
        ),
        (
            "a: |\n  x\n y\n",
            Want::Err("yaml: line 2: did not find expected key"),
        ),
    ];

    const MISSING_COLON_ERRORS: &[(&str, Want)] = &[
        (
            "a: 1\nb\nc: 2\n",
            Want::Err("yaml: line 3: could not find expected ':'"),
        ),
        (
            "foo: bar\nbaz",
            Want::Err("yaml: line 3: could not find expected ':'"),
        ),
        (
            "a: b\nc\n# comment\nd: e\n",
            Want::Err("yaml: line 3: could not find expected ':'"),
        ),
        (
            "a: b\nc # comment\n",
            Want::Err("yaml: line 3: could not find expected ':'"),
        ),
        (
            "a: b\n\n\nc\n\n\n",
            Want::Err("yaml: line 7: could not find expected ':'"),
        ),
        (
            "a:\n  - b\n  -c\n  - d: e\n f: g\n",
            Want::Err("yaml: line 4: could not find expected ':'"),
        ),
        (
            "data:\n  a: 1\n  {{- if .x }}\n  b: 2\n  {{- end }}\n",
            Want::Err("yaml: line 4: could not find expected ':'"),
        ),
    ];

    const TAB_ERRORS: &[(&str, Want)] = &[
        (
            "a:\n\tb: 1\n",
            Want::Err("yaml: line 2: found character that cannot start any token"),
        ),
        (
            "\ta: 1\n",
            Want::Err("yaml: found character that cannot start any token"),
        ),
        (
            "-\tb\n",
            Want::Err("yaml: found character that cannot start any token"),
        ),
        (
            "x:\n  - a\n  -\tb\n",
            Want::Err("yaml: line 3: found character that cannot start any token"),
        ),
        (
            "x: 1\n# c\n\tfoo: 1\n",
            Want::Err("yaml: line 3: found character that cannot start any token"),
        ),
        (
            "x: \"a\"\n\t\n",
            Want::Err("yaml: line 2: found character that cannot start any token"),
        ),
        (
            "a: b\n\tc: d\n",
            Want::Err("yaml: line 2: found a tab character that violates indentation"),
        ),
        (
            "a: 1\n\t# c\n",
            Want::Err("yaml: line 2: found a tab character that violates indentation"),
        ),
        (
            "a:\n  b: 1\n  \tc: 2\n",
            Want::Err("yaml: line 3: found a tab character that violates indentation"),
        ),
        (
            "a: |\n\tb\n",
            Want::Err("yaml: line 2: found a tab character where an indentation space is expected"),
        ),
        (
            "a: |\n  x\n \ty\n",
            Want::Err("yaml: line 3: found a tab character where an indentation space is expected"),
        ),
        (
            "a:\n  b: |\n    x\n\tc: 1\n",
            Want::Err("yaml: line 4: found a tab character where an indentation space is expected"),
        ),
    ];

    const QUOTE_ERRORS: &[(&str, Want)] = &[
        (
            "a: \"unclosed\nb: 2\n",
            Want::Err("yaml: line 3: found unexpected end of stream"),
        ),
        (
            "a: 1\nb: 'x\n\n",
            Want::Err("yaml: line 4: found unexpected end of stream"),
        ),
        ("a: \"b\"c\n", Want::Err("yaml: did not find expected key")),
        (
            "a: \"x\"- b\n",
            Want::Err("yaml: block sequence entries are not allowed in this context"),
        ),
        (
            "a:\n  - b: \"1\"- c: d\n",
            Want::Err("yaml: line 2: block sequence entries are not allowed in this context"),
        ),
        (
            "a:\n  - 'q'-\n",
            Want::Err("yaml: line 2: block sequence entries are not allowed in this context"),
        ),
        (
            "a:\n  b: \"1\"? c\n",
            Want::Err("yaml: line 2: mapping keys are not allowed in this context"),
        ),
        (
            "a:\n  b: \"1\"-c\n",
            Want::Err("yaml: line 1: did not find expected key"),
        ),
        (
            "x: 1\ny: \"a\"b\n",
            Want::Err("yaml: line 1: did not find expected key"),
        ),
        (
            "x:\n  - \"a\" b\n",
            Want::Err("yaml: line 1: did not find expected '-' indicator"),
        ),
        (
            "x: 1\n\ny: \"a\n---\nb\"\n",
            Want::Err("yaml: line 4: found unexpected document indicator"),
        ),
        (
            "x: 1\ny: \"c:\\path\"\n",
            Want::Err("yaml: line 2: found unknown escape character"),
        ),
        (
            "a: \"\\/\"\n",
            Want::Err("yaml: found unknown escape character"),
        ),
        (
            "x: 1\ny: \"a\\\n  \\x4g\"\n",
            Want::Err("yaml: line 3: did not find expected hexdecimal number"),
        ),
        (
            "a: \"\\ud83d\\ude00\"\n",
            Want::Err("yaml: found invalid Unicode character escape code"),
        ),
    ];

    const FLOW_ERRORS: &[(&str, Want)] = &[
        (
            "a: [1, 2\nb: 3\n",
            Want::Err("yaml: line 1: did not find expected ',' or ']'"),
        ),
        (
            "a: {x: 1\n",
            Want::Err("yaml: line 1: did not find expected ',' or '}'"),
        ),
        (
            "a: [1, 2",
            Want::Err("yaml: line 1: did not find expected ',' or ']'"),
        ),
        (
            "a: 1\na: [\n",
            Want::Err("yaml: line 2: did not find expected node content"),
        ),
        (
            "x: 1\ny: [\n  1,\n  2,\n\n",
            Want::Err("yaml: line 5: did not find expected node content"),
        ),
        (
            "a: 1\nb: [1, 2}\n",
            Want::Err("yaml: line 1: did not find expected ',' or ']'"),
        ),
        (
            "x: 1\ny: [1, }\n",
            Want::Err("yaml: line 1: did not find expected node content"),
        ),
        (
            "a: {b: 1\nc: 2}\n",
            Want::Err("yaml: line 1: did not find expected ',' or '}'"),
        ),
        (
            "a: ]\n",
            Want::Err("yaml: did not find expected node content"),
        ),
        (
            "x:\n  y: [1, 2]]\n",
            Want::Err("yaml: line 1: did not find expected key"),
        ),
        (
            "x:\n  - [1]]\n",
            Want::Err("yaml: line 1: did not find expected '-' indicator"),
        ),
        (
            "x: [\"a\" b]\n",
            Want::Err("yaml: did not find expected ',' or ']'"),
        ),
        (
            "[1]\n@\n",
            Want::Err("yaml: line 2: found character that cannot start any token"),
        ),
        (
            "[1]\n\"x\n",
            Want::Err("yaml: line 3: found unexpected end of stream"),
        ),
    ];

    const OTHER_SYNTAX_ERRORS: &[(&str, Want)] = &[
        (
            "a: @foo\n",
            Want::Err("yaml: found character that cannot start any token"),
        ),
        (
            "a: `foo\n",
            Want::Err("yaml: found character that cannot start any token"),
        ),
        (
            "x: 1\ny: *\n",
            Want::Err("yaml: line 2: did not find expected alphabetic or numeric character"),
        ),
        (
            "a: !x!foo 1\n",
            Want::Err("yaml: found undefined tag handle"),
        ),
        (
            "a: !! x\n",
            Want::Err("yaml: did not find expected tag URI"),
        ),
        (
            "%YAML 1.2\n---\na: 1\n",
            Want::Err("yaml: found incompatible YAML document"),
        ),
        (
            "%FOO bar\n---\na: 1\n",
            Want::Err("yaml: found unknown directive name"),
        ),
        (
            "...\na: 1\n",
            Want::Err("yaml: did not find expected node content"),
        ),
        (
            "x: 1\ny: |x\n",
            Want::Err("yaml: line 2: did not find expected comment or line break"),
        ),
        (
            "a: \u{1}\n",
            Want::Err("yaml: control characters are not allowed"),
        ),
    ];

    const DECODE_ERRORS: &[(&str, Want)] = &[
        (
            "a: *nope\n",
            Want::Err("yaml: unknown anchor 'nope' referenced"),
        ),
        (
            "a: &x\n  b: *x\n",
            Want::Err("yaml: anchor 'x' value contains itself"),
        ),
        (
            "a:\n  <<: 1\n",
            Want::Err("yaml: map merge requires map or sequence of maps as the value"),
        ),
        (
            "a: &a [1, 2]\nb:\n  <<: *a\n",
            Want::Err("yaml: map merge requires map or sequence of maps as the value"),
        ),
        (
            "a:\n  <<: [{a: 1}, 2]\n",
            Want::Err("yaml: map merge requires map or sequence of maps as the value"),
        ),
        (
            "? [a]\n: b\n",
            Want::Err("yaml: invalid map key: []interface {}{\"a\"}"),
        ),
        (
            "a: {? {b: 1}: 2}\n",
            Want::Err("yaml: invalid map key: map[interface {}]interface {}{\"b\":1}"),
        ),
        (
            "a: !!int 1.5\n",
            Want::Err("yaml: cannot decode !!float `1.5` as a !!int"),
        ),
        (
            "a: !!float abc\n",
            Want::Err("yaml: cannot decode !!str `abc` as a !!float"),
        ),
        (
            "a: !!int 2024-01-02\n",
            Want::Err("yaml: cannot decode !!str `2024-01-02` as a !!int"),
        ),
        (
            "a: !!timestamp 2024-13-45\n",
            Want::Err("yaml: cannot decode !!str `2024-13-45` as a !!timestamp"),
        ),
        (
            "a: !!null foo\n",
            Want::Err("yaml: cannot decode !!str `foo` as a !!null"),
        ),
        (
            "a: !!binary '!!!'\n",
            Want::Err("yaml: !!binary value contains invalid base64 data"),
        ),
        (
            "a: !!int \"\"\n",
            Want::Err("yaml: cannot decode !!null `` as a !!int"),
        ),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
            Want::Err("yaml: document contains excessive aliasing"),
        ),
    ];

    const JSON_ERRORS: &[(&str, Want)] = &[
        (
            "~: a\n",
            Want::Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"a\""),
        ),
        (
            "18446744073709551615: a\n",
            Want::Err("unsupported map key of type: uint64, key: 0xffffffffffffffff, value: \"a\""),
        ),
        (
            "a:\n  ~: [1, x]\n",
            Want::Err(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: []interface {}{1, \"x\"}",
            ),
        ),
        ("a: .inf\n", Want::Err("json: unsupported value: +Inf")),
        ("a: -.Inf\n", Want::Err("json: unsupported value: -Inf")),
        (
            "b: .nan\na: [1e3, .inf]\n",
            Want::Err("json: unsupported value: +Inf"),
        ),
    ];

    #[test]
    fn bools_and_nulls() {
        check(BOOLS_AND_NULLS);
    }

    #[test]
    fn numbers() {
        check(NUMBERS);
    }

    #[test]
    fn timestamps() {
        check(TIMESTAMPS);
    }

    #[test]
    fn keys() {
        check(KEYS);
    }

    #[test]
    fn merges() {
        check(MERGES);
    }

    #[test]
    fn aliases() {
        check(ALIASES);
    }

    #[test]
    fn block_indicator_at_the_key_indentation() {
        assert_eq!(
            parse("data:\n  k:\n  |\n    hello\n  j: 1\n").unwrap(),
            serde_json::json!({"data": {"k": "hello\n", "j": 1.0}})
        );
        assert_eq!(lift_block_indicators("a:\n  |\n  x\n"), None);
        assert_eq!(
            parse("k: |\n  hello\n  #x").unwrap(),
            serde_json::json!({"k": "hello\n#x"})
        );
        assert_eq!(
            parse("k: |\n  hello\n#x").unwrap(),
            serde_json::json!({"k": "hello\n"})
        );
        assert_eq!(
            lift_block_indicators("a:\n>- # c\n  x\n").unwrap(),
            "a:\n >- # c\n  x\n"
        );
    }

    #[test]
    fn duplicates() {
        check(DUPLICATES);
    }

    #[test]
    fn tags() {
        check(TAGS);
    }

    #[test]
    fn scalars() {
        check(SCALARS);
    }

    #[test]
    fn syntax() {
        check(SYNTAX);
    }

    #[test]
    fn documents() {
        check(DOCUMENTS);
    }

    #[test]
    fn indentation_errors() {
        check(INDENTATION_ERRORS);
    }

    #[test]
    fn missing_colon_errors() {
        check(MISSING_COLON_ERRORS);
    }

    #[test]
    fn tab_errors() {
        check(TAB_ERRORS);
    }

    #[test]
    fn quote_errors() {
        check(QUOTE_ERRORS);
    }

    #[test]
    fn flow_errors() {
        check(FLOW_ERRORS);
    }

    #[test]
    fn other_syntax_errors() {
        check(OTHER_SYNTAX_ERRORS);
    }

    #[test]
    fn decode_errors() {
        check(DECODE_ERRORS);
    }

    #[test]
    fn json_errors() {
        check(JSON_ERRORS);
    }

    #[test]
    fn typed_keeps_integers() {
        let v =
            parse_typed("a: 1\nb: 0x10\nc: 1.0\nd: 18446744073709551615\ne: 0644\nf: !!float 2\n")
                .unwrap();
        assert_eq!(v["a"], J::Number(Number::from(1i64)));
        assert_eq!(v["b"], J::Number(Number::from(16i64)));
        assert!(v["c"].is_f64());
        assert_eq!(v["d"], J::Number(Number::from(u64::MAX)));
        assert_eq!(v["e"], J::Number(Number::from(420i64)));
        assert!(v["f"].is_f64());
        let v = parse("a: 1\n").unwrap();
        assert!(v["a"].is_f64());
    }

    #[test]
    fn keys_keep_document_order_and_last_duplicate_wins() {
        let v = parse("b: 1\na: 2\nb: 3\n").unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(v["b"], serde_json::json!(3.0));
    }

    #[test]
    fn float_keys_go_through_float32() {}
}
