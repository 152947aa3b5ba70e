//! The host objects a chart's templates see besides plain maps: `.Files` (Helm's
//! `engine.files`) and `.Capabilities` with its `KubeVersion` and `APIVersions`.

use crate::glob::Glob;
use ferroflux_gotemplate::funcs::yaml::to_yaml;
use ferroflux_gotemplate::value::Bytes;
use ferroflux_gotemplate::{Map, Object, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `.Files`: a chart's non-template files by name.
#[derive(Debug, Clone, Default)]
pub struct Files(pub Arc<BTreeMap<String, crate::file_data::FileData>>);

/// `string(data)` in Go: the file's bytes, held as [`string_from_go_bytes`] holds them.
fn text(b: &[u8]) -> String {
    ferroflux_gotemplate::gobytes::string_from_go_bytes(b)
}

fn to_yaml_map(m: BTreeMap<String, String>) -> String {
    let map: Map = m.into_iter().map(|(k, v)| (k, Value::str(v))).collect();
    let y = to_yaml(&Value::map(map), false).unwrap_or_default();
    y.strip_suffix('\n').unwrap_or(&y).to_string()
}

fn base(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).to_string()
}

/// A Go `map[string]string` (`.Chart.Annotations`): nil when the chart sets none, which
/// Go still prints as `map[]`, counts as empty and ranges over as nothing, while
/// `encoding/json` writes it as `null`. A missing key reads as `""`, the element's zero
/// value under Helm's `missingkey=zero`.
#[derive(Debug, Clone, Default)]
pub struct StringMap(pub Option<BTreeMap<String, String>>);

impl Object for StringMap {
    fn type_name(&self) -> &str {
        "map[string]string"
    }
    fn kind(&self) -> &str {
        "map"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let v = self.0.as_ref().and_then(|m| m.get(name));
        Some(Value::str(v.map_or("", String::as_str)))
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn map_index(&self, key: &str) -> Option<Value> {
        self.field(key)
    }
    fn marshal_json(&self) -> Option<String> {
        let Some(m) = &self.0 else {
            return Some("null".into());
        };
        let mut out = String::from("{");
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            ferroflux_goformat::write_json_string(&mut out, k, true);
            out.push(':');
            ferroflux_goformat::write_json_string(&mut out, v, true);
        }
        out.push('}');
        Some(out)
    }
    fn as_value(&self) -> Option<Value> {
        let m = self.0.iter().flatten();
        Some(Value::map(
            m.map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                .collect(),
        ))
    }
    fn fmt_value(&self) -> Option<String> {
        let pairs = self.0.iter().flatten().map(|(k, v)| format!("{k}:{v}"));
        Some(format!("map[{}]", pairs.collect::<Vec<_>>().join(" ")))
    }
}

