//! The Rust API: template sets, options, hooks and host objects.

use ferroflux_gotemplate::{
    Error, ErrorKind, FuncMap, MissingKey, Object, Options, Template, Ty, Value, render_plain,
};
use std::sync::Arc;

fn data(j: serde_json::Value) -> Value {
    Value::from_json(&j)
}

#[test]
fn custom_delimiters() {
    let opts = Options {
        left_delim: "[[".into(),
        right_delim: "]]".into(),
        ..Options::default()
    };
    let mut t = Template::new("t", FuncMap::sprig(), opts);
    t.parse("t", "{{ .x }} [[ .x | upper ]] [[- \" y\" -]] z")
        .unwrap();
    let out = t
        .execute("t", &data(serde_json::json!({"x": "a"})))
        .unwrap();
    assert_eq!(out, "{{ .x }} A yz");
}

#[test]
fn missingkey_modes() {
    let d = data(serde_json::json!({"m": {}}));
    let run = |mk| {
        let opts = Options {
            missing_key: mk,
            ..Options::default()
        };
        let mut t = Template::new("t", FuncMap::sprig(), opts);
        t.parse("t", "{{ .m.x }}").unwrap();
        t.execute("t", &d)
    };
    assert_eq!(run(MissingKey::Default).unwrap(), "<no value>");
    assert_eq!(run(MissingKey::Zero).unwrap(), "<no value>");
    let e = run(MissingKey::Error).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:5: executing \"t\" at <.m.x>: map has no entry for key \"x\""
    );
    assert_eq!((e.line, e.col, e.kind), (Some(1), Some(5), ErrorKind::Exec));
}

#[test]
fn helm_set_of_files() {
    let mut t = Template::new("chart", FuncMap::helm(), Options::helm(false));
    t.parse(
        "c/templates/_helpers.tpl",
        "{{ define \"name\" }}{{ .Values.name | default \"app\" }}{{ end }}",
    )
    .unwrap();
    t.parse(
        "c/templates/cm.yaml",
        "name: {{ include \"name\" . }}\nmissing: {{ .Values.nope }}\n{{ tpl \"x: {{ include \\\"name\\\" . }}\" . }}",
    )
    .unwrap();
    let out = t
        .execute(
            "c/templates/cm.yaml",
            &data(serde_json::json!({"Values": {"name": "web"}})),
        )
        .unwrap();
    assert_eq!(out, "name: web\nmissing: \nx: web");
    assert_eq!(
        t.names(),
        vec!["c/templates/_helpers.tpl", "c/templates/cm.yaml", "name"]
    );
}

#[test]
fn later_definition_wins_but_empty_does_not() {
    let mut t = Template::new("s", FuncMap::sprig(), Options::default());
    t.parse("a", "{{ define \"x\" }}1{{ end }}").unwrap();
    t.parse("b", "{{ define \"x\" }}2{{ end }}").unwrap();
    t.parse("c", "{{ define \"x\" }} {{ end }}").unwrap();
    t.parse("main", "{{ template \"x\" }}").unwrap();
    assert_eq!(t.execute("main", &Value::Nil).unwrap(), "2");
}

#[test]
fn lookup_hook_and_custom_functions() {
    let mut funcs = FuncMap::helm();
    funcs.pure("lookup", &[Ty::Str, Ty::Str, Ty::Str, Ty::Str], None, |a| {
        let mut m = ferroflux_gotemplate::Map::new();
        m.insert("kind".into(), a[1].clone());
        Ok(Value::map(m))
    });
    funcs.pure("twice", &[Ty::Any], None, |a| {
        Ok(Value::list(vec![a[0].clone(), a[0].clone()]))
    });
    let mut t = Template::new("t", funcs, Options::helm(false));
    t.parse(
        "t",
        "{{ (lookup \"v1\" \"Secret\" \"ns\" \"n\").kind }} {{ twice 1 }}",
    )
    .unwrap();
    assert_eq!(t.execute("t", &Value::Nil).unwrap(), "Secret [1 1]");
}

#[derive(Debug)]
struct Caps;

impl Object for Caps {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "KubeVersion").then(|| Value::str("v1.33.0"))
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Has" => Some(Ok(Value::Bool(
                args.first().and_then(Value::as_str) == Some("apps/v1"),
            ))),
            "Fail" => Some(Err("no".into())),
            _ => None,
        }
    }
}

