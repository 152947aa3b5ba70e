//! Writing back YAML held in a string after a replacement edited it, with the presentation
//! kyaml keeps: flow collections stay flow, scalars keep their quoting and spelling (`yes`,
//! `1.50`, `'x'`), an edited scalar keeps its quotes. Written as yaml.v3 does with kyaml's
//! settings (indent 2, sequences not indented under their key).
//!
//! Comments stay where they were: above a key or list entry, at the end of a line, after
//! the last entry of a block, before or after the document.
//!
//! Only simple documents are handled: one document without anchors, aliases, tags, block
//! scalars, multi-line scalars, comments inside flow collections or set apart by a blank
//! line at the document's edges, whose edit changed scalars only, and whose lines stay
//! within 80 columns (yaml.v3 folds longer ones). Other blank lines are dropped, as yaml.v3
//! does. Anything else gives `None` and the caller writes the document in block style.

use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser, Placement, ScalarStyle, StructureStyle};

/// A node, with the comments written on its line (`right`) and, for block collections,
/// the own-line comments after their last entry (`foot`).
struct Node {
    kind: Kind,
    right: Option<String>,
    foot: Vec<String>,
}

enum Kind {
    Scalar {
        text: String,
        style: ScalarStyle,
    },
    /// Items with the own-line comments above them.
    Seq {
        items: Vec<(Vec<String>, Node)>,
        flow: bool,
    },
    /// Pairs with the own-line comments above them.
    Map {
        pairs: Vec<(Vec<String>, String, Node)>,
        flow: bool,
    },
}

/// A document: own-line comments before it, its root, own-line comments after it.
struct Doc {
    head: Vec<String>,
    root: Node,
    tail: Vec<String>,
}

/// `text` (whose parsed value was `old`) written back with the value `new`.
pub fn rewrite(text: &str, old: &Value, new: &Value) -> Option<String> {
    if text.contains('\r') || blank_line_at_document_edges(text) {
        return None;
    }
    let doc = parse(text)?;
    let mut out = String::new();
    for c in &doc.head {
        out.push_str(&format!("#{c}\n"));
    }
    let node = &doc.root;
    match &node.kind {
        Kind::Map { flow: false, pairs } if !pairs.is_empty() => {
            out.push_str(&block_map(old, new, node, 0)?)
        }
        Kind::Seq { flow: false, items } if !items.is_empty() => {
            out.push_str(&block_seq(old, new, node, 0)?)
        }
        _ => {
            out.push_str(&inline(old, new, node)?);
            out.push_str(&right(node));
            out.push('\n');
        }
    }
    for c in &doc.tail {
        out.push_str(&format!("#{c}\n"));
    }
    if out.lines().any(|l| l.chars().count() > 80) {
        return None;
    }
    Some(out)
}

/// A blank line among the comments before the first entry or after the last one: yaml.v3
/// keeps one there (document comments), which is not modelled.
fn blank_line_at_document_edges(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let content = |l: &&str| !l.is_empty() && !l.starts_with('#');
    let (Some(first), Some(last)) = (
        lines.iter().position(content),
        lines.iter().rposition(content),
    ) else {
        return true;
    };
    let before = &lines[..first];
    let after = &lines[last + 1..];
    // Before: any blank line after the first comment; after: any blank line before the
    // last comment.
    let head = before
        .iter()
        .position(|l| l.starts_with('#'))
        .is_some_and(|i| before[i..].iter().any(|l| l.is_empty()));
    let tail = after
        .iter()
        .rposition(|l| l.starts_with('#'))
        .is_some_and(|i| after[..i].iter().any(|l| l.is_empty()));
    head || tail
}

