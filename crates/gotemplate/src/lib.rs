//! Go's `text/template` with Sprig and Helm's functions.
//!
//! A [`Template`] is a set of named templates (Go's "associated templates"): parse any number of
//! files into it, then execute any of them by name with a data [`Value`]. Which functions exist
//! is a [`FuncMap`] ([`FuncMap::sprig`] for plain Go + Sprig, [`FuncMap::helm`] for Helm's engine);
//! `include`, `tpl` and `lookup` reach the running set through [`exec::Ctx`].
//!
//! ```
//! use ferroflux_gotemplate::{Template, FuncMap, Options, Value};
//! let mut t = Template::new("t", FuncMap::sprig(), Options::default());
//! t.parse("t", r#"{{ define "x" }}[{{ . | upper }}]{{ end }}{{ template "x" "hi" }}"#).unwrap();
//! assert_eq!(t.execute("t", &Value::Nil).unwrap(), "[HI]");
//! ```

pub mod ast;
pub mod error;
pub mod exec;
pub mod fmt;
pub mod funcs;
pub use ferroflux_goformat::gobytes;
pub mod frozen;
pub mod lexer;
pub mod parser;
pub mod stack;
pub mod value;

use std::collections::HashMap;
use std::sync::Arc;

pub use error::{Error, ErrorKind};
pub use exec::{Ctx, MissingKey, Tree};
pub use funcs::{Func, FuncMap, Ty};
pub use value::{Map, Object, Value};

/// Settings of a template set.
#[derive(Debug, Clone)]
pub struct Options {
    pub missing_key: MissingKey,
    pub left_delim: String,
    pub right_delim: String,
    /// Nesting limit for `template`, `include` and `tpl` (Go's `maxExecDepth`). Deep nesting
    /// continues on further stack segments ([`stack::deep`]), never exhausting the caller's.
    pub max_depth: usize,
    /// Allow `range` over an integer (Go 1.22+; Helm v4 is built with it, Go 1.19 is not).
    pub range_over_int: bool,
    /// Allow `{{else with}}` (Go 1.23+; not in Go 1.19).
    pub else_with: bool,
    /// Helm's behaviour: erase `<no value>` from rendered output.
    pub erase_no_value: bool,
    /// Helm's include recursion limit per template name.
    pub include_limit: usize,
    /// Execution budget: the number of nodes (actions, text, loop iterations) one `execute` may
    /// run, so a hostile template cannot spin forever. `None` = unlimited.
    pub fuel: Option<u64>,
    /// Set while templates of the set run side by side: text given to `tpl` whose templates
    /// have an argument this accepts is not executed, and the whole execution fails with
    /// [`ErrorKind::TplRefused`], so the caller can run everything again one at a time.
    pub tpl_refuses: Option<fn(&ast::Arg) -> bool>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            missing_key: MissingKey::Default,
            left_delim: "{{".into(),
            right_delim: "}}".into(),
            max_depth: 100_000,
            range_over_int: false,
            else_with: false,
            erase_no_value: false,
            include_limit: 1000,
            fuel: Some(500_000_000),
            tpl_refuses: None,
        }
    }
}

impl Options {
    /// Helm's engine settings (`missingkey=zero`, `<no value>` erased); `strict` gives
    /// `missingkey=error` like `helm template --strict`.
    pub fn helm(strict: bool) -> Self {
        Options {
            missing_key: if strict {
                MissingKey::Error
            } else {
                MissingKey::Zero
            },
            range_over_int: true,
            else_with: true,
            erase_no_value: true,
            ..Options::default()
        }
    }
}

/// A parsed file whose trees can be shared by several files with the same text.
struct Shared {
    root: Arc<ast::List>,
    defines: Vec<(String, Arc<ast::List>)>,
}

impl From<parser::Parsed> for Shared {
    fn from(p: parser::Parsed) -> Self {
        Shared {
            root: Arc::new(p.root),
            defines: p
                .defines
                .into_iter()
                .map(|(n, l)| (n, Arc::new(l)))
                .collect(),
        }
    }
}

/// Templates by name. Looked up on every `template` and `include`: hashed with foldhash, not
/// SipHash (names come from the chart being rendered; the seed is random per process).
pub(crate) type Trees = HashMap<String, Arc<Tree>, foldhash::fast::RandomState>;

