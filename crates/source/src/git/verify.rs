//! `spec.verify`: OpenPGP signatures of the commit (`HEAD`), of the annotated tag (`Tag`), or of
//! both (`TagAndHEAD`), checked against the public keys of a Secret (every value an armored
//! key or keyring). Which key verified is reported, as Flux's `SourceVerified` condition does.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyMode {
    Head,
    Tag,
    TagAndHead,
}

impl VerifyMode {
    /// Flux's spelling: `HEAD`, `Tag`, `TagAndHEAD` (`head` is accepted for older manifests).
    pub fn parse(s: &str) -> Option<VerifyMode> {
        match s {
            "HEAD" | "head" => Some(VerifyMode::Head),
            "Tag" => Some(VerifyMode::Tag),
            "TagAndHEAD" => Some(VerifyMode::TagAndHead),
            _ => None,
        }
    }

    fn commit(self) -> bool {
        matches!(self, VerifyMode::Head | VerifyMode::TagAndHead)
    }

    fn tag(self) -> bool {
        matches!(self, VerifyMode::Tag | VerifyMode::TagAndHead)
    }
}

/// The keys signatures are checked against.
#[derive(Clone, Debug)]
pub struct Keyring {
    keys: Vec<SignedPublicKey>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("secret key '{key}' is not an armored OpenPGP public key: {reason}")]
    BadKey { key: String, reason: String },
    #[error("the verification secret holds no public key")]
    NoKeys,
    #[error("{what} is not signed")]
    Unsigned { what: String },
    #[error("{what} has an unreadable signature: {reason}")]
    BadSignature { what: String, reason: String },
    #[error("the signature of {what} does not verify with any key of the secret")]
    NoMatchingKey { what: String },
    #[error("verification mode {mode} needs a tag or semver reference")]
    NoTag { mode: &'static str },
    #[error("reading {what}: {reason}")]
    Read { what: String, reason: String },
}

impl Keyring {
    /// Every value of the Secret's data is read as one or more armored public keys.
    pub fn from_secret(data: &BTreeMap<String, Vec<u8>>) -> Result<Keyring, VerifyError> {
        let mut keys = Vec::new();
        for (name, value) in data {
            let bad = |reason: String| VerifyError::BadKey {
                key: name.clone(),
                reason,
            };
            let text = std::str::from_utf8(value).map_err(|e| bad(e.to_string()))?;
            let (parsed, _) =
                SignedPublicKey::from_string_many(text).map_err(|e| bad(e.to_string()))?;
            let before = keys.len();
            for key in parsed {
                keys.push(key.map_err(|e| bad(e.to_string()))?);
            }
            if keys.len() == before {
                return Err(bad("no key found".to_string()));
            }
        }
        if keys.is_empty() {
            return Err(VerifyError::NoKeys);
        }
        Ok(Keyring { keys })
    }

    /// The fingerprint (hex) of the key or subkey that made `signature` over `data`.
    fn verify(&self, what: &str, signature: &[u8], data: &[u8]) -> Result<String, VerifyError> {
        let text = std::str::from_utf8(signature).map_err(|e| VerifyError::BadSignature {
            what: what.to_string(),
            reason: e.to_string(),
        })?;
        let (sig, _) =
            DetachedSignature::from_string(text).map_err(|e| VerifyError::BadSignature {
                what: what.to_string(),
                reason: e.to_string(),
            })?;
        crate::keyring::signer(
            &self.keys,
            |k| sig.verify(k, data).is_ok(),
            |k| sig.verify(k, data).is_ok(),
        )
        .ok_or_else(|| VerifyError::NoMatchingKey {
            what: what.to_string(),
        })
    }
}

