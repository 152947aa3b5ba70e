//! Helm's own template functions (`include`, `tpl`, `required`, YAML/JSON/TOML codecs,
//! `lookup`). `lookup` returns an empty map; replace it in the [`FuncMap`] to reach a cluster.

use super::{FuncMap, Ty, arg_str, s};
use crate::value::{Map, Value, read};
use std::sync::{Arc, RwLock};

/// The methods of Helm's `common.Values` a template can reach (`.Values.AsMap`, …).
pub const VALUES_METHODS: &[&str] = &["AsMap", "YAML", "Table", "PathValue", "Encode"];

/// Calls a method of Helm's `common.Values` on a marked map; errors in Go's words.
pub fn values_method(m: &Arc<RwLock<Map>>, name: &str, args: &[Value]) -> Result<Value, String> {
    let want = usize::from(matches!(name, "Table" | "PathValue" | "Encode"));
    if args.len() != want {
        return Err(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        ));
    }
    let path = match (name, args.first()) {
        ("Encode", Some(a)) => {
            return Err(format!(
                "wrong type for value; expected io.Writer; got {}",
                a.type_name()
            ));
        }
        (_, Some(Value::String(p))) => p.to_string(),
        (_, Some(a)) => {
            return Err(format!(
                "wrong type for value; expected string; got {}",
                if a.is_nil() {
                    "interface {}".into()
                } else {
                    a.type_name()
                }
            ));
        }
        _ => String::new(),
    };
    let table = |path: &str| -> Result<Arc<RwLock<Map>>, String> {
        let mut cur = m.clone();
        for key in path.split('.') {
            let next = match read(&cur).get(key) {
                Some(Value::Map(t)) => t.clone(),
                _ => return Err(format!("{} is not a table", crate::fmt::go_quote(key))),
            };
            cur = next;
        }
        Ok(cur)
    };
    let call = |e: String| format!("error calling {name}: {e}");
    match name {
        "AsMap" => Ok(Value::Map(m.clone())),
        "YAML" => super::yaml::to_yaml(&Value::Map(m.clone()), false)
            .map(s)
            .map_err(call),
        // Go returns the table as `common.Values`; it stays unmarked here, since the mark
        // would follow the map to every other place that holds it (`.Values.<table>`).
        "Table" => Ok(Value::Map(table(&path).map_err(call)?)),
        _ => {
            // PathValue: a leaf (not a table) at a dotted path.
            if path.is_empty() {
                return Err(call("YAML path cannot be empty".into()));
            }
            let (parent, key) = match path.rsplit_once('.') {
                Some((p, k)) => (Some(p), k),
                None => (None, path.as_str()),
            };
            let no_value = || call(format!("{} is not a value", crate::fmt::go_quote(key)));
            let t = match parent {
                Some(p) => table(p).map_err(|_| no_value())?,
                None => m.clone(),
            };
            match read(&t).get(key) {
                Some(Value::Map(_)) | None => Err(no_value()),
                Some(v) => Ok(v.clone()),
            }
        }
    }
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.insert("include", &[Str, Any], None, |ctx, a| {
        let name = arg_str(&a[0]).to_string();
        let limit = ctx.options().include_limit;
        let n = ctx.enter_include(&name);
        if n > limit + 1 {
            ctx.leave_include(&name);
            return Err(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            ));
        }
        // Go hands `include` a nil interface for a missing or nil argument, and executing a
        // template on nil gives it no dot at all (fields of it are then empty, not errors).
        let data = match &a[1] {
            Value::Nil => &Value::Missing,
            v => v,
        };
        let r = ctx.execute_template(&name, data);
        ctx.leave_include(&name);
        r.map(s).map_err(|e| e.message)
    });
    m.insert("tpl", &[Str, Any], None, |ctx, a| {
        let text = arg_str(&a[0]).to_string();
        // As for `include`: nil data executes with no dot.
        let data = match &a[1] {
            Value::Nil => &Value::Missing,
            v => v,
        };
        match ctx.execute_text("gotpl", &text, data) {
            Ok(out) => Ok(s(out.replace("<no value>", ""))),
            Err(e) if e.kind == crate::ErrorKind::Parse => Err(format!(
                "cannot parse template {}: {}",
                crate::fmt::go_quote(&text),
                e.message
            )),
            Err(e) => Err(format!(
                "error during tpl function execution for {}: {}",
                crate::fmt::go_quote(&text),
                e.message
            )),
        }
    });
    m.pure("required", &[Str, Any], None, |a| {
        let empty = match &a[1] {
            Value::Missing | Value::Nil => true,
            Value::String(x) => x.is_empty(),
            _ => false,
        };
        if empty {
            return Err(arg_str(&a[0]).to_string());
        }
        Ok(a[1].clone())
    });
    m.pure("toYaml", &[Any], None, |a| {
        Ok(s(super::yaml::to_yaml(&a[0], false)
            .map(|y| y.strip_suffix('\n').unwrap_or(&y).to_string())
            .unwrap_or_default()))
    });
    m.pure("mustToYaml", &[Any], None, |a| {
        super::yaml::to_yaml(&a[0], false).map(|y| s(y.strip_suffix('\n').unwrap_or(&y)))
    });
    m.pure("toYamlPretty", &[Any], None, |a| {
        Ok(s(super::yaml::to_yaml(&a[0], true)
            .map(|y| y.strip_suffix('\n').unwrap_or(&y).to_string())
            .unwrap_or_default()))
    });
    register_from_yaml(m, super::yaml::from_yaml);
    m.pure("fromJson", &[Str], None, |a| {
        Ok(match super::encoding::decode_json(arg_str(&a[0])) {
            Ok(serde_json::Value::Object(o)) => Value::from_json(&serde_json::Value::Object(o)),
            Ok(serde_json::Value::Null) => Value::empty_map(),
            Ok(other) => error_map(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&Value::from_json(&other))
            )),
            Err(e) => error_map(super::encoding::go_json_decode_error(arg_str(&a[0]), &e)),
        })
    });
    m.pure("fromJsonArray", &[Str], None, |a| {
        Ok(match super::encoding::decode_json(arg_str(&a[0])) {
            Ok(serde_json::Value::Array(v)) => Value::from_json(&serde_json::Value::Array(v)),
            // Go's decoding of `null` leaves a nil slice, which JSON and YAML write as null.
            Ok(serde_json::Value::Null) => Value::nil_list(),
            Ok(other) => Value::list(vec![s(format!(
                "json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&Value::from_json(&other))
            ))]),
            Err(e) => Value::list(vec![s(super::encoding::go_json_decode_error(
                arg_str(&a[0]),
                &e,
            ))]),
        })
    });
    m.pure("toToml", &[Any], None, |a| {
        super::toml::to_toml(&a[0]).map(s)
    });
    m.pure("fromToml", &[Str], None, |a| {
        Ok(super::toml::from_toml(arg_str(&a[0])))
    });
    m.pure("lookup", &[Str, Str, Str, Str], None, |_| {
        Ok(Value::empty_map())
    });
}

