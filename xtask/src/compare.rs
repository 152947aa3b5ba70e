//! `cargo xtask compare artifact`: ferroflux beside the reference tools on the same inputs, in
//! one run, as ratios (medians of several runs each; a release build of ferroflux).
//!
//! - artifact build vs `tar -czf` (GNU tar + gzip -6) on a 500-file manifests tree and on
//!   10,000 files / ~100 MB;
//! - a shallow Git fetch (`ferroflux source git`) vs `git clone --depth 1` from the local
//!   smart-HTTP server.

use crate::servers;
use crate::sh::run;
use anyhow::{Context, Result, bail};
use ferroflux_benches::generate_manifest_tree;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

pub fn run_compare(root: &Path, what: &[String]) -> Result<()> {
    match what.first().map(String::as_str) {
        Some("artifact") => artifact(root),
        Some("helm") => crate::compare_helm::helm(root, &what[1..]),
        Some("bucket") => crate::compare_bucket::bucket(root),
        Some("kustomize") => crate::compare_kustomize::kustomize(root),
        other => bail!("compare what? {other:?}; available: artifact, bucket, helm, kustomize"),
    }
}

pub(crate) fn release_binary(root: &Path) -> Result<PathBuf> {
    eprintln!("xtask: building ferroflux (release)");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args(["build", "--release", "-q", "-p", "ferroflux"]),
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/ferroflux"))
}

/// The median wall time of `RUNS` runs of `cmd` (after `prepare`, which is not timed).
pub(crate) fn median(
    mut cmd: impl FnMut() -> Command,
    mut prepare: impl FnMut(),
) -> Result<Duration> {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        prepare();
        let mut c = cmd();
        let start = Instant::now();
        run(&mut c)?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times[RUNS / 2])
}

/// Medians of `runs` runs of each command, the two taking turns, so that this VM's drift
/// over a minute (a third of the speed, either way) weighs on both alike.
pub(crate) fn medians_interleaved(
    runs: usize,
    mut ours: impl FnMut() -> Command,
    mut theirs: impl FnMut() -> Command,
) -> Result<(Duration, Duration)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        for (cmd, times) in [
            (&mut ours as &mut dyn FnMut() -> Command, &mut a),
            (&mut theirs, &mut b),
        ] {
            let mut c = cmd();
            let start = Instant::now();
            run(&mut c)?;
            times.push(start.elapsed());
        }
    }
    a.sort();
    b.sort();
    Ok((a[runs / 2], b[runs / 2]))
}

pub(crate) fn row(name: &str, ours: Duration, theirs: Duration, reference: &str) {
    println!(
        "| {name} | {:.1} ms | {:.1} ms ({reference}) | {:.2}x |",
        ours.as_secs_f64() * 1e3,
        theirs.as_secs_f64() * 1e3,
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

fn artifact(root: &Path) -> Result<()> {
    let ferroflux = release_binary(root)?;
    let work = tempfile::tempdir()?;
    println!("| input | ferroflux | reference | speed-up (reference time / ferroflux time) |");
    println!("|---|---|---|---|");
    for (name, files, size) in [
        ("500 manifests (1 MB)", 500, 2_000),
        ("10,000 files (100 MB)", 10_000, 10_000),
    ] {
        let tree = work.path().join(format!("tree-{files}"));
        generate_manifest_tree(&tree, files, size)?;
        let out = work.path().join("out.tar.gz");
        let ours = median(
            || {
                let mut c = Command::new(&ferroflux);
                c.args(["artifact", "build"]).arg(&tree).arg("-o").arg(&out);
                c
            },
            || {},
        )?;
        let theirs = median(
            || {
                let mut c = Command::new("tar");
                c.arg("-czf").arg(&out).arg("-C").arg(&tree).arg(".");
                c
            },
            || {},
        )?;
        row(name, ours, theirs, "tar -czf");
    }
    shallow_clone(&ferroflux, work.path())?;
    Ok(())
}

/// A repository of 500 manifests with 30 commits of history, fetched shallow both ways.
fn shallow_clone(ferroflux: &Path, work: &Path) -> Result<()> {
    let srv = servers::start_only(&["git-http"])?;
    let env = |k: &str| {
        srv.env()
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .with_context(|| format!("{k} not set by the servers"))
    };
    let git_root = PathBuf::from(env("TEST_GIT_ROOT")?);
    let src = work.join("history");
    generate_manifest_tree(&src, 500, 2_000)?;
    let git = |dir: &Path, args: &[&str]| {
        let mut c = servers::git_command(dir);
        c.args(args);
        run(&mut c).map(|_| ())
    };
    git(&src, &["init", "-q", "-b", "main"])?;
    for i in 0..30 {
        std::fs::write(
            src.join(format!("apps/change-{i}.yaml")),
            format!("kind: ConfigMap\n# {i}\n"),
        )?;
        git(&src, &["add", "-A"])?;
        git(&src, &["commit", "-q", "-m", &format!("change {i}")])?;
    }
    git(
        &git_root,
        &["init", "-q", "--bare", "-b", "main", "bench.git"],
    )?;
    git(
        &src,
        &[
            "push",
            "-q",
            git_root.join("bench.git").to_str().unwrap_or_default(),
            "main",
        ],
    )?;
    run(Command::new("chown")
        .args(["-R", "git:"])
        .arg(git_root.join("bench.git")))?;
    let url = format!("{}/bench.git", env("TEST_GIT_HTTP_URL")?);
    let clone_dir = work.join("clone");
    let ours = median(
        || {
            let mut c = Command::new(ferroflux);
            c.args(["source", "git", &url, "--branch", "main"]);
            c
        },
        || {},
    )?;
    let theirs = median(
        || {
            let mut c = servers::git_command(work);
            c.args(["clone", "-q", "--depth", "1", &url])
                .arg(&clone_dir);
            c
        },
        || {
            let _ = std::fs::remove_dir_all(&clone_dir);
        },
    )?;
    row(
        "shallow Git fetch, 500 files, 30 commits",
        ours,
        theirs,
        "git clone --depth 1",
    );
    drop(srv);
    Ok(())
}
