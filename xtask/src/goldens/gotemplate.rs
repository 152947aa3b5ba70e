//! Goldens for crates/gotemplate (see testdata/gotemplate/README.md).
//!
//! Every case `testdata/gotemplate/<group>/<name>.tpl` (data: optional `<name>.json`) is run by
//! - `gotmpl-oracle` (Go text/template + Sprig, built by shared/tools/build-gotmpl-oracle.sh)
//!   into `<name>.go.out` or `<name>.go.err`;
//! - the reference helm, through a throwaway chart whose `templates/_case.tpl` is the case and
//!   whose ConfigMap holds `include "case/templates/_case.tpl" .Values | b64enc`, into
//!   `<name>.helm.out` (with `<no value>` erased, as Helm does to rendered files) or
//!   `<name>.helm.err`.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn oracle() -> Result<PathBuf> {
    let bin = crate::oracles::bin_dir().join("gotmpl-oracle");
    if bin.exists() {
        return Ok(bin);
    }
    let script = [
        "../shared/tools/build-gotmpl-oracle.sh",
        "/work/shared/tools/build-gotmpl-oracle.sh",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .context("gotmpl-oracle missing and build-gotmpl-oracle.sh not found")?;
    let st = Command::new("bash").arg(&script).arg(&bin).status()?;
    if !st.success() {
        bail!("building gotmpl-oracle failed");
    }
    Ok(bin)
}

fn b64decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_default()
}

fn write_result(dir: &Path, stem: &str, mode: &str, ok: bool, body: &[u8]) -> Result<()> {
    let (keep, drop) = if ok { ("out", "err") } else { ("err", "out") };
    std::fs::write(dir.join(format!("{stem}.{mode}.{keep}")), body)?;
    let _ = std::fs::remove_file(dir.join(format!("{stem}.{mode}.{drop}")));
    Ok(())
}

fn run_go(bin: &Path, dir: &Path, stem: &str) -> Result<()> {
    let mut cmd = Command::new(bin);
    // The template name Go prints in messages is the path given; keep it stable.
    cmd.current_dir(dir).arg(format!("{stem}.tpl"));
    if dir.join(format!("{stem}.json")).exists() {
        cmd.arg(format!("{stem}.json"));
    }
    cmd.env("TZ", "UTC");
    let out = cmd.output()?;
    if out.status.success() {
        write_result(dir, stem, "go", true, &out.stdout)
    } else {
        write_result(dir, stem, "go", false, &out.stderr)
    }
}

const CHART: &str = "apiVersion: v2\nname: case\nversion: 0.1.0\n";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: case\ndata:\n  out: {{ include \"case/templates/_case.tpl\" .Values | b64enc | quote }}\n";

fn run_helm(helm: &Path, work: &Path, dir: &Path, stem: &str) -> Result<()> {
    let chart = work.join("case");
    let _ = std::fs::remove_dir_all(&chart);
    std::fs::create_dir_all(chart.join("templates"))?;
    std::fs::write(chart.join("Chart.yaml"), CHART)?;
    std::fs::write(chart.join("templates/cm.yaml"), CM)?;
    std::fs::copy(
        dir.join(format!("{stem}.tpl")),
        chart.join("templates/_case.tpl"),
    )?;
    let mut cmd = Command::new(helm);
    cmd.current_dir(work).args(["template", "case", "./case"]);
    let data = dir.join(format!("{stem}.json"));
    if data.exists() {
        cmd.arg("-f").arg(&data);
    }
    cmd.env("TZ", "UTC")
        .env("HELM_CACHE_HOME", work.join("cache"))
        .env("HELM_CONFIG_HOME", work.join("config"));
    let out = cmd.output()?;
    if !out.status.success() {
        return write_result(dir, stem, "helm", false, &out.stderr);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(line) = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("out: "))
    else {
        bail!("{stem}: no output line in helm's render:\n{text}");
    };
    let decoded = b64decode(line.trim_matches('"'));
    let s = String::from_utf8_lossy(&decoded).replace("<no value>", "");
    write_result(dir, stem, "helm", true, s.as_bytes())
}

pub fn regenerate(root: &Path) -> Result<()> {
    let base = root.join("testdata/gotemplate");
    let go = oracle()?;
    let helm = crate::oracles::helm();
    let mut cases: Vec<(PathBuf, String)> = Vec::new();
    for g in std::fs::read_dir(&base)? {
        let g = g?.path();
        if !g.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&g)? {
            let name = f?.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".tpl") {
                cases.push((g.clone(), stem.to_string()));
            }
        }
    }
    cases.sort();
    let workers = 3;
    let chunks: Vec<Vec<(PathBuf, String)>> = (0..workers)
        .map(|w| cases.iter().skip(w).step_by(workers).cloned().collect())
        .collect();
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(w, chunk)| {
                let (go, helm) = (go.clone(), helm.clone());
                s.spawn(move || -> Result<()> {
                    let work =
                        std::env::temp_dir().join(format!("ferroflux-gotemplate-goldens-{w}"));
                    std::fs::create_dir_all(&work)?;
                    for (dir, stem) in chunk {
                        run_go(&go, &dir, &stem)?;
                        run_helm(&helm, &work, &dir, &stem)?;
                    }
                    let _ = std::fs::remove_dir_all(&work);
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("worker panicked")))
            })
            .collect()
    });
    for r in results {
        r?;
    }
    let helm_version = Command::new(&helm).args(["version", "--short"]).output()?;
    eprintln!(
        "gotemplate goldens: {} cases; helm {}",
        cases.len(),
        String::from_utf8_lossy(&helm_version.stdout).trim()
    );
    Ok(())
}
