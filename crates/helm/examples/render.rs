//! `cargo run --release -p ferroflux-helm --example render -- CHART [N]`: loads and renders a
//! chart N times in-process (as `helm template rel CHART`) and prints the mean time of each
//! step, for profiling without process start-up.
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let chart = args.next().expect("usage: render CHART [N]");
    let n: u32 = args.next().map_or(20, |s| s.parse().expect("N"));
    let (mut load, mut render) = (Duration::ZERO, Duration::ZERO);
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        let c = ferroflux_helm::load(std::path::Path::new(&chart)).expect("load");
        load += t.elapsed();
        let t = Instant::now();
        let opts = ferroflux_helm::TemplateOptions {
            release_name: "rel".into(),
            ..Default::default()
        };
        let out = ferroflux_helm::template(c, &opts).expect("render");
        render += t.elapsed();
        bytes = out.len();
    }
    println!(
        "load {:?}  render {:?}  ({bytes} bytes out)",
        load / n,
        render / n
    );
}
