//! From rendered files to Helm's ordered manifests and hooks (`releaseutil.SortManifests`).

use crate::yaml;
use serde_json::Value as J;
use std::collections::BTreeMap;

/// Helm's install order by kind; unknown kinds go last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// The few fields Helm reads from each document.
#[derive(Debug, Default, Clone)]
pub struct Head {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub annotations: Option<BTreeMap<String, String>>,
}

/// One document of a rendered file.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The template it came from (`chart/templates/x.yaml`).
    pub path: String,
    pub content: String,
    pub head: Head,
}

/// A hook document.
#[derive(Debug, Clone)]
pub struct Hook {
    pub manifest: Manifest,
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

impl Hook {
    pub fn is_test(&self) -> bool {
        self.events
            .iter()
            .any(|e| e == "test" || e == "test-success")
    }
}

/// `SplitManifests`: documents at `---` line starts, empty ones dropped, leading space trimmed.
/// What follows a marker on its line (after spaces and tabs) starts the next document.
pub fn split_manifests(big: &str) -> Vec<String> {
    let text = big.trim_start();
    let next_line = |from: usize| text[from..].find('\n').map(|i| from + i + 1);
    let mut docs = Vec::new();
    let mut start = 0;
    let mut line = Some(0);
    while let Some(at) = line {
        if text[at..].starts_with("---") {
            docs.push(&text[start..at]);
            let rest = text[at + 3..].trim_start_matches([' ', '\t']);
            start = text.len() - rest.len();
            line = next_line(start);
        } else {
            line = next_line(at);
        }
    }
    docs.push(&text[start..]);
    docs.into_iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim_start().to_string())
        .collect()
}

fn scalar(v: &J, field: &str) -> Result<String, String> {
    match v {
        J::Null => Ok(String::new()),
        J::String(s) => Ok(s.clone()),
        J::Bool(b) => Ok(b.to_string()),
        J::Number(n) => Ok(n.to_string()),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type string",
            yaml::json_kind(other)
        )),
    }
}

/// go-yaml's complaint about bytes that are not UTF-8 (a template can print any byte: a
/// `"\xff"` literal, a `b64dec` result), if the document holds any.
pub(crate) fn go_yaml_utf8_error(doc: &str) -> Option<&'static str> {
    let bytes = ferroflux_gotemplate::gobytes::go_bytes(doc);
    let std::borrow::Cow::Owned(bytes) = bytes else {
        return None;
    };
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i];
        let width = match lead {
            _ if lead & 0x80 == 0 => 1,
            _ if lead & 0xE0 == 0xC0 => 2,
            _ if lead & 0xF0 == 0xE0 => 3,
            _ if lead & 0xF8 == 0xF0 => 4,
            _ => return Some("invalid leading UTF-8 octet"),
        };
        if i + width > bytes.len() {
            return Some("incomplete UTF-8 octet sequence");
        }
        if bytes[i + 1..i + width].iter().any(|b| b & 0xC0 != 0x80) {
            return Some("invalid trailing UTF-8 octet");
        }
        if std::str::from_utf8(&bytes[i..i + width]).is_err() {
            return Some("invalid length of a UTF-8 sequence");
        }
        i += width;
    }
    None
}

/// Reads a document's head as sigs.k8s.io/yaml would into Helm's `SimpleHead`.
pub fn parse_head(doc: &str) -> Result<Head, String> {
    if let Some(e) = go_yaml_utf8_error(doc) {
        return Err(format!("error converting YAML to JSON: yaml: {e}"));
    }
    // Only the head is read, but the whole document must convert, as sigs.k8s.io/yaml does.
    let j = crate::yaml11::parse_keys(doc, true, &|k| {
        matches!(k, "apiVersion" | "kind" | "metadata")
    })
    .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    let o = match j {
        J::Null => return Ok(Head::default()),
        J::Object(o) => o,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                yaml::json_kind(&other)
            ));
        }
    };
    let mut h = Head {
        api_version: scalar(
            o.get("apiVersion").unwrap_or(&J::Null),
            "SimpleHead.apiVersion",
        )?,
        kind: scalar(o.get("kind").unwrap_or(&J::Null), "SimpleHead.kind")?,
        ..Head::default()
    };
    match o.get("metadata") {
        None | Some(J::Null) => {}
        Some(J::Object(m)) => {
            h.name = scalar(
                m.get("name").unwrap_or(&J::Null),
                "SimpleHead.metadata.name",
            )?;
            match m.get("annotations") {
                None | Some(J::Null) => {}
                Some(J::Object(a)) => {
                    let mut out = BTreeMap::new();
                    for (k, v) in a {
                        out.insert(k.clone(), scalar(v, "SimpleHead.metadata.annotations")?);
                    }
                    h.annotations = Some(out);
                }
                Some(other) => {
                    return Err(format!(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field .metadata.annotations of type map[string]string",
                        yaml::json_kind(other)
                    ));
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}",
                yaml::json_kind(other)
            ));
        }
    }
    Ok(h)
}

