//! `diff`: compare the app's fresh synthesis with the deployed stacks, another cloud assembly or
//! a template file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ArgGroup;

use super::deploy::AwsArgs;
use super::{render, AppBuilder};
use crate::assembly::{CloudAssembly, StackArtifact};
use crate::deploy::{stack_state, Clients};
use crate::diff::{self, AssemblyDiff, StackDiff};

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("baseline").required(true).args(["against", "template"])))]
pub(crate) struct Args {
    /// Stacks to compare (default: every stack)
    stacks: Vec<String>,
    /// Compare with the deployed stacks (`deployed`, through GetTemplate) or with the cloud
    /// assembly in this folder, such as the main branch's cdk.out
    #[arg(long, value_name = "deployed|DIR")]
    against: Option<PathBuf>,
    /// Compare one stack with this template file (JSON, or YAML for .yaml/.yml)
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Output format: coloured text for a terminal, Markdown for a pull-request comment, JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with status 1 when there are differences
    #[arg(long)]
    fail: bool,
    #[command(flatten)]
    aws: AwsArgs,
}

/// How `diff` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// The `--against` value that compares with the deployed stacks.
const DEPLOYED: &str = "deployed";

/// What the fresh synthesis is compared with.
enum Baseline {
    Deployed,
    Assembly(CloudAssembly),
    Template(serde_json::Value),
}

pub(crate) fn run(args: Args, build: AppBuilder<'_>) -> anyhow::Result<ExitCode> {
    // Read the baseline first: a wrong path should fail before the app is built.
    let baseline = match (&args.against, &args.template) {
        (Some(dir), _) if dir.as_os_str() == DEPLOYED => Baseline::Deployed,
        (Some(dir), _) => Baseline::Assembly(
            CloudAssembly::load(dir)
                .with_context(|| format!("reading the cloud assembly in {}", dir.display()))?,
        ),
        (None, Some(file)) => Baseline::Template(diff::read_template(file)?),
        (None, None) => super::usage!("give --against deployed, --against DIR or --template FILE"),
    };
    let Some(synthesis) = super::synthesize(build, &Default::default())? else {
        return Ok(ExitCode::from(1));
    };
    render::annotations(&synthesis.annotations);
    let new = &synthesis.assembly;
    let result = match &baseline {
        Baseline::Deployed => {
            let selected = super::select_stacks(new, &args.stacks, None)?;
            deployed_diff(&selected, &args.aws)?
        }
        Baseline::Assembly(old) => {
            for name in &args.stacks {
                if new.stack(name).is_none() && old.stack(name).is_none() {
                    super::usage!("no stack named '{name}' in the app or in {}", dir_of(&args));
                }
            }
            diff::diff_assemblies(old, new, &args.stacks)
        }
        Baseline::Template(template) => {
            let stack = match args.stacks.as_slice() {
                [name] => new.stack(name),
                [] if new.stacks.len() == 1 => new.stacks.first(),
                _ => super::usage!(
                    "--template compares one stack: name it (the app has: {})",
                    stack_names(new)
                ),
            };
            let Some(stack) = stack else {
                super::usage!(
                    "no stack named '{}'; the app has: {}",
                    args.stacks.join(" "),
                    stack_names(new)
                );
            };
            AssemblyDiff {
                stacks: vec![StackDiff::new(
                    &stack.id,
                    Some(template),
                    Some(&stack.template),
                )],
            }
        }
    };
    let text = match args.format {
        Format::Text => diff::render::text(&result, true),
        Format::Markdown => diff::render::markdown(&result),
        Format::Json => diff::render::json(&result),
    };
    // anstream drops the colours when stdout is not a terminal or NO_COLOR is set.
    let mut out = anstream::stdout();
    super::report(&mut out, &text)?;
    Ok(if args.fail && !result.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Compares each stack with the template CloudFormation runs now; a stack that does not exist
/// counts as added.
fn deployed_diff(stacks: &[&StackArtifact], aws: &AwsArgs) -> anyhow::Result<AssemblyDiff> {
    let runtime = super::deploy::runtime()?;
    runtime.block_on(async {
        let clients = Clients::load(&aws.client_options()).await;
        let mut diffs = Vec::new();
        for stack in stacks {
            let client = clients.cloudformation(stack.region())?;
            let deployed = stack_state::current_template(&client, &stack.stack_name)
                .await
                .with_context(|| {
                    format!("fetching the deployed template of {}", stack.stack_name)
                })?;
            diffs.push(StackDiff::new(
                &stack.id,
                deployed.as_ref(),
                Some(&stack.template),
            ));
        }
        Ok(AssemblyDiff { stacks: diffs })
    })
}

fn dir_of(args: &Args) -> String {
    args.against
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_default()
}

fn stack_names(assembly: &CloudAssembly) -> String {
    assembly
        .stacks
        .iter()
        .map(|s| s.stack_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
