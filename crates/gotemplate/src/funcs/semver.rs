//! Sprig's `semver` and `semverCompare` (Masterminds semver v3 rules, from ferroflux-versions).

use super::{FuncMap, Ty, arg_str};
use crate::value::{Object, Value};
use ferroflux_versions::{Constraints, Version};
use std::sync::Arc;

/// `*semver.Version` as a template object.
#[derive(Debug)]
struct SemVer(Version);

impl Object for SemVer {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.0;
        Some(match name {
            "Major" => Value::Int64(v.major() as i64),
            "Minor" => Value::Int64(v.minor() as i64),
            "Patch" => Value::Int64(v.patch() as i64),
            "Prerelease" => Value::str(v.prerelease()),
            "Metadata" => Value::str(v.metadata()),
            "Original" => Value::str(v.original()),
            "String" => Value::str(v.to_string()),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let other = match args {
            [Value::Object(o)] => match o.field("Original") {
                Some(Value::String(s)) => Version::parse(&s).ok()?,
                _ => return None,
            },
            _ => return None,
        };
        let c = self.0.compare(&other);
        Some(Ok(match name {
            "Compare" => Value::Int(c as i64),
            "LessThan" => Value::Bool(c.is_lt()),
            "GreaterThan" => Value::Bool(c.is_gt()),
            "Equal" => Value::Bool(c.is_eq()),
            _ => return None,
        }))
    }
    /// `Version.MarshalJSON`: the normalised version string.
    fn marshal_json(&self) -> Option<String> {
        let mut out = String::new();
        ferroflux_goformat::write_json_string(&mut out, &self.0.to_string(), true);
        Some(out)
    }
}

impl std::fmt::Display for SemVer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

pub fn register(m: &mut FuncMap) {
    register_with(m, "Invalid Semantic Version", false);
}

/// Helm v4's Masterminds/semver (v3.4) words the parse error in lower case and quotes a bad
/// constraint (`improper constraint: "bad"`).
pub fn register_helm(m: &mut FuncMap) {
    register_with(m, "invalid semantic version", true);
}

fn register_with(m: &mut FuncMap, invalid: &'static str, quote_constraint: bool) {
    use Ty::*;
    m.pure("semver", &[Str], None, move |a| {
        Version::parse(arg_str(&a[0]))
            .map(|v| Value::Object(Arc::new(SemVer(v))))
            .map_err(|_| invalid.to_string())
    });
    m.pure("semverCompare", &[Str, Str], None, move |a| {
        let c = Constraints::parse(arg_str(&a[0])).map_err(|_| {
            let text = arg_str(&a[0]);
            if quote_constraint {
                format!("improper constraint: {}", crate::fmt::go_quote(text))
            } else {
                format!("improper constraint: {text}")
            }
        })?;
        let v = Version::parse(arg_str(&a[1])).map_err(|_| invalid.to_string())?;
        Ok(Value::Bool(c.check(&v)))
    });
}
