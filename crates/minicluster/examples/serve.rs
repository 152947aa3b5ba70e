//! Serves a minicluster and writes its kubeconfig: `cargo run -p ferroflux-minicluster --example serve -- KUBECONFIG`.

#[tokio::main]
async fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "minicluster.kubeconfig".into());
    let mc = ferroflux_minicluster::MiniCluster::start(ferroflux_minicluster::Options {
        log_requests: true,
        simulate_workloads: Some(std::time::Duration::from_secs(1)),
        ..Default::default()
    })
    .await
    .expect("minicluster starts");
    mc.write_kubeconfig(std::path::Path::new(&path))
        .expect("kubeconfig written");
    println!("serving on {}; kubeconfig {path}", mc.url());
    let _ = tokio::signal::ctrl_c().await;
}
