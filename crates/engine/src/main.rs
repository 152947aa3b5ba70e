//! The `ferroflux` binary. Each verb appears once it does its whole job.

mod apply;
mod cli;

// Rendering allocates many small strings and maps; mimalloc serves them faster than glibc's
// malloc (measured on `helm template` and `kustomize build`, see the crates' READMEs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc asks for transparent huge pages on the memory it maps: a one-shot command (a
/// render, a fetch) never gives memory back, and there one fault per 2 MiB instead of one per
/// 4 KiB page is a tenth of a 100-subchart `helm template` run's CPU. The commands that keep
/// running (`demo`, the minicluster) turn them off for the whole process, as they would double
/// a resident size that stays.
fn keep_small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's flag.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

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
    /// The whole loop on an embedded cluster: the sample repository reconciled end to end.
    Demo(cli::demo::DemoArgs),
    /// Source artifacts.
    #[command(subcommand)]
    Artifact(ArtifactCommand),
    /// Fetch one source into an artifact, as source-controller does.
    #[command(subcommand)]
    Source(SourceCommand),
    /// kustomize's own commands.
    #[command(subcommand)]
    Kustomize(KustomizeCommand),
    /// Render as the Flux controllers would, offline.
    #[command(subcommand)]
    Build(BuildCommand),
    /// Go templates with Sprig.
    #[command(subcommand)]
    Gotmpl(GotmplCommand),
    /// Helm's own commands, offline.
    #[command(subcommand)]
    Helm(HelmCommand),
    /// The embedded Kubernetes API server.
    #[command(subcommand)]
    Minicluster(cli::minicluster::Command),
}

#[derive(Subcommand)]
enum HelmCommand {
    /// Print what `helm template [NAME] CHART [flags]` prints.
    // A flag given twice takes its last value, as with Helm's flag parser.
    #[command(args_override_self = true)]
    Template(Box<cli::helm::TemplateArgs>),
    /// Show a chart's information.
    #[command(subcommand)]
    Show(HelmShowCommand),
    /// Print what `helm lint PATH... [flags]` prints.
    #[command(args_override_self = true)]
    Lint(Box<cli::helm::LintArgs>),
}

#[derive(Subcommand)]
enum HelmShowCommand {
    /// Print the chart's definition (Chart.yaml as Helm reads it).
    Chart(Box<cli::helm::ShowArgs>),
    /// Print the chart's values.yaml.
    Values(Box<cli::helm::ShowArgs>),
    /// Print the chart's README.
    Readme(Box<cli::helm::ShowArgs>),
    /// Print the chart's CRDs, its subcharts' included.
    Crds(Box<cli::helm::ShowArgs>),
    /// Print the definition, values, README and CRDs.
    All(Box<cli::helm::ShowArgs>),
}

#[derive(Subcommand)]
enum GotmplCommand {
    /// Render one template file (plain text/template + Sprig; --helm for Helm's rules).
    Render(cli::gotmpl::RenderArgs),
}

#[derive(Subcommand)]
enum KustomizeCommand {
    /// Print what `kustomize build DIR` prints.
    Build(cli::kustomize::BuildArgs),
}

#[derive(Subcommand)]
enum BuildCommand {
    /// Render a directory as kustomize-controller does for a Flux Kustomization.
    Kustomization(cli::kustomize::FluxBuildArgs),
}

#[derive(Subcommand)]
enum SourceCommand {
    /// A Git repository (GitRepository): prints `revision:` and `digest:`.
    Git(Box<cli::source::git::GitArgs>),
    /// A chart from a Helm repository (HelmChart from a HelmRepository).
    Helm(Box<cli::source::helm::HelmArgs>),
    /// An OCI artifact (OCIRepository).
    Oci(Box<cli::source::oci::OciArgs>),
    /// An S3 bucket or Azure Blob container (Bucket).
    Bucket(Box<cli::source::bucket::BucketArgs>),
    /// A chart packaged from a Git or Bucket source tree (HelmChart from those sources).
    Chart(Box<cli::source::chart::ChartArgs>),
}

#[derive(Subcommand)]
enum ArtifactCommand {
    /// Build the tar.gz a source produces from a directory and print its digest.
    Build(cli::artifact::BuildArgs),
}

