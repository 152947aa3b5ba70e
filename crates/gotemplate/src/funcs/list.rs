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
            sprig_chunk(&l, size).map(|c| Value::list(c.into_iter().map(Value::list).collect()))
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
            let bounds = |len: usize| {
                let start = a.get(1).map_or(0, to_int64);
                let end = if a.len() < 3 {
                    len as i64
                } else {
                    to_int64(&a[2])
                };
                if start < 0 || end < start || end as usize > len {
                    return Err("reflect.Value.Slice: slice index out of bounds".to_string());
                }
                Ok(start as usize..end as usize)
            };
            // A `[]byte` slices to a `[]byte`, without a value per byte.
            if let Value::Object(o) = &a[0]
                && let Some(b) = o.as_bytes()
            {
                if b.is_empty() {
                    return Ok(Value::Nil);
                }
                return Ok(crate::value::Bytes::value(&b[bounds(b.len())?]));
            }
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
            Ok(Value::list(l[bounds(l.len())?].to_vec()))
        });
    }
    m.pure("concat", &[], Some(Any), |a| {
        let mut out = Vec::new();
        for l in &a {
            match l.list_items() {
                Some(v) => out.extend(v),
                // Sprig asks reflect for the kind of a nil interface's element: a panic.
                None if l.is_nil() => {
                    return Err(
                        "runtime error: invalid memory address or nil pointer dereference".into(),
                    );
                }
                None => return Err(format!("Cannot concat type {} as list", l.kind_name())),
            }
        }
        if out.is_empty() {
            return Ok(Value::nil_list());
        }
        Ok(Value::list(out))
    });
}

/// Sprig's `mustChunk`, float arithmetic and Go's runtime panics included (a size of 0 or
/// below usually ends in `make` with a negative length).
fn sprig_chunk(l: &[Value], size: i64) -> Result<Vec<Vec<Value>>, String> {
    let go_int = super::conv::go_f64_to_i64;
    let n = l.len() as f64;
    let cs = go_int(((n - 1.0) / size as f64).floor() + 1.0);
    let make_err = || "runtime error: makeslice: len out of range".to_string();
    if cs < 0 {
        return Err(make_err());
    }
    let mut out = Vec::new();
    for i in 0..cs {
        let mut clen = size;
        if i == cs - 1 {
            clen = go_int((n % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(make_err());
        }
        let mut chunk = Vec::new();
        for j in 0..clen {
            let ix = i * size + j;
            match usize::try_from(ix).ok().and_then(|ix| l.get(ix)) {
                Some(v) => chunk.push(v.clone()),
                None => return Err("reflect: slice index out of range".into()),
            }
        }
        out.push(chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// Sprig v3.3 in helm v4.3.1: chunk's float arithmetic and Go runtime errors.
    #[test]
    fn chunk_and_errors_as_helm() {
        let ok = r#"{{ chunk 2 (list 1 2 3 4 5) }} {{ chunk -2 (list 1) }} {{ chunk -5 (list 1 2 3 4 5) }} {{ chunk 3 (list) }}"#;
        assert_eq!(
            crate::render_helm(ok, "t", None).unwrap(),
            "[[1 2] [3 4] [5]] [[1]] [] []"
        );
        for (tpl, want) in [
            (
                "{{ chunk 0 (list 1) }}",
                "runtime error: makeslice: len out of range",
            ),
            (
                "{{ chunk -1 (list 1 2 3) }}",
                "runtime error: makeslice: len out of range",
            ),
            (
                "{{ slice (list 1) 2 }}",
                "reflect.Value.Slice: slice index out of bounds",
            ),
            (
                "{{ deepCopy nil }}",
                "reflect: call of reflect.Value.Type on zero Value",
            ),
            (
                "{{ mustDeepCopy nil }}",
                "reflect: call of reflect.Value.Type on zero Value",
            ),
            ("{{ semver \"x.y\" }}", "invalid semantic version"),
        ] {
            let e = crate::render_helm(tpl, "t", None).unwrap_err().message;
            assert!(e.ends_with(want), "{tpl}: {e}");
        }
    }

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
