//! Sprig's reflection functions.

use super::{FuncMap, Ty, arg_str, s};
use crate::value::{Value, read};

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("typeOf", &[Raw], None, |a| Ok(s(a[0].type_name())));
    m.pure("kindOf", &[Raw], None, |a| Ok(s(a[0].kind_name())));
    m.pure("typeIs", &[Str, Raw], None, |a| {
        Ok(Value::Bool(arg_str(&a[0]) == a[1].type_name()))
    });
    m.pure("typeIsLike", &[Str, Raw], None, |a| {
        let t = a[1].type_name();
        let w = arg_str(&a[0]);
        Ok(Value::Bool(w == t || w == format!("*{t}")))
    });
    m.pure("kindIs", &[Str, Raw], None, |a| {
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

#[cfg(test)]
mod tests {
    use crate::value::{Map, Object, Value};
    use std::sync::Arc;

    /// A host object that is a Go slice, like Helm's `common.VersionSet`.
    #[derive(Debug)]
    struct Versions;
    impl Object for Versions {
        fn type_name(&self) -> &str {
            "common.VersionSet"
        }
        fn kind(&self) -> &str {
            "slice"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
        fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
            None
        }
        fn as_value(&self) -> Option<Value> {
            Some(Value::StrList(Arc::new(vec![
                "v1".into(),
                "apps/v1".into(),
            ])))
        }
    }

    #[test]
    fn reflection_sees_host_slices_as_their_own_type() {
        let mut t = crate::Template::new("t", crate::FuncMap::sprig(), Default::default());
        t.parse(
            "t",
            "{{ typeOf .v }} {{ kindOf .v }} {{ typeIs \"common.VersionSet\" .v }} {{ kindIs \"slice\" .v }} {{ first .v }} {{ has \"apps/v1\" .v }}",
        )
        .unwrap();
        let mut m = Map::new();
        m.insert("v".into(), Value::Object(Arc::new(Versions)));
        assert_eq!(
            t.execute("t", &Value::map(m)).unwrap(),
            "common.VersionSet slice true true v1 true"
        );
    }
}
