//! Sprig's regular expressions (Go RE2 syntax). The `regex` crate reads nearly the same
//! language; [`go_syntax`] rewrites the few places where Go reads a pattern differently.

use super::{FuncMap, Ty, arg_int, arg_str, s};
use crate::value::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// A `{` that starts a valid counted repetition (`{n}`, `{n,}`, `{n,m}`) at `rest`.
fn is_repeat(rest: &str) -> bool {
    let Some(end) = rest.find('}') else {
        return false;
    };
    let inner = &rest[1..end];
    let (lo, hi) = inner.split_once(',').unwrap_or((inner, "0"));
    !lo.is_empty()
        && lo.bytes().all(|b| b.is_ascii_digit())
        && hi.bytes().all(|b| b.is_ascii_digit())
}

/// Go's reading of a pattern in the `regex` crate's syntax: Perl classes and word boundaries
/// are ASCII in Go (`\d`, `\w`, `\s` is `[\t\n\f\r ]`, `\b`), a `{` that does not start a
/// counted repetition is a literal, and `\Q…\E` quotes. Everything else is passed through.
pub fn go_syntax(re: &str) -> Cow<'_, str> {
    if !re.contains(['\\', '{', '[']) {
        return Cow::Borrowed(re);
    }
    let mut out = String::with_capacity(re.len() + 16);
    let mut class = false;
    // The last thing read in a class was a whole class (`\w`, `\pL`, `[:alpha:]`): a `-`
    // after it is a literal in Go, a range the `regex` crate refuses.
    let mut after_set = false;
    let mut rest = re;
    while let Some(c) = rest.chars().next() {
        let mut step = c.len_utf8();
        if std::mem::take(&mut after_set) && class && c == '-' && !rest[1..].starts_with(']') {
            out.push_str("\\-");
            rest = &rest[1..];
            continue;
        }
        match c {
            '\\' => {
                let next = rest[1..].chars().next();
                step += next.map_or(0, char::len_utf8);
                after_set =
                    class && matches!(next, Some('d' | 'D' | 'w' | 'W' | 's' | 'S' | 'p' | 'P'));
                match (next, class) {
                    (Some('d'), false) => out.push_str("[0-9]"),
                    (Some('d'), true) => out.push_str("0-9"),
                    (Some('D'), _) => out.push_str("[^0-9]"),
                    (Some('w'), false) => out.push_str("[0-9A-Za-z_]"),
                    (Some('w'), true) => out.push_str("0-9A-Za-z_"),
                    (Some('W'), _) => out.push_str("[^0-9A-Za-z_]"),
                    (Some('s'), false) => out.push_str("[\\t\\n\\f\\r ]"),
                    (Some('s'), true) => out.push_str("\\t\\n\\f\\r "),
                    (Some('S'), _) => out.push_str("[^\\t\\n\\f\\r ]"),
                    // A Unicode class, whole: `\pL`, or a name in braces.
                    (Some('p' | 'P'), _) => {
                        let end = match rest[2..].starts_with('{') {
                            true => rest.find('}').map_or(rest.len(), |i| i + 1),
                            false => step + rest[step..].chars().next().map_or(0, char::len_utf8),
                        };
                        out.push_str(&rest[..end]);
                        step = end;
                    }
                    (Some('b'), false) => out.push_str("(?-u:\\b)"),
                    (Some('B'), false) => out.push_str("(?-u:\\B)"),
                    (Some('Q'), _) => {
                        let body = &rest[2..];
                        let (quoted, after) = match body.find("\\E") {
                            Some(i) => (&body[..i], i + 2),
                            None => (body, body.len()),
                        };
                        out.push_str(&regex::escape(quoted));
                        step = 2 + after;
                    }
                    _ => out.push_str(&rest[..step]),
                }
            }
            '[' if !class => {
                class = true;
                out.push('[');
                // A `]` (after an optional `^`) right at the start is a literal.
                let mut lead = &rest[1..];
                if let Some(r) = lead.strip_prefix('^') {
                    out.push('^');
                    step += 1;
                    lead = r;
                }
                if lead.starts_with(']') {
                    out.push_str("\\]");
                    step += 1;
                }
            }
            '[' if rest.starts_with("[:") => {
                // A POSIX class inside a class: copied whole.
                let end = rest.find(":]").map_or(rest.len(), |i| i + 2);
                out.push_str(&rest[..end]);
                step = end;
                after_set = true;
            }
            '[' => out.push_str("\\["),
            ']' if class => {
                class = false;
                out.push(']');
            }
            '{' if !class && !is_repeat(rest) => out.push_str("\\{"),
            // Set operators in the `regex` crate's classes, plain characters in Go's.
            '&' | '~' if class => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        rest = &rest[step..];
    }
    Cow::Owned(out)
}

