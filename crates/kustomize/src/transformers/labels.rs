//! `commonLabels`, `labels`, `commonAnnotations`: add key/value pairs to maps at field specs.

use crate::alias::Seg;
use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec};
use crate::resource::ResMap;
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Sets every pair in the maps found at `specs`.
///
/// As in kustomize, the fields a key is created at share one node per object (see
/// [`crate::alias`]), and writing a key that exists writes into its node, so into every
/// field sharing it.
pub fn apply(m: &mut ResMap, pairs: &IndexMap<String, String>, specs: &[FieldSpec]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let specs = fieldspec::SpecSet::new(specs);
    for r in &mut m.items {
        // Per key: the paths where it was created.
        let mut created: Vec<Vec<Vec<Seg>>> = vec![Vec::new(); pairs.len()];
        let mut overwrote = false;
        specs.apply_with_paths(&mut r.obj, &mut |v, path| {
            if v.is_null() {
                *v = Value::Object(Map::new());
            }
            let Some(map) = v.as_object_mut() else {
                return Err(err(ErrorKind::Invalid(
                    "label/annotation field spec does not point at a map".into(),
                )));
            };
            for (i, (k, val)) in pairs.iter().enumerate() {
                let existed = map.insert(k.clone(), Value::String(val.clone())).is_some();
                let mut p = path.to_vec();
                p.push(Seg::Key(k.clone()));
                if !existed {
                    created[i].push(p);
                } else if !created[i].contains(&p) {
                    overwrote = true;
                }
            }
            Ok(())
        })?;
        if overwrote {
            r.sync_aliases();
        }
        for ((_, val), paths) in pairs.iter().zip(created) {
            crate::alias::add_group(&mut r.aliases, Value::String(val.clone()), paths);
        }
    }
    Ok(())
}
