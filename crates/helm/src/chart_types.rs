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
    StrMap,
    Any,
    List(&'static Ty, &'static str),
    Struct(&'static [(&'static str, Ty)], &'static str),
}

const STR: Ty = Ty::Str;
const STRS: Ty = Ty::List(&STR, "[]string");
const MAINTAINER: &[(&str, Ty)] = &[("email", Ty::Str), ("name", Ty::Str), ("url", Ty::Str)];
const ANYS: Ty = Ty::Any;
const DEPENDENCY: &[(&str, Ty)] = &[
    ("alias", Ty::Str),
    ("condition", Ty::Str),
    ("enabled", Ty::Bool),
    ("import-values", Ty::List(&ANYS, "[]interface {}")),
    ("name", Ty::Str),
    ("repository", Ty::Str),
    ("tags", STRS),
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
    ("keywords", STRS),
    ("kubeVersion", Ty::Str),
    ("maintainers", Ty::List(&MAINTAINER_TY, "[]*v2.Maintainer")),
    ("name", Ty::Str),
    ("sources", STRS),
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

fn fields(o: &serde_json::Map<String, J>, of: &[(&'static str, Ty)], path: &str) -> Option<String> {
    // Go's JSON has the keys in order, each matched to a field ignoring case.
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort();
    keys.into_iter().find_map(|k| {
        let (_, ty) = field_of(of, k)?;
        check(&o[k], *ty, &format!("{path}.{k}"), true)
    })
}

/// The field a key sets: the one of its name, or else one whose name differs only in case.
fn field_of<'a>(of: &'a [(&'static str, Ty)], key: &str) -> Option<&'a (&'static str, Ty)> {
    of.iter()
        .find(|(name, _)| *name == key)
        .or_else(|| of.iter().find(|(name, _)| name.eq_ignore_ascii_case(key)))
}

/// Rewrites `metadata` (checked by [`first_mismatch`]) as Go's decoder reads it into Helm's
/// struct: each key under its field's own name, the later of two keys for one field (in
/// sorted order) winning, and nulls dropped (they leave a field as it was), in the metadata
/// and in each maintainer and dependency.
pub(crate) fn as_go_decodes(metadata: &mut J) {
    canonical(metadata, METADATA);
    if let J::Object(o) = metadata {
        for (list, of) in [("dependencies", DEPENDENCY), ("maintainers", MAINTAINER)] {
            if let Some(J::Array(items)) = o.get_mut(list) {
                items.iter_mut().for_each(|item| canonical(item, of));
            }
        }
    }
}

fn canonical(v: &mut J, of: &[(&'static str, Ty)]) {
    let J::Object(o) = v else {
        return;
    };
    let mut entries: Vec<(String, J)> = std::mem::take(o).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in entries {
        if v.is_null() {
            continue;
        }
        let name = field_of(of, &k).map_or(k, |(name, _)| (*name).to_string());
        o.insert(name, v);
    }
}

fn check(v: &J, ty: Ty, path: &str, field: bool) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let (fits, name) = match ty {
        Ty::Any => return None,
        Ty::Str => (!v.is_array() && !v.is_object(), "string"),
        Ty::Bool => (v.is_boolean(), "bool"),
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
            (
                r#"{"Keywords": "a", "deprecated": true}"#,
                "json: cannot unmarshal string into Go struct field .Keywords of type []string",
            ),
            (
                r#"{"Deprecated": "yes"}"#,
                "json: cannot unmarshal string into Go struct field .Deprecated of type bool",
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

    /// Keys matched to fields ignoring case (the later in sorted order wins) and nulls
    /// dropped, as Go's decoder sets Helm's struct.
    #[test]
    fn metadata_reads_as_go_decodes_it() {
        let mut v: serde_json::Value = serde_json::from_str(
            r#"{"Name": "upper", "name": "lower", "Version": "1.0.0", "Home": null,
                "dependencies": [{"Name": "d", "enabled": null, "import-values": null}],
                "maintainers": [{"EMAIL": "a@b", "url": null}], "extra": 1}"#,
        )
        .unwrap();
        super::as_go_decodes(&mut v);
        let want: serde_json::Value = serde_json::from_str(
            r#"{"name": "lower", "version": "1.0.0", "dependencies": [{"name": "d"}],
                "maintainers": [{"email": "a@b"}], "extra": 1}"#,
        )
        .unwrap();
        assert_eq!(v, want);
    }
}
