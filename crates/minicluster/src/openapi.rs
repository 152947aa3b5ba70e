//! Just enough OpenAPI for clients that look for it: an empty v2 document and a v3 index
//! whose group documents carry no schemas (clients then fall back to their built-in types).

use crate::registry::Registry;
use serde_json::{Value, json};

pub fn v2() -> Value {
    json!({"swagger": "2.0", "info": {"title": "Kubernetes", "version": crate::GIT_VERSION}, "paths": {}, "definitions": {}})
}

pub fn v3_index(reg: &Registry) -> Value {
    let mut paths = serde_json::Map::new();
    for (g, vs) in reg.groups() {
        for v in vs {
            let p = if g.is_empty() {
                format!("api/{v}")
            } else {
                format!("apis/{g}/{v}")
            };
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=0")}),
            );
        }
    }
    json!({"paths": paths})
}

pub fn v3_group(reg: &Registry, gv: &str) -> Option<Value> {
    let (g, v) = match gv.strip_prefix("api/") {
        Some(v) => ("", v),
        None => gv.strip_prefix("apis/")?.rsplit_once('/')?,
    };
    let types = reg.in_group_version(g, v);
    if types.is_empty() {
        return None;
    }
    // Each resource's create and patch operations, with the `fieldValidation` parameter, so
    // kubectl knows the server validates fields itself.
    let prefix = if g.is_empty() {
        format!("/api/{v}")
    } else {
        format!("/apis/{g}/{v}")
    };
    let mut paths = serde_json::Map::new();
    for t in types.iter().filter(|t| !t.is_virtual()) {
        let gvk = json!({"group": t.group, "version": v, "kind": t.kind});
        let params = json!([
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}}
        ]);
        let op = |action: &str| json!({"operationId": format!("{action}{}", t.kind), "parameters": params, "responses": {"200": {"description": "OK"}}, "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk});
        let base = if t.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}", t.plural)
        } else {
            format!("{prefix}/{}", t.plural)
        };
        paths.insert(base.clone(), json!({"post": op("post")}));
        paths.insert(
            format!("{base}/{{name}}"),
            json!({"patch": op("patch"), "put": op("put")}),
        );
    }
    Some(
        json!({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": crate::GIT_VERSION}, "paths": paths, "components": {"schemas": {}}}),
    )
}
