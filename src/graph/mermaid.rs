//! The graph as a Mermaid flowchart, which GitHub renders in a pull-request description.

use super::{child_groups, label_of_group, EdgeKind, ImportEdge, StackGraph};

/// Renders the graphs of one or more stacks, and the imports between them, as one Mermaid
/// flowchart.
///
/// Node ids are the logical ids, prefixed with the stack name when more than one stack is drawn;
/// each construct-path group is a `subgraph` labelled with its last path part; an import is a
/// thick arrow labelled `ImportValue`.
pub fn mermaid(graphs: &[StackGraph], imports: &[ImportEdge]) -> String {
    let prefixed = graphs.len() > 1;
    let mut out = String::from("flowchart LR\n");
    let mut counter = 0;
    for graph in graphs {
        let groups = graph.groups();
        for root in child_groups(&groups, None) {
            render_group(graph, &groups, root, prefixed, 1, &mut counter, &mut out);
        }
        for (index, _) in graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.group().is_none())
        {
            node_line(graph, index, prefixed, 1, &mut out);
        }
    }
    for graph in graphs {
        for edge in &graph.edges {
            let from = node_id(graph, edge.from, prefixed);
            let to = node_id(graph, edge.to, prefixed);
            match edge.kind {
                EdgeKind::Reference => out.push_str(&format!("  {from} --> {to}\n")),
                EdgeKind::DependsOn => out.push_str(&format!("  {from} -.->|DependsOn| {to}\n")),
            }
        }
    }
    for edge in imports {
        let from = node_id(&graphs[edge.from.0], edge.from.1, prefixed);
        let to = node_id(&graphs[edge.to.0], edge.to.1, prefixed);
        out.push_str(&format!("  {from} ==>|ImportValue| {to}\n"));
    }
    out
}

fn render_group(
    graph: &StackGraph,
    groups: &[String],
    group: &str,
    prefixed: bool,
    depth: usize,
    counter: &mut usize,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!(
        "{indent}subgraph g{counter}[\"{}\"]\n",
        escape(label_of_group(group))
    ));
    *counter += 1;
    for child in child_groups(groups, Some(group)) {
        render_group(graph, groups, child, prefixed, depth + 1, counter, out);
    }
    let members = graph.nodes.iter().enumerate();
    for (index, _) in members.filter(|(_, n)| n.group() == Some(group)) {
        node_line(graph, index, prefixed, depth + 1, out);
    }
    out.push_str(&format!("{indent}end\n"));
}

fn node_line(graph: &StackGraph, index: usize, prefixed: bool, depth: usize, out: &mut String) {
    let node = &graph.nodes[index];
    out.push_str(&format!(
        "{}{}[\"{}<br/>{}\"]\n",
        "  ".repeat(depth),
        node_id(graph, index, prefixed),
        escape(&node.logical_id),
        escape(&node.resource_type)
    ));
}

/// A Mermaid node id: letters, digits and `_` only, never the keyword `end`.
fn node_id(graph: &StackGraph, index: usize, prefixed: bool) -> String {
    let raw = if prefixed {
        format!("{}_{}", graph.stack, graph.nodes[index].logical_id)
    } else {
        graph.nodes[index].logical_id.clone()
    };
    let id: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if id == "end" || id.is_empty() {
        format!("{id}_")
    } else {
        id
    }
}

/// Escapes text for a quoted Mermaid label.
fn escape(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn renders_nested_subgraphs_nodes_and_edges() {
        let template = json!({ "Resources": {
            "Vpc": { "Type": "AWS::EC2::VPC", "Metadata": { "aws:cdk:path": "Net/Network/Vpc" } },
            "Subnet": { "Type": "AWS::EC2::Subnet", "Properties": { "VpcId": { "Ref": "Vpc" } },
                        "DependsOn": "Vpc",
                        "Metadata": { "aws:cdk:path": "Net/Network/Subnet" } },
            "end": { "Type": "AWS::SQS::Queue" }
        } });
        let graph = StackGraph::from_template("Net", &template);
        assert_eq!(
            mermaid(&[graph], &[]),
            "flowchart LR\n\
             \x20 subgraph g0[\"Net\"]\n\
             \x20   subgraph g1[\"Network\"]\n\
             \x20     Vpc[\"Vpc<br/>AWS::EC2::VPC\"]\n\
             \x20     Subnet[\"Subnet<br/>AWS::EC2::Subnet\"]\n\
             \x20   end\n\
             \x20 end\n\
             \x20 end_[\"end<br/>AWS::SQS::Queue\"]\n\
             \x20 Subnet --> Vpc\n\
             \x20 Subnet -.->|DependsOn| Vpc\n"
        );
    }

    #[test]
    fn prefixes_node_ids_with_the_stack_when_drawing_several() {
        let template = json!({ "Resources": { "Q": { "Type": "AWS::SQS::Queue" } } });
        let graphs = [
            StackGraph::from_template("A", &template),
            StackGraph::from_template("B-2", &template),
        ];
        let text = mermaid(&graphs, &[]);
        assert!(
            text.contains("  A_Q[\"Q<br/>AWS::SQS::Queue\"]\n"),
            "{text}"
        );
        assert!(
            text.contains("  B_2_Q[\"Q<br/>AWS::SQS::Queue\"]\n"),
            "{text}"
        );
    }
}
