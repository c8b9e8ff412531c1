//! End-to-end tests of the review commands (issue 7): `synth --check`, `diff` and `graph`.
//!
//! The graph tests render the DOT output with Graphviz (`dot`) and parse the Mermaid output with
//! the `mermaid` npm package; `scripts/tools.sh` installs both. A missing tool fails the test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value as Json};

/// The stack the tests change: the dev network, which holds the app's VPC.
const STACK: &str = "temporal-dev-network";

/// The VPC range of the "older" app; a documentation range (RFC 5737) that no app uses.
const OLDER_RANGE: &str = "192.0.2.0/24";

fn stackcraft() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackcraft"));
    command.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Synthesizes the default app into a fresh folder inside `dir`.
fn synth_into(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let output = run(stackcraft().args(["synth", "--quiet", "-o"]).arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    out
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The stack artifacts of an assembly's manifest, in manifest order.
fn stack_artifacts(assembly: &Path) -> Vec<(String, Json)> {
    let manifest = read_json(&assembly.join("manifest.json"));
    manifest["artifacts"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, a)| a["type"] == "aws:cloudformation:stack")
        .map(|(name, a)| (name.clone(), a.clone()))
        .collect()
}

/// The names of the stacks an assembly holds, in manifest order.
fn stack_names(assembly: &Path) -> Vec<String> {
    stack_artifacts(assembly)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

fn template_path(assembly: &Path) -> PathBuf {
    let (_, artifact) = stack_artifacts(assembly)
        .into_iter()
        .find(|(name, _)| name == STACK)
        .unwrap_or_else(|| panic!("the assembly has a stack {STACK}"));
    assembly.join(artifact["properties"]["templateFile"].as_str().unwrap())
}

fn template(assembly: &Path) -> Json {
    read_json(&template_path(assembly))
}

fn edit_template(assembly: &Path, edit: impl FnOnce(&mut Json)) {
    let mut template = template(assembly);
    edit(&mut template);
    fs::write(
        template_path(assembly),
        serde_json::to_string_pretty(&template).unwrap(),
    )
    .unwrap();
}

/// The logical ids of the resources of one type, in template order.
fn resources_of_type(template: &Json, resource_type: &str) -> Vec<String> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == resource_type)
        .map(|(id, _)| id.clone())
        .collect()
}

/// The VPC of a template that has exactly one.
struct Vpc {
    logical_id: String,
    construct_path: String,
    /// The VPC's IPv4 range (`CidrBlock`).
    range: String,
}

fn vpc(template: &Json) -> Vpc {
    let ids = resources_of_type(template, "AWS::EC2::VPC");
    let [logical_id] = ids.as_slice() else {
        panic!("{STACK} has one VPC, not {ids:?}");
    };
    let resource = &template["Resources"][logical_id];
    let range = resource["Properties"]["CidrBlock"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(range, OLDER_RANGE, "the older app has another VPC range");
    Vpc {
        logical_id: logical_id.clone(),
        construct_path: resource["Metadata"]["aws:cdk:path"]
            .as_str()
            .unwrap()
            .to_string(),
        range,
    }
}

/// The subnets of a template that has several, in template order.
fn subnets(template: &Json) -> Vec<String> {
    let subnets = resources_of_type(template, "AWS::EC2::Subnet");
    assert!(
        subnets.len() > 1,
        "{STACK} has several subnets: {subnets:?}"
    );
    subnets
}

/// An older version of the app, synthesized and then edited: another VPC range, one subnet
/// fewer, a bucket and an output that the app no longer has.
struct Older {
    /// The folder of the older cloud assembly.
    dir: PathBuf,
    /// The VPC of the current app.
    vpc: Vpc,
    /// The subnet the current app has and the older one lacks.
    subnet: String,
}

fn older_assembly(dir: &Path) -> Older {
    let old = synth_into(dir, "old");
    let current = template(&old);
    let vpc = vpc(&current);
    let subnet = subnets(&current).pop().unwrap();
    edit_template(&old, |t| {
        let resources = t["Resources"].as_object_mut().unwrap();
        resources[&vpc.logical_id]["Properties"]["CidrBlock"] = json!(OLDER_RANGE);
        resources.remove(&subnet);
        resources.insert(
            "DataBucket".into(),
            json!({ "Type": "AWS::S3::Bucket",
                    "Metadata": { "aws:cdk:path": format!("{STACK}/Data/Resource") } }),
        );
        let outputs = t
            .as_object_mut()
            .unwrap()
            .entry("Outputs")
            .or_insert(json!({}));
        outputs
            .as_object_mut()
            .unwrap()
            .insert("Old".into(), json!({ "Value": "x" }));
    });
    Older {
        dir: old,
        vpc,
        subnet,
    }
}

#[test]
fn synth_check_passes_on_a_fresh_synth() {
    let dir = tempfile::tempdir().unwrap();
    let out = synth_into(dir.path(), "cdk.out");
    let output = run(stackcraft().args(["synth", "--check", "-o"]).arg(&out));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("up to date"));
}

