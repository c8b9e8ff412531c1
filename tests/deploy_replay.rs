//! `deploy` and `destroy` against a server replaying AWS-shaped answers, for every branch moto
//! cannot reach: resource events, CREATE_FAILED with a reason, rollbacks, ROLLBACK_COMPLETE
//! recovery, UPDATE_ROLLBACK_FAILED, a no-changes change set reported as FAILED, throttling,
//! HTML faults, termination protection. The last test proves each answer parses with the SDK.

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value as Json};
use support::assembly::{self, TestStack};
use support::aws_xml::{self as xml, resource_event, stack_event, Ev, StackDesc};
use support::replay::{Replay, Request, Response};

const STACKCRAFT: &str = env!("CARGO_BIN_EXE_stackcraft");
const QUEUE: &str = "AWS::SQS::Queue";
const DB: &str = "AWS::RDS::DBInstance";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    eprintln!(
        "--- exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    run
}

fn template() -> Json {
    json!({ "Resources": {
        "Queue": { "Type": QUEUE, "Properties": { "QueueName": "jobs" } },
        "Db": { "Type": DB, "Properties": { "DBName": "app", "Engine": "mysql",
                "DBInstanceClass": "db.t3.micro" } },
        "Role": { "Type": "AWS::IAM::Role", "Properties": { "RoleName": "replay-role",
                  "AssumeRolePolicyDocument": { "Statement": [] } } } } })
}

/// Runs `stackcraft <command> STACK --app <assembly of STACK>` against the replay server.
fn stackcraft(replay: &Replay, command: &str, stack: &str, extra: &[&str]) -> Run {
    stackcraft_with(replay, command, TestStack::new(stack, template()), extra)
}

fn stackcraft_with(replay: &Replay, command: &str, stack: TestStack, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let name = stack.name.to_string();
    assembly::write(dir.path(), &[stack]);
    let mut cmd = replay.command(STACKCRAFT);
    cmd.args([command, &name, "--app"])
        .arg(dir.path())
        .args(extra);
    run(cmd)
}

fn failing_create_events(stack: &str) -> (Vec<Ev>, Vec<Ev>) {
    let before = vec![stack_event(
        stack,
        0,
        "REVIEW_IN_PROGRESS",
        Some("User Initiated"),
    )];
    let mut during = before.clone();
    during.extend([
        stack_event(stack, 1, "CREATE_IN_PROGRESS", Some("User Initiated")),
        resource_event("Queue", QUEUE, 2, "CREATE_IN_PROGRESS", None),
        resource_event("Db", DB, 3, "CREATE_IN_PROGRESS", None),
        resource_event(
            "Db",
            DB,
            4,
            "CREATE_FAILED",
            Some("DB subnet group 'default' doesn't meet Availability Zone coverage requirement"),
        ),
        resource_event(
            "Queue",
            QUEUE,
            5,
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
        ),
        stack_event(
            stack,
            6,
            "ROLLBACK_IN_PROGRESS",
            Some(
                "The following resource(s) failed to create: [Db, Queue]. \
                 Rollback requested by user.",
            ),
        ),
        resource_event("Queue", QUEUE, 7, "DELETE_COMPLETE", None),
        resource_event("Db", DB, 8, "DELETE_COMPLETE", None),
        stack_event(stack, 9, "ROLLBACK_COMPLETE", None),
    ]);
    (before, during)
}

