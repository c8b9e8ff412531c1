//! `ls`: the app's stacks, with environment and dependencies.

use std::process::ExitCode;

use anyhow::Context;

use super::{render, AppBuilder};

/// Arguments of `ls`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Show environment, stage and dependencies too
    #[arg(short, long)]
    long: bool,
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
    for stack in &synthesis.assembly.stacks {
        if args.long {
            let deps = if stack.dependencies.is_empty() {
                "-".to_string()
            } else {
                stack.dependencies.join(",")
            };
            println!(
                "{}\t{}\t{}\tdepends on: {deps}",
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
