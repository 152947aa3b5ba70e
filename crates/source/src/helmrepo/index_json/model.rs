//! Helm's `repo.IndexFile` types as Go's `encoding/json` fills and writes them.
//!
//! Decoding follows `json.Unmarshal` into Helm v4's structs: field names match exactly, else
//! case-insensitively; `null` leaves a string or bool as it was and makes a slice, map or
//! pointer nil; a repeated key decodes into what the first one left (maps merge, slices are
//! overwritten element by element and truncated); a value of the wrong type fails the whole
//! index. For YAML (`sigs.k8s.io/yaml.UnmarshalStrict`) unknown fields fail too, and numbers and
//! booleans that sigs.k8s.io/yaml believes are bound for a string become strings first (see
//! [`Ty`] for where it is wrong).
//!
//! Validation is Helm's `Metadata.Validate` (strings sanitised in place, as Go does), and the
//! encoder is `json.MarshalIndent(.., "", "  ")`: Go's field order and `omitempty` rules, map
//! keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped, times as RFC 3339 with nanoseconds.

use std::collections::BTreeMap;

/// A decoded value before it meets its Go type: a YAML node after go-yaml v2's resolution, or
/// a JSON value. Object keys keep their order (sorted for YAML, as sigs.k8s.io/yaml's JSON
/// has them; as written for JSON) and repeats.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum V {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<V>),
    Map(Vec<(String, V)>),
}

impl V {
    fn kind(&self) -> &'static str {
        match self {
            V::Null => "null",
            V::Bool(_) => "bool",
            V::Int(_) | V::Uint(_) | V::Float(_) => "number",
            V::Str(_) => "string",
            V::Seq(_) => "array",
            V::Map(_) => "object",
        }
    }
}

/// A Go `interface{}` as `encoding/json` decodes it: every number a float64.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Any {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Seq(Vec<Any>),
    Map(BTreeMap<String, Any>),
}

/// `time.Time` from an RFC 3339 string; `None` is Go's zero time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct GoTime(Option<Stamp>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    min: u8,
    sec: u8,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Maintainer {
    name: String,
    email: String,
    url: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Dependency {
    name: String,
    version: String,
    repository: String,
    condition: String,
    tags: Option<Vec<String>>,
    enabled: bool,
    import_values: Option<Vec<Any>>,
    alias: String,
}

/// Helm's `repo.ChartVersion`: the embedded `chart.Metadata`, then its own fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct ChartVersion {
    pub(super) name: String,
    home: String,
    sources: Option<Vec<String>>,
    pub(super) version: String,
    description: String,
    keywords: Option<Vec<String>>,
    maintainers: Option<Vec<Option<Maintainer>>>,
    icon: String,
    api_version: String,
    condition: String,
    tags: String,
    app_version: String,
    deprecated: bool,
    annotations: Option<BTreeMap<String, String>>,
    kube_version: String,
    dependencies: Option<Vec<Option<Dependency>>>,
    chart_type: String,
    urls: Option<Vec<String>>,
    created: GoTime,
    removed: bool,
    digest: String,
    checksum: String,
    engine: String,
    tiller_version: String,
    url: String,
}

/// The top-level fields of `repo.IndexFile` other than `entries`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Head {
    pub(super) server_info: Option<BTreeMap<String, Any>>,
    pub(super) api_version: String,
    pub(super) generated: GoTime,
    pub(super) public_keys: Option<Vec<String>>,
    pub(super) annotations: Option<BTreeMap<String, String>>,
}

pub(super) const ROOT_FIELDS: &[&str] = &[
    "serverInfo",
    "apiVersion",
    "generated",
    "entries",
    "publicKeys",
    "annotations",
];
const VERSION_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
    "urls",
    "created",
    "removed",
    "digest",
    "checksum",
    "engine",
    "tillerVersion",
    "url",
];
const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// The struct field `key` names, as `encoding/json` looks it up: an exact match, else a
/// case-insensitive one (Unicode simple folding: `K` KELVIN SIGN and `ſ` fold to ASCII).
pub(super) fn field_index(key: &str, names: &[&str]) -> Option<usize> {
    names
        .iter()
        .position(|n| *n == key)
        .or_else(|| names.iter().position(|n| fold_eq(n, key)))
}

