//! Suppressions: a resource may silence a rule through its `Metadata`, with a written reason.
//!
//! ```json
//! "Metadata": {
//!   "stackcraft": { "suppress": [{ "rule": "SC5001", "reason": "public bastion, see ADR 7" }] }
//! }
//! ```
//!
//! cfn-lint's own `Metadata.cfn-lint.config.ignore_checks` (ids or id prefixes) is honoured too,
//! for the rules both tools share, once a reason is written for it under
//! `Metadata.stackcraft.reasons` (`{"W2501": "why"}`): cfn-lint's configuration has no place
//! for one. A suppressed finding stays in the report with its reason and no longer fails.

use serde_json::Value as Json;

use super::references::short;
use super::source::escape_pointer;
use super::template_view::TemplateView;
use super::Finding;

/// The suppressions one resource declares.
struct Suppressions<'a> {
    /// (rule, reason) pairs from `Metadata.stackcraft.suppress`.
    own: Vec<(&'a str, &'a str)>,
    /// Rule ids or prefixes from cfn-lint's `ignore_checks`.
    cfn_lint: Vec<&'a str>,
    /// Reasons for cfn-lint's entries, from `Metadata.stackcraft.reasons`.
    reasons: Option<&'a serde_json::Map<String, Json>>,
}

/// Marks the findings a resource suppresses; reports suppressions without a reason.
pub(crate) fn apply(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let mut invalid = Vec::new();
    for f in findings.iter_mut() {
        let Some(id) = f.logical_id.as_deref() else {
            continue;
        };
        if !f.pointer.starts_with("/Resources/") {
            continue;
        }
        let Some(metadata) = view.resource(id).and_then(|r| r.get("Metadata")) else {
            continue;
        };
        let s = read(metadata);
        if let Some((_, reason)) = s.own.iter().find(|(rule, _)| *rule == f.rule) {
            f.suppressed = Some((*reason).to_string());
            continue;
        }
        if s.cfn_lint.iter().any(|prefix| f.rule.starts_with(prefix)) {
            match s
                .reasons
                .and_then(|r| r.get(f.rule))
                .and_then(Json::as_str)
                .filter(|r| !r.trim().is_empty())
            {
                Some(reason) => f.suppressed = Some(reason.to_string()),
                None => {
                    f.message.push_str(&format!(
                        " (cfn-lint's ignore_checks names this rule, but stackcraft suppresses \
                         it only with a reason: add \"stackcraft\": {{\"reasons\": {{\"{}\": \
                         \"...\"}}}} to the resource's Metadata)",
                        f.rule
                    ));
                }
            }
        }
    }
    for (id, resource) in view.resources() {
        let Some(suppress) = resource.pointer("/Metadata/stackcraft/suppress") else {
            continue;
        };
        let base = format!(
            "/Resources/{}/Metadata/stackcraft/suppress",
            escape_pointer(id)
        );
        let Some(entries) = suppress.as_array() else {
            invalid.push(Finding::of(
                "SC0001",
                base,
                format!(
                    "suppress is a list of {{\"rule\": \"<id>\", \"reason\": \"<why>\"}}, \
                     got {}",
                    short(suppress)
                ),
            ));
            continue;
        };
        for (i, entry) in entries.iter().enumerate() {
            let rule = entry["rule"].as_str().unwrap_or_default();
            let reason = entry["reason"].as_str().unwrap_or_default();
            if !rule.is_empty() && super::rules::rule(rule).is_none() {
                invalid.push(Finding::of(
                    "SC0001",
                    format!("{base}/{i}/rule"),
                    format!(
                        "'{rule}' is not a rule of stackcraft, so this suppresses nothing{} \
                         (docs/rules.md lists them)",
                        super::suggest::did_you_mean(
                            rule,
                            super::rules::RULES.iter().map(|r| r.id)
                        )
                    ),
                ));
            }
            if rule.is_empty() || reason.trim().is_empty() {
                invalid.push(Finding::of(
                    "SC0001",
                    format!("{base}/{i}"),
                    format!(
                        "a suppression needs {{\"rule\": \"<id>\", \"reason\": \"<why>\"}} with \
                         a written reason, got {entry}"
                    ),
                ));
            }
        }
    }
    findings.extend(invalid);
}

fn read(metadata: &Json) -> Suppressions<'_> {
    let own = metadata
        .pointer("/stackcraft/suppress")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let rule = e["rule"].as_str()?;
            let reason = e["reason"].as_str().filter(|r| !r.trim().is_empty())?;
            Some((rule, reason))
        })
        .collect();
    let cfn_lint = metadata
        .pointer("/cfn-lint/config/ignore_checks")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    Suppressions {
        own,
        cfn_lint,
        reasons: metadata
            .pointer("/stackcraft/reasons")
            .and_then(Json::as_object),
    }
}
