//! Expected values from fluxcd/pkg envsubst v1.7.0 (a local oracle built from its source).

use super::{SubstError, substitute};

fn vars(name: &str) -> Option<String> {
    let v = match name {
        "name" => "Hello-World",
        "empty" => "",
        "path" => "a/b/c.tar.gz",
        "uml" => "äbc",
        "sharp" => "straße",
        _ => return None,
    };
    Some(v.to_string())
}

fn run(text: &str, strict: bool) -> Result<String, SubstError> {
    substitute(text.as_bytes(), &vars, strict).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn s(text: &str) -> String {
    run(text, true).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn fails(text: &str, strict: bool) -> String {
    match run(text, strict) {
        Ok(out) => panic!("{text}: expected an error, got {out:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn operators() {
    assert_eq!(s("x ${name} y"), "x Hello-World y");
    assert_eq!(s("${#name} ${#uml}"), "11 4");
    assert_eq!(
        s("${name^^} ${name,,} ${name^} ${name,}"),
        "HELLO-WORLD hello-world Hello-World hello-World"
    );
    assert_eq!(
        s("${empty:-d} ${empty:=e} ${unset:=u} ${unset=v} ${unset:+p} ${unset:?q}"),
        "d e u v p q"
    );
    assert_eq!(
        s("${name:6} ${name:0:5} ${name:-3} ${name:3:100} ${name:20}|"),
        "World Hello Hello-World lo-World |"
    );
    assert_eq!(
        s("${path#*/} ${path##*/} ${path%.*} ${path%%.*}"),
        "b/c.tar.gz c.tar.gz a/b/c.tar a/b/c"
    );
    assert_eq!(
        s("${name/l/L} ${name//l/L} ${name/#Hello/Bye} ${name/%World/There} ${name//o/}"),
        "HeLlo-World HeLLo-WorLd Bye-World Hello-There Hell-Wrld"
    );
    assert_eq!(
        s("${unset:-${name}} ${name:=${unset:-x}-y}"),
        "Hello-World Hello-World"
    );
}

#[test]
fn dollars_and_escapes() {
    // `$$` is one `$` anywhere in the text; `$var` is left alone.
    assert_eq!(s("echo $$ $${name} $name $"), "echo $ ${name} $name $");
    assert_eq!(s("$$$"), "$$");
    // In replace arguments `\/` and `\\` are escapes; a replacement's leading slashes go.
    assert_eq!(s(r"${path/\//_}"), "a_b/c.tar.gz");
    assert_eq!(s("${path/a//x}"), "x/b/c.tar.gz");
}

#[test]
fn quirks_of_the_reader() {
    // Without a colon only `=` is an operator.
    assert_eq!(fails("${name-d}", true), "missing closing brace");
    assert_eq!(fails("${name+d}", true), "missing closing brace");
    assert_eq!(fails("${name/l}", true), "bad substitution");
    assert_eq!(
        fails("${name#}", true),
        "unable to parse substitution within function"
    );
    assert_eq!(fails("${", true), "unable to parse variable name");
    // An offset that is no integer leaves the value whole.
    assert_eq!(s("${name: -3} ${name:a}"), "Hello-World Hello-World");
    // Unknown case operators give the value.
    assert_eq!(s("${name^,} ${name,^}"), "Hello-World Hello-World");
    // Names are Go letters and digits; unset ones are empty when not strict.
    assert_eq!(run("[${1abc}${é}]", false).unwrap(), "[]");
    // `*` alone still takes one character; classes work.
    assert_eq!(
        s("${name#*} ${name%*} ${name#[A-Z]}"),
        "ello-World Hello-Worl ello-World"
    );
    assert_eq!(s("${name/#H/} ${name/%d/}"), "Hello-World Hello-World");
}

#[test]
fn bytes_and_case_like_go() {
    // Offsets count bytes; `ß` has no one-character upper case.
    assert_eq!(s("${uml:0:3}"), "äb");
    assert_eq!(substitute(b"${uml:1}", &vars, true).unwrap(), b"\xa4bc");
    assert_eq!(s("${sharp^^}"), "STRAßE");
}

#[test]
fn strict_mode() {
    assert_eq!(
        fails("${missing}", true),
        "variable not set (strict mode): \"missing\""
    );
    assert_eq!(run("a${missing}b", false).unwrap(), "ab");
    // Defaults are evaluated first, so their variables must be set too.
    assert_eq!(
        fails("${name:=${missing}}", true),
        "variable not set (strict mode): \"missing\""
    );
    // A length before the offset is Go's slice panic.
    assert_eq!(
        fails("${name:0:-1}", true),
        "runtime error: slice bounds out of range [:-1]"
    );
    assert_eq!(
        fails("${name:3:-1}", true),
        "runtime error: slice bounds out of range [3:2]"
    );
}