fn parse(text: &str) -> Option<Doc> {
    // Collections being built: a sequence, or a mapping with its pending key (and the
    // comments above that key).
    enum Open {
        Seq(Vec<(Vec<String>, Node)>, bool),
        Map(
            Vec<(Vec<String>, String, Node)>,
            Option<(Vec<String>, String)>,
            bool,
        ),
    }
    struct State {
        stack: Vec<Open>,
        root: Option<Node>,
        /// Own-line comments not yet given to a node, with their columns.
        pending: Vec<(String, usize)>,
        head: Vec<String>,
        /// The node a same-line comment may follow (a value just finished).
        last_value: bool,
    }
    // Places a finished node in its parent; `false` when it cannot be represented.
    fn place(st: &mut State, n: Node) -> bool {
        let above: Vec<String> = std::mem::take(&mut st.pending)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        match st.stack.last_mut() {
            None => {
                if st.root.is_some() || !above.is_empty() {
                    return false;
                }
                st.root = Some(n);
                st.last_value = true;
                true
            }
            Some(Open::Seq(items, _)) => {
                items.push((above, n));
                st.last_value = true;
                true
            }
            Some(Open::Map(pairs, key, _)) => match key.take() {
                Some((key_above, k)) => {
                    if !above.is_empty() {
                        return false;
                    }
                    pairs.push((key_above, k, n));
                    st.last_value = true;
                    true
                }
                None => match n {
                    Node {
                        kind:
                            Kind::Scalar {
                                text,
                                style: ScalarStyle::Plain,
                            },
                        right: None,
                        ..
                    } => {
                        *key = Some((above, text));
                        st.last_value = false;
                        true
                    }
                    // Quoted keys would need their style kept too; rare, so not handled.
                    _ => false,
                },
            },
        }
    }
    // Comments above an item or key are taken when it starts, not when it is placed.
    fn take_above(st: &mut State) -> Vec<(String, usize)> {
        std::mem::take(&mut st.pending)
    }
    let mut st = State {
        stack: Vec::new(),
        root: None,
        pending: Vec::new(),
        head: Vec::new(),
        last_value: false,
    };
    // Comments above each open node, restored when it is placed, and its column.
    let mut above_open: Vec<(Vec<(String, usize)>, usize)> = Vec::new();
    let in_flow = |st: &State| {
        st.stack.iter().any(|o| match o {
            Open::Seq(_, flow) | Open::Map(_, _, flow) => *flow,
        })
    };
    let mut docs = 0;
    let mut ended = false;
    // Comments between a key and its value are held until the value comes: no limit.
    let opts = serde_saphyr::granit_parser::options! {
        emit_comments: true,
        max_buffered_comment_events: usize::MAX,
    };
    for ev in Parser::new_from_str_with_options(text, opts) {
        let (ev, span) = ev.ok()?;
        match ev {
            Event::Comment(c, placement) => {
                if in_flow(&st) {
                    return None;
                }
                match placement {
                    Placement::Right => {
                        if !st.last_value || ended {
                            return None;
                        }
                        let target = match st.stack.last_mut() {
                            None => st.root.as_mut(),
                            Some(Open::Seq(items, _)) => items.last_mut().map(|(_, n)| n),
                            Some(Open::Map(pairs, None, _)) => pairs.last_mut().map(|(_, _, n)| n),
                            Some(Open::Map(_, Some(_), _)) => None,
                        }?;
                        // Only on a line that ends with the node: a scalar or a flow
                        // collection.
                        let inline = match &target.kind {
                            Kind::Scalar { .. } => true,
                            Kind::Seq { flow, .. } | Kind::Map { flow, .. } => *flow,
                        };
                        if !inline || target.right.is_some() {
                            return None;
                        }
                        target.right = Some(c.into_owned());
                    }
                    // yaml.v3 drops blank lines: a comment set apart by them is above
                    // the next entry too.
                    Placement::Above | Placement::Free => {
                        if docs == 0 {
                            st.head.push(c.into_owned());
                        } else {
                            st.pending.push((c.into_owned(), span.start.col()));
                        }
                    }
                    Placement::Last => st.pending.push((c.into_owned(), span.start.col())),
                    _ => return None,
                }
            }
            Event::DocumentStart(..) => {
                docs += 1;
                if docs > 1 {
                    return None;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    return None;
                }
                // Empty nodes and scalars written over several lines are left to the block
                // writer.
                if span.start == span.end || span.start.line() != span.end.line() {
                    return None;
                }
                let n = Node {
                    kind: Kind::Scalar {
                        text: value.into_owned(),
                        style,
                    },
                    right: None,
                    foot: Vec::new(),
                };
                if !place(&mut st, n) {
                    return None;
                }
            }
            Event::SequenceStart(style, anchor, ref tag)
            | Event::MappingStart(style, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                let flow = style == StructureStyle::Flow;
                // Comments between a key and its block value belong to the value's first
                // entry; before a flow value they are not handled.
                let above = match st.stack.last() {
                    Some(Open::Map(_, Some(_), _)) if !flow => Vec::new(),
                    _ => take_above(&mut st),
                };
                if flow && !st.pending.is_empty() {
                    return None;
                }
                above_open.push((above, span.start.col()));
                st.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Open::Seq(Vec::new(), flow)
                } else {
                    Open::Map(Vec::new(), None, flow)
                });
                st.last_value = false;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (above, col) = above_open.pop()?;
                // Comments left of the block's column follow it at an outer level.
                let (foot, outer): (Vec<_>, Vec<_>) = std::mem::take(&mut st.pending)
                    .into_iter()
                    .partition(|(_, c)| *c >= col);
                let foot: Vec<String> = foot.into_iter().map(|(c, _)| c).collect();
                let kind = match st.stack.pop()? {
                    Open::Seq(items, flow) => Kind::Seq { items, flow },
                    Open::Map(pairs, None, flow) => Kind::Map { pairs, flow },
                    Open::Map(_, Some(_), _) => return None,
                };
                let n = Node {
                    kind,
                    right: None,
                    foot,
                };
                st.pending = above;
                if !place(&mut st, n) {
                    return None;
                }
                st.pending = outer;
                if st.stack.is_empty() {
                    ended = true;
                }
            }
            Event::Alias(..) => return None,
            _ => {}
        }
    }
    let root = st.root?;
    Some(Doc {
        head: st.head,
        root,
        tail: st.pending.into_iter().map(|(c, _)| c).collect(),
    })
}

