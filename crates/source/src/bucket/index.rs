//! The object index of a bucket and the revision Flux derives from it: every selected key with
//! its ETag, as lines `<key> <etag>\n` in byte order of the keys, hashed with sha256. The same
//! objects with the same ETags always give the same revision, so an unchanged bucket is not
//! fetched again.

use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

/// Object keys (full keys, prefix included) and their ETags, ordered by key bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    entries: BTreeMap<String, String>,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// Adds or replaces the ETag of `key`.
    pub fn insert(&mut self, key: impl Into<String>, etag: impl Into<String>) {
        self.entries.insert(key.into(), etag.into());
    }

    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.entries.remove(key)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keys and ETags in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The text that is hashed: one `<key> <etag>\n` line per object, keys in byte order
    /// (Go's `sort.Strings` order, which `BTreeMap<String, _>` shares).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.entries {
            out.push_str(k);
            out.push(' ');
            out.push_str(v);
            out.push('\n');
        }
        out
    }

    /// `sha256:<hex>` of [`Index::to_text`], streamed into the hasher line by line.
    pub fn revision(&self) -> String {
        let mut h = Sha256::new();
        for (k, v) in &self.entries {
            h.update(k.as_bytes());
            h.update(b" ");
            h.update(v.as_bytes());
            h.update(b"\n");
        }
        format!("sha256:{}", hex::encode(h.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_hex(s: &str) -> String {
        hex::encode(Sha256::digest(s.as_bytes()))
    }

    #[test]
    fn text_is_sorted_key_space_etag_lines() {
        let mut i = Index::new();
        i.insert("foo", "bar");
        i.insert("bar", "baz");
        assert_eq!(i.to_text(), "bar baz\nfoo bar\n");
        assert_eq!(
            i.revision(),
            format!("sha256:{}", sha256_hex("bar baz\nfoo bar\n"))
        );
    }

    #[test]
    fn empty_index_hashes_the_empty_string() {
        assert_eq!(
            Index::new().revision(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn keys_sort_by_bytes_like_go() {
        let mut i = Index::new();
        for k in ["b", "a/b/c", "B", "a-b", "a/b", "é", "z"] {
            i.insert(k, "e");
        }
        let keys: Vec<&str> = i.iter().map(|(k, _)| k).collect();
        // '-' (0x2d) < '/' (0x2f); uppercase before lowercase; multi-byte UTF-8 last.
        assert_eq!(keys, ["B", "a-b", "a/b", "a/b/c", "b", "z", "é"]);
    }

    #[test]
    fn revision_is_stable_and_changes_with_an_etag_or_a_key() {
        let mut a = Index::new();
        a.insert("dir/cm.yaml", "d41d8cd98f00b204e9800998ecf8427e");
        a.insert("x.yaml", "0cc175b9c0f1b6a831c399e269772661");
        let mut b = Index::new();
        // Insertion order does not matter.
        b.insert("x.yaml", "0cc175b9c0f1b6a831c399e269772661");
        b.insert("dir/cm.yaml", "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(a.revision(), b.revision());
        b.insert("x.yaml", "92eb5ffee6ae2fec3ad71c777531578f");
        assert_ne!(a.revision(), b.revision());
        let mut c = a.clone();
        c.remove("x.yaml");
        assert_ne!(a.revision(), c.revision());
    }

    #[test]
    fn known_digest_of_a_two_object_index() {
        // Computed independently: printf 'a.yaml 1\nb/c.yaml 2\n' | sha256sum
        let mut i = Index::new();
        i.insert("b/c.yaml", "2");
        i.insert("a.yaml", "1");
        assert_eq!(
            i.revision(),
            "sha256:346a07e8a20ea9b116008abffa224a2a98db6a5455985a799ce1a9abe4674e78"
        );
    }
}
