//! Helm's value coalescing: chart defaults under user values, subchart sections, globals.
//!
//! Mirrors `pkg/chart/common/util/coalesce.go`. With `merge = false` (coalesce) a `null` in a
//! higher-priority source deletes the default; with `merge = true` (used for import-values)
//! nulls are kept.

use crate::chart::Chart;
use crate::yaml::Values;
use serde_json::Value as J;

const GLOBAL: &str = "global";

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Warnings Helm prints through Go's `log` package while coalescing, as its slog text
/// handler writes them (`level=INFO msg="warning: …"`).
type Log = Vec<String>;

pub(crate) fn warn(log: &mut Log, message: String) {
    log.push(format!(
        "level=INFO msg={}",
        crate::manifests::slog_text_value(&message)
    ));
}

/// `CoalesceValues`: user values over the chart's defaults, recursively for dependencies.
pub fn coalesce_values(chart: &Chart, vals: &Values) -> Result<Values, String> {
    coalesce(chart, vals.clone(), "", false, &mut Log::new())
}

/// [`coalesce_values`], appending the warnings Helm logs on the way to `log`.
pub fn coalesce_values_logged(
    chart: &Chart,
    vals: &Values,
    log: &mut Vec<String>,
) -> Result<Values, String> {
    coalesce(chart, vals.clone(), "", false, log)
}

/// `MergeValues`: like [`coalesce_values`] but nulls survive; the warnings Helm logs on the
/// way are appended to `log` (its one caller, import-values processing, logs them).
pub fn merge_values_logged(
    chart: &Chart,
    vals: &Values,
    log: &mut Vec<String>,
) -> Result<Values, String> {
    coalesce(chart, vals.clone(), "", true, log)
}

fn coalesce(
    chart: &Chart,
    mut dest: Values,
    prefix: &str,
    merge: bool,
    log: &mut Log,
) -> Result<Values, String> {
    coalesce_chart_values(chart, &mut dest, prefix, merge, log);
    coalesce_deps(chart, dest, prefix, merge, log)
}

fn coalesce_deps(
    chart: &Chart,
    mut dest: Values,
    prefix: &str,
    merge: bool,
    log: &mut Log,
) -> Result<Values, String> {
    for sub in &chart.dependencies {
        let name = sub.name().to_string();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), J::Object(Values::new()));
            }
            Some(J::Object(_)) => {}
            Some(other) => {
                // Helm formats the value with `%t`: Go's bad-verb text for each element.
                use ferroflux_gotemplate::Value as V;
                return Err(ferroflux_gotemplate::fmt::sprintf(
                    "type mismatch on %s: %t",
                    &[V::str(name.as_str()), V::from_json_ints(other)],
                ));
            }
        }
        let sub_prefix = concat_prefix(prefix, chart.name());
        let mut section = match dest.remove(&name) {
            Some(J::Object(m)) => m,
            _ => Values::new(),
        };
        coalesce_globals(&mut section, &dest, &sub_prefix, log);
        let section = coalesce(sub, section, &sub_prefix, merge, log)?;
        share_nested_globals(&mut dest, &section);
        dest.insert(name, J::Object(section));
    }
    Ok(dest)
}

/// Go's `coalesceGlobals` copies each table of the parent's `global` one level deep: the
/// tables inside it stay shared with the parent's, so what a subchart adds to them (its
/// defaults two levels or more under `global`) shows in the parent's globals too, and in
/// every later sibling's. The parent takes those tables back as the subchart left them.
fn share_nested_globals(parent: &mut Values, section: &Values) {
    let (Some(J::Object(sub)), Some(J::Object(own))) =
        (section.get(GLOBAL), parent.get_mut(GLOBAL))
    else {
        return;
    };
    for (key, table) in own.iter_mut() {
        let (J::Object(own_t), Some(J::Object(sub_t))) = (table, sub.get(key)) else {
            continue;
        };
        for (child, v) in own_t.iter_mut() {
            if let (J::Object(_), Some(shared @ J::Object(_))) = (&v, sub_t.get(child)) {
                *v = shared.clone();
            }
        }
    }
}

