//! Garbage in, errors out: no input makes the parsers panic.

use ferroflux_api::duration::Duration;
use ferroflux_api::inventory::ObjectId;
use ferroflux_api::load::parse_documents;
use ferroflux_api::revision::{Digest, Revision};

const NASTY: &[&str] = &[
    "",
    " ",
    "@",
    "@@",
    ":",
    "a:",
    ":b",
    "é",
    "µs",
    "1µ",
    "1.",
    ".",
    "..",
    "-",
    "+",
    "+5m",
    "-0",
    "9999999999999999999999999h",
    "1.99999999999999999999999999999999999999h",
    "0.0000000001ns",
    "sha256:",
    "main@",
    "a@b@c",
    "___",
    "_a_b_c_d",
    "\u{0}",
    "1e9s",
    "Ω:ω",
    "v",
    "v1.2.3-",
    "1 - ",
    "||",
    "|| ||",
    ">=",
    "~>",
    "^",
    "1.2.3 - 4.5.6 - 7",
    "x.x.x",
    "*.*.*",
    "1.2.3-β",
];

#[test]
fn formats_never_panic() {
    for s in NASTY {
        let _ = Duration::parse(s);
        let _ = Digest::parse(s);
        let _ = Revision::parse(s);
        let _ = ObjectId::parse(s);
        let _ = ferroflux_versions::Constraints::parse(s);
        let _ = ferroflux_versions::Version::parse(s);
        if let Ok(r) = Revision::parse(s) {
            let _ = r.short(1);
        }
    }
}

#[test]
fn loader_never_panics() {
    let docs = [
        "---\n---\n",
        "[]",
        "42",
        "apiVersion: 5\nkind: []\n",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: []\nspec: 3\n",
        "apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nspec:\n  chart: 7\n  postRenderers: [1, {kustomize: 2}, {kustomize: {patchesStrategicMerge: 3}}]\n",
        "apiVersion: source.toolkit.fluxcd.io/v1beta1\nkind: HelmChart\nspec: {valuesFile: [1], valuesFiles: 2}\n",
        "apiVersion: source.toolkit.fluxcd.io/v1beta1\nkind: GitRepository\nstatus: {artifact: 1, includedArtifacts: [1, {checksum: 2}]}\n",
        "a: &x [*x]\n",
        "a: !!binary aGVsbG8=\n",
        "{{{{",
        "key: \"unterminated\n",
        "\u{feff}apiVersion: v1\n",
    ];
    for d in docs {
        let _ = parse_documents(d, "fuzz.yaml");
    }
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let _ = parse_documents(&deep, "deep.yaml");
}
