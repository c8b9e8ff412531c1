//! Synthesis: from the construct tree to a validated cloud assembly in memory.
//!
//! The phases, in order: lock the tree; give every element its logical id; resolve references
//! (cross-stack ones become exports and imports); turn construct dependencies into `DependsOn`
//! and stack dependencies; order the stacks; render each template; validate; assemble. Writing
//! the files is left to [`crate::assembly`], so a failure anywhere leaves the output folder as
//! it was.

use std::collections::{BTreeMap, HashMap};

use indexmap::{IndexMap, IndexSet};
use serde_json::Value as Json;

use crate::assembly::CloudAssembly;
use crate::construct::{Annotation, Construct, Level, NodeKind, Tree};
use crate::error::{Error, ErrorKind};
use crate::logical_id;
use crate::validate::{self, Finding};

mod dependencies;
mod render;
mod resolve;

use dependencies::{construct_dependencies, order_stacks};
use render::{render_template, stack_artifact, tree_json};
use resolve::{element_json, ResolveCtx};

/// Options of a synthesis run.
#[derive(Debug, Clone, Default)]
pub struct SynthOptions {
    /// Warnings (from validation and from constructs) fail synthesis too.
    pub strict: bool,
    /// Skips template validation (for benchmarks of the bare pipeline; never used by `synth`).
    pub skip_validation: bool,
}

/// A successful synthesis: the assembly, plus what the user should read.
#[derive(Debug)]
pub struct Synthesis {
    /// The cloud assembly, ready to be written.
    pub assembly: CloudAssembly,
    /// Warnings and notes constructs attached to themselves.
    pub annotations: Vec<Annotation>,
    /// Validation findings below error level.
    pub findings: Vec<Finding>,
}

/// Why synthesis failed: every error found, not only the first.
#[derive(Debug)]
pub struct SynthFailure {
    /// Errors of the construct tree (references, ids, cycles, annotations at error level).
    pub errors: Vec<Error>,
    /// Validation findings, errors and warnings alike.
    pub findings: Vec<Finding>,
    /// Every annotation, so warnings are still shown.
    pub annotations: Vec<Annotation>,
}

impl std::fmt::Display for SynthFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut lines: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        lines.extend(self.findings.iter().map(ToString::to_string));
        write!(f, "{}", lines.join("\n"))
    }
}

impl std::error::Error for SynthFailure {}

/// Where an element landed: its stack node, logical id and section.
#[derive(Debug, Clone)]
pub(super) struct Placed {
    pub(super) stack: usize,
    pub(super) logical_id: String,
    pub(super) section: &'static str,
}

pub(super) struct Exports {
    /// Per producer stack: output logical id -> (export name, value).
    pub(super) outputs: HashMap<usize, IndexMap<String, (String, Json)>>,
}

