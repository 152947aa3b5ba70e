//! `cargo xtask compare helm`: `ferroflux helm template` beside `helm template` (v4.3.1) on
//! the same charts, in one run, as ratios of medians: the golden charts of testdata/helm that
//! render, one application chart, and generated umbrella charts of 10, 50 and 100 subcharts
//! (to show how each scales with the number of subcharts), then any chart directories given
//! on the command line (real-world charts, which cannot be committed here). Each chart is
//! timed 21 times per tool, the tools taking turns.

use crate::compare::{medians_interleaved, release_binary, row};
use anyhow::Result;
use ferroflux_benches::{generate_umbrella_chart, write_app_subchart};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Cases of testdata/helm that succeed, with their argument lists.
fn golden_cases(root: &Path) -> Result<Vec<(PathBuf, Vec<String>)>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root.join("testdata/helm"))? {
        let dir = e?.path();
        if !dir.join("expected.yaml").is_file() {
            continue;
        }
        let cmd = std::fs::read_to_string(dir.join("cmd"))?;
        out.push((dir, crate::goldens::helm::split_args(&cmd)?));
    }
    out.sort();
    Ok(out)
}

fn run_all(bin: &Path, prefix: &[&str], cases: &[(PathBuf, Vec<String>)]) -> Result<()> {
    for (dir, args) in cases {
        let st = Command::new(bin)
            .args(prefix)
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .env(
                "HELM_CACHE_HOME",
                std::env::temp_dir().join("xtask-helm-cache"),
            )
            .status()?;
        if !st.success() {
            anyhow::bail!("{} failed on {}", bin.display(), dir.display());
        }
    }
    Ok(())
}

pub fn helm(root: &Path, extra: &[String]) -> Result<()> {
    let ferroflux = release_binary(root)?;
    let helm = crate::oracles::helm();
    let work = tempfile::tempdir()?;
    println!("| chart | ferroflux | helm template | speed-up (helm time / ferroflux time) |");
    println!("|---|---|---|---|");
    let cases = golden_cases(root)?;
    // Whole-corpus timing: every golden chart once per run.
    let t = |bin: &Path, prefix: &'static [&'static str]| -> Result<std::time::Duration> {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = std::time::Instant::now();
            run_all(bin, prefix, &cases)?;
            times.push(start.elapsed());
        }
        times.sort();
        Ok(times[1])
    };
    let ours = t(&ferroflux, &["helm", "template"])?;
    let theirs = t(&helm, &["template"])?;
    row(
        &format!(
            "{} golden charts of testdata/helm, one after another",
            cases.len()
        ),
        ours,
        theirs,
        "helm v4.3.1",
    );
    let app = work.path().join("app");
    write_app_subchart(&app, "app")?;
    std::fs::write(
        app.join("values.yaml"),
        "global: {registry: r, env: e}\nreplicaCount: 1\nimage: {repository: app, tag: \"\"}\nservice: {type: ClusterIP, port: 80}\nresources: {}\nconfig: {A: b}\nautoscaling: {enabled: true, minReplicas: 1, maxReplicas: 5, targetCPU: 80}\npodAnnotations: {}\n",
    )?;
    let mut inputs = vec![("one application chart (5 templates)".to_string(), app)];
    for n in [10, 50, 100] {
        let dir = work.path().join(format!("umbrella-{n}"));
        generate_umbrella_chart(&dir, n)?;
        inputs.push((
            format!("umbrella chart, {n} subcharts ({} objects)", 1 + 5 * n),
            dir,
        ));
    }
    for dir in extra {
        let dir = std::fs::canonicalize(dir)?;
        inputs.push((format!("`{}`", dir.display()), dir));
    }
    for (name, dir) in inputs {
        let (ours, theirs) = medians_interleaved(
            21,
            || {
                let mut c = Command::new(&ferroflux);
                c.args(["helm", "template", "rel"]).arg(&dir);
                c
            },
            || {
                let mut c = Command::new(&helm);
                c.args(["template", "rel"]).arg(&dir);
                c
            },
        )?;
        row(&name, ours, theirs, "helm v4.3.1");
    }
    Ok(())
}
