//! A static Helm chart repository served by nginx: `podinfo-lite` 0.1.0 and 0.2.0, packaged and
//! indexed by the reference helm.

use super::Servers;
use crate::sh::run;
use anyhow::{Context, Result};
use std::process::Command;

pub fn make(s: &mut Servers) -> Result<()> {
    let port = s
        .get("TEST_HTTP_PORT")
        .context("the helm repository is served by nginx, which did not start")?
        .to_string();
    let charts = s.state.join("charts");
    let src = s.state.join("chart-src");
    std::fs::create_dir_all(&src)?;
    let helm = || {
        let mut c = Command::new(crate::oracles::helm());
        c.current_dir(&src)
            .env("HELM_CACHE_HOME", src.join(".cache"))
            .env("HELM_CONFIG_HOME", src.join(".config"))
            .env("HELM_DATA_HOME", src.join(".data"));
        c
    };
    run(helm().args(["create", "podinfo-lite"]))?;
    run(helm().args(["package", "podinfo-lite", "-d"]).arg(&charts))?;
    let chart_yaml = src.join("podinfo-lite/Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml)?;
    std::fs::write(
        &chart_yaml,
        text.replace("\nversion: 0.1.0\n", "\nversion: 0.2.0\n"),
    )?;
    run(helm().args(["package", "podinfo-lite", "-d"]).arg(&charts))?;
    let url = format!("http://127.0.0.1:{port}/charts");
    run(helm()
        .args(["repo", "index"])
        .arg(&charts)
        .args(["--url", &url]))?;
    s.set("TEST_HELM_REPO_URL", url);
    // Index entries stay absolute to /charts, as a mirror behind auth often has them.
    s.set(
        "TEST_HELM_REPO_AUTH_URL",
        format!("http://127.0.0.1:{port}/auth/charts"),
    );
    s.set("TEST_HELM_REPO_DIR", charts.display().to_string());
    s.set(
        "TEST_CHART_TGZ",
        charts.join("podinfo-lite-0.1.0.tgz").display().to_string(),
    );
    Ok(())
}
