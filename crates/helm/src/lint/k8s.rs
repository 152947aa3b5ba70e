//! What `helm lint` checks of each rendered manifest and CRD file, as apimachinery reads
//! and validates them: documents split by `YAMLOrJSONDecoder`, each decoded into Helm's
//! `k8sYamlStruct` (apiVersion, kind, metadata.name, metadata.namespace), names checked by
//! the rules of the object's kind, built-in APIs checked for deprecation.

use super::deprecated_apis::DEPRECATED;
use crate::objects::KubeVersion;
use serde_json::Value as J;

/// The part of a manifest `helm lint` decodes (`k8sYamlStruct`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Head {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// The documents of a file as `YAMLOrJSONDecoder` yields them: `Ok(None)` for a document that
/// decodes to null. The first error ends the stream (Helm stops there).
pub fn decode_all(text: &str) -> Vec<Result<Option<Head>, String>> {
    if text.trim_start().starts_with('{') {
        return decode_json_stream(text);
    }
    decode_yaml_stream(text)
}

fn decode_yaml_stream(text: &str) -> Vec<Result<Option<Head>, String>> {
    let mut out = Vec::new();
    for doc in yaml_documents(text) {
        match doc {
            Ok(d) => {
                let r = decode_yaml(&d);
                let failed = r.is_err();
                out.push(r);
                if failed {
                    break;
                }
            }
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

/// apimachinery's `YAMLReader`: a line starting with `---` ends a document (only spaces or a
/// comment may follow it); documents with nothing in them are skipped.
fn yaml_documents(text: &str) -> Vec<Result<String, String>> {
    let mut docs = Vec::new();
    let mut buf = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                docs.push(Err(format!("invalid Yaml document separator: {trimmed}")));
                return docs;
            }
            if !buf.is_empty() {
                docs.push(Ok(std::mem::take(&mut buf)));
            }
            continue;
        }
        buf.push_str(line);
    }
    if !buf.is_empty() {
        docs.push(Ok(buf));
    }
    docs
}

fn decode_yaml(doc: &str) -> Result<Option<Head>, String> {
    if let Some(e) = crate::manifests::go_yaml_utf8_error(doc) {
        return Err(format!("error converting YAML to JSON: yaml: {e}"));
    }
    let j =
        crate::yaml::parse_typed(doc).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    head_of(&j).map_err(|e| format!("error unmarshaling JSON: while decoding JSON: {e}"))
}

/// A JSON stream: one value after another, each decoded as a document.
/// apimachinery's `YAMLOrJSONDecoder` (Kubernetes 1.33 on) goes on in YAML from a value that
/// does not parse as JSON (`{a: 1}`, a trailing comma), and keeps the JSON error when the
/// YAML reading fails there too.
fn decode_json_stream(text: &str) -> Vec<Result<Option<Head>, String>> {
    let mut out = Vec::new();
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<J>();
    loop {
        let start = values.byte_offset();
        match values.next() {
            None => break,
            Some(Ok(j)) => {
                let r = head_of(&j);
                let failed = r.is_err();
                out.push(r);
                if failed {
                    break;
                }
            }
            Some(Err(e)) => {
                let yaml = decode_yaml_stream(&text[start..]);
                if !matches!(yaml.iter().find(|d| !matches!(d, Ok(None))), Some(Err(_))) {
                    out.extend(yaml);
                    return out;
                }
                out.push(Err(go_stream_error(text, start, &e)));
                break;
            }
        }
    }
    out
}

/// A JSON decoder's error for the value starting at byte `start`, as apimachinery words
/// Go's: `json: offset N: …` for a syntax error, `unexpected EOF` for a cut value.
fn go_stream_error(text: &str, start: usize, e: &serde_json::Error) -> String {
    use ferroflux_gotemplate::funcs::encoding::go_json_syntax_error_at;
    match go_json_syntax_error_at(&text.as_bytes()[start..]) {
        Some(s) if !s.eof => format!("json: offset {}: {}", start + s.at + 1, s.message),
        Some(_) => "unexpected EOF".into(),
        None => e.to_string(),
    }
}

