//! Layers 1–3 through kube-rs: discovery, CRUD, selectors, paging, watch, metadata rules,
//! finalizers, namespaces, garbage collection.

mod common;

use common::{api_err, raw, start, start_with};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, ListParams, PostParams, WatchEvent, WatchParams};
use serde_json::{Value, json};

fn cm(name: &str, labels: Value) -> ConfigMap {
    serde_json::from_value(json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":name,"labels":labels},"data":{"a":"1"}})).unwrap()
}

fn deployment(name: &str, image: &str) -> Deployment {
    serde_json::from_value(json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":name},
        "spec":{"replicas":1,"selector":{"matchLabels":{"app":name}},
        "template":{"metadata":{"labels":{"app":name}},"spec":{"containers":[{"name":"c","image":image}]}}}})).unwrap()
}

#[tokio::test]
async fn version_health_and_discovery() {
    let (mc, client) = start().await;
    assert!(mc.url().starts_with("https://127.0.0.1:"));
    let v = client.apiserver_version().await.unwrap();
    assert_eq!(v.major, "1");
    let (code, body) = raw(&client, "GET", "/healthz", "application/json", &Value::Null).await;
    assert_eq!((code, body), (200, json!("ok")));
    let d = kube::discovery::Discovery::new(client.clone())
        .run()
        .await
        .unwrap();
    let (ar, caps) = d
        .resolve_gvk(&kube::api::GroupVersionKind::gvk(
            "apps",
            "v1",
            "Deployment",
        ))
        .unwrap();
    assert_eq!(ar.plural, "deployments");
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    let (_, caps) = d
        .resolve_gvk(&kube::api::GroupVersionKind::gvk("", "v1", "Namespace"))
        .unwrap();
    assert_eq!(caps.scope, kube::discovery::Scope::Cluster);
    let (_, caps) = d
        .resolve_gvk(&kube::api::GroupVersionKind::gvk(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole",
        ))
        .unwrap();
    assert_eq!(caps.scope, kube::discovery::Scope::Cluster);
    assert!(d.has_group("coordination.k8s.io") && d.has_group("apiextensions.k8s.io"));
    let (code, list) = raw(&client, "GET", "/api/v1", "application/json", &Value::Null).await;
    assert_eq!(code, 200);
    let pods = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pods")
        .unwrap();
    assert_eq!(pods["shortNames"], json!(["po"]));
    assert_eq!(pods["categories"], json!(["all"]));
    // The aggregated form, as kubectl asks for it.
    let (code, agg) = common::raw_headers(
        &client,
        "GET",
        "/apis",
        "application/json",
        &Value::Null,
        &[(
            "accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        )],
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(agg["kind"], "APIGroupDiscoveryList");
    let apps = agg["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metadata"]["name"] == "apps")
        .unwrap();
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    assert_eq!(deploy["scope"], "Namespaced");
    assert!(
        deploy["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["subresource"] == "scale")
    );
}

#[tokio::test]
async fn unauthenticated_requests_get_401() {
    let (mc, _) = start().await;
    let wrong = mc.kubeconfig().replace(mc.token(), "wrong");
    let kc = kube::config::Kubeconfig::from_yaml(&wrong).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let (code, body) = raw(
        &client,
        "GET",
        "/api/v1/namespaces",
        "application/json",
        &Value::Null,
    )
    .await;
    assert_eq!(code, 401);
    assert_eq!(body["reason"], "Unauthorized");
    // Health needs no credentials.
    let (code, _) = raw(&client, "GET", "/readyz", "application/json", &Value::Null).await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn crud_metadata_and_exact_status_bodies() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let created = api
        .create(&PostParams::default(), &cm("one", json!({"app":"a"})))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert_eq!(meta.uid.as_ref().unwrap().len(), 36);
    assert!(meta.creation_timestamp.is_some());
    assert!(meta.generation.is_none(), "ConfigMaps carry no generation");
    let rv1: u64 = meta.resource_version.as_ref().unwrap().parse().unwrap();
    // AlreadyExists
    let e = api_err(
        api.create(&PostParams::default(), &cm("one", json!({})))
            .await,
    );
    assert_eq!(
        (e.code, e.reason.as_str(), e.message.as_str()),
        (409, "AlreadyExists", "configmaps \"one\" already exists")
    );
    // Update bumps resourceVersion; a stale one gets 409 Conflict.
    let mut c2 = created.clone();
    c2.data = Some([("a".to_string(), "2".to_string())].into());
    let updated = api
        .replace("one", &PostParams::default(), &c2)
        .await
        .unwrap();
    let rv2: u64 = updated
        .metadata
        .resource_version
        .as_ref()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv2 > rv1);
    let e = api_err(api.replace("one", &PostParams::default(), &c2).await);
    assert_eq!(e.code, 409);
    assert_eq!(e.reason, "Conflict");
    assert_eq!(
        e.message,
        "Operation cannot be fulfilled on configmaps \"one\": the object has been modified; please apply your changes to the latest version and try again"
    );
    // The exact NotFound body.
    let (code, body) = raw(
        &client,
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/nope",
        "application/json",
        &Value::Null,
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(
        body,
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"apps","kind":"deployments"},"code":404})
    );
    // 422 for a missing name.
    let (code, body) = raw(
        &client,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        &json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{}}),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(body["reason"], "Invalid");
    assert_eq!(
        body["message"],
        "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required"
    );
    assert_eq!(body["details"]["causes"][0]["field"], "metadata.name");
    // generateName
    let g: ConfigMap = serde_json::from_value(json!({"metadata":{"generateName":"gen-"}})).unwrap();
    let g = api.create(&PostParams::default(), &g).await.unwrap();
    assert!(g.metadata.name.unwrap().starts_with("gen-"));
    // A namespace that does not exist.
    let nope: Api<ConfigMap> = Api::namespaced(client.clone(), "missing");
    let e = api_err(
        nope.create(&PostParams::default(), &cm("x", json!({})))
            .await,
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (404, "namespaces \"missing\" not found")
    );
    // Delete, then NotFound.
    api.delete("one", &DeleteParams::default()).await.unwrap();
    let e = api_err(api.get("one").await);
    assert_eq!(e.code, 404);
    // dryRun=All never stores.
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    api.create(&pp, &cm("dry", json!({}))).await.unwrap();
    assert_eq!(api_err(api.get("dry").await).code, 404);
}

