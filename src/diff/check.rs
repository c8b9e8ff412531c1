//! `synth --check`: does the committed output folder hold exactly what synthesis produces?
//!
//! Every file of the in-memory assembly ([`CloudAssembly::files`]) is compared byte for byte
//! with the file of the same name in the folder, and template files in the folder that the
//! assembly does not own (a stack that was removed or renamed) count as extra. Other files in
//! the folder are left out, as [`CloudAssembly::write`] leaves them alone.

use std::fs;
use std::path::Path;

use similar::TextDiff;

use crate::assembly::{CloudAssembly, TemplateFormat};
use crate::error::{Error, ErrorKind, Result};

/// How one file of the output folder differs from synthesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// The file's content differs; a unified diff from the folder's file to the synthesized one.
    Changed {
        /// The unified diff, with `---`/`+++` headers and hunks.
        unified: String,
    },
    /// Synthesis produces the file, the folder does not have it.
    Missing,
    /// The folder has a template file that synthesis no longer produces.
    Extra,
}

/// One file that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDifference {
    /// The file name inside the output folder.
    pub name: String,
    /// How it differs.
    pub status: FileStatus,
}

/// The files of `dir` that differ from `assembly`, in the assembly's file order with extra
/// files last; empty when the folder is up to date.
pub fn check_assembly(assembly: &CloudAssembly, dir: &Path) -> Result<Vec<FileDifference>> {
    check_assembly_in(assembly, dir, TemplateFormat::Json)
}

/// As [`check_assembly`], for a folder written with its templates in `format`.
pub fn check_assembly_in(
    assembly: &CloudAssembly,
    dir: &Path,
    format: TemplateFormat,
) -> Result<Vec<FileDifference>> {
    let files = assembly.files_in(format)?;
    let mut differences = Vec::new();
    for (name, content) in &files {
        let path = dir.join(name);
        let status = match fs::read(&path) {
            Ok(committed) if committed == content.as_bytes() => continue,
            Ok(committed) => FileStatus::Changed {
                unified: unified_diff(&String::from_utf8_lossy(&committed), content, dir, name),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileStatus::Missing,
            Err(e) => return Err(io_error(&path, &e)),
        };
        differences.push(FileDifference {
            name: name.clone(),
            status,
        });
    }
    if dir.is_dir() {
        let entries = fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
        let mut extra: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".template.json") || n.ends_with(".template.yaml"))
            .filter(|n| !files.iter().any(|(owned, _)| owned == n))
            .collect();
        extra.sort();
        differences.extend(extra.into_iter().map(|name| FileDifference {
            name,
            status: FileStatus::Extra,
        }));
    }
    Ok(differences)
}

fn unified_diff(committed: &str, synthesized: &str, dir: &Path, name: &str) -> String {
    let committed_name = dir.join(name).display().to_string();
    let synthesized_name = format!("{name} (synthesized)");
    TextDiff::from_lines(committed, synthesized)
        .unified_diff()
        .context_radius(2)
        .header(&committed_name, &synthesized_name)
        .to_string()
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        "",
        ErrorKind::Io {
            message: format!("cannot read {}: {e}", path.display()),
        },
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::assembly::StackArtifact;

    fn assembly() -> CloudAssembly {
        CloudAssembly {
            stacks: vec![StackArtifact {
                id: "Net".into(),
                stack_name: "Net".into(),
                construct_path: "Net".into(),
                environment: "aws://unknown-account/unknown-region".into(),
                termination_protection: false,
                stage: None,
                tags: Default::default(),
                dependencies: Vec::new(),
                template: json!({ "Resources": { "Vpc": { "Type": "AWS::EC2::VPC" } } }),
            }],
            tree: json!({ "version": "tree-0.1" }),
        }
    }

    #[test]
    fn a_freshly_written_folder_is_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        assembly().write(dir.path()).unwrap();
        assert_eq!(check_assembly(&assembly(), dir.path()).unwrap(), []);
    }

    #[test]
    fn reports_changed_missing_and_extra_files() {
        let dir = tempfile::tempdir().unwrap();
        assembly().write(dir.path()).unwrap();
        let template = dir.path().join("Net.template.json");
        let edited = fs::read_to_string(&template)
            .unwrap()
            .replace("AWS::EC2::VPC", "AWS::EC2::Subnet");
        fs::write(&template, edited).unwrap();
        fs::remove_file(dir.path().join("tree.json")).unwrap();
        fs::write(dir.path().join("Gone.template.json"), "{}").unwrap();
        fs::write(dir.path().join("notes.txt"), "not ours").unwrap();
        let found = check_assembly(&assembly(), dir.path()).unwrap();
        let names: Vec<&str> = found.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["tree.json", "Net.template.json", "Gone.template.json"]
        );
        assert_eq!(found[0].status, FileStatus::Missing);
        assert_eq!(found[2].status, FileStatus::Extra);
        let FileStatus::Changed { unified } = &found[1].status else {
            panic!("expected a change, got {:?}", found[1].status);
        };
        assert!(
            unified.contains("-   \"Type\": \"AWS::EC2::Subnet\""),
            "{unified}"
        );
        assert!(
            unified.contains("+   \"Type\": \"AWS::EC2::VPC\""),
            "{unified}"
        );
    }

    #[test]
    fn a_missing_folder_misses_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let found = check_assembly(&assembly(), &dir.path().join("nope")).unwrap();
        assert!(found.iter().all(|d| d.status == FileStatus::Missing));
        assert_eq!(found.len(), assembly().files().len());
    }
}
