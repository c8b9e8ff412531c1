//! Properties that exclude each other (`E3020`): setting one forbids the others.
//!
//! The resource provider schemas rarely say so (JSON Schema has no keyword for it), so the pairs
//! are listed here, the ones cfn-lint adds to the schemas as `dependentExcluded` and the AWS
//! documentation states ("if you specify this property, you can't specify ...").

use serde_json::Value as Json;

use super::references::short;
use super::source::escape_pointer;
use super::template_view::{values_at, TemplateView};
use super::Finding;

/// One property that excludes others, in the objects at `at` under a type's `Properties`.
struct Exclusion {
    type_name: &'static str,
    /// The path from `Properties` to the objects concerned; `*` stands for every item of a list.
    at: &'static [&'static str],
    property: &'static str,
    /// Only when the property has this value (any value when `None`).
    when: Option<&'static str>,
    excludes: &'static [&'static str],
}

const fn excl(
    type_name: &'static str,
    at: &'static [&'static str],
    property: &'static str,
    excludes: &'static [&'static str],
) -> Exclusion {
    Exclusion {
        type_name,
        at,
        property,
        when: None,
        excludes,
    }
}

const INSTANCE_INTERFACE: &[&str] = &["NetworkInterfaces", "*"];
const TEMPLATE_INTERFACE: &[&str] = &["LaunchTemplateData", "NetworkInterfaces", "*"];
const PUBLIC_ADDRESSES: &[&str] = &["AssociateCarrierIpAddress", "AssociatePublicIpAddress"];

const EXCLUSIONS: &[Exclusion] = &[
    excl(
        "AWS::CloudFront::Distribution",
        &["DistributionConfig", "Origins", "*"],
        "CustomOriginConfig",
        &["S3OriginConfig"],
    ),
    excl(
        "AWS::CloudWatch::Alarm",
        &[],
        "ExtendedStatistic",
        &["Statistic"],
    ),
    excl(
        "AWS::CloudWatch::Alarm",
        &[],
        "Metrics",
        &[
            "MetricName",
            "Dimensions",
            "Period",
            "Namespace",
            "Statistic",
            "ExtendedStatistic",
            "Unit",
        ],
    ),
    excl(
        "AWS::CloudWatch::Alarm",
        &[],
        "Threshold",
        &["ThresholdMetricId"],
    ),
    excl(
        "AWS::EC2::Instance",
        &[],
        "NetworkInterfaces",
        &["SubnetId"],
    ),
    excl(
        "AWS::EC2::Instance",
        INSTANCE_INTERFACE,
        "NetworkInterfaceId",
        PUBLIC_ADDRESSES,
    ),
    excl(
        "AWS::EC2::LaunchTemplate",
        TEMPLATE_INTERFACE,
        "NetworkInterfaceId",
        PUBLIC_ADDRESSES,
    ),
    excl(
        "AWS::EC2::NetworkInterface",
        &[],
        "Ipv6AddressCount",
        &["Ipv6Addresses"],
    ),
    excl(
        "AWS::EC2::Subnet",
        &[],
        "AvailabilityZone",
        &["AvailabilityZoneId"],
    ),
    excl("AWS::EC2::Subnet", &[], "CidrBlock", &["Ipv4IpamPoolId"]),
    excl(
        "AWS::EC2::Subnet",
        &[],
        "Ipv6CidrBlock",
        &["Ipv6IpamPoolId"],
    ),
    excl(
        "AWS::Lambda::Alias",
        &[],
        "ProvisionedConcurrencyConfig",
        &["RoutingConfig"],
    ),
    Exclusion {
        type_name: "AWS::Lambda::Function",
        at: &[],
        property: "PackageType",
        when: Some("Image"),
        excludes: &["Handler", "Runtime", "Layers"],
    },
    excl(
        "AWS::RDS::DBInstance",
        &[],
        "SourceDBInstanceIdentifier",
        &[
            "CharacterSetName",
            "MasterUserPassword",
            "MasterUsername",
            "StorageEncrypted",
        ],
    ),
    excl(
        "AWS::S3::Bucket",
        &["LifecycleConfiguration", "Rules", "*"],
        "ObjectSizeGreaterThan",
        &["AbortIncompleteMultipartUpload"],
    ),
    excl(
        "AWS::S3::Bucket",
        &["LifecycleConfiguration", "Rules", "*"],
        "ObjectSizeLessThan",
        &["AbortIncompleteMultipartUpload"],
    ),
    excl(
        "AWS::S3::Bucket",
        &["WebsiteConfiguration"],
        "RedirectAllRequestsTo",
        &["ErrorDocument", "IndexDocument", "RoutingRules"],
    ),
    excl(
        "AWS::ServiceDiscovery::Service",
        &[],
        "HealthCheckConfig",
        &["HealthCheckCustomConfig"],
    ),
];

