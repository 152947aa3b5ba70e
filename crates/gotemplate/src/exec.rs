//! The tree-walking executor, mirroring Go's `text/template/exec.go` (value rules, variable
//! scoping, missingkey modes, error wording and locations).

use crate::Template;
use crate::ast::*;
use crate::error::{Error, ErrorKind};
use crate::funcs::{Func, Ty};
use crate::value::{Value, read};
use std::sync::Arc;

/// Go's `missingkey` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: a missing key is "no value".
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type (nil for `interface{}`).
    Zero,
    /// `missingkey=error`: execution stops with an error.
    Error,
}

/// A parsed template body and the source it came from.
#[derive(Debug)]
pub struct Tree {
    /// The file name given to `parse` (Go's `ParseName`).
    pub parse_name: Arc<str>,
    pub source: Arc<str>,
    /// Shared: files with the same text (a library vendored in many subcharts) share one parse.
    pub list: Arc<List>,
}

enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, Error>;

/// The dot, with whether its static Go type is `interface {}` (element of a container).
#[derive(Clone)]
struct Dot {
    v: Value,
    iface: bool,
}

pub(crate) struct State<'a> {
    pub(crate) set: &'a Template,
    /// Variables in scope: name, value, and whether the value's static Go type is
    /// `interface {}` (a range element, set without the pipeline's dig into interfaces).
    vars: Vec<(String, Value, bool)>,
    /// Index of the current template's `$` in `vars` (variables below it are not visible).
    base: usize,
    pub(crate) depth: usize,
    /// `tpl` calls open around this execution.
    tpl_depth: usize,
    out: String,
    tree: Arc<Tree>,
    name: Arc<str>,
    /// Helm's include counters, per template name.
    pub(crate) includes: Vec<(String, usize)>,
    /// Remaining execution budget.
    pub(crate) fuel: u64,
    /// `tpl` met text that `Options::tpl_refuses` refuses (see [`Ctx::execute_text`]).
    pub(crate) tpl_refused: bool,
}

/// What a function sees of the running execution.
pub struct Ctx<'s, 'a> {
    pub(crate) st: &'s mut State<'a>,
}

impl Ctx<'_, '_> {
    /// Executes a named template of the running set into a string (Helm's `include`).
    pub fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, Error> {
        let st = &mut *self.st;
        let Some(tree) = st.set.lookup(name).cloned() else {
            return Err(Error::new(
                ErrorKind::NoTemplate,
                format!(
                    "template: no template {} associated with template {}",
                    crate::fmt::go_quote(name),
                    crate::fmt::go_quote(&st.set.name)
                ),
            ));
        };
        if st.depth >= st.set.opts.max_depth {
            return Err(Error::new(
                ErrorKind::Recursion,
                format!(
                    "template: {}: exceeded maximum template depth ({})",
                    name, st.set.opts.max_depth
                ),
            ));
        }
        let saved_out = std::mem::take(&mut st.out);
        let mark = st.vars.len();
        let saved_base = std::mem::replace(&mut st.base, mark);
        st.vars.push(("$".into(), data.clone(), false));
        let saved_tree = std::mem::replace(&mut st.tree, tree.clone());
        let saved_name = std::mem::replace(&mut st.name, Arc::from(name));
        st.depth += 1;
        let dot = Dot {
            v: data.clone(),
            iface: false,
        };
        let r = crate::stack::deep(|| st.walk_list(&dot, &tree.list));
        st.depth -= 1;
        st.name = saved_name;
        st.tree = saved_tree;
        st.vars.truncate(mark);
        st.base = saved_base;
        let out = std::mem::replace(&mut st.out, saved_out);
        r.map(|_| out)
    }

