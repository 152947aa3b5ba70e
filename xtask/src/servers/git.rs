//! The bare repositories served over HTTP and SSH: `repo.git` with branch `main`, tag `v0.1.0`
//! and `deploy/kustomization.yaml`.

use super::Servers;
use crate::sh::run;
use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// `git` with the machine's and the user's configuration kept out of the way.
pub fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "ferroflux test")
        .env("GIT_AUTHOR_EMAIL", "test@ferroflux.invalid")
        .env("GIT_COMMITTER_NAME", "ferroflux test")
        .env("GIT_COMMITTER_EMAIL", "test@ferroflux.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    c
}

pub fn make_root(s: &mut Servers) -> Result<()> {
    let root = s.state.join("git");
    let work = s.state.join("seed");
    std::fs::create_dir_all(&root)?;
    std::fs::create_dir_all(work.join("deploy"))?;
    run(git(&root).args(["init", "-q", "--bare", "-b", "main", "repo.git"]))?;
    // Pushes over plain HTTP are allowed where the repository says so (tests push fixtures).
    run(git(&root.join("repo.git")).args(["config", "http.receivepack", "true"]))?;
    std::fs::write(
        work.join("deploy/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seed\ndata:\n  k: v\n",
    )?;
    std::fs::write(
        work.join("deploy/kustomization.yaml"),
        "resources:\n- cm.yaml\n",
    )?;
    run(git(&work).args(["init", "-q", "-b", "main"]))?;
    run(git(&work).args(["add", "-A"]))?;
    run(git(&work).args(["commit", "-q", "-m", "seed"]))?;
    run(git(&work).args(["tag", "v0.1.0"]))?;
    run(git(&work)
        .args(["push", "-q"])
        .arg(root.join("repo.git"))
        .args(["main", "v0.1.0"]))?;
    std::fs::remove_dir_all(&work)?;
    super::chown_git(&root)?;
    s.set("TEST_GIT_ROOT", root.display().to_string());
    Ok(())
}
