//! HTTP front: authentication, impersonation, authorization, routing of Kubernetes paths.

use crate::api::{self, DeleteOptions, Propagation, WriteOptions};
use crate::discovery;
use crate::patch::{self, PatchType};
use crate::rbac::{self, Attributes, User};
use crate::registry::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::{ApiError, success_status};
use crate::store::State;
use crate::util;
use crate::{Cluster, watch};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State as AxState};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

/// The router: every path goes through `dispatch`.
pub fn router(cluster: Arc<Cluster>) -> axum::Router {
    axum::Router::new()
        .fallback(dispatch)
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(cluster)
}

/// A JSON response.
pub fn json_response(code: u16, v: &Value) -> Response {
    json_response_ct(code, v, "application/json")
}

fn json_response_ct(code: u16, v: &Value, ct: &str) -> Response {
    Response::builder()
        .status(code)
        .header("content-type", ct)
        .body(Body::from(serde_json::to_vec(v).unwrap_or_default()))
        .unwrap_or_default()
}

/// A failure as a `Status` body.
pub fn error_response(e: &ApiError) -> Response {
    let mut r = json_response(e.code, &e.to_status());
    if let Some(s) = e.details.retry_after
        && let Ok(v) = s.to_string().parse()
    {
        r.headers_mut().insert("retry-after", v);
    }
    r
}

fn lock(cluster: &Cluster) -> MutexGuard<'_, State> {
    match cluster.state.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    }
}

struct Query(HashMap<String, String>);

impl Query {
    fn parse(q: Option<&str>) -> Self {
        let mut m = HashMap::new();
        if let Some(q) = q {
            let pairs: Vec<(String, String)> = serde_urlencoded_pairs(q);
            for (k, v) in pairs {
                m.entry(k).or_insert(v);
            }
        }
        Query(m)
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("1" | "true" | "True"))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let h = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serde_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Authenticates the bearer token and applies impersonation headers.
fn authenticate(cluster: &Cluster, headers: &HeaderMap, state: &State) -> Result<User, ApiError> {
    let auth = header(headers, "authorization");
    let token = auth.strip_prefix("Bearer ").map(str::trim);
    let mut user = match token {
        Some(t) if t == cluster.token => {
            User::with_implicit_groups("minicluster-admin", vec!["system:masters".into()])
        }
        _ => return Err(ApiError::unauthorized()),
    };
    let imp_user = header(headers, "impersonate-user");
    let imp_groups: Vec<String> = headers
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    if !imp_user.is_empty() {
        let check = |resource: &str, name: &str, ns: &str| -> Result<(), ApiError> {
            let a = Attributes {
                verb: "impersonate".into(),
                group: String::new(),
                resource: resource.into(),
                name: name.into(),
                namespace: ns.into(),
                ..Default::default()
            };
            let (ok, _) = rbac::authorize(state, &user, &a);
            if ok {
                Ok(())
            } else {
                Err(ApiError::forbidden(
                    resource,
                    "",
                    name,
                    a.forbidden_message(&user.name),
                ))
            }
        };
        if let Some(rest) = imp_user.strip_prefix("system:serviceaccount:")
            && let Some((ns, sa)) = rest.split_once(':')
        {
            check("serviceaccounts", sa, ns)?;
        } else {
            check("users", imp_user, "")?;
        }
        for g in &imp_groups {
            check("groups", g, "")?;
        }
        user = User::with_implicit_groups(imp_user, imp_groups);
    } else if !imp_groups.is_empty() {
        return Err(ApiError::internal(format!(
            "requested {imp_groups:?} without impersonating a user"
        )));
    }
    Ok(user)
}

fn authorize(state: &State, user: &User, a: &Attributes) -> Result<(), ApiError> {
    let (ok, _) = rbac::authorize(state, user, a);
    if ok {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            &a.resource,
            &a.group,
            &a.name,
            a.forbidden_message(&user.name),
        ))
    }
}

