//! The lock file: `resolver.HashReq`'s digest and `writeLock`'s YAML.

use super::Locked;
use crate::chart::{Chart, Dependency};
use crate::package;
use ferroflux_goformat::write_json_string;
use ferroflux_gotemplate::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

/// `resolver.HashReq`: the SHA-256 of `json.Marshal([2][]*Dependency{req, lock})`.
pub(super) fn hash_req(reqs: &[Dependency], locked: &[Locked]) -> String {
    let mut j = String::from("[[");
    for (i, d) in reqs.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        dependency_json(&mut j, d);
    }
    j.push_str("],[");
    for (i, l) in locked.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let d = Dependency {
            name: l.name.clone(),
            repository: l.repository.clone(),
            version: l.version.clone(),
            ..Dependency::default()
        };
        dependency_json(&mut j, &d);
    }
    j.push_str("]]");
    let sum = Sha256::digest(j.as_bytes());
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for b in sum {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// One `chart.Dependency` as Go's `encoding/json` writes it: the fields `package::dependency`
/// keeps, in struct order, HTML characters escaped, maps inside with sorted keys.
fn dependency_json(j: &mut String, d: &Dependency) {
    let serde_json::Value::Object(fields) = package::dependency(d) else {
        return;
    };
    j.push('{');
    for (i, (key, v)) in fields.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        write_json_string(j, key, true);
        j.push(':');
        match v {
            serde_json::Value::String(s) => write_json_string(j, s, true),
            v => {
                let text = ferroflux_gotemplate::funcs::encoding::to_json(
                    &Value::from_json(v),
                    true,
                    None,
                )
                .unwrap_or_default();
                j.push_str(&text);
            }
        }
    }
    j.push('}');
}

/// The lock file Helm reads and writes: `requirements.lock` for apiVersion v1 charts.
pub(super) fn lock_file_name(chart: &Chart) -> &'static str {
    if chart.metadata.api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    }
}

/// The digest of the chart's current lock file, if it has one that reads.
pub(super) fn lock_digest(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let v = crate::yaml::parse_untyped(&text).ok()?;
    v.get("digest")?.as_str().map(str::to_owned)
}

/// `writeLock`: the lock as `yaml.Marshal(lock)` writes it; a lock file that is a symbolic
/// link is refused.
pub(super) fn write_lock(dest: &Path, locked: &[Locked], digest: &str) -> Result<(), String> {
    if let Ok(m) = std::fs::symlink_metadata(dest)
        && m.file_type().is_symlink()
    {
        let link = std::fs::read_link(dest).map_err(|e| {
            format!(
                "error reading symlink for {:?}: {e}",
                dest.display().to_string()
            )
        })?;
        let name = dest.file_name().unwrap_or_default().to_string_lossy();
        return Err(format!(
            "the {name} file is a symlink to {:?}",
            link.display().to_string()
        ));
    }
    let mut deps = Vec::with_capacity(locked.len());
    for l in locked {
        let mut m = ferroflux_gotemplate::Map::new();
        m.insert("name".into(), Value::str(l.name.as_str()));
        m.insert("repository".into(), Value::str(l.repository.as_str()));
        if !l.version.is_empty() {
            m.insert("version".into(), Value::str(l.version.as_str()));
        }
        deps.push(Value::map(m));
    }
    let mut lock = ferroflux_gotemplate::Map::new();
    lock.insert("dependencies".into(), Value::list(deps));
    lock.insert("digest".into(), Value::str(digest));
    let generated = ferroflux_gotemplate::funcs::date::GoTime::now()
        .format("2006-01-02T15:04:05.999999999Z07:00");
    lock.insert("generated".into(), Value::str(generated));
    let text = ferroflux_gotemplate::funcs::yaml::to_yaml(&Value::map(lock), false)?;
    std::fs::write(dest, text).map_err(|e| e.to_string())
}