/// Verifies what `mode` asks of the fetched objects; returns one line per verified object,
/// e.g. `commit '<sha>' with key '<fingerprint>'`.
pub fn verify(
    repo: &gix::Repository,
    mode: VerifyMode,
    keyring: &Keyring,
    commit: &str,
    tag: Option<(&str, &str)>,
) -> Result<Vec<String>, VerifyError> {
    let mut verified = Vec::new();
    if mode.tag() {
        let (name, object) = tag.ok_or(VerifyError::NoTag {
            mode: if mode == VerifyMode::Tag {
                "Tag"
            } else {
                "TagAndHEAD"
            },
        })?;
        let what = format!("tag '{name}'");
        let raw = read_object(repo, object, &what)?;
        let (data, signature) = split_tag_signature(&raw)
            .ok_or_else(|| VerifyError::Unsigned { what: what.clone() })?;
        let key = keyring.verify(&what, signature, data)?;
        verified.push(format!("tag '{name}' with key '{key}'"));
    }
    if mode.commit() {
        let what = format!("commit '{commit}'");
        let id = gix::ObjectId::from_hex(commit.as_bytes()).map_err(|e| VerifyError::Read {
            what: what.clone(),
            reason: e.to_string(),
        })?;
        let found = repo.find_commit(id).map_err(|e| VerifyError::Read {
            what: what.clone(),
            reason: super::remote::flatten(&e),
        })?;
        let signed = found.signature().map_err(|e| VerifyError::Read {
            what: what.clone(),
            reason: super::remote::flatten(&e),
        })?;
        let (signature, data) =
            signed.ok_or_else(|| VerifyError::Unsigned { what: what.clone() })?;
        let key = keyring.verify(&what, &signature, &data.to_bstring())?;
        verified.push(format!("commit '{commit}' with key '{key}'"));
    }
    Ok(verified)
}

fn read_object(repo: &gix::Repository, id: &str, what: &str) -> Result<Vec<u8>, VerifyError> {
    let read = |reason: String| VerifyError::Read {
        what: what.to_string(),
        reason,
    };
    let oid = gix::ObjectId::from_hex(id.as_bytes()).map_err(|e| read(e.to_string()))?;
    let object = repo
        .find_object(oid)
        .map_err(|e| read(super::remote::flatten(&e)))?;
    if object.kind != gix::object::Kind::Tag {
        // A lightweight tag has no object of its own to sign.
        return Err(VerifyError::Unsigned {
            what: what.to_string(),
        });
    }
    Ok(object.data.clone())
}

/// An annotated tag's signature is appended to its message: (signed bytes, armored signature).
fn split_tag_signature(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    const BEGIN: &[u8] = b"-----BEGIN PGP SIGNATURE-----";
    let at = raw
        .windows(BEGIN.len())
        .enumerate()
        .filter(|(i, w)| *w == BEGIN && (*i == 0 || raw[i - 1] == b'\n'))
        .map(|(i, _)| i)
        .next_back()?;
    Some((&raw[..at], &raw[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_as_flux_spells_them() {
        assert_eq!(VerifyMode::parse("HEAD"), Some(VerifyMode::Head));
        assert_eq!(VerifyMode::parse("Tag"), Some(VerifyMode::Tag));
        assert_eq!(
            VerifyMode::parse("TagAndHEAD"),
            Some(VerifyMode::TagAndHead)
        );
        assert_eq!(VerifyMode::parse("tag"), None);
    }

    #[test]
    fn tag_signatures_split_at_the_last_armor_line() {
        let raw = b"object 1\ntype commit\ntag v1\n\nmsg\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n";
        let (data, sig) = split_tag_signature(raw).unwrap();
        assert!(data.ends_with(b"msg\n"));
        assert!(sig.starts_with(b"-----BEGIN PGP SIGNATURE-----"));
        assert!(split_tag_signature(b"object 1\n\nno signature\n").is_none());
    }

    #[test]
    fn secrets_must_hold_keys() {
        let mut data = BTreeMap::new();
        assert_eq!(
            Keyring::from_secret(&data).unwrap_err(),
            VerifyError::NoKeys
        );
        data.insert("author.asc".to_string(), b"not a key".to_vec());
        let e = Keyring::from_secret(&data).unwrap_err().to_string();
        assert!(
            e.starts_with("secret key 'author.asc' is not an armored OpenPGP public key"),
            "{e}"
        );
    }
}