#[test]
fn synth_check_fails_after_a_committed_template_is_edited() {
    let dir = tempfile::tempdir().unwrap();
    let out = synth_into(dir.path(), "cdk.out");
    let synthesized = fs::read_to_string(template_path(&out)).unwrap();
    let range = vpc(&serde_json::from_str(&synthesized).unwrap()).range;
    let property = format!("\"CidrBlock\": \"{range}\"");
    let lines: Vec<&str> = synthesized
        .lines()
        .filter(|l| l.contains(&property))
        .collect();
    let [line] = lines.as_slice() else {
        panic!("one line holds {property}: {lines:?}");
    };
    let edited_line = line.replace(&range, OLDER_RANGE);
    let edited = synthesized.replacen(line, &edited_line, 1);
    fs::write(template_path(&out), &edited).unwrap();
    let output = run(stackcraft().args(["synth", "--check", "-o"]).arg(&out));
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(&format!("\n-{edited_line}\n")), "{text}");
    assert!(text.contains(&format!("\n+{line}\n")), "{text}");
    assert!(
        stderr(&output).contains("out of date"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read_to_string(template_path(&out)).unwrap(),
        edited,
        "--check never writes"
    );
}

#[test]
fn synth_check_reports_missing_and_extra_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = synth_into(dir.path(), "cdk.out");
    let path = template_path(&out);
    let name = path.file_name().unwrap().to_str().unwrap().to_string();
    fs::rename(&path, out.join("Renamed.template.json")).unwrap();
    let output = run(stackcraft().args(["synth", "--check", "-o"]).arg(&out));
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(&format!("{name}: missing")), "{text}");
    assert!(text.contains("Renamed.template.json: extra"), "{text}");
}

#[test]
fn synth_check_on_a_missing_folder_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nowhere");
    let output = run(stackcraft().args(["synth", "--check", "-o"]).arg(&out));
    assert_eq!(output.status.code(), Some(1));
    assert!(!out.exists());
}

