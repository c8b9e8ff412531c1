//! Template validation: findings about a template, whoever wrote it.
//!
//! Runs inside `synth` on every stack (a template with errors is never written) and behind
//! `validate FILE` on any template. Each finding names a rule id, the logical id and JSON pointer
//! it concerns, and, inside `synth`, the construct path that made the resource.

mod finding;
mod references;
pub mod source;

pub use finding::{Finding, Severity};

use serde_json::Value as Json;

/// Every finding about `template`, in template order.
pub fn validate_template(template: &Json) -> Vec<Finding> {
    let mut findings = Vec::new();
    references::check(template, &mut findings);
    findings
}