/// Copies the parent's `global` table into a subchart's section; the parent's globals win.
fn coalesce_globals(dest: &mut Values, src: &Values, prefix: &str, log: &mut Log) {
    let mut dg = match dest.get(GLOBAL) {
        None => Values::new(),
        Some(J::Object(m)) => m.clone(),
        Some(_) => {
            warn(
                log,
                format!("warning: skipping globals because destination {GLOBAL} is not a table."),
            );
            return;
        }
    };
    let sg = match src.get(GLOBAL) {
        None => Values::new(),
        Some(J::Object(m)) => m.clone(),
        Some(_) => {
            warn(
                log,
                format!("warning: skipping globals because source {GLOBAL} is not a table."),
            );
            return;
        }
    };
    for (key, val) in sg {
        match val {
            J::Object(vv) => {
                let mut vv = vv;
                match dg.get(&key) {
                    None => {
                        dg.insert(key, J::Object(vv));
                    }
                    Some(J::Object(destv)) => {
                        let destv = destv.clone();
                        let full = concat_prefix(prefix, &key);
                        coalesce_tables_logged(&mut vv, destv, &full, true, log);
                        dg.insert(key, J::Object(vv));
                    }
                    Some(_) => warn(
                        log,
                        format!(
                            "Conflict: cannot merge map onto non-map for {}. Skipping.",
                            ferroflux_gotemplate::fmt::go_quote(&key)
                        ),
                    ),
                }
            }
            val => {
                if matches!(dg.get(&key), Some(J::Object(_))) {
                    warn(log, format!("key {key} is table. Skipping"));
                    continue;
                }
                dg.insert(key, val);
            }
        }
    }
    dest.insert(GLOBAL.into(), J::Object(dg));
}

fn is_dependency(chart: &Chart, key: &str) -> bool {
    chart.dependencies.iter().any(|d| d.name() == key)
}

/// Merges a chart's own defaults into `v` (values already in `v` win). The defaults are read
/// in place and only what `v` lacks is copied: in an umbrella, `v` already holds most of a
/// subchart's defaults (import processing put them in the parent's values).
fn coalesce_chart_values(chart: &Chart, v: &mut Values, prefix: &str, merge: bool, log: &mut Log) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    for (key, val) in &chart.values {
        match v.get_mut(key) {
            Some(value) => {
                if value.is_null() && !merge {
                    v.remove(key);
                } else if let J::Object(dest) = value {
                    match val {
                        J::Object(src) => {
                            let merge = merge || is_dependency(chart, key);
                            let full = concat_prefix(&sub_prefix, key);
                            // Without `merge`, Helm drops the defaults' nulls first.
                            coalesce_tables_from(dest, src, &full, merge, !merge, log);
                        }
                        J::Null => {}
                        _ => warn(
                            log,
                            format!("warning: skipped value for {sub_prefix}.{key}: Not a table."),
                        ),
                    }
                }
            }
            None => {
                if !merge && val.is_null() {
                    continue;
                }
                v.insert(key.clone(), copy_default(val, !merge));
            }
        }
    }
}

/// A copy of a default, without its nulls at any depth when `drop_nulls`.
fn copy_default(val: &J, drop_nulls: bool) -> J {
    let mut val = val.clone();
    if drop_nulls && let J::Object(m) = &mut val {
        clean_nil_values(m);
    }
    val
}

/// `coalesceTablesFullKey` for the table at `prefix`, reading `src` in place (as if its nulls
/// had been removed first when `drop_nulls`): what `dst` lacks is copied, the rest only
/// compared; Helm's warnings go to `log`.
fn coalesce_tables_from(
    dst: &mut Values,
    src: &Values,
    prefix: &str,
    merge: bool,
    drop_nulls: bool,
    log: &mut Log,
) {
    for (key, val) in src {
        if drop_nulls && val.is_null() {
            continue;
        }
        let Some(dv) = dst.get_mut(key) else {
            dst.insert(key.clone(), copy_default(val, drop_nulls));
            continue;
        };
        // A null in `dst` hides the default under it (Helm nulls that default first): when
        // merging it stays, with no warning about the table it hides; otherwise a non-null
        // default removes the key.
        if dv.is_null() {
            if !merge && !val.is_null() {
                dst.remove(key);
            }
            continue;
        }
        let full = || concat_prefix(prefix, key);
        match (val, dv) {
            (J::Object(sv), J::Object(dm)) => {
                coalesce_tables_from(dm, sv, &full(), merge, drop_nulls, log)
            }
            (J::Object(_), _) => warn(
                log,
                format!(
                    "warning: cannot overwrite table with non table for {} ({})",
                    full(),
                    crate::values::go_print(&copy_default(val, drop_nulls))
                ),
            ),
            (sv, J::Object(_)) if !sv.is_null() => warn(
                log,
                format!(
                    "warning: destination for {} is a table. Ignoring non-table value ({})",
                    full(),
                    crate::values::go_print(sv)
                ),
            ),
            _ => {}
        }
    }
}

/// `coalesceTablesFullKey`: fills `dst` from `src`; `dst` wins. Without `merge`, a null in
/// `dst` over a non-null default removes the key.
pub fn coalesce_tables(dst: &mut Values, src: Values, merge: bool) {
    coalesce_tables_logged(dst, src, "", merge, &mut Log::new())
}