/// Compiled patterns by their Go text. Charts call the same few patterns for every label and
/// name (bitnami's `common.labels` runs `regexReplaceAll` on each value), and building a
/// `regex::Regex` costs far more than Go's `regexp.Compile`: compiling once per pattern took a
/// tenth of an umbrella's render. The cache hands out shared references, not clones: a clone
/// shares the compiled program but starts its own pool of search caches, and building a lazy
/// DFA's cache anew on every call was a twentieth of a bitnami chart's template execution.
type Compiled = std::collections::HashMap<String, Arc<Re>, foldhash::fast::RandomState>;

/// A compiled pattern: with regex-lite where it reads the pattern as `regex` and Go do (ASCII
/// text, no flags, no Unicode classes), as building `regex`'s engines took 50–100 µs a
/// pattern on the one thread bitnami charts execute on; with `regex` otherwise.
pub enum Re {
    Full(regex::Regex),
    Lite(regex_lite::Regex),
}

impl Re {
    fn new(translated: &str) -> Result<Re, regex::Error> {
        let flags = translated
            .replace("(?:", "")
            .replace("(?P<", "")
            .replace("(?<", "");
        let plain = translated.is_ascii() && !flags.contains("(?");
        if plain && let Ok(lite) = regex_lite::Regex::new(translated) {
            return Ok(Re::Lite(lite));
        }
        regex::Regex::new(translated).map(Re::Full)
    }

    pub fn is_match(&self, s: &str) -> bool {
        match self {
            Re::Full(r) => r.is_match(s),
            Re::Lite(r) => r.is_match(s),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Re::Full(r) => r.as_str(),
            Re::Lite(r) => r.as_str(),
        }
    }

    /// Byte ranges of the successive non-overlapping matches.
    fn find_iter<'r, 's>(&'r self, s: &'s str) -> Box<dyn Iterator<Item = (usize, usize)> + 'r>
    where
        's: 'r,
    {
        match self {
            Re::Full(r) => Box::new(r.find_iter(s).map(|m| (m.start(), m.end()))),
            Re::Lite(r) => Box::new(r.find_iter(s).map(|m| (m.start(), m.end()))),
        }
    }

    /// Every match replaced by `repl`, with `$1`, `${name}` expanded unless `literal`.
    fn replace_all(&self, s: &str, repl: &str, literal: bool) -> String {
        match (self, literal) {
            (Re::Full(r), false) => r.replace_all(s, repl).into_owned(),
            (Re::Full(r), true) => r.replace_all(s, regex::NoExpand(repl)).into_owned(),
            (Re::Lite(r), false) => r.replace_all(s, repl).into_owned(),
            (Re::Lite(r), true) => r.replace_all(s, regex_lite::NoExpand(repl)).into_owned(),
        }
    }
}
static COMPILED: std::sync::Mutex<Option<Compiled>> = std::sync::Mutex::new(None);
/// Patterns kept at most; the cache starts over past it (templates that build patterns from
/// data must not grow it without bound).
const COMPILED_MAX: usize = 256;

fn compile(re: &str) -> Result<Arc<Re>, String> {
    let cached = |guard: &Option<Compiled>| guard.as_ref().and_then(|m| m.get(re).cloned());
    if let Some(r) = cached(&COMPILED.lock().unwrap_or_else(|p| p.into_inner())) {
        return Ok(r);
    }
    let r = Arc::new(compile_uncached(re)?);
    let mut guard = COMPILED.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(Default::default);
    if map.len() >= COMPILED_MAX {
        map.clear();
    }
    map.insert(re.to_string(), r.clone());
    Ok(r)
}

