//! Rendering: templates, stack artifacts and `tree.json` from the resolved elements.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexSet;
use serde_json::{json, Map, Value as Json};

use super::{stack_name, Exports, Placement};
use crate::assembly::StackArtifact;
use crate::construct::{NodeKind, Tree};
use crate::template::{ElementBody, Template};

/// The template of `stack`, from the resolved bodies of its `elements` (taken out of `bodies`:
/// each element belongs to one stack).
pub(super) fn render_template(
    tree: &Tree,
    stack: usize,
    elements: &[usize],
    placement: &Placement<'_>,
    bodies: &mut HashMap<usize, Json>,
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
    for &idx in elements {
        let Some(p) = &placement.placed[idx] else {
            continue;
        };
        let mut body = bodies.remove(&idx).unwrap_or(Json::Null);
        if let (Some(deps), Some(map)) = (depends_on.get(&idx), body.as_object_mut()) {
            let mut deps: Vec<String> = deps.iter().cloned().collect();
            deps.sort();
            let list = Json::Array(deps.into_iter().map(Json::String).collect());
            let mut old = std::mem::take(map);
            let mut ordered = Map::new();
            for key in ["Type", "Properties"] {
                if let Some(v) = old.shift_remove(key) {
                    ordered.insert(key.into(), v);
                }
            }
            old.shift_remove("DependsOn");
            ordered.insert("DependsOn".into(), list);
            ordered.extend(old);
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

pub(super) fn stack_artifact(
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

pub(super) fn tree_json(tree: &Tree, paths: &[String]) -> Json {
    fn node(tree: &Tree, paths: &[String], idx: usize) -> Json {
        let n = &tree.nodes[idx];
        let mut obj = Map::new();
        obj.insert(
            "id".into(),
            Json::String(if idx == 0 { "App".into() } else { n.id.clone() }),
        );
        obj.insert("path".into(), Json::String(paths[idx].clone()));
        if !n.children.is_empty() {
            let children: Map<String, Json> = n
                .children
                .iter()
                .map(|&c| (tree.nodes[c].id.clone(), node(tree, paths, c)))
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
    json!({ "version": "tree-0.1", "tree": node(tree, paths, 0) })
}
