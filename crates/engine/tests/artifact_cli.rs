//! `ferroflux artifact build` end to end, through the binary.

use std::process::Command;

fn ferroflux() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferroflux"))
}

#[test]
fn builds_the_same_artifact_twice_and_honours_sourceignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("deploy")).unwrap();
    std::fs::write(root.join("deploy/cm.yaml"), "kind: ConfigMap\n").unwrap();
    std::fs::write(root.join("deploy/notes.txt"), "ignored\n").unwrap();
    std::fs::write(root.join(".sourceignore"), "*.txt\n").unwrap();
    let out1 = dir.path().join("one.tar.gz");
    let out2 = dir.path().join("two.tar.gz");
    let run = |out: &std::path::Path| {
        let o = ferroflux()
            .args(["artifact", "build"])
            .arg(&root)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let first = run(&out1);
    let second = run(&out2);
    assert_eq!(first, second);
    let digest_line = first.lines().next().unwrap();
    assert!(digest_line.starts_with("digest: sha256:"), "{first}");
    assert_eq!(std::fs::read(&out1).unwrap(), std::fs::read(&out2).unwrap());
    let listing = Command::new("tar").arg("-tzf").arg(&out1).output().unwrap();
    let names = String::from_utf8(listing.stdout).unwrap();
    assert_eq!(names, ".\n.sourceignore\ndeploy\ndeploy/cm.yaml\n");
}

#[test]
fn a_missing_directory_is_a_one_line_error_naming_it() {
    let o = ferroflux()
        .args(["artifact", "build", "/definitely/not/here"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("/definitely/not/here"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn version_is_printed() {
    let o = ferroflux().arg("--version").output().unwrap();
    assert!(o.status.success());
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .starts_with("ferroflux ")
    );
}
