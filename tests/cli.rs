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

/// Runs `stackcraft ARGS` with the reader of its stdout (`Closed::Stdout`) or stderr gone before
/// the command writes anything, as `| head` does; returns the exit code and the other stream.
fn with_closed(closed: Closed, args: &[&str]) -> (Option<i32>, String) {
    use std::process::Stdio;
    let mut child = stackcraft()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let other: Option<Box<dyn std::io::Read>> = match closed {
        Closed::Stdout => {
            drop(child.stdout.take());
            child.stderr.take().map(|s| Box::new(s) as _)
        }
        Closed::Stderr => {
            drop(child.stderr.take());
            child.stdout.take().map(|s| Box::new(s) as _)
        }
    };
    let mut text = String::new();
    if let Some(mut stream) = other {
        std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    }
    (child.wait().unwrap().code(), text)
}

/// Which stream's reader goes away.
enum Closed {
    Stdout,
    Stderr,
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    for args in [vec!["ls"], vec!["graph"], vec!["synth", "-o", out_dir]] {
        let (code, stderr) = with_closed(Closed::Stdout, &args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
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
    let file = file.to_str().unwrap();
    // Far more findings than a pipe holds, and nobody left to read them.
    let (code, _) = with_closed(Closed::Stderr, &["validate", file]);
    assert_eq!(code, Some(1), "the findings still fail the validation");
    let (code, _) = with_closed(Closed::Stdout, &["validate", "--format", "json", file]);
    assert_eq!(
        code,
        Some(1),
        "a closed stdout does not turn errors into success"
    );
}
