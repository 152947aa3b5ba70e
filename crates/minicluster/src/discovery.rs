//! Discovery documents: `/api`, `/apis`, `/apis/<group>`, resource lists, and the
//! aggregated form (`apidiscovery.k8s.io/v2`).

use crate::registry::{Registry, ResourceType};
use serde_json::{Value, json};

/// The content type of aggregated discovery responses.
pub const AGGREGATED_V2: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
pub const AGGREGATED_V2BETA1: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/// Which aggregated form the Accept header asks for, if any.
pub fn wants_aggregated(accept: &str) -> Option<&'static str> {
    let mut best: Option<&'static str> = None;
    for part in accept.split(',') {
        let p: String = part.chars().filter(|c| !c.is_whitespace()).collect();
        if p.contains("as=APIGroupDiscoveryList") && p.contains("g=apidiscovery.k8s.io") {
            if p.contains("v=v2;") || p.ends_with("v=v2") {
                return Some(AGGREGATED_V2);
            }
            if p.contains("v=v2beta1") && best.is_none() {
                best = Some(AGGREGATED_V2BETA1);
            }
        } else if best.is_none() && (p.starts_with("application/json") || p.starts_with("*/*")) {
            return None;
        }
    }
    best
}

pub fn api_versions(server: &str) -> Value {
    json!({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":server}]})
}

fn group_json(g: &str, versions: &[String]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
        .collect();
    json!({"name": g, "versions": vs, "preferredVersion": vs.first().cloned().unwrap_or(Value::Null)})
}

pub fn api_group_list(reg: &Registry) -> Value {
    let groups: Vec<Value> = reg
        .groups()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| group_json(&g, &v))
        .collect();
    json!({"kind":"APIGroupList","apiVersion":"v1","groups":groups})
}

pub fn api_group(reg: &Registry, group: &str) -> Option<Value> {
    let (g, v) = reg.groups().into_iter().find(|(g, _)| g == group)?;
    let mut o = group_json(&g, &v);
    o["kind"] = json!("APIGroup");
    o["apiVersion"] = json!("v1");
    Some(o)
}

fn subresource_verbs(sub: &str) -> Vec<&'static str> {
    match sub {
        "status" | "scale" => vec!["get", "patch", "update"],
        "log" => vec!["get"],
        "eviction" | "binding" | "token" => vec!["create"],
        "exec" | "attach" | "portforward" => vec!["create", "get"],
        "proxy" => vec!["create", "delete", "get", "patch", "update"],
        "finalize" | "approval" => vec!["update"],
        "ephemeralcontainers" | "resize" => vec!["get", "patch", "update"],
        _ => vec!["get"],
    }
}

fn subresources(t: &ResourceType) -> Vec<String> {
    let mut subs = Vec::new();
    if t.status {
        subs.push("status".to_string());
    }
    if t.scale {
        subs.push("scale".to_string());
    }
    subs.extend(t.extra_subresources.iter().cloned());
    subs.sort();
    subs
}

/// `/api/v1` or `/apis/<group>/<version>`.
pub fn resource_list(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = reg.in_group_version(group, version);
    if types.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let mut resources = Vec::new();
    for t in &types {
        let mut r = json!({
            "name": t.plural,
            "singularName": t.singular,
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": t.verbs,
        });
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        resources.push(r);
        for sub in subresources(t) {
            let kind = match sub.as_str() {
                "scale" => "Scale",
                "eviction" => "Eviction",
                "binding" => "Binding",
                "token" => "TokenRequest",
                "exec" => "PodExecOptions",
                "attach" => "PodAttachOptions",
                "portforward" => "PodPortForwardOptions",
                "proxy" => "PodProxyOptions",
                _ => t.kind.as_str(),
            };
            let mut r = json!({"name": format!("{}/{sub}", t.plural), "singularName": "", "namespaced": t.namespaced, "kind": kind, "verbs": subresource_verbs(&sub)});
            if sub == "scale" {
                r["group"] = json!("autoscaling");
                r["version"] = json!("v1");
            }
            resources.push(r);
        }
    }
    resources.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Some(
        json!({"kind":"APIResourceList","apiVersion":"v1","groupVersion":gv,"resources":resources}),
    )
}

fn aggregated_resource(t: &ResourceType, version: &str) -> Value {
    let mut r = json!({
        "resource": t.plural,
        "responseKind": {"group": t.group, "version": version, "kind": t.kind},
        "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": t.singular,
        "verbs": t.verbs,
    });
    if !t.short_names.is_empty() {
        r["shortNames"] = json!(t.short_names);
    }
    if !t.categories.is_empty() {
        r["categories"] = json!(t.categories);
    }
    let subs: Vec<Value> = subresources(t)
        .iter()
        .map(|s| {
            let rk = if s == "scale" {
                json!({"group":"autoscaling","version":"v1","kind":"Scale"})
            } else {
                json!({"group": t.group, "version": version, "kind": t.kind})
            };
            json!({"subresource": s, "responseKind": rk, "verbs": subresource_verbs(s)})
        })
        .collect();
    if !subs.is_empty() {
        r["subresources"] = Value::Array(subs);
    }
    r
}

/// The aggregated discovery document for `/api` (core) or `/apis` (every other group).
pub fn aggregated(reg: &Registry, core: bool, api_version: &str) -> Value {
    let mut items = Vec::new();
    for (g, versions) in reg.groups() {
        if g.is_empty() != core {
            continue;
        }
        let vs: Vec<Value> = versions
            .iter()
            .map(|v| {
                let mut rs: Vec<Value> = reg
                    .in_group_version(&g, v)
                    .iter()
                    .map(|t| aggregated_resource(t, v))
                    .collect();
                rs.sort_by(|a, b| a["resource"].as_str().cmp(&b["resource"].as_str()));
                json!({"version": v, "resources": rs, "freshness": "Current"})
            })
            .collect();
        let meta = if g.is_empty() {
            json!({"creationTimestamp": null})
        } else {
            json!({"name": g, "creationTimestamp": null})
        };
        items.push(json!({"metadata": meta, "versions": vs}));
    }
    json!({"kind":"APIGroupDiscoveryList","apiVersion":api_version,"metadata":{},"items":items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_parsing() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(wants_aggregated(kubectl), Some(AGGREGATED_V2));
        assert_eq!(wants_aggregated("application/json"), None);
    }

    #[test]
    fn lists() {
        let r = Registry::builtin();
        let l = resource_list(&r, "apps", "v1").unwrap();
        assert!(
            l["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["name"] == "deployments/scale")
        );
        let a = aggregated(&r, false, "apidiscovery.k8s.io/v2");
        assert!(a["items"].as_array().unwrap().len() > 10);
    }
}
