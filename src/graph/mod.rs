//! The resource graph of a template: resources as nodes, references and `DependsOn` as edges,
//! grouped by construct path.
//!
//! Nodes come from `Resources`, in template order; each sits in the group of its construct
//! path's parent (from the `aws:cdk:path` metadata synthesis writes on every resource), so the
//! resources of one construct are drawn together. An edge goes from a resource to each resource
//! it refers to through `Ref`, `Fn::GetAtt` or `Fn::Sub` (`${X}`, `${X.Attr}`), and to each
//! resource named in its `DependsOn`. Drawn together, stacks are joined by [`import_edges`]:
//! from a resource that imports an export to the resource of the other stack that exports it.
//! [`mermaid`] and [`dot`] render them; both are deterministic: the same templates give the same
//! bytes.

mod dot;
mod imports;
mod mermaid;

pub use dot::dot;
pub use imports::{import_edges, ImportEdge};
pub use mermaid::mermaid;

use std::collections::{BTreeSet, HashMap};

use serde_json::Value as Json;

use crate::diff::PATH_METADATA;

/// A resource of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The logical id.
    pub logical_id: String,
    /// The resource type.
    pub resource_type: String,
    /// The construct path of the resource, when the template records it.
    pub construct_path: Option<String>,
}

impl Node {
    /// The construct path of the group the node is drawn in: its path without the last part.
    pub fn group(&self) -> Option<&str> {
        let path = self.construct_path.as_deref()?;
        path.rsplit_once('/').map(|(parent, _)| parent)
    }
}

/// Why one resource points at another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A `Ref`, `Fn::GetAtt` or `Fn::Sub` reference.
    Reference,
    /// An explicit `DependsOn`.
    DependsOn,
}

/// An edge from a resource to a resource it needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    /// Index of the resource that refers (into [`StackGraph::nodes`]).
    pub from: usize,
    /// Index of the resource referred to.
    pub to: usize,
    /// Reference or `DependsOn`.
    pub kind: EdgeKind,
}

/// The graph of one stack's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackGraph {
    /// The stack's name.
    pub stack: String,
    /// The resources, in template order.
    pub nodes: Vec<Node>,
    /// The edges, sorted by source, then target, then kind, without duplicates.
    pub edges: Vec<Edge>,
}

impl StackGraph {
    /// Builds the graph of a template.
    pub fn from_template(stack: &str, template: &Json) -> StackGraph {
        let empty = serde_json::Map::new();
        let resources = template["Resources"].as_object().unwrap_or(&empty);
        let nodes: Vec<Node> = resources
            .iter()
            .map(|(id, r)| Node {
                logical_id: id.clone(),
                resource_type: r["Type"].as_str().unwrap_or("?").to_string(),
                construct_path: r["Metadata"][PATH_METADATA].as_str().map(str::to_string),
            })
            .collect();
        let positions: HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.logical_id.as_str(), i))
            .collect();
        let index = |id: &str| positions.get(id).copied();
        let mut edges = BTreeSet::new();
        for (from, resource) in resources.values().enumerate() {
            let mut targets = Vec::new();
            if let Some(map) = resource.as_object() {
                for (key, value) in map {
                    if key != "Metadata" && key != "DependsOn" {
                        references(value, &mut targets);
                    }
                }
            }
            let depends_on = match &resource["DependsOn"] {
                Json::String(s) => vec![s.clone()],
                Json::Array(list) => list
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let found = targets
                .into_iter()
                .map(|t| (t, EdgeKind::Reference))
                .chain(depends_on.into_iter().map(|t| (t, EdgeKind::DependsOn)));
            for (target, kind) in found {
                if let Some(to) = index(&target).filter(|to| *to != from) {
                    edges.insert(Edge { from, to, kind });
                }
            }
        }
        StackGraph {
            stack: stack.to_string(),
            nodes,
            edges: edges.into_iter().collect(),
        }
    }

    /// Every group path, with the paths above it, sorted; the tree the renderers nest.
    pub fn groups(&self) -> Vec<String> {
        let mut groups = BTreeSet::new();
        for group in self.nodes.iter().filter_map(Node::group) {
            let mut path = String::new();
            for part in group.split('/') {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(part);
                groups.insert(path.clone());
            }
        }
        groups.into_iter().collect()
    }
}

/// The groups directly below `parent` (the top-level groups for `None`), in sorted order.
pub(crate) fn child_groups<'a>(groups: &'a [String], parent: Option<&str>) -> Vec<&'a str> {
    groups
        .iter()
        .map(String::as_str)
        .filter(|g| g.rsplit_once('/').map(|(p, _)| p) == parent)
        .collect()
}

