//! Checks the quick schema check against the full validator on charts that cannot be
//! committed (public charts' schemas): for each chart directory named on the command line,
//! its `values.yaml` and variants of it (each value in turn given another type, set to null,
//! made an empty string, or its key removed) are checked by both. The quick check may decline
//! or find values not surely valid; it must never call valid what the full validator refuses.
//!
//! `cargo run --release -p ferroflux-helm --example schema_quick -- CHART_DIR…`

use ferroflux_helm::schema::quick_and_full;
use ferroflux_helm::yaml::Values;
use serde_json::Value as J;

/// Variants per chart, at most: the first values of a big chart are enough to reach its schema.
const MAX_VARIANTS: usize = 400;

fn main() {
    let (mut schemas, mut taken, mut checks, mut quick_valid, mut full_valid) = (0, 0, 0, 0, 0);
    for dir in std::env::args().skip(1) {
        let dir = std::path::Path::new(&dir);
        let Ok(schema) = std::fs::read(dir.join("values.schema.json")) else {
            continue;
        };
        let text = std::fs::read(dir.join("values.yaml")).unwrap_or_default();
        let Ok(values) = ferroflux_helm::yaml::load_values_bytes(&text) else {
            continue;
        };
        schemas += 1;
        let mut variants = vec![values.clone()];
        variants.extend(mutations(&values).into_iter().take(MAX_VARIANTS));
        variants.push(with_extra_key(&values));
        let mut eligible = false;
        for v in &variants {
            let (quick, full) = quick_and_full(v, &schema);
            checks += 1;
            eligible |= quick.is_some();
            quick_valid += usize::from(quick == Some(true));
            full_valid += usize::from(full.is_ok());
            if quick == Some(true)
                && let Err(e) = full
            {
                panic!(
                    "{}: the quick check took values as valid that the full validator refuses:\n{e}\nvalues: {}",
                    dir.display(),
                    serde_json::to_string(v).unwrap_or_default()
                );
            }
        }
        taken += usize::from(eligible);
    }
    println!(
        "quick check: took {taken} of {schemas} schemas; of {checks} checks, {quick_valid} surely valid, {full_valid} valid for the full validator"
    );
}

/// Copies of `values` with one value changed or removed each.
fn mutations(values: &Values) -> Vec<Values> {
    let root = J::Object(values.clone());
    let mut paths = Vec::new();
    collect_paths(&root, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for path in paths {
        let here = pointer(&root, &path).cloned().unwrap_or(J::Null);
        let replacements = match &here {
            J::String(_) => vec![
                J::from(7),
                J::Null,
                J::from(true),
                J::from(""),
                J::from("Zz-9.unlikely value"),
                J::from("tab\there"),
            ],
            J::Number(_) => vec![
                J::from("seven"),
                J::from(-1),
                J::from(1.5),
                J::from(1u64 << 60),
            ],
            J::Bool(_) => vec![J::from("true"), J::from(0)],
            J::Null => vec![J::from("x"), J::from(1)],
            J::Array(_) => vec![
                J::from("x"),
                J::Array(vec![]),
                J::Array(vec![J::Null, J::Null]),
            ],
            J::Object(m) => {
                let mut more = m.clone();
                more.insert("unexpectedKey".into(), J::from("x"));
                vec![
                    J::from("x"),
                    J::Array(vec![]),
                    serde_json::json!({"unexpected": 1}),
                    J::Object(more),
                ]
            }
        };
        for r in replacements {
            let mut copy = root.clone();
            if let Some(slot) = pointer_mut(&mut copy, &path) {
                *slot = r;
            }
            if let J::Object(m) = copy {
                out.push(m);
            }
        }
        if let Some((last, parent)) = path.split_last() {
            let mut copy = root.clone();
            if let Some(J::Object(m)) = pointer_mut(&mut copy, parent) {
                m.shift_remove(last);
            }
            if let J::Object(m) = copy {
                out.push(m);
            }
        }
    }
    out
}

/// The values with one key no schema expects at the top.
fn with_extra_key(values: &Values) -> Values {
    let mut v = values.clone();
    v.insert("unexpectedTopLevelKey".into(), J::from(1));
    v
}

fn collect_paths(v: &J, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    if let J::Object(m) = v {
        for (k, x) in m {
            at.push(k.clone());
            collect_paths(x, at, out);
            at.pop();
        }
    }
}

fn pointer<'a>(v: &'a J, path: &[String]) -> Option<&'a J> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn pointer_mut<'a>(v: &'a mut J, path: &[String]) -> Option<&'a mut J> {
    path.iter().try_fold(v, |v, k| v.get_mut(k))
}
