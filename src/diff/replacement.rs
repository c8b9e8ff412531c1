//! Whether a change replaces the resource, decided offline from the resource schema.
//!
//! CloudFormation replaces a resource (creates a new one, then deletes the old) when one of its
//! `createOnlyProperties` changes. The schema lists them, so the classification needs no AWS
//! call. When the new value is an intrinsic that only resolves at deploy time (a `Ref`, an
//! `Fn::GetAtt`, ...), it may or may not differ from the deployed value: that is `Conditional`.
//! So is a change of one of the `conditionalCreateOnlyProperties`, which replace the resource
//! only under some settings (a database's `Engine` or `MultiAZ`, say).

use std::fmt;

use serde::Serialize;
use serde_json::Value as Json;

use super::value::{is_intrinsic, PropertyChange};
use crate::schema;

/// Whether deploying a change replaces the resource, in CloudFormation's terms.
///
/// Ordered by severity, so the replacement of a resource is the maximum over its changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Replacement {
    /// The resource is updated in place.
    #[default]
    False,
    /// The resource is replaced if a value that resolves at deploy time differs.
    Conditional,
    /// The resource is replaced: a new physical resource is created and the old one deleted.
    True,
}

impl fmt::Display for Replacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Replacement::False => "False",
            Replacement::Conditional => "Conditional",
            Replacement::True => "True",
        })
    }
}

/// Classifies one change of a resource of `type_name`.
///
/// `change.path` is relative to the resource (`Properties.CidrBlock`); changes outside
/// `Properties` (metadata, `DependsOn`, policies) never replace. `new_properties` is the
/// resource's `Properties` after the change, used to tell whether the create-only property now
/// holds an unresolved intrinsic. Types without a schema (custom resources) are never replaced.
pub fn classify(type_name: &str, change: &PropertyChange, new_properties: &Json) -> Replacement {
    let Some(schema) = schema::resource(type_name) else {
        return Replacement::False;
    };
    let mut segments = path_segments(&change.path);
    if segments.first().map(String::as_str) != Some("Properties") {
        return Replacement::False;
    }
    segments.remove(0);
    let always = schema.create_only.iter().map(|p| (p, Replacement::True));
    let sometimes = schema
        .conditional_create_only
        .iter()
        .map(|p| (p, Replacement::Conditional));
    let mut result = Replacement::False;
    for (create_only, at_most) in always.chain(sometimes) {
        let property: Vec<&str> = create_only.split('.').filter(|s| *s != "*").collect();
        let new_values = if starts_with(&segments, &property) {
            // The change is the create-only property or lies inside it.
            values_at(new_properties, &property)
        } else if starts_with(&property, &segments) {
            // The change adds, removes or rewrites a value that holds the property.
            let rest = &property[segments.len()..];
            let old = change
                .old
                .as_ref()
                .map_or(Vec::new(), |v| values_at(v, rest));
            let new = change
                .new
                .as_ref()
                .map_or(Vec::new(), |v| values_at(v, rest));
            if old == new {
                continue;
            }
            new
        } else {
            continue;
        };
        let resolved_later = change.new.as_ref().is_some_and(is_intrinsic)
            || new_values.iter().any(|v| is_intrinsic(v));
        let this = if change.new.is_some() && resolved_later {
            Replacement::Conditional
        } else {
            Replacement::True
        };
        result = result.max(this.min(at_most));
    }
    result
}

/// True when `path` starts with every segment of `prefix`.
fn starts_with<A: AsRef<str>, B: AsRef<str>>(path: &[A], prefix: &[B]) -> bool {
    prefix.len() <= path.len()
        && path
            .iter()
            .zip(prefix)
            .all(|(a, b)| a.as_ref() == b.as_ref())
}

/// Every value at a path of object keys, looking into each element of the arrays on the way
/// (`Policies.PolicyArn` finds the `PolicyArn` of every policy).
fn values_at<'a>(value: &'a Json, path: &[&str]) -> Vec<&'a Json> {
    match (value, path.split_first()) {
        (_, None) => vec![value],
        (Json::Array(items), Some(_)) => items.iter().flat_map(|v| values_at(v, path)).collect(),
        (Json::Object(map), Some((key, rest))) => {
            map.get(*key).map_or(Vec::new(), |v| values_at(v, rest))
        }
        _ => Vec::new(),
    }
}

