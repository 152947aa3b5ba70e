//! `helm lint`'s Chart.yaml rules (`rules.Chartfile`), in Helm's order and severities.

use super::urls::{is_email, is_request_url, is_url};
use super::{Linter, Severity};
use crate::chart::{Metadata, read_chart_yaml};
use serde_json::Value as J;
use std::path::Path;

const FILE: &str = "Chart.yaml";

pub(super) fn lint(l: &mut Linter, dir: &Path) {
    let path = dir.join(FILE);
    if path.is_dir() {
        l.add(Severity::Error, FILE, "should be a file, not a directory");
    }
    let data = std::fs::read(&path).map_err(|e| crate::values::go_io_error(&e));
    let md = data
        .as_ref()
        .map_err(|e| format!("read {}: {e}", path.display()))
        .and_then(|d| read_chart_yaml(d).map(|md| (md, d)));
    let (md, data) = match md {
        Ok(x) => x,
        Err(e) => {
            l.add(
                Severity::Error,
                FILE,
                format!("unable to parse YAML\n\t{e}"),
            );
            return;
        }
    };
    let untyped = crate::yaml::parse_untyped(&String::from_utf8_lossy(data)).unwrap_or(J::Null);
    if let Some(e) = strict_error(data, &untyped) {
        l.add(
            Severity::Warning,
            FILE,
            format!("failed to strictly parse chart metadata file\n\t{e}"),
        );
    }
    let checks = [
        (Severity::Error, name(&md)),
        (Severity::Error, api_version(&md)),
        (Severity::Error, string_typed(&untyped, "version")),
        (Severity::Error, version(&md)),
        (Severity::Error, string_typed(&untyped, "appVersion")),
        (Severity::Error, maintainers(&md)),
        (Severity::Error, sources(&md)),
        (Severity::Info, icon_present(&md)),
        (Severity::Error, icon_url(&md)),
        (Severity::Error, chart_type(&md)),
        (Severity::Error, dependencies(&md)),
        (Severity::Warning, strict_semver(&md)),
    ];
    for (sev, r) in checks {
        if let Err(e) = r {
            l.add(sev, FILE, e);
        }
    }
}

/// `yaml.UnmarshalStrict` into the metadata: the first field (Go's decoder visits keys in
/// sorted order) that no field of the metadata, a maintainer or a dependency takes.
fn strict_error(data: &[u8], untyped: &J) -> Option<String> {
    const TOP: &[&str] = &[
        "name",
        "home",
        "sources",
        "version",
        "description",
        "keywords",
        "maintainers",
        "icon",
        "apiVersion",
        "condition",
        "tags",
        "appVersion",
        "deprecated",
        "annotations",
        "kubeVersion",
        "dependencies",
        "type",
    ];
    const MAINTAINER: &[&str] = &["name", "email", "url"];
    const DEPENDENCY: &[&str] = &[
        "name",
        "version",
        "repository",
        "condition",
        "tags",
        "enabled",
        "import-values",
        "alias",
    ];
    fn unknown(o: &serde_json::Map<String, J>, known: &[&str]) -> Option<String> {
        let mut keys: Vec<&String> = o.keys().collect();
        keys.sort();
        for k in keys {
            let Some(field) = known.iter().find(|f| f.eq_ignore_ascii_case(k)) else {
                return Some(format!("json: unknown field {}", go_quote(k)));
            };
            let nested = match *field {
                "maintainers" if known.len() == TOP.len() => MAINTAINER,
                "dependencies" if known.len() == TOP.len() => DEPENDENCY,
                _ => continue,
            };
            if let J::Array(items) = &o[k.as_str()] {
                for item in items {
                    if let J::Object(m) = item
                        && let Some(e) = unknown(m, nested)
                    {
                        return Some(e);
                    }
                }
            }
        }
        None
    }
    let text = String::from_utf8_lossy(data);
    let repeated = crate::yaml11::duplicate_keys(&text);
    if !repeated.is_empty() {
        return Some(format!(
            "error converting YAML to JSON: yaml: unmarshal errors:\n  {}",
            repeated.join("\n  ")
        ));
    }
    let J::Object(top) = untyped else {
        return None;
    };
    unknown(top, TOP).map(|e| format!("error unmarshaling JSON: while decoding JSON: {e}"))
}

