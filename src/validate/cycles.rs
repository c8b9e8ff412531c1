//! Dependency cycles between resources, reported with the cycle's path (A -> B -> A).

use std::collections::{BTreeMap, BTreeSet};

use super::references::Edge;
use super::source::escape_pointer;
use super::Finding;

/// Reports each cycle among the edges once, at every resource of the cycle.
pub(crate) fn check(edges: &[Edge], findings: &mut Vec<Finding>) {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        graph.entry(&e.from).or_default().insert(&e.to);
    }
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut reported: BTreeSet<BTreeSet<&str>> = BTreeSet::new();
    let nodes: Vec<&str> = graph.keys().copied().collect();
    for node in nodes {
        let mut stack = Vec::new();
        visit(node, &graph, &mut state, &mut stack, &mut |cycle| {
            let members: BTreeSet<&str> = cycle.iter().copied().collect();
            if reported.insert(members) {
                // Each member gets the finding, its path starting at itself.
                for start in 0..cycle.len() {
                    let mut path: Vec<&str> = cycle[start..].to_vec();
                    path.extend(&cycle[..=start]);
                    findings.push(Finding::of(
                        "E3004",
                        format!("/Resources/{}", escape_pointer(cycle[start])),
                        format!(
                            "circular dependency: {}; break it by removing one reference or \
                             DependsOn",
                            path.join(" -> ")
                        ),
                    ));
                }
            }
        });
    }
}

/// Depth-first search; `state` is 1 while a node is on the stack, 2 once finished.
fn visit<'a>(
    node: &'a str,
    graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    state: &mut BTreeMap<&'a str, u8>,
    stack: &mut Vec<&'a str>,
    report: &mut impl FnMut(&[&'a str]),
) {
    match state.get(node) {
        Some(2) => return,
        Some(1) => {
            if let Some(start) = stack.iter().position(|n| *n == node) {
                report(&stack[start..]);
            }
            return;
        }
        _ => {}
    }
    state.insert(node, 1);
    stack.push(node);
    for next in graph.get(node).into_iter().flatten() {
        visit(next, graph, state, stack, report);
    }
    stack.pop();
    state.insert(node, 2);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn reports_the_cycle_path_at_each_member() {
        let mut findings = Vec::new();
        let edges = [
            edge("A", "B"),
            edge("B", "C"),
            edge("C", "A"),
            edge("C", "D"),
        ];
        check(&edges, &mut findings);
        assert_eq!(findings.len(), 3);
        assert!(
            findings[0].message.contains("A -> B -> C -> A"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[1].message.contains("B -> C -> A -> B"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn accepts_a_dag() {
        let mut findings = Vec::new();
        check(
            &[edge("A", "B"), edge("A", "C"), edge("B", "C")],
            &mut findings,
        );
        assert!(findings.is_empty());
    }
}
