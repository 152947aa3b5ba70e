//! `patches`, `patchesStrategicMerge`, `patchesJson6902`: pick targets, then apply a
//! strategic merge patch or a JSON 6902 patch to each.

use crate::error::{ErrorKind, Result, err};
use crate::kustfile::{PatchOptions, Selector};
use crate::resource::{FastBuild, Gvk, ResId, ResMap, Resource, set_path};
use crate::selector;
use crate::smp::{self, CustomKeys};
use json_patch::PatchOperation;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// A parsed patch body.
pub enum Body {
    /// One or more strategic-merge documents.
    Smp(Vec<Value>),
    /// JSON 6902 operations.
    Json(Value),
}

/// Parses a patch body: a YAML/JSON list is JSON 6902, objects are strategic merge.
pub fn parse_body(text: &str) -> Result<Body> {
    parse_body_for(text, false)
}

/// [`parse_body`] for a strategic merge patch kustomize applies through its resource map
/// (`patchesStrategicMerge`, and `patches` with a `target`), which rewrites the patch's
/// labels and annotations first (see `yaml::patch_metadata_as_strings`).
pub fn parse_body_for(text: &str, through_resmap: bool) -> Result<Body> {
    let mut body = parse_body_as_written(text)?;
    if through_resmap && let Body::Smp(docs) = &mut body {
        crate::yaml::patch_metadata_as_strings(text, docs);
    }
    Ok(body)
}

fn parse_body_as_written(text: &str) -> Result<Body> {
    // kustomize decodes a patch whose first character is `[` as JSON, not YAML (a flow
    // YAML list of operations is refused there).
    if text.starts_with('[')
        && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text)
    {
        return Err(err(ErrorKind::Patch(format!(
            "unable to parse SM or JSON patch: a patch that starts with '[' is read as JSON: {e}"
        ))));
    }
    let docs = crate::yaml::parse_patch_documents(text).map_err(|e| {
        err(ErrorKind::Patch(format!(
            "unable to parse SM or JSON patch: {e}"
        )))
    })?;
    // A list first document is a JSON patch; like kustomize (which converts the text
    // with a YAML-to-JSON step that reads one document) any later documents are ignored.
    // The YAML is read with YAML 1.1 rules there (`yes`, `on`, `y` are booleans).
    if docs.first().is_some_and(Value::is_array) {
        let first = crate::yaml::parse_first_yaml11(text)
            .ok()
            .filter(Value::is_array)
            .unwrap_or_else(|| docs.into_iter().next().unwrap_or(Value::Null));
        return Ok(Body::Json(first));
    }
    if docs.iter().any(|d| !d.is_object()) {
        return Err(err(ErrorKind::Patch(
            "unable to parse SM or JSON patch".into(),
        )));
    }
    // Read by kustomize's resource factory: a `…List`'s items are patches of their own.
    let docs = crate::target::inline_lists(docs, &Ok)?;
    // kustomize reads strategic merge patches as resources: each needs a kind and, unless
    // it is a list kind, a name (even when a `target` picks the objects).
    for (i, d) in docs.iter().enumerate() {
        let field = |path: &[&str]| crate::resource::get_str(d, path).unwrap_or("");
        let kind = field(&["kind"]);
        let missing = if kind.is_empty() {
            "kind"
        } else if !kind.ends_with("List") && field(&["metadata", "name"]).is_empty() {
            "metadata.name"
        } else {
            continue;
        };
        return Err(err(ErrorKind::Patch(format!(
            "unable to parse SM or JSON patch: document {} has no {missing} (a strategic merge patch needs kind and metadata.name)",
            i + 1
        ))));
    }
    Ok(Body::Smp(docs))
}

fn patch_id(p: &Value) -> ResId {
    let s = |path: &[&str]| crate::resource::get_str(p, path).unwrap_or("").to_string();
    ResId {
        gvk: Gvk::from_api_version(&s(&["apiVersion"]), &s(&["kind"])),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    }
}

