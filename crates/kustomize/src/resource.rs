//! Objects as kustomize tracks them: the JSON value plus its id history,
//! the prefixes and suffixes applied to it, and generator bookkeeping.

use crate::error::{ErrorKind, Result, err};
use serde_json::{Map, Value};
use std::fmt;

/// Group, version and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Gvk {
    /// API group ("" for core).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Parses `apiVersion` and `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    /// `group/version` or `version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Does the selector (empty fields are wildcards) select this gvk?
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    /// Is this kind cluster-scoped (per kustomize's built-in list)?
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped_kind(&self.group, &self.kind)
    }
}

/// Cluster-scoped kinds as kustomize knows them (the Kubernetes 1.21 schema kyaml
/// embeds): by group and kind. Anything else is namespaced.
pub fn is_cluster_scoped_kind(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        (
            "",
            "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus"
        ) | (
            "rbac.authorization.k8s.io",
            "ClusterRole" | "ClusterRoleBinding"
        ) | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("apiregistration.k8s.io", "APIService")
            | (
                "admissionregistration.k8s.io",
                "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration"
            )
            | (
                "storage.k8s.io",
                "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment"
            )
            | ("scheduling.k8s.io", "PriorityClass")
            | ("networking.k8s.io", "IngressClass")
            | ("node.k8s.io", "RuntimeClass")
            | ("policy" | "extensions", "PodSecurityPolicy")
            | ("certificates.k8s.io", "CertificateSigningRequest")
            | (
                "flowcontrol.apiserver.k8s.io",
                "FlowSchema" | "PriorityLevelConfiguration"
            )
            | ("authentication.k8s.io", "TokenReview")
            | (
                "authorization.k8s.io",
                "SelfSubjectAccessReview" | "SelfSubjectRulesReview" | "SubjectAccessReview"
            )
    )
}

/// An object's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// metadata.name
    pub name: String,
    /// metadata.namespace ("" when unset)
    pub namespace: String,
}

impl ResId {
    /// The namespace with "" read as "default" (cluster-scoped kinds have none).
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// kustomize's id equality: same gvk, name, and effective namespace.
    pub fn same_as(&self, o: &ResId) -> bool {
        self.gvk == o.gvk
            && self.name == o.name
            && self.effective_namespace() == o.effective_namespace()
    }

    /// Same effective namespace.
    pub fn ns_equals(&self, o: &ResId) -> bool {
        self.effective_namespace() == o.effective_namespace()
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.gvk.api_version())?;
        write!(f, " {}", self.gvk.kind)?;
        if !self.namespace.is_empty() {
            write!(f, " {}/{}", self.namespace, self.name)
        } else {
            write!(f, " {}", self.name)
        }
    }
}

/// Generator merge behaviour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Create (the default); a clash is an error.
    #[default]
    Create,
    /// Merge into an existing object.
    Merge,
    /// Replace an existing object.
    Replace,
}

/// One object plus kustomize's bookkeeping.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object.
    pub obj: Value,
    /// Earlier ids (oldest first), recorded when names/namespaces change.
    pub prev_ids: Vec<ResId>,
    /// Prefixes applied, innermost first.
    pub prefixes: Vec<String>,
    /// Suffixes applied, innermost first.
    pub suffixes: Vec<String>,
    /// Generated object that still needs its content hash appended to its name.
    pub needs_hash: bool,
    /// Generator behaviour.
    pub behavior: Behavior,
    /// Ids of objects that refer to this one (filled by name references).
    pub ref_by: Vec<ResId>,
    /// Where the object came from (for errors).
    pub origin: String,
    /// Vars bound to this object where they were declared.
    pub ref_vars: Vec<String>,
    /// Transformers that ran over this object (for `transformerAnnotations`).
    pub transformations: Vec<String>,
}

impl Resource {
    /// Wraps an object read from `origin`.
    pub fn new(obj: Value, origin: impl Into<String>) -> Resource {
        Resource {
            obj,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Create,
            ref_by: Vec::new(),
            origin: origin.into(),
            ref_vars: Vec::new(),
            transformations: Vec::new(),
        }
    }

