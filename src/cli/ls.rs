//! `ls`: the app's stacks, with environment and dependencies.

use std::process::ExitCode;

use anyhow::Context;

use super::{render, AppBuilder};

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
    let app = build().context("building the app")?;
    let synthesis = match app.synth(&Default::default()) {
        Ok(s) => s,
        Err(failure) => {
            render::synth_failure(&failure);
            return Ok(ExitCode::from(1));
        }
    };
    let stacks = super::select_stacks(&synthesis.assembly, &[], args.env.as_deref())?;
    let width = stacks.iter().map(|s| s.stack_name.len()).max().unwrap_or(0);
    for stack in stacks {
        if !args.names_only {
            let deps = if stack.dependencies.is_empty() {
                "-".to_string()
            } else {
                stack.dependencies.join(",")
            };
            println!(
                "{:<width$}  {}  env: {}  depends on: {deps}",
                stack.stack_name,
                stack.environment,
                stack.stage.as_deref().unwrap_or("-")
            );
        } else {
            println!("{}", stack.stack_name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
