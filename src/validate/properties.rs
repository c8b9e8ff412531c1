//! Resource properties against their type's schema (JSON Schema draft-07 with AWS keywords).
//!
//! Validators are compiled with `jsonschema`, draft 7 pinned (AWS schemas carry `$schema` URIs
//! the crate does not know), once per type and only for the types a template uses, then cached
//! for the rest of the process. A handful of AWS schemas have `pattern`s that are not ECMA-262,
//! which the draft-07 meta-schema check at build time rejects; those patterns are removed one by
//! one until the schema compiles, as cfn-lint patches the same schemas.
//!
//! Values CloudFormation only knows at deploy time are not type-checked: a property holding an
//! intrinsic function or a dynamic reference passes (the intrinsic itself is checked in
//! [`super::references`]). `Fn::If` is resolved for each scenario of its conditions
//! ([`super::scenarios`]), so each branch is checked and reported where it is written, and
//! CloudFormation's own conversions (`"5"` for an integer, `true` for a string) are accepted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, Validator};
use serde_json::{Map, Value as Json};

use super::narrow;
use super::patterns;
use super::references::short;
use super::scenarios::{self, Scenario};
use super::source::escape_pointer;
use super::suggest;
use super::template_view::{contains_deploy_time, is_deploy_time, TemplateView};
use super::Finding;
use crate::schema;

/// Checks the type and properties of every resource, with validators narrowed to `names`, which
/// holds at least the names the template's resources use.
pub(crate) fn check(view: &TemplateView<'_>, names: &NamesByType<'_>, findings: &mut Vec<Finding>) {
    let no_names = BTreeSet::new();
    for (id, resource) in view.resources() {
        let Some(type_name) = resource.get("Type").and_then(Json::as_str) else {
            continue;
        };
        let base = format!("/Resources/{}", escape_pointer(id));
        if is_unchecked_type(type_name, view.has_transform) {
            continue;
        }
        let used = names.get(type_name).unwrap_or(&no_names);
        let Some(validator) = validator(type_name, used) else {
            if schema::is_known_type(type_name) {
                continue;
            }
            findings.push(Finding::of(
                "E3006",
                format!("{base}/Type"),
                format!(
                    "resource type '{type_name}' does not exist in CloudFormation{}",
                    suggest::did_you_mean(type_name, schema::type_names())
                ),
            ));
            continue;
        };
        let empty = Json::Object(Map::new());
        let properties = resource.get("Properties").unwrap_or(&empty);
        let pointer = format!("{base}/Properties");
        let mut seen = HashSet::new();
        for scenario in scenarios::scenarios(view, properties) {
            let resolved = scenarios::resolve_borrowed(properties, &scenario).unwrap_or_default();
            if is_deploy_time(&resolved) {
                continue;
            }
            for e in validator.iter_errors(&resolved) {
                let place = Place {
                    type_name,
                    base: &pointer,
                    properties,
                    scenario: &scenario,
                };
                let Some(finding) = place.finding(&e) else {
                    continue;
                };
                if seen.insert((finding.pointer.clone(), finding.message.clone())) {
                    findings.push(finding);
                }
            }
        }
    }
}

/// Where a schema error of one scenario is: the resource's type and properties, as written.
struct Place<'a> {
    type_name: &'a str,
    /// The pointer of the resource's `Properties`.
    base: &'a str,
    properties: &'a Json,
    scenario: &'a Scenario,
}

impl Place<'_> {
    /// The finding of a schema error, at its place in the template, naming the `Fn::If`
    /// branches it is in.
    fn finding(&self, e: &jsonschema::ValidationError<'_>) -> Option<Finding> {
        // Most errors of a valid template are about values only known at deploy time; they are
        // dropped before the costlier walk that places them in the template as written.
        if is_deploy_time(e.instance().as_ref()) {
            return None;
        }
        let located = scenarios::locate(self.properties, self.scenario, e.instance_path().as_str());
        let mut finding = to_finding(self.type_name, self.base, &located.pointer, e)?;
        if !located.conditions.is_empty() {
            let branches: Vec<String> = located
                .conditions
                .iter()
                .map(|(name, value)| format!("{name} is {value}"))
                .collect();
            finding.message = format!(
                "{} (the Fn::If branch taken when {})",
                finding.message,
                branches.join(" and ")
            );
        }
        Some(finding)
    }
}

