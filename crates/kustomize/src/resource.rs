//! Objects as kustomize tracks them: the JSON value plus its id history,
//! the prefixes and suffixes applied to it, and generator bookkeeping.

use crate::error::{ErrorKind, Result, err};
use serde_json::{Map, Value};
use std::fmt;

/// Group, version and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Gvk {
    /// API group ("" for core).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Parses `apiVersion` and `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    /// `group/version` or `version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Does the selector (empty fields are wildcards) select this gvk?
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    /// Is this kind cluster-scoped (per kustomize's built-in list)?
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped_kind(&self.group, &self.version, &self.kind)
    }
}

pub use crate::schema_nodes::is_cluster_scoped_kind;

/// An object's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// metadata.name
    pub name: String,
    /// metadata.namespace ("" when unset)
    pub namespace: String,
}

impl ResId {
    /// The namespace with "" read as "default" (cluster-scoped kinds have none).
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// kustomize's id equality: same gvk, name, and effective namespace.
    pub fn same_as(&self, o: &ResId) -> bool {
        self.gvk == o.gvk
            && self.name == o.name
            && self.effective_namespace() == o.effective_namespace()
    }

    /// Same effective namespace.
    pub fn ns_equals(&self, o: &ResId) -> bool {
        self.effective_namespace() == o.effective_namespace()
    }
}

impl ResId {
    /// This id, borrowed.
    pub fn view(&self) -> IdView<'_> {
        IdView {
            group: &self.gvk.group,
            version: &self.gvk.version,
            kind: &self.gvk.kind,
            name: &self.name,
            namespace: &self.namespace,
        }
    }
}

/// An id borrowed from a [`ResId`] or straight from an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdView<'a> {
    /// API group ("" for core).
    pub group: &'a str,
    /// API version.
    pub version: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// metadata.name
    pub name: &'a str,
    /// metadata.namespace ("" when unset)
    pub namespace: &'a str,
}

impl<'a> IdView<'a> {
    /// The namespace with "" read as "default" (cluster-scoped kinds have none).
    pub fn effective_namespace(&self) -> &'a str {
        if is_cluster_scoped_kind(self.group, self.version, self.kind) {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            self.namespace
        }
    }

    /// Same group, version and kind as `g`.
    pub fn gvk_is(&self, g: &Gvk) -> bool {
        self.group == g.group && self.version == g.version && self.kind == g.kind
    }

    /// Does the selector (empty fields are wildcards) select this id's gvk?
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    /// kustomize's id equality (as [`ResId::same_as`]).
    pub fn same_as(&self, o: &ResId) -> bool {
        self.gvk_is(&o.gvk)
            && self.name == o.name
            && self.effective_namespace() == o.effective_namespace()
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.gvk.api_version())?;
        write!(f, " {}", self.gvk.kind)?;
        if !self.namespace.is_empty() {
            write!(f, " {}/{}", self.namespace, self.name)
        } else {
            write!(f, " {}", self.name)
        }
    }
}

/// Generator merge behaviour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Create (the default); a clash is an error.
    #[default]
    Create,
    /// Merge into an existing object.
    Merge,
    /// Replace an existing object.
    Replace,
}

/// One object plus kustomize's bookkeeping.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object.
    pub obj: Value,
    /// Earlier ids (oldest first), recorded when names/namespaces change.
    pub prev_ids: Vec<ResId>,
    /// Prefixes applied, innermost first.
    pub prefixes: Vec<String>,
    /// Suffixes applied, innermost first.
    pub suffixes: Vec<String>,
    /// Generated object that still needs its content hash appended to its name.
    pub needs_hash: bool,
    /// Generator behaviour.
    pub behavior: Behavior,
    /// Ids of objects that refer to this one (filled by name references).
    pub ref_by: Vec<ResId>,
    /// Where the object came from (for errors).
    pub origin: String,
    /// Vars bound to this object where they were declared.
    pub ref_vars: Vec<String>,
    /// Transformers that ran over this object (for `transformerAnnotations`).
    pub transformations: Vec<String>,
    /// Fields that are one YAML node in kustomize (see [`crate::alias`]).
    pub aliases: Vec<crate::alias::AliasGroup>,
    /// Map fields the object's file left blank (`key:`), as read (see
    /// [`crate::yaml::BLANK_NULLS_KEY`]); the next strategic merge patch drops those still
    /// null, and it or a JSON patch forgets them.
    pub blank_nulls: Vec<Vec<crate::yaml::PathSeg>>,
    /// Map keys that kyaml reads as non-strings (see [`crate::yaml::NON_STRING_KEYS_KEY`]),
    /// from the object's file and its strategic merge patches.
    pub non_string_keys: Vec<Vec<crate::yaml::PathSeg>>,
}

