//! `namePrefix` / `nameSuffix`.

use crate::error::Result;
use crate::fieldspec::{self, FieldSpec};
use crate::resource::{Gvk, ResMap};
use serde_json::Value;

fn skipped(gvk: &Gvk) -> bool {
    gvk.kind == "CustomResourceDefinition"
        || gvk.kind == "Namespace"
        || (gvk.kind == "APIService" && gvk.group == "apiregistration.k8s.io")
}

/// Adds `affix` as a prefix (or suffix) to names at `specs`.
pub fn apply(m: &mut ResMap, affix: &str, is_prefix: bool, specs: &[FieldSpec]) -> Result<()> {
    {
        if affix.is_empty() {
            return Ok(());
        }
        let sets: Vec<fieldspec::SpecSet<'_>> = specs
            .iter()
            .map(|fs| fieldspec::SpecSet::new(std::slice::from_ref(fs)))
            .collect();
        for r in &mut m.items {
            let org = r.org_id();
            if skipped(&org.gvk) {
                continue;
            }
            for (fs, set) in specs.iter().zip(&sets) {
                if !org.gvk.is_selected_by(&fs.gvk) {
                    continue;
                }
                if fs.path == "metadata/name" {
                    if is_prefix {
                        r.prefixes.push(affix.to_string());
                    } else {
                        r.suffixes.push(affix.to_string());
                    }
                    r.store_previous_id();
                }
                set.apply(&mut r.obj, &mut |v| {
                    // A field the spec creates is an empty scalar, which kyaml prefixes too.
                    if v.is_null() {
                        *v = Value::String(String::new());
                    }
                    if let Value::String(s) = v {
                        *s = if is_prefix {
                            format!("{affix}{s}")
                        } else {
                            format!("{s}{affix}")
                        };
                    }
                    Ok(())
                })?;
            }
        }
    }
    Ok(())
}
