//! Authorization by the RBAC objects stored in the cluster, and the bootstrap roles.

use crate::registry::ResKey;
use crate::store::State;
use crate::util;
use serde_json::{Value, json};

/// Who a request runs as (after impersonation).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
}

impl User {
    /// A user with the groups Kubernetes adds: service accounts get theirs, everyone
    /// authenticated gets `system:authenticated`.
    pub fn with_implicit_groups(name: &str, mut groups: Vec<String>) -> Self {
        if let Some(rest) = name.strip_prefix("system:serviceaccount:")
            && let Some((ns, _)) = rest.split_once(':')
        {
            for g in [
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{ns}"),
            ] {
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
        }
        if name != "system:anonymous" && !groups.iter().any(|g| g == "system:authenticated") {
            groups.push("system:authenticated".into());
        }
        User {
            name: name.to_string(),
            uid: String::new(),
            groups,
        }
    }
}

/// What a request does, as RBAC sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub namespace: String,
    /// For non-resource requests (`/healthz`, `/apis`…).
    pub path: Option<String>,
}

impl Attributes {
    /// Kubernetes' wording of a refusal.
    pub fn forbidden_message(&self, user: &str) -> String {
        if let Some(p) = &self.path {
            return format!(
                "forbidden: User \"{user}\" cannot {} path \"{p}\"",
                self.verb
            );
        }
        let qualified = crate::status::qualified(&self.resource, &self.group);
        let subject = if self.name.is_empty() {
            format!("{qualified} is forbidden")
        } else {
            format!("{qualified} \"{}\" is forbidden", self.name)
        };
        let res = if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        format!(
            "{subject}: User \"{user}\" cannot {} resource \"{res}\" in API group \"{}\" {scope}",
            self.verb, self.group
        )
    }
}

