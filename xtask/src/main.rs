//! Project automation: `cargo xtask <task>`. See xtask/README.md.

mod compare;
mod compare_bucket;
mod compare_helm;
mod compare_kustomize;
mod goldens;
mod install;
mod oracles;
mod servers;
mod sh;
mod test;

use anyhow::{Result, bail};
use std::path::PathBuf;

const USAGE: &str = "usage: cargo xtask <task>
  test [CARGO ARGS] [-- TEST ARGS]   install what is missing, start the servers, run every test
  servers                            start the servers for manual runs; Ctrl-D stops them
  install                            install the servers and the reference tools only
  goldens [AREA…]                    regenerate goldens with the reference tools
  crds                               write config/crd/*.yaml from the API types
  compare artifact|bucket|helm|kustomize
                                     ferroflux beside the reference tools, as ratios
  compare helm [CHART_DIR…]          …with these charts (say, public ones) timed too
  generate umbrella DIR N            write the benchmarks' umbrella chart of N subcharts
  generate overlay DIR               write the benchmarks' 2,000-resource kustomize overlay";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("test") => test::run(&root, &args[1..]),
        Some("servers") => test::serve(),
        Some("install") => install::ensure_all(),
        Some("goldens") => {
            oracles::ensure()?;
            goldens::regenerate(&root, &args[1..])
        }
        Some("crds") => crds(&root),
        Some("compare") => compare::run_compare(&root, &args[1..]),
        Some("generate") => generate(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n{USAGE}"),
        None => bail!("{USAGE}"),
    }
}

/// Writes a benchmark input where it can be profiled or rendered by hand.
fn generate(args: &[String]) -> Result<()> {
    match args {
        [what, dir, n] if what == "umbrella" => {
            ferroflux_benches::generate_umbrella_chart(std::path::Path::new(dir), n.parse()?)?;
        }
        [what, dir] if what == "overlay" => {
            let target = ferroflux_benches::generate_kustomize_overlay(
                std::path::Path::new(dir),
                2000,
                20,
                100,
            )?;
            println!("{}", target.display());
        }
        _ => bail!("{USAGE}"),
    }
    Ok(())
}

/// Regenerates the CRDs from crates/api (its `write-crds` example owns the rendering).
fn crds(root: &std::path::Path) -> Result<()> {
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "run",
                "--quiet",
                "-p",
                "ferroflux-api",
                "--example",
                "write-crds",
                "--",
            ])
            .arg(root.join("config/crd"))
            .status()?;
    if !status.success() {
        bail!("writing the CRDs failed ({status})");
    }
    Ok(())
}

/// The workspace root: xtask lives one level below it. `cargo run` sets CARGO_MANIFEST_DIR at
/// run time; that wins over the path compiled in, so a binary built from another checkout
/// into a shared target directory still works on the checkout that ran it.
pub fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
