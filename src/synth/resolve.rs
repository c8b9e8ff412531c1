//! Reference resolution: markers become `Ref`, `Fn::GetAtt` and logical ids; references across
//! stacks become an export in the producer and `Fn::ImportValue` in the consumer.

use indexmap::IndexSet;
use serde_json::{json, Map, Value as Json};

use super::{stack_name, Exports, Placement};
use crate::construct::{NodeKind, Tree};
use crate::error::{Error, ErrorKind};
use crate::logical_id;
use crate::template::ElementBody;
use crate::token::{GETATT_MARKER, NAME_MARKER, REF_MARKER};

pub(super) struct ResolveCtx<'a> {
    pub(super) tree: &'a Tree,
    pub(super) paths: &'a [String],
    pub(super) placement: &'a Placement<'a>,
    pub(super) from: usize,
    pub(super) stack: usize,
    pub(super) exports: &'a mut Exports,
    pub(super) deps: &'a mut IndexSet<usize>,
    pub(super) errors: &'a mut Vec<Error>,
}

impl ResolveCtx<'_> {
    /// A copy of `value` with every marker resolved.
    pub(super) fn resolve(&mut self, value: &Json) -> Json {
        // A clone keeps each map's hash table, so no key is hashed again; only markers and
        // `Fn::Sub` are then rewritten in place.
        let mut out = value.clone();
        self.resolve_in_place(&mut out);
        out
    }

    fn resolve_in_place(&mut self, value: &mut Json) {
        match value {
            Json::Array(items) => items.iter_mut().for_each(|v| self.resolve_in_place(v)),
            Json::Object(map) => {
                if map.len() == 1 {
                    let (key, inner) = map.iter().next().expect("one entry");
                    let resolved = match key.as_str() {
                        REF_MARKER | GETATT_MARKER | NAME_MARKER => {
                            Some(self.resolve_marker(key, inner))
                        }
                        "Fn::Sub" => Some(self.resolve_sub(inner)),
                        _ => None,
                    };
                    if let Some(resolved) = resolved {
                        *value = resolved;
                        return;
                    }
                }
                map.values_mut().for_each(|v| self.resolve_in_place(v));
            }
            _ => {}
        }
    }

    fn resolve_marker(&mut self, kind: &str, marker: &Json) -> Json {
        let serial = marker["app"].as_u64().unwrap_or(0);
        let target = marker["path"].as_str().unwrap_or_default();
        if serial != self.tree.serial {
            self.errors.push(Error::new(
                self.paths[self.from].clone(),
                ErrorKind::CrossAppReference {
                    target: target.to_string(),
                },
            ));
            return Json::Null;
        }
        let Some(placed) = self.placement.find(target) else {
            self.errors.push(Error::new(
                self.paths[self.from].clone(),
                ErrorKind::DanglingReference {
                    target: target.to_string(),
                },
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
                self.paths[self.from].clone(),
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

pub(super) fn element_json(tree: &Tree, idx: usize, ctx: &mut ResolveCtx<'_>) -> Json {
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
                if let Err(message) = apply_override(&mut props, path, value) {
                    ctx.errors.push(Error::new(
                        ctx.paths[idx].clone(),
                        ErrorKind::InvalidOverride {
                            path: path.join("."),
                            message,
                        },
                    ));
                }
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
            metadata.insert("aws:cdk:path".into(), Json::String(ctx.paths[idx].clone()));
            body.insert("Metadata".into(), Json::Object(metadata));
            Json::Object(body)
        }
        ElementBody::Parameter(b)
        | ElementBody::Output(b)
        | ElementBody::Condition(b)
        | ElementBody::Mapping(b) => ctx.resolve(b),
    }
}

/// Applies one override to the resolved properties: `Some` sets the value at `path`, `None`
/// removes it. Missing objects on the way are created; a path that runs into a value that is
/// neither an object nor an array, or past the end of an array, is refused rather than
/// overwriting what the typed properties gave.
fn apply_override(props: &mut Json, path: &[String], value: Option<Json>) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("the path is empty".into());
    };
    let mut cur = props;
    for (depth, part) in parents.iter().enumerate() {
        let here = || path[..depth].join(".");
        cur = match cur {
            Json::Object(map) => map
                .entry(part.clone())
                .or_insert_with(|| Json::Object(Map::new())),
            Json::Array(items) => {
                let len = items.len();
                let n = array_index(part, len, &here())?;
                &mut items[n]
            }
            other => return Err(not_a_container(&here(), other)),
        };
    }
    let here = path[..parents.len()].join(".");
    match cur {
        Json::Object(map) => {
            match value {
                Some(v) => map.insert(last.clone(), v),
                None => map.remove(last),
            };
        }
        Json::Array(items) => {
            let n = array_index(last, items.len(), &here)?;
            match value {
                Some(v) => items[n] = v,
                None => {
                    items.remove(n);
                }
            }
        }
        other => return Err(not_a_container(&here, other)),
    }
    Ok(())
}

fn array_index(part: &str, len: usize, here: &str) -> Result<usize, String> {
    match part.parse::<usize>() {
        Ok(n) if n < len => Ok(n),
        Ok(n) => Err(format!(
            "index {n} is past the end of '{here}', which has {len} item(s)"
        )),
        Err(_) => Err(format!(
            "'{here}' is a list, so the next part must be an index from 0 to {len}, not '{part}'",
            len = len.saturating_sub(1)
        )),
    }
}

fn not_a_container(here: &str, value: &Json) -> String {
    format!(
        "'{here}' holds {value}, which is neither an object nor a list; \
         override '{here}' itself instead"
    )
}
