//! Differences between two JSON values, as a list of changed paths with old and new values.
//!
//! Objects are compared key by key and arrays element by element (aligned with a sequence diff,
//! so an element inserted in the middle shows as one insertion rather than a change of every
//! element after it). Intrinsic functions (`{"Ref": ...}`, `{"Fn::...": ...}`) are compared as
//! whole values: a reference that points elsewhere is one change, not a change of its inner
//! string.

use serde::Serialize;
use serde_json::{Map, Value as Json};
use similar::{capture_diff_slices_by_key, Algorithm, DiffOp};

/// One changed value: where it is, what it was and what it becomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    /// Where the value sits, dotted with `[index]` for array elements (`Properties.Tags[0].Value`).
    pub path: String,
    /// The value before, absent when the value was added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    /// The value after, absent when the value was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
}

/// True when `value` is an intrinsic function call or a `Ref`: an object with a single key
/// that is `Ref`, `Condition` or starts with `Fn::`.
pub fn is_intrinsic(value: &Json) -> bool {
    value.as_object().is_some_and(is_intrinsic_map)
}

fn is_intrinsic_map(map: &Map<String, Json>) -> bool {
    map.len() == 1
        && map
            .keys()
            .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

/// Every change between `old` and `new`, with paths starting at `path`.
///
/// Either side may be absent, for a value that was added or removed. Changes come in the order
/// of `new` (removed keys after the kept ones), which follows the template.
pub fn diff_values(path: &str, old: Option<&Json>, new: Option<&Json>) -> Vec<PropertyChange> {
    let mut changes = Vec::new();
    collect(path, old, new, &mut changes);
    changes
}

fn collect(path: &str, old: Option<&Json>, new: Option<&Json>, out: &mut Vec<PropertyChange>) {
    match (old, new) {
        (None, None) => {}
        (Some(a), Some(b)) if a == b => {}
        (Some(Json::Object(a)), Some(Json::Object(b)))
            if !is_intrinsic_map(a) && !is_intrinsic_map(b) =>
        {
            for (key, value) in b {
                collect(&join_key(path, key), a.get(key), Some(value), out);
            }
            for (key, value) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
                collect(&join_key(path, key), Some(value), None, out);
            }
        }
        (Some(Json::Array(a)), Some(Json::Array(b))) => collect_array(path, a, b, out),
        _ => out.push(PropertyChange {
            path: path.to_string(),
            old: old.cloned(),
            new: new.cloned(),
        }),
    }
}

fn collect_array(path: &str, old: &[Json], new: &[Json], out: &mut Vec<PropertyChange>) {
    let ops = capture_diff_slices_by_key(Algorithm::Myers, old, new, |v| v.to_string());
    let at = |i: usize| format!("{path}[{i}]");
    for op in ops {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => removed(path, old, old_index, old_len, out),
            DiffOp::Insert {
                new_index, new_len, ..
            } => added(path, new, new_index, new_len, out),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                // Paired elements are modified in place; the rest were inserted or deleted.
                let paired = old_len.min(new_len);
                let pairs = old[old_index..old_index + paired]
                    .iter()
                    .zip(&new[new_index..new_index + paired]);
                for (k, (o, n)) in pairs.enumerate() {
                    collect(&at(new_index + k), Some(o), Some(n), out);
                }
                removed(path, old, old_index + paired, old_len - paired, out);
                added(path, new, new_index + paired, new_len - paired, out);
            }
        }
    }
}

/// Records `len` elements of `old` from index `from` as removed.
fn removed(path: &str, old: &[Json], from: usize, len: usize, out: &mut Vec<PropertyChange>) {
    for (i, v) in old.iter().enumerate().skip(from).take(len) {
        collect(&format!("{path}[{i}]"), Some(v), None, out);
    }
}

/// Records `len` elements of `new` from index `from` as added.
fn added(path: &str, new: &[Json], from: usize, len: usize, out: &mut Vec<PropertyChange>) {
    for (i, v) in new.iter().enumerate().skip(from).take(len) {
        collect(&format!("{path}[{i}]"), None, Some(v), out);
    }
}

/// Appends an object key to a path, bracketing keys that would read as path syntax.
pub(crate) fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']', ' ', '"']);
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Json::String(key.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(changes: &[PropertyChange]) -> Vec<&str> {
        changes.iter().map(|c| c.path.as_str()).collect()
    }

    #[test]
    fn equal_values_have_no_changes() {
        let v = json!({ "A": [1, { "B": "x" }] });
        assert!(diff_values("", Some(&v), Some(&v)).is_empty());
    }

    #[test]
    fn reports_leaf_paths_with_old_and_new_values() {
        let old = json!({ "CidrBlock": "10.0.0.0/16", "Tags": [{ "Key": "a", "Value": "1" }] });
        let new = json!({ "CidrBlock": "10.1.0.0/16", "Tags": [{ "Key": "a", "Value": "2" }] });
        let changes = diff_values("Properties", Some(&old), Some(&new));
        assert_eq!(
            paths(&changes),
            ["Properties.CidrBlock", "Properties.Tags[0].Value"]
        );
        assert_eq!(changes[0].old, Some(json!("10.0.0.0/16")));
        assert_eq!(changes[0].new, Some(json!("10.1.0.0/16")));
    }

    #[test]
    fn an_element_inserted_in_an_array_is_one_change() {
        let old = json!(["a", "b", "c"]);
        let new = json!(["a", "x", "b", "c"]);
        let changes = diff_values("L", Some(&old), Some(&new));
        assert_eq!(
            changes,
            [PropertyChange {
                path: "L[1]".into(),
                old: None,
                new: Some(json!("x"))
            }]
        );
    }

    #[test]
    fn added_and_removed_keys_are_reported() {
        let old = json!({ "A": 1, "Gone": true });
        let new = json!({ "A": 1, "Added": "x" });
        let changes = diff_values("", Some(&old), Some(&new));
        assert_eq!(paths(&changes), ["Added", "Gone"]);
        assert_eq!(changes[0].old, None);
        assert_eq!(changes[1].new, None);
    }

    #[test]
    fn intrinsics_are_compared_whole() {
        let old = json!({ "VpcId": { "Ref": "VpcA" } });
        let new = json!({ "VpcId": { "Ref": "VpcB" } });
        let changes = diff_values("", Some(&old), Some(&new));
        assert_eq!(paths(&changes), ["VpcId"]);
        assert_eq!(changes[0].new, Some(json!({ "Ref": "VpcB" })));
    }

    #[test]
    fn keys_with_path_syntax_are_bracketed() {
        assert_eq!(
            join_key("Metadata", "aws:cdk:path"),
            "Metadata.aws:cdk:path"
        );
        assert_eq!(join_key("M", "a.b"), "M[\"a.b\"]");
    }
}
