//! Template validation: findings about a template, whoever wrote it.
//!
//! Runs inside `synth` on every stack (a template with errors is never written) and behind
//! `validate FILE` on any template. Each finding names a rule id (see [`rules::RULES`] and
//! `docs/rules.md`), the logical id and JSON pointer it concerns, and, inside `synth`, the
//! construct path that made the resource; read from a file, also the line and column.
//!
//! The checks, in order: structure and limits; intrinsic functions and references; dependency
//! cycles; properties against the resource schemas, properties that exclude each other and
//! read-only properties; ECS and Fargate; security. Suppressions in
//! resource `Metadata` are applied last.

mod cycles;
mod ecs;
mod exclusions;
pub mod fargate;
mod finding;
mod getatt;
mod lookahead;
mod narrow;
mod parameters;
mod patterns;
mod properties;
mod read_only;
mod references;
pub mod rules;
mod scenarios;
mod security;
pub mod source;
mod structure;
mod suggest;
mod suppress;
mod template_view;

pub use finding::{Finding, Severity};
pub use source::{ParseError, ParsedTemplate};
pub use structure::{BODY_LIMIT, S3_LIMIT};

use serde_json::Value as Json;

use template_view::TemplateView;

/// Every finding about `template`, check by check.
pub fn validate_template(template: &Json) -> Vec<Finding> {
    let view = TemplateView::new(template);
    let names = properties::names_by_type(view.resources().map(|(_, resource)| resource));
    validate_view(&view, &names)
}

/// Every finding about each of several templates, in their order.
///
/// The same as [`validate_template`] on each, but faster: the schema validator of each type is
/// compiled once, narrowed to the property names all the templates use, instead of once per
/// set of names a template uses.
pub fn validate_templates(templates: &[&Json]) -> Vec<Vec<Finding>> {
    let resources = templates
        .iter()
        .filter_map(|t| t.get("Resources")?.as_object())
        .flat_map(|resources| resources.values());
    let names = properties::names_by_type(resources);
    templates
        .iter()
        .map(|t| validate_view(&TemplateView::new(t), &names))
        .collect()
}

/// Every finding about a template, its schema validators narrowed to `names` (property names by
/// type: those of the template, or more).
fn validate_view(view: &TemplateView<'_>, names: &properties::NamesByType<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    structure::check(view, &mut findings);
    let dependencies = references::check(view, &mut findings);
    cycles::check(&dependencies.resources, &mut findings);
    cycles::check_conditions(&dependencies.conditions, &mut findings);
    properties::check(view, names, &mut findings);
    exclusions::check(view, &mut findings);
    read_only::check(view, &mut findings);
    ecs::check(view, &mut findings);
    security::check(view, &mut findings);
    drop_superseded(&mut findings);
    suppress::apply(view, &mut findings);
    findings
}

/// Every finding about a template read from a file, with file, line and column filled in.
///
/// Duplicate keys, which the JSON reader resolves silently, are findings of their own.
pub fn validate_parsed(parsed: &ParsedTemplate, file: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = parsed
        .duplicate_keys
        .iter()
        .map(|pointer| {
            Finding::of(
                "E0000",
                pointer.clone(),
                "the key appears twice in the same object; CloudFormation rejects duplicate keys",
            )
        })
        .collect();
    findings.extend(validate_template(&parsed.template));
    for f in &mut findings {
        f.file = Some(file.to_string());
        f.line_column = parsed.position_of(&f.pointer);
    }
    findings
}

/// A schema finding that a more specific rule also reports at the same place is dropped.
fn drop_superseded(findings: &mut Vec<Finding>) {
    let specific: Vec<String> = findings
        .iter()
        .filter(|f| f.rule == "SC5004")
        .map(|f| f.pointer.clone())
        .collect();
    if !specific.is_empty() {
        findings.retain(|f| !(f.rule == "E3030" && specific.contains(&f.pointer)));
    }
}
