//! `deploy` and `destroy` through the real binaries against the moto emulator (issue 6).
//!
//! Each test starts its own moto server (see `support/moto.rs`) and uses its own stack names.
//! moto is faithful to the API and the change-set flow, not to CloudFormation's semantics (no
//! resource events, no rollbacks, no outputs after a change set): those paths are covered by
//! `deploy_replay.rs`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value as Json};
use support::assembly::{self, TestStack};
use support::moto::{between, Moto};

const STACKCRAFT: &str = env!("CARGO_BIN_EXE_stackcraft");
const DEMO: &str = env!("CARGO_BIN_EXE_stackcraft-demo");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn run(mut cmd: Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the binary runs");
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    eprintln!(
        "--- exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    run
}

fn deploy_app(moto: &Moto, dir: &Path, extra: &[&str]) -> Run {
    let mut cmd = moto.command(STACKCRAFT);
    cmd.arg("deploy").arg("--app").arg(dir).args(extra);
    run(cmd)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn queue(name: &str) -> Json {
    json!({ "Type": "AWS::SQS::Queue", "Properties": { "QueueName": name } })
}

fn parameter(name: &str, value: &str) -> Json {
    json!({ "Type": "AWS::SSM::Parameter",
            "Properties": { "Name": name, "Type": "String", "Value": value } })
}

#[test]
fn demo_app_deploys_end_to_end_and_redeploys_as_a_no_op() {
    let moto = Moto::start();
    let first = run({
        let mut c = moto.command(DEMO);
        c.args(["deploy", "--yes"]);
        c
    });
    assert_eq!(first.code, 0, "{}", moto.log());
    for ty in [
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::SecurityGroup",
        "AWS::Logs::LogGroup",
        "AWS::ECS::Cluster",
        "AWS::IAM::Role",
        "AWS::ECR::Repository",
    ] {
        assert!(first.stdout.contains(ty), "change table lists {ty}");
    }
    assert!(first.stderr.contains("CREATE_COMPLETE"));
    assert_eq!(
        moto.stack_status("StackcraftDemo").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let resources = moto.cfn(&[
        ("Action", "DescribeStackResources"),
        ("StackName", "StackcraftDemo"),
    ]);
    assert!(resources.contains("AWS::ECR::Repository"), "{resources}");

    let again = run({
        let mut c = moto.command(DEMO);
        c.args(["deploy", "--yes"]);
        c
    });
    assert_eq!(again.code, 0);
    assert!(again
        .stdout
        .contains("StackcraftDemo: up to date, no changes"));
}

#[test]
fn committed_demo_assembly_matches_the_demo_app_and_deploys_with_app() {
    let committed = repo().join("tests/fixtures/demo.out");
    let fresh = tempfile::tempdir().unwrap();
    let synth = run({
        let mut c = Command::new(DEMO);
        c.args(["synth", "--quiet", "-o"]).arg(fresh.path());
        c
    });
    assert_eq!(synth.code, 0);
    for name in ["manifest.json", "StackcraftDemo.template.json"] {
        assert_eq!(
            std::fs::read_to_string(committed.join(name)).unwrap(),
            std::fs::read_to_string(fresh.path().join(name)).unwrap(),
            "tests/fixtures/demo.out/{name} is stale: run \
             `cargo run --bin stackcraft-demo -- synth -o tests/fixtures/demo.out`"
        );
    }

    let moto = Moto::start();
    let deployed = deploy_app(&moto, &committed, &["--yes"]);
    assert_eq!(deployed.code, 0, "{}", moto.log());
    assert_eq!(
        moto.stack_status("StackcraftDemo").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let template = moto.cfn(&[("Action", "GetTemplate"), ("StackName", "StackcraftDemo")]);
    assert!(template.contains("stackcraft-demo"), "{template}");
}

#[test]
fn update_adds_a_resource_and_changes_a_property_in_place() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let stack = "UpdateTest";
    let v1 = json!({ "Resources": {
        "Setting": parameter("/update-test/setting", "one"),
        "Jobs": queue("update-test-jobs") } });
    assembly::write(dir.path(), &[TestStack::new(stack, v1)]);
    assert_eq!(deploy_app(&moto, dir.path(), &[]).code, 0);

    let v2 = json!({ "Resources": {
        "Setting": parameter("/update-test/setting", "two"),
        "Jobs": queue("update-test-jobs"),
        "MoreJobs": queue("update-test-more-jobs") } });
    assembly::write(dir.path(), &[TestStack::new(stack, v2)]);
    let update = deploy_app(&moto, dir.path(), &[]);
    assert_eq!(update.code, 0, "{}", moto.log());
    let row = |id: &str| {
        update
            .stdout
            .lines()
            .find(|l| l.contains(&format!(" {id} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("MoreJobs").contains("Add"), "{}", row("MoreJobs"));
    assert!(row("Setting").contains("Modify") && row("Setting").contains("False"));
    assert!(update.stderr.contains("UPDATE_COMPLETE"));
    let value = moto.json_call(
        "ssm",
        "AmazonSSM.GetParameter",
        r#"{"Name": "/update-test/setting"}"#,
    );
    assert!(value.contains("\"Value\": \"two\""), "{value}");
}

#[test]
fn replacing_a_database_is_refused_then_allowed() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let stack = "DatabaseTest";
    let db = |name: &str| {
        json!({ "Resources": { "Db": { "Type": "AWS::RDS::DBInstance", "Properties": {
            "DBInstanceIdentifier": "database-test", "DBName": name, "Engine": "mysql",
            "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20",
            "MasterUsername": "admin", "MasterUserPassword": "not-a-secret-1" } } } })
    };
    assembly::write(dir.path(), &[TestStack::new(stack, db("app"))]);
    assert_eq!(deploy_app(&moto, dir.path(), &[]).code, 0, "{}", moto.log());

    assembly::write(dir.path(), &[TestStack::new(stack, db("renamed"))]);
    let refused = deploy_app(&moto, dir.path(), &["--yes"]);
    assert_eq!(refused.code, 3);
    assert!(refused
        .stderr
        .contains("Db (AWS::RDS::DBInstance) is replaced (because of DBName): its data is lost"));
    assert!(refused.stderr.contains("nothing was executed"));
    assert!(refused.stdout.contains("DATA IS LOST"));
    let template = moto.cfn(&[("Action", "GetTemplate"), ("StackName", stack)]);
    assert!(template.contains("app") && !template.contains("renamed"));

    let allowed = deploy_app(&moto, dir.path(), &["--allow-replacement", "Db", "--yes"]);
    assert_eq!(allowed.code, 0, "{}", moto.log());
    let template = moto.cfn(&[("Action", "GetTemplate"), ("StackName", stack)]);
    assert!(template.contains("renamed"));
}

#[test]
fn templates_over_51200_bytes_need_a_bucket_and_go_through_s3() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let stack = "LargeTemplateTest";
    let mut jobs = queue("large-template-jobs");
    jobs["Metadata"] = json!({ "Padding": "x".repeat(60_000) });
    assembly::write(
        dir.path(),
        &[TestStack::new(
            stack,
            json!({ "Resources": { "Jobs": jobs } }),
        )],
    );
    let refused = deploy_app(&moto, dir.path(), &[]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("--template-bucket"));
    assert_eq!(moto.stack_status(stack), None, "nothing was sent");

    moto.create_bucket("large-template-bucket");
    let deployed = deploy_app(
        &moto,
        dir.path(),
        &["--template-bucket", "large-template-bucket"],
    );
    assert_eq!(deployed.code, 0, "{}", moto.log());
    assert_eq!(moto.stack_status(stack).as_deref(), Some("CREATE_COMPLETE"));
}

#[test]
fn resources_the_emulator_cannot_create_fail_with_one_readable_line() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let bad_cidr = json!({ "Resources": { "Vpc": { "Type": "AWS::EC2::VPC",
        "Properties": { "CidrBlock": "10.0.0.0/99" } } } });
    assembly::write(dir.path(), &[TestStack::new("BadCidrTest", bad_cidr)]);
    let failed = deploy_app(&moto, dir.path(), &[]);
    assert_eq!(failed.code, 1);
    let line = failed
        .stderr
        .lines()
        .find(|l| l.starts_with("stackcraft: error:"))
        .expect("an error line");
    assert!(
        line.contains("stack BadCidrTest: ExecuteChangeSet failed: "),
        "{line}"
    );
    assert!(!failed.all().contains("panicked"));

    let missing_ref = json!({ "Resources": {
        "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" } },
        "Subnet": { "Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": { "Ref": "NoSuchVpc" }, "CidrBlock": "10.0.0.0/24" } } } });
    assembly::write(dir.path(), &[TestStack::new("MissingRefTest", missing_ref)]);
    let failed = deploy_app(&moto, dir.path(), &[]);
    assert_eq!(failed.code, 1);
    assert!(
        failed
            .stderr
            .contains("stack MissingRefTest: ExecuteChangeSet failed: HTTP 500"),
        "moto's HTML 500 becomes one line"
    );
    assert_eq!(
        moto.stack_status("MissingRefTest").as_deref(),
        Some("REVIEW_IN_PROGRESS"),
        "ExecuteChangeSet was not retried onto moto's half-applied state"
    );
}

#[test]
fn default_app_change_set_lists_every_resource_without_executing() {
    let out = tempfile::tempdir().unwrap();
    let synth = run({
        let mut c = Command::new(STACKCRAFT);
        c.args(["synth", "--quiet", "-o"]).arg(out.path());
        c
    });
    assert_eq!(synth.code, 0);
    let moto = Moto::start();
    moto.create_bucket("default-app-templates");
    let review = run({
        let mut c = moto.command(STACKCRAFT);
        c.args([
            "deploy",
            "--all",
            "--no-execute",
            "--template-bucket",
            "default-app-templates",
        ]);
        c
    });
    assert_eq!(review.code, 0, "{}", moto.log());
    let mut resources = 0;
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".template.json") {
            continue;
        }
        let template: Json =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (id, _) in template["Resources"].as_object().unwrap() {
            assert!(
                review.stdout.contains(&format!(" {id} ")),
                "{id} of {} is in the change set",
                path.display()
            );
            resources += 1;
        }
        let stack = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".template.json")
            .to_string();
        assert!(review.stdout.contains(&format!("{stack}: change set")));
    }
    assert!(resources > 0);
    assert!(review.stdout.contains("left for review"));
    assert!(
        !review.all().contains("CREATE_COMPLETE"),
        "nothing executed"
    );
}

