//! A YAML index as `sigs.k8s.io/yaml.UnmarshalStrict` reads it, streamed.
//!
//! Syntax comes from granit's events, read from the file a character at a time. The document
//! is never held whole: the top-level mapping, `entries` and each chart's list are walked
//! event by event, and only one chart version (or one other top-level value) at a time is
//! composed into nodes, resolved with go-yaml v2's YAML 1.1 rules and handed on. A structural
//! node that carries an anchor is composed whole instead, so that aliases can reach it.
//!
//! go-yaml v2 semantics kept: only the first document counts; plain scalars resolve as YAML 1.1
//! (`yes`/`on` booleans, `0755` octal, `1_000`, `.5`, timestamps kept as strings); quoted and
//! block scalars are strings; core tags force a resolution, `!!binary` decodes; merge keys
//! (`<<`) with a map, an alias or a list of them; strict mode makes any repeated key an error,
//! merged ones included; map keys become strings as sigs.k8s.io/yaml makes them (`1`, `true`,
//! floats through float32; null and huge unsigned keys are errors); excessive aliasing fails.

use super::model::V;
use ferroflux_helm::yaml11::resolve::{self, MERGE, Scalar, allowed_alias_ratio};
use serde_saphyr::granit_parser::{
    ErrorKind, Event, FallibleBufferedInput, Options, Parser, ScalarStyle, Span,
};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::rc::Rc;

/// Receives the document as it is read.
pub(super) trait Sink {
    /// A top-level field other than a streamed `entries` (`key` as written, after key
    /// stringification); fields arrive in document order.
    fn root_field(&mut self, key: String, v: V) -> Result<(), String>;
    /// `entries` is a mapping about to be streamed.
    fn entries_begin(&mut self) -> Result<(), String>;
    /// One chart of a streamed `entries`, given whole (null, or not a plain sequence).
    fn chart(&mut self, name: String, v: V) -> Result<(), String>;
    /// A chart whose versions follow one by one.
    fn chart_begin(&mut self, name: String) -> Result<(), String>;
    fn chart_version(&mut self, v: V) -> Result<(), String>;
    fn chart_end(&mut self) -> Result<(), String>;
}

/// Deeper than this (aliases included) is refused rather than risking the stack; Go's JSON
/// decoder stops at 10 000 and no real index comes near either.
const MAX_DEPTH: usize = 500;

/// A composed node.
enum Node {
    Scalar {
        value: String,
        tag: Option<Box<str>>,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// Where an anchored node is defined.
    Anchored(Rc<Node>),
    /// An alias to an earlier anchor.
    Alias(Rc<Node>),
}

/// Reads the file's characters for granit, decoding UTF-8 from a buffer.
struct Chars<R> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    done: bool,
}

impl<R: Read> Chars<R> {
    fn new(r: R) -> Self {
        Chars {
            r,
            buf: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            done: false,
        }
    }

