//! Edges between stacks: a resource that imports (`Fn::ImportValue`) a value which another
//! stack of the same drawing exports from one of its resources.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value as Json;

use super::{references, StackGraph};

/// A resource of one stack that imports a value exported from a resource of another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImportEdge {
    /// The importing resource: (index of its graph, index of its node).
    pub from: (usize, usize),
    /// The exporting resource: (index of its graph, index of its node).
    pub to: (usize, usize),
}

/// The import edges between `graphs`, whose templates are `templates` in the same order.
///
/// Only literal export names are followed; an export whose value refers to no resource (a
/// parameter, say) gives no edge. Sorted, without duplicates.
pub fn import_edges(graphs: &[StackGraph], templates: &[&Json]) -> Vec<ImportEdge> {
    let node_index = |graph: usize, logical_id: &str| {
        graphs[graph]
            .nodes
            .iter()
            .position(|n| n.logical_id == logical_id)
    };
    let mut exports: HashMap<&str, (usize, usize)> = HashMap::new();
    for (graph, template) in templates.iter().enumerate() {
        let Some(outputs) = template["Outputs"].as_object() else {
            continue;
        };
        for output in outputs.values() {
            let Some(name) = output["Export"]["Name"].as_str() else {
                continue;
            };
            let mut targets = Vec::new();
            references(&output["Value"], &mut targets);
            if let Some(node) = targets.iter().find_map(|t| node_index(graph, t)) {
                exports.insert(name, (graph, node));
            }
        }
    }
    let mut edges = BTreeSet::new();
    for (graph, template) in templates.iter().enumerate() {
        let Some(resources) = template["Resources"].as_object() else {
            continue;
        };
        for (node, resource) in resources.values().enumerate() {
            let mut names = Vec::new();
            imported_names(resource, &mut names);
            for name in names {
                if let Some(&to) = exports.get(name).filter(|(g, _)| *g != graph) {
                    edges.insert(ImportEdge {
                        from: (graph, node),
                        to,
                    });
                }
            }
        }
    }
    edges.into_iter().collect()
}

/// The literal export names under `Fn::ImportValue` anywhere in `value`.
fn imported_names<'a>(value: &'a Json, out: &mut Vec<&'a str>) {
    match value {
        Json::Object(map) => {
            if let (1, Some(Json::String(name))) = (map.len(), map.get("Fn::ImportValue")) {
                out.push(name);
            } else {
                map.values().for_each(|v| imported_names(v, out));
            }
        }
        Json::Array(list) => list.iter().for_each(|v| imported_names(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn follows_exports_to_the_resource_they_come_from() {
        let producer = json!({
            "Resources": { "Param": { "Type": "AWS::SSM::Parameter" },
                           "Vpc": { "Type": "AWS::EC2::VPC" } },
            "Outputs": {
                "VpcOut": { "Value": { "Ref": "Vpc" }, "Export": { "Name": "net:Vpc" } },
                "Plain": { "Value": "x", "Export": { "Name": "net:Plain" } }
            }
        });
        let consumer = json!({ "Resources": {
            "Sg": { "Type": "AWS::EC2::SecurityGroup",
                    "Properties": { "VpcId": { "Fn::ImportValue": "net:Vpc" },
                                    "Tags": [{ "Key": "p",
                                               "Value": { "Fn::ImportValue": "net:Plain" } }],
                                    "GroupDescription": { "Fn::ImportValue": "elsewhere:X" } } }
        } });
        let graphs = [
            StackGraph::from_template("Net", &producer),
            StackGraph::from_template("App", &consumer),
        ];
        let edges = import_edges(&graphs, &[&producer, &consumer]);
        assert_eq!(
            edges,
            vec![ImportEdge {
                from: (1, 0),
                to: (0, 1)
            }]
        );
    }
}
