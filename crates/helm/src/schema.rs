//! `values.schema.json` validation of each chart and enabled subchart, with errors shaped like
//! Helm's (santhosh-tekuri/jsonschema v6): `- at '/path': message` per failure.

use crate::chart::Chart;
use crate::yaml::Values;
use jsonschema::error::{TypeKind, ValidationErrorKind as K};
use serde_json::Value as J;

/// Validates `values` against the chart's schema and each subchart's schema against its
/// section; returns the text Helm puts after "…in the following chart(s):\n".
pub fn validate_chart(chart: &Chart, values: &Values) -> Result<(), String> {
    let mut out = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single(values, schema)
    {
        out.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(J::Null) => continue,
            Some(J::Object(m)) => {
                if let Err(e) = validate_chart(sub, m) {
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

fn go_type(v: &J) -> &'static str {
    match v {
        J::Bool(_) => "bool",
        J::Number(n) if n.is_f64() => "float64",
        J::Number(_) => "int64",
        J::String(_) => "string",
        J::Array(_) => "[]interface {}",
        _ => "map[string]interface {}",
    }
}

fn json_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(n) => {
            if n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

fn quote_list(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// santhosh-tekuri's quoting of values in messages: strings in single quotes.
fn quote_value(v: &J) -> String {
    match v {
        J::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn message(kind: &K, instance: &J) -> String {
    match kind {
        K::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("got {}, want {want}", json_type(instance))
        }
        K::Required { property } => format!(
            "missing property '{}'",
            property.as_str().unwrap_or_default()
        ),
        K::Enum { options } => format!(
            "value must be one of {}",
            options
                .as_array()
                .map(|a| a.iter().map(quote_value).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ),
        K::Constant { expected_value } => format!("value must be {}", quote_value(expected_value)),
        K::Minimum { limit } => format!("minimum: got {instance}, want {limit}"),
        K::Maximum { limit } => format!("maximum: got {instance}, want {limit}"),
        K::ExclusiveMinimum { limit } => format!("exclusiveMinimum: got {instance}, want {limit}"),
        K::ExclusiveMaximum { limit } => format!("exclusiveMaximum: got {instance}, want {limit}"),
        K::MinLength { limit } => format!(
            "minLength: got {}, want {limit}",
            instance.as_str().map_or(0, |s| s.chars().count())
        ),
        K::MaxLength { limit } => format!(
            "maxLength: got {}, want {limit}",
            instance.as_str().map_or(0, |s| s.chars().count())
        ),
        K::MinItems { limit } => format!(
            "minItems: got {}, want {limit}",
            instance.as_array().map_or(0, Vec::len)
        ),
        K::MaxItems { limit } => format!(
            "maxItems: got {}, want {limit}",
            instance.as_array().map_or(0, Vec::len)
        ),
        K::Pattern { pattern } => format!(
            "'{}' does not match pattern '{pattern}'",
            instance.as_str().unwrap_or_default()
        ),
        K::AdditionalProperties { unexpected } => {
            format!(
                "additional properties {} not allowed",
                quote_list(unexpected)
            )
        }
        K::FalseSchema => "false schema".into(),
        K::Format { format } => format!(
            "'{}' is not valid {format}",
            instance.as_str().unwrap_or_default()
        ),
        K::MultipleOf { multiple_of } => format!("{instance} not multipleOf {multiple_of}"),
        K::OneOfNotValid { .. } | K::AnyOf { .. } => {
            format!("{} failed", kind.keyword())
        }
        K::OneOfMultipleValid { .. } => "oneOf: valid against more than one schema".into(),
        K::UniqueItems => "items are not unique".into(),
        K::Not { .. } => "not failed".into(),
        other => format!("{} failed", other.keyword()),
    }
}

fn escape_pointer(p: &str) -> String {
    p.replace('~', "~0").replace('/', "~1")
}

/// One schema against one values map; the error lists every failure.
pub fn validate_single(values: &Values, schema: &[u8]) -> Result<(), String> {
    let schema: J = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .map_err(|e| format!("jsonschema: invalid schema: {e}"))?;
    let instance = J::Object(values.clone());
    let mut lines = Vec::new();
    for e in validator.iter_errors(&instance) {
        let path = e.instance_path().to_string();
        match e.kind() {
            // santhosh-tekuri applies the `false` subschema to each property.
            K::UnevaluatedProperties { unexpected } | K::UnevaluatedItems { unexpected } => {
                for p in unexpected {
                    lines.push(format!("- at '{path}/{}': false schema", escape_pointer(p)));
                }
            }
            kind => lines.push(format!("- at '{path}': {}", message(kind, e.instance()))),
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    Err(lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

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
