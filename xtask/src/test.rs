//! `cargo xtask test [CARGO TEST ARGS…]`: installs what is missing, starts the real servers,
//! runs every test of the workspace (server tests included), and stops the servers even when
//! tests fail.

use crate::{install, servers};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};

pub fn run(root: &Path, extra: &[String]) -> Result<()> {
    one_tls_provider(root)?;
    install::ensure_all()?;
    let servers = servers::start()?;
    servers.write_env_file(&servers.state.join("env"))?;
    eprintln!(
        "xtask: servers up; endpoints in {}",
        servers.state.join("env").display()
    );
    let (cargo_args, test_args) = split_at_dashes(extra);
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // A CI run builds once from a clean clone: incremental state would never be reused and
    // costs gigabytes of disk (a CI run once died of "No space left on device").
    if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        command.env("CARGO_INCREMENTAL", "0");
    }
    let mut child = command
        .current_dir(root)
        .args(["test", "--workspace"])
        .args(cargo_args)
        .arg("--")
        // Tests that need a server are #[ignore]d for a plain `cargo test`; here they run.
        .arg("--include-ignored")
        .args(test_args)
        .envs(servers.env().iter().map(|(k, v)| (k, v)))
        // Tests that need a server must fail, never skip, when it is missing.
        .env("FERROFLUX_REQUIRE_SERVERS", "1")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run cargo test")?;
    let totals = relay_and_count(child.stdout.take().context("cargo test stdout")?)?;
    let status = child.wait()?;
    drop(servers);
    // One closing line over every test binary (cargo's own last line is often an empty doc-test run).
    println!(
        "tests: {} passed, {} failed, {} skipped",
        totals.passed, totals.failed, totals.ignored
    );
    if !status.success() {
        bail!("tests failed ({status})");
    }
    if totals.passed == 0 {
        bail!("no test ran");
    }
    Ok(())
}

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

/// Copies cargo test's output through and adds up its `test result:` lines.
fn relay_and_count(out: impl std::io::Read) -> Result<Totals> {
    use std::io::{BufRead, Write};
    let mut totals = Totals::default();
    let mut stdout = std::io::stdout().lock();
    for line in std::io::BufReader::new(out).lines() {
        let line = line?;
        writeln!(stdout, "{line}")?;
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(count)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(n) = count.parse::<u64>() else {
                    continue;
                };
                match label {
                    "passed" => totals.passed += n,
                    "failed" => totals.failed += n,
                    "ignored" => totals.ignored += n,
                    _ => {}
                }
            }
        }
    }
    Ok(totals)
}

/// ring is the binary's one rustls provider: a crate that turns on reqwest's or rustls's
/// defaults brings aws-lc-rs back, doubling TLS build time and risking a provider panic.
fn one_tls_provider(root: &Path) -> Result<()> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["tree", "--workspace", "-e", "normal", "-i", "aws-lc-rs"])
        .output()
        .context("cannot run cargo tree")?;
    if out.status.success() {
        bail!(
            "aws-lc-rs is in the dependency tree; ring must stay the only TLS provider:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    Ok(())
}

/// `a b -- c d` → (`a b`, `c d`): cargo's arguments, then the test binaries'.
fn split_at_dashes(args: &[String]) -> (&[String], &[String]) {
    match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[]),
    }
}

/// `cargo xtask servers`: starts the servers for a developer's own test runs, prints the
/// endpoints as `export` lines, and stops them when standard input closes (Ctrl-D).
pub fn serve() -> Result<()> {
    install::ensure_all()?;
    let servers = servers::start()?;
    let env_file = servers.state.join("env");
    servers.write_env_file(&env_file)?;
    print!("{}", std::fs::read_to_string(&env_file)?);
    eprintln!(
        "xtask: servers up (source {}); Ctrl-D stops them",
        env_file.display()
    );
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {
        sink.clear();
    }
    drop(servers);
    Ok(())
}
