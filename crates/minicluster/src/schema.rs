//! What the merge logic needs to know of a kind's schema: how each list merges
//! (by key, as a set, or atomically) and which maps are atomic. Built-in kinds use
//! Kubernetes' list-map keys; custom resources use their CRD's `x-kubernetes-*` markers.

use serde_json::Value;

/// How a list merges.
#[derive(Debug, Clone, PartialEq)]
pub enum ListKind {
    Atomic,
    Set,
    Map(Vec<String>),
}

/// The schema knowledge of one kind.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub group: String,
    pub kind: String,
    /// A CRD's `openAPIV3Schema`, for custom resources.
    pub crd: Option<Value>,
}

fn keys(k: &[&str]) -> ListKind {
    ListKind::Map(k.iter().map(|s| s.to_string()).collect())
}

const POD_CONTAINER_LISTS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

impl Schema {
    pub fn builtin(group: &str, kind: &str) -> Self {
        Schema {
            group: group.to_string(),
            kind: kind.to_string(),
            crd: None,
        }
    }

    pub fn custom(group: &str, kind: &str, schema: Option<Value>) -> Self {
        Schema {
            group: group.to_string(),
            kind: kind.to_string(),
            crd: Some(schema.unwrap_or(Value::Null)),
        }
    }

    /// How the list at `path` (field names, `[]` for list items) merges.
    pub fn list_kind(&self, path: &[String]) -> ListKind {
        let Some(last) = path.last() else {
            return ListKind::Atomic;
        };
        if path.first().map(String::as_str) == Some("metadata") && path.len() == 2 {
            return match last.as_str() {
                "finalizers" => ListKind::Set,
                "ownerReferences" => keys(&["uid"]),
                _ => ListKind::Atomic,
            };
        }
        if let Some(crd) = &self.crd {
            return match schema_at(crd, path) {
                Some(s) => match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
                    Some("map") => ListKind::Map(
                        s.get("x-kubernetes-list-map-keys")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    ),
                    Some("set") => ListKind::Set,
                    _ => ListKind::Atomic,
                },
                None => ListKind::Atomic,
            };
        }
        let parent = path
            .len()
            .checked_sub(3)
            .and_then(|i| path.get(i))
            .map(String::as_str);
        match last.as_str() {
            "containers"
            | "initContainers"
            | "ephemeralContainers"
            | "volumes"
            | "env"
            | "imagePullSecrets"
            | "resourceClaims"
            | "schedulingGates" => keys(&["name"]),
            "ports" if parent.is_some_and(|p| POD_CONTAINER_LISTS.contains(&p)) => {
                keys(&["containerPort", "protocol"])
            }
            "ports" if self.kind == "Service" => keys(&["port", "protocol"]),
            "volumeMounts" => keys(&["mountPath"]),
            "volumeDevices" => keys(&["devicePath"]),
            "hostAliases" => keys(&["ip"]),
            "conditions" => keys(&["type"]),
            "topologySpreadConstraints" => keys(&["topologyKey", "whenUnsatisfiable"]),
            "webhooks" if self.group == "admissionregistration.k8s.io" => keys(&["name"]),
            "finalizers" if self.kind == "Namespace" => ListKind::Set,
            "clusterIPs" | "ipFamilies" => ListKind::Atomic,
            _ => ListKind::Atomic,
        }
    }

    /// Whether the map at `path` is replaced whole (label selectors, `x-kubernetes-map-type: atomic`).
    pub fn atomic_map(&self, path: &[String]) -> bool {
        let Some(last) = path.last() else {
            return false;
        };
        if path.first().map(String::as_str) == Some("metadata") {
            return false;
        }
        if let Some(crd) = &self.crd {
            return schema_at(crd, path).is_some_and(|s| {
                s.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
            });
        }
        (last.ends_with("selector") || last.ends_with("Selector")) && last != "nodeSelector"
    }

    /// The strategic-merge-patch merge key of the list at `path`, when it merges by key.
    pub fn patch_merge_key(&self, path: &[String]) -> Option<String> {
        let last = path.last()?.as_str();
        let parent = path
            .len()
            .checked_sub(3)
            .and_then(|i| path.get(i))
            .map(String::as_str);
        if path.first().map(String::as_str) == Some("metadata") && path.len() == 2 {
            return (last == "ownerReferences").then(|| "uid".to_string());
        }
        Some(
            match last {
                "containers"
                | "initContainers"
                | "ephemeralContainers"
                | "volumes"
                | "env"
                | "imagePullSecrets"
                | "resourceClaims"
                | "schedulingGates" => "name",
                "ports" if parent.is_some_and(|p| POD_CONTAINER_LISTS.contains(&p)) => {
                    "containerPort"
                }
                "ports" if self.kind == "Service" => "port",
                "volumeMounts" => "mountPath",
                "volumeDevices" => "devicePath",
                "hostAliases" => "ip",
                "conditions" => "type",
                "topologySpreadConstraints" => "topologyKey",
                "webhooks" if self.group == "admissionregistration.k8s.io" => "name",
                _ => return None,
            }
            .to_string(),
        )
    }

    /// Whether the primitive list at `path` merges as a set under strategic merge patch.
    pub fn patch_merge_primitives(&self, path: &[String]) -> bool {
        path.len() == 2 && path[0] == "metadata" && path[1] == "finalizers"
    }
}

/// The sub-schema at a path of an `openAPIV3Schema`.
fn schema_at<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = root;
    for p in path {
        if p == "[]" {
            cur = cur.get("items")?;
        } else {
            cur = match cur.get("properties").and_then(|ps| ps.get(p)) {
                Some(s) => s,
                None => cur.get("additionalProperties").filter(|a| a.is_object())?,
            };
        }
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn builtin_lists() {
        let d = Schema::builtin("apps", "Deployment");
        assert_eq!(
            d.list_kind(&p(&["spec", "template", "spec", "containers"])),
            keys(&["name"])
        );
        assert_eq!(
            d.list_kind(&p(&[
                "spec",
                "template",
                "spec",
                "containers",
                "[]",
                "ports"
            ])),
            keys(&["containerPort", "protocol"])
        );
        assert_eq!(
            d.list_kind(&p(&[
                "spec",
                "template",
                "spec",
                "containers",
                "[]",
                "args"
            ])),
            ListKind::Atomic
        );
        assert!(d.atomic_map(&p(&["spec", "selector"])));
        assert!(!d.atomic_map(&p(&["spec", "template", "spec", "nodeSelector"])));
        let s = Schema::builtin("", "Service");
        assert_eq!(
            s.list_kind(&p(&["spec", "ports"])),
            keys(&["port", "protocol"])
        );
    }

    #[test]
    fn crd_lists() {
        let s = Schema::custom(
            "x",
            "K",
            Some(json!({"properties":{"spec":{"properties":{
            "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["id"]},
            "tags":{"type":"array","x-kubernetes-list-type":"set"},
            "other":{"type":"array"}}}}})),
        );
        assert_eq!(s.list_kind(&p(&["spec", "items"])), keys(&["id"]));
        assert_eq!(s.list_kind(&p(&["spec", "tags"])), ListKind::Set);
        assert_eq!(s.list_kind(&p(&["spec", "other"])), ListKind::Atomic);
    }
}
