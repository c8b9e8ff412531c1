//! Reading a template file given on the command line (`diff --template`, `graph --template`).
//!
//! A reader is a plain function from the file's text to the template; [`reader_for`] picks one
//! by file name, so another format is one more arm there.

use std::path::Path;

use serde_json::Value as Json;

use crate::assembly::TemplateFormat;
use crate::error::{Error, ErrorKind, Result};

/// Parses a template's text, or says why it cannot.
pub type TemplateReader = fn(&str) -> std::result::Result<Json, String>;

/// The reader for a template file, chosen by its name: YAML for `.yaml`/`.yml`, JSON otherwise.
pub fn reader_for(path: &Path) -> TemplateReader {
    match TemplateFormat::of_file(path) {
        TemplateFormat::Yaml => read_yaml,
        TemplateFormat::Json => read_json,
    }
}

/// Reads a JSON template.
pub fn read_json(text: &str) -> std::result::Result<Json, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Reads a YAML template, short-form tags included, into its long-form JSON.
pub fn read_yaml(text: &str) -> std::result::Result<Json, String> {
    crate::yaml::from_str(text).map_err(|e| e.to_string())
}

/// Reads the template file at `path`.
pub fn read_template(path: &Path) -> Result<Json> {
    let fail = |message: String| Error::new("", ErrorKind::Io { message });
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    let template = reader_for(path)(&text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    if !template.is_object() {
        return Err(fail(format!(
            "{}: a template is a JSON object, got {}",
            path.display(),
            kind_of(&template)
        )));
    }
    if !template.get("Resources").is_some_and(Json::is_object) {
        let keys: Vec<&str> = template
            .as_object()
            .map(|m| m.keys().take(5).map(String::as_str).collect())
            .unwrap_or_default();
        return Err(fail(format!(
            "{}: not a CloudFormation template: it has no Resources section (its keys: {})",
            path.display(),
            if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            }
        )));
    }
    Ok(template)
}

fn kind_of(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_json_template_and_names_the_file_on_errors() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(&good, r#"{ "Resources": {} }"#).unwrap();
        assert!(read_template(&good).unwrap()["Resources"].is_object());
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "[1]").unwrap();
        let e = read_template(&bad).unwrap_err().to_string();
        assert!(e.contains("bad.json") && e.contains("an array"), "{e}");
        let e = read_template(&dir.path().join("none.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn reads_a_yaml_template_with_short_tags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.yaml");
        std::fs::write(
            &file,
            "Resources:\n  A:\n    Type: X\n    Properties:\n      B: !Ref C\n",
        )
        .unwrap();
        let template = read_template(&file).unwrap();
        assert_eq!(
            template["Resources"]["A"]["Properties"]["B"],
            serde_json::json!({"Ref": "C"})
        );
    }
}
