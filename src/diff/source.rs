//! Reading a template file given on the command line (`diff --template`, `graph --template`),
//! as `validate` reads one: JSON or YAML by extension, and by the first character otherwise;
//! a key given twice is an error rather than a silent choice of the last.

use std::path::Path;

use serde_json::Value as Json;

use crate::error::{Error, ErrorKind, Result};
use crate::validate::source::ParsedTemplate;

/// Reads the template file at `path`.
pub fn read_template(path: &Path) -> Result<Json> {
    let fail = |message: String| Error::new("", ErrorKind::Io { message });
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    let parsed =
        ParsedTemplate::parse_file_text(path, &text).map_err(|e| match (e.line, e.column) {
            (0, _) => fail(format!("{}: {}", path.display(), e.message)),
            _ => fail(format!("{}:{e}", path.display())),
        })?;
    if let Some(pointer) = parsed.duplicate_keys.first() {
        let at = parsed
            .position_of(pointer)
            .map_or_else(String::new, |(line, column)| format!(":{line}:{column}"));
        return Err(fail(format!(
            "{}{at}: {pointer} is given twice; a key may appear once",
            path.display()
        )));
    }
    let template = parsed.template;
    if !template.is_object() {
        return Err(fail(format!(
            "{}: a template is a JSON object, got {}",
            path.display(),
            kind_of(&template)
        )));
    }
    match template.get("Resources") {
        Some(resources) if resources.is_object() => Ok(template),
        Some(other) => Err(fail(format!(
            "{}: Resources is {}; it is an object of logical ids",
            path.display(),
            kind_of(other)
        ))),
        None => {
            let keys: Vec<&str> = template
                .as_object()
                .map(|m| m.keys().take(5).map(String::as_str).collect())
                .unwrap_or_default();
            Err(fail(format!(
                "{}: not a CloudFormation template: it has no Resources section (its keys: {})",
                path.display(),
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            )))
        }
    }
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
    fn reads_yaml_by_content_and_refuses_a_key_given_twice() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("stack.template");
        std::fs::write(&file, "Resources:\n  A:\n    Type: AWS::SQS::Queue\n").unwrap();
        assert!(read_template(&file).unwrap()["Resources"]["A"].is_object());
        let twice = dir.path().join("twice.json");
        std::fs::write(
            &twice,
            r#"{"Resources": {"A": {"Type": "X"}, "A": {"Type": "Y"}}}"#,
        )
        .unwrap();
        let e = read_template(&twice).unwrap_err().to_string();
        assert!(e.contains("/Resources/A is given twice"), "{e}");
        let list = dir.path().join("list.json");
        std::fs::write(&list, r#"{"Resources": []}"#).unwrap();
        let e = read_template(&list).unwrap_err().to_string();
        assert!(e.contains("Resources is an array"), "{e}");
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
