//! The `ferroflux` binary. Each verb appears once it does its whole job.

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "ferroflux",
    version,
    about = "GitOps reconciliation engine speaking Flux's APIs"
)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    // The one TLS provider of the binary; reqwest (through gix, object_store, kube) panics without it.
    rustls::crypto::ring::default_provider()
        .install_default()
        .map_err(|_| anyhow::anyhow!("a rustls crypto provider was already installed"))?;
    let _cli = Cli::parse();
    Ok(())
}
