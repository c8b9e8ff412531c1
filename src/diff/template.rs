//! The difference between two templates, section by section.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::broadening::{broadenings, Broadening};
use super::element::{diff_section, ChangeKind, ElementDiff};
use super::replacement::Replacement;
use super::resource::{diff_resource, ResourceDiff};
use super::value::{diff_values, join_key, PropertyChange};

/// The sections that hold named elements, each diffed element by element.
const ELEMENT_SECTIONS: [&str; 4] = ["Parameters", "Conditions", "Mappings", "Outputs"];

/// Everything that differs between an old and a new template.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TemplateDiff {
    /// Added, modified and removed resources, in the new template's order, removed ones last.
    pub resources: Vec<ResourceDiff>,
    /// IAM statements and security-group rules that broaden access.
    pub broadening: Vec<Broadening>,
    /// Changed parameters.
    pub parameters: Vec<ElementDiff>,
    /// Changed conditions.
    pub conditions: Vec<ElementDiff>,
    /// Changed mappings.
    pub mappings: Vec<ElementDiff>,
    /// Changed outputs.
    pub outputs: Vec<ElementDiff>,
    /// Changes of the other top-level keys (`Description`, `Transform`, `Metadata`, `Rules`).
    pub other: Vec<PropertyChange>,
}

/// Counts of a diff, for summary lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Resources added.
    pub added: usize,
    /// Resources modified.
    pub modified: usize,
    /// Resources removed.
    pub removed: usize,
    /// Modified resources that are replaced.
    pub replaced: usize,
    /// Modified resources that may be replaced.
    pub maybe_replaced: usize,
    /// Resources holding data that are removed or may be replaced.
    pub data_at_risk: usize,
    /// Grants of access added.
    pub broadening: usize,
    /// Changed parameters, conditions, mappings, outputs and other top-level keys.
    pub other: usize,
}

impl Summary {
    /// Adds another summary's counts to this one.
    pub fn add(&mut self, other: &Summary) {
        self.added += other.added;
        self.modified += other.modified;
        self.removed += other.removed;
        self.replaced += other.replaced;
        self.maybe_replaced += other.maybe_replaced;
        self.data_at_risk += other.data_at_risk;
        self.broadening += other.broadening;
        self.other += other.other;
    }

    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        *self == Summary::default()
    }
}

impl TemplateDiff {
    /// True when the templates are the same.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.broadening.is_empty()
            && self.sections().all(|(_, s)| s.is_empty())
            && self.other.is_empty()
    }

    /// The element sections with their names, in the order renderers show them.
    pub fn sections(&self) -> impl Iterator<Item = (&'static str, &Vec<ElementDiff>)> {
        [
            ("Parameters", &self.parameters),
            ("Conditions", &self.conditions),
            ("Mappings", &self.mappings),
            ("Outputs", &self.outputs),
        ]
        .into_iter()
    }

    /// The counts of this diff.
    pub fn summary(&self) -> Summary {
        let count = |kind| self.resources.iter().filter(|r| r.change == kind).count();
        let replaced = |how| {
            self.resources
                .iter()
                .filter(|r| r.change == ChangeKind::Modified && r.replacement == how)
                .count()
        };
        Summary {
            added: count(ChangeKind::Added),
            modified: count(ChangeKind::Modified),
            removed: count(ChangeKind::Removed),
            replaced: replaced(Replacement::True),
            maybe_replaced: replaced(Replacement::Conditional),
            data_at_risk: self.resources.iter().filter(|r| r.loses_data()).count(),
            broadening: self.broadening.len(),
            other: self.sections().map(|(_, s)| s.len()).sum::<usize>() + self.other.len(),
        }
    }
}

/// The difference from `old` to `new`; either may be an empty object for a stack that is
/// created or deleted.
pub fn diff_templates(old: &Json, new: &Json) -> TemplateDiff {
    let empty = Map::new();
    let old_resources = old["Resources"].as_object().unwrap_or(&empty);
    let new_resources = new["Resources"].as_object().unwrap_or(&empty);
    let resources = new_resources
        .keys()
        .chain(
            old_resources
                .keys()
                .filter(|k| !new_resources.contains_key(*k)),
        )
        .filter_map(|id| diff_resource(id, old_resources.get(id), new_resources.get(id)))
        .collect();
    let section = |name| diff_section(old.get(name), new.get(name));
    TemplateDiff {
        resources,
        broadening: broadenings(old, new),
        parameters: section("Parameters"),
        conditions: section("Conditions"),
        mappings: section("Mappings"),
        outputs: section("Outputs"),
        other: other_changes(old, new),
    }
}

/// Changes of the top-level keys that are neither resources nor element sections.
fn other_changes(old: &Json, new: &Json) -> Vec<PropertyChange> {
    let skip = |k: &String| k == "Resources" || ELEMENT_SECTIONS.contains(&k.as_str());
    let empty = Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let keys = new
        .keys()
        .chain(old.keys().filter(|k| !new.contains_key(*k)))
        .filter(|k| !skip(k));
    keys.flat_map(|k| diff_values(&join_key("", k), old.get(k), new.get(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn template() -> Json {
        json!({
            "Parameters": { "Env": { "Type": "String", "Default": "dev" } },
            "Resources": {
                "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" } },
                "Data": { "Type": "AWS::S3::Bucket" }
            },
            "Outputs": { "VpcId": { "Value": { "Ref": "Vpc" } } }
        })
    }

    #[test]
    fn identical_templates_have_an_empty_diff() {
        let diff = diff_templates(&template(), &template());
        assert!(diff.is_empty());
        assert!(diff.summary().is_empty());
    }

    #[test]
    fn classifies_added_modified_and_removed_resources() {
        let old = template();
        let mut new = template();
        new["Resources"]["Vpc"]["Properties"]["CidrBlock"] = json!("10.1.0.0/16");
        new["Resources"]["Subnet"] = json!({ "Type": "AWS::EC2::Subnet" });
        new["Resources"].as_object_mut().unwrap().remove("Data");
        let diff = diff_templates(&old, &new);
        let kinds: Vec<(&str, ChangeKind)> = diff
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r.change))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Vpc", ChangeKind::Modified),
                ("Subnet", ChangeKind::Added),
                ("Data", ChangeKind::Removed)
            ]
        );
        let summary = diff.summary();
        assert_eq!(
            (summary.added, summary.modified, summary.removed),
            (1, 1, 1)
        );
        assert_eq!(summary.replaced, 1);
        assert_eq!(summary.data_at_risk, 1);
    }

    #[test]
    fn diffs_parameters_outputs_and_description() {
        let old = template();
        let mut new = template();
        new["Parameters"]["Env"]["Default"] = json!("prod");
        new["Outputs"]["Extra"] = json!({ "Value": "x" });
        new["Description"] = json!("now described");
        let diff = diff_templates(&old, &new);
        assert_eq!(diff.parameters[0].changes[0].path, "Default");
        assert_eq!(diff.outputs[0].change, ChangeKind::Added);
        assert_eq!(diff.other[0].path, "Description");
        assert_eq!(diff.summary().other, 3);
    }

    #[test]
    fn a_new_stack_adds_every_resource() {
        let diff = diff_templates(&json!({}), &template());
        assert_eq!(diff.summary().added, 2);
    }
}
