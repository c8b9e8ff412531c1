//! The cloud assembly (`cdk.out`): `manifest.json` in the AWS CDK format, one template per
//! stack, and `tree.json`.
//!
//! Writing is deterministic to the byte and touches only files the assembly owns: templates of
//! stacks that no longer exist are removed, anything else in the folder is left alone. Each file
//! is written to a temporary name and renamed into place. Reading an assembly back (for
//! `deploy --app`, `diff --against`) goes through [`CloudAssembly::load`].

use std::fs;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

use crate::error::{Error, ErrorKind, Result};

/// The cloud-assembly schema version written to `manifest.json`; the AWS CDK CLI accepts any
/// version whose major is not above its own.
pub const MANIFEST_VERSION: &str = "36.0.0";

/// Metadata type under which a stack's stage (deployment environment) is recorded.
const STAGE_METADATA: &str = "stackcraft:stage";

/// The file format of the templates in an assembly folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TemplateFormat {
    /// `<Stack>.template.json`, pretty JSON (the AWS CDK's format).
    #[default]
    Json,
    /// `<Stack>.template.yaml`, YAML with short-form intrinsic tags (`!Ref`, `!GetAtt`, ...).
    Yaml,
}

impl TemplateFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            TemplateFormat::Json => "json",
            TemplateFormat::Yaml => "yaml",
        }
    }

    /// The format of a template file, by its name: YAML for `.yaml`/`.yml`, JSON otherwise.
    pub fn of_file(path: &Path) -> TemplateFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => TemplateFormat::Yaml,
            _ => TemplateFormat::Json,
        }
    }

    /// A template's text in this format, deterministic to the byte.
    pub fn render(self, template: &Json) -> Result<String> {
        match self {
            TemplateFormat::Json => Ok(to_pretty_json(template)),
            TemplateFormat::Yaml => crate::yaml::to_string(template).map_err(|e| {
                Error::new(
                    "",
                    ErrorKind::Io {
                        message: format!("cannot write the template as YAML: {e}"),
                    },
                )
            }),
        }
    }

    /// Parses a template's text in this format into its (long-form) JSON.
    pub fn parse(self, text: &str) -> std::result::Result<Json, String> {
        match self {
            TemplateFormat::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
            TemplateFormat::Yaml => crate::yaml::from_str(text).map_err(|e| e.to_string()),
        }
    }
}

/// One stack of the assembly.
#[derive(Debug, Clone, PartialEq)]
pub struct StackArtifact {
    /// The artifact id in `manifest.json` (the stack's construct path without `/`).
    pub id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// The stack's construct path.
    pub construct_path: String,
    /// `aws://ACCOUNT/REGION`, with `unknown-account`/`unknown-region` where not pinned.
    pub environment: String,
    /// Whether CloudFormation refuses to delete the stack.
    pub termination_protection: bool,
    /// The deployment environment (stage) the stack belongs to.
    pub stage: Option<String>,
    /// Stack tags.
    pub tags: IndexMap<String, String>,
    /// Artifact ids of the stacks that must be deployed first.
    pub dependencies: Vec<String>,
    /// The template.
    pub template: Json,
}

impl StackArtifact {
    /// The template file's name inside the assembly folder.
    pub fn template_file(&self) -> String {
        self.template_file_in(TemplateFormat::Json)
    }

    /// The template file's name inside an assembly folder written in `format`.
    pub fn template_file_in(&self, format: TemplateFormat) -> String {
        format!("{}.template.{}", self.id, format.extension())
    }

    /// The template as deploy sends it: minified JSON.
    pub fn minified_template(&self) -> String {
        serde_json::to_string(&self.template).unwrap_or_default()
    }

    /// The region part of the environment, when pinned.
    pub fn region(&self) -> Option<&str> {
        let region = self.environment.rsplit('/').next()?;
        (region != "unknown-region" && !region.is_empty()).then_some(region)
    }
}

/// A cloud assembly held in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudAssembly {
    /// The stacks, in deployment order (each after the stacks it depends on).
    pub stacks: Vec<StackArtifact>,
    /// The construct tree as written to `tree.json`.
    pub tree: Json,
}

/// What [`CloudAssembly::write`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteReport {
    /// Every file the assembly consists of, with its size in bytes.
    pub files: Vec<(PathBuf, usize)>,
    /// Files of stacks that no longer exist, removed from the folder.
    pub removed: Vec<PathBuf>,
}