#[test]
fn diff_against_a_modified_assembly_reports_resources_and_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let Older {
        dir: old,
        vpc: current,
        subnet,
    } = older_assembly(dir.path());
    let output = run(stackcraft()
        .args(["diff", "--format", "json", "--against"])
        .arg(&old));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["differs"], true);
    let summary = &report["summary"];
    assert_eq!(
        (&summary["added"], &summary["modified"], &summary["removed"]),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(summary["replaced"], 1);
    assert_eq!(summary["data_at_risk"], 1);
    let stacks = report["stacks"].as_array().unwrap();
    let names: Vec<&str> = stacks
        .iter()
        .map(|s| s["stack"].as_str().unwrap())
        .collect();
    assert_eq!(names, stack_names(&old), "every stack is compared");
    for other in stacks.iter().filter(|s| s["stack"] != STACK) {
        assert_eq!(other["change"], "unchanged", "{other}");
    }
    let stack = stacks.iter().find(|s| s["stack"] == STACK).unwrap();
    assert_eq!(stack["change"], "modified");
    let resources = stack["template"]["resources"].as_array().unwrap();
    let resource = |id: &str| {
        resources
            .iter()
            .find(|r| r["logical_id"] == id)
            .unwrap_or_else(|| panic!("{id} differs: {resources:?}"))
    };
    let vpc = resource(&current.logical_id);
    assert_eq!(vpc["replacement"], "True");
    assert_eq!(vpc["changes"][0]["path"], "Properties.CidrBlock");
    assert_eq!(vpc["changes"][0]["old"], OLDER_RANGE);
    assert_eq!(vpc["changes"][0]["new"], current.range.as_str());
    assert_eq!(resource(&subnet)["change"], "added");
    let bucket = resource("DataBucket");
    assert_eq!(bucket["change"], "removed");
    assert_eq!(bucket["stateful"], true);
    assert_eq!(stack["template"]["outputs"][0]["logical_id"], "Old");
}

#[test]
fn diff_fail_exits_1_only_when_there_are_differences() {
    let dir = tempfile::tempdir().unwrap();
    let same = synth_into(dir.path(), "same");
    let output = run(stackcraft()
        .args(["diff", "--fail", "--against"])
        .arg(&same));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let count = stack_names(&same).len();
    assert!(
        stdout(&output).contains(&format!("No differences in {count} stack(s).")),
        "{}",
        stdout(&output)
    );
    let old = older_assembly(dir.path()).dir;
    let output = run(stackcraft().args(["diff", "--fail", "--against"]).arg(&old));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn diff_text_is_plain_when_piped_and_coloured_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let Older { dir: old, vpc, .. } = older_assembly(dir.path());
    let plain = stdout(&run(stackcraft().args(["diff", "--against"]).arg(&old)));
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let (id, path) = (&vpc.logical_id, &vpc.construct_path);
    assert!(
        plain.contains(&format!(
            "[~] AWS::EC2::VPC {id} ({path}) replaces the resource"
        )),
        "{plain}"
    );
    let change = format!(
        "[~] Properties.CidrBlock: \"{OLDER_RANGE}\" → \"{}\" (requires replacement)",
        vpc.range
    );
    assert!(plain.contains(&change), "{plain}");
    let forced = stdout(&run(stackcraft()
        .env("CLICOLOR_FORCE", "1")
        .args(["diff", "--against"])
        .arg(&old)));
    assert!(forced.contains("\u{1b}["), "{forced}");
}

/// Runs the binary inside a pseudo-terminal (util-linux `script`), so colour depends on the
/// environment alone.
fn in_terminal(args: &str, no_color: bool) -> String {
    let command = format!("'{}' {args}", env!("CARGO_BIN_EXE_stackcraft"));
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if no_color {
        script.env("NO_COLOR", "1");
    }
    let output = script
        .output()
        .expect("`script` (util-linux) runs the binary in a pseudo-terminal");
    stdout(&output)
}

#[test]
fn diff_text_is_coloured_in_a_terminal_unless_no_color_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let old = older_assembly(dir.path()).dir;
    let args = format!("diff --against '{}'", old.display());
    let coloured = in_terminal(&args, false);
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    let plain = in_terminal(&args, true);
    assert!(plain.contains("replaces the resource"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "{plain}");
}