/// Types no schema describes: custom resources, and types a transform or macro expands.
fn is_unchecked_type(type_name: &str, has_transform: bool) -> bool {
    type_name.starts_with("Custom::")
        || type_name.ends_with("::MODULE")
        || (has_transform && !schema::is_known_type(type_name))
}

/// Property names by resource type.
pub(super) type NamesByType<'a> = BTreeMap<&'a str, BTreeSet<String>>;

/// Every name used in the properties of the given resources, by type.
pub(super) fn names_by_type<'a>(resources: impl Iterator<Item = &'a Json>) -> NamesByType<'a> {
    let mut names: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for resource in resources {
        let Some(type_name) = resource.get("Type").and_then(Json::as_str) else {
            continue;
        };
        let set = names.entry(type_name).or_default();
        if let Some(properties) = resource.get("Properties") {
            narrow::collect_names(properties, set);
        }
    }
    names
}

/// A compiled validator of a type, and the property names its schema was narrowed to.
type Compiled = (BTreeSet<String>, Option<Arc<Validator>>);

/// A validator of a type for resources using only the property names `used`: one compiled
/// earlier for a superset of them, or one compiled now from the schema narrowed to them. `None`
/// for an unknown type.
fn validator(type_name: &str, used: &BTreeSet<String>) -> Option<Arc<Validator>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<Compiled>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let cached = cache.lock().ok()?.get(type_name).and_then(|compiled| {
        compiled
            .iter()
            .find(|(names, _)| names.is_superset(used))
            .map(|(_, validator)| validator.clone())
    });
    if let Some(validator) = cached {
        return validator;
    }
    // Should a narrowed schema not compile, the whole one still checks every property.
    let compiled = schema::resource(type_name).and_then(|s| {
        compile(&narrow::narrow(s.layout(), s.text(), used))
            .or_else(|| compile(s.raw()))
            .map(Arc::new)
    });
    cache
        .lock()
        .ok()?
        .entry(type_name.to_string())
        .or_default()
        .push((used.clone(), compiled.clone()));
    compiled
}

/// Compiles a schema, removing the `pattern`s the draft-07 meta-schema rejects.
fn compile(raw: &Json) -> Option<Validator> {
    // Most schemas compile as they are; only one that does not is copied and patched.
    let mut patched: Option<Json> = None;
    for _ in 0..64 {
        let schema = patched.as_ref().unwrap_or(raw);
        let e = match patterns::options().build(schema) {
            Ok(v) => return Some(v),
            Err(e) => e,
        };
        let at = e.instance_path().as_str().to_string();
        let schema = patched.get_or_insert_with(|| raw.clone());
        let fixed = if e.schema_path().as_str().ends_with("propertyNames/format") {
            rename_pattern_keys(schema, &at)
        } else {
            remove_pattern(schema, &at)
        };
        if !fixed {
            return None;
        }
    }
    None
}

/// Replaces the `patternProperties` keys that are not ECMA-262 regexes by ones matching any name.
fn rename_pattern_keys(schema: &mut Json, pointer: &str) -> bool {
    let Some(Json::Object(map)) = schema.pointer_mut(pointer) else {
        return false;
    };
    let is_regex = |key: &str| {
        jsonschema::draft7::options()
            .build(&serde_json::json!({ "pattern": key }))
            .is_ok()
    };
    let bad: Vec<String> = map.keys().filter(|k| !is_regex(k)).cloned().collect();
    for (i, key) in bad.iter().enumerate() {
        if let Some(value) = map.remove(key) {
            map.insert(format!("(?:{i})?.*"), value);
        }
    }
    !bad.is_empty()
}

/// Removes the `pattern` at (or nearest above) `pointer`; false when there is none.
fn remove_pattern(schema: &mut Json, pointer: &str) -> bool {
    let mut p = pointer.to_string();
    loop {
        let target = if p.ends_with("/pattern") {
            p.trim_end_matches("/pattern").to_string()
        } else {
            p.clone()
        };
        if let Some(Json::Object(map)) = schema.pointer_mut(&target) {
            if map.remove("pattern").is_some() {
                return true;
            }
        }
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => return false,
        }
    }
}