    /// Makes at least `n` bytes available unless the input ends first.
    fn fill(&mut self, n: usize) -> Result<(), ErrorKind> {
        if self.len - self.pos >= n {
            return Ok(());
        }
        self.buf.copy_within(self.pos..self.len, 0);
        self.len -= self.pos;
        self.pos = 0;
        while self.len < n && !self.done {
            match self.r.read(&mut self.buf[self.len..]) {
                Ok(0) => self.done = true,
                Ok(k) => self.len += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(ErrorKind::InputDecoding {
                        message: format!("reading the index: {e}"),
                    });
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Iterator for Chars<R> {
    type Item = Result<char, ErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos == self.len {
            if let Err(e) = self.fill(1) {
                return Some(Err(e));
            }
            if self.len == 0 {
                return None;
            }
        }
        let b0 = self.buf[self.pos];
        if b0 < 0x80 {
            self.pos += 1;
            return Some(Ok(char::from(b0)));
        }
        let need = match b0 {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        let bad = || ErrorKind::InputDecoding {
            message: "invalid UTF-8 in the index".into(),
        };
        if need == 0 {
            return Some(Err(bad()));
        }
        if let Err(e) = self.fill(need) {
            return Some(Err(e));
        }
        if self.len - self.pos < need {
            return Some(Err(bad()));
        }
        let c = std::str::from_utf8(&self.buf[self.pos..self.pos + need])
            .ok()
            .and_then(|s| s.chars().next());
        match c {
            Some(c) => {
                self.pos += need;
                Some(Ok(c))
            }
            None => Some(Err(bad())),
        }
    }
}

type P<I> = Parser<'static, FallibleBufferedInput<I>>;

struct Reader<I: Iterator<Item = Result<char, ErrorKind>>> {
    parser: P<I>,
    anchors: HashMap<usize, Rc<Node>>,
    /// Where the last event started (1-based line), for messages.
    line: usize,
    decodes: u64,
    aliases: u64,
    alias_depth: u32,
}

/// Reads the index from `input` into `sink`; errors are messages with a line number where
/// one is known.
pub(super) fn read(input: impl Read, sink: &mut impl Sink) -> Result<(), String> {
    let mut options = Options::default();
    options.flow_nesting_limit = 256;
    options.block_nesting_limit = 256;
    // libyaml (so go-yaml) adds no line feed to a block scalar cut short by the end of input.
    options.block_scalar_eof_without_line_feed = true;
    options.emit_comments = false;
    let parser = Parser::new_from_fallible_iter_with_options(Chars::new(input), options);
    let mut r = Reader {
        parser,
        anchors: HashMap::new(),
        line: 1,
        decodes: 0,
        aliases: 0,
        alias_depth: 0,
    };
    r.document(sink).map_err(|e| {
        if e.starts_with("line ") {
            e
        } else {
            format!("line {}: {e}", r.line)
        }
    })
}

impl<I: Iterator<Item = Result<char, ErrorKind>>> Reader<I> {
    fn next(&mut self) -> Result<Event<'static>, String> {
        loop {
            let (ev, span): (Event<'static>, Span) = match self.parser.next() {
                None => return Ok(Event::StreamEnd),
                Some(Ok(x)) => x,
                Some(Err(e)) => {
                    return Err(format!("line {}: {}", e.marker().line(), e.info()));
                }
            };
            self.line = span.start.line();
            // Anchor and comment events are switched off; nothing else is skipped.
            if matches!(ev, Event::Anchor(..)) {
                continue;
            }
            return Ok(ev);
        }
    }

    fn document(&mut self, sink: &mut impl Sink) -> Result<(), String> {
        let root = loop {
            match self.next()? {
                Event::StreamStart => {}
                Event::DocumentStart(..) => break self.next()?,
                Event::StreamEnd => return Ok(()),
                other => return Err(format!("unexpected {other:?} before the document")),
            }
        };
        match root {
            Event::MappingStart(_, 0, _) => self.root_mapping(sink)?,
            Event::DocumentEnd => return Ok(()),
            ev => {
                let node = self.compose(ev, 0)?;
                let v = self.value(&node, 0)?;
                match v {
                    V::Null => {}
                    V::Map(pairs) => {
                        for (k, v) in pairs {
                            sink.root_field(k, v)?;
                        }
                    }
                    other => {
                        return Err(format!(
                            "cannot unmarshal {} into Go value of type repo.IndexFile",
                            v_kind(&other)
                        ));
                    }
                }
            }
        }
        // The document must end properly; what follows it is not read (go-yaml reads one).
        match self.next()? {
            Event::DocumentEnd | Event::StreamEnd => Ok(()),
            other => Err(format!("unexpected {other:?} after the document")),
        }
    }

    /// The top-level mapping, pair by pair; `entries` streams when it is a plain mapping.
    fn root_mapping(&mut self, sink: &mut impl Sink) -> Result<(), String> {
        let mut seen = KeySet::default();
        loop {
            let Some(k) = self.next_key(&mut seen, &mut |k, v| sink.root_field(k, v))? else {
                return Ok(());
            };
            let ev = self.next()?;
            let is_entries = super::model::field_index(&k, super::model::ROOT_FIELDS) == Some(3);
            if is_entries && matches!(ev, Event::MappingStart(_, 0, _)) {
                self.entries(sink)?;
            } else {
                let node = self.compose(ev, 0)?;
                let v = self.value(&node, 0)?;
                sink.root_field(k, v)?;
            }
        }
    }

    fn entries(&mut self, sink: &mut impl Sink) -> Result<(), String> {
        sink.entries_begin()?;
        let mut seen = KeySet::default();
        loop {
            let Some(name) = self.next_key(&mut seen, &mut |k, v| sink.chart(k, v))? else {
                return Ok(());
            };
            match self.next()? {
                Event::SequenceStart(_, 0, _) => {
                    sink.chart_begin(name)?;
                    loop {
                        let ev = self.next()?;
                        if matches!(ev, Event::SequenceEnd) {
                            break;
                        }
                        let node = self.compose(ev, 0)?;
                        let v = self.value(&node, 0)?;
                        sink.chart_version(v)?;
                    }
                    sink.chart_end()?;
                }
                ev => {
                    let node = self.compose(ev, 0)?;
                    let v = self.value(&node, 0)?;
                    sink.chart(name, v)?;
                }
            }
        }
    }

    /// The next key of a mapping read as a stream, `None` at its end; the caller reads the
    /// key's value. A merge key (`<<`) is expanded here: each pair it brings goes to `merged`,
    /// its key checked against `seen` like any other.
    fn next_key(
        &mut self,
        seen: &mut KeySet,
        merged: &mut dyn FnMut(String, V) -> Result<(), String>,
    ) -> Result<Option<String>, String> {
        loop {
            let ev = self.next()?;
            if matches!(ev, Event::MappingEnd) {
                return Ok(None);
            }
            let key = self.compose(ev, 0)?;
            if !is_merge(&key) {
                return self.key(&key, seen).map(Some);
            }
            let val = self.next()?;
            let val = self.compose(val, 0)?;
            for (k, v) in self.merged_pairs(&val, 0)? {
                let k = self.key(k, seen)?;
                let v = self.value(v, 0)?;
                merged(k, v)?;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Composition

    fn compose(&mut self, ev: Event<'static>, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err("the document is nested too deeply".into());
        }
        let (node, anchor) = match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()).into_boxed_str());
                let node = Node::Scalar {
                    value: value.into_owned(),
                    tag,
                    plain: style == ScalarStyle::Plain,
                };
                (node, anchor)
            }
            Event::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let ev = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.compose(ev, depth + 1)?);
                }
                (Node::Seq(items), anchor)
            }
            Event::MappingStart(_, anchor, _) => {
                let mut pairs = Vec::new();
                loop {
                    let ev = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let k = self.compose(ev, depth + 1)?;
                    let ev = self.next()?;
                    let v = self.compose(ev, depth + 1)?;
                    pairs.push((k, v));
                }
                (Node::Map(pairs), anchor)
            }
            Event::Alias(id) => {
                let target = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "unknown anchor referenced".to_string())?;
                return Ok(Node::Alias(target));
            }
            other => return Err(format!("unexpected {other:?}")),
        };
        if anchor == 0 {
            return Ok(node);
        }
        let rc = Rc::new(node);
        self.anchors.insert(anchor, rc.clone());
        Ok(Node::Anchored(rc))
    }

    // -----------------------------------------------------------------------------------------
    // Decoding (go-yaml v2 into interface{}, then sigs.k8s.io/yaml's JSON conversion)

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

    fn value(&mut self, n: &Node, depth: usize) -> Result<V, String> {
        if depth > MAX_DEPTH {
            return Err("the document is nested too deeply".into());
        }
        if let Node::Anchored(rc) = n {
            return self.value(rc, depth);
        }
        self.count()?;
        match n {
            Node::Anchored(rc) => self.value(rc, depth),
            Node::Alias(rc) => {
                self.alias_depth += 1;
                let r = self.value(rc, depth + 1);
                self.alias_depth -= 1;
                r
            }
            Node::Scalar { value, tag, plain } => scalar(value, tag.as_deref(), *plain),
            Node::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.value(item, depth + 1)?);
                }
                Ok(V::Seq(out))
            }
            Node::Map(_) => {
                let mut seen = KeySet::default();
                let mut out = Vec::new();
                for (k, v) in self.merged_pairs(n, depth)? {
                    let k = self.key(k, &mut seen)?;
                    let v = self.value(v, depth + 1)?;
                    out.push((k, v));
                }
                // sigs.k8s.io/yaml writes a Go map: keys sorted, one value per key.
                out.sort_by(|a, b| a.0.cmp(&b.0));
                let mut dedup: Vec<(String, V)> = Vec::with_capacity(out.len());
                for (k, v) in out {
                    match dedup.last_mut() {
                        Some(last) if last.0 == k => last.1 = v,
                        _ => dedup.push((k, v)),
                    }
                }
                Ok(V::Map(dedup))
            }
        }
    }

    /// A mapping's pairs with merge keys expanded (recursively), in no particular order: with
    /// strict decoding every key must be unique anyway.
    fn merged_pairs<'n>(
        &mut self,
        n: &'n Node,
        depth: usize,
    ) -> Result<Vec<(&'n Node, &'n Node)>, String> {
        const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
        if depth > MAX_DEPTH {
            return Err("the document is nested too deeply".into());
        }
        let mut out = Vec::new();
        match n {
            Node::Anchored(rc) | Node::Alias(rc) => {
                if !matches!(**rc, Node::Map(_)) {
                    return Err(WANT_MAP.into());
                }
                return self.merged_pairs(rc, depth + 1);
            }
            Node::Map(pairs) => {
                for (k, v) in pairs {
                    if is_merge(k) {
                        self.count()?;
                        match v {
                            Node::Seq(items) => {
                                for item in items.iter().rev() {
                                    out.extend(self.merged_pairs(item, depth + 1)?);
                                }
                            }
                            Node::Scalar { .. } => return Err(WANT_MAP.into()),
                            other => out.extend(self.merged_pairs(other, depth + 1)?),
                        }
                    } else {
                        out.push((k, v));
                    }
                }
            }
            _ => return Err(WANT_MAP.into()),
        }
        Ok(out)
    }

    /// A map key: resolved, checked for repeats (strict), then made a JSON key string.
    fn key(&mut self, n: &Node, seen: &mut KeySet) -> Result<String, String> {
        let k = self.value(n, 0)?;
        if matches!(k, V::Seq(_) | V::Map(_)) {
            return Err("invalid map key: a sequence or mapping".into());
        }
        if !seen.insert(&k) {
            return Err(format!("key {} already set in map", go_key(&k)));
        }
        key_string(&k)
    }
}

