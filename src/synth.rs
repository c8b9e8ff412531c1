//! Synthesis: from the construct tree to a validated cloud assembly in memory.
//!
//! The phases, in order: lock the tree; give every element its logical id; resolve references
//! (cross-stack ones become exports and imports); turn construct dependencies into `DependsOn`
//! and stack dependencies; order the stacks; render each template; validate; assemble. Writing
//! the files is left to [`crate::assembly`], so a failure anywhere leaves the output folder as
//! it was.

use std::collections::{BTreeMap, HashMap};

use indexmap::{IndexMap, IndexSet};
use serde_json::{json, Map, Value as Json};

use crate::assembly::{CloudAssembly, StackArtifact};
use crate::construct::{Annotation, Construct, Level, NodeKind, Tree};
use crate::error::{Error, ErrorKind};
use crate::logical_id;
use crate::template::{ElementBody, Template};
use crate::token::{GETATT_MARKER, NAME_MARKER, REF_MARKER};
use crate::validate::{self, Finding};

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
struct Placed {
    stack: usize,
    logical_id: String,
    section: &'static str,
}

struct Exports {
    /// Per producer stack: output logical id -> (export name, value).
    outputs: HashMap<usize, IndexMap<String, (String, Json)>>,
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

fn elements_of(tree: &Tree, stack: usize) -> Vec<usize> {
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

struct ResolveCtx<'a> {
    tree: &'a Tree,
    placed: &'a HashMap<String, Placed>,
    from: usize,
    stack: usize,
    exports: &'a mut Exports,
    deps: &'a mut IndexSet<usize>,
    errors: &'a mut Vec<Error>,
}

impl ResolveCtx<'_> {
    fn resolve(&mut self, value: &Json) -> Json {
        match value {
            Json::Array(items) => Json::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Json::Object(map) if map.len() == 1 => {
                let (key, inner) = map.iter().next().expect("one entry");
                match key.as_str() {
                    REF_MARKER | GETATT_MARKER | NAME_MARKER => self.resolve_marker(key, inner),
                    "Fn::Sub" => self.resolve_sub(inner),
                    _ => Json::Object(
                        map.iter()
                            .map(|(k, v)| (k.clone(), self.resolve(v)))
                            .collect(),
                    ),
                }
            }
            Json::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn resolve_marker(&mut self, kind: &str, marker: &Json) -> Json {
        let serial = marker["app"].as_u64().unwrap_or(0);
        let target = marker["path"].as_str().unwrap_or_default().to_string();
        let from_path = self.tree.path(self.from);
        if serial != self.tree.serial {
            self.errors.push(Error::new(
                from_path,
                ErrorKind::CrossAppReference { target },
            ));
            return Json::Null;
        }
        let Some(placed) = self.placed.get(&target).cloned() else {
            self.errors.push(Error::new(
                from_path,
                ErrorKind::DanglingReference { target },
            ));
            return Json::Null;
        };
        let lid = placed.logical_id.clone();
        let local = match kind {
            REF_MARKER => json!({ "Ref": lid }),
            GETATT_MARKER => {
                json!({ "Fn::GetAtt": [lid, marker["attribute"].as_str().unwrap_or_default()] })
            }
            _ => Json::String(lid.clone()),
        };
        if placed.stack == self.stack {
            return local;
        }
        let exportable =
            kind != NAME_MARKER && matches!(placed.section, "Resources" | "Parameters");
        if !exportable {
            self.errors.push(Error::new(
                from_path,
                ErrorKind::DanglingReference {
                    target: format!("{target} (in another stack)"),
                },
            ));
            return Json::Null;
        }
        self.import(
            placed.stack,
            &lid,
            kind,
            marker["attribute"].as_str(),
            local,
        )
    }

    /// Exports `value` from the producer stack and returns the `Fn::ImportValue` that reads it.
    fn import(
        &mut self,
        producer: usize,
        lid: &str,
        kind: &str,
        attribute: Option<&str>,
        value: Json,
    ) -> Json {
        let stack_name = stack_name(self.tree, producer);
        let what = match (kind, attribute) {
            (GETATT_MARKER, Some(attr)) => format!("FnGetAtt{lid}{}", attr.replace('.', "")),
            _ => format!("Ref{lid}"),
        };
        let hash = logical_id::path_hash(&[&stack_name, &what]);
        let output_id = format!("ExportsOutput{what}{hash}");
        let export_name = format!("{stack_name}:{output_id}");
        self.exports
            .outputs
            .entry(producer)
            .or_default()
            .insert(output_id, (export_name.clone(), value));
        self.deps.insert(producer);
        json!({ "Fn::ImportValue": export_name })
    }

    /// Resolves `Fn::Sub` and writes variables bound to same-stack references inline.
    fn resolve_sub(&mut self, inner: &Json) -> Json {
        let Json::Array(parts) = inner else {
            return json!({ "Fn::Sub": self.resolve(inner) });
        };
        let (Some(Json::String(text)), Some(Json::Object(vars))) = (parts.first(), parts.get(1))
        else {
            return json!({ "Fn::Sub": self.resolve(inner) });
        };
        let mut text = text.clone();
        let mut remaining = Map::new();
        for (name, value) in vars {
            let resolved = self.resolve(value);
            let inline = match &resolved {
                Json::Object(m) if m.len() == 1 => match m.iter().next() {
                    Some((k, Json::String(target))) if k == "Ref" => Some(target.clone()),
                    Some((k, Json::Array(a))) if k == "Fn::GetAtt" && a.len() == 2 => {
                        match (&a[0], &a[1]) {
                            (Json::String(l), Json::String(at)) => Some(format!("{l}.{at}")),
                            _ => None,
                        }
                    }
                    _ => None,
                },
                Json::String(s) if !s.contains("${") => {
                    text = text.replace(&format!("${{{name}}}"), s);
                    continue;
                }
                _ => None,
            };
            match inline {
                Some(target) => {
                    text = text.replace(&format!("${{{name}}}"), &format!("${{{target}}}"))
                }
                None => {
                    remaining.insert(name.clone(), resolved);
                }
            }
        }
        if remaining.is_empty() {
            json!({ "Fn::Sub": text })
        } else {
            json!({ "Fn::Sub": [text, remaining] })
        }
    }
}

fn stack_name(tree: &Tree, stack: usize) -> String {
    match &tree.nodes[stack].kind {
        NodeKind::Stack(d) => d
            .props
            .stack_name
            .clone()
            .unwrap_or_else(|| tree.nodes[stack].id.clone()),
        _ => tree.nodes[stack].id.clone(),
    }
}

fn element_json(tree: &Tree, idx: usize, ctx: &mut ResolveCtx<'_>) -> Json {
    let NodeKind::Element(el) = &tree.nodes[idx].kind else {
        return Json::Null;
    };
    match &el.body {
        ElementBody::Resource(r) => {
            let mut body = Map::new();
            body.insert("Type".into(), Json::String(r.type_name.clone()));
            let mut props = ctx.resolve(&r.properties);
            for (path, value) in &r.overrides {
                let value = value.as_ref().map(|v| ctx.resolve(v));
                apply_override(&mut props, path, value);
            }
            if props.as_object().is_some_and(|m| !m.is_empty()) {
                body.insert("Properties".into(), props);
            }
            if let Some(c) = &r.condition {
                body.insert("Condition".into(), ctx.resolve(&c.0));
            }
            if let Some(p) = r.update_replace_policy {
                body.insert("UpdateReplacePolicy".into(), json!(p));
            }
            if let Some(p) = r.deletion_policy {
                body.insert("DeletionPolicy".into(), json!(p));
            }
            let mut metadata: Map<String, Json> = r
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), ctx.resolve(v)))
                .collect();
            metadata.insert("aws:cdk:path".into(), Json::String(tree.path(idx)));
            body.insert("Metadata".into(), Json::Object(metadata));
            Json::Object(body)
        }
        ElementBody::Parameter(b)
        | ElementBody::Output(b)
        | ElementBody::Condition(b)
        | ElementBody::Mapping(b) => ctx.resolve(b),
    }
}