/// The one handler.
async fn dispatch(
    AxState(cluster): AxState<Arc<Cluster>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = Query::parse(uri.query());
    tracing::debug!(%method, %uri, accept = header(&headers, "accept"), "request");
    let resp = match handle(&cluster, &method, &path, &query, &headers, body).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    };
    if cluster.log_requests {
        eprintln!(
            "minicluster: {method} {uri} accept={:?} ct={:?} -> {}",
            header(&headers, "accept"),
            header(&headers, "content-type"),
            resp.status()
        );
    }
    resp
}

fn public_path(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/livez" | "/version" | "/version/"
    )
}

async fn handle(
    cluster: &Arc<Cluster>,
    method: &Method,
    path: &str,
    query: &Query,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let accept = header(headers, "accept").to_string();
    let user = {
        let state = lock(cluster);
        match authenticate(cluster, headers, &state) {
            Ok(u) => u,
            Err(e) if public_path(path) && e.code == 401 => User::with_implicit_groups(
                "system:anonymous",
                vec!["system:unauthenticated".into()],
            ),
            Err(e) => return Err(e),
        }
    };
    let is_resource = matches!(segs.as_slice(), ["api", _, _, ..] | ["apis", _, _, _, ..]);
    if !is_resource {
        if !public_path(path) {
            let state = lock(cluster);
            let verb = method.as_str().to_lowercase();
            authorize(
                &state,
                &user,
                &Attributes {
                    verb,
                    path: Some(path.to_string()),
                    ..Default::default()
                },
            )?;
        }
        return non_resource(cluster, method, &segs, &accept);
    }
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => (String::new(), v.to_string(), rest.to_vec()),
        ["apis", g, v, rest @ ..] => (g.to_string(), v.to_string(), rest.to_vec()),
        _ => return Err(ApiError::not_found_path()),
    };
    let mut rest = rest;
    let mut watch_path = false;
    if rest.first() == Some(&"watch") {
        watch_path = true;
        rest.remove(0);
    }
    let (ns, plural, name, sub) = if rest.first() == Some(&"namespaces")
        && rest.len() >= 3
        && !(group.is_empty() && rest.len() == 3 && matches!(rest[2], "status" | "finalize"))
    {
        (
            Some(rest[1].to_string()),
            rest[2].to_string(),
            rest.get(3).map(|s| s.to_string()),
            rest.get(4).map(|s| s.to_string()),
        )
    } else if let Some(p) = rest.first() {
        (
            None,
            p.to_string(),
            rest.get(1).map(|s| s.to_string()),
            rest.get(2).map(|s| s.to_string()),
        )
    } else {
        return Err(ApiError::not_found_path());
    };
    let rt = {
        let state = lock(cluster);
        state.registry.lookup(&group, &version, &plural)
    };
    let Some(rt) = rt else {
        return Err(ApiError::not_found_path());
    };
    if !rt.namespaced && ns.is_some() {
        return Err(ApiError::not_found_path());
    }
    let sub = sub.unwrap_or_default();
    if !sub.is_empty() {
        let known = (sub == "status" && rt.status)
            || (sub == "scale" && rt.scale)
            || rt.extra_subresources.contains(&sub);
        if !known {
            return Err(ApiError::not_found_path());
        }
    }
    let watching = watch_path || query.flag("watch");
    let verb = match (method.as_str(), name.is_some()) {
        ("GET", _) if watching => "watch",
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => {
            return Err(ApiError::method_not_supported(
                &rt.plural,
                &rt.group,
                method.as_str(),
            ));
        }
    };
    if sub.is_empty() && !rt.has_verb(verb) && !(rt.is_virtual() && verb == "create") {
        return Err(ApiError::method_not_supported(&rt.plural, &rt.group, verb));
    }
    let ns_str = ns.clone().unwrap_or_default();
    let name_str = name.clone().unwrap_or_default();
    // Authorization.
    {
        let state = lock(cluster);
        let attrs = Attributes {
            verb: verb.to_string(),
            group: rt.group.clone(),
            resource: rt.plural.clone(),
            subresource: sub.clone(),
            name: name_str.clone(),
            namespace: ns_str.clone(),
            path: None,
        };
        authorize(&state, &user, &attrs)?;
    }
    if rt.is_virtual() {
        return review(
            cluster,
            &rt,
            &version,
            &ns_str,
            &user,
            &body,
            header(headers, "content-type"),
        );
    }
    if rt.namespaced && ns.is_none() && !matches!(verb, "list" | "watch" | "deletecollection") {
        return Err(ApiError::not_found_path());
    }
    let table = crate::table::wants_table(&accept);
    let dry_run = query.get("dryRun") == Some("All");
    let field_manager = query
        .get("fieldManager")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let ua = header(headers, "user-agent");
            ua.split('/').next().unwrap_or("").to_string()
        });
    let wopts = WriteOptions {
        dry_run,
        field_manager: field_manager.clone(),
        subresource: sub.clone(),
        force: query.flag("force"),
        skip_managed: false,
    };
    match verb {
        "get" => get(cluster, &rt, &version, &ns_str, &name_str, &sub, table),
        "list" => list(cluster, &rt, &version, ns.as_deref(), query, table),
        "watch" => {
            let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or(""))
                .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
            let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or(""), &rt.kind)
                .map_err(|e| ApiError::bad_request(e.0))?;
            let timeout = query
                .get("timeoutSeconds")
                .and_then(|t| t.parse::<u64>().ok())
                .unwrap_or(1800);
            Ok(watch::watch(
                cluster,
                watch::WatchRequest {
                    rt: rt.clone(),
                    version: version.clone(),
                    namespace: ns.clone(),
                    name: name.clone(),
                    labels,
                    fields,
                    resource_version: query.get("resourceVersion").map(str::to_string),
                    bookmarks: query.flag("allowWatchBookmarks"),
                    send_initial_events: query.flag("sendInitialEvents"),
                    timeout: Duration::from_secs(timeout),
                    table,
                },
            ))
        }
        "create" => {
            if rt.plural == "pods" && sub == "eviction" {
                let mut state = lock(cluster);
                api::delete(
                    &mut state,
                    &rt,
                    &version,
                    &ns_str,
                    &name_str,
                    &DeleteOptions::default(),
                )?;
                crate::gc::collect(&mut state);
                return Ok(json_response(
                    201,
                    &json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}),
                ));
            }
            if !sub.is_empty() {
                return Err(ApiError::method_not_supported(
                    &rt.plural, &rt.group, "create",
                ));
            }
            let obj = parse_body(&body, header(headers, "content-type"))?;
            let mut state = lock(cluster);
            let out = api::create(&mut state, &rt, &version, &ns_str, obj, &wopts)?;
            crate::gc::collect(&mut state);
            Ok(json_response(201, &out))
        }
        "update" => {
            let obj = parse_body(&body, header(headers, "content-type"))?;
            let mut state = lock(cluster);
            let out = if sub == "scale" {
                let replicas = obj
                    .get("spec")
                    .and_then(|s| s.get("replicas"))
                    .cloned()
                    .unwrap_or(json!(0));
                let cur = state
                    .get(&rt.key(), &ns_str, &name_str)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found(&rt.plural, &rt.group, &name_str))?;
                let mut new = (*cur).clone();
                new["spec"]["replicas"] = replicas;
                let wo = WriteOptions {
                    subresource: String::new(),
                    ..wopts.clone()
                };
                let o = api::update(&mut state, &rt, &version, &ns_str, &name_str, new, &wo)?;
                scale_of(&o)
            } else if sub == "finalize" && rt.plural == "namespaces" {
                let cur = state
                    .get(&rt.key(), "", &name_str)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found(&rt.plural, &rt.group, &name_str))?;
                let mut new = (*cur).clone();
                new["spec"]["finalizers"] = obj
                    .get("spec")
                    .and_then(|s| s.get("finalizers"))
                    .cloned()
                    .unwrap_or(json!([]));
                let wo = WriteOptions {
                    subresource: String::new(),
                    ..wopts.clone()
                };
                api::update(&mut state, &rt, &version, "", &name_str, new, &wo)?
            } else {
                api::update(&mut state, &rt, &version, &ns_str, &name_str, obj, &wopts)?
            };
            crate::gc::collect(&mut state);
            Ok(json_response(200, &out))
        }
        "patch" => {
            let ct = header(headers, "content-type").to_string();
            let out = do_patch(
                cluster, &rt, &version, &ns_str, &name_str, &ct, &body, wopts,
            )?;
            Ok(json_response(if out.1 { 201 } else { 200 }, &out.0))
        }
        "delete" => {
            let mut dopts = delete_options(query, &body, header(headers, "content-type"))?;
            dopts.dry_run |= dry_run;
            let mut state = lock(cluster);
            let d = api::delete(&mut state, &rt, &version, &ns_str, &name_str, &dopts)?;
            crate::gc::collect(&mut state);
            if d.gone && rt.crd.is_none() && rt.plural != "pods" {
                let uid = util::meta_str(&d.object, "uid").unwrap_or("");
                Ok(json_response(
                    200,
                    &success_status(&name_str, &rt.group, &rt.plural, uid),
                ))
            } else {
                Ok(json_response(200, &d.object))
            }
        }
        "deletecollection" => {
            let mut dopts = delete_options(query, &body, header(headers, "content-type"))?;
            dopts.dry_run |= dry_run;
            let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or(""))
                .map_err(|e| ApiError::bad_request(e.0))?;
            let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or(""), &rt.kind)
                .map_err(|e| ApiError::bad_request(e.0))?;
            let mut state = lock(cluster);
            let targets: Vec<(String, String, Value)> = state
                .list(&rt.key(), ns.as_deref())
                .filter(|(_, o)| labels.matches(&util::labels_of(o)) && fields.matches(o))
                .map(|((n, m), o)| (n.clone(), m.clone(), (**o).clone()))
                .collect();
            let mut items = Vec::new();
            for (n, m, _) in targets {
                if let Ok(d) = api::delete(&mut state, &rt, &version, &n, &m, &dopts) {
                    items.push(d.object);
                }
            }
            crate::gc::collect(&mut state);
            let rv = state.resource_version();
            Ok(json_response(
                200,
                &api::list_object(&rt, &version, items, rv, None, None),
            ))
        }
        _ => Err(ApiError::not_found_path()),
    }
}

