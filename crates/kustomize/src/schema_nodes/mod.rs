//! kyaml's built-in OpenAPI document (Kubernetes v1.21.2), as much as kustomize reads of it:
//! which (apiVersion, kind) pairs it describes (`kinds`), which of them are cluster-scoped
//! (`scope`), and which lists a strategic merge patch merges by key (`lists`, generated),
//! found by walking a field path from a kind's schema as kyaml's `ResourceSchema::Lookup`
//! does.

mod kinds;
mod lists;
mod scope;

pub(crate) use kinds::has_schema;
pub use scope::is_cluster_scoped_kind;

/// "No schema here".
const NONE: u16 = u16::MAX;

/// One schema of the document, pruned to what leads to a merged list.
struct Node {
    /// Fields by name, sorted.
    fields: &'static [(&'static str, u16)],
    /// The schema of every other key (a map's values).
    additional: u16,
    /// An array's elements (kept for merged lists only: kyaml walks no other list).
    items: u16,
    /// A list merged by a patch: its keys (none for a set of scalars).
    merge: Option<&'static [&'static str]>,
}

/// How a patch merges the list at some path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Merge {
    /// By these keys.
    Keyed(&'static [&'static str]),
    /// As a set of scalars.
    Set,
    /// Not at all: the patch's list replaces it.
    Replace,
}

/// The node a built-in kind's schema starts from.
fn root(api_version: &str, kind: &str) -> Option<u16> {
    lists::ROOTS
        .binary_search_by(|(a, k, _)| (*a, *k).cmp(&(api_version, kind)))
        .ok()
        .map(|i| lists::ROOTS[i].2)
}

/// The node of a definition a custom document refers to by name.
fn definition(name: &str) -> Option<u16> {
    lists::DEFINITIONS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| lists::DEFINITIONS[i].1)
}

/// Follows `path` (field names, `[]` for a list's elements) from `start`.
fn walk<'a>(start: u16, path: impl IntoIterator<Item = &'a str>) -> Merge {
    let mut at = start;
    for seg in path {
        let Some(node) = lists::NODES.get(at as usize) else {
            return Merge::Replace;
        };
        at = if seg == "[]" {
            node.items
        } else {
            match node.fields.binary_search_by(|(n, _)| (*n).cmp(seg)) {
                Ok(i) => node.fields[i].1,
                // A field the schema does not name is a map's value, if it is a map (no
                // schema of the document has both fields and map values).
                Err(_) => node.additional,
            }
        };
    }
    match lists::NODES.get(at as usize).and_then(|n| n.merge) {
        Some([]) => Merge::Set,
        Some(keys) => Merge::Keyed(keys),
        None => Merge::Replace,
    }
}

/// kustomize's Kustomization, whose schema kyaml embeds beside Kubernetes' own.
pub(crate) const KUSTOMIZATION: (&str, &str) = ("kustomize.config.k8s.io/v1beta1", "Kustomization");

/// How a patch merges the list at `path` of a built-in kind.
pub(crate) fn list_merge<'a>(
    api_version: &str,
    kind: &str,
    path: impl IntoIterator<Item = &'a str>,
) -> Merge {
    // kyaml also embeds a schema of kustomize's own Kustomization, whose only merged lists
    // are its ConfigMap and Secret generators, keyed by name.
    if (api_version, kind) == KUSTOMIZATION {
        let mut path = path.into_iter();
        return match (path.next(), path.next()) {
            (Some("configMapGenerator" | "secretGenerator"), None) => Merge::Keyed(&["name"]),
            _ => Merge::Replace,
        };
    }
    root(api_version, kind).map_or(Merge::Replace, |r| walk(r, path))
}

/// How a patch merges the list at `path` below the built-in definition `name`.
pub(crate) fn list_merge_in<'a>(name: &str, path: impl IntoIterator<Item = &'a str>) -> Merge {
    definition(name).map_or(Merge::Replace, |d| walk(d, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(api_version: &str, kind: &str, path: &str) -> Merge {
        list_merge(api_version, kind, path.split('.'))
    }

    #[test]
    fn tables_are_sorted() {
        assert!(
            lists::ROOTS
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        assert!(lists::DEFINITIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            lists::NODES
                .iter()
                .all(|n| n.fields.windows(2).all(|w| w[0].0 < w[1].0))
        );
    }

    #[test]
    fn lists_of_built_in_kinds() {
        let name = Merge::Keyed(&["name"]);
        assert_eq!(
            at("apps/v1", "Deployment", "spec.template.spec.containers"),
            name
        );
        assert_eq!(
            at(
                "apps/v1",
                "Deployment",
                "spec.template.spec.containers.[].ports"
            ),
            Merge::Keyed(&["containerPort", "protocol"])
        );
        assert_eq!(
            at(
                "batch/v1beta1",
                "CronJob",
                "spec.jobTemplate.spec.template.spec.initContainers.[].env"
            ),
            name
        );
        assert_eq!(
            at(
                "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration",
                "webhooks"
            ),
            name
        );
        assert_eq!(
            at(
                "admissionregistration.k8s.io/v1beta1",
                "ValidatingWebhookConfiguration",
                "webhooks"
            ),
            name
        );
        assert_eq!(
            at("v1", "Service", "spec.ports"),
            Merge::Keyed(&["port", "protocol"])
        );
        assert_eq!(at("v1", "ConfigMap", "metadata.finalizers"), Merge::Set);
        assert_eq!(at("v1", "Node", "spec.podCIDRs"), Merge::Set);
        assert_eq!(
            at("apps/v1", "Deployment", "status.conditions"),
            Merge::Keyed(&["type"])
        );
    }

    #[test]
    fn lists_without_a_merge_strategy_are_replaced() {
        // Ephemeral containers merge env but not ports; HPA conditions carry no strategy.
        assert_eq!(
            at("v1", "Pod", "spec.ephemeralContainers.[].env"),
            Merge::Keyed(&["name"])
        );
        assert_eq!(
            at("v1", "Pod", "spec.ephemeralContainers.[].ports"),
            Merge::Replace
        );
        assert_eq!(
            at(
                "autoscaling/v2beta2",
                "HorizontalPodAutoscaler",
                "status.conditions"
            ),
            Merge::Replace
        );
        assert_eq!(
            at(
                "apps/v1",
                "Deployment",
                "spec.template.spec.containers.[].args"
            ),
            Merge::Replace
        );
        assert_eq!(
            at("apps/v1", "Deployment", "spec.unknown.containers"),
            Merge::Replace
        );
        assert_eq!(at("apps/v1", "MyKind", "spec.containers"), Merge::Replace);
        // An element of a list that is not merged is not walked into.
        assert_eq!(
            at("rbac.authorization.k8s.io/v1", "Role", "rules.[].x"),
            Merge::Replace
        );
    }

    #[test]
    fn definitions_by_name() {
        assert_eq!(
            list_merge_in(
                "io.k8s.api.core.v1.PodSpec",
                "containers.[].volumeMounts".split('.')
            ),
            Merge::Keyed(&["mountPath"])
        );
        assert_eq!(
            list_merge_in("io.k8s.api.core.v1.ConfigMap", "data".split('.')),
            Merge::Replace
        );
    }
}