/// Reports every property set together with one it excludes.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    for (id, resource) in view.resources() {
        let Some(type_name) = resource.get("Type").and_then(Json::as_str) else {
            continue;
        };
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        let base = format!("/Resources/{}/Properties", escape_pointer(id));
        for exclusion in EXCLUSIONS.iter().filter(|e| e.type_name == type_name) {
            for (pointer, object) in values_at(properties, exclusion.at, base.clone()) {
                exclusion.check(object, &pointer, findings);
            }
        }
    }
}

impl Exclusion {
    fn check(&self, object: &Json, pointer: &str, findings: &mut Vec<Finding>) {
        let Some(value) = object.get(self.property) else {
            return;
        };
        if self.when.is_some_and(|when| value.as_str() != Some(when)) || !is_set(value) {
            return;
        }
        let set: Vec<String> = self
            .excludes
            .iter()
            .filter_map(|other| object.get(*other).filter(|v| is_set(v)).map(|v| (other, v)))
            .map(|(other, v)| format!("{other} ({})", short(v)))
            .collect();
        if set.is_empty() {
            return;
        }
        let message = match self.when {
            Some(when) => format!(
                "{} is {when}, which takes none of {}; remove {}",
                self.property,
                self.excludes.join(", "),
                set.join(" and ")
            ),
            None => format!(
                "{} ({}) is set together with {}; {} excludes {}, so give only one of them",
                self.property,
                short(value),
                set.join(" and "),
                self.property,
                self.excludes.join(", ")
            ),
        };
        findings.push(Finding::of(
            "E3020",
            format!("{pointer}/{}", escape_pointer(self.property)),
            message,
        ));
    }
}

/// False for `AWS::NoValue`, which removes the property, and for an `Fn::If` one of whose
/// branches does: a template commonly sets one of two exclusive properties under a condition and
/// the other under its negation.
fn is_set(value: &Json) -> bool {
    let is_no_value = |v: &Json| v.get("Ref").and_then(Json::as_str) == Some("AWS::NoValue");
    match value.get("Fn::If").and_then(Json::as_array) {
        Some(args) => !args.iter().skip(1).any(is_no_value),
        None => !is_no_value(value),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rules_of(template: &Json) -> Vec<(String, String)> {
        let mut findings = Vec::new();
        check(&TemplateView::new(template), &mut findings);
        findings
            .into_iter()
            .map(|f| (f.pointer, f.message))
            .collect()
    }

    #[test]
    fn a_subnet_with_zone_name_and_zone_id_is_reported() {
        let template = json!({"Resources": {"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": "vpc-1", "AvailabilityZone": "eu-west-1a",
            "AvailabilityZoneId": "euw1-az1"}}}});
        let found = rules_of(&template);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "/Resources/Subnet/Properties/AvailabilityZone");
        assert_eq!(
            found[0].1,
            "AvailabilityZone (\"eu-west-1a\") is set together with AvailabilityZoneId \
             (\"euw1-az1\"); AvailabilityZone excludes AvailabilityZoneId, so give only one of them"
        );
    }

    #[test]
    fn nested_list_items_and_values_are_checked() {
        let template = json!({"Resources": {
            "Host": {"Type": "AWS::EC2::Instance", "Properties": {"NetworkInterfaces": [
                {"DeviceIndex": "0", "SubnetId": "subnet-1"},
                {"DeviceIndex": "1", "NetworkInterfaceId": "eni-1",
                 "AssociatePublicIpAddress": true}]}},
            "Zip": {"Type": "AWS::Lambda::Function", "Properties": {
                "PackageType": "Zip", "Handler": "index.handler", "Runtime": "python3.12"}},
            "Image": {"Type": "AWS::Lambda::Function", "Properties": {
                "PackageType": "Image", "Handler": "index.handler"}}}});
        let pointers: Vec<String> = rules_of(&template).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            vec![
                "/Resources/Host/Properties/NetworkInterfaces/1/NetworkInterfaceId",
                "/Resources/Image/Properties/PackageType"
            ]
        );
    }

    #[test]
    fn a_property_removed_by_no_value_excludes_nothing() {
        let no_value = json!({"Ref": "AWS::NoValue"});
        let template = json!({"Resources": {"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "AvailabilityZone": {"Fn::If": ["ById", no_value, "eu-west-1a"]},
            "AvailabilityZoneId": {"Fn::If": ["ById", "euw1-az1", no_value]},
            "CidrBlock": no_value, "Ipv4IpamPoolId": "ipam-pool-1"}}}});
        assert!(rules_of(&template).is_empty());
    }
}