fn fold_eq(name: &str, key: &str) -> bool {
    let mut chars = key.chars();
    for b in name.bytes() {
        let Some(c) = chars.next() else {
            return false;
        };
        let same = if c.is_ascii() {
            (c as u8).eq_ignore_ascii_case(&b)
        } else {
            (c == '\u{212A}' && b.eq_ignore_ascii_case(&b'k'))
                || (c == '\u{17F}' && b.eq_ignore_ascii_case(&b's'))
        };
        if !same {
            return false;
        }
    }
    chars.next().is_none()
}

/// How values meet their Go types.
#[derive(Clone, Copy, Debug)]
pub(super) struct Decoder {
    /// sigs.k8s.io/yaml's strict path: unknown fields fail.
    pub(super) yaml: bool,
}

/// The Go type sigs.k8s.io/yaml believes a YAML value is bound for, which decides whether a
/// number or boolean there is turned into a string before JSON decoding.
///
/// Its lookup takes `t.Field(f.index[0])` for a field, which for the fields `ChartVersion`
/// promotes from its embedded `*chart.Metadata` is the embedded pointer, not the field: every
/// Metadata field of a chart version is believed to be a `Metadata` struct. So `version: 1.10`
/// or `appVersion: 1.0` stays a number and fails the whole index (as `helm repo add` reports:
/// "cannot unmarshal number into Go struct field ChartVersion.entries.appVersion of type
/// string"), nothing inside `maintainers`, `dependencies`, `keywords` or `sources` is coerced,
/// and an annotation is coerced only when its key happens to name a Metadata string field;
/// while `digest: 0123` (octal 83) becomes `"83"` and `urls: [1]` becomes `["1"]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    IndexFile,
    /// `map[string]ChartVersions`
    Entries,
    /// `ChartVersions` (`[]*ChartVersion`)
    ChartVersions,
    ChartVersion,
    Metadata,
    Maintainer,
    Dependency,
    Str,
    SliceStr,
    MapStr,
    SliceMaintainer,
    SliceDependency,
    /// No hint (interface{}, bool, time.Time, unknown fields): nothing below is coerced.
    Opaque,
}

/// sigs.k8s.io/yaml's `convertToJSONableObject`: numbers and booleans bound for a string
/// become strings (`1.5` through float32, `0x1F` → `"31"`, `yes` → `"true"`).
pub(super) fn coerce(v: &mut V, t: Ty) {
    match v {
        V::Map(pairs) => {
            for (k, x) in pairs {
                let ct = match t {
                    Ty::Entries => Ty::ChartVersions,
                    Ty::MapStr => Ty::Str,
                    _ => field_ty(t, k),
                };
                coerce(x, ct);
            }
        }
        V::Seq(items) => {
            let et = match t {
                Ty::ChartVersions => Ty::ChartVersion,
                Ty::SliceStr => Ty::Str,
                Ty::SliceMaintainer => Ty::Maintainer,
                Ty::SliceDependency => Ty::Dependency,
                _ => Ty::Opaque,
            };
            for x in items {
                coerce(x, et);
            }
        }
        V::Int(i) if t == Ty::Str => *v = V::Str(i.to_string()),
        V::Uint(u) if t == Ty::Str => *v = V::Str(u.to_string()),
        V::Float(f) if t == Ty::Str => *v = V::Str(format_g32(*f)),
        V::Bool(b) if t == Ty::Str => *v = V::Str(b.to_string()),
        _ => {}
    }
}

