//! sshd serving `ssh://git@127.0.0.1:PORT/repo.git` like a Git host: key-only, and a forced
//! command that allows git fetch and push below the test Git root and nothing else.

use super::{Servers, free_port, tcp_open};
use crate::sh::run;
use anyhow::Result;
use std::process::Command;
use std::time::Duration;

pub fn start(s: &mut Servers) -> Result<()> {
    let port = free_port()?;
    let d = s.state.join("ssh");
    std::fs::create_dir_all(&d)?;
    std::fs::create_dir_all("/run/sshd")?;
    super::set_mode(&d, 0o755)?;
    for (key, comment) in [
        ("host_ed25519", "testsrv-host"),
        ("client_ed25519", "testsrv-client"),
    ] {
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
            .arg(d.join(key)))?;
    }
    std::fs::copy(d.join("client_ed25519.pub"), d.join("authorized_keys"))?;
    super::set_mode(&d.join("authorized_keys"), 0o644)?;
    let host_pub = std::fs::read_to_string(d.join("host_ed25519.pub"))?;
    let host_key: Vec<&str> = host_pub.split_whitespace().take(2).collect();
    std::fs::write(
        d.join("known_hosts"),
        format!("[127.0.0.1]:{port} {}\n", host_key.join(" ")),
    )?;
    let git_root = s.state.join("git");
    let forced = format!(
        r#"#!/bin/sh
set -f
root='{root}'
case "$SSH_ORIGINAL_COMMAND" in
  "git-upload-pack "*|"git-receive-pack "*|"git-upload-archive "*) ;;
  *) echo "testsrv: only git fetch/push allowed" >&2; exit 1 ;;
esac
verb=${{SSH_ORIGINAL_COMMAND%% *}}
arg=${{SSH_ORIGINAL_COMMAND#* }}
arg=${{arg#\'}}; arg=${{arg%\'}}; arg=${{arg#/}}; arg=${{arg#\~/}}
case "$arg" in *..*) echo "testsrv: bad path" >&2; exit 1 ;; esac
exec git -c safe.directory='*' "${{verb#git-}}" "$root/$arg"
"#,
        root = git_root.display()
    );
    std::fs::write(d.join("git-only.sh"), forced)?;
    super::set_mode(&d.join("git-only.sh"), 0o755)?;
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_ed25519\nPidFile {d}/sshd.pid\n\
         AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\nPubkeyAuthentication yes\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nAllowUsers git\n\
         AcceptEnv GIT_PROTOCOL\nForceCommand {d}/git-only.sh\nDisableForwarding yes\nPermitTTY no\n\
         PrintMotd no\nLogLevel INFO\n",
        d = d.display()
    );
    std::fs::write(d.join("sshd_config"), config)?;
    s.spawn(
        "sshd",
        Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config")),
    )?;
    s.wait("sshd", Duration::from_secs(10), || tcp_open(port))?;
    let key = d.join("client_ed25519");
    let known = d.join("known_hosts");
    s.set("TEST_GIT_SSH_URL", format!("ssh://git@127.0.0.1:{port}"));
    s.set("TEST_SSH_PORT", port.to_string());
    s.set("TEST_SSH_KEY", key.display().to_string());
    s.set("TEST_SSH_KNOWN_HOSTS", known.display().to_string());
    s.set(
        "TEST_GIT_SSH_COMMAND",
        format!(
            "ssh -i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o BatchMode=yes",
            key.display(),
            known.display()
        ),
    );
    Ok(())
}
