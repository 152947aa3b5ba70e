//! Helm provenance (`CHART.tgz.prov`): an OpenPGP clear-signed document holding the chart's
//! metadata and the SHA-256 of the archive, checked against a keyring as `helm --verify`
//! checks it (`downloader.VerifyChart`): the signature first, then the archive's digest.
//! Messages are Helm's where it has one.

use pgp::composed::{CleartextSignedMessage, SignedPublicKey};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a verified chart was signed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The fingerprint (hex) of the key or subkey that made the signature.
    pub key: String,
    /// `sha256:<hex>` of the archive.
    pub digest: String,
}

/// Verifies `archive` against `archive.prov` and the keys in `keyring` (a binary or armored
/// OpenPGP keyring, as `gpg --export` writes it).
pub fn verify_chart(archive: &Path, keyring: &Path) -> Result<Verified, String> {
    let prov_path = format!("{}.prov", archive.display());
    verify_chart_with(archive, Path::new(&prov_path), keyring)
}

/// [`verify_chart`] with the provenance file elsewhere (Helm's download cache keeps it
/// apart from the archive); the archive's file name is still the one the provenance names.
pub fn verify_chart_with(archive: &Path, prov: &Path, keyring: &Path) -> Result<Verified, String> {
    let meta = std::fs::metadata(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    if meta.is_dir() {
        return Err("unpacked charts cannot be verified".into());
    }
    let data = std::fs::read(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    if !data.starts_with(&[0x1f, 0x8b]) {
        return Err("chart must be a tgz file".into());
    }
    let prov_path = prov.display().to_string();
    let prov = std::fs::read(prov).map_err(|e| {
        format!(
            "could not load provenance file {prov_path}: stat {prov_path}: {}",
            go_io_error(&e)
        )
    })?;
    let keys = load_keyring(keyring)?;
    let text = String::from_utf8_lossy(&prov);
    let (message, _) = CleartextSignedMessage::from_string(&text)
        .map_err(|_| "signature block not found".to_string())?;
    let key = crate::keyring::signer(
        &keys,
        |k| message.verify(k).is_ok(),
        |k| message.verify(k).is_ok(),
    )
    .ok_or_else(|| "openpgp: signature made by unknown entity".to_string())?;
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&data)));
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match file_digest(message.text(), &name)? {
        None => Err(format!(
            "provenance does not contain a SHA for a file named {name:?}"
        )),
        Some(want) if want != digest => Err(format!(
            "sha256 sum does not match for {name}: {want:?} != {digest:?}"
        )),
        Some(_) => Ok(Verified { key, digest }),
    }
}

/// Helm's default keyring: `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> std::path::PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_default();
    Path::new(&home).join(".gnupg/pubring.gpg")
}

use ferroflux_goformat::go_io_error;

fn load_keyring(path: &Path) -> Result<Vec<SignedPublicKey>, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("open {}: {}", path.display(), go_io_error(&e)))?;
    crate::keyring::read_public_keys(&bytes)
}

/// The digest the signed text gives for `name`: its second part (after the `...` line) is a
/// YAML map `files: {NAME: sha256:HEX}`.
fn file_digest(text: &str, name: &str) -> Result<Option<String>, String> {
    let text = text.replace("\r\n", "\n");
    let Some((_, sums)) = text.split_once("\n...\n") else {
        return Err("message block must have at least two parts".into());
    };
    let parsed: serde_json::Value =
        serde_saphyr::from_str(sums).map_err(|e| format!("yaml: {e}"))?;
    Ok(parsed
        .get("files")
        .and_then(|f| f.get(name))
        .and_then(|v| v.as_str())
        .map(str::to_string))
}
