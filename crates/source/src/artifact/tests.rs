use super::*;
use crate::ignore::{Matcher, read_patterns};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

fn sample_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "a/b.yaml", "kind: B\n");
    write(r, "a.yaml", "kind: A\n");
    write(r, "bin/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(r.join("bin/run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(r, ".git/HEAD", "ref: refs/heads/main\n");
    write(r, "logo.png", "png");
    std::os::unix::fs::symlink("a.yaml", r.join("link.yaml")).unwrap();
    dir
}

fn build(dir: &Path, matcher: &Matcher) -> (ArchiveInfo, Vec<u8>) {
    write_archive(dir, matcher, Vec::new()).unwrap()
}

/// (name, type, mode, uid, gid, mtime, body) of every entry, in archive order.
fn entries(bytes: &[u8]) -> Vec<(String, char, u32, u64, u64, u64, String)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let mut body = String::new();
            e.read_to_string(&mut body).unwrap();
            (
                String::from_utf8(e.path_bytes().to_vec()).unwrap(),
                h.entry_type().as_byte() as char,
                h.mode().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.mtime().unwrap(),
                body,
            )
        })
        .collect()
}

#[test]
fn layout_follows_flux() {
    let tree = sample_tree();
    let (info, bytes) = build(tree.path(), &Matcher::for_source(Vec::new()));
    let got = entries(&bytes);
    let names: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    // Root first, depth first, siblings by name; .git and *.png left out; no symlink.
    assert_eq!(names, [".", "a", "a/b.yaml", "a.yaml", "bin", "bin/run.sh"]);
    let modes: Vec<(char, u32)> = got.iter().map(|e| (e.1, e.2)).collect();
    assert_eq!(
        modes,
        [
            ('5', 0o750),
            ('5', 0o750),
            ('0', 0o600),
            ('0', 0o600),
            ('5', 0o750),
            ('0', 0o700)
        ]
    );
    assert!(
        got.iter().all(|e| e.3 == 0 && e.4 == 0 && e.5 == 0),
        "{got:?}"
    );
    assert_eq!(got[2].6, "kind: B\n");
    assert_eq!(info.size, bytes.len() as u64);
    assert!(info.digest.starts_with("sha256:") && info.digest.len() == 7 + 64);
}

#[test]
fn same_tree_same_bytes_wherever_and_whenever() {
    let one = sample_tree();
    let two = sample_tree();
    // Different times and owner-visible permissions must not change the artifact.
    std::fs::set_permissions(
        two.path().join("a.yaml"),
        std::fs::Permissions::from_mode(0o664),
    )
    .unwrap();
    let m = Matcher::for_source(Vec::new());
    let (a, bytes_a) = build(one.path(), &m);
    let (b, bytes_b) = build(two.path(), &m);
    assert_eq!(a, b);
    assert_eq!(bytes_a, bytes_b);
}

#[test]
fn digest_is_the_sha256_of_the_bytes() {
    use sha2::Digest as _;
    let tree = sample_tree();
    let (info, bytes) = build(tree.path(), &Matcher::for_source(Vec::new()));
    let want = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
    assert_eq!(info.digest, want);
}

#[test]
fn content_changes_change_the_digest() {
    let tree = sample_tree();
    let m = Matcher::for_source(Vec::new());
    let (before, _) = build(tree.path(), &m);
    write(tree.path(), "a.yaml", "kind: A2\n");
    let (after, _) = build(tree.path(), &m);
    assert_ne!(before.digest, after.digest);
}

#[test]
fn negation_reaches_into_an_excluded_directory() {
    let tree = sample_tree();
    let m = Matcher::for_source(read_patterns("/*\n!/a\n", &[]));
    let (_, bytes) = build(tree.path(), &m);
    let names: Vec<String> = entries(&bytes).into_iter().map(|e| e.0).collect();
    assert_eq!(names, [".", "a", "a/b.yaml"]);
}

#[test]
fn own_patterns_drop_the_defaults() {
    let tree = sample_tree();
    let m = Matcher::for_source(read_patterns("bin/\n", &[]));
    let (_, bytes) = build(tree.path(), &m);
    let names: Vec<String> = entries(&bytes).into_iter().map(|e| e.0).collect();
    assert_eq!(names, [".", "a", "a/b.yaml", "a.yaml", "logo.png"]);
}

