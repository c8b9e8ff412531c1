//! `synth --format yaml` and `diff --template FILE.yaml` through the real binary (issue 7).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

fn stackcraft() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackcraft"));
    command.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn synth(out: &Path, format: &str) {
    let output = run(stackcraft()
        .args(["synth", "--quiet", "--format", format, "-o"])
        .arg(out));
    assert!(output.status.success(), "{}", text(&output.stderr));
}

/// The template file names of an assembly's manifest, by artifact id.
fn template_files(assembly: &Path) -> Vec<(String, String)> {
    let manifest: Json =
        serde_json::from_str(&fs::read_to_string(assembly.join("manifest.json")).unwrap()).unwrap();
    manifest["artifacts"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, a)| a["type"] == "aws:cloudformation:stack")
        .map(|(id, a)| {
            let file = a["properties"]["templateFile"]
                .as_str()
                .unwrap()
                .to_string();
            (id.clone(), file)
        })
        .collect()
}

/// Every file of a folder, by name, with its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (PathBuf::from(p.file_name().unwrap()), fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn yaml_templates_use_short_tags_quote_ambiguous_strings_and_read_back_as_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let json_out = dir.path().join("json");
    let yaml_out = dir.path().join("yaml");
    synth(&json_out, "json");
    synth(&yaml_out, "yaml");

    let files = template_files(&yaml_out);
    assert!(!files.is_empty());
    let mut all_yaml = String::new();
    for (id, file) in &files {
        assert_eq!(file, &format!("{id}.template.yaml"));
        assert!(!yaml_out.join(format!("{id}.template.json")).exists());
        let yaml = fs::read_to_string(yaml_out.join(file)).unwrap();
        assert!(
            !yaml.contains("Fn::GetAtt") && !yaml.contains("Ref:"),
            "{file}"
        );
        let json: Json = serde_json::from_str(
            &fs::read_to_string(json_out.join(format!("{id}.template.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(stackcraft::yaml::from_str(&yaml).unwrap(), json, "{file}");

        let validated = run(stackcraft().arg("validate").arg(yaml_out.join(file)));
        assert!(
            validated.status.success(),
            "validate {file}: {}{}",
            text(&validated.stdout),
            text(&validated.stderr)
        );
        all_yaml.push_str(&yaml);
    }
    for tag in ["!Ref ", "!GetAtt ", "!Sub "] {
        assert!(all_yaml.contains(tag), "no {tag} in any template");
    }
    assert!(
        all_yaml.contains("AWSTemplateFormatVersion: '2010-09-09'")
            || all_yaml.contains("AWSTemplateFormatVersion: \"2010-09-09\""),
        "the version date is quoted"
    );
    for word in ["yes", "on"] {
        let yaml = stackcraft::yaml::to_string(&serde_json::json!({ "A": word })).unwrap();
        assert!(
            yaml.contains(&format!("'{word}'")) || yaml.contains(&format!("\"{word}\"")),
            "{yaml}"
        );
    }
}

#[test]
fn yaml_synth_is_byte_identical_across_runs_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    synth(&first, "yaml");
    synth(&second, "yaml");
    assert_eq!(contents(&first), contents(&second));

    let check = run(stackcraft()
        .args(["synth", "--check", "--format", "yaml", "-o"])
        .arg(&first));
    assert!(check.status.success(), "{}", text(&check.stdout));
    let check = run(stackcraft().args(["synth", "--check", "-o"]).arg(&first));
    assert_eq!(
        check.status.code(),
        Some(1),
        "JSON is expected, YAML is there"
    );

    synth(&first, "json");
    let names: Vec<PathBuf> = contents(&first).into_iter().map(|(n, _)| n).collect();
    assert!(
        names
            .iter()
            .all(|n| !n.to_string_lossy().ends_with(".yaml")),
        "{names:?}"
    );
    let check = run(stackcraft().args(["synth", "--check", "-o"]).arg(&first));
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn diff_reads_a_yaml_template() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("yaml");
    synth(&out, "yaml");
    let (id, file) = template_files(&out).into_iter().next().unwrap();
    let same = run(stackcraft()
        .args(["diff", &id, "--fail", "--template"])
        .arg(out.join(&file)));
    assert!(
        same.status.success(),
        "{}{}",
        text(&same.stdout),
        text(&same.stderr)
    );

    let edited = dir.path().join("edited.yaml");
    let mut template =
        stackcraft::yaml::from_str(&fs::read_to_string(out.join(&file)).unwrap()).unwrap();
    let resources = template["Resources"].as_object_mut().unwrap();
    let first = resources.keys().next().unwrap().clone();
    resources.remove(&first);
    fs::write(&edited, stackcraft::yaml::to_string(&template).unwrap()).unwrap();
    let changed = run(stackcraft()
        .args(["diff", &id, "--fail", "--template"])
        .arg(&edited));
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
}