#[test]
fn diff_markdown_is_a_pull_request_comment() {
    let dir = tempfile::tempdir().unwrap();
    let Older { dir: old, vpc, .. } = older_assembly(dir.path());
    let names = stack_names(&old);
    let output = run(stackcraft()
        .args(["diff", "--format", "markdown", "--against"])
        .arg(&old));
    let text = stdout(&output);
    let count = names.len();
    assert!(
        text.starts_with(&format!(
            "## stackcraft diff\n\n**1 of {count} stack(s) differ**"
        )),
        "{text}"
    );
    let id = &vpc.logical_id;
    assert!(
        text.contains(&format!("| ✏️ | `{id}` | `AWS::EC2::VPC` | **True** |  |")),
        "{text}"
    );
    assert!(text.contains("| ➖ | `DataBucket` | `AWS::S3::Bucket` |  | ⚠️ yes, at risk |"));
    assert!(text.contains(&format!("<details>\n<summary>Details of {STACK}</summary>")));
    let unchanged: Vec<String> = names
        .iter()
        .filter(|n| *n != STACK)
        .map(|n| format!("`{n}`"))
        .collect();
    assert!(
        text.contains(&format!("Unchanged: {}.", unchanged.join(", "))),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn diff_against_a_template_file_compares_one_stack() {
    let dir = tempfile::tempdir().unwrap();
    let old = older_assembly(dir.path()).dir;
    let output = run(stackcraft()
        .args(["diff", STACK, "--format", "json", "--template"])
        .arg(template_path(&old)));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["summary"]["replaced"], 1);
    assert_eq!(report["stacks"].as_array().unwrap().len(), 1);
    assert_eq!(report["stacks"][0]["stack"], STACK);
}

#[test]
fn diff_names_what_is_wrong_with_its_arguments() {
    let output = run(stackcraft().arg("diff"));
    assert_eq!(output.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let output = run(stackcraft()
        .args(["diff", "--against"])
        .arg(dir.path().join("nothing")));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("manifest.json"),
        "{}",
        stderr(&output)
    );
    let same = synth_into(dir.path(), "same");
    let output = run(stackcraft().args(["diff", "Nope", "--against"]).arg(&same));
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert!(stderr(&output).contains("no stack named 'Nope'"));
    let manifest = same.join("manifest.json");
    let output = run(stackcraft()
        .args(["diff", STACK, "--template"])
        .arg(&manifest));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not a CloudFormation template"),
        "{}",
        stderr(&output)
    );
}

/// The folder `scripts/tools.sh` installs the external tools into.
fn tools_dir() -> PathBuf {
    std::env::var_os("STACKCRAFT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"))
}

/// A template with every kind of edge: `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn`.
fn edges_template(dir: &Path) -> PathBuf {
    let template = json!({ "Resources": {
        "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" },
                 "Metadata": { "aws:cdk:path": "App/Network/Vpc" } },
        "Sg": { "Type": "AWS::EC2::SecurityGroup",
                "Properties": { "VpcId": { "Ref": "Vpc" },
                                "GroupDescription": { "Fn::Sub": "in ${Vpc.CidrBlock}" } },
                "Metadata": { "aws:cdk:path": "App/Service/Sg/Resource" } },
        "Role": { "Type": "AWS::IAM::Role",
                  "Properties": { "Description": { "Fn::GetAtt": ["Sg", "GroupId"] } },
                  "DependsOn": ["Vpc"],
                  "Metadata": { "aws:cdk:path": "App/Service/Role" } },
        "end": { "Type": "AWS::SQS::Queue" }
    } });
    let path = dir.join("edges.template.json");
    fs::write(&path, serde_json::to_string_pretty(&template).unwrap()).unwrap();
    path
}

