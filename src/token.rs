//! Values that are known only at deploy time, and the property type that accepts them.
//!
//! A [`Token`] is a fragment of template JSON that may hold intrinsic functions. References to
//! other elements of the app are kept as *markers* that name the target by its construct path;
//! synthesis resolves them into `Ref`, `Fn::GetAtt` or, across stacks, `Fn::ImportValue`, once
//! every logical id is known. [`Value`] is what every typed property holds: a literal or a token.

use indexmap::IndexMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value as Json};

/// Key of the marker object that stands for a reference until synthesis resolves it.
pub(crate) const REF_MARKER: &str = "stackcraft::Ref";
/// Key of the marker object that stands for an attribute until synthesis resolves it.
pub(crate) const GETATT_MARKER: &str = "stackcraft::GetAtt";
/// Key of the marker object that stands for an element's logical id (a condition or mapping name)
/// until synthesis resolves it.
pub(crate) const NAME_MARKER: &str = "stackcraft::LogicalId";

/// A fragment of template JSON that may contain intrinsic functions.
///
/// Build tokens with the functions of [`crate::Fn`], the pseudo parameters of
/// [`crate::Pseudo`], or the `ref_`/`attr_*` accessors of resources. Any literal JSON converts
/// into a token as well.
#[derive(Debug, Clone, PartialEq)]
pub struct Token(pub(crate) Json);

impl Token {
    /// Wraps raw template JSON, intrinsics written out in long form (`{"Ref": "X"}`).
    pub fn raw(json: Json) -> Self {
        Token(json)
    }

    /// The JSON as it stands before synthesis (references are still markers).
    pub fn as_json(&self) -> &Json {
        &self.0
    }

    pub(crate) fn reference(serial: u64, path: &str) -> Self {
        Token(json!({ REF_MARKER: { "app": serial, "path": path } }))
    }

    pub(crate) fn attribute(serial: u64, path: &str, attribute: &str) -> Self {
        Token(json!({ GETATT_MARKER: { "app": serial, "path": path, "attribute": attribute } }))
    }

    pub(crate) fn logical_name(serial: u64, path: &str) -> Self {
        Token(json!({ NAME_MARKER: { "app": serial, "path": path } }))
    }
}

impl Serialize for Token {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token(Json::String(s.to_string()))
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token(Json::String(s))
    }
}

impl From<&String> for Token {
    fn from(s: &String) -> Self {
        Token(Json::String(s.clone()))
    }
}

impl From<i64> for Token {
    fn from(n: i64) -> Self {
        Token(Json::from(n))
    }
}

impl From<i32> for Token {
    fn from(n: i32) -> Self {
        Token(Json::from(n))
    }
}

impl From<f64> for Token {
    fn from(n: f64) -> Self {
        Token(Json::from(n))
    }
}

impl From<bool> for Token {
    fn from(b: bool) -> Self {
        Token(Json::Bool(b))
    }
}

impl From<Json> for Token {
    fn from(j: Json) -> Self {
        Token(j)
    }
}

impl From<&Token> for Token {
    fn from(t: &Token) -> Self {
        t.clone()
    }
}

/// A property value: a literal of type `T`, or a token resolved at deploy time.
///
/// Lists are `Value<Vec<Value<T>>>` and maps `Value<IndexMap<String, Value<T>>>`, so an intrinsic
/// can stand for the whole collection or for any one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<T> {
    /// A value known at synthesis time.
    Literal(T),
    /// A value CloudFormation computes at deploy time.
    Token(Token),
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Literal(v) => v.serialize(s),
            Value::Token(t) => t.serialize(s),
        }
    }
}

impl<T> From<Token> for Value<T> {
    fn from(t: Token) -> Self {
        Value::Token(t)
    }
}

impl<T> From<&Token> for Value<T> {
    fn from(t: &Token) -> Self {
        Value::Token(t.clone())
    }
}

impl From<&str> for Value<String> {
    fn from(s: &str) -> Self {
        Value::Literal(s.to_string())
    }
}

impl From<String> for Value<String> {
    fn from(s: String) -> Self {
        Value::Literal(s)
    }
}

impl From<&String> for Value<String> {
    fn from(s: &String) -> Self {
        Value::Literal(s.clone())
    }
}

impl From<i64> for Value<i64> {
    fn from(n: i64) -> Self {
        Value::Literal(n)
    }
}

impl From<i32> for Value<i64> {
    fn from(n: i32) -> Self {
        Value::Literal(n.into())
    }
}

impl From<u32> for Value<i64> {
    fn from(n: u32) -> Self {
        Value::Literal(n.into())
    }
}

impl From<u16> for Value<i64> {
    fn from(n: u16) -> Self {
        Value::Literal(n.into())
    }
}

impl From<u8> for Value<i64> {
    fn from(n: u8) -> Self {
        Value::Literal(n.into())
    }
}

impl From<f64> for Value<f64> {
    fn from(n: f64) -> Self {
        Value::Literal(n)
    }
}

impl From<i32> for Value<f64> {
    fn from(n: i32) -> Self {
        Value::Literal(n.into())
    }
}

impl From<bool> for Value<bool> {
    fn from(b: bool) -> Self {
        Value::Literal(b)
    }
}

impl From<Json> for Value<Json> {
    fn from(j: Json) -> Self {
        Value::Literal(j)
    }
}

impl<T, U: Into<Value<T>>> From<Vec<U>> for Value<Vec<Value<T>>> {
    fn from(items: Vec<U>) -> Self {
        Value::Literal(items.into_iter().map(Into::into).collect())
    }
}

impl<T, U: Into<Value<T>>, const N: usize> From<[U; N]> for Value<Vec<Value<T>>> {
    fn from(items: [U; N]) -> Self {
        Value::Literal(items.into_iter().map(Into::into).collect())
    }
}

impl<T, K: Into<String>, U: Into<Value<T>>> From<IndexMap<K, U>>
    for Value<IndexMap<String, Value<T>>>
{
    fn from(items: IndexMap<K, U>) -> Self {
        Value::Literal(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<T, K: Into<String>, U: Into<Value<T>>> From<Vec<(K, U)>>
    for Value<IndexMap<String, Value<T>>>
{
    fn from(items: Vec<(K, U)>) -> Self {
        Value::Literal(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_tokens_serialize_as_template_json() {
        let lit: Value<String> = "10.0.0.0/16".into();
        let tok: Value<String> = Token::raw(json!({"Ref": "AWS::Region"})).into();
        let list: Value<Vec<Value<String>>> = vec![lit.clone(), tok.clone()].into();
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            json!(["10.0.0.0/16", {"Ref": "AWS::Region"}])
        );
        let n: Value<i64> = 3306.into();
        assert_eq!(serde_json::to_value(n).unwrap(), json!(3306));
        let port: Value<i64> = 443u16.into();
        assert_eq!(serde_json::to_value(port).unwrap(), json!(443));
        assert_eq!(Token::from(true).as_json(), &json!(true));
        assert_eq!(Token::from(5).as_json(), &json!(5));
    }
}
