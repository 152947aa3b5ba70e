//! Layers 4–6 through kube-rs: CRDs, patches, server-side apply, RBAC and impersonation.

mod common;

use common::{api_err, raw, raw_headers, start};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};

fn crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"spec": {"type": "object", "properties": {
                    "items": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"], "items": {"type": "object"}}}}}}}}]}
    }))
    .unwrap()
}

fn widget_api(client: &kube::Client) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &kube::api::GroupVersionKind::gvk("example.com", "v1", "Widget"),
        "widgets",
    );
    Api::namespaced_with(client.clone(), "default", &ar)
}

fn widget(name: &str, spec: Value) -> DynamicObject {
    serde_json::from_value(
        json!({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":name},"spec":spec}),
    )
    .unwrap()
}

#[tokio::test]
async fn crds_serve_their_resource_until_deleted() {
    let (_mc, client) = start().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &crd()).await.unwrap();
    let c = crds.get("widgets.example.com").await.unwrap();
    let conds = c.status.unwrap().conditions.unwrap();
    assert!(
        conds
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True")
    );
    let w = widget_api(&client);
    let created = w
        .create(&PostParams::default(), &widget("a", json!({"size": 3})))
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    // Status subresource: the main resource ignores status.
    let mut s = created.clone();
    s.data["status"] = json!({"ready": true});
    let after = w.replace("a", &PostParams::default(), &s).await.unwrap();
    assert!(after.data.get("status").is_none());
    let after = w
        .replace_status("a", &PostParams::default(), &s)
        .await
        .unwrap();
    assert_eq!(after.data["status"]["ready"], true);
    assert_eq!(after.metadata.generation, Some(1));
    // Printer columns, as kubectl asks for them.
    let (code, table) = raw_headers(
        &client,
        "GET",
        "/apis/example.com/v1/namespaces/default/widgets",
        "application/json",
        &Value::Null,
        &[(
            "accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )],
    )
    .await;
    assert_eq!(code, 200);
    let cols: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["Name", "Size"]);
    assert_eq!(table["rows"][0]["cells"], json!(["a", 3]));
    // Discovery lists it.
    let (_, rl) = raw(
        &client,
        "GET",
        "/apis/example.com/v1",
        "application/json",
        &Value::Null,
    )
    .await;
    assert_eq!(rl["resources"][0]["shortNames"], json!(["wd"]));
    // Strategic merge patch is refused for custom resources.
    let e = api_err(
        w.patch(
            "a",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec":{"size":4}})),
        )
        .await,
    );
    assert_eq!(e.code, 415);
    // Deleting the CRD removes its objects and stops serving.
    crds.delete("widgets.example.com", &Default::default())
        .await
        .unwrap();
    let (code, _) = raw(
        &client,
        "GET",
        "/apis/example.com/v1/namespaces/default/widgets",
        "application/json",
        &Value::Null,
    )
    .await;
    assert_eq!(code, 404);
    crds.create(&PostParams::default(), &crd()).await.unwrap();
    assert_eq!(w.list(&ListParams::default()).await.unwrap().items.len(), 0);
}

#[tokio::test]
async fn crd_names_must_match() {
    let (_mc, client) = start().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut bad = crd();
    bad.metadata.name = Some("wrong.example.com".into());
    let e = api_err(crds.create(&PostParams::default(), &bad).await);
    assert_eq!(e.code, 422);
    assert!(
        e.message
            .contains("must be spec.names.plural+\".\"+spec.group"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn json_merge_and_strategic_patches() {
    let (_mc, client) = start().await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let d: Deployment = serde_json::from_value(json!({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},
        "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"app","image":"a:1","env":[{"name":"X","value":"1"}]},{"name":"side","image":"s:1"}]}}}})).unwrap();
    api.create(&PostParams::default(), &d).await.unwrap();
    let pp = PatchParams::default();
    // Strategic: containers merged by name, env by name.
    let out = api.patch("d", &pp, &Patch::Strategic(json!({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a:2","env":[{"name":"Y","value":"2"}]}]}}}}))).await.unwrap();
    let cs = out.spec.unwrap().template.spec.unwrap().containers;
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0].image.as_deref(), Some("a:2"));
    assert_eq!(cs[0].env.as_ref().unwrap().len(), 2);
    // Merge patch replaces lists.
    let out = api.patch("d", &pp, &Patch::Merge(json!({"spec":{"template":{"spec":{"containers":[{"name":"only","image":"o:1"}]}}}}))).await.unwrap();
    assert_eq!(
        out.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers
            .len(),
        1
    );
    assert_eq!(out.metadata.generation, Some(3));
    // JSON patch, with a failing test op.
    let p: json_patch::Patch =
        serde_json::from_value(json!([{"op":"replace","path":"/spec/replicas","value":5}]))
            .unwrap();
    let out = api.patch("d", &pp, &Patch::<()>::Json(p)).await.unwrap();
    assert_eq!(out.spec.unwrap().replicas, Some(5));
    let p: json_patch::Patch =
        serde_json::from_value(json!([{"op":"test","path":"/spec/replicas","value":1}])).unwrap();
    assert_eq!(
        api_err(api.patch("d", &pp, &Patch::<()>::Json(p)).await).code,
        422
    );
    // A patch carrying a stale resourceVersion conflicts.
    let e = api_err(
        api.patch(
            "d",
            &pp,
            &Patch::Merge(json!({"metadata":{"resourceVersion":"1"},"spec":{"replicas":1}})),
        )
        .await,
    );
    assert_eq!(e.code, 409);
}

fn cm_apply(data: Value) -> Value {
    json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa"},"data":data})
}

#[tokio::test]
async fn server_side_apply_ownership_conflicts_and_removal() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let a = PatchParams::apply("alice");
    let created = api
        .patch("ssa", &a, &Patch::Apply(cm_apply(json!({"x":"1","y":"2"}))))
        .await
        .unwrap();
    let mf = created.metadata.managed_fields.unwrap();
    assert_eq!(mf.len(), 1);
    assert_eq!(mf[0].manager.as_deref(), Some("alice"));
    assert_eq!(mf[0].operation.as_deref(), Some("Apply"));
    assert_eq!(
        serde_json::to_value(&mf[0].fields_v1).unwrap(),
        json!({"f:data":{".":{},"f:x":{},"f:y":{}}})
            .get("f:data")
            .map(|_| json!({"f:data":{"f:x":{},"f:y":{}}}))
            .unwrap()
    );
    // Bob changing alice's field conflicts, naming the field and the owner.
    let b = PatchParams::apply("bob");
    let e = api_err(
        api.patch("ssa", &b, &Patch::Apply(cm_apply(json!({"x":"9"}))))
            .await,
    );
    assert_eq!(e.code, 409);
    assert_eq!(e.reason, "Conflict");
    assert_eq!(
        e.message,
        "Apply failed with 1 conflict: conflict with \"alice\": .data.x"
    );
    // Forced, bob owns it.
    let forced = api
        .patch(
            "ssa",
            &b.clone().force(),
            &Patch::Apply(cm_apply(json!({"x":"9"}))),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.as_ref().unwrap()["x"], "9");
    // Alice stops applying y: it goes away; x now belongs to bob and stays.
    let out = api
        .patch("ssa", &a, &Patch::Apply(cm_apply(json!({}))))
        .await
        .unwrap();
    assert_eq!(
        out.data.unwrap(),
        [("x".to_string(), "9".to_string())].into()
    );
    // An update by another manager takes ownership without conflict.
    let mut c = api.get("ssa").await.unwrap();
    c.data.as_mut().unwrap().insert("x".into(), "u".into());
    let upd = api
        .replace(
            "ssa",
            &PostParams {
                field_manager: Some("editor".into()),
                ..Default::default()
            },
            &c,
        )
        .await
        .unwrap();
    let managers: Vec<(String, String)> = upd
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .map(|m| (m.manager.unwrap(), m.operation.unwrap()))
        .collect();
    assert!(
        managers.contains(&("editor".to_string(), "Update".to_string())),
        "{managers:?}"
    );
    let e = api_err(
        api.patch("ssa", &b, &Patch::Apply(cm_apply(json!({"x":"9"}))))
            .await,
    );
    assert!(
        e.message.contains("conflict with \"editor\" using v1"),
        "{}",
        e.message
    );
    // dryRun applies nothing.
    let dry = PatchParams {
        dry_run: true,
        ..PatchParams::apply("carol")
    };
    api.patch("ssa", &dry, &Patch::Apply(cm_apply(json!({"z":"1"}))))
        .await
        .unwrap();
    assert!(
        !api.get("ssa")
            .await
            .unwrap()
            .data
            .unwrap()
            .contains_key("z")
    );
}

#[tokio::test]
async fn server_side_apply_merges_lists_by_key() {
    let (_mc, client) = start().await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let base = |containers: Value| {
        json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"m"},"spec":{"selector":{"matchLabels":{"a":"b"}},
        "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":containers}}}})
    };
    api.patch(
        "m",
        &PatchParams::apply("one"),
        &Patch::Apply(base(json!([{"name":"app","image":"a:1","args":["x","y"]}]))),
    )
    .await
    .unwrap();
    let out = api
        .patch(
            "m",
            &PatchParams::apply("two"),
            &Patch::Apply(base(json!([{"name":"side","image":"s:1"}]))),
        )
        .await
        .unwrap();
    let names: Vec<String> = out
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["app", "side"]);
    // args are atomic: one applier owns the whole list.
    let out = api
        .patch(
            "m",
            &PatchParams::apply("one"),
            &Patch::Apply(base(json!([{"name":"app","image":"a:1","args":["z"]}]))),
        )
        .await
        .unwrap();
    let c = &out.spec.unwrap().template.spec.unwrap().containers[0];
    assert_eq!(c.args.as_deref(), Some(&["z".to_string()][..]));
}

#[tokio::test]
async fn server_side_apply_on_custom_resources_uses_list_map_keys() {
    let (_mc, client) = start().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &crd()).await.unwrap();
    let w = widget_api(&client);
    let cfg = |items: Value| serde_json::to_value(widget("k", json!({"items": items}))).unwrap();
    w.patch(
        "k",
        &PatchParams::apply("one"),
        &Patch::Apply(cfg(json!([{"id":"a","v":1}]))),
    )
    .await
    .unwrap();
    let out = w
        .patch(
            "k",
            &PatchParams::apply("two"),
            &Patch::Apply(cfg(json!([{"id":"b","v":2}]))),
        )
        .await
        .unwrap();
    assert_eq!(
        out.data["spec"]["items"],
        json!([{"id":"a","v":1},{"id":"b","v":2}])
    );
}

#[tokio::test]
async fn rbac_and_impersonation() {
    let (_mc, client) = start().await;
    let sa = "system:serviceaccount:default:robot";
    let imp = [("impersonate-user", sa)];
    let (code, body) = raw_headers(
        &client,
        "GET",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        &Value::Null,
        &imp,
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(body["reason"], "Forbidden");
    assert_eq!(
        body["message"],
        format!(
            "configmaps is forbidden: User \"{sa}\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
        )
    );
    // Grant through the aggregated "view" ClusterRole bound in the namespace.
    let (code, _) = raw(&client, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", "application/json",
        &json!({"metadata":{"name":"robot-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
            "subjects":[{"kind":"ServiceAccount","name":"robot","namespace":"default"}]})).await;
    assert_eq!(code, 201);
    let (code, _) = raw_headers(
        &client,
        "GET",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        &Value::Null,
        &imp,
    )
    .await;
    assert_eq!(code, 200);
    let (code, body) = raw_headers(
        &client,
        "DELETE",
        "/api/v1/namespaces/default/configmaps/x",
        "application/json",
        &Value::Null,
        &imp,
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        format!(
            "configmaps \"x\" is forbidden: User \"{sa}\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"default\""
        )
    );
    // Not in another namespace.
    let (code, _) = raw_headers(
        &client,
        "GET",
        "/api/v1/namespaces/kube-system/configmaps",
        "application/json",
        &Value::Null,
        &imp,
    )
    .await;
    assert_eq!(code, 403);
    // A new ClusterRole labelled for aggregation extends "view".
    let (code, _) = raw(&client, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", "application/json",
        &json!({"metadata":{"name":"widgets-view","labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}},
            "rules":[{"apiGroups":["example.com"],"resources":["widgets"],"verbs":["get","list"]}]})).await;
    assert_eq!(code, 201);
    let (_, ssar) = raw_headers(&client, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "application/json",
        &json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"default","verb":"list","group":"example.com","resource":"widgets"}}}), &imp).await;
    assert_eq!(ssar["status"]["allowed"], true);
    // SubjectAccessReview for another user.
    let (_, sar) = raw(&client, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "application/json",
        &json!({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"nobody","resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}})).await;
    assert_eq!(sar["status"]["allowed"], false);
    // Wildcards in a Role.
    raw(&client, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", "application/json",
        &json!({"metadata":{"name":"all"},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]})).await;
    raw(&client, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", "application/json",
        &json!({"metadata":{"name":"bob-all"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"all"},"subjects":[{"kind":"User","name":"bob"}]})).await;
    let (code, _) = raw_headers(
        &client,
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        "application/json",
        &json!({"metadata":{"name":"x"},"spec":{}}),
        &[("impersonate-user", "bob")],
    )
    .await;
    assert_eq!(code, 201);
    let (code, _) = raw_headers(
        &client,
        "GET",
        "/api/v1/nodes",
        "application/json",
        &Value::Null,
        &[("impersonate-user", "bob")],
    )
    .await;
    assert_eq!(code, 403);
}