#[test]
fn host_objects() {
    let mut m = ferroflux_gotemplate::Map::new();
    m.insert("Capabilities".into(), Value::Object(Arc::new(Caps)));
    let d = Value::map(m);
    let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
    t.parse("t", "{{ .Capabilities.KubeVersion }} {{ .Capabilities.Has \"apps/v1\" }} {{ .Capabilities.Has \"x\" }}")
        .unwrap();
    assert_eq!(t.execute("t", &d).unwrap(), "v1.33.0 true false");
    t.parse("e", "{{ .Capabilities.Fail 1 }}").unwrap();
    let e = t.execute("e", &d).unwrap_err();
    assert!(e.to_string().ends_with("error calling Fail: no"), "{e}");
    t.parse("f", "{{ .Capabilities.Nope }}").unwrap();
    let e = t.execute("f", &d).unwrap_err();
    assert!(
        e.to_string()
            .contains("can't evaluate field Nope in type *chartutil.Capabilities"),
        "{e}"
    );
}

#[test]
fn recursion_is_limited() {
    let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
    t.parse(
        "t",
        "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
    )
    .unwrap();
    let e: Error = t.execute("t", &Value::Nil).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.ends_with(
            "rendering template has a nested reference name: r: unable to execute template"
        ),
        "{}",
        &msg[msg.len().saturating_sub(300)..]
    );
    // Go's limit is 100000 nested calls; a smaller one here keeps the test light.
    assert_eq!(Options::default().max_depth, 100_000);
    let opts = Options {
        max_depth: 3000,
        ..Options::default()
    };
    let mut t = Template::new("t", FuncMap::sprig(), opts);
    t.parse(
        "t",
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
    )
    .unwrap();
    let e = t.execute("t", &Value::Nil).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("exceeded maximum template depth (3000)"),
        "{e}"
    );
    let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
    t.parse("t", "{{ tpl \"{{ tpl .x . }}\" . }}").unwrap();
    let d = data(serde_json::json!({"x": "{{ tpl .x . }}"}));
    assert!(t.execute("t", &d).is_err());
}

#[test]
fn no_template_by_that_name() {
    let t = Template::new("set", FuncMap::sprig(), Options::default());
    let e = t.execute("x", &Value::Nil).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoTemplate);
    assert_eq!(
        e.to_string(),
        "template: no template \"x\" associated with template \"set\""
    );
}

#[test]
fn render_plain_entry_point() {
    let out = render_plain(
        "{{ .a | add 1 }} {{ .b }}",
        "f.tpl",
        Some(serde_json::json!({"a": 2})),
    )
    .unwrap();
    assert_eq!(out, "3 <no value>");
    let e = render_plain("{{ .a", "f.tpl", None).unwrap_err();
    assert_eq!(e.to_string(), "template: f.tpl:1: unclosed action");
    assert_eq!(e.kind, ErrorKind::Parse);
}

#[test]
fn shared_maps_are_mutable_through_every_holder() {
    let d = data(serde_json::json!({"m": {"a": 1}}));
    let mut t = Template::new("t", FuncMap::sprig(), Options::default());
    t.parse("t", "{{ $x := .m }}{{ $_ := set $x \"b\" 2 }}{{ .m }}")
        .unwrap();
    assert_eq!(t.execute("t", &d).unwrap(), "map[a:1 b:2]");
    // The caller's value sees the change too, as in Go.
    assert_eq!(d.to_json(), serde_json::json!({"m": {"a": 1.0, "b": 2}}));
}

#[test]
fn cyclic_maps_do_not_overflow() {
    let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
    t.parse("t", "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ toJson $d | len }} {{ toYaml $d | len }} {{ len (printf \"%v\" $d) }}")
        .unwrap();
    assert!(t.execute("t", &Value::Nil).is_ok());
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "{{",
        "}}",
        "{{-",
        "{{- -}}",
        "{{/*",
        "{{/**/",
        "{{ ( }}",
        "{{ ) }}",
        "{{ $ }}",
        "{{ $x := }}",
        "{{ range }}",
        "{{ end }}{{ end }}",
        "{{ 'ab' }}",
        "{{ '' }}",
        "{{ \"\\",
        "{{ 0x }}",
        "{{ 1e }}",
        "{{ . . . }}",
        "{{ .a.b.c.d | | }}",
        "{{ define }}",
        "{{ define \"a\" }}",
        "{{ block \"b\" }}",
        "{{ template \"x\" ( }}",
        "{{ printf \"%*.*d\" -3 -2 1 }}",
        "{{ slice \"é\" 0 1 }}",
        "{{ index \"é\" 1 }}",
        "{{ substr 1 2 \"é\" }}",
        "{{ trunc 1 \"é\" }}",
        "{{ abbrev 4 \"éééé\" }}",
        "{{ wrap 1 \"éé éé\" }}",
        "{{ repeat 99999999999 \"x\" }}",
        "{{ until 99999999999 | len }}",
        "{{ toDate \"2006-01-02\" \"2020-02-31\" }}",
        "{{ date \"Z07:00:00\" 0 }}",
        "{{ 0b2 }}",
        "{{ -9223372036854775809 }}",
        "{{ '\\U00110000' }}",
        "{{ \"\\xff\" }}",
        "\u{1F600}{{ \"\u{1F600}\" | upper }}",
    ];
    for i in inputs {
        for helm in [false, true] {
            let (f, o) = if helm {
                (FuncMap::helm(), Options::helm(false))
            } else {
                (FuncMap::sprig(), Options::default())
            };
            let mut t = Template::new("t", f, o);
            if t.parse("t", i).is_ok() {
                let _ = t.execute("t", &Value::Nil);
            }
        }
    }
}

