//! `helm lint`'s template rules (`rules.Templates`): the chart rendered in lint mode as
//! release `test-release` (neither install nor upgrade, revision 0), then every file of the
//! top chart's `templates/` checked: its extension, and for YAML files the indentation of
//! the first line and each manifest (name, deprecation, selector, List annotations).

use super::k8s::{self, Head};
use super::{LintOptions, Linter, Severity};
use crate::engine::{ReleaseOptions, render_lint};
use crate::objects::{Capabilities, KubeVersion};
use serde_json::Value as J;
use std::path::Path;

const DIR: &str = "templates/";

pub(super) fn lint(l: &mut Linter, dir: &Path, o: &LintOptions) {
    match std::fs::metadata(dir.join("templates")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            l.add(Severity::Warning, DIR, "directory does not exist");
            return;
        }
        Err(e) => {
            l.add(Severity::Error, DIR, crate::values::go_io_error(&e));
            return;
        }
        Ok(m) if !m.is_dir() => {
            l.add(Severity::Error, DIR, "not a directory");
            return;
        }
        Ok(_) => {}
    }
    let mut chart = match crate::chart::load_v2_logged(dir, &mut l.logs) {
        Ok(c) => c,
        Err(e) => {
            l.add(Severity::Error, DIR, e.0);
            return;
        }
    };
    let release = ReleaseOptions {
        name: "test-release".into(),
        namespace: o.namespace.clone(),
        revision: 0,
        is_upgrade: false,
        is_install: false,
    };
    let caps = Capabilities::new(o.kube_version.clone(), &[]);
    // Helm stops here without a word when dependencies or values cannot be processed.
    if crate::deps::process_dependencies_logged(&mut chart, &o.values, &mut l.logs).is_err() {
        return;
    }
    let Ok(vals) = crate::coalesce::coalesce_values_logged(&chart, &o.values, &mut l.logs) else {
        return;
    };
    // Helm coalesces once more on the way to the render values (its warnings again).
    let Ok(vals) = crate::coalesce::coalesce_values_logged(&chart, &vals, &mut l.logs) else {
        return;
    };
    if !o.skip_schema_validation
        && let Err(e) = crate::schema::validate_chart_traced(&chart, &vals, &mut l.logs, o.debug)
    {
        l.add(
            Severity::Error,
            DIR,
            format!(
                "values don't meet the specifications of the schema(s) in the following chart(s):\n{e}"
            ),
        );
        return;
    }
    let (rendered, logs) = render_lint(&chart, &vals, &release, &caps);
    l.logs.extend(logs);
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            l.add(Severity::Error, DIR, e);
            return;
        }
    };
    let kube = o
        .kube_version
        .clone()
        .unwrap_or_else(KubeVersion::default_version);
    for t in &chart.templates {
        let name = t.name.as_str();
        let ext = go_ext(name);
        if !matches!(ext, ".yaml" | ".yml" | ".tpl" | ".txt") {
            l.add(
                Severity::Error,
                name,
                format!(
                    "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
                ),
            );
        }
        if !matches!(ext.to_lowercase().as_str(), ".yaml" | ".yml") {
            continue;
        }
        let key = format!("{}/{name}", chart.name());
        let Some(content) = rendered.get(&key) else {
            continue;
        };
        if content.trim().is_empty() {
            continue;
        }
        if let Some(line) = indented_first_line(content) {
            l.add(
                Severity::Warning,
                name,
                format!(
                    "document starts with an illegal indent: {}, which may cause parsing problems",
                    ferroflux_gotemplate::fmt::go_quote(line)
                ),
            );
        }
        for doc in k8s::decode_all(content) {
            let h = match doc {
                Err(e) => {
                    l.add(Severity::Error, name, format!("unable to parse YAML: {e}"));
                    return;
                }
                Ok(None) => continue,
                Ok(Some(h)) => h,
            };
            if let Err(e) = k8s::validate_name(&h) {
                l.add(Severity::Warning, name, e);
            }
            if let Some(e) = k8s::deprecation(&h, &kube) {
                l.add(Severity::Warning, name, e);
            }
            if let Err(e) = match_selector(&h, content) {
                l.add(Severity::Error, name, e);
            }
            if let Err(e) = list_annotations(&h, content) {
                l.add(Severity::Error, name, e);
            }
        }
    }
}

/// `filepath.Ext`: from the last dot of the last path element.
fn go_ext(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rfind('.').map_or("", |i| &base[i..])
}

/// The first line with anything on it, when it starts with a space or a tab.
fn indented_first_line(content: &str) -> Option<&str> {
    let line = content
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .find(|l| !l.trim().is_empty())?;
    line.starts_with([' ', '\t']).then_some(line)
}

/// A workload's selector: the file's text must mention `matchLabels` or `matchExpressions`.
fn match_selector(h: &Head, content: &str) -> Result<(), String> {
    if matches!(
        h.kind.as_str(),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
    ) && !content.contains("matchLabels")
        && !content.contains("matchExpressions")
    {
        return Err(format!(
            "a {} must contain matchLabels or matchExpressions, and {} does not",
            h.kind,
            ferroflux_gotemplate::fmt::go_quote(&h.name)
        ));
    }
    Ok(())
}

/// A `List`'s items may not carry `helm.sh/resource-policy` (Helm ignores it there). The
/// file's first document is read, as `yaml.Unmarshal` reads it.
fn list_annotations(h: &Head, content: &str) -> Result<(), String> {
    if h.kind != "List" {
        return Ok(());
    }
    let j = crate::yaml::parse_untyped(content)
        .map_err(|e| format!("unable to parse YAML: error converting YAML to JSON: {e}"))?;
    let field = |v: &J, name: &str| -> Option<J> {
        let o = v.as_object()?;
        let mut keys: Vec<&String> = o.keys().collect();
        keys.sort();
        keys.into_iter()
            .rev()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map(|k| o[k.as_str()].clone())
    };
    let items = field(&j, "items");
    for item in items.as_ref().and_then(J::as_array).into_iter().flatten() {
        let annotations = field(item, "metadata").and_then(|m| field(&m, "annotations"));
        if annotations
            .as_ref()
            .and_then(J::as_object)
            .is_some_and(|a| a.contains_key("helm.sh/resource-policy"))
        {
            return Err(
                "annotation 'helm.sh/resource-policy' within List objects are ignored".into(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_and_indentation() {
        assert_eq!(go_ext("templates/a.yaml"), ".yaml");
        assert_eq!(go_ext("templates/x.d/a"), "");
        assert_eq!(indented_first_line("\n  \n  a: 1\n"), Some("  a: 1"));
        assert_eq!(indented_first_line("a: 1\n  b\n"), None);
    }

    #[test]
    fn list_items_with_a_resource_policy() {
        let h = Head {
            kind: "List".into(),
            ..Default::default()
        };
        let text = "kind: List\nitems:\n- metadata:\n    annotations:\n      helm.sh/resource-policy: keep\n";
        assert!(list_annotations(&h, text).is_err());
        assert!(list_annotations(&h, "kind: List\nitems: []\n").is_ok());
    }
}