/// Pretty JSON with one-space indentation and a final newline, as CDK writes its assembly.
pub fn to_pretty_json(value: &Json) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    value
        .serialize(&mut ser)
        .expect("JSON values always serialize");
    buf.push(b'\n');
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

impl CloudAssembly {
    /// The stack with this artifact id or stack name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks
            .iter()
            .find(|s| s.id == name || s.stack_name == name)
    }

    /// `manifest.json` as JSON.
    pub fn manifest(&self) -> Json {
        self.manifest_in(TemplateFormat::Json)
    }

    /// `manifest.json` as JSON, for templates written in `format`.
    pub fn manifest_in(&self, format: TemplateFormat) -> Json {
        let mut artifacts = Map::new();
        artifacts.insert(
            "Tree".into(),
            json!({ "type": "cdk:tree", "properties": { "file": "tree.json" } }),
        );
        for s in &self.stacks {
            let mut properties = Map::new();
            properties.insert(
                "templateFile".into(),
                Json::String(s.template_file_in(format)),
            );
            if s.stack_name != s.id {
                properties.insert("stackName".into(), Json::String(s.stack_name.clone()));
            }
            if s.termination_protection {
                properties.insert("terminationProtection".into(), Json::Bool(true));
            }
            if !s.tags.is_empty() {
                properties.insert("tags".into(), json!(s.tags));
            }
            let mut artifact = Map::new();
            artifact.insert("type".into(), json!("aws:cloudformation:stack"));
            artifact.insert("environment".into(), Json::String(s.environment.clone()));
            artifact.insert("properties".into(), Json::Object(properties));
            if !s.dependencies.is_empty() {
                artifact.insert("dependencies".into(), json!(s.dependencies));
            }
            if let Some(stage) = &s.stage {
                artifact.insert(
                    "metadata".into(),
                    json!({ format!("/{}", s.construct_path): [
                        { "type": STAGE_METADATA, "data": stage }
                    ] }),
                );
            }
            artifact.insert("displayName".into(), Json::String(s.construct_path.clone()));
            artifacts.insert(s.id.clone(), Json::Object(artifact));
        }
        json!({ "version": MANIFEST_VERSION, "artifacts": artifacts })
    }

    /// Every file of the assembly, by name, with its exact content.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = self.common_files(TemplateFormat::Json);
        for s in &self.stacks {
            files.push((s.template_file(), to_pretty_json(&s.template)));
        }
        files
    }

    /// Every file of the assembly with its templates in `format`, by name, with its exact
    /// content.
    pub fn files_in(&self, format: TemplateFormat) -> Result<Vec<(String, String)>> {
        let mut files = self.common_files(format);
        for s in &self.stacks {
            files.push((s.template_file_in(format), format.render(&s.template)?));
        }
        Ok(files)
    }

    fn common_files(&self, format: TemplateFormat) -> Vec<(String, String)> {
        vec![
            (
                "cdk.out".to_string(),
                to_pretty_json(&json!({ "version": MANIFEST_VERSION })),
            ),
            (
                "manifest.json".to_string(),
                to_pretty_json(&self.manifest_in(format)),
            ),
            ("tree.json".to_string(), to_pretty_json(&self.tree)),
        ]
    }

    /// Writes the assembly into `dir`, creating it when needed.
    ///
    /// `dir` must be new, empty, or an earlier cloud assembly (it has a `manifest.json` with a
    /// `version`): any other folder is refused untouched. The files of the earlier assembly that
    /// this one no longer has (the templates of removed stacks) are removed; files the earlier
    /// manifest does not name are left alone. Every changed file is written beside its target
    /// first and moved into place only when all were written, so a failed write (a full disk)
    /// replaces nothing; the manifest moves last, so a move that fails part-way (rare: a rename
    /// within one folder) leaves the earlier manifest and no staged file behind.
    pub fn write(&self, dir: &Path) -> Result<WriteReport> {
        self.write_in(dir, TemplateFormat::Json)
    }

    /// Writes the assembly into `dir` with its templates in `format`, as [`CloudAssembly::write`]
    /// does; templates of the other format that the earlier assembly had are removed.
    pub fn write_in(&self, dir: &Path, format: TemplateFormat) -> Result<WriteReport> {
        let previous = previous_files(dir)?;
        fs::create_dir_all(dir).map_err(|e| io_error("cannot create", dir, e))?;
        let files = self.files_in(format)?;
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut report = WriteReport::default();
        for (name, content) in &files {
            let path = dir.join(name);
            let unchanged = fs::read(&path)
                .map(|old| old == content.as_bytes())
                .unwrap_or(false);
            if !unchanged {
                let tmp = dir.join(format!(".{name}.tmp"));
                if let Err(e) = fs::write(&tmp, content) {
                    let _ = fs::remove_file(&tmp);
                    for (written, _) in &staged {
                        let _ = fs::remove_file(written);
                    }
                    return Err(io_error("cannot write", &tmp, e));
                }
                staged.push((tmp, path.clone()));
            }
            report.files.push((path, content.len()));
        }
        // The manifest moves last: until then the folder still reads as the earlier assembly.
        staged.sort_by_key(|(_, path)| path.file_name().is_some_and(|n| n == "manifest.json"));
        for (i, (tmp, path)) in staged.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, path) {
                for (left, _) in &staged[i..] {
                    let _ = fs::remove_file(left);
                }
                return Err(io_error("cannot write", path, e));
            }
        }
        let owned: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let mut stale: Vec<PathBuf> = previous
            .iter()
            .filter(|name| !owned.contains(&name.as_str()))
            .map(|name| dir.join(name))
            .filter(|path| path.is_file())
            .collect();
        stale.sort();
        stale.dedup();
        for path in stale {
            fs::remove_file(&path).map_err(|e| io_error("cannot remove", &path, e))?;
            report.removed.push(path);
        }
        Ok(report)
    }

    /// Reads an assembly written by stackcraft or by the AWS CDK.
    pub fn load(dir: &Path) -> Result<CloudAssembly> {
        let read = |path: &Path| -> Result<Json> {
            let text = fs::read_to_string(path).map_err(|e| {
                Error::new(
                    "",
                    ErrorKind::Io {
                        message: format!("cannot read {}: {e}", path.display()),
                    },
                )
            })?;
            TemplateFormat::of_file(path).parse(&text).map_err(|e| {
                Error::new(
                    "",
                    ErrorKind::Io {
                        message: format!("{}: {e}", path.display()),
                    },
                )
            })
        };
        let manifest = read(&dir.join("manifest.json"))?;
        let mut stacks = Vec::new();
        let mut tree = Json::Null;
        let artifacts = manifest["artifacts"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (id, artifact) in artifacts {
            match artifact["type"].as_str() {
                Some("cdk:tree") => {
                    if let Some(file) = artifact["properties"]["file"].as_str() {
                        tree = read(&dir.join(file)).unwrap_or(Json::Null);
                    }
                }
                Some("aws:cloudformation:stack") => {
                    let props = &artifact["properties"];
                    let file = props["templateFile"].as_str().unwrap_or_default();
                    let template = read(&dir.join(file))?;
                    let stage = artifact["metadata"]
                        .as_object()
                        .into_iter()
                        .flat_map(|m| m.values())
                        .flat_map(|entries| entries.as_array().cloned().unwrap_or_default())
                        .find(|e| e["type"] == STAGE_METADATA)
                        .and_then(|e| e["data"].as_str().map(str::to_string));
                    let strings = |v: &Json| -> Vec<String> {
                        v.as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default()
                    };
                    stacks.push(StackArtifact {
                        stack_name: props["stackName"].as_str().unwrap_or(&id).to_string(),
                        construct_path: artifact["displayName"].as_str().unwrap_or(&id).to_string(),
                        environment: artifact["environment"]
                            .as_str()
                            .unwrap_or("aws://unknown-account/unknown-region")
                            .to_string(),
                        termination_protection: props["terminationProtection"] == Json::Bool(true),
                        stage,
                        tags: serde_json::from_value(props["tags"].clone()).unwrap_or_default(),
                        dependencies: strings(&artifact["dependencies"]),
                        template,
                        id,
                    });
                }
                _ => {}
            }
        }
        Ok(CloudAssembly { stacks, tree })
    }
}