#[tokio::test]
async fn generation_and_status_subresource() {
    let (_mc, client) = start().await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let d = api
        .create(&PostParams::default(), &deployment("web", "nginx:1"))
        .await
        .unwrap();
    assert_eq!(d.metadata.generation, Some(1));
    // A label change does not bump generation.
    let mut d2 = d.clone();
    d2.metadata.labels = Some([("x".to_string(), "y".to_string())].into());
    let d2 = api
        .replace("web", &PostParams::default(), &d2)
        .await
        .unwrap();
    assert_eq!(d2.metadata.generation, Some(1));
    // A spec change does.
    let mut d3 = d2.clone();
    d3.spec.as_mut().unwrap().replicas = Some(3);
    let d3 = api
        .replace("web", &PostParams::default(), &d3)
        .await
        .unwrap();
    assert_eq!(d3.metadata.generation, Some(2));
    // The main resource ignores status; the status subresource takes only status.
    let mut with_status = d3.clone();
    with_status.status =
        Some(serde_json::from_value(json!({"readyReplicas": 3, "observedGeneration": 2})).unwrap());
    let after_main = api
        .replace("web", &PostParams::default(), &with_status)
        .await
        .unwrap();
    assert!(
        after_main.status.is_none() || after_main.status.as_ref().unwrap().ready_replicas.is_none()
    );
    let mut st = after_main.clone();
    st.status =
        Some(serde_json::from_value(json!({"readyReplicas": 3, "observedGeneration": 2})).unwrap());
    st.spec.as_mut().unwrap().replicas = Some(9);
    let after_status = api
        .replace_status("web", &PostParams::default(), &st)
        .await
        .unwrap();
    assert_eq!(after_status.status.unwrap().ready_replicas, Some(3));
    assert_eq!(
        after_status.spec.unwrap().replicas,
        Some(3),
        "status writes ignore spec"
    );
    assert_eq!(after_status.metadata.generation, Some(2));
    // Scale subresource.
    let (code, scale) = raw(
        &client,
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/web/scale",
        "application/json",
        &Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(scale["spec"]["replicas"], 3);
}

#[tokio::test]
async fn selectors_and_paging() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for (n, l) in [
        ("a", json!({"app":"web","tier":"front"})),
        ("b", json!({"app":"web","tier":"back"})),
        ("c", json!({"app":"db"})),
        ("d", json!({})),
    ] {
        api.create(&PostParams::default(), &cm(n, l)).await.unwrap();
    }
    let names = |l: kube::api::ObjectList<ConfigMap>| -> Vec<String> {
        l.items
            .into_iter()
            .map(|c| c.metadata.name.unwrap())
            .collect()
    };
    let q = |s: &str| ListParams::default().labels(s);
    assert_eq!(names(api.list(&q("app=web")).await.unwrap()), ["a", "b"]);
    assert_eq!(
        names(api.list(&q("app==web,tier!=front")).await.unwrap()),
        ["b"]
    );
    assert_eq!(
        names(
            api.list(&q("app in (db,web),tier notin (back)"))
                .await
                .unwrap()
        ),
        ["a", "c"]
    );
    assert_eq!(names(api.list(&q("tier")).await.unwrap()), ["a", "b"]);
    assert_eq!(names(api.list(&q("!app")).await.unwrap()), ["d"]);
    assert_eq!(
        names(
            api.list(&ListParams::default().fields("metadata.name=c"))
                .await
                .unwrap()
        ),
        ["c"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().fields("metadata.namespace!=default"))
                .await
                .unwrap()
        ),
        Vec::<String>::new()
    );
    // limit / continue
    let p1 = api.list(&ListParams::default().limit(3)).await.unwrap();
    let token = p1.metadata.continue_.clone().unwrap();
    assert_eq!(p1.items.len(), 3);
    assert_eq!(p1.metadata.remaining_item_count, Some(1));
    let p2 = api
        .list(&ListParams::default().limit(3).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(names(p2), ["d"]);
    // Cluster-wide list.
    let all: Api<ConfigMap> = Api::all(client.clone());
    assert_eq!(
        all.list(&ListParams::default()).await.unwrap().items.len(),
        4
    );
}

