//! What `toYaml`'s detour through JSON changes. sigs.k8s.io/yaml marshals to JSON and reads
//! that text back as YAML before emitting it. JSON escapes every line break but NEL (U+0085),
//! which YAML 1.1 reads as one, so a NEL in a string is folded like a line break of a
//! double-quoted scalar, and a NEL in a mapping key makes the read fail.

use crate::value::Value;
use std::borrow::Cow;

const NEL: char = '\u{85}';

/// A string value after the re-read: raw spaces next to a run of NELs are dropped, one NEL
/// becomes a space and `n` of them `n - 1` newlines. Other white space reaches YAML as JSON
/// escapes and is kept.
pub fn fold_nel(s: &str) -> Cow<'_, str> {
    if !s.contains(NEL) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut spaces = 0;
    let mut breaks = 0;
    for c in s.chars() {
        match c {
            ' ' => spaces += 1,
            NEL => breaks += 1,
            _ => {
                flush(&mut out, &mut spaces, &mut breaks);
                out.push(c);
            }
        }
    }
    flush(&mut out, &mut spaces, &mut breaks);
    Cow::Owned(out)
}

fn flush(out: &mut String, spaces: &mut usize, breaks: &mut usize) {
    match *breaks {
        0 => out.extend(std::iter::repeat_n(' ', *spaces)),
        1 => out.push(' '),
        n => out.extend(std::iter::repeat_n('\n', n - 1)),
    }
    *spaces = 0;
    *breaks = 0;
}

/// go-yaml's error for the first mapping key holding a NEL: the key cannot be a simple key of
/// the JSON flow mapping. The line is counted in the JSON text, where only NELs break lines.
pub fn nel_key_error(root: &Value) -> String {
    let json = super::encoding::to_json(root, true, None).unwrap_or_default();
    let mut line = 1;
    let mut in_string = false;
    let mut escaped = false;
    let mut start_line = 1;
    let mut has_nel = false;
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if c == NEL {
            line += 1;
            has_nel |= in_string;
        }
        if !in_string {
            if c == '"' {
                in_string = true;
                start_line = line;
                has_nel = false;
            }
            continue;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = false;
            if has_nel && chars.peek() == Some(&':') {
                break;
            }
        }
    }
    format!("yaml: line {start_line}: did not find expected ',' or '}}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As helm v4.3.1's `toYaml` reads these strings back.
    #[test]
    fn nel_folds_as_a_double_quoted_line_break() {
        let cases = [
            ("a\u{85}b", "a b"),
            ("a \u{85} b", "a b"),
            (" \u{85}x", " x"),
            ("x\u{85} ", "x "),
            (" \u{85} ", " "),
            ("\u{85}", " "),
            ("\u{85}\u{85}", "\n"),
            ("a\u{85}\u{85}b", "a\nb"),
            ("a\u{85}\u{85}\u{85}b", "a\n\nb"),
            ("a\u{85} \u{85}b", "a\nb"),
            ("a\t\u{85}\tb", "a\t \tb"),
            ("plain  text", "plain  text"),
        ];
        for (input, want) in cases {
            assert_eq!(fold_nel(input), want, "{input:?}");
        }
    }
}
