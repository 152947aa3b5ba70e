//! `ferroflux gotmpl render`, through the binary.

use std::process::Command;

fn render(template: &str, data: Option<&str>, helm: bool) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.tpl");
    std::fs::write(&file, template).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferroflux"));
    cmd.args(["gotmpl", "render"]).arg(&file);
    if let Some(json) = data {
        let d = dir.path().join("data.json");
        std::fs::write(&d, json).unwrap();
        cmd.arg("--data").arg(d);
    }
    if helm {
        cmd.arg("--helm");
    }
    let o = cmd.output().unwrap();
    (
        o.status.success(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn renders_with_sprig_and_go_semantics() {
    let tpl = r#"{{ range $k, $v := .items }}{{ $k }}={{ $v | upper }};{{ end }}{{ .missing }}|{{ printf "%d" .n }}|{{ list 1 2 | toJson }}"#;
    let data = r#"{"items": {"b": "two", "a": "one"}, "n": 4}"#;
    let (ok, out, err) = render(tpl, Some(data), false);
    assert!(ok, "{err}");
    // Map keys in order, <no value> for a missing key, JSON numbers are float64 as in Go.
    assert_eq!(out, "a=ONE;b=TWO;<no value>|%!d(float64=4)|[1,2]");
    let (ok, out, _) = render(tpl, Some(data), true);
    assert!(ok);
    assert_eq!(
        out, "a=ONE;b=TWO;|%!d(float64=4)|[1,2]",
        "Helm erases <no value>"
    );
}

#[test]
fn template_errors_name_the_template_and_line() {
    let (ok, _, err) = render("line one\n{{ .x | nosuchfunc }}", None, false);
    assert!(!ok);
    assert!(
        err.contains("case.tpl:2: function \"nosuchfunc\" not defined"),
        "{err}"
    );
}

/// As Go's `Execute` to stdout (the gotmpl oracle): the text written before an execution
/// error is printed; Helm's engine prints nothing of a failed template.
#[test]
fn output_before_an_error_is_printed_in_plain_mode() {
    let tpl = r#"a{{ template "t" }}{{ fail "x" }}b{{ define "t" }}[t]{{ end }}"#;
    let (ok, out, err) = render(tpl, None, false);
    assert!(!ok);
    assert_eq!(out, "a[t]");
    assert!(err.ends_with("error calling fail: x\n"), "{err}");
    let (ok, out, _) = render(tpl, None, true);
    assert!(!ok);
    assert_eq!(out, "");
}
