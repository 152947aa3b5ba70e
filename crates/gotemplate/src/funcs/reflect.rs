//! Sprig's reflection functions.

use super::{FuncMap, Ty, arg_str, s};
use crate::value::{Value, read};

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("typeOf", &[Any], None, |a| Ok(s(a[0].type_name())));
    m.pure("kindOf", &[Any], None, |a| Ok(s(a[0].kind_name())));
    m.pure("typeIs", &[Str, Any], None, |a| {
        Ok(Value::Bool(arg_str(&a[0]) == a[1].type_name()))
    });
    m.pure("typeIsLike", &[Str, Any], None, |a| {
        let t = a[1].type_name();
        let w = arg_str(&a[0]);
        Ok(Value::Bool(w == t || w == format!("*{t}")))
    });
    m.pure("kindIs", &[Str, Any], None, |a| {
        Ok(Value::Bool(arg_str(&a[0]) == a[1].kind_name()))
    });
    m.pure("deepEqual", &[Any, Any], None, |a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
}

/// `reflect.DeepEqual` over template values (types must match too).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    if a.is_nil_slice() != b.is_nil_slice() {
        return false;
    }
    match (a, b) {
        (Value::Missing | Value::Nil, Value::Missing | Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::StrList(x), Value::StrList(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if std::sync::Arc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (read(x), read(y));
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => std::sync::Arc::ptr_eq(x, y),
        _ => false,
    }
}