fn order(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind`, used with a stable sort.
fn kind_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (order(a), order(b)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

/// A rendered file's documents, each with its head read (or why it could not be).
pub type ReadDocuments = Vec<(String, Result<Head, String>)>;

/// Splits one rendered file into documents and reads each one's head; nothing for a partial
/// or an empty file, which Helm skips.
pub fn read_documents(path: &str, content: &str) -> ReadDocuments {
    let base = path.rsplit('/').next().unwrap_or(path);
    if base.starts_with('_') || content.trim().is_empty() {
        return Vec::new();
    }
    split_manifests(content)
        .into_iter()
        .map(|d| {
            let head = parse_head(&d);
            (d, head)
        })
        .collect()
}

/// A string value as Go's `slog.TextHandler` writes it: bare, or Go-quoted when it is empty
/// or holds spaces, `"`, `=` or unprintable characters.
pub fn slog_text_value(v: &str) -> String {
    let quote = v.is_empty()
        || v.chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '=' || c.is_control());
    if quote {
        ferroflux_gotemplate::fmt::go_quote(v)
    } else {
        v.to_string()
    }
}

/// A line of Go's `slog.TextHandler`: `level=LEVEL msg=MSG k=v…`, each value as
/// [`slog_text_value`] writes it (numbers are passed as their text).
pub fn slog_line(level: &str, msg: &str, attrs: &[(&str, &str)]) -> String {
    let mut line = format!("level={level} msg={}", slog_text_value(msg));
    for (k, v) in attrs {
        line.push(' ');
        line.push_str(k);
        line.push('=');
        line.push_str(&slog_text_value(v));
    }
    line
}

/// Splits every non-partial, non-empty file into documents, separates hooks, and orders both
/// by kind. Unknown hook types are dropped, as Helm does.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    sort_manifests_logged(files, &mut Vec::new())
}

/// [`sort_manifests`], appending to `logs` the lines Helm logs meanwhile (its INFO line for
/// each document dropped for an unknown hook type, in slog's text format).
pub fn sort_manifests_logged(
    files: &BTreeMap<String, String>,
    logs: &mut Vec<String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    let paths: Vec<(&String, &String)> = files.iter().collect();
    let read = ferroflux_par::map(&paths, 16, |(path, content)| read_documents(path, content));
    sort_read_manifests(paths.iter().map(|(p, _)| (*p).clone()).zip(read), logs)
}

