//! The Parameters section: names, keys and types, the bounds a parameter sets (`MinValue` and
//! `MaxValue`, `MinLength` and `MaxLength`), and its `Default` against its type, bounds and
//! `AllowedValues`.

use serde_json::{Map, Value as Json};

use super::references::short;
use super::source::escape_pointer;
use super::suggest;
use super::template_view::{as_number, TemplateView};
use super::Finding;

const PARAMETER_KEYS: [&str; 11] = [
    "Type",
    "Default",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "Description",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "NoEcho",
];

const PARAMETER_TYPES: [&str; 6] = [
    "String",
    "Number",
    "List<Number>",
    "CommaDelimitedList",
    "AWS::SSM::Parameter::Name",
    "AWS::SSM::Parameter::Value<String>",
];

/// Checks every parameter: its name, keys and Type, its bounds, and its Default against them.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let Some(parameters) = view.parameters else {
        return;
    };
    super::structure::at_most_200(
        parameters.len(),
        "E2010",
        ("/Parameters", "parameters"),
        findings,
    );
    for (id, parameter) in parameters {
        let base = format!("/Parameters/{}", escape_pointer(id));
        super::structure::logical_id("E2011", "parameter", id, &base, findings);
        let Some(map) = parameter.as_object() else {
            findings.push(Finding::of(
                "E2001",
                base,
                format!("a parameter must be an object, got {}", short(parameter)),
            ));
            continue;
        };
        for key in map.keys() {
            if !PARAMETER_KEYS.contains(&key.as_str()) {
                findings.push(Finding::of(
                    "E2001",
                    format!("{base}/{}", escape_pointer(key)),
                    format!(
                        "'{key}' is not a parameter key{}",
                        suggest::did_you_mean(key, PARAMETER_KEYS.into_iter())
                    ),
                ));
            }
        }
        match map.get("Type") {
            None => findings.push(Finding::of(
                "E2001",
                base.clone(),
                format!("parameter '{id}' has no Type"),
            )),
            Some(Json::String(t)) if is_parameter_type(t) => {}
            Some(other) => findings.push(Finding::of(
                "E2002",
                format!("{base}/Type"),
                format!(
                    "parameter Type {} is not one CloudFormation supports (String, Number, \
                     List<Number>, CommaDelimitedList, AWS-specific and SSM types)",
                    short(other)
                ),
            )),
        }
        constraints(map, &base, findings);
    }
}

fn is_parameter_type(t: &str) -> bool {
    PARAMETER_TYPES.contains(&t)
        || t.starts_with("AWS::EC2::")
        || t.starts_with("AWS::Route53::")
        || t.starts_with("List<AWS::EC2::")
        || t.starts_with("List<AWS::Route53::")
        || t.starts_with("AWS::SSM::Parameter::Value<")
}

/// Checks a parameter's bounds against each other, and its `Default` against its Type,
/// `AllowedValues` and bounds.
fn constraints(map: &Map<String, Json>, base: &str, findings: &mut Vec<Finding>) {
    let ty = map.get("Type").and_then(Json::as_str).unwrap_or_default();
    let (min_value, max_value) = bounds(map, ("MinValue", "MaxValue"), base, findings);
    let (min_length, max_length) = bounds(map, ("MinLength", "MaxLength"), base, findings);
    let text = |v: &Json| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let default = match map.get("Default") {
        Some(value @ (Json::String(_) | Json::Number(_))) => text(value),
        _ => return,
    };
    // A list type's Default is a comma-separated string (SSM list types included).
    let items: Vec<&str> = if ty.contains("List") {
        default.split(',').map(str::trim).collect()
    } else {
        vec![default.as_str()]
    };
    let numeric = ty == "Number" || ty == "List<Number>";
    let mut report = |message: String| {
        findings.push(Finding::of("E2015", format!("{base}/Default"), message));
    };
    for item in items {
        if let Some(Json::Array(allowed)) = map.get("AllowedValues") {
            if !allowed.iter().any(|a| text(a) == item) {
                report(format!(
                    "default '{item}' is not one of the AllowedValues {}",
                    short(&Json::Array(allowed.clone()))
                ));
            }
        }
        if numeric {
            let Some(n) = item.parse::<f64>().ok().filter(|n| n.is_finite()) else {
                report(format!(
                    "default '{item}' is not a number, which Type {ty} needs"
                ));
                continue;
            };
            if min_value.is_some_and(|min| n < min) || max_value.is_some_and(|max| n > max) {
                report(format!(
                    "default {item} is outside the parameter's range: {}",
                    range(min_value, max_value, "MinValue", "MaxValue")
                ));
            }
        } else if ty == "String" {
            // Only a plain String's Default is the value itself (an SSM type's is a key).
            let len = item.chars().count() as f64;
            if min_length.is_some_and(|min| len < min) || max_length.is_some_and(|max| len > max) {
                report(format!(
                    "default '{item}' has {len} characters, outside the parameter's length: {}",
                    range(min_length, max_length, "MinLength", "MaxLength")
                ));
            }
        }
    }
}

