//! The Markdown rendering, made to be posted as a pull-request comment.
//!
//! A summary line first, then per changed stack a table of its resources and, open, the grants
//! of access it broadens; the changed paths with old and new values sit in a collapsed
//! `<details>` block so the comment stays short. A comment that would not fit GitHub's limit
//! drops the details, then cuts the tables, and says so.

use super::{compact, counts, warnings};
use crate::diff::element::{ChangeKind, ElementDiff};
use crate::diff::replacement::Replacement;
use crate::diff::stacks::{AssemblyDiff, StackChange, StackDiff};
use crate::diff::value::PropertyChange;

/// Longest value shown in a table cell.
const MAX_VALUE: usize = 80;

/// The most characters a comment may have: GitHub refuses comments over 65,536.
pub const MAX_COMMENT: usize = 65_000;

/// Rows per table once tables must be cut to fit [`MAX_COMMENT`].
const CUT_ROWS: usize = 50;

/// What goes into the comment.
#[derive(Clone, Copy)]
struct Fit {
    details: bool,
    max_rows: usize,
}

/// Renders the diff as Markdown of at most [`MAX_COMMENT`] characters (for all but huge diffs).
pub fn markdown(diff: &AssemblyDiff) -> String {
    let full = render(
        diff,
        Fit {
            details: true,
            max_rows: usize::MAX,
        },
    );
    if full.chars().count() <= MAX_COMMENT {
        return full;
    }
    let mut fit = Fit {
        details: false,
        max_rows: usize::MAX,
    };
    let mut text = render(diff, fit);
    if text.chars().count() > MAX_COMMENT {
        fit.max_rows = CUT_ROWS;
        text = render(diff, fit);
    }
    let left_out = if fit.max_rows == CUT_ROWS {
        format!("the details and the rows past the first {CUT_ROWS} of each table")
    } else {
        "the details".to_string()
    };
    text.push_str(&format!(
        "\n_The diff is too long for one comment: {left_out} were left out. \
         Run `stackcraft diff` to see all of it._\n"
    ));
    text
}

fn render(diff: &AssemblyDiff, fit: Fit) -> String {
    let summary = diff.summary();
    let mut out = String::from("## stackcraft diff\n\n");
    if diff.is_empty() {
        out.push_str(&format!(
            "No differences in {} stack(s).\n",
            diff.stacks.len()
        ));
        return out;
    }
    out.push_str(&format!(
        "**{} of {} stack(s) differ**: {}.\n",
        diff.changed_stacks(),
        diff.stacks.len(),
        counts(&summary)
    ));
    for warning in warnings(&summary) {
        out.push_str(&format!("\n> ⚠️ **{warning}**\n"));
    }
    for stack in diff
        .stacks
        .iter()
        .filter(|s| s.change != StackChange::Unchanged)
    {
        render_stack(stack, fit, &mut out);
    }
    let unchanged: Vec<String> = diff
        .stacks
        .iter()
        .filter(|s| s.change == StackChange::Unchanged)
        .map(|s| code(&s.stack))
        .collect();
    if !unchanged.is_empty() {
        out.push_str(&format!("\nUnchanged: {}.\n", unchanged.join(", ")));
    }
    out
}

