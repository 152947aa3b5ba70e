//! A quick reader for the plain block YAML that charts and templates mostly consist of:
//! block mappings with simple keys, block sequences (compact mappings in items included),
//! one-line plain, single- and double-quoted scalars, literal block scalars (`|`, `|-`, `|+`),
//! empty flow collections (`{}`, `[]`), comments and a leading `---`.
//!
//! It builds the same nodes the full composer builds, so decoding is shared. Anything outside
//! that subset, and anything that might be an error, makes it give up (`None`) and the full
//! composer reads the text, with go-yaml's errors. It never decides an error itself.

use super::Kind;
use std::borrow::Cow;

/// The first (only) document's nodes and root, or `None` to leave the text to the full
/// composer.
pub(super) fn compose(text: &str) -> Option<(Vec<Kind<'_>>, usize)> {
    if has_unusual_bytes(text.as_bytes()) {
        return None;
    }
    let lines: Vec<&str> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect();
    let mut r = Reader {
        nodes: Vec::with_capacity(lines.len() * 2),
        open: Vec::new(),
        root: None,
        pending: None,
        lines: &lines,
        ends_with_newline: text.ends_with('\n'),
    };
    let has_tabs = text.as_bytes().contains(&b'\t');
    let mut i = 0;
    let mut marker_seen = false;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let rest = line.trim_start_matches(' ');
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if has_tabs && line.contains('\t') {
            return None;
        }
        let indent = line.len() - rest.len();
        if indent == 0
            && (rest.starts_with("---") || rest.starts_with("...") || rest.starts_with('%'))
        {
            // Only a bare `---` before any content: anything else is a second document,
            // a directive or content on the marker line.
            let bare = rest.starts_with("---") && is_blank_or_comment(&rest[3..]);
            if bare && !marker_seen && r.root.is_none() {
                marker_seen = true;
                continue;
            }
            return None;
        }
        i = r.line(indent, rest, i)?;
    }
    r.finish_pending();
    let root = r.root?;
    Some((r.nodes, root))
}

/// Carriage returns, the YAML 1.1 line breaks (NEL, LS, PS) and byte order marks.
pub(super) fn has_unusual_bytes(b: &[u8]) -> bool {
    if super::is_plain_ascii(b) {
        return false;
    }
    let unusual_at = |i: usize| match b[i] {
        b'\r' => true,
        0xC2 => b.get(i + 1) == Some(&0x85),
        0xE2 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)),
        0xEF => b.get(i + 1) == Some(&0xBB) && b.get(i + 2) == Some(&0xBF),
        _ => false,
    };
    // Plain ASCII runs skipped 32 bytes at a time.
    let mut i = 0;
    while i < b.len() {
        let end = (i + 32).min(b.len());
        if !super::is_plain_ascii(&b[i..end]) && (i..end).any(unusual_at) {
            return true;
        }
        i = end;
    }
    false
}

/// Spaces, then nothing or a comment (which needs a space before it).
fn is_blank_or_comment(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < s.len())
}

#[derive(Clone, Copy)]
struct Open {
    node: usize,
    indent: usize,
    map: bool,
}

/// A node whose value starts on a later line (`key:` or `-` with nothing after it), with the
/// indentation of the collection it belongs to.
#[derive(Clone, Copy)]
enum Pending {
    MapValue(usize),
    SeqItem(usize),
}

impl Pending {
    /// The indentation of the collection the value belongs to: its lines go deeper.
    fn indent(self) -> usize {
        match self {
            Pending::MapValue(i) | Pending::SeqItem(i) => i,
        }
    }
}

struct Reader<'l, 't> {
    nodes: Vec<Kind<'t>>,
    open: Vec<Open>,
    root: Option<usize>,
    pending: Option<Pending>,
    lines: &'l [&'t str],
    ends_with_newline: bool,
}