/// The bounds `(min_key, max_key)` of a parameter, each a number when given; reports a bound
/// that is not a number and a minimum above the maximum (no value could be given).
fn bounds(
    map: &Map<String, Json>,
    (min_key, max_key): (&str, &str),
    base: &str,
    findings: &mut Vec<Finding>,
) -> (Option<f64>, Option<f64>) {
    let mut bound = |key: &str| {
        let value = map.get(key)?;
        let n = as_number(value).filter(|n| n.is_finite());
        if n.is_none() {
            findings.push(Finding::of(
                "E2001",
                format!("{base}/{key}"),
                format!("{key} is {}; it is a number", short(value)),
            ));
        }
        n
    };
    let (min, max) = (bound(min_key), bound(max_key));
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            findings.push(Finding::of(
                "E2001",
                format!("{base}/{min_key}"),
                format!("{min_key} {lo} is above {max_key} {hi}: no value could be given"),
            ));
        }
    }
    (min, max)
}

/// A range as the parameter sets it, for messages: `MinValue 1 to MaxValue 10`.
fn range(min: Option<f64>, max: Option<f64>, min_key: &str, max_key: &str) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{min_key} {lo} to {max_key} {hi}"),
        (Some(lo), None) => format!("{min_key} {lo}"),
        (None, Some(hi)) => format!("{max_key} {hi}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn findings(parameters: Json) -> Vec<Finding> {
        let template = json!({
            "Parameters": parameters,
            "Resources": { "Queue": { "Type": "AWS::SQS::Queue" } }
        });
        let view = TemplateView::new(&template);
        let mut findings = Vec::new();
        check(&view, &mut findings);
        findings
    }

    fn messages(parameters: Json) -> Vec<String> {
        findings(parameters)
            .into_iter()
            .map(|f| format!("{} {} {}", f.rule, f.pointer, f.message))
            .collect()
    }

    #[test]
    fn a_number_default_is_a_number_within_the_range() {
        let found = messages(json!({
            "Word": { "Type": "Number", "Default": "abc" },
            "Big": { "Type": "Number", "Default": 11, "MinValue": 1, "MaxValue": "10" },
            "Sizes": { "Type": "List<Number>", "Default": "1, x" },
            "Fine": { "Type": "Number", "Default": "2.5", "MinValue": 1, "MaxValue": 10 },
        }));
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0].starts_with("E2015 /Parameters/Word/Default default 'abc' is not a number")
        );
        assert!(found[1]
            .contains("default 11 is outside the parameter's range: MinValue 1 to MaxValue 10"));
        assert!(found[2].contains("default 'x' is not a number"));
    }

    #[test]
    fn a_string_default_has_the_length_allowed() {
        let found = messages(json!({
            "Name": { "Type": "String", "Default": "abcdef", "MaxLength": 5 },
            "Fine": { "Type": "String", "Default": "héllo", "MinLength": 5, "MaxLength": 5 },
        }));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("has 6 characters, outside the parameter's length: MaxLength 5"));
    }

    #[test]
    fn bounds_are_numbers_and_in_order() {
        let found = messages(json!({
            "Range": { "Type": "Number", "MinValue": 10, "MaxValue": 5 },
            "Odd": { "Type": "String", "MinLength": "many" },
        }));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].contains("E2001 /Parameters/Range/MinValue MinValue 10 is above MaxValue 5")
        );
        assert!(found[1].contains("E2001 /Parameters/Odd/MinLength MinLength is \"many\""));
    }
}
