//! The catalogue of rules: every id a finding can carry, its level and what it checks.
//!
//! Rules that cfn-lint also has keep cfn-lint's id, so a cfn-lint `ignore_checks` entry and a
//! stackcraft suppression name the same thing; rules of stackcraft's own start with `SC`.
//! `docs/rules.md` documents each one, and a test keeps the two in step.

use super::Severity;

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable id.
    pub id: &'static str,
    /// The level of its findings.
    pub level: Severity,
    /// What it checks, in one line.
    pub summary: &'static str,
}

const fn error(id: &'static str, summary: &'static str) -> Rule {
    Rule {
        id,
        level: Severity::Error,
        summary,
    }
}

const fn warning(id: &'static str, summary: &'static str) -> Rule {
    Rule {
        id,
        level: Severity::Warning,
        summary,
    }
}

/// Every rule stackcraft checks.
pub const RULES: &[Rule] = &[
    error(
        "E0000",
        "the template is valid JSON or YAML without duplicate keys",
    ),
    error(
        "E1001",
        "top-level sections are known and have the right shape",
    ),
    error("E1002", "the template body is at most 1 MB (minified)"),
    error("E1003", "the description is at most 1,024 bytes"),
    error("E1004", "the description is a string"),
    error(
        "E1010",
        "Fn::GetAtt names a resource and an attribute its type returns",
    ),
    error("E1011", "Fn::FindInMap names a mapping and keys that exist"),
    error("E1015", "Fn::GetAZs takes a region string or Ref"),
    error(
        "E1016",
        "Fn::ImportValue takes a string or a function producing one",
    ),
    error("E1017", "Fn::Select takes a numeric index and a list"),
    error("E1018", "Fn::Split takes a delimiter and a string"),
    error("E1019", "every ${Name} of Fn::Sub resolves"),
    error(
        "E1020",
        "Ref names a resource, parameter or pseudo parameter",
    ),
    error(
        "E1021",
        "Fn::Base64 takes a string or a function producing one",
    ),
    error("E1022", "Fn::Join takes a delimiter and a list"),
    error(
        "E1024",
        "Fn::Cidr takes a CIDR block, a count from 1 to 256 and a mask size from 1 to 128",
    ),
    error("E1028", "Fn::If has a condition name and two values"),
    error(
        "E2001",
        "parameters have a Type and known keys, and numeric bounds in order",
    ),
    error("E2002", "a parameter Type is one CloudFormation supports"),
    error("E2010", "at most 200 parameters"),
    error(
        "E2011",
        "parameter names are alphanumeric and at most 255 characters",
    ),
    error(
        "E2015",
        "a parameter Default is a value the parameter accepts: of its Type, within its \
         AllowedValues and bounds",
    ),
    error(
        "E3001",
        "a resource has a Type and only the keys a resource may have",
    ),
    error("E3002", "a property is one the resource type has"),
    error("E3003", "required properties are given"),
    error("E3004", "resources do not depend on each other in a cycle"),
    error("E3005", "DependsOn names resources of the template"),
    error("E3006", "the resource type exists"),
    error("E3010", "at most 500 resources"),
    error(
        "E3011",
        "resource logical ids are alphanumeric and at most 255 characters",
    ),
    error("E3012", "a property value has the type the schema asks for"),
    error(
        "E3017",
        "a property object matches at least one allowed shape (anyOf)",
    ),
    error(
        "E3018",
        "a property object matches exactly one allowed shape (oneOf)",
    ),
    error(
        "E3020",
        "properties that exclude each other are not set together",
    ),
    error("E3030", "a property value is one of the allowed values"),
    error(
        "E3031",
        "a property value matches the pattern the schema asks for",
    ),
    error("E3032", "a list has the number of items the schema allows"),
    error("E3033", "a string has the length the schema allows"),
    error("E3034", "a number is within the range the schema allows"),
    error(
        "E3035",
        "DeletionPolicy is Delete, Retain, RetainExceptOnCreate, or Snapshot on a type \
         CloudFormation can snapshot",
    ),
    error(
        "E3036",
        "UpdateReplacePolicy is Delete, Retain, or Snapshot on a type CloudFormation can snapshot",
    ),
    error("E3037", "list items that must be unique are"),
    error(
        "E3040",
        "a resource does not set a read-only property of its type",
    ),
    error("E3047", "a Fargate task's cpu and memory are a valid pair"),
    error("E3048", "a Fargate task uses the awsvpc network mode"),
    error("E6001", "outputs have only known keys"),
    error("E6002", "an output has a Value"),
    error("E6010", "at most 200 outputs"),
    error(
        "E6011",
        "output names are alphanumeric and at most 255 characters",
    ),
    error("E7001", "mappings are objects of objects"),
    error(
        "E7002",
        "mapping names are alphanumeric and at most 255 characters",
    ),
    error("E7010", "at most 200 mappings"),
    error("E8001", "conditions are condition functions"),
    error("E8002", "a referenced condition exists"),
    error("E8003", "Fn::Equals compares two values"),
    error("E8004", "Fn::And takes 2 to 10 conditions"),
    error("E8005", "Fn::Not takes one condition"),
    error("E8006", "Fn::Or takes 2 to 10 conditions"),
    error(
        "SC0001",
        "a suppression in Metadata names a known rule and gives a written reason",
    ),
    warning(
        "SC1002",
        "the minified template is over 51,200 bytes and needs an S3 upload",
    ),
    error("SC3101", "the containers' cpu and memory fit the task's"),
    error(
        "SC3102",
        "a service's load balancer names a container and port of its task",
    ),
    error(
        "SC3103",
        "a service behind a load balancer depends on the listener",
    ),
    error(
        "SC3104",
        "CapacityProviderStrategy and LaunchType are not both set",
    ),
    error(
        "SC3105",
        "a service depends on the association adding its capacity providers",
    ),
    error(
        "SC3106",
        "a container secret's valueFrom is a well-formed ARN or parameter",
    ),
    error(
        "SC3107",
        "the execution role may read the secrets its containers use",
    ),
    error(
        "SC5001",
        "no ingress from 0.0.0.0/0 or ::/0 to database and admin ports",
    ),
    error("SC5002", "password properties hold no literal value"),
    error(
        "SC5003",
        "environment variables named like secrets hold no literal value",
    ),
    error(
        "SC5004",
        "log group retention is a value CloudWatch accepts",
    ),
    error(
        "SC8001",
        "conditions do not refer to each other in a circle",
    ),
];

/// The rule of that id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