pub(crate) fn synthesize(
    root: &Construct,
    options: &SynthOptions,
) -> Result<Synthesis, SynthFailure> {
    root.tree.borrow_mut().locked = true;
    let tree = root.tree.borrow();
    let annotations = root.annotations();
    let mut errors: Vec<Error> = Vec::new();

    let stacks: Vec<usize> = tree
        .subtree(0)
        .into_iter()
        .filter(|&i| matches!(tree.nodes[i].kind, NodeKind::Stack(_)))
        .collect();

    // Logical ids come first: every reference needs them.
    let placed = allocate_logical_ids(&tree, &stacks, &mut errors);

    // References, per element, in tree order so exports come out in a stable order.
    let mut exports = Exports {
        outputs: HashMap::new(),
    };
    let mut stack_deps: BTreeMap<usize, IndexSet<usize>> = BTreeMap::new();
    let mut bodies: HashMap<usize, Json> = HashMap::new();
    for &stack in &stacks {
        for idx in elements_of(&tree, stack) {
            let mut ctx = ResolveCtx {
                tree: &tree,
                placed: &placed,
                from: idx,
                stack,
                exports: &mut exports,
                deps: stack_deps.entry(stack).or_default(),
                errors: &mut errors,
            };
            let body = element_json(&tree, idx, &mut ctx);
            bodies.insert(idx, body);
        }
    }

    // Construct dependencies become DependsOn inside a stack, stack dependencies across.
    let depends_on = construct_dependencies(&tree, &placed, &mut stack_deps);

    let order = match order_stacks(&tree, &stacks, &stack_deps) {
        Ok(order) => order,
        Err(e) => {
            errors.push(e);
            stacks.clone()
        }
    };

    for a in &annotations {
        if a.level == Level::Error || (options.strict && a.level == Level::Warning) {
            errors.push(Error::invalid_props(
                a.path.clone(),
                a.id.clone(),
                a.message.clone(),
            ));
        }
    }

    // Render, then validate each template.
    let mut artifacts = Vec::new();
    let mut findings = Vec::new();
    for &stack in &order {
        let template = render_template(&tree, stack, &placed, &bodies, &depends_on, &exports);
        let json = template.to_json();
        if !options.skip_validation {
            let paths = logical_id_paths(&tree, stack, &placed);
            for mut f in validate::validate_template(&json) {
                if let Some(lid) = &f.logical_id {
                    f.construct_path = paths.get(lid).cloned();
                }
                findings.push(f);
            }
        }
        artifacts.push(stack_artifact(&tree, stack, json, &stack_deps));
    }

    let failing = findings.iter().filter(|f| f.fails(options.strict)).count();
    if !errors.is_empty() || failing > 0 {
        return Err(SynthFailure {
            errors,
            findings,
            annotations,
        });
    }

    let assembly = CloudAssembly {
        stacks: artifacts,
        tree: tree_json(&tree),
    };
    Ok(Synthesis {
        assembly,
        annotations,
        findings,
    })
}

pub(super) fn elements_of(tree: &Tree, stack: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut todo: Vec<usize> = tree.nodes[stack].children.iter().rev().copied().collect();
    while let Some(i) = todo.pop() {
        match tree.nodes[i].kind {
            NodeKind::Stack(_) => continue,
            NodeKind::Element(_) => out.push(i),
            _ => {}
        }
        todo.extend(tree.nodes[i].children.iter().rev());
    }
    out
}

fn allocate_logical_ids(
    tree: &Tree,
    stacks: &[usize],
    errors: &mut Vec<Error>,
) -> HashMap<String, Placed> {
    let mut placed = HashMap::new();
    for &stack in stacks {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for idx in elements_of(tree, stack) {
            let NodeKind::Element(el) = &tree.nodes[idx].kind else {
                continue;
            };
            let logical_id = match &el.logical_id_override {
                Some(id) => {
                    if !logical_id::is_valid(id) {
                        errors.push(Error::new(
                            tree.path(idx),
                            ErrorKind::InvalidLogicalId {
                                logical_id: id.clone(),
                            },
                        ));
                    }
                    id.clone()
                }
                None => logical_id::from_path(&tree.path_below_stack(idx)),
            };
            if let Some(&other) = seen.get(&logical_id) {
                errors.push(Error::new(
                    tree.path(idx),
                    ErrorKind::LogicalIdCollision {
                        logical_id: logical_id.clone(),
                        other: tree.path(other),
                    },
                ));
            }
            seen.insert(logical_id.clone(), idx);
            let section = el.body.section();
            placed.insert(
                tree.path(idx),
                Placed {
                    stack,
                    logical_id,
                    section,
                },
            );
        }
    }
    placed
}

fn logical_id_paths(
    tree: &Tree,
    stack: usize,
    placed: &HashMap<String, Placed>,
) -> HashMap<String, String> {
    elements_of(tree, stack)
        .into_iter()
        .filter_map(|i| {
            let path = tree.path(i);
            placed.get(&path).map(|p| (p.logical_id.clone(), path))
        })
        .collect()
}

pub(super) fn stack_name(tree: &Tree, stack: usize) -> String {
    match &tree.nodes[stack].kind {
        NodeKind::Stack(d) => d
            .props
            .stack_name
            .clone()
            .unwrap_or_else(|| tree.nodes[stack].id.clone()),
        _ => tree.nodes[stack].id.clone(),
    }
}

#[cfg(test)]
mod tests;
