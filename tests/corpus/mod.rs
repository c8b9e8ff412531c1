//! Shared helpers of the validation tests: the corpus files and stackcraft's findings on them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stackcraft::validate::{validate_parsed, Finding, ParsedTemplate};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/validation/`.
pub fn root() -> PathBuf {
    repo().join("tests/validation")
}

fn templates(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    files.sort();
    files
}

/// The faulty templates.
pub fn faulty() -> Vec<PathBuf> {
    templates(&root().join("faulty"))
}

/// The valid templates: the hand-written ones and the committed synthesized ones.
pub fn valid() -> Vec<PathBuf> {
    let mut files = templates(&root().join("valid"));
    files.extend(
        templates(&repo().join("cdk.out"))
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".template.json")),
    );
    files
}

/// The rule a faulty template is named after (`E3002-unknown-property.json` -> `E3002`).
pub fn rule_of(file: &Path) -> &str {
    let name = file.file_name().unwrap().to_str().unwrap();
    name.split('-').next().unwrap()
}

/// stackcraft's findings on a file.
pub fn stackcraft(file: &Path) -> Vec<Finding> {
    let text = std::fs::read_to_string(file).unwrap();
    let parsed = ParsedTemplate::parse_file_text(file, &text)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    validate_parsed(&parsed, &file.display().to_string())
}

/// Findings one per line, for assertion messages.
pub fn lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The element a finding is about: (section, logical id); empty for the template as a whole.
pub fn element_of_pointer(pointer: &str) -> (String, String) {
    let mut parts = pointer.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some(section), Some(id)) => (
            section.to_string(),
            id.replace("~1", "/").replace("~0", "~"),
        ),
        _ => (String::new(), String::new()),
    }
}