impl Resource {
    /// Wraps an object read from `origin`.
    pub fn new(obj: Value, origin: impl Into<String>) -> Resource {
        Resource {
            obj,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Create,
            ref_by: Vec::new(),
            origin: origin.into(),
            ref_vars: Vec::new(),
            transformations: Vec::new(),
            aliases: Vec::new(),
            blank_nulls: Vec::new(),
            non_string_keys: Vec::new(),
        }
    }

    /// After in-place edits: gives a changed shared field's value to the fields that share
    /// its node in kustomize (see [`crate::alias`]).
    pub fn sync_aliases(&mut self) {
        crate::alias::sync(&mut self.obj, &mut self.aliases);
    }

    /// kustomize cannot turn an object with a non-string map key into JSON (to print it
    /// or to JSON-patch it): the error for the first such key still there.
    pub fn check_string_keys(&self) -> Result<()> {
        match self
            .non_string_keys
            .iter()
            .find(|p| crate::yaml::has_key_at(&self.obj, p))
        {
            None => Ok(()),
            Some(p) => Err(err(ErrorKind::Invalid(format!(
                "map key {:?} at {} is not a string (kyaml reads it as another type): json: unsupported type: map[interface {{}}]interface {{}}",
                match p.last() {
                    Some(crate::yaml::PathSeg::Key(k)) => k.as_str(),
                    _ => "",
                },
                crate::yaml::path_text(&p[..p.len().saturating_sub(1)]),
            )))
            .for_object(self.describe())),
        }
    }

    /// apiVersion/kind as a gvk.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(
            get_str(&self.obj, &["apiVersion"]).unwrap_or(""),
            self.kind(),
        )
    }

    /// kind
    pub fn kind(&self) -> &str {
        get_str(&self.obj, &["kind"]).unwrap_or("")
    }

    /// metadata.name
    pub fn name(&self) -> &str {
        get_str(&self.obj, &["metadata", "name"]).unwrap_or("")
    }

    /// metadata.namespace
    pub fn namespace(&self) -> &str {
        get_str(&self.obj, &["metadata", "namespace"]).unwrap_or("")
    }

    /// Sets metadata.name.
    pub fn set_name(&mut self, name: &str) {
        set_path(
            &mut self.obj,
            &["metadata", "name"],
            Value::String(name.to_string()),
        );
    }

    /// The current id.
    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// The original id (first recorded, or current).
    pub fn org_id(&self) -> ResId {
        self.prev_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Records the current id as a previous one.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev_ids.push(id);
    }

    /// Every id this object has had, current last.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut v = self.prev_ids.clone();
        v.push(self.cur_id());
        v
    }

    /// The current id without allocating: (apiVersion, kind, name, effective namespace).
    pub fn id_key(&self) -> (&str, &str, &str, &str) {
        fn field<'a>(m: Option<&'a Map<String, Value>>, k: &str) -> &'a str {
            m.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
        }
        let top = self.obj.as_object();
        let api = field(top, "apiVersion");
        let kind = field(top, "kind");
        let meta = top
            .and_then(|m| m.get("metadata"))
            .and_then(Value::as_object);
        let (group, version) = api.split_once('/').unwrap_or(("", api));
        let ns = if is_cluster_scoped_kind(group, version, kind) {
            ""
        } else {
            match field(meta, "namespace") {
                "" => "default",
                n => n,
            }
        };
        (api, kind, field(meta, "name"), ns)
    }

    /// Do prefixes/suffixes agree with another object's (kustomize's scope check)?
    pub fn prefixes_suffixes_equal(&self, o: &Resource, allow_empty: bool) -> bool {
        if allow_empty {
            let pe = self.prefixes.is_empty() || o.prefixes.is_empty();
            let se = self.suffixes.is_empty() || o.suffixes.is_empty();
            (pe || same_ending(&self.prefixes, &o.prefixes))
                && (se || same_ending(&self.suffixes, &o.suffixes))
        } else {
            same_ending(&self.prefixes, &o.prefixes) && same_ending(&self.suffixes, &o.suffixes)
        }
    }

    /// apiVersion ("" when unset).
    pub fn api_version(&self) -> &str {
        get_str(&self.obj, &["apiVersion"]).unwrap_or("")
    }

    /// The current id, borrowed from the object (no allocation).
    pub fn cur_view(&self) -> IdView<'_> {
        let api = self.api_version();
        let (group, version) = match api.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api),
        };
        IdView {
            group,
            version,
            kind: self.kind(),
            name: self.name(),
            namespace: self.namespace(),
        }
    }

    /// The original id (first recorded, or current), borrowed.
    pub fn org_view(&self) -> IdView<'_> {
        match self.prev_ids.first() {
            Some(id) => id.view(),
            None => self.cur_view(),
        }
    }

    /// Does any id this object has had (previous ones first, then the current one) satisfy
    /// `f`? Like `all_ids().iter().any(f)` without copying the ids.
    pub fn any_id(&self, mut f: impl FnMut(IdView<'_>) -> bool) -> bool {
        self.prev_ids.iter().any(|id| f(id.view())) || f(self.cur_view())
    }

    /// metadata.labels, borrowed (None when absent or not a map).
    pub fn labels_ref(&self) -> Option<&Map<String, Value>> {
        get(&self.obj, &["metadata", "labels"]).and_then(|v| v.as_object())
    }

    /// metadata.annotations, borrowed (None when absent or not a map).
    pub fn annotations_ref(&self) -> Option<&Map<String, Value>> {
        get(&self.obj, &["metadata", "annotations"]).and_then(|v| v.as_object())
    }

    /// Labels as a map (empty when absent).
    pub fn labels(&self) -> Map<String, Value> {
        get(&self.obj, &["metadata", "labels"])
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default()
    }

    /// Annotations as a map (empty when absent).
    pub fn annotations(&self) -> Map<String, Value> {
        get(&self.obj, &["metadata", "annotations"])
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default()
    }

    /// A short description for errors.
    pub fn describe(&self) -> String {
        self.cur_id().to_string()
    }
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long[long.len() - short.len()..] == *short
}