/// The hint for the value of field `key` of struct type `t`.
pub(super) fn field_ty(t: Ty, key: &str) -> Ty {
    match t {
        Ty::IndexFile => match field_index(key, ROOT_FIELDS) {
            Some(1) => Ty::Str,
            Some(3) => Ty::Entries,
            Some(4) => Ty::SliceStr,
            Some(5) => Ty::MapStr,
            _ => Ty::Opaque,
        },
        Ty::ChartVersion => match field_index(key, VERSION_FIELDS) {
            Some(0..=16) => Ty::Metadata,
            Some(17) => Ty::SliceStr,
            Some(20..=24) => Ty::Str,
            _ => Ty::Opaque,
        },
        Ty::Metadata => match field_index(key, &VERSION_FIELDS[..17]) {
            Some(2 | 5) => Ty::SliceStr,
            Some(6) => Ty::SliceMaintainer,
            Some(12) => Ty::Opaque,
            Some(13) => Ty::MapStr,
            Some(15) => Ty::SliceDependency,
            Some(_) => Ty::Str,
            None => Ty::Opaque,
        },
        Ty::Maintainer => match field_index(key, MAINTAINER_FIELDS) {
            Some(_) => Ty::Str,
            None => Ty::Opaque,
        },
        Ty::Dependency => match field_index(key, DEPENDENCY_FIELDS) {
            Some(4) => Ty::SliceStr,
            Some(5 | 6) | None => Ty::Opaque,
            Some(_) => Ty::Str,
        },
        _ => Ty::Opaque,
    }
}

type R<T> = Result<T, String>;

fn type_error(v: &V, want: &str, at: &str) -> String {
    format!("cannot unmarshal {} into {at} of type {want}", v.kind())
}

impl Decoder {
    /// A string field; `None` for null (Go leaves the field as it was).
    fn string(&self, v: V, at: &str) -> R<Option<String>> {
        match v {
            V::Null => Ok(None),
            V::Str(s) => Ok(Some(s)),
            other => Err(type_error(&other, "string", at)),
        }
    }

    fn string_into(&self, dst: &mut String, v: V, at: &str) -> R<()> {
        if let Some(s) = self.string(v, at)? {
            *dst = s;
        }
        Ok(())
    }

    fn bool_into(&self, dst: &mut bool, v: V, at: &str) -> R<()> {
        match v {
            V::Null => {}
            V::Bool(b) => *dst = b,
            other => return Err(type_error(&other, "bool", at)),
        }
        Ok(())
    }

    /// A slice: element by element into what is there, then truncated; null makes it nil.
    fn slice_into<T: Default>(
        &self,
        dst: &mut Option<Vec<T>>,
        v: V,
        at: &str,
        mut elem: impl FnMut(&Self, &mut T, V) -> R<()>,
    ) -> R<()> {
        let items = match v {
            V::Null => {
                *dst = None;
                return Ok(());
            }
            V::Seq(items) => items,
            other => return Err(type_error(&other, "array", at)),
        };
        let out = dst.get_or_insert_with(Vec::new);
        let n = items.len();
        for (i, item) in items.into_iter().enumerate() {
            if i >= out.len() {
                out.push(T::default());
            }
            elem(self, &mut out[i], item)?;
        }
        out.truncate(n);
        Ok(())
    }

    fn strings_into(&self, dst: &mut Option<Vec<String>>, v: V, at: &str) -> R<()> {
        self.slice_into(dst, v, at, |d, s, item| d.string_into(s, item, at))
    }

    /// `map[string]string`: keys added to what is there, each value decoded from "".
    fn string_map_into(&self, dst: &mut Option<BTreeMap<String, String>>, v: V, at: &str) -> R<()> {
        let pairs = match v {
            V::Null => {
                *dst = None;
                return Ok(());
            }
            V::Map(pairs) => pairs,
            other => return Err(type_error(&other, "map[string]string", at)),
        };
        let out = dst.get_or_insert_with(BTreeMap::new);
        for (k, item) in pairs {
            let s = self.string(item, at)?.unwrap_or_default();
            out.insert(k, s);
        }
        Ok(())
    }

    fn any_map_into(&self, dst: &mut Option<BTreeMap<String, Any>>, v: V, at: &str) -> R<()> {
        let pairs = match v {
            V::Null => {
                *dst = None;
                return Ok(());
            }
            V::Map(pairs) => pairs,
            other => return Err(type_error(&other, "map[string]interface {}", at)),
        };
        let out = dst.get_or_insert_with(BTreeMap::new);
        for (k, item) in pairs {
            out.insert(k, any(item)?);
        }
        Ok(())
    }

