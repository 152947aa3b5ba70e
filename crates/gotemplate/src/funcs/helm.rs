//! Helm's own template functions (`include`, `tpl`, `required`, YAML/JSON/TOML codecs,
//! `lookup`). `lookup` returns an empty map; replace it in the [`FuncMap`] to reach a cluster.

use super::{FuncMap, Ty, arg_str, s};
use crate::value::{Map, Value};

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
        let r = ctx.execute_template(&name, &a[1]);
        ctx.leave_include(&name);
        r.map(s).map_err(|e| e.message)
    });
    m.insert("tpl", &[Str, Any], None, |ctx, a| {
        let text = arg_str(&a[0]).to_string();
        match ctx.execute_text("gotpl", &text, &a[1]) {
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
    m.pure("fromYaml", &[Str], None, |a| {
        Ok(match super::yaml::from_yaml(arg_str(&a[0])) {
            Ok(v @ Value::Map(_)) => v,
            Ok(Value::Nil) => Value::empty_map(),
            Ok(other) => error_map(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )),
            Err(e) => error_map(e),
        })
    });
    m.pure("fromYamlArray", &[Str], None, |a| {
        Ok(match super::yaml::from_yaml(arg_str(&a[0])) {
            Ok(v @ Value::List(_)) => v,
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![s(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![s(e)]),
        })
    });
    m.pure("fromJson", &[Str], None, |a| {
        Ok(
            match serde_json::from_str::<serde_json::Value>(arg_str(&a[0])) {
                Ok(serde_json::Value::Object(o)) => Value::from_json(&serde_json::Value::Object(o)),
                Ok(serde_json::Value::Null) => Value::empty_map(),
                Ok(other) => error_map(format!(
                    "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&Value::from_json(&other))
                )),
                Err(e) => error_map(super::encoding::go_json_decode_error(arg_str(&a[0]), &e)),
            },
        )
    });
    m.pure("fromJsonArray", &[Str], None, |a| {
        Ok(
            match serde_json::from_str::<serde_json::Value>(arg_str(&a[0])) {
                Ok(serde_json::Value::Array(v)) => Value::from_json(&serde_json::Value::Array(v)),
                Ok(serde_json::Value::Null) => Value::list(Vec::new()),
                Ok(other) => Value::list(vec![s(format!(
                    "json: cannot unmarshal {} into Go value of type []interface {{}}",
                    json_kind(&Value::from_json(&other))
                ))]),
                Err(e) => Value::list(vec![s(super::encoding::go_json_decode_error(
                    arg_str(&a[0]),
                    &e,
                ))]),
            },
        )
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
