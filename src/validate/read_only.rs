//! Read-only properties (`E3040`): values a resource type returns but never takes.
//!
//! A type's schema lists them in `readOnlyProperties` (`Arn`, `Endpoint.Address`, ...).
//! CloudFormation does not pass a template's value for them to the resource, so the value is
//! silently ignored and the stack drifts from its template. They are read with `Fn::GetAtt`.
//! The few properties a schema also lists as create-only or write-only can be set, and are not
//! reported.

use serde_json::Value as Json;

use super::references::short;
use super::source::escape_pointer;
use super::template_view::{values_at, TemplateView};
use super::Finding;
use crate::schema;

/// Reports every read-only property a resource sets.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    for (id, resource) in view.resources() {
        let Some(type_name) = resource.get("Type").and_then(Json::as_str) else {
            continue;
        };
        let (Some(properties), Some(schema)) = (
            resource.get("Properties").filter(|p| p.is_object()),
            schema::resource(type_name),
        ) else {
            continue;
        };
        let write_only = write_only(&schema.section("writeOnlyProperties").unwrap_or_default());
        let settable =
            |path: &String| schema.create_only.contains(path) || write_only.contains(path);
        let base = format!("/Resources/{}/Properties", escape_pointer(id));
        let mut reported: Vec<String> = Vec::new();
        let mut paths: Vec<&String> = schema.attributes.iter().filter(|p| !settable(p)).collect();
        paths.sort_by_key(|p| p.matches('.').count());
        for path in paths {
            let segments: Vec<&str> = path.split('.').collect();
            for (pointer, value) in values_at(properties, &segments, base.clone()) {
                if reported
                    .iter()
                    .any(|r| pointer.starts_with(&format!("{r}/")))
                {
                    continue;
                }
                let instead = if path.contains('*') {
                    String::new()
                } else {
                    format!(" (read it with Fn::GetAtt {id}.{path} instead)")
                };
                findings.push(Finding::of(
                    "E3040",
                    pointer.clone(),
                    format!(
                        "'{path}' of {type_name} is read-only, set to {}; CloudFormation \
                         ignores the value{instead}",
                        short(value)
                    ),
                ));
                reported.push(pointer);
            }
        }
    }
}

/// The dotted paths of a schema's `writeOnlyProperties` list.
fn write_only(list: &Json) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(|p| p.trim_start_matches("/properties/").replace('/', "."))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointers(template: &Json) -> Vec<String> {
        let mut findings = Vec::new();
        check(&TemplateView::new(template), &mut findings);
        assert!(findings.iter().all(|f| f.rule == "E3040"));
        findings.into_iter().map(|f| f.pointer).collect()
    }

    #[test]
    fn a_read_only_property_is_reported_with_its_value() {
        let template = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": "orders", "Arn": "arn:aws:sqs:eu-west-1:123456789012:orders"}}}});
        let mut findings = Vec::new();
        check(&TemplateView::new(&template), &mut findings);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].pointer, "/Resources/Queue/Properties/Arn");
        assert!(
            findings[0].message.contains("arn:aws:sqs"),
            "{}",
            findings[0]
        );
        assert!(
            findings[0].message.contains("Fn::GetAtt Queue.Arn"),
            "{}",
            findings[0]
        );
    }

    #[test]
    fn nested_read_only_properties_are_reported_once_at_the_outermost() {
        let template = json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
        "DBInstanceClass": "db.t3.micro",
        "Endpoint": {"Address": "db.example.com", "Port": "5432"},
        "MasterUserSecret": {"KmsKeyId": "alias/db", "SecretArn": {"Fn::If": [
            "Imported", "arn:aws:secretsmanager:eu-west-1:1:secret:db", {"Ref": "AWS::NoValue"}
        ]}}}}}});
        assert_eq!(
            pointers(&template),
            vec![
                "/Resources/Db/Properties/Endpoint",
                "/Resources/Db/Properties/MasterUserSecret/SecretArn/Fn::If/1"
            ]
        );
    }

    #[test]
    fn settable_and_unknown_properties_are_not_reported() {
        let template = json!({"Resources": {
            "Domain": {"Type": "AWS::CodeArtifact::Domain", "Properties": {
                "DomainName": "shared", "EncryptionKey": "alias/artifacts"}},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "orders"}},
            "Custom": {"Type": "Custom::Thing", "Properties": {"Arn": "x"}}}});
        assert!(pointers(&template).is_empty());
    }
}
