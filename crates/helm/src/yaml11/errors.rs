//! Errors in libyaml's words, positioned as go-yaml reports them

use super::*;

/// `yaml: line N: msg` as go-yaml's `parser.fail` words it. `line` is the 1-based line of the
/// problem; scanner errors report it as is, parser errors report the 0-based line (one less),
/// and a problem on the first line has no line at all.
pub(super) fn with_line(line: usize, msg: &str, scanner: bool) -> String {
    let line0 = line.saturating_sub(1);
    if line0 == 0 {
        return format!("yaml: {msg}");
    }
    let shown = if scanner { line0 + 1 } else { line0 };
    format!("yaml: line {shown}: {msg}")
}

/// The reader's check: go-yaml refuses control characters anywhere in the input.
pub(super) fn reader_error(text: &str) -> Option<String> {
    // Printable ASCII, tabs and line breaks are the common case: only other bytes need
    // decoding.
    if is_plain_ascii(text.as_bytes()) {
        return None;
    }
    let bad = |c: char| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    // A byte order mark is allowed at the start.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Runs of plain ASCII are skipped 32 bytes at a time; only the rest is decoded (CRDs are
    // ASCII but for a few curly quotes and dashes).
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let end = (i + 32).min(b.len());
        if is_plain_ascii(&b[i..end]) {
            i = end;
            continue;
        }
        // `i` is on a character boundary: it only moves by ASCII runs or whole characters.
        for c in body[i..].chars() {
            if bad(c) {
                return Some("yaml: control characters are not allowed".to_string());
            }
            i += c.len_utf8();
            if i >= end {
                break;
            }
        }
    }
    None
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
pub(super) fn line_of(text: &str, offset: usize) -> usize {
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
pub(super) fn eof_line(text: &str) -> usize {
    line_of(text, text.len())
}

/// Line (1-based) of libyaml's stream-end token, which starts a line of its own.
pub(super) fn stream_end_line(text: &str) -> usize {
    eof_line(text) + usize::from(column(text, text.len()) != 0)
}

/// Column (in characters) of a byte offset.
pub(super) fn column(text: &str, offset: usize) -> usize {
    let before = &text[..offset.min(text.len())];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    before[start..].chars().count()
}

/// Byte offsets where lines start.
pub(super) fn line_starts(text: &str) -> Vec<usize> {
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
pub(super) fn next_line(text: &str, offset: usize) -> usize {
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
pub(super) fn line_at(text: &str, start: usize) -> &str {
    let rest = &text[start.min(text.len())..];
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    &rest[..end]
}

/// Where the next token starts: blanks, line breaks and comments skipped.
pub(super) fn next_token(text: &str, from: usize) -> usize {
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
pub(super) fn tab_line_after(text: &str, from: usize) -> usize {
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
pub(super) fn is_marker(text: &str, at: usize, which: &str) -> bool {
    let rest = &text[at.min(text.len())..];
    column(text, at) == 0
        && rest.starts_with(which)
        && rest[3..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// The first line after the line of `from` starting with a document marker.
pub(super) fn marker_line_after(text: &str, from: usize) -> usize {
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
pub(super) fn directive_error(text: &str, doc_start: usize) -> Option<(String, usize)> {
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

/// libyaml's scanner errors for the directives (`%…` lines) that open a stream: a name
/// must follow `%` and end at a blank, `%YAML` needs `MAJOR.MINOR`, and other names than
/// `YAML` and `TAG` are unknown. The message and the offset of the directive.
pub(super) fn directive_scan_error(text: &str) -> Option<(String, usize)> {
    for (n, &start) in line_starts(text).iter().enumerate() {
        let line = line_at(text, start);
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Directives end at the first other line.
        let d = line.strip_prefix('%')?;
        if let Some(problem) = directive_problem(d) {
            return Some((with_line(n + 1, problem, true), start));
        }
        // go-yaml v2 reads YAML 1.1 only (a parser error, after the scanner's).
        let mut words = d.split_whitespace();
        if words.next() == Some("YAML") && words.next() != Some("1.1") {
            let msg = with_line(n + 1, "found incompatible YAML document", false);
            return Some((msg, start));
        }
    }
    None
}

fn directive_problem(d: &str) -> Option<&'static str> {
    let blank_or_end = |s: &str| s.is_empty() || s.starts_with([' ', '\t', '\r', '\n']);
    let name_len = d
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(d.len());
    let (name, rest) = d.split_at(name_len);
    if name.is_empty() {
        return Some("could not find expected directive name");
    }
    if !blank_or_end(rest) {
        return Some("found unexpected non-alphabetical character");
    }
    match name {
        "YAML" => {
            let v = rest.trim_start_matches([' ', '\t']);
            let major = v.bytes().take_while(u8::is_ascii_digit).count();
            if major == 0 {
                return Some("did not find expected version number");
            }
            let Some(after) = v[major..].strip_prefix('.') else {
                return Some("did not find expected digit or '.' character");
            };
            let minor = after.bytes().take_while(u8::is_ascii_digit).count();
            if minor == 0 {
                return Some("did not find expected version number");
            }
            let tail = after[minor..].trim_start_matches([' ', '\t']);
            if !(tail.is_empty() || tail.starts_with('#')) {
                return Some("did not find expected comment or line break");
            }
            None
        }
        "TAG" => None,
        _ => Some("found unknown directive name"),
    }
}

/// A bad escape in the double-quoted scalar starting at `from`, as libyaml sees it: its
/// offset and message.
pub(super) fn bad_escape(text: &str, from: usize) -> Option<(usize, &'static str)> {
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
pub(super) fn quoted_scalar_error(
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
pub(super) fn tab_error(text: &str, toks: &[Tok], limit: usize) -> Option<String> {
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

pub(super) const BLOCK_TAB: &str = "found a tab character where an indentation space is expected";
pub(super) const PLAIN_TAB: &str = "found a tab character that violates indentation";
pub(super) const NO_TOKEN: &str = "found character that cannot start any token";

/// Where libyaml's scanner stops reading a plain scalar starting at `from` in block context
/// whose continuation lines must be indented past `col`.
pub(super) fn plain_stop(text: &str, from: usize, col: usize) -> usize {
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
pub(super) fn key_error_line(text: &str, key: usize) -> usize {
    // A flow collection as the key is read whole, whatever `: ` it holds (`{x: 1}`).
    let flow = matches!(text.as_bytes().get(key), Some(b'{' | b'['));
    let stop = if flow {
        flow_scan(text, key, text.len())
            .closed
            .unwrap_or(text.len())
    } else {
        plain_stop(text, key, column(text, key))
    };
    let at = if line_of(text, stop) > line_of(text, key) {
        stop
    } else if flow {
        // Whatever follows on the key's line is scanned with the key still possible; the
        // scanner gives it up on the next line with a token.
        next_token(text, next_line(text, stop))
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
pub(super) struct FlowScan {
    pub(super) open: Option<u8>,
    pub(super) last: Option<u8>,
    pub(super) mismatch: Option<usize>,
    pub(super) closed: Option<usize>,
}

pub(super) fn flow_scan(text: &str, from: usize, until: usize) -> FlowScan {
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
pub(super) fn flow_message(open: Option<u8>, last: Option<u8>) -> &'static str {
    match (last, open) {
        (Some(b'[' | b'{' | b',' | b':'), _) => "did not find expected node content",
        (_, Some(b'{')) => "did not find expected ',' or '}'",
        _ => "did not find expected ',' or ']'",
    }
}

/// The line where libyaml gives up on a flow collection at `start` as a required mapping key
/// (it starts a line at the column of the block mapping around it, and no `:` follows it on
/// that line); `None` when it is no such key.
pub(super) fn pending_key_line(text: &str, c: &Composer, start: usize) -> Option<usize> {
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
pub(super) fn trailing_token_error(text: &str, end: usize) -> Option<String> {
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
pub(super) fn indicator_after_node(text: &str, end: usize, at: usize) -> Option<&'static str> {
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

/// go-yaml's error for an empty flow collection (`{}`, `[ ]`) opened first on its line at
/// the column of an open block collection, where that collection's next key or `-` entry
/// belongs. go-yaml's scanner keeps the collection as a possible key, but closing the
/// collection drops that key's entry (both share one token number), so its parser meets the
/// collection itself there, whatever follows it (`{}`, `{} x`, `{}: c`).
pub(super) fn empty_flow_key_error(text: &str, c: &Composer, start: usize) -> Option<String> {
    if !matches!(text.as_bytes().get(start), Some(b'{' | b'[')) {
        return None;
    }
    let col = column(text, start);
    let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[ls..start].bytes().all(|b| b == b' ') {
        return None;
    }
    let end = flow_scan(text, start, text.len()).closed?;
    if !text[start + 1..end - 1]
        .bytes()
        .all(|b| matches!(b, b' ' | b'\n'))
    {
        return None;
    }
    // An indentless sequence ends where its mapping's next key belongs.
    let at_col = |map: bool| {
        c.open
            .iter()
            .rev()
            .find(|o| !o.flow && o.map == map && o.col == col)
    };
    let o = at_col(true).or_else(|| at_col(false))?;
    // Only where an entry is complete: before the first, the collection starts there, and
    // after a key with its value still to come, the flow collection is that value.
    let started = match &c.nodes[o.node] {
        Kind::Map(k) => !k.is_empty() && k.len() % 2 == 0,
        Kind::Seq(k) => !k.is_empty(),
        _ => false,
    };
    started.then(|| with_line(line_of(text, start), container_message(o), false))
}

/// libyaml's parser message when a collection meets an unexpected token.
pub(super) fn container_message(o: &Open) -> &'static str {
    match (o.flow, o.map) {
        (true, true) => "did not find expected ',' or '}'",
        (true, false) => "did not find expected ',' or ']'",
        (false, true) => "did not find expected key",
        (false, false) => "did not find expected '-' indicator",
    }
}

pub(super) enum Mapped {
    Error(String),
    /// go-yaml never looks that far: the document is what was read.
    Ignore,
    /// go-yaml stops before this offset: the document is what precedes it.
    Prefix(usize),
    /// go-yaml accepts what granit refused: read this equivalent text instead.
    Retry(String),
}

pub(super) fn map_error(text: &str, e: &ScanError, c: &Composer) -> Mapped {
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
    if let Some(msg) = Some(next_token(text, c.last_end))
        .filter(|&start| start <= off)
        .and_then(|start| empty_flow_key_error(text, c, start))
    {
        return Mapped::Error(msg);
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
pub(super) fn message(kind: &ErrorKind) -> (String, bool) {
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
        K::RecursionLimitExceeded => ("exceeded max depth of 10000", true),
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
