//! OpenPGP public keys as signatures are checked against them: Git commit and tag
//! signatures (`git::verify`) and Helm provenance files (`provenance`).

use pgp::composed::{Deserializable, SignedPublicKey, SignedPublicSubKey};
use pgp::types::KeyDetails;

/// The keys of a keyring file as gpg exports it, binary or armored.
pub fn read_public_keys(bytes: &[u8]) -> Result<Vec<SignedPublicKey>, String> {
    let openpgp = |e: pgp::errors::Error| format!("openpgp: {e}");
    if bytes.starts_with(b"-----BEGIN") {
        let text = String::from_utf8_lossy(bytes);
        let (keys, _) = SignedPublicKey::from_string_many(&text).map_err(openpgp)?;
        keys.collect::<Result<_, _>>().map_err(openpgp)
    } else {
        SignedPublicKey::from_bytes_many(bytes)
            .map_err(openpgp)?
            .collect::<Result<_, _>>()
            .map_err(openpgp)
    }
}

/// The fingerprint (hex) of the first key, or else subkey, of `keys` that made a signature,
/// as `by_key` and `by_subkey` check it (signatures are often made by a signing subkey).
pub fn signer(
    keys: &[SignedPublicKey],
    by_key: impl Fn(&SignedPublicKey) -> bool,
    by_subkey: impl Fn(&SignedPublicSubKey) -> bool,
) -> Option<String> {
    for key in keys {
        if by_key(key) {
            return Some(format!("{:X}", key.fingerprint()));
        }
        for sub in &key.public_subkeys {
            if by_subkey(sub) {
                return Some(format!("{:X}", sub.fingerprint()));
            }
        }
    }
    None
}