fn apply_override(props: &mut Json, path: &[String], value: Option<Json>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = props;
    for part in parents {
        let index = part
            .parse::<usize>()
            .ok()
            .filter(|&n| cur.as_array().is_some_and(|a| n < a.len()));
        cur = match index {
            Some(n) => &mut cur.as_array_mut().expect("checked to be an array")[n],
            None => {
                if !cur.is_object() {
                    *cur = Json::Object(Map::new());
                }
                let map = cur.as_object_mut().expect("made an object above");
                map.entry(part.clone())
                    .or_insert_with(|| Json::Object(Map::new()))
            }
        };
    }
    let index = last
        .parse::<usize>()
        .ok()
        .filter(|&n| cur.as_array().is_some_and(|a| n < a.len()));
    match (index, value) {
        (Some(n), Some(v)) => cur.as_array_mut().expect("checked to be an array")[n] = v,
        (Some(n), None) => {
            cur.as_array_mut()
                .expect("checked to be an array")
                .remove(n);
        }
        (None, value) => {
            if !cur.is_object() {
                *cur = Json::Object(Map::new());
            }
            let map = cur.as_object_mut().expect("made an object above");
            match value {
                Some(v) => {
                    map.insert(last.clone(), v);
                }
                None => {
                    map.remove(last);
                }
            }
        }
    }
}

