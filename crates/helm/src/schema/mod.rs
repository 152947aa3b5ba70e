//! `values.schema.json` validation of each chart and enabled subchart, with errors shaped like
//! Helm's (santhosh-tekuri/jsonschema v6): `- at '/path': message` per failure.

use crate::chart::Chart;
use crate::yaml::Values;
use jsonschema::error::{TypeKind, ValidationErrorKind as K};
use serde_json::Value as J;

mod plain_pattern;
mod prepare;
mod quick;
mod tree;
mod words;

use prepare::*;
pub use prepare::{FetchReference, fetch_references_with};
use tree::*;
use words::*;

/// Validates `values` against the chart's schema and each subchart's schema against its
/// section; returns the text Helm puts after "…in the following chart(s):\n".
pub fn validate_chart(chart: &Chart, values: &Values) -> Result<(), String> {
    validate_chart_logged(chart, values, &mut Vec::new())
}

/// [`validate_chart`], appending what Helm logs meanwhile (unresolved `urn:` references).
pub fn validate_chart_logged(
    chart: &Chart,
    values: &Values,
    logs: &mut Vec<String>,
) -> Result<(), String> {
    validate_chart_traced(chart, values, logs, false)
}

/// [`validate_chart_logged`], with Helm's `level=DEBUG` lines of the walk when `debug`.
pub fn validate_chart_traced(
    chart: &Chart,
    values: &Values,
    logs: &mut Vec<String>,
    debug: bool,
) -> Result<(), String> {
    walk(chart, values, logs, debug, &mut Compiled::default())
}

/// Whether the quick check finds `values` surely valid against every schema [`walk`] would
/// check: then nothing needs building (and nothing is logged, as no reference is loaded).
/// `false` leaves the verdict to [`validate_chart_traced`].
pub fn surely_valid(chart: &Chart, values: &Values) -> bool {
    surely_valid_in(chart, values, &mut Compiled::default())
}

fn surely_valid_in(chart: &Chart, values: &Values, compiled: &mut Compiled) -> bool {
    if let Some(schema) = &chart.schema {
        let prepared = compiled.prepared(schema);
        let quick::Eligible::Yes {
            root,
            draft,
            patterns,
        } = &prepared.quick
        else {
            return false;
        };
        if !quick::surely_valid(root, *draft, patterns, values) {
            return false;
        }
    }
    chart
        .dependencies
        .iter()
        .all(|sub| match values.get(sub.name()) {
            None | Some(J::Null) => true,
            Some(J::Object(m)) => surely_valid_in(sub, m, compiled),
            Some(_) => false,
        })
}

/// Validators already built in one walk, by schema text: an umbrella's subcharts often carry
/// the same schema (fifty copies of one chart, or one library's), and building a validator
/// costs far more than running it.
#[derive(Default)]
struct Compiled(std::collections::HashMap<Vec<u8>, Prepared>);

impl Compiled {
    fn prepared(&mut self, text: &[u8]) -> &mut Prepared {
        self.0.entry(text.to_vec()).or_insert_with(|| Prepared {
            quick: quick::eligible(text),
            built: None,
        })
    }
}

/// One schema text's readings: whether the quick check may take it, and the full validator
/// once some values needed it.
struct Prepared {
    quick: quick::Eligible,
    built: Option<std::rc::Rc<Built>>,
}

fn walk(
    chart: &Chart,
    values: &Values,
    logs: &mut Vec<String>,
    debug: bool,
    compiled: &mut Compiled,
) -> Result<(), String> {
    let line = crate::manifests::slog_line;
    let mut out = String::new();
    if let Some(schema) = &chart.schema {
        if debug {
            logs.push(line("DEBUG", "chart name", &[("chart-name", chart.name())]));
            logs.extend(schema_debug_line(schema));
        }
        if let Err(e) = validate_with(values, schema, logs, compiled) {
            out.push_str(&format!("{}:\n{e}", chart.name()));
        }
    }
    if debug {
        logs.push(line(
            "DEBUG",
            "number of dependencies in the chart",
            &[
                ("chart", chart.name()),
                ("dependencies", &chart.dependencies.len().to_string()),
            ],
        ));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(J::Null) => continue,
            Some(J::Object(m)) => {
                if let Err(e) = walk(sub, m, logs, debug, compiled) {
                    out.push_str(&e);
                }
            }
            Some(other) => out.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                go_type(other)
            )),
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// A schema that is no JSON, in the words of Go's `json.Decoder` (the schema library reads
/// one value with it, then wants the end of the input).
fn decoder_error(schema: &[u8], e: &serde_json::Error) -> String {
    if schema.iter().all(u8::is_ascii_whitespace) {
        return "EOF".into();
    }
    match ferroflux_gotemplate::funcs::encoding::go_json_syntax_error_at(schema) {
        Some(s) if s.eof => "unexpected EOF".into(),
        Some(s) if s.message.contains("after top-level value") => {
            "invalid character after top-level value".into()
        }
        Some(s) => s.message,
        None => e.to_string(),
    }
}

