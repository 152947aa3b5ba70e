use super::model::{self, V};
use super::*;
use std::path::PathBuf;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/helm-index-json")
}

/// The artifact for an index given as text, through a file as in production.
fn convert_str(index: &str) -> Result<String, IndexError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.yaml");
    std::fs::write(&path, index).unwrap();
    let mut out = Vec::new();
    let info = write_index_json(&path, &mut out)?;
    assert_eq!(info.size, out.len() as u64);
    assert_eq!(
        info.digest,
        format!("sha256:{}", hex::encode(Sha256::digest(&out)))
    );
    // Nothing left behind but the index.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    Ok(String::from_utf8(out).unwrap())
}

/// Every input in testdata/helm-index-json against what Go wrote for it: the JSON byte for
/// byte, or an error where Go failed (Go's message is kept in `.expected.err` for reference).
#[test]
fn goldens_from_the_go_encoder() {
    let mut checked = 0;
    let mut names: Vec<PathBuf> = std::fs::read_dir(testdata())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            !name.contains(".expected.") && (name.ends_with(".yaml") || name.ends_with(".json"))
        })
        .collect();
    names.sort();
    for input in names {
        let stem = input.file_stem().unwrap().to_string_lossy().to_string();
        let json = testdata().join(format!("{stem}.expected.json"));
        let err = testdata().join(format!("{stem}.expected.err"));
        let mut out = Vec::new();
        let got = write_index_json(&input, &mut out);
        if json.exists() {
            let want = std::fs::read_to_string(&json).unwrap();
            let info = got.unwrap_or_else(|e| panic!("{stem}: {e}"));
            let out = String::from_utf8(out).unwrap();
            if out != want {
                let line = out
                    .lines()
                    .zip(want.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{stem}: differs from Go at line {}:\n got: {:?}\nwant: {:?}",
                    line + 1,
                    out.lines().nth(line),
                    want.lines().nth(line)
                );
            }
            assert_eq!(info.size, want.len() as u64, "{stem}");
        } else {
            let go = std::fs::read_to_string(&err)
                .unwrap_or_else(|_| panic!("{stem}: no expected output"));
            match got {
                Ok(_) => panic!("{stem}: converted, but Go failed with {go}"),
                Err(e) => {
                    let kind_ok = match &e {
                        IndexError::Empty => go.contains("empty index.yaml file"),
                        IndexError::NoApiVersion => go.contains("no API version specified"),
                        IndexError::Parse(_) => {
                            !go.contains("empty index") && !go.contains("no API version")
                        }
                        _ => false,
                    };
                    assert!(kind_ok, "{stem}: we said {e}, Go said {go}");
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 37, "only {checked} cases");
}

#[test]
fn error_messages_name_the_problem() {
    let e = convert_str("apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.10}\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"a\"") && e.contains("version") && e.contains("number"),
        "{e}"
    );
    let e = convert_str("apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, x: 1}\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field \"x\""), "{e}");
    let e = convert_str("apiVersion: v1\nentries:\n  a: [{name: a, version: 1.0.0}, ~]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("null entry"), "{e}");
    let e = convert_str("apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, name: b}\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("already set") && e.contains("line"), "{e}");
}

#[test]
fn json_is_not_strict_and_invalid_json_is_read_as_yaml() {
    // Unknown fields are fine in JSON, not in YAML.
    let json = r#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","x":1}]}}"#;
    assert!(convert_str(json).is_ok());
    let yaml = "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, x: 1}\n";
    assert!(convert_str(yaml).is_err());
    // A trailing comma makes it YAML (a flow mapping), where the unknown field fails.
    let almost = r#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","x":1}]},}"#;
    assert!(convert_str(almost).is_err());
    // Valid JSON with a value of the wrong type fails, though YAML would have coerced it.
    let typed = r#"{"apiVersion":"v1","entries":{},"publicKeys":[1]}"#;
    assert!(matches!(convert_str(typed), Err(IndexError::Parse(_))));
    let as_yaml = "apiVersion: v1\nentries: {}\npublicKeys: [1]\n";
    assert!(convert_str(as_yaml).unwrap().contains("\"1\""));
    // A type error early in input that is not JSON after all: YAML decides.
    let broken = r#"{"apiVersion":"v1","entries":{},"publicKeys":[1], "a": }"#;
    assert!(matches!(convert_str(broken), Err(IndexError::Parse(_))));
}

#[test]
fn top_level_shapes() {
    let out = convert_str("apiVersion: v1\n").unwrap();
    assert_eq!(
        out,
        "{\n  \"apiVersion\": \"v1\",\n  \"generated\": \"0001-01-01T00:00:00Z\",\n  \"entries\": null\n}"
    );
    let out = convert_str(
        "apiVersion: v1\nentries: {}\npublicKeys: []\nannotations: {}\nserverInfo: {}\n",
    )
    .unwrap();
    assert_eq!(
        out,
        "{\n  \"apiVersion\": \"v1\",\n  \"generated\": \"0001-01-01T00:00:00Z\",\n  \"entries\": {}\n}"
    );
    // An anchored top level is composed whole; the result is the same.
    let plain = "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0}\n";
    let anchored = "&root\napiVersion: v1\nentries: &e\n  a: &l\n  - {name: a, version: 1.0.0}\n";
    assert_eq!(convert_str(plain).unwrap(), convert_str(anchored).unwrap());
    // Aliases to whole charts and merged entries.
    let aliased = "apiVersion: v1\nentries:\n  a: &l\n  - {name: a, version: 1.0.0}\n  b: *l\n";
    let out = convert_str(aliased).unwrap();
    assert_eq!(out.matches("\"name\": \"a\"").count(), 2, "{out}");
    let merged = "apiVersion: v1\nx: &x {a: [{name: a, version: 1.0.0}]}\n";
    assert!(convert_str(merged).is_err(), "x is not an IndexFile field");
    let merged = "apiVersion: v1\nentries:\n  <<: {a: [{name: a, version: 1.0.0}]}\n  b: []\n";
    let out = convert_str(merged).unwrap();
    assert!(
        out.contains("\"a\": [") && out.contains("\"b\": []"),
        "{out}"
    );
    // A merge key at the top level brings its fields in like written ones.
    let merged_root = "<<: {apiVersion: v1}\nentries:\n  a: [{name: a, version: 1.0.0}]\n";
    assert_eq!(
        convert_str(merged_root).unwrap(),
        convert_str(plain).unwrap()
    );
    // Only the first document counts.
    assert!(convert_str("apiVersion: v1\n---\n{{{\n").is_ok());
    assert!(matches!(convert_str(""), Err(IndexError::Empty)));
    assert!(matches!(convert_str(" \n"), Err(IndexError::NoApiVersion)));
    assert!(matches!(convert_str("null"), Err(IndexError::NoApiVersion)));
    assert!(matches!(convert_str("- a\n"), Err(IndexError::Parse(_))));
}

#[test]
fn excessive_aliasing_is_refused() {
    let mut doc = String::from(
        "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords: &k0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    doc.push_str("    annotations:\n");
    for i in 1..9 {
        doc.push_str(&format!(
            "      k{i}: &k{i} [*k{p}, *k{p}, *k{p}, *k{p}, *k{p}, *k{p}, *k{p}, *k{p}, *k{p}, *k{p}]\n",
            p = i - 1
        ));
    }
    let e = convert_str(&doc).unwrap_err().to_string();
    assert!(e.contains("excessive aliasing"), "{e}");
}

#[test]
fn times_as_go_parses_and_writes_them() {
    let t = |created: &str| -> Result<String, IndexError> {
        let out = convert_str(&format!(
            "apiVersion: v1\nentries:\n  a:\n  - {{name: a, version: 1.0.0, created: \"{created}\"}}\n"
        ))?;
        let line = out.lines().find(|l| l.contains("\"created\"")).unwrap();
        Ok(line
            .trim()
            .trim_start_matches("\"created\": ")
            .trim_matches('"')
            .to_string())
    };
    assert_eq!(t("2023-01-02T03:04:05Z").unwrap(), "2023-01-02T03:04:05Z");
    assert_eq!(
        t("2023-01-02T03:04:05.500Z").unwrap(),
        "2023-01-02T03:04:05.5Z"
    );
    assert_eq!(
        t("2023-01-02T03:04:05.000Z").unwrap(),
        "2023-01-02T03:04:05Z"
    );
    assert_eq!(
        t("2023-01-02T03:04:05.123456789999Z").unwrap(),
        "2023-01-02T03:04:05.123456789Z"
    );
    assert_eq!(
        t("2023-01-02T03:04:05+00:00").unwrap(),
        "2023-01-02T03:04:05Z"
    );
    assert_eq!(
        t("2023-01-02T03:04:05-00:00").unwrap(),
        "2023-01-02T03:04:05Z"
    );
    assert_eq!(
        t("2023-01-02T03:04:05-09:30").unwrap(),
        "2023-01-02T03:04:05-09:30"
    );
    assert_eq!(t("2024-02-29T00:00:00Z").unwrap(), "2024-02-29T00:00:00Z");
    assert_eq!(
        t("0000-01-01T00:00:00+01:00").unwrap(),
        "0000-01-01T00:00:00+01:00"
    );
    // What Go 1.20 and later refuse (Go 1.19 accepted some of these).
    for bad in [
        "2023-02-29T00:00:00Z",
        "2023-01-02t03:04:05Z",
        "2023-01-02T03:04:05z",
        "2023-01-02T3:04:05Z",
        "2023-01-02T03:04:05,5Z",
        "2023-01-02T03:04:05.Z",
        "2023-01-02T24:00:00Z",
        "2023-01-02T03:04:60Z",
        "2023-01-02T03:04:05+24:00",
        "2023-01-02T03:04:05+01:60",
        "2023-01-02T03:04:05+0100",
        "2023-01-02T03:04:05",
        "2023-01-02",
        "",
    ] {
        assert!(t(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn strings_are_escaped_as_go_escapes_them() {
    let mut out = Vec::new();
    model::write_str(
        &mut out,
        "a<b>&c\u{2028}\u{2029}\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀",
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#""a\u003cb\u003e\u0026c\u2028\u2029\"\\\n\r\t\b\f\u0001\u001f"#.to_string()
            + "\u{7f}é😀\""
    );
}

#[test]
fn sanitizing_matches_helm() {
    let s = |x: &str| {
        let mut x = x.to_string();
        model::sanitize(&mut x);
        x
    };
    assert_eq!(s("plain text"), "plain text");
    assert_eq!(s("a\tb\nc\r\u{b}\u{c}"), "a b c   ");
    assert_eq!(
        s("nb\u{a0}sp\u{2003}em\u{3000}ideo\u{85}nel"),
        "nb sp em ideo nel"
    );
    assert_eq!(
        s("zw\u{200b}sp soft\u{ad}hy\u{1}ctl\u{7f}del"),
        "zwsp softhyctldel"
    );
    assert_eq!(s("bidi\u{202e}\u{2066}x\u{feff}"), "bidix");
    assert_eq!(s("private\u{e000}use"), "privateuse");
    assert_eq!(s("é ü 中 😀 \u{301}"), "é ü 中 😀 \u{301}");
    assert_eq!(s("unassigned\u{378}"), "unassigned");
}

#[test]
fn numbers_print_as_go_prints_them() {
    assert_eq!(model::format_g32(1.1), "1.1");
    assert_eq!(model::format_g32(1.0), "1");
    assert_eq!(model::format_g32(std::f64::consts::PI), "3.1415927");
    assert_eq!(model::format_g32(1e6), "1e+06");
    assert_eq!(model::format_g32(123_456.0), "123456");
    assert_eq!(model::format_g32(0.0001), "0.0001");
    assert_eq!(model::format_g32(0.00001), "1e-05");
    assert_eq!(model::format_g32(-0.0), "-0");
    assert_eq!(model::format_g32(1e39), "+Inf");
    assert_eq!(model::format_g32(f64::NAN), "NaN");
    let out = convert_str(
        "apiVersion: v1\nentries: {}\nserverInfo: {a: 1e21, b: 1e20, c: 1e-6, d: 1e-7, e: 0.1, f: -1.5e-300, g: 100}\n",
    )
    .unwrap();
    for want in [
        "\"a\": 1e+21",
        "\"b\": 100000000000000000000",
        "\"c\": 0.000001",
        "\"d\": 1e-7",
        "\"e\": 0.1",
        "\"f\": -1.5e-300",
        "\"g\": 100",
    ] {
        assert!(out.contains(want), "{want} in {out}");
    }
}

#[test]
fn field_names_fold_as_encoding_json_folds_them() {
    let names = &["name", "kubeVersion", "import-values"];
    assert_eq!(model::field_index("name", names), Some(0));
    assert_eq!(model::field_index("NAME", names), Some(0));
    assert_eq!(model::field_index("KUBEVERSION", names), Some(1));
    assert_eq!(model::field_index("\u{212a}ubeVersion", names), Some(1));
    assert_eq!(model::field_index("Import-Values", names), Some(2));
    assert_eq!(model::field_index("import_values", names), None);
    assert_eq!(model::field_index("nam", names), None);
    let out = convert_str(
        "apiVersion: v1\nentries:\n  a:\n  - {NAME: a, Version: 1.0.0, \u{212a}ubeversion: x}\n",
    )
    .unwrap();
    assert!(out.contains("\"kubeVersion\": \"x\""), "{out}");
}

#[test]
fn coercion_follows_sigs_yaml_type_hints() {
    let mut v = V::Map(vec![
        ("version".into(), V::Float(1.1)),
        ("digest".into(), V::Int(83)),
        ("urls".into(), V::Seq(vec![V::Bool(true), V::Null])),
        (
            "annotations".into(),
            V::Map(vec![
                ("appVersion".into(), V::Float(1.0)),
                ("other".into(), V::Int(1)),
            ]),
        ),
        (
            "maintainers".into(),
            V::Seq(vec![V::Map(vec![("name".into(), V::Int(5))])]),
        ),
        ("removed".into(), V::Int(1)),
    ]);
    model::coerce(&mut v, model::Ty::ChartVersion);
    let V::Map(pairs) = v else { panic!() };
    let get = |k: &str| pairs.iter().find(|p| p.0 == k).unwrap().1.clone();
    assert_eq!(get("version"), V::Float(1.1), "promoted fields get no hint");
    assert_eq!(get("digest"), V::Str("83".into()));
    assert_eq!(get("urls"), V::Seq(vec![V::Str("true".into()), V::Null]));
    assert_eq!(
        get("annotations"),
        V::Map(vec![
            ("appVersion".into(), V::Str("1".into())),
            ("other".into(), V::Int(1)),
        ])
    );
    assert_eq!(
        get("maintainers"),
        V::Seq(vec![V::Map(vec![("name".into(), V::Int(5))])])
    );
    assert_eq!(get("removed"), V::Int(1));
}

#[test]
fn validation_drops_and_keeps_as_helm() {
    let out = convert_str(
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, dependencies: [{name: x, repository: r, alias: same}, {name: yy, repository: r, alias: same}]}\n  - {name: a, version: 2.0.0, dependencies: [{name: x, repository: r}, {name: x, repository: r}]}\n  - {name: a, version: 3.0.0, dependencies: [{name: x, repository: r, alias: ok}, {name: x, repository: r, alias: \"n o\"}]}\n  - {name: a, version: 4.0.0, maintainers: [~]}\n",
    )
    .unwrap();
    // Duplicate names or aliases are skippable; a bad alias or a null maintainer is not.
    assert!(out.contains("\"version\": \"1.0.0\"") && out.contains("\"version\": \"2.0.0\""));
    assert!(!out.contains("\"version\": \"3.0.0\"") && !out.contains("\"version\": \"4.0.0\""));
}

#[test]
fn big_index_streams_through_the_scratch_file() {
    // Charts out of order and versions shuffled: the spill is read back by offset.
    let mut doc = String::from("apiVersion: v1\nentries:\n");
    for c in (0..30).rev() {
        doc.push_str(&format!("  chart{c:02}:\n"));
        for v in [3, 1, 4, 1, 5, 9, 2, 6] {
            doc.push_str(&format!(
                "  - {{name: chart{c:02}, version: \"{v}.0.{c}\", description: \"{}\"}}\n",
                "x".repeat(v * 10)
            ));
        }
    }
    let out = convert_str(&doc).unwrap();
    let charts: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("    \"chart"))
        .collect();
    assert_eq!(charts.len(), 30);
    assert!(charts[0].contains("chart00") && charts[29].contains("chart29"));
    let first: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("\"chart00\""))
        .filter(|l| l.contains("\"version\""))
        .take(8)
        .collect();
    assert!(
        first[0].contains("9.0.0") && first[7].contains("1.0.0"),
        "{first:?}"
    );
    // Same bytes from the JSON rendering of the same index.
    let mut json_in = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("i.json");
    std::fs::write(&p, &out).unwrap();
    write_index_json(&p, &mut json_in).unwrap();
    assert_eq!(
        String::from_utf8(json_in).unwrap(),
        out,
        "the artifact read back"
    );
}

#[test]
fn artifact_file_and_name() {
    assert_eq!(
        artifact_file_name("sha256:abc123"),
        "index-abc123.yaml".to_string()
    );
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index.yaml");
    std::fs::write(&index, "apiVersion: v1\nentries: {}\n").unwrap();
    let dest = dir.path().join("out").join("index-x.yaml");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let info = write_index_artifact(&index, &dest).unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(info.size, bytes.len() as u64);
    assert_eq!(
        info.digest,
        format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
    );
    assert_eq!(
        std::fs::read_dir(dest.parent().unwrap()).unwrap().count(),
        1
    );
    // A failure leaves nothing at the destination.
    std::fs::write(&index, "nope: 1\n").unwrap();
    let dest2 = dir.path().join("out").join("index-y.yaml");
    assert!(write_index_artifact(&index, &dest2).is_err());
    assert!(!dest2.exists());
}

#[test]
fn chart_selection_orders_versions_as_the_artifact_does() {
    // The compact Index sorts with the same port of Go's sort: equal versions (build metadata,
    // `v` prefixes, short forms) come in the order of Go's artifact.
    for name in ["sorting", "sorting-large", "basic"] {
        let index = crate::helmrepo::Index::load(&testdata().join(format!("{name}.yaml"))).unwrap();
        let want: serde_json::Value = serde_json::from_slice(
            &std::fs::read(testdata().join(format!("{name}.expected.json"))).unwrap(),
        )
        .unwrap();
        for (chart, versions) in want["entries"].as_object().unwrap() {
            let want: Vec<(String, String)> = versions
                .as_array()
                .unwrap()
                .iter()
                .map(|cv| {
                    (
                        cv["version"].as_str().unwrap().to_string(),
                        cv["urls"][0].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let got: Vec<(String, String)> = index
                .versions(chart)
                .unwrap()
                .iter()
                .map(|cv| {
                    (
                        cv.version.clone(),
                        cv.urls.first().cloned().unwrap_or_default(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{name}: {chart}");
        }
    }
}
