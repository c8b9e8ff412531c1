//! Conformance: the AWS CDK CLI (pinned, installed by scripts/tools.sh) reads our cloud assembly.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn cdk() -> Command {
    let tools = std::env::var_os("STACKCRAFT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".tools"));
    let bin = tools.join("node/node_modules/.bin/cdk");
    assert!(
        bin.exists(),
        "{} is missing: run scripts/tools.sh",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    cmd.env("CDK_DISABLE_VERSION_CHECK", "1").env("CI", "true");
    cmd
}

fn synth_into(dir: &Path) -> stackcraft::CloudAssembly {
    let app = stackcraft_app::build_app().unwrap();
    let assembly = app.synth(&Default::default()).unwrap().assembly;
    assembly.write(dir).unwrap();
    assembly
}

#[test]
fn cdk_ls_lists_our_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = synth_into(dir.path());
    let out = cdk()
        .arg("--app")
        .arg(dir.path())
        .args(["ls", "--no-notices"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<&str> = stdout.lines().map(str::trim).collect();
    for stack in &assembly.stacks {
        assert!(
            listed.contains(&stack.stack_name.as_str()),
            "{} not in {listed:?}",
            stack.stack_name
        );
    }
}

#[test]
fn cdk_diff_reports_a_difference_against_another_template() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = synth_into(dir.path());
    let stack = assembly.stack("temporal-dev-data").unwrap();
    let mut other: Json = stack.template.clone();
    let repo = other["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("WorkerRepository"))
        .unwrap()
        .clone();
    other["Resources"][&repo]["Properties"]["ImageTagMutability"] = "MUTABLE".into();
    let file = dir.path().join("other.json");
    std::fs::write(&file, other.to_string()).unwrap();
    let out = cdk()
        .arg("--app")
        .arg(dir.path())
        .args([
            "diff",
            "temporal-dev-data",
            "--exclusively",
            "--no-notices",
            "--template",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&repo), "{text}");
    assert!(
        text.contains("ImageTagMutability") && text.contains("MUTABLE"),
        "{text}"
    );
    assert!(
        text.contains("Number of stacks with differences: 1"),
        "{text}"
    );
}