/// The `level=DEBUG` line Helm logs for a schema that reads as JSON, before validating.
pub fn schema_debug_line(schema: &[u8]) -> Option<String> {
    // Syntax only: Go reads numbers as text, so `1e999` is no error there.
    serde_json::from_slice::<serde::de::IgnoredAny>(schema).ok()?;
    Some(format!(
        "level=DEBUG msg=\"unmarshalled JSON schema\" schema={}",
        ferroflux_gotemplate::fmt::go_quote(&String::from_utf8_lossy(schema))
    ))
}

pub fn validate_single(values: &Values, schema: &[u8]) -> Result<(), String> {
    validate_single_logged(values, schema, &mut Vec::new())
}

fn validate_single_logged(
    values: &Values,
    schema: &[u8],
    logs: &mut Vec<String>,
) -> Result<(), String> {
    validate_with(values, schema, logs, &mut Compiled::default())
}

/// For the differential check of the quick validator (`examples/schema_quick.rs`): what the
/// quick check says of `values` (`None`: it does not take this schema; `Some(true)`: surely
/// valid) and what the full validator says.
#[doc(hidden)]
pub fn quick_and_full(values: &Values, schema: &[u8]) -> (Option<bool>, Result<(), String>) {
    let quick = match quick::eligible(schema) {
        quick::Eligible::Yes {
            root,
            draft,
            patterns,
        } => Some(quick::surely_valid(&root, draft, &patterns, values)),
        quick::Eligible::No => None,
    };
    thread_local! {
        /// Full validators only: the quick check is declined for every schema here.
        static FULL_ONLY: std::cell::RefCell<Compiled> = Default::default();
    }
    let full = FULL_ONLY.with(|c| {
        let mut full_only = c.borrow_mut();
        full_only
            .0
            .entry(schema.to_vec())
            .or_insert_with(|| Prepared {
                quick: quick::Eligible::No,
                built: None,
            });
        validate_with(values, schema, &mut Vec::new(), &mut full_only)
    });
    (quick, full)
}

/// A schema made ready for validation: its document as the validator read it (error trees
/// are framed by it), its draft, what loading its references logged, and the validator or
/// why none could be built.
struct Built {
    schema: J,
    draft: u32,
    warnings: Vec<String>,
    validator: Result<jsonschema::Validator, String>,
}

fn validate_with(
    values: &Values,
    text: &[u8],
    logs: &mut Vec<String>,
    compiled: &mut Compiled,
) -> Result<(), String> {
    let prepared = compiled.prepared(text);
    if let quick::Eligible::Yes {
        root,
        draft,
        patterns,
    } = &prepared.quick
        && quick::surely_valid(root, *draft, patterns, values)
    {
        return Ok(());
    }
    let built = match &prepared.built {
        Some(b) => b.clone(),
        None => {
            let b = std::rc::Rc::new(build(text)?);
            prepared.built = Some(b.clone());
            b
        }
    };
    // Helm compiles each chart's schema anew, so it logs the references' warnings each time.
    logs.extend(built.warnings.iter().cloned());
    let validator = built.validator.as_ref().map_err(String::clone)?;
    let mut instance = J::Object(values.clone());
    if built.draft == 4 {
        whole_numbers_as_integers(&mut instance);
    }
    let errors: Vec<jsonschema::ValidationError<'static>> = validator
        .iter_errors(&instance)
        .map(|e| e.to_owned())
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    // The failing values, for errors that name what an object holds.
    FAILING.with(|f| *f.borrow_mut() = instance.clone());
    let tree = error_tree(&built.schema, &errors);
    FAILING.with(|f| *f.borrow_mut() = J::Null);
    Err(tree.join("\n") + "\n")
}

