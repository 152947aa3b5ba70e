//! A validator that reads the schema as it is, without compiling it, for the run where the
//! values are valid, which is nearly every run. Building the full validator for bitnami's
//! 150 KB schemas was a fifth of a `helm template` run's CPU, while checking the values
//! against it takes a few hundredths of that.
//!
//! It knows the keywords real charts' schemas use and answers only when it is sure: a schema
//! with anything else (external or anchor references, patterns the regex flavours read
//! differently, tuple `items`, draft 4 or 6, a keyword value the metaschema would refuse, a
//! number written more precisely than a float holds) is [`Eligible::No`], and a check it
//! cannot decide (an integer beyond 2^53, a reference cycle, too many steps) is
//! [`Tri::Unsure`]. Either way the full validator runs, so errors keep santhosh's text.

use super::*;
use crate::schema_formats::FORMATS;
use serde_json::Map;

/// Whether a schema may be checked here, decided once per schema text.
pub(super) enum Eligible {
    Yes {
        root: J,
        draft: u32,
        /// Every `pattern` and `patternProperties` key of the schema, compiled.
        patterns: Patterns,
    },
    No,
}

pub(super) type Patterns = std::collections::HashMap<String, regex::Regex>;

/// Reads `text` and decides whether [`surely_valid`] may check values against it.
pub(super) fn eligible(text: &[u8]) -> Eligible {
    let Ok(root) = serde_json::from_slice::<J>(text) else {
        return Eligible::No;
    };
    let Some(draft) = known_draft(&root) else {
        return Eligible::No;
    };
    if !numbers_as_floats_hold_them(text) {
        return Eligible::No;
    }
    let scan = Scan {
        root: &root,
        draft,
        patterns: Default::default(),
        targets: Default::default(),
    };
    if scan.schema(&root, 0) {
        let patterns = scan.patterns.into_inner();
        Eligible::Yes {
            root,
            draft,
            patterns,
        }
    } else {
        Eligible::No
    }
}

/// True only if `values` are valid against the eligible schema `root`.
pub(super) fn surely_valid(
    root: &J,
    draft: u32,
    patterns: &Patterns,
    values: &Map<String, J>,
) -> bool {
    let check = Check {
        root,
        draft,
        patterns,
        steps: Default::default(),
        following: Default::default(),
    };
    check.schema(root, Inst::Map(values), 0) == Tri::Valid
}

/// The draft of a schema whose `$schema` names one this module knows (2020-12 when absent,
/// as santhosh reads it); drafts 4 and 6, and addresses the full validator would fetch, are
/// left to it.
fn known_draft(root: &J) -> Option<u32> {
    let J::Object(m) = root else {
        return Some(2020);
    };
    let Some(url) = m.get("$schema") else {
        return Some(2020);
    };
    let url = url.as_str()?;
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return None;
    }
    named_draft(url).filter(|d| *d >= 7)
}

/// How deep references and subschemas may nest before this module gives up.
const MAX_DEPTH: usize = 64;

/// The keywords of drafts 4 to 2020-12 that this module does not evaluate: a schema holding
/// one of them is left to the full validator.
const NOT_HANDLED: &[&str] = &[
    "id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "multipleOf",
    "additionalItems",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];

/// The structural check of a schema: every keyword this module evaluates holds what the
/// metaschema allows, and every reference resolves.
struct Scan<'a> {
    root: &'a J,
    draft: u32,
    patterns: std::cell::RefCell<Patterns>,
    /// References whose targets were checked (or are being checked, for a cycle).
    targets: std::cell::RefCell<std::collections::HashSet<String>>,
}

