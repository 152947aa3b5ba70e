//! Print a build, for diffing against `kubectl kustomize` or `flux build kustomization`.
//!
//! `cargo run --example kbuild -- DIR [--load-restrictor LoadRestrictionsNone] [--enable-helm]`
//! `cargo run --example kbuild -- DIR --flux [--target-namespace NS] [--substitute K=V]…`
use ferroflux_kustomize::flux::{FluxOverlay, Substitutions, build_kustomization};
use ferroflux_kustomize::{BuildOptions, LoadRestrictor, build, to_yaml};
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: kbuild DIR [--load-restrictor LoadRestrictionsNone] [--flux …]");
        std::process::exit(2);
    };
    let result = if args.iter().any(|a| a == "--flux") {
        let mut overlay = FluxOverlay::default();
        let mut subs = Substitutions::default();
        let mut it = args.iter().skip(1);
        while let Some(a) = it.next() {
            match a.as_str() {
                "--target-namespace" => overlay.target_namespace = it.next().cloned(),
                "--name-prefix" => overlay.name_prefix = it.next().cloned(),
                "--substitute" => {
                    if let Some((k, v)) = it.next().and_then(|kv| kv.split_once('=')) {
                        subs.vars.insert(k.to_string(), v.to_string());
                    }
                }
                _ => {}
            }
        }
        build_kustomization(Path::new(dir), &overlay, &subs)
    } else {
        let mut opts = BuildOptions::default();
        if args.iter().any(|a| a == "LoadRestrictionsNone") {
            opts.load_restrictor = LoadRestrictor::None;
        }
        opts.enable_helm = args.iter().any(|a| a == "--enable-helm");
        build(Path::new(dir), &opts)
    };
    match result {
        Ok(objs) => print!("{}", to_yaml(&objs)),
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::exit(1);
        }
    }
}