/// Applies one strategic merge patch document to one object (kustomize's ApplySmPatch).
/// A patch applied through a `target` is given the object's apiVersion first, so it never
/// changes it (its kind is restored below unless kind changes are allowed). An object
/// without apiVersion gets an empty one from kustomize (an untagged empty scalar), which
/// prints as `apiVersion: null`.
fn apply_smp_to(
    r: &mut Resource,
    patch: &Value,
    opts: &PatchOptions,
    custom: &CustomKeys,
    targeted: bool,
) -> bool {
    let api_version = if targeted {
        Some(r.obj.get("apiVersion").cloned().unwrap_or(Value::Null))
    } else {
        None
    };
    let (name, ns, kind) = (
        r.name().to_string(),
        r.namespace().to_string(),
        r.kind().to_string(),
    );
    if opts.allow_name_change || opts.allow_kind_change {
        r.store_previous_id();
    }
    let gvk = schema_gvk(r, patch, targeted, custom);
    // The object is merged in place; when the patch deletes it, the caller drops it.
    let mut obj = std::mem::take(&mut r.obj);
    // Fields left blank in the object's file are dropped by kyaml's walk; what the walk
    // leaves (inside lists taken whole) it never reaches again.
    let blank = std::mem::take(&mut r.blank_nulls);
    if !blank.is_empty() {
        smp::drop_blank_nulls(&mut obj, &blank, &gvk, custom);
    }
    // kyaml keeps the object's own key where the patch names an existing one (`6443:`
    // merged into `"6443":`): only keys the patch adds can be non-string afterwards.
    let before = patch
        .get(crate::yaml::NON_STRING_KEYS_KEY)
        .is_some()
        .then(|| obj.clone());
    match smp::merge_object_owned(obj, patch, &gvk, custom) {
        None => false,
        Some(v) => {
            if v.as_object().is_none_or(|m| m.is_empty()) {
                return false;
            }
            r.obj = v;
            // The patch's own non-string keys came along with its fields.
            let mut keys = crate::yaml::take_non_string_keys(&mut r.obj);
            if let Some(before) = &before {
                keys.retain(|p| !crate::yaml::has_key_at(before, p));
            }
            r.non_string_keys.extend(keys);
            if let Some(api_version) = api_version {
                set_path(&mut r.obj, &["apiVersion"], api_version);
            }
            if !opts.allow_kind_change {
                set_path(&mut r.obj, &["kind"], Value::String(kind));
            }
            if !opts.allow_name_change {
                r.set_name(&name);
            }
            if ns.is_empty() {
                if let Some(m) = r.obj.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("namespace");
                }
            } else {
                set_path(&mut r.obj, &["metadata", "namespace"], Value::String(ns));
            }
            true
        }
    }
}

/// Whose schema the merge follows: kyaml looks up the object's apiVersion and kind
/// first, then the patch's (for a targeted patch, the object's apiVersion with the
/// patch's kind), so a patch of a known kind merges lists by key even into an object of
/// a kind without schema.
fn schema_gvk(r: &Resource, patch: &Value, targeted: bool, custom: &CustomKeys) -> Gvk {
    let gvk = r.gvk();
    if custom.replaces_builtin
        || smp::in_builtin_schema(&gvk)
        || custom.keys.iter().any(|(_, kind, _, _)| *kind == gvk.kind)
    {
        return gvk;
    }
    let s = |f: &str| patch.get(f).and_then(Value::as_str).unwrap_or("");
    let api_version = if targeted {
        r.api_version()
    } else {
        s("apiVersion")
    };
    if api_version.is_empty() || s("kind").is_empty() {
        return gvk;
    }
    let from_patch = Gvk::from_api_version(api_version, s("kind"));
    if smp::in_builtin_schema(&from_patch) {
        from_patch
    } else {
        gvk
    }
}

/// Objects by their current kind, kept across the consecutive patches of a kustomization so
/// that a target with a kind looks at objects of that kind only, not at every object.
#[derive(Debug, Default)]
pub struct KindIndex {
    /// Built for the objects as they are (None: build before use).
    built: Option<Kinds>,
}

#[derive(Debug)]
struct Kinds {
    /// kind → its number
    ids: HashMap<String, u32, FastBuild>,
    /// object → the number of its kind
    kind_of: Vec<u32>,
    /// kind number → objects of that kind, ascending
    objects: Vec<Vec<usize>>,
}

impl Kinds {
    fn build(m: &ResMap) -> Kinds {
        let mut k = Kinds {
            ids: HashMap::default(),
            kind_of: Vec::with_capacity(m.items.len()),
            objects: Vec::new(),
        };
        for (i, r) in m.items.iter().enumerate() {
            let id = k.intern(r.kind());
            k.kind_of.push(id);
            k.objects[id as usize].push(i);
        }
        k
    }

