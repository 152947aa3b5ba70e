//! Patterns that Go's regexp (Helm's validator), the ECMA flavour of the full validator and
//! Rust's `regex` read alike: the quick check matches only these. The three part ways on
//! escapes (`\u`, `\p{…}`, `\<`, octal), nested or set-operation classes, stacked or huge
//! repetitions, inline flags and braces that are not repetitions; a pattern with any of them
//! is left to the full validator. Non-ASCII patterns are left too, as case folding differs.

/// The escapes outside a class that mean the same in all three flavours.
const ESCAPES: &[u8] = b"dDwWsSbBntrfv.\\/^$|?*+()[]{}-";

/// The escapes inside a class that do (no `\b`: a backspace in ECMA, an error in Go).
const CLASS_ESCAPES: &[u8] = b"dDwWsSntrfv.\\/^$|?*+()[]{}-";

/// Go refuses a repetition count above this.
const MAX_COUNT: u32 = 1000;

#[derive(Clone, Copy, PartialEq)]
enum Last {
    /// Nothing a repetition may apply to (start, `(`, `|`, `^`, `$`).
    Nothing,
    Atom,
    /// A group's end, and whether a `{n}` repetition is inside it.
    Group(bool),
    Repeated,
    /// A repetition made lazy by `?`.
    Lazy,
}

/// Whether `p` is a plain pattern (see the module comment).
pub(super) fn plain(p: &str) -> bool {
    let body = p.strip_prefix("(?i)").unwrap_or(p);
    if !body.is_ascii() {
        return false;
    }
    let b = body.as_bytes();
    // For each open group: whether a `{n}` repetition is inside it.
    let mut groups: Vec<bool> = Vec::new();
    let mut last = Last::Nothing;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let Some(&c) = b.get(i + 1) else { return false };
                if !ESCAPES.contains(&c) || (c == b'b' && b.get(i + 2) == Some(&b'{')) {
                    return false;
                }
                last = if matches!(c, b'b' | b'B') {
                    Last::Nothing
                } else {
                    Last::Atom
                };
                i += 2;
                continue;
            }
            b'(' => {
                if b.get(i + 1) == Some(&b'?') {
                    if b.get(i + 2) != Some(&b':') {
                        return false;
                    }
                    i += 2;
                }
                groups.push(false);
                last = Last::Nothing;
            }
            b')' => {
                let Some(braced) = groups.pop() else {
                    return false;
                };
                last = Last::Group(braced);
            }
            b'[' => match class_end(b, i) {
                Some(end) => {
                    i = end;
                    last = Last::Atom;
                }
                None => return false,
            },
            b'*' | b'+' | b'?' => {
                last = match (last, b[i]) {
                    (Last::Atom | Last::Group(_), _) => Last::Repeated,
                    (Last::Repeated, b'?') => Last::Lazy,
                    _ => return false,
                };
            }
            b'{' => {
                let Some(end) = repetition_end(b, i) else {
                    return false;
                };
                match last {
                    Last::Atom | Last::Group(false) => {}
                    _ => return false,
                }
                groups.iter_mut().for_each(|g| *g = true);
                last = Last::Repeated;
                i = end;
            }
            b'}' | b']' => return false,
            b'^' | b'$' | b'|' => last = Last::Nothing,
            _ => last = Last::Atom,
        }
        i += 1;
    }
    groups.is_empty()
}

/// The index of the `]` closing the class opened at `start`, if the class is plain: no
/// leading `]`, no nested `[`, no `&&`, `--` or `~~`, no range to or from a class escape.
fn class_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        return None;
    }
    // Whether the previous member was a class escape such as `\d`.
    let mut after_class_escape = false;
    while let Some(&c) = b.get(i) {
        match c {
            b']' => return Some(i),
            b'[' => return None,
            b'\\' => {
                let e = *b.get(i + 1)?;
                if !CLASS_ESCAPES.contains(&e) {
                    return None;
                }
                let is_class = b"dDwWsS".contains(&e);
                if is_class && i > 0 && b[i - 1] == b'-' {
                    return None;
                }
                after_class_escape = is_class;
                i += 2;
                continue;
            }
            b'-' | b'&' | b'~' if b.get(i + 1) == Some(&c) => return None,
            b'-' if after_class_escape && b.get(i + 1) != Some(&b']') => return None,
            _ => {}
        }
        after_class_escape = false;
        i += 1;
    }
    None
}

/// The index of the `}` ending a repetition `{n}`, `{n,}` or `{n,m}` at `start`, with counts
/// Go takes.
fn repetition_end(b: &[u8], start: usize) -> Option<usize> {
    let close = start + b[start..].iter().position(|&c| c == b'}')?;
    let inner = std::str::from_utf8(&b[start + 1..close]).ok()?;
    let count = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
            .filter(|n| *n <= MAX_COUNT)
    };
    match inner.split_once(',') {
        None => count(inner)?,
        Some((min, "")) => count(min)?,
        Some((min, max)) => {
            let (min, max) = (count(min)?, count(max)?);
            if min > max {
                return None;
            }
            max
        }
    };
    Some(close)
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn plain_patterns() {
        for p in [
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "^(\\d+)(\\.\\d+){0,2}$",
            "(?i)^(debug|info|warn)$",
            "^[^/]+/[^/]+$",
            "^\\d+(ms|s|m|h)$",
            "^[a-z]{1,63}(\\.[a-z]{1,63})*$",
            "a*?b",
            "^(?:[0-9]+|auto)$",
            "[\\w.-]+",
            "[a-]",
        ] {
            assert!(plain(p), "{p}");
        }
    }

    #[test]
    fn patterns_the_flavours_read_differently() {
        for p in [
            "\\u0061",
            "\\U00000061",
            "\\p{L}",
            "\\x{61}",
            "\\141",
            "\\Q.\\E",
            "^\\<x\\>$",
            "\\b{start}",
            "a**",
            "a{2}{3}",
            "a*??",
            "a++",
            "[[a]]",
            "[[:alpha:]]",
            "[a-z&&[^x]]",
            "[a--b]",
            "[]a]",
            "[\\d-z]",
            "[a-\\d]",
            "a{1001}",
            "(a{10}){101}",
            "a{,3}",
            "a{x}",
            "a{",
            "a}",
            "(?s)a.b",
            "(?=a)",
            "(?P<n>a)",
            "(a",
            "a)",
            "*a",
            "^*",
            "é",
            "(?i)ſ",
        ] {
            assert!(!plain(p), "{p}");
        }
    }
}
