//! Template parameters: values the deployer supplies.

use serde::Serialize;
use serde_json::Value as Json;

use super::{add_element, override_logical_id, ElementBody};
use crate::construct::{AsConstruct, Construct};
use crate::error::Result;
use crate::token::Token;

/// The declaration of a parameter, as in the template's `Parameters` section.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterProps {
    /// The parameter type, such as `String`, `Number` or `AWS::EC2::VPC::Id`.
    ///
    /// **Default:** `String`.
    #[serde(rename = "Type")]
    pub type_: String,
    /// What the parameter is for.
    ///
    /// **Default:** no description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value used when the deployer gives none.
    ///
    /// **Default:** the deployer must give a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Json>,
    /// The only values allowed.
    ///
    /// **Default:** any value of the type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_values: Vec<Json>,
    /// A regular expression the value must match.
    ///
    /// **Default:** no pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    /// Hides the value in the console and API answers.
    ///
    /// **Default:** shown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_echo: bool,
}

/// A parameter of a stack; its [`Parameter::ref_`] is the value given at deploy time.
#[derive(Debug, Clone)]
pub struct Parameter {
    construct: Construct,
}

impl AsConstruct for Parameter {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Parameter {
    /// Declares a parameter under `scope`.
    pub fn new(scope: &impl AsConstruct, id: &str, mut props: ParameterProps) -> Result<Self> {
        if props.type_.is_empty() {
            props.type_ = "String".into();
        }
        let body = serde_json::to_value(&props).unwrap_or(Json::Null);
        let construct = add_element(scope.construct(), id, ElementBody::Parameter(body))?;
        Ok(Parameter { construct })
    }

    /// `Ref` to the parameter: the value given at deploy time.
    pub fn ref_(&self) -> Token {
        let (serial, path) = self.construct.address();
        Token::reference(serial, &path)
    }

    /// Replaces the logical id derived from the path.
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        override_logical_id(&self.construct, logical_id.into());
    }
}