    fn intern(&mut self, kind: &str) -> u32 {
        if let Some(&id) = self.ids.get(kind) {
            return id;
        }
        let id = self.objects.len() as u32;
        self.ids.insert(kind.to_string(), id);
        self.objects.push(Vec::new());
        id
    }

    /// Object `i` now has the kind it has in `m`.
    fn refresh(&mut self, m: &ResMap, i: usize) {
        let new = self.intern(m.items[i].kind());
        let old = self.kind_of[i];
        if new == old {
            return;
        }
        let list = &mut self.objects[old as usize];
        if let Ok(p) = list.binary_search(&i) {
            list.remove(p);
        }
        let list = &mut self.objects[new as usize];
        if let Err(p) = list.binary_search(&i) {
            list.insert(p, i);
        }
        self.kind_of[i] = new;
    }
}

impl KindIndex {
    fn get(&mut self, m: &ResMap) -> &Kinds {
        match &self.built {
            Some(k) if k.kind_of.len() == m.items.len() => {}
            _ => self.built = Some(Kinds::build(m)),
        }
        self.built.get_or_insert_with(|| Kinds::build(m))
    }

    /// After a patch: the objects at `touched` may have changed kind; with `removed`, the
    /// positions changed and the index is rebuilt when next needed.
    fn update(&mut self, m: &ResMap, touched: &[usize], removed: bool) {
        if removed {
            self.built = None;
            return;
        }
        if let Some(k) = &mut self.built {
            for &i in touched {
                k.refresh(m, i);
            }
        }
    }
}

fn select(m: &ResMap, sel: &Selector, kinds: &mut KindIndex) -> Result<Vec<usize>> {
    let matcher = selector::Matcher::new(sel);
    let mut out = Vec::new();
    if let Some(kind) = matcher.literal_kind() {
        // Only objects of that kind can match (and matching cannot fail on the others).
        let k = kinds.get(m);
        if let Some(&id) = k.ids.get(kind) {
            for &i in &k.objects[id as usize] {
                if matcher.selects(&m.items[i])? {
                    out.push(i);
                }
            }
        }
        return Ok(out);
    }
    for (i, r) in m.items.iter().enumerate() {
        if matcher.selects(r)? {
            out.push(i);
        }
    }
    Ok(out)
}

/// Applies a `patches` entry.
pub fn apply(
    m: &mut ResMap,
    body: &Body,
    target: Option<&Selector>,
    opts: &PatchOptions,
    custom: &CustomKeys,
    legacy_json: bool,
) -> Result<()> {
    apply_indexed(
        m,
        body,
        target,
        opts,
        custom,
        legacy_json,
        &mut KindIndex::default(),
    )
}

/// kyaml refuses a `$patch` directive it does not know in the patch's maps. (In a list it
/// depends on the list: one kyaml merges by key refuses it, one it replaces keeps it as
/// data; lists are left alone here.)
fn check_strategies(v: &Value) -> Result<()> {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(s)) = m.get("$patch")
                && !matches!(s.as_str(), "delete" | "replace" | "merge")
            {
                return Err(err(ErrorKind::Patch(format!(
                    "unknown patch strategy '{s}'"
                ))));
            }
            m.values().try_for_each(check_strategies)
        }
        _ => Ok(()),
    }
}