fn graph(args: &[&str], template: Option<&Path>) -> String {
    let mut command = stackcraft();
    command.arg("graph").args(args);
    if let Some(t) = template {
        command.arg("--template").arg(t);
    }
    let output = run(&mut command);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

fn render_dot(text: &str) -> String {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Graphviz `dot` is installed (scripts/tools.sh installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success() && stderr(&output).is_empty(),
        "dot rejected the graph: {}\n{text}",
        stderr(&output)
    );
    stdout(&output)
}

fn parse_mermaid(text: &str) -> String {
    let output = run_mermaid_parser(text);
    assert!(
        output.status.success(),
        "mermaid rejected the graph: {}\n{text}",
        stderr(&output)
    );
    stdout(&output)
}

fn run_mermaid_parser(text: &str) -> Output {
    let modules = tools_dir().join("node/node_modules");
    assert!(
        modules.join("mermaid").is_dir() && modules.join("jsdom").is_dir(),
        "mermaid and jsdom are not installed in {}: run scripts/tools.sh",
        modules.display()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/support/mermaid_parse.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .arg(&modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is installed");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_mermaid_checker_rejects_a_broken_diagram() {
    let output = run_mermaid_parser("flowchart LR\n  A -->\n  subgraph\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("Parse error"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn graph_of_the_app_renders_with_graphviz() {
    let dir = tempfile::tempdir().unwrap();
    let out = synth_into(dir.path(), "cdk.out");
    let current = template(&out);
    let vpc = vpc(&current).logical_id;
    let subnet = &subnets(&current)[0];
    let text = graph(&["--format", "dot"], None);
    let node = format!("\"{STACK}/{vpc}\" [label=\"{vpc}\\nAWS::EC2::VPC\"];");
    assert!(text.contains(&node), "{text}");
    let edge = format!("\"{STACK}/{subnet}\" -> \"{STACK}/{vpc}\";");
    assert!(text.contains(&edge), "{text}");
    let import = format!(" -> \"{STACK}/{vpc}\" [style=bold, label=\"ImportValue\"];");
    assert!(
        text.lines()
            .any(|l| l.starts_with("  \"temporal-dev-services/") && l.ends_with(&import)),
        "no import edge from the services stack to the VPC:\n{text}"
    );
    let mut resources = 0;
    for (name, artifact) in stack_artifacts(&out) {
        assert!(text.contains(&format!("    label=\"{name}\";\n")), "{text}");
        let file = out.join(artifact["properties"]["templateFile"].as_str().unwrap());
        resources += read_json(&file)["Resources"].as_object().unwrap().len();
    }
    let nodes = text.lines().filter(|l| l.contains(" [label=")).count();
    assert_eq!(nodes, resources, "one node per resource of every stack");
    let svg = render_dot(&text);
    assert!(svg.contains("<svg"), "{svg}");
    assert!(svg.contains("<title>cluster_1</title>"), "{svg}");
    assert!(svg.contains(&vpc));
}

#[test]
fn graph_of_the_app_parses_as_mermaid() {
    let dir = tempfile::tempdir().unwrap();
    let current = template(&synth_into(dir.path(), "cdk.out"));
    let vpc = vpc(&current).logical_id;
    let subnet = &subnets(&current)[0];
    let text = graph(&[STACK], None);
    assert!(
        text.starts_with(&format!("flowchart LR\n  subgraph g0[\"{STACK}\"]\n")),
        "{text}"
    );
    assert!(text.contains(&format!("  {subnet} --> {vpc}\n")), "{text}");
    assert_eq!(parse_mermaid(&text).trim(), "parsed: flowchart-v2");

    let env = graph(&["--env", "dev"], None);
    assert!(!env.contains("temporal-prod"), "{env}");
    let import = format!(" ==>|ImportValue| temporal_dev_network_{vpc}\n");
    assert!(env.contains(&import), "{env}");
    assert_eq!(parse_mermaid(&env).trim(), "parsed: flowchart-v2");
}

#[test]
fn graph_of_a_template_file_draws_every_kind_of_edge() {
    let dir = tempfile::tempdir().unwrap();
    let file = edges_template(dir.path());
    let mermaid = graph(&[], Some(&file));
    assert!(mermaid.contains("  Sg --> Vpc\n"), "{mermaid}");
    assert!(mermaid.contains("  Role --> Sg\n"), "{mermaid}");
    assert!(
        mermaid.contains("  Role -.->|DependsOn| Vpc\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  end_[\"end<br/>AWS::SQS::Queue\"]\n"),
        "{mermaid}"
    );
    parse_mermaid(&mermaid);
    let dot = graph(&["--format", "dot"], Some(&file));
    assert!(dot.contains("\"Role\" -> \"Vpc\" [style=dashed, label=\"DependsOn\"];"));
    render_dot(&dot);
    assert_eq!(
        graph(&["--format", "dot"], Some(&file)),
        dot,
        "deterministic"
    );
}
