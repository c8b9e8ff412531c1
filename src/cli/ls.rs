//! `ls`: the app's stacks, with environment and dependencies.

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
    let width = stacks.iter().map(|s| s.stack_name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for stack in stacks {
        if !args.names_only {
            let deps = if stack.dependencies.is_empty() {
                "-".to_string()
            } else {
                stack.dependencies.join(",")
            };
            text.push_str(&format!(
                "{:<width$}  {}  env: {}  depends on: {deps}\n",
                stack.stack_name,
                stack.environment,
                stack.stage.as_deref().unwrap_or("-")
            ));
        } else {
            text.push_str(&format!("{}\n", stack.stack_name));
        }
    }
    super::report(&mut std::io::stdout().lock(), &text)?;
    Ok(ExitCode::SUCCESS)
}
