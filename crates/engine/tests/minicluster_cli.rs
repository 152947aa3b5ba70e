//! `ferroflux minicluster serve`: a long-running command, so its process keeps small pages
//! (the one-shot commands let the allocator use transparent huge pages).

#[cfg(target_os = "linux")]
#[test]
fn the_serving_process_has_huge_pages_turned_off() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let t = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(["minicluster", "serve", "--insecure-http", "--kubeconfig"])
        .arg(t.path().join("kubeconfig"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Once it reports serving, it is past its start-up.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.starts_with("minicluster serving on"), "{first}");
    // The line exists since Linux 6.0; older kernels cannot say.
    if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
    }
}
