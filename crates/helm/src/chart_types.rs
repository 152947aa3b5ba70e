//! The first type mismatch in a Chart.yaml (or requirements.yaml), worded as Go's
//! `encoding/json` reports it through sigs.k8s.io/yaml: Helm converts the YAML to JSON (keys
//! sorted, scalars meant for strings made strings) and decodes that into its `Metadata`
//! struct, which reports the first value of the wrong kind in that order.

use serde_json::Value as J;

/// What a field of Helm's chart metadata holds.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    Strs,
    StrMap,
    Any,
    List(&'static Ty, &'static str),
    Struct(&'static [(&'static str, Ty)], &'static str),
}

const MAINTAINER: &[(&str, Ty)] = &[("email", Ty::Str), ("name", Ty::Str), ("url", Ty::Str)];
const ANYS: Ty = Ty::Any;
const DEPENDENCY: &[(&str, Ty)] = &[
    ("alias", Ty::Str),
    ("condition", Ty::Str),
    ("enabled", Ty::Bool),
    ("import-values", Ty::List(&ANYS, "[]interface {}")),
    ("name", Ty::Str),
    ("repository", Ty::Str),
    ("tags", Ty::Strs),
    ("version", Ty::Str),
];
const MAINTAINER_TY: Ty = Ty::Struct(MAINTAINER, "v2.Maintainer");
const DEPENDENCY_TY: Ty = Ty::Struct(DEPENDENCY, "v2.Dependency");
const METADATA: &[(&str, Ty)] = &[
    ("annotations", Ty::StrMap),
    ("apiVersion", Ty::Str),
    ("appVersion", Ty::Str),
    ("condition", Ty::Str),
    ("dependencies", Ty::List(&DEPENDENCY_TY, "[]*v2.Dependency")),
    ("deprecated", Ty::Bool),
    ("description", Ty::Str),
    ("home", Ty::Str),
    ("icon", Ty::Str),
    ("keywords", Ty::Strs),
    ("kubeVersion", Ty::Str),
    ("maintainers", Ty::List(&MAINTAINER_TY, "[]*v2.Maintainer")),
    ("name", Ty::Str),
    ("sources", Ty::Strs),
    ("tags", Ty::Str),
    ("type", Ty::Str),
    ("version", Ty::Str),
];

/// Go's message for the first value of `metadata` (a JSON object) that does not fit.
pub(crate) fn first_mismatch(metadata: &J) -> Option<String> {
    let J::Object(o) = metadata else {
        return None;
    };
    fields(o, METADATA, "")
}

fn fields(o: &serde_json::Map<String, J>, of: &[(&str, Ty)], path: &str) -> Option<String> {
    // Go's JSON has the keys in order; of two keys with one name, the later value stands.
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort();
    keys.into_iter().find_map(|k| {
        let (_, ty) = of.iter().find(|(name, _)| *name == k.as_str())?;
        check(&o[k], *ty, &format!("{path}.{k}"), true)
    })
}

fn check(v: &J, ty: Ty, path: &str, field: bool) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let (fits, name) = match ty {
        Ty::Any => return None,
        Ty::Str => (!v.is_array() && !v.is_object(), "string"),
        Ty::Bool => (v.is_boolean(), "bool"),
        Ty::Strs => (v.is_array(), "[]string"),
        Ty::StrMap => (v.is_object(), "map[string]string"),
        Ty::List(_, name) => (v.is_array(), name),
        Ty::Struct(_, name) => (v.is_object(), name),
    };
    if !fits {
        let kind = crate::yaml::json_kind(v);
        let into = if field { "Go struct field " } else { "" };
        return Some(format!(
            "json: cannot unmarshal {kind} into {into}{path} of type {name}"
        ));
    }
    match (ty, v) {
        (Ty::Strs, J::Array(a)) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| check(x, Ty::Str, &format!("{path}.{i}"), false)),
        (Ty::List(elem, _), J::Array(a)) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| check(x, *elem, &format!("{path}.{i}"), false)),
        (Ty::StrMap, J::Object(o)) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            keys.into_iter()
                .find_map(|k| check(&o[k], Ty::Str, &format!("{path}.{k}"), true))
        }
        (Ty::Struct(of, _), J::Object(o)) => fields(o, of, path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::first_mismatch;

    /// Each checked against helm v4.3.1 (`helm template` on a chart with these lines).
    #[test]
    fn mismatches_read_as_go_reports_them() {
        let cases = [
            (
                r#"{"deprecated": "yes", "keywords": "a"}"#,
                "json: cannot unmarshal string into Go struct field .deprecated of type bool",
            ),
            (
                r#"{"keywords": "a"}"#,
                "json: cannot unmarshal string into Go struct field .keywords of type []string",
            ),
            (
                r#"{"keywords": [["a"]]}"#,
                "json: cannot unmarshal array into .keywords.0 of type string",
            ),
            (
                r#"{"sources": ["a", {"b": 1}]}"#,
                "json: cannot unmarshal object into .sources.1 of type string",
            ),
            (
                r#"{"maintainers": "x"}"#,
                "json: cannot unmarshal string into Go struct field .maintainers of type []*v2.Maintainer",
            ),
            (
                r#"{"maintainers": ["x"]}"#,
                "json: cannot unmarshal string into .maintainers.0 of type v2.Maintainer",
            ),
            (
                r#"{"maintainers": [{"name": "a", "url": {}}]}"#,
                "json: cannot unmarshal object into Go struct field .maintainers.0.url of type string",
            ),
            (
                r#"{"annotations": ["a"]}"#,
                "json: cannot unmarshal array into Go struct field .annotations of type map[string]string",
            ),
            (
                r#"{"annotations": {"a": {"b": 1}}}"#,
                "json: cannot unmarshal object into Go struct field .annotations.a of type string",
            ),
            (
                r#"{"dependencies": ["x"]}"#,
                "json: cannot unmarshal string into .dependencies.0 of type v2.Dependency",
            ),
            (
                r#"{"dependencies": [{"name": "d", "tags": [["x"]]}]}"#,
                "json: cannot unmarshal array into .dependencies.0.tags.0 of type string",
            ),
            (
                r#"{"dependencies": [{"name": "d", "enabled": 1}]}"#,
                "json: cannot unmarshal number into Go struct field .dependencies.0.enabled of type bool",
            ),
            (
                r#"{"dependencies": [{"name": "d", "import-values": {}}]}"#,
                "json: cannot unmarshal object into Go struct field .dependencies.0.import-values of type []interface {}",
            ),
            (
                r#"{"dependencies": [{"name": "d", "condition": ["y"], "alias": ["x"]}]}"#,
                "json: cannot unmarshal array into Go struct field .dependencies.0.alias of type string",
            ),
            (
                r#"{"zzz": [1], "home": [1]}"#,
                "json: cannot unmarshal array into Go struct field .home of type string",
            ),
        ];
        for (json, want) in cases {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(first_mismatch(&v).as_deref(), Some(want), "{json}");
        }
        for fine in [
            r#"{"version": 1.0, "keywords": [1, true], "deprecated": true}"#,
            r#"{"dependencies": [{"name": "d", "import-values": [1, [2]]}], "annotations": null}"#,
        ] {
            let v: serde_json::Value = serde_json::from_str(fine).unwrap();
            assert_eq!(first_mismatch(&v), None, "{fine}");
        }
    }
}
