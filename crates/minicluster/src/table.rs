//! Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), as kubectl asks.

use crate::registry::{PrinterColumn, ResourceType};
use serde_json::{Value, json};

/// Whether the Accept header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|p| p.contains("as=Table"))
}

/// kubectl's short human durations (`5s`, `3m20s`, `2d`).
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    if s < 120 {
        format!("{s}s")
    } else if s < 600 {
        let m = s / 60;
        let r = s % 60;
        if r == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{r}s")
        }
    } else if s < 3 * 3600 {
        format!("{}m", s / 60)
    } else if s < 8 * 3600 {
        let h = s / 3600;
        let m = (s % 3600) / 60;
        if m == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{m}m")
        }
    } else if s < 48 * 3600 {
        format!("{}h", s / 3600)
    } else if s < 8 * 86400 {
        let d = s / 86400;
        let h = (s % 86400) / 3600;
        if h == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{h}h")
        }
    } else if s < 2 * 365 * 86400 {
        format!("{}d", s / 86400)
    } else {
        format!("{}y", s / (365 * 86400))
    }
}

fn age(ts: Option<&str>) -> String {
    let Some(ts) = ts else {
        return "<unknown>".into();
    };
    let Ok(t) = ts.parse::<jiff::Timestamp>() else {
        return "<unknown>".into();
    };
    let now = jiff::Timestamp::now();
    human_duration(now.as_second() - t.as_second())
}

/// A tiny JSONPath: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status`.
pub fn json_path(v: &Value, path: &str) -> Vec<Value> {
    let path = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_start_matches('$');
    let mut cur = vec![v.clone()];
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let field = &r[..end];
            cur = cur.iter().filter_map(|x| x.get(field).cloned()).collect();
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return Vec::new();
            };
            let inner = &r[..end];
            rest = &r[end + 1..];
            if inner == "*" {
                cur = cur
                    .iter()
                    .flat_map(|x| x.as_array().cloned().unwrap_or_default())
                    .collect();
            } else if let Ok(i) = inner.parse::<usize>() {
                cur = cur.iter().filter_map(|x| x.get(i).cloned()).collect();
            } else if let Some(f) = inner.strip_prefix("?(@.").and_then(|f| f.strip_suffix(')')) {
                let (field, want) = match f.split_once("==") {
                    Some((a, b)) => (a.trim(), b.trim().trim_matches('"').trim_matches('\'')),
                    None => return Vec::new(),
                };
                cur = cur
                    .iter()
                    .flat_map(|x| x.as_array().cloned().unwrap_or_default())
                    .filter(|it| {
                        it.get(field)
                            .map(|v| match v {
                                Value::String(s) => s == want,
                                o => serde_json::from_str::<Value>(want).ok().as_ref() == Some(o),
                            })
                            .unwrap_or(false)
                    })
                    .collect();
            } else {
                return Vec::new();
            }
        } else {
            return Vec::new();
        }
    }
    cur
}

fn cell(values: Vec<Value>, type_: &str) -> Value {
    if values.is_empty() {
        return Value::Null;
    }
    if type_ == "date" {
        return json!(age(values[0].as_str()));
    }
    if values.len() == 1 {
        return match &values[0] {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => values[0].clone(),
            other => json!(other.to_string()),
        };
    }
    json!(
        values
            .iter()
            .map(|v| v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string()))
            .collect::<Vec<_>>()
            .join(",")
    )
}