/// The object keys of a change path, without array indices: `Properties.Tags[0].Key` gives
/// `Properties`, `Tags`, `Key`.
pub(crate) fn path_segments(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(bracketed) = rest.strip_prefix('[') {
            let end = if bracketed.starts_with('"') {
                let close = closing_quote(bracketed);
                let quoted = bracketed.get(..=close).unwrap_or(bracketed);
                if let Ok(Json::String(key)) = serde_json::from_str(quoted) {
                    segments.push(key);
                }
                close + 1
            } else {
                bracketed.find(']').unwrap_or(bracketed.len())
            };
            rest = bracketed.get(end + 1..).unwrap_or_default();
        } else {
            let rest_key = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_key.find(['.', '[']).unwrap_or(rest_key.len());
            segments.push(rest_key[..end].to_string());
            rest = &rest_key[end..];
        }
    }
    segments
}

/// The index of the quote closing a JSON string that starts at index 0.
fn closing_quote(s: &str) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return i,
            _ => escaped = false,
        }
    }
    s.len() - 1
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(path: &str, new: Option<Json>) -> PropertyChange {
        PropertyChange {
            path: path.into(),
            old: Some(json!("old")),
            new,
        }
    }

    #[test]
    fn a_create_only_property_replaces_the_resource() {
        let c = change("Properties.CidrBlock", Some(json!("10.1.0.0/16")));
        let props = json!({ "CidrBlock": "10.1.0.0/16" });
        assert_eq!(classify("AWS::EC2::VPC", &c, &props), Replacement::True);
    }

    #[test]
    fn an_unresolved_intrinsic_makes_it_conditional() {
        let new = json!({ "Ref": "CidrParameter" });
        let c = change("Properties.CidrBlock", Some(new.clone()));
        let props = json!({ "CidrBlock": new });
        assert_eq!(
            classify("AWS::EC2::VPC", &c, &props),
            Replacement::Conditional
        );
    }

    #[test]
    fn a_conditionally_create_only_property_may_replace() {
        let c = change("Properties.Engine", Some(json!("postgres")));
        let props = json!({ "Engine": "postgres" });
        assert_eq!(
            classify("AWS::RDS::DBInstance", &c, &props),
            Replacement::Conditional
        );
        let c = change("Properties.DBInstanceClass", Some(json!("db.t3.small")));
        assert_eq!(
            classify("AWS::RDS::DBInstance", &c, &props),
            Replacement::False
        );
    }

    #[test]
    fn a_mutable_property_updates_in_place() {
        let c = change("Properties.EnableDnsHostnames", Some(json!(false)));
        let props = json!({ "EnableDnsHostnames": false });
        assert_eq!(classify("AWS::EC2::VPC", &c, &props), Replacement::False);
    }

    #[test]
    fn a_change_inside_a_create_only_object_replaces() {
        let c = change(
            "Properties.ContainerDefinitions[0].Image",
            Some(json!("nginx:2")),
        );
        let props = json!({ "ContainerDefinitions": [{ "Image": "nginx:2" }] });
        assert_eq!(
            classify("AWS::ECS::TaskDefinition", &c, &props),
            Replacement::True
        );
    }

    #[test]
    fn removing_a_create_only_property_replaces() {
        let c = change("Properties.AvailabilityZone", None);
        assert_eq!(
            classify("AWS::EC2::Subnet", &c, &json!({})),
            Replacement::True
        );
    }

    #[test]
    fn adding_an_object_replaces_only_when_it_holds_a_create_only_property() {
        let holds = PropertyChange {
            path: "Properties.Policies".into(),
            old: None,
            new: Some(json!([{ "PolicyArn": "arn:x" }])),
        };
        let props = json!({ "Policies": [{ "PolicyArn": "arn:x" }] });
        assert_eq!(
            classify("AWS::MPA::ApprovalTeam", &holds, &props),
            Replacement::True
        );
        let whole = PropertyChange {
            path: "Properties".into(),
            old: None,
            new: Some(json!({ "EnableDnsHostnames": true })),
        };
        let props = json!({ "EnableDnsHostnames": true });
        assert_eq!(
            classify("AWS::EC2::VPC", &whole, &props),
            Replacement::False
        );
    }

    #[test]
    fn metadata_and_unknown_types_never_replace() {
        let c = change("Metadata.aws:cdk:path", Some(json!("A/B")));
        assert_eq!(
            classify("AWS::EC2::VPC", &c, &json!({})),
            Replacement::False
        );
        let c = change("Properties.ServiceToken", Some(json!("arn")));
        assert_eq!(
            classify("Custom::Thing", &c, &json!({})),
            Replacement::False
        );
    }

    #[test]
    fn splits_paths_into_object_keys() {
        assert_eq!(
            path_segments("Properties.Tags[0].Key"),
            ["Properties", "Tags", "Key"]
        );
        assert_eq!(
            path_segments("Metadata[\"a.b\"].c"),
            ["Metadata", "a.b", "c"]
        );
    }
}
