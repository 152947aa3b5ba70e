//! Helm's content cache (`<root>/<hex[0:2]>/<hex>.chart` and `.prov`, keyed by SHA-256) and
//! Helm's configuration and cache directories.

use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};

/// What a cache entry holds.
#[derive(Clone, Copy)]
pub enum Kind {
    Chart,
    Prov,
}

fn entry(root: &Path, key: &[u8; 32], kind: Kind) -> PathBuf {
    let hex = hex::encode(key);
    let ext = match kind {
        Kind::Chart => "chart",
        Kind::Prov => "prov",
    };
    root.join(&hex[..2]).join(format!("{hex}.{ext}"))
}

/// The cached file, if there and not empty (Helm counts an empty file as missing).
pub fn get(root: &Path, key: &[u8; 32], kind: Kind) -> Option<PathBuf> {
    let path = entry(root, key, kind);
    std::fs::metadata(&path)
        .is_ok_and(|m| m.is_file() && m.len() > 0)
        .then_some(path)
}

/// Stores `data` under `key` and returns its path.
pub fn put(root: &Path, key: &[u8; 32], kind: Kind, data: &[u8]) -> Result<PathBuf, String> {
    let path = entry(root, key, kind);
    write_atomic(&path, data)?;
    Ok(path)
}

/// Writes `path` beside and renames it into place, so that a reader never sees half a file
/// and a failure leaves the old one; readable by all (0644), as Helm writes its caches.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let failed = |e: &dyn std::fmt::Display| format!("writing {}: {e}", path.display());
    std::fs::create_dir_all(dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| failed(&e))?;
    std::fs::write(tmp.path(), data).map_err(|e| failed(&e))?;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
        .map_err(|e| failed(&e))?;
    tmp.persist(path).map_err(|e| failed(&e))?;
    Ok(())
}

/// SHA-256 of `data`, the key of what was downloaded without a known digest.
pub fn key_of(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A digest as an index states it (`sha256:` optional), in Helm's words when it is not one.
pub fn parse_digest(digest: &str) -> Result<Option<[u8; 32]>, String> {
    let hex_part = digest.strip_prefix("sha256:").unwrap_or(digest);
    if hex_part.is_empty() {
        return Ok(None);
    }
    let bytes =
        hex::decode(hex_part).map_err(|e| format!("unable to decode digest: {}", go_hex(&e)))?;
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("invalid digest length: {}", bytes.len()))?;
    Ok(Some(key))
}

fn go_hex(e: &hex::FromHexError) -> String {
    match e {
        hex::FromHexError::InvalidHexCharacter { c, .. } => {
            format!("encoding/hex: invalid byte: U+{:04X} {c:?}", *c as u32)
        }
        hex::FromHexError::OddLength => "encoding/hex: odd length hex string".into(),
        other => other.to_string(),
    }
}

/// Helm's configuration directory: `$HELM_CONFIG_HOME`, else `$XDG_CONFIG_HOME/helm`, else
/// `~/.config/helm`.
pub fn helm_config_home() -> PathBuf {
    helm_home("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", ".config")
}

/// Helm's cache directory: `$HELM_CACHE_HOME`, else `$XDG_CACHE_HOME/helm`, else
/// `~/.cache/helm`.
pub fn helm_cache_home() -> PathBuf {
    helm_home("HELM_CACHE_HOME", "XDG_CACHE_HOME", ".cache")
}

fn helm_home(helm: &str, xdg: &str, under_home: &str) -> PathBuf {
    let set = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = set(helm) {
        return p;
    }
    if let Some(p) = set(xdg) {
        return p.join("helm");
    }
    set("HOME")
        .unwrap_or_default()
        .join(under_home)
        .join("helm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_filed_by_digest() {
        let dir = tempfile::tempdir().unwrap();
        let key = key_of(b"chart bytes");
        assert!(get(dir.path(), &key, Kind::Chart).is_none());
        let path = put(dir.path(), &key, Kind::Chart, b"chart bytes").unwrap();
        let hex = hex::encode(key);
        assert_eq!(
            path,
            dir.path().join(&hex[..2]).join(format!("{hex}.chart"))
        );
        assert_eq!(get(dir.path(), &key, Kind::Chart), Some(path));
        assert!(get(dir.path(), &key, Kind::Prov).is_none());
        // An empty entry is a miss.
        put(dir.path(), &key, Kind::Prov, b"").unwrap();
        assert!(get(dir.path(), &key, Kind::Prov).is_none());
    }

    #[test]
    fn digests_are_checked_as_helm_checks_them() {
        assert_eq!(parse_digest("").unwrap(), None);
        let hex = "ab".repeat(32);
        assert_eq!(
            parse_digest(&format!("sha256:{hex}")).unwrap(),
            Some([0xab; 32])
        );
        assert_eq!(
            parse_digest("abcd").unwrap_err(),
            "invalid digest length: 2"
        );
        assert_eq!(
            parse_digest("zz").unwrap_err(),
            "unable to decode digest: encoding/hex: invalid byte: U+007A 'z'"
        );
    }
}