/// Random token soups (a cheap stand-in for the fuzzer): parsing and executing must not panic.
#[test]
fn random_token_soups_never_panic() {
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        " -}}",
        " ",
        ".",
        ".a",
        ".b.c",
        "$",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "\"s\"",
        "`r`",
        "1",
        "-2",
        "3.5",
        "'c'",
        "nil",
        "true",
        "and",
        "or",
        "not",
        "len",
        "index",
        "slice",
        "printf",
        "\"%d %v\"",
        "print",
        "eq",
        "lt",
        "include",
        "tpl",
        "toYaml",
        "default",
        "dict",
        "list",
        "set",
        "merge",
        "fail",
        "required",
        "upper",
        "/*",
        "*/",
        ",",
        "\n",
        "text",
        "until",
        "5",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let data = Value::from_json(&serde_json::json!({"a": [1, "x", null], "b": {"c": {"d": 1}}}));
    for _ in 0..3000 {
        let n = (next() % 24) as usize;
        let text: String = (0..n)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
        if t.parse("t", &text).is_ok() {
            let _ = t.execute("t", &data);
        }
    }
}

#[test]
fn fuel_stops_runaway_templates() {
    let opts = Options {
        fuel: Some(10_000),
        ..Options::default()
    };
    let mut t = Template::new("t", FuncMap::sprig(), opts);
    t.parse(
        "t",
        "{{ range until 100000 }}{{ range until 10 }}x{{ end }}{{ end }}",
    )
    .unwrap();
    let e = t.execute("t", &Value::Nil).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Fuel);
    // The budget is per execution.
    let mut t = Template::new(
        "t",
        FuncMap::sprig(),
        Options {
            fuel: Some(100),
            ..Options::default()
        },
    );
    t.parse("t", "{{ range until 10 }}.{{ end }}").unwrap();
    assert_eq!(t.execute("t", &Value::Nil).unwrap(), "..........");
    assert_eq!(t.execute("t", &Value::Nil).unwrap(), "..........");
}

#[test]
fn sets_render_in_parallel() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
    assert_send_sync::<Value>();
    assert_send_sync::<FuncMap>();
    let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
    t.parse(
        "t",
        "{{ include \"x\" . }}{{ define \"x\" }}{{ .n | add 1 }}{{ end }}",
    )
    .unwrap();
    let t = Arc::new(t);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let t = t.clone();
            std::thread::spawn(move || {
                let mut m = ferroflux_gotemplate::Map::new();
                m.insert("n".into(), Value::Int(i));
                t.execute("t", &Value::map(m)).unwrap()
            })
        })
        .collect();
    let outs: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outs, vec!["1", "2", "3", "4"]);
}

/// Generates real keys (slow without optimisation) and checks the chain with openssl.
#[test]
#[ignore = "RSA key generation takes seconds in debug builds; run with --release --ignored"]
fn generated_certificates_verify_with_openssl() {
    let mut t = Template::new("t", FuncMap::sprig(), Options::default());
    t.parse(
        "t",
        "{{ $ca := genCA \"ca\" 10 }}{{ $l := genSignedCert \"svc\" (list \"10.0.0.1\") (list \"svc.ns\") 5 $ca }}{{ $ca.Cert }}==={{ $l.Cert }}",
    )
    .unwrap();
    let out = t.execute("t", &Value::Nil).unwrap();
    let (ca, leaf) = out.split_once("===").unwrap();
    let dir = std::env::temp_dir().join(format!("ferroflux-certs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.pem"), ca).unwrap();
    std::fs::write(dir.join("leaf.pem"), leaf).unwrap();
    let st = std::process::Command::new("openssl")
        .args(["verify", "-CAfile", "ca.pem", "leaf.pem"])
        .current_dir(&dir)
        .status();
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(st) = st {
        assert!(st.success(), "openssl rejected the generated chain");
    }
}