#[tokio::test]
async fn watch_from_a_version_with_bookmarks_and_410() {
    let (_mc, client) = start_with(ferroflux_minicluster::Options {
        watch_history: 16,
        ..Default::default()
    })
    .await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &cm("before", json!({})))
        .await
        .unwrap();
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let wp = WatchParams::default().timeout(20);
    let mut stream = api.watch(&wp, &rv).await.unwrap().boxed();
    api.create(&PostParams::default(), &cm("w1", json!({})))
        .await
        .unwrap();
    api.delete("w1", &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match stream.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(c) => seen.push(format!("ADDED {}", c.metadata.name.unwrap())),
            WatchEvent::Deleted(c) => seen.push(format!("DELETED {}", c.metadata.name.unwrap())),
            WatchEvent::Bookmark(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["ADDED w1", "DELETED w1"]);
    // A bookmark arrives while idle.
    let bm = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            if let WatchEvent::Bookmark(b) = stream.try_next().await.unwrap().unwrap() {
                return b;
            }
        }
    })
    .await
    .unwrap();
    assert!(!bm.metadata.resource_version.is_empty());
    // Too old a version: 410 Gone.
    for i in 0..40 {
        api.create(&PostParams::default(), &cm(&format!("n{i}"), json!({})))
            .await
            .unwrap();
    }
    let mut old = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match old.try_next().await.unwrap().unwrap() {
        WatchEvent::Error(e) => {
            assert_eq!(e.code, 410);
            assert_eq!(e.reason, "Expired");
            assert!(
                e.message.starts_with("too old resource version"),
                "{}",
                e.message
            );
        }
        other => panic!("expected 410, got {other:?}"),
    }
}