fn go_quote(s: &str) -> String {
    ferroflux_gotemplate::fmt::go_quote(s)
}

/// Go's `%T` of a value read into `interface{}` through JSON.
fn go_type(v: &J) -> &'static str {
    match v {
        J::Null => "<nil>",
        J::Bool(_) => "bool",
        J::Number(_) => "float64",
        J::String(_) => "string",
        J::Array(_) => "[]interface {}",
        J::Object(_) => "map[string]interface {}",
    }
}

fn string_typed(untyped: &J, key: &str) -> Result<(), String> {
    match untyped.get(key) {
        None | Some(J::String(_)) => Ok(()),
        Some(v) => Err(format!(
            "{key} should be of type string but it's of type {}",
            go_type(v)
        )),
    }
}

fn name(md: &Metadata) -> Result<(), String> {
    if md.name.is_empty() {
        return Err("name is required".into());
    }
    if go_base(&md.name) != md.name {
        return Err(format!("chart name {} is invalid", go_quote(&md.name)));
    }
    Ok(())
}

/// `filepath.Base`.
fn go_base(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { "." } else { "/" };
    }
    t.rsplit('/').next().unwrap_or(t)
}

fn api_version(md: &Metadata) -> Result<(), String> {
    match md.api_version.as_str() {
        "" => Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".into()),
        "v1" | "v2" => Ok(()),
        v => Err(format!(
            "apiVersion '{v}' is not valid. The value must be either \"v1\" or \"v2\""
        )),
    }
}

fn version(md: &Metadata) -> Result<(), String> {
    let v = md.version.as_str();
    if v.is_empty() {
        return Err("version is required".into());
    }
    if !crate::chart::is_valid_semver(v) {
        return Err(format!("version '{v}' is not a valid SemVer"));
    }
    // `>0.0.0-0` admits every version but 0.0.0-0 itself.
    if let Ok(p) = ferroflux_versions::Version::parse(v)
        && (p.major(), p.minor(), p.patch(), p.prerelease()) == (0, 0, 0, "0")
    {
        return Err(format!(
            "version {} is less than or equal to 0.0.0-0",
            canonical(&p)
        ));
    }
    Ok(())
}

fn canonical(v: &ferroflux_versions::Version) -> String {
    let mut s = format!("{}.{}.{}", v.major(), v.minor(), v.patch());
    if !v.prerelease().is_empty() {
        s.push('-');
        s.push_str(v.prerelease());
    }
    if !v.metadata().is_empty() {
        s.push('+');
        s.push_str(v.metadata());
    }
    s
}

/// Masterminds' `StrictNewVersion`: three numbers without leading zeros, then an optional
/// pre-release and build metadata of dot-separated identifiers.
fn strict_semver(md: &Metadata) -> Result<(), String> {
    let v = md.version.as_str();
    let ident_ok = |id: &str, numeric_rule: bool| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(numeric_rule
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    };
    let (rest, meta) = v.split_once('+').map_or((v, None), |(a, b)| (a, Some(b)));
    let (core, pre) = rest
        .split_once('-')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let nums: Vec<&str> = core.split('.').collect();
    let ok = nums.len() == 3
        && nums.iter().all(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && !(n.len() > 1 && n.starts_with('0'))
        })
        && pre.is_none_or(|p| p.split('.').all(|id| ident_ok(id, true)))
        && meta.is_none_or(|m| m.split('.').all(|id| ident_ok(id, false)));
    if ok {
        Ok(())
    } else {
        Err(format!("version '{v}' is not a valid SemVerV2"))
    }
}