/// [`apply`] with a [`KindIndex`] shared by consecutive patches (nothing else may change
/// the objects between them).
pub fn apply_indexed(
    m: &mut ResMap,
    body: &Body,
    target: Option<&Selector>,
    opts: &PatchOptions,
    custom: &CustomKeys,
    legacy_json: bool,
    kinds: &mut KindIndex,
) -> Result<()> {
    match body {
        Body::Smp(docs) => {
            if target.is_some() && docs.len() > 1 {
                return Err(err(ErrorKind::Patch(
                    "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field".into(),
                )));
            }
            for doc in docs {
                let idxs = match target {
                    Some(sel) => select(m, sel, kinds)?,
                    None => vec![find_one(m, doc, kinds)?],
                };
                if !idxs.is_empty() {
                    check_strategies(doc)?;
                }
                let mut removed = Vec::new();
                for &i in &idxs {
                    if !apply_smp_to(&mut m.items[i], doc, opts, custom, target.is_some()) {
                        removed.push(i);
                    } else {
                        // kyaml merges scalars into the existing nodes.
                        m.items[i].sync_aliases();
                    }
                }
                for &i in removed.iter().rev() {
                    m.items.remove(i);
                }
                kinds.update(m, &idxs, !removed.is_empty());
            }
            Ok(())
        }
        Body::Json(ops) => {
            let Some(sel) = target else {
                return Err(err(ErrorKind::Patch(
                    "must specify a target for JSON patch".into(),
                )));
            };
            let idxs = select(m, sel, kinds)?;
            // Parsed once for every target (and only when there is one, as before).
            let mut parsed: Option<json_patch::Patch> = None;
            let mut result = Ok(());
            for &i in &idxs {
                if parsed.is_none() {
                    match parse_json_ops(ops) {
                        Ok(p) => parsed = Some(p),
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                if let Some(p) = &parsed
                    && let Err(e) = apply_parsed_json(&mut m.items[i], p, !legacy_json)
                {
                    result = Err(e);
                    break;
                }
            }
            kinds.update(m, &idxs, false);
            result
        }
    }
}

fn find_one(m: &ResMap, doc: &Value, kinds: &mut KindIndex) -> Result<usize> {
    let id = patch_id(doc);
    let k = kinds.get(m);
    let kind = k.ids.get(id.gvk.kind.as_str()).copied();
    let found: Vec<usize> = m
        .items
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            // Ids only match with the same kind: the current id is read only for objects
            // of the patch's kind.
            r.prev_ids.iter().any(|x| x.same_as(&id))
                || (Some(k.kind_of[*i]) == kind && r.cur_view().same_as(&id))
        })
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(err(ErrorKind::Patch(format!(
            "no resource matches strategic merge patch \"{id}\""
        )))),
        _ => Err(err(ErrorKind::Patch(format!(
            "multiple resources match strategic merge patch \"{id}\""
        )))),
    }
}

fn parse_json_ops(ops: &Value) -> Result<json_patch::Patch> {
    let mut ops = ops.clone();
    if let Value::Array(list) = &mut ops {
        for op in list.iter_mut().filter_map(Value::as_object_mut) {
            // evanphx/json-patch reads a missing `value` as JSON null.
            if matches!(
                op.get("op").and_then(Value::as_str),
                Some("add" | "replace" | "test")
            ) && !op.contains_key("value")
            {
                op.insert("value".into(), Value::Null);
            }
            for key in ["path", "from"] {
                if let Some(Value::String(p)) = op.get_mut(key) {
                    if let Some(fixed) = evanphx_path(p) {
                        *p = fixed;
                    }
                    *p = evanphx_escapes(p);
                }
            }
        }
    }
    json_patch::Patch::deserialize(&ops)
        .map_err(|e| err(ErrorKind::JsonPatch(format!("invalid JSON patch: {e}"))))
}

/// evanphx/json-patch splits a path at `/` and drops what comes before the first one, so a
/// path that does not start with `/` (`spec/replicas`) reads from its first `/` on.
fn evanphx_path(p: &str) -> Option<String> {
    if p.starts_with('/') {
        return None;
    }
    p.find('/').map(|i| p[i..].to_string())
}