/// Reads and prepares a schema and builds its validator. A schema that is no JSON is the
/// only error returned here; one that cannot be compiled is kept as `Built::validator`.
fn build(text: &[u8]) -> Result<Built, String> {
    let mut schema: J = serde_json::from_slice(text).map_err(|e| decoder_error(text, &e))?;
    // santhosh asserts `format` for draft-07 and older, with its own checks; formats it does
    // not know are ignored.
    let draft = draft_of(&schema);
    // santhosh knows draft 4, 6 and 7 by their https addresses too; the validator here only
    // by the http ones they were published under, and would try to fetch the others.
    if draft <= 7
        && let Some(J::String(url)) = schema.get_mut("$schema")
        && url.starts_with("https://json-schema.org/")
    {
        url.replace_range(.."https".len(), "http");
    }
    // santhosh reads `json-schema.org/schema` (no draft named) as the latest draft; ours would
    // fetch it.
    if let Some(J::String(url)) = schema.get_mut("$schema")
        && matches!(
            url.trim_end_matches('#'),
            "http://json-schema.org/schema" | "https://json-schema.org/schema"
        )
    {
        *url = "https://json-schema.org/draft/2020-12/schema".into();
    }
    percent_encode_ref_fragments(&mut schema);
    case_fold_patterns(&mut schema);
    let assert_formats = draft <= 7;
    let loads = RefLoads::default();
    // Every document the references reach is handed over up front, as the validator's own
    // crawl misses references under tables of definitions it does not know, and once built
    // it fetches nothing more.
    let reached = reach_documents(&schema, draft, &loads);
    let registry = (!reached.docs.is_empty())
        .then(|| {
            let default = match draft {
                4 => jsonschema::Draft::Draft4,
                6 => jsonschema::Draft::Draft6,
                7 => jsonschema::Draft::Draft7,
                2019 => jsonschema::Draft::Draft201909,
                _ => jsonschema::Draft::Draft202012,
            };
            let resources = reached
                .docs
                .iter()
                .map(|(url, doc)| (url, default.detect(doc).create_resource(doc.clone())));
            jsonschema::Registry::new()
                .retriever(RefLoader(loads.clone()))
                .extend(resources)
                .and_then(|r| r.prepare())
                .ok()
        })
        .flatten();
    let mut opts = schema_options(&loads).should_validate_formats(assert_formats);
    if let Some(registry) = &registry {
        opts = opts.with_registry(registry);
    }
    if assert_formats {
        for name in crate::schema_formats::FORMATS {
            opts = opts.with_format(*name, move |s: &str| {
                crate::schema_formats::check(name, s).is_ok()
            });
        }
        for name in ["idn-email", "idn-hostname"] {
            opts = opts.with_format(name, |_: &str| true);
        }
    }
    let built = opts.build(&schema);
    let warnings = std::mem::take(&mut loads.lock().warnings);
    let validator = built.map_err(|e| {
        let failure = loads.lock().failure.take();
        // Helm's compiler meets references breadth first and fails on the first that does
        // not load; ours meets them in no fixed order: the first in Helm's is reported.
        match (failure, reached.failure) {
            (Some(_), Some(first)) => first,
            (Some(load), None) => load,
            (None, Some(first)) if e.to_string().contains("not present in a registry") => first,
            (None, _) => metaschema_error(&schema, draft)
                .unwrap_or_else(|| format!("jsonschema: invalid schema: {e}")),
        }
    });
    Ok(Built {
        schema,
        draft,
        warnings,
        validator,
    })
}