    fn time_into(&self, dst: &mut GoTime, v: V, at: &str) -> R<()> {
        match v {
            V::Null => Ok(()),
            V::Str(s) => match parse_rfc3339(&s) {
                Some(t) => {
                    *dst = GoTime(Some(t));
                    Ok(())
                }
                None => Err(format!(
                    "{at}: parsing time {s:?} as \"2006-01-02T15:04:05Z07:00\": not RFC 3339"
                )),
            },
            other => Err(format!(
                "{at}: Time.UnmarshalJSON: input is not a JSON string ({})",
                other.kind()
            )),
        }
    }

    /// Walks an object's fields as `encoding/json` does for a struct.
    fn fields(
        &self,
        v: V,
        names: &[&str],
        what: &str,
        mut field: impl FnMut(usize, V) -> R<()>,
    ) -> R<()> {
        let pairs = match v {
            V::Map(pairs) => pairs,
            other => return Err(type_error(&other, what, what)),
        };
        for (k, item) in pairs {
            match field_index(&k, names) {
                Some(i) => field(i, item)?,
                None if self.yaml => {
                    return Err(format!("unknown field {k:?} in {what}"));
                }
                None => {}
            }
        }
        Ok(())
    }

    fn maintainer_into(&self, dst: &mut Option<Maintainer>, v: V) -> R<()> {
        if v == V::Null {
            *dst = None;
            return Ok(());
        }
        let m = dst.get_or_insert_with(Maintainer::default);
        let at = "maintainers";
        self.fields(
            v,
            MAINTAINER_FIELDS,
            "chart.Maintainer",
            |i, item| match i {
                0 => self.string_into(&mut m.name, item, at),
                1 => self.string_into(&mut m.email, item, at),
                _ => self.string_into(&mut m.url, item, at),
            },
        )
    }

    fn dependency_into(&self, dst: &mut Option<Dependency>, v: V) -> R<()> {
        if v == V::Null {
            *dst = None;
            return Ok(());
        }
        let d = dst.get_or_insert_with(Dependency::default);
        let at = "dependencies";
        self.fields(
            v,
            DEPENDENCY_FIELDS,
            "chart.Dependency",
            |i, item| match i {
                0 => self.string_into(&mut d.name, item, at),
                1 => self.string_into(&mut d.version, item, at),
                2 => self.string_into(&mut d.repository, item, at),
                3 => self.string_into(&mut d.condition, item, at),
                4 => self.strings_into(&mut d.tags, item, at),
                5 => self.bool_into(&mut d.enabled, item, at),
                6 => match item {
                    V::Null => {
                        d.import_values = None;
                        Ok(())
                    }
                    V::Seq(items) => {
                        d.import_values = Some(items.into_iter().map(any).collect::<R<_>>()?);
                        Ok(())
                    }
                    other => Err(type_error(&other, "[]interface {}", "import-values")),
                },
                _ => self.string_into(&mut d.alias, item, at),
            },
        )
    }

    /// One element of a chart's list: `None` for null (a nil `*ChartVersion`, kept).
    pub(super) fn chart_version(&self, v: V) -> R<Option<ChartVersion>> {
        if v == V::Null {
            return Ok(None);
        }
        let mut cv = ChartVersion::default();
        let c = &mut cv;
        self.fields(v, VERSION_FIELDS, "repo.ChartVersion", |i, item| {
            let at = VERSION_FIELDS[i];
            match i {
                0 => self.string_into(&mut c.name, item, at),
                1 => self.string_into(&mut c.home, item, at),
                2 => self.strings_into(&mut c.sources, item, at),
                3 => self.string_into(&mut c.version, item, at),
                4 => self.string_into(&mut c.description, item, at),
                5 => self.strings_into(&mut c.keywords, item, at),
                6 => self.slice_into(&mut c.maintainers, item, at, |d, m, x| {
                    d.maintainer_into(m, x)
                }),
                7 => self.string_into(&mut c.icon, item, at),
                8 => self.string_into(&mut c.api_version, item, at),
                9 => self.string_into(&mut c.condition, item, at),
                10 => self.string_into(&mut c.tags, item, at),
                11 => self.string_into(&mut c.app_version, item, at),
                12 => self.bool_into(&mut c.deprecated, item, at),
                13 => self.string_map_into(&mut c.annotations, item, at),
                14 => self.string_into(&mut c.kube_version, item, at),
                15 => self.slice_into(&mut c.dependencies, item, at, |d, x, y| {
                    d.dependency_into(x, y)
                }),
                16 => self.string_into(&mut c.chart_type, item, at),
                17 => self.strings_into(&mut c.urls, item, at),
                18 => self.time_into(&mut c.created, item, at),
                19 => self.bool_into(&mut c.removed, item, at),
                20 => self.string_into(&mut c.digest, item, at),
                21 => self.string_into(&mut c.checksum, item, at),
                22 => self.string_into(&mut c.engine, item, at),
                23 => self.string_into(&mut c.tiller_version, item, at),
                _ => self.string_into(&mut c.url, item, at),
            }
        })?;
        Ok(Some(cv))
    }

