//! `ProcessDependencies`: which vendored subcharts are enabled (`condition`, `tags`), under
//! which name (`alias`), and the values they export to their parent (`import-values`).
//! Mirrors Helm's `pkg/chart/v2/util/dependencies.go`, quirks included.

use crate::chart::{Chart, Dependency};
use crate::coalesce::{coalesce_values_logged, merge_values_logged};
use crate::shared;
use crate::values::{go_print, path_value, table};
use crate::yaml::Values;
use ferroflux_versions::{Constraints, Version};
use serde_json::Value as J;

/// `IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(v) = Version::parse(version) else {
        return false;
    };
    let Ok(c) = Constraints::parse(constraint) else {
        return false;
    };
    c.check(&v)
}

/// Enables/disables and aliases dependencies, then imports values.
pub fn process_dependencies(chart: &mut Chart, vals: &Values) -> Result<(), String> {
    process_dependencies_logged(chart, vals, &mut Vec::new())
}

/// [`process_dependencies`], appending what Helm logs while importing values to `logs`.
pub fn process_dependencies_logged(
    chart: &mut Chart,
    vals: &Values,
    logs: &mut Vec<String>,
) -> Result<(), String> {
    process_enabled(chart, vals, "", logs)?;
    process_import_values_rec(chart, logs)
}

fn reqs(chart: &Chart) -> Vec<Dependency> {
    chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .cloned()
        .collect()
}

fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let c = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = c.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

/// Helm logs the coalescing warnings of each `CoalesceValues` here too: a subchart with
/// dependencies of its own is coalesced into its parent's whole values (as Helm passes them
/// down), which warns about keys of the parent that meet the subchart's own.
fn process_enabled(
    c: &mut Chart,
    v: &Values,
    path: &str,
    logs: &mut Vec<String>,
) -> Result<(), String> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let mut reqs = reqs(c);
    let mut deps: Vec<Chart> = c
        .dependencies
        .iter()
        .filter(|e| {
            !reqs
                .iter()
                .any(|r| e.name() == r.name && is_compatible_range(&r.version, &e.metadata.version))
        })
        .cloned()
        .collect();
    for r in &mut reqs {
        if let Some(d) = alias_dependency(&c.dependencies, r) {
            deps.push(d);
        }
        if !r.alias.is_empty() {
            r.name = r.alias.clone();
        }
    }
    c.dependencies = deps;
    for r in &mut reqs {
        r.enabled = true;
    }
    let cvals = coalesce_values_logged(c, v, logs)?;
    process_tags(&mut reqs, &cvals, logs);
    process_conditions(&mut reqs, &cvals, path, logs);
    let removed: Vec<String> = reqs
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    let mut kept: Vec<Chart> = std::mem::take(&mut c.dependencies)
        .into_iter()
        .filter(|d| !removed.iter().any(|n| n == d.name()))
        .collect();
    let kept_meta: Vec<Option<Dependency>> = reqs
        .into_iter()
        .filter(|r| !removed.contains(&r.name))
        .map(Some)
        .collect();
    for t in &mut kept {
        let sub = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub, logs)?;
    }
    c.metadata.dependencies = kept_meta;
    c.dependencies = kept;
    Ok(())
}

/// A tag of another kind than bool is logged and passed over.
fn process_tags(reqs: &mut [Dependency], cvals: &Values, logs: &mut Vec<String>) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    let slog = crate::manifests::slog_text_value;
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.get(k) {
                Some(J::Bool(true)) => has_true = true,
                Some(J::Bool(false)) => has_false = true,
                Some(_) => logs.push(format!(
                    "level=WARN msg=\"returned non-bool value\" tag={} chart={}",
                    slog(k),
                    slog(&r.name)
                )),
                None => {}
            }
        }
        // Any true tag enables; only false tags disable; no tag set leaves it enabled.
        r.enabled = has_true || !has_false;
    }
}

/// A condition's first boolean decides; a value of another kind is logged and passed over.
fn process_conditions(reqs: &mut [Dependency], cvals: &Values, path: &str, logs: &mut Vec<String>) {
    let slog = crate::manifests::slog_text_value;
    for r in reqs {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{cond}")) {
                Some(J::Bool(b)) => {
                    r.enabled = *b;
                    break;
                }
                Some(_) => logs.push(format!(
                    "level=WARN msg=\"returned non-bool value\" path={} chart={}",
                    slog(cond),
                    slog(&r.name)
                )),
                None => {}
            }
        }
    }
}

fn process_import_values_rec(c: &mut Chart, logs: &mut Vec<String>) -> Result<(), String> {
    for d in &mut c.dependencies {
        process_import_values_rec(d, logs)?;
    }
    process_import_values(c, logs)
}

/// Helm's WARN line for an import whose table is missing (the map form names the chart).
fn missing_import(chart: Option<&str>, error: String) -> String {
    let slog = crate::manifests::slog_text_value;
    let (msg, chart) = match chart {
        Some(c) => (
            "ImportValues missing table from chart",
            format!(" chart={}", slog(c)),
        ),
        None => ("ImportValues missing table", String::new()),
    };
    format!("level=WARN msg={}{chart} error={}", slog(msg), slog(&error))
}

fn process_import_values(c: &mut Chart, logs: &mut Vec<String>) -> Result<(), String> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    if c.metadata
        .dependencies
        .iter()
        .flatten()
        .all(|r| r.import_values.is_empty())
    {
        // Nothing to import: Helm still takes the chart's values merged with its
        // subcharts' defaults, which is all the steps below leave when they import nothing.
        c.values = merge_values_logged(c, &Values::new(), logs)?;
        return Ok(());
    }
    // Tables are shared as Go shares maps (see `shared`): what one import merges into a
    // table it got from a child is seen wherever that table was imported to.
    let cvals = shared::table_of(&merge_values_logged(c, &Values::new(), logs)?);
    let b = shared::table_of(&Values::new());
    for r in c.metadata.dependencies.iter_mut().flatten() {
        let mut out = Vec::new();
        for riv in &r.import_values {
            // The map form names the child table and where it goes; the string form takes the
            // child's `exports.<name>` to the top. Helm's warning names the chart for the first.
            let (child, parent, chart) = match riv {
                J::Object(iv) => {
                    let show = |k: &str| iv.get(k).map_or("<nil>".to_string(), go_print);
                    (show("child"), show("parent"), Some(r.name.as_str()))
                }
                J::String(s) => (format!("exports.{s}"), ".".to_string(), None),
                _ => continue,
            };
            out.push(serde_json::json!({"child": child, "parent": parent}));
            match shared::table_at(&cvals, &format!("{}.{child}", r.name)) {
                Ok(vv) => {
                    let src = shared::path_to_map(&parent, vv);
                    shared::coalesce_tables(&b, &src, "", true, logs);
                }
                Err(e) => logs.push(missing_import(chart, e)),
            }
        }
        r.import_values = out;
    }
    // Helm merges the accumulated imports under a deep copy of the values taken now.
    let merged = shared::table_of(&shared::values_of(&cvals));
    shared::coalesce_tables(&merged, &b, "", true, logs);
    c.values = shared::values_of(&merged);
    Ok(())
}