fn delete_options(
    query: &Query,
    body: &Bytes,
    content_type: &str,
) -> Result<DeleteOptions, ApiError> {
    let mut d = DeleteOptions::default();
    match query.get("propagationPolicy") {
        Some("Foreground") => d.propagation = Some(Propagation::Foreground),
        Some("Background") => d.propagation = Some(Propagation::Background),
        Some("Orphan") => d.propagation = Some(Propagation::Orphan),
        _ => {}
    }
    if query.get("orphanDependents") == Some("true") {
        d.propagation = Some(Propagation::Orphan);
    }
    if !body.is_empty() {
        let v = parse_body(body, content_type)?;
        d.merge_body(&v);
    }
    Ok(d)
}

/// Decodes a request body: JSON, or YAML.
pub fn parse_body(body: &[u8], content_type: &str) -> Result<Value, ApiError> {
    if content_type.contains("protobuf") {
        return crate::protobuf::decode(body);
    }
    if content_type.contains("cbor") {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml; got {content_type:?}"
            ),
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => Ok(v),
        Err(je) => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("the body is neither JSON nor UTF-8 YAML"))?;
            serde_saphyr::from_str::<Value>(text).map_err(|ye| {
                ApiError::bad_request(format!("error decoding request body: {je}; as YAML: {ye}"))
            })
        }
    }
}