/// A set of named templates sharing functions and options.
#[derive(Clone)]
pub struct Template {
    pub(crate) name: String,
    pub(crate) trees: Arc<Trees>,
    /// Templates of the sets this one was layered on, searched after `trees`, last first
    /// (Helm's `tpl` parses into a clone of the running set; sharing the set instead of
    /// copying it keeps `tpl` independent of the chart's size).
    pub(crate) layers: Vec<Arc<Trees>>,
    pub(crate) funcs: Arc<FuncMap>,
    pub(crate) opts: Options,
}

impl Template {
    /// An empty set; `name` is used in "no template … associated with template NAME" messages.
    pub fn new(name: &str, funcs: FuncMap, opts: Options) -> Self {
        Template {
            name: name.to_string(),
            trees: Arc::default(),
            layers: Vec::new(),
            funcs: Arc::new(funcs),
            opts,
        }
    }

    /// Like [`Template::new`] with a shared function map.
    pub fn with_shared_funcs(name: &str, funcs: Arc<FuncMap>, opts: Options) -> Self {
        Template {
            name: name.to_string(),
            trees: Arc::default(),
            layers: Vec::new(),
            funcs,
            opts,
        }
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn options_mut(&mut self) -> &mut Options {
        &mut self.opts
    }

    /// Parses `text` as template `name` (and the templates it defines) into the set.
    /// As in Go, a template that is only whitespace does not replace an existing one.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.parse_root(name, text).map(|_| ())
    }

    /// [`Template::parse`], returning the tree parsed for `name` itself, which is what Go's
    /// `New(name).Parse(text)` executes even where it did not replace an existing template.
    pub(crate) fn parse_root(&mut self, name: &str, text: &str) -> Result<Arc<ast::List>, Error> {
        let parsed = Shared::from(self.parse_only(name, text)?);
        self.add_shared(name, Arc::from(text), &parsed);
        Ok(parsed.root)
    }

    /// Parses several files and adds them in the given order, exactly as calling
    /// [`Template::parse`] on each in turn would (later definitions win). Files with identical
    /// text are parsed once and share their trees; large batches are parsed on several threads.
    /// The first failing file's error (in order) is returned and nothing after it is added.
    pub fn parse_all(&mut self, files: &[(&str, &str)]) -> Result<(), Error> {
        // One parse per distinct text; `first[i]` is the index of file i's text in `unique`.
        // Whole texts are hashed: foldhash, as SipHash over an umbrella chart's templates
        // was a third of a millisecond.
        let mut seen: HashMap<&str, usize, foldhash::fast::RandomState> = HashMap::default();
        let mut unique: Vec<(&str, &str)> = Vec::new();
        let first: Vec<usize> = files
            .iter()
            .map(|(name, text)| {
                *seen.entry(text).or_insert_with(|| {
                    unique.push((name, text));
                    unique.len() - 1
                })
            })
            .collect();
        let results: Vec<Result<Shared, Error>> = ferroflux_par::map(&unique, 16, |(n, t)| {
            self.parse_only(n, t).map(Shared::from)
        });
        let sources: Vec<Arc<str>> = unique.iter().map(|(_, t)| Arc::from(*t)).collect();
        for ((name, text), u) in files.iter().zip(first) {
            match &results[u] {
                Ok(shared) => self.add_shared(name, sources[u].clone(), shared),
                // The error names the first file with this text; parse again for this name.
                Err(_) => {
                    self.parse_only(name, text)?;
                }
            }
        }
        Ok(())
    }

    fn parse_only(&self, name: &str, text: &str) -> Result<parser::Parsed, Error> {
        let funcs = &self.funcs;
        let has = |n: &str| funcs.contains(n);
        parser::parse(
            text,
            &self.opts.left_delim,
            &self.opts.right_delim,
            self.opts.else_with,
            &has,
        )
        .map_err(|e| Error {
            kind: ErrorKind::Parse,
            message: format!("template: {}:{}: {}", name, e.line, e.message(name)),
            name: Some(name.to_string()),
            line: Some(e.line),
            col: None,
        })
    }

    fn add_shared(&mut self, name: &str, source: Arc<str>, parsed: &Shared) {
        let pname: Arc<str> = Arc::from(name);
        let mut add = |tname: String, list: &Arc<ast::List>| {
            let empty = ast::is_empty_list(list, &source);
            if empty && self.has(&tname) {
                return;
            }
            Arc::make_mut(&mut self.trees).insert(
                tname,
                Arc::new(Tree {
                    parse_name: pname.clone(),
                    source: source.clone(),
                    list: list.clone(),
                }),
            );
        };
        add(name.to_string(), &parsed.root);
        for (n, l) in &parsed.defines {
            add(n.clone(), l);
        }
    }

