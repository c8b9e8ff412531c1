//! Named conditions: boolean expressions that gate resources, outputs and `Fn::If`.

use serde_json::Value as Json;

use super::{add_element, override_logical_id, ElementBody};
use crate::construct::{AsConstruct, Construct};
use crate::error::Result;
use crate::token::Token;

/// A condition of a stack, built from `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and other
/// conditions (see [`crate::intrinsic`]).
#[derive(Debug, Clone)]
pub struct Condition {
    construct: Construct,
}

impl AsConstruct for Condition {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Condition {
    /// Declares a condition under `scope`.
    pub fn new(scope: &impl AsConstruct, id: &str, expression: Token) -> Result<Self> {
        let body: Json = expression.0;
        let construct = add_element(scope.construct(), id, ElementBody::Condition(body))?;
        Ok(Condition { construct })
    }

    /// The condition's name as synthesis will write it, for `Fn::If` and the `Condition` option.
    pub fn name_token(&self) -> Token {
        let (serial, path) = self.construct.address();
        Token::logical_name(serial, &path)
    }

    /// `{"Condition": name}`, to use this condition inside another condition's expression.
    pub fn as_expression(&self) -> Token {
        Token(serde_json::json!({ "Condition": self.name_token().0 }))
    }

    /// Replaces the logical id derived from the path.
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        override_logical_id(&self.construct, logical_id.into());
    }
}
