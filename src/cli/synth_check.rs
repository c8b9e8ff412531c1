//! `synth --check`: compare the fresh synthesis with the committed output folder, write nothing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use owo_colors::OwoColorize;

use crate::assembly::{CloudAssembly, TemplateFormat};
use crate::diff::{check_assembly_in, FileDifference, FileStatus};

/// Lines of unified diff shown per file; the rest is counted, not shown.
const MAX_DIFF_LINES: usize = 40;

/// Prints what differs between `assembly` and the folder `dir`; exit status 1 when anything
/// does.
pub(crate) fn run(
    assembly: &CloudAssembly,
    dir: &Path,
    format: TemplateFormat,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let differences = check_assembly_in(assembly, dir, format)?;
    if differences.is_empty() {
        if !quiet {
            writeln!(
                std::io::stdout().lock(),
                "{} is up to date ({} files match the synthesized app)",
                dir.display(),
                assembly.files_in(format)?.len()
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    // anstream drops the colours when stdout is not a terminal or NO_COLOR is set.
    let mut out = anstream::stdout();
    super::unless_closed(print_differences(&mut out, dir, &differences))?;
    stderr_line!(
        "stackcraft: {} is out of date: {} file(s) differ from the synthesized app; \
         run `stackcraft synth` and commit the result",
        dir.display(),
        differences.len()
    );
    Ok(ExitCode::from(1))
}

/// Writes each difference, a changed file as a coloured unified diff of at most
/// [`MAX_DIFF_LINES`] lines.
fn print_differences(
    out: &mut impl Write,
    dir: &Path,
    differences: &[FileDifference],
) -> std::io::Result<()> {
    for difference in differences {
        let path = dir.join(&difference.name);
        match &difference.status {
            FileStatus::Missing => writeln!(
                out,
                "{} {}: missing (the app synthesizes it)",
                "-".red(),
                path.display()
            )?,
            FileStatus::Extra => writeln!(
                out,
                "{} {}: extra (the app no longer synthesizes it)",
                "+".green(),
                path.display()
            )?,
            FileStatus::Changed { unified } => {
                let lines: Vec<&str> = unified.lines().collect();
                for line in lines.iter().take(MAX_DIFF_LINES) {
                    if line.starts_with('+') {
                        writeln!(out, "{}", line.green())?;
                    } else if line.starts_with('-') {
                        writeln!(out, "{}", line.red())?;
                    } else if line.starts_with("@@") {
                        writeln!(out, "{}", line.cyan())?;
                    } else {
                        writeln!(out, "{line}")?;
                    }
                }
                if lines.len() > MAX_DIFF_LINES {
                    writeln!(out, "... {} more diff lines", lines.len() - MAX_DIFF_LINES)?;
                }
            }
        }
    }
    out.flush()
}