    /// True if a template by this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Whether this set itself (not a layer under it) holds a template of that name.
    pub(crate) fn has_own(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The template by that name, this set's own first.
    pub(crate) fn lookup(&self, name: &str) -> Option<&Arc<Tree>> {
        self.trees
            .get(name)
            .or_else(|| self.layers.iter().rev().find_map(|l| l.get(name)))
    }

    /// A new set that sees every template of this one (shared, not copied) and can add or
    /// replace templates of its own.
    pub(crate) fn layered(&self) -> Template {
        let mut layers = self.layers.clone();
        if !self.trees.is_empty() {
            layers.push(self.trees.clone());
        }
        Template {
            name: self.name.clone(),
            trees: Arc::default(),
            layers,
            funcs: self.funcs.clone(),
            opts: self.opts.clone(),
        }
    }

    /// Names of all templates in the set, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .trees
            .keys()
            .chain(self.layers.iter().flat_map(|l| l.keys()))
            .map(String::as_str)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Executes template `name` with `data`.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        let mut st = exec::State::new(self, name, data);
        let out = st.run(name, data);
        if st.tpl_refused {
            return Err(Error::new(
                ErrorKind::TplRefused,
                format!("template: {name}: tpl text refused while templates run side by side"),
            ));
        }
        let out = out?;
        if self.opts.erase_no_value && out.contains("<no value>") {
            Ok(out.replace("<no value>", ""))
        } else {
            Ok(out)
        }
    }

    /// Whether any template of the set has an argument, anywhere, that `pred` accepts (a
    /// call of some function, a field of some name): what a caller checks before executing
    /// templates of the set side by side.
    pub fn any_arg(&self, pred: &dyn Fn(&ast::Arg) -> bool) -> bool {
        self.any_list(&|l| ast::list_has_arg(l, pred))
    }

    /// [`Template::any_arg`] for whole commands (a function with its arguments).
    pub fn any_cmd(&self, pred: &dyn Fn(&ast::Cmd) -> bool) -> bool {
        self.any_list(&|l| ast::list_has_cmd(l, pred))
    }

    fn any_list(&self, f: &dyn Fn(&ast::List) -> bool) -> bool {
        self.trees.values().any(|t| f(&t.list))
            || self
                .layers
                .iter()
                .flat_map(|l| l.values())
                .any(|t| f(&t.list))
    }

    /// [`Template::any_arg`] over the templates added to this set itself, not those it sees
    /// through layers (what a `tpl` text defined).
    pub(crate) fn any_own_arg(&self, pred: &dyn Fn(&ast::Arg) -> bool) -> bool {
        self.trees
            .values()
            .any(|t| ast::list_has_arg(&t.list, pred))
    }
}

/// Renders one template with plain Go `text/template` + Sprig semantics (what
/// `ferroflux gotmpl render FILE [--data JSON]` prints). `data` numbers become float64, as
/// Go's `encoding/json` decodes them.
pub fn render_plain(
    template_text: &str,
    name: &str,
    data: Option<serde_json::Value>,
) -> Result<String, Error> {
    let mut out = String::new();
    render_plain_into(template_text, name, data, &mut out)?;
    Ok(out)
}

/// [`render_plain`] into `out`, which keeps what was written before an execution error, as
/// Go's `Execute` has written it to its writer by then.
pub fn render_plain_into(
    template_text: &str,
    name: &str,
    data: Option<serde_json::Value>,
    out: &mut String,
) -> Result<(), Error> {
    let mut t = Template::new(name, FuncMap::sprig(), Options::default());
    t.parse(name, template_text)?;
    let data = match data {
        Some(d) => Value::from_json(&d),
        None => Value::Missing,
    };
    let mut st = exec::State::new(&t, name, &data);
    let result = st.run(name, &data);
    match result {
        Ok(text) => {
            out.push_str(&text);
            Ok(())
        }
        Err(e) => {
            out.push_str(&st.take_output());
            Err(e)
        }
    }
}

/// Renders one template the way Helm's engine would (Helm's function map, `missingkey=zero`,
/// `<no value>` erased). `data` is the whole top-level object (`.Values`, `.Release`, …).
pub fn render_helm(
    template_text: &str,
    name: &str,
    data: Option<serde_json::Value>,
) -> Result<String, Error> {
    let mut t = Template::new(name, FuncMap::helm(), Options::helm(false));
    t.parse(name, template_text)?;
    let data = match data {
        Some(d) => Value::from_json(&d),
        None => Value::Missing,
    };
    t.execute(name, &data)
}
