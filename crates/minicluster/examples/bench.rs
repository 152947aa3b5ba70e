//! Apply throughput and memory per stored object:
//! `cargo run --release -p ferroflux-minicluster --example bench -- [N] [CONCURRENCY]`.

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let conc: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(8);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mc = ferroflux_minicluster::MiniCluster::start(Default::default())
        .await
        .expect("starts");
    let kc = kube::config::Kubeconfig::from_yaml(&mc.kubeconfig()).expect("kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .expect("config");
    let client = kube::Client::try_from(config).expect("client");
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let before = rss_kib();
    let start = std::time::Instant::now();
    futures::stream::iter(0..n)
        .for_each_concurrent(conc, |i| {
            let api = api.clone();
            async move {
                let obj = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":format!("cm-{i}"),"labels":{"app":"bench","i":i.to_string()}},
                    "data":{"key":"value","index":i.to_string(),"text":"some configuration text of a typical size for a small config map"}});
                api.patch(&format!("cm-{i}"), &PatchParams::apply("bench"), &Patch::Apply(obj)).await.expect("apply");
            }
        })
        .await;
    let secs = start.elapsed().as_secs_f64();
    let after = rss_kib();
    println!(
        "applied {n} ConfigMaps (server-side apply over HTTPS, {conc} in flight) in {secs:.2} s: {:.0} objects/s; RSS +{} KiB ({:.2} KiB per object, client and server in one process)",
        n as f64 / secs,
        after.saturating_sub(before),
        after.saturating_sub(before) as f64 / n as f64
    );
}