/// evanphx/json-patch decodes each token by replacing `~1` with `/`, then `~0` with `~`,
/// and refuses no other `~` (`a~2b` is the key `a~2b`): the tokens are written again
/// with strict escapes, so the JSON Pointer parser reads the keys evanphx reads.
fn evanphx_escapes(p: &str) -> String {
    if !p.contains('~') {
        return p.to_string();
    }
    p.split('/')
        .map(|t| {
            t.replace("~1", "/")
                .replace("~0", "~")
                .replace('~', "~0")
                .replace('/', "~1")
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Go's JSON equality after decoding into `interface{}`: numbers are float64, so `2` and
/// `2.0` are equal.
fn go_json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| go_json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| go_json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// An array index as Go's `strconv.Atoi` reads it (a sign and leading zeros allowed).
fn go_index(token: &str) -> Option<i64> {
    let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.strip_prefix('+').unwrap_or(token).parse().ok()
}

/// Whether a pointer holds an index token JSON Pointer would not take as evanphx does
/// (`-1`, `01`, `+0`).
fn has_go_index(p: &str) -> bool {
    p.split('/')
        .any(|t| go_index(t).is_some() && t != "0" && t.starts_with(['0', '+', '-']))
}

/// `path` with each index into an array of `doc` written as JSON Pointer writes it: negative
/// indices count from the end (for the last token of an `add`, from one past it).
fn canonical_indices(doc: &Value, path: &str, add: bool) -> String {
    let tokens: Vec<&str> = path.split('/').skip(1).collect();
    let mut out = String::new();
    let mut cur = Some(doc);
    for (i, tok) in tokens.iter().enumerate() {
        out.push('/');
        match (cur, go_index(tok)) {
            (Some(Value::Array(a)), Some(n)) => {
                let len = a.len() as i64 + i64::from(add && i + 1 == tokens.len());
                let idx = if n < 0 { n + len } else { n };
                if (0..len).contains(&idx) {
                    out.push_str(&idx.to_string());
                    cur = a.get(idx as usize);
                } else {
                    out.push_str(tok);
                    cur = None;
                }
            }
            (Some(Value::Object(m)), _) => {
                out.push_str(tok);
                cur = m.get(&tok.replace("~1", "/").replace("~0", "~"));
            }
            _ => {
                out.push_str(tok);
                cur = None;
            }
        }
    }
    out
}

/// `op` with its paths' array indices read against `doc` as evanphx/json-patch reads them.
fn with_go_indices(doc: &Value, op: &PatchOperation) -> PatchOperation {
    let Ok(Value::Object(mut m)) = serde_json::to_value(op) else {
        return op.clone();
    };
    let add = m.get("op").and_then(Value::as_str) == Some("add");
    for key in ["path", "from"] {
        if let Some(Value::String(p)) = m.get_mut(key)
            && has_go_index(p)
        {
            *p = canonical_indices(doc, p, add && key == "path");
        }
    }
    serde_json::from_value(Value::Object(m)).unwrap_or_else(|_| op.clone())
}

fn op_has_go_index(op: &PatchOperation) -> bool {
    serde_json::to_value(op).is_ok_and(|v| {
        ["path", "from"]
            .iter()
            .any(|k| v.get(k).and_then(Value::as_str).is_some_and(has_go_index))
    })
}

/// Applies JSON 6902 operations to one object.
pub fn apply_json(r: &mut Resource, ops: &Value, store_previous_id: bool) -> Result<()> {
    let patch = parse_json_ops(ops)?;
    apply_parsed_json(r, &patch, store_previous_id)
}

fn apply_parsed_json(
    r: &mut Resource,
    patch: &json_patch::Patch,
    store_previous_id: bool,
) -> Result<()> {
    // json_patch undoes every operation when one fails, so the object is patched in place
    // and still names itself as before in the error.
    // JSON patches may rename or re-kind an object; `patches` records the old id.
    let previous = store_previous_id.then(|| r.cur_id());
    // kustomize patches the object as JSON and reads it back: no node is shared any more.
    r.aliases.clear();
    // Nulls read back from JSON are written `null`, so none is blank any more; keys are
    // strings then, but an object with other keys cannot become JSON in the first place.
    r.check_string_keys()?;
    r.non_string_keys.clear();
    r.blank_nulls.clear();
    let before = r.describe();
    let mut doc = std::mem::take(&mut r.obj);
    // kustomize patches an object that still carries its internal annotations, so
    // `/metadata/annotations` is there to add to even when the object has none.
    let annotations_added = match doc.get_mut("metadata") {
        Some(Value::Object(m)) if !m.contains_key("annotations") => {
            m.insert("annotations".into(), Value::Object(Default::default()));
            true
        }
        _ => false,
    };
    let res = if patch.iter().any(|op| {
        matches!(
            op,
            PatchOperation::Replace(_) | PatchOperation::Test(_) | PatchOperation::Copy(_)
        ) || op_has_go_index(op)
    }) {
        patch_as_evanphx_v4(&mut doc, patch)
    } else {
        json_patch::patch(&mut doc, patch).map_err(|e| e.to_string())
    };
    if annotations_added
        && let Some(Value::Object(m)) = doc.get_mut("metadata")
        && m.get("annotations")
            .is_some_and(|a| a.as_object().is_some_and(|a| a.is_empty()))
    {
        m.remove("annotations");
    }
    r.obj = doc;
    if let Err(e) = res {
        return Err(err(ErrorKind::JsonPatch(e)).for_object(before));
    }
    // kustomize reads the patched object back as a resource, which needs a kind and a name
    // (of any type, but not null or an empty string).
    for (field, pointer) in [("kind", "/kind"), ("metadata.name", "/metadata/name")] {
        if r.obj
            .pointer(pointer)
            .is_none_or(|v| v.is_null() || v == "")
        {
            return Err(err(ErrorKind::JsonPatch(format!(
                "missing {field} in the patched object"
            )))
            .for_object(before));
        }
    }
    r.prev_ids.extend(previous);
    Ok(())
}

/// Applies `patch` as kustomize's evanphx/json-patch v4 does, where a key an object lacks
/// reads as null (that library's map lookup reports no error for a missing key): a `replace`
/// of it adds it, a `test` of it for null passes; array indices are Go integers (`-1` counts
/// from the end, `01` and `+0` are 1 and 0). One operation at a time, so each sees what
/// the ones before it did; `test` compares numbers by value, and `copy` of a missing key
/// copies null; on a failure `doc` is left as it was, and the message numbers the
/// operation within the whole patch.
fn patch_as_evanphx_v4(
    doc: &mut Value,
    patch: &json_patch::Patch,
) -> std::result::Result<(), String> {
    let original = doc.clone();
    for (i, op) in patch.iter().enumerate() {
        let indexed;
        let op = if op_has_go_index(op) {
            indexed = with_go_indices(doc, op);
            &indexed
        } else {
            op
        };
        let op = match op {
            PatchOperation::Replace(r) if missing_object_key(doc, &r.path) => {
                PatchOperation::Add(json_patch::AddOperation {
                    path: r.path.clone(),
                    value: r.value.clone(),
                })
            }
            PatchOperation::Test(t) if t.value.is_null() && missing_object_key(doc, &t.path) => {
                continue;
            }
            PatchOperation::Test(t)
                if t.path
                    .resolve(doc)
                    .is_ok_and(|found| go_json_equal(found, &t.value)) =>
            {
                continue;
            }
            // A key the source object lacks reads as null there.
            PatchOperation::Copy(c) if missing_object_key(doc, &c.from) => {
                PatchOperation::Add(json_patch::AddOperation {
                    path: c.path.clone(),
                    value: Value::Null,
                })
            }
            other => other.clone(),
        };
        if let Err(e) = json_patch::patch(doc, std::slice::from_ref(&op)) {
            *doc = original;
            return Err(format!(
                "operation '/{i}' failed at path '{}': {}",
                e.path, e.kind
            ));
        }
    }
    Ok(())
}

/// Whether `path` names a key that its parent, an object, does not have.
fn missing_object_key(doc: &Value, path: &json_patch::jsonptr::Pointer) -> bool {
    let Some((parent, last)) = path.split_back() else {
        return false;
    };
    match parent.resolve(doc) {
        Ok(Value::Object(m)) => !m.contains_key(last.decoded().as_ref()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(obj: Value, targeted: bool) -> Value {
        let mut r = Resource::new(obj, "test");
        let patch = json!({
            "apiVersion": "example.com/v2",
            "kind": "Widget",
            "metadata": {"name": "other", "labels": {"patched": "yes"}},
        });
        let opts = PatchOptions::default();
        assert!(apply_smp_to(
            &mut r,
            &patch,
            &opts,
            &CustomKeys::default(),
            targeted
        ));
        r.obj
    }

    #[test]
    fn targeted_patch_of_object_without_api_version_leaves_null() {
        let obj = patched(json!({"kind": "Widget", "metadata": {"name": "a"}}), true);
        assert_eq!(obj.get("apiVersion"), Some(&Value::Null));
        assert_eq!(obj["metadata"]["labels"]["patched"], "yes");
        assert_eq!(obj["metadata"]["name"], "a");
    }

    #[test]
    fn targeted_patch_keeps_object_api_version() {
        for api in [json!("example.com/v1"), json!("")] {
            let obj =
                json!({"apiVersion": api.clone(), "kind": "Widget", "metadata": {"name": "a"}});
            assert_eq!(patched(obj, true)["apiVersion"], api);
        }
    }
}