#[test]
fn a_failed_create_shows_events_the_root_cause_and_the_rollback() {
    let stack = "ReplayCreateFails";
    let executed = Arc::new(AtomicBool::new(false));
    let flag = executed.clone();
    let (before, during) = failing_create_events(stack);
    let replay = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" if !flag.load(Ordering::SeqCst) => xml::no_such_stack(stack),
        "DescribeStacks" => xml::describe_stacks(&StackDesc::new(stack, "ROLLBACK_IN_PROGRESS")),
        "CreateChangeSet" => xml::create_change_set(stack),
        "DescribeChangeSet" if r.n == 0 => {
            xml::describe_change_set(stack, "CREATE_IN_PROGRESS", None, &[])
        }
        "DescribeChangeSet" => xml::describe_change_set(
            stack,
            "CREATE_COMPLETE",
            None,
            &[("Add", "Queue", QUEUE, None), ("Add", "Db", DB, None)],
        ),
        "DescribeStackEvents" if !flag.load(Ordering::SeqCst) => {
            xml::describe_stack_events(stack, &before)
        }
        "DescribeStackEvents" if r.n == 1 => xml::describe_stack_events(stack, &during[..5]),
        "DescribeStackEvents" => xml::describe_stack_events(stack, &during),
        "ExecuteChangeSet" => {
            flag.store(true, Ordering::SeqCst);
            xml::ok("ExecuteChangeSet", "")
        }
        other => panic!("unexpected {other}"),
    });
    let out = stackcraft(
        &replay,
        "deploy",
        stack,
        &[
            "--parameters",
            "ReplayCreateFails:Size=3",
            "--parameters",
            "Other:Size=9",
            "--tags",
            "team=core",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("CREATE_FAILED"));
    assert!(out.stderr.contains("Resource creation cancelled"));
    assert!(out.stderr.contains("finished in ROLLBACK_COMPLETE"));
    assert!(out.stderr.contains(
        "stack ReplayCreateFails: finished in ROLLBACK_COMPLETE; first failure: Db \
         (AWS::RDS::DBInstance): DB subnet group 'default' doesn't meet Availability Zone \
         coverage requirement"
    ));
    let lines: Vec<&str> = out.stderr.lines().filter(|l| l.contains(" | ")).collect();
    assert_eq!(lines.len(), 9, "each event once, in order: {lines:#?}");
    assert!(lines[0].contains("CREATE_IN_PROGRESS") && lines[8].contains("ROLLBACK_COMPLETE"));
    assert_eq!(replay.count("ExecuteChangeSet"), 1);
    let create = replay
        .requests()
        .into_iter()
        .find(|r| r.action == "CreateChangeSet")
        .unwrap();
    assert_eq!(create.params["ChangeSetType"], "CREATE");
    assert_eq!(create.params["Parameters.member.1.ParameterKey"], "Size");
    assert_eq!(create.params["Parameters.member.1.ParameterValue"], "3");
    assert!(!create
        .params
        .contains_key("Parameters.member.2.ParameterKey"));
    assert_eq!(create.params["Tags.member.1.Key"], "team");
    assert_eq!(create.params["Capabilities.member.1"], "CAPABILITY_IAM");
    assert_eq!(
        create.params["Capabilities.member.2"],
        "CAPABILITY_NAMED_IAM"
    );
    assert!(create.params["TemplateBody"].contains("\"QueueName\":\"jobs\""));
}

