//! The semantics of writes and reads, independent of HTTP: create, update, delete,
//! with Kubernetes' metadata rules.

use crate::managed;
use crate::registry::{ResKey, ResourceType};
use crate::schema::Schema;
use crate::status::{ApiError, Cause, qualified};
use crate::store::State;
use crate::util;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// How a write was asked for.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub dry_run: bool,
    pub field_manager: String,
    pub subresource: String,
    pub force: bool,
    /// The caller (server-side apply) already computed managedFields.
    pub skip_managed: bool,
}

/// How dependents are treated on delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// What DELETE was asked.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub dry_run: bool,
    pub propagation: Option<Propagation>,
    pub precondition_uid: Option<String>,
    pub precondition_rv: Option<String>,
}

impl DeleteOptions {
    /// From a `DeleteOptions` body (and query values already parsed).
    pub fn merge_body(&mut self, body: &Value) {
        match body.get("propagationPolicy").and_then(Value::as_str) {
            Some("Foreground") => self.propagation = Some(Propagation::Foreground),
            Some("Background") => self.propagation = Some(Propagation::Background),
            Some("Orphan") => self.propagation = Some(Propagation::Orphan),
            _ => {}
        }
        match body.get("orphanDependents").and_then(Value::as_bool) {
            Some(true) => self.propagation = Some(Propagation::Orphan),
            Some(false) if self.propagation.is_none() => {
                self.propagation = Some(Propagation::Background)
            }
            _ => {}
        }
        if let Some(p) = body.get("preconditions") {
            if let Some(u) = p.get("uid").and_then(Value::as_str) {
                self.precondition_uid = Some(u.to_string());
            }
            if let Some(r) = p.get("resourceVersion").and_then(Value::as_str) {
                self.precondition_rv = Some(r.to_string());
            }
        }
        if let Some(d) = body.get("dryRun").and_then(Value::as_array)
            && d.iter().any(|x| x.as_str() == Some("All"))
        {
            self.dry_run = true;
        }
    }
}

/// The schema knowledge used for merges and field ownership of a kind.
pub fn schema_of(rt: &ResourceType, version: &str) -> Schema {
    if rt.crd.is_some() {
        Schema::custom(&rt.group, &rt.kind, rt.schemas.get(version).cloned())
    } else {
        Schema::builtin(&rt.group, &rt.kind)
    }
}

/// The object as served at `version`.
pub fn present(obj: &Value, rt: &ResourceType, version: &str) -> Value {
    let mut o = obj.clone();
    set_type(&mut o, rt, version);
    o
}

fn set_type(o: &mut Value, rt: &ResourceType, version: &str) {
    if let Some(m) = o.as_object_mut() {
        let av = Value::String(rt.api_version(version));
        let kind = Value::String(rt.kind.clone());
        if m.get("apiVersion") != Some(&av) || m.get("kind") != Some(&kind) {
            // Keep apiVersion and kind first, as Kubernetes serializes them.
            let rest: Vec<(String, Value)> = std::mem::take(m)
                .into_iter()
                .filter(|(k, _)| k != "apiVersion" && k != "kind")
                .collect();
            m.insert("apiVersion".into(), av);
            m.insert("kind".into(), kind);
            m.extend(rest);
        }
    }
}

fn body_without_meta_and_status(v: &Value) -> Value {
    let mut o = v.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
        m.remove("apiVersion");
        m.remove("kind");
    }
    o
}

fn tracks_generation(rt: &ResourceType) -> bool {
    rt.generation || rt.crd.is_some()
}

/// Checks the target namespace of a namespaced write.
fn check_namespace(
    state: &State,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    creating: bool,
) -> Result<(), ApiError> {
    if !rt.namespaced {
        return Ok(());
    }
    let nskey = ResKey {
        group: String::new(),
        plural: "namespaces".into(),
    };
    match state.get(&nskey, "", ns) {
        None => Err(ApiError::not_found("namespaces", "", ns)),
        Some(n)
            if creating
                && n.get("metadata")
                    .and_then(|m| m.get("deletionTimestamp"))
                    .is_some() =>
        {
            Err(ApiError::forbidden(
                &rt.plural,
                &rt.group,
                name,
                format!(
                    "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    qualified(&rt.plural, &rt.group)
                ),
            ))
        }
        Some(_) => Ok(()),
    }
}

