//! Intrinsic functions and pseudo parameters, as typed builders of [`Token`]s.
//!
//! References to resources and parameters come from their handles (`resource.ref_()`,
//! `resource.attr_arn()`); the functions here combine tokens and literals. Use the module under
//! a short name: `use stackcraft::intrinsic as cfn;` then `cfn::sub(...)`.

use serde_json::{json, Map, Value as Json};

use crate::template::Condition;
use crate::token::{Token, Value};

/// The pseudo parameters CloudFormation defines in every stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::AccountId`: the account the stack is deployed to.
    AccountId,
    /// `AWS::Region`: the region the stack is deployed to.
    Region,
    /// `AWS::StackName`: the stack's name.
    StackName,
    /// `AWS::StackId`: the stack's ARN.
    StackId,
    /// `AWS::Partition`: `aws`, `aws-cn` or `aws-us-gov`.
    Partition,
    /// `AWS::URLSuffix`: the domain suffix, usually `amazonaws.com`.
    UrlSuffix,
    /// `AWS::NotificationARNs`: the stack's notification topics.
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is assigned to (inside `Fn::If`).
    NoValue,
}

impl Pseudo {
    /// The name CloudFormation gives it.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
        }
    }

    /// Every pseudo parameter name.
    pub const NAMES: [&'static str; 8] = [
        "AWS::AccountId",
        "AWS::Region",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::Partition",
        "AWS::URLSuffix",
        "AWS::NotificationARNs",
        "AWS::NoValue",
    ];
}

impl From<Pseudo> for Token {
    fn from(p: Pseudo) -> Self {
        Token(json!({ "Ref": p.name() }))
    }
}

impl<T> From<Pseudo> for Value<T> {
    fn from(p: Pseudo) -> Self {
        Value::Token(p.into())
    }
}

fn list<I, T>(items: I) -> Json
where
    I: IntoIterator<Item = T>,
    T: Into<Token>,
{
    Json::Array(items.into_iter().map(|t| t.into().0).collect())
}

/// `Ref` to a logical id written by hand (parameters of a hand-written template, say).
///
/// Prefer the `ref_()` of a handle: it follows the element if its logical id changes.
pub fn ref_logical_id(logical_id: &str) -> Token {
    Token(json!({ "Ref": logical_id }))
}

/// `Fn::GetAtt` on a logical id written by hand. Prefer the typed `attr_*` accessors.
pub fn get_att_logical_id(logical_id: &str, attribute: &str) -> Token {
    Token(json!({ "Fn::GetAtt": [logical_id, attribute] }))
}

/// `Fn::Sub` with only `${Name}` references to template elements and pseudo parameters.
pub fn sub(template: &str) -> Token {
    Token(json!({ "Fn::Sub": template }))
}

/// The variables of an `Fn::Sub` pattern in order: the trimmed `Name` or `Name.Attr` of each
/// `${...}`, skipping the literals written `${!...}` and empty ones. An unclosed `${` ends the
/// search. Synthesis, validation and the graph all read patterns through this one function.
pub fn sub_variables(pattern: &str) -> impl Iterator<Item = &str> {
    let mut rest = pattern;
    std::iter::from_fn(move || loop {
        let start = rest.find("${")?;
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = after[..end].trim();
        rest = &after[end + 1..];
        if !name.is_empty() && !name.starts_with('!') {
            return Some(name);
        }
    })
}

/// `Fn::Sub` with a variable map: each `${name}` in `template` is replaced by its token.
///
/// Variables bound to a reference or attribute of the same stack are written inline as
/// `${LogicalId}` or `${LogicalId.Attribute}` at synthesis.
pub fn sub_with<I, K, T>(template: &str, variables: I) -> Token
where
    I: IntoIterator<Item = (K, T)>,
    K: Into<String>,
    T: Into<Token>,
{
    let vars: Map<String, Json> = variables
        .into_iter()
        .map(|(k, v)| (k.into(), v.into().0))
        .collect();
    Token(json!({ "Fn::Sub": [template, vars] }))
}

/// `Fn::Join`: the items joined by `delimiter`.
pub fn join<I, T>(delimiter: &str, items: I) -> Token
where
    I: IntoIterator<Item = T>,
    T: Into<Token>,
{
    Token(json!({ "Fn::Join": [delimiter, list(items)] }))
}

/// `Fn::Select`: the item at `index` of a list.
pub fn select(index: u32, list: impl Into<Token>) -> Token {
    Token(json!({ "Fn::Select": [index.to_string(), list.into().0] }))
}