/// Registers Helm's `fromYaml` and `fromYamlArray` over `parse`, a reader of one YAML
/// document as sigs.k8s.io/yaml converts it to JSON (its errors already carry the
/// "error converting YAML to JSON: " prefix). Helm's engine passes its own YAML 1.1 reader.
pub fn register_from_yaml(m: &mut FuncMap, parse: fn(&str) -> Result<Value, String>) {
    use Ty::*;
    m.pure("fromYaml", &[Str], None, move |a| {
        Ok(match parse(arg_str(&a[0])) {
            Ok(v @ Value::Map(_)) => v,
            Ok(Value::Nil) => Value::empty_map(),
            Ok(other) => error_map(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )),
            Err(e) => error_map(e),
        })
    });
    m.pure("fromYamlArray", &[Str], None, move |a| {
        Ok(match parse(arg_str(&a[0])) {
            Ok(v @ Value::List(_)) => v,
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![s(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![s(e)]),
        })
    });
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) | Value::StrList(_) => "array",
        Value::Map(_) => "object",
        _ => "null",
    }
}

fn error_map(msg: String) -> Value {
    let mut m = Map::new();
    m.insert("Error".into(), s(msg));
    Value::map(m)
}

#[cfg(test)]
mod tests {
    use crate::value::{Value, mark_helm_values};

    /// `.Values` as Helm types it: `common.Values`, with its methods (helm v4.3.1's output).
    #[test]
    fn common_values_methods() {
        let values = Value::from_json(&serde_json::json!({
            "image": {"repo": "nginx", "tag": "1.25"}, "list": [1, 2], "AsMap": "shadowed"
        }));
        mark_helm_values(&values);
        let mut root = crate::Map::new();
        root.insert("Values".into(), values);
        let root = Value::map(root);
        let cases = [
            (r#"{{ dig "image" "repo" "none" .Values.AsMap }}"#, "nginx"),
            (
                r#"{{ .Values.YAML }}"#,
                "AsMap: shadowed\nimage:\n  repo: nginx\n  tag: \"1.25\"\nlist:\n- 1\n- 2\n",
            ),
            (
                r#"{{ (.Values.Table "image").tag }} {{ typeOf (.Values.Table "image") }}"#,
                "1.25 map[string]interface {}",
            ),
            (r#"{{ .Values.PathValue "image.repo" }}"#, "nginx"),
            (
                r#"{{ typeOf .Values }} {{ typeOf .Values.image }} {{ kindOf .Values }}"#,
                "common.Values map[string]interface {} map",
            ),
            (
                r#"{{ $_ := set .Values.AsMap "added" 1 }}{{ .Values.added }}"#,
                "1",
            ),
            (r#"{{ index .Values "AsMap" }}"#, "shadowed"),
            (r#"{{ typeOf (deepCopy .Values) }}"#, "common.Values"),
        ];
        for (tpl, want) in cases {
            let mut t =
                crate::Template::new("t", crate::FuncMap::helm(), crate::Options::helm(false));
            t.parse("t", tpl).unwrap();
            assert_eq!(t.execute("t", &root).unwrap(), want, "{tpl}");
        }
        let errors = [
            (
                r#"{{ .Values.Table "list" }}"#,
                "error calling Table: \"list\" is not a table",
            ),
            (
                r#"{{ .Values.PathValue "image" }}"#,
                "error calling PathValue: \"image\" is not a value",
            ),
            (
                r#"{{ .Values.PathValue "x.y" }}"#,
                "error calling PathValue: \"y\" is not a value",
            ),
            (
                r#"{{ .Values.AsMap 1 }}"#,
                "wrong number of args for AsMap: want 0 got 1",
            ),
        ];
        for (tpl, want) in errors {
            let mut t =
                crate::Template::new("t", crate::FuncMap::helm(), crate::Options::helm(false));
            t.parse("t", tpl).unwrap();
            let e = t.execute("t", &root).unwrap_err().message;
            assert!(e.ends_with(want), "{tpl}: {e}");
        }
    }
}
