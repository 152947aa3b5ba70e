//! Field specs: "this path, in objects of this group/version/kind", and the walker
//! that visits the fields they name. Also the built-in tables (our own compact
//! encoding of the fields kustomize's transformers touch).

use crate::error::Result;
use crate::resource::Gvk;
use serde_json::{Map, Value};

/// A path in objects selected by group/version/kind (empty = any).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSpec {
    /// Selector.
    pub gvk: Gvk,
    /// Slash-separated path; `\/` escapes a slash, `[]` marks a list.
    pub path: String,
    /// Create missing fields.
    pub create: bool,
}

impl FieldSpec {
    /// Builds a spec from string parts.
    pub fn new(group: &str, version: &str, kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk {
                group: group.into(),
                version: version.into(),
                kind: kind.into(),
            },
            path: path.into(),
            create,
        }
    }

    /// From a kustomization `fields` entry.
    pub fn from_arg(a: &crate::kustfile::FieldSpecArg) -> FieldSpec {
        FieldSpec::new(&a.group, &a.version, &a.kind, &a.path, a.create)
    }
}

/// Splits a field-spec path into segments (`[]` suffixes removed).
pub fn split_path(path: &str) -> Vec<String> {
    split_path_marked(path)
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

/// Splits a field-spec path; the flag says the segment was marked as a list (`name[]`).
fn split_path_marked(path: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'/') {
            cur.push('/');
            chars.next();
        } else if c == '/' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_suffix("[]") {
            Some(t) => (t.to_string(), true),
            None => (s, false),
        })
        .collect()
}

/// Visits every value at `segments` below `v`, descending into sequences.
/// With `create`, missing maps are created and a missing last field is visited as null.
pub fn visit(
    v: &mut Value,
    segments: &[String],
    create: bool,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    visit_marked(v, segments, create, None, f)
}

/// A path segment: a field name, possibly marked as a list (`name[]`).
trait Segment {
    fn field(&self) -> &str;
    fn is_list(&self) -> bool;
}

impl Segment for String {
    fn field(&self) -> &str {
        self
    }
    fn is_list(&self) -> bool {
        false
    }
}

impl Segment for (String, bool) {
    fn field(&self) -> &str {
        &self.0
    }
    fn is_list(&self) -> bool {
        self.1
    }
}

/// kyaml's complaint when a field spec's path runs into a scalar (not a null) before its end.
fn through_scalar(spec_path: &str) -> crate::error::Error {
    crate::error::err(crate::error::ErrorKind::Invalid(format!(
        "considering field '{spec_path}': expected sequence or mapping node"
    )))
}

/// kyaml's path getter has no wildcard: a `*` that reaches an existing mapping is an error.
fn wildcard(spec_path: Option<&str>) -> crate::error::Error {
    let msg = "fieldName: *: wildcard is not supported in PathGetter";
    crate::error::err(crate::error::ErrorKind::Invalid(match spec_path {
        Some(p) => format!("considering field '{p}': {msg}"),
        None => msg.to_string(),
    }))
}

/// `spec_path`: the field spec being applied, which makes a scalar in the way an error (as
/// in kustomize's transformers); without it the scalar is passed by.
fn visit_marked<S: Segment>(
    v: &mut Value,
    segments: &[S],
    create: bool,
    spec_path: Option<&str>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    if let Value::Array(items) = v {
        for item in items {
            visit_marked(item, segments, create, spec_path, f)?;
        }
        return Ok(());
    }
    let Some((seg, rest)) = segments.split_first() else {
        return f(v);
    };
    let (first, is_list) = (seg.field(), seg.is_list());
    if v.is_null() && create {
        *v = Value::Object(Map::new());
    }
    let Some(map) = v.as_object_mut() else {
        return match spec_path {
            Some(p) if !v.is_null() => Err(through_scalar(p)),
            _ => Ok(()),
        };
    };
    if first == "*" {
        return Err(wildcard(spec_path));
    }
    if let Some(child) = map.get_mut(first) {
        return visit_child(child, rest, is_list, create, spec_path, f);
    }
    // Lists are never created.
    if !create || is_list {
        return Ok(());
    }
    let init = if rest.is_empty() {
        Value::Null
    } else {
        Value::Object(Map::new())
    };
    map.insert(first.to_string(), init);
    let Some(child) = map.get_mut(first) else {
        return Ok(());
    };
    visit_child(child, rest, is_list, create, spec_path, f)
}