fn is_item(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

impl<'t> Reader<'_, 't> {
    fn add(&mut self, kind: Kind<'t>) -> usize {
        let id = self.nodes.len();
        self.nodes.push(kind);
        match self.open.last() {
            Some(o) => match &mut self.nodes[o.node] {
                Kind::Seq(c) | Kind::Map(c) => c.push(id),
                _ => unreachable!("only collections are open"),
            },
            None => self.root = Some(id),
        }
        id
    }

    /// A one-line flow collection of scalars (a mapping's keys and values interleaved).
    fn flow_collection(&mut self, kind: Kind<'t>, scalars: impl IntoIterator<Item = FlowItem<'t>>) {
        let node = self.add(kind);
        for (value, plain) in scalars {
            let id = self.nodes.len();
            self.nodes.push(Kind::Scalar {
                value,
                tag: String::new(),
                plain,
            });
            if let Kind::Seq(c) | Kind::Map(c) = &mut self.nodes[node] {
                c.push(id);
            }
        }
    }

    fn open(&mut self, indent: usize, map: bool) {
        let kind = if map {
            Kind::Map(Vec::new())
        } else {
            Kind::Seq(Vec::new())
        };
        let node = self.add(kind);
        self.open.push(Open { node, indent, map });
    }

    fn scalar(&mut self, value: Cow<'t, str>, plain: bool) {
        self.add(Kind::Scalar {
            value,
            tag: String::new(),
            plain,
        });
    }

    fn finish_pending(&mut self) {
        if self.pending.take().is_some() {
            self.scalar(Cow::Borrowed(""), true);
        }
    }

    /// One content line at `indent`; `next` is the index of the line after it. Returns the
    /// index of the next line to read (block scalars consume lines).
    fn line(&mut self, indent: usize, rest: &'t str, next: usize) -> Option<usize> {
        if let Some(p) = self.pending.take() {
            let (parent, same_indent_seq) = match p {
                Pending::MapValue(m) => (m, true),
                Pending::SeqItem(s) => (s, false),
            };
            if indent > parent
                && !is_item(rest)
                && key_of(rest).is_none()
                && !rest.starts_with(['#', '|', '>'])
            {
                // The value on the line after its key or dash (`annotations:` then `{}`).
                return self.value(rest, p, next);
            }
            if indent > parent || (same_indent_seq && indent == parent && is_item(rest)) {
                self.open(indent, !is_item(rest));
            } else {
                self.scalar(Cow::Borrowed(""), true);
            }
        } else if self.root.is_none() {
            self.open(indent, !is_item(rest));
        }
        while let Some(top) = self.open.last() {
            if top.indent > indent || (top.indent == indent && !top.map && !is_item(rest)) {
                self.open.pop();
            } else {
                break;
            }
        }
        let top = *self.open.last()?;
        if top.indent != indent {
            // Deeper than the open collection without a pending value: a continuation line
            // or an error; either way not ours.
            return None;
        }
        if top.map {
            let (key, plain, after) = key_of(rest)?;
            self.scalar(key, plain);
            self.value(after, Pending::MapValue(indent), next)
        } else {
            if !is_item(rest) {
                return None;
            }
            let after = &rest[1..];
            let content = after.trim_start_matches(' ');
            if content.is_empty() || content.starts_with('#') {
                self.pending = Some(Pending::SeqItem(indent));
                return Some(next);
            }
            if is_item(content) {
                return None;
            }
            if let Some((key, plain, value)) = key_of(content) {
                let col = indent + 1 + (after.len() - content.len());
                self.open(col, true);
                self.scalar(key, plain);
                return self.value(value, Pending::MapValue(col), next);
            }
            self.value(content, Pending::SeqItem(indent), next)
        }
    }

    /// The value after `key:` or `- `; `ctx` says whose value it is.
    fn value(&mut self, v: &'t str, ctx: Pending, next: usize) -> Option<usize> {
        let v = v.trim_start_matches(' ');
        if v.is_empty() || v.starts_with('#') {
            self.pending = Some(ctx);
            return Some(next);
        }
        let first = v.as_bytes()[0];
        match first {
            b'"' | b'\'' if !closes_on_line(&v[1..], first) => {
                let parent = ctx.indent();
                let (text, after) = self.quoted_continued(&v[1..], first, parent, next)?;
                self.scalar(Cow::Owned(text), false);
                return Some(after);
            }
            b'"' => {
                let (s, rest) = double_quoted(&v[1..])?;
                is_blank_or_comment(rest).then_some(())?;
                self.scalar(s, false);
            }
            b'\'' => {
                let (s, rest) = single_quoted(&v[1..])?;
                is_blank_or_comment(rest).then_some(())?;
                self.scalar(s, false);
            }
            b'|' => {
                let parent = ctx.indent();
                let (s, after) = self.literal(&v[1..], parent, next)?;
                self.scalar(Cow::Owned(s), false);
                return Some(after);
            }
            b'[' if !v[1..].trim_start_matches(' ').starts_with(']') => {
                // `["ALL"]`, `[a, b]`: every security context of every bitnami chart.
                let (items, rest) = flow_sequence(&v[1..])?;
                is_blank_or_comment(rest).then_some(())?;
                self.flow_collection(Kind::Seq(Vec::with_capacity(items.len())), items);
            }
            b'{' if !v[1..].trim_start_matches(' ').starts_with('}') => {
                // `{ type: RuntimeDefault }`, `{enabled: true}`: one line of simple pairs.
                let (pairs, rest) = flow_mapping(&v[1..])?;
                is_blank_or_comment(rest).then_some(())?;
                let map = Kind::Map(Vec::with_capacity(2 * pairs.len()));
                self.flow_collection(map, pairs.into_iter().flat_map(|(k, v)| [k, v]));
            }
            b'{' | b'[' => {
                // `{}`, `[]`, or with spaces inside (`{ }`).
                let inner = v[1..].trim_start_matches(' ');
                let close = if first == b'{' { '}' } else { ']' };
                let rest = inner.strip_prefix(close)?;
                if !is_blank_or_comment(rest) {
                    return None;
                }
                let map = first == b'{';
                self.add(if map {
                    Kind::Map(Vec::new())
                } else {
                    Kind::Seq(Vec::new())
                });
            }
            // Alone or before a space these are indicators; before anything else they start a
            // plain scalar (`-x`, `:8080`, VictoriaMetrics' listen addresses).
            b'-' | b'?' | b':' if v.len() == 1 || v.as_bytes()[1] == b' ' => return None,
            b'>' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b',' | b']' | b'}' => {
                return None;
            }
            _ => {
                let s = plain(v)?;
                let parent = ctx.indent();
                if let Some((folded, after)) = self.plain_continued(s, v, parent, next)? {
                    self.scalar(Cow::Owned(folded), true);
                    return Some(after);
                }
                self.scalar(Cow::Borrowed(s), true);
            }
        }
        Some(next)
    }

    /// The lines after a plain scalar's first line `first` (its text `v` as written) that
    /// continue it: `Some(None)` when none do, `Some(Some((folded, next line)))` when some
    /// more indented than `parent` do (the description paragraphs of every CRD
    /// controller-gen writes), `None` when they might be anything but plain words.
    fn plain_continued(
        &self,
        first: &str,
        v: &str,
        parent: usize,
        from: usize,
    ) -> Option<Option<(String, usize)>> {
        let continues = |line: &str| {
            let rest = line.trim_start_matches(' ');
            !rest.is_empty() && line.len() - rest.len() > parent
        };
        let blank = |line: &str| line.trim_start_matches(' ').is_empty();
        let comment = |line: &str| line.trim_start_matches(' ').starts_with('#');
        let mut j = from;
        while j < self.lines.len() && blank(self.lines[j]) {
            j += 1;
        }
        if j < self.lines.len() && comment(self.lines[j]) {
            // A comment line, however indented, ends the scalar (bitnami's `## @param` lines
            // sit deeper than the value before them); more indented content after it is an
            // error, the full reader's to report.
            while j < self.lines.len() && (blank(self.lines[j]) || comment(self.lines[j])) {
                j += 1;
            }
            if j < self.lines.len() && continues(self.lines[j]) {
                return None;
            }
            return Some(None);
        }
        if j == self.lines.len() || !continues(self.lines[j]) {
            return Some(None);
        }
        if self.lines[from..=j].iter().any(|l| l.contains('\t')) {
            return None;
        }
        if v.contains(" #") {
            // A comment ends the scalar: what follows more indented is an error.
            return None;
        }
        let mut out = String::from(first);
        let mut breaks = 0usize;
        let mut end = from;
        for (k, line) in self.lines.iter().enumerate().skip(from) {
            if line.contains('\t') {
                return None;
            }
            let text = line.trim_matches(' ');
            if text.is_empty() {
                breaks += 1;
                continue;
            }
            if !continues(line) {
                break;
            }
            let b = text.as_bytes();
            if matches!(
                b[0],
                b'#' | b'-' | b'?' | b':' | b'[' | b']' | b'{' | b'}' | b','
            ) || matches!(b[0], b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@')
                || text.contains(": ")
                || text.contains(" #")
                || text.ends_with(':')
            {
                return None;
            }
            push_folded(&mut out, breaks, text);
            breaks = 0;
            end = k + 1;
        }
        if end == self.lines.len() && !self.ends_with_newline {
            // The last line has no line break of its own: left to the full reader.
            return None;
        }
        Some(Some((out, end)))
    }

    /// A quoted scalar (`quote` is `'` or `"`) opened on the line whose text after the quote
    /// is `start` and closed on a later line, each more indented than `parent`: lines folded
    /// as YAML folds them (a break between two lines is a space, each empty line a line
    /// feed). Double-quoted ones with any escape are left to the full reader.
    fn quoted_continued(
        &self,
        start: &str,
        quote: u8,
        parent: usize,
        from: usize,
    ) -> Option<(String, usize)> {
        let mut pieces: Vec<&str> = vec![start.trim_end_matches(' ')];
        for (k, line) in self.lines.iter().enumerate().skip(from) {
            if line.contains('\t') {
                return None;
            }
            let text = line.trim_matches(' ');
            if text.is_empty() {
                pieces.push("");
                continue;
            }
            if line.len() - line.trim_start_matches(' ').len() <= parent {
                return None;
            }
            if closes_on_line(text, quote) {
                let body = if quote == b'"' {
                    let q = close_of_double(text)?;
                    is_blank_or_comment(&text[q + 1..]).then_some(())?;
                    &text[..q]
                } else {
                    let q = close_of_single(text)?;
                    is_blank_or_comment(&text[q + 1..]).then_some(())?;
                    &text[..q]
                };
                pieces.push(body);
                // A line ending in a backslash escapes its break (or ends in an escaped
                // space): not folded here.
                if quote == b'"'
                    && pieces[..pieces.len() - 1]
                        .iter()
                        .any(|p| p.bytes().rev().take_while(|&c| c == b'\\').count() % 2 == 1)
                {
                    return None;
                }
                let mut out = String::new();
                let mut breaks = 0usize;
                for (i, p) in pieces.iter().enumerate() {
                    if i > 0 && p.is_empty() && i + 1 < pieces.len() {
                        breaks += 1;
                        continue;
                    }
                    if i == 0 {
                        out.push_str(p);
                    } else {
                        push_folded(&mut out, breaks, p);
                        breaks = 0;
                    }
                }
                if quote == b'\'' {
                    out = out.replace("''", "'");
                } else if out.contains('\\') {
                    out.push('"');
                    let (text, rest) = double_quoted(&out)?;
                    rest.is_empty().then_some(())?;
                    out = text.into_owned();
                }
                return Some((out, k + 1));
            }
            pieces.push(text);
        }
        None
    }

    /// A literal block scalar whose header (after `|`) is `header`, inside a collection at
    /// indentation `parent`; its lines start at `from`. Returns the value and the next line.
    fn literal(&self, header: &str, parent: usize, from: usize) -> Option<(String, usize)> {
        #[derive(PartialEq)]
        enum Chomp {
            Clip,
            Strip,
            Keep,
        }
        let (chomp, rest) = match header.as_bytes().first() {
            Some(b'-') => (Chomp::Strip, &header[1..]),
            Some(b'+') => (Chomp::Keep, &header[1..]),
            _ => (Chomp::Clip, header),
        };
        if !is_blank_or_comment(rest) {
            return None;
        }
        let mut indent: Option<usize> = None;
        let mut leading_spaces = 0;
        // Each line of the scalar: its text after the indentation ("" for an empty line).
        let mut body: Vec<&str> = Vec::new();
        let mut j = from;
        while j < self.lines.len() {
            let line = self.lines[j];
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let blank = spaces == line.len();
            match indent {
                None if blank => {
                    leading_spaces = leading_spaces.max(spaces);
                    body.push("");
                }
                None if spaces <= parent => break,
                None => {
                    if leading_spaces > spaces || line[spaces..].starts_with('\t') {
                        return None;
                    }
                    indent = Some(spaces);
                    body.push(&line[spaces..]);
                }
                Some(ind) if blank => body.push(if spaces > ind { &line[ind..] } else { "" }),
                Some(ind) if spaces < ind => break,
                Some(ind) => body.push(&line[ind..]),
            }
            j += 1;
        }
        if j == self.lines.len() && !self.ends_with_newline {
            // The last line has no line break of its own.
            return None;
        }
        let Some(last) = body.iter().rposition(|l| !l.is_empty()) else {
            // No content: only clipping and stripping of nothing are certain.
            return (chomp != Chomp::Keep).then(|| (String::new(), j));
        };
        let mut s = body[..=last].join("\n");
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => s.push('\n'),
            Chomp::Keep => {
                for _ in last..body.len() {
                    s.push('\n');
                }
            }
        }
        Some((s, j))
    }
}

