//! `ferroflux source git URL …`: a GitRepository.

use super::{emit_tree, read};
use crate::cli::files::ignore_matcher;
use anyhow::{Context, Result};
use ferroflux_source::git::{self, GitAuth, GitRef, GitSource, SshAuth};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GitArgs {
    /// http(s)://, ssh:// or user@host:path.
    url: String,
    /// Branch to build (the default is `master`, as Flux's).
    #[arg(long)]
    branch: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    /// The highest tag satisfying this semver range.
    #[arg(long = "tag-semver")]
    tag_semver: Option<String>,
    /// Any ref by its full name, e.g. refs/pull/1/head.
    #[arg(long = "ref-name")]
    ref_name: Option<String>,
    /// A commit (with --branch, the branch names it in the revision).
    #[arg(long)]
    commit: Option<String>,
    #[arg(long, requires = "password")]
    username: Option<String>,
    #[arg(long, requires = "username")]
    password: Option<String>,
    #[arg(long = "bearer-token", conflicts_with = "username")]
    bearer_token: Option<String>,
    /// SSH private key; needs --known-hosts-file.
    #[arg(long = "private-key-file", requires = "known_hosts_file")]
    private_key_file: Option<PathBuf>,
    #[arg(long = "known-hosts-file", requires = "private_key_file")]
    known_hosts_file: Option<PathBuf>,
    /// The private key's passphrase, if it has one.
    #[arg(
        long = "private-key-passphrase",
        requires = "private_key_file",
        env = "FERROFLUX_SSH_PASSPHRASE"
    )]
    private_key_passphrase: Option<String>,
    /// CA bundle (PEM) to trust instead of the system's.
    #[arg(long = "ca-file")]
    ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS; needs --key-file.
    #[arg(long = "cert-file", requires = "key_file")]
    cert_file: Option<PathBuf>,
    #[arg(long = "key-file", requires = "cert_file")]
    key_file: Option<PathBuf>,
    /// Fetch submodules too (like spec.recurseSubmodules), with the same credentials.
    #[arg(long = "recurse-submodules")]
    recurse_submodules: bool,
    /// Only these directories (like spec.sparseCheckout), comma separated.
    #[arg(long = "sparse-checkout", value_delimiter = ',')]
    sparse_checkout: Vec<String>,
    /// Require signatures (like spec.verify.mode): HEAD, Tag or TagAndHEAD.
    #[arg(long = "verify-mode", requires = "verify_key_file")]
    verify_mode: Option<String>,
    /// Armored OpenPGP public key(s) the signatures must verify with (repeatable).
    #[arg(long = "verify-key-file", requires = "verify_mode")]
    verify_key_file: Vec<PathBuf>,
    /// Ignore patterns (like spec.ignore), comma separated.
    #[arg(long = "ignore-paths", value_delimiter = ',')]
    ignore_paths: Vec<String>,
    /// Write the artifact tarball here.
    #[arg(long)]
    artifact: Option<PathBuf>,
    /// Extract the artifact into this directory.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

/// Flux's precedence: commit > name > semver > tag > branch.
fn reference(a: &GitArgs) -> GitRef {
    if let Some(sha) = &a.commit {
        GitRef::Commit {
            sha: sha.clone(),
            branch: a.branch.clone(),
        }
    } else if let Some(n) = &a.ref_name {
        GitRef::Name(n.clone())
    } else if let Some(r) = &a.tag_semver {
        GitRef::Semver(r.clone())
    } else if let Some(t) = &a.tag {
        GitRef::Tag(t.clone())
    } else if let Some(b) = &a.branch {
        GitRef::Branch(b.clone())
    } else {
        GitRef::default()
    }
}

fn auth(a: &GitArgs) -> Result<GitAuth> {
    let mut auth = GitAuth {
        basic: a.username.clone().zip(a.password.clone()),
        bearer_token: a.bearer_token.clone(),
        ..Default::default()
    };
    if let Some(ca) = &a.ca_file {
        auth.ca_pem = Some(read(ca, "the CA file")?);
    }
    if let (Some(c), Some(k)) = (&a.cert_file, &a.key_file) {
        auth.client_cert = Some((read(c, "the certificate")?, read(k, "the key")?));
    }
    if let (Some(k), Some(h)) = (&a.private_key_file, &a.known_hosts_file) {
        auth.ssh = Some(SshAuth {
            identity: read(k, "the private key")?,
            known_hosts: read(h, "the known_hosts file")?,
            passphrase: a.private_key_passphrase.clone(),
        });
    }
    Ok(auth)
}

pub fn git(a: &GitArgs) -> Result<()> {
    let mut source = GitSource::new(a.url.clone(), reference(a), auth(a)?);
    source.sparse_checkout = a.sparse_checkout.clone();
    source.recurse_submodules = a.recurse_submodules;
    if let Some(mode) = &a.verify_mode {
        let mode = git::VerifyMode::parse(mode)
            .with_context(|| format!("--verify-mode '{mode}': expected HEAD, Tag or TagAndHEAD"))?;
        let mut keys = std::collections::BTreeMap::new();
        for file in &a.verify_key_file {
            keys.insert(
                file.display().to_string(),
                read(file, "the verification key")?,
            );
        }
        source.verify = Some((mode, git::Keyring::from_secret(&keys)?));
    }
    let checkout = tempfile::tempdir().context("creating a checkout directory")?;
    let fetched = git::fetch(&source, checkout.path())?;
    if !fetched.shallow && !matches!(source.reference, GitRef::Commit { .. }) {
        eprintln!("warning: the server ignored the requested depth; the whole history was fetched");
    }
    let matcher = ignore_matcher(checkout.path(), &a.ignore_paths)?;
    let verified: Vec<String> = fetched
        .verified
        .iter()
        .map(|v| format!("verified: {v}"))
        .collect();
    emit_tree(
        checkout.path(),
        &matcher,
        a.artifact.as_ref(),
        a.output.as_ref(),
        &fetched.resolved.revision(),
        &verified,
    )
}
