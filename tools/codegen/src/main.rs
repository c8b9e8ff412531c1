//! `stackcraft-codegen`: regenerates `src/generated/` from `schemas/`, checks it is current,
//! and refreshes `schemas/cloudformation/` from AWS's `CloudformationSchema.zip`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use stackcraft_codegen::{generate, refresh, stale, workspace_root, write};

/// Generates the typed L1 resources of stackcraft from the CloudFormation schemas.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// The folder holding `README.md` and `cloudformation/` (default: the workspace's `schemas/`).
    #[arg(long, global = true)]
    schemas: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Regenerates `src/generated/` (the default command).
    Generate {
        /// Where to write (default: the workspace's `src/generated/`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Exits with failure when `src/generated/` differs from what `generate` would write.
    Check {
        /// The folder to compare (default: the workspace's `src/generated/`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Replaces `schemas/cloudformation/` with the schemas of a downloaded
    /// `CloudformationSchema.zip` (or a folder of schema files), then regenerates (when
    /// `--schemas` is not given).
    Refresh {
        /// The zip file or folder.
        input: PathBuf,
        /// The schema date to record in `schemas/README.md` (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
    },
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("stackcraft-codegen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let root = workspace_root();
    let own_schemas = cli.schemas.is_none();
    let schemas = cli.schemas.unwrap_or_else(|| root.join("schemas"));
    let default_out = root.join("src/generated");
    let cargo_toml = root.join("Cargo.toml");
    match cli.command.unwrap_or(Cmd::Generate { out: None }) {
        Cmd::Generate { out } => {
            let out = out.unwrap_or(default_out);
            let generated = generate(&schemas)?;
            write(&out, &cargo_toml, &generated)?;
            eprintln!(
                "wrote {} files to {} and {} features to {}",
                generated.files.len(),
                out.display(),
                generated.features.len(),
                cargo_toml.display()
            );
        }
        Cmd::Check { out } => {
            let out = out.unwrap_or(default_out);
            let differ = stale(&out, &cargo_toml, &generate(&schemas)?)?;
            if !differ.is_empty() {
                eprintln!(
                    "{} is stale ({}); run `cargo run -p stackcraft-codegen`",
                    out.display(),
                    differ.join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Refresh { input, date } => {
            let report = refresh::refresh(&input, &schemas, date.as_deref())?;
            eprintln!("{report}");
            if own_schemas {
                let generated = generate(&schemas)?;
                write(&default_out, &cargo_toml, &generated)?;
                eprintln!("regenerated {}", default_out.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
