//! How the CLI shows errors, findings and annotations on the terminal.

use crate::construct::{Annotation, Level};
use crate::error::ErrorKind;
use crate::synth::SynthFailure;
use crate::validate::{Finding, Severity};

/// Prints an error and its causes, one line each, after the tool name.
pub(crate) fn error(e: &anyhow::Error) {
    stderr_line!("stackcraft: error: {e}");
    for cause in e.chain().skip(1) {
        stderr_line!("  caused by: {cause}");
    }
}

/// Prints annotations at warning level and above.
pub(crate) fn annotations(annotations: &[Annotation]) {
    for a in annotations {
        let level = match a.level {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        stderr_line!("{level}[{}] [{}] {}", a.id, a.path, a.message);
    }
}

/// Prints validation findings.
pub(crate) fn findings(findings: &[Finding]) {
    for f in findings {
        stderr_line!("{f}");
    }
}

/// Prints everything a failed synthesis found; an annotation that failed it (an error, or a
/// warning under `--strict`) is printed once, as an error.
pub(crate) fn synth_failure(failure: &SynthFailure) {
    let failed = |a: &Annotation| {
        failure.errors.iter().any(|e| {
            e.path() == a.path
                && matches!(e.kind(), ErrorKind::Annotation { id, message }
                    if *id == a.id && *message == a.message)
        })
    };
    let rest: Vec<Annotation> = failure
        .annotations
        .iter()
        .filter(|a| !failed(a))
        .cloned()
        .collect();
    annotations(&rest);
    for e in &failure.errors {
        stderr_line!("error: {e}");
    }
    findings(&failure.findings);
    let errors = failure.errors.len()
        + failure
            .findings
            .iter()
            .filter(|f| f.level == Severity::Error)
            .count();
    stderr_line!("stackcraft: synthesis failed with {errors} error(s); nothing was written");
}