/// The label of a group: the last part of its construct path.
pub(crate) fn label_of_group(group: &str) -> &str {
    group.rsplit('/').next().unwrap_or(group)
}

/// The logical ids a value refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub`, in order.
///
/// Pseudo parameters (`AWS::Region`) and names that are not resources are kept; the caller
/// keeps only the resources of its template.
pub fn references(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next().expect("one entry");
            match (key.as_str(), arg) {
                ("Ref", Json::String(target)) => out.push(target.clone()),
                ("Fn::GetAtt", Json::Array(parts)) => {
                    if let Some(target) = parts.first().and_then(Json::as_str) {
                        out.push(target.to_string());
                    }
                    parts.iter().skip(1).for_each(|p| references(p, out));
                }
                ("Fn::GetAtt", Json::String(dotted)) => {
                    out.push(dotted.split('.').next().unwrap_or_default().to_string());
                }
                ("Fn::Sub", Json::String(pattern)) => sub_variables(pattern, &[], out),
                ("Fn::Sub", Json::Array(parts)) => {
                    let vars: Vec<&str> = parts
                        .get(1)
                        .and_then(Json::as_object)
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(pattern) = parts.first().and_then(Json::as_str) {
                        sub_variables(pattern, &vars, out);
                    }
                    parts.iter().skip(1).for_each(|p| references(p, out));
                }
                _ => references(arg, out),
            }
        }
        Json::Object(map) => map.values().for_each(|v| references(v, out)),
        Json::Array(list) => list.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// The resources and parameters an `Fn::Sub` pattern names (the part of `${Name.Attr}` before
/// the dot), leaving out the variables the `Fn::Sub` defines itself.
fn sub_variables(pattern: &str, defined: &[&str], out: &mut Vec<String>) {
    for name in crate::intrinsic::sub_variables(pattern) {
        let target = name.split('.').next().unwrap_or_default();
        if !target.is_empty() && !defined.contains(&name) && !defined.contains(&target) {
            out.push(target.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Json {
        json!({ "Resources": {
            "Vpc": { "Type": "AWS::EC2::VPC",
                     "Metadata": { "aws:cdk:path": "Net/Network/Vpc" } },
            "Subnet": { "Type": "AWS::EC2::Subnet",
                        "Properties": { "VpcId": { "Ref": "Vpc" },
                                        "AvailabilityZone": { "Ref": "AWS::Region" } },
                        "Metadata": { "aws:cdk:path": "Net/Network/Subnet" } },
            "Sg": { "Type": "AWS::EC2::SecurityGroup",
                    "Properties": { "VpcId": { "Fn::GetAtt": ["Vpc", "VpcId"] },
                                    "GroupDescription": {
                                        "Fn::Sub": "for ${Subnet} in ${Vpc.CidrBlock} ${!Literal}"
                                    } },
                    "DependsOn": ["Subnet"],
                    "Metadata": { "aws:cdk:path": "Net/App/Sg/Resource" } },
            "Bare": { "Type": "AWS::SQS::Queue",
                      "Properties": {
                          "QueueName": { "Fn::Sub": ["${Own}-${Sg}", { "Own": "x" }] }
                      } }
        } })
    }

    #[test]
    fn finds_edges_from_ref_getatt_sub_and_depends_on() {
        let graph = StackGraph::from_template("Net", &sample());
        let edges: Vec<(&str, &str, EdgeKind)> = graph
            .edges
            .iter()
            .map(|e| {
                (
                    graph.nodes[e.from].logical_id.as_str(),
                    graph.nodes[e.to].logical_id.as_str(),
                    e.kind,
                )
            })
            .collect();
        assert_eq!(
            edges,
            [
                ("Subnet", "Vpc", EdgeKind::Reference),
                ("Sg", "Vpc", EdgeKind::Reference),
                ("Sg", "Subnet", EdgeKind::Reference),
                ("Sg", "Subnet", EdgeKind::DependsOn),
                ("Bare", "Sg", EdgeKind::Reference),
            ]
        );
    }

    #[test]
    fn groups_nodes_by_the_parent_of_their_construct_path() {
        let graph = StackGraph::from_template("Net", &sample());
        assert_eq!(graph.nodes[0].group(), Some("Net/Network"));
        assert_eq!(graph.nodes[2].group(), Some("Net/App/Sg"));
        assert_eq!(graph.nodes[3].group(), None);
        assert_eq!(
            graph.groups(),
            ["Net", "Net/App", "Net/App/Sg", "Net/Network"]
        );
    }

    #[test]
    fn sub_skips_literals_and_its_own_variables() {
        let mut out = Vec::new();
        sub_variables("${A}-${B.Arn}-${!C}-${D}", &["D"], &mut out);
        assert_eq!(out, ["A", "B"]);
    }
}