/// `key:` at the start of `s` with a simple plain key or a quoted one without escapes
/// (`"helm.sh/hook": x`); returns the key, whether it is plain, and what follows the colon.
fn key_of(s: &str) -> Option<(Cow<'_, str>, bool, &str)> {
    let (key, plain, after) = key_of_any_length(s)?;
    // go-yaml refuses an implicit key of more than 1024 characters (quotes included); the
    // full reader words that refusal.
    let written = s.len() - after.len() - 1;
    (written <= MAX_SIMPLE_KEY).then_some((key, plain, after))
}

/// The longest implicit key go-yaml takes, in characters (here bytes: longer keys of
/// multi-byte characters are left to the full reader too).
const MAX_SIMPLE_KEY: usize = 1024;

fn key_of_any_length(s: &str) -> Option<(Cow<'_, str>, bool, &str)> {
    let quote = *s.as_bytes().first()?;
    if quote != b'"' && quote != b'\'' {
        return parse_key(s).map(|(k, after)| (Cow::Borrowed(k), true, after));
    }
    let q = 1 + s[1..].find(char::from(quote))?;
    let key = &s[1..q];
    if key.contains(['\\', '"', '\'']) || s[q + 1..].starts_with(char::from(quote)) {
        return None;
    }
    let after = s[q + 1..].strip_prefix(':')?;
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((Cow::Borrowed(key), false, after))
}

