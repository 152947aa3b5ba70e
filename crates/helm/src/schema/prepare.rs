//! Schemas made ready for validation: draft detection, `$ref` loading and the rewrites that make the Rust validator read a schema as Go's does.

use super::*;

/// The draft a schema declares with `$schema` (santhosh's default is 2020-12).
pub(super) fn draft_of(schema: &J) -> u32 {
    let url = schema
        .get("$schema")
        .and_then(J::as_str)
        .unwrap_or_default();
    named_draft(url).unwrap_or(2020)
}

/// The draft a `$schema` address names (its `http(s)://` and trailing `#` optional), if it
/// names one: `json-schema.org/schema` is the latest.
pub(super) fn named_draft(url: &str) -> Option<u32> {
    let url = url.trim_end_matches('#');
    let url = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    match url {
        "json-schema.org/draft-04/schema" => Some(4),
        "json-schema.org/draft-06/schema" => Some(6),
        "json-schema.org/draft-07/schema" => Some(7),
        "json-schema.org/draft/2019-09/schema" => Some(2019),
        "json-schema.org/draft/2020-12/schema" | "json-schema.org/schema" => Some(2020),
        _ => None,
    }
}

/// Values hold numbers as Go's float64, and santhosh takes any number with an integral value
/// for an `integer`, in every draft; the validator here follows draft 4's letter, where only
/// numbers written without a fraction are, so whole numbers are handed to it as integers.
pub(super) fn whole_numbers_as_integers(v: &mut J) {
    match v {
        J::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && n.is_f64()) {
                // Exact below 2^63 and 2^64; larger whole numbers stay floats.
                if f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                    *n = (f as i64).into();
                } else if f >= 0.0 && f < 2f64.powi(64) {
                    *n = (f as u64).into();
                }
            }
        }
        J::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        J::Object(m) => m.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

pub(super) fn escape_pointer(p: &str) -> String {
    p.replace('~', "~0").replace('/', "~1")
}

/// What loading `$ref`s came to, shared with the loader the validator owns.
#[derive(Default, Clone)]
pub(super) struct RefLoads(std::sync::Arc<std::sync::Mutex<RefOutcome>>);

#[derive(Default)]
pub(super) struct RefOutcome {
    /// The first reference that could not be loaded, worded as Helm's compiler words it.
    pub(super) failure: Option<String>,
    /// The lines Helm logs for `urn:` references.
    pub(super) warnings: Vec<String>,
    /// What each document address gave, loaded once per schema.
    loaded: std::collections::HashMap<String, Result<J, String>>,
}

impl RefLoads {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, RefOutcome> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(super) struct RefLoader(pub(super) RefLoads);

impl jsonschema::Retrieve for RefLoader {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<J, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() == "urn" {
            self.0.lock().warnings.push(format!(
                "level=WARN msg=\"unresolved URN reference ignored; using permissive schema\" urn={}",
                crate::manifests::slog_text_value(uri.as_str())
            ));
            return Ok(J::Bool(true));
        }
        load_document(&self.0, uri).map_err(|text| {
            self.0.lock().failure.get_or_insert_with(|| text.clone());
            text.into()
        })
    }
}

/// A document a reference names (`file:` from disk, `http(s):` through the hook), loaded
/// once per schema: the document, or Helm's whole failure text (`failing loading "…": …`).
fn load_document(loads: &RefLoads, uri: &jsonschema::Uri<String>) -> Result<J, String> {
    let url = uri.as_str();
    if let Some(done) = loads.lock().loaded.get(url) {
        return done.clone();
    }
    let json = |data: &[u8]| {
        serde_json::from_slice(data).map_err(|e| {
            ferroflux_gotemplate::funcs::encoding::go_json_decode_error(
                &String::from_utf8_lossy(data),
                &e,
            )
        })
    };
    let loaded = match uri.scheme().as_str() {
        "file" => {
            let path = uri.path().as_str();
            std::fs::read(path)
                .map_err(|e| format!("open {path}: {}", crate::chart_dir::go_error_text(&e)))
                .and_then(|data| json(&data))
        }
        "http" | "https" => match NETWORK.get() {
            Some(fetch) => fetch(url).and_then(|data| json(&data)),
            None => Err(NOT_FETCHED.into()),
        },
        _ => Err(NOT_FETCHED.into()),
    }
    .map_err(|why| {
        format!(
            "failing loading {}: {why}",
            ferroflux_gotemplate::fmt::go_quote(url)
        )
    });
    loads.lock().loaded.insert(url.to_string(), loaded.clone());
    loaded
}

