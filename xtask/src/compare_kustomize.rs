//! `cargo xtask compare kustomize`: `ferroflux kustomize build` beside `kubectl kustomize`
//! (kubectl v1.37.1, kustomize v5.8.1) on the same trees, in one run, as ratios of medians:
//!
//! - (a) every golden case of testdata/kustomize that succeeds, one after another;
//! - (b) ordinary overlays: two golden ones and two generated stacks of modest size;
//! - (c) the generated large overlay: 2,000 resources, 20 levels, 100 patches;
//! - (d) that overlay at 500, 1,000 and 2,000 resources, with the time per 100 resources, to
//!   show whether each tool is linear in the number of resources.
//!
//! Each generated tree is also checked to print the same bytes with both tools.

use crate::compare::{release_binary, row};
use crate::sh::run;
use anyhow::{Result, bail};
use ferroflux_benches::generate_kustomize_overlay;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs per measurement when they are quick.
const RUNS: usize = 5;
/// kubectl needs minutes on the large overlays: stop repeating once a measurement has used
/// this much time (at least one run is always made).
const BUDGET: Duration = Duration::from_secs(60);

/// A golden case that succeeds: its directory, build target and extra flags.
struct Case {
    dir: PathBuf,
    target: String,
    flags: Vec<String>,
}

fn golden_cases(root: &Path) -> Result<Vec<Case>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root.join("testdata/kustomize"))? {
        let dir = e?.path();
        if !dir.join("expected.yaml").is_file() {
            continue;
        }
        let target = std::fs::read_to_string(dir.join("target"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| ".".into());
        let flags = std::fs::read_to_string(dir.join("flags"))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        out.push(Case { dir, target, flags });
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(out)
}

/// `ferroflux kustomize build` or `kubectl kustomize` on one case (kubectl renders charts
/// with the reference helm, as the goldens were made).
fn command(bin: &Path, kubectl: bool, case: &Case) -> Command {
    let mut c = Command::new(bin);
    if kubectl {
        c.arg("kustomize");
    } else {
        c.args(["kustomize", "build"]);
    }
    c.arg(&case.target).args(&case.flags).current_dir(&case.dir);
    if kubectl && case.flags.iter().any(|f| f == "--enable-helm") {
        c.arg("--helm-command").arg(crate::oracles::helm());
    }
    c
}

fn run_all(bin: &Path, kubectl: bool, cases: &[Case]) -> Result<()> {
    for case in cases {
        let st = command(bin, kubectl, case)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !st.success() {
            bail!("{} failed on {}", bin.display(), case.dir.display());
        }
    }
    Ok(())
}

/// The median of up to `RUNS` timings of `f`, fewer (an odd number) once `BUDGET` is spent;
/// and how many runs.
fn median_within(mut f: impl FnMut() -> Result<()>) -> Result<(Duration, usize)> {
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < RUNS && (times.len() % 2 == 0 || started.elapsed() < BUDGET) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], times.len()))
}

/// Times both tools on one tree and checks that they print the same bytes (kubectl's first
/// timed run gives its output: on the large trees one run takes minutes).
fn compare_tree(
    ferroflux: &Path,
    kubectl: &Path,
    case: &Case,
) -> Result<(Duration, Duration, usize)> {
    let ours_out = run(&mut command(ferroflux, false, case))?.stdout;
    let (ours, _) = median_within(|| run(&mut command(ferroflux, false, case)).map(|_| ()))?;
    let mut theirs_out = None;
    let (theirs, n) = median_within(|| {
        let out = run(&mut command(kubectl, true, case))?.stdout;
        theirs_out.get_or_insert(out);
        Ok(())
    })?;
    if theirs_out.as_ref() != Some(&ours_out) {
        eprintln!(
            "xtask: warning: ferroflux and kubectl print different output for {}",
            case.dir.join(&case.target).display()
        );
    }
    Ok((ours, theirs, n))
}

fn generated(work: &Path, resources: usize, levels: usize, patches: usize) -> Result<Case> {
    let root = work.join(format!("overlay-{resources}-{levels}-{patches}"));
    let top = generate_kustomize_overlay(&root, resources, levels, patches)?;
    Ok(Case {
        dir: top,
        target: ".".into(),
        flags: Vec::new(),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn kustomize(root: &Path) -> Result<()> {
    let ferroflux = release_binary(root)?;
    let kubectl = crate::oracles::kubectl();
    let work = tempfile::tempdir()?;
    println!(
        "| input | ferroflux | kubectl kustomize | speed-up (kubectl time / ferroflux time) |"
    );
    println!("|---|---|---|---|");
    let reference = "kubectl v1.37.1";

    // (a) Whole-corpus timing: every golden case once per run.
    let cases = golden_cases(root)?;
    let (ours, _) = median_within(|| run_all(&ferroflux, false, &cases))?;
    let (theirs, _) = median_within(|| run_all(&kubectl, true, &cases))?;
    row(
        &format!(
            "{} golden cases of testdata/kustomize, one after another",
            cases.len()
        ),
        ours,
        theirs,
        reference,
    );

    // (b) Ordinary overlays.
    let golden = |name: &str| cases.iter().find(|c| c.dir.ends_with(name));
    let mut ordinary: Vec<(String, Case)> = Vec::new();
    for (name, label) in [
        (
            "app-overlay",
            "golden app-overlay (base + prod overlay, generator, patches; 10 objects)",
        ),
        (
            "components",
            "golden components (base + overlay + components)",
        ),
    ] {
        if let Some(c) = golden(name) {
            ordinary.push((
                label.to_string(),
                Case {
                    dir: c.dir.clone(),
                    target: c.target.clone(),
                    flags: c.flags.clone(),
                },
            ));
        }
    }
    ordinary.push((
        "overlay: 20 resources, 2 levels, 5 patches".into(),
        generated(work.path(), 20, 2, 5)?,
    ));
    ordinary.push((
        "overlay: 100 resources, 3 levels, 10 patches".into(),
        generated(work.path(), 100, 3, 10)?,
    ));
    for (label, case) in &ordinary {
        let (ours, theirs, _) = compare_tree(&ferroflux, &kubectl, case)?;
        row(label, ours, theirs, reference);
    }

    // (c) and (d): the large overlay, and the same shape at fewer resources.
    let mut scaling = Vec::new();
    for n in [500, 1_000, 2_000] {
        let case = generated(work.path(), n, 20, 100)?;
        let (ours, theirs, runs) = compare_tree(&ferroflux, &kubectl, &case)?;
        row(
            &format!("overlay: {n} resources, 20 levels, 100 patches (kubectl: {runs} runs)"),
            ours,
            theirs,
            reference,
        );
        scaling.push((n, ours, theirs));
    }
    println!();
    println!(
        "| resources | ferroflux | per 100 resources | kubectl kustomize | per 100 resources |"
    );
    println!("|---|---|---|---|---|");
    for (n, ours, theirs) in scaling {
        let per = |d: Duration| ms(d) * 100.0 / n as f64;
        println!(
            "| {n} | {:.1} ms | {:.2} ms | {:.1} ms | {:.1} ms |",
            ms(ours),
            per(ours),
            ms(theirs),
            per(theirs)
        );
    }
    Ok(())
}
