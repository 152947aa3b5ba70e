//! Error texts and edge results of builtins and Sprig functions as helm v4.3.1 (Go 1.27)
//! gives them. Where gotmpl-oracle differs (it names no types for `incompatible types`, and
//! its semver does not quote a bad constraint), Helm is what ferroflux follows.

use ferroflux_gotemplate::render_helm;

fn data() -> serde_json::Value {
    serde_json::json!({ "Values": { "port": 8080.0, "n": null } })
}

#[test]
fn errors_as_helm() {
    let cases = [
        (
            "eq .Values.port 8080",
            "error calling eq: incompatible types for comparison: float64 and int",
        ),
        (
            "ne 1.0 1",
            "error calling ne: incompatible types for comparison: float64 and int",
        ),
        (
            "lt 1.0 1",
            "error calling lt: incompatible types for comparison: float64 and int",
        ),
        (
            "le 1 1.0",
            "error calling le: incompatible types for comparison: int and float64",
        ),
        (
            "gt \"a\" 1",
            "error calling gt: incompatible types for comparison: string and int",
        ),
        (
            "ge \"a\" 1",
            "error calling ge: incompatible types for comparison: string and int",
        ),
        (
            "eq 1 2 \"x\"",
            "error calling eq: incompatible types for comparison: int and string",
        ),
        (
            "eq (int64 1) 1.0",
            "error calling eq: incompatible types for comparison: int64 and float64",
        ),
        (
            "eq true 1",
            "error calling eq: incompatible types for comparison: bool and int",
        ),
        (
            "eq (list 1) 1",
            "error calling eq: incompatible types for comparison: []interface {} and int",
        ),
        (
            "eq (toStrings (list 1)) 1",
            "error calling eq: incompatible types for comparison: []string and int",
        ),
        (
            "eq (dict) 1",
            "error calling eq: incompatible types for comparison: map[string]interface {} and int",
        ),
        (
            "eq (semver \"1.0.0\") 1",
            "error calling eq: incompatible types for comparison: *semver.Version and int",
        ),
        (
            "eq (now) 1",
            "error calling eq: incompatible types for comparison: time.Time and int",
        ),
        (
            "lt true 1",
            "error calling lt: incompatible types for comparison: bool and int",
        ),
        (
            "lt (list 1) (list 1)",
            "error calling lt: invalid type for comparison",
        ),
        ("lt nil 1", "error calling lt: invalid type for comparison"),
        (
            "lt (now) 1",
            "error calling lt: invalid type for comparison",
        ),
        (
            "len nil",
            "error calling len: reflect: call of reflect.Value.Type on zero Value",
        ),
        (
            "print (len nil)",
            "error calling len: reflect: call of reflect.Value.Type on zero Value",
        ),
        (
            "len (index (dict) \"x\")",
            "error calling len: reflect: call of reflect.Value.Type on zero Value",
        ),
        (
            "len .Values.missing",
            "error calling len: len of nil pointer",
        ),
        ("len .Values.n", "error calling len: len of nil pointer"),
        (
            "semverCompare \"bad\" \"1.0.0\"",
            "error calling semverCompare: improper constraint: \"bad\"",
        ),
        (
            "semverCompare \"\" \"1.0.0\"",
            "error calling semverCompare: improper constraint: \"\"",
        ),
        (
            "semverCompare \">1, bad\" \"1.0.0\"",
            "error calling semverCompare: improper constraint: \">1, bad\"",
        ),
        (
            "semverCompare \"1.0\" \"bad\"",
            "error calling semverCompare: invalid semantic version",
        ),
        (
            "concat (list 1) nil",
            "error calling concat: runtime error: invalid memory address or nil pointer dereference",
        ),
        (
            "concat nil (list 1)",
            "error calling concat: runtime error: invalid memory address or nil pointer dereference",
        ),
        (
            "concat (list 1) .Values.missing",
            "error calling concat: runtime error: invalid memory address or nil pointer dereference",
        ),
        (
            "concat (list 1) 3",
            "error calling concat: Cannot concat type int as list",
        ),
        (
            "indent -1 \"x\"",
            "error calling indent: strings: negative Repeat count",
        ),
        (
            "indent -1 \"\"",
            "error calling indent: strings: negative Repeat count",
        ),
        (
            "nindent -1 \"x\"",
            "error calling nindent: strings: negative Repeat count",
        ),
        (
            "repeat -1 \"x\"",
            "error calling repeat: strings: negative Repeat count",
        ),
    ];
    for (expr, want) in cases {
        let tpl = format!("{{{{ {expr} }}}}");
        let err = render_helm(&tpl, "t", Some(data()))
            .expect_err(expr)
            .to_string();
        assert!(err.ends_with(want), "{expr}: {err}");
    }
}

#[test]
fn results_as_helm() {
    let cases = [
        ("float64 \"1e400\"", "0"),
        ("float64 \"-1e400\"", "0"),
        ("float64 \"1_0e400\"", "0"),
        ("float64 \"1e-400\"", "0"),
        ("float64 \"Inf\"", "+Inf"),
        ("indent 0 \"x\"", "x"),
        ("eq 1 (int64 1)", "true"),
        ("eq nil 1", "false"),
        ("concat", "[]"),
    ];
    for (expr, want) in cases {
        let tpl = format!("{{{{ {expr} }}}}");
        assert_eq!(
            render_helm(&tpl, "t", Some(data())).unwrap(),
            want,
            "{expr}"
        );
    }
}