fn rolled_back_stack(stack: &'static str) -> Replay {
    let deleted = Arc::new(AtomicBool::new(false));
    let executed = Arc::new(AtomicBool::new(false));
    let (d, e) = (deleted.clone(), executed.clone());
    let (_, history) = failing_create_events(stack);
    Replay::start(move |r: &Request| {
        let deleted = d.load(Ordering::SeqCst);
        let executed = e.load(Ordering::SeqCst);
        match r.action.as_str() {
            "DescribeStacks" if !deleted => xml::describe_stacks(&StackDesc {
                reason: Some("The following resource(s) failed to create: [Db]."),
                ..StackDesc::new(stack, "ROLLBACK_COMPLETE")
            }),
            "DescribeStacks" if !executed => xml::no_such_stack(stack),
            "DescribeStacks" => xml::describe_stacks(&StackDesc {
                outputs: &[(
                    "QueueUrl",
                    "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                )],
                ..StackDesc::new(stack, "CREATE_COMPLETE")
            }),
            "DescribeStackEvents" if !deleted => xml::describe_stack_events(stack, &history),
            "DeleteStack" => {
                d.store(true, Ordering::SeqCst);
                xml::empty("DeleteStack")
            }
            "DescribeStackEvents" if !executed && r.n == 1 => {
                let mut events = history.clone();
                events.extend([
                    stack_event(stack, 10, "DELETE_IN_PROGRESS", Some("User Initiated")),
                    stack_event(stack, 11, "DELETE_COMPLETE", None),
                ]);
                xml::describe_stack_events(stack, &events)
            }
            "DescribeStackEvents" if !executed => xml::describe_stack_events(
                stack,
                &[stack_event(stack, 20, "REVIEW_IN_PROGRESS", None)],
            ),
            "DescribeStackEvents" => xml::describe_stack_events(
                stack,
                &[
                    stack_event(stack, 20, "REVIEW_IN_PROGRESS", None),
                    stack_event(stack, 21, "CREATE_IN_PROGRESS", None),
                    resource_event("Queue", QUEUE, 22, "CREATE_COMPLETE", None),
                    resource_event("Db", DB, 23, "CREATE_COMPLETE", None),
                    stack_event(stack, 24, "CREATE_COMPLETE", None),
                ],
            ),
            "CreateChangeSet" => xml::create_change_set(stack),
            "DescribeChangeSet" => xml::describe_change_set(
                stack,
                "CREATE_COMPLETE",
                None,
                &[("Add", "Queue", QUEUE, None), ("Add", "Db", DB, None)],
            ),
            "ExecuteChangeSet" => {
                e.store(true, Ordering::SeqCst);
                xml::ok("ExecuteChangeSet", "")
            }
            other => panic!("unexpected {other}"),
        }
    })
}

#[test]
fn a_rolled_back_first_creation_is_deleted_only_after_confirmation_then_created() {
    let stack = "ReplayRecovers";
    let unattended = rolled_back_stack(stack);
    let out = stackcraft(&unattended, "deploy", stack, &[]);
    assert_eq!(out.code, 3);
    assert!(out
        .stderr
        .contains("first creation failed and rolled back (ROLLBACK_COMPLETE"));
    assert!(out.stderr.contains("confirm the deletion, or pass --yes"));
    assert_eq!(unattended.count("DeleteStack"), 0);
    assert_eq!(unattended.count("CreateChangeSet"), 0);

    let confirmed = rolled_back_stack(stack);
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs.json");
    let out = stackcraft(
        &confirmed,
        "deploy",
        stack,
        &["--yes", "--outputs-file", outputs.to_str().unwrap()],
    );
    assert_eq!(out.code, 0);
    let written: Json = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    assert_eq!(
        written,
        json!({ "ReplayRecovers": {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs" } })
    );
    assert!(out.stderr.contains("DELETE_COMPLETE"));
    assert!(out.stdout.contains("ReplayRecovers: CREATE_COMPLETE"));
    assert!(out.stdout.contains(
        "ReplayRecovers.QueueUrl = https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    ));
    let actions = confirmed.actions();
    let position = |a: &str| actions.iter().position(|x| x == a).unwrap();
    assert!(position("DeleteStack") < position("CreateChangeSet"));
    assert!(position("CreateChangeSet") < position("ExecuteChangeSet"));
}

#[test]
fn a_failed_update_rollback_stops_with_the_continue_command_and_deletes_nothing() {
    let stack = "ReplayRollbackFailed";
    let replay = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_ROLLBACK_FAILED")),
        other => panic!("unexpected {other}"),
    });
    let out = stackcraft(&replay, "deploy", stack, &["--yes"]);
    assert_eq!(out.code, 3);
    assert!(out
        .stderr
        .contains("aws cloudformation continue-update-rollback --stack-name ReplayRollbackFailed"));
    assert_eq!(replay.actions(), vec!["DescribeStacks"]);
}

#[test]
fn running_operations_stop_the_deploy_or_are_waited_for() {
    let stack = "ReplayInProgress";
    let replay = Replay::start(move |r: &Request| match (r.action.as_str(), r.n) {
        ("DescribeStacks", 0) => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_IN_PROGRESS")),
        ("DescribeStacks", _) => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_COMPLETE")),
        other => panic!("unexpected {other:?}"),
    });
    let out = stackcraft(&replay, "deploy", stack, &[]);
    assert_eq!(out.code, 3);
    assert!(out
        .stderr
        .contains("the stack is UPDATE_IN_PROGRESS; another operation is running"));

    let no_change = "The submitted information didn't contain changes. Submit different \
                     information to create a change set.";
    let waited = Replay::start(move |r: &Request| match (r.action.as_str(), r.n) {
        ("DescribeStacks", 0) => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_IN_PROGRESS")),
        ("DescribeStacks", _) => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_COMPLETE")),
        ("DescribeStackEvents", 0) => {
            xml::describe_stack_events(stack, &[stack_event(stack, 0, "UPDATE_IN_PROGRESS", None)])
        }
        ("DescribeStackEvents", _) => xml::describe_stack_events(
            stack,
            &[
                stack_event(stack, 0, "UPDATE_IN_PROGRESS", None),
                stack_event(stack, 1, "UPDATE_COMPLETE", None),
            ],
        ),
        ("GetTemplate", _) => xml::get_template(&template().to_string()),
        ("CreateChangeSet", _) => xml::create_change_set(stack),
        ("DescribeChangeSet", _) => xml::describe_change_set(stack, "FAILED", Some(no_change), &[]),
        ("DeleteChangeSet", _) => xml::ok("DeleteChangeSet", ""),
        other => panic!("unexpected {other:?}"),
    });
    let out = stackcraft(&waited, "deploy", stack, &["--wait-in-progress"]);
    assert_eq!(out.code, 0);
    assert!(out
        .stderr
        .contains("waiting for the running operation (UPDATE_IN_PROGRESS)"));
    assert!(out
        .stdout
        .contains("ReplayInProgress: up to date, no changes"));
}

#[test]
fn a_change_set_without_changes_is_success_and_is_deleted_even_after_throttling() {
    let stack = "ReplayNoChanges";
    let replay = Replay::start(move |r: &Request| match (r.action.as_str(), r.n) {
        ("DescribeStacks", 0 | 1) => xml::throttling(),
        ("DescribeStacks", _) => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_COMPLETE")),
        ("GetTemplate", _) => xml::get_template(&template().to_string()),
        ("CreateChangeSet", _) => xml::create_change_set(stack),
        ("DescribeChangeSet", _) => xml::describe_change_set(
            stack,
            "FAILED",
            Some(
                "The submitted information didn't contain changes. Submit different \
                 information to create a change set.",
            ),
            &[],
        ),
        ("DeleteChangeSet", _) => xml::ok("DeleteChangeSet", ""),
        other => panic!("unexpected {other:?}"),
    });
    let out = stackcraft(&replay, "deploy", stack, &[]);
    assert_eq!(out.code, 0);
    assert!(out
        .stdout
        .contains("ReplayNoChanges: up to date, no changes"));
    assert_eq!(
        replay.count("DescribeStacks"),
        3,
        "two throttled, retried by the SDK"
    );
    assert_eq!(replay.count("DeleteChangeSet"), 1);
    assert_eq!(replay.count("ExecuteChangeSet"), 0);
}

#[test]
fn an_html_fault_on_execute_is_one_line_and_is_not_retried() {
    let stack = "ReplayHtmlFault";
    let replay = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" => xml::no_such_stack(stack),
        "CreateChangeSet" => xml::create_change_set(stack),
        "DescribeChangeSet" => xml::describe_change_set(
            stack,
            "CREATE_COMPLETE",
            None,
            &[("Add", "Queue", QUEUE, None)],
        ),
        "DescribeStackEvents" => {
            xml::describe_stack_events(stack, &[stack_event(stack, 0, "REVIEW_IN_PROGRESS", None)])
        }
        "ExecuteChangeSet" => xml::html_500(),
        other => panic!("unexpected {other}"),
    });
    let out = stackcraft(&replay, "deploy", stack, &[]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains(
        "stackcraft: error: stack ReplayHtmlFault: ExecuteChangeSet failed: HTTP 500: 500 \
         Internal Server Error Internal Server Error The server encountered an internal error"
    ));
    assert_eq!(replay.count("ExecuteChangeSet"), 1, "never re-sent");
}

#[test]
fn replacements_reported_by_the_service_are_guarded_too() {
    let stack = "ReplayServiceReplacement";
    let replay = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" => xml::describe_stacks(&StackDesc::new(stack, "UPDATE_COMPLETE")),
        "GetTemplate" => xml::get_template(&template().to_string()),
        "CreateChangeSet" => xml::create_change_set(stack),
        "DescribeChangeSet" => xml::describe_change_set(
            stack,
            "CREATE_COMPLETE",
            None,
            &[("Modify", "Db", DB, Some("Conditional"))],
        ),
        "DeleteChangeSet" => xml::ok("DeleteChangeSet", ""),
        other => panic!("unexpected {other}"),
    });
    let out = stackcraft(&replay, "deploy", stack, &["--yes"]);
    assert_eq!(out.code, 3);
    assert!(out
        .stderr
        .contains("Db (AWS::RDS::DBInstance) may be replaced: its data is lost"));
    assert_eq!(replay.count("ExecuteChangeSet"), 0);
    assert_eq!(replay.count("DeleteChangeSet"), 1);
}

#[test]
fn termination_protection_is_set_from_the_app_and_blocks_destroy() {
    let stack = "ReplayProtected";
    let executed = Arc::new(AtomicBool::new(false));
    let flag = executed.clone();
    let replay = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" if !flag.load(Ordering::SeqCst) => xml::no_such_stack(stack),
        "DescribeStacks" => xml::describe_stacks(&StackDesc::new(stack, "CREATE_COMPLETE")),
        "CreateChangeSet" => xml::create_change_set(stack),
        "DescribeChangeSet" => xml::describe_change_set(
            stack,
            "CREATE_COMPLETE",
            None,
            &[("Add", "Queue", QUEUE, None)],
        ),
        "DescribeStackEvents" if !flag.load(Ordering::SeqCst) => {
            xml::describe_stack_events(stack, &[stack_event(stack, 0, "REVIEW_IN_PROGRESS", None)])
        }
        "DescribeStackEvents" => xml::describe_stack_events(
            stack,
            &[
                stack_event(stack, 0, "REVIEW_IN_PROGRESS", None),
                stack_event(stack, 1, "CREATE_COMPLETE", None),
            ],
        ),
        "ExecuteChangeSet" => {
            flag.store(true, Ordering::SeqCst);
            xml::ok("ExecuteChangeSet", "")
        }
        "UpdateTerminationProtection" => xml::ok(
            "UpdateTerminationProtection",
            &format!("<StackId>{}</StackId>", xml::stack_id(stack)),
        ),
        other => panic!("unexpected {other}"),
    });
    let mut protected = TestStack::new(stack, template());
    protected.termination_protection = true;
    let out = stackcraft_with(&replay, "deploy", protected, &["--yes"]);
    assert_eq!(out.code, 0);
    let update = replay
        .requests()
        .into_iter()
        .find(|r| r.action == "UpdateTerminationProtection")
        .expect("termination protection was turned on");
    assert_eq!(update.params["EnableTerminationProtection"], "true");

    let deployed = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" => xml::describe_stacks(&StackDesc {
            termination_protection: true,
            ..StackDesc::new(stack, "UPDATE_COMPLETE")
        }),
        other => panic!("unexpected {other}"),
    });
    let out = stackcraft(&deployed, "destroy", stack, &["--yes"]);
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("termination protection is on"));
    assert_eq!(deployed.actions(), vec!["DescribeStacks"]);
}

