//! `helm template` rendering in-process: one application chart and umbrella charts of 10 and
//! 50 subcharts (load + dependencies + values + render + ordering).

use criterion::{Criterion, criterion_group, criterion_main};
use ferroflux_benches::{generate_umbrella_chart, write_app_subchart};
use ferroflux_helm::{TemplateOptions, load, template};

fn bench(c: &mut Criterion) {
    let work = tempfile::tempdir().expect("tempdir");
    let opts = TemplateOptions {
        release_name: "bench".into(),
        namespace: "default".into(),
        ..Default::default()
    };
    let app = work.path().join("app");
    write_app_subchart(&app, "app").expect("chart");
    std::fs::write(app.join("values.yaml"), "replicaCount: 1\nglobal:\n  registry: r\n  env: e\nimage:\n  repository: app\n  tag: \"\"\nservice:\n  type: ClusterIP\n  port: 80\nresources: {}\nconfig: {A: b}\nautoscaling:\n  enabled: true\n  minReplicas: 1\n  maxReplicas: 5\n  targetCPU: 80\npodAnnotations: {}\n").expect("values");
    c.bench_function("helm template: one application chart", |b| {
        b.iter(|| template(load(&app).expect("load"), &opts).expect("render"))
    });
    for n in [10, 50] {
        let dir = work.path().join(format!("umbrella-{n}"));
        generate_umbrella_chart(&dir, n).expect("chart");
        c.bench_function(&format!("helm template: umbrella, {n} subcharts"), |b| {
            b.iter(|| template(load(&dir).expect("load"), &opts).expect("render"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
