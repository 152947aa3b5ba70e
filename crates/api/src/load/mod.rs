//! Reading Flux manifests of any served apiVersion into the current types.
//!
//! [`parse_documents`] splits a YAML stream, converts older apiVersions (source `v1beta2`/`v1beta1`,
//! helm `v2beta2`/`v2beta1`) the way Flux's conversions do, deserializes into the current type
//! and validates what the CRDs enforce. Errors name the source, the document, the object and the
//! field, e.g. `apps.yaml#0: HelmRelease default/podinfo: spec.interval: invalid duration "5x"`.
//! [`to_yaml`] writes objects back with their current apiVersion.

mod convert;
mod object;
mod validate;

use std::fmt;

use serde_json::Value;

pub use object::FluxObject;
pub use validate::validate;

/// Where a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Name of the input (usually a file path).
    pub source_name: String,
    /// 0-based index among the non-empty documents of the input.
    pub index: usize,
    /// Kind of the object, when known.
    pub kind: Option<String>,
    /// Namespace of the object, when set.
    pub namespace: Option<String>,
    /// Name of the object, when set.
    pub name: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.source_name, self.index)?;
        if let Some(kind) = &self.kind {
            write!(f, ": {kind} ")?;
            if let Some(ns) = &self.namespace {
                write!(f, "{ns}/")?;
            }
            f.write_str(self.name.as_deref().unwrap_or("<unnamed>"))?;
        }
        Ok(())
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path, e.g. `spec.chart.spec.version` or `spec.patches[0].patch`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why manifests could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The input is not valid YAML.
    #[error("{source_name}: invalid YAML: {message}")]
    Yaml {
        /// Name of the input.
        source_name: String,
        /// Parser message, with line and column.
        message: String,
    },
    /// A document is not a Kubernetes object.
    #[error("{location}: {message}")]
    NotAnObject {
        /// Where.
        location: Box<Location>,
        /// What is missing.
        message: String,
    },
    /// The apiVersion/kind pair is not one ferroflux serves.
    #[error("{location}: unknown apiVersion/kind {api_version:?}/{kind:?}")]
    UnknownKind {
        /// Where.
        location: Box<Location>,
        /// The document's apiVersion.
        api_version: String,
        /// The document's kind.
        kind: String,
    },
    /// Fields are missing, malformed or invalid.
    #[error("{location}: {}", join(.errors))]
    Invalid {
        /// Where.
        location: Box<Location>,
        /// Every problem found (at least one).
        errors: Vec<FieldError>,
    },
}

impl LoadError {
    /// The field errors, empty for other kinds of errors.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            LoadError::Invalid { errors, .. } => errors,
            _ => &[],
        }
    }
}

/// Why objects could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// JSON conversion failed.
    #[error("serialize {kind} {name}: {source}")]
    Json {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// YAML emission failed.
    #[error("serialize {kind} {name} as YAML: {message}")]
    Yaml {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// Cause.
        message: String,
    },
}

/// How strictly documents are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Accept fields the current API version does not know (they are dropped, as an API server
    /// without strict field validation does). By default they are errors, as with
    /// `kubectl apply --validate=strict`. Fields of older apiVersions that were removed
    /// upstream are always dropped silently.
    pub allow_unknown_fields: bool,
}

/// Parses a multi-document YAML stream into Flux objects of the current API versions.
pub fn parse_documents(yaml: &str, source_name: &str) -> Result<Vec<FluxObject>, LoadError> {
    parse_documents_with(yaml, source_name, &LoadOptions::default())
}

/// [`parse_documents`] with options.
pub fn parse_documents_with(
    yaml: &str,
    source_name: &str,
    options: &LoadOptions,
) -> Result<Vec<FluxObject>, LoadError> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(yaml).map_err(|e| LoadError::Yaml {
        source_name: source_name.to_string(),
        message: e.to_string(),
    })?;
    docs.into_iter()
        .enumerate()
        .map(|(index, doc)| parse_value_with(doc, source_name, index, options))
        .collect()
}

/// Parses one document already decoded as JSON.
pub fn parse_value(doc: Value, source_name: &str, index: usize) -> Result<FluxObject, LoadError> {
    parse_value_with(doc, source_name, index, &LoadOptions::default())
}

/// [`parse_value`] with options.
pub fn parse_value_with(
    mut doc: Value,
    source_name: &str,
    index: usize,
    options: &LoadOptions,
) -> Result<FluxObject, LoadError> {
    let mut location = Location {
        source_name: source_name.to_string(),
        index,
        kind: None,
        namespace: None,
        name: None,
    };
    let Some(map) = doc.as_object() else {
        return Err(LoadError::NotAnObject {
            location: Box::new(location),
            message: "document is not a mapping".to_string(),
        });
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    let meta = |key: &str| {
        map.get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    location.namespace = meta("namespace");
    location.name = meta("name");
    let api_version = text("apiVersion").ok_or_else(|| LoadError::NotAnObject {
        location: Box::new(location.clone()),
        message: "apiVersion: missing required field".to_string(),
    })?;
    let kind = text("kind").ok_or_else(|| LoadError::NotAnObject {
        location: Box::new(location.clone()),
        message: "kind: missing required field".to_string(),
    })?;
    let (group, version) = api_version
        .rsplit_once('/')
        .unwrap_or(("", api_version.as_str()));
    let Some(current) = object::current_api_version(group, &kind, version) else {
        return Err(LoadError::UnknownKind {
            location: Box::new(location),
            api_version,
            kind,
        });
    };
    location.kind = Some(kind.clone());
    let upgraded = current != api_version;
    if upgraded {
        convert::upgrade(&kind, version, &mut doc);
        if let Some(m) = doc.as_object_mut() {
            m.insert("apiVersion".to_string(), Value::String(current.to_string()));
        }
    }
    let input = (!upgraded && !options.allow_unknown_fields).then(|| doc.clone());
    let object = FluxObject::from_value(&kind, doc).map_err(|errors| LoadError::Invalid {
        location: Box::new(location.clone()),
        errors,
    })?;
    let mut errors = Vec::new();
    if let Some(input) = input
        && let Ok(output) = object.to_value()
    {
        unknown_fields(&input, &output, "", &mut errors);
    }
    errors.extend(validate(&object));
    if errors.is_empty() {
        Ok(object)
    } else {
        Err(LoadError::Invalid {
            location: Box::new(location),
            errors,
        })
    }
}

/// Records keys of `input` that did not survive typed deserialization. Empty values
/// (`null`, `[]`, `{}`) are not reported: the types omit them when serializing.
fn unknown_fields(input: &Value, output: &Value, path: &str, errors: &mut Vec<FieldError>) {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match b.get(key) {
                    Some(w) => unknown_fields(value, w, &p, errors),
                    None if is_empty(value) => {}
                    None => errors.push(FieldError::new(p, "unknown field")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                unknown_fields(v, w, &format!("{path}[{i}]"), errors);
            }
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Writes objects as a YAML stream with their current apiVersion, one document each.
pub fn to_yaml(objects: &[FluxObject]) -> Result<String, WriteError> {
    let mut out = String::new();
    for (i, object) in objects.iter().enumerate() {
        let value = object.to_value().map_err(|source| WriteError::Json {
            kind: object.kind().to_string(),
            name: object.name().unwrap_or_default().to_string(),
            source,
        })?;
        let text = serde_saphyr::to_string(&value).map_err(|e| WriteError::Yaml {
            kind: object.kind().to_string(),
            name: object.name().unwrap_or_default().to_string(),
            message: e.to_string(),
        })?;
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