#[test]
fn a_failed_deletion_names_its_cause() {
    let stack = "ReplayDeleteFails";
    let deleting = Arc::new(AtomicBool::new(false));
    let flag = deleting.clone();
    let replay = Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" if !flag.load(Ordering::SeqCst) => {
            xml::describe_stacks(&StackDesc::new(stack, "UPDATE_COMPLETE"))
        }
        "DescribeStacks" => xml::describe_stacks(&StackDesc::new(stack, "DELETE_FAILED")),
        "GetTemplate" => xml::get_template(&template().to_string()),
        "DescribeStackEvents" if !flag.load(Ordering::SeqCst) => {
            xml::describe_stack_events(stack, &[stack_event(stack, 0, "UPDATE_COMPLETE", None)])
        }
        "DescribeStackEvents" => xml::describe_stack_events(
            stack,
            &[
                stack_event(stack, 0, "UPDATE_COMPLETE", None),
                stack_event(stack, 1, "DELETE_IN_PROGRESS", Some("User Initiated")),
                resource_event(
                    "Db",
                    DB,
                    2,
                    "DELETE_FAILED",
                    Some("Cannot delete protected DB Instance, please disable deletion protection"),
                ),
                stack_event(
                    stack,
                    3,
                    "DELETE_FAILED",
                    Some("The following resource(s) failed to delete: [Db]."),
                ),
            ],
        ),
        "DeleteStack" => {
            flag.store(true, Ordering::SeqCst);
            xml::empty("DeleteStack")
        }
        other => panic!("unexpected {other}"),
    });
    let out = stackcraft(&replay, "destroy", stack, &["--yes"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains(
        "finished in DELETE_FAILED; first failure: Db (AWS::RDS::DBInstance): Cannot delete \
         protected DB Instance"
    ));
}