fn strs(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether one policy rule allows the request.
pub fn rule_allows(rule: &Value, a: &Attributes) -> bool {
    let verbs = strs(rule.get("verbs"));
    if !verbs.iter().any(|v| *v == "*" || *v == a.verb) {
        return false;
    }
    if let Some(path) = &a.path {
        return strs(rule.get("nonResourceURLs")).iter().any(|u| {
            *u == "*" || *u == path || u.strip_suffix('*').is_some_and(|p| path.starts_with(p))
        });
    }
    let groups = strs(rule.get("apiGroups"));
    if !groups.iter().any(|g| *g == "*" || *g == a.group) {
        return false;
    }
    let combined = if a.subresource.is_empty() {
        a.resource.clone()
    } else {
        format!("{}/{}", a.resource, a.subresource)
    };
    let resources = strs(rule.get("resources"));
    let res_ok = resources.iter().any(|r| {
        *r == "*"
            || *r == combined
            || (a.subresource.is_empty() && *r == a.resource)
            || (!a.subresource.is_empty() && *r == format!("*/{}", a.subresource))
            || (!a.subresource.is_empty() && *r == format!("{}/*", a.resource))
    });
    if !res_ok {
        return false;
    }
    let names = strs(rule.get("resourceNames"));
    names.is_empty() || (!a.name.is_empty() && names.contains(&a.name.as_str()))
}

fn subject_matches(s: &Value, user: &User, binding_ns: &str) -> bool {
    let kind = s.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = s.get("name").and_then(Value::as_str).unwrap_or("");
    match kind {
        "User" => name == user.name,
        "Group" => user.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let ns = s
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_ns);
            user.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

fn rbac_key(plural: &str) -> ResKey {
    ResKey {
        group: "rbac.authorization.k8s.io".into(),
        plural: plural.into(),
    }
}

/// The rules a role reference grants (`ns` for a Role).
fn role_rules(state: &State, role_ref: &Value, ns: &str) -> Vec<Value> {
    let kind = role_ref.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = role_ref.get("name").and_then(Value::as_str).unwrap_or("");
    let obj = match kind {
        "ClusterRole" => state.get(&rbac_key("clusterroles"), "", name),
        "Role" => state.get(&rbac_key("roles"), ns, name),
        _ => None,
    };
    obj.and_then(|o| o.get("rules"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Every rule that applies to `user` in `ns` ("" = cluster-wide bindings only), with its source.
pub fn rules_for(state: &State, user: &User, ns: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (_, crb) in state.list(&rbac_key("clusterrolebindings"), None) {
        let subjects = crb
            .get("subjects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if subjects.iter().any(|s| subject_matches(s, user, "")) {
            let rr = crb.get("roleRef").cloned().unwrap_or(Value::Null);
            let src = format!(
                "ClusterRoleBinding \"{}\" of ClusterRole \"{}\"",
                util::name_of(crb),
                rr.get("name").and_then(Value::as_str).unwrap_or("")
            );
            for r in role_rules(state, &rr, "") {
                out.push((src.clone(), r));
            }
        }
    }
    if !ns.is_empty() {
        for (_, rb) in state.list(&rbac_key("rolebindings"), Some(ns)) {
            let subjects = rb
                .get("subjects")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if subjects.iter().any(|s| subject_matches(s, user, ns)) {
                let rr = rb.get("roleRef").cloned().unwrap_or(Value::Null);
                let src = format!(
                    "RoleBinding \"{}/{}\" of {} \"{}\"",
                    ns,
                    util::name_of(rb),
                    rr.get("kind").and_then(Value::as_str).unwrap_or(""),
                    rr.get("name").and_then(Value::as_str).unwrap_or("")
                );
                for r in role_rules(state, &rr, ns) {
                    out.push((src.clone(), r));
                }
            }
        }
    }
    out
}

/// The decision and, when allowed, the reason Kubernetes reports.
pub fn authorize(state: &State, user: &User, a: &Attributes) -> (bool, String) {
    if user.groups.iter().any(|g| g == "system:masters") {
        return (true, String::new());
    }
    for (src, rule) in rules_for(state, user, &a.namespace) {
        if rule_allows(&rule, a) {
            return (
                true,
                format!("RBAC: allowed by {src} to User \"{}\"", user.name),
            );
        }
    }
    (false, String::new())
}

/// The roles and bindings every cluster starts with.
pub fn bootstrap_objects() -> Vec<(&'static str, Value)> {
    let crole = |name: &str, labels: Value, rules: Value| {
        json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
            "metadata":{"name":name,"labels":labels,"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"true"}},
            "rules":rules})
    };
    let boot = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    let with = |extra: Value| {
        let mut l = boot.clone();
        if let (Some(m), Some(e)) = (l.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        l
    };
    let binding = |name: &str, role: &str, kind: &str, subject: &str| {
        json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
            "metadata":{"name":name,"labels":{"kubernetes.io/bootstrapping":"rbac-defaults"},"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"true"}},
            "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":role},
            "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":kind,"name":subject}]})
    };
    let read = json!(["get", "list", "watch"]);
    let write = json!(["create", "delete", "deletecollection", "patch", "update"]);
    let mut admin = crole("admin", with(json!({})), json!([]));
    admin["aggregationRule"] = json!({"clusterRoleSelectors":[{"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}}]});
    let mut edit = crole(
        "edit",
        with(json!({"rbac.authorization.k8s.io/aggregate-to-admin":"true"})),
        json!([]),
    );
    edit["aggregationRule"] = json!({"clusterRoleSelectors":[{"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}}]});
    let mut view = crole(
        "view",
        with(json!({"rbac.authorization.k8s.io/aggregate-to-edit":"true"})),
        json!([]),
    );
    view["aggregationRule"] = json!({"clusterRoleSelectors":[{"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}}]});
    let view_resources = json!([
        {"apiGroups":[""],"resources":["configmaps","endpoints","persistentvolumeclaims","persistentvolumeclaims/status","pods","pods/log","pods/status","replicationcontrollers","replicationcontrollers/scale","replicationcontrollers/status","serviceaccounts","services","services/status","bindings","events","limitranges","namespaces/status","resourcequotas","resourcequotas/status","namespaces"],"verbs":read},
        {"apiGroups":["apps"],"resources":["controllerrevisions","daemonsets","daemonsets/status","deployments","deployments/scale","deployments/status","replicasets","replicasets/scale","replicasets/status","statefulsets","statefulsets/scale","statefulsets/status"],"verbs":read},
        {"apiGroups":["autoscaling"],"resources":["horizontalpodautoscalers","horizontalpodautoscalers/status"],"verbs":read},
        {"apiGroups":["batch"],"resources":["cronjobs","cronjobs/status","jobs","jobs/status"],"verbs":read},
        {"apiGroups":["policy"],"resources":["poddisruptionbudgets","poddisruptionbudgets/status"],"verbs":read},
        {"apiGroups":["networking.k8s.io"],"resources":["ingresses","ingresses/status","networkpolicies"],"verbs":read},
        {"apiGroups":["discovery.k8s.io"],"resources":["endpointslices"],"verbs":read}
    ]);
    let edit_resources = json!([
        {"apiGroups":[""],"resources":["pods","pods/attach","pods/exec","pods/portforward","pods/proxy","configmaps","endpoints","persistentvolumeclaims","replicationcontrollers","replicationcontrollers/scale","secrets","serviceaccounts","services","services/proxy"],"verbs":write},
        {"apiGroups":[""],"resources":["secrets"],"verbs":read},
        {"apiGroups":[""],"resources":["serviceaccounts/token"],"verbs":["create"]},
        {"apiGroups":["apps"],"resources":["daemonsets","deployments","deployments/rollback","deployments/scale","replicasets","replicasets/scale","statefulsets","statefulsets/scale"],"verbs":write},
        {"apiGroups":["autoscaling"],"resources":["horizontalpodautoscalers"],"verbs":write},
        {"apiGroups":["batch"],"resources":["cronjobs","jobs"],"verbs":write},
        {"apiGroups":["networking.k8s.io"],"resources":["ingresses","networkpolicies"],"verbs":write},
        {"apiGroups":["policy"],"resources":["poddisruptionbudgets"],"verbs":write},
        {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}
    ]);
    let admin_resources = json!([
        {"apiGroups":["rbac.authorization.k8s.io"],"resources":["rolebindings","roles"],"verbs":["create","delete","deletecollection","get","list","patch","update","watch"]},
        {"apiGroups":["authorization.k8s.io"],"resources":["localsubjectaccessreviews"],"verbs":["create"]}
    ]);
    vec![
        (
            "clusterroles",
            crole(
                "cluster-admin",
                with(json!({})),
                json!([{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},{"nonResourceURLs":["*"],"verbs":["*"]}]),
            ),
        ),
        ("clusterroles", admin),
        ("clusterroles", edit),
        ("clusterroles", view),
        (
            "clusterroles",
            crole(
                "system:aggregate-to-admin",
                with(json!({"rbac.authorization.k8s.io/aggregate-to-admin":"true"})),
                admin_resources,
            ),
        ),
        (
            "clusterroles",
            crole(
                "system:aggregate-to-edit",
                with(json!({"rbac.authorization.k8s.io/aggregate-to-edit":"true"})),
                edit_resources,
            ),
        ),
        (
            "clusterroles",
            crole(
                "system:aggregate-to-view",
                with(json!({"rbac.authorization.k8s.io/aggregate-to-view":"true"})),
                view_resources,
            ),
        ),
        (
            "clusterroles",
            crole(
                "system:discovery",
                with(json!({})),
                json!([{"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"],"verbs":["get"]}]),
            ),
        ),
        (
            "clusterroles",
            crole(
                "system:public-info-viewer",
                with(json!({})),
                json!([{"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"],"verbs":["get"]}]),
            ),
        ),
        (
            "clusterroles",
            crole(
                "system:basic-user",
                with(json!({})),
                json!([{"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"],"verbs":["create"]},{"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"],"verbs":["create"]}]),
            ),
        ),
        (
            "clusterrolebindings",
            binding("cluster-admin", "cluster-admin", "Group", "system:masters"),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:discovery",
                "system:discovery",
                "Group",
                "system:authenticated",
            ),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:basic-user",
                "system:basic-user",
                "Group",
                "system:authenticated",
            ),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:public-info-viewer",
                "system:public-info-viewer",
                "Group",
                "system:authenticated",
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let a = Attributes {
            verb: "get".into(),
            group: "apps".into(),
            resource: "deployments".into(),
            subresource: "status".into(),
            name: "x".into(),
            namespace: "n".into(),
            path: None,
        };
        assert!(rule_allows(
            &json!({"apiGroups":["apps"],"resources":["deployments/status"],"verbs":["get"]}),
            &a
        ));
        assert!(!rule_allows(
            &json!({"apiGroups":["apps"],"resources":["deployments"],"verbs":["get"]}),
            &a
        ));
        assert!(rule_allows(
            &json!({"apiGroups":["*"],"resources":["*"],"verbs":["*"]}),
            &a
        ));
        assert!(rule_allows(
            &json!({"apiGroups":["apps"],"resources":["*/status"],"verbs":["*"],"resourceNames":["x"]}),
            &a
        ));
        assert!(!rule_allows(
            &json!({"apiGroups":["apps"],"resources":["*/status"],"verbs":["*"],"resourceNames":["y"]}),
            &a
        ));
        assert_eq!(
            a.forbidden_message("bob"),
            "deployments.apps \"x\" is forbidden: User \"bob\" cannot get resource \"deployments/status\" in API group \"apps\" in the namespace \"n\""
        );
    }
}
