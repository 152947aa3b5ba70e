//! The dynamic value model: Go's `interface{}` as Helm and Sprig see it.
//!
//! Scalars are stored inline; strings and lists are shared (`Arc`), so handing a value to a
//! function or binding it to a variable never copies a tree. Maps have Go's reference semantics
//! (Sprig's `set`/`unset`/`merge` mutate in place and every holder sees the change), so they sit
//! behind an `Arc<RwLock<…>>`. Map keys iterate in byte order, which is the order Go's template
//! `range`, `fmt` and `encoding/json` use.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, LazyLock, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

/// The map type behind [`Value::Map`].
pub type Map = BTreeMap<String, Value>;

/// A host object with fields and methods (Helm's `.Files`, `.Capabilities`, …).
pub trait Object: Send + Sync + fmt::Debug {
    /// Go type name used in messages and `typeOf` (e.g. `chartutil.Files`).
    fn type_name(&self) -> &str;
    /// A field or zero-argument method, if there is one by that name.
    fn field(&self, name: &str) -> Option<Value>;
    /// A method called with arguments; `None` when there is no such method.
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// Go's `reflect.Kind` name (`kindOf`).
    fn kind(&self) -> &str {
        "ptr"
    }
    /// What `encoding/json` writes for it (a JSON text), if it marshals itself.
    fn marshal_json(&self) -> Option<String> {
        None
    }
    /// A plain view of the object as a map or list, for objects that are Go maps or slices
    /// (Helm's `.Files`, `.Capabilities.APIVersions`): `range`, `len` and `index` use it.
    fn as_value(&self) -> Option<Value> {
        None
    }
    /// For a map object, what `index` finds at `key`: the element type's zero value when the
    /// key is missing (`""` in a `map[string]string`). `None`: index the [`Object::as_value`] view.
    fn map_index(&self, _key: &str) -> Option<Value> {
        None
    }
    /// For a map or slice object, whether it holds nothing (Go's truth and Sprig's `empty`
    /// read that); `None` for other objects.
    fn is_empty_collection(&self) -> Option<bool> {
        self.as_value().and_then(|v| v.len()).map(|n| n == 0)
    }
    /// How `fmt` prints the object when it is not addressable (a copy passed to a function),
    /// for value types whose `String` method has a pointer receiver. `None`: use `String`.
    fn fmt_value(&self) -> Option<String> {
        None
    }
    /// Real and imaginary parts when the object is Go's `complex128` ([`Complex`]).
    fn as_complex(&self) -> Option<(f64, f64)> {
        None
    }
    /// The bytes when the object is Go's `[]byte` ([`Bytes`]).
    fn as_bytes(&self) -> Option<&[u8]> {
        None
    }
}

/// Go's `[]byte` (Helm's `.Files.GetBytes`): it prints as its numbers (`[104 105]`), reads as
/// text where Sprig converts it to a string (`toString`, `quote`, `printf "%s"`), is written
/// as base64 by `toJson` and `toYaml`, and is refused where a function wants a string.
#[derive(Debug)]
pub struct Bytes(pub Arc<[u8]>);

impl Bytes {
    pub fn value(bytes: &[u8]) -> Value {
        Value::Object(Arc::new(Bytes(bytes.into())))
    }
}