/// A create that never ends: the stack stays `CREATE_IN_PROGRESS`.
fn endless_create(stack: &'static str) -> Replay {
    let executed = Arc::new(AtomicBool::new(false));
    let flag = executed.clone();
    Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" if !flag.load(Ordering::SeqCst) => xml::no_such_stack(stack),
        "DescribeStacks" => xml::describe_stacks(&StackDesc::new(stack, "CREATE_IN_PROGRESS")),
        "CreateChangeSet" => xml::create_change_set(stack),
        "DescribeChangeSet" => xml::describe_change_set(
            stack,
            "CREATE_COMPLETE",
            None,
            &[("Add", "Queue", QUEUE, None)],
        ),
        "DescribeStackEvents" if !flag.load(Ordering::SeqCst) => {
            xml::describe_stack_events(stack, &[stack_event(stack, 0, "REVIEW_IN_PROGRESS", None)])
        }
        "DescribeStackEvents" => xml::describe_stack_events(
            stack,
            &[
                stack_event(stack, 0, "REVIEW_IN_PROGRESS", None),
                stack_event(stack, 1, "CREATE_IN_PROGRESS", Some("User Initiated")),
            ],
        ),
        "ExecuteChangeSet" => {
            flag.store(true, Ordering::SeqCst);
            xml::ok("ExecuteChangeSet", "")
        }
        other => panic!("unexpected {other}"),
    })
}