fn scale_of(obj: &Value) -> Value {
    let meta = obj.get("metadata").cloned().unwrap_or(json!({}));
    let replicas = obj.pointer("/spec/replicas").cloned().unwrap_or(json!(1));
    let status_replicas = obj.pointer("/status/replicas").cloned().unwrap_or(json!(0));
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{
        "name": meta.get("name"), "namespace": meta.get("namespace"), "uid": meta.get("uid"),
        "resourceVersion": meta.get("resourceVersion"), "creationTimestamp": meta.get("creationTimestamp")},
        "spec":{"replicas":replicas},"status":{"replicas":status_replicas,"selector":selector}})
}

fn get(
    cluster: &Arc<Cluster>,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: &str,
    name: &str,
    sub: &str,
    table: bool,
) -> Result<Response, ApiError> {
    let state = lock(cluster);
    let obj = state
        .get(&rt.key(), ns, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&rt.plural, &rt.group, name))?;
    let rv = state.resource_version();
    drop(state);
    match sub {
        "scale" => return Ok(json_response(200, &scale_of(&obj))),
        "log" => {
            return Ok(Response::builder()
                .status(200)
                .header("content-type", "text/plain")
                .body(Body::empty())
                .unwrap_or_default());
        }
        _ => {}
    }
    let o = api::present(&obj, rt, version);
    if table {
        return Ok(json_response(
            200,
            &crate::table::table(rt, version, &[o], rv, None, true),
        ));
    }
    Ok(json_response(200, &o))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ContinueToken {
    rv: u64,
    ns: String,
    name: String,
}