impl Scan<'_> {
    fn schema(&self, s: &J, depth: usize) -> bool {
        let m = match s {
            J::Bool(_) => return true,
            J::Object(m) => m,
            _ => return false,
        };
        if depth > MAX_DEPTH {
            return false;
        }
        m.iter().all(|(k, v)| self.keyword(k, v, depth))
    }

    fn schemas_in(&self, v: &J, depth: usize) -> bool {
        matches!(v, J::Object(m) if m.values().all(|s| self.schema(s, depth + 1)))
    }

    fn keyword(&self, k: &str, v: &J, depth: usize) -> bool {
        if NOT_HANDLED.contains(&k) {
            return false;
        }
        let string = || v.is_string();
        // santhosh reads counts as int64: a bigger one wraps.
        let count = || v.as_u64().is_some_and(|n| n <= i64::MAX as u64);
        let number = || v.is_number() && exact(v).is_some();
        match k {
            "$schema" => depth == 0,
            // An identifier at the root does not change where `#…` references point.
            "$id" => depth == 0 && v.as_str().is_some_and(plain_id),
            "pattern" => v.as_str().is_some_and(|p| self.compile(p)),
            "patternProperties" => {
                matches!(v, J::Object(m) if m.keys().all(|p| self.compile(p)))
                    && self.schemas_in(v, depth)
            }
            "$ref" => v.as_str().is_some_and(|r| self.reference(r, depth)),
            "$comment" | "title" | "description" | "contentMediaType" | "contentEncoding" => {
                string()
            }
            "format" => v.as_str().is_some_and(|f| {
                self.draft > 7 || FORMATS.contains(&f) || f == "idn-email" || f == "idn-hostname"
            }),
            "readOnly" | "writeOnly" | "deprecated" | "uniqueItems" => v.is_boolean(),
            "default" | "const" => true,
            "examples" | "enum" => v.is_array(),
            "type" => match v {
                J::String(t) => TYPES.contains(&t.as_str()),
                J::Array(ts) => {
                    !ts.is_empty()
                        && ts
                            .iter()
                            .all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t)))
                        && (1..ts.len()).all(|i| !ts[..i].contains(&ts[i]))
                }
                _ => false,
            },
            "required" => match v {
                J::Array(ks) => {
                    ks.iter().all(J::is_string) && (1..ks.len()).all(|i| !ks[..i].contains(&ks[i]))
                }
                _ => false,
            },
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" => count(),
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => number(),
            "properties" | "definitions" | "$defs" => self.schemas_in(v, depth),
            "additionalProperties" | "items" | "not" | "if" | "then" | "else" | "propertyNames" => {
                self.schema(v, depth + 1)
            }
            "allOf" | "anyOf" | "oneOf" => match v {
                J::Array(ss) => !ss.is_empty() && ss.iter().all(|s| self.schema(s, depth + 1)),
                _ => false,
            },
            // Keywords of no draft: annotations both validators ignore.
            _ => true,
        }
    }
}

impl Scan<'_> {
    /// Whether the reference `r` resolves, and its target (once per reference) passes too.
    fn reference(&self, r: &str, depth: usize) -> bool {
        let Some(target) = resolve(self.root, r) else {
            return false;
        };
        if !self.targets.borrow_mut().insert(r.to_string()) {
            return true;
        }
        self.schema(target, depth + 1)
    }

    /// Compiles a pattern this module can match as Go and the full validator both do, on the
    /// strings [`matches`] takes (see [`super::plain_pattern`]).
    fn compile(&self, p: &str) -> bool {
        if self.patterns.borrow().contains_key(p) {
            return true;
        }
        if !super::plain_pattern::plain(p) {
            return false;
        }
        match regex::Regex::new(p) {
            Ok(re) => {
                self.patterns.borrow_mut().insert(p.to_string(), re);
                true
            }
            Err(_) => false,
        }
    }
}

/// Whether `re` finds a match in `s`; unsure for strings beyond printable ASCII, where Go's,
/// ECMA's and Rust's classes and `.` part ways (`\s` and a vertical tab, `.` and a carriage
/// return, Unicode digits).
fn matches(re: &regex::Regex, s: &str) -> Tri {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Tri::of(re.is_match(s))
    } else {
        Tri::Unsure
    }
}

/// An identifier every reader takes alike: an `http(s)` address with a plain host, or a plain
/// relative path, with at most one `#` at its end.
fn plain_id(id: &str) -> bool {
    let id = id.strip_suffix('#').unwrap_or(id);
    let path_char = |c: char| c.is_ascii_alphanumeric() || "._~/-".contains(c);
    let rest = id
        .strip_prefix("https://")
        .or_else(|| id.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let (name, port) = host.split_once(':').unwrap_or((host, "0"));
            let name_char = |c: char| c.is_ascii_alphanumeric() || ".-".contains(c);
            !name.is_empty()
                && !name.starts_with(['.', '-'])
                && name.chars().all(name_char)
                && !port.is_empty()
                && port.len() <= 5
                && port.chars().all(|c| c.is_ascii_digit())
                && path.chars().all(path_char)
        }
        None => !id.starts_with('/') && id.chars().all(path_char),
    }
}

const TYPES: &[&str] = &[
    "null", "boolean", "object", "array", "number", "integer", "string",
];

/// The schema a local reference (`#` or `#/json/pointer`) points at in `root`: anywhere in
/// the document, as santhosh compiles whatever a reference reaches (bitnami and prometheus
/// charts point into containers under `definitions`). References with escapes, anchors or
/// other characters readers decode differently are not followed here.
fn resolve<'a>(root: &'a J, r: &str) -> Option<&'a J> {
    let pointer = r.strip_prefix('#')?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._$-".contains(c);
    if !pointer.chars().all(plain) || !(pointer.is_empty() || pointer.starts_with('/')) {
        return None;
    }
    root.pointer(pointer)
        .filter(|s| matches!(s, J::Object(_) | J::Bool(_)))
}

