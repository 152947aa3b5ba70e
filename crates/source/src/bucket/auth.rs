//! Bucket credentials, read from a Flux Secret's data the way source-controller reads them:
//! `accesskey`/`secretkey` for S3-compatible stores; `accountKey`, `sasKey`,
//! `tenantId`+`clientId`+`clientSecret`, or `clientId` alone (managed identity) for Azure.
//! ferroflux also takes an Azure `connectionString` (`AccountName=…;AccountKey=…` or
//! `SharedAccessSignature=…`), as Azure's tools print it.

use super::Provider;
use std::collections::BTreeMap;

/// How to authenticate to the store.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// No Secret: anonymous for `generic`, the environment (IAM role, workload or managed
    /// identity) for `aws` and `azure`.
    #[default]
    Ambient,
    /// S3 static keys (SigV4).
    S3Keys {
        access_key: String,
        secret_key: String,
    },
    /// Azure Shared Key; `account` overrides the account derived from the endpoint.
    AzureAccountKey {
        account: Option<String>,
        key: String,
    },
    /// Azure SAS token (query string, with or without the leading `?`).
    AzureSas {
        account: Option<String>,
        token: String,
    },
    /// Azure AD service principal with a client secret.
    AzureClientSecret {
        tenant_id: String,
        client_id: String,
        client_secret: String,
        authority_host: Option<String>,
    },
    /// Azure user-assigned managed identity.
    AzureManagedIdentity { client_id: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret.
        let kind = match self {
            Credentials::Ambient => "Ambient",
            Credentials::S3Keys { .. } => "S3Keys",
            Credentials::AzureAccountKey { .. } => "AzureAccountKey",
            Credentials::AzureSas { .. } => "AzureSas",
            Credentials::AzureClientSecret { .. } => "AzureClientSecret",
            Credentials::AzureManagedIdentity { .. } => "AzureManagedIdentity",
        };
        f.write_str(kind)
    }
}

/// Credentials plus TLS settings (`certSecretRef`).
#[derive(Clone, Debug, Default)]
pub struct BucketAuth {
    pub credentials: Credentials,
    /// Name of the Secret the credentials came from, for error messages.
    pub secret_name: Option<String>,
    /// PEM CA bundle to trust instead of the system roots (`ca.crt`).
    pub ca_pem: Option<Vec<u8>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid '{secret}' secret data: {reason}")]
pub struct SecretError {
    pub secret: String,
    pub reason: String,
}

impl BucketAuth {
    /// No Secret: anonymous or ambient credentials.
    pub fn none() -> BucketAuth {
        BucketAuth::default()
    }

    /// Static S3 keys.
    pub fn s3(access_key: impl Into<String>, secret_key: impl Into<String>) -> BucketAuth {
        BucketAuth {
            credentials: Credentials::S3Keys {
                access_key: access_key.into(),
                secret_key: secret_key.into(),
            },
            ..BucketAuth::default()
        }
    }

    /// Reads a Bucket's Secret data (already base64-decoded) for `provider`, with Flux's
    /// validation: S3 needs both `accesskey` and `secretkey`; Azure needs one usable set.
    pub fn from_secret(
        provider: Provider,
        secret_name: &str,
        data: &BTreeMap<String, Vec<u8>>,
    ) -> Result<BucketAuth, SecretError> {
        let err = |reason: &str| SecretError {
            secret: secret_name.to_string(),
            reason: reason.to_string(),
        };
        let text = |key: &str| -> Result<Option<String>, SecretError> {
            match data.get(key) {
                None => Ok(None),
                Some(v) => String::from_utf8(v.clone())
                    .map(|s| Some(s.trim().to_string()))
                    .map_err(|_| err(&format!("'{key}' is not valid UTF-8"))),
            }
        };
        let credentials = match provider {
            Provider::Generic | Provider::Aws => {
                match (text("accesskey")?, text("secretkey")?) {
                    (Some(a), Some(s)) if !a.is_empty() && !s.is_empty() => Credentials::S3Keys {
                        access_key: a,
                        secret_key: s,
                    },
                    // Flux accepts the fields present but empty, and then goes anonymous.
                    (Some(_), Some(_)) => Credentials::Ambient,
                    _ => return Err(err("required fields 'accesskey' and 'secretkey'")),
                }
            }
            Provider::Azure => azure_credentials(&text, &err)?,
            Provider::Gcp => return Err(err("the 'gcp' provider is not supported by ferroflux")),
        };
        Ok(BucketAuth {
            credentials,
            secret_name: Some(secret_name.to_string()),
            ca_pem: None,
        })
    }

    /// Adds the CA of a `certSecretRef` (`ca.crt`).
    pub fn with_ca(mut self, ca_pem: Vec<u8>) -> BucketAuth {
        self.ca_pem = Some(ca_pem);
        self
    }