fn list(
    cluster: &Arc<Cluster>,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: Option<&str>,
    query: &Query,
    table: bool,
) -> Result<Response, ApiError> {
    let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or(""))
        .map_err(|e| ApiError::bad_request(e.0))?;
    let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or(""), &rt.kind)
        .map_err(|e| ApiError::bad_request(e.0))?;
    let limit: usize = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let cont = match query.get("continue").filter(|c| !c.is_empty()) {
        Some(c) => {
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c.trim_end_matches('='))
                .map_err(|_| {
                    ApiError::bad_request("continue key is not valid: illegal base64 data")
                })?;
            Some(
                serde_json::from_slice::<ContinueToken>(&raw)
                    .map_err(|_| ApiError::bad_request("continue key is not valid"))?,
            )
        }
        None => None,
    };
    let state = lock(cluster);
    if let Some(c) = &cont
        && c.rv < state.oldest_watchable()
    {
        let mut e = ApiError::expired(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
        e.reason = "Expired".into();
        return Err(e);
    }
    let rv = cont
        .as_ref()
        .map(|c| c.rv)
        .unwrap_or(state.resource_version());
    let mut items = Vec::new();
    let mut next = None;
    let mut remaining = 0usize;
    for ((ons, oname), obj) in state.list(&rt.key(), ns) {
        if let Some(c) = &cont
            && (ons.as_str(), oname.as_str()) <= (c.ns.as_str(), c.name.as_str())
        {
            continue;
        }
        if !labels.matches(&util::labels_of(obj)) || !fields.matches(obj) {
            continue;
        }
        if limit > 0 && items.len() >= limit {
            remaining += 1;
            continue;
        }
        if limit > 0 && items.len() + 1 == limit {
            next = Some((ons.clone(), oname.clone()));
        }
        items.push(api::present(obj, rt, version));
    }
    drop(state);
    let token = if remaining > 0 {
        next.map(|(ns, name)| {
            let t = serde_json::to_vec(&ContinueToken { rv, ns, name }).unwrap_or_default();
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(t)
        })
    } else {
        None
    };
    let rem = if token.is_some() && labels.is_empty() && fields.is_empty() {
        Some(remaining)
    } else {
        None
    };
    if table {
        return Ok(json_response(
            200,
            &crate::table::table(rt, version, &items, rv, token, true),
        ));
    }
    Ok(json_response(
        200,
        &api::list_object(rt, version, items, rv, token, rem),
    ))
}