/// Whether every number written in the JSON `text` is the shortest decimal of the float it
/// reads as. santhosh compares schema numbers as written, exactly, with values as Go prints
/// them (shortest decimals); the quick check compares floats, which agree only then
/// (`0.29999999999999999` reads as the float 0.3).
fn numbers_as_floats_hold_them(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < text.len()
                    && matches!(text[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let Ok(literal) = std::str::from_utf8(&text[start..i]) else {
                    return false;
                };
                if !shortest(literal) {
                    return false;
                }
            }
            _ => i += 1,
        }
    }
    true
}

/// Whether the JSON number `literal` has the value of the shortest decimal of its float:
/// integers of up to 15 digits always do; others are compared digit by digit.
fn shortest(literal: &str) -> bool {
    let plain_int = literal.trim_start_matches('-');
    if plain_int.len() <= 15 && plain_int.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let Ok(f) = literal.parse::<f64>() else {
        return false;
    };
    f.is_finite() && decimal(literal) == decimal(&format!("{f:e}"))
}

/// A decimal number's significant digits and the power of ten of its first digit, sign
/// included (`-1.50e2` and `-150` both read `(true, "15", 2)`); zero is `(false, "", 0)`.
fn decimal(s: &str) -> (bool, String, i64) {
    let negative = s.starts_with('-');
    let s = s.trim_start_matches(['-', '+']);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = int.chars().chain(frac.chars()).collect();
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.is_empty() {
        return (false, String::new(), 0);
    }
    // The first significant digit's power: the integer part's length less one, moved by the
    // zeros before it.
    let power = int.len() as i64 - 1 - lead as i64 + exp;
    (negative, significant.to_string(), power)
}

/// A number as a float when the float is exactly the number (integers beyond 2^53 are not).
fn exact(v: &J) -> Option<f64> {
    let J::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return (i.unsigned_abs() <= 1 << 53).then_some(i as f64);
    }
    if let Some(u) = n.as_u64() {
        return (u <= 1 << 53).then_some(u as f64);
    }
    n.as_f64().filter(|f| f.is_finite())
}

/// The outcome of one check.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tri {
    Valid,
    Invalid,
    Unsure,
}

impl Tri {
    fn of(ok: bool) -> Tri {
        if ok { Tri::Valid } else { Tri::Invalid }
    }

    /// Every check holds: stops at the first invalid one; unsure if one is unsure.
    fn every<T>(items: impl IntoIterator<Item = T>, mut check: impl FnMut(T) -> Tri) -> Tri {
        let mut out = Tri::Valid;
        for x in items {
            out = out.and(|| check(x));
            if out == Tri::Invalid {
                break;
            }
        }
        out
    }

    /// Some check holds: stops at the first valid one; unsure if none does and one is unsure.
    fn any<T>(items: impl IntoIterator<Item = T>, mut check: impl FnMut(T) -> Tri) -> Tri {
        let mut out = Tri::Invalid;
        for x in items {
            match check(x) {
                Tri::Valid => return Tri::Valid,
                Tri::Unsure => out = Tri::Unsure,
                Tri::Invalid => {}
            }
        }
        out
    }

    /// Both must hold: invalid wins over unsure, unsure over valid.
    fn and(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::Invalid => Tri::Invalid,
            Tri::Valid => other(),
            Tri::Unsure => match other() {
                Tri::Invalid => Tri::Invalid,
                _ => Tri::Unsure,
            },
        }
    }
}

/// The value being checked: the top-level values map, or a value inside it (the map is not
/// copied into a value to be checked).
#[derive(Clone, Copy)]
enum Inst<'a> {
    Map(&'a Map<String, J>),
    Val(&'a J),
}

impl<'a> Inst<'a> {
    fn object(self) -> Option<&'a Map<String, J>> {
        match self {
            Inst::Map(m) | Inst::Val(J::Object(m)) => Some(m),
            Inst::Val(_) => None,
        }
    }

    /// Where the value lives, to tell one value from another.
    fn address(self) -> usize {
        match self {
            Inst::Map(m) => std::ptr::from_ref(m) as usize,
            Inst::Val(v) => std::ptr::from_ref(v) as usize,
        }
    }

    fn value(self) -> Option<&'a J> {
        match self {
            Inst::Val(v) => Some(v),
            Inst::Map(_) => None,
        }
    }

    fn is(self, t: &str) -> Tri {
        let Inst::Val(v) = self else {
            return Tri::of(t == "object");
        };
        match (t, v) {
            ("null", J::Null)
            | ("boolean", J::Bool(_))
            | ("object", J::Object(_))
            | ("array", J::Array(_))
            | ("string", J::String(_))
            | ("number", J::Number(_)) => Tri::Valid,
            // santhosh takes any number of integral value for an integer.
            ("integer", J::Number(n)) if n.is_i64() || n.is_u64() => Tri::Valid,
            ("integer", J::Number(_)) => match exact(v) {
                Some(f) => Tri::of(f.fract() == 0.0),
                None => Tri::Unsure,
            },
            _ => Tri::Invalid,
        }
    }

    fn equals(self, other: &J) -> Tri {
        match (self, other) {
            (Inst::Val(v), _) => equal(v, other),
            (Inst::Map(m), J::Object(o)) => objects_equal(m, o),
            _ => Tri::Invalid,
        }
    }
}

