use super::*;
use std::fs;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
    fs::write(p, text).expect("write");
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\ndata:\n  greeting: ${greeting:=hello}\n  target: ${env}\n";

#[test]
fn generated_kustomization_includes_every_manifest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "a.yaml", &CM.replace("NAME", "a"));
    write(d, "nested/b.yml", &CM.replace("NAME", "b"));
    write(d, "nested/notes.txt", "not yaml");
    write(d, "app/kustomization.yaml", "resources:\n- c.yaml\n");
    write(d, "app/c.yaml", &CM.replace("NAME", "c"));
    write(
        d,
        "app/ignored-by-kustomization.yaml",
        "this: is not listed\n",
    );
    let loader = Loader::new(LoadRestrictor::None);
    let k = generate_kustomization(&loader, d).expect("generates");
    assert_eq!(
        k.resources.expect("resources"),
        vec!["./a.yaml", "./app", "./nested/b.yml"]
    );
}

#[test]
fn overlay_and_substitution() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "a.yaml", &CM.replace("NAME", "a"));
    write(
        d,
        "b.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  raw: ${env}\n",
    );
    let overlay = FluxOverlay {
        target_namespace: Some("prod".into()),
        name_prefix: Some("p-".into()),
        common_metadata: Some(CommonMetadata {
            labels: [("team".to_string(), "x".to_string())]
                .into_iter()
                .collect(),
            annotations: IndexMap::new(),
        }),
        patches: vec![FluxPatch {
            patch: "- op: add\n  path: /data/patched\n  value: \"yes\"\n".into(),
            target: Some(Selector {
                kind: "ConfigMap".into(),
                name: "a".into(),
                ..Selector::default()
            }),
        }],
        ..FluxOverlay::default()
    };
    let subs = Substitutions {
        vars: [("env".to_string(), "production".to_string())]
            .into_iter()
            .collect(),
        strict: true,
        always: false,
    };
    let objs = build_kustomization(d, &overlay, &subs).expect("builds");
    let out = crate::to_yaml(&objs);
    assert_eq!(
        out,
        "apiVersion: v1\ndata:\n  greeting: hello\n  patched: \"yes\"\n  target: production\nkind: ConfigMap\nmetadata:\n  labels:\n    team: x\n  name: p-a\n  namespace: prod\n---\napiVersion: v1\ndata:\n  raw: ${env}\nkind: ConfigMap\nmetadata:\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n  labels:\n    team: x\n  name: p-b\n  namespace: prod\n"
    );
}

#[test]
fn strict_substitution_names_the_variable_and_object() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "a.yaml", &CM.replace("NAME", "a"));
    write(d, "kustomization.yaml", "resources:\n- a.yaml\n");
    let subs = Substitutions {
        vars: [("other".to_string(), "1".to_string())]
            .into_iter()
            .collect(),
        strict: true,
        always: false,
    };
    let e = build_kustomization(d, &FluxOverlay::default(), &subs).expect_err("env is undefined");
    let msg = e.to_string();
    assert!(
        msg.contains("\"env\"") && msg.contains("ConfigMap"),
        "{msg}"
    );
}

#[test]
fn existing_kustomization_keeps_its_fields_and_gets_flux_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "a.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.0\n",
    );
    write(
        d,
        "kustomization.yaml",
        "namespace: old\nnamePrefix: own-\nresources:\n- a.yaml\nimages:\n- name: nginx\n  newTag: \"1.1\"\n",
    );
    let overlay = FluxOverlay {
        target_namespace: Some("new".into()),
        images: vec![Image {
            name: "nginx".into(),
            new_tag: "2.0".into(),
            ..Image::default()
        }],
        ..FluxOverlay::default()
    };
    let objs = build_kustomization(d, &overlay, &Substitutions::default()).expect("builds");
    let out = crate::to_yaml(&objs);
    assert!(
        out.contains("namespace: new")
            && out.contains("name: own-web")
            && out.contains("image: nginx:2.0"),
        "{out}"
    );
    // the directory itself is untouched
    assert!(
        fs::read_to_string(d.join("kustomization.yaml"))
            .expect("read")
            .contains("namespace: old")
    );
}

#[test]
fn substituted_text_is_read_as_yaml_1_1() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "a.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    quoted: \"${flag}\"\nspec:\n  replicas: ${replicas}\n  paused: ${flag}\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:${tag:=1.0}\n        args: [\"$${literal}\", \"${multi}\"]\n",
    );
    let vars = [("replicas", "3"), ("flag", "yes"), ("multi", "a\nb")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let subs = Substitutions {
        vars,
        strict: true,
        always: false,
    };
    let objs = build_kustomization(d, &FluxOverlay::default(), &subs).expect("builds");
    let o = &objs[0];
    assert_eq!(o.pointer("/spec/replicas"), Some(&Value::from(3)));
    assert_eq!(o.pointer("/spec/paused"), Some(&Value::Bool(true)));
    // Flux substitutes in the object as sigs.k8s.io/yaml writes it, where the source's quotes
    // are gone (kustomize-controller#625): `"${flag}"` becomes the boolean.
    assert_eq!(
        o.pointer("/metadata/annotations/quoted"),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        o.pointer("/spec/template/spec/containers/0/image"),
        Some(&Value::from("nginx:1.0"))
    );
    assert_eq!(
        o.pointer("/spec/template/spec/containers/0/args/0"),
        Some(&Value::from("${literal}"))
    );
    assert_eq!(
        o.pointer("/spec/template/spec/containers/0/args/1"),
        Some(&Value::from("ab"))
    );
}

