//! Mappings: static two-level lookup tables read with `Fn::FindInMap`.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::{add_element, override_logical_id, ElementBody};
use crate::construct::{AsConstruct, Construct};
use crate::error::Result;
use crate::token::Token;

/// A mapping of a stack.
#[derive(Debug, Clone)]
pub struct Mapping {
    construct: Construct,
}

impl AsConstruct for Mapping {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Mapping {
    /// Declares a mapping under `scope`: top-level key, then second-level key, then value.
    pub fn new(
        scope: &impl AsConstruct,
        id: &str,
        table: IndexMap<String, IndexMap<String, Json>>,
    ) -> Result<Self> {
        let body = serde_json::to_value(&table).unwrap_or(Json::Null);
        let construct = add_element(scope.construct(), id, ElementBody::Mapping(body))?;
        Ok(Mapping { construct })
    }

    /// `Fn::FindInMap` on this mapping.
    pub fn find(&self, top_key: impl Into<Token>, second_key: impl Into<Token>) -> Token {
        let (serial, path) = self.construct.address();
        let name = Token::logical_name(serial, &path).0;
        Token(serde_json::json!({ "Fn::FindInMap": [name, top_key.into().0, second_key.into().0] }))
    }

    /// Replaces the logical id derived from the path.
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        override_logical_id(&self.construct, logical_id.into());
    }
}
