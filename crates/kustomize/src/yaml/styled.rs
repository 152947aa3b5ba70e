//! Writing back YAML held in a string after a replacement edited it, with the presentation
//! kyaml keeps: flow collections stay flow, scalars keep their quoting and spelling (`yes`,
//! `1.50`, `'x'`), an edited scalar keeps its quotes. Written as yaml.v3 does with kyaml's
//! settings (indent 2, sequences not indented under their key).
//!
//! Only simple documents are handled: one document without comments, anchors, aliases,
//! tags, block scalars or multi-line plain scalars, whose edit changed scalars only, and
//! whose lines stay within 80 columns (yaml.v3 folds longer ones). Anything else gives
//! `None` and the caller writes the document in block style.

use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

enum Node {
    Scalar {
        text: String,
        style: ScalarStyle,
    },
    Seq {
        items: Vec<Node>,
        flow: bool,
    },
    Map {
        pairs: Vec<(String, Node)>,
        flow: bool,
    },
}

/// `text` (whose parsed value was `old`) written back with the value `new`.
pub fn rewrite(text: &str, old: &Value, new: &Value) -> Option<String> {
    if text.contains('#') {
        return None;
    }
    let node = parse(text)?;
    let out = match &node {
        Node::Map { flow: false, pairs } if !pairs.is_empty() => block_map(old, new, &node, 0)?,
        Node::Seq { flow: false, items } if !items.is_empty() => block_seq(old, new, &node, 0)?,
        _ => inline(old, new, &node)?,
    };
    if out.lines().any(|l| l.chars().count() > 80) {
        return None;
    }
    Some(out)
}

fn parse(text: &str) -> Option<Node> {
    // Collections being built: a sequence, or a mapping with its pending key.
    enum Open {
        Seq(Vec<Node>, bool),
        Map(Vec<(String, Node)>, Option<String>, bool),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut docs = 0;
    // Places a finished node in its parent; `false` when it cannot be represented.
    fn place(stack: &mut [Open], root: &mut Option<Node>, n: Node) -> bool {
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return false;
                }
                *root = Some(n);
                true
            }
            Some(Open::Seq(items, _)) => {
                items.push(n);
                true
            }
            Some(Open::Map(pairs, key, _)) => match key.take() {
                Some(k) => {
                    pairs.push((k, n));
                    true
                }
                None => match n {
                    Node::Scalar {
                        text,
                        style: ScalarStyle::Plain,
                    } => {
                        *key = Some(text);
                        true
                    }
                    // Quoted keys would need their style kept too; rare, so not handled.
                    _ => false,
                },
            },
        }
    }
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.ok()?;
        match ev {
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
                let n = Node::Scalar {
                    text: value.into_owned(),
                    style,
                };
                if !place(&mut stack, &mut root, n) {
                    return None;
                }
            }
            Event::SequenceStart(style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                stack.push(Open::Seq(Vec::new(), style == StructureStyle::Flow));
            }
            Event::MappingStart(style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                stack.push(Open::Map(Vec::new(), None, style == StructureStyle::Flow));
            }
            Event::SequenceEnd => {
                let Some(Open::Seq(items, flow)) = stack.pop() else {
                    return None;
                };
                if !place(&mut stack, &mut root, Node::Seq { items, flow }) {
                    return None;
                }
            }
            Event::MappingEnd => {
                let Some(Open::Map(pairs, None, flow)) = stack.pop() else {
                    return None;
                };
                if !place(&mut stack, &mut root, Node::Map { pairs, flow }) {
                    return None;
                }
            }
            Event::Alias(..) => return None,
            _ => {}
        }
    }
    root
}

/// Whether a node is written on its key's or dash's line.
fn is_inline(n: &Node) -> bool {
    match n {
        Node::Scalar { .. } => true,
        Node::Seq { items, flow } => *flow || items.is_empty(),
        Node::Map { pairs, flow } => *flow || pairs.is_empty(),
    }
}

fn inline(old: &Value, new: &Value, n: &Node) -> Option<String> {
    match n {
        Node::Scalar { text, style } => scalar(old, new, text, *style),
        Node::Seq { items, .. } => {
            let (o, w) = (old.as_array()?, new.as_array()?);
            if o.len() != items.len() || w.len() != items.len() {
                return None;
            }
            let parts: Option<Vec<String>> = items
                .iter()
                .zip(o.iter().zip(w))
                .map(|(n, (o, w))| inline(o, w, n))
                .collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Node::Map { pairs, .. } => {
            let parts: Option<Vec<String>> = map_values(old, new, pairs)?
                .into_iter()
                .map(|(k, o, w, n)| Some(format!("{k}: {}", inline(o, w, n)?)))
                .collect();
            Some(format!("{{{}}}", parts?.join(", ")))
        }
    }
}

/// The old and new values of each pair; `None` when the edit added or removed keys.
fn map_values<'a>(
    old: &'a Value,
    new: &'a Value,
    pairs: &'a [(String, Node)],
) -> Option<Vec<(&'a str, &'a Value, &'a Value, &'a Node)>> {
    let (o, w) = (old.as_object()?, new.as_object()?);
    if o.len() != pairs.len() || w.len() != pairs.len() {
        return None;
    }
    pairs
        .iter()
        .map(|(k, n)| Some((k.as_str(), o.get(k)?, w.get(k)?, n)))
        .collect()
}

fn block_map(old: &Value, new: &Value, n: &Node, indent: usize) -> Option<String> {
    let Node::Map { pairs, .. } = n else {
        return None;
    };
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (k, o, w, n) in map_values(old, new, pairs)? {
        out.push_str(&pad);
        out.push_str(k);
        out.push(':');
        if is_inline(n) {
            out.push(' ');
            out.push_str(&inline(o, w, n)?);
            out.push('\n');
        } else if matches!(n, Node::Map { .. }) {
            out.push('\n');
            out.push_str(&block_map(o, w, n, indent + 2)?);
        } else {
            out.push('\n');
            out.push_str(&block_seq(o, w, n, indent)?);
        }
    }
    Some(out)
}

fn block_seq(old: &Value, new: &Value, n: &Node, indent: usize) -> Option<String> {
    let Node::Seq { items, .. } = n else {
        return None;
    };
    let (o, w) = (old.as_array()?, new.as_array()?);
    if o.len() != items.len() || w.len() != items.len() {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (n, (o, w)) in items.iter().zip(o.iter().zip(w)) {
        out.push_str(&pad);
        out.push_str("- ");
        if is_inline(n) {
            out.push_str(&inline(o, w, n)?);
            out.push('\n');
        } else {
            let inner = if matches!(n, Node::Map { .. }) {
                block_map(o, w, n, indent + 2)?
            } else {
                block_seq(o, w, n, indent + 2)?
            };
            out.push_str(&inner[indent + 2..]);
        }
    }
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
            _ => quoted(s, ScalarStyle::DoubleQuoted),
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
    fn other_documents_are_left_to_the_block_writer() {
        for text in [
            "a: 1 # comment\n",
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
