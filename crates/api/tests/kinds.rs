//! One example manifest per kind (tests/data/kinds), exercising most fields: parse + round trip.

mod common;

use std::collections::BTreeSet;

#[test]
fn every_kind_parses_and_round_trips() {
    let files = common::yaml_files("kinds");
    let mut kinds = BTreeSet::new();
    for (name, text) in &files {
        for object in common::round_trip(name, text, true) {
            kinds.insert(object.kind());
        }
    }
    let expected = [
        "Alert",
        "Bucket",
        "ExternalArtifact",
        "FluxConfig",
        "GitRepository",
        "HelmChart",
        "HelmRelease",
        "HelmRepository",
        "ImagePolicy",
        "ImageRepository",
        "ImageUpdateAutomation",
        "Kustomization",
        "OCIRepository",
        "Provider",
        "Receiver",
    ];
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn durations_keep_their_spelling() {
    let (_, text) = common::yaml_files("kinds")
        .into_iter()
        .find(|(n, _)| n == "kustomization.yaml")
        .unwrap();
    let objects = ferroflux_api::load::parse_documents(&text, "kustomization.yaml").unwrap();
    let yaml = ferroflux_api::load::to_yaml(&objects).unwrap();
    assert!(yaml.contains("interval: 10m\n"), "{yaml}");
    assert!(yaml.contains("retryInterval: 2m\n"), "{yaml}");
    assert!(yaml.contains("lastReconciledDuration: 2.5s\n"), "{yaml}");
}

#[test]
fn typed_accessors() {
    use ferroflux_api::load::{FluxObject, parse_documents};
    let (_, text) = common::yaml_files("kinds")
        .into_iter()
        .find(|(n, _)| n == "gitrepository.yaml")
        .unwrap();
    let objs = parse_documents(&text, "gitrepository.yaml").unwrap();
    let FluxObject::GitRepository(repo) = &objs[0] else {
        panic!("kind")
    };
    let status = repo.status.as_ref().unwrap();
    let artifact = status.artifact.as_ref().unwrap();
    let rev = artifact.parsed_revision().unwrap();
    assert_eq!(rev.name.as_deref(), Some("master"));
    assert_eq!(artifact.parsed_digest().unwrap().algorithm(), "sha256");
    let ready = ferroflux_api::conditions::find(
        &status.conditions,
        ferroflux_api::conditions::types::READY,
    )
    .unwrap();
    assert!(ready.is_true());
    assert_eq!(repo.spec.timeout_or_default().as_secs(), 60);
    assert_eq!(objs[0].name(), Some("podinfo"));
    assert_eq!(objs[0].namespace(), Some("flux-system"));
}

#[test]
fn interval_and_suspend_accessors() {
    let mut seen = 0;
    for (name, text) in common::yaml_files("kinds") {
        for o in ferroflux_api::load::parse_documents(&text, &name).unwrap() {
            assert!(!o.is_suspended(), "{name}");
            if o.interval().is_some() {
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 11);
}