    /// Parses `text` as a new template named `name` that sees every template of the running
    /// set, and executes it with `data` (Helm's `tpl`).
    pub fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String, Error> {
        let mut set = self.st.set.layered();
        let replaces = !set.has(name);
        let root = set.parse_root(name, text)?;
        if let Some(refuses) = set.opts.tpl_refuses
            && set.any_own_arg(&refuses)
        {
            self.st.tpl_refused = true;
            return Err(Error::new(
                ErrorKind::TplRefused,
                format!("template: {name}: tpl text refused while templates run side by side"),
            ));
        }
        // Unless the text defines its own name (`{{define "x"}}…` in a `tpl` named x): Go's
        // parse then puts that definition in the root's place.
        if !replaces && !set.has_own(name) && crate::ast::is_empty_list(&root, text) {
            // Text that is only spaces and comments does not replace the template already
            // named `name` (an outer `tpl`'s), but Go still executes it: it prints its spaces.
            return Ok(root
                .iter()
                .filter_map(|n| match n {
                    crate::ast::Node::Text(t) => Some(t.of(text)),
                    _ => None,
                })
                .collect());
        }
        let mut st = State::new(&set, name, data);
        st.depth = self.st.depth + 1;
        st.tpl_depth = self.st.tpl_depth + 1;
        // Each `tpl` holds a parsed copy of the set: Go's 100000 levels would need far more
        // memory than a machine has (helm itself runs out), so `tpl` stops much earlier.
        if st.tpl_depth > MAX_TPL_DEPTH {
            return Err(Error::new(
                ErrorKind::Recursion,
                format!("template: {name}: exceeded maximum tpl nesting ({MAX_TPL_DEPTH})"),
            ));
        }
        if st.depth >= set.opts.max_depth {
            return Err(Error::new(
                ErrorKind::Recursion,
                format!(
                    "template: {}: exceeded maximum template depth ({})",
                    name, set.opts.max_depth
                ),
            ));
        }
        st.includes = std::mem::take(&mut self.st.includes);
        st.fuel = self.st.fuel;
        let r = crate::stack::deep(|| st.run(name, data));
        self.st.includes = std::mem::take(&mut st.includes);
        self.st.fuel = st.fuel;
        self.st.tpl_refused |= st.tpl_refused;
        r
    }

    /// Name of the template being executed.
    pub fn template_name(&self) -> &str {
        &self.st.name
    }

    /// Parse name (file) of the template being executed.
    pub fn file_name(&self) -> &str {
        &self.st.tree.parse_name
    }

    /// The set's options.
    pub fn options(&self) -> &crate::Options {
        &self.st.set.opts
    }

    /// Helm's per-name include counter: increments and returns the new count.
    pub fn enter_include(&mut self, name: &str) -> usize {
        let inc = &mut self.st.includes;
        match inc.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => {
                *c += 1;
                *c
            }
            None => {
                inc.push((name.to_string(), 1));
                1
            }
        }
    }

    /// Decrements Helm's include counter.
    pub fn leave_include(&mut self, name: &str) {
        if let Some((_, c)) = self.st.includes.iter_mut().find(|(n, _)| n == name) {
            *c = c.saturating_sub(1);
        }
    }
}

/// How many `tpl` calls may be open at once.
const MAX_TPL_DEPTH: usize = 1000;

fn type_for_msg(v: &Value, iface: bool) -> String {
    if iface {
        "interface {}".into()
    } else {
        v.type_name()
    }
}

impl<'a> State<'a> {
    pub(crate) fn new(set: &'a Template, name: &str, data: &Value) -> Self {
        let tree = set.lookup(name).cloned().unwrap_or_else(|| {
            Arc::new(Tree {
                parse_name: Arc::from(name),
                source: Arc::from(""),
                list: Arc::new(Vec::new()),
            })
        });
        State {
            set,
            vars: vec![("$".into(), data.clone(), false)],
            base: 0,
            depth: 0,
            tpl_depth: 0,
            out: String::new(),
            tree,
            name: Arc::from(name),
            includes: Vec::new(),
            fuel: set.opts.fuel.unwrap_or(u64::MAX),
            tpl_refused: false,
        }
    }

    pub(crate) fn run(&mut self, name: &str, data: &Value) -> R<String> {
        let Some(tree) = self.set.lookup(name).cloned() else {
            return Err(Error::new(
                ErrorKind::NoTemplate,
                format!(
                    "template: no template {} associated with template {}",
                    crate::fmt::go_quote(name),
                    crate::fmt::go_quote(&self.set.name)
                ),
            ));
        };
        self.tree = tree.clone();
        let dot = Dot {
            v: data.clone(),
            iface: false,
        };
        self.walk_list(&dot, &tree.list)?;
        Ok(std::mem::take(&mut self.out))
    }

