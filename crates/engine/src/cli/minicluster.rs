//! `ferroflux minicluster serve`: the embedded API server alone, for kubectl and helm.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Serve an in-process Kubernetes API server on 127.0.0.1 and write its kubeconfig.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Where to write the kubeconfig once the server is ready.
    #[arg(long)]
    pub kubeconfig: PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Mark Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and Pods ready after a delay.
    #[arg(long)]
    pub simulate_workloads: bool,
    /// The delay before simulated workloads become ready, in seconds.
    #[arg(long, default_value_t = 2.0)]
    pub simulate_delay: f64,
    /// Load objects from this file at start and save them there on exit.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    pub insecure_http: bool,
}

pub fn run(cmd: Command) -> Result<()> {
    match cmd {
        Command::Serve(args) => serve(&args),
    }
}

fn serve(args: &ServeArgs) -> Result<()> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(async {
        let options = ferroflux_minicluster::Options {
            port: args.port,
            tls: !args.insecure_http,
            simulate_workloads: args
                .simulate_workloads
                .then(|| Duration::from_secs_f64(args.simulate_delay.max(0.0))),
            state_file: args.state.clone(),
            ..Default::default()
        };
        let mc = ferroflux_minicluster::MiniCluster::start(options).await?;
        mc.write_kubeconfig(&args.kubeconfig)?;
        println!("minicluster serving on {}", mc.url());
        println!("kubeconfig: {}", args.kubeconfig.display());
        let mut save = tokio::time::interval(Duration::from_secs(10));
        loop {
            tokio::select! {
                r = tokio::signal::ctrl_c() => {
                    r.context("waiting for Ctrl-C")?;
                    break;
                }
                _ = save.tick() => mc.save_state()?,
            }
        }
        mc.save_state()?;
        mc.shutdown();
        Ok(())
    })
}
