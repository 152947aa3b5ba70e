//! Criterion benchmarks that span crates (see README.md), and the generated inputs they share
//! with `cargo xtask compare`.

use std::path::Path;

/// Writes a tree of `files` YAML manifests of about `file_size` bytes each, spread over
/// directories of 50 files, with deterministic content.
pub fn generate_manifest_tree(root: &Path, files: usize, file_size: usize) -> std::io::Result<()> {
    for i in 0..files {
        let dir = root.join(format!("apps/team-{:03}", i / 50));
        std::fs::create_dir_all(&dir)?;
        let mut body = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\n  namespace: team-{:03}\ndata:\n",
            i / 50
        );
        let mut n = 0usize;
        while body.len() < file_size {
            // Varied but compressible, like real manifests.
            body.push_str(&format!(
                "  key-{n}: \"value-{}-{}\"\n",
                (i * 7919 + n * 104729) % 100_003,
                n % 17
            ));
            n += 1;
        }
        std::fs::write(dir.join(format!("config-{i}.yaml")), body)?;
    }
    Ok(())
}