fn compile_uncached(re: &str) -> Result<Re, String> {
    Re::new(&go_syntax(re)).map_err(|e| {
        let msg = e.to_string();
        let last = msg
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .unwrap_or(&msg);
        let what = last.trim_start_matches("error: ");
        let go = match what {
            "unclosed group" => "missing closing )",
            "unopened group" => "unexpected )",
            "unclosed character class" => "missing closing ]",
            "repetition operator missing expression" => "missing argument to repetition operator",
            "unrecognized escape sequence" => "invalid escape sequence",
            "invalid character class range, the start must be <= the end" => {
                "invalid character class range"
            }
            w => w,
        };
        format!("error parsing regexp: {go}: `{re}`")
    })
}

/// A Go regular expression compiled, or Go's `regexp.Compile` error text.
pub fn go_regex(re: &str) -> Result<Arc<Re>, String> {
    compile(re)
}

fn must_compile(re: &str) -> Result<Arc<Re>, String> {
    compile(re).map_err(|e| {
        format!(
            "regexp: Compile({}): {e}",
            crate::fmt::go_quote(re).replace('"', "`")
        )
    })
}

/// Go's `FindAllString`: nil (JSON `null`) when nothing matches.
fn find_all(r: &Re, st: &str, n: i64) -> Value {
    let it = r.find_iter(st).map(|(b, e)| st[b..e].to_string());
    let v: Vec<String> = if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    };
    if v.is_empty() {
        return Value::nil_str_list();
    }
    Value::StrList(Arc::new(v))
}

/// Go's `ReplaceAllString` template expansion ($1, ${name}, $$).
fn expand(r: &Re, st: &str, repl: &str) -> String {
    r.replace_all(st, repl, false)
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("regexMatch", &[Str, Str], None, |a| {
        Ok(Value::Bool(
            compile(arg_str(&a[0])).is_ok_and(|r| r.is_match(arg_str(&a[1]))),
        ))
    });
    m.pure("mustRegexMatch", &[Str, Str], None, |a| {
        Ok(Value::Bool(
            compile(arg_str(&a[0]))?.is_match(arg_str(&a[1])),
        ))
    });
    m.pure("regexFindAll", &[Str, Str, Int], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        Ok(find_all(&r, arg_str(&a[1]), arg_int(&a[2])))
    });
    m.pure("mustRegexFindAll", &[Str, Str, Int], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(find_all(&r, arg_str(&a[1]), arg_int(&a[2])))
    });
    m.pure("regexFind", &[Str, Str], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        let st = arg_str(&a[1]);
        Ok(s(r.find_iter(st).next().map_or("", |(b, e)| &st[b..e])))
    });
    m.pure("mustRegexFind", &[Str, Str], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        let st = arg_str(&a[1]);
        Ok(s(r.find_iter(st).next().map_or("", |(b, e)| &st[b..e])))
    });
    m.pure("regexReplaceAll", &[Str, Str, Str], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        Ok(s(expand(&r, arg_str(&a[1]), arg_str(&a[2]))))
    });
    m.pure("mustRegexReplaceAll", &[Str, Str, Str], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(s(expand(&r, arg_str(&a[1]), arg_str(&a[2]))))
    });
    m.pure("regexReplaceAllLiteral", &[Str, Str, Str], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        Ok(s(r.replace_all(arg_str(&a[1]), arg_str(&a[2]), true)))
    });
    m.pure("mustRegexReplaceAllLiteral", &[Str, Str, Str], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(s(r.replace_all(arg_str(&a[1]), arg_str(&a[2]), true)))
    });
    m.pure("regexSplit", &[Str, Str, Int], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        Ok(split(&r, arg_str(&a[1]), arg_int(&a[2])))
    });
    m.pure("mustRegexSplit", &[Str, Str, Int], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(split(&r, arg_str(&a[1]), arg_int(&a[2])))
    });
    m.pure("regexQuoteMeta", &[Str], None, |a| {
        let mut o = String::new();
        for c in arg_str(&a[0]).chars() {
            if "\\.+*?()|[]{}^$".contains(c) {
                o.push('\\');
            }
            o.push(c);
        }
        Ok(s(o))
    });
}

/// Go's `Regexp.Split` (nil for `n == 0`).
fn split(r: &Re, st: &str, n: i64) -> Value {
    Value::StrList(Arc::new(match n {
        0 => return Value::nil_str_list(),
        n => split_vec(r, st, n),
    }))
}

