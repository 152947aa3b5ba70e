//! Real servers on 127.0.0.1 for integration tests, with state in one temp dir.
//! Their endpoints reach the tests as `TEST_*` environment variables (listed in xtask/README.md).
//! Every process runs in its own process group and is stopped when [`Servers`] is dropped,
//! so a failing test run never leaves a server behind.

mod git;
pub use git::git as git_command;
mod helmrepo;
mod nginx;
mod objects;
mod registry;
mod sshd;
mod tls;

use anyhow::{Context, Result, bail};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One test user and password for every basic-auth endpoint (git HTTP, helm repo, OCI registry).
pub const TEST_USER: &str = "flux";
pub const TEST_PASSWORD: &str = "fluxpass123";

/// The running servers; dropping it stops them all.
pub struct Servers {
    pub state: PathBuf,
    children: Vec<(String, Child)>,
    env: Vec<(String, String)>,
    keep_state: bool,
}

impl Servers {
    fn new() -> Result<Self> {
        let state = std::env::temp_dir().join(format!("ferroflux-testsrv.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(state.join("logs"))?;
        // Servers running as other users (git, nobody) must reach their files below it.
        set_mode(&state, 0o755)?;
        Ok(Servers {
            state,
            children: Vec::new(),
            env: Vec::new(),
            keep_state: std::env::var_os("FERROFLUX_KEEP_TESTSRV").is_some(),
        })
    }

    /// The variables handed to the tests.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    fn set(&mut self, key: &str, value: impl Into<String>) {
        self.env.push((key.to_string(), value.into()));
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Starts `cmd` detached in its own process group, output to logs/NAME.log.
    fn spawn(&mut self, name: &str, cmd: &mut Command) -> Result<()> {
        let log = std::fs::File::create(self.log_path(name))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {name}: {cmd:?}"))?;
        self.children.push((name.to_string(), child));
        Ok(())
    }

    fn log_path(&self, name: &str) -> PathBuf {
        self.state.join("logs").join(format!("{name}.log"))
    }

    /// Polls `ready` until it holds; on timeout fails with the tail of the server's log.
    fn wait(&mut self, name: &str, timeout: Duration, ready: impl Fn() -> bool) -> Result<()> {
        let start = Instant::now();
        while !ready() {
            if let Some((_, child)) = self.children.iter_mut().find(|(n, _)| n == name)
                && let Ok(Some(status)) = child.try_wait()
            {
                bail!("{name} exited ({status}):\n{}", self.log_tail(name));
            }
            if start.elapsed() > timeout {
                bail!(
                    "{name} not ready after {}s:\n{}",
                    timeout.as_secs(),
                    self.log_tail(name)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("xtask: {name} ready in {} ms", start.elapsed().as_millis());
        Ok(())
    }

    fn log_tail(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.log_path(name)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Writes `export KEY='value'` lines, for a shell that wants the same endpoints.
    pub fn write_env_file(&self, path: &Path) -> Result<()> {
        let mut text = String::new();
        for (k, v) in &self.env {
            text.push_str(&format!("export {k}='{}'\n", v.replace('\'', r"'\''")));
        }
        std::fs::write(path, text)?;
        Ok(())
    }

    fn stop(&mut self) {
        for (_, child) in &self.children {
            signal_group(child.id(), "TERM");
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        for (name, child) in &mut self.children {
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    Ok(None) => {
                        // azurite sometimes logs that it closed and keeps running.
                        eprintln!("xtask: {name} still running after SIGTERM; SIGKILL");
                        signal_group(child.id(), "KILL");
                        let _ = child.wait();
                        break;
                    }
                }
            }
        }
        self.children.clear();
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop();
        if self.keep_state {
            eprintln!("xtask: test server state kept in {}", self.state.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.state);
        }
    }
}

fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pid}"))
        .stderr(Stdio::null())
        .status();
}

/// The servers `start` starts: all of them, or those `FERROFLUX_TESTSRV_ONLY` names (space
/// separated).
fn wanted_from_env() -> Vec<String> {
    match std::env::var("FERROFLUX_TESTSRV_ONLY") {
        Ok(only) if !only.trim().is_empty() => {
            only.split_whitespace().map(str::to_string).collect()
        }
        _ => ALL.iter().map(|s| s.to_string()).collect(),
    }
}

const ALL: &[&str] = &[
    "git-http", "git-ssh", "registry", "s3", "azurite", "helmrepo",
];

/// Starts every server (or those `FERROFLUX_TESTSRV_ONLY` names).
pub fn start() -> Result<Servers> {
    start_only(&wanted_from_env())
}

/// Starts the named servers (git-http, git-ssh, registry, s3, azurite, helmrepo).
pub fn start_only<S: AsRef<str>>(names: &[S]) -> Result<Servers> {
    let wanted = |name: &str| names.iter().any(|n| n.as_ref() == name);
    let mut s = Servers::new()?;
    s.set("TESTSRV_STATE", s.state.display().to_string());
    s.set("TEST_HTTP_USER", TEST_USER);
    s.set("TEST_HTTP_PASSWORD", TEST_PASSWORD);
    tls::make(&mut s)?;
    if wanted("git-http") || wanted("git-ssh") {
        git::make_root(&mut s)?;
    }
    if wanted("git-http") || wanted("helmrepo") {
        nginx::start(&mut s)?;
    }
    if wanted("helmrepo") {
        helmrepo::make(&mut s)?;
    }
    if wanted("git-ssh") {
        sshd::start(&mut s)?;
    }
    if wanted("registry") {
        registry::start(&mut s)?;
    }
    if wanted("s3") {
        objects::start_s3(&mut s)?;
    }
    if wanted("azurite") {
        objects::start_azurite(&mut s)?;
    }
    Ok(s)
}

/// A free TCP port on 127.0.0.1 (the listener is closed before the server binds it).
fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("bind 127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn tcp_open(port: u16) -> bool {
    TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// A plain-HTTP GET on loopback answering 2xx (a tiny client: the servers are ours).
fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    ) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    if stream.read_exact(&mut head).is_err() {
        return false;
    }
    head.starts_with(b"HTTP/1.") && head[9] == b'2'
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

/// chown -R to the `git` user, so git-http-backend and sshd's git can write pushed objects.
fn chown_git(path: &Path) -> Result<()> {
    crate::sh::run(Command::new("chown").args(["-R", "git:"]).arg(path))?;
    Ok(())
}