fn validate_name(rt: &ResourceType, name: &str) -> Result<(), ApiError> {
    let ok = match rt.plural.as_str() {
        "namespaces" => util::is_dns_label(name),
        "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings" => {
            !name.is_empty()
                && name != "."
                && name != ".."
                && !name.contains('/')
                && !name.contains('%')
        }
        _ => util::is_dns_subdomain(name),
    };
    if ok {
        return Ok(());
    }
    let msg = if rt.plural == "namespaces" {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    } else {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    };
    Err(ApiError::invalid_field(
        &rt.kind,
        &rt.group,
        name,
        "FieldValueInvalid",
        "metadata.name",
        &format!("Invalid value: \"{name}\": {msg}"),
    ))
}

fn check_type(body: &Value, rt: &ResourceType, version: &str) -> Result<(), ApiError> {
    if let Some(k) = body.get("kind").and_then(Value::as_str)
        && !k.is_empty()
        && k != rt.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({k}) does not match the expected kind ({})",
            rt.kind
        )));
    }
    if let Some(av) = body.get("apiVersion").and_then(Value::as_str) {
        let (g, _) = av.split_once('/').unwrap_or(("", av));
        if !av.is_empty() && g != rt.group {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({})",
                rt.api_version(version)
            )));
        }
    }
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    }
    Ok(())
}

