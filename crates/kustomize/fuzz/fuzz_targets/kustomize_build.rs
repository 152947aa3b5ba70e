//! `kustomize build` of a tree made from the input must never panic.
//!
//! The input is a set of files: the text before the first `#@ PATH` line is the root's
//! `kustomization.yaml`; each `#@ PATH` line starts a new file (PATH relative to the root).
//! If the input starts with a `#@ PATH` line, the build runs in PATH's directory. Files live
//! in memory (the loader's virtual files) over an empty root directory holding a fixed set
//! of empty subdirectories, so directory references like `../base` resolve.
#![no_main]

use ferroflux_kustomize::loader::Loader;
use ferroflux_kustomize::{LoadRestrictor, build_with, to_yaml};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Directories that exist on disk (all empty): the layouts of testdata/kustomize.
const DIRS: &[&str] = &[
    "a",
    "app",
    "b",
    "base",
    "c1",
    "c2",
    "comp",
    "files",
    "l1",
    "l2",
    "l3",
    "mid",
    "one",
    "overlay",
    "overlays/prod",
    "patches",
    "sub",
    "top",
    "transformers",
    "two",
];

fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join("ferroflux-kustomize-fuzz-root");
        for d in DIRS {
            std::fs::create_dir_all(root.join(d)).expect("create fuzz root");
        }
        std::fs::canonicalize(&root).expect("canonical fuzz root")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() > 16 * 1024 {
        return;
    }
    let root = root();
    let mut loader = Loader::new(LoadRestrictor::RootOnly);
    let mut name = String::from("kustomization.yaml");
    let mut dir = root.to_path_buf();
    let mut body = String::new();
    let mut first = true;
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("#@ ") {
            if !first || !body.is_empty() {
                loader.add_virtual_file(root.join(&name), std::mem::take(&mut body));
            }
            name = path.trim().to_string();
            if first {
                if let Some(parent) = Path::new(&name).parent() {
                    dir = root.join(parent);
                }
            }
        } else {
            body.push_str(line);
        }
        first = false;
    }
    loader.add_virtual_file(root.join(&name), body);
    let result = build_with(&loader, &dir).map(|objects| to_yaml(&objects));
    if debug() {
        match result {
            Ok(yaml) => eprintln!("{yaml}"),
            Err(e) => eprintln!("error: {e}"),
        }
    }
});

/// `FUZZ_DEBUG=1 kustomize_build FILE…` prints each build (to check seeds and the layout).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}