/// Renders one expression with Sprig's functions.
fn render_sprig(text: &str) -> String {
    let mut t = Template::new("t", FuncMap::sprig(), Options::default());
    t.parse("t", text).unwrap();
    t.execute("t", &Value::Nil).unwrap()
}

/// The DER inside a PEM block of the given type.
fn pem_der(pem: &str, label: &str) -> Vec<u8> {
    use base64::Engine;
    let begin = format!("-----BEGIN {label}-----\n");
    let end = format!("-----END {label}-----\n");
    assert!(pem.starts_with(&begin), "{pem}");
    assert!(pem.ends_with(&end), "{pem}");
    let body: String = pem[begin.len()..pem.len() - end.len()]
        .lines()
        .inspect(|l| assert!(l.len() <= 64))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// Reads one DER element: (tag, contents, rest).
fn der_next(b: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = b[0];
    let (len, hdr) = if b[1] < 0x80 {
        (b[1] as usize, 2)
    } else {
        let n = (b[1] & 0x7f) as usize;
        let len = b[2..2 + n]
            .iter()
            .fold(0usize, |acc, x| (acc << 8) | *x as usize);
        (len, 2 + n)
    };
    (tag, &b[hdr..hdr + len], &b[hdr + len..])
}

/// Passes the key to `openssl pkey` when openssl is installed.
fn openssl_accepts(pem: &str) {
    let dir = std::env::temp_dir().join(format!(
        "ferroflux-key-{}-{}",
        std::process::id(),
        pem.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("key.pem"), pem).unwrap();
    let st = std::process::Command::new("openssl")
        .args(["pkey", "-noout", "-in", "key.pem"])
        .current_dir(&dir)
        .stderr(std::process::Stdio::null())
        .status();
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(st) = st {
        assert!(st.success(), "openssl rejected the key:\n{pem}");
    }
}

#[test]
fn generated_ecdsa_and_ed25519_keys_parse() {
    // ECDSA: SEC 1 ECPrivateKey on P-256 whose public point is the scalar's.
    let pem = render_sprig(r#"{{ genPrivateKey "ecdsa" }}"#);
    let der = pem_der(&pem, "EC PRIVATE KEY");
    let key = p256::SecretKey::from_sec1_der(&der).expect("a SEC 1 P-256 key");
    let (tag, body, rest) = der_next(&der);
    assert_eq!((tag, rest.len()), (0x30, 0));
    let (_, version, body) = der_next(body);
    assert_eq!(version, [1]);
    let (_, scalar, body) = der_next(body);
    assert_eq!(scalar, key.to_bytes().as_slice());
    let (tag, curve, body) = der_next(body);
    assert_eq!(tag, 0xa0);
    assert_eq!(curve, [6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7]);
    let (tag, public, _) = der_next(body);
    assert_eq!(tag, 0xa1);
    let (_, bits, _) = der_next(public);
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    assert_eq!(
        &bits[1..],
        key.public_key().to_encoded_point(false).as_bytes()
    );
    openssl_accepts(&pem);

    // Ed25519: PKCS#8 with the 32-byte seed, as Go's MarshalPKCS8PrivateKey writes it.
    let pem = render_sprig(r#"{{ genPrivateKey "ed25519" }}"#);
    let der = pem_der(&pem, "PRIVATE KEY");
    assert_eq!(der.len(), 48);
    assert_eq!(
        der[..16],
        [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20
        ]
    );
    openssl_accepts(&pem);
}

#[test]
#[ignore = "DSA parameter generation takes about a minute in debug builds; run with --release --ignored"]
fn generated_dsa_key_is_valid() {
    use dsa::BigUint;
    let pem = render_sprig(r#"{{ genPrivateKey "dsa" }}"#);
    let der = pem_der(&pem, "DSA PRIVATE KEY");
    let (tag, mut body, rest) = der_next(&der);
    assert_eq!((tag, rest.len()), (0x30, 0));
    let mut ints = Vec::new();
    while !body.is_empty() {
        let (tag, v, r) = der_next(body);
        assert_eq!(tag, 2);
        ints.push(BigUint::from_bytes_be(v));
        body = r;
    }
    let [version, p, q, g, y, x] = <[BigUint; 6]>::try_from(ints).unwrap();
    let one = BigUint::from(1u8);
    assert_eq!(version, BigUint::from(0u8));
    assert_eq!((p.bits(), q.bits()), (2048, 256));
    assert_eq!((&p - &one) % &q, BigUint::from(0u8));
    assert!(g > one && g < p);
    assert_eq!(g.modpow(&q, &p), one);
    assert!(x > BigUint::from(0u8) && x < q);
    assert_eq!(g.modpow(&x, &p), y);
    openssl_accepts(&pem);
}

#[test]
fn parse_all_shares_identical_texts_and_keeps_order_and_names() {
    use ferroflux_gotemplate::{FuncMap, Options, Template, Value};
    let helper = r#"{{ define "h" }}[{{ . }}]{{ end }}{{ template "h" .x }}"#;
    let mut files: Vec<(String, String)> = (0..40)
        .map(|i| (format!("c{i}/t.yaml"), helper.to_string()))
        .collect();
    // A later definition of "h" wins, as with parse() in order.
    files.push((
        "z/last.tpl".into(),
        r#"{{ define "h" }}<{{ . }}>{{ end }}"#.into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut t = Template::new("gotpl", FuncMap::helm(), Options::helm(false));
    t.parse_all(&refs).unwrap();
    let data = Value::from_json(&serde_json::json!({"x": "v"}));
    assert_eq!(t.execute("c7/t.yaml", &data).unwrap(), "<v>");
    // Errors from a shared tree still name the file that ran.
    let bad = r#"{{ .x.y.z }}"#;
    let mut t = Template::new("gotpl", FuncMap::helm(), Options::helm(false));
    t.parse_all(&[("a.yaml", bad), ("b.yaml", bad)]).unwrap();
    let e = t.execute("b.yaml", &data).unwrap_err();
    assert!(
        e.message.starts_with("template: b.yaml:1:"),
        "{}",
        e.message
    );
    // A parse error names the first file (in order) that has it.
    let mut t = Template::new("gotpl", FuncMap::helm(), Options::helm(false));
    let e = t
        .parse_all(&[("ok.yaml", "x"), ("p.yaml", "{{ ")])
        .unwrap_err();
    assert!(
        e.message.starts_with("template: p.yaml:1:"),
        "{}",
        e.message
    );
}

#[test]
fn range_over_int_takes_one_variable() {
    let out = ferroflux_gotemplate::render_helm(
        "{{ range 3 }}{{ . }}{{ end }}|{{ range $v := 2 }}{{ $v }}{{ end }}",
        "t",
        None,
    );
    assert_eq!(out.unwrap(), "012|01");
    // As Go 1.22+ (helm v4.3.1): `template: t:1:20: executing "t" at <3>: can't use 3 …`.
    let err = ferroflux_gotemplate::render_helm("{{ range $i, $v := 3 }}{{ end }}", "t", None)
        .unwrap_err();
    assert_eq!(
        err.message,
        "template: t:1:19: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"
    );
}

#[test]
fn piped_value_of_the_wrong_type_is_reported_at_the_last_argument() {
    // Go 1.27's text/template (gotmpl-oracle): the location is the last node evaluated.
    let e = render_plain("{{ 5 | replace \"a\" \"b\" }}", "t", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:19: executing \"t\" at <\"b\">: wrong type for value; expected string; got int"
    );
    let e = render_plain("{{ 5 | upper }}", "t", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:7: executing \"t\" at <upper>: wrong type for value; expected string; got int"
    );
}

#[test]
fn js_escapes_unprintable_runes() {
    // Go's template.JSEscapeString (gotmpl-oracle): runes unicode.IsPrint rejects become \uXXXX.
    assert_eq!(
        render_plain(
            "{{ js \"\\u2028 \\u00a0 \\u00ad é 😀 \\ufeff <'>\" }}",
            "t",
            None
        )
        .unwrap(),
        "\\u2028 \\u00A0 \\u00AD é 😀 \\uFEFF \\u003C\\'\\u003E"
    );
}

#[test]
fn number_and_non_function_errors_as_go() {
    // gotmpl-oracle (Go 1.27 text/template).
    let e = render_plain("{{ 1e400 }}", "t", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1: illegal number syntax: \"1e400\""
    );
    let e = render_plain("{{ (1) 2 }}", "t", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:3: executing \"t\" at <(1) 2>: can't give argument to non-function 1"
    );
}