/// An object's group, version and kind, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GvkView<'a> {
    /// API group ("" for core).
    pub group: &'a str,
    /// API version.
    pub version: &'a str,
    /// Kind.
    pub kind: &'a str,
}

impl GvkView<'_> {
    /// Does the selector (empty fields are wildcards) select this gvk?
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }
}

/// `apiVersion` and `kind` of an object as a gvk, borrowed (as [`Resource::gvk`]).
pub fn gvk_view(obj: &Value) -> GvkView<'_> {
    let api = get_str(obj, &["apiVersion"]).unwrap_or("");
    let (group, version) = match api.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api),
    };
    GvkView {
        group,
        version,
        kind: get_str(obj, &["kind"]).unwrap_or(""),
    }
}

/// Looks up a nested field.
pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.as_object()?.get(*p)?;
    }
    Some(cur)
}

/// Looks up a nested string field.
pub fn get_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(|v| v.as_str())
}

/// Sets a nested field, creating maps along the way.
pub fn set_path(v: &mut Value, path: &[&str], value: Value) {
    let mut cur = v;
    for (i, p) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Some(map) = cur.as_object_mut() else {
            return;
        };
        if i + 1 == path.len() {
            map.insert((*p).to_string(), value);
            return;
        }
        cur = map
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// A small, fast hasher for ids and names (FxHash's multiply-rotate step). Not resistant to
/// crafted collisions, which only cost time here.
#[derive(Clone, Copy, Default)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FastHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Builds [`FastHasher`]s.
pub type FastBuild = std::hash::BuildHasherDefault<FastHasher>;

fn id_hash(k: (&str, &str, &str, &str)) -> u64 {
    use std::hash::BuildHasher;
    FastBuild::default().hash_one(k)
}

/// The ids of a [`ResMap`]'s objects, for appending to it many times without indexing it
/// again each time. Valid while the objects already indexed are not changed (only appended
/// to): the loop over a kustomization's `resources`.
#[derive(Debug, Default)]
pub struct IdIndex {
    /// id hash → the last position with that hash.
    last: std::collections::HashMap<u64, usize, FastBuild>,
    /// position → the previous position with the same hash (`usize::MAX`: none).
    previous: Vec<usize>,
    /// How many objects are indexed.
    indexed: usize,
}

impl IdIndex {
    /// Records that position `i` has id hash `h`.
    fn push(&mut self, h: u64, i: usize) {
        debug_assert_eq!(self.previous.len(), i);
        let prev = self.last.insert(h, i).unwrap_or(usize::MAX);
        self.previous.push(prev);
    }

    /// Positions with id hash `h`, last first.
    fn positions(&self, h: u64) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.last.get(&h).copied().unwrap_or(usize::MAX);
        std::iter::from_fn(move || {
            (next != usize::MAX).then(|| {
                let i = next;
                next = self.previous[i];
                i
            })
        })
    }

    /// Indexes objects appended since the last call.
    fn catch_up(&mut self, items: &[Resource]) {
        if self.indexed > items.len() || self.previous.len() != self.indexed {
            self.rebuild(items);
            return;
        }
        for (i, r) in items.iter().enumerate().skip(self.indexed) {
            self.push(id_hash(r.id_key()), i);
        }
        self.indexed = items.len();
    }

    fn rebuild(&mut self, items: &[Resource]) {
        self.last.clear();
        self.previous.clear();
        self.indexed = 0;
        self.catch_up(items);
    }
}