#[allow(clippy::too_many_arguments)]
fn do_patch(
    cluster: &Arc<Cluster>,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: &str,
    name: &str,
    ct: &str,
    body: &Bytes,
    mut wopts: WriteOptions,
) -> Result<(Value, bool), ApiError> {
    let pt =
        PatchType::from_content_type(ct).ok_or_else(|| ApiError::unsupported_media_type(ct))?;
    if pt == PatchType::Strategic && rt.crd.is_some() {
        return Err(ApiError::unsupported_media_type(ct));
    }
    let patch_doc = parse_body(
        body,
        if pt == PatchType::Apply {
            "application/yaml"
        } else {
            "application/json"
        },
    )?;
    let schema = api::schema_of(rt, version);
    let mut state = lock(cluster);
    let existing = state.get(&rt.key(), ns, name).cloned();
    let result = match pt {
        PatchType::Apply => {
            if wopts.field_manager.is_empty() || !query_has_manager(&wopts) {
                // kubectl and helm always name a manager; Kubernetes requires one for apply.
            }
            if wopts.field_manager.is_empty() {
                return Err(ApiError::bad_request(
                    "PATCH requests with apply content type require fieldManager",
                ));
            }
            if !patch_doc.is_object() {
                return Err(ApiError::bad_request(
                    "the apply configuration must be an object",
                ));
            }
            let cfg_name = util::name_of(&patch_doc);
            if !cfg_name.is_empty() && cfg_name != name {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({cfg_name}) does not match the name on the URL ({name})"
                )));
            }
            if patch_doc
                .get("apiVersion")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(ApiError::bad_request("apiVersion must be set"));
            }
            if patch_doc
                .get("kind")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(ApiError::bad_request("kind must be set"));
            }
            let now = util::now();
            let api_version = rt.api_version(version);
            let req = patch::apply::ApplyRequest {
                manager: &wopts.field_manager,
                force: wopts.force,
                subresource: &wopts.subresource,
                has_status: rt.status,
                api_version: &api_version,
                now: &now,
                schema: &schema,
            };
            wopts.skip_managed = true;
            match &existing {
                Some(live) => {
                    let live_v = api::present(live, rt, version);
                    let new = patch::apply::apply(&live_v, &patch_doc, &req)?;
                    let out = api::update(&mut state, rt, version, ns, name, new, &wopts)?;
                    (out, false)
                }
                None => {
                    if !wopts.subresource.is_empty() {
                        return Err(ApiError::not_found(&rt.plural, &rt.group, name));
                    }
                    let mut base = json!({"apiVersion": api_version, "kind": rt.kind, "metadata": {"name": name}});
                    if rt.namespaced {
                        base["metadata"]["namespace"] = json!(ns);
                    }
                    let new = patch::apply::apply(&base, &patch_doc, &req)?;
                    let out = api::create(&mut state, rt, version, ns, new, &wopts)?;
                    (out, true)
                }
            }
        }
        _ => {
            let Some(live) = existing else {
                return Err(ApiError::not_found(&rt.plural, &rt.group, name));
            };
            let mut target = api::present(&live, rt, version);
            match pt {
                PatchType::Json => patch::json::apply(&mut target, &patch_doc)?,
                PatchType::Merge => patch::merge::apply(&mut target, &patch_doc),
                PatchType::Strategic => patch::strategic::apply(&mut target, &patch_doc, &schema)?,
                PatchType::Apply => {}
            }
            if wopts.subresource == "scale" {
                let replicas = patch_doc.pointer("/spec/replicas").cloned();
                let mut new = (*live).clone();
                if let Some(r) = replicas {
                    new["spec"]["replicas"] = r;
                }
                let wo = WriteOptions {
                    subresource: String::new(),
                    ..wopts.clone()
                };
                let out = api::update(&mut state, rt, version, ns, name, new, &wo)?;
                (scale_of(&out), false)
            } else {
                let out = api::update(&mut state, rt, version, ns, name, target, &wopts)?;
                (out, false)
            }
        }
    };
    crate::gc::collect(&mut state);
    Ok(result)
}