#[test]
fn long_names_survive() {
    let tree = tempfile::tempdir().unwrap();
    let deep = format!("{}/{}.yaml", "d".repeat(120), "f".repeat(120));
    write(tree.path(), &deep, "x\n");
    let (_, bytes) = build(tree.path(), &Matcher::for_source(Vec::new()));
    let names: Vec<String> = entries(&bytes).into_iter().map(|e| e.0).collect();
    assert_eq!(names.last().unwrap(), &deep);
}

#[test]
fn a_file_is_not_a_directory() {
    let tree = sample_tree();
    let err =
        write_archive(&tree.path().join("a.yaml"), &Matcher::default(), Vec::new()).unwrap_err();
    assert!(err.to_string().contains("a.yaml: not a directory"), "{err}");
    let missing =
        write_archive(&tree.path().join("nope"), &Matcher::default(), Vec::new()).unwrap_err();
    assert!(missing.to_string().contains("nope"), "{missing}");
}

/// A tar.gz with one raw entry, written byte by byte so any path or type can be forged.
fn forged(name: &str, kind: tar::EntryType, body: &[u8]) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    {
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
    }
    header.set_entry_type(kind);
    header.set_mode(0o644);
    header.set_size(body.len() as u64);
    if kind == tar::EntryType::Symlink {
        header.set_link_name("/etc/passwd").unwrap();
    }
    header.set_cksum();
    let mut raw = Vec::new();
    raw.extend_from_slice(header.as_bytes());
    raw.extend_from_slice(body);
    raw.resize(raw.len().div_ceil(512) * 512, 0);
    raw.extend_from_slice(&[0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &raw).unwrap();
    gz.finish().unwrap()
}

#[test]
fn extraction_round_trips_an_artifact() {
    let tree = sample_tree();
    let (_, bytes) = build(tree.path(), &Matcher::for_source(Vec::new()));
    let out = tempfile::tempdir().unwrap();
    let n = extract(&bytes[..], out.path(), Limits::default()).unwrap();
    assert_eq!(n, 6);
    assert_eq!(
        std::fs::read_to_string(out.path().join("a/b.yaml")).unwrap(),
        "kind: B\n"
    );
    let mode = std::fs::metadata(out.path().join("bin/run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111);
}

#[test]
fn extraction_refuses_what_could_escape() {
    // A private parent, so nothing else on the machine can own `../x`.
    let base = tempfile::tempdir().unwrap();
    let target = base.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let err = |bytes: Vec<u8>| {
        extract(&bytes[..], &target, Limits::default())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(forged("../x", tar::EntryType::Regular, b"x")),
        "entry '../x': paths leaving the target with '..' are refused"
    );
    assert_eq!(
        err(forged("a/../../x", tar::EntryType::Regular, b"x")),
        "entry 'a/../../x': paths leaving the target with '..' are refused"
    );
    assert_eq!(
        err(forged("/etc/x", tar::EntryType::Regular, b"x")),
        "entry '/etc/x': absolute paths are refused"
    );
    assert_eq!(
        err(forged("evil", tar::EntryType::Symlink, b"")),
        "entry 'evil': symbolic and hard links are refused"
    );
    assert_eq!(
        err(forged("dev", tar::EntryType::Char, b"")),
        "entry 'dev': char entries are refused"
    );
    assert!(!target.join("x").exists() && !base.path().join("x").exists());
}

#[test]
fn extraction_limits_size_and_entries() {
    let tree = sample_tree();
    let (_, bytes) = build(tree.path(), &Matcher::for_source(Vec::new()));
    let out = tempfile::tempdir().unwrap();
    let small = Limits {
        max_bytes: 4,
        max_entries: 100,
    };
    assert_eq!(
        extract(&bytes[..], out.path(), small)
            .unwrap_err()
            .to_string(),
        "archive content exceeds 4 bytes"
    );
    let few = Limits {
        max_bytes: 1 << 20,
        max_entries: 2,
    };
    assert_eq!(
        extract(&bytes[..], out.path(), few)
            .unwrap_err()
            .to_string(),
        "archive has more than 2 entries"
    );
    let garbage = extract(&b"not a tarball"[..], out.path(), Limits::default()).unwrap_err();
    assert!(
        garbage.to_string().starts_with("reading the archive"),
        "{garbage}"
    );
}
