//! Helm's rendering engine: every template of the chart tree in one template set (so helpers
//! defined anywhere are reachable through `include`), each rendered with its own chart's
//! `.Values`, `.Chart`, `.Files` and `.Template`. Mirrors `pkg/engine/engine.go`, including
//! the order templates are parsed in (deepest first, so a parent's definitions win) and the
//! way errors are reworded.

use crate::chart::Chart;
use crate::objects::{Capabilities, Files, StringMap};
use crate::yaml::Values;
use ferroflux_gotemplate::ast::{Arg, Cmd};
use ferroflux_gotemplate::frozen::{Frozen, Unseen, run_frozen};
use ferroflux_gotemplate::{ErrorKind, FuncMap, Map, Options, Template, Ty, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// `.Release`.
#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_upgrade: bool,
    pub is_install: bool,
}

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

fn helm_funcs() -> FuncMap {
    let mut m = FuncMap::helm();
    m.pure("required", &[Ty::Str, Ty::Any], None, |a| {
        let empty = match &a[1] {
            Value::Missing | Value::Nil => true,
            Value::String(x) => x.is_empty(),
            _ => false,
        };
        if empty {
            let msg = a[0].as_str().unwrap_or_default();
            return Err(format!("{WARN_START}{msg}{WARN_END}"));
        }
        Ok(a[1].clone())
    });
    m.pure("fail", &[Ty::Str], None, |a| {
        let msg = a[0].as_str().unwrap_or_default();
        Err(format!("{WARN_START}{msg}{WARN_END}"))
    });
    crate::durations::register(&mut m);
    // `toToml` returns the encoder's error as its text; `mustToToml` fails with it. Every
    // encoder error starts "toml: ", which no encoded document does (a key with a colon
    // is quoted).
    m.pure(
        "mustToToml",
        &[Ty::Any],
        None,
        |a| match ferroflux_gotemplate::funcs::toml::to_toml(&a[0])? {
            t if t.starts_with("toml: ") => Err(t),
            t => Ok(Value::str(t)),
        },
    );
    // fromYaml/fromYamlArray read YAML as sigs.k8s.io/yaml does (YAML 1.1, duplicate keys
    // allowed, go-yaml's error texts), with the reader that reads values files.
    ferroflux_gotemplate::funcs::helm::register_from_yaml(&mut m, |text| {
        crate::yaml::parse_untyped(text)
            .map(|j| Value::from_json(&j))
            .map_err(|e| format!("error converting YAML to JSON: {e}"))
    });
    m
}

/// What `required` and `fail` log in lint mode (Helm's slog text lines), drained by
/// [`render_lint`]. Lint renders run in order on one thread.
static LINT_LOG: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn lint_log(level: &str, msg: &str, message: &str) {
    let line = format!(
        "level={level} msg={} message={}",
        ferroflux_gotemplate::fmt::go_quote(msg),
        crate::manifests::slog_text_value(message)
    );
    LINT_LOG
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(line);
}

/// Helm's lint mode: a missing `required` value and `fail` are logged, not errors, and
/// give an empty string.
fn lint_funcs() -> FuncMap {
    let mut m = helm_funcs();
    m.pure("required", &[Ty::Str, Ty::Any], None, |a| {
        let msg = a[0].as_str().unwrap_or_default();
        match &a[1] {
            Value::Missing | Value::Nil => lint_log("WARN", "missing required value", msg),
            Value::String(x) if x.is_empty() => lint_log("WARN", "missing required values", msg),
            v => return Ok(v.clone()),
        }
        Ok(Value::str(""))
    });
    m.pure("fail", &[Ty::Str], None, |a| {
        lint_log("INFO", "funcMap fail", a[0].as_str().unwrap_or_default());
        Ok(Value::str(""))
    });
    m
}