fn render_stack(stack: &StackDiff, fit: Fit, out: &mut String) {
    let status = match stack.change {
        StackChange::Added => " (new stack)",
        StackChange::Removed => " (stack removed)",
        _ => "",
    };
    out.push_str(&format!("\n### {}{status}\n", stack.stack));
    let diff = &stack.template;
    if !diff.resources.is_empty() {
        out.push_str("\n| | Resource | Type | Replacement | Holds data |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        let mut rows: Vec<_> = diff.resources.iter().collect();
        if rows.len() > fit.max_rows {
            // Cut tables keep what a reviewer must see: data at risk, then replacements.
            rows.sort_by_key(|r| (!r.loses_data(), std::cmp::Reverse(r.replacement)));
        }
        for r in rows.iter().take(fit.max_rows) {
            let replacement = match r.replacement {
                Replacement::True => "**True**",
                Replacement::Conditional => "Conditional",
                Replacement::False => "",
            };
            let data = match (r.stateful, r.loses_data()) {
                (_, true) => "⚠️ yes, at risk",
                (true, false) => "yes",
                _ => "",
            };
            out.push_str(&format!(
                "| {} | {} | {} | {replacement} | {data} |\n",
                marker(r.change),
                code(&r.logical_id),
                code(&r.resource_type)
            ));
        }
        more_rows(rows.len(), fit, 5, out);
    }
    if !diff.broadening.is_empty() {
        out.push_str("\n**Access broadened**\n\n| | Resource | Grant |\n| --- | --- | --- |\n");
        let mut rows: Vec<_> = diff.broadening.iter().collect();
        if rows.len() > fit.max_rows {
            rows.sort_by_key(|g| !g.wide_open);
        }
        for g in rows.iter().take(fit.max_rows) {
            let flag = if g.wide_open {
                "⚠️ open to anyone"
            } else {
                ""
            };
            out.push_str(&format!(
                "| {flag} | {} | {} |\n",
                code(&g.logical_id),
                code(&g.summary)
            ));
        }
        more_rows(rows.len(), fit, 3, out);
    }
    let details = if fit.details {
        details(stack)
    } else {
        String::new()
    };
    if !details.is_empty() {
        out.push_str(&format!(
            "\n<details>\n<summary>Details of {}</summary>\n{details}\n</details>\n",
            stack.stack
        ));
    }
}

/// The row that counts what a cut table left out.
fn more_rows(rows: usize, fit: Fit, columns: usize, out: &mut String) {
    if rows > fit.max_rows {
        let empty = " |".repeat(columns - 2);
        out.push_str(&format!("| | _{} more_ |{empty}\n", rows - fit.max_rows));
    }
}

/// The collapsed part: changed paths of modified resources, and the other sections.
fn details(stack: &StackDiff) -> String {
    let diff = &stack.template;
    let mut out = String::new();
    for r in diff.resources.iter().filter(|r| !r.changes.is_empty()) {
        let path = r
            .construct_path
            .as_ref()
            .map(|p| format!(" ({})", code(p)))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n**{} {}** {}{path}\n\n",
            marker(r.change),
            code(&r.logical_id),
            code(&r.resource_type)
        ));
        out.push_str("| Path | Old | New | Replacement |\n| --- | --- | --- | --- |\n");
        for c in &r.changes {
            let replacement = match c.replacement {
                Replacement::False => String::new(),
                other => other.to_string(),
            };
            out.push_str(&format!("{} {replacement} |\n", change_row(&c.change)));
        }
    }
    for (name, elements) in diff.sections() {
        if elements.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n**{name}**\n\n| | Name | Path | Old | New |\n| --- | --- | --- | --- | --- |\n"
        ));
        for e in elements {
            render_element(e, &mut out);
        }
    }
    if !diff.other.is_empty() {
        out.push_str("\n**Other**\n\n| Path | Old | New |\n| --- | --- | --- |\n");
        for c in &diff.other {
            out.push_str(&format!("{}\n", change_row(c)));
        }
    }
    out
}

fn render_element(e: &ElementDiff, out: &mut String) {
    let id = code(&e.logical_id);
    if e.change == ChangeKind::Modified {
        for c in &e.changes {
            out.push_str(&format!(
                "| {} | {id} {}\n",
                marker(e.change),
                change_row(c)
            ));
        }
    } else {
        out.push_str(&format!(
            "| {} | {id} | | {} | {} |\n",
            marker(e.change),
            value(e.old.as_ref()),
            value(e.new.as_ref())
        ));
    }
}

/// `| path | old | new |` without the closing pipe's successor cells.
fn change_row(c: &PropertyChange) -> String {
    let path = if c.path.is_empty() {
        String::new()
    } else {
        code(&c.path)
    };
    format!(
        "| {path} | {} | {} |",
        value(c.old.as_ref()),
        value(c.new.as_ref())
    )
}

fn value(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(_) => code(&compact(v, MAX_VALUE)),
        None => String::new(),
    }
}

