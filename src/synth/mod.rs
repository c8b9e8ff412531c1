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

/// Where every element landed, by node index, and the node of each element path (reference
/// markers name their target by path).
pub(super) struct Placement<'p> {
    pub(super) placed: Vec<Option<Placed>>,
    pub(super) by_path: HashMap<&'p str, usize>,
}

impl Placement<'_> {
    /// The element a reference marker's path names.
    pub(super) fn find(&self, path: &str) -> Option<&Placed> {
        self.by_path
            .get(path)
            .and_then(|&idx| self.placed[idx].as_ref())
    }
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

    // Every path once: ids, references, metadata and tree.json all need them.
    let paths = tree.paths();
    let stacks: Vec<(usize, Vec<usize>)> = tree
        .subtree(0)
        .into_iter()
        .filter(|&i| matches!(tree.nodes[i].kind, NodeKind::Stack(_)))
        .map(|stack| (stack, elements_of(&tree, stack)))
        .collect();

    // Logical ids come first: every reference needs them.
    let placement = allocate_logical_ids(&tree, &paths, &stacks, &mut errors);

    // References, per element, in tree order so exports come out in a stable order.
    let mut exports = Exports {
        outputs: HashMap::new(),
    };
    let mut stack_deps: BTreeMap<usize, IndexSet<usize>> = BTreeMap::new();
    let mut bodies: HashMap<usize, Json> = HashMap::new();
    for (stack, elements) in &stacks {
        for &idx in elements {
            let mut ctx = ResolveCtx {
                tree: &tree,
                paths: &paths,
                placement: &placement,
                from: idx,
                stack: *stack,
                exports: &mut exports,
                deps: stack_deps.entry(*stack).or_default(),
                errors: &mut errors,
            };
            let body = element_json(&tree, idx, &mut ctx);
            bodies.insert(idx, body);
        }
    }

    // Construct dependencies become DependsOn inside a stack, stack dependencies across.
    let depends_on = construct_dependencies(&tree, &placement, &mut stack_deps);

    let stack_ids: Vec<usize> = stacks.iter().map(|(s, _)| *s).collect();
    let order = match order_stacks(&tree, &stack_ids, &stack_deps) {
        Ok(order) => order,
        Err(e) => {
            errors.push(e);
            stack_ids.clone()
        }
    };

    for a in &annotations {
        if a.level == Level::Error || (options.strict && a.level == Level::Warning) {
            errors.push(Error::new(
                a.path.clone(),
                ErrorKind::Annotation {
                    id: a.id.clone(),
                    message: a.message.clone(),
                },
            ));
        }
    }

    // Render every template, then validate them together (each validator compiled once).
    let mut rendered = Vec::new();
    for &stack in &order {
        let elements = stacks
            .iter()
            .find(|(s, _)| *s == stack)
            .map_or(&[][..], |(_, e)| e.as_slice());
        let template = render_template(
            &tree,
            stack,
            elements,
            &placement,
            &mut bodies,
            &depends_on,
            &exports,
        );
        rendered.push((stack, elements, template.into_json()));
    }
    let mut findings = Vec::new();
    if !options.skip_validation {
        let templates: Vec<&Json> = rendered.iter().map(|(_, _, json)| json).collect();
        let per_stack = validate::validate_templates(&templates);
        for ((_, elements, _), stack_findings) in rendered.iter().zip(per_stack) {
            if stack_findings.is_empty() {
                continue;
            }
            let paths_by_id = logical_id_paths(elements, &paths, &placement);
            for mut f in stack_findings {
                if let Some(lid) = &f.logical_id {
                    f.construct_path = paths_by_id.get(lid.as_str()).map(|p| p.to_string());
                }
                findings.push(f);
            }
        }
    }
    let artifacts: Vec<_> = rendered
        .into_iter()
        .map(|(stack, _, json)| stack_artifact(&tree, stack, json, &stack_deps))
        .collect();

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
        tree: tree_json(&tree, &paths),
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

fn allocate_logical_ids<'p>(
    tree: &Tree,
    paths: &'p [String],
    stacks: &[(usize, Vec<usize>)],
    errors: &mut Vec<Error>,
) -> Placement<'p> {
    let mut placement = Placement {
        placed: vec![None; tree.nodes.len()],
        by_path: HashMap::new(),
    };
    for (stack, elements) in stacks {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for &idx in elements {
            let NodeKind::Element(el) = &tree.nodes[idx].kind else {
                continue;
            };
            let logical_id = match &el.logical_id_override {
                Some(id) => {
                    if !logical_id::is_valid(id) {
                        errors.push(Error::new(
                            paths[idx].clone(),
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
                    paths[idx].clone(),
                    ErrorKind::LogicalIdCollision {
                        logical_id: logical_id.clone(),
                        other: paths[other].clone(),
                    },
                ));
            }
            seen.insert(logical_id.clone(), idx);
            let section = el.body.section();
            placement.by_path.insert(paths[idx].as_str(), idx);
            placement.placed[idx] = Some(Placed {
                stack: *stack,
                logical_id,
                section,
            });
        }
    }
    placement
}

/// Construct path by logical id, for the elements of one stack (findings name both).
fn logical_id_paths<'p>(
    elements: &[usize],
    paths: &'p [String],
    placement: &'p Placement<'_>,
) -> HashMap<&'p str, &'p str> {
    elements
        .iter()
        .filter_map(|&i| {
            let placed = placement.placed[i].as_ref()?;
            Some((placed.logical_id.as_str(), paths[i].as_str()))
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
