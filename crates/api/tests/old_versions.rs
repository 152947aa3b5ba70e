//! Older apiVersions are read into the current types, with Flux's field mappings.

mod common;

use ferroflux_api::load::{FluxObject, parse_documents, to_yaml};

fn load(name: &str) -> Vec<FluxObject> {
    let text = std::fs::read_to_string(common::data_dir("old").join(name)).unwrap();
    parse_documents(&text, name).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn source_v1beta_versions() {
    let objs = load("gitrepository-v1beta2.yaml");
    assert_eq!(objs.len(), 4);
    for o in &objs {
        assert_eq!(o.api_version(), "source.toolkit.fluxcd.io/v1");
    }
    let FluxObject::GitRepository(git) = &objs[0] else {
        panic!()
    };
    assert_eq!(
        git.spec.reference.as_ref().unwrap().tag.as_deref(),
        Some("6.5.0")
    );
    let FluxObject::HelmChart(chart) = &objs[1] else {
        panic!()
    };
    assert_eq!(
        chart.spec.values_files.as_deref(),
        Some(&["values-prod.yaml".to_string(), "values.yaml".to_string()][..])
    );
    let yaml = to_yaml(&objs).unwrap();
    assert!(!yaml.contains("gitImplementation"), "{yaml}");
    assert!(!yaml.contains("valuesFile:"), "{yaml}");
    assert!(!yaml.contains("v1beta"), "{yaml}");
    // What was written reads back identically.
    assert_eq!(parse_documents(&yaml, "again").unwrap(), objs);
}

#[test]
fn helm_v2beta_versions() {
    let objs = load("helmrelease-v2beta1.yaml");
    let FluxObject::HelmRelease(hr) = &objs[0] else {
        panic!()
    };
    let chart = &hr.spec.chart.as_ref().unwrap().spec;
    assert_eq!(
        chart.values_files.as_deref(),
        Some(&["values-prod.yaml".to_string()][..])
    );
    let k = hr.spec.post_renderers.as_ref().unwrap()[0]
        .kustomize
        .as_ref()
        .unwrap();
    let patches = k.patches.as_ref().unwrap();
    assert_eq!(patches.len(), 2);
    assert!(patches[0].patch.contains("replicas: 3"));
    assert!(patches[0].target.is_none());
    assert!(patches[1].patch.contains("op: add"));
    assert_eq!(
        patches[1].target.as_ref().unwrap().kind.as_deref(),
        Some("Service")
    );
    assert_eq!(
        k.images.as_ref().unwrap()[0].new_tag.as_deref(),
        Some("6.5.1")
    );
    assert_eq!(hr.status.as_ref().unwrap().last_release_revision, Some(2));
    let FluxObject::HelmRelease(redis) = &objs[1] else {
        panic!()
    };
    assert_eq!(redis.spec.chart_ref.as_ref().unwrap().name, "redis");
    let yaml = to_yaml(&objs).unwrap();
    assert!(
        yaml.contains("apiVersion: helm.toolkit.fluxcd.io/v2\n"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("patchesStrategicMerge") && !yaml.contains("lastAppliedRevision"),
        "{yaml}"
    );
    assert_eq!(parse_documents(&yaml, "again").unwrap(), objs);
}
