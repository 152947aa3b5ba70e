//! Two OCI registries (distribution 2.8, Debian's docker-registry): plain HTTP and anonymous;
//! TLS with htpasswd (bcrypt) basic auth.

use super::{Servers, TEST_PASSWORD, TEST_USER, free_port, http_ok, tcp_open};
use crate::sh::stdout;
use anyhow::Result;
use std::process::Command;
use std::time::Duration;

pub fn start(s: &mut Servers) -> Result<()> {
    let (plain, authed) = (free_port()?, free_port()?);
    let d = s.state.join("registry");
    std::fs::create_dir_all(d.join("data"))?;
    std::fs::create_dir_all(d.join("data-auth"))?;
    let htpasswd = stdout(Command::new("htpasswd").args(["-Bbn", TEST_USER, TEST_PASSWORD]))?;
    std::fs::write(d.join("htpasswd"), format!("{htpasswd}\n"))?;
    let tls = s.state.join("tls");
    std::fs::write(
        d.join("config.yml"),
        format!(
            "version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\nstorage:\n  filesystem: {{rootdirectory: {d}/data}}\n  delete: {{enabled: true}}\nhttp: {{addr: \"127.0.0.1:{plain}\", secret: testsrv}}\n",
            d = d.display()
        ),
    )?;
    std::fs::write(
        d.join("config-auth.yml"),
        format!(
            "version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\nstorage:\n  filesystem: {{rootdirectory: {d}/data-auth}}\n  delete: {{enabled: true}}\nauth:\n  htpasswd: {{realm: testsrv, path: {d}/htpasswd}}\nhttp:\n  addr: \"127.0.0.1:{authed}\"\n  secret: testsrv\n  tls: {{certificate: {t}/tls.crt, key: {t}/tls.key}}\n",
            d = d.display(),
            t = tls.display()
        ),
    )?;
    s.spawn(
        "registry",
        Command::new("docker-registry")
            .arg("serve")
            .arg(d.join("config.yml")),
    )?;
    s.spawn(
        "registry-auth",
        Command::new("docker-registry")
            .arg("serve")
            .arg(d.join("config-auth.yml")),
    )?;
    s.wait("registry", Duration::from_secs(20), || {
        http_ok(plain, "/v2/")
    })?;
    s.wait("registry-auth", Duration::from_secs(20), || {
        tcp_open(authed)
    })?;
    s.set("TEST_OCI_HOST", format!("127.0.0.1:{plain}"));
    s.set("TEST_OCI_AUTH_HOST", format!("127.0.0.1:{authed}"));
    Ok(())
}