#[tokio::test]
async fn watch_with_label_selector_sees_transitions() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut stream = api
        .watch(&WatchParams::default().labels("app=web").timeout(10), "0")
        .await
        .unwrap()
        .boxed();
    api.create(&PostParams::default(), &cm("x", json!({"app":"db"})))
        .await
        .unwrap();
    let mut c = api.get("x").await.unwrap();
    c.metadata.labels = Some([("app".to_string(), "web".to_string())].into());
    api.replace("x", &PostParams::default(), &c).await.unwrap();
    match stream.try_next().await.unwrap().unwrap() {
        WatchEvent::Added(c) => assert_eq!(c.metadata.name.as_deref(), Some("x")),
        other => panic!("expected ADDED on entering the selection, got {other:?}"),
    }
}

#[tokio::test]
async fn kube_runtime_watcher_works() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &cm("pre", json!({})))
        .await
        .unwrap();
    let mut w = kube::runtime::watcher(api.clone(), Default::default()).boxed();
    let api2 = api.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        api2.create(&PostParams::default(), &cm("post", json!({})))
            .await
            .unwrap();
    });
    let mut names = Vec::new();
    while names.len() < 2 {
        match w.try_next().await.unwrap().unwrap() {
            kube::runtime::watcher::Event::InitApply(c)
            | kube::runtime::watcher::Event::Apply(c) => names.push(c.metadata.name.unwrap()),
            _ => {}
        }
    }
    assert_eq!(names, ["pre", "post"]);
}

#[tokio::test]
async fn finalizers_hold_deletion() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut c = cm("f", json!({}));
    c.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&PostParams::default(), &c).await.unwrap();
    api.delete("f", &DeleteParams::default()).await.unwrap();
    let held = api.get("f").await.unwrap();
    assert!(held.metadata.deletion_timestamp.is_some());
    let mut released = held.clone();
    released.metadata.finalizers = None;
    api.replace("f", &PostParams::default(), &released)
        .await
        .unwrap();
    assert_eq!(api_err(api.get("f").await).code, 404);
}

#[tokio::test]
async fn namespace_deletion_removes_its_objects() {
    let (_mc, client) = start().await;
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata":{"name":"team"}})).unwrap(),
    )
    .await
    .unwrap();
    let ns = nss.get("team").await.unwrap();
    assert_eq!(ns.status.unwrap().phase.as_deref(), Some("Active"));
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "team");
    api.create(&PostParams::default(), &cm("in", json!({})))
        .await
        .unwrap();
    // The default ServiceAccount appears, as the controllers make it.
    let sas: Api<k8s_openapi::api::core::v1::ServiceAccount> =
        Api::namespaced(client.clone(), "team");
    assert!(sas.get("default").await.is_ok());
    nss.delete("team", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_err(nss.get("team").await).code, 404);
    assert_eq!(
        api.list(&ListParams::default()).await.unwrap().items.len(),
        0
    );
}

#[tokio::test]
async fn terminating_namespace_refuses_new_content() {
    let (_mc, client) = start().await;
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata":{"name":"slow"}})).unwrap(),
    )
    .await
    .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "slow");
    let mut c = cm("held", json!({}));
    c.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&PostParams::default(), &c).await.unwrap();
    nss.delete("slow", &DeleteParams::default()).await.unwrap();
    let ns = nss.get("slow").await.unwrap();
    assert_eq!(ns.status.unwrap().phase.as_deref(), Some("Terminating"));
    let e = api_err(
        api.create(&PostParams::default(), &cm("new", json!({})))
            .await,
    );
    assert_eq!(e.code, 403);
    assert_eq!(
        e.message,
        "configmaps \"new\" is forbidden: unable to create new content in namespace slow because it is being terminated"
    );
    let mut held = api.get("held").await.unwrap();
    held.metadata.finalizers = None;
    api.replace("held", &PostParams::default(), &held)
        .await
        .unwrap();
    assert_eq!(api_err(nss.get("slow").await).code, 404);
}

fn owned(name: &str, owner: &ConfigMap) -> ConfigMap {
    serde_json::from_value(json!({"metadata":{"name":name,"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":owner.metadata.name,"uid":owner.metadata.uid,"blockOwnerDeletion":true}]}})).unwrap()
}