/// Kind-specific defaults and validation on create (the parts clients observe).
fn prepare_create(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    if rt.status
        && rt.plural != "customresourcedefinitions"
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "namespaces") => {
            let name = util::name_of(obj).to_string();
            let labels = util::meta_mut(obj)
                .entry("labels")
                .or_insert_with(|| json!({}));
            if let Some(l) = labels.as_object_mut() {
                l.insert("kubernetes.io/metadata.name".into(), json!(name));
            }
            let spec = obj
                .as_object_mut()
                .map(|m| m.entry("spec").or_insert_with(|| json!({})));
            if let Some(Value::Object(s)) = spec {
                s.entry("finalizers")
                    .or_insert_with(|| json!(["kubernetes"]));
            }
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "pods") => {
            obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        ("", "services") => {
            if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
                let ty = spec
                    .entry("type")
                    .or_insert_with(|| json!("ClusterIP"))
                    .as_str()
                    .unwrap_or("ClusterIP")
                    .to_string();
                if ty != "ExternalName" && spec.get("clusterIP").is_none() {
                    let ip = format!("10.96.{}.{}", fastrand_byte(), fastrand_byte().max(2));
                    spec.insert("clusterIP".into(), json!(ip));
                    spec.insert("clusterIPs".into(), json!([ip]));
                }
                spec.entry("sessionAffinity")
                    .or_insert_with(|| json!("None"));
                if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        if let Some(p) = p.as_object_mut() {
                            p.entry("protocol").or_insert_with(|| json!("TCP"));
                            if let Some(port) = p.get("port").cloned() {
                                p.entry("targetPort").or_insert(port);
                            }
                        }
                    }
                }
            }
            obj["status"] = json!({"loadBalancer": {}});
        }
        ("", "secrets") => {
            if let Some(m) = obj.as_object_mut() {
                m.entry("type").or_insert_with(|| json!("Opaque"));
                if let Some(sd) = m.remove("stringData") {
                    use base64::Engine;
                    let data = m.entry("data").or_insert_with(|| json!({}));
                    if let (Some(d), Some(sd)) = (data.as_object_mut(), sd.as_object()) {
                        for (k, v) in sd {
                            let text = v.as_str().unwrap_or_default();
                            d.insert(
                                k.clone(),
                                json!(base64::engine::general_purpose::STANDARD.encode(text)),
                            );
                        }
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn fastrand_byte() -> u8 {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 1];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    b[0]
}

/// Defaults Kubernetes sets on every write that clients rely on.
pub fn apply_defaults(rt: &ResourceType, obj: &mut Value) {
    if rt.group == "apps"
        && matches!(
            rt.plural.as_str(),
            "deployments" | "statefulsets" | "replicasets"
        )
        && let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.entry("replicas").or_insert(json!(1));
    }
}

/// Fields a kind forbids changing after create.
fn check_immutable(rt: &ResourceType, old: &Value, new: &Value) -> Result<(), ApiError> {
    let name = util::name_of(old);
    let immutable_data = matches!(rt.plural.as_str(), "configmaps" | "secrets")
        && old.get("immutable") == Some(&Value::Bool(true));
    if immutable_data
        && (old.get("data") != new.get("data") || old.get("binaryData") != new.get("binaryData"))
    {
        return Err(ApiError::invalid_field(
            &rt.kind,
            &rt.group,
            name,
            "FieldValueForbidden",
            "data",
            "Forbidden: field is immutable when `immutable` is set",
        ));
    }
    if rt.group == "apps"
        && matches!(
            rt.plural.as_str(),
            "deployments" | "statefulsets" | "daemonsets" | "replicasets"
        )
    {
        let a = old.get("spec").and_then(|s| s.get("selector"));
        let b = new.get("spec").and_then(|s| s.get("selector"));
        if a.is_some() && a != b {
            return Err(ApiError::invalid_field(
                &rt.kind,
                &rt.group,
                name,
                "FieldValueInvalid",
                "spec.selector",
                &format!(
                    "Invalid value: {}: field is immutable",
                    b.cloned().unwrap_or(Value::Null)
                ),
            ));
        }
    }
    if rt.plural == "jobs" && rt.group == "batch" {
        let a = old.get("spec").and_then(|s| s.get("template"));
        let b = new.get("spec").and_then(|s| s.get("template"));
        if a != b {
            return Err(ApiError::invalid_field(
                &rt.kind,
                &rt.group,
                name,
                "FieldValueInvalid",
                "spec.template",
                "Invalid value: field is immutable",
            ));
        }
    }
    Ok(())
}

/// Creates an object. `ns` is the namespace of the URL ("" for cluster-scoped).
pub fn create(
    state: &mut State,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: &str,
    mut body: Value,
    opts: &WriteOptions,
) -> Result<Value, ApiError> {
    check_type(&body, rt, version)?;
    set_type(&mut body, rt, version);
    {
        let meta = util::meta_mut(&mut body);
        if rt.namespaced {
            match meta.get("namespace").and_then(Value::as_str) {
                Some(bns) if !bns.is_empty() && bns != ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => {
                    meta.insert("namespace".into(), json!(ns));
                }
            }
        } else {
            meta.remove("namespace");
        }
        let has_name = meta
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        if !has_name {
            match meta.get("generateName").and_then(Value::as_str) {
                Some(g) if !g.is_empty() => {
                    let n = format!("{g}{}", util::random_suffix(5));
                    meta.insert("name".into(), json!(n));
                }
                _ => {
                    return Err(ApiError::invalid(
                        &rt.kind,
                        &rt.group,
                        "",
                        vec![Cause {
                            reason: "FieldValueRequired".into(),
                            message: "Required value: name or generateName is required".into(),
                            field: "metadata.name".into(),
                        }],
                    ));
                }
            }
        }
        for f in [
            "uid",
            "resourceVersion",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "selfLink",
        ] {
            meta.remove(f);
        }
    }
    let name = util::name_of(&body).to_string();
    validate_name(rt, &name)?;
    check_namespace(state, rt, ns, &name, true)?;
    if state.get(&rt.key(), ns, &name).is_some() {
        return Err(ApiError::already_exists(&rt.plural, &rt.group, &name));
    }
    prepare_create(rt, &mut body)?;
    apply_defaults(rt, &mut body);
    crate::hooks::validate(state, rt, &body)?;
    let now = util::now();
    {
        let meta = util::meta_mut(&mut body);
        meta.insert("uid".into(), json!(util::uuid()));
        meta.insert("creationTimestamp".into(), json!(now));
        if tracks_generation(rt) {
            meta.insert("generation".into(), json!(1));
        } else {
            meta.remove("generation");
        }
        if !opts.skip_managed {
            meta.remove("managedFields");
        }
    }
    if !opts.field_manager.is_empty() && !opts.skip_managed {
        managed::record_update(
            None,
            &mut body,
            &opts.field_manager,
            &rt.api_version(version),
            "",
            rt.status,
            &schema_of(rt, version),
            &now,
        );
    }
    reorder_metadata(&mut body);
    if opts.dry_run {
        return Ok(body);
    }
    let stored = state.insert(&rt.key(), body);
    crate::hooks::after_write(state, rt, None, &stored);
    Ok(present(&stored, rt, version))
}

/// Orders metadata fields as Kubernetes serializes them.
fn reorder_metadata(obj: &mut Value) {
    const ORDER: &[&str] = &[
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ];
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let mut old = std::mem::take(meta);
    for k in ORDER {
        if let Some(v) = old.remove(*k) {
            meta.insert((*k).to_string(), v);
        }
    }
    meta.extend(old);
}

/// Replaces an object (PUT), or writes its status (`opts.subresource == "status"`).
/// `new` is the full object as the client wants it.
pub fn update(
    state: &mut State,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: &str,
    name: &str,
    mut new: Value,
    opts: &WriteOptions,
) -> Result<Value, ApiError> {
    check_type(&new, rt, version)?;
    set_type(&mut new, rt, version);
    let key = rt.key();
    let Some(old) = state.get(&key, ns, name).cloned() else {
        return Err(ApiError::not_found(&rt.plural, &rt.group, name));
    };
    let body_name = util::name_of(&new);
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    if rt.namespaced {
        let bns = util::namespace_of(&new);
        if !bns.is_empty() && bns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
    }
    if let Some(rv) = util::meta_str(&new, "resourceVersion")
        && !rv.is_empty()
        && Some(rv) != util::meta_str(&old, "resourceVersion")
    {
        return Err(ApiError::stale(&rt.plural, &rt.group, name));
    }
    // What each endpoint may change.
    if opts.subresource == "status" {
        let status = new.get("status").cloned();
        let mut merged = (*old).clone();
        match status {
            Some(s) => merged["status"] = s,
            None => {
                if let Some(m) = merged.as_object_mut() {
                    m.remove("status");
                }
            }
        }
        new = merged;
    } else if opts.subresource == "scale" {
        let replicas = new.get("spec").and_then(|s| s.get("replicas")).cloned();
        let mut merged = (*old).clone();
        if let Some(r) = replicas {
            merged["spec"]["replicas"] = r;
        }
        new = merged;
    } else {
        if rt.status {
            match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        }
        // Server-owned metadata stays.
        let old_meta = old
            .get("metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let meta = util::meta_mut(&mut new);
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "name",
            "namespace",
            "generateName",
        ] {
            match old_meta.get(f) {
                Some(v) => {
                    meta.insert(f.into(), v.clone());
                }
                None => {
                    meta.remove(f);
                }
            }
        }
        if !opts.skip_managed {
            match old_meta.get("managedFields") {
                Some(mf) => {
                    meta.insert("managedFields".into(), mf.clone());
                }
                None => {
                    meta.remove("managedFields");
                }
            }
        }
        if old_meta.contains_key("deletionTimestamp") {
            // Finalizers may only shrink once deletion started... Kubernetes allows adding
            // finalizers back only while deletion has not completed; keep it permissive.
        }
    }
    apply_defaults(rt, &mut new);
    check_immutable(rt, &old, &new)?;
    crate::hooks::validate(state, rt, &new)?;
    if tracks_generation(rt)
        && opts.subresource != "status"
        && body_without_meta_and_status(&old) != body_without_meta_and_status(&new)
    {
        let g = old
            .get("metadata")
            .and_then(|m| m.get("generation"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        util::meta_mut(&mut new).insert("generation".into(), json!(g + 1));
    }
    let now = util::now();
    if !opts.field_manager.is_empty() && !opts.skip_managed {
        managed::record_update(
            Some(&old),
            &mut new,
            &opts.field_manager,
            &rt.api_version(version),
            &opts.subresource,
            rt.status,
            &schema_of(rt, version),
            &now,
        );
    }
    finish_update(state, rt, version, &old, new, opts.dry_run)
}

/// Stores an updated object unless nothing changed; deletes it when its last finalizer went
/// away during deletion.
pub fn finish_update(
    state: &mut State,
    rt: &Arc<ResourceType>,
    version: &str,
    old: &Arc<Value>,
    mut new: Value,
    dry_run: bool,
) -> Result<Value, ApiError> {
    util::meta_mut(&mut new).insert(
        "resourceVersion".into(),
        old.get("metadata")
            .and_then(|m| m.get("resourceVersion"))
            .cloned()
            .unwrap_or(Value::Null),
    );
    reorder_metadata(&mut new);
    if new == **old {
        return Ok(present(old, rt, version));
    }
    if dry_run {
        return Ok(present(&new, rt, version));
    }
    let deleting = old
        .get("metadata")
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some();
    if deleting && util::finalizers_of(&new).is_empty() {
        let ns = util::namespace_of(old).to_string();
        let name = util::name_of(old).to_string();
        state.replace(&rt.key(), new);
        let last = state
            .remove(&rt.key(), &ns, &name)
            .ok_or_else(|| ApiError::internal("object vanished during update"))?;
        crate::hooks::after_remove(state, rt, &last);
        return Ok(present(&last, rt, version));
    }
    let stored = state.replace(&rt.key(), new);
    crate::hooks::after_write(state, rt, Some(old), &stored);
    Ok(present(&stored, rt, version))
}

/// What a DELETE answered: the object (still there, or gone) and whether it is gone.
pub struct Deleted {
    pub object: Value,
    pub gone: bool,
}

/// Deletes one object (or marks it for deletion when finalizers remain).
pub fn delete(
    state: &mut State,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> Result<Deleted, ApiError> {
    let key = rt.key();
    let Some(old) = state.get(&key, ns, name).cloned() else {
        return Err(ApiError::not_found(&rt.plural, &rt.group, name));
    };
    if let Some(uid) = &opts.precondition_uid {
        let actual = util::meta_str(&old, "uid").unwrap_or("");
        if uid != actual {
            return Err(ApiError::conflict(
                &rt.plural,
                &rt.group,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"
                ),
            ));
        }
    }
    if let Some(rv) = &opts.precondition_rv {
        let actual = util::meta_str(&old, "resourceVersion").unwrap_or("");
        if rv != actual {
            return Err(ApiError::conflict(
                &rt.plural,
                &rt.group,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual}"
                ),
            ));
        }
    }
    let mut finalizers = util::finalizers_of(&old);
    let extra = match opts.propagation {
        Some(Propagation::Foreground) => Some("foregroundDeletion"),
        Some(Propagation::Orphan) => Some("orphan"),
        _ => None,
    };
    if let Some(f) = extra
        && !finalizers.iter().any(|x| x == f)
    {
        finalizers.push(f.to_string());
    }
    let is_namespace = rt.group.is_empty() && rt.plural == "namespaces";
    let ns_finalizers = is_namespace
        && old
            .get("spec")
            .and_then(|s| s.get("finalizers"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
    if finalizers.is_empty() && !ns_finalizers {
        if opts.dry_run {
            return Ok(Deleted {
                object: present(&old, rt, version),
                gone: true,
            });
        }
        let last = state
            .remove(&key, ns, name)
            .ok_or_else(|| ApiError::internal("object vanished during delete"))?;
        crate::hooks::after_remove(state, rt, &last);
        return Ok(Deleted {
            object: present(&last, rt, version),
            gone: true,
        });
    }
    // Deletion is pending: mark it.
    let mut new = (*old).clone();
    {
        let meta = util::meta_mut(&mut new);
        if !meta.contains_key("deletionTimestamp") {
            meta.insert("deletionTimestamp".into(), json!(util::now()));
            meta.insert("deletionGracePeriodSeconds".into(), json!(0));
        }
        if !finalizers.is_empty() {
            meta.insert("finalizers".into(), json!(finalizers));
        }
    }
    if is_namespace {
        new["status"] = json!({"phase": "Terminating"});
    }
    reorder_metadata(&mut new);
    if opts.dry_run {
        return Ok(Deleted {
            object: present(&new, rt, version),
            gone: false,
        });
    }
    if new == *old {
        return Ok(Deleted {
            object: present(&old, rt, version),
            gone: false,
        });
    }
    let stored = state.replace(&key, new);
    state.gc_pending = true;
    Ok(Deleted {
        object: present(&stored, rt, version),
        gone: false,
    })
}

/// Removes `finalizer` from a stored object (deleting it when it was the last one during deletion).
pub fn remove_finalizer(
    state: &mut State,
    rt: &Arc<ResourceType>,
    ns: &str,
    name: &str,
    finalizer: &str,
) {
    let Some(old) = state.get(&rt.key(), ns, name).cloned() else {
        return;
    };
    let fins = util::finalizers_of(&old);
    if !fins.iter().any(|f| f == finalizer) {
        return;
    }
    let rest: Vec<String> = fins.into_iter().filter(|f| f != finalizer).collect();
    let mut new = (*old).clone();
    let meta = util::meta_mut(&mut new);
    if rest.is_empty() {
        meta.remove("finalizers");
    } else {
        meta.insert("finalizers".into(), json!(rest));
    }
    let v = rt.preferred().to_string();
    let _ = finish_update(state, rt, &v, &old, new, false);
}

/// Sets a whole new object value without any of the request rules (controllers' writes).
pub fn controller_write(state: &mut State, rt: &Arc<ResourceType>, old: &Arc<Value>, new: Value) {
    let v = rt.preferred().to_string();
    let _ = finish_update(state, rt, &v, old, new, false);
}

/// A `List` of objects, as `list` returns them.
pub fn list_object(
    rt: &ResourceType,
    version: &str,
    items: Vec<Value>,
    rv: u64,
    cont: Option<String>,
    remaining: Option<usize>,
) -> Value {
    let mut meta = Map::new();
    meta.insert("resourceVersion".into(), json!(rv.to_string()));
    if let Some(c) = cont {
        meta.insert("continue".into(), json!(c));
    }
    if let Some(r) = remaining {
        meta.insert("remainingItemCount".into(), json!(r));
    }
    json!({
        "kind": format!("{}List", rt.kind),
        "apiVersion": rt.api_version(version),
        "metadata": Value::Object(meta),
        "items": items,
    })
}
