//! Artifact building throughput: a typical 500-file manifests tree, and 10,000 files / ~100 MB.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferroflux_benches::generate_manifest_tree;
use ferroflux_source::artifact::write_archive;
use ferroflux_source::ignore::Matcher;

fn tree_bytes(root: &std::path::Path) -> u64 {
    fn walk(p: &std::path::Path, total: &mut u64) {
        for e in std::fs::read_dir(p).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                walk(&e.path(), total);
            } else {
                *total += m.len();
            }
        }
    }
    let mut total = 0;
    walk(root, &mut total);
    total
}

fn bench_artifacts(c: &mut Criterion) {
    let matcher = Matcher::for_source(Vec::new());
    let mut group = c.benchmark_group("artifact_build");
    group.sample_size(10);
    for (name, files, size) in [
        ("500_manifests", 500, 2_000),
        ("10k_files_100MB", 10_000, 10_000),
    ] {
        let dir = tempfile::tempdir().unwrap();
        generate_manifest_tree(dir.path(), files, size).unwrap();
        group.throughput(Throughput::Bytes(tree_bytes(dir.path())));
        group.bench_function(name, |b| {
            b.iter(|| write_archive(dir.path(), &matcher, std::io::sink()).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_artifacts);
criterion_main!(benches);