/// `key:` at the start of `s` with a simple plain key; returns the key and what follows the
/// colon.
fn parse_key(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_alphanumeric() || first == b'_' || first == b'.' || first == b'/') {
        return None;
    }
    let n = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/')))?;
    if b[n] != b':' || !matches!(b.get(n + 1), None | Some(b' ')) {
        return None;
    }
    Some((&s[..n], &s[n + 1..]))
}

/// A one-line plain scalar: up to a comment, trailing spaces dropped. `None` when it has a
/// `: ` or ends with `:` (a mapping the simple reader does not take).
fn plain(v: &str) -> Option<&str> {
    // One pass over the bytes: a `: ` before the comment is refused as it is met.
    let b = v.as_bytes();
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        match (c, b.get(i + 1)) {
            (b' ', Some(b'#')) => {
                end = i;
                break;
            }
            (b':', Some(b' ')) => return None,
            _ => {}
        }
    }
    let s = v[..end].trim_end_matches(' ');
    if s.ends_with(':') {
        return None;
    }
    Some(s)
}

/// A flow sequence's item and whether it is plain.
type FlowItem<'t> = (Cow<'t, str>, bool);

/// The items of a one-line flow sequence after its `[`, each quoted or a plain word of
/// letters, digits and `_./+-` (not starting with `-`), separated by commas; returns them
/// (with whether each is plain) and what follows the `]`. Anything else (nested
/// collections, plain items with spaces or flow indicators, a trailing comma) is `None`.
fn flow_sequence(s: &str) -> Option<(Vec<FlowItem<'_>>, &str)> {
    flow_entries(s, b']', flow_scalar)
}