/// Map keys seen so far, compared as Go compares interface values.
#[derive(Default)]
struct KeySet(HashSet<KeyId>);

#[derive(Hash, PartialEq, Eq)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

impl KeySet {
    /// False when the key was already there (NaN equals nothing, -0 equals 0).
    fn insert(&mut self, k: &V) -> bool {
        let id = match k {
            V::Null => KeyId::Null,
            V::Bool(b) => KeyId::Bool(*b),
            V::Int(i) => KeyId::Int(*i),
            V::Uint(u) => KeyId::Uint(*u),
            V::Float(f) if f.is_nan() => return true,
            V::Float(f) => KeyId::Float(if *f == 0.0 { 0 } else { f.to_bits() }),
            V::Str(s) => KeyId::Str(s.clone()),
            V::Seq(_) | V::Map(_) => return true,
        };
        self.0.insert(id)
    }
}

fn go_key(k: &V) -> String {
    match k {
        V::Str(s) => format!("{s:?}"),
        V::Null => "<nil>".into(),
        V::Bool(b) => b.to_string(),
        V::Int(i) => i.to_string(),
        V::Uint(u) => u.to_string(),
        V::Float(f) => f.to_string(),
        V::Seq(_) | V::Map(_) => "?".into(),
    }
}

fn v_kind(v: &V) -> &'static str {
    match v {
        V::Null => "null",
        V::Bool(_) => "bool",
        V::Int(_) | V::Uint(_) | V::Float(_) => "number",
        V::Str(_) => "string",
        V::Seq(_) => "array",
        V::Map(_) => "object",
    }
}