fn maintainers(md: &Metadata) -> Result<(), String> {
    for m in &md.maintainers {
        let Some(m) = m else {
            return Err("a maintainer entry is empty".into());
        };
        if m.name.is_empty() {
            return Err("each maintainer requires a name".into());
        }
        if !m.email.is_empty() && !is_email(&m.email) {
            return Err(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            ));
        }
        if !m.url.is_empty() && !is_url(&m.url) {
            return Err(format!(
                "invalid url '{}' for maintainer '{}'",
                m.url, m.name
            ));
        }
    }
    Ok(())
}

fn sources(md: &Metadata) -> Result<(), String> {
    match md
        .sources
        .iter()
        .find(|s| s.is_empty() || !is_request_url(s))
    {
        Some(s) => Err(format!("invalid source URL '{s}'")),
        None => Ok(()),
    }
}

fn icon_present(md: &Metadata) -> Result<(), String> {
    if md.icon.is_empty() {
        Err("icon is recommended".into())
    } else {
        Ok(())
    }
}

fn icon_url(md: &Metadata) -> Result<(), String> {
    if !md.icon.is_empty() && !is_request_url(&md.icon) {
        return Err(format!("invalid icon URL '{}'", md.icon));
    }
    Ok(())
}

fn chart_type(md: &Metadata) -> Result<(), String> {
    if !md.chart_type.is_empty() && md.api_version != "v2" {
        return Err(format!(
            "chart type is not valid in apiVersion '{}'. It is valid in apiVersion 'v2'",
            md.api_version
        ));
    }
    Ok(())
}

fn dependencies(md: &Metadata) -> Result<(), String> {
    if !md.dependencies.is_empty() && md.api_version != "v2" {
        return Err(format!(
            "dependencies are not valid in the Chart file with apiVersion '{}'. They are valid in apiVersion 'v2'",
            md.api_version
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(version: &str) -> Metadata {
        Metadata {
            version: version.into(),
            ..Default::default()
        }
    }

    #[test]
    fn strict_semver_versions() {
        for ok in ["1.2.3", "0.0.1-rc.1+b.5", "1.0.0-0a", "1.0.0+001"] {
            assert!(strict_semver(&md(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "1",
            "v1.2.3",
            "1.2",
            "01.2.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+a..b",
        ] {
            assert!(strict_semver(&md(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_and_names() {
        assert_eq!(version(&md("")).unwrap_err(), "version is required");
        assert_eq!(
            version(&md("x.y")).unwrap_err(),
            "version 'x.y' is not a valid SemVer"
        );
        assert!(version(&md("0.0.0-0")).is_err());
        assert!(version(&md("0.0.0-1")).is_ok());
        assert_eq!(go_base("a/b/"), "b");
        assert_eq!(go_base("/"), "/");
    }

    fn strict(data: &[u8]) -> Option<String> {
        let untyped = crate::yaml::parse_untyped(&String::from_utf8_lossy(data)).unwrap_or(J::Null);
        strict_error(data, &untyped)
    }

    #[test]
    fn unknown_fields_in_sorted_order() {
        let e = strict(b"name: x\nzeta: 1\nalpha: 2\nVersion: 1\n").unwrap();
        assert_eq!(
            e,
            "error unmarshaling JSON: while decoding JSON: json: unknown field \"alpha\""
        );
        let e = strict(b"maintainers:\n- name: a\n  foo: 1\n").unwrap();
        assert!(e.ends_with("unknown field \"foo\""));
        assert_eq!(strict(b"name: x\nAPIVERSION: v2\n"), None);
        assert_eq!(
            strict(b"name: a\nmaintainers:\n- name: b\n  name: c\nname: d\n").unwrap(),
            "error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key \"name\" already set in map\n  line 5: key \"name\" already set in map"
        );
    }
}