/// Resolves `add_dependency` between constructs: `DependsOn` per resource within a stack,
/// stack dependencies across stacks.
fn construct_dependencies(
    tree: &Tree,
    placed: &HashMap<String, Placed>,
    stack_deps: &mut BTreeMap<usize, IndexSet<usize>>,
) -> HashMap<usize, IndexSet<String>> {
    let mut depends_on: HashMap<usize, IndexSet<String>> = HashMap::new();
    let is_resource = |i: usize| matches!(&tree.nodes[i].kind, NodeKind::Element(el) if matches!(el.body, ElementBody::Resource(_)));
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
                    if let Some(p) = placed.get(&tree.path(t)) {
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
fn order_stacks(
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

fn render_template(
    tree: &Tree,
    stack: usize,
    placed: &HashMap<String, Placed>,
    bodies: &HashMap<usize, Json>,
    depends_on: &HashMap<usize, IndexSet<String>>,
    exports: &Exports,
) -> Template {
    let props = match &tree.nodes[stack].kind {
        NodeKind::Stack(d) => d.props.clone(),
        _ => Default::default(),
    };
    let mut template = Template {
        format_version: Some("2010-09-09".into()),
        description: props.description.clone(),
        ..Template::default()
    };
    for idx in elements_of(tree, stack) {
        let Some(p) = placed.get(&tree.path(idx)) else {
            continue;
        };
        let mut body = bodies.get(&idx).cloned().unwrap_or(Json::Null);
        if let (Some(deps), Some(map)) = (depends_on.get(&idx), body.as_object_mut()) {
            let mut deps: Vec<String> = deps.iter().cloned().collect();
            deps.sort();
            let list = Json::Array(deps.into_iter().map(Json::String).collect());
            let old = std::mem::take(map);
            let mut ordered = Map::new();
            for key in ["Type", "Properties"] {
                if let Some(v) = old.get(key) {
                    ordered.insert(key.into(), v.clone());
                }
            }
            ordered.insert("DependsOn".into(), list);
            for (k, v) in old {
                if !ordered.contains_key(&k) {
                    ordered.insert(k, v);
                }
            }
            *map = ordered;
        }
        template
            .section_mut(p.section)
            .insert(p.logical_id.clone(), body);
    }
    if let Some(outputs) = exports.outputs.get(&stack) {
        for (id, (name, value)) in outputs {
            template.outputs.insert(
                id.clone(),
                json!({ "Value": value, "Export": { "Name": name } }),
            );
        }
    }
    template
}

fn stack_artifact(
    tree: &Tree,
    stack: usize,
    template: Json,
    deps: &BTreeMap<usize, IndexSet<usize>>,
) -> StackArtifact {
    let props = match &tree.nodes[stack].kind {
        NodeKind::Stack(d) => d.props.clone(),
        _ => Default::default(),
    };
    let artifact_id = tree.path(stack).replace('/', "");
    let mut dependencies: Vec<String> = deps
        .get(&stack)
        .into_iter()
        .flatten()
        .filter(|&&d| d != stack)
        .map(|&d| tree.path(d).replace('/', ""))
        .collect();
    dependencies.sort();
    dependencies.dedup();
    StackArtifact {
        id: artifact_id,
        stack_name: stack_name(tree, stack),
        construct_path: tree.path(stack),
        environment: props.env.to_uri(),
        termination_protection: props.termination_protection,
        stage: props.stage.clone(),
        tags: props.tags.clone(),
        dependencies,
        template,
    }
}

fn tree_json(tree: &Tree) -> Json {
    fn node(tree: &Tree, idx: usize) -> Json {
        let n = &tree.nodes[idx];
        let mut obj = Map::new();
        obj.insert(
            "id".into(),
            Json::String(if idx == 0 { "App".into() } else { n.id.clone() }),
        );
        obj.insert("path".into(), Json::String(tree.path(idx)));
        if !n.children.is_empty() {
            let children: Map<String, Json> = n
                .children
                .iter()
                .map(|&c| (tree.nodes[c].id.clone(), node(tree, c)))
                .collect();
            obj.insert("children".into(), Json::Object(children));
        }
        if let NodeKind::Element(el) = &n.kind {
            if let ElementBody::Resource(r) = &el.body {
                obj.insert(
                    "attributes".into(),
                    json!({ "aws:cdk:cloudformation:type": r.type_name }),
                );
            }
        }
        if !n.metadata.is_empty() {
            let entries: Vec<Json> = n
                .metadata
                .iter()
                .map(|(k, v)| json!({ "type": k, "data": v }))
                .collect();
            obj.insert("metadata".into(), Json::Array(entries));
        }
        Json::Object(obj)
    }
    json!({ "version": "tree-0.1", "tree": node(tree, 0) })
}
