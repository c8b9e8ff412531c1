//! Changes that broaden access: IAM statements and security-group rules a reviewer must see.
//!
//! Every grant of access in a template is collected (IAM policy statements wherever a policy
//! document sits, managed policies attached to roles, users and groups, Lambda invoke
//! permissions, security-group rules inline or standalone) and keyed by the resource that
//! carries it and its normalized content. A grant in the new template that the old one lacks
//! broadens access, and so does a `Deny` statement that the new template dropped. Narrowing
//! changes are not listed here: they show in the resource changes.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value as Json};

/// How a change broadens access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadeningKind {
    /// An IAM statement that allows something it did not before.
    IamAllow,
    /// An IAM `Deny` statement that was removed.
    IamDenyRemoved,
    /// A managed policy attached to a role, user or group.
    ManagedPolicy,
    /// A permission to invoke a Lambda function.
    LambdaPermission,
    /// An inbound security-group rule.
    Ingress,
    /// An outbound security-group rule.
    Egress,
}

/// One grant of access that the new template adds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Broadening {
    /// What kind of grant it is.
    pub kind: BroadeningKind,
    /// The resource that carries it.
    pub logical_id: String,
    /// That resource's type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// One line for a reviewer: `Allow s3:GetObject on Bucket.Arn to Service:ecs-tasks...`.
    pub summary: String,
    /// True for grants to anyone: a `*` principal or action, an ingress rule from `0.0.0.0/0`
    /// or `::/0`, or the `AdministratorAccess` managed policy.
    pub wide_open: bool,
    /// The statement, rule or permission as the template has it.
    pub value: Json,
}

/// Grants of access in the new template that the old template does not have.
pub fn broadenings(old: &Json, new: &Json) -> Vec<Broadening> {
    let old_grants = grants(old);
    let new_grants = grants(new);
    let identity = |g: &Broadening| (g.logical_id.clone(), g.kind, canonical(&g.value));
    let old_keys: BTreeSet<_> = old_grants.iter().map(identity).collect();
    let new_keys: BTreeSet<_> = new_grants.iter().map(identity).collect();
    let added = new_grants
        .into_iter()
        .filter(|g| g.kind != BroadeningKind::IamDenyRemoved && !old_keys.contains(&identity(g)));
    let denies_removed = old_grants
        .into_iter()
        .filter(|g| g.kind == BroadeningKind::IamDenyRemoved && !new_keys.contains(&identity(g)))
        .map(|g| Broadening {
            summary: format!("removed: {}", g.summary),
            ..g
        });
    added.chain(denies_removed).collect()
}

/// Every grant in a template; `Deny` statements are recorded as [`BroadeningKind::IamDenyRemoved`]
/// so that their removal can be found.
fn grants(template: &Json) -> Vec<Broadening> {
    let mut out = Vec::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, resource) in resources {
        let resource_type = resource["Type"].as_str().unwrap_or_default();
        let properties = &resource["Properties"];
        let mut push = |kind, summary: String, wide_open, value: &Json| {
            out.push(Broadening {
                kind,
                logical_id: id.clone(),
                resource_type: resource_type.to_string(),
                summary,
                wide_open,
                value: value.clone(),
            })
        };
        for statement in statements(properties) {
            let (kind, summary, wide_open) = describe_statement(statement);
            push(kind, summary, wide_open, statement);
        }
        match resource_type {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                for arn in properties["ManagedPolicyArns"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let name = friendly(arn);
                    let wide_open = name.ends_with("/AdministratorAccess");
                    push(
                        BroadeningKind::ManagedPolicy,
                        format!("attach managed policy {name} to {id}"),
                        wide_open,
                        arn,
                    );
                }
            }
            "AWS::Lambda::Permission" => {
                let principal = friendly(&properties["Principal"]);
                push(
                    BroadeningKind::LambdaPermission,
                    format!(
                        "Allow {principal} to {} {}",
                        friendly(&properties["Action"]),
                        friendly(&properties["FunctionName"])
                    ),
                    principal == "*",
                    properties,
                );
            }
            "AWS::EC2::SecurityGroup" => {
                for (key, kind) in [
                    ("SecurityGroupIngress", BroadeningKind::Ingress),
                    ("SecurityGroupEgress", BroadeningKind::Egress),
                ] {
                    for rule in properties[key].as_array().into_iter().flatten() {
                        let (summary, wide_open) = describe_rule(kind, id, rule);
                        push(kind, summary, wide_open, rule);
                    }
                }
            }
            "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                let kind = if resource_type.ends_with("Ingress") {
                    BroadeningKind::Ingress
                } else {
                    BroadeningKind::Egress
                };
                let group = properties
                    .get("GroupId")
                    .or_else(|| properties.get("GroupName"))
                    .map(friendly)
                    .unwrap_or_default();
                let (summary, wide_open) = describe_rule(kind, &group, properties);
                push(kind, summary, wide_open, properties);
            }
            _ => {}
        }
    }
    out
}

