//! Renderers of an [`AssemblyDiff`]: coloured text for a terminal, Markdown for a pull-request
//! comment, JSON for tools. Each returns a string; the CLI decides where it goes.

mod json;
mod markdown;
mod text;

pub use json::json;
pub use markdown::markdown;
pub use text::text;

use serde_json::Value as Json;

use super::template::Summary;

/// `resources 1 added, 2 modified (1 replaced), 1 removed; 2 other changes`, or
/// `no differences`.
pub(crate) fn counts(summary: &Summary) -> String {
    let mut parts = Vec::new();
    if summary.added > 0 {
        parts.push(format!("{} added", summary.added));
    }
    if summary.modified > 0 {
        let mut replaced = Vec::new();
        if summary.replaced > 0 {
            replaced.push(format!("{} replaced", summary.replaced));
        }
        if summary.maybe_replaced > 0 {
            replaced.push(format!("{} maybe replaced", summary.maybe_replaced));
        }
        let detail = if replaced.is_empty() {
            String::new()
        } else {
            format!(" ({})", replaced.join(", "))
        };
        parts.push(format!("{} modified{detail}", summary.modified));
    }
    if summary.removed > 0 {
        parts.push(format!("{} removed", summary.removed));
    }
    let mut sentences = Vec::new();
    if !parts.is_empty() {
        sentences.push(format!("resources {}", parts.join(", ")));
    }
    if summary.other > 0 {
        sentences.push(format!("{} other change(s)", summary.other));
    }
    if sentences.is_empty() {
        "no differences".to_string()
    } else {
        sentences.join("; ")
    }
}

/// The warnings a reviewer must not miss: data at risk and broadened access.
pub(crate) fn warnings(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    if summary.data_at_risk > 0 {
        out.push(format!(
            "{} resource(s) holding data removed or possibly replaced",
            summary.data_at_risk
        ));
    }
    if summary.broadening > 0 {
        out.push(format!(
            "{} grant(s) of access broadened",
            summary.broadening
        ));
    }
    out
}

/// A value as compact JSON, cut to `max` characters with an ellipsis.
pub(crate) fn compact(value: Option<&Json>, max: usize) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let text = value.to_string();
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
