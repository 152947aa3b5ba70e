//! Sprig's list functions (errors worded as Sprig's panics, which Go turns into errors).

use super::conv::to_int64;
use super::reflect::deep_equal;
use super::{FuncMap, Ty};
use crate::value::Value;

fn items(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::Missing | Value::Nil => {
            Err("runtime error: invalid memory address or nil pointer dereference".into())
        }
        v => v
            .list_items()
            .ok_or_else(|| format!("Cannot {what} type {}", v.kind_name())),
    }
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    for name in ["list", "tuple"] {
        m.pure(name, &[], Some(Any), |a| Ok(Value::list(a)));
    }
    for name in ["push", "append", "mustPush", "mustAppend"] {
        m.pure(name, &[Any, Any], None, |a| {
            let mut l = items(&a[0], "push on")?;
            l.push(a[1].clone());
            Ok(Value::list(l))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        m.pure(name, &[Any, Any], None, |a| {
            let mut l = items(&a[0], "prepend on")?;
            l.insert(0, a[1].clone());
            Ok(Value::list(l))
        });
    }
    for name in ["chunk", "mustChunk"] {
        m.pure(name, &[Int, Any], None, |a| {
            let size = to_int64(&a[0]);
            let l = items(&a[1], "chunk")?;
            if size <= 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(Value::list(
                l.chunks(size as usize)
                    .map(|c| Value::list(c.to_vec()))
                    .collect(),
            ))
        });
    }
    for name in ["first", "mustFirst"] {
        m.pure(name, &[Any], None, |a| {
            Ok(items(&a[0], "find first on")?
                .into_iter()
                .next()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["last", "mustLast"] {
        m.pure(name, &[Any], None, |a| {
            Ok(items(&a[0], "find last on")?.pop().unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        m.pure(name, &[Any], None, |a| {
            let l = items(&a[0], "find rest on")?;
            if l.is_empty() {
                return Ok(Value::nil_list());
            }
            Ok(Value::list(l[1..].to_vec()))
        });
    }
    for name in ["initial", "mustInitial"] {
        m.pure(name, &[Any], None, |a| {
            let l = items(&a[0], "find initial on")?;
            if l.is_empty() {
                return Ok(Value::nil_list());
            }
            Ok(Value::list(l[..l.len() - 1].to_vec()))
        });
    }
    for name in ["reverse", "mustReverse"] {
        m.pure(name, &[Any], None, |a| {
            let mut l = items(&a[0], "find reverse on")?;
            l.reverse();
            Ok(Value::list(l))
        });
    }
    for name in ["compact", "mustCompact"] {
        m.pure(name, &[Any], None, |a| {
            let l = items(&a[0], "compact on")?;
            Ok(Value::list(
                l.into_iter().filter(|v| !super::conv::empty(v)).collect(),
            ))
        });
    }
    for name in ["uniq", "mustUniq"] {
        m.pure(name, &[Any], None, |a| {
            let l = items(&a[0], "find uniq on")?;
            let mut out: Vec<Value> = Vec::new();
            for v in l {
                if !out.iter().any(|o| deep_equal(o, &v)) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        m.pure(name, &[Any], Some(Any), |a| {
            let l = items(&a[0], "find without on")?;
            let omit = &a[1..];
            Ok(Value::list(
                l.into_iter()
                    .filter(|v| !omit.iter().any(|o| deep_equal(o, v)))
                    .collect(),
            ))
        });
    }
    for name in ["has", "mustHas"] {
        m.pure(name, &[Any, Any], None, |a| {
            if a[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            let l = items(&a[1], "find has on")?;
            Ok(Value::Bool(l.iter().any(|v| deep_equal(v, &a[0]))))
        });
    }
    for name in ["slice", "mustSlice"] {
        m.pure(name, &[Any], Some(Any), |a| {
            let l = match &a[0] {
                Value::Missing | Value::Nil => {
                    return Err(
                        "runtime error: invalid memory address or nil pointer dereference".into(),
                    );
                }
                v => v.list_items().ok_or_else(|| {
                    format!(
                        "list should be type of slice or array but {}",
                        v.kind_name()
                    )
                })?,
            };
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map_or(0, to_int64);
            let end = if a.len() < 3 {
                l.len() as i64
            } else {
                to_int64(&a[2])
            };
            if start < 0 || end < start || end as usize > l.len() {
                return Err("reflect: slice index out of range".to_string());
            }
            Ok(Value::list(l[start as usize..end as usize].to_vec()))
        });
    }
    m.pure("concat", &[], Some(Any), |a| {
        let mut out = Vec::new();
        for l in &a {
            match l.list_items() {
                Some(v) => out.extend(v),
                None => return Err(format!("Cannot concat type {} as list", l.kind_name())),
            }
        }
        if out.is_empty() {
            return Ok(Value::nil_list());
        }
        Ok(Value::list(out))
    });
}

#[cfg(test)]
mod tests {
    /// Sprig returns Go nil slices in a few places; JSON writes them as `null` (gotmpl-oracle).
    #[test]
    fn nil_slices() {
        let tpl = r#"{{ rest (list) | toJson }} {{ initial (list) | toJson }} {{ concat (list) (list) | toJson }} {{ regexFindAll "x" "abc" -1 | toJson }} {{ regexSplit "," "a,b" 0 | toJson }} {{ rest (list 1) | toJson }} {{ concat | toJson }}
{{ rest (list) }} {{ deepEqual (rest (list)) (list) }} {{ deepEqual (rest (list)) (initial (list)) }} {{ kindOf (rest (list)) }} {{ len (rest (list)) }} {{ empty (concat) }}
{{ append (rest (list)) 1 | toJson }} {{ dict "a" (rest (list)) | toJson }}"#;
        assert_eq!(
            crate::render_plain(tpl, "t", None).unwrap(),
            "null null null null null [] null\n[] false true slice 0 true\n[1] {\"a\":null}"
        );
    }
}