#[test]
fn destroy_respects_termination_protection_and_lists_retained_resources() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let stack = "DestroyTest";
    let mut setting = parameter("/destroy-test/setting", "kept");
    setting["DeletionPolicy"] = json!("Retain");
    let template = json!({ "Resources": {
        "Sg": { "Type": "AWS::EC2::SecurityGroup",
                "Properties": { "GroupDescription": "destroy test" } },
        "Jobs": queue("destroy-test-jobs"),
        "Setting": setting } });
    assembly::write(dir.path(), &[TestStack::new(stack, template.clone())]);
    assert_eq!(deploy_app(&moto, dir.path(), &[]).code, 0, "{}", moto.log());

    let destroy = |yes: bool| {
        let mut c = moto.command(STACKCRAFT);
        c.args(["destroy", stack, "--app"]).arg(dir.path());
        if yes {
            c.arg("--yes");
        }
        run(c)
    };
    let mut protected = TestStack::new(stack, template.clone());
    protected.termination_protection = true;
    assembly::write(dir.path(), &[protected]);
    let refused = destroy(true);
    assert_eq!(refused.code, 3);
    assert!(refused.stderr.contains("termination protection is on"));
    assert_eq!(moto.stack_status(stack).as_deref(), Some("CREATE_COMPLETE"));

    assembly::write(dir.path(), &[TestStack::new(stack, template)]);
    let unattended = destroy(false);
    assert_eq!(unattended.code, 3);
    assert!(unattended.stderr.contains("no terminal"));
    assert_eq!(moto.stack_status(stack).as_deref(), Some("CREATE_COMPLETE"));

    let deleted = destroy(true);
    assert_eq!(deleted.code, 0, "{}", moto.log());
    assert!(deleted.stdout.contains("DestroyTest: deleted"));
    assert!(deleted
        .stdout
        .contains("kept by DeletionPolicy Retain: Setting (AWS::SSM::Parameter)"));
    assert_eq!(moto.stack_status(stack), None);
}

