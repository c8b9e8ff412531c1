//! The difference between the stacks of two cloud assemblies, stack by stack.

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::template::{diff_templates, Summary, TemplateDiff};
use crate::assembly::{CloudAssembly, StackArtifact};

/// What happened to a whole stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StackChange {
    /// Only in the new assembly: every resource is added.
    Added,
    /// In both, with different templates.
    Modified,
    /// Only in the old assembly: every resource is removed.
    Removed,
    /// In both, with the same template.
    Unchanged,
}

/// The difference of one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackDiff {
    /// The stack's name (the artifact id in the assembly).
    pub stack: String,
    /// Added, modified, removed or unchanged.
    pub change: StackChange,
    /// The template difference.
    pub template: TemplateDiff,
}

impl StackDiff {
    /// Compares the old and new template of the stack `stack`; either may be missing.
    pub fn new(stack: &str, old: Option<&Json>, new: Option<&Json>) -> StackDiff {
        let empty = json!({});
        let template = diff_templates(old.unwrap_or(&empty), new.unwrap_or(&empty));
        let change = match (old, new) {
            (None, _) => StackChange::Added,
            (_, None) => StackChange::Removed,
            _ if template.is_empty() => StackChange::Unchanged,
            _ => StackChange::Modified,
        };
        StackDiff {
            stack: stack.to_string(),
            change,
            template,
        }
    }
}

/// The differences of every compared stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AssemblyDiff {
    /// One entry per compared stack, unchanged ones included, in the new assembly's order with
    /// removed stacks last.
    pub stacks: Vec<StackDiff>,
}

impl AssemblyDiff {
    /// True when no compared stack differs.
    pub fn is_empty(&self) -> bool {
        self.stacks
            .iter()
            .all(|s| s.change == StackChange::Unchanged)
    }

    /// The counts over every stack.
    pub fn summary(&self) -> Summary {
        let mut total = Summary::default();
        for stack in &self.stacks {
            total.add(&stack.template.summary());
        }
        total
    }

    /// How many stacks differ.
    pub fn changed_stacks(&self) -> usize {
        self.stacks
            .iter()
            .filter(|s| s.change != StackChange::Unchanged)
            .count()
    }
}

/// Compares the stacks of `new` with the stacks of `old` that have the same artifact id.
///
/// `selection` names stacks (artifact id or stack name) to compare; empty compares every stack
/// of both assemblies.
pub fn diff_assemblies(
    old: &CloudAssembly,
    new: &CloudAssembly,
    selection: &[String],
) -> AssemblyDiff {
    let selected = |s: &StackArtifact| {
        selection.is_empty() || selection.iter().any(|n| *n == s.id || *n == s.stack_name)
    };
    let mut stacks: Vec<StackDiff> = new
        .stacks
        .iter()
        .filter(|s| selected(s))
        .map(|s| {
            let before = old.stacks.iter().find(|o| o.id == s.id);
            StackDiff::new(&s.id, before.map(|o| &o.template), Some(&s.template))
        })
        .collect();
    stacks.extend(
        old.stacks
            .iter()
            .filter(|o| selected(o) && !new.stacks.iter().any(|s| s.id == o.id))
            .map(|o| StackDiff::new(&o.id, Some(&o.template), None)),
    );
    AssemblyDiff { stacks }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(id: &str, template: Json) -> StackArtifact {
        StackArtifact {
            id: id.into(),
            stack_name: id.into(),
            construct_path: id.into(),
            environment: "aws://unknown-account/unknown-region".into(),
            termination_protection: false,
            stage: None,
            tags: Default::default(),
            dependencies: Vec::new(),
            template,
        }
    }

    fn assembly(stacks: Vec<StackArtifact>) -> CloudAssembly {
        CloudAssembly {
            stacks,
            tree: Json::Null,
        }
    }

    #[test]
    fn matches_stacks_by_id_and_reports_added_and_removed_ones() {
        let vpc = json!({ "Resources": { "Vpc": { "Type": "AWS::EC2::VPC" } } });
        let old = assembly(vec![stack("Net", vpc.clone()), stack("Old", vpc.clone())]);
        let new = assembly(vec![stack("Net", vpc.clone()), stack("New", vpc)]);
        let diff = diff_assemblies(&old, &new, &[]);
        let changes: Vec<(&str, StackChange)> = diff
            .stacks
            .iter()
            .map(|s| (s.stack.as_str(), s.change))
            .collect();
        assert_eq!(
            changes,
            [
                ("Net", StackChange::Unchanged),
                ("New", StackChange::Added),
                ("Old", StackChange::Removed)
            ]
        );
        assert_eq!(diff.changed_stacks(), 2);
        assert_eq!(diff.summary().added, 1);
        assert_eq!(diff.summary().removed, 1);
    }

    #[test]
    fn a_selection_limits_the_stacks_compared() {
        let vpc = json!({ "Resources": { "Vpc": { "Type": "AWS::EC2::VPC" } } });
        let old = assembly(vec![]);
        let new = assembly(vec![stack("A", vpc.clone()), stack("B", vpc)]);
        let diff = diff_assemblies(&old, &new, &["B".to_string()]);
        assert_eq!(diff.stacks.len(), 1);
        assert_eq!(diff.stacks[0].stack, "B");
    }
}
