//! The parse tree. `Display` prints nodes the way Go's `Node.String()` does, which is the
//! context shown in execution errors (`at <.Values.x>`).

use std::fmt;
use std::sync::Arc;

pub type List = Vec<Node>;

#[derive(Debug)]
pub enum Node {
    /// Text between actions, as a span of the source its tree was parsed from (see
    /// [`Span::of`]): no copy of each piece of a chart's YAML.
    Text(Span),
    Action(Pipe),
    // Boxed: a node is as big as its biggest variant, and most are text or actions.
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(usize),
    Continue(usize),
}

/// Byte offsets of a piece of a template's source.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The span of `piece`, a slice of `src`.
    pub(crate) fn within(src: &str, piece: &str) -> Span {
        let start = piece.as_ptr() as usize - src.as_ptr() as usize;
        debug_assert!(start + piece.len() <= src.len());
        Span {
            start: start as u32,
            end: (start + piece.len()) as u32,
        }
    }

    /// The text of this span in `src`, the source of the tree holding it.
    pub fn of(self, src: &str) -> &str {
        &src[self.start as usize..self.end as usize]
    }
}

#[derive(Debug)]
pub struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

#[derive(Debug)]
pub struct TemplateCall {
    pub pos: usize,
    pub name: Arc<str>,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<(usize, String)>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub uint: bool,
    pub float: Option<f64>,
    /// Real and imaginary parts of a complex constant (`1.5i`, `1+2i`), which executes as
    /// Go's `complex128`.
    pub complex: Option<(f64, f64)>,
}

#[derive(Debug)]
pub enum Arg {
    Field(usize, Vec<String>),
    Variable(usize, String, Vec<String>),
    Chain(usize, Box<Arg>, Vec<String>),
    Ident(usize, String),
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    // Boxed: a number is three times the size of the other arguments.
    Number(usize, Box<Number>),
    Str(usize, String, Arc<str>),
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _, _)
            | Arg::Chain(p, _, _)
            | Arg::Ident(p, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::Str(p, _, _) => *p,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field(_, names) => {
                for n in names {
                    write!(f, ".{n}")?;
                }
                Ok(())
            }
            Arg::Variable(_, name, fields) => {
                f.write_str(name)?;
                for n in fields {
                    write!(f, ".{n}")?;
                }
                Ok(())
            }
            Arg::Chain(_, node, fields) => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for n in fields {
                    write!(f, ".{n}")?;
                }
                Ok(())
            }
            Arg::Ident(_, n) => f.write_str(n),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::Str(_, q, _) => f.write_str(q),
            Arg::Pipe(p) => write!(f, "({p})"),
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, (_, d)) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pipe {
            Some(p) => write!(
                f,
                "{{{{template {} {p}}}}}",
                crate::fmt::go_quote(&self.name)
            ),
            None => write!(f, "{{{{template {}}}}}", crate::fmt::go_quote(&self.name)),
        }
    }
}

/// True when a list parsed from `src` holds nothing but whitespace text (Go's `IsEmptyTree`).
pub fn is_empty_list(list: &List, src: &str) -> bool {
    list.iter().all(|n| match n {
        Node::Text(t) => t.of(src).trim().is_empty(),
        _ => false,
    })
}

/// Whether any argument in `list`, at any depth (branches, template calls, nested pipelines
/// and chains), satisfies `pred`.
pub fn list_has_arg(list: &List, pred: &dyn Fn(&Arg) -> bool) -> bool {
    list_has_pipe(list, &|p| pipe_has_arg(p, pred))
}

/// Whether any command (a function call with its arguments, or an operand), at any depth of
/// the list, is one `pred` accepts.
pub fn list_has_cmd(list: &List, pred: &dyn Fn(&Cmd) -> bool) -> bool {
    list_has_pipe(list, &|p| pipe_has_cmd(p, pred))
}

/// Whether `f` accepts the pipeline of any action, control structure or template call of
/// the list, at any depth (pipelines nested in arguments are `f`'s to look into).
fn list_has_pipe(list: &List, f: &dyn Fn(&Pipe) -> bool) -> bool {
    list.iter().any(|node| match node {
        Node::Text(_) | Node::Break(_) | Node::Continue(_) => false,
        Node::Action(p) => f(p),
        Node::If(b) | Node::Range(b) | Node::With(b) => {
            f(&b.pipe)
                || list_has_pipe(&b.list, f)
                || b.else_list.as_ref().is_some_and(|l| list_has_pipe(l, f))
        }
        Node::Template(t) => t.pipe.as_ref().is_some_and(f),
    })
}

fn pipe_has_cmd(pipe: &Pipe, pred: &dyn Fn(&Cmd) -> bool) -> bool {
    pipe.cmds
        .iter()
        .any(|c| pred(c) || c.args.iter().any(|a| arg_has_cmd(a, pred)))
}

fn arg_has_cmd(arg: &Arg, pred: &dyn Fn(&Cmd) -> bool) -> bool {
    match arg {
        Arg::Chain(_, inner, _) => arg_has_cmd(inner, pred),
        Arg::Pipe(p) => pipe_has_cmd(p, pred),
        _ => false,
    }
}

fn pipe_has_arg(pipe: &Pipe, pred: &dyn Fn(&Arg) -> bool) -> bool {
    pipe.cmds
        .iter()
        .flat_map(|c| &c.args)
        .any(|a| arg_has_arg(a, pred))
}

fn arg_has_arg(arg: &Arg, pred: &dyn Fn(&Arg) -> bool) -> bool {
    pred(arg)
        || match arg {
            Arg::Chain(_, inner, _) => arg_has_arg(inner, pred),
            Arg::Pipe(p) => pipe_has_arg(p, pred),
            _ => false,
        }
}
