//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ferroflux_api::load::{FluxObject, parse_documents, to_yaml};
use serde_json::Value;

pub fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub)
}

/// Every `*.yaml` in a data sub-directory, sorted, with its text.
pub fn yaml_files(sub: &str) -> Vec<(String, String)> {
    let dir = data_dir(sub);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    files
}

/// Every key of `input` exists in `output` with an equal value (objects recursively; arrays
/// element by element with the same length). `apiVersion` at the top level is skipped.
pub fn assert_subset(input: &Value, output: &Value, path: &str) {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if path.is_empty() && k == "apiVersion" {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(w) => assert_subset(v, w, &p),
                    None => panic!("field {p} lost (input {v})"),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "length of {path} changed");
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                assert_subset(v, w, &format!("{path}[{i}]"));
            }
        }
        (a, b) => assert_eq!(a, b, "value of {path} changed"),
    }
}

/// Parses, writes, parses again; the two parses are equal and the first parse keeps every
/// input field. Returns the objects.
pub fn round_trip(name: &str, text: &str, check_fields: bool) -> Vec<FluxObject> {
    let objects = parse_documents(text, name).unwrap_or_else(|e| panic!("{e}"));
    let yaml = to_yaml(&objects).unwrap_or_else(|e| panic!("{name}: {e}"));
    let again =
        parse_documents(&yaml, name).unwrap_or_else(|e| panic!("{name} re-read: {e}\n{yaml}"));
    assert_eq!(objects, again, "{name}: parse/serialize/parse differs");
    if check_fields {
        let inputs: Vec<Value> = serde_saphyr::from_multiple(text).unwrap();
        assert_eq!(inputs.len(), objects.len());
        for (input, object) in inputs.iter().zip(&objects) {
            let output = object.to_value().unwrap();
            assert_subset(input, &output, "");
            assert_eq!(output["apiVersion"], object.api_version());
        }
    }
    objects
}