/// True when CloudFormation converts `value` to one of `types` itself.
fn converts_to(value: &Json, types: &[JsonType]) -> bool {
    types.iter().any(|t| match (t, value) {
        (JsonType::String, Json::Number(_) | Json::Bool(_)) => true,
        (JsonType::Integer, Json::String(s)) => s.trim().parse::<i64>().is_ok(),
        (JsonType::Number, Json::String(s)) => s.trim().parse::<f64>().is_ok(),
        (JsonType::Boolean, Json::String(s)) => {
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
        }
        _ => false,
    })
}

/// The finding of a schema error; `at` is its pointer under `base`, in the template as written.
fn to_finding(
    type_name: &str,
    base: &str,
    at: &str,
    e: &jsonschema::ValidationError<'_>,
) -> Option<Finding> {
    let instance = e.instance().as_ref();
    let path = e.instance_path().as_str();
    let pointer = format!("{base}{at}");
    let property = if path.is_empty() {
        type_name.to_string()
    } else {
        format!("property '{}'", path.trim_start_matches('/'))
    };
    let combinator = matches!(
        e.kind(),
        ValidationErrorKind::AnyOf { .. }
            | ValidationErrorKind::OneOfMultipleValid { .. }
            | ValidationErrorKind::OneOfNotValid { .. }
    );
    if let Some(branches) = combinator
        .then(|| presence_branches(type_name, e.schema_path().as_str()))
        .flatten()
    {
        let (rule, message) = presence_finding(&property, instance, &branches, e.kind());
        return Some(Finding::of(rule, pointer, message));
    }
    let (rule, message) = match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let unexpected: Vec<&String> = unexpected
                .iter()
                .filter(|k| !k.starts_with("Fn::"))
                .collect();
            let name = unexpected.first()?;
            let known = known_properties(type_name, e.schema_path().as_str());
            let hint = suggest::did_you_mean(name, known.iter().map(String::as_str));
            let where_ = if path.is_empty() {
                type_name.to_string()
            } else {
                format!("'{}' of {type_name}", path.trim_start_matches('/'))
            };
            return Some(Finding::of(
                "E3002",
                format!("{pointer}/{}", escape_pointer(name)),
                format!("unknown property '{name}' of {where_}{hint}"),
            ));
        }
        ValidationErrorKind::Required { property: missing } => {
            let name = missing.as_str().unwrap_or_default();
            let of = if path.is_empty() {
                String::new()
            } else {
                format!(" in '{}'", path.trim_start_matches('/'))
            };
            (
                "E3003",
                format!("{type_name} needs the property '{name}'{of}"),
            )
        }
        ValidationErrorKind::Type { kind } => {
            let types: Vec<JsonType> = match kind {
                TypeKind::Single(t) => vec![*t],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            if converts_to(instance, &types) {
                return None;
            }
            let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            (
                "E3012",
                format!(
                    "{property} must be of type {}, got {}",
                    names.join(" or "),
                    short(instance)
                ),
            )
        }
        ValidationErrorKind::Enum { options } => {
            if let (Json::Number(_) | Json::Bool(_), Some(opts)) = (instance, options.as_array()) {
                let text = instance.to_string();
                if opts.iter().any(|o| o.as_str() == Some(text.as_str())) {
                    return None;
                }
            }
            if let (Json::String(s), Some(opts)) = (instance, options.as_array()) {
                if opts
                    .iter()
                    .any(|o| o.as_number().is_some_and(|n| n.to_string() == *s))
                {
                    return None;
                }
            }
            (
                "E3030",
                format!(
                    "{property} is {}, which is not one of the allowed values {}",
                    short(instance),
                    short(options)
                ),
            )
        }
        ValidationErrorKind::Constant { expected_value } => (
            "E3030",
            format!(
                "{property} must be {}, got {}",
                short(expected_value),
                short(instance)
            ),
        ),
        ValidationErrorKind::Pattern { pattern } => (
            "E3031",
            format!(
                "{property} is {}, which does not match the pattern {pattern}",
                short(instance)
            ),
        ),
        ValidationErrorKind::MinItems { limit } => (
            "E3032",
            format!(
                "{property} needs at least {limit} item(s), got {}",
                len(instance)
            ),
        ),
        ValidationErrorKind::MaxItems { limit } => (
            "E3032",
            format!(
                "{property} takes at most {limit} item(s), got {}",
                len(instance)
            ),
        ),
        ValidationErrorKind::MinLength { limit } => (
            "E3033",
            format!(
                "{property} is {}, shorter than the minimum length {limit}",
                short(instance)
            ),
        ),
        ValidationErrorKind::MaxLength { limit } => (
            "E3033",
            format!(
                "{property} is {} characters, longer than the maximum length {limit}",
                instance.as_str().map_or(0, |s| s.chars().count())
            ),
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => (
            "E3034",
            format!("{property} is {instance}, below the minimum {limit}"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => (
            "E3034",
            format!("{property} is {instance}, above the maximum {limit}"),
        ),
        ValidationErrorKind::UniqueItems => (
            "E3037",
            format!("{property} has duplicate items: {}", short(instance)),
        ),
        ValidationErrorKind::BacktrackLimitExceeded { .. }
        | ValidationErrorKind::RegexEngineFailure { .. }
        | ValidationErrorKind::Format { .. }
        | ValidationErrorKind::Referencing(_) => return None,
        kind => {
            if contains_deploy_time(instance) || contains_conversions(instance) {
                return None;
            }
            let rule = match kind {
                ValidationErrorKind::OneOfMultipleValid { .. }
                | ValidationErrorKind::OneOfNotValid { .. } => "E3018",
                ValidationErrorKind::AnyOf { .. } => "E3017",
                ValidationErrorKind::Not { .. } => "E3020",
                _ => "E3012",
            };
            (rule, format!("{property}: {e}"))
        }
    };
    Some(Finding::of(rule, pointer, message))
}

/// The property names each branch of the `anyOf`/`oneOf` at `schema_path` requires, when the
/// branches ask for nothing else: whether such a branch matches depends only on which properties
/// are set, never on values CloudFormation resolves or converts at deploy time.
fn presence_branches(type_name: &str, schema_path: &str) -> Option<Vec<Vec<String>>> {
    let schema = schema::resource(type_name)?;
    let branches = schema.raw().pointer(schema_path)?.as_array()?;
    branches
        .iter()
        .map(|branch| {
            let map = branch.as_object()?;
            let only_required = map.keys().all(|k| {
                matches!(
                    k.as_str(),
                    "required" | "description" | "$comment" | "title"
                )
            });
            let required = map.get("required")?.as_array()?;
            only_required.then(|| {
                required
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
        })
        .collect()
}

/// The finding of an `anyOf` or `oneOf` over which properties are set.
fn presence_finding(
    property: &str,
    instance: &Json,
    branches: &[Vec<String>],
    kind: &ValidationErrorKind,
) -> (&'static str, String) {
    let alternatives: Vec<String> = branches.iter().map(|b| b.join(" with ")).collect();
    let alternatives = alternatives.join(", ");
    let is_set = |name: &String| instance.get(name).is_some();
    let matched: Vec<String> = branches
        .iter()
        .filter(|b| b.iter().all(is_set))
        .map(|b| b.join(" with "))
        .collect();
    match kind {
        ValidationErrorKind::AnyOf { .. } => (
            "E3017",
            format!("{property} needs at least one of: {alternatives}; none is set"),
        ),
        ValidationErrorKind::OneOfMultipleValid { .. } => (
            "E3018",
            format!(
                "{property} sets {}, but takes exactly one of: {alternatives}",
                matched.join(" and ")
            ),
        ),
        _ => (
            "E3018",
            format!("{property} needs exactly one of: {alternatives}; none is set"),
        ),
    }
}

/// True when a value holds strings CloudFormation may convert (numbers or booleans as text):
/// branch-matching keywords (`oneOf`, `anyOf`) can fail on those without the template being wrong.
fn contains_conversions(value: &Json) -> bool {
    match value {
        Json::String(s) => s.parse::<f64>().is_ok() || s == "true" || s == "false",
        Json::Number(_) | Json::Bool(_) => true,
        Json::Array(items) => items.iter().any(contains_conversions),
        Json::Object(map) => map.values().any(contains_conversions),
        Json::Null => false,
    }
}

fn len(value: &Json) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// The property names of the schema object whose `additionalProperties` failed.
fn known_properties(type_name: &str, schema_path: &str) -> Vec<String> {
    let Some(schema) = schema::resource(type_name) else {
        return Vec::new();
    };
    let parent = schema_path.trim_end_matches("/additionalProperties");
    schema
        .raw()
        .pointer(&format!("{parent}/properties"))
        .and_then(Json::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_schema_compiles() {
        let failing: Vec<&str> = schema::type_names()
            .filter(|t| schema::resource(t).and_then(|s| compile(s.raw())).is_none())
            .collect();
        assert!(failing.is_empty(), "{failing:?}");
    }

    fn findings(template: &Json) -> Vec<Finding> {
        let view = TemplateView::new(template);
        let names = names_by_type(view.resources().map(|(_, resource)| resource));
        let mut findings = Vec::new();
        check(&view, &names, &mut findings);
        findings
    }

    #[test]
    fn a_literal_branch_of_the_wrong_type_is_reported_at_the_branch() {
        let template = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
            "DelaySeconds": {"Fn::If": ["IsProd", {"Ref": "Delay"}, "none"]},
            "VisibilityTimeout": {"Fn::If": ["IsProd", 300, "five minutes"]}}}}});
        let found = findings(&template);
        let pointers: Vec<&str> = found.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/Resources/Queue/Properties/DelaySeconds/Fn::If/2",
                "/Resources/Queue/Properties/VisibilityTimeout/Fn::If/2"
            ],
            "{found:?}"
        );
        assert!(found.iter().all(|f| f.rule == "E3012"));
        assert!(
            found[1].message.contains("\"five minutes\"")
                && found[1]
                    .message
                    .ends_with("(the Fn::If branch taken when IsProd is false)"),
            "{}",
            found[1]
        );
    }

    #[test]
    fn a_branch_inside_a_branch_and_whole_properties_under_fn_if_are_checked() {
        let template = json!({"Resources": {
            "Nested": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": {"Fn::If": [
                "A", {"Fn::If": ["B", 5, "later"]}, 0]}}},
            "Whole": {"Type": "AWS::SQS::Queue", "Properties": {"Fn::If": [
                "A", {"DelaySeconds": 5}, {"DelaySeconds": [5]}]}}}});
        let pointers: Vec<String> = findings(&template).into_iter().map(|f| f.pointer).collect();
        assert_eq!(
            pointers,
            vec![
                "/Resources/Nested/Properties/DelaySeconds/Fn::If/1/Fn::If/2",
                "/Resources/Whole/Properties/Fn::If/2/DelaySeconds"
            ]
        );
    }

    #[test]
    fn which_properties_are_set_is_judged_whatever_their_values() {
        let template = json!({"Resources": {
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "read", "PolicyDocument": {"Statement": [{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}]}}},
            "Record": {"Type": "AWS::Route53::RecordSet", "Properties": {
                "HostedZoneId": {"Ref": "Zone"}, "HostedZoneName": "example.com.",
                "Name": "api.example.com.", "Type": "A", "TTL": "300",
                "ResourceRecords": ["192.0.2.1"]}}}});
        let found: Vec<(&str, String)> = findings(&template)
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "E3017",
                    "AWS::IAM::Policy needs at least one of: Users, Groups, Roles; none is set"
                        .to_string()
                ),
                (
                    "E3018",
                    "AWS::Route53::RecordSet sets HostedZoneId and HostedZoneName, but takes \
                     exactly one of: HostedZoneId, HostedZoneName"
                        .to_string()
                )
            ]
        );
    }

    #[test]
    fn list_items_removed_by_no_value_do_not_shift_the_pointer() {
        let template = json!({"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Role": "arn:aws:iam::123456789012:role/fn", "Code": {"ZipFile": "x"},
            "Architectures": [{"Fn::If": ["Arm", "arm64", {"Ref": "AWS::NoValue"}]}, "sparc"]}}}});
        let found = findings(&template);
        assert!(
            found
                .iter()
                .any(|f| f.pointer == "/Resources/Fn/Properties/Architectures/1"
                    && f.rule == "E3030"),
            "{found:?}"
        );
    }
}