/// JSON equality as santhosh sees it (numbers by value), unsure where a number is beyond a
/// float's exactness.
fn equal(a: &J, b: &J) -> Tri {
    match (a, b) {
        (J::Number(_), J::Number(_)) => match (exact(a), exact(b)) {
            (Some(x), Some(y)) => Tri::of(x == y),
            _ => Tri::Unsure,
        },
        (J::Array(x), J::Array(y)) => {
            if x.len() != y.len() {
                return Tri::Invalid;
            }
            Tri::every(x.iter().zip(y), |(p, q)| equal(p, q))
        }
        (J::Object(x), J::Object(y)) => objects_equal(x, y),
        _ => Tri::of(a == b),
    }
}

fn objects_equal(x: &Map<String, J>, y: &Map<String, J>) -> Tri {
    if x.len() != y.len() {
        return Tri::Invalid;
    }
    Tri::every(x, |(k, v)| y.get(k).map_or(Tri::Invalid, |w| equal(v, w)))
}

struct Check<'a> {
    root: &'a J,
    draft: u32,
    patterns: &'a Patterns,
    /// Subschemas entered so far: a schema whose `anyOf` refers to itself twice would
    /// otherwise take exponential time to find itself unsure.
    steps: std::cell::Cell<usize>,
    /// References being followed, with the value each is checking (by address): the same
    /// pair again is a cycle that reads nothing further.
    following: std::cell::RefCell<Vec<(usize, usize)>>,
}

/// Subschemas the quick check enters before it gives up (the full validator decides).
const MAX_STEPS: usize = 1 << 20;

impl<'a> Check<'a> {
    fn schema(&self, s: &'a J, v: Inst<'_>, depth: usize) -> Tri {
        let m = match s {
            J::Bool(b) => return Tri::of(*b),
            J::Object(m) => m,
            _ => return Tri::Unsure,
        };
        self.steps.set(self.steps.get() + 1);
        if depth > MAX_DEPTH || self.steps.get() > MAX_STEPS {
            return Tri::Unsure;
        }
        // Up to draft 7 a reference replaces the keywords beside it.
        if self.draft <= 7
            && let Some(r) = m.get("$ref")
        {
            return self.reference(r, v, depth);
        }
        Tri::every(m, |(k, kv)| self.keyword(m, k, kv, v, depth))
    }

    fn reference(&self, r: &J, v: Inst<'_>, depth: usize) -> Tri {
        let Some(target) = r.as_str().and_then(|r| resolve(self.root, r)) else {
            return Tri::Unsure;
        };
        let pair = (std::ptr::from_ref(target) as usize, v.address());
        if self.following.borrow().contains(&pair) {
            return Tri::Unsure;
        }
        self.following.borrow_mut().push(pair);
        let out = self.schema(target, v, depth + 1);
        self.following.borrow_mut().pop();
        out
    }