impl Object for Bytes {
    fn type_name(&self) -> &str {
        "[]uint8"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call_method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn kind(&self) -> &str {
        "slice"
    }
    fn marshal_json(&self) -> Option<String> {
        use base64::Engine;
        Some(format!(
            "\"{}\"",
            base64::engine::general_purpose::STANDARD.encode(&self.0)
        ))
    }
    fn as_value(&self) -> Option<Value> {
        Some(Value::list(
            self.0.iter().map(|&b| Value::Int(i64::from(b))).collect(),
        ))
    }
    fn fmt_value(&self) -> Option<String> {
        let numbers: Vec<String> = self.0.iter().map(u8::to_string).collect();
        Some(format!("[{}]", numbers.join(" ")))
    }
    fn as_bytes(&self) -> Option<&[u8]> {
        Some(&self.0)
    }
}

/// Go's `complex128`. Only template constants (`1.5i`, `1+2i`) make one; it prints, tests
/// true when non-zero and compares with `eq` as in Go.
#[derive(Debug)]
pub struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Object for Complex {
    fn type_name(&self) -> &str {
        "complex128"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call_method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn kind(&self) -> &str {
        "complex128"
    }
    fn as_complex(&self) -> Option<(f64, f64)> {
        Some((self.re, self.im))
    }
    /// Not a collection, but truth and Sprig's `empty` read this: zero is false and empty.
    fn is_empty_collection(&self) -> Option<bool> {
        Some(self.re == 0.0 && self.im == 0.0)
    }
    /// `(RE+IMi)`: both parts as `%g`, the imaginary one always signed.
    fn fmt_value(&self) -> Option<String> {
        let im = crate::fmt::format_float(self.im, 'g', -1);
        let sign = if im.starts_with(['+', '-']) { "" } else { "+" };
        Some(format!(
            "({}{sign}{im}i)",
            crate::fmt::format_float(self.re, 'g', -1)
        ))
    }
}

/// A Go value.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's invalid `reflect.Value`: a missing map key (prints `<no value>`).
    #[default]
    Missing,
    /// A nil interface (JSON `null`).
    Nil,
    Bool(bool),
    /// Go `int` (template integer literals, `len`, most Sprig integer results).
    Int(i64),
    /// Go `int64` (Sprig math results such as `add`, `int64`).
    Int64(i64),
    /// Go `float64` (every number decoded from YAML or JSON values).
    Float(f64),
    String(Arc<str>),
    /// `[]interface{}`.
    List(Arc<Vec<Value>>),
    /// `[]string` (results of `splitList`, `keys`, `regexFindAll`, …).
    StrList(Arc<Vec<String>>),
    /// `map[string]interface{}`, shared and mutable like a Go map.
    Map(Arc<RwLock<Map>>),
    /// A host object.
    Object(Arc<dyn Object>),
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }
    pub fn map(m: Map) -> Value {
        Value::Map(Arc::new(RwLock::new(m)))
    }
    pub fn empty_map() -> Value {
        Value::map(Map::new())
    }

    /// Go's nil `[]interface{}`: what Sprig's `rest`/`initial` of an empty list and `concat`
    /// of empty lists return. It is empty like any list, but JSON and YAML write it as `null`.
    pub fn nil_list() -> Value {
        Value::List(NIL_LIST.clone())
    }

    /// Go's nil `[]string` (`regexFindAll` without a match).
    pub fn nil_str_list() -> Value {
        Value::StrList(NIL_STR_LIST.clone())
    }

    /// Whether this is [`Value::nil_list`] or [`Value::nil_str_list`].
    pub fn is_nil_slice(&self) -> bool {
        match self {
            Value::List(l) => Arc::ptr_eq(l, &NIL_LIST),
            Value::StrList(l) => Arc::ptr_eq(l, &NIL_STR_LIST),
            _ => false,
        }
    }