/// The comma-separated entries of a one-line flow collection after its opening bracket, each
/// read by `entry`, and the text after `close`; `None` at anything else (a trailing comma).
fn flow_entries<'t, T>(
    s: &'t str,
    close: u8,
    entry: impl Fn(&'t str) -> Option<(T, &'t str)>,
) -> Option<(Vec<T>, &'t str)> {
    let mut entries = Vec::new();
    let mut rest = s.trim_start_matches(' ');
    loop {
        let (e, after) = entry(rest)?;
        entries.push(e);
        rest = after.trim_start_matches(' ');
        match *rest.as_bytes().first()? {
            b',' => rest = rest[1..].trim_start_matches(' '),
            c if c == close => return Some((entries, &rest[1..])),
            _ => return None,
        }
        if rest.as_bytes().first() == Some(&close) {
            return None;
        }
    }
}

/// A quoted or simple plain scalar at the start of `s` in a flow collection, and what follows.
fn flow_scalar(s: &str) -> Option<(FlowItem<'_>, &str)> {
    let (item, after) = match s.as_bytes().first()? {
        b'"' => double_quoted(&s[1..])?,
        b'\'' => single_quoted(&s[1..])?,
        c if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/') => {
            let n = s
                .bytes()
                .position(|c| {
                    !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'+' | b'-'))
                })
                .unwrap_or(s.len());
            (Cow::Borrowed(&s[..n]), &s[n..])
        }
        _ => return None,
    };
    let plain = !matches!(s.as_bytes()[0], b'"' | b'\'');
    Some(((item, plain), after))
}

