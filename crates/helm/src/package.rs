//! `helm package` / `chartutil.Save`: a loaded chart written back as `<name>-<version>.tgz`
//! with everything under `<name>/`, dependencies as directories under `charts/`. `Chart.yaml`
//! is written from the (possibly changed) metadata, as Helm does; `values.yaml` keeps its bytes
//! unless the values were replaced (Flux's `valuesFiles`).

use crate::chart::{Chart, Dependency, Maintainer, Metadata};
use crate::yaml::Values;
use ferroflux_gotemplate::Value;
use ferroflux_gotemplate::funcs::yaml::to_yaml;
use serde_json::{Map, Value as J};
use std::io::Write;

fn put(m: &mut Map<String, J>, k: &str, v: &str) {
    if !v.is_empty() {
        m.insert(k.into(), J::String(v.into()));
    }
}

fn put_list(m: &mut Map<String, J>, k: &str, v: &[String]) {
    if !v.is_empty() {
        m.insert(
            k.into(),
            J::Array(v.iter().map(|s| J::String(s.clone())).collect()),
        );
    }
}

fn maintainer(x: &Maintainer) -> J {
    let mut m = Map::new();
    put(&mut m, "name", &x.name);
    put(&mut m, "email", &x.email);
    put(&mut m, "url", &x.url);
    J::Object(m)
}

/// A dependency as Helm's struct marshals it: fields in struct order, `omitempty` ones left
/// out when empty (Chart.yaml here, the lock digest in `depupdate`).
pub(crate) fn dependency(d: &Dependency) -> J {
    let mut m = Map::new();
    // name and repository have no omitempty in Helm's struct tags.
    m.insert("name".into(), J::String(d.name.clone()));
    put(&mut m, "version", &d.version);
    m.insert("repository".into(), J::String(d.repository.clone()));
    put(&mut m, "condition", &d.condition);
    put_list(&mut m, "tags", &d.tags);
    if d.enabled {
        m.insert("enabled".into(), J::Bool(true));
    }
    if !d.import_values.is_empty() {
        m.insert("import-values".into(), J::Array(d.import_values.clone()));
    }
    put(&mut m, "alias", &d.alias);
    J::Object(m)
}

/// Chart.yaml as `yaml.Marshal(metadata)` writes it (omitempty fields left out, keys sorted).
pub fn chart_yaml(md: &Metadata) -> String {
    let mut m = Map::new();
    put(&mut m, "name", &md.name);
    put(&mut m, "home", &md.home);
    put_list(&mut m, "sources", &md.sources);
    put(&mut m, "version", &md.version);
    put(&mut m, "description", &md.description);
    put_list(&mut m, "keywords", &md.keywords);
    let maintainers: Vec<J> = md.maintainers.iter().flatten().map(maintainer).collect();
    if !maintainers.is_empty() {
        m.insert("maintainers".into(), J::Array(maintainers));
    }
    put(&mut m, "icon", &md.icon);
    put(&mut m, "apiVersion", &md.api_version);
    put(&mut m, "condition", &md.condition);
    put(&mut m, "tags", &md.tags);
    put(&mut m, "appVersion", &md.app_version);
    if md.deprecated {
        m.insert("deprecated".into(), J::Bool(true));
    }
    if let Some(a) = md.annotations.as_ref().filter(|a| !a.is_empty()) {
        m.insert(
            "annotations".into(),
            J::Object(
                a.iter()
                    .map(|(k, v)| (k.clone(), J::String(v.clone())))
                    .collect(),
            ),
        );
    }
    put(&mut m, "kubeVersion", &md.kube_version);
    let deps: Vec<J> = md.dependencies.iter().flatten().map(dependency).collect();
    if !deps.is_empty() {
        m.insert("dependencies".into(), J::Array(deps));
    }
    put(&mut m, "type", &md.chart_type);
    yaml_of(&J::Object(m))
}

/// Values as `yaml.Marshal` writes them (`{}` for an empty map, as Helm's `Encode`).
pub fn values_yaml(v: &Values) -> String {
    yaml_of(&J::Object(v.clone()))
}

fn yaml_of(j: &J) -> String {
    to_yaml(&Value::from_json_ints(j), false).unwrap_or_default()
}