/// An ordered list of objects with unique ids.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    /// The objects, in order.
    pub items: Vec<Resource>,
    /// The transformer configuration accumulated with them.
    pub config: crate::config::TransformerConfig,
}

impl ResMap {
    /// Appends, refusing an id that is already present.
    pub fn append(&mut self, r: Resource) -> Result<()> {
        let key = r.id_key();
        // The kind first: one field instead of the whole id for most objects.
        if let Some(existing) = self
            .items
            .iter()
            .find(|x| x.kind() == key.1 && x.id_key() == key)
        {
            let id = r.cur_id();
            return Err(err(ErrorKind::ConflictingIds(format!(
                "may not add resource with an already registered id: {} (from {} and {})",
                id, existing.origin, r.origin
            ))));
        }
        self.items.push(r);
        Ok(())
    }

    /// Appends every object of another map.
    pub fn append_all(&mut self, other: ResMap) -> Result<()> {
        self.config.merge_owned(other.config);
        self.extend_checked(other.items)
    }

    /// Appends many objects, refusing ids already present (one index, not a scan each).
    pub fn extend_checked(&mut self, rs: Vec<Resource>) -> Result<()> {
        self.extend_indexed(rs, &mut IdIndex::default())
    }

    /// [`ResMap::append_all`] with an index kept between calls (see [`IdIndex`]).
    pub fn append_all_indexed(&mut self, other: ResMap, index: &mut IdIndex) -> Result<()> {
        self.config.merge_owned(other.config);
        self.extend_indexed(other.items, index)
    }

    /// [`ResMap::extend_checked`] with an index kept between calls (see [`IdIndex`]).
    pub fn extend_indexed(&mut self, rs: Vec<Resource>, index: &mut IdIndex) -> Result<()> {
        index.catch_up(&self.items);
        let n = self.items.len();
        let mut conflict = None;
        for (j, r) in rs.iter().enumerate() {
            let key = r.id_key();
            let h = id_hash(key);
            // The last object with this id (as a map from id to index would keep).
            let existing = index.positions(h).find(|&i| {
                let other = if i < n { &self.items[i] } else { &rs[i - n] };
                other.id_key() == key
            });
            if let Some(i) = existing {
                conflict = Some((i, j));
                break;
            }
            index.push(h, n + j);
        }
        if let Some((i, j)) = conflict {
            // Forget the entries of `rs`: they are not added.
            index.rebuild(&self.items);
            let r = &rs[j];
            let existing = if i < n { &self.items[i] } else { &rs[i - n] };
            return Err(err(ErrorKind::ConflictingIds(format!(
                "may not add resource with an already registered id: {} (from {} and {})",
                r.cur_id(),
                existing.origin,
                r.origin
            ))));
        }
        self.items.extend(rs);
        index.indexed = self.items.len();
        Ok(())
    }

    /// Indexes of objects whose current or previous id matches.
    pub fn find_by_any_id(&self, id: &ResId) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                // Ids match only with the same kind: the current id is read only then.
                r.prev_ids.iter().any(|x| x.same_as(id))
                    || (r.kind() == id.gvk.kind && r.cur_view().same_as(id))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Objects as plain values.
    pub fn into_values(self) -> Vec<Value> {
        self.items.into_iter().map(|r| r.obj).collect()
    }
}