#[test]
fn the_timeout_bounds_the_wait_and_says_cloudformation_goes_on() {
    let stack = "ReplayTimeout";
    let replay = endless_create(stack);
    let out = stackcraft(&replay, "deploy", stack, &["--timeout", "2s"]);
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("still CREATE_IN_PROGRESS after 2s (--timeout)"));
    assert!(out
        .stderr
        .contains("describe-stack-events --stack-name ReplayTimeout"));
}

#[test]
fn ctrl_c_while_following_says_what_goes_on_and_writes_nothing() {
    use std::io::{BufRead, BufReader, Read};

    let stack = "ReplayInterrupted";
    let replay = endless_create(stack);
    let dir = tempfile::tempdir().unwrap();
    assembly::write(dir.path(), &[TestStack::new(stack, template())]);
    let outputs = dir.path().join("outputs.json");
    let mut child = replay
        .command(STACKCRAFT)
        .args(["deploy", stack, "--app"])
        .arg(dir.path())
        .arg("--outputs-file")
        .arg(&outputs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "ended early: {seen}"
        );
        seen.push_str(&line);
        if line.contains("CREATE_IN_PROGRESS") {
            break;
        }
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    stderr.read_to_string(&mut seen).unwrap();
    let code = child.wait().unwrap().code();
    eprintln!("{seen}");
    assert_eq!(code, Some(130));
    assert!(seen.contains("interrupted; CloudFormation goes on without us"));
    assert!(seen.contains(
        "watch:  aws cloudformation describe-stack-events --stack-name ReplayInterrupted"
    ));
    assert!(!outputs.exists(), "no half-written outputs file");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Every answer the tests replay, read back through the SDK itself.
#[test]
fn replayed_answers_parse_with_the_sdk() {
    use aws_sdk_cloudformation::types::{ChangeAction, Replacement, ResourceStatus, StackStatus};

    let stack = "ReplayParse";
    let (_, events) = failing_create_events(stack);
    let replay = Replay::start(move |r: &Request| -> Response {
        match r.action.as_str() {
            "DescribeStacks" => xml::describe_stacks(&StackDesc {
                reason: Some("rolled back"),
                termination_protection: true,
                outputs: &[("QueueUrl", "https://example.com/q?a=1&b=2")],
                ..StackDesc::new(stack, "ROLLBACK_COMPLETE")
            }),
            "DescribeStackEvents" => xml::describe_stack_events(stack, &events),
            "CreateChangeSet" => xml::create_change_set(stack),
            "DescribeChangeSet" => xml::describe_change_set(
                stack,
                "CREATE_COMPLETE",
                None,
                &[
                    ("Modify", "Db", DB, Some("True")),
                    ("Add", "Queue", QUEUE, None),
                ],
            ),
            "GetTemplate" => xml::get_template(&template().to_string()),
            "ExecuteChangeSet" => xml::html_500(),
            "DeleteStack" => xml::throttling(),
            "UpdateTerminationProtection" => xml::ok(
                "UpdateTerminationProtection",
                &format!("<StackId>{}</StackId>", xml::stack_id(stack)),
            ),
            "DeleteChangeSet" => xml::ok("DeleteChangeSet", ""),
            other => panic!("unexpected {other}"),
        }
    });
    let endpoint = replay.endpoint();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            let config = aws_sdk_cloudformation::Config::builder()
                .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                    "testing", "testing", None, None, "test",
                ))
                .endpoint_url(endpoint)
                .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled())
                .build();
            let client = aws_sdk_cloudformation::Client::from_conf(config);

            let stacks = client
                .describe_stacks()
                .stack_name(stack)
                .send()
                .await
                .unwrap();
            let s = &stacks.stacks()[0];
            assert_eq!(s.stack_status(), Some(&StackStatus::RollbackComplete));
            assert_eq!(s.stack_status_reason(), Some("rolled back"));
            assert_eq!(s.enable_termination_protection(), Some(true));
            assert_eq!(
                s.outputs()[0].output_value(),
                Some("https://example.com/q?a=1&b=2")
            );

            let out = client
                .describe_stack_events()
                .stack_name(stack)
                .send()
                .await
                .unwrap();
            let listed = out.stack_events();
            assert_eq!(listed.len(), 10);
            assert_eq!(
                listed[0].resource_status(),
                Some(&ResourceStatus::RollbackComplete)
            );
            let failed = listed
                .iter()
                .find(|e| e.resource_status() == Some(&ResourceStatus::CreateFailed))
                .unwrap();
            assert_eq!(failed.logical_resource_id(), Some("Queue"), "newest first");

            let created = client
                .create_change_set()
                .stack_name(stack)
                .change_set_name("stackcraft-1")
                .send()
                .await
                .unwrap();
            assert_eq!(created.stack_id(), Some(xml::stack_id(stack).as_str()));

            let cs = client
                .describe_change_set()
                .change_set_name(created.id().unwrap())
                .send()
                .await
                .unwrap();
            let change = cs.changes()[0].resource_change().unwrap();
            assert_eq!(change.action(), Some(&ChangeAction::Modify));
            assert_eq!(change.replacement(), Some(&Replacement::True));

            let template = client
                .get_template()
                .stack_name(stack)
                .send()
                .await
                .unwrap();
            let body: Json = serde_json::from_str(template.template_body().unwrap()).unwrap();
            assert_eq!(body, self::template());

            let fault = client
                .execute_change_set()
                .change_set_name("x")
                .send()
                .await
                .unwrap_err();
            assert_eq!(fault.raw_response().map(|r| r.status().as_u16()), Some(500));

            use aws_sdk_cloudformation::error::ProvideErrorMetadata;
            let throttled = client
                .delete_stack()
                .stack_name(stack)
                .send()
                .await
                .unwrap_err();
            assert_eq!(throttled.code(), Some("Throttling"));
            let missing = xml::no_such_stack(stack);
            assert!(missing.body.contains("<Code>ValidationError</Code>"));
            client
                .update_termination_protection()
                .stack_name(stack)
                .enable_termination_protection(true)
                .send()
                .await
                .unwrap();
            client
                .delete_change_set()
                .change_set_name("x")
                .send()
                .await
                .unwrap();
        });
}
