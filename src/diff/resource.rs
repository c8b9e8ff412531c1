//! Differences of one resource: its changed paths, whether it is replaced, whether it holds data.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::element::ChangeKind;
use super::replacement::{classify, Replacement};
use super::value::{diff_values, join_key, PropertyChange};
use crate::stateful::is_stateful;

/// The metadata key under which synthesis records a resource's construct path.
pub const PATH_METADATA: &str = "aws:cdk:path";

/// A changed value of a resource, with whether that change alone replaces it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    /// Where, what before, what after.
    #[serde(flatten)]
    pub change: PropertyChange,
    /// Whether this change replaces the resource.
    pub replacement: Replacement,
}

/// An added, removed or modified resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceDiff {
    /// The resource's logical id.
    pub logical_id: String,
    /// Added, modified or removed.
    pub change: ChangeKind,
    /// The resource type (the new one when the type changed).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The construct path from the `aws:cdk:path` metadata, when the template has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<String>,
    /// Whether deploying replaces the resource: the most severe of its changes.
    pub replacement: Replacement,
    /// Whether the resource holds data (see [`crate::stateful`]).
    pub stateful: bool,
    /// The changed paths, relative to the resource (`Properties.CidrBlock`); empty unless
    /// modified.
    pub changes: Vec<ResourceChange>,
}

impl ResourceDiff {
    /// True when deploying loses data: a resource holding data is removed or may be replaced.
    pub fn loses_data(&self) -> bool {
        self.stateful
            && (self.change == ChangeKind::Removed || self.replacement != Replacement::False)
    }
}

/// The difference of the resource `logical_id` between its old and new definitions, if any.
pub(crate) fn diff_resource(
    logical_id: &str,
    old: Option<&Json>,
    new: Option<&Json>,
) -> Option<ResourceDiff> {
    if old == new {
        return None;
    }
    let change = ChangeKind::of(old, new)?;
    let current = new.or(old)?;
    let resource_type = type_of(current).to_string();
    let construct_path = current["Metadata"][PATH_METADATA]
        .as_str()
        .map(str::to_string);
    let changes = match (old, new) {
        (Some(old), Some(new)) => resource_changes(&resource_type, old, new),
        _ => Vec::new(),
    };
    let replacement = changes
        .iter()
        .map(|c| c.replacement)
        .max()
        .unwrap_or_default();
    Some(ResourceDiff {
        logical_id: logical_id.to_string(),
        change,
        stateful: is_stateful(&resource_type) || is_stateful(type_of(old.unwrap_or(current))),
        resource_type,
        construct_path,
        replacement,
        changes,
    })
}

fn type_of(resource: &Json) -> &str {
    resource["Type"].as_str().unwrap_or_default()
}

/// The changes of a resource present on both sides, each classified for replacement.
fn resource_changes(resource_type: &str, old: &Json, new: &Json) -> Vec<ResourceChange> {
    let mut changes = Vec::new();
    if type_of(old) != type_of(new) {
        changes.push(ResourceChange {
            change: PropertyChange {
                path: "Type".into(),
                old: old.get("Type").cloned(),
                new: new.get("Type").cloned(),
            },
            replacement: Replacement::True,
        });
    }
    let empty = Map::new();
    let old_map = old.as_object().unwrap_or(&empty);
    let new_map = new.as_object().unwrap_or(&empty);
    let keys = new_map
        .keys()
        .chain(old_map.keys().filter(|k| !new_map.contains_key(*k)))
        .filter(|k| *k != "Type");
    let new_properties = new.get("Properties").cloned().unwrap_or(Json::Null);
    for key in keys {
        for change in diff_values(&join_key("", key), old_map.get(key), new_map.get(key)) {
            let replacement = classify(resource_type, &change, &new_properties);
            changes.push(ResourceChange {
                change,
                replacement,
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn changing_a_vpc_cidr_replaces_it() {
        let old = json!({ "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" } });
        let new = json!({ "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.1.0.0/16" } });
        let diff = diff_resource("Vpc", Some(&old), Some(&new)).unwrap();
        assert_eq!(diff.change, ChangeKind::Modified);
        assert_eq!(diff.replacement, Replacement::True);
        assert_eq!(diff.changes.len(), 1);
        assert_eq!(diff.changes[0].change.path, "Properties.CidrBlock");
        assert!(!diff.loses_data());
    }

    #[test]
    fn replacing_a_database_loses_data() {
        let old = json!({ "Type": "AWS::RDS::DBInstance", "Properties": { "DBName": "a" } });
        let new = json!({ "Type": "AWS::RDS::DBInstance", "Properties": { "DBName": "b" } });
        let diff = diff_resource("Db", Some(&old), Some(&new)).unwrap();
        assert!(diff.stateful);
        assert!(diff.loses_data());
    }

    #[test]
    fn an_in_place_update_of_a_database_keeps_data() {
        let old =
            json!({ "Type": "AWS::RDS::DBInstance", "Properties": { "AllocatedStorage": "20" } });
        let new =
            json!({ "Type": "AWS::RDS::DBInstance", "Properties": { "AllocatedStorage": "40" } });
        let diff = diff_resource("Db", Some(&old), Some(&new)).unwrap();
        assert_eq!(diff.replacement, Replacement::False);
        assert!(!diff.loses_data());
    }

    #[test]
    fn removing_a_bucket_loses_data() {
        let old = json!({ "Type": "AWS::S3::Bucket", "Metadata": { "aws:cdk:path": "S/Logs" } });
        let diff = diff_resource("Logs", Some(&old), None).unwrap();
        assert_eq!(diff.change, ChangeKind::Removed);
        assert_eq!(diff.construct_path.as_deref(), Some("S/Logs"));
        assert!(diff.loses_data());
    }

    #[test]
    fn a_type_change_replaces() {
        let old = json!({ "Type": "AWS::SQS::Queue" });
        let new = json!({ "Type": "AWS::SNS::Topic" });
        let diff = diff_resource("Q", Some(&old), Some(&new)).unwrap();
        assert_eq!(diff.replacement, Replacement::True);
        assert_eq!(diff.changes[0].change.path, "Type");
    }

    #[test]
    fn depends_on_changes_are_listed_and_do_not_replace() {
        let old = json!({ "Type": "AWS::EC2::VPC" });
        let new = json!({ "Type": "AWS::EC2::VPC", "DependsOn": ["Other"] });
        let diff = diff_resource("Vpc", Some(&old), Some(&new)).unwrap();
        assert_eq!(diff.changes[0].change.path, "DependsOn");
        assert_eq!(diff.replacement, Replacement::False);
    }
}
