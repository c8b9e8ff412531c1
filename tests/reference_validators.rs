//! stackcraft against the two reference validators on the corpus (issue 5): the pinned cfn-lint
//! and AWS's own validator (`@aws/cloudformation-validate`, WebAssembly under Node), both
//! installed by `scripts/tools.sh`. Every error either reports is also reported by stackcraft on
//! the same element, and stackcraft rejects nothing they accept unless a rule listed in
//! [`EXPLAINED`] says why. The tools are never installed here: a missing tool fails the test.

mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

/// stackcraft rules whose errors a reference validator does not report at error level, and why
/// stackcraft does. These apply to both references.
const EXPLAINED: &[(&str, &str)] = &[
    (
        "E3040",
        "CloudFormation ignores a read-only property's value and the stack drifts; cfn-lint \
         1.58.0 catalogues E3040 but never reports it",
    ),
    (
        "SC0001",
        "a suppression without a reason is stackcraft's own Metadata convention",
    ),
    (
        "SC3101",
        "ECS rejects a task whose containers ask for more than the task has",
    ),
    (
        "SC3102",
        "CreateService fails when the load balancer names an unknown container or port",
    ),
    (
        "SC3103",
        "the service can be created before its listener, failing the deploy",
    ),
    (
        "SC3104",
        "CreateService rejects LaunchType together with CapacityProviderStrategy",
    ),
    (
        "SC3105",
        "the service can be created before its capacity provider is associated",
    ),
    (
        "SC3106",
        "a malformed valueFrom makes the task fail to start",
    ),
    (
        "SC3107",
        "without GetSecretValue on the execution role the task fails to start",
    ),
    (
        "SC5001",
        "policy: the world must not reach database and admin ports",
    ),
    (
        "SC5002",
        "policy: a literal password is readable by anyone with the template (cfn-lint warns)",
    ),
    (
        "SC5003",
        "policy: secrets in environment variables are stored in plain text",
    ),
    (
        "SC8001",
        "CloudFormation cannot evaluate conditions that refer to each other in a circle",
    ),
];

/// Rules cfn-lint does not report at error level, and why they are errors here.
const EXPLAINED_FOR_CFN_LINT: &[(&str, &str)] = &[
    (
        "E2010",
        "CloudFormation rejects more than 200 parameters (the AWS validator agrees); cfn-lint \
         1.58.0 does not count them",
    ),
    (
        "E7010",
        "CloudFormation rejects more than 200 mappings (the AWS validator agrees); cfn-lint \
         1.58.0 does not count them",
    ),
];

/// Rules the AWS validator reports only as warnings or not at all, and why they are errors here.
const EXPLAINED_FOR_AWS_VALIDATOR: &[(&str, &str)] = &[
    (
        "E1002",
        "CloudFormation rejects a template over 1,000,000 bytes (cfn-lint agrees); the AWS \
         validator does not measure the template",
    ),
    (
        "E1015",
        "CloudFormation rejects Fn::GetAZs given a list (cfn-lint agrees); the AWS validator \
         does not check its argument",
    ),
    (
        "E1016",
        "CloudFormation rejects Fn::ImportValue given a list or an object that is no function \
         (cfn-lint agrees); the AWS validator does not check its argument",
    ),
    (
        "E1021",
        "CloudFormation rejects Fn::Base64 given an object that is no function (cfn-lint \
         agrees); the AWS validator does not check its argument",
    ),
    (
        "E1024",
        "CloudFormation rejects Fn::Cidr with a malformed block, more than 256 subnets or a \
         mask size out of range (cfn-lint agrees); the AWS validator does not check its \
         arguments",
    ),
    (
        "E3012",
        "a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or) as a property value fails \
         the deploy (cfn-lint agrees); the AWS validator accepts it",
    ),
    (
        "E1022",
        "CloudFormation rejects Fn::Join without a list of values (cfn-lint agrees); the AWS \
         validator does not check its arguments",
    ),
    (
        "E3030",
        "a value outside the schema's enum fails the deploy; the AWS validator only warns",
    ),
    (
        "E6002",
        "CloudFormation rejects an output without Value; the AWS validator misses it",
    ),
    (
        "SC5004",
        "CloudWatch rejects other retention periods; the AWS validator only warns",
    ),
];

/// An element of a template: (file, section, logical id); empty section and id for the template.
type Element = (String, String, String);

fn tools() -> PathBuf {
    std::env::var_os("STACKCRAFT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| corpus::repo().join(".tools"))
}

fn files() -> Vec<PathBuf> {
    let mut files = corpus::faulty();
    files.extend(corpus::valid());
    files
}

fn name(file: &Path) -> String {
    file.display().to_string()
}

/// stackcraft's unsuppressed errors, per element, with their rules.
fn stackcraft_errors(files: &[PathBuf]) -> BTreeMap<Element, BTreeSet<String>> {
    let mut out: BTreeMap<Element, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        for f in corpus::stackcraft(file) {
            if f.fails(false) {
                let (section, id) = corpus::element_of_pointer(&f.pointer);
                out.entry((name(file), section, id))
                    .or_default()
                    .insert(f.rule.to_string());
            }
        }
    }
    out
}

