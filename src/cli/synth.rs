//! `synth`: build the app, validate it, write the cloud assembly.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{render, AppBuilder};
use crate::assembly::TemplateFormat;
use crate::synth::SynthOptions;

/// Arguments of `synth`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Stacks to report on (all stacks are synthesized; the assembly stays complete)
    stacks: Vec<String>,
    /// Output folder of the cloud assembly
    #[arg(short, long, default_value = "cdk.out")]
    output: PathBuf,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
    /// Report only the stacks of this environment (the assembly stays complete)
    #[arg(long = "env", value_name = "NAME")]
    env: Option<String>,
    /// Write nothing; exit with status 1 when the output folder differs from the app
    #[arg(long)]
    check: bool,
    /// Template file format: JSON (`<Stack>.template.json`) or YAML with short-form tags
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// The template format `synth` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Yaml,
}

impl From<Format> for TemplateFormat {
    fn from(format: Format) -> TemplateFormat {
        match format {
            Format::Json => TemplateFormat::Json,
            Format::Yaml => TemplateFormat::Yaml,
        }
    }
}

pub(crate) fn run(args: Args, build: AppBuilder<'_>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let options = SynthOptions {
        strict: args.strict,
        ..SynthOptions::default()
    };
    let Some(synthesis) = super::synthesize(build, &options)? else {
        return Ok(ExitCode::from(1));
    };
    render::annotations(&synthesis.annotations);
    render::findings(&synthesis.findings);
    let assembly = &synthesis.assembly;
    let selected = super::select_stacks(assembly, &args.stacks, args.env.as_deref())?;
    let format = TemplateFormat::from(args.format);
    if args.check {
        return super::synth_check::run(assembly, &args.output, format, args.quiet);
    }
    let report = assembly.write_in(&args.output, format)?;
    if !args.quiet {
        let mut text = String::new();
        for stack in selected {
            let file = args.output.join(stack.template_file_in(format));
            let bytes = report
                .files
                .iter()
                .find(|(p, _)| *p == file)
                .map_or(0, |(_, n)| *n);
            let resources = stack.template["Resources"]
                .as_object()
                .map_or(0, |r| r.len());
            text.push_str(&format!(
                "{:<40} {} ({resources} resources, {bytes} bytes)\n",
                stack.stack_name,
                file.display()
            ));
        }
        for removed in &report.removed {
            text.push_str(&format!("removed {}\n", removed.display()));
        }
        text.push_str(&format!(
            "synthesized {} stack(s) into {} in {:.1?}\n",
            assembly.stacks.len(),
            args.output.display(),
            started.elapsed()
        ));
        super::report(&mut std::io::stdout().lock(), &text)?;
    }
    // The process ends here: freeing the tree and the assembly would only cost time.
    std::mem::forget(synthesis);
    Ok(ExitCode::SUCCESS)
}