/// The pairs of a one-line flow mapping after its `{`, each key and value a [`flow_scalar`]
/// (a key followed by `: `), and the text after the closing `}`; `None` for anything else.
fn flow_mapping(s: &str) -> Option<(Vec<(FlowItem<'_>, FlowItem<'_>)>, &str)> {
    flow_entries(s, b'}', |rest| {
        let (key, after) = flow_scalar(rest)?;
        let (value, after) = flow_scalar(after.strip_prefix(": ")?.trim_start_matches(' '))?;
        Some(((key, value), after))
    })
}

/// Appends the next line `text` of a folded scalar after `breaks` empty lines: a line break
/// with none between folds to a space, otherwise each empty line is a line feed.
fn push_folded(out: &mut String, breaks: usize, text: &str) {
    if breaks == 0 {
        out.push(' ');
    }
    for _ in 0..breaks {
        out.push('\n');
    }
    out.push_str(text);
}

/// Whether a scalar opened by `quote` before `s` closes on this line (for `'`, a quote not
/// doubled; for `"`, one not escaped).
fn closes_on_line(s: &str, quote: u8) -> bool {
    if quote == b'\'' {
        close_of_single(s).is_some()
    } else {
        close_of_double(s).is_some()
    }
}

/// The index of the quote that closes a double-quoted scalar in `s`, skipping escapes.
fn close_of_double(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The index of the quote that closes a single-quoted scalar in `s` (after its opening
/// quote), skipping `''` pairs.
fn close_of_single(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A double-quoted scalar closed on the same line, with the common escapes only.
fn double_quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    // Most quoted scalars have no escape: taken as they stand.
    if let Some(q) = s.bytes().position(|c| c == b'"' || c == b'\\')
        && s.as_bytes()[q] == b'"'
    {
        return Some((Cow::Borrowed(&s[..q]), &s[q + 1..]));
    }
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), &s[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    't' => '\t',
                    _ => return None,
                });
            }
            c => out.push(c),
        }
    }
    None
}