    /// A top-level field other than `entries` (`index` from [`ROOT_FIELDS`]).
    pub(super) fn head_field(&self, head: &mut Head, index: usize, v: V) -> R<()> {
        let at = ROOT_FIELDS[index];
        match index {
            0 => self.any_map_into(&mut head.server_info, v, at),
            1 => self.string_into(&mut head.api_version, v, at),
            2 => self.time_into(&mut head.generated, v, at),
            4 => self.strings_into(&mut head.public_keys, v, at),
            5 => self.string_map_into(&mut head.annotations, v, at),
            _ => unreachable!("entries are handled by the caller"),
        }
    }
}

/// `interface{}`: numbers become float64; NaN and infinities cannot be written as JSON.
fn any(v: V) -> R<Any> {
    Ok(match v {
        V::Null => Any::Null,
        V::Bool(b) => Any::Bool(b),
        V::Int(i) => Any::Num(i as f64),
        V::Uint(u) => Any::Num(u as f64),
        V::Float(f) if f.is_finite() => Any::Num(f),
        V::Float(f) => return Err(format!("json: unsupported value: {}", format_g64(f))),
        V::Str(s) => Any::Str(s),
        V::Seq(items) => Any::Seq(items.into_iter().map(any).collect::<R<_>>()?),
        V::Map(pairs) => {
            let mut m = BTreeMap::new();
            for (k, item) in pairs {
                m.insert(k, any(item)?);
            }
            Any::Map(m)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Validation (Helm's Metadata.Validate, through Flux's IndexFromBytes)

/// Why Helm drops a chart version from the index.
pub(super) fn validate(cv: &mut ChartVersion) -> Result<(), String> {
    if cv.api_version.is_empty() {
        cv.api_version = "v1".to_string();
    }
    for s in [
        &mut cv.name,
        &mut cv.description,
        &mut cv.home,
        &mut cv.icon,
        &mut cv.condition,
        &mut cv.tags,
        &mut cv.app_version,
        &mut cv.kube_version,
    ] {
        sanitize(s);
    }
    for list in [&mut cv.sources, &mut cv.keywords].into_iter().flatten() {
        list.iter_mut().for_each(sanitize);
    }
    if cv.name.is_empty() {
        return Err("chart.metadata.name is required".into());
    }
    if cv.name == "." || cv.name == ".." {
        return Err(format!("chart.metadata.name {:?} is not allowed", cv.name));
    }
    if go_base(&cv.name) != cv.name {
        return Err(format!("chart.metadata.name {:?} is invalid", cv.name));
    }
    if cv.version.is_empty() {
        return Err("chart.metadata.version is required".into());
    }
    if ferroflux_versions::Version::parse(&cv.version).is_err() {
        return Err(format!(
            "chart.metadata.version {:?} is invalid",
            cv.version
        ));
    }
    if !matches!(cv.chart_type.as_str(), "" | "application" | "library") {
        return Err("chart.metadata.type must be application or library".into());
    }
    for m in cv.maintainers.iter_mut().flatten() {
        let Some(m) = m else {
            return Err("maintainers must not contain empty or null nodes".into());
        };
        sanitize(&mut m.name);
        sanitize(&mut m.email);
        sanitize(&mut m.url);
    }
    let mut seen = std::collections::HashSet::new();
    for d in cv.dependencies.iter_mut().flatten() {
        let Some(d) = d else {
            return Err("dependencies must not contain empty or null nodes".into());
        };
        sanitize(&mut d.name);
        sanitize(&mut d.version);
        sanitize(&mut d.repository);
        sanitize(&mut d.condition);
        d.tags.iter_mut().flatten().for_each(sanitize);
        if !d.alias.is_empty()
            && !d
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            ));
        }
        let key = if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        };
        if !seen.insert(key) {
            // Skippable (JFrog strips aliases): the version stays, and Helm's loop stops here,
            // so the dependencies after this one are neither sanitised nor checked.
            return Ok(());
        }
    }
    Ok(())
}