#[test]
fn invalid_variable_names_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "a.yaml", &CM.replace("NAME", "a"));
    let subs = Substitutions {
        vars: [("bad-name".to_string(), "x".to_string())]
            .into_iter()
            .collect(),
        strict: false,
        always: false,
    };
    let e = build_kustomization(d, &FluxOverlay::default(), &subs).expect_err("bad name");
    assert!(e.to_string().contains("bad-name"), "{e}");
}

#[test]
fn empty_directory_builds_nothing_and_components_can_be_missing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "README.md", "no manifests here");
    let overlay = FluxOverlay {
        components: vec!["../missing".into()],
        ignore_missing_components: true,
        target_namespace: Some("ns".into()),
        ..FluxOverlay::default()
    };
    let objs = build_kustomization(d, &overlay, &Substitutions::default()).expect("builds");
    assert!(objs.is_empty());
    let overlay = FluxOverlay {
        components: vec!["/abs".into()],
        ..FluxOverlay::default()
    };
    assert!(build_kustomization(d, &overlay, &Substitutions::default()).is_err());
}

#[test]
fn flux_images_merge_into_existing_entries() {
    let mut k = Kustomization {
        images: Some(vec![Image {
            name: "app".into(),
            new_name: "reg/app".into(),
            new_tag: "1".into(),
            ..Image::default()
        }]),
        ..Kustomization::default()
    };
    let overlay = FluxOverlay {
        images: vec![
            Image {
                name: "app".into(),
                digest: "sha256:abc".into(),
                ..Image::default()
            },
            Image {
                name: "other".into(),
                new_tag: "2".into(),
                ..Image::default()
            },
        ],
        ..FluxOverlay::default()
    };
    apply_overlay(&mut k, &overlay, Path::new(".")).expect("applies");
    let images = k.images.expect("images");
    assert_eq!(images.len(), 2);
    assert_eq!(
        (
            images[0].new_name.as_str(),
            images[0].new_tag.as_str(),
            images[0].digest.as_str()
        ),
        ("reg/app", "", "sha256:abc")
    );
    assert_eq!(images[1].new_tag, "2");
}

#[test]
fn always_strategy_substitutes_without_variables_and_metadata_comes_after() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: ${missing:=fallback}\n",
    );
    let overlay = FluxOverlay {
        common_metadata: Some(CommonMetadata {
            labels: IndexMap::new(),
            annotations: [("note".to_string(), "${not_substituted}".to_string())]
                .into_iter()
                .collect(),
        }),
        ..FluxOverlay::default()
    };
    let subs = Substitutions {
        vars: IndexMap::new(),
        strict: true,
        always: true,
    };
    let objs = build_kustomization(d, &overlay, &subs).expect("builds");
    assert_eq!(objs[0].pointer("/data/x"), Some(&Value::from("fallback")));
    assert_eq!(
        objs[0].pointer("/metadata/annotations/note"),
        Some(&Value::from("${not_substituted}"))
    );
}

/// fluxcd/pkg's `kustomize.Build` runs krusty without `--reorder`: objects keep the order
/// of accumulation (a kustomization's `sortOptions` still applies).
#[test]
fn flux_builds_keep_the_order_of_accumulation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "r.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n",
    );
    write(d, "kustomization.yaml", "resources: [r.yaml]\n");
    let kinds = |d: &Path| -> Vec<String> {
        build_kustomization(d, &FluxOverlay::default(), &Substitutions::default())
            .expect("builds")
            .iter()
            .map(|o| o["kind"].as_str().expect("kind").to_string())
            .collect()
    };
    assert_eq!(kinds(d), ["Service", "Namespace"]);
    write(
        d,
        "kustomization.yaml",
        "resources: [r.yaml]\nsortOptions:\n  order: legacy\n",
    );
    assert_eq!(kinds(d), ["Namespace", "Service"]);
}

/// Flux loads kyaml's built-in schema before building, so an `openapi.path` document adds
/// to it: containers still merge by name.
#[test]
fn flux_openapi_documents_add_to_the_builtin_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1\n",
    );
    write(d, "schema.json", "{\"definitions\": {}}\n");
    write(
        d,
        "kustomization.yaml",
        "resources: [d.yaml]\nopenapi:\n  path: schema.json\npatches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: d\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n            args: [x]\n",
    );
    let objects =
        build_kustomization(d, &FluxOverlay::default(), &Substitutions::default()).expect("builds");
    let c = &objects[0]["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "nginx:1", "{c}");
    assert_eq!(c["args"][0], "x", "{c}");
    // Plain kustomize replaces the built-in schema: the list is replaced.
    let plain = crate::build(d, &crate::BuildOptions::default()).expect("builds");
    let c = &plain[0]["spec"]["template"]["spec"]["containers"][0];
    assert!(c.get("image").is_none(), "{c}");
}

/// `spec.buildMetadata` reaches the kustomization; objects without apiVersion, kind or
/// name are refused as kustomize-controller refuses them.
#[test]
fn flux_build_metadata_and_identity_check() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "cm.yaml", &CM.replace("NAME", "a"));
    write(d, "kustomization.yaml", "resources: [cm.yaml]\n");
    let overlay = FluxOverlay {
        build_metadata: vec!["originAnnotations".into()],
        ..FluxOverlay::default()
    };
    let subs = Substitutions {
        vars: [("env".to_string(), "x".to_string())].into_iter().collect(),
        ..Substitutions::default()
    };
    let objects = build_kustomization(d, &overlay, &subs).expect("builds");
    assert_eq!(
        objects[0]["metadata"]["annotations"]["config.kubernetes.io/origin"],
        "path: cm.yaml\n"
    );
    write(
        d,
        "cm.yaml",
        "piVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let e = build_kustomization(d, &FluxOverlay::default(), &subs).expect_err("refused");
    assert!(
        e.to_string()
            .contains("failed to decode Kubernetes apiVersion, kind and name from: {"),
        "{e}"
    );
}