fn main() -> std::process::ExitCode {
    // Charts' schemas may refer to schemas on the web, which Helm downloads.
    ferroflux_helm::schema::fetch_references_with(Box::new(cli::helm::fetch_schema_reference));
    // kustomize maps work over both CPUs several times in a run that lasts milliseconds: the
    // helper threads start now, while the arguments are parsed and the input is read. Helm's
    // loader starts them itself once it has seen the chart is big enough to use them.
    let verb = std::env::args_os().nth(1);
    match verb.as_deref().and_then(|a| a.to_str()) {
        Some("kustomize" | "build") => ferroflux_par::warm_up(),
        Some("demo" | "minicluster") => keep_small_pages(),
        _ => {}
    }
    // `helm template` runs by the hundred in a sync loop and takes milliseconds: its flags
    // alone are parsed, without building every other command's (a third of a millisecond),
    // and it needs no TLS.
    if let Some(args) = helm_template_args() {
        return exit_now(report(cli::helm::template(&args)));
    }
    // The one TLS provider of the binary; reqwest (through gix, object_store, kube) panics without it.
    if rustls::crypto::ring::default_provider()
        .install_default()
        .is_err()
    {
        eprintln!("error: a rustls crypto provider was already installed");
        return std::process::ExitCode::FAILURE;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(e),
    };
    let result = match cli.command {
        Command::Demo(args) => cli::demo::demo(&args),
        Command::Artifact(ArtifactCommand::Build(args)) => cli::artifact::build(&args),
        Command::Kustomize(KustomizeCommand::Build(args)) => cli::kustomize::kustomize_build(&args),
        Command::Gotmpl(GotmplCommand::Render(args)) => cli::gotmpl::render(&args),
        Command::Helm(HelmCommand::Template(args)) => cli::helm::template(&args),
        Command::Helm(HelmCommand::Lint(args)) => cli::helm::lint(&args),
        Command::Helm(HelmCommand::Show(show)) => {
            use ferroflux_helm::show::Part;
            let (part, args) = match show {
                HelmShowCommand::Chart(a) => (Part::Chart, a),
                HelmShowCommand::Values(a) => (Part::Values, a),
                HelmShowCommand::Readme(a) => (Part::Readme, a),
                HelmShowCommand::Crds(a) => (Part::Crds, a),
                HelmShowCommand::All(a) => (Part::All, a),
            };
            cli::helm::show(part, &args)
        }
        Command::Build(BuildCommand::Kustomization(args)) => cli::kustomize::build_flux(&args),
        Command::Source(SourceCommand::Git(args)) => cli::source::git::git(&args),
        Command::Source(SourceCommand::Helm(args)) => cli::source::helm::helm(&args),
        Command::Source(SourceCommand::Oci(args)) => cli::source::oci::oci(&args),
        Command::Source(SourceCommand::Bucket(args)) => cli::source::bucket::bucket(&args),
        Command::Source(SourceCommand::Chart(args)) => cli::source::chart::chart(&args),
        Command::Minicluster(cmd) => cli::minicluster::run(cmd),
    };
    exit_now(report(result))
}

/// The exit code of a command's result, its error printed unless the command printed it.
fn report(result: anyhow::Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) if e.is::<cli::Reported>() => 1,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            1
        }
    }
}

/// A command line that does not parse: clap's report, except that the `helm` verbs refuse
/// a flag they do not know as Helm's flag parser (pflag) does.
fn parse_failure(e: clap::Error) -> std::process::ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let helm = std::env::args_os().nth(1).is_some_and(|a| a == "helm");
    if helm
        && e.kind() == ErrorKind::UnknownArgument
        && let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg)
    {
        let flag = arg.split_once('=').map_or(arg.as_str(), |(f, _)| f);
        if let Some(short) = flag.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            let first = short.chars().next().unwrap_or('-');
            // pflag names the whole cluster (`-zq`), clap only its flag.
            let cluster = std::env::args()
                .find(|t| t.starts_with('-') && !t.starts_with("--") && t[1..].starts_with(first))
                .unwrap_or_else(|| arg.clone());
            eprintln!("Error: unknown shorthand flag: '{first}' in {cluster}");
        } else {
            eprintln!("Error: unknown flag: {flag}");
        }
        return std::process::ExitCode::FAILURE;
    }
    if helm
        && e.kind() == ErrorKind::ValueValidation
        && e.to_string().contains(cli::helm::PARSE_BOOL)
        && let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg)
        && let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue)
    {
        // A boolean flag given something else: pflag's words (`go_bool` refused it).
        let flag = arg.split(['[', ' ', '=']).next().unwrap_or(arg);
        eprintln!(
            "Error: invalid argument {value:?} for {flag:?} flag: strconv.ParseBool: parsing {value:?}: invalid syntax"
        );
        return std::process::ExitCode::FAILURE;
    }
    if helm
        && e.kind() == ErrorKind::InvalidValue
        && let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg)
        && matches!(e.get(ContextKind::InvalidValue), Some(ContextValue::String(v)) if v.is_empty())
    {
        // clap names the flag `--name <NAME>`; pflag the flag as typed.
        let long = arg.split_whitespace().next().unwrap_or(arg);
        let typed = std::env::args().next_back().unwrap_or_default();
        match typed.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            Some(short) => eprintln!(
                "Error: flag needs an argument: '{}' in {typed}",
                short.chars().last().unwrap_or('-')
            ),
            None => eprintln!("Error: flag needs an argument: {long}"),
        }
        return std::process::ExitCode::FAILURE;
    }
    e.exit()
}

/// `ferroflux helm template …`'s flags, parsed by a command holding only them. Anything
/// clap would report (help, a bad flag) returns `None`, and the whole command line is parsed
/// again by the full command, which prints exactly what it always has.
fn helm_template_args() -> Option<cli::helm::TemplateArgs> {
    use clap::{Args, FromArgMatches};
    let mut args = std::env::args_os().skip(1);
    if args.next()? != "helm" || args.next()? != "template" {
        return None;
    }
    let cmd = cli::helm::TemplateArgs::augment_args(
        clap::Command::new("template").args_override_self(true),
    );
    let matches = cmd.try_get_matches_from(std::env::args_os().skip(2)).ok()?;
    cli::helm::TemplateArgs::from_arg_matches(&matches).ok()
}

/// Ends the process once stdout is flushed, without the exit handlers: every command has
/// dropped what it owns by now, and the allocator's own clean-up at exit (returning each
/// page to the system) is half a millisecond of a `helm template` run for nothing.
fn exit_now(code: i32) -> std::process::ExitCode {
    use std::io::Write;
    if let Err(e) = std::io::stdout().flush() {
        eprintln!("error: writing to stdout: {e}");
        return std::process::ExitCode::FAILURE;
    }
    #[cfg(unix)]
    // SAFETY: `_exit` ends the process at once; nothing of ours is left to run.
    unsafe {
        libc::_exit(code)
    }
    #[cfg(not(unix))]
    std::process::ExitCode::from(code as u8)
}

/// Every cause on one line, never a backtrace: the message is for the user. Library errors
/// often quote their cause in their own message already; a cause is added only when new.
fn one_line(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