/// [`sort_manifests_logged`] for files already split and read by [`read_documents`], in
/// the order of their paths.
pub fn sort_read_manifests(
    files: impl IntoIterator<Item = (String, ReadDocuments)>,
    logs: &mut Vec<String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    let docs = files
        .into_iter()
        .flat_map(|(path, docs)| docs.into_iter().map(move |d| (path.clone(), d)));
    for (path, (doc, head)) in docs {
        let head = head.map_err(|e| format!("YAML parse error on {path}: {e}"))?;
        let m = Manifest {
            path,
            content: doc,
            head,
        };
        let hook_types = match &m.head.annotations {
            Some(a) if !a.is_empty() => a.get("helm.sh/hook").cloned(),
            _ => None,
        };
        let Some(types) = hook_types else {
            generic.push(m);
            continue;
        };
        let ann = m.head.annotations.clone().unwrap_or_default();
        let weight = ann
            .get("helm.sh/hook-weight")
            .and_then(|w| w.parse::<i64>().ok())
            .unwrap_or(0);
        let mut events = Vec::new();
        let mut unknown = false;
        for t in types.split(',') {
            let t = t.trim().to_lowercase();
            if !HOOK_EVENTS.contains(&t.as_str()) {
                unknown = true;
                break;
            }
            events.push(t);
        }
        if unknown {
            logs.push(format!(
                "level=INFO msg=\"skipping unknown hooks\" hookTypes={}",
                slog_text_value(&types)
            ));
            continue;
        }
        let delete_policies = ann
            .get("helm.sh/hook-delete-policy")
            .map(|p| p.split(',').map(|x| x.trim().to_lowercase()).collect())
            .unwrap_or_default();
        hooks.push(Hook {
            manifest: m,
            events,
            weight,
            delete_policies,
        });
    }
    generic.sort_by(|a, b| kind_cmp(&a.head.kind, &b.head.kind));
    hooks.sort_by(|a, b| kind_cmp(&a.manifest.head.kind, &b.manifest.head.kind));
    Ok((hooks, generic))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first, character by character, implementation: the oracle for the quick one.
    fn split_by_chars(big: &str) -> Vec<String> {
        let text = big.trim_start();
        let mut docs = Vec::new();
        let mut cur = String::new();
        let mut at_line_start = true;
        let mut rest = text;
        while !rest.is_empty() {
            if at_line_start && rest.starts_with("---") {
                docs.push(std::mem::take(&mut cur));
                rest = rest[3..].trim_start_matches([' ', '\t']);
                at_line_start = false;
                continue;
            }
            let ch = rest.chars().next().unwrap_or('\n');
            cur.push(ch);
            at_line_start = ch == '\n';
            rest = &rest[ch.len_utf8()..];
        }
        docs.push(cur);
        docs.into_iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| d.trim_start().to_string())
            .collect()
    }

    #[test]
    fn split_agrees_with_splitting_by_characters() {
        let pieces = [
            "---", "--- ", "---\t# c", "----", "a: 1", "- x", "  ---", "", " ", "é", "\t",
        ];
        let lines = ferroflux_testsupport::strings_of(&pieces, 4, "\n");
        let last_line_open = lines.iter().map(|l| l.trim_end_matches('\n').to_string());
        for input in lines.iter().cloned().chain(last_line_open) {
            let input = &input;
            assert_eq!(split_manifests(input), split_by_chars(input), "{input:?}");
        }
    }

    #[test]
    fn split_keeps_trailing_text_and_drops_empty() {
        let d = split_manifests("\n---\na: 1\n---   \n\n---\nb: 2\n");
        assert_eq!(d, vec!["a: 1\n".to_string(), "b: 2\n".to_string()]);
        assert_eq!(split_manifests("a: '---'\n").len(), 1);
    }

    #[test]
    fn kinds_sort_with_unknown_last() {
        let mut files = BTreeMap::new();
        files.insert(
            "c/templates/a.yaml".to_string(),
            "kind: Zeta\n---\nkind: Deployment\n---\nkind: Alpha\n---\nkind: Namespace\n"
                .to_string(),
        );
        let (_, m) = sort_manifests(&files).unwrap();
        let kinds: Vec<&str> = m.iter().map(|m| m.head.kind.as_str()).collect();
        assert_eq!(kinds, ["Namespace", "Deployment", "Alpha", "Zeta"]);
    }

    #[test]
    fn hooks_are_separated_and_unknown_ones_dropped() {
        let mut files = BTreeMap::new();
        files.insert(
            "c/templates/h.yaml".to_string(),
            "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: 5\n---\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: nonsense\n".to_string(),
        );
        let mut logs = Vec::new();
        let (h, m) = sort_manifests_logged(&files, &mut logs).unwrap();
        assert_eq!((h.len(), m.len()), (1, 0));
        assert_eq!(h[0].weight, 5);
        // Helm v4.3.1 logs each dropped document at INFO level.
        assert_eq!(
            logs,
            ["level=INFO msg=\"skipping unknown hooks\" hookTypes=nonsense"]
        );
    }

    #[test]
    fn slog_text_values() {
        assert_eq!(slog_text_value("post-install"), "post-install");
        assert_eq!(
            slog_text_value("post-install, not-a-hook"),
            "\"post-install, not-a-hook\""
        );
        assert_eq!(slog_text_value(""), "\"\"");
        assert_eq!(slog_text_value("a=b"), "\"a=b\"");
    }

    #[test]
    fn text_documents_fail() {
        assert!(parse_head("just text").is_err());
        assert!(parse_head("# only a comment").is_ok());
    }
}
