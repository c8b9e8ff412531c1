//! The JSON rendering, for tools: the summary counts and every stack's diff.

use serde::Serialize;

use crate::diff::stacks::{AssemblyDiff, StackDiff};
use crate::diff::template::Summary;

/// The document `diff --format json` prints.
#[derive(Serialize)]
struct Report<'a> {
    /// True when any compared stack differs.
    differs: bool,
    summary: Summary,
    stacks: &'a [StackDiff],
}

/// Renders the diff as pretty JSON with a final newline.
pub fn json(diff: &AssemblyDiff) -> String {
    let report = Report {
        differs: !diff.is_empty(),
        summary: diff.summary(),
        stacks: &diff.stacks,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("diffs always serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value as Json};

    use super::*;

    #[test]
    fn carries_paths_values_and_replacement() {
        let old = json!({ "Resources": { "Vpc": { "Type": "AWS::EC2::VPC",
            "Properties": { "CidrBlock": "10.0.0.0/16" } } } });
        let new = json!({ "Resources": { "Vpc": { "Type": "AWS::EC2::VPC",
            "Properties": { "CidrBlock": "10.1.0.0/16" } } } });
        let diff = AssemblyDiff {
            stacks: vec![StackDiff::new("Net", Some(&old), Some(&new))],
        };
        let parsed: Json = serde_json::from_str(&json(&diff)).unwrap();
        assert_eq!(parsed["differs"], true);
        assert_eq!(parsed["summary"]["replaced"], 1);
        let resource = &parsed["stacks"][0]["template"]["resources"][0];
        assert_eq!(resource["logical_id"], "Vpc");
        assert_eq!(resource["change"], "modified");
        assert_eq!(resource["replacement"], "True");
        assert_eq!(resource["changes"][0]["path"], "Properties.CidrBlock");
        assert_eq!(resource["changes"][0]["old"], "10.0.0.0/16");
        assert_eq!(resource["changes"][0]["new"], "10.1.0.0/16");
    }
}