#[tokio::test]
async fn owner_references_are_collected() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    // Background
    let owner = api
        .create(&PostParams::default(), &cm("owner", json!({})))
        .await
        .unwrap();
    api.create(&PostParams::default(), &owned("dep", &owner))
        .await
        .unwrap();
    api.delete("owner", &DeleteParams::background())
        .await
        .unwrap();
    assert_eq!(api_err(api.get("dep").await).code, 404);
    // Foreground: the owner waits for its dependents.
    let owner = api
        .create(&PostParams::default(), &cm("fg", json!({})))
        .await
        .unwrap();
    let mut dep = owned("fgdep", &owner);
    dep.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&PostParams::default(), &dep).await.unwrap();
    api.delete("fg", &DeleteParams::foreground()).await.unwrap();
    let o = api.get("fg").await.unwrap();
    assert!(o.metadata.deletion_timestamp.is_some());
    assert!(
        o.metadata
            .finalizers
            .unwrap()
            .contains(&"foregroundDeletion".to_string())
    );
    let mut d = api.get("fgdep").await.unwrap();
    assert!(d.metadata.deletion_timestamp.is_some());
    d.metadata.finalizers = None;
    api.replace("fgdep", &PostParams::default(), &d)
        .await
        .unwrap();
    assert_eq!(api_err(api.get("fg").await).code, 404);
    // Orphan: the dependent stays, without its owner reference.
    let owner = api
        .create(&PostParams::default(), &cm("or", json!({})))
        .await
        .unwrap();
    api.create(&PostParams::default(), &owned("ordep", &owner))
        .await
        .unwrap();
    api.delete("or", &DeleteParams::orphan()).await.unwrap();
    let d = api.get("ordep").await.unwrap();
    assert!(d.metadata.owner_references.is_none());
}

#[tokio::test]
async fn delete_preconditions() {
    let (_mc, client) = start().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &cm("p", json!({})))
        .await
        .unwrap();
    let dp = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            uid: Some("nope".into()),
            resource_version: None,
        }),
        ..Default::default()
    };
    let e = api_err(api.delete("p", &dp).await);
    assert_eq!(e.code, 409);
    assert!(
        e.message
            .contains("Precondition failed: UID in precondition: nope"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn workload_simulator_marks_ready_or_keeps_failing() {
    let (_mc, client) = start_with(ferroflux_minicluster::Options {
        simulate_workloads: Some(std::time::Duration::from_millis(300)),
        ..Default::default()
    })
    .await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &deployment("ok", "nginx:1"))
        .await
        .unwrap();
    let mut failing = deployment("bad", "nginx:1");
    failing.metadata.annotations = Some(
        [(
            "minicluster.ferroflux.io/simulate".to_string(),
            "fail".to_string(),
        )]
        .into(),
    );
    api.create(&PostParams::default(), &failing).await.unwrap();
    let mut ready = None;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let d = api.get("ok").await.unwrap();
        if d.status.as_ref().and_then(|s| s.ready_replicas) == Some(1) {
            ready = Some(d);
            break;
        }
    }
    let d = ready.expect("the deployment becomes ready");
    let st = d.status.unwrap();
    assert_eq!(st.observed_generation, Some(1));
    assert!(
        st.conditions
            .unwrap()
            .iter()
            .any(|c| c.type_ == "Available" && c.status == "True")
    );
    let bad = api.get("bad").await.unwrap().status.unwrap();
    assert_eq!(bad.ready_replicas, Some(0));
    assert!(bad.conditions.unwrap().iter().any(
        |c| c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    ));
}

#[tokio::test]
async fn state_file_keeps_objects_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let opts = || ferroflux_minicluster::Options {
        state_file: Some(file.clone()),
        ..Default::default()
    };
    let (mc, client) = start_with(opts()).await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &cm("kept", json!({})))
        .await
        .unwrap();
    mc.save_state().unwrap();
    mc.shutdown();
    let (_mc2, client2) = start_with(opts()).await;
    let api2: Api<ConfigMap> = Api::namespaced(client2, "default");
    assert!(api2.get("kept").await.is_ok());
}