fn marker(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "➕",
        ChangeKind::Modified => "✏️",
        ChangeKind::Removed => "➖",
    }
}

/// Text as inline code that is safe inside a table cell.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> AssemblyDiff {
        let old = json!({
            "Parameters": { "Env": { "Type": "String", "Default": "dev" } },
            "Resources": {
                "Vpc": { "Type": "AWS::EC2::VPC",
                         "Properties": { "CidrBlock": "10.0.0.0/16", "EnableDnsSupport": true },
                         "Metadata": { "aws:cdk:path": "Net/Network/Vpc" } },
                "Db": { "Type": "AWS::RDS::DBInstance",
                        "Properties": { "DBName": "temporal", "AllocatedStorage": "20" } },
                "Logs": { "Type": "AWS::Logs::LogGroup" },
                "WebSg": { "Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": "web", "SecurityGroupIngress": [] } }
            },
            "Outputs": { "VpcId": { "Value": { "Ref": "Vpc" } } }
        });
        let new = json!({
            "Parameters": { "Env": { "Type": "String", "Default": "prod" } },
            "Resources": {
                "Vpc": { "Type": "AWS::EC2::VPC",
                         "Properties": { "CidrBlock": "10.1.0.0/16", "EnableDnsSupport": false },
                         "Metadata": { "aws:cdk:path": "Net/Network/Vpc" } },
                "Db": { "Type": "AWS::RDS::DBInstance",
                        "Properties": { "DBName": { "Ref": "Env" }, "AllocatedStorage": "40" } },
                "Subnet": { "Type": "AWS::EC2::Subnet",
                            "Properties": { "VpcId": { "Ref": "Vpc" },
                                            "CidrBlock": "10.1.0.0/20" } },
                "WebSg": { "Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": "web",
                    "SecurityGroupIngress": [
                        { "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                          "CidrIp": "0.0.0.0/0" }
                    ] } },
                "TaskRole": { "Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": { "Service": "ecs-tasks.amazonaws.com" } }] } } }
            },
            "Outputs": {
                "VpcId": { "Value": { "Ref": "Vpc" } },
                "SubnetId": { "Value": { "Ref": "Subnet" } }
            }
        });
        let same = json!({ "Resources": { "Q": { "Type": "AWS::SQS::Queue" } } });
        AssemblyDiff {
            stacks: vec![
                StackDiff::new("Net", Some(&old), Some(&new)),
                StackDiff::new("Queues", Some(&same), Some(&same)),
            ],
        }
    }

    #[test]
    fn renders_a_pull_request_comment() {
        insta::assert_snapshot!(markdown(&sample()));
    }

    #[test]
    fn says_so_when_nothing_differs() {
        let same = json!({ "Resources": {} });
        let diff = AssemblyDiff {
            stacks: vec![StackDiff::new("Net", Some(&same), Some(&same))],
        };
        assert_eq!(
            markdown(&diff),
            "## stackcraft diff\n\nNo differences in 1 stack(s).\n"
        );
    }

    #[test]
    fn a_huge_diff_still_fits_in_one_comment() {
        let resources: serde_json::Map<String, serde_json::Value> = (0..3000)
            .map(|i| {
                let queue = json!({ "Type": "AWS::SQS::Queue", "Properties": { "Name": i } });
                (format!("Queue{i}"), queue)
            })
            .collect();
        let mut removed = resources.clone();
        removed.insert("Data".into(), json!({ "Type": "AWS::S3::Bucket" }));
        let old = json!({ "Resources": removed });
        let new = json!({ "Resources": {} });
        let text = markdown(&AssemblyDiff {
            stacks: vec![StackDiff::new("Big", Some(&old), Some(&new))],
        });
        assert!(text.chars().count() <= MAX_COMMENT + 200, "{}", text.len());
        assert!(text.contains("| ➖ | `Data` | `AWS::S3::Bucket` |  | ⚠️ yes, at risk |"));
        assert!(text.contains("| | _2951 more_ | | | |\n"), "{text}");
        assert!(text.contains("too long for one comment"));
    }

    #[test]
    fn table_cells_escape_pipes_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
