//! `ferroflux source bucket --provider … --endpoint … --bucket …`: a Bucket (S3 or Azure Blob).
//! The revision is `sha256:` over the sorted object keys and ETags, as Flux computes it.

use super::{emit_tree, read, runtime};
use anyhow::{Context, Result, bail};
use ferroflux_source::bucket::{self, BucketAuth, BucketSpec, Credentials, Provider};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BucketArgs {
    /// generic, aws or azure.
    #[arg(long, default_value = "generic")]
    provider: String,
    #[arg(long)]
    endpoint: String,
    /// The bucket (S3) or container (Azure).
    #[arg(long)]
    bucket: String,
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    prefix: Option<String>,
    #[arg(long = "access-key", requires = "secret_key")]
    access_key: Option<String>,
    #[arg(long = "secret-key", requires = "access_key")]
    secret_key: Option<String>,
    #[arg(long = "account-name")]
    account_name: Option<String>,
    #[arg(long = "account-key", conflicts_with_all = ["sas_token", "connection_string"])]
    account_key: Option<String>,
    #[arg(long = "sas-token", conflicts_with = "connection_string")]
    sas_token: Option<String>,
    #[arg(long = "connection-string")]
    connection_string: Option<String>,
    /// Allow a plain-HTTP endpoint.
    #[arg(long)]
    insecure: bool,
    #[arg(long = "ca-file")]
    ca_file: Option<PathBuf>,
    /// Ignore patterns (like spec.ignore), comma separated.
    #[arg(long = "ignore-paths", value_delimiter = ',')]
    ignore_paths: Vec<String>,
    #[arg(long)]
    artifact: Option<PathBuf>,
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

fn credentials(a: &BucketArgs) -> Result<Credentials> {
    let account = a.account_name.clone();
    Ok(
        match (
            &a.access_key,
            &a.secret_key,
            &a.account_key,
            &a.sas_token,
            &a.connection_string,
        ) {
            (Some(k), Some(s), _, _, _) => Credentials::S3Keys {
                access_key: k.clone(),
                secret_key: s.clone(),
            },
            (_, _, Some(key), _, _) => Credentials::AzureAccountKey {
                account,
                key: key.clone(),
            },
            (_, _, _, Some(token), _) => Credentials::AzureSas {
                account,
                token: token.clone(),
            },
            (_, _, _, _, Some(cs)) => bucket::from_connection_string(cs)
                .map_err(|e| anyhow::anyhow!("--connection-string: {e}"))?,
            _ => Credentials::Ambient,
        },
    )
}

pub fn bucket(a: &BucketArgs) -> Result<()> {
    let Some(provider) = Provider::parse(&a.provider) else {
        bail!(
            "--provider '{}': expected generic, aws or azure",
            a.provider
        );
    };
    let mut spec = BucketSpec::new(provider, &a.bucket, &a.endpoint);
    spec.region = a.region.clone();
    spec.prefix = a.prefix.clone();
    spec.insecure = a.insecure;
    if !a.ignore_paths.is_empty() {
        spec.ignore = Some(a.ignore_paths.join("\n"));
    }
    let mut auth = BucketAuth {
        credentials: credentials(a)?,
        ..Default::default()
    };
    if let Some(ca) = &a.ca_file {
        auth.ca_pem = Some(read(ca, "the CA file")?);
    }
    let tree = tempfile::tempdir().context("creating a scratch directory")?;
    let fetched = runtime()?.block_on(bucket::fetch(&spec, &auth, tree.path()))?;
    emit_tree(
        tree.path(),
        &bucket::artifact_matcher(),
        a.artifact.as_ref(),
        a.output.as_ref(),
        &fetched.revision,
        &[],
    )
}