/// The rest of [`visit_marked`] once the field `child` exists.
fn visit_child<S: Segment>(
    child: &mut Value,
    rest: &[S],
    is_list: bool,
    create: bool,
    spec_path: Option<&str>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    // A null field marked as a list (`name[]`) becomes an empty list, as in kyaml's
    // field-spec walk (created or not).
    if is_list && child.is_null() {
        *child = Value::Array(Vec::new());
    }
    if rest.is_empty() {
        return f(child);
    }
    if child.is_null() {
        if !create {
            return Ok(());
        }
        *child = Value::Object(Map::new());
    }
    visit_marked(child, rest, create, spec_path, f)
}

/// Applies `f` at every spec of `specs` that selects `gvk`.
pub fn apply_specs(
    obj: &mut Value,
    gvk: &Gvk,
    specs: &[FieldSpec],
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    for fs in specs {
        if !gvk.is_selected_by(&fs.gvk) {
            continue;
        }
        let segs = split_path_marked(&fs.path);
        visit_marked(obj, &segs, fs.create, Some(&fs.path), f)?;
    }
    Ok(())
}

/// Field specs with their paths split once, for applying to many objects.
pub struct SpecSet<'a> {
    specs: Vec<(&'a FieldSpec, Vec<(String, bool)>)>,
}

impl<'a> SpecSet<'a> {
    /// Prepares `specs`.
    pub fn new(specs: &'a [FieldSpec]) -> SpecSet<'a> {
        SpecSet {
            specs: specs
                .iter()
                .map(|fs| (fs, split_path_marked(&fs.path)))
                .collect(),
        }
    }

    /// [`apply_specs`] with the object's own group/version/kind (as it is before `f` runs).
    pub fn apply(
        &self,
        obj: &mut Value,
        f: &mut dyn FnMut(&mut Value) -> Result<()>,
    ) -> Result<()> {
        self.apply_filtered(obj, |_| true, f)
    }

    /// Like [`SpecSet::apply`], for the specs `keep` accepts.
    pub fn apply_filtered(
        &self,
        obj: &mut Value,
        keep: impl Fn(&FieldSpec) -> bool,
        f: &mut dyn FnMut(&mut Value) -> Result<()>,
    ) -> Result<()> {
        // Which specs apply is decided up front, from the gvk before any change.
        let g = crate::resource::gvk_view(obj);
        let applies =
            |(fs, _): &(&FieldSpec, Vec<(String, bool)>)| g.is_selected_by(&fs.gvk) && keep(fs);
        if self.specs.len() <= 128 {
            let mut selected = 0u128;
            for (i, spec) in self.specs.iter().enumerate() {
                if applies(spec) {
                    selected |= 1 << i;
                }
            }
            while selected != 0 {
                let i = selected.trailing_zeros() as usize;
                selected &= selected - 1;
                let (fs, segs) = &self.specs[i];
                visit_marked(obj, segs, fs.create, Some(&fs.path), f)?;
            }
            return Ok(());
        }
        let selected: Vec<usize> = (0..self.specs.len())
            .filter(|&i| applies(&self.specs[i]))
            .collect();
        for i in selected {
            let (fs, segs) = &self.specs[i];
            visit_marked(obj, segs, fs.create, Some(&fs.path), f)?;
        }
        Ok(())
    }
}

impl SpecSet<'_> {
    /// [`SpecSet::apply`] telling `f` the path of each value it visits.
    pub fn apply_with_paths(
        &self,
        obj: &mut Value,
        f: &mut dyn FnMut(&mut Value, &[crate::alias::Seg]) -> Result<()>,
    ) -> Result<()> {
        let g = crate::resource::gvk_view(obj);
        let selected: Vec<usize> = (0..self.specs.len())
            .filter(|&i| g.is_selected_by(&self.specs[i].0.gvk))
            .collect();
        let mut path = Vec::new();
        for i in selected {
            let (fs, segs) = &self.specs[i];
            visit_with_path(obj, segs, fs, &mut path, f)?;
        }
        Ok(())
    }
}

