//! config/crd/ must match what the types generate.

use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn config_crd_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/crd");
    let mut on_disk = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                on_disk.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let generated: BTreeMap<String, String> =
        ferroflux_api::crds::render_all().into_iter().collect();
    let stale: Vec<&String> = generated
        .iter()
        .filter(|(name, yaml)| on_disk.get(*name) != Some(*yaml))
        .map(|(name, _)| name)
        .collect();
    let extra: Vec<&String> = on_disk
        .keys()
        .filter(|n| !generated.contains_key(*n))
        .collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "config/crd is out of date (stale: {stale:?}, unexpected: {extra:?}); run `cargo xtask crds` \
         (or `cargo run -p ferroflux-api --example write-crds`)"
    );
}

#[test]
fn crds_have_flux_names_and_versions() {
    let crds = ferroflux_api::crds::all().unwrap();
    assert_eq!(crds.len(), 15);
    let git = crds
        .iter()
        .find(|c| c.spec.names.kind == "GitRepository")
        .unwrap();
    assert_eq!(
        git.spec.names.short_names.as_deref(),
        Some(&["gitrepo".to_string()][..])
    );
    assert_eq!(
        git.spec.names.categories.as_deref(),
        Some(
            &[
                "all".to_string(),
                "fluxcd".to_string(),
                "fluxcd-sources".to_string()
            ][..]
        )
    );
    let versions: Vec<(&str, bool)> = git
        .spec
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.storage))
        .collect();
    assert!(versions.contains(&("v1", true)));
    assert!(versions.contains(&("v1beta2", false)));
    assert!(versions.contains(&("v1beta1", false)));
    let cols: Vec<&str> = git.spec.versions[0]
        .additional_printer_columns
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(cols, ["URL", "Age", "Ready", "Status"]);
    let hr = crds
        .iter()
        .find(|c| c.spec.names.kind == "HelmRelease")
        .unwrap();
    assert_eq!(hr.spec.versions.len(), 3);
    assert!(hr.spec.versions.iter().any(|v| v.name == "v2" && v.storage));
    let old = hr
        .spec
        .versions
        .iter()
        .find(|v| v.name == "v2beta1")
        .unwrap();
    let schema = serde_json::to_value(old.schema.as_ref().unwrap()).unwrap();
    let chart_spec = &schema["openAPIV3Schema"]["properties"]["spec"]["properties"]["chart"]["properties"]
        ["spec"]["properties"];
    assert!(chart_spec.get("valuesFile").is_some());
    let ks = crds
        .iter()
        .find(|c| c.spec.names.kind == "Kustomization")
        .unwrap();
    assert_eq!(
        ks.spec.names.short_names.as_deref(),
        Some(&["ks".to_string()][..])
    );
    let names: Vec<String> = ferroflux_api::crds::render_all()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(names.contains(&"source.toolkit.fluxcd.io_gitrepositories.yaml".to_string()));
    assert!(names.contains(&"clusterconfig.azure.com_fluxconfigs.yaml".to_string()));
}
