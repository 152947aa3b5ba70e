//! Sprig's regular expressions (Go RE2 syntax; the `regex` crate accepts the same language).

use super::{FuncMap, Ty, arg_int, arg_str, s};
use crate::value::Value;
use std::sync::Arc;

fn compile(re: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(re).map_err(|e| {
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

fn must_compile(re: &str) -> Result<regex::Regex, String> {
    compile(re).map_err(|e| {
        format!(
            "regexp: Compile({}): {e}",
            crate::fmt::go_quote(re).replace('"', "`")
        )
    })
}

fn find_all(r: &regex::Regex, st: &str, n: i64) -> Vec<String> {
    let it = r.find_iter(st).map(|m| m.as_str().to_string());
    if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    }
}

/// Go's `ReplaceAllString` template expansion ($1, ${name}, $$).
fn expand(r: &regex::Regex, st: &str, repl: &str) -> String {
    r.replace_all(st, repl).into_owned()
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
        Ok(Value::StrList(Arc::new(find_all(
            &r,
            arg_str(&a[1]),
            arg_int(&a[2]),
        ))))
    });
    m.pure("mustRegexFindAll", &[Str, Str, Int], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(Value::StrList(Arc::new(find_all(
            &r,
            arg_str(&a[1]),
            arg_int(&a[2]),
        ))))
    });
    m.pure("regexFind", &[Str, Str], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        Ok(s(r.find(arg_str(&a[1])).map_or("", |m| m.as_str())))
    });
    m.pure("mustRegexFind", &[Str, Str], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(s(r.find(arg_str(&a[1])).map_or("", |m| m.as_str())))
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
        Ok(s(r
            .replace_all(arg_str(&a[1]), regex::NoExpand(arg_str(&a[2])))
            .into_owned()))
    });
    m.pure("mustRegexReplaceAllLiteral", &[Str, Str, Str], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(s(r
            .replace_all(arg_str(&a[1]), regex::NoExpand(arg_str(&a[2])))
            .into_owned()))
    });
    m.pure("regexSplit", &[Str, Str, Int], None, |a| {
        let r = must_compile(arg_str(&a[0]))?;
        Ok(Value::StrList(Arc::new(split(
            &r,
            arg_str(&a[1]),
            arg_int(&a[2]),
        ))))
    });
    m.pure("mustRegexSplit", &[Str, Str, Int], None, |a| {
        let r = compile(arg_str(&a[0]))?;
        Ok(Value::StrList(Arc::new(split(
            &r,
            arg_str(&a[1]),
            arg_int(&a[2]),
        ))))
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

/// Go's `Regexp.Split`.
fn split(r: &regex::Regex, st: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if r.as_str().is_empty() && st.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let mut beg = 0;
    let mut end;
    for m in r.find_iter(st) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() == 0 {
            continue;
        }
        out.push(st[beg..end].to_string());
        beg = m.end();
    }
    out.push(st[beg..].to_string());
    out
}
