//! `ls`: the app's stacks, with environment and dependencies.

use std::io::Write;
use std::process::ExitCode;

use super::AppBuilder;

/// Arguments of `ls`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print only the stack names
    #[arg(short, long)]
    names_only: bool,
    /// Only the stacks of this environment
    #[arg(long = "env", value_name = "NAME")]
    env: Option<String>,
}

pub(crate) fn run(args: Args, build: AppBuilder<'_>) -> anyhow::Result<ExitCode> {
    let Some(synthesis) = super::synthesize(build, &Default::default())? else {
        return Ok(ExitCode::from(1));
    };
    let stacks = super::select_stacks(&synthesis.assembly, &[], args.env.as_deref())?;
    let mut out = std::io::stdout().lock();
    let width = stacks.iter().map(|s| s.stack_name.len()).max().unwrap_or(0);
    for stack in stacks {
        if !args.names_only {
            let deps = if stack.dependencies.is_empty() {
                "-".to_string()
            } else {
                stack.dependencies.join(",")
            };
            writeln!(
                out,
                "{:<width$}  {}  env: {}  depends on: {deps}",
                stack.stack_name,
                stack.environment,
                stack.stage.as_deref().unwrap_or("-")
            )?;
        } else {
            writeln!(out, "{}", stack.stack_name)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