/// An I/O error on `path`, as the CLI shows it.
fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(
        "",
        ErrorKind::Io {
            message: format!("{what} {}: {e}", path.display()),
        },
    )
}

/// The files the manifest of the cloud assembly already in `dir` names (templates, tree), so
/// that a new write can remove the ones it no longer has: none when `dir` does not exist or is
/// empty. A folder that
/// is not a cloud assembly, or a path that is not a folder, is an error: its files are not ours
/// to overwrite or remove.
fn previous_files(dir: &Path) -> Result<Vec<String>> {
    let refuse = |why: String| {
        Error::new(
            "",
            ErrorKind::Io {
                message: format!(
                    "{} {why}; synth writes only into a new or empty folder or an earlier cloud \
                     assembly, so that no other file is overwritten or removed",
                    dir.display()
                ),
            },
        )
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(_) if dir.exists() && !dir.is_dir() => {
            return Err(refuse("is a file, not a folder".to_string()))
        }
        Err(e) => return Err(io_error("cannot list", dir, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(names);
    }
    names.sort();
    let manifest_path = dir.join("manifest.json");
    let manifest: Option<Json> = fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .filter(|m: &Json| m["version"].is_string());
    let Some(manifest) = manifest else {
        let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
        let more = if names.len() > 3 { ", ..." } else { "" };
        let why = if manifest_path.exists() {
            "has a manifest.json that is not a cloud assembly manifest (no \"version\")"
        } else {
            "is not a cloud assembly (it has no manifest.json)"
        };
        return Err(refuse(format!(
            "{why} and is not empty (it holds {}{more})",
            shown.join(", ")
        )));
    };
    let mut previous = Vec::new();
    if let Some(artifacts) = manifest["artifacts"].as_object() {
        for artifact in artifacts.values() {
            let props = &artifact["properties"];
            for key in ["templateFile", "file"] {
                // Only plain names: the manifest never makes us touch a file outside `dir`.
                if let Some(name) = props[key].as_str().filter(|n| is_plain_name(n)) {
                    previous.push(name.to_string());
                }
            }
        }
    }
    Ok(previous)
}

/// A file name with no folder part, which `dir.join` keeps inside `dir`.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assembly(stacks: &[&str]) -> CloudAssembly {
        let stacks = stacks
            .iter()
            .map(|id| StackArtifact {
                id: id.to_string(),
                stack_name: id.to_string(),
                construct_path: id.to_string(),
                environment: "aws://unknown-account/unknown-region".to_string(),
                termination_protection: false,
                stage: None,
                tags: IndexMap::new(),
                dependencies: Vec::new(),
                template: json!({ "Resources": { "Queue": { "Type": "AWS::SQS::Queue" } } }),
            })
            .collect();
        CloudAssembly {
            stacks,
            tree: json!({ "version": "tree-0.1" }),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_folder_that_is_not_an_assembly_is_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("mine.template.json"), "{}").unwrap();
        let e = assembly(&["A"]).write(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("is not a cloud assembly") && e.contains("mine.template.json"),
            "{e}"
        );
        assert_eq!(names(dir.path()), ["mine.template.json"]);

        fs::write(dir.path().join("manifest.json"), r#"{"name": "web"}"#).unwrap();
        let e = assembly(&["A"]).write(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a cloud assembly manifest"), "{e}");
        assert_eq!(
            fs::read_to_string(dir.path().join("manifest.json")).unwrap(),
            r#"{"name": "web"}"#
        );

        let file = dir.path().join("mine.template.json");
        let e = assembly(&["A"]).write(&file).unwrap_err().to_string();
        assert!(e.contains("is a file, not a folder"), "{e}");
    }

    #[test]
    fn only_the_earlier_assemblys_own_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        assembly(&["A", "B"]).write(dir.path()).unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        fs::write(dir.path().join("C.template.json"), "{}").unwrap();
        let report = assembly(&["A"]).write(dir.path()).unwrap();
        assert_eq!(report.removed, [dir.path().join("B.template.json")]);
        assert_eq!(
            names(dir.path()),
            [
                "A.template.json",
                "C.template.json",
                "cdk.out",
                "manifest.json",
                "notes.txt",
                "tree.json"
            ]
        );
        let report = assembly(&["A"])
            .write_in(dir.path(), TemplateFormat::Yaml)
            .unwrap();
        assert_eq!(report.removed, [dir.path().join("A.template.json")]);
    }

    #[test]
    fn a_failed_write_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assembly(&["A"]).write(dir.path()).unwrap();
        let before: Vec<(String, String)> = names(dir.path())
            .into_iter()
            .map(|n| (n.clone(), fs::read_to_string(dir.path().join(&n)).unwrap()))
            .collect();
        // The staging file of the last file cannot be created: every file before it was staged.
        fs::create_dir(dir.path().join(".B.template.json.tmp")).unwrap();
        assembly(&["A", "B"]).write(dir.path()).unwrap_err();
        fs::remove_dir(dir.path().join(".B.template.json.tmp")).unwrap();
        let after: Vec<(String, String)> = names(dir.path())
            .into_iter()
            .map(|n| (n.clone(), fs::read_to_string(dir.path().join(&n)).unwrap()))
            .collect();
        assert_eq!(before, after);
    }
}