/// santhosh's error tree for `errors` (from a validator built on `root`), one line per node.
fn error_tree(root: &J, errors: &[jsonschema::ValidationError<'static>]) -> Vec<String> {
    let mut lines = Vec::new();
    // santhosh evaluates `unevaluated*` last: their lines follow the others.
    let mut unevaluated = Vec::new();
    let mut pending = Vec::new();
    for e in errors {
        match e.kind() {
            // santhosh applies the `false` subschema to each property.
            K::UnevaluatedProperties { unexpected } => {
                let path = e.instance_path().to_string();
                for p in unexpected {
                    unevaluated.push(format!("- at '{path}/{}': false schema", escape_pointer(p)));
                }
            }
            // Ours names the items by their JSON, santhosh by their index.
            K::UnevaluatedItems { unexpected } => {
                let path = e.instance_path().to_string();
                for i in item_indices(path.as_str(), unexpected) {
                    unevaluated.push(format!("- at '{path}/{i}': false schema"));
                }
            }
            _ => pending.push(Pending {
                steps: segments(e.evaluation_path().as_str()),
                err: e,
            }),
        }
    }
    // santhosh's top error is the root schema's, or its only cause: a lone group's causes
    // are printed at the top.
    for node in ungroup(frame_errors(root, pending, "")) {
        node.display(&mut lines, 0);
    }
    lines.append(&mut unevaluated);
    lines
}

/// A schema its draft's metaschema refuses, as Helm's compiler reports it: the metaschema's
/// verdict on the schema document, as an error tree.
fn metaschema_error(schema: &J, draft: u32) -> Option<String> {
    let (validator, url) = match draft {
        4 => (
            jsonschema::draft4::meta::validator(),
            "http://json-schema.org/draft-04/schema#",
        ),
        6 => (
            jsonschema::draft6::meta::validator(),
            "http://json-schema.org/draft-06/schema#",
        ),
        7 => (
            jsonschema::draft7::meta::validator(),
            "http://json-schema.org/draft-07/schema#",
        ),
        2019 => (
            jsonschema::draft201909::meta::validator(),
            "https://json-schema.org/draft/2019-09/schema#",
        ),
        _ => (
            jsonschema::draft202012::meta::validator(),
            "https://json-schema.org/draft/2020-12/schema#",
        ),
    };
    let errors: Vec<jsonschema::ValidationError<'static>> = validator
        .iter_errors(schema)
        .map(|e| e.to_owned())
        .collect();
    if errors.is_empty() {
        return None;
    }
    let tree = error_tree(&J::Null, &errors);
    Some(format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with '{url}'\n{}",
        tree.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn schemas_that_are_no_json_fail_in_go_decoder_words() {
        let v = Values::new();
        let e = |schema: &str| validate_single(&v, schema.as_bytes()).unwrap_err();
        assert_eq!(e(""), "EOF");
        assert_eq!(e("{\"a\":"), "unexpected EOF");
        assert_eq!(e("{\"a\":1} x"), "invalid character after top-level value");
        assert_eq!(
            e("{badKey: 1}"),
            "invalid character 'b' looking for beginning of object key string"
        );
        assert_eq!(
            e("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
    }

    use super::*;

    /// Draft 4, 6 and 7 named by their https addresses are known drafts, not schemas to
    /// fetch: only the network reference fails, every time.
    #[test]
    fn the_shallowest_network_reference_is_the_one_reported() {
        let schema = br#"{"properties": {
            "a": {"properties": {"x": {"$ref": "https://example.invalid/deep.json"}}},
            "b": {"$ref": "https://example.invalid/shallow.json#/x"}
        }}"#;
        for _ in 0..8 {
            assert_eq!(
                validate_single(&Values::new(), schema).unwrap_err(),
                "failing loading \"https://example.invalid/shallow.json\": references over the network are not fetched"
            );
        }
    }

    #[test]
    fn case_insensitive_patterns_are_spelled_out() {
        assert_eq!(
            fold_case_flag("(?i)^(debug|info)$").unwrap(),
            "^([dD][eE][bB][uU][gG]|[iI][nN][fF][oO])$"
        );
        assert_eq!(fold_case_flag("(?i)[a-c_]\\d").unwrap(), "[a-cA-C_]\\d");
        assert_eq!(fold_case_flag("^x$"), None);
        // Ranges take the other case of the letters inside them, whatever their ends.
        assert_eq!(fold_case_flag("(?i)[!-a]").unwrap(), "[!-aA-Aa-z]");
        assert_eq!(fold_case_flag("(?i)[Z-a]").unwrap(), "[Z-aA-Az-z]");
        let v: Values = serde_json::from_str(r#"{"a":"b"}"#).unwrap();
        let schema = br#"{"properties":{"a":{"pattern":"(?i)^[!-a]$"}}}"#;
        assert!(validate_single(&v, schema).is_ok());
        let schema =
            br#"{"properties":{"level":{"type":"string","pattern":"(?i)^(debug|info)$"}}}"#;
        let ok: Values = serde_json::from_str(r#"{"level":"INFO"}"#).unwrap();
        assert!(validate_single(&ok, schema).is_ok());
        let bad: Values = serde_json::from_str(r#"{"level":"trace"}"#).unwrap();
        assert_eq!(
            validate_single(&bad, schema).unwrap_err(),
            "- at '/level': 'trace' does not match pattern '(?i)^(debug|info)$'\n"
        );
    }

    #[test]
    fn https_addresses_of_old_drafts_are_not_fetched() {
        for draft in ["draft-04", "draft-06", "draft-07"] {
            let schema = format!(
                r#"{{"$schema":"https://json-schema.org/{draft}/schema#","type":"object","properties":{{"a":{{"type":"integer"}},"b":{{"$ref":"https://example.com/defs.json"}}}}}}"#
            );
            let v: Values = serde_json::from_str(r#"{"a":1}"#).unwrap();
            let plain = schema.replace(r#","b":{"$ref":"https://example.com/defs.json"}"#, "");
            assert_eq!(validate_single(&v, plain.as_bytes()), Ok(()), "{draft}");
            let bad: Values = serde_json::from_str(r#"{"a":"x"}"#).unwrap();
            assert_eq!(
                validate_single(&bad, plain.as_bytes()),
                Err("- at '/a': got string, want integer\n".into()),
                "{draft}"
            );
            for _ in 0..4 {
                assert_eq!(
                    validate_single(&v, schema.as_bytes()),
                    Err("failing loading \"https://example.com/defs.json\": references over the network are not fetched".into()),
                    "{draft}"
                );
            }
        }
    }

    /// Texts of helm v4.3.1 for the same schemas.
    #[test]
    fn references_to_files_load_from_disk_and_urns_pass() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().canonicalize().expect("canonical");
        std::fs::write(
            dir.join("defs.json"),
            r#"{"definitions":{"port":{"type":"integer","maximum":1000}}}"#,
        )
        .expect("write");
        std::fs::write(dir.join("bad.json"), "{bad\n").expect("write");
        let d = dir.display();
        let check = |reference: &str, port: i64| {
            let schema =
                format!(r#"{{"type":"object","properties":{{"port":{{"$ref":"{reference}"}}}}}}"#);
            let v: Values = serde_json::from_str(&format!(r#"{{"port":{port}}}"#)).unwrap();
            let mut logs = Vec::new();
            let r = validate_single_logged(&v, schema.as_bytes(), &mut logs);
            (r, logs)
        };
        let absolute = format!("file://{d}/defs.json#/definitions/port");
        assert_eq!(check(&absolute, 80).0, Ok(()));
        assert_eq!(
            check(&absolute, 5000).0,
            Err("- at '/port': maximum: got 5,000, want 1,000\n".into())
        );
        // Relative to `file:///values.schema.json`: from the root of the file system.
        let relative = format!("..{d}/defs.json#/definitions/port");
        assert_eq!(check(&relative, 80).0, Ok(()));
        assert_eq!(
            check("nodefs.json#/definitions/port", 80).0,
            Err(
                "failing loading \"file:///nodefs.json\": open /nodefs.json: no such file or directory"
                    .into()
            )
        );
        assert_eq!(
            check(&format!("file://{d}/bad.json"), 80).0,
            Err(format!(
                "failing loading \"file://{d}/bad.json\": invalid character 'b' looking for beginning of object key string"
            ))
        );
        assert_eq!(
            check("urn:x:y", 5000),
            (
                Ok(()),
                vec![
                    "level=WARN msg=\"unresolved URN reference ignored; using permissive schema\" urn=urn:x:y"
                        .to_string()
                ]
            )
        );
    }

    /// Subcharts with the same schema share one validator, yet each is validated against its
    /// own values and logs what Helm logs when it compiles that schema again; a schema that
    /// cannot be built fails every chart that carries it.
    #[test]
    fn a_schema_shared_by_subcharts_checks_and_logs_for_each() {
        let sub = |name: &str, schema: &str| {
            let mut c = Chart::default();
            c.metadata.name = name.into();
            c.schema = Some(schema.as_bytes().to_vec().into());
            c
        };
        let schema =
            r#"{"type":"object","properties":{"n":{"type":"integer"},"u":{"$ref":"urn:x:y"}}}"#;
        let broken = r#"{"type":"object","properties":{"n":{"$ref":"nofile.json"}}}"#;
        let mut top = Chart::default();
        top.metadata.name = "top".into();
        top.dependencies = vec![
            sub("a", schema),
            sub("b", schema),
            sub("c", schema),
            sub("d", broken),
            sub("e", broken),
        ];
        let values: Values = serde_json::from_value(serde_json::json!({
            "a": {"n": "one"}, "b": {"n": 2}, "c": {"n": "three"}, "d": {}, "e": {}
        }))
        .unwrap();
        let mut logs = Vec::new();
        let err = validate_chart_logged(&top, &values, &mut logs).unwrap_err();
        let missing =
            "failing loading \"file:///nofile.json\": open /nofile.json: no such file or directory";
        assert_eq!(
            err,
            format!(
                "a:\n- at '/n': got string, want integer\nc:\n- at '/n': got string, want integer\nd:\n{missing}e:\n{missing}"
            )
        );
        assert_eq!(logs.len(), 3, "{logs:?}");
        assert!(logs.iter().all(|l| l.contains("urn=urn:x:y")), "{logs:?}");
    }

    /// The quick check of a whole chart reads each subchart's schema against its own section,
    /// as the full walk does, and declines whatever it cannot decide.
    #[test]
    fn whole_charts_are_surely_valid_only_when_every_schema_says_so() {
        let with_schema = |name: &str, schema: Option<&str>, subs: Vec<Chart>| {
            let mut c = Chart::default();
            c.metadata.name = name.into();
            c.schema = schema.map(|s| s.as_bytes().to_vec().into());
            c.dependencies = subs;
            c
        };
        let int_n = r#"{"properties":{"n":{"type":"integer"}}}"#;
        let top = || {
            with_schema(
                "top",
                Some(r#"{"required":["sub"]}"#),
                vec![with_schema("sub", Some(int_n), vec![])],
            )
        };
        let valid = |v: serde_json::Value| {
            let values: Values = serde_json::from_value(v).unwrap();
            surely_valid(&top(), &values)
        };
        assert!(valid(serde_json::json!({"sub": {"n": 1}})));
        assert!(!valid(serde_json::json!({"sub": {"n": "one"}})));
        assert!(!valid(serde_json::json!({"sub": "not a map"})));
        assert!(!valid(serde_json::json!({"n": "one"})));
        // A disabled subchart (no section) is not checked.
        let values: Values = serde_json::from_value(serde_json::json!({"sub": null})).unwrap();
        let no_top_schema = with_schema("top", None, vec![with_schema("sub", Some(int_n), vec![])]);
        assert!(surely_valid(&no_top_schema, &values));
        // A schema the quick check leaves alone leaves the verdict to the full walk.
        let remote = r#"{"properties":{"n":{"$ref":"https://example.com/n.json"}}}"#;
        let declined = with_schema("top", Some(remote), vec![]);
        assert!(!surely_valid(&declined, &Values::new()));
    }

    /// santhosh (as Helm uses it) never asserts content keywords.
    #[test]
    fn content_keywords_only_annotate() {
        let v: Values = serde_json::from_str(r#"{"a":"%%"}"#).unwrap();
        let schema = br#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"a":{"contentEncoding":"base64","contentMediaType":"application/json"}}}"#;
        let mut full_only = Compiled::default();
        full_only.0.insert(
            schema.to_vec(),
            Prepared {
                quick: quick::Eligible::No,
                built: None,
            },
        );
        assert_eq!(
            validate_with(&v, schema, &mut Vec::new(), &mut full_only),
            Ok(())
        );
    }

    #[test]
    fn reports_path_and_reason() {
        let schema = br#"{"type":"object","required":["image"],"properties":{"replicas":{"type":"integer"}}}"#;
        let v: Values = serde_json::from_str(r#"{"replicas":"two"}"#).unwrap();
        let e = validate_single(&v, schema).unwrap_err();
        assert!(
            e.contains("- at '/replicas': got string, want integer"),
            "{e}"
        );
        assert!(e.contains("missing property 'image'"), "{e}");
        let ok: Values = serde_json::from_str(r#"{"replicas":2.0,"image":"x"}"#).unwrap();
        assert!(validate_single(&ok, schema).is_ok());
    }
}

#[cfg(test)]
mod santhosh_tests {
    use super::*;

    fn errors(schema: serde_json::Value, values: serde_json::Value) -> String {
        let v: Values = serde_json::from_value(values).unwrap();
        validate_single(&v, schema.to_string().as_bytes()).unwrap_err()
    }

    /// Messages and nesting as helm v4.3.1 prints them (santhosh-tekuri/jsonschema v6).
    #[test]
    fn messages_and_tree_as_helm() {
        use serde_json::json;
        let cases = [
            (
                json!({"properties": {"a": {"uniqueItems": true}}}),
                json!({"a": [1, 2, 1]}),
                "- at '/a': items at 0 and 2 are equal\n",
            ),
            (
                json!({"properties": {"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}),
                json!({"a": true}),
                "- at '/a': 'oneOf' failed, none matched\n  - at '/a': got boolean, want string\n  - at '/a': got boolean, want integer\n",
            ),
            (
                json!({"properties": {"a": {"oneOf": [{"type": "number"}, {"type": "integer"}]}}}),
                json!({"a": 3}),
                "- at '/a': 'oneOf' failed, subschemas 0, 1 matched\n",
            ),
            (
                json!({"properties": {"a": {"allOf": [{"type": "string"}, {"minLength": 3}]}}}),
                json!({"a": "ab"}),
                "- at '/a': 'allOf' failed\n  - at '/a': minLength: got 2, want 3\n",
            ),
            (
                json!({"required": ["a", "b", "c"]}),
                json!({"x": 1}),
                "- at '': missing properties 'a', 'b', 'c'\n",
            ),
            (
                json!({"dependentRequired": {"a": ["b", "c"]}}),
                json!({"a": 1}),
                "- at '': properties 'b', 'c' required, if 'a' exists\n",
            ),
            (
                json!({"properties": {"a": {"enum": [1, "two", null]}}}),
                json!({"a": 3}),
                "- at '/a': value must be one of 1, 'two', <nil>\n",
            ),
            (
                json!({"properties": {"a": {"enum": ["x"], "minLength": 5}}}),
                json!({"a": "y"}),
                "- at '/a': value must be 'x'\n",
            ),
            (
                json!({"properties": {"a": {"const": {"k": 1}}}}),
                json!({"a": 1}),
                "- at '/a': 'const' failed\n",
            ),
            (
                json!({"properties": {"a": {"type": "string"}}}),
                json!({"a": 12}),
                "- at '/a': got number, want string\n",
            ),
            (
                json!({"properties": {"n": {"minimum": 1000001}}}),
                json!({"n": 1000000}),
                "- at '/n': minimum: got 1×10⁰⁶, want 1.000001×10⁰⁶\n",
            ),
            (
                json!({"properties": {"n": {"minimum": 123457}}}),
                json!({"n": 123456}),
                "- at '/n': minimum: got 123,456, want 123,457\n",
            ),
            (
                json!({"properties": {"n": {"multipleOf": 0.5}}}),
                json!({"n": 1.25}),
                "- at '/n': multipleOf: got 1.25, want 0.5\n",
            ),
            (
                json!({"properties": {"a": {"pattern": "^a'b\"c\\d$"}}}),
                json!({"a": "x'y\"z"}),
                "- at '/a': 'x\\'y\"z' does not match pattern '^a\\'b\"c\\\\d$'\n",
            ),
            (
                json!({"properties": {"a": {"minLength": 5, "pattern": "^x"}}}),
                json!({"a": "abc"}),
                "- at '/a': minLength: got 3, want 5\n- at '/a': 'abc' does not match pattern '^x'\n",
            ),
            (
                json!({"definitions": {"d": {"minLength": 5, "pattern": "^x"}}, "properties": {"a": {"$ref": "#/definitions/d"}}}),
                json!({"a": "abc"}),
                "- at '/a': validation failed\n  - at '/a': minLength: got 3, want 5\n  - at '/a': 'abc' does not match pattern '^x'\n",
            ),
            (
                json!({"properties": {"a": {"minContains": 2, "contains": {"type": "string"}}}}),
                json!({"a": ["x", 1]}),
                "- at '/a': min 2 items required to match contains schema, but matched 1 items at 0\n  - at '/a/1': got number, want string\n",
            ),
            (
                json!({"properties": {"a": {"propertyNames": {"pattern": "^[a-z]+$"}}}}),
                json!({"a": {"Bad": 1}}),
                "- at '/a': invalid propertyName 'Bad'\n  - at '': 'Bad' does not match pattern '^[a-z]+$'\n",
            ),
            (
                json!({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"h": {"format": "hostname"}}}),
                json!({"h": "bad_host!"}),
                "- at '/h': 'bad_host!' is not valid hostname: invalid character '_'\n",
            ),
            // A subschema's several errors at a child are grouped there; a lone group is
            // taken apart by the node above (the top, a reference).
            (
                json!({"properties": {"x": {"items": {"items": {"type": "number"}}}}}),
                json!({"x": [["a", "b"], ["c", "d"]]}),
                "- at '/x/0': validation failed\n  - at '/x/0/0': got string, want number\n  - at '/x/0/1': got string, want number\n- at '/x/1': validation failed\n  - at '/x/1/0': got string, want number\n  - at '/x/1/1': got string, want number\n",
            ),
            (
                json!({"properties": {"x": {"items": {"items": {"type": "number"}}}}}),
                json!({"x": [["a", "b"]]}),
                "- at '/x/0/0': got string, want number\n- at '/x/0/1': got string, want number\n",
            ),
            // santhosh's quoting eats the escape of a trailing backslash; no negative zero.
            (
                json!({"properties": {"x": {"pattern": "^q$"}}}),
                json!({"x": "b\\"}),
                "- at '/x': 'b\\' does not match pattern '^q$'\n",
            ),
            (
                json!({"properties": {"x": {"minimum": 5}, "y": {"maximum": -0.0}}}),
                json!({"x": -0.0}),
                "- at '/x': minimum: got 0, want 5\n",
            ),
            (
                json!({"properties": {"y": {"maximum": -0.0}}}),
                json!({"y": 1}),
                "- at '/y': maximum: got 1, want 0\n",
            ),
            // Unevaluated items by index, unevaluated anything after the rest.
            (
                json!({"properties": {"x": {"prefixItems": [{"type": "integer"}], "unevaluatedItems": false}}}),
                json!({"x": [1, "a", 1]}),
                "- at '/x/1': false schema\n- at '/x/2': false schema\n",
            ),
            (
                json!({"properties": {"x": {"properties": {"a": {"type": "string"}}, "unevaluatedProperties": false}}}),
                json!({"x": {"a": 1, "c": 2}}),
                "- at '/x/a': got number, want string\n- at '/x/c': false schema\n",
            ),
            // No draft named: the latest (and nothing fetched for it).
            (
                json!({"$schema": "http://json-schema.org/schema#", "properties": {"x": {"prefixItems": [{"type": "integer"}]}}}),
                json!({"x": ["a"]}),
                "- at '/x/0': got string, want integer\n",
            ),
            // `false` alone: the properties are named (helm v4.3.1 on a public chart).
            (
                json!({"type": "object", "additionalProperties": false}),
                json!({"defaults": {}}),
                "- at '': additional properties 'defaults' not allowed\n",
            ),
            (
                json!({"properties": {"x": {"type": "object", "additionalProperties": false}}}),
                json!({"x": {"b": 2}}),
                "- at '/x': additional properties 'b' not allowed\n",
            ),
            (
                json!({"type": "object", "propertyNames": false}),
                json!({"foo": 1}),
                "- at '': invalid propertyName 'foo'\n  - at '': false schema\n",
            ),
            (
                json!({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"a": {"items": [{"type": "string"}], "additionalItems": false}}}),
                json!({"a": ["x", "y", 3]}),
                "- at '/a': last 2 additionalItem(s) not allowed\n",
            ),
        ];
        for (schema, values, want) in cases {
            assert_eq!(errors(schema.clone(), values), want, "{schema}");
        }
        // Formats are not asserted from draft 2019-09 on.
        let v: Values = serde_json::from_value(json!({"h": "bad_host!"})).unwrap();
        let s = json!({"properties": {"h": {"format": "hostname"}}}).to_string();
        assert!(validate_single(&v, s.as_bytes()).is_ok());
    }
}
