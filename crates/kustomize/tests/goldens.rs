//! Golden cases: every folder under testdata/kustomize is built and compared with the
//! output of the reference `kubectl kustomize` (see testdata/kustomize/README.md).

use ferroflux_kustomize::{BuildOptions, LoadRestrictor, build, to_yaml, yaml};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kustomize")
}

fn skip_list(dir: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(dir.join("skip.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((c, r)) => (c.to_string(), r.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Error cases whose message (without our file prefix) must equal kustomize's.
const EXACT_ERRORS: &[&str] = &[
    "error-duplicate-equal-keys",
    "error-duplicate-yaml-key",
    "error-replicas-unknown",
    "helm-error-no-name",
    "helm-error-not-enabled",
    "helm-error-plugin-not-enabled",
    "helm-error-values-kind",
    "helm-error-values-merge",
];

#[test]
fn goldens() {
    let dir = cases_dir();
    let skips = skip_list(&dir);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("testdata/kustomize exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no golden cases found in {}",
        dir.display()
    );
    let (mut parsed_ok, mut bytes_ok, mut errors_ok, mut skipped) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if skips.contains_key(&name) {
            skipped += 1;
            continue;
        }
        let target = std::fs::read_to_string(case.join("target"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| ".".into());
        let flags = std::fs::read_to_string(case.join("flags")).unwrap_or_default();
        let mut opts = BuildOptions::default();
        if flags.contains("LoadRestrictionsNone") {
            opts.load_restrictor = LoadRestrictor::None;
        }
        let mut words = flags.split_whitespace();
        while let Some(w) = words.next() {
            match w {
                "--enable-helm" => opts.enable_helm = true,
                "--helm-kube-version" => opts.helm_kube_version = words.next().map(str::to_string),
                "--helm-api-versions" => opts
                    .helm_api_versions
                    .extend(words.next().map(str::to_string)),
                _ => {}
            }
        }
        let result = build(&case.join(&target), &opts);
        let expected_err = case.join("expected-error.txt");
        if expected_err.exists() {
            match result {
                // Where our wording is kustomize's, the message must match too.
                Err(e) if EXACT_ERRORS.contains(&name.as_str()) => {
                    let want = std::fs::read_to_string(&expected_err).unwrap_or_default();
                    // kubectl prints `error: MSG`, adding a newline unless MSG ends with one.
                    let mut got = format!("error: {}", e.kind());
                    if !got.ends_with('\n') {
                        got.push('\n');
                    }
                    if got == want {
                        errors_ok += 1;
                    } else {
                        failures.push(format!(
                            "{name}: error text differs:\n--- ours\n{got}--- expected\n{want}"
                        ));
                    }
                }
                Err(_) => errors_ok += 1,
                Ok(objs) => failures.push(format!(
                    "{name}: expected an error, got {} objects",
                    objs.len()
                )),
            }
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(case.join("expected.yaml")) else {
            failures.push(format!(
                "{name}: no expected.yaml (run `cargo xtask goldens kustomize`)"
            ));
            continue;
        };
        match result {
            Err(e) => failures.push(format!("{name}: build failed: {e}")),
            Ok(objs) => {
                let ours = to_yaml(&objs);
                let want = yaml::parse_documents(&expected).expect("expected.yaml parses");
                // Compare after a print/parse round trip so 1.0 and 1 count as equal.
                let got = yaml::parse_documents(&ours).expect("our output parses");
                if got == want {
                    parsed_ok += 1;
                    if ours == expected {
                        bytes_ok += 1;
                    } else {
                        failures.push(format!("{name}: same objects, different text:\n--- ours\n{ours}--- expected\n{expected}"));
                    }
                } else {
                    failures.push(format!(
                        "{name}: objects differ:\n--- ours\n{ours}--- expected\n{expected}"
                    ));
                }
            }
        }
    }
    let total = cases.len();
    eprintln!(
        "kustomize goldens: {total} cases, {parsed_ok} equal as objects, {bytes_ok} byte-identical, {errors_ok} expected errors, {skipped} skipped"
    );
    assert!(
        failures.is_empty(),
        "{} golden failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
