//! Goldens for crates/helm (see testdata/helm/README.md).
//!
//! Every folder `testdata/helm/<case>/` holds a one-line `cmd`: the arguments after
//! `helm template`, split on whitespace with single and double quotes, run with the case
//! folder as working directory and Helm's cache, config and data homes in an empty temp dir
//! (no repositories, no plugins, no network). The reference output goes to `expected.yaml`,
//! or the reference's stderr to `expected-error.txt` when it fails.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Splits `cmd` on whitespace; '…' and "…" group words (no escapes inside), as a shell would.
pub fn split_args(cmd: &str) -> Result<Vec<String>> {
    let (mut args, mut cur, mut quote, mut in_word) = (Vec::new(), String::new(), None, false);
    for c in cmd.trim().chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => (quote, in_word) = (Some(c), true),
            (None, c) if c.is_whitespace() => {
                if in_word {
                    args.push(std::mem::take(&mut cur));
                }
                in_word = false;
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        bail!("unterminated quote in {cmd:?}");
    }
    if in_word {
        args.push(cur);
    }
    Ok(args)
}

/// The reference helm's version (`v4.3.1`), as the goldens' READMEs record it.
pub fn helm_version(helm: &Path) -> Result<String> {
    let out = Command::new(helm)
        .args(["version", "--short"])
        .output()
        .with_context(|| format!("running {}", helm.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let version = version.split('+').next().unwrap_or_default().to_string();
    if !version.starts_with('v') {
        bail!("could not read the version from `helm version --short`: {version:?}");
    }
    Ok(version)
}

/// The reference helm run in a case folder with empty homes, no kubeconfig, UTC and no
/// network (the HTTP proxy is a dead port): no repository, plugin or cluster is reached.
pub fn helm_in(helm: &Path, case: &Path, home: &Path) -> Command {
    let mut c = Command::new(helm);
    c.current_dir(case)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("kubeconfig"))
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env_remove("HELM_DEBUG")
        .env_remove("HELM_NAMESPACE");
    c
}

pub fn regenerate(root: &Path) -> Result<()> {
    let helm = crate::oracles::helm();
    let dir = root.join("testdata/helm");
    let version = helm_version(&helm)?;
    let cases = super::case_dirs(&dir)?;
    let mut failures = 0;
    for case in &cases {
        let cmd = std::fs::read_to_string(case.join("cmd"))
            .with_context(|| format!("reading {}/cmd", case.display()))?;
        let home = tempfile::tempdir()?;
        let out = helm_in(&helm, case, home.path())
            .arg("template")
            .args(split_args(&cmd)?)
            .output()
            .with_context(|| format!("running helm template in {}", case.display()))?;
        let (ok_file, err_file) = (case.join("expected.yaml"), case.join("expected-error.txt"));
        if out.status.success() {
            std::fs::write(&ok_file, &out.stdout)?;
            let _ = std::fs::remove_file(&err_file);
        } else {
            failures += 1;
            std::fs::write(&err_file, &out.stderr)?;
            let _ = std::fs::remove_file(&ok_file);
        }
    }
    let readme = format!(
        "# helm goldens\n\n\
         Each folder is one case: the chart(s) and values files it needs, a one-line `cmd` with\n\
         the arguments after `helm template` (split on whitespace; '…' and \"…\" group words),\n\
         plus `expected.yaml` (stdout) or `expected-error.txt` (stderr) when the reference fails.\n\
         The command runs in the case folder, with `HELM_CACHE_HOME`, `HELM_CONFIG_HOME` and\n\
         `HELM_DATA_HOME` in an empty temp dir and the HTTP(S) proxy set to a dead port, so no\n\
         repository, plugin or network is used.\n\n\
         Packaged charts (`*.tgz`) are committed; each was made with `helm package` from the\n\
         `src/` folder kept next to it (`tgz-in-tgz` was assembled with tar, since `helm package`\n\
         unpacks vendored archives, and so was `tgz-without-chart-yaml-error`, which it\n\
         refuses; `tgz-parent-path-error`, `tgz-drive-path-error` and `tgz-second-chart-yaml`\n\
         were written with Python's `tarfile`, as their odd entry names are the point).\n\
         Successful cases avoid nondeterministic functions (`now`, `rand*`, `uuidv4`,\n\
         `gen*`), and failing schema cases hold one violation each: Helm lists several\n\
         violations in a random order.\n\n\
         Expected files (and this README) are produced by the reference tool, never edited by hand:\n\n\
         ```\ncargo xtask goldens helm\n```\n\n\
         Reference: helm {version} ({} cases, {failures} expected errors).\n",
        cases.len()
    );
    std::fs::write(dir.join("README.md"), readme)?;
    eprintln!(
        "helm goldens: {} cases ({failures} expected errors) with helm {version}",
        cases.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn splits_with_quotes() {
        let got = split_args(" r ./c --set 'a=x y' --set \"b={1, 2}\" -n  p\n").unwrap();
        assert_eq!(
            got,
            ["r", "./c", "--set", "a=x y", "--set", "b={1, 2}", "-n", "p"]
        );
        assert_eq!(split_args("a '' b").unwrap(), ["a", "", "b"]);
        assert!(split_args("a 'b").is_err());
    }
}