impl Files {
    fn get(&self, name: &str) -> String {
        self.0.get(name).map(|b| text(b)).unwrap_or_default()
    }
    /// `GetBytes`: Go's `[]byte`, empty (not nil) for a missing file.
    fn get_bytes(&self, name: &str) -> Value {
        Bytes::value(self.0.get(name).map_or(&[][..], |b| &b[..]))
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind(&self) -> &str {
        "map"
    }
    /// Go's `%v` of a `map[string][]byte`: each file's bytes as numbers.
    fn fmt_value(&self) -> Option<String> {
        // Charts print the root context by mistake (a `dict` key of `$`), and with it every
        // file as Go prints a `[]byte`: several megabytes of decimal numbers.
        let size: usize = self.0.iter().map(|(n, d)| n.len() + 4 * d.len() + 3).sum();
        let mut out = String::with_capacity(size + 5);
        out.push_str("map[");
        for (i, (name, data)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(name);
            out.push_str(":[");
            for (j, &b) in data.iter().enumerate() {
                if j > 0 {
                    out.push(' ');
                }
                push_decimal_byte(&mut out, b);
            }
            out.push(']');
        }
        out.push(']');
        Some(out)
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(Value::str(to_yaml_map(
                self.0.iter().map(|(k, v)| (base(k), text(v))).collect(),
            ))),
            "AsSecrets" => {
                use base64::Engine;
                Some(Value::str(to_yaml_map(
                    self.0
                        .iter()
                        .map(|(k, v)| {
                            (base(k), base64::engine::general_purpose::STANDARD.encode(v))
                        })
                        .collect(),
                )))
            }
            // `engine.files` is a map: a name that is not one of its methods reads the file
            // as Go's `[]byte`.
            "Get" | "GetBytes" | "Glob" | "Lines" => None,
            _ => Some(self.get_bytes(name)),
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let arg = |i: usize| -> Result<String, String> {
            match args.get(i) {
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(v) => Err(format!(
                    "wrong type for value; expected string; got {}",
                    v.type_name()
                )),
                None => Err(format!(
                    "wrong number of args for {name}: want 1 got {}",
                    args.len()
                )),
            }
        };
        let r = match name {
            "Get" => arg(0).map(|n| Value::str(self.get(&n))),
            "GetBytes" => arg(0).map(|n| self.get_bytes(&n)),
            "Lines" => arg(0).map(|n| {
                let s = self.get(&n);
                if s.is_empty() {
                    return Value::StrList(Arc::new(Vec::new()));
                }
                let s = s.strip_suffix('\n').unwrap_or(&s);
                Value::StrList(Arc::new(s.split('\n').map(str::to_string).collect()))
            }),
            "Glob" => arg(0).map(|p| {
                let g = Glob::new(&p).or_else(|| Glob::new("**"));
                let m = self
                    .0
                    .iter()
                    .filter(|(k, _)| g.as_ref().is_some_and(|g| g.is_match(k)))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(Arc::new(Files(Arc::new(m))))
            }),
            _ => return None,
        };
        Some(r)
    }
    fn marshal_json(&self) -> Option<String> {
        use base64::Engine;
        let m: serde_json::Map<String, serde_json::Value> = self
            .0
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(v)),
                )
            })
            .collect();
        Some(serde_json::Value::Object(m).to_string())
    }
    fn is_empty_collection(&self) -> Option<bool> {
        Some(self.0.is_empty())
    }
    fn as_value(&self) -> Option<Value> {
        Some(Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Bytes::value(v)))
                .collect(),
        ))
    }
}

/// `.Capabilities.KubeVersion`.
#[derive(Debug, Clone)]
pub struct KubeVersion {
    /// As given (`v1.33.4-gke.1`), with a `v` prefix.
    pub version: String,
    /// `v<major>.<minor>.<patch>` for constraint checks.
    pub normalized: String,
    pub major: String,
    pub minor: String,
}

/// The numbers of k8s.io/apimachinery's generic version pattern,
/// `^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$` (Go's `\s` is ASCII; `.` stops at a line break), or
/// `None` when the text does not match it.
fn generic_version_numbers(s: &str) -> Option<&str> {
    let t = s.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    let t = t.strip_prefix('v').unwrap_or(t);
    let b = t.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut end = digits(0);
    if end == 0 {
        return None;
    }
    while b.get(end) == Some(&b'.') && digits(end + 1) > 0 {
        end += 1 + digits(end + 1);
    }
    (!t[end..].contains('\n')).then_some(&t[..end])
}

impl KubeVersion {
    /// The major and minor numbers (what `helm lint` compares deprecation releases with).
    pub fn major_minor(&self) -> (u32, u32) {
        (
            self.major.parse().unwrap_or(u32::MAX),
            self.minor.parse().unwrap_or(u32::MAX),
        )
    }

    /// Helm's default for `helm template` (the client library's version).
    pub fn default_version() -> KubeVersion {
        KubeVersion::parse("v1.37.0").expect("valid default")
    }