    /// What was written so far (after an error: the output Go's writer would hold).
    pub(crate) fn take_output(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    fn location(&self, pos: usize) -> (usize, usize) {
        let src = &self.tree.source;
        let pos = pos.min(src.len());
        let text = src.get(..pos).unwrap_or("");
        let line = 1 + text.matches('\n').count();
        let col = match text.rfind('\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        (line, col)
    }

    fn err(&self, pos: usize, context: &dyn std::fmt::Display, msg: String) -> Error {
        let (line, col) = self.location(pos);
        let ctx = context.to_string();
        Error {
            kind: ErrorKind::Exec,
            message: format!(
                "template: {}:{}:{}: executing {} at <{}>: {}",
                self.tree.parse_name,
                line,
                col,
                crate::fmt::go_quote(&self.name),
                ctx,
                msg
            ),
            name: Some(self.tree.parse_name.to_string()),
            line: Some(line),
            col: Some(col),
        }
    }

    fn walk_list(&mut self, dot: &Dot, list: &List) -> R<Flow> {
        for n in list {
            match self.walk(dot, n)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn burn(&mut self) -> R<()> {
        if self.fuel == 0 {
            return Err(Error::new(
                ErrorKind::Fuel,
                format!(
                    "template: {}: execution budget of {} steps exhausted",
                    self.name,
                    self.set.opts.fuel.unwrap_or(0)
                ),
            ));
        }
        self.fuel -= 1;
        Ok(())
    }

    fn walk(&mut self, dot: &Dot, node: &Node) -> R<Flow> {
        crate::stack::deep(|| self.walk_here(dot, node))
    }

    fn walk_here(&mut self, dot: &Dot, node: &Node) -> R<Flow> {
        self.burn()?;
        match node {
            Node::Text(t) => self.out.push_str(t.of(&self.tree.source)),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(&v);
                }
            }
            Node::If(b) => return self.walk_if_with(dot, b, false),
            Node::With(b) => return self.walk_if_with(dot, b, true),
            Node::Range(b) => return self.walk_range(dot, b),
            Node::Template(t) => self.walk_template(dot, t)?,
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print_value(&mut self, v: &Value) {
        match v {
            Value::Missing | Value::Nil => self.out.push_str("<no value>"),
            Value::String(s) => self.out.push_str(s),
            // Printed in place, a field is addressable: its String method applies. A Go map
            // has no methods (its `field` reads keys).
            Value::Object(o) if o.kind() != "map" => match o.field("String") {
                Some(Value::String(s)) => self.out.push_str(&s),
                _ => self.out.push_str(&crate::fmt::sprint_value(v)),
            },
            v => self.out.push_str(&crate::fmt::sprint_value(v)),
        }
    }

    fn walk_if_with(&mut self, dot: &Dot, b: &Branch, with: bool) -> R<Flow> {
        let mark = self.vars.len();
        let v = self.eval_pipeline(dot, &b.pipe)?;
        let r = if v.is_true() {
            if with {
                let d = Dot { v, iface: false };
                self.walk_list(&d, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        r
    }

    fn range_iter(&mut self, b: &Branch, key: Value, elem: Value) -> R<Flow> {
        self.burn()?;
        let n = b.pipe.decl.len();
        if n > 0 {
            let len = self.vars.len();
            if b.pipe.is_assign {
                let first = if n > 1 { key.clone() } else { elem.clone() };
                self.set_var(b.pipe.decl[0].0, &b.pipe.decl[0].1, first, n == 1)?;
                if n > 1 {
                    self.set_var(b.pipe.decl[1].0, &b.pipe.decl[1].1, elem.clone(), true)?;
                }
            } else if n == 1 {
                self.vars[len - 1].1 = elem.clone();
                self.vars[len - 1].2 = true;
            } else {
                self.vars[len - 1].1 = elem.clone();
                self.vars[len - 1].2 = true;
                self.vars[len - 2].1 = key;
            }
        }
        let mark = self.vars.len();
        let d = Dot {
            v: elem,
            iface: true,
        };
        let r = self.walk_list(&d, &b.list);
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Dot, b: &Branch) -> R<Flow> {
        let mark = self.vars.len();
        let mut v = self.eval_pipeline(dot, &b.pipe)?;
        if let Value::Object(o) = &v
            && let Some(plain) = o.as_value()
        {
            v = plain;
        }
        let mut any = false;
        let r = (|| -> R<()> {
            match &v {
                Value::List(l) => {
                    for (i, e) in l.iter().enumerate() {
                        any = true;
                        match self.range_iter(b, Value::Int(i as i64), e.clone())? {
                            Flow::Break => break,
                            _ => continue,
                        }
                    }
                }
                Value::StrList(l) => {
                    for (i, e) in l.iter().enumerate() {
                        any = true;
                        match self.range_iter(b, Value::Int(i as i64), Value::str(e.as_str()))? {
                            Flow::Break => break,
                            _ => continue,
                        }
                    }
                }
                Value::Map(m) => {
                    let entries: Vec<(String, Value)> = read(m)
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (k, e) in entries {
                        any = true;
                        match self.range_iter(b, Value::str(k), e)? {
                            Flow::Break => break,
                            _ => continue,
                        }
                    }
                }
                Value::Int(n) | Value::Int64(n) if self.set.opts.range_over_int => {
                    if b.pipe.decl.len() > 1 {
                        let (pos, ctx) = last_visited(&b.pipe);
                        return Err(self.err(
                            pos,
                            &ctx,
                            format!("can't use {n} to iterate over more than one variable"),
                        ));
                    }
                    for i in 0..*n {
                        any = true;
                        let iv = if matches!(v, Value::Int(_)) {
                            Value::Int(i)
                        } else {
                            Value::Int64(i)
                        };
                        match self.range_iter(b, iv.clone(), iv)? {
                            Flow::Break => break,
                            _ => continue,
                        }
                    }
                }
                Value::Missing | Value::Nil => {}
                other => {
                    let (pos, ctx) = last_visited(&b.pipe);
                    return Err(self.err(
                        pos,
                        &ctx,
                        format!(
                            "range can't iterate over {}",
                            crate::fmt::sprint_value(other)
                        ),
                    ));
                }
            }
            Ok(())
        })();
        if let Err(e) = r {
            self.vars.truncate(mark);
            return Err(e);
        }
        let r = if !any && let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        r.map(|_| Flow::Normal)
    }

    fn walk_template(&mut self, dot: &Dot, t: &TemplateCall) -> R<()> {
        let Some(tree) = self.set.lookup(t.name.as_ref()).cloned() else {
            return Err(self.err(
                t.pos,
                t,
                format!("template {} not defined", crate::fmt::go_quote(&t.name)),
            ));
        };
        if self.depth >= self.set.opts.max_depth {
            return Err(self.err(
                t.pos,
                t,
                format!(
                    "exceeded maximum template depth ({})",
                    self.set.opts.max_depth
                ),
            ));
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Missing,
        };
        let mark = self.vars.len();
        let saved_base = std::mem::replace(&mut self.base, mark);
        self.vars.push(("$".into(), new_dot.clone(), false));
        let saved_tree = std::mem::replace(&mut self.tree, tree.clone());
        let saved_name = std::mem::replace(&mut self.name, t.name.clone());
        self.depth += 1;
        let d = Dot {
            v: new_dot,
            iface: false,
        };
        let r = crate::stack::deep(|| self.walk_list(&d, &tree.list));
        self.depth -= 1;
        self.name = saved_name;
        self.tree = saved_tree;
        self.vars.truncate(mark);
        self.base = saved_base;
        r.map(|_| ())
    }

    fn set_var(&mut self, pos: usize, name: &str, v: Value, iface: bool) -> R<()> {
        let base = self.base;
        for (n, val, is_iface) in self.vars[base..].iter_mut().rev() {
            if n == name {
                *val = v;
                *is_iface = iface;
                return Ok(());
            }
        }
        Err(self.err(pos, &name, format!("undefined variable: {name}")))
    }

    /// A variable's value and whether its static type is `interface {}`.
    fn var_entry(&self, pos: usize, name: &str) -> R<(Value, bool)> {
        for (n, val, iface) in self.vars[self.base..].iter().rev() {
            if n == name {
                return Ok((val.clone(), *iface));
            }
        }
        Err(self.err(pos, &name, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &Dot, pipe: &Pipe) -> R<Value> {
        crate::stack::deep(|| self.eval_pipeline_here(dot, pipe))
    }

    fn eval_pipeline_here(&mut self, dot: &Dot, pipe: &Pipe) -> R<Value> {
        let mut val: Option<Value> = None;
        for cmd in &pipe.cmds {
            let mut v = self.eval_command(dot, cmd, val.take())?;
            if matches!(v, Value::Nil) {
                v = Value::Missing;
            }
            val = Some(v);
        }
        let v = val.unwrap_or_default();
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                let (pos, _) = last_visited(pipe);
                self.set_var(pos, name, v.clone(), false).map_err(|_| {
                    let (p, c) = last_visited(pipe);
                    self.err(p, &c, format!("undefined variable: {name}"))
                })?;
            } else {
                self.vars.push((name.clone(), v.clone(), false));
            }
        }
        Ok(v)
    }

    fn not_a_function(&self, cmd: &Cmd, final_: &Option<Value>) -> R<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            return Err(self.err(
                cmd.args[0].pos(),
                &cmd.args[0],
                format!("can't give argument to non-function {}", cmd.args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Dot, cmd: &Cmd, final_: Option<Value>) -> R<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(pos, names) => {
                return self.eval_field_chain(
                    dot,
                    dot.v.clone(),
                    dot.iface,
                    *pos,
                    first,
                    names,
                    Some(cmd),
                    final_,
                );
            }
            Arg::Chain(pos, node, fields) => {
                if let Arg::Nil(_) = node.as_ref() {
                    return Err(self.err(
                        *pos,
                        first,
                        format!("indirection through explicit nil in {first}"),
                    ));
                }
                let recv = self.eval_arg(dot, node)?;
                // Go reports field errors at the node it visited last: inside a
                // parenthesised receiver, that is the receiver's last argument.
                if let Arg::Pipe(p) = node.as_ref() {
                    let (lp, lc) = last_visited(p);
                    return self.eval_field_chain(
                        dot,
                        recv,
                        false,
                        lp,
                        &lc,
                        fields,
                        Some(cmd),
                        final_,
                    );
                }
                return self.eval_field_chain(
                    dot,
                    recv,
                    false,
                    *pos,
                    first,
                    fields,
                    Some(cmd),
                    final_,
                );
            }
            Arg::Ident(pos, name) => return self.eval_function(dot, *pos, name, cmd, final_),
            Arg::Pipe(p) => {
                // Go reports this at the command, naming the pipeline without parentheses.
                if cmd.args.len() > 1 || final_.is_some() {
                    return Err(self.err(
                        cmd.pos,
                        cmd,
                        format!("can't give argument to non-function {p}"),
                    ));
                }
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(pos, name, fields) => {
                let (v, iface) = self.var_entry(*pos, name)?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &final_)?;
                    return Ok(v);
                }
                return self.eval_field_chain(
                    dot,
                    v,
                    iface,
                    *pos,
                    first,
                    fields,
                    Some(cmd),
                    final_,
                );
            }
            _ => {}
        }
        self.not_a_function(cmd, &final_)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.v.clone()),
            Arg::Nil(p) => Err(self.err(*p, first, "nil is not a command".into())),
            Arg::Number(p, n) => self.ideal_constant(*p, first, n),
            Arg::Str(_, _, s) => Ok(Value::String(s.clone())),
            _ => Err(self.err(
                first.pos(),
                first,
                format!("can't evaluate command {first}"),
            )),
        }
    }

    fn ideal_constant(&self, pos: usize, node: &Arg, n: &Number) -> R<Value> {
        let t = &n.text;
        let is_hex_int = {
            let l = t.trim_start_matches(['+', '-']).to_ascii_lowercase();
            l.starts_with("0x") && !l.contains('p')
        };
        if let Some((re, im)) = n.complex {
            return Ok(Value::Object(Arc::new(crate::value::Complex { re, im })));
        }
        let is_rune = t.starts_with('\'');
        if n.float.is_some() && !is_hex_int && !is_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(n.float.unwrap_or(0.0)));
        }
        if let Some(i) = n.int {
            return Ok(Value::Int(i));
        }
        Err(self.err(pos, node, format!("{t} overflows int")))
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Dot,
        mut recv: Value,
        mut iface: bool,
        pos: usize,
        node: &dyn std::fmt::Display,
        names: &[String],
        cmd: Option<&Cmd>,
        final_: Option<Value>,
    ) -> R<Value> {
        let n = names.len();
        for name in &names[..n - 1] {
            recv = self.eval_field(dot, pos, node, name, None, None, recv, iface)?;
            iface = true;
        }
        self.eval_field(dot, pos, node, &names[n - 1], cmd, final_, recv, iface)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Dot,
        pos: usize,
        node: &dyn std::fmt::Display,
        name: &str,
        cmd: Option<&Cmd>,
        final_: Option<Value>,
        recv: Value,
        iface: bool,
    ) -> R<Value> {
        let has_args = cmd.is_some_and(|c| c.args.len() > 1) || final_.is_some();
        match &recv {
            Value::Missing => {
                if self.set.opts.missing_key == MissingKey::Error {
                    return Err(self.err(
                        pos,
                        node,
                        format!("nil data; no entry for key {}", crate::fmt::go_quote(name)),
                    ));
                }
                Ok(Value::Missing)
            }
            Value::Nil => Err(self.err(
                pos,
                node,
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            Value::Map(m) => {
                if crate::funcs::helm::VALUES_METHODS.contains(&name)
                    && crate::value::is_helm_values(m)
                {
                    // A method of Helm's `common.Values` (methods win over keys in Go).
                    let args = self.method_args(dot, cmd, final_)?;
                    let ctx: &dyn std::fmt::Display = match cmd {
                        Some(c) => c,
                        None => node,
                    };
                    return crate::funcs::helm::values_method(m, name, &args)
                        .map_err(|e| self.err(pos, ctx, e));
                }
                if has_args {
                    return Err(self.err(
                        pos,
                        node,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                let got = read(m).get(name).cloned();
                match got {
                    Some(v) => Ok(v),
                    None => match self.set.opts.missing_key {
                        MissingKey::Default => Ok(Value::Missing),
                        MissingKey::Zero if crate::value::is_string_map(m) => Ok(Value::str("")),
                        MissingKey::Zero => Ok(Value::Nil),
                        MissingKey::Error => Err(self.err(
                            pos,
                            node,
                            format!("map has no entry for key {}", crate::fmt::go_quote(name)),
                        )),
                    },
                }
            }
            Value::Object(o) => {
                let o = o.clone();
                let args = self.method_args(dot, cmd, final_)?;
                if args.is_empty()
                    && let Some(v) = o.field(name)
                {
                    return Ok(v);
                }
                match o.call_method(name, &args) {
                    Some(Ok(v)) => Ok(v),
                    // Go names the method's field or chain there, without its arguments.
                    Some(Err(e)) => Err(self.err(pos, node, format!("error calling {name}: {e}"))),
                    None => Err(self.err(
                        pos,
                        node,
                        format!("can't evaluate field {name} in type {}", o.type_name()),
                    )),
                }
            }
            other => Err(self.err(
                pos,
                node,
                format!(
                    "can't evaluate field {name} in type {}",
                    type_for_msg(other, iface)
                ),
            )),
        }
    }

    /// The arguments of a method call: the command's arguments after the method, then the
    /// piped value, each as a Go function receives it.
    fn method_args(
        &mut self,
        dot: &Dot,
        cmd: Option<&Cmd>,
        final_: Option<Value>,
    ) -> R<Vec<Value>> {
        let mut args = Vec::new();
        if let Some(c) = cmd {
            for a in &c.args[1..] {
                args.push(self.eval_arg(dot, a)?.to_arg());
            }
        }
        if let Some(f) = final_ {
            args.push(f.to_arg());
        }
        Ok(args)
    }

    fn eval_arg(&mut self, dot: &Dot, arg: &Arg) -> R<Value> {
        match arg {
            Arg::Dot(_) => Ok(dot.v.clone()),
            Arg::Nil(_) => Ok(Value::Nil),
            Arg::Field(pos, names) => {
                self.eval_field_chain(dot, dot.v.clone(), dot.iface, *pos, arg, names, None, None)
            }
            Arg::Variable(pos, name, fields) => {
                let (v, iface) = self.var_entry(*pos, name)?;
                if fields.is_empty() {
                    return Ok(v);
                }
                self.eval_field_chain(dot, v, iface, *pos, arg, fields, None, None)
            }
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Ident(pos, name) => {
                let cmd = Cmd {
                    pos: *pos,
                    args: Vec::new(),
                };
                self.call_named(dot, *pos, name, &cmd, &[], None, arg)
            }
            Arg::Chain(pos, node, fields) => {
                if let Arg::Nil(_) = node.as_ref() {
                    return Err(self.err(
                        *pos,
                        arg,
                        format!("indirection through explicit nil in {arg}"),
                    ));
                }
                let recv = self.eval_arg(dot, node)?;
                if let Arg::Pipe(p) = node.as_ref() {
                    let (lp, lc) = last_visited(p);
                    return self.eval_field_chain(dot, recv, false, lp, &lc, fields, None, None);
                }
                self.eval_field_chain(dot, recv, false, *pos, arg, fields, None, None)
            }
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Number(p, n) => self.ideal_constant(*p, arg, n),
            Arg::Str(_, _, s) => Ok(Value::String(s.clone())),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Dot,
        pos: usize,
        name: &str,
        cmd: &Cmd,
        final_: Option<Value>,
    ) -> R<Value> {
        self.call_named(dot, pos, name, cmd, &cmd.args[1..], final_, &cmd.args[0])
    }

    #[allow(clippy::too_many_arguments)]
    fn call_named(
        &mut self,
        dot: &Dot,
        pos: usize,
        name: &str,
        cmd: &Cmd,
        args: &[Arg],
        final_: Option<Value>,
        ident: &Arg,
    ) -> R<Value> {
        let set: &'a Template = self.set;
        let Some(func) = set.funcs.get(name) else {
            return Err(self.err(pos, ident, format!("{name:?} is not a defined function")));
        };
        let nargs = args.len() + usize::from(final_.is_some());
        // and/or evaluate lazily.
        if name == "and" || name == "or" {
            if nargs == 0 {
                return Err(self.err(
                    pos,
                    ident,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            let want = name == "or";
            let mut v = Value::Missing;
            for a in args {
                v = self.eval_arg(dot, a)?;
                if v.is_true() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f;
            }
            return Ok(v);
        }
        let np = func.params.len();
        match func.variadic {
            Some(_) if nargs < np => {
                return Err(self.err(
                    pos,
                    ident,
                    format!("wrong number of args for {name}: want at least {np} got {nargs}"),
                ));
            }
            None if nargs != np => {
                return Err(self.err(
                    pos,
                    ident,
                    format!("wrong number of args for {name}: want {np} got {nargs}"),
                ));
            }
            _ => {}
        }
        let mut vals = Vec::with_capacity(nargs);
        for (i, a) in args.iter().enumerate() {
            let ty = func
                .params
                .get(i)
                .copied()
                .or(func.variadic)
                .unwrap_or(Ty::Any);
            let v = self.eval_typed_arg(dot, a, ty)?;
            vals.push(v);
        }
        if let Some(f) = final_ {
            let ty = if nargs <= np {
                func.params.get(nargs - 1).copied().unwrap_or(Ty::Any)
            } else {
                func.variadic.unwrap_or(Ty::Any)
            };
            // Go checks the piped value with the last evaluated node as its location: the
            // last explicit argument, or the function's name when there is none.
            let v = match args.last() {
                Some(a) => self.check_type(a.pos(), a, f, ty)?,
                None => self.check_type(pos, ident, f, ty)?,
            };
            vals.push(v);
        }
        self.invoke(func, name, vals, cmd)
    }

    fn invoke(&mut self, func: &'a Func, name: &str, vals: Vec<Value>, cmd: &Cmd) -> R<Value> {
        let r = {
            let mut ctx = Ctx { st: self };
            (func.f)(&mut ctx, vals)
        };
        r.map_err(|e| {
            let e = match e.strip_prefix("non-function of type ") {
                // Go's `call` names its callee: the argument's text, or a piped value's
                // reflect.Value text.
                Some(ty) if name == "call" => match cmd.args.get(1) {
                    Some(a) => format!("non-function {a} of type {ty}"),
                    None => format!("non-function <{ty} Value> of type {ty}"),
                },
                _ => e,
            };
            self.err(cmd.pos, cmd, format!("error calling {name}: {e}"))
        })
    }

    fn eval_typed_arg(&mut self, dot: &Dot, a: &Arg, ty: Ty) -> R<Value> {
        if let (Arg::Nil(_), Ty::Reflect) = (a, ty) {
            // A `nil` constant reaches a reflect.Value parameter as the invalid Value, unlike
            // a nil field, which is a valid Value holding a nil interface.
            return Ok(Value::Missing);
        }
        if !matches!(ty, Ty::Any | Ty::Reflect | Ty::Raw) {
            // Constants are converted the way Go's evalArg does for typed parameters.
            match (a, ty) {
                (Arg::Nil(p), Ty::Map | Ty::List) => {
                    let _ = p;
                    return Ok(Value::Nil);
                }
                (Arg::Nil(p), _) => {
                    return Err(self.err(*p, a, format!("cannot assign nil to {}", ty.go_name())));
                }
                (Arg::Bool(_, b), Ty::Bool) => return Ok(Value::Bool(*b)),
                (Arg::Str(_, _, s), Ty::Str) => return Ok(Value::String(s.clone())),
                (Arg::Number(_, n), Ty::Int | Ty::Int64) if n.int.is_some() => {
                    let i = n.int.unwrap_or(0);
                    return Ok(if ty == Ty::Int {
                        Value::Int(i)
                    } else {
                        Value::Int64(i)
                    });
                }
                (Arg::Number(_, n), Ty::Uint32) if n.uint => {
                    // Go's reflect SetUint truncates to the parameter's width.
                    let u = match crate::parser::parse_go_int(&n.text) {
                        Some((false, u)) => u,
                        _ => n.float.unwrap_or(0.0) as u64,
                    };
                    return Ok(Value::Int64(i64::from(u as u32)));
                }
                (Arg::Number(_, n), Ty::Float) if n.float.is_some() => {
                    return Ok(Value::Float(n.float.unwrap_or(0.0)));
                }
                (Arg::Bool(p, _) | Arg::Str(p, _, _) | Arg::Number(p, _), _) => {
                    let what = match ty {
                        Ty::Str => "string",
                        Ty::Int | Ty::Int64 => "integer",
                        Ty::Uint32 => "unsigned integer",
                        Ty::Float => "float",
                        Ty::Bool => "bool",
                        _ => {
                            return Err(self.err(
                                *p,
                                a,
                                format!("can't handle {a} for arg of type {}", ty.go_name()),
                            ));
                        }
                    };
                    return Err(self.err(*p, a, format!("expected {what}; found {a}")));
                }
                _ => {}
            }
        }
        let v = match a {
            Arg::Number(p, n) => self.ideal_constant(*p, a, n)?,
            _ => self.eval_arg(dot, a)?,
        };
        match a {
            // Go checks a parenthesised pipeline's value where it was when the pipeline
            // ended: at the last node it visited inside.
            Arg::Pipe(p) => {
                let (lp, lc) = last_visited(p);
                self.check_type(lp, &lc, v, ty)
            }
            _ => self.check_type(a.pos(), a, v, ty),
        }
    }

    fn check_type(&self, pos: usize, node: &dyn std::fmt::Display, v: Value, ty: Ty) -> R<Value> {
        if ty == Ty::Raw {
            return Ok(v.to_arg());
        }
        // A host object that is a Go slice reaches functions as the slice it is (and is
        // named by its own type when it does not fit).
        let (v, slice_object) = match v {
            // Go's `[]byte` stays itself: it is neither a string nor a `[]interface {}`, and
            // functions taking `interface {}` read it as bytes.
            Value::Object(o) if o.kind() == "slice" && o.as_bytes().is_none() => match o.as_value()
            {
                Some(v) => (v, Some(o)),
                None => (Value::Object(o), None),
            },
            v => (v, None),
        };
        let ok = match (&v, ty) {
            (_, Ty::Any) => true,
            (_, Ty::Reflect) => return Ok(v),
            (Value::String(_), Ty::Str) => true,
            (Value::Int(_), Ty::Int) => true,
            (Value::Int64(_), Ty::Int64) => true,
            (Value::Float(_), Ty::Float) => true,
            (Value::Bool(_), Ty::Bool) => true,
            // `map[string]interface {}`, which a `map[string]string` (`split`) is not.
            (Value::Map(m), Ty::Map) => !crate::value::is_string_map(m),
            (Value::List(_), Ty::List) => true,
            (v, Ty::Time) => crate::funcs::date::as_time(v).is_some(),
            (Value::Missing, Ty::Map | Ty::List) => return Ok(Value::Nil),
            _ => false,
        };
        if ok {
            return Ok(v.to_arg());
        }
        let msg = match &v {
            Value::Missing => format!("invalid value; expected {}", ty.go_name()),
            Value::Nil => format!(
                "wrong type for value; expected {}; got interface {{}}",
                ty.go_name()
            ),
            v => format!(
                "wrong type for value; expected {}; got {}",
                ty.go_name(),
                slice_object.map_or_else(|| v.type_name(), |o| o.type_name().to_string())
            ),
        };
        Err(self.err(pos, node, msg))
    }
}

/// The node Go's executor visited last while evaluating a pipeline (where it reports errors
/// that carry no node of their own): the last argument of the last command.
fn last_visited(pipe: &Pipe) -> (usize, String) {
    match pipe.cmds.last() {
        Some(c) => match c.args.last() {
            Some(Arg::Pipe(p)) => last_visited(p),
            Some(a) if c.args.len() > 1 || !matches!(a, Arg::Ident(..)) => (a.pos(), a.to_string()),
            _ => (c.pos, c.to_string()),
        },
        None => (pipe.pos, pipe.to_string()),
    }
}