/// Helm's `sanitizeString`: white space (Go's `unicode.IsSpace`) becomes a space, what Go's
/// `unicode.IsPrint` refuses (controls, format characters, private use, unassigned) goes.
pub(super) fn sanitize(s: &mut String) {
    if s.bytes().all(|b| (0x21..0x7f).contains(&b) || b == b' ') {
        return;
    }
    *s = s
        .chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect();
}

/// Go's `unicode.IsPrint` for a character that is not white space: letters, marks, numbers,
/// punctuation and symbols. Rust's own notion of printable (what `escape_debug` leaves alone
/// after the first character) excludes exactly Cc, Cf, Cs, Co, Cn and Z*, the same classes;
/// only the Unicode versions differ (Go 1.26 has 15.0).
fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (0x20..0x7f).contains(&(c as u32));
    }
    let mut buf = [0u8; 8];
    buf[0] = b'a';
    let n = 1 + c.encode_utf8(&mut buf[1..]).len();
    let two = std::str::from_utf8(&buf[..n]).unwrap_or("a");
    let mut escaped = two.escape_debug();
    escaped.next();
    escaped.next() == Some(c)
}

/// Go's `filepath.Base` on Unix.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

// ---------------------------------------------------------------------------------------------
// Time

/// Go's `parseRFC3339` (what `Time.UnmarshalJSON` accepts since Go 1.20).
fn parse_rfc3339(s: &str) -> Option<Stamp> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>, min: u32, max: u32| -> Option<u32> {
        let mut x: u32 = 0;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            x = x * 10 + u32::from(c - b'0');
        }
        (min..=max).contains(&x).then_some(x)
    };
    let year = num(0..4, 0, 9999)?;
    let month = num(5..7, 1, 12)?;
    let day = num(
        8..10,
        1,
        ferroflux_goformat::days_in_month(i64::from(year), month).unwrap_or(31),
    )?;
    let hour = num(11..13, 0, 23)?;
    let min = num(14..16, 0, 59)?;
    let sec = num(17..19, 0, 59)?;
    if !(b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':') {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
        let mut n = 2;
        while n < rest.len() && rest[n].is_ascii_digit() {
            n += 1;
        }
        // Nine digits at most count; the rest are dropped.
        for i in 1..10 {
            nanos = nanos * 10
                + rest
                    .get(i)
                    .filter(|_| i < n)
                    .map_or(0, |d| u32::from(d - b'0'));
        }
        rest = &rest[n..];
    }
    let offset = if rest == b"Z" {
        0
    } else {
        if rest.len() != 6 {
            return None;
        }
        let at = b.len() - 6;
        let hr = num(at + 1..at + 3, 0, 23)?;
        let mm = num(at + 4..at + 6, 0, 59)?;
        if !(matches!(rest[0], b'-' | b'+') && rest[3] == b':') {
            return None;
        }
        let o = (hr * 60 + mm) as i32 * 60;
        if rest[0] == b'-' { -o } else { o }
    };
    Some(Stamp {
        year: year as u16,
        month: month as u8,
        day: day as u8,
        hour: hour as u8,
        min: min as u8,
        sec: sec as u8,
        nanos,
        offset,
    })
}