    /// `ParseKubeVersion`: `1.30`, `v1.30.2`, `1.30.2-gke.1` …
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let bare = s.strip_prefix('v').unwrap_or(s);
        let q = ferroflux_gotemplate::fmt::go_quote;
        let numbers = generic_version_numbers(s)
            .ok_or_else(|| format!("could not parse {} as version", q(s)))?;
        let nums: Vec<&str> = numbers.split('.').collect();
        if nums.len() < 2 {
            return Err(format!("illegal version string {}", q(s)));
        }
        let mut n = Vec::with_capacity(nums.len());
        for (i, comp) in nums.iter().enumerate() {
            if i == 0 && comp.starts_with('0') && *comp != "0" {
                return Err(format!(
                    "illegal zero-prefixed version component {} in {}",
                    q(comp),
                    q(s)
                ));
            }
            let v = comp.parse::<u64>().map_err(|_| {
                format!(
                    "illegal non-numeric version component {} in {}: strconv.ParseUint: parsing {}: value out of range",
                    q(comp),
                    q(s),
                    q(comp)
                )
            })?;
            n.push(v);
        }
        // ParseGeneric keeps only the numeric components; the rest is uninterpreted.
        let normalized = format!(
            "v{}",
            n.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
        );
        Ok(KubeVersion {
            version: format!("v{bare}"),
            normalized,
            major: n[0].to_string(),
            minor: n[1].to_string(),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::str(match name {
            "Version" | "GitVersion" => self.version.clone(),
            "Major" => self.major.clone(),
            "Minor" => self.minor.clone(),
            "String" => self.normalized.clone(),
            _ => return None,
        }))
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn fmt_value(&self) -> Option<String> {
        Some(format!(
            "{{{} {} {} {}}}",
            self.version, self.normalized, self.major, self.minor
        ))
    }
    fn marshal_json(&self) -> Option<String> {
        Some(
            serde_json::json!({"Version": self.version, "Major": self.major, "Minor": self.minor})
                .to_string(),
        )
    }
}

/// `.Capabilities.APIVersions`.
#[derive(Debug, Clone)]
pub struct VersionSet(pub Arc<Vec<String>>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind(&self) -> &str {
        "slice"
    }
    fn field(&self, _: &str) -> Option<Value> {
        None
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match (name, args) {
            ("Has", [Value::String(s)]) => Some(Ok(Value::Bool(self.0.iter().any(|v| **v == **s)))),
            ("Has", _) => Some(Err("wrong type for value; expected string".into())),
            _ => None,
        }
    }
    fn marshal_json(&self) -> Option<String> {
        serde_json::to_string(&*self.0).ok()
    }
    fn as_value(&self) -> Option<Value> {
        Some(Value::StrList(self.0.clone()))
    }
    fn fmt_value(&self) -> Option<String> {
        Some(format!("[{}]", self.0.join(" ")))
    }
}

/// `.Capabilities`.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: VersionSet,
}

/// The API versions Helm v4.3.1 reports offline, before `--api-versions` are appended.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `b` in decimal, as `fmt` prints an element of a `[]byte`.
fn push_decimal_byte(out: &mut String, b: u8) {
    if b >= 100 {
        out.push(char::from(b'0' + b / 100));
    }
    if b >= 10 {
        out.push(char::from(b'0' + b / 10 % 10));
    }
    out.push(char::from(b'0' + b % 10));
}

/// What `.Capabilities.HelmVersion` reports: the reference helm build (v4.3.1, built with Go 1.27.2).
pub const HELM_VERSION: &str = "v4.3.1";
pub const HELM_GIT_COMMIT: &str = "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff";
pub const HELM_GO_VERSION: &str = "go1.27.2";

impl Capabilities {
    pub fn new(kube_version: Option<KubeVersion>, extra_apis: &[String]) -> Capabilities {
        let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        apis.extend(extra_apis.iter().cloned());
        Capabilities {
            kube_version: kube_version.unwrap_or_else(KubeVersion::default_version),
            api_versions: VersionSet(Arc::new(apis)),
        }
    }

