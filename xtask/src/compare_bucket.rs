//! `cargo xtask compare bucket`: a Bucket of 5,000 objects (listing, download, artifact build)
//! from the local S3 server (s3s-fs), through `ferroflux source bucket`, as the median of several
//! runs. No reference tool is installed for S3, so the row is an absolute time.

use crate::compare::{median, release_binary};
use crate::servers;
use anyhow::{Context, Result};
use ferroflux_benches::generate_manifest_tree;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn bucket(root: &Path) -> Result<()> {
    let ferroflux = release_binary(root)?;
    let srv = servers::start_only(&["s3"])?;
    let env = |k: &str| {
        srv.env()
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .with_context(|| format!("{k} not set by the servers"))
    };
    // s3s-fs serves a bucket from a directory of the same name.
    let data = PathBuf::from(env("TEST_S3_DATA_DIR")?);
    let bucket = "bench5000";
    let dir = data.join(bucket);
    let _ = std::fs::remove_dir_all(&dir);
    generate_manifest_tree(&dir, 5_000, 2_000)?;
    let size: u64 = walk_size(&dir)?;
    let work = tempfile::tempdir()?;
    let artifact = work.path().join("bucket.tar.gz");
    let endpoint = env("TEST_S3_ENDPOINT")?;
    let (key, secret) = (env("TEST_S3_ACCESS_KEY")?, env("TEST_S3_SECRET_KEY")?);
    let full = median(
        || {
            let mut c = Command::new(&ferroflux);
            c.args(["source", "bucket", "--provider", "generic", "--insecure"])
                .args(["--endpoint", &endpoint, "--bucket", bucket])
                .args(["--access-key", &key, "--secret-key", &secret])
                .arg("--artifact")
                .arg(&artifact);
            c
        },
        || {},
    )?;
    println!("| input | ferroflux source bucket |");
    println!("|---|---|");
    println!(
        "| 5,000 objects ({:.1} MB): list, download, artifact | {:.0} ms ({:.0} objects/s) |",
        size as f64 / 1e6,
        full.as_secs_f64() * 1e3,
        5_000.0 / full.as_secs_f64()
    );
    drop(srv);
    Ok(())
}

fn walk_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        total += if m.is_dir() {
            walk_size(&e.path())?
        } else {
            m.len()
        };
    }
    Ok(total)
}
