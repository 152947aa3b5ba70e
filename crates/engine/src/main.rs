//! The `ferroflux` binary. Each verb appears once it does its whole job.

mod cli;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ferroflux",
    version,
    about = "GitOps reconciliation engine speaking Flux's APIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Source artifacts.
    #[command(subcommand)]
    Artifact(ArtifactCommand),
    /// Fetch one source into an artifact, as source-controller does.
    #[command(subcommand)]
    Source(SourceCommand),
}

#[derive(Subcommand)]
enum SourceCommand {
    /// A Git repository (GitRepository): prints `revision:` and `digest:`.
    Git(Box<cli::source::GitArgs>),
}

#[derive(Subcommand)]
enum ArtifactCommand {
    /// Build the tar.gz a source produces from a directory and print its digest.
    Build(cli::artifact::BuildArgs),
}

fn main() -> std::process::ExitCode {
    // The one TLS provider of the binary; reqwest (through gix, object_store, kube) panics without it.
    if rustls::crypto::ring::default_provider()
        .install_default()
        .is_err()
    {
        eprintln!("error: a rustls crypto provider was already installed");
        return std::process::ExitCode::FAILURE;
    }
    let result = match Cli::parse().command {
        Command::Artifact(ArtifactCommand::Build(args)) => cli::artifact::build(&args),
        Command::Source(SourceCommand::Git(args)) => cli::source::git(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line with every cause, never a backtrace: the message is for the user.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
