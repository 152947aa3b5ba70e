//! nginx on two ports (HTTP and HTTPS): Git smart HTTP through fcgiwrap + git-http-backend,
//! anonymous under /git and with basic auth under /auth/git; the Helm chart repository under
//! /charts and /auth/charts.

use super::{Servers, TEST_PASSWORD, TEST_USER, free_port, http_ok};
use crate::sh::stdout;
use anyhow::Result;
use std::process::Command;
use std::time::Duration;

pub fn start(s: &mut Servers) -> Result<()> {
    let (http, https) = (free_port()?, free_port()?);
    let n = s.state.join("nginx");
    let charts = s.state.join("charts");
    let run_dir = n.join("run");
    std::fs::create_dir_all(n.join("tmp"))?;
    std::fs::create_dir_all(&run_dir)?;
    std::fs::create_dir_all(&charts)?;
    let hash = stdout(Command::new("openssl").args(["passwd", "-apr1", TEST_PASSWORD]))?;
    std::fs::write(n.join("htpasswd"), format!("{TEST_USER}:{hash}\n"))?;
    super::chown_git(&run_dir)?;

    let backend = format!(
        "{}/git-http-backend",
        stdout(Command::new("git").arg("--exec-path"))?
    );
    let sock = run_dir.join("fcgiwrap.sock");
    // git-http-backend runs as the same `git` user as the SSH side, so both can push.
    s.spawn(
        "fcgiwrap",
        Command::new("runuser")
            .args(["-u", "git", "--", "/usr/sbin/fcgiwrap", "-c", "2", "-s"])
            .arg(format!("unix:{}", sock.display())),
    )?;

    let git_root = s.state.join("git");
    // `protocol` false: the Git-Protocol header is not passed on, so the server speaks only
    // protocol v0/v1, where a shallow fetch silently returns full history.
    let git_location = |prefix: &str, auth: &str, protocol: bool| {
        let protocol = if protocol {
            "fastcgi_param GIT_PROTOCOL $http_git_protocol;"
        } else {
            ""
        };
        format!(
            r#"
    location ~ ^{prefix}(/.*)$ {{
      {auth}
      include /etc/nginx/fastcgi_params;
      fastcgi_pass unix:{sock};
      fastcgi_param SCRIPT_FILENAME {backend};
      fastcgi_param GIT_PROJECT_ROOT {root};
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO $1;
      fastcgi_param REMOTE_USER $remote_user;
      {protocol}
      fastcgi_param GIT_CONFIG_COUNT 1;
      fastcgi_param GIT_CONFIG_KEY_0 safe.directory;
      fastcgi_param GIT_CONFIG_VALUE_0 *;
      fastcgi_read_timeout 300s;
    }}"#,
            sock = sock.display(),
            root = git_root.display(),
        )
    };
    let auth = format!(
        r#"auth_basic "ferroflux"; auth_basic_user_file {}/htpasswd;"#,
        n.display()
    );
    let tls = s.state.join("tls");
    let conf = format!(
        r#"user root;
worker_processes 1;
daemon off;
pid {n}/nginx.pid;
error_log {n}/error.log warn;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  types {{ text/yaml yaml yml; application/gzip tgz; }}
  access_log {n}/access.log;
  client_body_temp_path {n}/tmp/body; proxy_temp_path {n}/tmp/proxy;
  fastcgi_temp_path {n}/tmp/fcgi; uwsgi_temp_path {n}/tmp/uwsgi; scgi_temp_path {n}/tmp/scgi;
  client_max_body_size 0;
  server {{
    listen 127.0.0.1:{http};
    listen 127.0.0.1:{https} ssl;
    ssl_certificate {tls}/tls.crt;
    ssl_certificate_key {tls}/tls.key;
    location = /healthz {{ return 200 "ok\n"; }}
{anon}
{authed}
{v1}
    location /charts/ {{ alias {charts}/; autoindex on; }}
    location /auth/charts/ {{ {auth} alias {charts}/; }}
  }}
}}
"#,
        n = n.display(),
        tls = tls.display(),
        charts = charts.display(),
        anon = git_location("/git", "", true),
        authed = git_location("/auth/git", &auth, true),
        v1 = git_location("/v1/git", "", false),
    );
    let conf_path = n.join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    s.spawn(
        "nginx",
        Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(&n)
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(n.join("error.log")),
    )?;
    s.wait("nginx", Duration::from_secs(20), || {
        http_ok(http, "/healthz")
    })?;
    s.wait("git-http", Duration::from_secs(10), || {
        http_ok(http, "/git/repo.git/info/refs?service=git-upload-pack")
    })?;
    let base = format!("http://127.0.0.1:{http}");
    s.set("TEST_HTTP_PORT", http.to_string());
    s.set("TEST_HTTPS_PORT", https.to_string());
    s.set("TEST_GIT_HTTP_URL", format!("{base}/git"));
    s.set("TEST_GIT_HTTP_AUTH_URL", format!("{base}/auth/git"));
    s.set("TEST_GIT_HTTP_V1_URL", format!("{base}/v1/git"));
    s.set(
        "TEST_GIT_HTTPS_URL",
        format!("https://127.0.0.1:{https}/git"),
    );
    s.set(
        "TEST_GIT_HTTPS_AUTH_URL",
        format!("https://127.0.0.1:{https}/auth/git"),
    );
    Ok(())
}
