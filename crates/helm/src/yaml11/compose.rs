//! Composition: events -> node graph (go-yaml's parser.go)

use super::*;

/// A node; a scalar's text borrows from the document where the simple reader could take it
/// as it stands.
pub(super) enum Kind<'t> {
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
pub(super) struct Open {
    pub(super) node: usize,
    pub(super) map: bool,
    pub(super) flow: bool,
    /// Column of a block collection.
    pub(super) col: usize,
}

/// Where a token sits in the source, for the checks granit does not make.
#[derive(Clone, Copy)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) class: Class,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Class {
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
pub(super) struct Composer {
    pub(super) nodes: Vec<Kind<'static>>,
    pub(super) open: Vec<Open>,
    /// granit's anchor ids -> nodes.
    pub(super) anchors: HashMap<usize, usize>,
    pub(super) names: HashMap<usize, String>,
    pub(super) root: Option<usize>,
    pub(super) toks: Vec<Tok>,
    /// Start offsets of open flow collections.
    pub(super) flows: Vec<usize>,
    /// Where the last event ended.
    pub(super) last_end: usize,
}

impl Composer {
    pub(super) fn add(&mut self, kind: Kind<'static>, anchor: usize) -> usize {
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

    pub(super) fn block_indent(&self) -> i64 {
        self.open
            .iter()
            .rev()
            .find(|o| !o.flow)
            .map_or(-1, |o| o.col as i64)
    }
}

/// Whether a token spanning `range` takes in the text's last line, when that line has content
/// and no line break.
pub(super) fn runs_to_unbroken_end(text: &str, range: &std::ops::Range<usize>) -> bool {
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
pub(super) fn bad_anchor_name(text: &str, range: &std::ops::Range<usize>) -> Option<usize> {
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
pub(super) enum Stop {
    /// The document ended (at this offset).
    End(usize),
    /// granit failed.
    Scan(ScanError),
    /// A go-yaml error found while composing, at this offset.
    Fail(String, usize),
}

/// Reads the first document into nodes; `None` when the stream has no document.
pub(super) fn compose(text: &str) -> Result<Option<(Vec<Kind<'_>>, usize)>, String> {
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
    // Most documents have no line that starts with an indicator: found without reading lines.
    let bytes = text.as_bytes();
    let starts_a_line = |i: usize| {
        let before = &bytes[..i];
        let line = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
        before[line..].iter().all(|&b| b == b' ')
    };
    if !memchr::memchr2_iter(b'|', b'>', bytes).any(starts_a_line) {
        return None;
    }
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
/// Whether `between` (the text between two tokens) holds a `?` indicator: the empty key
/// that follows is an explicit one, which go-yaml reads too.
fn after_explicit_key(between: &str) -> bool {
    between.lines().any(|l| {
        let code = l.split('#').next().unwrap_or_default().trim_start();
        code.starts_with('?')
    })
}

/// go-yaml's error when a document end marker comes before any content: a document without
/// its node.
fn end_marker_first(text: &str) -> Option<(String, usize)> {
    let first = next_token(text, text.len() - text.trim_start_matches('\u{feff}').len());
    is_marker(text, first, "...").then(|| {
        let msg = with_line(
            line_of(text, first),
            "did not find expected node content",
            false,
        );
        (msg, first)
    })
}

pub(super) fn compose_full(text: &str) -> Result<Option<(Vec<Kind<'static>>, usize)>, String> {
    if let Some(e) = reader_error(text) {
        return Err(e);
    }
    if text.contains('%')
        && let Some((e, _)) = directive_scan_error(text)
    {
        return Err(e);
    }
    let opts = granit_parser::options! {
        emit_comments: false,
        emit_anchor_events: true,
        emit_unresolved_aliases: true,
        // go-yaml's max_flow_level and max_indents.
        flow_nesting_limit: 10_000,
        block_nesting_limit: 10_000,
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
            Event::StreamEnd if !started => {
                // A stream of only a document end marker (`...`, comments around it): no
                // document to granit, a document without its node to go-yaml.
                if let Some((msg, at)) = end_marker_first(text) {
                    break Stop::Fail(msg, at);
                }
                break Stop::End(range.start);
            }
            Event::StreamEnd | Event::DocumentEnd => break Stop::End(range.start),
            Event::DocumentStart(..) => {
                if started {
                    break Stop::End(range.start);
                }
                started = true;
                if let Some((msg, at)) = directive_error(text, range.start) {
                    break Stop::Fail(msg, at);
                }
                if let Some((msg, at)) = end_marker_first(text) {
                    break Stop::Fail(msg, at);
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
                // `: c` with no key where a block mapping needs one: an empty key to granit
                // (YAML 1.2), none to go-yaml's parser.
                if range.is_empty()
                    && text[range.start..].starts_with(':')
                    && !after_explicit_key(&text[c.last_end.min(range.start)..range.start])
                    && let Some(o) = c.open.last().filter(|o| o.map && !o.flow)
                    && matches!(&c.nodes[o.node], Kind::Map(k) if k.len() % 2 == 0 && !k.is_empty())
                {
                    let msg = with_line(line_of(text, range.start), container_message(o), false);
                    break Stop::Fail(msg, range.start);
                }
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
                let flow = style == StructureStyle::Flow;
                if flow
                    && c.open.last().is_some_and(|o| !o.flow)
                    && let Some(msg) = empty_flow_key_error(text, &c, range.start)
                {
                    break Stop::Fail(msg, range.start);
                }
                let node = c.add(kind, anchor);
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