/// Every statement of every policy document inside a resource's properties.
fn statements(value: &Json) -> Vec<&Json> {
    let mut out = Vec::new();
    collect_statements(value, &mut out);
    out
}

fn collect_statements<'a>(value: &'a Json, out: &mut Vec<&'a Json>) {
    match value {
        Json::Object(map) => match map.get("Statement") {
            Some(Json::Array(list)) => out.extend(list.iter().filter(|s| s.is_object())),
            Some(s @ Json::Object(_)) => out.push(s),
            _ => map.values().for_each(|v| collect_statements(v, out)),
        },
        Json::Array(list) => list.iter().for_each(|v| collect_statements(v, out)),
        _ => {}
    }
}

fn describe_statement(statement: &Json) -> (BroadeningKind, String, bool) {
    let effect = statement["Effect"].as_str().unwrap_or("Allow");
    let kind = if effect == "Deny" {
        BroadeningKind::IamDenyRemoved
    } else {
        BroadeningKind::IamAllow
    };
    let actions = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => list(a),
        (None, Some(n)) => format!("every action except {}", list(n)),
        (None, None) => "nothing".to_string(),
    };
    let mut summary = format!("{effect} {actions}");
    if let Some(resource) = statement.get("Resource") {
        summary.push_str(&format!(" on {}", list(resource)));
    } else if let Some(resource) = statement.get("NotResource") {
        summary.push_str(&format!(" on every resource except {}", list(resource)));
    }
    if let Some(principal) = statement.get("Principal") {
        summary.push_str(&format!(" to {}", principals(principal)));
    }
    if statement.get("Condition").is_some() {
        summary.push_str(" (with conditions)");
    }
    let star = |v: Option<&Json>| v.is_some_and(|v| strings(v).iter().any(|s| s == "*"));
    let wide_open = star(statement.get("Action"))
        || statement.get("Principal").is_some_and(|p| {
            p == "*"
                || p.as_object()
                    .is_some_and(|m| m.values().any(|v| star(Some(v))))
        });
    (kind, summary, wide_open)
}

/// `AWS:arn:..., Service:ecs-tasks.amazonaws.com`, or `*`.
fn principals(principal: &Json) -> String {
    match principal.as_object() {
        Some(map) => map
            .iter()
            .map(|(k, v)| format!("{k}:{}", list(v)))
            .collect::<Vec<_>>()
            .join(", "),
        None => friendly(principal),
    }
}