    /// apiVersion/kind as a gvk.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(
            get_str(&self.obj, &["apiVersion"]).unwrap_or(""),
            self.kind(),
        )
    }

    /// kind
    pub fn kind(&self) -> &str {
        get_str(&self.obj, &["kind"]).unwrap_or("")
    }

    /// metadata.name
    pub fn name(&self) -> &str {
        get_str(&self.obj, &["metadata", "name"]).unwrap_or("")
    }

    /// metadata.namespace
    pub fn namespace(&self) -> &str {
        get_str(&self.obj, &["metadata", "namespace"]).unwrap_or("")
    }

    /// Sets metadata.name.
    pub fn set_name(&mut self, name: &str) {
        set_path(
            &mut self.obj,
            &["metadata", "name"],
            Value::String(name.to_string()),
        );
    }

    /// The current id.
    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// The original id (first recorded, or current).
    pub fn org_id(&self) -> ResId {
        self.prev_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Records the current id as a previous one.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev_ids.push(id);
    }

    /// Every id this object has had, current last.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut v = self.prev_ids.clone();
        v.push(self.cur_id());
        v
    }

    /// The current id without allocating: (apiVersion, kind, name, effective namespace).
    pub fn id_key(&self) -> (&str, &str, &str, &str) {
        let api = get_str(&self.obj, &["apiVersion"]).unwrap_or("");
        let kind = self.kind();
        let group = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let ns = if is_cluster_scoped_kind(group, kind) {
            ""
        } else {
            match self.namespace() {
                "" => "default",
                n => n,
            }
        };
        (api, kind, self.name(), ns)
    }

    /// Do prefixes/suffixes agree with another object's (kustomize's scope check)?
    pub fn prefixes_suffixes_equal(&self, o: &Resource, allow_empty: bool) -> bool {
        if allow_empty {
            let pe = self.prefixes.is_empty() || o.prefixes.is_empty();
            let se = self.suffixes.is_empty() || o.suffixes.is_empty();
            (pe || same_ending(&self.prefixes, &o.prefixes))
                && (se || same_ending(&self.suffixes, &o.suffixes))
        } else {
            same_ending(&self.prefixes, &o.prefixes) && same_ending(&self.suffixes, &o.suffixes)
        }
    }

    /// Labels as a map (empty when absent).
    pub fn labels(&self) -> Map<String, Value> {
        get(&self.obj, &["metadata", "labels"])
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default()
    }

    /// Annotations as a map (empty when absent).
    pub fn annotations(&self) -> Map<String, Value> {
        get(&self.obj, &["metadata", "annotations"])
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default()
    }

    /// A short description for errors.
    pub fn describe(&self) -> String {
        self.cur_id().to_string()
    }
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long[long.len() - short.len()..] == *short
}

/// Looks up a nested field.
pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.as_object()?.get(*p)?;
    }
    Some(cur)
}

/// Looks up a nested string field.
pub fn get_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(|v| v.as_str())
}

/// Sets a nested field, creating maps along the way.
pub fn set_path(v: &mut Value, path: &[&str], value: Value) {
    let mut cur = v;
    for (i, p) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Some(map) = cur.as_object_mut() else {
            return;
        };
        if i + 1 == path.len() {
            map.insert((*p).to_string(), value);
            return;
        }
        cur = map
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// An ordered list of objects with unique ids.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    /// The objects, in order.
    pub items: Vec<Resource>,
    /// The transformer configuration accumulated with them.
    pub config: crate::config::TransformerConfig,
}

impl ResMap {
    /// Appends, refusing an id that is already present.
    pub fn append(&mut self, r: Resource) -> Result<()> {
        let key = r.id_key();
        if let Some(existing) = self.items.iter().find(|x| x.id_key() == key) {
            let id = r.cur_id();
            return Err(err(ErrorKind::ConflictingIds(format!(
                "may not add resource with an already registered id: {} (from {} and {})",
                id, existing.origin, r.origin
            ))));
        }
        self.items.push(r);
        Ok(())
    }

    /// Appends every object of another map.
    pub fn append_all(&mut self, other: ResMap) -> Result<()> {
        self.config.merge(&other.config);
        self.extend_checked(other.items)
    }

    /// Appends many objects, refusing ids already present (one index, not a scan each).
    pub fn extend_checked(&mut self, rs: Vec<Resource>) -> Result<()> {
        let owned = |k: (&str, &str, &str, &str)| {
            (
                k.0.to_string(),
                k.1.to_string(),
                k.2.to_string(),
                k.3.to_string(),
            )
        };
        let mut seen: std::collections::HashMap<(String, String, String, String), usize> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, r)| (owned(r.id_key()), i))
            .collect();
        for r in rs {
            let key = owned(r.id_key());
            if let Some(&i) = seen.get(&key) {
                return Err(err(ErrorKind::ConflictingIds(format!(
                    "may not add resource with an already registered id: {} (from {} and {})",
                    r.cur_id(),
                    self.items[i].origin,
                    r.origin
                ))));
            }
            seen.insert(key, self.items.len());
            self.items.push(r);
        }
        Ok(())
    }

    /// Indexes of objects whose current or previous id matches.
    pub fn find_by_any_id(&self, id: &ResId) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, r)| r.all_ids().iter().any(|x| x.same_as(id)))
            .map(|(i, _)| i)
            .collect()
    }

    /// Objects as plain values.
    pub fn into_values(self) -> Vec<Value> {
        self.items.into_iter().map(|r| r.obj).collect()
    }
}