    fn keyword(&self, m: &'a Map<String, J>, k: &str, kv: &'a J, v: Inst<'_>, depth: usize) -> Tri {
        let d = depth + 1;
        match k {
            "$ref" => self.reference(kv, v, depth),
            "type" => match kv {
                J::String(t) => v.is(t),
                J::Array(ts) => Tri::any(ts, |t| v.is(t.as_str().unwrap_or_default())),
                _ => Tri::Unsure,
            },
            "enum" => Tri::any(kv.as_array().into_iter().flatten(), |x| v.equals(x)),
            "const" => v.equals(kv),
            "required" => match v.object() {
                Some(o) => Tri::of(kv.as_array().is_some_and(|ks| {
                    ks.iter()
                        .all(|k| k.as_str().is_some_and(|k| o.contains_key(k)))
                })),
                None => Tri::Valid,
            },
            "properties" => match (v.object(), kv) {
                (Some(o), J::Object(props)) => Tri::every(props, |(name, s)| {
                    o.get(name)
                        .map_or(Tri::Valid, |x| self.schema(s, Inst::Val(x), d))
                }),
                _ => Tri::Valid,
            },
            "additionalProperties" => match v.object() {
                Some(o) => {
                    let props = m.get("properties").and_then(J::as_object);
                    let pattern_props = m.get("patternProperties").and_then(J::as_object);
                    Tri::every(o, |(name, x)| {
                        if props.is_some_and(|p| p.contains_key(name)) {
                            return Tri::Valid;
                        }
                        let patterns = pattern_props.into_iter().flat_map(|pp| pp.keys());
                        match Tri::any(patterns, |p| self.pattern(p, name)) {
                            // Covered by a pattern property, not additional.
                            Tri::Valid => Tri::Valid,
                            Tri::Unsure => Tri::Unsure,
                            Tri::Invalid => self.schema(kv, Inst::Val(x), d),
                        }
                    })
                }
                None => Tri::Valid,
            },
            "patternProperties" => match (v.object(), kv) {
                (Some(o), J::Object(pp)) => {
                    let pairs = pp.iter().flat_map(|p| o.iter().map(move |x| (p, x)));
                    Tri::every(pairs, |((p, s), (name, x))| match self.pattern(p, name) {
                        Tri::Valid => self.schema(s, Inst::Val(x), d),
                        // A name the pattern does not match is not its to check.
                        Tri::Invalid => Tri::Valid,
                        Tri::Unsure => Tri::Unsure,
                    })
                }
                _ => Tri::Valid,
            },
            "pattern" => match (v.value(), kv.as_str()) {
                (Some(J::String(s)), Some(p)) => self.pattern(p, s),
                _ => Tri::Valid,
            },
            "propertyNames" => match v.object() {
                Some(o) => Tri::every(o.keys(), |name| {
                    self.schema(kv, Inst::Val(&J::String(name.clone())), d)
                }),
                None => Tri::Valid,
            },
            "minProperties" | "maxProperties" => match (v.object(), kv.as_u64()) {
                (Some(o), Some(n)) => {
                    let len = o.len() as u64;
                    Tri::of(if k == "minProperties" {
                        len >= n
                    } else {
                        len <= n
                    })
                }
                _ => Tri::Valid,
            },
            "items" => match v.value() {
                Some(J::Array(items)) => Tri::every(items, |x| self.schema(kv, Inst::Val(x), d)),
                _ => Tri::Valid,
            },
            "minItems" | "maxItems" => match (v.value(), kv.as_u64()) {
                (Some(J::Array(items)), Some(n)) => {
                    let len = items.len() as u64;
                    Tri::of(if k == "minItems" { len >= n } else { len <= n })
                }
                _ => Tri::Valid,
            },
            "uniqueItems" => match v.value() {
                Some(J::Array(items)) if kv == &J::Bool(true) => {
                    Tri::of(first_duplicates(items) == (0, 0))
                }
                _ => Tri::Valid,
            },
            "minLength" | "maxLength" => match (v.value(), kv.as_u64()) {
                (Some(J::String(s)), Some(n)) => {
                    let len = s.chars().count() as u64;
                    Tri::of(if k == "minLength" { len >= n } else { len <= n })
                }
                _ => Tri::Valid,
            },
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => match v.value() {
                Some(x @ J::Number(_)) => match (exact(x), exact(kv)) {
                    (Some(x), Some(limit)) => Tri::of(match k {
                        "minimum" => x >= limit,
                        "maximum" => x <= limit,
                        "exclusiveMinimum" => x > limit,
                        _ => x < limit,
                    }),
                    _ => Tri::Unsure,
                },
                _ => Tri::Valid,
            },
            "format" if self.draft <= 7 => match (v.value(), kv.as_str()) {
                (Some(J::String(s)), Some(f)) if FORMATS.contains(&f) => {
                    Tri::of(crate::schema_formats::check(f, s).is_ok())
                }
                _ => Tri::Valid,
            },
            "allOf" => Tri::every(kv.as_array().into_iter().flatten(), |s| {
                self.schema(s, v, d)
            }),
            "anyOf" => Tri::any(kv.as_array().into_iter().flatten(), |s| {
                self.schema(s, v, d)
            }),
            "oneOf" => {
                let mut valid = 0;
                for s in kv.as_array().into_iter().flatten() {
                    match self.schema(s, v, d) {
                        Tri::Valid => valid += 1,
                        Tri::Unsure => return Tri::Unsure,
                        Tri::Invalid => {}
                    }
                }
                Tri::of(valid == 1)
            }
            "not" => match self.schema(kv, v, d) {
                Tri::Valid => Tri::Invalid,
                Tri::Invalid => Tri::Valid,
                Tri::Unsure => Tri::Unsure,
            },
            "if" => match self.schema(kv, v, d) {
                Tri::Valid => m.get("then").map_or(Tri::Valid, |s| self.schema(s, v, d)),
                Tri::Invalid => m.get("else").map_or(Tri::Valid, |s| self.schema(s, v, d)),
                Tri::Unsure => Tri::Unsure,
            },
            // `then` and `else` count through `if`; the rest only annotate.
            _ => Tri::Valid,
        }
    }

