//! Resources: the typed handle every L1 type goes through, its options, and the untyped escape
//! hatch.

use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

use super::{Condition, Element, ElementBody};
use crate::construct::{AsConstruct, Construct, NodeKind};
use crate::error::{Error, ErrorKind, Result};
use crate::token::Token;

/// A CloudFormation resource type whose properties serialize to the template's `Properties`.
///
/// The generated L1 types implement it; [`CfnUntyped`] implements it for any type string.
pub trait CfnResource: Serialize {
    /// The CloudFormation type name, such as `AWS::EC2::VPC`.
    fn cfn_type(&self) -> &str;
}

/// What CloudFormation does with a resource's physical resource when the resource leaves the
/// stack (`DeletionPolicy`) or is replaced (`UpdateReplacePolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeletionPolicy {
    /// The physical resource is deleted.
    Delete,
    /// The physical resource is kept, outside the stack.
    Retain,
    /// Retained, except when the stack's creation fails and rolls back (then deleted).
    RetainExceptOnCreate,
    /// A final snapshot is taken before deletion (databases, volumes, caches).
    Snapshot,
}

/// A resource of any type, with properties written as JSON.
///
/// Synthesis still validates it against the type's schema when the type is known, so a
/// misspelt property is caught before deploy.
#[derive(Debug, Clone, Serialize)]
pub struct CfnUntyped {
    #[serde(skip)]
    type_name: String,
    #[serde(flatten)]
    properties: serde_json::Map<String, Json>,
}

impl CfnUntyped {
    /// A resource of type `type_name` with `properties` (a JSON object; anything else is
    /// treated as no properties).
    pub fn new(type_name: impl Into<String>, properties: Json) -> Self {
        let properties = match properties {
            Json::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        CfnUntyped {
            type_name: type_name.into(),
            properties,
        }
    }
}

impl CfnResource for CfnUntyped {
    fn cfn_type(&self) -> &str {
        &self.type_name
    }
}

/// The data synthesis needs about one resource.
#[derive(Debug, Clone)]
pub(crate) struct ResourceData {
    pub(crate) type_name: String,
    pub(crate) properties: Json,
    pub(crate) deletion_policy: Option<DeletionPolicy>,
    pub(crate) update_replace_policy: Option<DeletionPolicy>,
    pub(crate) condition: Option<Token>,
    pub(crate) metadata: IndexMap<String, Json>,
    pub(crate) overrides: Vec<(Vec<String>, Option<Json>)>,
}

/// A resource in the construct tree: the handle returned when a typed resource is added.
///
/// It gives the resource's `Ref` and attributes as tokens (typed accessors are generated for
/// each type), and the resource options: policies, condition, dependencies, metadata, property
/// overrides and a logical id override.
pub struct Resource<T> {
    construct: Construct,
    _props: PhantomData<fn() -> T>,
}

impl<T> Clone for Resource<T> {
    fn clone(&self) -> Self {
        Resource {
            construct: self.construct.clone(),
            _props: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Resource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Resource({})", self.construct.path())
    }
}

impl<T> AsConstruct for Resource<T> {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl<T: CfnResource> Resource<T> {
    /// Adds a resource with these properties as a child of `scope`.
    ///
    /// Fails when the id is taken or invalid, or when `scope` is not inside a stack.
    pub fn new(scope: &impl AsConstruct, id: &str, props: T) -> Result<Self> {
        let scope = scope.construct();
        if scope.stack_idx().is_none() {
            return Err(Error::new(child_path(scope, id), ErrorKind::NotInStack));
        }
        let properties = serde_json::to_value(&props).map_err(|e| {
            Error::invalid_props(child_path(scope, id), "Properties", e.to_string())
        })?;
        let data = ResourceData {
            type_name: props.cfn_type().to_string(),
            properties,
            deletion_policy: None,
            update_replace_policy: None,
            condition: None,
            metadata: IndexMap::new(),
            overrides: Vec::new(),
        };
        let element = Element {
            logical_id_override: None,
            body: ElementBody::Resource(data),
        };
        let construct = scope.add_child(id, NodeKind::Element(Box::new(element)))?;
        Ok(Resource {
            construct,
            _props: PhantomData,
        })
    }
}

impl<T> Resource<T> {
    fn with_data<R>(&self, f: impl FnOnce(&mut ResourceData) -> R) -> R {
        let mut tree = self.construct.tree.borrow_mut();
        match &mut tree.nodes[self.construct.idx].kind {
            NodeKind::Element(el) => match &mut el.body {
                ElementBody::Resource(data) => f(data),
                _ => unreachable!("a Resource handle always points at a resource node"),
            },
            _ => unreachable!("a Resource handle always points at a resource node"),
        }
    }

    /// The CloudFormation type of this resource.
    pub fn cfn_type(&self) -> String {
        self.with_data(|d| d.type_name.clone())
    }

    /// `Ref` to this resource: what it returns depends on the type (often an id or an ARN).
    pub fn ref_(&self) -> Token {
        let (serial, path) = self.construct.address();
        Token::reference(serial, &path)
    }

    /// `Fn::GetAtt` of an attribute by name. Typed resources have an `attr_*` accessor for each
    /// attribute their type returns; prefer those.
    pub fn get_att(&self, attribute: &str) -> Token {
        let (serial, path) = self.construct.address();
        Token::attribute(serial, &path, attribute)
    }

    /// Sets `DeletionPolicy`.
    pub fn set_deletion_policy(&self, policy: DeletionPolicy) {
        self.with_data(|d| d.deletion_policy = Some(policy));
    }

    /// Sets `UpdateReplacePolicy`.
    pub fn set_update_replace_policy(&self, policy: DeletionPolicy) {
        self.with_data(|d| d.update_replace_policy = Some(policy));
    }

    /// Creates the resource only when `condition` holds.
    pub fn set_condition(&self, condition: &Condition) {
        let token = condition.name_token();
        self.with_data(|d| d.condition = Some(token));
    }

    /// Adds an entry to the resource's `Metadata`.
    pub fn add_metadata(&self, key: impl Into<String>, value: Json) {
        self.with_data(|d| {
            d.metadata.insert(key.into(), value);
        });
    }

    /// Sets a property by its dotted path below `Properties` (`"Tags.0.Value"` or
    /// `"VpcConfig.SubnetIds"`), overwriting what the typed properties gave.
    ///
    /// Overrides are applied at synthesis and validated like any other property.
    pub fn add_property_override(&self, path: &str, value: impl Into<Token>) {
        let parts = path.split('.').map(str::to_string).collect();
        let value = value.into().0;
        self.with_data(|d| d.overrides.push((parts, Some(value))));
    }

    /// Removes a property by its dotted path below `Properties`.
    pub fn add_property_deletion_override(&self, path: &str) {
        let parts = path.split('.').map(str::to_string).collect();
        self.with_data(|d| d.overrides.push((parts, None)));
    }

    /// Makes this resource wait for `other` (`DependsOn` in one stack, a stack dependency
    /// across stacks).
    pub fn add_dependency(&self, other: &impl AsConstruct) {
        self.construct.add_dependency(other);
    }

    /// Replaces the logical id derived from the path, to adopt an existing stack's ids.
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        let id = logical_id.into();
        let mut tree = self.construct.tree.borrow_mut();
        if let NodeKind::Element(el) = &mut tree.nodes[self.construct.idx].kind {
            el.logical_id_override = Some(id);
        }
    }
}

pub(crate) fn child_path(scope: &Construct, id: &str) -> String {
    let p = scope.path();
    if p.is_empty() {
        id.to_string()
    } else {
        format!("{p}/{id}")
    }
}