fn query_has_manager(w: &WriteOptions) -> bool {
    !w.field_manager.is_empty()
}

/// SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview,
/// SelfSubjectReview, TokenReview: answered, never stored.
fn review(
    cluster: &Arc<Cluster>,
    rt: &Arc<ResourceType>,
    version: &str,
    ns: &str,
    user: &User,
    body: &Bytes,
    content_type: &str,
) -> Result<Response, ApiError> {
    let mut obj = parse_body(body, content_type)?;
    let state = lock(cluster);
    let spec = obj.get("spec").cloned().unwrap_or(json!({}));
    let subject = match rt.kind.as_str() {
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let name = spec.get("user").and_then(Value::as_str).unwrap_or("");
            let groups: Vec<String> = spec
                .get("groups")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|g| g.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            User {
                name: name.to_string(),
                uid: String::new(),
                groups,
            }
        }
        _ => user.clone(),
    };
    let status = match rt.kind.as_str() {
        "SelfSubjectAccessReview" | "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let attrs = if let Some(ra) = spec.get("resourceAttributes") {
                let s = |k: &str| ra.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let mut namespace = s("namespace");
                if rt.kind == "LocalSubjectAccessReview" {
                    namespace = ns.to_string();
                }
                Attributes {
                    verb: s("verb"),
                    group: s("group"),
                    resource: s("resource"),
                    subresource: s("subresource"),
                    name: s("name"),
                    namespace,
                    path: None,
                }
            } else if let Some(nra) = spec.get("nonResourceAttributes") {
                Attributes {
                    verb: nra
                        .get("verb")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    path: Some(
                        nra.get("path")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    ),
                    ..Default::default()
                }
            } else {
                return Err(ApiError::invalid_field(
                    &rt.kind,
                    &rt.group,
                    "",
                    "FieldValueRequired",
                    "spec.resourceAttributes",
                    "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                ));
            };
            let (allowed, reason) = rbac::authorize(&state, &subject, &attrs);
            let mut st = json!({"allowed": allowed});
            if !reason.is_empty() {
                st["reason"] = json!(reason);
            }
            st
        }
        "SelfSubjectRulesReview" => {
            let namespace = spec.get("namespace").and_then(Value::as_str).unwrap_or("");
            let mut resource_rules = Vec::new();
            let mut non_resource_rules = Vec::new();
            if subject.groups.iter().any(|g| g == "system:masters") {
                resource_rules.push(json!({"verbs":["*"],"apiGroups":["*"],"resources":["*"]}));
                non_resource_rules.push(json!({"verbs":["*"],"nonResourceURLs":["*"]}));
            }
            for (_, r) in rbac::rules_for(&state, &subject, namespace) {
                if r.get("nonResourceURLs").is_some() {
                    non_resource_rules.push(json!({"verbs": r.get("verbs"), "nonResourceURLs": r.get("nonResourceURLs")}));
                } else {
                    let mut rr = json!({"verbs": r.get("verbs").cloned().unwrap_or(json!([])), "apiGroups": r.get("apiGroups").cloned().unwrap_or(json!([])), "resources": r.get("resources").cloned().unwrap_or(json!([]))});
                    if let Some(n) = r.get("resourceNames") {
                        rr["resourceNames"] = n.clone();
                    }
                    resource_rules.push(rr);
                }
            }
            json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": false})
        }
        "SelfSubjectReview" => {
            json!({"userInfo": {"username": subject.name, "groups": subject.groups}})
        }
        "TokenReview" => {
            let token = spec.get("token").and_then(Value::as_str).unwrap_or("");
            if token == cluster.token {
                json!({"authenticated": true, "user": {"username": "minicluster-admin", "groups": ["system:masters", "system:authenticated"]}})
            } else {
                json!({"authenticated": false, "error": "invalid bearer token"})
            }
        }
        _ => json!({}),
    };
    obj["apiVersion"] = json!(rt.api_version(version));
    obj["kind"] = json!(rt.kind);
    if obj.get("metadata").is_none() {
        obj["metadata"] = json!({});
    }
    obj["status"] = status;
    Ok(json_response(201, &obj))
}

