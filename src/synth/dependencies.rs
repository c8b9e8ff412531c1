//! Dependencies: construct dependencies become `DependsOn` or stack dependencies, and stacks are
//! put in deployment order.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexSet;

use super::Placement;
use crate::construct::{NodeKind, Tree};
use crate::error::{Error, ErrorKind};
use crate::template::ElementBody;

/// Resolves `add_dependency` between constructs: `DependsOn` per resource within a stack,
/// stack dependencies across stacks.
pub(super) fn construct_dependencies(
    tree: &Tree,
    placement: &Placement<'_>,
    stack_deps: &mut BTreeMap<usize, IndexSet<usize>>,
) -> HashMap<usize, IndexSet<String>> {
    let mut depends_on: HashMap<usize, IndexSet<String>> = HashMap::new();
    let is_resource = |i: usize| match &tree.nodes[i].kind {
        NodeKind::Element(el) => matches!(el.body, ElementBody::Resource(_)),
        _ => false,
    };
    for source in tree.subtree(0) {
        for &target in &tree.nodes[source].dependencies {
            let (Some(s_stack), Some(t_stack)) = (tree.stack_of(source), tree.stack_of(target))
            else {
                continue;
            };
            if s_stack != t_stack {
                stack_deps.entry(s_stack).or_default().insert(t_stack);
                continue;
            }
            let targets: Vec<usize> = tree
                .subtree(target)
                .into_iter()
                .filter(|&i| is_resource(i))
                .collect();
            for s in tree.subtree(source).into_iter().filter(|&i| is_resource(i)) {
                for &t in &targets {
                    if s == t {
                        continue;
                    }
                    if let Some(p) = &placement.placed[t] {
                        depends_on
                            .entry(s)
                            .or_default()
                            .insert(p.logical_id.clone());
                    }
                }
            }
        }
    }
    depends_on
}

/// Orders stacks so each comes after the stacks it depends on; a cycle is an error that names
/// the stacks in it.
pub(super) fn order_stacks(
    tree: &Tree,
    stacks: &[usize],
    deps: &BTreeMap<usize, IndexSet<usize>>,
) -> Result<Vec<usize>, Error> {
    let mut order = Vec::new();
    let mut state: HashMap<usize, u8> = HashMap::new();
    fn visit(
        s: usize,
        deps: &BTreeMap<usize, IndexSet<usize>>,
        state: &mut HashMap<usize, u8>,
        trail: &mut Vec<usize>,
        order: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match state.get(&s) {
            Some(2) => return Ok(()),
            Some(1) => {
                let start = trail.iter().position(|&x| x == s).unwrap_or(0);
                let mut cycle = trail[start..].to_vec();
                cycle.push(s);
                return Err(cycle);
            }
            _ => {}
        }
        state.insert(s, 1);
        trail.push(s);
        for &d in deps.get(&s).into_iter().flatten() {
            visit(d, deps, state, trail, order)?;
        }
        trail.pop();
        state.insert(s, 2);
        order.push(s);
        Ok(())
    }
    for &s in stacks {
        let mut trail = Vec::new();
        if let Err(cycle) = visit(s, deps, &mut state, &mut trail, &mut order) {
            let names: Vec<String> = cycle.iter().map(|&i| tree.path(i)).collect();
            return Err(Error::new(
                names[0].clone(),
                ErrorKind::StackCycle { cycle: names },
            ));
        }
    }
    Ok(order)
}