    /// True for `Missing` and `Nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Missing | Value::Nil)
    }

    /// Missing becomes Nil (what a Go function receives for an invalid argument).
    pub fn to_arg(self) -> Value {
        match self {
            Value::Missing => Value::Nil,
            v => v,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Go's template truth: non-zero numbers, non-empty strings/collections, `true`.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Missing | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::StrList(l) => !l.is_empty(),
            Value::Map(m) => !read(m).is_empty(),
            // Objects that are Go maps or slices (`.Files`, what `.Files.Glob` returns) are
            // false when empty; pointers to structs are always true.
            Value::Object(o) => o.is_empty_collection() != Some(true),
        }
    }

    /// Go's `%T` type name.
    pub fn type_name(&self) -> String {
        match self {
            Value::Missing | Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::StrList(_) => "[]string".into(),
            Value::Map(m) if is_helm_values(m) => "common.Values".into(),
            Value::Map(m) if is_string_map(m) => "map[string]string".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name().to_string(),
        }
    }

    /// Go's `reflect.Kind` name.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Missing | Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(_) | Value::StrList(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind(),
        }
    }

    /// A list view of `List` or `StrList` (elements cloned cheaply).
    pub fn list_items(&self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l.as_ref().clone()),
            Value::StrList(l) => Some(l.iter().map(|s| Value::str(s.as_str())).collect()),
            Value::Object(o) if o.as_bytes().is_some() => o.as_value()?.list_items(),
            _ => None,
        }
    }

    /// True when [`Value::len`] is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Length of strings (bytes), lists and maps.
    pub fn len(&self) -> Option<usize> {
        if let Value::Object(o) = self {
            if let Some(b) = o.as_bytes() {
                return Some(b.len());
            }
            return o.as_value().and_then(|v| v.len());
        }
        match self {
            Value::String(s) => Some(crate::gobytes::go_len(s)),
            Value::List(l) => Some(l.len()),
            Value::StrList(l) => Some(l.len()),
            Value::Map(m) => Some(read(m).len()),
            _ => None,
        }
    }

    /// Deep copy (maps become new maps), like Sprig's `deepCopy`; a copy of Helm's
    /// `common.Values` keeps that type, as `copystructure` does.
    pub fn deep_copy(&self) -> Value {
        let copy = self.deep_copy_depth(0);
        if let Value::Map(m) = self
            && is_helm_values(m)
        {
            mark_helm_values(&copy);
        }
        copy
    }
    fn deep_copy_depth(&self, depth: usize) -> Value {
        crate::stack::deep(|| self.deep_copy_depth_here(depth))
    }

    fn deep_copy_depth_here(&self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Nil;
        }
        match self {
            Value::List(l) => Value::list(l.iter().map(|v| v.deep_copy_depth(depth + 1)).collect()),
            Value::Map(m) => Value::map(
                read(m)
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy_depth(depth + 1)))
                    .collect(),
            ),
            v => v.clone(),
        }
    }

    /// Converts from JSON. With `helm_numbers`, every number becomes float64 (as Helm's values
    /// are after YAML/JSON decoding); otherwise as Go's `encoding/json` into `interface{}` does,
    /// which is also float64. Integers are kept only when `ints` is set.
    pub fn from_json(v: &serde_json::Value) -> Value {
        Self::from_json_opt(v, false)
    }

    /// Like [`Value::from_json`] but integral JSON numbers become Go `int64`
    /// (e.g. for values built by code, not decoded by Go).
    pub fn from_json_ints(v: &serde_json::Value) -> Value {
        Self::from_json_opt(v, true)
    }

    /// [`Value::from_json_ints`] of a JSON object, without wrapping it in a `Value` first.
    pub fn from_json_map_ints(m: &serde_json::Map<String, serde_json::Value>) -> Value {
        Value::map(
            m.iter()
                .map(|(k, x)| (k.clone(), Self::from_json_opt(x, true)))
                .collect(),
        )
    }

    fn from_json_opt(v: &serde_json::Value, ints: bool) -> Value {
        crate::stack::deep(|| Self::from_json_opt_here(v, ints))
    }

    fn from_json_opt_here(v: &serde_json::Value, ints: bool) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if ints && let Some(i) = n.as_i64() {
                    return Value::Int64(i);
                }
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(a) => {
                Value::list(a.iter().map(|x| Self::from_json_opt(x, ints)).collect())
            }
            serde_json::Value::Object(o) if ints => Self::from_json_map_ints(o),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, x)| (k.clone(), Self::from_json_opt(x, false)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON (maps in key order; objects and non-finite floats become null).
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_depth(0)
    }
    fn to_json_depth(&self, depth: usize) -> serde_json::Value {
        crate::stack::deep(|| self.to_json_depth_here(depth))
    }

    fn to_json_depth_here(&self, depth: usize) -> serde_json::Value {
        use serde_json::Value as J;
        if depth > MAX_DEPTH {
            return J::Null;
        }
        match self {
            Value::Missing | Value::Nil | Value::Object(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) | Value::Int64(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.to_string()),
            Value::List(l) => J::Array(l.iter().map(|v| v.to_json_depth(depth + 1)).collect()),
            Value::StrList(l) => J::Array(l.iter().map(|s| J::String(s.clone())).collect()),
            Value::Map(m) => J::Object(
                read(m)
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json_depth(depth + 1)))
                    .collect(),
            ),
        }
    }
}