/// [`visit_marked`] keeping the path to the visited value in `path`.
fn visit_with_path(
    v: &mut Value,
    segments: &[(String, bool)],
    spec: &FieldSpec,
    path: &mut Vec<crate::alias::Seg>,
    f: &mut dyn FnMut(&mut Value, &[crate::alias::Seg]) -> Result<()>,
) -> Result<()> {
    use crate::alias::Seg;
    if let Value::Array(items) = v {
        for (i, item) in items.iter_mut().enumerate() {
            path.push(Seg::Index(i));
            let r = visit_with_path(item, segments, spec, path, f);
            path.pop();
            r?;
        }
        return Ok(());
    }
    let Some(((first, is_list), rest)) = segments.split_first() else {
        return f(v, path);
    };
    if v.is_null() && spec.create {
        *v = Value::Object(Map::new());
    }
    let Some(map) = v.as_object_mut() else {
        return match v {
            Value::Null => Ok(()),
            _ => Err(through_scalar(&spec.path)),
        };
    };
    if first == "*" {
        return Err(wildcard(Some(&spec.path)));
    }
    if let Some(child) = map.get_mut(first.as_str()) {
        return visit_child_with_path(child, first, rest, *is_list, spec, path, f);
    }
    // Lists are never created.
    if !spec.create || *is_list {
        return Ok(());
    }
    let init = if rest.is_empty() {
        Value::Null
    } else {
        Value::Object(Map::new())
    };
    let child = map.entry(first.clone()).or_insert(init);
    visit_child_with_path(child, first, rest, *is_list, spec, path, f)
}

/// The rest of [`visit_with_path`] once the field `child` (named `name`) exists.
fn visit_child_with_path(
    child: &mut Value,
    name: &str,
    rest: &[(String, bool)],
    is_list: bool,
    spec: &FieldSpec,
    path: &mut Vec<crate::alias::Seg>,
    f: &mut dyn FnMut(&mut Value, &[crate::alias::Seg]) -> Result<()>,
) -> Result<()> {
    path.push(crate::alias::Seg::Key(name.to_string()));
    if is_list && child.is_null() {
        *child = Value::Array(Vec::new());
    }
    let r = if rest.is_empty() {
        f(child, path)
    } else if child.is_null() && !spec.create {
        Ok(())
    } else {
        if child.is_null() {
            *child = Value::Object(Map::new());
        }
        visit_with_path(child, rest, spec, path, f)
    };
    path.pop();
    r
}

fn fs(group: &str, version: &str, kind: &str, path: &str, create: bool) -> FieldSpec {
    FieldSpec::new(group, version, kind, path, create)
}

/// Where pod templates live, by kind: (group, version, kind, prefix up to `spec` of the pod).
const POD_SPEC_HOLDERS: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "Pod", "spec"),
    ("", "", "PodTemplate", "template/spec"),
    ("", "", "Deployment", "spec/template/spec"),
    ("", "", "ReplicaSet", "spec/template/spec"),
    ("", "", "DaemonSet", "spec/template/spec"),
    ("", "", "StatefulSet", "spec/template/spec"),
    ("", "", "Job", "spec/template/spec"),
    ("", "", "CronJob", "spec/jobTemplate/spec/template/spec"),
];