/// `Fn::Split`: a string cut at every `delimiter`.
pub fn split(delimiter: &str, source: impl Into<Token>) -> Token {
    Token(json!({ "Fn::Split": [delimiter, source.into().0] }))
}

/// `Fn::GetAZs`: the availability zones of a region (`""` for the stack's own region).
pub fn get_azs(region: impl Into<Token>) -> Token {
    Token(json!({ "Fn::GetAZs": region.into().0 }))
}

/// `Fn::Cidr`: `count` blocks of `cidr_bits` host bits carved from `ip_block`.
pub fn cidr(ip_block: impl Into<Token>, count: u32, cidr_bits: u32) -> Token {
    Token(json!({ "Fn::Cidr": [ip_block.into().0, count.to_string(), cidr_bits.to_string()] }))
}

/// `Fn::ImportValue`: a value another stack exports.
pub fn import_value(export_name: impl Into<Token>) -> Token {
    Token(json!({ "Fn::ImportValue": export_name.into().0 }))
}

/// `Fn::FindInMap` on a mapping written by hand; prefer [`crate::Mapping::find`].
pub fn find_in_map(
    map_name: &str,
    top_key: impl Into<Token>,
    second_key: impl Into<Token>,
) -> Token {
    Token(json!({ "Fn::FindInMap": [map_name, top_key.into().0, second_key.into().0] }))
}

/// `Fn::Base64`: the value encoded in base64 (user data, say).
pub fn base64(value: impl Into<Token>) -> Token {
    Token(json!({ "Fn::Base64": value.into().0 }))
}

/// `Fn::If`: `then` when `condition` holds, `otherwise` when not.
pub fn if_(condition: &Condition, then: impl Into<Token>, otherwise: impl Into<Token>) -> Token {
    Token(json!({ "Fn::If": [condition.name_token().0, then.into().0, otherwise.into().0] }))
}

/// `Fn::Equals`: true when both values are equal.
pub fn equals(a: impl Into<Token>, b: impl Into<Token>) -> Token {
    Token(json!({ "Fn::Equals": [a.into().0, b.into().0] }))
}

/// `Fn::And`: true when every condition holds (2 to 10 of them).
pub fn and<I: IntoIterator<Item = Token>>(conditions: I) -> Token {
    Token(json!({ "Fn::And": list(conditions) }))
}

/// `Fn::Or`: true when any condition holds (2 to 10 of them).
pub fn or<I: IntoIterator<Item = Token>>(conditions: I) -> Token {
    Token(json!({ "Fn::Or": list(conditions) }))
}

/// `Fn::Not`: true when the condition does not hold.
pub fn not(condition: impl Into<Token>) -> Token {
    Token(json!({ "Fn::Not": [condition.into().0] }))
}

/// The first `count` availability zones of the stack's region, as
/// `Fn::Select [i, Fn::GetAZs ""]`.
pub fn availability_zones(count: u32) -> Vec<Token> {
    (0..count).map(|i| select(i, get_azs(""))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_write_long_form_json() {
        assert_eq!(Token::from(Pseudo::Region).0, json!({"Ref": "AWS::Region"}));
        assert_eq!(
            select(1, get_azs("")).0,
            json!({"Fn::Select": ["1", {"Fn::GetAZs": ""}]})
        );
        assert_eq!(
            join("", ["a", "b"]).0,
            json!({"Fn::Join": ["", ["a", "b"]]})
        );
        assert_eq!(
            cidr("10.0.0.0/16", 4, 8).0,
            json!({"Fn::Cidr": ["10.0.0.0/16", "4", "8"]})
        );
        assert_eq!(split(",", "a,b").0, json!({"Fn::Split": [",", "a,b"]}));
        assert_eq!(base64("x").0, json!({"Fn::Base64": "x"}));
        assert_eq!(import_value("E").0, json!({"Fn::ImportValue": "E"}));
        assert_eq!(
            not(equals(Pseudo::Region, "us-east-1")).0,
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]})
        );
        assert_eq!(
            sub_with("${A}", [("A", "x")]).0,
            json!({"Fn::Sub": ["${A}", {"A": "x"}]})
        );
        assert_eq!(
            find_in_map("M", "a", "b").0,
            json!({"Fn::FindInMap": ["M", "a", "b"]})
        );
    }

    #[test]
    fn sub_variables_skip_literals_and_empty_names() {
        let names: Vec<&str> =
            sub_variables("arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${ A.B }${}${Open")
                .collect();
        assert_eq!(names, ["AWS::Partition", "Bucket", "A.B"]);
    }
}
