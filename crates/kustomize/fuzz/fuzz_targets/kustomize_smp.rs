//! Strategic merge patching two YAML documents must never panic.
//!
//! The input is `ORIGINAL`, a `---` line, then `PATCH` (each read as a resource file);
//! the original's `apiVersion`/`kind` pick the schema's merge keys.
#![no_main]

use ferroflux_kustomize::resource::{Gvk, get_str};
use ferroflux_kustomize::smp::{CustomKeys, merge_object};
use ferroflux_kustomize::{to_yaml, yaml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() > 16 * 1024 {
        return;
    }
    let Some((orig, patch)) = text.split_once("\n---\n") else {
        return;
    };
    let (Ok(orig), Ok(patch)) = (yaml::parse_resources(orig), yaml::parse_resources(patch)) else {
        return;
    };
    let (Some(orig), Some(patch)) = (orig.first(), patch.first()) else {
        return;
    };
    let gvk = Gvk::from_api_version(
        get_str(orig, &["apiVersion"]).unwrap_or(""),
        get_str(orig, &["kind"]).unwrap_or(""),
    );
    // Once with the built-in schema, once as a custom resource with a merge key from `crds:`.
    let custom = CustomKeys {
        keys: vec![(
            String::new(),
            gvk.kind.clone(),
            "spec.items".into(),
            "name".into(),
        )],
        replaces_builtin: false,
        schema_set: false,
    };
    for keys in [CustomKeys::default(), custom] {
        if let Some(merged) = merge_object(orig, patch, &gvk, &keys) {
            let _ = to_yaml(&[merged]);
        }
    }
});