/// Label locations for `commonLabels`, `labels[].includeSelectors` (selectors included).
pub fn common_labels() -> Vec<FieldSpec> {
    let mut v = metadata_labels();
    v.extend([
        fs("", "v1", "Service", "spec/selector", true),
        fs("", "v1", "ReplicationController", "spec/selector", true),
        fs("", "", "Deployment", "spec/selector/matchLabels", true),
    ]);
    for kind in ["Deployment", "StatefulSet"] {
        for aff in ["podAffinity", "podAntiAffinity"] {
            v.push(fs(
                "apps",
                "",
                kind,
                &format!("spec/template/spec/affinity/{aff}/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels"),
                false,
            ));
            v.push(fs(
                "apps",
                "",
                kind,
                &format!("spec/template/spec/affinity/{aff}/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels"),
                false,
            ));
        }
        v.push(fs(
            "apps",
            "",
            kind,
            "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
            false,
        ));
        if kind == "Deployment" {
            v.extend([
                fs("", "", "ReplicaSet", "spec/selector/matchLabels", true),
                fs("", "", "DaemonSet", "spec/selector/matchLabels", true),
            ]);
        }
    }
    v.push(fs(
        "apps",
        "",
        "StatefulSet",
        "spec/selector/matchLabels",
        true,
    ));
    v.extend([
        fs("batch", "", "Job", "spec/selector/matchLabels", false),
        fs(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        fs(
            "policy",
            "",
            "PodDisruptionBudget",
            "spec/selector/matchLabels",
            false,
        ),
        fs(
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/podSelector/matchLabels",
            false,
        ),
        fs(
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        fs(
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ]);
    v
}

/// `metadata/labels` plus pod template and volume claim template labels.
pub fn metadata_labels() -> Vec<FieldSpec> {
    let mut v = vec![fs("", "", "", "metadata/labels", true)];
    v.extend(template_meta("labels"));
    v.push(fs(
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ));
    v
}

/// Pod-template labels (for `includeTemplates`), i.e. [`metadata_labels`].
pub fn template_labels() -> Vec<FieldSpec> {
    metadata_labels()
}

fn template_meta(field: &str) -> Vec<FieldSpec> {
    vec![
        fs(
            "",
            "v1",
            "ReplicationController",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "",
            "",
            "Deployment",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "",
            "",
            "ReplicaSet",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "",
            "",
            "DaemonSet",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            if field == "labels" { "apps" } else { "" },
            "",
            "StatefulSet",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "batch",
            "",
            "Job",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            &format!("spec/jobTemplate/metadata/{field}"),
            true,
        ),
        fs(
            "batch",
            "",
            "CronJob",
            &format!("spec/jobTemplate/spec/template/metadata/{field}"),
            true,
        ),
    ]
}

/// Annotation locations for `commonAnnotations`.
pub fn common_annotations() -> Vec<FieldSpec> {
    let mut v = vec![fs("", "", "", "metadata/annotations", true)];
    v.extend(template_meta("annotations"));
    v
}

/// Extra namespace locations (beyond metadata/namespace).
pub fn namespace() -> Vec<FieldSpec> {
    vec![
        fs("", "v1", "Namespace", "metadata/name", true),
        fs(
            "apiregistration.k8s.io",
            "",
            "APIService",
            "spec/service/namespace",
            true,
        ),
        fs(
            "apiextensions.k8s.io",
            "",
            "CustomResourceDefinition",
            "spec/conversion/webhook/clientConfig/service/namespace",
            false,
        ),
    ]
}

/// Image locations.
pub fn images() -> Vec<FieldSpec> {
    let mut v = Vec::new();
    for prefix in ["spec", "spec/template/spec"] {
        for p in [
            "containers[]/image",
            "initContainers[]/image",
            "volumes[]/image/reference",
        ] {
            v.push(fs("", "", "", &format!("{prefix}/{p}"), true));
        }
    }
    v
}

/// Replica count locations.
pub fn replicas() -> Vec<FieldSpec> {
    [
        "Deployment",
        "ReplicationController",
        "ReplicaSet",
        "StatefulSet",
    ]
    .iter()
    .map(|k| fs("", "", k, "spec/replicas", true))
    .collect()
}

/// One name-reference rule: objects of `target` are referred to at `referrers`.
#[derive(Clone, Debug)]
pub struct NameRef {
    /// The referred-to kind.
    pub target: Gvk,
    /// Where it is referred to.
    pub referrers: Vec<FieldSpec>,
}

fn pod_refs(suffixes: &[&str]) -> Vec<FieldSpec> {
    let mut v = Vec::new();
    for (g, ver, kind, prefix) in POD_SPEC_HOLDERS {
        for s in suffixes {
            v.push(fs(g, ver, kind, &format!("{prefix}/{s}"), false));
        }
    }
    v
}

fn gvk(group: &str, version: &str, kind: &str) -> Gvk {
    Gvk {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
    }
}

/// The built-in name-reference rules.
pub fn name_references() -> Vec<NameRef> {
    let mut out = Vec::new();
    for kind in [
        "Deployment",
        "ReplicationController",
        "ReplicaSet",
        "StatefulSet",
    ] {
        out.push(NameRef {
            target: gvk("", "", kind),
            referrers: vec![fs(
                "",
                "",
                "HorizontalPodAutoscaler",
                "spec/scaleTargetRef/name",
                false,
            )],
        });
    }
    let mut cm = pod_refs(&[
        "volumes/configMap/name",
        "containers/env/valueFrom/configMapKeyRef/name",
        "initContainers/env/valueFrom/configMapKeyRef/name",
        "containers/envFrom/configMapRef/name",
        "initContainers/envFrom/configMapRef/name",
        "volumes/projected/sources/configMap/name",
    ]);
    cm.extend([
        fs("", "", "Node", "spec/configSource/configMap", false),
        fs("", "", "Role", "rules/resourceNames", false),
        fs("", "", "ClusterRole", "rules/resourceNames", false),
        fs(
            "",
            "",
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
            false,
        ),
    ]);
    out.push(NameRef {
        target: gvk("", "v1", "ConfigMap"),
        referrers: cm,
    });
    let mut sec = pod_refs(&[
        "volumes/secret/secretName",
        "containers/env/valueFrom/secretKeyRef/name",
        "initContainers/env/valueFrom/secretKeyRef/name",
        "containers/envFrom/secretRef/name",
        "initContainers/envFrom/secretRef/name",
        "imagePullSecrets/name",
        "volumes/projected/sources/secret/name",
    ]);
    sec.extend([
        fs("", "", "Ingress", "spec/tls/secretName", false),
        fs(
            "",
            "",
            "Ingress",
            "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
            false,
        ),
        fs(
            "",
            "",
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
            false,
        ),
        fs(
            "",
            "",
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
            false,
        ),
        fs("", "", "ServiceAccount", "imagePullSecrets/name", false),
        fs("", "", "StorageClass", "parameters/secretName", false),
        fs("", "", "StorageClass", "parameters/adminSecretName", false),
        fs("", "", "StorageClass", "parameters/userSecretName", false),
        fs("", "", "StorageClass", "parameters/secretRef", false),
        fs("", "", "Role", "rules/resourceNames", false),
        fs("", "", "ClusterRole", "rules/resourceNames", false),
        fs(
            "serving.knative.dev",
            "v1",
            "Service",
            "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
            false,
        ),
        fs(
            "",
            "",
            "PersistentVolume",
            "spec/azureFile/secretName",
            false,
        ),
    ]);
    out.push(NameRef {
        target: gvk("", "v1", "Secret"),
        referrers: sec,
    });
    out.push(NameRef {
        target: gvk("", "v1", "Service"),
        referrers: vec![
            fs("apps", "", "StatefulSet", "spec/serviceName", false),
            fs(
                "",
                "",
                "Ingress",
                "spec/rules/http/paths/backend/serviceName",
                false,
            ),
            fs("", "", "Ingress", "spec/backend/serviceName", false),
            fs(
                "",
                "",
                "Ingress",
                "spec/rules/http/paths/backend/service/name",
                false,
            ),
            fs("", "", "Ingress", "spec/defaultBackend/service/name", false),
            fs(
                "apiregistration.k8s.io",
                "",
                "APIService",
                "spec/service/name",
                false,
            ),
            fs(
                "admissionregistration.k8s.io",
                "",
                "ValidatingWebhookConfiguration",
                "webhooks/clientConfig/service",
                false,
            ),
            fs(
                "admissionregistration.k8s.io",
                "",
                "MutatingWebhookConfiguration",
                "webhooks/clientConfig/service",
                false,
            ),
        ],
    });
    out.push(NameRef {
        target: gvk("rbac.authorization.k8s.io", "", "Role"),
        referrers: vec![fs(
            "rbac.authorization.k8s.io",
            "",
            "RoleBinding",
            "roleRef/name",
            false,
        )],
    });
    out.push(NameRef {
        target: gvk("rbac.authorization.k8s.io", "", "ClusterRole"),
        referrers: vec![
            fs(
                "rbac.authorization.k8s.io",
                "",
                "RoleBinding",
                "roleRef/name",
                false,
            ),
            fs(
                "rbac.authorization.k8s.io",
                "",
                "ClusterRoleBinding",
                "roleRef/name",
                false,
            ),
        ],
    });
    let sa_holders = [
        "StatefulSet",
        "Deployment",
        "ReplicationController",
        "Job",
        "DaemonSet",
    ];
    let mut sa = vec![
        fs(
            "rbac.authorization.k8s.io",
            "",
            "RoleBinding",
            "subjects",
            false,
        ),
        fs(
            "rbac.authorization.k8s.io",
            "",
            "ClusterRoleBinding",
            "subjects",
            false,
        ),
        fs("", "", "Pod", "spec/serviceAccountName", false),
        fs(
            "",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/spec/serviceAccountName",
            false,
        ),
    ];
    for k in sa_holders {
        sa.push(fs(
            "",
            "",
            k,
            "spec/template/spec/serviceAccountName",
            false,
        ));
    }
    out.push(NameRef {
        target: gvk("", "v1", "ServiceAccount"),
        referrers: sa,
    });
    let mut pvc = vec![
        fs(
            "",
            "",
            "Pod",
            "spec/volumes/persistentVolumeClaim/claimName",
            false,
        ),
        fs(
            "",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName",
            false,
        ),
    ];
    for k in sa_holders {
        pvc.push(fs(
            "",
            "",
            k,
            "spec/template/spec/volumes/persistentVolumeClaim/claimName",
            false,
        ));
    }
    out.push(NameRef {
        target: gvk("", "v1", "PersistentVolumeClaim"),
        referrers: pvc,
    });
    out.push(NameRef {
        target: gvk("", "v1", "PersistentVolume"),
        referrers: vec![
            fs("", "", "PersistentVolumeClaim", "spec/volumeName", false),
            fs("", "", "ClusterRole", "rules/resourceNames", false),
        ],
    });
    out.push(NameRef {
        target: gvk("storage.k8s.io", "v1", "StorageClass"),
        referrers: vec![
            fs("", "", "PersistentVolume", "spec/storageClassName", false),
            fs(
                "",
                "",
                "PersistentVolumeClaim",
                "spec/storageClassName",
                false,
            ),
            fs(
                "",
                "",
                "StatefulSet",
                "spec/volumeClaimTemplates/spec/storageClassName",
                false,
            ),
        ],
    });
    let mut pc = vec![
        fs("", "", "Pod", "spec/priorityClassName", false),
        fs(
            "",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/spec/priorityClassName",
            false,
        ),
    ];
    for k in sa_holders {
        pc.push(fs("", "", k, "spec/template/spec/priorityClassName", false));
    }
    out.push(NameRef {
        target: gvk("scheduling.k8s.io", "v1", "PriorityClass"),
        referrers: pc,
    });
    out.push(NameRef {
        target: gvk("networking.k8s.io/v1", "v1", "IngressClass"),
        referrers: vec![fs("", "", "Ingress", "spec/ingressClassName", false)],
    });
    out.push(NameRef {
        target: gvk(
            "admissionregistration.k8s.io",
            "",
            "ValidatingAdmissionPolicy",
        ),
        referrers: vec![fs(
            "admissionregistration.k8s.io",
            "",
            "ValidatingAdmissionPolicyBinding",
            "spec/policyName",
            false,
        )],
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_null_field_marked_as_a_list_becomes_an_empty_list() {
        let specs = vec![FieldSpec::new("", "", "", "spec/containers[]/image", false)];
        let mut obj = json!({"kind": "Pod", "spec": {"containers": null, "volumes": null}});
        apply_specs(&mut obj, &Gvk::default(), &specs, &mut |_| Ok(())).unwrap();
        assert_eq!(obj["spec"], json!({"containers": [], "volumes": null}));
        let mut obj = json!({"kind": "Pod", "spec": {"containers": null}});
        SpecSet::new(&specs)
            .apply_with_paths(&mut obj, &mut |_, _| Ok(()))
            .unwrap();
        assert_eq!(obj["spec"], json!({"containers": []}));
    }
}