    fn helm_version() -> Value {
        Value::Object(Arc::new(BuildInfo))
    }
}

/// `.Capabilities.HelmVersion`: Helm's `version.BuildInfo` as the reference binary reports it.
#[derive(Debug, Clone, Copy)]
pub struct BuildInfo;

impl BuildInfo {
    /// `(field, JSON key, value)` in the struct's field order.
    const FIELDS: [(&'static str, &'static str, &'static str); 5] = [
        ("Version", "version", HELM_VERSION),
        ("GitCommit", "git_commit", HELM_GIT_COMMIT),
        ("GitTreeState", "git_tree_state", "clean"),
        ("GoVersion", "go_version", HELM_GO_VERSION),
        ("KubeClientVersion", "kube_client_version", "v1.37"),
    ];

    /// `fmt`'s `%v` of the struct: `{v4.3.1 <commit> clean go… v1.37}`.
    fn fmt_text() -> String {
        let parts: Vec<&str> = Self::FIELDS.iter().map(|f| f.2).collect();
        format!("{{{}}}", parts.join(" "))
    }
}

impl Object for BuildInfo {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Self::FIELDS
            .iter()
            .find(|f| f.0 == name)
            .map(|f| Value::str(f.2))
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn fmt_value(&self) -> Option<String> {
        Some(Self::fmt_text())
    }
    fn marshal_json(&self) -> Option<String> {
        let m: serde_json::Map<String, serde_json::Value> = Self::FIELDS
            .iter()
            .map(|f| (f.1.to_string(), serde_json::Value::from(f.2)))
            .collect();
        Some(serde_json::Value::Object(m).to_string())
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(Arc::new(self.kube_version.clone()))),
            "APIVersions" => Some(Value::Object(Arc::new(self.api_versions.clone()))),
            "HelmVersion" => Some(Capabilities::helm_version()),
            _ => None,
        }
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn marshal_json(&self) -> Option<String> {
        Some(
            serde_json::json!({
                "KubeVersion": {"Version": self.kube_version.version, "Major": self.kube_version.major, "Minor": self.kube_version.minor},
                "APIVersions": *self.api_versions.0,
                "HelmVersion": serde_json::from_str::<serde_json::Value>(&BuildInfo.marshal_json()?).ok()?,
            })
            .to_string(),
        )
    }
    /// `fmt` prints the pointer as `&{KubeVersion APIVersions HelmVersion}`; nested values
    /// are copies, so `KubeVersion` shows its fields (its `String` has a pointer receiver).
    fn fmt_value(&self) -> Option<String> {
        Some(format!(
            "&{{{} [{}] {}}}",
            self.kube_version.fmt_value()?,
            self.api_versions.0.join(" "),
            BuildInfo::fmt_text()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_version_numbers_follow_the_pattern() {
        let re = regex::Regex::new(r"^[\t\n\x0c\r ]*v?([0-9]+(?:\.[0-9]+)*)(.*)*$").unwrap();
        let alphabet = ["1", "0", ".", "v", " ", "\n", "\t", "x", "-", "\u{a0}"];
        for input in &ferroflux_testsupport::strings_of(&alphabet, 5, "") {
            let want = re.captures(input).map(|c| c.get(1).unwrap().as_str());
            assert_eq!(super::generic_version_numbers(input), want, "{input:?}");
        }
    }

    #[test]
    fn kube_versions() {
        let k = KubeVersion::parse("1.30").unwrap();
        assert_eq!(
            (k.version.as_str(), k.normalized.as_str()),
            ("v1.30", "v1.30")
        );
        let k = KubeVersion::parse("v1.33.4-gke.1245000").unwrap();
        assert_eq!(k.normalized, "v1.33.4");
        assert_eq!(k.minor, "33");
        // k8s.io/apimachinery's ParseGeneric wording.
        assert_eq!(
            KubeVersion::parse("x").unwrap_err(),
            "could not parse \"x\" as version"
        );
        assert_eq!(
            KubeVersion::parse("v2").unwrap_err(),
            "illegal version string \"v2\""
        );
        assert_eq!(
            KubeVersion::parse("01.2").unwrap_err(),
            "illegal zero-prefixed version component \"01\" in \"01.2\""
        );
        assert_eq!(KubeVersion::parse("1.02").unwrap().minor, "2");
    }

    #[test]
    fn files_fields_read_files_but_not_methods() {
        let mut m = BTreeMap::new();
        m.insert(
            "author".to_string(),
            crate::file_data::FileData::from(&b"Virgil"[..]),
        );
        m.insert(
            "Glob".to_string(),
            crate::file_data::FileData::from(&b"x"[..]),
        );
        let f = Files(Arc::new(m));
        // A file is Go's `[]byte`: its numbers when printed, its text for `toString`.
        let bytes = |v: Value| match v {
            Value::Object(o) => o.as_bytes().map(<[u8]>::to_vec),
            _ => None,
        };
        assert_eq!(
            bytes(f.field("author").unwrap()).as_deref(),
            Some(&b"Virgil"[..])
        );
        assert_eq!(
            bytes(f.field("missing").unwrap()).as_deref(),
            Some(&b""[..])
        );
        // A method's name stays the method, even when a file has that name.
        assert!(f.field("Glob").is_none());
        assert!(f.field("AsConfig").is_some());
    }

    #[test]
    fn map_objects_print_as_maps_in_place() {
        use ferroflux_gotemplate::{FuncMap, Options, Template};
        let mut ann = BTreeMap::new();
        ann.insert("String".to_string(), "s".to_string());
        ann.insert("team".to_string(), "ops".to_string());
        let mut files = BTreeMap::new();
        files.insert(
            "a".to_string(),
            crate::file_data::FileData::from(&b"hi"[..]),
        );
        files.insert(
            "b".to_string(),
            crate::file_data::FileData::from(&[0u8, 9, 10, 99, 100, 255][..]),
        );
        files.insert("c".to_string(), crate::file_data::FileData::from(&[][..]));
        let mut data = Map::new();
        data.insert("ann".into(), Value::Object(Arc::new(StringMap(Some(ann)))));
        data.insert(
            "files".into(),
            Value::Object(Arc::new(Files(Arc::new(files)))),
        );
        let mut t = Template::new("t", FuncMap::helm(), Options::helm(false));
        // A map's keys are not methods: printing it in place prints the map.
        t.parse("t", "{{ .ann }}|{{ .ann.String }}|{{ .files }}")
            .unwrap();
        assert_eq!(
            t.execute("t", &Value::map(data)).unwrap(),
            "map[String:s team:ops]|s|map[a:[104 105] b:[0 9 10 99 100 255] c:[]]"
        );
    }

    #[test]
    fn capabilities_print_as_go_structs() {
        use ferroflux_gotemplate::fmt::sprint_value;
        let caps = Capabilities::new(KubeVersion::parse("1.29.3").ok(), &["x/v1".to_string()]);
        let text = sprint_value(&Value::Object(Arc::new(caps.clone())));
        assert!(text.starts_with("&{{v1.29.3 v1.29.3 1 29} [v1 admissionregistration.k8s.io/v1 "));
        assert!(text.ends_with(
            " x/v1] {v4.3.1 c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff clean go1.27.2 v1.37}}"
        ));
        let helm = caps.field("HelmVersion").unwrap();
        assert_eq!(helm.type_name(), "version.BuildInfo");
        assert_eq!(helm.kind_name(), "struct");
        assert_eq!(
            sprint_value(&helm),
            "{v4.3.1 c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff clean go1.27.2 v1.37}"
        );
        let Value::Object(o) = &helm else { panic!() };
        assert_eq!(
            o.marshal_json().unwrap(),
            r#"{"version":"v4.3.1","git_commit":"c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff","git_tree_state":"clean","go_version":"go1.27.2","kube_client_version":"v1.37"}"#
        );
    }
}
