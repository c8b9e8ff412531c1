//! Differences of the template sections that are plain named values: parameters, outputs,
//! conditions and mappings.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::value::{diff_values, PropertyChange};

/// What happened to an element between the old and the new template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new template.
    Added,
    /// In both, with different content.
    Modified,
    /// Only in the old template.
    Removed,
}

impl ChangeKind {
    /// The one-character marker renderers put before the element: `+`, `~` or `-`.
    pub fn marker(self) -> &'static str {
        match self {
            ChangeKind::Added => "+",
            ChangeKind::Modified => "~",
            ChangeKind::Removed => "-",
        }
    }

    /// What the kind is when a value is present on one side, the other, or both.
    pub(crate) fn of<T>(old: Option<T>, new: Option<T>) -> Option<ChangeKind> {
        match (old, new) {
            (None, Some(_)) => Some(ChangeKind::Added),
            (Some(_), None) => Some(ChangeKind::Removed),
            (Some(_), Some(_)) => Some(ChangeKind::Modified),
            (None, None) => None,
        }
    }
}

/// A changed parameter, output, condition or mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementDiff {
    /// The element's logical id.
    pub logical_id: String,
    /// Added, modified or removed.
    pub change: ChangeKind,
    /// The whole value before (absent when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    /// The whole value after (absent when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
    /// The changed paths inside the element; empty unless modified.
    pub changes: Vec<PropertyChange>,
}

/// The changed elements of one section, in the order of the new template, removed ones last.
pub(crate) fn diff_section(old: Option<&Json>, new: Option<&Json>) -> Vec<ElementDiff> {
    let empty = Map::new();
    let old = old.and_then(Json::as_object).unwrap_or(&empty);
    let new = new.and_then(Json::as_object).unwrap_or(&empty);
    let ids = new
        .keys()
        .chain(old.keys().filter(|k| !new.contains_key(*k)));
    ids.filter_map(|id| {
        let (o, n) = (old.get(id), new.get(id));
        if o == n {
            return None;
        }
        let change = ChangeKind::of(o, n)?;
        let changes = if change == ChangeKind::Modified {
            diff_values("", o, n)
        } else {
            Vec::new()
        };
        Some(ElementDiff {
            logical_id: id.clone(),
            change,
            old: o.cloned(),
            new: n.cloned(),
            changes,
        })
    })
    .collect()
}