/// The documents a schema's references reach, directly or through each other.
#[derive(Default)]
pub(super) struct Reached {
    /// Each loaded document by its address, in the order met.
    pub(super) docs: Vec<(String, J)>,
    /// Why the first document that did not load failed (the crawl stops there).
    pub(super) failure: Option<String>,
}

/// Every `$ref` in `schema` and in what it reaches is followed, wherever it stands (tables
/// of definitions under any name, which the validator's own crawl can miss), breadth first
/// and in document order, as Helm's compiler meets them: relative ones resolved against the
/// enclosing `$id` (`id` in draft 4) or the document's address. `urn:` ones are left to the
/// loader.
pub(super) fn reach_documents(schema: &J, draft: u32, loads: &RefLoads) -> Reached {
    /// Enough for any real chart; a runaway web of documents stops here.
    const MAX_DOCUMENTS: usize = 256;
    let id_key = if draft == 4 { "id" } else { "$id" };
    let root = jsonschema::uri::from_str(ROOT_ADDRESS).expect("a valid address");
    let mut seen = std::collections::HashSet::from([root.as_str().to_string()]);
    let mut reached = Reached::default();
    let mut queue = std::collections::VecDeque::from([(std::borrow::Cow::Borrowed(schema), root)]);
    while let Some((doc, address)) = queue.pop_front() {
        let mut nodes = std::collections::VecDeque::from([(&*doc, address.clone())]);
        while let Some((v, base)) = nodes.pop_front() {
            match v {
                J::Object(m) => {
                    let base = match m.get(id_key).and_then(J::as_str) {
                        Some(id) => {
                            let own = jsonschema::uri::resolve_against(&base.borrow(), id)
                                .unwrap_or(base);
                            // A document (or part of one) that names itself is at hand: its
                            // address is never fetched.
                            let mut address = own.clone();
                            address.set_fragment(None);
                            seen.insert(address.as_str().to_string());
                            own
                        }
                        None => base,
                    };
                    if let Some(J::String(r)) = m.get("$ref")
                        && let Ok(mut target) = jsonschema::uri::resolve_against(&base.borrow(), r)
                        && target.scheme().as_str() != "urn"
                    {
                        target.set_fragment(None);
                        if seen.len() < MAX_DOCUMENTS && seen.insert(target.as_str().to_string()) {
                            match load_document(loads, &target) {
                                Ok(found) => {
                                    reached
                                        .docs
                                        .push((target.as_str().to_string(), found.clone()));
                                    queue.push_back((std::borrow::Cow::Owned(found), target));
                                }
                                // Helm's compiler stops at the first document that does
                                // not load: so does the crawl (each may take the timeout).
                                Err(why) => {
                                    reached.failure = Some(why);
                                    return reached;
                                }
                            }
                        }
                    }
                    nodes.extend(m.values().map(|x| (x, base.clone())));
                }
                J::Array(items) => nodes.extend(items.iter().map(|x| (x, base.clone()))),
                _ => {}
            }
        }
    }
    reached
}

pub(super) const NOT_FETCHED: &str = "references over the network are not fetched";

/// Fetches an `http(s):` address a schema refers to: its body, or why not in the words
/// Helm's loader uses after `failing loading "<address>": `.
pub type FetchReference = dyn Fn(&str) -> Result<Vec<u8>, String> + Send + Sync;

static NETWORK: std::sync::OnceLock<Box<FetchReference>> = std::sync::OnceLock::new();

/// Lets schemas load `http(s):` references with `fetch`, as Helm's validator downloads them.
/// Without it (this crate alone never uses the network) they fail to load. The first call
/// wins.
pub fn fetch_references_with(fetch: Box<FetchReference>) {
    let _ = NETWORK.set(fetch);
}

/// Helm's validator compiles `pattern` and `patternProperties` as Go regular expressions;
/// ours takes ECMA ones, which have no inline flags. A leading `(?i)` (common in charts) is
/// spelled out: each letter matches both cases.
pub(super) fn case_fold_patterns(v: &mut J) {
    match v {
        J::Object(m) => {
            if let Some(J::String(p)) = m.get_mut("pattern")
                && let Some(folded) = fold_case_flag(p)
            {
                *p = folded;
            }
            if let Some(J::Object(props)) = m.get_mut("patternProperties")
                && props.keys().any(|k| k.starts_with("(?i)"))
            {
                let old = std::mem::take(props);
                for (k, x) in old {
                    props.insert(fold_case_flag(&k).unwrap_or(k), x);
                }
            }
            m.values_mut().for_each(case_fold_patterns);
        }
        J::Array(items) => items.iter_mut().for_each(case_fold_patterns),
        _ => {}
    }
}