/// [`coalesce_tables`] for the table at `prefix`, appending Helm's warnings to `log`.
pub(crate) fn coalesce_tables_logged(
    dst: &mut Values,
    src: Values,
    prefix: &str,
    merge: bool,
    log: &mut Log,
) {
    coalesce_tables_from(dst, &src, prefix, merge, false, log)
}

fn clean_nil_values(m: &mut Values) {
    m.retain(|_, v| !v.is_null());
    for v in m.values_mut() {
        if let J::Object(sub) = v {
            clean_nil_values(sub);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chart(values: J, deps: Vec<Chart>, name: &str) -> Chart {
        let mut c = Chart::default();
        c.metadata.name = name.into();
        c.values = values.as_object().cloned().unwrap_or_default();
        c.dependencies = deps;
        c
    }

    #[test]
    fn user_values_win_and_null_deletes() {
        let c = chart(
            json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 5}),
            vec![],
            "top",
        );
        let user = json!({"a": 9, "b": {"c": null}, "e": null})
            .as_object()
            .cloned()
            .unwrap();
        let out = coalesce_values(&c, &user).unwrap();
        assert_eq!(J::Object(out), json!({"a": 9, "b": {"d": 3}}));
    }

    #[test]
    fn a_subchart_section_that_is_not_a_table_is_printed_with_percent_t() {
        let sub = chart(json!({}), vec![], "sub");
        for (user, want) in [
            (json!({"sub": null}), "type mismatch on sub: %!t(<nil>)"),
            (
                json!({"sub": [1.5, "x", true]}),
                "type mismatch on sub: [%!t(float64=1.5) %!t(string=x) true]",
            ),
            (json!({"sub": "s"}), "type mismatch on sub: %!t(string=s)"),
        ] {
            let top = chart(json!({}), vec![sub.clone()], "top");
            let user = user.as_object().cloned().unwrap();
            assert_eq!(coalesce_values(&top, &user).unwrap_err(), want);
        }
    }

    /// A user null over a subchart's default table removes it quietly, also when the
    /// parent's values already hold the subchart's section (as after import processing),
    /// where Helm merges that section with the null in place.
    #[test]
    fn a_null_over_a_subchart_default_table_warns_nothing() {
        let defaults = json!({"affinity": {"anti": {"rule": "spread"}, "other": 1}});
        let sub = chart(defaults.clone(), vec![], "sub");
        let top = chart(json!({"sub": defaults}), vec![sub], "top");
        let user = json!({"sub": {"affinity": {"anti": null}}});
        let mut log = Vec::new();
        let out = coalesce_values_logged(&top, user.as_object().unwrap(), &mut log).unwrap();
        assert_eq!(log, Vec::<String>::new());
        assert_eq!(out["sub"]["affinity"], json!({"other": 1}));
    }

    /// Defaults merged into a section the parent already holds (as after import processing)
    /// read as a fresh copy of them would: nested nulls dropped, what the section has kept,
    /// a table over a scalar and a scalar over a table warned about with the cleaned default.
    #[test]
    fn defaults_merge_into_a_held_section_as_a_copy_would() {
        let defaults = json!({"a": {"keep": 1, "gone": null, "deep": {"x": null, "y": 2},
                                    "t": {"n": null, "v": 1}, "s": "text"}});
        let sub = chart(defaults, vec![], "sub");
        let top = chart(json!({}), vec![sub], "top");
        let user = json!({"sub": {"a": {"keep": 5, "deep": {"z": 3}, "t": "scalar",
                                         "s": {"table": true}}}});
        let mut log = Vec::new();
        let out = coalesce_values_logged(&top, user.as_object().unwrap(), &mut log).unwrap();
        assert_eq!(
            out["sub"]["a"],
            json!({"keep": 5, "deep": {"z": 3, "y": 2}, "t": "scalar", "s": {"table": true}})
        );
        assert_eq!(
            log,
            [
                "level=INFO msg=\"warning: cannot overwrite table with non table for top.sub.a.t (map[v:1])\"",
                "level=INFO msg=\"warning: destination for top.sub.a.s is a table. Ignoring non-table value (text)\"",
            ]
        );
    }

    #[test]
    fn globals_flow_down_and_parent_wins() {
        let sub = chart(
            json!({"x": 1, "global": {"g": "sub", "h": "sub"}}),
            vec![],
            "sub",
        );
        let top = chart(
            json!({"global": {"g": "top"}, "sub": {"x": 2}}),
            vec![sub],
            "top",
        );
        let out = coalesce_values(&top, &Values::new()).unwrap();
        assert_eq!(out["sub"]["x"], json!(2));
        assert_eq!(out["sub"]["global"]["g"], json!("top"));
        assert_eq!(out["sub"]["global"]["h"], json!("sub"));
    }
}
