//! Shared helpers: a started minicluster and a kube-rs client for it.
#![allow(dead_code)]

use axum::http::Request;
use ferroflux_minicluster::{MiniCluster, Options};
use serde_json::Value;

pub async fn start_with(options: Options) -> (MiniCluster, kube::Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mc = MiniCluster::start(options)
        .await
        .expect("minicluster starts");
    let kc = kube::config::Kubeconfig::from_yaml(&mc.kubeconfig()).expect("kubeconfig parses");
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .expect("kubeconfig loads");
    let client = kube::Client::try_from(config).expect("client builds");
    (mc, client)
}

pub async fn start() -> (MiniCluster, kube::Client) {
    start_with(Options::default()).await
}

/// A raw request; returns the status code and the JSON body.
pub async fn raw(
    client: &kube::Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: &Value,
) -> (u16, Value) {
    raw_headers(client, method, path, content_type, body, &[]).await
}

pub async fn raw_headers(
    client: &kube::Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).unwrap()
    };
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b.body(kube::client::Body::from(bytes)).unwrap();
    let resp = client.send(req).await.expect("request sent");
    let code = resp.status().as_u16();
    let bytes = resp.into_body().collect_bytes().await.expect("body read");
    let v = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (code, v)
}

/// The API error of a kube-rs call.
pub fn api_err<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> kube::core::Status {
    match r {
        Err(kube::Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}