    /// Whether the schema's pattern `p` matches `s`.
    fn pattern(&self, p: &str, s: &str) -> Tri {
        match self.patterns.get(p) {
            Some(re) => matches(re, s),
            None => Tri::Unsure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the quick check says of `values` under `schema`: `None` when it declines the
    /// schema, else whether the values are surely valid.
    fn quick(schema: &str, values: &str) -> Option<bool> {
        let values: Map<String, J> = serde_json::from_str(values).unwrap();
        match eligible(schema.as_bytes()) {
            Eligible::Yes {
                root,
                draft,
                patterns,
            } => Some(surely_valid(&root, draft, &patterns, &values)),
            Eligible::No => None,
        }
    }

    const D7: &str = r#""$schema": "http://json-schema.org/draft-07/schema#""#;

    #[test]
    fn keywords_it_evaluates() {
        let cases: &[(&str, &str, bool)] = &[
            (
                r#"{"type":"object","properties":{"a":{"type":"integer"}}}"#,
                r#"{"a":3}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"type":"integer"}}}"#,
                r#"{"a":3.0}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"type":"integer"}}}"#,
                r#"{"a":3.5}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"type":["string","null"]}}}"#,
                r#"{"a":null}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"type":["string","null"]}}}"#,
                r#"{"a":1}"#,
                false,
            ),
            (r#"{"required":["a","b"]}"#, r#"{"a":1}"#, false),
            (r#"{"required":["a"]}"#, r#"{"a":null}"#, true),
            (
                r#"{"additionalProperties":false,"properties":{"a":{}}}"#,
                r#"{"a":1}"#,
                true,
            ),
            (
                r#"{"additionalProperties":false,"properties":{"a":{}}}"#,
                r#"{"b":1}"#,
                false,
            ),
            (
                r#"{"additionalProperties":{"type":"string"}}"#,
                r#"{"b":"x","c":"y"}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"enum":["x",1]}}}"#,
                r#"{"a":1.0}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"enum":["x",1]}}}"#,
                r#"{"a":"y"}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"const":{"k":[1]}}}}"#,
                r#"{"a":{"k":[1]}}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"items":{"type":"string"},"minItems":1}}}"#,
                r#"{"a":["x"]}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"items":{"type":"string"}}}}"#,
                r#"{"a":["x",2]}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"minItems":2}}}"#,
                r#"{"a":["x"]}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"uniqueItems":true}}}"#,
                r#"{"a":[1,1.0]}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"maxLength":2}}}"#,
                r#"{"a":"ää"}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"maxLength":2}}}"#,
                r#"{"a":"abc"}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"minimum":1,"exclusiveMaximum":3}}}"#,
                r#"{"a":2.5}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"exclusiveMaximum":3}}}"#,
                r#"{"a":3}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"anyOf":[{"type":"string"},{"type":"integer"}]}}}"#,
                r#"{"a":2}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"oneOf":[{"type":"number"},{"type":"integer"}]}}}"#,
                r#"{"a":2}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"not":{"type":"string"}}}}"#,
                r#"{"a":"s"}"#,
                false,
            ),
            (
                r#"{"if":{"properties":{"on":{"const":true}}},"then":{"required":["port"]},"else":{}}"#,
                r#"{"on":true}"#,
                false,
            ),
            (
                r#"{"if":{"properties":{"on":{"const":true}}},"then":{"required":["port"]}}"#,
                r#"{"on":false}"#,
                true,
            ),
            (
                r##"{"$defs":{"p":{"type":"integer"}},"properties":{"a":{"$ref":"#/$defs/p"}}}"##,
                r##"{"a":"x"}"##,
                false,
            ),
            // Beside a reference, other keywords count from 2019-09 on.
            (
                r##"{"$defs":{"p":{}},"properties":{"a":{"$ref":"#/$defs/p","type":"integer"}}}"##,
                r##"{"a":"x"}"##,
                false,
            ),
            (
                r#"{"properties":{"a":{"pattern":"^[a-z]+$"}}}"#,
                r#"{"a":"abc"}"#,
                true,
            ),
            (
                r#"{"properties":{"a":{"pattern":"^[a-z]+$"}}}"#,
                r#"{"a":"ab1"}"#,
                false,
            ),
            (
                r#"{"properties":{"a":{"pattern":"(?i)^abc$"}}}"#,
                r#"{"a":"ABC"}"#,
                true,
            ),
            (
                r#"{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}"#,
                r#"{"x-a":"s"}"#,
                true,
            ),
            (
                r#"{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}"#,
                r#"{"y":"s"}"#,
                false,
            ),
            (
                r#"{"patternProperties":{"^x-":{"type":"string"}}}"#,
                r#"{"x-a":1}"#,
                false,
            ),
            (
                r#"{"patternProperties":{"^x-":{"type":"string"}}}"#,
                r#"{"y":1,"x-b":"s"}"#,
                true,
            ),
            (
                r#"{"propertyNames":{"maxLength":3}}"#,
                r#"{"abcd":1}"#,
                false,
            ),
            (r#"{"maxProperties":1}"#, r#"{"a":1,"b":2}"#, false),
            (r#"{"type":"string"}"#, r#"{}"#, false),
            (r#"true"#, r#"{"a":1}"#, true),
            (r#"{"properties":{"a":false}}"#, r#"{"a":1}"#, false),
            // Keywords of no draft only annotate.
            (
                r#"{"properties":{"a":{"form":true,"sliderMin":"x","type":"string"}}}"#,
                r#"{"a":"s"}"#,
                true,
            ),
        ];
        for (schema, values, want) in cases {
            assert_eq!(quick(schema, values), Some(*want), "{schema} with {values}");
        }
    }

    #[test]
    fn draft_7_references_replace_the_keywords_beside_them_and_formats_assert() {
        let s = format!(
            r##"{{{D7},"definitions":{{"p":{{}}}},"properties":{{"a":{{"$ref":"#/definitions/p","type":"integer"}}}}}}"##
        );
        assert_eq!(quick(&s, r#"{"a":"x"}"#), Some(true));
        let s = format!(r#"{{{D7},"properties":{{"a":{{"format":"ipv4"}}}}}}"#);
        assert_eq!(quick(&s, r#"{"a":"10.0.0.1"}"#), Some(true));
        assert_eq!(quick(&s, r#"{"a":"10.0.0"}"#), Some(false));
        // From 2019-09 on a format only annotates.
        assert_eq!(
            quick(
                r#"{"properties":{"a":{"format":"ipv4"}}}"#,
                r#"{"a":"10.0.0"}"#
            ),
            Some(true)
        );
    }

    /// Checks it cannot decide are never called valid.
    #[test]
    fn unsure_is_not_valid() {
        // Beyond printable ASCII, regular expression flavours differ.
        assert_eq!(
            quick(
                r#"{"properties":{"a":{"pattern":"^.+$"}}}"#,
                "{\"a\":\"a\\rb\"}"
            ),
            Some(false)
        );
        // Integers a float cannot hold exactly.
        assert_eq!(
            quick(
                r#"{"properties":{"a":{"maximum":9007199254740992}}}"#,
                r#"{"a":9007199254740993}"#
            ),
            Some(false)
        );
        // Numbers compared beyond a float's exactness.
        assert_eq!(
            quick(
                r#"{"properties":{"a":{"enum":[1,9007199254740992]}}}"#,
                r#"{"a":9007199254740993}"#
            ),
            Some(false)
        );
        // A schema whose branches refer to itself: a cycle, found at once.
        assert_eq!(
            quick(
                r##"{"$defs":{"l":{"anyOf":[{"$ref":"#/$defs/l"},{"$ref":"#/$defs/l"}]}},"$ref":"#/$defs/l"}"##,
                "{}"
            ),
            Some(false)
        );
        // A reference back to itself with no value in between.
        assert_eq!(
            quick(
                r##"{"$defs":{"l":{"$ref":"#/$defs/l"}},"$ref":"#/$defs/l"}"##,
                "{}"
            ),
            Some(false)
        );
    }

    /// A reference may point anywhere in the document, also into a container of schemas
    /// that is no schema itself.
    #[test]
    fn references_into_containers_under_definitions() {
        let s = r##"{"definitions":{"config":{"n":{"type":"integer"}}},"properties":{"a":{"$ref":"#/definitions/config/n"}}}"##;
        assert_eq!(quick(s, r#"{"a":1}"#), Some(true));
        assert_eq!(quick(s, r#"{"a":"x"}"#), Some(false));
        // Targets refer on, in a cycle too.
        let s = r##"{"definitions":{"c":{"a":{"items":{"$ref":"#/definitions/c/b"}},"b":{"items":{"$ref":"#/definitions/c/a"}}}},"properties":{"x":{"$ref":"#/definitions/c/a"}}}"##;
        assert_eq!(quick(s, r#"{"x":[[[]]]}"#), Some(true));
    }

    #[test]
    fn numbers_written_as_their_floats_print() {
        for n in [
            "0.3",
            "1.5",
            "-2",
            "1e300",
            "100000000000000000000",
            "0",
            "-0.0",
            "1.50e2",
            "123456789012345",
        ] {
            assert!(shortest(n), "{n}");
        }
        for n in [
            "0.29999999999999999",
            "99999999999999999999",
            "1.0000000000000001",
            "1e-400",
        ] {
            assert!(!shortest(n), "{n}");
        }
        assert!(numbers_as_floats_hold_them(
            br#"{"a":"0.29999999999999999","b":[1,2.5]}"#
        ));
        assert!(!numbers_as_floats_hold_them(
            br#"{"a":"x\"","b":0.29999999999999999}"#
        ));
    }

    #[test]
    fn root_identifiers_every_reader_takes() {
        for id in [
            "https://example.com/charts/app.schema.json",
            "http://example.com:8080/s#",
            "values.schema.json",
            "",
        ] {
            let schema = serde_json::json!({"$id": id, "type": "object"}).to_string();
            assert_eq!(quick(&schema, r#"{"a":1}"#), Some(true), "{id}");
        }
    }

    #[test]
    fn schemas_left_to_the_full_validator() {
        let declined = [
            r#"{"$schema":"http://json-schema.org/draft-04/schema#"}"#,
            r#"{"$schema":"http://json-schema.org/draft-06/schema#"}"#,
            r#"{"$schema":"http://example.com/custom"}"#,
            r#"{"properties":{"a":{"$ref":"https://example.com/k8s.json"}}}"#,
            r##"{"properties":{"a":{"$ref":"#/definitions/missing"}}}"##,
            r##"{"definitions":{"c":{"n":{"type":"strin"}}},"properties":{"a":{"$ref":"#/definitions/c/n"}}}"##,
            r##"{"allOf":[{}],"properties":{"a":{"$ref":"#/allOf/01"}}}"##,
            r##"{"properties":{"a":{"$ref":"#/$defs/a~1b"}},"$defs":{"a/b":{}}}"##,
            r#"{"properties":{"a":{"$id":"inner.json"}}}"#,
            r#"{"$id":":foo"}"#,
            r#"{"$id":"a\\b"}"#,
            r#"{"$id":"http://1::2/x"}"#,
            r#"{"$id":"a%zz"}"#,
            r#"{"$id":"http://x.example/s.json##"}"#,
            r#"{"$id":"http://example.com:abc/s"}"#,
            // Numbers written more precisely than a float holds them.
            r#"{"properties":{"a":{"maximum":0.29999999999999999}}}"#,
            r#"{"properties":{"a":{"enum":[0.30000000000000001]}}}"#,
            r#"{"properties":{"a":{"maximum":99999999999999999999}}}"#,
            r##"{"$defs":{"a\\b":{}},"properties":{"a":{"$ref":"#/$defs/a\\b"}}}"##,
            r#"{"properties":{"a":{"maxLength":9223372036854775808}}}"#,
            r#"{"properties":{"a":{"pattern":"\\u0061"}}}"#,
            r#"{"properties":{"a":{"multipleOf":0.1}}}"#,
            r#"{"properties":{"a":{"items":[{"type":"string"}]}}}"#,
            r#"{"properties":{"a":{"type":"strin"}}}"#,
            r#"{"properties":{"a":{"type":["string","string"]}}}"#,
            r#"{"required":["a","a"]}"#,
            r#"{"properties":{"a":{"minLength":1.5}}}"#,
            r#"{"properties":{"a":{"description":7}}}"#,
            r#"{"properties":{"a":{"anyOf":[]}}}"#,
            r#"{"properties":{"a":{"pattern":"(?s)a.b"}}}"#,
            r#"{"properties":{"a":{"pattern":"a{,3}"}}}"#,
            r#"{"properties":{"a":{"pattern":"(?=a)"}}}"#,
            r#"{"properties":{"a":{"dependentRequired":{}}}}"#,
            r#"{"properties":{"a":{"$schema":"http://json-schema.org/draft-07/schema#"}}}"#,
            r#"[1]"#,
            r#"{"a":"#,
        ];
        for schema in declined {
            assert_eq!(quick(schema, "{}"), None, "{schema}");
        }
    }
}