fn non_resource(
    cluster: &Arc<Cluster>,
    method: &Method,
    segs: &[&str],
    accept: &str,
) -> Result<Response, ApiError> {
    if method != Method::GET && method != Method::HEAD {
        return Err(ApiError::not_found_path());
    }
    let state = lock(cluster);
    let text = |s: &str| {
        Response::builder()
            .status(200)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Body::from(s.to_string()))
            .unwrap_or_default()
    };
    match segs {
        [] => {
            let mut paths = vec![
                "/api".to_string(),
                "/api/v1".to_string(),
                "/apis".to_string(),
            ];
            for (g, vs) in state.registry.groups() {
                if g.is_empty() {
                    continue;
                }
                paths.push(format!("/apis/{g}"));
                for v in vs {
                    paths.push(format!("/apis/{g}/{v}"));
                }
            }
            paths.extend(
                [
                    "/healthz",
                    "/livez",
                    "/openapi/v2",
                    "/openapi/v3",
                    "/readyz",
                    "/version",
                ]
                .map(str::to_string),
            );
            Ok(json_response(200, &json!({"paths": paths})))
        }
        ["healthz"] | ["readyz"] | ["livez"] => Ok(text("ok")),
        ["healthz", _] | ["readyz", _] | ["livez", _] => Ok(text("ok")),
        ["version"] => Ok(json_response(200, &crate::version_info())),
        [root @ ("api" | "apis")] => {
            let core = *root == "api";
            match discovery::wants_aggregated(accept) {
                // The aggregated form (one document for every group) in the version asked for.
                Some(ct) => {
                    let av = if ct == discovery::AGGREGATED_V2 {
                        "apidiscovery.k8s.io/v2"
                    } else {
                        "apidiscovery.k8s.io/v2beta1"
                    };
                    Ok(json_response_ct(
                        200,
                        &discovery::aggregated(&state.registry, core, av),
                        ct,
                    ))
                }
                None if core => Ok(json_response(
                    200,
                    &discovery::api_versions(&cluster.server_address),
                )),
                None => Ok(json_response(
                    200,
                    &discovery::api_group_list(&state.registry),
                )),
            }
        }
        ["api", v] => discovery::resource_list(&state.registry, "", v)
            .map(|l| json_response(200, &l))
            .ok_or_else(ApiError::not_found_path),
        ["apis", g] => discovery::api_group(&state.registry, g)
            .map(|l| json_response(200, &l))
            .ok_or_else(ApiError::not_found_path),
        ["apis", g, v] => discovery::resource_list(&state.registry, g, v)
            .map(|l| json_response(200, &l))
            .ok_or_else(ApiError::not_found_path),
        ["openapi", "v2"] => Ok(json_response(200, &crate::openapi::v2())),
        ["openapi", "v3"] => Ok(json_response(
            200,
            &crate::openapi::v3_index(&state.registry),
        )),
        ["openapi", "v3", rest @ ..] => {
            let gv = rest.join("/");
            crate::openapi::v3_group(&state.registry, &gv)
                .map(|v| json_response(200, &v))
                .ok_or_else(ApiError::not_found_path)
        }
        _ => Err(ApiError::not_found_path()),
    }
}