/// Replaces the chart's default values (Flux's `OverwriteChartDefaultValues`); returns false
/// when the encoded values equal the current `values.yaml` bytes.
pub fn overwrite_values(chart: &mut Chart, values: Values) -> bool {
    let encoded = if values.is_empty() {
        String::new()
    } else {
        values_yaml(&values)
    };
    if chart.values_raw.as_deref() == Some(encoded.as_bytes()) {
        return false;
    }
    chart.values_raw = Some(std::sync::Arc::from(encoded.into_bytes()));
    chart.values = values;
    true
}

fn entry(tar: &mut tar::Builder<impl Write>, path: &str, data: &[u8]) -> std::io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut h, path, data)
}

fn write_chart(tar: &mut tar::Builder<impl Write>, c: &Chart, base: &str) -> std::io::Result<()> {
    entry(
        tar,
        &format!("{base}/Chart.yaml"),
        chart_yaml(&c.metadata).as_bytes(),
    )?;
    if let Some(v) = &c.values_raw {
        entry(tar, &format!("{base}/values.yaml"), v)?;
    } else if !c.values.is_empty() {
        entry(
            tar,
            &format!("{base}/values.yaml"),
            values_yaml(&c.values).as_bytes(),
        )?;
    }
    if let Some(s) = &c.schema {
        entry(tar, &format!("{base}/values.schema.json"), s)?;
    }
    for f in c.templates.iter().chain(&c.files) {
        entry(tar, &format!("{base}/{}", f.name), &f.data)?;
    }
    for d in &c.dependencies {
        write_chart(tar, d, &format!("{base}/charts/{}", d.name()))?;
    }
    Ok(())
}

/// Writes the chart as a gzipped tar (deterministic: fixed modes and times).
pub fn save(chart: &Chart, out: impl Write) -> std::io::Result<()> {
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    write_chart(&mut tar, chart, chart.name())?;
    tar.into_inner()?.finish()?.flush()
}

/// The file name Helm gives a packaged chart.
pub fn archive_name(md: &Metadata) -> String {
    format!("{}-{}.tgz", md.name, md.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        let files = vec![
            crate::chart::File {
                name: "Chart.yaml".into(),
                data: crate::file_data::FileData::from(&b"apiVersion: v2\nname: web\nversion: 1.2.3\nappVersion: \"2\"\ndependencies:\n- name: db\n  version: 1.x\n  repository: file://../db\n"[..]),
            },
            crate::chart::File {
                name: "values.yaml".into(),
                data: crate::file_data::FileData::from(&b"replicas: 1 # comment kept\n"[..]),
            },
            crate::chart::File {
                name: "templates/cm.yaml".into(),
                data: crate::file_data::FileData::from(&b"kind: ConfigMap\n"[..]),
            },
            crate::chart::File {
                name: "charts/db/Chart.yaml".into(),
                data: crate::file_data::FileData::from(&b"apiVersion: v2\nname: db\nversion: 1.0.0\n"[..]),
            },
        ];
        crate::chart::load_files(files).unwrap()
    }

    #[test]
    fn round_trips_through_the_loader() {
        let mut c = chart();
        c.metadata.version = "1.2.3+abc".into();
        let mut buf = Vec::new();
        save(&c, &mut buf).unwrap();
        let back = crate::chart::load_archive(&buf).unwrap();
        assert_eq!(back.metadata.version, "1.2.3+abc");
        assert_eq!(back.metadata.app_version, "2");
        assert_eq!(
            back.values_raw.as_deref(),
            Some(&b"replicas: 1 # comment kept\n"[..])
        );
        assert_eq!(back.dependencies.len(), 1);
        assert_eq!(back.templates.len(), 1);
        assert_eq!(archive_name(&back.metadata), "web-1.2.3+abc.tgz");
    }

    #[test]
    fn chart_yaml_is_sorted_and_omits_empty_fields() {
        let y = chart_yaml(&chart().metadata);
        assert_eq!(
            y,
            "apiVersion: v2\nappVersion: \"2\"\ndependencies:\n- name: db\n  repository: file://../db\n  version: 1.x\nname: web\nversion: 1.2.3\n"
        );
    }

    #[test]
    fn values_are_replaced_only_when_different() {
        let mut c = chart();
        let mut v = Values::new();
        v.insert("replicas".into(), J::from(3));
        assert!(overwrite_values(&mut c, v.clone()));
        assert_eq!(c.values_raw.as_deref(), Some(&b"replicas: 3\n"[..]));
        assert!(!overwrite_values(&mut c, v));
    }
}
