//! The two pattern languages charts use: Go's `filepath.Match` (`.helmignore`, `--show-only`)
//! and gobwas/glob with `/` as separator (`.Files.Glob`, where `**` crosses directories and
//! `{a,b}` picks alternatives).

/// Go's `filepath.ErrBadPattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `filepath.Match` on `/`-separated names.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let ok = match_from(&p, &n)?;
    if !ok {
        // Go validates the rest of the pattern even when the match already failed.
        validate(&p)?;
    }
    Ok(ok)
}

fn validate(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = class(p, i + 1, None)?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Parses a character class starting after `[`; returns whether `c` matches and the index
/// after `]`.
fn class(p: &[char], mut i: usize, c: Option<char>) -> Result<(bool, usize), BadPattern> {
    let negate = i < p.len() && p[i] == '^';
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        if i >= p.len() {
            return Err(BadPattern);
        }
        if p[i] == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, ni) = class_char(p, i)?;
        i = ni;
        let mut hi = lo;
        if i < p.len() && p[i] == '-' {
            let (h, ni) = class_char(p, i + 1)?;
            hi = h;
            i = ni;
        }
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
    }
    Ok((matched != negate, i))
}

fn class_char(p: &[char], i: usize) -> Result<(char, usize), BadPattern> {
    match p.get(i) {
        None | Some('-') | Some(']') => Err(BadPattern),
        Some('\\') => p.get(i + 1).map(|&c| (c, i + 2)).ok_or(BadPattern),
        Some(&c) => Ok((c, i + 1)),
    }
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, BadPattern> {
    if p.is_empty() {
        return Ok(n.is_empty());
    }
    match p[0] {
        '*' => {
            let rest = &p[1..];
            for k in 0..=n.len() {
                if k > 0 && n[k - 1] == '/' {
                    break;
                }
                if match_from(rest, &n[k..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => Ok(!n.is_empty() && n[0] != '/' && match_from(&p[1..], &n[1..])?),
        '[' => {
            let Some(&c) = n.first() else {
                validate(p)?;
                return Ok(false);
            };
            let (ok, next) = class(p, 1, Some(c))?;
            Ok(ok && c != '/' && match_from(&p[next..], &n[1..])?)
        }
        '\\' => {
            let c = *p.get(1).ok_or(BadPattern)?;
            Ok(n.first() == Some(&c) && match_from(&p[2..], &n[1..])?)
        }
        c => Ok(n.first() == Some(&c) && match_from(&p[1..], &n[1..])?),
    }
}

/// A compiled gobwas-style glob. regex-lite, as compiling with `regex` (for a pattern a
/// template uses once) cost more than all the matching.
pub struct Glob(regex_lite::Regex);

impl Glob {
    /// Compiles `pattern`; `None` when it is malformed (Helm then matches everything).
    pub fn new(pattern: &str) -> Option<Glob> {
        let mut re = String::from("^");
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let mut depth = 0usize;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    re.push_str("(?s:.*)");
                    i += 2;
                    continue;
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '[' => {
                    let mut j = i + 1;
                    let mut body = String::new();
                    if chars.get(j) == Some(&'!') {
                        body.push('^');
                        j += 1;
                    }
                    let start = j;
                    while j < chars.len() && (chars[j] != ']' || j == start) {
                        let ch = chars[j];
                        if ch == '\\' || ch == '[' || ch == '^' || ch == '&' || ch == '~' {
                            body.push('\\');
                        }
                        body.push(ch);
                        j += 1;
                    }
                    if j >= chars.len() {
                        return None;
                    }
                    re.push('[');
                    re.push_str(&body);
                    re.push(']');
                    i = j;
                }
                '{' => {
                    depth += 1;
                    re.push_str("(?:");
                }
                '}' if depth > 0 => {
                    depth -= 1;
                    re.push(')');
                }
                ',' if depth > 0 => re.push('|'),
                '\\' => {
                    i += 1;
                    let e = chars.get(i)?;
                    re.push_str(&regex_lite::escape(&e.to_string()));
                }
                c => re.push_str(&regex_lite::escape(&c.to_string())),
            }
            i += 1;
        }
        if depth != 0 {
            return None;
        }
        re.push('$');
        regex_lite::Regex::new(&re).ok().map(Glob)
    }

    pub fn is_match(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepath_match() {
        assert_eq!(path_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(path_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(path_match("templates/*.yaml", "templates/a.yaml"), Ok(true));
        assert_eq!(path_match("[a-c]?", "bz"), Ok(true));
        assert_eq!(path_match("[^a-c]?", "bz"), Ok(false));
        assert_eq!(path_match("a\\*", "a*"), Ok(true));
        assert_eq!(path_match("[", "x"), Err(BadPattern));
        assert_eq!(path_match("x[", "y"), Err(BadPattern));
    }

    #[test]
    fn gobwas_glob() {
        let g = Glob::new("files/**").unwrap();
        assert!(g.is_match("files/a/b.txt"));
        let g = Glob::new("files/*").unwrap();
        assert!(g.is_match("files/a.txt") && !g.is_match("files/a/b.txt"));
        let g = Glob::new("conf/{a,b}.{yaml,json}").unwrap();
        assert!(g.is_match("conf/a.json") && !g.is_match("conf/c.json"));
        let g = Glob::new("x/[!a]*").unwrap();
        assert!(g.is_match("x/b1") && !g.is_match("x/a1"));
        assert!(Glob::new("{a,b").is_none());
        // Characters regular expressions treat specially, in classes and out.
        let g = Glob::new("f/[&~^]x.{a,b}+(c)|$").unwrap();
        assert!(
            g.is_match("f/&x.a+(c)|$") && g.is_match("f/~x.b+(c)|$") && !g.is_match("f/&x.a(c)|$")
        );
        let g = Glob::new("ü/[ä-ö]*").unwrap();
        assert!(g.is_match("ü/äx") && !g.is_match("ü/zx"));
    }
}