struct Renderable {
    text: Arc<str>,
    /// The chart's top-level object (shared: `.Template` is written into it per file).
    vals: Arc<std::sync::RwLock<Map>>,
    base_path: String,
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn str_list(v: &[String]) -> Value {
    Value::list(v.iter().map(|x| s(x)).collect())
}

/// `MetadataAsMap` plus `IsRoot`: Go field names as keys.
fn metadata_map(c: &Chart, is_root: bool) -> Value {
    let md = &c.metadata;
    let mut m = Map::new();
    m.insert("Name".into(), s(&md.name));
    m.insert("Home".into(), s(&md.home));
    m.insert("Sources".into(), str_list(&md.sources));
    m.insert("Version".into(), s(&md.version));
    m.insert("Description".into(), s(&md.description));
    m.insert("Keywords".into(), str_list(&md.keywords));
    m.insert(
        "Maintainers".into(),
        Value::list(
            md.maintainers
                .iter()
                .flatten()
                .map(|x| {
                    let mut mm = Map::new();
                    mm.insert("Name".into(), s(&x.name));
                    mm.insert("Email".into(), s(&x.email));
                    mm.insert("URL".into(), s(&x.url));
                    Value::map(mm)
                })
                .collect(),
        ),
    );
    m.insert("Icon".into(), s(&md.icon));
    m.insert("APIVersion".into(), s(&md.api_version));
    m.insert("Condition".into(), s(&md.condition));
    m.insert("Tags".into(), s(&md.tags));
    m.insert("AppVersion".into(), s(&md.app_version));
    m.insert("Deprecated".into(), Value::Bool(md.deprecated));
    m.insert(
        "Annotations".into(),
        Value::Object(Arc::new(StringMap(md.annotations.clone()))),
    );
    m.insert("KubeVersion".into(), s(&md.kube_version));
    m.insert(
        "Dependencies".into(),
        Value::list(
            md.dependencies
                .iter()
                .flatten()
                .map(|d| {
                    let mut mm = Map::new();
                    mm.insert("Name".into(), s(&d.name));
                    mm.insert("Version".into(), s(&d.version));
                    mm.insert("Repository".into(), s(&d.repository));
                    mm.insert("Condition".into(), s(&d.condition));
                    mm.insert("Tags".into(), str_list(&d.tags));
                    mm.insert("Enabled".into(), Value::Bool(d.enabled));
                    mm.insert(
                        "ImportValues".into(),
                        Value::list(d.import_values.iter().map(Value::from_json).collect()),
                    );
                    mm.insert("Alias".into(), s(&d.alias));
                    Value::map(mm)
                })
                .collect(),
        ),
    );
    m.insert("Type".into(), s(&md.chart_type));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    Value::map(m)
}

fn files_of(c: &Chart) -> Value {
    let m: BTreeMap<String, crate::file_data::FileData> = c
        .files
        .iter()
        .map(|f| (f.name.clone(), f.data.clone()))
        .collect();
    Value::Object(Arc::new(Files(Arc::new(m))))
}

struct Shared {
    release: Value,
    caps: Value,
}

/// `.Release` and `.Capabilities`, the same for every chart of the tree.
fn shared_of(release: &ReleaseOptions, caps: &Capabilities) -> Shared {
    let mut rel = Map::new();
    rel.insert("Name".into(), s(&release.name));
    rel.insert("Namespace".into(), s(&release.namespace));
    rel.insert("IsUpgrade".into(), Value::Bool(release.is_upgrade));
    rel.insert("IsInstall".into(), Value::Bool(release.is_install));
    rel.insert("Revision".into(), Value::Int(release.revision));
    rel.insert("Service".into(), s("Helm"));
    Shared {
        release: Value::map(rel),
        caps: Value::Object(Arc::new(caps.clone())),
    }
}

fn collect_with(
    c: &Chart,
    values: Value,
    full_path: &str,
    is_root: bool,
    shared: &Shared,
    out: &mut BTreeMap<String, Renderable>,
) -> Value {
    let subcharts = Value::empty_map();
    let mut next = Map::new();
    next.insert("Chart".into(), metadata_map(c, is_root));
    next.insert("Files".into(), files_of(c));
    next.insert("Release".into(), shared.release.clone());
    next.insert("Capabilities".into(), shared.caps.clone());
    next.insert("Values".into(), values.clone());
    next.insert("Subcharts".into(), subcharts.clone());
    let next_arc = Arc::new(std::sync::RwLock::new(next));
    // Helm types the top-level object and `.Values` as `common.Values`.
    ferroflux_gotemplate::value::mark_helm_values(&values);
    ferroflux_gotemplate::value::mark_helm_values(&Value::Map(next_arc.clone()));
    // An umbrella chart's subcharts are independent: collected side by side, each into a
    // table of its own, merged in order (a later subchart of the same name still wins).
    let subs: Vec<(Value, BTreeMap<String, Renderable>)> =
        ferroflux_par::map(&c.dependencies, 8, |dep| {
            // `Values.<name>` of this chart, shared with it, or an empty table.
            let sub_values = match &values {
                Value::Map(m) => match ferroflux_gotemplate::value::read(m).get(dep.name()) {
                    Some(v @ Value::Map(_)) => v.clone(),
                    _ => Value::empty_map(),
                },
                _ => Value::empty_map(),
            };
            let sub_path = format!("{full_path}/charts/{}", dep.name());
            let mut own = BTreeMap::new();
            let sub = collect_with(dep, sub_values, &sub_path, false, shared, &mut own);
            (sub, own)
        });
    for (dep, (sub, own)) in c.dependencies.iter().zip(subs) {
        // One insert per template: `append` would rebuild the growing table each time.
        out.extend(own);
        if let Value::Map(m) = &subcharts {
            ferroflux_gotemplate::value::write(m).insert(dep.name().to_string(), sub);
        }
    }
    for t in &c.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if c.is_library() && !base.starts_with('_') {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text: text_of(&t.data),
                vals: next_arc.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    Value::Map(next_arc)
}

/// A template file's text: its bytes shared as they are when they are UTF-8 (nearly always),
/// otherwise a copy with each invalid sequence replaced, as Go's conversion does.
fn text_of(data: &crate::file_data::FileData) -> Arc<str> {
    let data = data.shared();
    if std::str::from_utf8(&data).is_err() {
        return Arc::from(String::from_utf8_lossy(&data).as_ref());
    }
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the layout of `[u8]`,
    // so the same allocation is a valid `Arc<str>`.
    unsafe { Arc::from_raw(Arc::into_raw(data) as *const str) }
}

/// The coalesced values as template values (integers kept, as Helm's values are typed
/// before rendering); a table with many entries (an umbrella chart's, one per subchart) is
/// converted side by side.
fn top_values(values: &Values) -> Value {
    let entries: Vec<(&String, &serde_json::Value)> = values.iter().collect();
    let converted = ferroflux_par::map(&entries, 16, |(_, v)| Value::from_json_ints(v));
    Value::map(
        entries
            .iter()
            .zip(converted)
            .map(|((k, _), v)| ((*k).clone(), v))
            .collect(),
    )
}

/// Helm's parse and execution order: deeper paths first, then names in reverse.
fn sort_templates<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    // Depths counted once: an umbrella has thousands of templates to compare.
    let mut v: Vec<(usize, &String)> = keys.map(|k| (k.matches('/').count(), k)).collect();
    v.sort_by(|(da, a), (db, b)| db.cmp(da).then_with(|| b.cmp(a)));
    v.into_iter().map(|(_, k)| k).collect()
}

/// Renders every template of `chart` (already processed for dependencies) with the
/// coalesced `values`. Returns file name → output, partials excluded.
pub fn render(
    chart: &Chart,
    values: &Values,
    release: &ReleaseOptions,
    caps: &Capabilities,
    strict: bool,
) -> Result<BTreeMap<String, String>, String> {
    render_then(chart, values, release, caps, strict, &|_, out| out)
}

/// [`render`], with `then` applied to each template's output (name, text) on the thread that
/// rendered it: what comes next for every output (reading manifest heads) runs side by side
/// with the rendering.
pub fn render_then<T: Send>(
    chart: &Chart,
    values: &Values,
    release: &ReleaseOptions,
    caps: &Capabilities,
    strict: bool,
    then: &(dyn Fn(&str, String) -> T + Sync),
) -> Result<BTreeMap<String, T>, String> {
    let shared = shared_of(release, caps);
    let top_values = top_values(values);
    render_set(chart, top_values, &shared, strict, false, then)
}

/// [`render`] in Helm's lint mode (`helm lint`): templates run in order, `required` and
/// `fail` only log. Returns the outputs (NOTES.txt included) and what was logged.
pub fn render_lint(
    chart: &Chart,
    values: &Values,
    release: &ReleaseOptions,
    caps: &Capabilities,
) -> (Result<BTreeMap<String, String>, String>, Vec<String>) {
    LINT_LOG.lock().unwrap_or_else(|e| e.into_inner()).clear();
    let shared = shared_of(release, caps);
    let out = render_set(chart, top_values(values), &shared, false, true, &|_, o| o);
    let logs = std::mem::take(&mut *LINT_LOG.lock().unwrap_or_else(|e| e.into_inner()));
    (out, logs)
}

fn render_set<T: Send>(
    chart: &Chart,
    top_values: Value,
    shared: &Shared,
    strict: bool,
    lint: bool,
    then: &(dyn Fn(&str, String) -> T + Sync),
) -> Result<BTreeMap<String, T>, String> {
    static FUNCS: OnceLock<Arc<FuncMap>> = OnceLock::new();
    static LINT_FUNCS: OnceLock<Arc<FuncMap>> = OnceLock::new();
    let funcs = if lint {
        LINT_FUNCS.get_or_init(|| Arc::new(lint_funcs())).clone()
    } else {
        FUNCS.get_or_init(|| Arc::new(helm_funcs())).clone()
    };
    let mut tpls = BTreeMap::new();
    let root = collect_with(chart, top_values, chart.name(), true, shared, &mut tpls);
    let keys = sort_templates(tpls.keys());
    let mut set = Template::with_shared_funcs("gotpl", funcs, Options::helm(strict));
    let files: Vec<(&str, &str)> = keys
        .iter()
        .map(|k| (k.as_str(), tpls[*k].text.as_ref()))
        .collect();
    set.parse_all(&files)
        .map_err(|e| cleanup_parse_error(e.name.as_deref().unwrap_or_default(), &e.message))?;
    let order: Vec<&String> = keys
        .into_iter()
        .filter(|k| !k.rsplit('/').next().unwrap_or(k).starts_with('_'))
        .collect();
    let message = |k: &str, e: ferroflux_gotemplate::Error| match e.kind {
        ErrorKind::Exec | ErrorKind::Recursion => reformat_exec_error(k, &e.message),
        _ => e.message,
    };
    let mut outputs = None;
    let sharing = if lint { None } else { sharing_of(&set) };
    if let Some(mutates) = sharing {
        // Every map a template could reach in Helm's shared objects is frozen; one that
        // templates only read, or that changes only maps it made, runs side by side. Where
        // nothing calls `set`, `unset` or `merge`, nothing is frozen and `tpl` text that
        // calls them is refused instead.
        let mut frozen = Frozen::default();
        if mutates {
            // Every chart's top-level object, also one its parent no longer reaches (two
            // subcharts of one name: the later one's wins in `.Subcharts`).
            frozen.add(&root);
            for r in tpls.values() {
                frozen.add(&Value::Map(r.vals.clone()));
            }
            set.options_mut().tpl_refuses = Some(reads_subcharts);
        } else {
            set.options_mut().tpl_refuses = Some(reads_subcharts_or_mutates);
        }
        let shared_set = &set;
        let frozen = Arc::new(frozen);
        let refused = AtomicBool::new(false);
        // Each template gets its own top-level object, so `.Template` is its own.
        let side_by_side = ferroflux_par::map(&order, 16, |k| {
            if refused.load(Ordering::Relaxed) {
                return None;
            }
            let r = &tpls[*k];
            let mut top = ferroflux_gotemplate::value::read(&r.vals).clone();
            top.insert("Template".into(), template_object(k, &r.base_path));
            // Subcharts' objects show the template each ran last: not a thing to look at
            // side by side, however the key is reached (`index $ "Sub…"`, `toJson $`).
            top.insert("Subcharts".into(), Value::Object(Arc::new(Unseen)));
            let top = Value::map(top);
            ferroflux_gotemplate::value::mark_helm_values(&top);
            let (out, changed_shared) = run_frozen(&frozen, &top, || shared_set.execute(k, &top));
            if changed_shared || matches!(&out, Err(e) if e.kind == ErrorKind::TplRefused) {
                refused.store(true, Ordering::Relaxed);
                return None;
            }
            Some(out.map(|out| then(k, out)))
        });
        // A change to a shared map, or a `tpl` text reading `.Subcharts`, was refused
        // before it happened: the values are as they were, to start again in order.
        if side_by_side.iter().all(Option::is_some) {
            outputs = Some(
                order
                    .iter()
                    .zip(side_by_side.into_iter().flatten())
                    .map(|(k, r)| r.map_err(|e| message(k, e)))
                    .collect::<Vec<_>>(),
            );
        }
        set.options_mut().tpl_refuses = None;
    }
    let outputs = match outputs {
        Some(o) => o,
        None => {
            // In order, stopping at the first failure, `.Template` written into the chart's
            // shared top-level object as Helm does.
            let mut outputs = Vec::with_capacity(order.len());
            for k in &order {
                let r = &tpls[*k];
                ferroflux_gotemplate::value::write(&r.vals)
                    .insert("Template".into(), template_object(k, &r.base_path));
                let out = set
                    .execute(k, &Value::Map(r.vals.clone()))
                    .map(|out| then(k, out))
                    .map_err(|e| message(k, e));
                let failed = out.is_err();
                outputs.push(out);
                if failed {
                    break;
                }
            }
            outputs
        }
    };
    // The first failure in order, or every output.
    let rendered = order
        .into_iter()
        .zip(outputs)
        .map(|(k, out)| out.map(|out| (k.clone(), out)))
        .collect();
    ferroflux_par::dispose((set, tpls));
    rendered
}

/// `.Template`: the file's name and its chart's templates directory.
fn template_object(name: &str, base_path: &str) -> Value {
    let mut tm = Map::new();
    tm.insert("Name".into(), s(name));
    tm.insert("BasePath".into(), s(base_path));
    let tm = Value::map(tm);
    ferroflux_gotemplate::value::mark_helm_values(&tm);
    tm
}

/// Functions that change a map in place.
const MUTATING: &[&str] = &[
    "set",
    "unset",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
];

/// A `set`, `unset` or `merge` into `.`, `$` or a field (`.Values.x`): in a template file
/// these are Helm's shared objects, so running side by side would most likely be refused
/// and started again in order (the refusal, not this guess, is what keeps the output right).
fn changes_dot(c: &Cmd) -> bool {
    c.args.first().is_some_and(calls_mutating)
        && match c.args.get(1) {
            Some(Arg::Dot(_) | Arg::Field(..)) => true,
            Some(Arg::Variable(_, v, _)) => v == "$",
            _ => false,
        }
}

/// Whether the templates of `set` may run side by side (`None`: in order, see
/// [`reads_subcharts`] and [`changes_dot`]) and, if so, whether any calls `set`, `unset` or
/// `merge` (one pass over every template: the templates of a big chart are many).
fn sharing_of(set: &Template) -> Option<bool> {
    let mutates = std::cell::Cell::new(false);
    let in_order = set.any_cmd(&|c| {
        // A chain's own term (`(f).x`, `f.x`) is an argument too; pipelines inside
        // arguments are commands the pass visits.
        let chained = c.args.iter().filter_map(|a| match a {
            Arg::Chain(_, inner, _) => Some(&**inner),
            _ => None,
        });
        for a in c.args.iter().chain(chained) {
            if reads_subcharts(a) {
                return true;
            }
            if calls_mutating(a) {
                mutates.set(true);
            }
        }
        changes_dot(c)
    });
    (!in_order).then(|| mutates.get())
}

fn calls_mutating(a: &Arg) -> bool {
    matches!(a, Arg::Ident(_, f) if MUTATING.contains(&f.as_str()))
}

fn reads_subcharts_or_mutates(a: &Arg) -> bool {
    reads_subcharts(a) || calls_mutating(a)
}

/// An argument reading `.Subcharts`, whose template objects show which template of each
/// subchart ran last: such a chart's templates run in order.
fn reads_subcharts(a: &Arg) -> bool {
    match a {
        Arg::Field(_, names) | Arg::Variable(_, _, names) | Arg::Chain(_, _, names) => {
            names.iter().any(|n| n == "Subcharts")
        }
        Arg::Str(_, _, text) => &**text == "Subcharts",
        _ => false,
    }
}

/// `cleanupParseError`.
fn cleanup_parse_error(filename: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {msg}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

#[derive(PartialEq)]
struct Traceable {
    location: String,
    message: String,
    executed: String,
}

impl Traceable {
    fn render(&self) -> String {
        let mut s = String::new();
        if !self.location.is_empty() {
            s.push_str(&format!("{}\n  ", self.location));
        }
        if !self.executed.is_empty() {
            s.push_str(&format!("{}\n    ", self.executed));
        }
        if !self.message.is_empty() {
            s.push_str(&format!("{}\n", self.message));
        }
        s
    }
}

fn cut_template(msg: &str) -> &str {
    match msg.find(" template:") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

/// The wrapped error's text when `msg` is `error calling NAME: <inner>`.
fn wrapped(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("error calling ")?;
    rest.split_once(": ").map(|(_, inner)| inner)
}

/// One link of Go's error chain: the parsed level and the text of the error it wraps.
fn parse_level(s: &str) -> Option<(Traceable, Option<&str>)> {
    let rem = s.strip_prefix("template: ")?;
    if rem.starts_with("no template ") {
        return Some((
            Traceable {
                location: String::new(),
                message: s.to_string(),
                executed: String::new(),
            },
            None,
        ));
    }
    if let Some((name, after)) = rem.split_once(": executing ")
        && let Some(after) = after.strip_prefix('"')
        && let Some(endq) = after.find('"')
    {
        let func = &after[..endq];
        let after_func = &after[endq + 1..];
        if let Some(after_at) = after_func.strip_prefix(" at <")
            && let Some((loc, err)) = after_at.split_once(">: ")
        {
            return Some((
                Traceable {
                    location: name.to_string(),
                    message: cut_template(err).to_string(),
                    executed: format!("executing \"{func}\" at <{loc}>:"),
                },
                wrapped(err),
            ));
        }
        return None;
    }
    let sep = rem.rfind(": ")?;
    Some((
        Traceable {
            location: rem[..sep].to_string(),
            message: cut_template(&rem[sep + 2..]).to_string(),
            executed: String::new(),
        },
        None,
    ))
}

/// `reformatExecErrorMsg`: `fail`/`required` messages become "execution error at (…)", other
/// errors a trace of template locations; anything unexpected is returned as Go wrote it.
pub fn reformat_exec_error(filename: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {msg}");
    }
    if let Some(start) = tokens[2].find(WARN_START)
        && let Some(end) = tokens[2].rfind(WARN_END)
        && end >= start + WARN_START.len()
    {
        return format!(
            "execution error at ({}): {}",
            tokens[1],
            &tokens[2][start + WARN_START.len()..end]
        );
    }
    let mut levels: Vec<Traceable> = Vec::new();
    let mut cur = Some(msg);
    while let Some(s) = cur {
        let Some((t, next)) = parse_level(s) else {
            return msg.to_string();
        };
        if levels.last() != Some(&t) {
            levels.push(t);
        }
        cur = next;
    }
    levels
        .iter()
        .map(Traceable::render)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_include_errors_become_a_trace() {
        let msg = "template: c/templates/cm.yaml:6:10: executing \"c/templates/cm.yaml\" at <include \"x\" .>: error calling include: template: c/templates/_h.tpl:1:21: executing \"x\" at <.a.b>: nil pointer evaluating interface {}.b";
        assert_eq!(
            reformat_exec_error("c/templates/cm.yaml", msg),
            "c/templates/cm.yaml:6:10\n  executing \"c/templates/cm.yaml\" at <include \"x\" .>:\n    error calling include:\nc/templates/_h.tpl:1:21\n  executing \"x\" at <.a.b>:\n    nil pointer evaluating interface {}.b"
        );
    }

    #[test]
    fn function_errors_stay_raw_and_fail_is_short() {
        let raw = "template: c/t.yaml:1:3: executing \"c/t.yaml\" at <index . \"a\" \"b\">: error calling index: index of nil pointer";
        assert_eq!(reformat_exec_error("c/t.yaml", raw), raw);
        let f = "template: c/t.yaml:6:10: executing \"c/t.yaml\" at <fail \"x\">: error calling fail: HELM_ERR_STARTstop hereHELM_ERR_END";
        assert_eq!(
            reformat_exec_error("c/t.yaml", f),
            "execution error at (c/t.yaml:6:10): stop here"
        );
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            cleanup_parse_error(
                "c/t.yaml",
                "template: c/t.yaml:1: function \"env\" not defined"
            ),
            "parse error at (c/t.yaml:1): function \"env\" not defined"
        );
    }

    /// Renders a chart of `templates` (name, text) and `values.yaml` as `helm template r`.
    fn render_chart(values: &str, templates: &[(String, String)]) -> Result<String, String> {
        let mut files = vec![("values.yaml".to_string(), values.to_string())];
        for (name, text) in templates {
            files.push((format!("templates/{name}"), text.clone()));
        }
        render_files(&files)
    }

    /// Chart `c` 1.0.0 with these other files (paths from its root), rendered as release `r`.
    fn render_files(files: &[(String, String)]) -> Result<String, String> {
        let chart_yaml = crate::chart::File {
            name: "Chart.yaml".into(),
            data: b"apiVersion: v2\nname: c\nversion: 1.0.0\n"[..].into(),
        };
        let files = std::iter::once(chart_yaml)
            .chain(files.iter().map(|(name, text)| crate::chart::File {
                name: name.clone(),
                data: text.as_bytes().into(),
            }))
            .collect();
        let chart = crate::chart::load_files(files).map_err(|e| e.0)?;
        let opts = crate::TemplateOptions {
            release_name: "r".into(),
            ..Default::default()
        };
        crate::template(chart, &opts).map_err(|e| e.message)
    }

    /// A `tpl` text that only defines the name `tpl` runs under ("gotpl") runs that
    /// definition, also nested (what helm v4.3.1 printed).
    #[test]
    fn tpl_text_defining_its_own_name_runs_the_definition() {
        let t = r#"u1: {{ tpl "{{define \"gotpl\"}}X{{end}}" . | quote }}
u2: {{ tpl "[{{ tpl \"{{define \\\"gotpl\\\"}}Y{{end}}\" . }}]" . | quote }}
u3: {{ tpl "[{{ tpl \" {{define \\\"gotpl\\\"}}Y{{end}} \" . }}]" . | quote }}
"#;
        let out = render_files(&[("templates/a.yaml".into(), t.into())]).unwrap();
        assert!(
            out.ends_with("u1: \"X\"\nu2: \"[Y]\"\nu3: \"[Y]\"\n"),
            "{out}"
        );
    }

    /// Many templates of one chart, enough to run side by side.
    fn many(text: &dyn Fn(usize) -> String) -> Vec<(String, String)> {
        (0..24)
            .map(|i| (format!("t{i:02}.yaml"), text(i)))
            .collect()
    }

    #[test]
    fn side_by_side_templates_see_their_own_template_object() {
        let out = render_chart(
            "",
            &many(&|_| "name: {{ .Template.Name }}\nbase: {{ $.Template.BasePath }}\n".into()),
        )
        .unwrap();
        for i in 0..24 {
            assert!(
                out.contains(&format!(
                    "# Source: c/templates/t{i:02}.yaml\nname: c/templates/t{i:02}.yaml\nbase: c/templates\n"
                )),
                "{out}"
            );
        }
    }

    /// Helm executes t23 first (names in reverse): what it sets in `.Values` every later
    /// template sees, whether `set` is in a template or in text given to `tpl`.
    #[test]
    fn templates_that_change_values_run_in_order() {
        let later = |i: usize| {
            if i == 23 {
                "a: {{ $_ := set $.Values \"seen\" \"yes\" }}{{ tpl .Values.t . }}\n".to_string()
            } else {
                "b: {{ .Values.seen | default \"no\" }}\n".to_string()
            }
        };
        let out = render_chart("t: x\n", &many(&later)).unwrap();
        assert_eq!(out.matches("b: yes").count(), 23, "{out}");
        // The loop keeps t23 busy while the others would run beside it, were they let.
        let through_tpl = |i: usize| {
            if i == 23 {
                "a: {{ range until 100000 }}{{ end }}{{ tpl .Values.t . }}\n".to_string()
            } else {
                "b: {{ .Values.seen | default \"no\" }}\n".to_string()
            }
        };
        let out = render_chart(
            "t: '{{ $_ := set $.Values \"seen\" \"yes\" }}x'\n",
            &many(&through_tpl),
        )
        .unwrap();
        assert_eq!(out.matches("b: yes").count(), 23, "{out}");
        assert!(out.contains("a: x"), "{out}");
    }

    /// A change reached through a variable is not spelled as `.Values` where it happens:
    /// it is refused when it happens, and the templates start again in order.
    #[test]
    fn changes_to_shared_values_through_variables_are_seen_in_order() {
        // The change t23 makes, and what every later template then prints for
        // `.Values.nested.seen` (b) and the first list element's `seen` (c).
        for (change, b, c) in [
            (
                "{{ $v := .Values.nested }}{{ $_ := set $v \"seen\" \"yes\" }}",
                "yes",
                "no",
            ),
            (
                "{{ $v := .Values }}{{ $_ := mergeOverwrite $v (dict \"nested\" (dict \"seen\" \"yes\")) }}",
                "yes",
                "no",
            ),
            (
                "{{ $v := .Values.nested }}{{ $_ := unset $v \"seen\" }}",
                "gone",
                "no",
            ),
            (
                "{{ $v := index .Values.list 0 }}{{ $_ := set $v \"seen\" \"yes\" }}",
                "no",
                "yes",
            ),
        ] {
            let text = |i: usize| {
                if i == 23 {
                    format!("a: {{{{ range until 100000 }}}}{{{{ end }}}}{change}x\n")
                } else {
                    "b: {{ .Values.nested.seen | default \"gone\" }}\nc: {{ (index .Values.list 0).seen | default \"no\" }}\n".to_string()
                }
            };
            let out =
                render_chart("nested:\n  seen: \"no\"\nlist:\n  - {}\n", &many(&text)).unwrap();
            assert_eq!(
                out.matches(&format!("b: {b}\n")).count(),
                23,
                "{change}: {out}"
            );
            assert_eq!(
                out.matches(&format!("c: {c}\n")).count(),
                23,
                "{change}: {out}"
            );
        }
    }

    /// Maps a template makes itself change freely side by side, and no template sees
    /// another's.
    #[test]
    fn changes_to_fresh_maps_stay_in_their_template() {
        let text = |i: usize| {
            format!(
                "{{{{- $d := dict \"i\" {i} }}}}{{{{- $_ := set $d \"j\" {i} }}}}\
                 {{{{- $m := merge $d (deepCopy .Values.base) }}}}\
                 {{{{- $c := deepCopy .Values }}}}{{{{- $_ := set $c.base \"k\" {i} }}}}\
                 {{{{- $_ := unset $c \"base\" }}}}\
                 i: {{{{ $m.i }}}}\nj: {{{{ $m.j }}}}\nk: {{{{ .Values.base.k }}}}\nc: {{{{ len $c }}}}\n"
            )
        };
        let out = render_chart("base:\n  k: base\n", &many(&text)).unwrap();
        for i in 0..24 {
            assert!(
                out.contains(&format!(
                    "# Source: c/templates/t{i:02}.yaml\ni: {i}\nj: {i}\nk: base\nc: 0\n"
                )),
                "{out}"
            );
        }
    }

    /// A chart `c` 1.0.0 of these files (paths from its root) and twenty empty templates of
    /// its own, enough to run side by side.
    fn render_with_fillers(files: &[(&str, &str)]) -> Result<String, String> {
        let mut all: Vec<(String, String)> = files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        all.extend((0..20).map(|i| (format!("templates/e{i:02}.yaml"), String::new())));
        render_files(&all)
    }

    /// `.Subcharts` reached by a key made at run time shows, as in Helm, the template each
    /// subchart ran last: the chart runs in order.
    #[test]
    fn subcharts_reached_by_a_computed_key_show_their_last_template() {
        let out = render_with_fillers(&[
            ("values.yaml", "k: Subcharts\n"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            ("charts/sub/templates/a.yaml", ""),
            (
                "templates/t.yaml",
                "name: {{ (index $ .Values.k).sub.Template.Name }}\n",
            ),
        ])
        .unwrap();
        assert!(
            out.contains("# Source: c/templates/t.yaml\nname: c/charts/sub/templates/a.yaml\n"),
            "{out}"
        );
    }

    /// Of two subcharts of one name only the later is in the parent's `.Subcharts`; the
    /// earlier one's objects are frozen all the same, and its change is seen in order.
    #[test]
    fn a_subchart_its_parent_no_longer_reaches_is_frozen_too() {
        let out = render_with_fillers(&[
            ("values.yaml", ""),
            ("charts/s1/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("charts/s2/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.2.0\n"),
            ("charts/s1/templates/a.yaml", "version: {{ .Chart.Version }}\n"),
            (
                "charts/s1/templates/b.yaml",
                "{{- range until 300000 }}{{ end }}{{ $c := .Chart }}{{ $_ := set $c \"Version\" \"9.9.9\" }}",
            ),
            ("charts/s2/templates/z.yaml", "other: {{ .Chart.Version }}\n"),
        ])
        .unwrap();
        assert!(
            out.contains("# Source: c/charts/sub/templates/a.yaml\nversion: 9.9.9\n"),
            "{out}"
        );
        assert!(
            out.contains("# Source: c/charts/sub/templates/z.yaml\nother: 0.2.0\n"),
            "{out}"
        );
    }

    /// Sprig's map functions take `map[string]interface {}`: what `split` makes and what
    /// `.Capabilities.APIVersions` is are refused by their own type names, as by helm v4.3.1.
    #[test]
    fn map_functions_refuse_other_maps_and_slices_by_their_go_types() {
        let one = |text: &str| vec![("zz.yaml".to_string(), text.to_string())];
        let e = render_chart(
            "",
            &one("{{- $c := split \",\" \"a,b\" }}{{ $_ := set $c \"k\" \"v\" }}"),
        )
        .unwrap_err();
        assert!(
            e.contains("at <$c>:")
                && e.contains(
                    "wrong type for value; expected map[string]interface {}; got map[string]string"
                ),
            "{e}"
        );
        let e =
            render_chart("", &one("{{ set .Capabilities.APIVersions \"k\" \"v\" }}")).unwrap_err();
        assert!(
            e.contains(
                "wrong type for value; expected map[string]interface {}; got common.VersionSet"
            ),
            "{e}"
        );
    }

    #[test]
    fn the_first_failure_in_order_is_the_error_side_by_side() {
        let failing = |i: usize| match i {
            20 => "{{ fail \"twenty\" }}".to_string(),
            3 => "{{ fail \"three\" }}".to_string(),
            _ => "a: 1\n".to_string(),
        };
        let e = render_chart("", &many(&failing)).unwrap_err();
        assert_eq!(e, "execution error at (c/templates/t20.yaml:1:3): twenty");
    }

    /// `src` with Helm's functions, executed on `data`.
    fn exec_helm(src: &str, data: serde_json::Value) -> Result<String, String> {
        let mut t = Template::new("t", helm_funcs(), Options::helm(false));
        t.parse("t", src).unwrap();
        t.execute("t", &Value::from_json(&data))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn from_yaml_reads_as_sigs_yaml() {
        // Outputs of helm v4.3.1.
        assert_eq!(
            exec_helm(
                "{{ fromYaml \"a: 1\\na: 2\\nb: yes\\nc: 0644\" | toJson }}|{{ fromYaml \"a: 1\\n---\\nb: 2\" | toJson }}|{{ fromYaml \"a: [1, 2\" | toJson }}|{{ fromYaml \"i: .inf\" | toJson }}",
                serde_json::Value::Null
            )
            .unwrap(),
            r#"{"a":2,"b":true,"c":420}|{"a":1}|{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'"}|{"Error":"error converting YAML to JSON: json: unsupported value: +Inf"}"#
        );
    }
    #[test]
    fn must_to_toml_fails_where_to_toml_returns_the_error() {
        // Outputs of helm v4.3.1.
        let data = serde_json::json!({"a": {"k": "v"}, "b": {"l": [1, null]}});
        assert_eq!(
            exec_helm(
                "{{ mustToToml .a }}|{{ toToml .b }}|{{ mustToDuration 90 }}|{{ durationSeconds \"1m30s\" }}",
                data.clone()
            )
            .unwrap(),
            "k = \"v\"\n|toml: cannot encode array with nil element|1m30s|90"
        );
        let e = exec_helm("{{ mustToToml .b }}", data).unwrap_err();
        assert!(
            e.ends_with("error calling mustToToml: toml: cannot encode array with nil element"),
            "{e}"
        );
    }
    #[test]
    fn to_yaml_quotes_0b_strings_only_when_they_read_as_binary() {
        // Outputs of helm v4.3.1.
        let data = serde_json::json!({
            "a": "0b}x", "b": "0b2", "c": "0b", "d": "0b101", "e": "-0b1", "f": "0b1_0"
        });
        assert_eq!(
            exec_helm("{{ toYaml . }}", data).unwrap(),
            "a: 0b}x\nb: 0b2\nc: 0b\nd: \"0b101\"\ne: \"-0b1\"\nf: \"0b1_0\""
        );
    }
    #[test]
    fn to_yaml_quotes_what_go_yaml_would_read_as_a_number_or_timestamp() {
        // Outputs of helm v4.3.1.
        let data = serde_json::json!({
            "a": "--00", "b": "-+1", "c": "-00", "d": "2001-12-14T", "e": "2001-13-01",
            "f": "2001-02-29", "g": "2000-02-29", "h": "2001-12-14T21:59:43+05:00",
            "i": "2001-12-14 21:59:43.10 -5"
        });
        assert_eq!(
            exec_helm("{{ toYaml . }}", data).unwrap(),
            "a: --00\nb: -+1\nc: \"-00\"\nd: 2001-12-14T\ne: 2001-13-01\nf: 2001-02-29\ng: \"2000-02-29\"\nh: \"2001-12-14T21:59:43+05:00\"\ni: 2001-12-14 21:59:43.10 -5"
        );
    }
}