static NIL_LIST: LazyLock<Arc<Vec<Value>>> = LazyLock::new(|| Arc::new(Vec::new()));
static NIL_STR_LIST: LazyLock<Arc<Vec<String>>> = LazyLock::new(|| Arc::new(Vec::new()));

/// Maps Helm hands to templates as its named map type `common.Values` (`.Values`, the
/// top-level object, `.Template`): `typeOf` names that type, and `AsMap`, `YAML`, `Table` and
/// `PathValue` are its methods (see `funcs::helm::values_method`). Go attaches the type to
/// the reference; here it belongs to the map, so a subchart's values also show it when the
/// parent reaches them as `.Values.<subchart>`.
///
/// Entries are weak (a marked map is never kept alive by the mark) and keyed by address; the
/// weak reference keeps the allocation, so an address is not reused while its entry exists.
struct MapMarks {
    maps: HashMap<usize, Weak<RwLock<Map>>>,
    prune_at: usize,
}

impl MapMarks {
    fn new() -> RwLock<MapMarks> {
        RwLock::new(MapMarks {
            maps: HashMap::new(),
            prune_at: 1024,
        })
    }
}

fn mark(marks: &RwLock<MapMarks>, v: &Value) {
    let Value::Map(m) = v else { return };
    let mut marks = marks.write().unwrap_or_else(|e| e.into_inner());
    if marks.maps.len() >= marks.prune_at {
        marks.maps.retain(|_, w| w.strong_count() > 0);
        marks.prune_at = (marks.maps.len() * 2).max(1024);
    }
    marks
        .maps
        .insert(Arc::as_ptr(m) as usize, Arc::downgrade(m));
}

fn is_marked(marks: &RwLock<MapMarks>, m: &Arc<RwLock<Map>>) -> bool {
    let marks = marks.read().unwrap_or_else(|e| e.into_inner());
    marks
        .maps
        .get(&(Arc::as_ptr(m) as usize))
        .is_some_and(|w| w.strong_count() > 0)
}

static HELM_VALUES: LazyLock<RwLock<MapMarks>> = LazyLock::new(MapMarks::new);

/// Maps of Go type `map[string]string` (what Sprig's `split` and `splitn` return): `typeOf`
/// names that type, and a missing key reads as `""` where Go gives the element's zero value
/// (`index`, and field access under Helm's `missingkey=zero`).
static STRING_MAPS: LazyLock<RwLock<MapMarks>> = LazyLock::new(MapMarks::new);

/// Marks a map as Helm's `common.Values` (no-op for other values).
pub fn mark_helm_values(v: &Value) {
    mark(&HELM_VALUES, v);
}

/// Whether the map was marked with [`mark_helm_values`].
pub fn is_helm_values(m: &Arc<RwLock<Map>>) -> bool {
    is_marked(&HELM_VALUES, m)
}

/// Whether any map was ever marked with [`mark_string_map`]: most runs never split a
/// string, and their maps are then checked without a lookup.
static ANY_STRING_MAP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks a map as a Go `map[string]string` (no-op for other values).
pub fn mark_string_map(v: &Value) {
    ANY_STRING_MAP.store(true, std::sync::atomic::Ordering::Relaxed);
    mark(&STRING_MAPS, v);
}

/// Whether the map was marked with [`mark_string_map`].
pub fn is_string_map(m: &Arc<RwLock<Map>>) -> bool {
    ANY_STRING_MAP.load(std::sync::atomic::Ordering::Relaxed) && is_marked(&STRING_MAPS, m)
}

/// Nesting limit for recursive walks over values (maps can be made cyclic with `set`).
pub(crate) const MAX_DEPTH: usize = 10_000;

/// Reads a map, ignoring lock poisoning (no code panics while holding it).
pub fn read(m: &RwLock<Map>) -> RwLockReadGuard<'_, Map> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

/// Writes a map, ignoring lock poisoning.
pub fn write(m: &RwLock<Map>) -> RwLockWriteGuard<'_, Map> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::fmt::sprint_value(self))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::fmt::sprint_value(self))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::str(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::list(v)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::map(m)
    }
}