/// `json.Unmarshal` into `*k8sYamlStruct`, with sigs.k8s.io/yaml's string targets (a number or
/// boolean given for a string field becomes its text). Field names match in any case; Go's
/// decoder visits keys in sorted order, so of two spellings the later one wins.
fn head_of(j: &J) -> Result<Option<Head>, String> {
    let top = match j {
        J::Null => return Ok(None),
        J::Object(o) => o,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type rules.k8sYamlStruct",
                crate::yaml::json_kind(other)
            ));
        }
    };
    let mut head = Head::default();
    let mut keys: Vec<&String> = top.keys().collect();
    keys.sort();
    for k in keys {
        let v = &top[k];
        if k.eq_ignore_ascii_case("apiVersion") {
            head.api_version = go_string(v, k)?;
        } else if k.eq_ignore_ascii_case("kind") {
            head.kind = go_string(v, k)?;
        } else if k.eq_ignore_ascii_case("metadata") {
            match v {
                J::Null => {}
                J::Object(m) => {
                    let mut mkeys: Vec<&String> = m.keys().collect();
                    mkeys.sort();
                    for mk in mkeys {
                        let path = format!("{k}.{mk}");
                        if mk.eq_ignore_ascii_case("name") {
                            head.name = go_string(&m[mk], &path)?;
                        } else if mk.eq_ignore_ascii_case("namespace") {
                            go_string(&m[mk], &path)?;
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "json: cannot unmarshal {} into Go struct field .{k} of type rules.k8sYamlMetadata",
                        crate::yaml::json_kind(other)
                    ));
                }
            }
        }
    }
    Ok(Some(head))
}

fn go_string(v: &J, path: &str) -> Result<String, String> {
    crate::chart::scalar_to_go_string(v).ok_or_else(|| {
        format!(
            "json: cannot unmarshal {} into Go struct field .{path} of type string",
            crate::yaml::json_kind(v)
        )
    })
}

// --- names ---------------------------------------------------------------------------------

const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str, first: fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            first(*f) && (l.is_ascii_lowercase() || l.is_ascii_digit()) && b.iter().all(inner)
        }
        _ => false,
    }
}

fn alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !name.split('.').all(|l| is_label(l, alnum)) {
        errs.push(DNS1123_SUBDOMAIN.to_string());
    }
    errs
}

fn label(name: &str, first: fn(u8) -> bool, msg: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(name, first) {
        errs.push(msg.to_string());
    }
    errs
}

/// `IsDNS1123Label`: a name that would be a subdomain fails for its dots alone.
fn dns1123_label(name: &str) -> Vec<String> {
    let mut errs = label(name, alnum, DNS1123_LABEL);
    if !errs.is_empty()
        && errs.last().map(String::as_str) == Some(DNS1123_LABEL)
        && name.split('.').all(|l| is_label(l, alnum))
    {
        *errs.last_mut().expect("not empty") = "must not contain dots".into();
    }
    errs
}

fn path_segment(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|c| name.contains(**c))
        .map(|c| format!("may not contain '{c}'"))
        .collect()
}

/// `validateMetadataName`: the name rules of the object's kind (a DNS subdomain unless the
/// kind has its own), as one aggregate error.
pub fn validate_name(h: &Head) -> Result<(), String> {
    let name = h.name.as_str();
    let errs = match h.kind.to_lowercase().as_str() {
        "service" => label(name, |c| c.is_ascii_lowercase(), DNS1035_LABEL),
        "namespace" => dns1123_label(name),
        "certificatesigningrequest" => Vec::new(),
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => path_segment(name),
        _ => dns1123_subdomain(name),
    };
    if errs.is_empty() {
        return Ok(());
    }
    let q = ferroflux_gotemplate::fmt::go_quote(name);
    let mut each: Vec<String> = Vec::new();
    for e in errs {
        let one = format!("metadata.name: Invalid value: {q}: {e}");
        if !each.contains(&one) {
            each.push(one);
        }
    }
    let agg = if each.len() == 1 {
        each.remove(0)
    } else {
        format!("[{}]", each.join(", "))
    };
    Err(format!(
        "object name does not conform to Kubernetes naming requirements: {q}: {agg}"
    ))
}

