//! The command line: parse, call the library, render. One file per command.
//!
//! An app binary hands its app-building function to [`main`]; commands that need the app
//! (`synth`, `ls`, `deploy`, `destroy`) call it unless given `--app DIR`; the others
//! (`validate`) do not.
/// A line on stderr. Unlike `eprintln!`, a stderr nobody reads any more (`2>&1 | head`) is not a
/// panic: the line is dropped and the command goes on to its exit status.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod deploy;
mod destroy;
mod diff;
mod graph;
mod ls;
mod progress;
mod render;
mod synth;
mod synth_check;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::App;

/// The app-building function of an app binary.
pub type AppBuilder<'a> = Box<dyn FnOnce() -> anyhow::Result<App> + 'a>;

#[derive(Debug, Parser)]
#[command(
    name = "stackcraft",
    version,
    about = "Typed, validated CloudFormation from Rust constructs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Synthesize the app into a cloud assembly (cdk.out)
    Synth(synth::Args),
    /// List the app's stacks with their environment and dependencies
    Ls(ls::Args),
    /// Compare the app with another cloud assembly or a template file
    Diff(diff::Args),
    /// Draw the resources of a stack and their references (Mermaid or DOT)
    Graph(graph::Args),
    /// Deploy stacks through CloudFormation change sets
    Deploy(Box<deploy::Args>),
    /// Delete stacks, in reverse dependency order
    Destroy(destroy::Args),
    /// Validate CloudFormation template files (JSON or YAML) without building the app
    Validate(validate::Args),
}

/// A command line that names something the app or the files do not have, or leaves out what
/// the command needs: the process exits with 2, as for a parse error.
#[derive(Debug)]
pub(crate) struct Usage(pub(crate) String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Fails with a [`Usage`] error built like `format!`.
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err($crate::cli::Usage(format!($($arg)*)).into())
    };
}
pub(crate) use usage;

/// The stacks named on the command line (by stack name or artifact id), narrowed to one
/// environment when `env` is given; every stack when neither is given.
pub(crate) fn select_stacks<'a>(
    assembly: &'a crate::CloudAssembly,
    names: &[String],
    env: Option<&str>,
) -> anyhow::Result<Vec<&'a crate::StackArtifact>> {
    for name in names {
        if assembly.stack(name).is_none() {
            let known: Vec<&str> = assembly
                .stacks
                .iter()
                .map(|s| s.stack_name.as_str())
                .collect();
            usage!("no stack named '{name}'; the app has: {}", known.join(", "));
        }
    }
    if let Some(env) = env {
        if !assembly
            .stacks
            .iter()
            .any(|s| s.stage.as_deref() == Some(env))
        {
            let mut known: Vec<&str> = assembly
                .stacks
                .iter()
                .filter_map(|s| s.stage.as_deref())
                .collect();
            known.dedup();
            usage!(
                "no stack of environment '{env}'; the app has: {}",
                known.join(", ")
            );
        }
    }
    if let Some(env) = env {
        if let Some(why) = names
            .iter()
            .filter_map(|n| assembly.stack(n))
            .find_map(|s| crate::deploy::selection::outside_env(s, env))
        {
            usage!("{why}");
        }
    }
    Ok(assembly
        .stacks
        .iter()
        .filter(|s| names.is_empty() || names.iter().any(|n| *n == s.id || *n == s.stack_name))
        .filter(|s| env.is_none() || s.stage.as_deref() == env)
        .collect())
}

/// Builds the app and synthesizes it. A failure is rendered here and gives `None`, for the
/// command to exit with 1; the app failing to build is an error.
pub(crate) fn synthesize(
    build: AppBuilder<'_>,
    options: &crate::SynthOptions,
) -> anyhow::Result<Option<crate::Synthesis>> {
    use anyhow::Context;
    let app = build().context("building the app")?;
    let result = app.synth(options);
    // One command per process: freeing the construct tree would only cost time.
    std::mem::forget(app);
    match result {
        Ok(synthesis) => Ok(Some(synthesis)),
        Err(failure) => {
            render::synth_failure(&failure);
            Ok(None)
        }
    }
}

/// Writes a command's report to `out` (stdout, or anstream's stdout for coloured text) and
/// flushes it. A reader that has gone (`| head`) has what it wanted: that is no failure, and the
/// command still exits with the status its work earned (`validate` with errors, `diff --fail`
/// with differences); any other write error (a full disk) fails the command.
pub(crate) fn report(out: &mut impl std::io::Write, text: &str) -> std::io::Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Runs the command line for the app that `build` creates; returns the process exit code
/// (0 success, 1 failure, 2 usage error).
pub fn main(build: impl FnOnce() -> anyhow::Result<App>) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let build: AppBuilder<'_> = Box::new(build);
    let result = match cli.command {
        Command::Synth(args) => synth::run(args, build),
        Command::Ls(args) => ls::run(args, build),
        Command::Diff(args) => diff::run(args, build),
        Command::Graph(args) => graph::run(args, build),
        Command::Deploy(args) => deploy::run(*args, build),
        Command::Destroy(args) => destroy::run(args, build),
        Command::Validate(args) => validate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            render::error(&e);
            ExitCode::from(if e.is::<Usage>() { 2 } else { 1 })
        }
    }
}
