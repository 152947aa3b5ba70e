//! Function maps: Go's builtins, Sprig, and Helm's additions.

use crate::exec::Ctx;
use crate::value::Value;
use std::collections::HashMap;
use std::sync::Arc;

pub mod builtin;
pub mod certs;
pub mod conv;
pub mod crypto;
pub mod date;
mod decimal;
pub mod dict;
pub mod encoding;
pub mod helm;
pub mod list;
pub mod math;
mod primes;
pub mod reflect;
pub mod regex;
pub mod semver;
pub mod strings;
pub mod toml;
pub mod yaml;
mod yaml_reread;

/// Go parameter types the executor checks before a call (messages as Go's reflection gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `interface{}`
    Any,
    /// `string`
    Str,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `uint32` (Sprig's `derivePassword` counter): only constants convert; the value reaches
    /// the function as an `Int64` in `0..=u32::MAX`.
    Uint32,
    /// `float64`
    Float,
    /// `bool`
    Bool,
    /// `map[string]interface{}`
    Map,
    /// `[]interface{}`
    List,
    /// `reflect.Value` (Go's builtins): a missing value stays "invalid".
    Reflect,
    /// `interface{}` for Sprig's reflection functions: a host object that is a Go slice
    /// (`.Capabilities.APIVersions`) keeps its own type instead of becoming a plain list.
    Raw,
    /// `time.Time` (`dateModify`, `unixEpoch`): only a time value converts.
    Time,
}

impl Ty {
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any | Ty::Raw => "interface {}",
            Ty::Str => "string",
            Ty::Int => "int",
            Ty::Int64 => "int64",
            Ty::Uint32 => "uint32",
            Ty::Float => "float64",
            Ty::Bool => "bool",
            Ty::Map => "map[string]interface {}",
            Ty::List => "[]interface {}",
            Ty::Reflect => "reflect.Value",
            Ty::Time => "time.Time",
        }
    }
}

/// The body of a function: receives checked arguments, returns a value or an error message
/// (printed as `error calling NAME: MESSAGE`).
pub type NativeFn = dyn Fn(&mut Ctx<'_, '_>, Vec<Value>) -> Result<Value, String> + Send + Sync;

/// A function with its Go signature.
#[derive(Clone)]
pub struct Func {
    pub params: &'static [Ty],
    /// Element type of a trailing variadic parameter.
    pub variadic: Option<Ty>,
    pub f: Arc<NativeFn>,
}

/// A set of named functions.
#[derive(Clone, Default)]
pub struct FuncMap {
    /// Looked up on every call; foldhash is several times quicker than SipHash on names.
    map: HashMap<String, Func, foldhash::fast::RandomState>,
}

impl FuncMap {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds (or replaces) a function.
    pub fn insert(
        &mut self,
        name: &str,
        params: &'static [Ty],
        variadic: Option<Ty>,
        f: impl Fn(&mut Ctx<'_, '_>, Vec<Value>) -> Result<Value, String> + Send + Sync + 'static,
    ) {
        self.map.insert(
            name.to_string(),
            Func {
                params,
                variadic,
                f: Arc::new(f),
            },
        );
    }
    /// Adds a function that needs no execution context.
    pub fn pure(
        &mut self,
        name: &str,
        params: &'static [Ty],
        variadic: Option<Ty>,
        f: impl Fn(Vec<Value>) -> Result<Value, String> + Send + Sync + 'static,
    ) {
        self.insert(name, params, variadic, move |_, a| f(a));
    }
    pub fn remove(&mut self, name: &str) {
        self.map.remove(name);
    }
    pub fn get(&self, name: &str) -> Option<&Func> {
        self.map.get(name)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Go's builtins only.
    pub fn builtins() -> Self {
        let mut m = FuncMap::new();
        builtin::register(&mut m);
        m
    }
    /// Go's builtins plus Sprig's `TxtFuncMap` (env and expandenv included).
    pub fn sprig() -> Self {
        let mut m = Self::builtins();
        strings::register(&mut m);
        conv::register(&mut m);
        math::register(&mut m);
        list::register(&mut m);
        dict::register(&mut m);
        encoding::register(&mut m);
        regex::register(&mut m);
        reflect::register(&mut m);
        crypto::register(&mut m);
        certs::register(&mut m);
        date::register(&mut m);
        semver::register(&mut m);
        m
    }
    /// What Helm's engine registers: Sprig without env/expandenv plus Helm's functions.
    pub fn helm() -> Self {
        let mut m = Self::sprig();
        m.remove("env");
        m.remove("expandenv");
        crypto::register_newer(&mut m);
        semver::register_helm(&mut m);
        helm::register(&mut m);
        m
    }
}

/// Shorthand for string results.
pub(crate) fn s(v: impl Into<Arc<str>>) -> Value {
    Value::String(v.into())
}

/// `interface{}` argument as a string the way Sprig's `strval` does (`fmt.Sprintf("%v")`).
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Object(o) if let Some(b) = o.as_bytes() => crate::gobytes::string_from_go_bytes(b),
        v => crate::fmt::sprint_value(v),
    }
}

pub(crate) fn arg_str(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

pub(crate) fn arg_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => *f as i64,
        _ => 0,
    }
}
