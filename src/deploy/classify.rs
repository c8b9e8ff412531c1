//! Classifying a change set's changes: does a change replace the resource, does the resource
//! hold data, does the change broaden access?
//!
//! Replacement is computed locally from the deployed and the new template and the schemas'
//! `createOnlyProperties`, so the data guard works even when the service gives no replacement
//! details (moto never does); CloudFormation's own `Replacement` is used when it is present and
//! more severe. Access broadening compares IAM policy statements, managed policies and
//! security-group rules before and after.

use serde_json::Value as Json;

use crate::schema;

/// Resource types whose replacement or removal destroys data.
pub const STATEFUL_TYPES: [&str; 11] = [
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::SecretsManager::Secret",
    "AWS::ECR::Repository",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::EFS::FileSystem",
    "AWS::KMS::Key",
    "AWS::Elasticsearch::Domain",
];

/// Policies under which CloudFormation keeps a resource's data when it deletes the resource.
const KEEPING_POLICIES: [&str; 3] = ["Retain", "RetainExceptOnCreate", "Snapshot"];

/// Keys under which templates hold IAM policy documents.
const POLICY_KEYS: [&str; 3] = ["PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy"];

/// Whether a change replaces its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Replacement {
    /// Not a modification (an addition or a removal).
    NotApplicable,
    /// Updated in place.
    False,
    /// Replaced if a value only known at deploy time changes.
    Conditional,
    /// Replaced.
    True,
}

impl Replacement {
    /// `True`, `Conditional`, `False`, or `-` as CloudFormation's console shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Replacement::NotApplicable => "-",
            Replacement::False => "False",
            Replacement::Conditional => "Conditional",
            Replacement::True => "True",
        }
    }

    fn from_service(value: &str) -> Replacement {
        match value {
            "True" => Replacement::True,
            "Conditional" => Replacement::Conditional,
            "False" => Replacement::False,
            _ => Replacement::NotApplicable,
        }
    }
}

/// One change of a change set, as CloudFormation lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// The logical id.
    pub logical_id: String,
    /// The resource type.
    pub resource_type: String,
    /// CloudFormation's `Replacement`, when it gave one.
    pub replacement: Option<String>,
}

/// One change with everything the approval policy and the data guard need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifiedChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// The logical id.
    pub logical_id: String,
    /// The resource type.
    pub resource_type: String,
    /// Whether the resource is replaced.
    pub replacement: Replacement,
    /// The create-only properties whose change causes the replacement.
    pub replaced_by: Vec<String>,
    /// Whether the resource type holds data.
    pub holds_data: bool,
    /// Whether a `DeletionPolicy` (removal) or `UpdateReplacePolicy` (replacement) keeps the data.
    pub data_kept: bool,
    /// What the change opens up, when it broadens IAM or network access.
    pub broadening: Option<String>,
}

impl ClassifiedChange {
    /// True when executing the change destroys data.
    pub fn destroys_data(&self) -> bool {
        let destroys = self.action == "Remove" || self.replacement >= Replacement::Conditional;
        self.holds_data && destroys && !self.data_kept
    }

    /// What happens to the resource, in words: `is removed`, `is replaced`, ….
    pub fn effect(&self) -> &'static str {
        match (self.action.as_str(), self.replacement) {
            ("Remove", _) => "is removed",
            (_, Replacement::True) => "is replaced",
            (_, Replacement::Conditional) => "may be replaced",
            _ => "is changed",
        }
    }
}

/// Classifies the service's changes against the deployed template (`None` for a new stack).
pub fn classify(
    changes: &[ServiceChange],
    deployed: Option<&Json>,
    new: &Json,
) -> Vec<ClassifiedChange> {
    let old_resources = deployed.map(|t| &t["Resources"]);
    let new_resources = &new["Resources"];
    let mut classified: Vec<ClassifiedChange> = changes
        .iter()
        .map(|c| {
            let old = old_resources
                .map(|r| &r[&c.logical_id])
                .filter(|r| r.is_object());
            let new = Some(&new_resources[&c.logical_id]).filter(|r| r.is_object());
            let (local, replaced_by) = match (c.action.as_str(), old, new) {
                ("Modify", Some(old), Some(new)) => local_replacement(old, new),
                ("Modify", _, _) => (Replacement::False, Vec::new()),
                _ => (Replacement::NotApplicable, Vec::new()),
            };
            let service = c
                .replacement
                .as_deref()
                .map_or(Replacement::NotApplicable, Replacement::from_service);
            let policy = if c.action == "Remove" {
                "DeletionPolicy"
            } else {
                "UpdateReplacePolicy"
            };
            let data_kept = old
                .and_then(|o| o[policy].as_str())
                .is_some_and(|p| KEEPING_POLICIES.contains(&p));
            ClassifiedChange {
                action: c.action.clone(),
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                replacement: local.max(service),
                replaced_by,
                holds_data: STATEFUL_TYPES.contains(&c.resource_type.as_str()),
                data_kept,
                broadening: broadening(&c.action, &c.resource_type, old, new),
            }
        })
        .collect();
    propagate_conditional(&mut classified, old_resources, new_resources);
    classified
}