/// A single-quoted scalar closed on the same line (`''` is a quote).
fn single_quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let q = s.find('\'')?;
    if !s[q + 1..].starts_with('\'') {
        return Some((Cow::Borrowed(&s[..q]), &s[q + 1..]));
    }
    let mut out = String::new();
    let mut rest = s;
    loop {
        let q = rest.find('\'')?;
        out.push_str(&rest[..q]);
        if rest[q + 1..].starts_with('\'') {
            out.push('\'');
            rest = &rest[q + 2..];
        } else {
            return Some((Cow::Owned(out), &rest[q + 1..]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check_simple_reader as agrees;

    #[test]
    fn takes_common_block_yaml_and_agrees() {
        let taken = [
            "a: 1\nb: two\n",
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    app.kubernetes.io/name: y\ndata:\n  k: v # comment\n",
            "# leading comment\n\nlist:\n- a\n- 'b'\n- \"c\\n\"\n-\n- x: 1\n  y: [] \n- {}\nnext: ok\n",
            "spec:\n  containers:\n    - name: app\n      image: \"r/app:1.0\"\n      ports:\n        - containerPort: 80\n          protocol: TCP\n      env:\n      - name: A\n        value: it''s\n",
            "script: |\n  #!/bin/sh\n  echo \"hi\"\n\n    indented\n\nafter: 1\n",
            "strip: |-\n  a\n  b\n\n\nclip: |\n  c\n\n\nkeep: |+\n  d\n\n\nend: x\n",
            "empty: |\nnext: 1\nlead: |\n\n  x\n",
            "- |\n  in a list\n- k: |\n    in a map\n  j: 2\n",
            "y: n\nyes: no\non: off\n010: 0x1F\n1_000: 1e3\n.5: +5\nnull_ish: ~\nt: 2001-12-14\n",
            "inf: .infinite\nv: -.5\nw: .5.\nnested:\n  deeper:\n    deepest: true\n  back: false\n",
            "a:\nb:\n  c:\nd: 1\n",
            "key: value with :colon and a#hash\nurl: http://x/y?z=1#frag\nquote: \"it's \\\"fine\\\"\"\n",
            "dup: 1\ndup: 2\nm:\n  x: 1\nm:\n  y: 2\n",
            "   indented: root\n   more: 2\n",
            "neg: -1\ndash: -x\nminus: ---\n",
            "unicode: héllo wörld ✓\nx: 'no'\n",
            "drop: [\"ALL\"]\nports: [80, 443] # web\nnames: [ a.b/c, 'it''s', \"q\\\"\" , x-1+2 ]\n",
            "- [yes, no, on, null, 0x1F, 1e3]\n- k: [v]\n",
            "description: AlertmanagerConfig configures the Prometheus Alertmanager,\n  specifying how alerts should be grouped.\n\n\n  It is namespaced.\nnext: 1\n",
            "- a plain item\n  continued here\n   and here\n- k: v\n  w: first\n    second\n\n",
            "a: x\n b\n",
            "n: 1\n  2\ny: yes\n  no\n",
            "c: cloud. Options are\n  'AzurePublic', or \"x\".\n",
            "metadata:\n  annotations:\n    {}\n  labels:\n    [ ]\n  name:\n    x\n    y\n  q:\n    'z'\nlist:\n-\n  { }\n- {  } # c\n",
            "annotations:\n  \"helm.sh/hook\": pre-install\n  'a b': \"c\"\n  \"true\": 1\n\"quoted key\": 1\n",
            "list:\n- \"k\": v\n  'j': w\n",
            "true: 1\n\"true\": 2\ntrue: 3\n",
            "11: 1\n\"11\": 2\n11: 3\n",
            "0x10: 1\n\"16\": 2\n0x10: 3\n",
            "yes: 1\n\"true\": 2\non: 3\n",
            "11: 1\n11.0: 2\n11: 3\n",
            "d: 'Container name: required\n  for volumes,\n\n  it''s # not a comment\n   ok'\ne: \"two\n  lines\" # c\n",
            "- 'a\n  b'\n- k: \"x\n    y\"\n",
            "d: \"status\n  of it.\\nKey \\\"names\\\"\n\n  are:\\n\\t* keys\"\n",
            "a: multi\n  # comment\n",
            "a:\n  port: 1\n    ## @param a.b deeper than its value\n\n      # and deeper\n  next: null\n    # x\nb: 2\n",
            "- x\n    # comment\n- y\n",
            "sc: { type: RuntimeDefault }\nm: {enabled: true, \"k\": 'v', a.b/c-d: 1.5} # c\nl:\n- {x: y}\n- k: {n: null}\n",
            "listen: :8080\nips:\n- ::1\nq: ?x\nd: -x\n",
        ];
        for t in taken {
            assert!(agrees(t), "the simple reader should take {t:?}");
        }
    }

    #[test]
    fn leaves_the_rest_to_the_full_reader() {
        let declined = [
            "a: &x 1\nb: *x\n",
            "<<: {a: 1}\n",
            "a: !!str 1\n",
            "a: {b: {c: 1}}\n",
            "a: {b: [1]}\n",
            "a: {b:1}\n",
            "a: {b: 1,}\n",
            "a: {b: 1} x\n",
            "a: {b: 1\n",
            "a: {b}\n",
            "a: {b: }\n",
            "a: {<<: 1}\n",
            "a: [1, [2]]\n",
            "a: [1, 2,]\n",
            "a: [1 2]\n",
            "a: [a: 1]\n",
            "a: [-1]\n",
            "a: [1, 2] x\n",
            "a: [1,\n  2]\n",
            "a: [1, {b: 2}]\n",
            "a: >\n  folded\n",
            "a: |2\n   x\n",
            "a: multi # comment\n  line\n",
            "a: multi\n  line: x\n",
            "a: multi\n  - line\n",
            "a: multi\n  # comment\n  more\n",
            "ips:\n- :x:\n",
            "- x\n    # comment\n    - y\n",
            "a: multi\n  line #c\n",
            "a: multi\n  line",
            "a: 'open\nquote'\n",
            "a: 'open\n  quote' x\n",
            "a: \"open\n  \\x41\"\n",
            "a: \"open\\\n  line\"\n",
            "\"k\\\"q\": 1\n",
            "'it''s': 1\n",
            "\"k\":1\n",
            "a:\n  |\n  x\n",
            "a: \"open\\ \n  line\"\n",
            "a: 'never closed\n  x\n",
            "a: \"\\x41\"\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: 1\n---\nb: 2\n",
            "--- a\n",
            "%YAML 1.1\n---\na: 1\n",
            "? complex\n: key\n",
            "a: b: c\n",
            "- - nested\n",
            "plain scalar\n",
            "",
            "# only a comment\n",
            "a: |\n  no final newline",
            "a: |\n\n     \n  x\n",
            "a:\n  - 1\n - 2\n",
            "---# not a marker\na: 1\n",
            "a: 1\n  b: 2\n",
        ];
        for t in declined {
            assert!(!agrees(t), "the simple reader should leave {t:?} alone");
        }
        // Keys over go-yaml's 1024 characters (quotes included) are its error to word; at the
        // limit they are taken.
        let x = |n| "x".repeat(n);
        for t in [
            format!("{}: 1\n", x(1025)),
            format!("\"{}\": 1\n", x(1023)),
            format!("a:\n  '{}': 1\n", x(1023)),
            format!("- \"{}\": 1\n", x(1023)),
        ] {
            assert!(
                !agrees(&t),
                "the simple reader should leave a long key alone"
            );
        }
        for t in [format!("{}: 1\n", x(1024)), format!("\"{}\": 1\n", x(1022))] {
            assert!(
                agrees(&t),
                "the simple reader should take a key of 1024 characters"
            );
        }
    }

    /// Every YAML file and rendered golden in the repository's test data, document by
    /// document: whatever the simple reader takes, it reads as the full reader does.
    #[test]
    fn agrees_on_the_test_data() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "txt" || x == "out")
                {
                    files.push(p);
                }
            }
        }
        let (mut docs, mut taken) = (0, 0);
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for doc in crate::yaml::split_documents(&text) {
                docs += 1;
                if agrees(&doc) {
                    taken += 1;
                }
            }
        }
        eprintln!("simple reader: {taken} of {docs} documents");
        assert!(docs > 1000, "only {docs} documents found");
        assert!(
            taken * 2 > docs,
            "the simple reader took only {taken} of {docs} documents"
        );
    }
}
