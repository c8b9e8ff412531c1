//! Stack outputs: shown after a deployment and, on request, written as JSON to a file of the
//! user's choosing (never into a cloud assembly, which is reviewed and committed).

use std::fs;
use std::path::Path;

use indexmap::IndexMap;
use serde_json::{json, Value as Json};

use super::error::{DeployError, DeployErrorKind};

/// Outputs of the deployed stacks: stack name, then output key and value.
pub type StackOutputs = IndexMap<String, Vec<(String, String)>>;

/// The outputs as JSON, `{ "Stack": { "Key": "Value" } }`, the shape the AWS CDK writes.
pub fn to_json(outputs: &StackOutputs) -> Json {
    let mut root = serde_json::Map::new();
    for (stack, values) in outputs {
        let map: serde_json::Map<String, Json> = values
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect();
        root.insert(stack.clone(), Json::Object(map));
    }
    json!(root)
}

/// Writes the outputs to `path` through a temporary file renamed into place, so an interrupted
/// run never leaves half a file. Refuses paths inside `assembly_dir`.
pub fn write(
    path: &Path,
    outputs: &StackOutputs,
    assembly_dir: Option<&Path>,
) -> Result<(), DeployError> {
    let io = |message: String| DeployError::new("", DeployErrorKind::Io { message });
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    if let Some(dir) = assembly_dir {
        let inside = match (fs::canonicalize(&parent), fs::canonicalize(dir)) {
            (Ok(p), Ok(d)) => p.starts_with(d),
            _ => false,
        };
        if inside {
            return Err(io(format!(
                "{} is inside the cloud assembly {}; write outputs elsewhere",
                path.display(),
                dir.display()
            )));
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "outputs.json".to_string());
    let tmp = parent.join(format!(".{name}.tmp"));
    let mut text = serde_json::to_string_pretty(&to_json(outputs)).unwrap_or_default();
    text.push('\n');
    fs::write(&tmp, text).map_err(|e| io(format!("cannot write {}: {e}", tmp.display())))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io(format!("cannot write {}: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_outputs_by_stack_and_refuses_the_assembly() {
        let dir = tempfile::tempdir().unwrap();
        let mut outputs = StackOutputs::new();
        outputs.insert("Net".into(), vec![("VpcId".into(), "vpc-1".into())]);
        let file = dir.path().join("outputs.json");
        write(&file, &outputs, None).unwrap();
        let written: Json = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(written, json!({ "Net": { "VpcId": "vpc-1" } }));
        let assembly = dir.path().join("cdk.out");
        fs::create_dir(&assembly).unwrap();
        let err = write(&assembly.join("o.json"), &outputs, Some(&assembly)).unwrap_err();
        assert!(
            err.to_string().contains("inside the cloud assembly"),
            "{err}"
        );
    }
}
