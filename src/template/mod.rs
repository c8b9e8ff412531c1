//! The template model: one file per template section, plus the [`Template`] they assemble into.
//!
//! Each section element (resource, parameter, output, condition, mapping) is a node of the
//! construct tree, so it gets a path and a logical id the same way. What synthesis writes is a
//! [`Template`], whose sections keep insertion order so the output is stable to the byte.

mod condition;
mod mapping;
mod output;
mod parameter;
mod resource;

pub use condition::Condition;
pub use mapping::Mapping;
pub use output::{Output, OutputProps};
pub use parameter::{Parameter, ParameterProps};
pub use resource::{CfnResource, CfnUntyped, DeletionPolicy, Resource};

pub(crate) use resource::ResourceData;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

/// The data of one template element, kept on its node of the construct tree.
#[derive(Debug)]
pub(crate) struct Element {
    pub(crate) logical_id_override: Option<String>,
    pub(crate) body: ElementBody,
}

/// What kind of element a node holds, with its not-yet-resolved content.
#[derive(Debug)]
pub(crate) enum ElementBody {
    Resource(ResourceData),
    Parameter(Json),
    Output(Json),
    Condition(Json),
    Mapping(Json),
}

impl ElementBody {
    pub(crate) fn section(&self) -> &'static str {
        match self {
            ElementBody::Resource(_) => "Resources",
            ElementBody::Parameter(_) => "Parameters",
            ElementBody::Output(_) => "Outputs",
            ElementBody::Condition(_) => "Conditions",
            ElementBody::Mapping(_) => "Mappings",
        }
    }
}

/// A CloudFormation template, section by section, in the order CloudFormation documents them.
///
/// Every map keeps insertion order; empty sections are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Template {
    /// Always `2010-09-09` when set.
    #[serde(
        rename = "AWSTemplateFormatVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub format_version: Option<String>,
    /// The stack description (at most 1,024 bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Template-level metadata.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub metadata: IndexMap<String, Json>,
    /// Input parameters.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Json>,
    /// Static lookup tables.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub mappings: IndexMap<String, Json>,
    /// Named conditions.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: IndexMap<String, Json>,
    /// The resources, by logical id.
    pub resources: IndexMap<String, Json>,
    /// Stack outputs.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Json>,
}

impl Template {
    /// The template as JSON.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// The template as JSON, moving the sections instead of copying them (what synthesis
    /// uses; the keys come in the same order as [`Template::to_json`]).
    pub fn into_json(self) -> Json {
        let mut map = serde_json::Map::new();
        if let Some(v) = self.format_version {
            map.insert("AWSTemplateFormatVersion".into(), Json::String(v));
        }
        if let Some(d) = self.description {
            map.insert("Description".into(), Json::String(d));
        }
        let sections = [
            ("Metadata", self.metadata),
            ("Parameters", self.parameters),
            ("Mappings", self.mappings),
            ("Conditions", self.conditions),
            ("Resources", self.resources),
            ("Outputs", self.outputs),
        ];
        for (name, section) in sections {
            if !section.is_empty() || name == "Resources" {
                map.insert(name.into(), Json::Object(section.into_iter().collect()));
            }
        }
        Json::Object(map)
    }

    /// The section map that holds elements of `section` (`Resources`, `Outputs`, ...).
    pub(crate) fn section_mut(&mut self, section: &str) -> &mut IndexMap<String, Json> {
        match section {
            "Parameters" => &mut self.parameters,
            "Mappings" => &mut self.mappings,
            "Conditions" => &mut self.conditions,
            "Outputs" => &mut self.outputs,
            _ => &mut self.resources,
        }
    }
}

/// Adds an element node under `scope`; elements must live inside a stack.
pub(crate) fn add_element(
    scope: &crate::Construct,
    id: &str,
    body: ElementBody,
) -> crate::Result<crate::Construct> {
    if scope.stack_idx().is_none() {
        return Err(crate::Error::new(
            resource::child_path(scope, id),
            crate::ErrorKind::NotInStack,
        ));
    }
    let element = Element {
        logical_id_override: None,
        body,
    };
    scope.add_child(id, crate::construct::NodeKind::Element(Box::new(element)))
}

/// Replaces the logical id of the element at `construct`.
pub(crate) fn override_logical_id(construct: &crate::Construct, logical_id: String) {
    let mut tree = construct.tree.borrow_mut();
    if let crate::construct::NodeKind::Element(el) = &mut tree.nodes[construct.idx].kind {
        el.logical_id_override = Some(logical_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn into_json_matches_to_json() {
        let mut template = Template {
            format_version: Some("2010-09-09".into()),
            description: Some("demo".into()),
            ..Template::default()
        };
        assert_eq!(template.clone().into_json(), template.to_json());
        template
            .outputs
            .insert("Id".into(), json!({ "Value": "x" }));
        template
            .parameters
            .insert("P".into(), json!({ "Type": "String" }));
        template
            .resources
            .insert("R".into(), json!({ "Type": "AWS::SQS::Queue" }));
        let moved = template.clone().into_json();
        assert_eq!(moved, template.to_json());
        let keys: Vec<&String> = moved.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "AWSTemplateFormatVersion",
                "Description",
                "Parameters",
                "Resources",
                "Outputs"
            ]
        );
    }
}
