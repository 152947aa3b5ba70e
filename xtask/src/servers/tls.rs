//! A throwaway CA and a server certificate for 127.0.0.1, made with openssl.

use super::Servers;
use crate::sh::run;
use anyhow::Result;
use std::process::Command;

pub fn make(s: &mut Servers) -> Result<()> {
    let d = s.state.join("tls");
    std::fs::create_dir_all(&d)?;
    let p = |f: &str| d.join(f);
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "3650", "-subj", "/CN=ferroflux test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        .arg("-keyout")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.crt")))?;
    run(Command::new("openssl")
        .args([
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .args(["-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(p("tls.key"))
        .arg("-out")
        .arg(p("tls.csr")))?;
    // A leaf that is not a CA: rustls refuses a CA certificate used as an end entity.
    std::fs::write(
        p("ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )?;
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "3650", "-CAcreateserial"])
        .arg("-in")
        .arg(p("tls.csr"))
        .arg("-CA")
        .arg(p("ca.crt"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-extfile")
        .arg(p("ext"))
        .arg("-out")
        .arg(p("tls.crt")))?;
    for f in ["ca.crt", "ca.key", "tls.crt", "tls.key"] {
        super::set_mode(&p(f), 0o644)?;
    }
    s.set("TEST_CA_FILE", p("ca.crt").display().to_string());
    s.set("TEST_TLS_CERT", p("tls.crt").display().to_string());
    s.set("TEST_TLS_KEY", p("tls.key").display().to_string());
    Ok(())
}