thread_local! {
    /// Patterns spelled out by [`fold_case_flag`] on this thread, to the text the schema
    /// wrote (what messages quote).
    pub(super) static FOLDED: std::cell::RefCell<std::collections::HashMap<String, String>> =
        Default::default();
}

/// `(?i)rest` as a pattern without the flag, or `None` when it has none.
pub(super) fn fold_case_flag(p: &str) -> Option<String> {
    let folded = fold(p.strip_prefix("(?i)")?);
    FOLDED.with(|f| f.borrow_mut().insert(folded.clone(), p.to_string()));
    Some(folded)
}

pub(super) fn fold(rest: &str) -> String {
    let mut out = String::with_capacity(rest.len() * 2);
    let mut chars = rest.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            c if in_class => {
                // A range gains the other case of the letters in it (`[!-a]` also takes
                // `A`, and `[Z-a]` `z` and `A`); a single letter its other case.
                if chars.peek() == Some(&'-') {
                    let mut ahead = chars.clone();
                    ahead.next();
                    if let Some(end) = ahead.next().filter(|e| !matches!(e, ']' | '\\')) {
                        chars = ahead;
                        out.push_str(&format!("{c}-{end}"));
                        for (from, to) in [('a', 'z'), ('A', 'Z')] {
                            let (lo, hi) = (c.max(from), end.min(to));
                            if lo <= hi {
                                out.push_str(&format!("{}-{}", swap_case(lo), swap_case(hi)));
                            }
                        }
                        continue;
                    }
                }
                out.push(c);
                if c.is_ascii_alphabetic() {
                    out.push(swap_case(c));
                }
            }
            c if !in_class && c.is_ascii_alphabetic() => {
                out.push('[');
                out.push(c);
                out.push(swap_case(c));
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

pub(super) fn swap_case(c: char) -> char {
    if c.is_ascii_lowercase() {
        c.to_ascii_uppercase()
    } else {
        c.to_ascii_lowercase()
    }
}

/// Where Helm's compiler puts every chart's schema: relative references resolve against it.
const ROOT_ADDRESS: &str = "file:///values.schema.json";

pub(super) fn schema_options(loads: &RefLoads) -> jsonschema::ValidationOptions<'static> {
    // santhosh asserts `contentEncoding` and `contentMediaType` only when asked to, which
    // Helm never does; the validator here checks them for drafts 6 and 7 unless told not to.
    let mut opts = jsonschema::options()
        .with_base_uri(ROOT_ADDRESS)
        .with_retriever(RefLoader(loads.clone()))
        .without_content_media_type_support("application/json");
    for encoding in ["base64", "base64url", "base32", "base32hex", "base16"] {
        opts = opts.without_content_encoding_support(encoding);
    }
    opts
}

/// One schema against one values map; the error lists every failure as Helm prints it.
/// Helm's validator parses a `$ref` as Go's `url.Parse` does, which takes characters RFC
/// 3986 refuses in a fragment (`#/$defs/revisions[0]`, a space, `{}|^"<>` and a backquote);
/// they are percent-encoded for ours, which reads the pointer decoded, as Helm does. A
/// backslash is left for the validator to refuse, as Helm's refuses it.
pub(super) fn percent_encode_ref_fragments(v: &mut J) {
    match v {
        J::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    J::String(r) if k == "$ref" || k == "$dynamicRef" => {
                        if let Some(i) = r.find('#') {
                            let mut out = r[..=i].to_string();
                            for c in r[i + 1..].chars() {
                                let allowed = c.is_ascii_alphanumeric()
                                    || "-._~!$&'()*+,;=:@/?%\\".contains(c);
                                if allowed {
                                    out.push(c);
                                } else {
                                    let mut buf = [0u8; 4];
                                    for b in c.encode_utf8(&mut buf).bytes() {
                                        out.push_str(&format!("%{b:02X}"));
                                    }
                                }
                            }
                            *r = out;
                        }
                    }
                    _ => percent_encode_ref_fragments(x),
                }
            }
        }
        J::Array(items) => items.iter_mut().for_each(percent_encode_ref_fragments),
        _ => {}
    }
}
