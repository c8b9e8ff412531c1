//! `synth --check`: compare the fresh synthesis with the committed output folder, write nothing.

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
            let text = format!(
                "{} is up to date ({} files match the synthesized app)\n",
                dir.display(),
                assembly.files_in(format)?.len()
            );
            super::report(&mut std::io::stdout().lock(), &text)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    // anstream drops the colours when stdout is not a terminal or NO_COLOR is set.
    super::report(
        &mut anstream::stdout(),
        &differences_text(dir, &differences),
    )?;
    stderr_line!(
        "stackcraft: {} is out of date: {} file(s) differ from the synthesized app; \
         run `stackcraft synth` and commit the result",
        dir.display(),
        differences.len()
    );
    Ok(ExitCode::from(1))
}

/// Each difference, a changed file as a coloured unified diff of at most [`MAX_DIFF_LINES`]
/// lines.
fn differences_text(dir: &Path, differences: &[FileDifference]) -> String {
    let mut text = String::new();
    for difference in differences {
        let path = dir.join(&difference.name);
        match &difference.status {
            FileStatus::Missing => text.push_str(&format!(
                "{} {}: missing (the app synthesizes it)\n",
                "-".red(),
                path.display()
            )),
            FileStatus::Extra => text.push_str(&format!(
                "{} {}: extra (the app no longer synthesizes it)\n",
                "+".green(),
                path.display()
            )),
            FileStatus::Changed { unified } => {
                let lines: Vec<&str> = unified.lines().collect();
                for line in lines.iter().take(MAX_DIFF_LINES) {
                    let line = if line.starts_with('+') {
                        line.green().to_string()
                    } else if line.starts_with('-') {
                        line.red().to_string()
                    } else if line.starts_with("@@") {
                        line.cyan().to_string()
                    } else {
                        line.to_string()
                    };
                    text.push_str(&line);
                    text.push('\n');
                }
                if lines.len() > MAX_DIFF_LINES {
                    text.push_str(&format!(
                        "... {} more diff lines\n",
                        lines.len() - MAX_DIFF_LINES
                    ));
                }
            }
        }
    }
    text
}
