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
    /// Templates in `dir` that belong to no stack of this assembly are removed; other files are
    /// left alone.
    pub fn write(&self, dir: &Path) -> Result<WriteReport> {
        self.write_in(dir, TemplateFormat::Json)
    }

    /// Writes the assembly into `dir` with its templates in `format`, as [`CloudAssembly::write`]
    /// does; templates of the other format are removed.
    pub fn write_in(&self, dir: &Path, format: TemplateFormat) -> Result<WriteReport> {
        let io = |what: &str, path: &Path, e: std::io::Error| {
            Error::new(
                "",
                ErrorKind::Io {
                    message: format!("{what} {}: {e}", path.display()),
                },
            )
        };
        fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
        let mut report = WriteReport::default();
        let files = self.files_in(format)?;
        for (name, content) in &files {
            let path = dir.join(name);
            let unchanged = fs::read(&path)
                .map(|old| old == content.as_bytes())
                .unwrap_or(false);
            if !unchanged {
                let tmp = dir.join(format!(".{name}.tmp"));
                fs::write(&tmp, content).map_err(|e| io("cannot write", &tmp, e))?;
                fs::rename(&tmp, &path).map_err(|e| io("cannot write", &path, e))?;
            }
            report.files.push((path, content.len()));
        }
        let owned: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let entries = fs::read_dir(dir).map_err(|e| io("cannot list", dir, e))?;
        let mut stale: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                (name.ends_with(".template.json") || name.ends_with(".template.yaml"))
                    && !owned.contains(&name)
            })
            .collect();
        stale.sort();
        for path in stale {
            fs::remove_file(&path).map_err(|e| io("cannot remove", &path, e))?;
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
