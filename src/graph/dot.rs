//! The graph in Graphviz DOT, for `dot -Tsvg` and other Graphviz tools.

use super::{child_groups, label_of_group, EdgeKind, ImportEdge, Node, StackGraph};

/// Renders the graphs of one or more stacks, and the imports between them, as one DOT digraph.
///
/// Node ids are the logical ids, prefixed with `Stack/` when more than one stack is drawn; each
/// construct-path group is a `cluster` subgraph labelled with its last path part; an import is
/// a bold edge labelled `ImportValue`.
pub fn dot(graphs: &[StackGraph], imports: &[ImportEdge]) -> String {
    let prefixed = graphs.len() > 1;
    let mut out = String::from(
        "digraph stackcraft {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    let mut counter = 0;
    for graph in graphs {
        let groups = graph.groups();
        let mut scope = Scope {
            graph,
            groups: &groups,
            prefixed,
            counter: &mut counter,
        };
        for root in child_groups(&groups, None) {
            scope.group(root, 1, &mut out);
        }
        for node in graph.nodes.iter().filter(|n| n.group().is_none()) {
            node_line(graph, node, prefixed, 1, &mut out);
        }
    }
    for graph in graphs {
        for edge in &graph.edges {
            let from = quote(&node_id(graph, &graph.nodes[edge.from], prefixed));
            let to = quote(&node_id(graph, &graph.nodes[edge.to], prefixed));
            match edge.kind {
                EdgeKind::Reference => out.push_str(&format!("  {from} -> {to};\n")),
                EdgeKind::DependsOn => out.push_str(&format!(
                    "  {from} -> {to} [style=dashed, label=\"DependsOn\"];\n"
                )),
            }
        }
    }
    for edge in imports {
        let (from_graph, to_graph) = (&graphs[edge.from.0], &graphs[edge.to.0]);
        let from = quote(&node_id(
            from_graph,
            &from_graph.nodes[edge.from.1],
            prefixed,
        ));
        let to = quote(&node_id(to_graph, &to_graph.nodes[edge.to.1], prefixed));
        out.push_str(&format!(
            "  {from} -> {to} [style=bold, label=\"ImportValue\"];\n"
        ));
    }
    out.push_str("}\n");
    out
}

/// What rendering the groups of one graph needs.
struct Scope<'a> {
    graph: &'a StackGraph,
    groups: &'a [String],
    prefixed: bool,
    counter: &'a mut usize,
}

impl Scope<'_> {
    fn group(&mut self, group: &str, depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        out.push_str(&format!("{indent}subgraph cluster_{} {{\n", self.counter));
        *self.counter += 1;
        out.push_str(&format!(
            "{indent}  label={};\n",
            quote(label_of_group(group))
        ));
        for child in child_groups(self.groups, Some(group)) {
            self.group(child, depth + 1, out);
        }
        for node in self.graph.nodes.iter().filter(|n| n.group() == Some(group)) {
            node_line(self.graph, node, self.prefixed, depth + 1, out);
        }
        out.push_str(&format!("{indent}}}\n"));
    }
}

fn node_line(graph: &StackGraph, node: &Node, prefixed: bool, depth: usize, out: &mut String) {
    let label = format!(
        "{}\\n{}",
        escape(&node.logical_id),
        escape(&node.resource_type)
    );
    out.push_str(&format!(
        "{}{} [label=\"{label}\"];\n",
        "  ".repeat(depth),
        quote(&node_id(graph, node, prefixed))
    ));
}

fn node_id(graph: &StackGraph, node: &Node, prefixed: bool) -> String {
    if prefixed {
        format!("{}/{}", graph.stack, node.logical_id)
    } else {
        node.logical_id.clone()
    }
}

/// A DOT quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn renders_clusters_nodes_and_edges() {
        let template = json!({ "Resources": {
            "Vpc": { "Type": "AWS::EC2::VPC", "Metadata": { "aws:cdk:path": "Net/Network/Vpc" } },
            "Subnet": { "Type": "AWS::EC2::Subnet", "Properties": { "VpcId": { "Ref": "Vpc" } },
                        "DependsOn": "Vpc",
                        "Metadata": { "aws:cdk:path": "Net/Network/Subnet" } }
        } });
        let graph = StackGraph::from_template("Net", &template);
        assert_eq!(
            dot(&[graph], &[]),
            "digraph stackcraft {\n\
             \x20 rankdir=LR;\n\
             \x20 node [shape=box, fontname=\"Helvetica\"];\n\
             \x20 subgraph cluster_0 {\n\
             \x20   label=\"Net\";\n\
             \x20   subgraph cluster_1 {\n\
             \x20     label=\"Network\";\n\
             \x20     \"Vpc\" [label=\"Vpc\\nAWS::EC2::VPC\"];\n\
             \x20     \"Subnet\" [label=\"Subnet\\nAWS::EC2::Subnet\"];\n\
             \x20   }\n\
             \x20 }\n\
             \x20 \"Subnet\" -> \"Vpc\";\n\
             \x20 \"Subnet\" -> \"Vpc\" [style=dashed, label=\"DependsOn\"];\n\
             }\n"
        );
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
