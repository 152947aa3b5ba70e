//! The seed document's manifests (HelmRelease v2beta1, HelmRepository v1beta1) parse unchanged
//! into the current types and round-trip without losing a field.

mod common;

use ferroflux_api::load::FluxObject;

#[test]
fn seed_manifests_parse_and_round_trip() {
    let files = common::yaml_files("seed");
    assert_eq!(files.len(), 4, "expected the 4 seed manifests");
    for (name, text) in &files {
        let objects = common::round_trip(name, text, true);
        assert_eq!(objects.len(), 1, "{name}");
        match &objects[0] {
            FluxObject::HelmRelease(hr) => {
                let chart = hr.spec.chart.as_ref().expect("chart");
                assert_eq!(chart.spec.chart, "nginx-ingress-controller");
                assert_eq!(chart.spec.version.as_deref(), Some("5.6.14"));
                assert_eq!(hr.spec.interval.as_std().as_secs(), 3600);
                assert_eq!(hr.spec.interval.to_string(), "1h0m0s");
                let retries = hr
                    .spec
                    .install
                    .as_ref()
                    .and_then(|i| i.remediation.as_ref())
                    .and_then(|r| r.retries);
                assert_eq!(retries, Some(3));
                assert_eq!(
                    hr.spec.values.as_ref().unwrap()["service"]["type"],
                    "NodePort"
                );
                assert_eq!(objects[0].api_version(), "helm.toolkit.fluxcd.io/v2");
            }
            FluxObject::HelmRepository(repo) => {
                assert_eq!(repo.spec.url, "https://charts.bitnami.com/bitnami");
                assert_eq!(repo.spec.interval.as_ref().unwrap().to_string(), "30m");
                assert_eq!(objects[0].api_version(), "source.toolkit.fluxcd.io/v1");
            }
            other => panic!("{name}: unexpected kind {}", other.kind()),
        }
    }
}

#[test]
fn seed_copies_match_shared_seed_when_present() {
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed/manifests");
    if !shared.is_dir() {
        return; // checked out without shared/ beside it; the copies are the project's seed
    }
    for (name, text) in common::yaml_files("seed") {
        let original = std::fs::read_to_string(shared.join(&name)).expect("shared seed file");
        assert_eq!(
            original, text,
            "tests/data/seed/{name} differs from shared/seed/manifests"
        );
    }
}

#[test]
fn seed_written_with_current_api_versions() {
    for (name, text) in common::yaml_files("seed") {
        let objects = ferroflux_api::load::parse_documents(&text, &name).unwrap();
        let yaml = ferroflux_api::load::to_yaml(&objects).unwrap();
        assert!(
            yaml.contains("apiVersion: helm.toolkit.fluxcd.io/v2\n")
                || yaml.contains("apiVersion: source.toolkit.fluxcd.io/v1\n"),
            "{name}:\n{yaml}"
        );
        assert!(
            !yaml.contains("v2beta1") && !yaml.contains("v1beta1"),
            "{name}:\n{yaml}"
        );
    }
}