fn describe_rule(kind: BroadeningKind, group: &str, rule: &Json) -> (String, bool) {
    let protocol = friendly(&rule["IpProtocol"]);
    let traffic = match protocol.as_str() {
        "-1" | "" => "all traffic".to_string(),
        _ => {
            let (from, to) = (friendly(&rule["FromPort"]), friendly(&rule["ToPort"]));
            if from.is_empty() || (from == "-1" && to == "-1") {
                protocol
            } else if from == to || to.is_empty() {
                format!("{protocol} {from}")
            } else {
                format!("{protocol} {from}-{to}")
            }
        }
    };
    let peer = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourceSecurityGroupName",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    ]
    .iter()
    .find_map(|k| rule.get(*k))
    .map(friendly)
    .unwrap_or_else(|| "?".to_string());
    let summary = match kind {
        BroadeningKind::Egress => format!("egress {traffic} to {peer} from {group}"),
        _ => format!("ingress {traffic} from {peer} to {group}"),
    };
    let wide_open = kind == BroadeningKind::Ingress && (peer == "0.0.0.0/0" || peer == "::/0");
    (summary, wide_open)
}

/// A comma-separated list of a string or an array of values.
fn list(value: &Json) -> String {
    strings(value).join(", ")
}

fn strings(value: &Json) -> Vec<String> {
    match value {
        Json::Array(items) => items.iter().map(friendly).collect(),
        other => vec![friendly(other)],
    }
}

