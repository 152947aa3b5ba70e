//! `kustomize build` in-process (load + accumulate + transform + name references + sort +
//! print): the largest golden cases of testdata/kustomize, and generated overlay stacks of
//! 2,000 resources, 20 levels and 100 patches (plus 500 and 1,000 resources, to see the
//! scaling).

use criterion::{Criterion, criterion_group, criterion_main};
use ferroflux_benches::generate_kustomize_overlay;
use ferroflux_kustomize::{BuildOptions, build, to_yaml};
use std::path::Path;

/// The golden cases with the most output, with the options their `flags` file asks for.
const GOLDEN_CASES: &[(&str, &str, bool)] = &[
    // (case, build target inside it, --enable-helm)
    ("app-overlay", "overlays/prod", false),
    ("build-metadata-transformers", ".", false),
    ("helm-hooks-tests", ".", true),
    ("helm-namespace", ".", true),
];

fn bench(c: &mut Criterion) {
    let goldens = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/kustomize");
    for (case, target, helm) in GOLDEN_CASES {
        let dir = goldens.join(case).join(target);
        let opts = BuildOptions {
            enable_helm: *helm,
            ..Default::default()
        };
        c.bench_function(&format!("kustomize build: golden {case}"), |b| {
            b.iter(|| to_yaml(&build(&dir, &opts).expect("build")))
        });
    }
    let work = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("kustomize build: overlay, 20 levels, 100 patches");
    group.sample_size(10);
    for n in [500, 1_000, 2_000] {
        let dir = generate_kustomize_overlay(&work.path().join(format!("overlay-{n}")), n, 20, 100)
            .expect("overlay");
        let opts = BuildOptions::default();
        group.bench_function(format!("{n} resources"), |b| {
            b.iter(|| to_yaml(&build(&dir, &opts).expect("build")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