fn right(n: &Node) -> String {
    n.right
        .as_ref()
        .map(|c| format!(" #{c}"))
        .unwrap_or_default()
}

fn comment_lines(comments: &[String], indent: usize) -> String {
    comments
        .iter()
        .map(|c| format!("{}#{c}\n", " ".repeat(indent)))
        .collect()
}

/// Whether a node is written on its key's or dash's line.
fn is_inline(n: &Node) -> bool {
    match &n.kind {
        Kind::Scalar { .. } => true,
        Kind::Seq { items, flow } => *flow || items.is_empty(),
        Kind::Map { pairs, flow } => *flow || pairs.is_empty(),
    }
}

fn inline(old: &Value, new: &Value, n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Scalar { text, style } => scalar(old, new, text, *style),
        Kind::Seq { items, .. } => {
            let (o, w) = (old.as_array()?, new.as_array()?);
            if o.len() != items.len() || w.len() != items.len() {
                return None;
            }
            let parts: Option<Vec<String>> = items
                .iter()
                .zip(o.iter().zip(w))
                .map(|((_, n), (o, w))| inline(o, w, n))
                .collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Kind::Map { pairs, .. } => {
            let parts: Option<Vec<String>> = map_values(old, new, pairs)?
                .into_iter()
                .map(|(_, k, o, w, n)| Some(format!("{k}: {}", inline(o, w, n)?)))
                .collect();
            Some(format!("{{{}}}", parts?.join(", ")))
        }
    }
}

type PairValues<'a> = (&'a [String], &'a str, &'a Value, &'a Value, &'a Node);

/// The old and new values of each pair; `None` when the edit added or removed keys.
fn map_values<'a>(
    old: &'a Value,
    new: &'a Value,
    pairs: &'a [(Vec<String>, String, Node)],
) -> Option<Vec<PairValues<'a>>> {
    let (o, w) = (old.as_object()?, new.as_object()?);
    if o.len() != pairs.len() || w.len() != pairs.len() {
        return None;
    }
    pairs
        .iter()
        .map(|(above, k, n)| Some((above.as_slice(), k.as_str(), o.get(k)?, w.get(k)?, n)))
        .collect()
}

fn block_map(old: &Value, new: &Value, n: &Node, indent: usize) -> Option<String> {
    let Kind::Map { pairs, .. } = &n.kind else {
        return None;
    };
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (above, k, o, w, n) in map_values(old, new, pairs)? {
        out.push_str(&comment_lines(above, indent));
        out.push_str(&pad);
        out.push_str(k);
        out.push(':');
        if is_inline(n) {
            out.push(' ');
            out.push_str(&inline(o, w, n)?);
            out.push_str(&right(n));
            out.push('\n');
        } else if matches!(n.kind, Kind::Map { .. }) {
            out.push('\n');
            out.push_str(&block_map(o, w, n, indent + 2)?);
        } else {
            out.push('\n');
            out.push_str(&block_seq(o, w, n, indent)?);
        }
    }
    out.push_str(&comment_lines(&n.foot, indent));
    Some(out)
}