fn split_vec(r: &Re, st: &str, n: i64) -> Vec<String> {
    if !r.as_str().is_empty() && st.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    let limit = if n < 0 { usize::MAX } else { n as usize };
    for m in r.find_iter(st).take(limit) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.0;
        if m.1 != 0 {
            out.push(st[beg..end].to_string());
        }
        beg = m.1;
    }
    if end != st.len() {
        out.push(st[beg..].to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    /// Each template line's output, as Go 1.27 + Sprig print it (gotmpl-oracle).
    #[test]
    fn go_reading_of_patterns() {
        let cases = [
            // A `{` that starts no repetition is a literal (Bitnami's Helm-version check).
            (
                r#"{{ regexMatch "{(v[0-9])*[^}]*}}$" "&{{a} [x] {v4.3.1 abc}}" }}"#,
                "true",
            ),
            (r#"{{ regexFindAll "a{,2}" "a{,2}aa" -1 }}"#, "[a{,2}]"),
            (r#"{{ regexFindAll "x{" "x{y" -1 }}"#, "[x{]"),
            (r#"{{ regexFindAll "a{2}" "aaaaa" -1 }}"#, "[aa aa]"),
            // Perl classes and \b are ASCII.
            (r#"{{ regexFindAll "\\d+" "a١٢3b45" -1 }}"#, "[3 45]"),
            (
                r#"{{ regexFindAll "\\w+" "héllo wörld_1" -1 }}"#,
                "[h llo w rld_1]",
            ),
            (
                r#"{{ regexReplaceAll "\\s+" "a\u000bb  c\td" "_" }}"#,
                "a\u{b}b_c_d",
            ),
            (r#"{{ regexFindAll "\\bx\\b" "éx x" -1 }}"#, "[x x]"),
            (
                r#"{{ regexReplaceAll "[\\w-]+" "héllo-wörld" "X" }}"#,
                "XéXöX",
            ),
            (r#"{{ regexReplaceAll "[^\\d.]" "v1.٢3-beta" "" }}"#, "1.3"),
            (
                r#"{{ regexFindAll "[[:alpha:]\\d]+" "ab12 c" -1 }}"#,
                "[ab12 c]",
            ),
            // A `-` after a whole class inside a class is a literal (stable/redis-ha's check).
            (r#"{{ regexMatch "^[\\w-\\.]+$" "a-b.c" }}"#, "true"),
            (
                r#"{{ regexReplaceAll "[\\w-\\.]" "a-b.c!é" "X" }}"#,
                "XXXXX!é",
            ),
            (r#"{{ regexFindAll "[\\pL-9]+" "a-9 b" -1 }}"#, "[a-9 b]"),
            (r#"{{ regexFindAll "[[:digit:]-a]+" "1-a b" -1 }}"#, "[1-a]"),
            (r#"{{ regexFindAll "[\\d-]+" "1-2 x" -1 }}"#, "[1-2]"),
            // Unicode classes by one letter or by a name in braces.
            (r#"{{ regexFindAll "\\p{Lu}+" "abCDéÉF" -1 }}"#, "[CD ÉF]"),
            (
                r#"{{ regexFindAll "[\\p{L}-]+" "ab-é 1x" -1 }}"#,
                "[ab-é x]",
            ),
            (r#"{{ regexFindAll "\\p{Greek}+" "abΩλx" -1 }}"#, "[Ωλ]"),
            (r#"{{ regexFindAll "\\PL+" "ab12cd" -1 }}"#, "[12]"),
            // Quoting, and class characters the regex crate reads as operators.
            (r#"{{ regexFindAll "\\Qa.b\\E+" "a.bb axb" -1 }}"#, "[a.bb]"),
            (
                r#"{{ regexFindAll "[a&&b~~c]" "a&b~c" -1 }}"#,
                "[a & b ~ c]",
            ),
            (r#"{{ regexFindAll "[[a]+" "[[ab" -1 }}"#, "[[[a]"),
            (r#"{{ regexFindAll "[]a]+" "]]ab" -1 }}"#, "[]]a]"),
            (r#"{{ regexFindAll "[^]a]+" "]]ab" -1 }}"#, "[b]"),
            (
                r#"{{ regexReplaceAll "(?P<first>\\w+)\\s(\\w+)" "hello world" "${2}_$first $1x $$" }}"#,
                "world_hello  $",
            ),
        ];
        for (tpl, want) in cases {
            assert_eq!(crate::render_plain(tpl, "t", None).unwrap(), want, "{tpl}");
        }
    }

    #[test]
    fn split_as_go() {
        let cases = [
            (r#"{{ regexSplit "x*" "ab" -1 | toJson }}"#, r#"["a","b"]"#),
            (r#"{{ regexSplit "" "" -1 | toJson }}"#, "[]"),
            (r#"{{ regexSplit "b" "" -1 | toJson }}"#, r#"[""]"#),
            (
                r#"{{ regexSplit "," "a,b,c,d" 2 | toJson }}"#,
                r#"["a","b,c,d"]"#,
            ),
            (
                r#"{{ regexSplit "," "a,b," -1 | toJson }}"#,
                r#"["a","b",""]"#,
            ),
            (
                r#"{{ regexSplit "a*" "baaac" -1 | toJson }}"#,
                r#"["b","c"]"#,
            ),
            (
                r#"{{ regexFindAll "a*" "baaac" -1 | toJson }}"#,
                r#"["","aaa",""]"#,
            ),
            (r#"{{ regexReplaceAll "a*" "baaac" "-" }}"#, "-b-c-"),
        ];
        for (tpl, want) in cases {
            assert_eq!(crate::render_plain(tpl, "t", None).unwrap(), want, "{tpl}");
        }
    }

    /// A pattern used again is the one compiled before, with its search caches.
    #[test]
    fn patterns_are_compiled_once_and_shared() {
        // Tests running beside this one may fill the cache and start it over between two
        // lookups, but not every time.
        let shared = (0..5).any(|_| {
            let a = super::compile("^shared-[0-9]+$").unwrap();
            let b = super::compile("^shared-[0-9]+$").unwrap();
            a.is_match("shared-12") && std::sync::Arc::ptr_eq(&a, &b)
        });
        assert!(shared);
    }

    /// Patterns compiled with regex-lite match, find, replace and split as with `regex`, on
    /// ASCII and other text.
    #[test]
    fn lite_patterns_behave_as_full_ones() {
        use super::{Re, go_syntax, split_vec};
        let patterns = [
            r"^([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
            r"{(v[0-9])*[^}]*}}$",
            r"(-?[^a-z\d\-])+-?",
            r"\W",
            r"a*",
            r"(?P<k>[a-z]+)=(?P<v>[^,]*)",
            r"[[:alpha:]]+",
            r"x{2,3}|y?",
            r"^$",
            r".",
        ];
        let texts = [
            "",
            "1.2.3-rc.1",
            "v1.2",
            "{v1 x}}",
            "My-Release_Name.2",
            "a=1,b=,c=3",
            "ÿöü-x",
            "xxxxy",
            "a\nb",
            "€uro",
            "aaa",
        ];
        for p in patterns {
            let t = go_syntax(p);
            let lite = Re::new(&t).unwrap();
            assert!(matches!(lite, Re::Lite(_)), "{p}");
            let full = Re::Full(regex::Regex::new(&t).unwrap());
            for x in texts {
                let (l, f) = (&lite, &full);
                assert_eq!(l.is_match(x), f.is_match(x), "{p} on {x:?}");
                let spans = |r: &Re| r.find_iter(x).collect::<Vec<_>>();
                assert_eq!(spans(l), spans(f), "{p} on {x:?}");
                for repl in ["<$1>", "${k}:${v}", "$$", "-"] {
                    for literal in [false, true] {
                        assert_eq!(
                            l.replace_all(x, repl, literal),
                            f.replace_all(x, repl, literal),
                            "{p} on {x:?} with {repl}"
                        );
                    }
                }
                for n in [-1, 1, 2] {
                    assert_eq!(split_vec(l, x, n), split_vec(f, x, n), "{p} on {x:?}");
                }
            }
        }
        // Flags, Unicode classes and non-ASCII patterns stay with regex.
        for p in [r"(?i)k", r"\pL", "é+", r"\bx"] {
            assert!(
                matches!(Re::new(&go_syntax(p)).unwrap(), Re::Full(_)),
                "{p}"
            );
        }
    }
}
