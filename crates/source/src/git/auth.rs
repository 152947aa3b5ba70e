//! Credentials for a Git remote, in the shape of Flux's Secret data: `username`/`password`,
//! `bearerToken`, `identity` + `known_hosts` for SSH, `ca.crt`, `tls.crt`/`tls.key`.

use std::collections::BTreeMap;

#[derive(Clone, Default)]
pub struct GitAuth {
    pub basic: Option<(String, String)>,
    pub bearer_token: Option<String>,
    /// PEM of the CA(s) to trust instead of the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM certificate chain and private key for mutual TLS.
    pub client_cert: Option<(Vec<u8>, Vec<u8>)>,
    pub ssh: Option<SshAuth>,
}

#[derive(Clone)]
pub struct SshAuth {
    /// The private key in OpenSSH or PEM form.
    pub identity: Vec<u8>,
    /// `known_hosts` lines; required, and enforced.
    pub known_hosts: Vec<u8>,
    /// The key's passphrase, if it has one (the Secret's `password` beside `identity`).
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for GitAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        f.debug_struct("GitAuth")
            .field("basic", &self.basic.as_ref().map(|(u, _)| u))
            .field("bearer_token", &self.bearer_token.is_some())
            .field("ca_pem", &self.ca_pem.is_some())
            .field("client_cert", &self.client_cert.is_some())
            .field("ssh", &self.ssh.is_some())
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("secret data '{key}' is not valid UTF-8")]
    NotUtf8 { key: String },
    #[error("secret has '{present}' but not '{missing}'")]
    Incomplete { present: String, missing: String },
    #[error("secret has both basic auth ('username') and 'bearerToken'; use one")]
    Conflicting,
}

impl GitAuth {
    /// Reads Flux's GitRepository Secret data (already base64-decoded).
    pub fn from_secret(data: &BTreeMap<String, Vec<u8>>) -> Result<GitAuth, SecretError> {
        let text = |key: &str| -> Result<Option<String>, SecretError> {
            data.get(key)
                .map(|v| {
                    String::from_utf8(v.clone()).map_err(|_| SecretError::NotUtf8 {
                        key: key.to_string(),
                    })
                })
                .transpose()
        };
        let incomplete = |present: &str, missing: &str| SecretError::Incomplete {
            present: present.to_string(),
            missing: missing.to_string(),
        };
        let mut auth = GitAuth::default();
        let has_identity = data.contains_key("identity");
        match (text("username")?, text("password")?) {
            // Beside an SSH key, `password` is the key's passphrase.
            (None, Some(_)) if has_identity => {}
            (Some(u), Some(p)) => auth.basic = Some((u, p)),
            (Some(_), None) if !data.contains_key("identity") => {
                return Err(incomplete("username", "password"));
            }
            (None, Some(_)) if !data.contains_key("identity") => {
                return Err(incomplete("password", "username"));
            }
            _ => {}
        }
        auth.bearer_token = text("bearerToken")?;
        if auth.basic.is_some() && auth.bearer_token.is_some() {
            return Err(SecretError::Conflicting);
        }
        auth.ca_pem = data.get("ca.crt").or_else(|| data.get("caFile")).cloned();
        match (data.get("tls.crt"), data.get("tls.key")) {
            (Some(c), Some(k)) => auth.client_cert = Some((c.clone(), k.clone())),
            (Some(_), None) => return Err(incomplete("tls.crt", "tls.key")),
            (None, Some(_)) => return Err(incomplete("tls.key", "tls.crt")),
            (None, None) => {}
        }
        match (data.get("identity"), data.get("known_hosts")) {
            (Some(id), Some(kh)) => {
                let passphrase = if auth.basic.is_none() {
                    text("password")?
                } else {
                    None
                };
                auth.ssh = Some(SshAuth {
                    identity: id.clone(),
                    known_hosts: kh.clone(),
                    passphrase,
                })
            }
            (Some(_), None) => return Err(incomplete("identity", "known_hosts")),
            (None, Some(_)) => return Err(incomplete("known_hosts", "identity")),
            (None, None) => {}
        }
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn reads_each_form() {
        let basic = GitAuth::from_secret(&data(&[("username", "u"), ("password", "p")])).unwrap();
        assert_eq!(basic.basic, Some(("u".into(), "p".into())));
        let token = GitAuth::from_secret(&data(&[("bearerToken", "t")])).unwrap();
        assert_eq!(token.bearer_token.as_deref(), Some("t"));
        let ssh = GitAuth::from_secret(&data(&[("identity", "k"), ("known_hosts", "h")])).unwrap();
        assert!(ssh.ssh.is_some());
        let locked = GitAuth::from_secret(&data(&[
            ("identity", "k"),
            ("known_hosts", "h"),
            ("password", "secret"),
        ]))
        .unwrap();
        assert_eq!(locked.ssh.unwrap().passphrase.as_deref(), Some("secret"));
        assert!(locked.basic.is_none());
        let tls = GitAuth::from_secret(&data(&[
            ("ca.crt", "c"),
            ("tls.crt", "a"),
            ("tls.key", "b"),
        ]))
        .unwrap();
        assert!(tls.ca_pem.is_some() && tls.client_cert.is_some());
    }

    #[test]
    fn malformed_secrets_name_what_is_missing() {
        let e = GitAuth::from_secret(&data(&[("username", "u")])).unwrap_err();
        assert_eq!(e.to_string(), "secret has 'username' but not 'password'");
        let e = GitAuth::from_secret(&data(&[("identity", "k")])).unwrap_err();
        assert_eq!(e.to_string(), "secret has 'identity' but not 'known_hosts'");
        let e = GitAuth::from_secret(&data(&[("tls.crt", "a")])).unwrap_err();
        assert_eq!(e.to_string(), "secret has 'tls.crt' but not 'tls.key'");
        let mut bad = data(&[("username", "u")]);
        bad.insert("password".into(), vec![0xff, 0xfe]);
        let e = GitAuth::from_secret(&bad).unwrap_err();
        assert_eq!(e.to_string(), "secret data 'password' is not valid UTF-8");
        let e = GitAuth::from_secret(&data(&[
            ("username", "u"),
            ("password", "p"),
            ("bearerToken", "t"),
        ]))
        .unwrap_err();
        assert_eq!(e, SecretError::Conflicting);
    }
}
