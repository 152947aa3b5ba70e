//! Sprig's `semver` and `semverCompare` (Masterminds semver v3 rules, from ferroflux-versions).

use super::{FuncMap, Ty, arg_str};
use crate::value::{Object, Value};
use ferroflux_versions::{Constraints, Version};
use std::sync::Arc;

/// `*semver.Version` as a template object (`semver.Version`, a value, when `.1` is false:
/// what the `Inc*` and `Set*` methods return).
#[derive(Debug)]
struct SemVer(Version, bool);

impl Object for SemVer {
    fn type_name(&self) -> &str {
        if self.1 {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }
    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.0;
        if !self.1 && POINTER_ONLY.contains(&name) {
            return None;
        }
        Some(match name {
            "Major" => Value::Int64(v.major() as i64),
            "Minor" => Value::Int64(v.minor() as i64),
            "Patch" => Value::Int64(v.patch() as i64),
            "Prerelease" => Value::str(v.prerelease()),
            "Metadata" => Value::str(v.metadata()),
            "Original" => Value::str(v.original()),
            "String" => Value::str(v.to_string()),
            "Value" => Value::str(v.to_string()),
            "IncMajor" => next(v, v.major() + 1, 0, 0),
            "IncMinor" => next(v, v.major(), v.minor() + 1, 0),
            // A pre-release version's next patch is the release itself.
            "IncPatch" if !v.prerelease().is_empty() => next(v, v.major(), v.minor(), v.patch()),
            "IncPatch" => next(v, v.major(), v.minor(), v.patch() + 1),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if !self.1 && POINTER_ONLY.contains(&name) {
            return None;
        }
        if let ("SetPrerelease" | "SetMetadata", [Value::String(part)]) = (name, args) {
            let v = &self.0;
            let (pre, meta) = match name {
                "SetPrerelease" => (part.as_ref(), v.metadata()),
                _ => (v.prerelease(), part.as_ref()),
            };
            return Some(with_parts(v, pre, meta).ok_or_else(|| {
                match name {
                    "SetPrerelease" => "invalid prerelease string",
                    _ => "invalid metadata string",
                }
                .to_string()
            }));
        }
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
            "LessThanEqual" => Value::Bool(c.is_le()),
            "GreaterThan" => Value::Bool(c.is_gt()),
            "GreaterThanEqual" => Value::Bool(c.is_ge()),
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

/// Methods with a pointer receiver: a `semver.Version` value (not addressable in a template)
/// has none of them.
const POINTER_ONLY: &[&str] = &[
    "Original",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
    "Compare",
];

/// The `v` an original version string started with, kept by the derived versions.
fn v_prefix(v: &Version) -> &'static str {
    if v.original().starts_with('v') {
        "v"
    } else {
        ""
    }
}

/// `major.minor.patch` of `v`'s line, without pre-release or metadata.
fn next(v: &Version, major: u64, minor: u64, patch: u64) -> Value {
    let text = format!("{}{major}.{minor}.{patch}", v_prefix(v));
    match Version::parse(&text) {
        Ok(n) => Value::Object(Arc::new(SemVer(n, false))),
        Err(_) => Value::Nil,
    }
}

/// `v` with another pre-release and metadata; `None` when they are no valid identifiers.
fn with_parts(v: &Version, pre: &str, meta: &str) -> Option<Value> {
    let mut text = format!("{}{}.{}.{}", v_prefix(v), v.major(), v.minor(), v.patch());
    if !pre.is_empty() {
        text = format!("{text}-{pre}");
    }
    if !meta.is_empty() {
        text = format!("{text}+{meta}");
    }
    let n = Version::parse(&text).ok()?;
    (n.prerelease() == pre && n.metadata() == meta)
        .then(|| Value::Object(Arc::new(SemVer(n, false))))
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
    // Helm's Masterminds (v3.5) names a pre-release number with a leading zero, and a
    // constraint whose version then fails, in words of their own.
    let helm = quote_constraint;
    let version_error = move |e: ferroflux_versions::VersionError| match e {
        ferroflux_versions::VersionError::SegmentStartsZero(_) if helm => {
            "version segment starts with 0".to_string()
        }
        _ => invalid.to_string(),
    };
    m.pure("semver", &[Str], None, move |a| {
        Version::parse(arg_str(&a[0]))
            .map(|v| Value::Object(Arc::new(SemVer(v, true))))
            .map_err(version_error)
    });
    m.pure("semverCompare", &[Str, Str], None, move |a| {
        let c = Constraints::parse(arg_str(&a[0])).map_err(|e| {
            let text = arg_str(&a[0]);
            match e {
                ferroflux_versions::ConstraintError::BadVersion { .. } if helm => {
                    "constraint parser error".to_string()
                }
                _ if helm => format!("improper constraint: {}", crate::fmt::go_quote(text)),
                _ => format!("improper constraint: {text}"),
            }
        })?;
        let v = Version::parse(arg_str(&a[1])).map_err(version_error)?;
        Ok(Value::Bool(c.check(&v)))
    });
}