    /// The secret strings to hide from error messages.
    pub(crate) fn secrets(&self) -> Vec<String> {
        match &self.credentials {
            Credentials::Ambient | Credentials::AzureManagedIdentity { .. } => Vec::new(),
            Credentials::S3Keys { secret_key, .. } => vec![secret_key.clone()],
            Credentials::AzureAccountKey { key, .. } => vec![key.clone()],
            Credentials::AzureSas { token, .. } => {
                let mut v = vec![token.clone()];
                // The signature alone may also appear, percent-encoded or not.
                for pair in token.trim_start_matches('?').split('&') {
                    if let Some(sig) = pair.strip_prefix("sig=") {
                        v.push(sig.to_string());
                    }
                }
                v
            }
            Credentials::AzureClientSecret { client_secret, .. } => vec![client_secret.clone()],
        }
    }
}

fn azure_credentials(
    text: &dyn Fn(&str) -> Result<Option<String>, SecretError>,
    err: &dyn Fn(&str) -> SecretError,
) -> Result<Credentials, SecretError> {
    let tenant = text("tenantId")?;
    let client = text("clientId")?;
    if let (Some(tenant_id), Some(client_id)) = (&tenant, &client) {
        if let Some(client_secret) = text("clientSecret")?.filter(|s| !s.is_empty()) {
            return Ok(Credentials::AzureClientSecret {
                tenant_id: tenant_id.clone(),
                client_id: client_id.clone(),
                client_secret,
                authority_host: text("authorityHost")?,
            });
        }
        if text("clientCertificate")?.is_some() {
            return Err(err(
                "'clientCertificate' authentication is not supported by ferroflux; use 'clientSecret'",
            ));
        }
    }
    if let Some(client_id) = client {
        return Ok(Credentials::AzureManagedIdentity { client_id });
    }
    if let Some(key) = text("accountKey")? {
        return Ok(Credentials::AzureAccountKey { account: None, key });
    }
    if let Some(token) = text("sasKey")? {
        return Ok(Credentials::AzureSas {
            account: None,
            token,
        });
    }
    if let Some(cs) = text("connectionString")? {
        return from_connection_string(&cs).map_err(|r| err(&r));
    }
    if text("authorityHost")?.is_some() {
        return Ok(Credentials::Ambient);
    }
    Err(err(
        "requires a 'clientId' or 'accountKey' field, a 'sasKey', a combination of 'tenantId', 'clientId' and 'clientSecret', or a 'connectionString'",
    ))
}

/// Parses `Key=Value;…` as Azure prints storage connection strings.
pub fn from_connection_string(cs: &str) -> Result<Credentials, String> {
    let mut account = None;
    let mut key = None;
    let mut sas = None;
    for part in cs.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            // The part itself is not shown: it may hold a key.
            return Err("a connection string part has no '='".into());
        };
        match k.trim() {
            "AccountName" => account = Some(v.trim().to_string()),
            "AccountKey" => key = Some(v.trim().to_string()),
            "SharedAccessSignature" => sas = Some(v.trim().to_string()),
            _ => {}
        }
    }
    match (key, sas) {
        (Some(key), _) => Ok(Credentials::AzureAccountKey { account, key }),
        (None, Some(token)) => Ok(Credentials::AzureSas { account, token }),
        (None, None) => {
            Err("connection string has neither 'AccountKey' nor 'SharedAccessSignature'".into())
        }
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
    fn s3_needs_both_keys() {
        let ok = BucketAuth::from_secret(
            Provider::Generic,
            "s",
            &data(&[("accesskey", "A"), ("secretkey", "S")]),
        )
        .unwrap();
        assert_eq!(
            ok.credentials,
            Credentials::S3Keys {
                access_key: "A".into(),
                secret_key: "S".into()
            }
        );
        let e = BucketAuth::from_secret(Provider::Aws, "creds", &data(&[("accesskey", "A")]))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid 'creds' secret data: required fields 'accesskey' and 'secretkey'"
        );
    }

    #[test]
    fn azure_secret_kinds() {
        let az = |pairs: &[(&str, &str)]| {
            BucketAuth::from_secret(Provider::Azure, "az", &data(pairs)).map(|a| a.credentials)
        };
        assert_eq!(
            az(&[("accountKey", "k")]).unwrap(),
            Credentials::AzureAccountKey {
                account: None,
                key: "k".into()
            }
        );
        assert!(matches!(
            az(&[("sasKey", "?sv=1&sig=x")]).unwrap(),
            Credentials::AzureSas { .. }
        ));
        assert!(matches!(
            az(&[("tenantId", "t"), ("clientId", "c"), ("clientSecret", "s")]).unwrap(),
            Credentials::AzureClientSecret { .. }
        ));
        assert!(matches!(
            az(&[("clientId", "c")]).unwrap(),
            Credentials::AzureManagedIdentity { .. }
        ));
        assert!(
            az(&[
                ("tenantId", "t"),
                ("clientId", "c"),
                ("clientCertificate", "pem")
            ])
            .is_err()
        );
        assert!(az(&[("unrelated", "x")]).is_err());
        assert_eq!(
            az(&[(
                "connectionString",
                "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;BlobEndpoint=http://x/dev;"
            )])
            .unwrap(),
            Credentials::AzureAccountKey {
                account: Some("dev".into()),
                key: "a2V5".into()
            }
        );
    }

    #[test]
    fn debug_never_prints_secrets() {
        let a = BucketAuth::s3("AKIA", "topsecret");
        assert!(!format!("{a:?}").contains("topsecret"));
    }
}
