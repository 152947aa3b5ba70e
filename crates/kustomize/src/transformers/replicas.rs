//! `replicas:` — sets spec.replicas by object name.

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec};
use crate::kustfile::Replica;
use crate::resource::ResMap;
use serde_json::Value;

/// Applies one `replicas` entry.
pub fn apply(m: &mut ResMap, rep: &Replica, specs: &[FieldSpec]) -> Result<()> {
    let mut found = false;
    for fs in specs {
        for r in &mut m.items {
            if !r.any_id(|id| id.name == rep.name && id.is_selected_by(&fs.gvk)) {
                continue;
            }
            found = true;
            let gvk = r.gvk();
            fieldspec::apply_specs(&mut r.obj, &gvk, std::slice::from_ref(fs), &mut |v| {
                *v = Value::from(rep.count);
                Ok(())
            })?;
        }
    }
    if !found {
        // kyaml's `Gvk.String()` of each field spec: `Kind.Version.Group`, with placeholders.
        let or = |s: &str, none: &'static str| {
            if s.is_empty() {
                none.to_string()
            } else {
                s.to_string()
            }
        };
        let gvks: Vec<String> = specs
            .iter()
            .map(|fs| {
                format!(
                    "{}.{}.{}",
                    or(&fs.gvk.kind, "[noKind]"),
                    or(&fs.gvk.version, "[noVer]"),
                    or(&fs.gvk.group, "[noGrp]")
                )
            })
            .collect();
        return Err(err(ErrorKind::Invalid(format!(
            "resource with name {} does not match a config with the following GVK [{}]",
            rep.name,
            gvks.join(" ")
        ))));
    }
    Ok(())
}
