//! Sprig's dictionaries. Maps are shared: `set`, `unset`, `merge` change them in place.

use super::{FuncMap, Ty, arg_str, strval};
use crate::frozen::{REFUSED_MESSAGE, may_change};
use crate::value::{Map, Value, read, write};
use std::sync::Arc;

fn map_of(v: &Value) -> Option<&Arc<std::sync::RwLock<Map>>> {
    match v {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("dict", &[], Some(Any), |a| {
        let mut d = crate::value::Map::new();
        let mut i = 0;
        while i < a.len() {
            let k = strval(&a[i]);
            let v = a.get(i + 1).cloned().unwrap_or_else(|| Value::str(""));
            d.insert(k, v);
            i += 2;
        }
        Ok(Value::map(d))
    });
    m.pure("get", &[Map, Str], None, |a| {
        Ok(map_of(&a[0])
            .and_then(|m| read(m).get(arg_str(&a[1])).cloned())
            .unwrap_or_else(|| Value::str("")))
    });
    m.pure("set", &[Map, Str, Any], None, |a| {
        let Some(m) = map_of(&a[0]) else {
            return Err("assignment to entry in nil map".into());
        };
        if !may_change(m) {
            return Err(REFUSED_MESSAGE.into());
        }
        write(m).insert(arg_str(&a[1]).to_string(), a[2].clone());
        Ok(a[0].clone())
    });
    m.pure("unset", &[Map, Str], None, |a| {
        if let Some(m) = map_of(&a[0]) {
            if !may_change(m) {
                return Err(REFUSED_MESSAGE.into());
            }
            write(m).remove(arg_str(&a[1]));
        } else if a[0].is_nil() {
            // A nil bound to the map parameter is a nil map: it prints `map[]`.
            return Ok(Value::empty_map());
        }
        Ok(a[0].clone())
    });
    m.pure("hasKey", &[Map, Str], None, |a| {
        Ok(Value::Bool(
            map_of(&a[0]).is_some_and(|m| read(m).contains_key(arg_str(&a[1]))),
        ))
    });
    m.pure("pluck", &[Str], Some(Map), |a| {
        let k = arg_str(&a[0]);
        Ok(Value::list(
            a[1..]
                .iter()
                .filter_map(|d| map_of(d).and_then(|m| read(m).get(k).cloned()))
                .collect(),
        ))
    });
    m.pure("keys", &[], Some(Map), |a| {
        let mut ks = Vec::new();
        for d in &a {
            if let Some(m) = map_of(d) {
                ks.extend(read(m).keys().cloned());
            }
        }
        Ok(Value::StrList(Arc::new(ks)))
    });
    m.pure("pick", &[Map], Some(Str), |a| {
        let mut out = crate::value::Map::new();
        if let Some(m) = map_of(&a[0]) {
            let m = read(m);
            for k in &a[1..] {
                if let Some(v) = m.get(arg_str(k)) {
                    out.insert(arg_str(k).to_string(), v.clone());
                }
            }
        }
        Ok(Value::map(out))
    });
    m.pure("omit", &[Map], Some(Str), |a| {
        let mut out = crate::value::Map::new();
        if let Some(m) = map_of(&a[0]) {
            for (k, v) in read(m).iter() {
                if !a[1..].iter().any(|o| arg_str(o) == k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(Value::map(out))
    });
    m.pure("values", &[Map], None, |a| {
        Ok(Value::list(
            map_of(&a[0])
                .map(|m| read(m).values().cloned().collect())
                .unwrap_or_default(),
        ))
    });
    for (name, over) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        m.pure(name, &[Map], Some(Map), move |a| {
            // A nil destination (a variable or pipeline holding nil, which Go passes as a nil
            // map) gets a new map, as mergo allocates one.
            let fresh = a[0].is_nil().then(Value::empty_map);
            let Some(dst) = map_of(fresh.as_ref().unwrap_or(&a[0])) else {
                return Ok(a[0].clone());
            };
            for src in &a[1..] {
                if let Some(s) = map_of(src) {
                    if Arc::ptr_eq(dst, s) {
                        continue;
                    }
                    let snapshot = read(s).clone();
                    if !merge_into(dst, &snapshot, over, 0) {
                        return Err(REFUSED_MESSAGE.into());
                    }
                }
            }
            Ok(fresh.unwrap_or_else(|| a[0].clone()))
        });
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        m.pure(name, &[Any], None, |a| {
            if a[0].is_nil() {
                // copystructure panics on a nil interface (Sprig v3.3 / Go 1.27 wording).
                return Err("reflect: call of reflect.Value.Type on zero Value".into());
            }
            Ok(a[0].deep_copy())
        });
    }
    m.pure("dig", &[], Some(Any), |a| {
        if a.len() < 3 {
            return Err("dig needs at least three arguments".into());
        }
        let n = a.len();
        let def = a[n - 2].clone();
        let mut keys = Vec::new();
        for k in &a[..n - 2] {
            match k {
                Value::String(s) => keys.push(s.clone()),
                other => {
                    return Err(format!(
                        "interface conversion: interface {{}} is {}, not string",
                        other.type_name()
                    ));
                }
            }
        }
        let mut cur = a[n - 1].clone();
        for (i, k) in keys.iter().enumerate() {
            let Value::Map(m) = &cur else {
                let t = if cur.is_nil() {
                    "nil".to_string()
                } else {
                    cur.type_name()
                };
                return Err(format!(
                    "interface conversion: interface {{}} is {t}, not map[string]interface {{}}"
                ));
            };
            let next = read(m).get(k.as_ref()).cloned();
            match next {
                None => return Ok(def),
                Some(v) if i == keys.len() - 1 => return Ok(v),
                Some(v) => cur = v,
            }
        }
        Ok(def)
    });
}

/// mergo's isEmptyValue for interface elements.
fn is_empty(v: &Value) -> bool {
    super::conv::empty(v)
}

/// mergo's deep merge of `src` into `dst`; false when a map it had to change is frozen
/// (see [`crate::frozen`]), which stops it there.
fn merge_into(dst: &Arc<std::sync::RwLock<Map>>, src: &Map, over: bool, depth: usize) -> bool {
    crate::stack::deep(|| merge_into_here(dst, src, over, depth))
}

fn merge_into_here(dst: &Arc<std::sync::RwLock<Map>>, src: &Map, over: bool, depth: usize) -> bool {
    if depth > crate::value::MAX_DEPTH {
        return true;
    }
    for (k, sv) in src {
        let dv = read(dst).get(k).cloned();
        if sv.is_nil() {
            if over {
                if !may_change(dst) {
                    return false;
                }
                write(dst).insert(k.clone(), Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (sv, &dv) {
            if !Arc::ptr_eq(sm, dm) {
                let snap = read(sm).clone();
                if !merge_into(dm, &snap, over, depth + 1) {
                    return false;
                }
            }
            continue;
        }
        // Past the map-into-map case, mergo sets the source's value where it overrides (a
        // map or list replacing a number, a string or a list alike) or where the
        // destination's is empty, and keeps the destination's otherwise.
        if over || dv.as_ref().is_none_or(is_empty) {
            if !may_change(dst) {
                return false;
            }
            write(dst).insert(k.clone(), sv.clone());
        }
    }
    true
}
