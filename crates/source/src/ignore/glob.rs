//! Go's `path/filepath.Match` for one path component: `*`, `?`, `[…]` classes (with `^`
//! negation and ranges) and `\` escapes. A malformed pattern matches nothing, as go-git treats it.

/// True when `name` matches `pattern` (both single path components).
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n).unwrap_or(false)
}

/// `None` when the pattern is malformed.
fn match_from(p: &[char], n: &[char]) -> Option<bool> {
    let (mut pi, mut ni) = (0, 0);
    // Where to resume after the last `*`: (pattern index after it, name index it covers up to).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    // Consecutive stars are one star.
                    while pi < p.len() && p[pi] == '*' {
                        pi += 1;
                    }
                    star = Some((pi, ni));
                    continue;
                }
                c if ni < n.len() => {
                    let step = match c {
                        '?' => (n[ni] != '/').then_some(1),
                        '[' => {
                            let (ok, len) = class(&p[pi..], n[ni])?;
                            ok.then_some(len)
                        }
                        '\\' => {
                            let esc = *p.get(pi + 1)?;
                            (esc == n[ni]).then_some(2)
                        }
                        c => (c == n[ni]).then_some(1),
                    };
                    if let Some(len) = step {
                        pi += len;
                        ni += 1;
                        continue;
                    }
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Some(true);
        }
        // Mismatch: let the last star swallow one more character, if it may.
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp;
                ni = sn + 1;
            }
            _ => {
                // Go still reports a malformed rest of the pattern as an error.
                validate(&p[pi.min(p.len())..])?;
                return Some(false);
            }
        }
    }
}

/// Matches a `[…]` class at the start of `p` against `c`: (matched, pattern length).
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, next) = class_char(p, i)?;
        i = next;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|c| *c != ']') {
            let (hi, next) = class_char(p, i + 1)?;
            i = next;
            hi
        } else {
            lo
        };
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Some((matched != negated && c != '/', i))
}

fn class_char(p: &[char], i: usize) -> Option<(char, usize)> {
    match *p.get(i)? {
        '\\' => Some((*p.get(i + 1)?, i + 2)),
        '-' | ']' if i > 1 && p[i - 1] != '[' && p[i - 1] != '^' => None,
        c => Some((c, i + 1)),
    }
}

/// Checks the syntax of an unmatched pattern rest, so a bad class fails as in Go.
fn validate(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                p.get(i + 1)?;
                i += 2;
            }
            '[' => {
                let (_, len) = class(&p[i..], '\0')?;
                i += len;
            }
            _ => i += 1,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn literals_and_wildcards() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(matches("*", "anything.yaml"));
        assert!(matches("*.yaml", "a.yaml"));
        assert!(!matches("*.yaml", "a.yml"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
        assert!(matches("?.txt", "a.txt"));
        assert!(!matches("?.txt", "ab.txt"));
        assert!(matches("*.tar.gz", "x.tar.gz"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(matches("[abc].yaml", "b.yaml"));
        assert!(!matches("[abc].yaml", "d.yaml"));
        assert!(matches("[^abc].yaml", "d.yaml"));
        assert!(!matches("[^abc].yaml", "a.yaml"));
        assert!(matches("[a-c]x", "bx"));
        assert!(!matches("[a-c]x", "dx"));
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert!(matches("[\\]]", "]"));
    }

    #[test]
    fn malformed_patterns_match_nothing() {
        assert!(!matches("[", "["));
        assert!(!matches("a[", "a"));
        assert!(!matches("\\", "\\"));
        assert!(!matches("[a-]", "a"));
    }
}
