//! Stack outputs: values a stack publishes after deploy.

use serde_json::{Map, Value as Json};

use super::{add_element, override_logical_id, ElementBody};
use crate::construct::{AsConstruct, Construct};
use crate::error::Result;
use crate::token::Token;

/// The declaration of an output.
#[derive(Debug, Clone)]
pub struct OutputProps {
    /// The value, usually a reference or an attribute.
    pub value: Token,
    /// What the output is.
    ///
    /// **Default:** no description.
    pub description: Option<String>,
    /// Publishes the value under this export name for `Fn::ImportValue` from other stacks.
    ///
    /// **Default:** not exported (references between stacks of one app export what they need
    /// by themselves).
    pub export_name: Option<Token>,
}

impl OutputProps {
    /// An output of `value`, with no description and no export.
    pub fn new(value: impl Into<Token>) -> Self {
        OutputProps {
            value: value.into(),
            description: None,
            export_name: None,
        }
    }
}

/// An output of a stack.
#[derive(Debug, Clone)]
pub struct Output {
    construct: Construct,
}

impl AsConstruct for Output {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Output {
    /// Declares an output under `scope`.
    pub fn new(scope: &impl AsConstruct, id: &str, props: OutputProps) -> Result<Self> {
        let mut body = Map::new();
        if let Some(d) = props.description {
            body.insert("Description".into(), Json::String(d));
        }
        body.insert("Value".into(), props.value.0);
        if let Some(name) = props.export_name {
            body.insert("Export".into(), serde_json::json!({ "Name": name.0 }));
        }
        let construct = add_element(
            scope.construct(),
            id,
            ElementBody::Output(Json::Object(body)),
        )?;
        Ok(Output { construct })
    }

    /// Replaces the logical id derived from the path.
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        override_logical_id(&self.construct, logical_id.into());
    }
}