impl GoTime {
    /// `time.RFC3339Nano`, as `Time.MarshalJSON` writes it (zero time: year 1, UTC).
    fn write(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let t = self.0.unwrap_or(Stamp {
            year: 1,
            month: 1,
            day: 1,
            hour: 0,
            min: 0,
            sec: 0,
            nanos: 0,
            offset: 0,
        });
        let _ = write!(
            out,
            "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year, t.month, t.day, t.hour, t.min, t.sec
        );
        if t.nanos != 0 {
            let frac = format!("{:09}", t.nanos);
            let _ = write!(out, ".{}", frac.trim_end_matches('0'));
        }
        if t.offset == 0 {
            out.extend_from_slice(b"Z\"");
        } else {
            let sign = if t.offset < 0 { '-' } else { '+' };
            let o = t.offset.unsigned_abs() / 60;
            let _ = write!(out, "{sign}{:02}:{:02}\"", o / 60, o % 60);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml turns a YAML float bound for a
/// string into text (through float32: `1.10` → `1.1`, `3.14159265` → `3.1415927`).
pub(super) fn format_g32(f: f64) -> String {
    ferroflux_goformat::float_g(f, true)
}

fn format_g64(f: f64) -> String {
    ferroflux_goformat::float_g(f, false)
}

/// A float64 as `encoding/json` writes it: `%f` from 1e-6 up to 1e21, `%e` (with `e-7`, not
/// `e-07`) outside, shortest digits either way.
fn write_float(out: &mut Vec<u8>, f: f64) {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        out.extend_from_slice(mant.as_bytes());
        if exp < 0 {
            out.extend_from_slice(format!("e-{}", -exp).as_bytes());
        } else {
            out.extend_from_slice(format!("e+{exp:02}").as_bytes());
        }
    } else {
        out.extend_from_slice(format!("{f}").as_bytes());
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding (json.MarshalIndent with two spaces)

/// A JSON string as Go's `encoding/json` escapes it (HTML-safe).
pub(super) fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            b'<' | b'>' | b'&' | 0..=0x1f => None,
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(if bytes[i + 2] == 0xa8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 3;
                start = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        match escape {
            Some(e) => out.extend_from_slice(e),
            None => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

pub(super) fn newline(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.resize(out.len() + 2 * depth, b' ');
}

/// An object being written at `depth`: `{`, then `"key": value` lines, then `}`.
pub(super) struct Obj<'a> {
    pub(super) out: &'a mut Vec<u8>,
    depth: usize,
    empty: bool,
}

impl<'a> Obj<'a> {
    pub(super) fn open(out: &'a mut Vec<u8>, depth: usize) -> Obj<'a> {
        out.push(b'{');
        Obj {
            out,
            depth,
            empty: true,
        }
    }

    /// Writes the key; the caller writes the value at `self.depth + 1`.
    pub(super) fn key(&mut self, k: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        newline(self.out, self.depth + 1);
        write_str(self.out, k);
        self.out.extend_from_slice(b": ");
        self.out
    }

    pub(super) fn close(self) {
        if !self.empty {
            newline(self.out, self.depth);
        }
        self.out.push(b'}');
    }

    fn str(&mut self, k: &str, v: &str) {
        let out = self.key(k);
        write_str(out, v);
    }

    /// An `omitempty` string.
    fn str_opt(&mut self, k: &str, v: &str) {
        if !v.is_empty() {
            self.str(k, v);
        }
    }

    fn bool_opt(&mut self, k: &str, v: bool) {
        if v {
            self.key(k).extend_from_slice(b"true");
        }
    }
}

pub(super) fn write_strings(out: &mut Vec<u8>, items: &[String], depth: usize) {
    write_list(out, items, depth, |out, s, _| write_str(out, s));
}

fn write_list<T>(
    out: &mut Vec<u8>,
    items: &[T],
    depth: usize,
    mut item: impl FnMut(&mut Vec<u8>, &T, usize),
) {
    out.push(b'[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        newline(out, depth + 1);
        item(out, x, depth + 1);
    }
    if !items.is_empty() {
        newline(out, depth);
    }
    out.push(b']');
}

pub(super) fn write_string_map(out: &mut Vec<u8>, m: &BTreeMap<String, String>, depth: usize) {
    let mut o = Obj::open(out, depth);
    for (k, v) in m {
        o.str(k, v);
    }
    o.close();
}

pub(super) fn write_any_map(out: &mut Vec<u8>, m: &BTreeMap<String, Any>, depth: usize) {
    let mut o = Obj::open(out, depth);
    for (k, v) in m {
        let out = o.key(k);
        write_any(out, v, depth + 1);
    }
    o.close();
}

fn write_any(out: &mut Vec<u8>, v: &Any, depth: usize) {
    match v {
        Any::Null => out.extend_from_slice(b"null"),
        Any::Bool(true) => out.extend_from_slice(b"true"),
        Any::Bool(false) => out.extend_from_slice(b"false"),
        Any::Num(f) => write_float(out, *f),
        Any::Str(s) => write_str(out, s),
        Any::Seq(items) => write_list(out, items, depth, write_any),
        Any::Map(m) => write_any_map(out, m, depth),
    }
}

/// Writes `strings` (a `[]string`) as Go does: nil is `null`.
pub(super) fn write_opt_strings(out: &mut Vec<u8>, v: &Option<Vec<String>>, depth: usize) {
    match v {
        None => out.extend_from_slice(b"null"),
        Some(items) => write_strings(out, items, depth),
    }
}

impl Head {
    pub(super) fn write_generated(&self, out: &mut Vec<u8>) {
        self.generated.write(out);
    }
}

impl ChartVersion {
    /// The version as one element of its chart's list (at `depth`).
    pub(super) fn write(&self, out: &mut Vec<u8>, depth: usize) {
        let d = depth + 1;
        let mut o = Obj::open(out, depth);
        o.str_opt("name", &self.name);
        o.str_opt("home", &self.home);
        if let Some(s) = self.sources.as_ref().filter(|s| !s.is_empty()) {
            write_strings(o.key("sources"), s, d);
        }
        o.str_opt("version", &self.version);
        o.str_opt("description", &self.description);
        if let Some(s) = self.keywords.as_ref().filter(|s| !s.is_empty()) {
            write_strings(o.key("keywords"), s, d);
        }
        if let Some(ms) = self.maintainers.as_ref().filter(|s| !s.is_empty()) {
            write_list(o.key("maintainers"), ms, d, |out, m, d| match m {
                None => out.extend_from_slice(b"null"),
                Some(m) => {
                    let mut mo = Obj::open(out, d);
                    mo.str_opt("name", &m.name);
                    mo.str_opt("email", &m.email);
                    mo.str_opt("url", &m.url);
                    mo.close();
                }
            });
        }
        o.str_opt("icon", &self.icon);
        o.str_opt("apiVersion", &self.api_version);
        o.str_opt("condition", &self.condition);
        o.str_opt("tags", &self.tags);
        o.str_opt("appVersion", &self.app_version);
        o.bool_opt("deprecated", self.deprecated);
        if let Some(a) = self.annotations.as_ref().filter(|a| !a.is_empty()) {
            write_string_map(o.key("annotations"), a, d);
        }
        o.str_opt("kubeVersion", &self.kube_version);
        if let Some(ds) = self.dependencies.as_ref().filter(|s| !s.is_empty()) {
            write_list(o.key("dependencies"), ds, d, |out, dep, d| match dep {
                None => out.extend_from_slice(b"null"),
                Some(dep) => dep.write(out, d),
            });
        }
        o.str_opt("type", &self.chart_type);
        write_opt_strings(o.key("urls"), &self.urls, d);
        self.created.write(o.key("created"));
        o.bool_opt("removed", self.removed);
        o.str_opt("digest", &self.digest);
        o.str_opt("checksum", &self.checksum);
        o.str_opt("engine", &self.engine);
        o.str_opt("tillerVersion", &self.tiller_version);
        o.str_opt("url", &self.url);
        o.close();
    }
}

impl Dependency {
    fn write(&self, out: &mut Vec<u8>, depth: usize) {
        let d = depth + 1;
        let mut o = Obj::open(out, depth);
        o.str("name", &self.name);
        o.str_opt("version", &self.version);
        o.str("repository", &self.repository);
        o.str_opt("condition", &self.condition);
        if let Some(t) = self.tags.as_ref().filter(|t| !t.is_empty()) {
            write_strings(o.key("tags"), t, d);
        }
        o.bool_opt("enabled", self.enabled);
        if let Some(iv) = self.import_values.as_ref().filter(|t| !t.is_empty()) {
            write_list(o.key("import-values"), iv, d, |out, x, d| {
                write_any(out, x, d)
            });
        }
        o.str_opt("alias", &self.alias);
        o.close();
    }
}