fn builtin_columns(t: &ResourceType) -> Vec<PrinterColumn> {
    let col = |name: &str, ty: &str, path: &str| PrinterColumn {
        name: name.into(),
        type_: ty.into(),
        json_path: path.into(),
        description: String::new(),
        priority: 0,
    };
    match (t.group.as_str(), t.kind.as_str()) {
        ("", "Pod") => vec![col("Status", "string", ".status.phase")],
        ("", "ConfigMap") => vec![col("Data", "integer", "#data")],
        ("", "Secret") => vec![
            col("Type", "string", ".type"),
            col("Data", "integer", "#data"),
        ],
        ("", "Namespace") => vec![col("Status", "string", ".status.phase")],
        ("", "Service") => vec![
            col("Type", "string", ".spec.type"),
            col("Cluster-IP", "string", ".spec.clusterIP"),
        ],
        ("apps", "Deployment") => vec![
            col("Ready", "string", "#ready"),
            col("Up-to-date", "integer", ".status.updatedReplicas"),
            col("Available", "integer", ".status.availableReplicas"),
        ],
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            vec![col("Created At", "date", ".metadata.creationTimestamp")]
        }
        _ => Vec::new(),
    }
}

/// The columns of a kind at a version (always Name first).
pub fn columns(t: &ResourceType, version: &str) -> Vec<PrinterColumn> {
    let mut cols = vec![PrinterColumn {
        name: "Name".into(),
        type_: "string".into(),
        json_path: ".metadata.name".into(),
        description: "Name must be unique within a namespace.".into(),
        priority: 0,
    }];
    let extra = if t.crd.is_some() {
        t.version_columns.get(version).cloned().unwrap_or_default()
    } else {
        builtin_columns(t)
    };
    let has_custom = !extra.is_empty();
    cols.extend(extra);
    if !(t.crd.is_some() && has_custom) && t.kind != "CustomResourceDefinition" {
        cols.push(PrinterColumn {
            name: "Age".into(),
            type_: "date".into(),
            json_path: ".metadata.creationTimestamp".into(),
            description: "CreationTimestamp is a timestamp representing the server time when this object was created.".into(),
            priority: 0,
        });
    }
    cols
}

fn special(obj: &Value, path: &str) -> Option<Value> {
    match path {
        "#data" => Some(json!(
            obj.get("data")
                .and_then(Value::as_object)
                .map(|m| m.len())
                .unwrap_or(0)
                + obj
                    .get("binaryData")
                    .and_then(Value::as_object)
                    .map(|m| m.len())
                    .unwrap_or(0)
        )),
        "#ready" => {
            let ready = obj
                .pointer("/status/readyReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let want = obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            Some(json!(format!("{ready}/{want}")))
        }
        _ => None,
    }
}

/// One row.
pub fn row(obj: &Value, cols: &[PrinterColumn]) -> Value {
    let cells: Vec<Value> = cols
        .iter()
        .map(|c| {
            special(obj, &c.json_path)
                .unwrap_or_else(|| cell(json_path(obj, &c.json_path), &c.type_))
        })
        .collect();
    let mut meta = obj.get("metadata").cloned().unwrap_or(json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
    }
    json!({"cells": cells, "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
}

fn column_definitions(cols: &[PrinterColumn]) -> Vec<Value> {
    cols.iter()
        .map(|c| {
            let format = if c.name == "Name" { "name" } else { "" };
            let ty = if c.type_ == "date" { "string" } else { c.type_.as_str() };
            json!({"name": c.name, "type": ty, "format": format, "description": c.description, "priority": c.priority})
        })
        .collect()
}

/// A Table of objects.
pub fn table(
    t: &ResourceType,
    version: &str,
    objs: &[Value],
    rv: u64,
    cont: Option<String>,
    headers: bool,
) -> Value {
    let cols = columns(t, version);
    let rows: Vec<Value> = objs.iter().map(|o| row(o, &cols)).collect();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    let mut tbl = json!({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":meta,"rows":rows});
    if headers {
        tbl["columnDefinitions"] = Value::Array(column_definitions(&cols));
    } else {
        tbl["columnDefinitions"] = Value::Null;
    }
    tbl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let v = json!({"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","status":"False"}]},"spec":{"r":3}});
        assert_eq!(
            json_path(&v, ".status.conditions[?(@.type==\"Ready\")].status"),
            vec![json!("True")]
        );
        assert_eq!(json_path(&v, ".spec.r"), vec![json!(3)]);
        assert_eq!(json_path(&v, ".status.conditions[*].type").len(), 2);
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(3 * 86400), "3d");
    }
}