/// A value as a reviewer reads it: strings bare, `Ref X` as `X`, `Fn::GetAtt` as `X.Attr`,
/// `Fn::Sub` as its pattern, `Fn::Join` joined; anything else as compact JSON.
pub(crate) fn friendly(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next().expect("one entry");
            match (key.as_str(), arg) {
                ("Ref", Json::String(target)) => target.clone(),
                ("Fn::GetAtt", Json::Array(parts)) => {
                    parts.iter().map(friendly).collect::<Vec<_>>().join(".")
                }
                ("Fn::GetAtt", Json::String(s)) => s.clone(),
                ("Fn::Sub", Json::String(s)) => s.clone(),
                ("Fn::Sub", Json::Array(parts)) if !parts.is_empty() => friendly(&parts[0]),
                ("Fn::Join", Json::Array(parts)) if parts.len() == 2 => {
                    let sep = friendly(&parts[0]);
                    let items: Vec<String> = parts[1]
                        .as_array()
                        .map(|a| a.iter().map(friendly).collect())
                        .unwrap_or_default();
                    items.join(&sep)
                }
                _ => value.to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// A key for a value that ignores object key order, statement ids and rule descriptions, and
/// the order of action, resource and principal lists.
fn canonical(value: &Json) -> String {
    normalize(value, false).to_string()
}

fn normalize(value: &Json, sort_lists: bool) -> Json {
    match value {
        Json::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| *k != "Sid" && *k != "Description")
                .collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                let listy = matches!(
                    key.as_str(),
                    "Action"
                        | "NotAction"
                        | "Resource"
                        | "NotResource"
                        | "AWS"
                        | "Service"
                        | "Federated"
                        | "CanonicalUser"
                );
                let v = &map[key];
                let v = if listy && !v.is_array() {
                    Json::Array(vec![v.clone()])
                } else {
                    v.clone()
                };
                out.insert(key.clone(), normalize(&v, listy));
            }
            Json::Object(out)
        }
        Json::Array(items) => {
            let mut items: Vec<Json> = items.iter().map(|v| normalize(v, false)).collect();
            if sort_lists {
                items.sort_by_key(|v| v.to_string());
                items.dedup();
            }
            Json::Array(items)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn role(statements: Json) -> Json {
        json!({ "Resources": { "Role": { "Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": { "Service": "ecs-tasks.amazonaws.com" }
            }] },
            "Policies": [{ "PolicyName": "p", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements
            } }]
        } } } })
    }

    #[test]
    fn a_new_allow_statement_broadens() {
        let old = role(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }]));
        let new = role(json!([
            { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": { "Fn::GetAtt": ["B", "Arn"] }
            }
        ]));
        let found = broadenings(&old, &new);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, BroadeningKind::IamAllow);
        assert_eq!(found[0].logical_id, "Role");
        assert_eq!(found[0].summary, "Allow s3:PutObject on B.Arn");
        assert!(!found[0].wide_open);
    }

    #[test]
    fn reordering_and_renaming_statements_does_not_broaden() {
        let old =
            role(json!([{ "Sid": "A", "Effect": "Allow", "Action": ["b", "a"], "Resource": "*" }]));
        let new = role(json!([{ "Resource": "*", "Action": ["a", "b"], "Effect": "Allow" }]));
        assert!(broadenings(&old, &new).is_empty());
    }

    #[test]
    fn removing_a_deny_broadens_and_removing_an_allow_does_not() {
        let old = role(json!([
            { "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*" },
            { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }
        ]));
        let new = role(json!([]));
        let found = broadenings(&old, &new);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, BroadeningKind::IamDenyRemoved);
        assert_eq!(found[0].summary, "removed: Deny s3:DeleteObject on *");
    }

    #[test]
    fn a_star_action_or_principal_is_wide_open() {
        let old = role(json!([]));
        let new = role(json!([{ "Effect": "Allow", "Action": "*", "Resource": "*" }]));
        assert!(broadenings(&old, &new)[0].wide_open);
    }

    #[test]
    fn a_trust_policy_statement_names_its_principal() {
        let new = role(json!([]));
        let found = broadenings(&json!({}), &new);
        assert_eq!(
            found[0].summary,
            "Allow sts:AssumeRole to Service:ecs-tasks.amazonaws.com"
        );
    }

    #[test]
    fn a_new_ingress_rule_from_anywhere_is_wide_open() {
        let sg = |rules: Json| {
            json!({ "Resources": { "WebSg": { "Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "web", "SecurityGroupIngress": rules
            } } } })
        };
        let old = sg(
            json!([{ "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                     "CidrIp": "10.0.0.0/8" }]),
        );
        let new = sg(json!([
            { "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8",
              "Description": "changed" },
            { "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0" }
        ]));
        let found = broadenings(&old, &new);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].summary, "ingress tcp 80 from 0.0.0.0/0 to WebSg");
        assert!(found[0].wide_open);
    }

    #[test]
    fn standalone_rules_name_their_group_and_peer() {
        let new = json!({ "Resources": { "DbFromApp": {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": { "Fn::GetAtt": ["DbSg", "GroupId"] }, "IpProtocol": "tcp",
                "FromPort": 3306, "ToPort": 3306,
                "SourceSecurityGroupId": { "Fn::GetAtt": ["AppSg", "GroupId"] }
            }
        } } });
        let found = broadenings(&json!({}), &new);
        assert_eq!(
            found[0].summary,
            "ingress tcp 3306 from AppSg.GroupId to DbSg.GroupId"
        );
        assert!(!found[0].wide_open);
    }

    #[test]
    fn attaching_administrator_access_is_wide_open() {
        let new = json!({ "Resources": { "R": { "Type": "AWS::IAM::Role", "Properties": {
            "ManagedPolicyArns": [{ "Fn::Join": ["", [
                "arn:", { "Ref": "AWS::Partition" }, ":iam::aws:policy/AdministratorAccess"
            ]] }]
        } } } });
        let found = broadenings(&json!({}), &new);
        assert_eq!(found[0].kind, BroadeningKind::ManagedPolicy);
        assert!(found[0].wide_open);
    }

    #[test]
    fn all_traffic_egress_is_listed_but_not_wide_open() {
        let new = json!({ "Resources": { "Sg": { "Type": "AWS::EC2::SecurityGroup", "Properties": {
            "SecurityGroupEgress": [{ "IpProtocol": "-1", "CidrIp": "0.0.0.0/0" }]
        } } } });
        let found = broadenings(&json!({}), &new);
        assert_eq!(found[0].summary, "egress all traffic to 0.0.0.0/0 from Sg");
        assert!(!found[0].wide_open);
    }
}
