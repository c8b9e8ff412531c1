//! `graph`: the resources of a stack and what refers to what, as Mermaid or Graphviz DOT.

use std::path::PathBuf;
use std::process::ExitCode;

use super::AppBuilder;
use crate::diff::read_template;
use crate::graph::{self, StackGraph};

/// Arguments of `graph`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The stack to draw (default: every stack of the app)
    stack: Option<String>,
    /// Only the stacks of this environment
    #[arg(long = "env", value_name = "NAME")]
    env: Option<String>,
    /// Output format: Mermaid (renders in GitHub Markdown) or Graphviz DOT
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    format: Format,
    /// Draw this template file (JSON or YAML) instead of the app
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
}

/// The graph languages `graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Mermaid,
    Dot,
}

pub(crate) fn run(args: Args, build: AppBuilder<'_>) -> anyhow::Result<ExitCode> {
    let (graphs, imports) = match &args.template {
        Some(file) => {
            let template = read_template(file)?;
            let name = args.stack.clone().unwrap_or_else(|| {
                let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("Stack");
                stem.trim_end_matches(".template").to_string()
            });
            (
                vec![StackGraph::from_template(&name, &template)],
                Vec::new(),
            )
        }
        None => {
            let Some(synthesis) = super::synthesize(build, &Default::default())? else {
                return Ok(ExitCode::from(1));
            };
            let assembly = synthesis.assembly;
            let stacks =
                super::select_stacks(&assembly, args.stack.as_slice(), args.env.as_deref())?;
            let graphs: Vec<StackGraph> = stacks
                .iter()
                .map(|s| StackGraph::from_template(&s.id, &s.template))
                .collect();
            let templates: Vec<&serde_json::Value> = stacks.iter().map(|s| &s.template).collect();
            let imports = graph::import_edges(&graphs, &templates);
            (graphs, imports)
        }
    };
    let text = match args.format {
        Format::Mermaid => graph::mermaid(&graphs, &imports),
        Format::Dot => graph::dot(&graphs, &imports),
    };
    super::report(&mut std::io::stdout().lock(), &text)?;
    Ok(ExitCode::SUCCESS)
}