/// sigs.k8s.io/yaml's map key conversion.
fn key_string(k: &V) -> Result<String, String> {
    Ok(match k {
        V::Str(s) => s.clone(),
        V::Int(i) => i.to_string(),
        V::Bool(b) => b.to_string(),
        V::Float(f) => match super::model::format_g32(*f).as_str() {
            "+Inf" => ".inf".into(),
            "-Inf" => "-.inf".into(),
            "NaN" => ".nan".into(),
            s => s.to_string(),
        },
        V::Null => return Err("unsupported map key of type: <nil>".into()),
        V::Uint(u) => return Err(format!("unsupported map key of type: uint64 ({u})")),
        V::Seq(_) | V::Map(_) => return Err("invalid map key".into()),
    })
}

fn is_merge(n: &Node) -> bool {
    match n {
        Node::Anchored(rc) => is_merge(rc),
        Node::Scalar { value, tag, plain } => {
            value == "<<"
                && match tag.as_deref() {
                    None => *plain,
                    Some(t) => t == "!" || t == MERGE,
                }
        }
        _ => false,
    }
}

/// One scalar into `interface{}`, by go-yaml v2's rules (shared with the Helm crate's reader).
fn scalar(value: &str, tag: Option<&str>, plain: bool) -> Result<V, String> {
    Ok(match resolve::scalar(value, tag.unwrap_or(""), plain)? {
        Scalar::Null => V::Null,
        Scalar::Bool(b) => V::Bool(b),
        Scalar::Int(i) => V::Int(i),
        Scalar::Uint(u) => V::Uint(u),
        Scalar::Float(f) => V::Float(f),
        Scalar::Str(s) => V::Str(s),
    })
}
