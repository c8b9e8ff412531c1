//! Dependency cycles between resources, reported with the cycle's path (A -> B -> A).

use std::collections::{BTreeMap, BTreeSet};

use super::references::Edge;
use super::source::escape_pointer;
use super::Finding;

/// Reports each cycle among the resources' dependencies once, at every resource of the cycle.
pub(crate) fn check(edges: &[Edge], findings: &mut Vec<Finding>) {
    each_cycle(edges, |cycle, start| {
        findings.push(Finding::of(
            "E3004",
            format!("/Resources/{}", escape_pointer(cycle[start])),
            format!(
                "circular dependency: {}; break it by removing one reference or DependsOn",
                shown(cycle, start)
            ),
        ));
    });
}

/// Reports each cycle among conditions that name each other (`{"Condition": ...}` inside
/// Conditions) once, at every condition of the cycle: CloudFormation cannot evaluate them.
pub(crate) fn check_conditions(edges: &[Edge], findings: &mut Vec<Finding>) {
    each_cycle(edges, |cycle, start| {
        findings.push(Finding::of(
            "SC8001",
            format!("/Conditions/{}", escape_pointer(cycle[start])),
            format!(
                "conditions refer to each other in a circle: {}; CloudFormation cannot evaluate \
                 them, so define one without the others",
                shown(cycle, start)
            ),
        ));
    });
}

/// Calls `report(cycle, start)` for every member `start` of each cycle among the edges, each
/// cycle once.
fn each_cycle(edges: &[Edge], mut report: impl FnMut(&[&str], usize)) {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        graph.entry(&e.from).or_default().insert(&e.to);
    }
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut reported: BTreeSet<BTreeSet<&str>> = BTreeSet::new();
    let nodes: Vec<&str> = graph.keys().copied().collect();
    for node in nodes {
        visit(node, &graph, &mut state, &mut |cycle| {
            let members: BTreeSet<&str> = cycle.iter().copied().collect();
            if reported.insert(members) {
                for start in 0..cycle.len() {
                    report(cycle, start);
                }
            }
        });
    }
}

/// The most members a cycle's path names in full; a longer one shows its first and last.
const SHOWN: usize = 12;

/// The path around `cycle` from its member `start` back to it, joined with arrows, its middle
/// left out when it is longer than [`SHOWN`], so that the findings of a cycle grow with its
/// length and not with its square.
fn shown(cycle: &[&str], start: usize) -> String {
    let len = cycle.len() + 1;
    let at = |k: usize| cycle[(start + k) % cycle.len()];
    let join = |range: std::ops::Range<usize>| range.map(at).collect::<Vec<_>>().join(" -> ");
    if len <= SHOWN {
        return join(0..len);
    }
    format!(
        "{} -> ({} more) -> {}",
        join(0..SHOWN / 2),
        len - SHOWN,
        join(len - SHOWN / 2..len)
    )
}

/// Depth-first search from `root`, with its own stack rather than the thread's, so that a chain
/// of any length is no stack overflow; `state` is 1 while a node is on the path, 2 once finished.
fn visit<'a>(
    root: &'a str,
    graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    state: &mut BTreeMap<&'a str, u8>,
    report: &mut impl FnMut(&[&'a str]),
) {
    if state.contains_key(root) {
        return;
    }
    let none = BTreeSet::new();
    let next_of = |node: &'a str| graph.get(node).unwrap_or(&none).iter();
    state.insert(root, 1);
    let mut path: Vec<&'a str> = vec![root];
    let mut pending = vec![next_of(root)];
    while let Some(nexts) = pending.last_mut() {
        if let Some(&next) = nexts.next() {
            match state.get(next) {
                Some(2) => {}
                Some(_) => {
                    if let Some(start) = path.iter().position(|n| *n == next) {
                        report(&path[start..]);
                    }
                }
                None => {
                    state.insert(next, 1);
                    path.push(next);
                    pending.push(next_of(next));
                }
            }
        } else {
            pending.pop();
            if let Some(done) = path.pop() {
                state.insert(done, 2);
            }
        }
    }
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
    fn follows_a_chain_of_any_length() {
        let names: Vec<String> = (0..100_000).map(|i| format!("R{i}")).collect();
        let mut edges: Vec<Edge> = names.windows(2).map(|w| edge(&w[0], &w[1])).collect();
        let mut findings = Vec::new();
        check(&edges, &mut findings);
        assert!(findings.is_empty());
        edges.push(edge("R99999", "R0"));
        check(&edges, &mut findings);
        assert_eq!(findings.len(), 100_000);
        let message = &findings[0].message;
        let expected = "R0 -> R1 -> R2 -> R3 -> R4 -> R5 -> (99989 more) -> \
                        R99995 -> R99996 -> R99997 -> R99998 -> R99999 -> R0;";
        assert!(message.contains(expected), "{message}");
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