/// Compares a reference's errors (element -> its rule ids) with stackcraft's.
fn compare(
    reference: &str,
    theirs: &BTreeMap<Element, BTreeSet<String>>,
    files: &[PathBuf],
    explained: &[&[(&str, &str)]],
) {
    let ours = stackcraft_errors(files);
    let file_has = |map: &BTreeMap<Element, BTreeSet<String>>, file: &str| {
        map.keys().any(|(f, _, _)| f == file)
    };
    let mut problems = Vec::new();
    for ((file, section, id), rules) in theirs {
        let found = if section.is_empty() {
            file_has(&ours, file)
        } else {
            ours.contains_key(&(file.clone(), section.clone(), id.clone()))
        };
        if !found {
            problems.push(format!(
                "{reference} reports {rules:?} on {file} {section}/{id}, stackcraft does not"
            ));
        }
    }
    for ((file, section, id), rules) in &ours {
        let found = theirs.contains_key(&(file.clone(), String::new(), String::new()))
            || if section.is_empty() {
                file_has(theirs, file)
            } else {
                theirs.contains_key(&(file.clone(), section.clone(), id.clone()))
            };
        if found {
            continue;
        }
        for rule in rules {
            if !explained
                .iter()
                .any(|list| list.iter().any(|(r, _)| r == rule))
            {
                problems.push(format!(
                    "stackcraft rejects {file} {section}/{id} with {rule}, which {reference} \
                     accepts, and no documented rule explains it"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn stackcraft_reports_every_error_cfn_lint_reports() {
    let cfn_lint = tools().join("venv/bin/cfn-lint");
    assert!(
        cfn_lint.exists(),
        "{} is missing: run scripts/tools.sh (or set STACKCRAFT_TOOLS)",
        cfn_lint.display()
    );
    let files = files();
    let output = Command::new(&cfn_lint)
        .args(["--format", "json"])
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    let report: Json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "cfn-lint output is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut theirs: BTreeMap<Element, BTreeSet<String>> = BTreeMap::new();
    for m in report.as_array().expect("a list of matches") {
        if m["Level"] != "Error" {
            continue;
        }
        let path = m["Location"]["Path"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let (section, id) = match path.as_slice() {
            [Json::String(s), Json::String(id), ..] => (s.clone(), id.clone()),
            _ => (String::new(), String::new()),
        };
        let file = m["Filename"].as_str().unwrap_or_default().to_string();
        theirs
            .entry((file, section, id))
            .or_default()
            .insert(m["Rule"]["Id"].as_str().unwrap_or_default().to_string());
    }
    assert!(
        !theirs.is_empty(),
        "cfn-lint found nothing in the faulty corpus"
    );
    compare(
        "cfn-lint",
        &theirs,
        &files,
        &[EXPLAINED, EXPLAINED_FOR_CFN_LINT],
    );
}

#[test]
fn stackcraft_reports_every_error_aws_cloudformation_validate_reports() {
    let module = tools().join("node/node_modules/@aws/cloudformation-validate");
    assert!(
        module.exists(),
        "{} is missing: run scripts/tools.sh (or set STACKCRAFT_TOOLS)",
        module.display()
    );
    let files = files();
    let output = Command::new("node")
        .arg(corpus::root().join("aws-validate.js"))
        .args(&files)
        .env("STACKCRAFT_TOOLS", tools())
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let section_of = |entity: &str| match entity {
        "Resource" => "Resources",
        "Output" => "Outputs",
        "Parameter" => "Parameters",
        "Mapping" => "Mappings",
        "Condition" => "Conditions",
        _ => "",
    };
    let mut theirs: BTreeMap<Element, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let d: Json = serde_json::from_str(line).expect("one JSON object per line");
        if !matches!(d["severity"].as_str(), Some("ERROR" | "FATAL")) {
            continue;
        }
        let section = section_of(d["entityType"].as_str().unwrap_or_default());
        let id = match (section, d["logicalId"].as_str()) {
            ("", _) | (_, None) => (String::new(), String::new()),
            (s, Some(id)) => (s.to_string(), id.to_string()),
        };
        theirs
            .entry((
                d["file"].as_str().unwrap_or_default().to_string(),
                id.0,
                id.1,
            ))
            .or_default()
            .insert(d["rule"].as_str().unwrap_or_default().to_string());
    }
    assert!(
        !theirs.is_empty(),
        "the AWS validator found nothing in the faulty corpus"
    );
    compare(
        "@aws/cloudformation-validate",
        &theirs,
        &files,
        &[EXPLAINED, EXPLAINED_FOR_AWS_VALIDATOR],
    );
}
