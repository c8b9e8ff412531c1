//! End-to-end tests of the `stackcraft` binary on the default app.

use std::process::Command;

fn stackcraft() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stackcraft"))
}

#[test]
fn synth_writes_the_assembly_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |o: &std::path::Path| {
        let status = stackcraft()
            .args(["synth", "--quiet", "-o"])
            .arg(o)
            .status()
            .unwrap();
        assert!(status.success());
    };
    run(&out);
    let first: Vec<(String, Vec<u8>)> = read_dir(&out);
    run(&out);
    assert_eq!(first, read_dir(&out));
    assert!(first.iter().any(|(n, _)| n == "manifest.json"));
}

fn read_dir(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn usage_errors_exit_2() {
    let out = stackcraft().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    for args in [vec!["ls"], vec!["graph"], vec!["synth", "-o", out_dir]] {
        let mut child = stackcraft()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command has synthesized anything, as `| head` does.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn deploy_refuses_a_concurrency_of_zero() {
    let out = stackcraft()
        .args(["deploy", "--concurrency", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--concurrency"), "{stderr}");
}

#[test]
fn a_closed_stderr_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.json");
    let resources: serde_json::Map<String, serde_json::Value> = (0..450)
        .map(|i| {
            let queue = serde_json::json!({
                "Type": "AWS::SQS::Queue",
                "Properties": { "QueueName": { "Ref": format!("Missing{i}") } }
            });
            (format!("Queue{i}"), queue)
        })
        .collect();
    let template = serde_json::json!({ "Resources": resources });
    std::fs::write(&file, template.to_string()).unwrap();
    let mut child = stackcraft()
        .arg("validate")
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Far more findings than a pipe holds, and nobody left to read them.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "the findings still fail the validation"
    );

    let mut child = stackcraft()
        .args(["validate", "--format", "json"])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "a closed stdout does not turn errors into success"
    );
}
