//! Runs every case under testdata/gotemplate against the expectations the reference tools
//! produced (`cargo xtask goldens gotemplate`): `<name>.go.out|err` from Go text/template +
//! Sprig, `<name>.helm.out|err` from `helm template`. Known mismatches are listed, with a reason,
//! in testdata/gotemplate/allowlist.txt.

use ferroflux_gotemplate::{FuncMap, Options, Template, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name Helm gives the case file inside the throwaway chart.
const HELM_NAME: &str = "case/templates/_case.tpl";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/gotemplate")
}

fn render(
    text: &str,
    data: Option<&serde_json::Value>,
    helm: bool,
    go_name: &str,
) -> Result<String, String> {
    let (funcs, opts, name) = if helm {
        (FuncMap::helm(), Options::helm(false), HELM_NAME)
    } else {
        (FuncMap::sprig(), Options::default(), go_name)
    };
    let mut t = Template::new(name, funcs, opts);
    t.parse(name, text).map_err(|e| e.to_string())?;
    let data = match data {
        Some(d) => Value::from_json(d),
        None if helm => Value::empty_map(),
        None => Value::Missing,
    };
    t.execute(name, &data).map_err(|e| e.to_string())
}

#[derive(Default)]
struct Tally {
    pass: usize,
    pass_msg: usize,
    allowed: usize,
    fail: Vec<String>,
}

fn run_case(
    dir: &Path,
    stem: &str,
    allow: &BTreeMap<String, String>,
    tally: &mut BTreeMap<&'static str, Tally>,
) {
    let text = std::fs::read_to_string(dir.join(format!("{stem}.tpl"))).unwrap_or_default();
    let data: Option<serde_json::Value> = std::fs::read_to_string(dir.join(format!("{stem}.json")))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    let group = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    for (mode, helm) in [("go", false), ("helm", true)] {
        let out = std::fs::read_to_string(dir.join(format!("{stem}.{mode}.out"))).ok();
        let err = std::fs::read_to_string(dir.join(format!("{stem}.{mode}.err"))).ok();
        if out.is_none() && err.is_none() {
            continue;
        }
        let id = format!("{group}/{stem}.{mode}");
        let go_name = format!("{stem}.tpl");
        let got = std::panic::catch_unwind(|| render(&text, data.as_ref(), helm, &go_name));
        let t = tally.entry(if helm { "helm" } else { "go" }).or_default();
        let got = match got {
            Ok(g) => g,
            Err(_) => {
                t.fail.push(format!("{id}: PANIC"));
                continue;
            }
        };
        let ok = match (&out, &got) {
            (Some(want), Ok(g)) => want == g,
            (None, Err(_)) => true,
            _ => false,
        };
        if ok {
            t.pass += 1;
            if let (Some(want), Err(g)) = (&err, &got)
                && want.trim_end().contains(g.as_str())
            {
                t.pass_msg += 1;
            }
        } else if allow.contains_key(&id) {
            t.allowed += 1;
        } else {
            let want = out
                .clone()
                .unwrap_or_else(|| format!("ERROR {}", err.clone().unwrap_or_default()));
            let got = match got {
                Ok(g) => g,
                Err(e) => format!("ERROR {e}"),
            };
            t.fail
                .push(format!("{id}\n  want: {want:?}\n  got:  {got:?}"));
        }
    }
}

#[test]
fn conformance() {
    let root = root();
    let allow: BTreeMap<String, String> = std::fs::read_to_string(root.join("allowlist.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let mut groups: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("testdata/gotemplate exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    let mut tally = BTreeMap::new();
    let mut cases = 0;
    for g in &groups {
        let mut stems: Vec<String> = std::fs::read_dir(g)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".tpl"))
                    .map(String::from)
            })
            .collect();
        stems.sort();
        for s in stems {
            cases += 1;
            run_case(g, &s, &allow, &mut tally);
        }
    }
    assert!(cases > 0, "no cases found under {}", root.display());
    let mut failed = 0;
    for (mode, t) in &tally {
        println!(
            "{mode}: {} passed ({} errors with identical message), {} allowlisted, {} failed",
            t.pass,
            t.pass_msg,
            t.allowed,
            t.fail.len()
        );
        for f in &t.fail {
            println!("FAIL {f}");
        }
        failed += t.fail.len();
    }
    println!("{cases} cases");
    assert_eq!(failed, 0, "conformance mismatches (see output)");
}
