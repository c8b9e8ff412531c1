//! `validate FILE...`: the same checks `synth` runs, on any JSON or YAML template.
//!
//! Exit code 0 when no error remains, 1 when one does, 2 when a file cannot be read or parsed.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::render;
use crate::validate::{self, Finding, ParsedTemplate, Severity};

/// How findings are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// One line per finding, for people.
    Text,
    /// One JSON document, for machines.
    Json,
}

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Template files (JSON or YAML)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
}

/// A file that could not be read or parsed.
#[derive(Debug, Serialize)]
struct Unreadable {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    message: String,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    files: usize,
    errors: usize,
    warnings: usize,
    suppressed: usize,
    findings: &'a [Finding],
    unreadable: &'a [Unreadable],
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut findings = Vec::new();
    let mut unreadable = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    unreadable.push(Unreadable {
                        file: name,
                        line: None,
                        column: None,
                        message: format!("not UTF-8 text: {e}"),
                    });
                    continue;
                }
            },
            Err(e) => {
                unreadable.push(Unreadable {
                    file: name,
                    line: None,
                    column: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        match ParsedTemplate::parse_file_text(path, &text) {
            Ok(parsed) => findings.extend(validate::validate_parsed(&parsed, &name)),
            Err(e) => unreadable.push(Unreadable {
                file: name,
                line: (e.line > 0).then_some(e.line),
                column: (e.column > 0).then_some(e.column),
                message: e.message,
            }),
        }
    }
    let failing = findings.iter().filter(|f| f.fails(args.strict)).count();
    let count = |level| {
        findings
            .iter()
            .filter(|f| f.level == level && f.suppressed.is_none())
            .count()
    };
    let report = Report {
        files: args.files.len(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        suppressed: findings.iter().filter(|f| f.suppressed.is_some()).count(),
        findings: &findings,
        unreadable: &unreadable,
    };
    match args.format {
        OutputFormat::Json => {
            // A report that cannot be written (a full disk) fails the command; a closed pipe
            // (`| head`) leaves the exit status to the findings.
            let text = serde_json::to_string_pretty(&report)? + "\n";
            super::report(&mut std::io::stdout().lock(), &text)?;
        }
        OutputFormat::Text => {
            for u in &unreadable {
                match (u.line, u.column) {
                    (Some(l), Some(c)) => stderr_line!("error: {}:{l}:{c}: {}", u.file, u.message),
                    _ => stderr_line!("error: {}: {}", u.file, u.message),
                }
            }
            render::findings(&findings);
            stderr_line!(
                "validated {} file(s): {} error(s), {} warning(s), {} suppressed{}",
                report.files - unreadable.len(),
                report.errors,
                report.warnings,
                report.suppressed,
                if unreadable.is_empty() {
                    String::new()
                } else {
                    format!(", {} unreadable", unreadable.len())
                }
            );
        }
    }
    Ok(ExitCode::from(if !unreadable.is_empty() {
        2
    } else if failing > 0 {
        1
    } else {
        0
    }))
}
