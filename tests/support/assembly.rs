//! Small cloud assemblies written by tests, in the manifest format `deploy --app` reads.

use std::path::Path;

use serde_json::{json, Value as Json};

/// One stack of a test assembly.
pub struct TestStack<'a> {
    pub name: &'a str,
    pub template: Json,
    pub stage: Option<&'a str>,
    pub termination_protection: bool,
    pub dependencies: Vec<&'a str>,
}

impl<'a> TestStack<'a> {
    pub fn new(name: &'a str, template: Json) -> Self {
        TestStack {
            name,
            template,
            stage: None,
            termination_protection: false,
            dependencies: Vec::new(),
        }
    }
}

/// Writes `manifest.json` and one template per stack into `dir` (emptied first).
pub fn write(dir: &Path, stacks: &[TestStack]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut artifacts = serde_json::Map::new();
    for s in stacks {
        let file = format!("{}.template.json", s.name);
        std::fs::write(dir.join(&file), s.template.to_string()).unwrap();
        let mut artifact = json!({
            "type": "aws:cloudformation:stack",
            "environment": "aws://unknown-account/unknown-region",
            "properties": { "templateFile": file },
            "dependencies": s.dependencies,
            "displayName": s.name,
        });
        if s.termination_protection {
            artifact["properties"]["terminationProtection"] = json!(true);
        }
        if let Some(stage) = s.stage {
            artifact["metadata"] = json!({ format!("/{}", s.name): [
                { "type": "stackcraft:stage", "data": stage } ] });
        }
        artifacts.insert(s.name.to_string(), artifact);
    }
    let manifest = json!({ "version": "36.0.0", "artifacts": artifacts });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
}