/// `validateNoDeprecations`: a built-in API deprecated in `kube` (or earlier).
pub fn deprecation(h: &Head, kube: &KubeVersion) -> Option<String> {
    if h.api_version.is_empty() || h.kind.is_empty() {
        return None;
    }
    let api_version = normalize_group_version(&h.api_version);
    let &(gv, kind, dep, rem, rep) = DEPRECATED
        .iter()
        .find(|(gv, k, ..)| *gv == api_version && *k == h.kind)?;
    let (major, minor) = kube.major_minor();
    if dep.0 > major || (dep.0 == major && dep.1 > minor) {
        return None;
    }
    let mut msg = format!("{gv} {kind} is deprecated in v{}.{}+", dep.0, dep.1);
    if rem != (0, 0) {
        msg.push_str(&format!(", unavailable in v{}.{}+", rem.0, rem.1));
    }
    if !rep.is_empty() {
        msg.push_str(&format!("; use {rep}"));
    }
    Some(msg)
}

/// `schema.FromAPIVersionAndKind` then `GroupVersion().String()`: `group/version`, a bare
/// version for the core group (`/v1` is `v1`).
fn normalize_group_version(api_version: &str) -> String {
    match api_version.split_once('/') {
        Some(("", v)) => v.to_string(),
        _ => api_version.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(api: &str, kind: &str, name: &str) -> Head {
        Head {
            api_version: api.into(),
            kind: kind.into(),
            name: name.into(),
        }
    }

    #[test]
    fn documents_split_decode_and_stop_at_the_first_error() {
        let r = decode_all("a: 1\n---\n---\n# only\n---\nkind: X\nmetadata: {name: 5}\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], Ok(Some(Head::default())));
        assert_eq!(r[1], Ok(None));
        assert_eq!(r[2], Ok(Some(head("", "X", "5"))));
        let r = decode_all("--- x\nkind: A\n");
        assert_eq!(
            r,
            vec![Err("invalid Yaml document separator: x".to_string())]
        );
        let r = decode_all("kind: [x]\n---\nkind: B\n");
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0],
            Err("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .kind of type string".into())
        );
        let r = decode_all("- a\n");
        assert!(
            r[0].as_ref()
                .unwrap_err()
                .ends_with("cannot unmarshal array into Go value of type rules.k8sYamlStruct")
        );
        let r = decode_all("KIND: a\nkind: b\n");
        assert_eq!(r[0].as_ref().unwrap().as_ref().unwrap().kind, "b");
    }

    #[test]
    fn names_by_kind() {
        assert!(validate_name(&head("v1", "ConfigMap", "a.b-c")).is_ok());
        let e = validate_name(&head("v1", "ConfigMap", "Bad_Name")).unwrap_err();
        assert!(e.starts_with("object name does not conform to Kubernetes naming requirements: \"Bad_Name\": metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
        assert!(validate_name(&head("v1", "Service", "1a")).is_err());
        assert!(validate_name(&head("v1", "service", "a.b")).is_err());
        assert!(validate_name(&head("v1", "CertificateSigningRequest", "A")).is_ok());
        assert!(validate_name(&head("v1", "Role", "")).is_ok());
        let e = validate_name(&head("v1", "Role", "a/%")).unwrap_err();
        assert!(e.ends_with("[metadata.name: Invalid value: \"a/%\": may not contain '/', metadata.name: Invalid value: \"a/%\": may not contain '%']"));
        let e = validate_name(&head("v1", "Namespace", "team.blue")).unwrap_err();
        assert!(e.ends_with("\"team.blue\": must not contain dots"));
        let long = "a".repeat(64);
        let e = validate_name(&head("v1", "Namespace", &long)).unwrap_err();
        assert!(e.ends_with(": must be no more than 63 characters"));
    }

    #[test]
    fn deprecations_follow_the_kube_version() {
        let kv = |s: &str| KubeVersion::parse(s).unwrap();
        let pdb = head("policy/v1beta1", "PodDisruptionBudget", "x");
        assert_eq!(deprecation(&pdb, &kv("1.20")), None);
        assert_eq!(
            deprecation(&pdb, &kv("1.21")).unwrap(),
            "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget"
        );
        assert_eq!(
            deprecation(&head("apps/v1", "Deployment", "x"), &kv("1.99")),
            None
        );
        assert_eq!(
            deprecation(&head("policy/v1beta1", "", "x"), &kv("1.99")),
            None
        );
    }
}