/// Replacement of a modified resource from its create-only properties.
fn local_replacement(old: &Json, new: &Json) -> (Replacement, Vec<String>) {
    let ty = new["Type"].as_str().unwrap_or_default();
    if old["Type"] != new["Type"] {
        return (Replacement::True, vec!["Type".to_string()]);
    }
    let Some(schema) = schema::resource(ty) else {
        return (Replacement::False, Vec::new());
    };
    let causes: Vec<String> = schema
        .create_only
        .iter()
        .filter(|path| value_at(&old["Properties"], path) != value_at(&new["Properties"], path))
        .cloned()
        .collect();
    if causes.is_empty() {
        (Replacement::False, causes)
    } else {
        (Replacement::True, causes)
    }
}

/// The value at a dotted property path, `None` when absent.
fn value_at<'a>(properties: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.')
        .try_fold(properties, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

/// A create-only property that refers to a replaced resource changes when that resource gets
/// its new physical id: the referring resource may be replaced too.
fn propagate_conditional(changes: &mut [ClassifiedChange], old: Option<&Json>, new: &Json) {
    let Some(old) = old else { return };
    loop {
        let replaced: Vec<String> = changes
            .iter()
            .filter(|c| c.replacement == Replacement::True)
            .map(|c| c.logical_id.clone())
            .collect();
        let mut changed = false;
        for change in changes.iter_mut() {
            if change.action != "Modify" || change.replacement >= Replacement::Conditional {
                continue;
            }
            let Some(schema) = schema::resource(&change.resource_type) else {
                continue;
            };
            let props = &new[&change.logical_id]["Properties"];
            let referring: Vec<String> = schema
                .create_only
                .iter()
                .filter(|path| {
                    value_at(props, path).is_some_and(|v| refers_to_any(v, &replaced))
                        && old[&change.logical_id].is_object()
                })
                .cloned()
                .collect();
            if !referring.is_empty() {
                change.replacement = Replacement::Conditional;
                change.replaced_by = referring;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

fn refers_to_any(value: &Json, ids: &[String]) -> bool {
    match value {
        Json::Object(map) => map.iter().any(|(k, v)| {
            let target = match (k.as_str(), v) {
                ("Ref", Json::String(s)) => Some(s.as_str()),
                ("Fn::GetAtt", Json::Array(a)) => a.first().and_then(Json::as_str),
                ("Fn::GetAtt", Json::String(s)) => s.split('.').next(),
                _ => None,
            };
            target.is_some_and(|t| ids.iter().any(|id| id == t)) || refers_to_any(v, ids)
        }),
        Json::Array(items) => items.iter().any(|v| refers_to_any(v, ids)),
        Json::String(s) => ids.iter().any(|id| s.contains(&format!("${{{id}"))),
        _ => false,
    }
}

/// What a change opens up, if it broadens IAM or network access.
fn broadening(action: &str, ty: &str, old: Option<&Json>, new: Option<&Json>) -> Option<String> {
    if action == "Remove" {
        return None;
    }
    let new = new?;
    let empty = Json::Null;
    let old = old.unwrap_or(&empty);
    match ty {
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            (old["Properties"] != new["Properties"]).then(|| "a security-group rule".to_string())
        }
        "AWS::Lambda::Permission" => (old["Properties"] != new["Properties"])
            .then(|| "permission to invoke a function".to_string()),
        "AWS::EC2::SecurityGroup" => {
            let added: usize = ["SecurityGroupIngress", "SecurityGroupEgress"]
                .iter()
                .map(|key| added_items(&old["Properties"][key], &new["Properties"][key]))
                .sum();
            (added > 0).then(|| format!("{added} security-group rule(s)"))
        }
        _ => {
            let mut before = Vec::new();
            let mut after = Vec::new();
            grants(&old["Properties"], &mut before);
            grants(&new["Properties"], &mut after);
            let before: Vec<Grant> = before.iter().flat_map(|s| atomize(s)).collect();
            let added = after
                .iter()
                .filter(|s| {
                    atomize(s)
                        .iter()
                        .any(|g| !before.iter().any(|old| old.covers(g)))
                })
                .count();
            (added > 0).then(|| format!("{added} IAM statement(s) or managed policy(ies)"))
        }
    }
}

/// One permission of an `Allow` statement: a principal, an action and a resource, with the
/// statement's condition; or a whole statement or managed policy that cannot be split.
#[derive(Debug, PartialEq)]
enum Grant {
    Atom {
        principal: String,
        condition: String,
        action: String,
        resource: String,
    },
    Whole(Json),
}

impl Grant {
    /// True when `self` allows at least what `other` allows, wildcards included.
    fn covers(&self, other: &Grant) -> bool {
        match (self, other) {
            (
                Grant::Atom {
                    principal,
                    condition,
                    action,
                    resource,
                },
                Grant::Atom {
                    principal: p,
                    condition: c,
                    action: a,
                    resource: r,
                },
            ) => {
                principal == p
                    && condition == c
                    && glob(&action.to_lowercase(), &a.to_lowercase())
                    && glob(resource, r)
            }
            (a, b) => a == b,
        }
    }
}

/// Splits a statement into the permissions it grants.
fn atomize(statement: &Json) -> Vec<Grant> {
    let list = |v: &Json| -> Option<Vec<String>> {
        match v {
            Json::Null => Some(vec![String::new()]),
            Json::String(s) => Some(vec![s.clone()]),
            Json::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => None,
        }
    };
    let splittable = statement.is_object()
        && statement.get("NotAction").is_none()
        && statement.get("NotResource").is_none()
        && statement.get("NotPrincipal").is_none();
    let (Some(actions), Some(resources)) =
        (list(&statement["Action"]), list(&statement["Resource"]))
    else {
        return vec![Grant::Whole(statement.clone())];
    };
    if !splittable {
        return vec![Grant::Whole(statement.clone())];
    }
    let principal = statement["Principal"].to_string();
    let condition = statement["Condition"].to_string();
    actions
        .iter()
        .flat_map(|a| {
            resources.iter().map(|r| Grant::Atom {
                principal: principal.clone(),
                condition: condition.clone(),
                action: a.clone(),
                resource: r.clone(),
            })
        })
        .collect()
}

/// IAM wildcard matching: `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn added_items(old: &Json, new: &Json) -> usize {
    let old = old.as_array().map(Vec::as_slice).unwrap_or_default();
    new.as_array()
        .map(|n| n.iter().filter(|x| !old.contains(x)).count())
        .unwrap_or(0)
}

/// Every `Allow` statement and managed policy ARN in a resource's properties.
fn grants<'a>(value: &'a Json, out: &mut Vec<&'a Json>) {
    match value {
        Json::Object(map) => {
            for (key, v) in map {
                if POLICY_KEYS.contains(&key.as_str()) {
                    let statements = &v["Statement"];
                    let list = match statements {
                        Json::Array(a) => a.iter().collect(),
                        Json::Object(_) => vec![statements],
                        _ => Vec::new(),
                    };
                    out.extend(list.into_iter().filter(|s| s["Effect"] == "Allow"));
                } else if key == "ManagedPolicyArns" {
                    out.extend(v.as_array().into_iter().flatten());
                } else {
                    grants(v, out);
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|v| grants(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(action: &str, id: &str, ty: &str) -> ServiceChange {
        ServiceChange {
            action: action.into(),
            logical_id: id.into(),
            resource_type: ty.into(),
            replacement: None,
        }
    }

    fn db(name: &str) -> Json {
        json!({ "Type": "AWS::RDS::DBInstance", "Properties": {
            "DBName": name, "Engine": "mysql", "DBInstanceClass": "db.t3.micro" } })
    }

    #[test]
    fn create_only_changes_replace_and_destroy_data() {
        let old = json!({ "Resources": { "Db": db("app") } });
        let new = json!({ "Resources": { "Db": db("other") } });
        let c = classify(
            &[change("Modify", "Db", "AWS::RDS::DBInstance")],
            Some(&old),
            &new,
        );
        assert_eq!(c[0].replacement, Replacement::True);
        assert_eq!(c[0].replaced_by, vec!["DBName"]);
        assert!(c[0].destroys_data());
    }

    #[test]
    fn in_place_changes_keep_data() {
        let old = json!({ "Resources": { "Db": db("app") } });
        let mut new = json!({ "Resources": { "Db": db("app") } });
        new["Resources"]["Db"]["Properties"]["DBInstanceClass"] = json!("db.t3.small");
        let c = classify(
            &[change("Modify", "Db", "AWS::RDS::DBInstance")],
            Some(&old),
            &new,
        );
        assert_eq!(c[0].replacement, Replacement::False);
        assert!(!c[0].destroys_data());
    }

    #[test]
    fn the_service_replacement_wins_when_more_severe() {
        let old = json!({ "Resources": { "Db": db("app") } });
        let mut ch = change("Modify", "Db", "AWS::RDS::DBInstance");
        ch.replacement = Some("Conditional".into());
        let c = classify(&[ch], Some(&old), &old.clone());
        assert_eq!(c[0].replacement, Replacement::Conditional);
        assert!(c[0].destroys_data());
    }

    #[test]
    fn retained_resources_are_not_lost() {
        let mut old = json!({ "Resources": { "Logs": { "Type": "AWS::Logs::LogGroup" } } });
        old["Resources"]["Logs"]["DeletionPolicy"] = json!("Retain");
        let new = json!({ "Resources": {} });
        let c = classify(
            &[change("Remove", "Logs", "AWS::Logs::LogGroup")],
            Some(&old),
            &new,
        );
        assert!(c[0].holds_data && c[0].data_kept && !c[0].destroys_data());
    }

    #[test]
    fn resources_referring_to_replaced_ones_may_be_replaced() {
        let old = json!({ "Resources": {
            "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" } },
            "Sg": { "Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "x", "VpcId": { "Ref": "Vpc" } } } } });
        let mut new = old.clone();
        new["Resources"]["Vpc"]["Properties"]["CidrBlock"] = json!("10.1.0.0/16");
        let c = classify(
            &[
                change("Modify", "Vpc", "AWS::EC2::VPC"),
                change("Modify", "Sg", "AWS::EC2::SecurityGroup"),
            ],
            Some(&old),
            &new,
        );
        assert_eq!(c[0].replacement, Replacement::True);
        assert_eq!(c[1].replacement, Replacement::Conditional);
        assert_eq!(c[1].replaced_by, vec!["VpcId"]);
    }

    #[test]
    fn wildcards_cover_narrower_grants() {
        assert!(glob("s3:*", "s3:getobject"));
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/k"));
        assert!(!glob("s3:get*", "s3:putobject"));
        assert!(glob("*", ""));
    }

    #[test]
    fn new_allow_statements_and_ingress_rules_broaden() {
        let role = |actions: Json| {
            json!({ "Type": "AWS::IAM::Role", "Properties": { "Policies": [ { "PolicyName": "p",
                "PolicyDocument": { "Statement": [
                    { "Effect": "Allow", "Action": actions, "Resource": "*" } ] } } ] } })
        };
        let sg = |rules: Json| {
            json!({ "Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "x", "SecurityGroupIngress": rules } })
        };
        let rule = json!({ "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                           "CidrIp": "0.0.0.0/0" });
        let old = json!({ "Resources": { "R": role(json!("s3:GetObject")), "Sg": sg(json!([])) } });
        let new = json!({ "Resources": { "R": role(json!("s3:*")), "Sg": sg(json!([rule])) } });
        let changes = [
            change("Modify", "R", "AWS::IAM::Role"),
            change("Modify", "Sg", "AWS::EC2::SecurityGroup"),
        ];
        let c = classify(&changes, Some(&old), &new);
        assert!(c[0].broadening.is_some());
        assert!(c[1].broadening.is_some());
        let narrowed = classify(&changes, Some(&new), &old);
        assert!(narrowed.iter().all(|c| c.broadening.is_none()));
    }
}