#[test]
fn stacks_of_several_environments_need_a_selection_and_deploy_concurrently() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let stack = |name: &'static str, stage: &'static str| {
        let mut s = TestStack::new(
            name,
            json!({ "Resources": { "Jobs": queue(&name.to_lowercase()) } }),
        );
        s.stage = Some(stage);
        s
    };
    assembly::write(
        dir.path(),
        &[stack("EnvDevJobs", "dev"), stack("EnvProdJobs", "prod")],
    );
    let ambiguous = deploy_app(&moto, dir.path(), &[]);
    assert_eq!(ambiguous.code, 2);
    assert!(ambiguous
        .stderr
        .contains("several environments (dev, prod)"));

    let dev = deploy_app(&moto, dir.path(), &["--env", "dev"]);
    assert_eq!(dev.code, 0);
    assert_eq!(
        moto.stack_status("EnvDevJobs").as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(moto.stack_status("EnvProdJobs"), None);

    let all = deploy_app(&moto, dir.path(), &["--all", "--concurrency", "2"]);
    assert_eq!(all.code, 0);
    assert_eq!(
        moto.stack_status("EnvProdJobs").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let envelope = moto.cfn(&[("Action", "ListStacks")]);
    assert!(between(&envelope, "<StackSummaries>", "</StackSummaries>").is_some());
}

fn diff_deployed(moto: &Moto) -> Run {
    let mut cmd = moto.command(DEMO);
    cmd.args(["diff", "--against", "deployed", "--fail", "--endpoint-url"])
        .arg(moto.endpoint());
    run(cmd)
}

#[test]
fn diff_against_deployed_compares_with_get_template() {
    let moto = Moto::start();
    let absent = diff_deployed(&moto);
    assert_eq!(absent.code, 1, "a stack that does not exist is all added");
    assert!(absent.stdout.contains("StackcraftDemo"), "{}", absent.all());

    let committed = repo().join("tests/fixtures/demo.out");
    assert_eq!(
        deploy_app(&moto, &committed, &["--yes"]).code,
        0,
        "{}",
        moto.log()
    );
    let same = diff_deployed(&moto);
    assert_eq!(same.code, 0, "no differences: {}", same.all());

    let edited = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&committed).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, edited.path().join(path.file_name().unwrap())).unwrap();
    }
    let file = edited.path().join("StackcraftDemo.template.json");
    let mut template: Json =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    template["Resources"]["DiffTestExtra"] = queue("diff-test-extra");
    std::fs::write(&file, serde_json::to_string_pretty(&template).unwrap()).unwrap();
    assert_eq!(
        deploy_app(&moto, edited.path(), &["--yes"]).code,
        0,
        "{}",
        moto.log()
    );
    let changed = diff_deployed(&moto);
    assert_eq!(changed.code, 1, "{}", changed.all());
    assert!(
        changed.stdout.contains("DiffTestExtra"),
        "{}",
        changed.all()
    );
}
