//! `commonLabels`, `labels`, `commonAnnotations`: add key/value pairs to maps at field specs.

use crate::error::{ErrorKind, Result, err};
use crate::fieldspec::{self, FieldSpec};
use crate::resource::ResMap;
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Sets every pair in the maps found at `specs`.
pub fn apply(m: &mut ResMap, pairs: &IndexMap<String, String>, specs: &[FieldSpec]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let specs = fieldspec::SpecSet::new(specs);
    for r in &mut m.items {
        specs.apply(&mut r.obj, &mut |v| {
            if v.is_null() {
                *v = Value::Object(Map::new());
            }
            let Some(map) = v.as_object_mut() else {
                return Err(err(ErrorKind::Invalid(
                    "label/annotation field spec does not point at a map".into(),
                )));
            };
            for (k, val) in pairs {
                map.insert(k.clone(), Value::String(val.clone()));
            }
            Ok(())
        })?;
    }
    Ok(())
}