fn block_seq(old: &Value, new: &Value, n: &Node, indent: usize) -> Option<String> {
    let Kind::Seq { items, .. } = &n.kind else {
        return None;
    };
    let (o, w) = (old.as_array()?, new.as_array()?);
    if o.len() != items.len() || w.len() != items.len() {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for ((above, n), (o, w)) in items.iter().zip(o.iter().zip(w)) {
        out.push_str(&comment_lines(above, indent));
        out.push_str(&pad);
        out.push_str("- ");
        if is_inline(n) {
            out.push_str(&inline(o, w, n)?);
            out.push_str(&right(n));
            out.push('\n');
        } else {
            let inner = if matches!(n.kind, Kind::Map { .. }) {
                block_map(o, w, n, indent + 2)?
            } else {
                block_seq(o, w, n, indent + 2)?
            };
            // The entry's first line goes on the dash's line: not a comment.
            let first = inner.get(indent + 2..)?;
            if first.starts_with('#') {
                return None;
            }
            out.push_str(first);
        }
    }
    out.push_str(&comment_lines(&n.foot, indent));
    Some(out)
}

/// A scalar as written, or its new value in the old quoting.
fn scalar(old: &Value, new: &Value, text: &str, style: ScalarStyle) -> Option<String> {
    if old == new {
        return quoted(text, style);
    }
    match new {
        Value::String(s) => match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => quoted(s, style),
            _ if plain_is_safe(s) => Some(s.clone()),
            // yaml.v3 asks for double quotes where a plain scalar would read as another
            // type; where only the syntax forbids plain, its emitter falls back to single.
            _ if super::emit::resolves_to_non_string_v3(s) || s.chars().any(|c| c.is_control()) => {
                quoted(s, ScalarStyle::DoubleQuoted)
            }
            _ => quoted(s, ScalarStyle::SingleQuoted),
        },
        Value::Number(n) => Some(super::emit::format_number(n)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".into()),
        _ => None,
    }
}

fn quoted(s: &str, style: ScalarStyle) -> Option<String> {
    match style {
        _ if style != ScalarStyle::DoubleQuoted && s.chars().any(|c| c.is_control()) => None,
        ScalarStyle::Plain => Some(s.to_string()),
        ScalarStyle::SingleQuoted => Some(format!("'{}'", s.replace('\'', "''"))),
        ScalarStyle::DoubleQuoted => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\0' => out.push_str("\\0"),
                    '\u{7}' => out.push_str("\\a"),
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{b}' => out.push_str("\\v"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    '\u{1b}' => out.push_str("\\e"),
                    // Other controls and line separators: escapes whose form was not
                    // checked against yaml.v3.
                    c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                        return None;
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            Some(out)
        }
        _ => None,
    }
}

/// A string yaml.v3 would write plain and read back as the same string.
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !super::emit::resolves_to_non_string_v3(s)
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, f: impl FnOnce(&mut Value)) -> Option<String> {
        let old = crate::yaml::parse_one(text).unwrap();
        let mut new = old.clone();
        f(&mut new);
        rewrite(text, &old, &new)
    }

    #[test]
    fn flow_collections_and_quoting_are_kept() {
        let text = "version: \"2\"\noutput: {type: remote, region: 'unset', tags: [a, 'b']}\ninputs:\n    logs: yes\n    n: 1.50\n    list:\n        - x\n        -   y\n        - {k: v}\n        - a: 1\n          b: 2\nempty: {}\n";
        let out = edit(text, |v| v["output"]["region"] = "eu-west-3".into()).unwrap();
        // (Also the form kubectl kustomize v5.8.1 writes.)
        assert_eq!(
            out,
            "version: \"2\"\noutput: {type: remote, region: 'eu-west-3', tags: [a, 'b']}\ninputs:\n  logs: yes\n  n: 1.50\n  list:\n  - x\n  - y\n  - {k: v}\n  - a: 1\n    b: 2\nempty: {}\n"
        );
        let plain = edit("a: {b: c}\n", |v| v["a"]["b"] = "123".into()).unwrap();
        assert_eq!(plain, "a: {b: \"123\"}\n");
        let escaped = edit("a: {b: 'c', x: \"a\\tb\\\"\"}\nl: [1, \"2\"]\n", |v| {
            v["a"]["b"] = "123".into()
        })
        .unwrap();
        assert_eq!(escaped, "a: {b: '123', x: \"a\\tb\\\"\"}\nl: [1, \"2\"]\n");
    }

    #[test]
    fn comments_stay_where_they_were() {
        let text = "# head\nversion: \"2\" # right\n# above\noutput: {a: b, region: x}   # flow\nl:\n# above item\n- x # r\n- name: a\n  # inside\n  v: 1\n# before b\n- b\nm:\n  k: v\n  # foot of m\n# foot of root\n";
        let out = edit(text, |v| v["output"]["region"] = "eu".into()).unwrap();
        assert_eq!(
            out,
            "# head\nversion: \"2\" # right\n# above\noutput: {a: b, region: eu} # flow\nl:\n# above item\n- x # r\n- name: a\n  # inside\n  v: 1\n# before b\n- b\nm:\n  k: v\n  # foot of m\n# foot of root\n"
        );
    }

    #[test]
    fn other_documents_are_left_to_the_block_writer() {
        for text in [
            "a: [1, # comment\n  2]\n",
            "a:\n  # between\n  1\n",
            "# document comment\n\na: 1\n",
            "a: 1\n\n# document foot\n",
            "a: &x 1\nb: *x\n",
            "a: |\n  text\n",
            "a: !!str 1\n",
            "a: b\n  c\n",
            "a: [b, {c: d}]\nlong: 0123456789012345678901234567890123456789012345678901234567890123456789012345678\n",
        ] {
            assert!(edit(text, |v| v["a"] = "z".into()).is_none(), "{text}");
        }
        // The edit added a key.
        assert!(edit("a: {b: c}\n", |v| v["a"]["d"] = "e".into()).is_none());
    }
}
