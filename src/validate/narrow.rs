//! A resource schema narrowed to the property names a template uses.
//!
//! Compiling a type's whole schema is most of what validating costs, yet a template sets a small
//! part of it: the app's `AWS::RDS::DBInstance` sets 16 of 101 properties. Wherever a schema
//! lists `properties`, the subschema of a name that appears nowhere in the resources being
//! checked is replaced by `true`. That subschema could never be reached by them, so they get the
//! same findings from the narrowed schema as from the whole one, while what is compiled shrinks
//! by more than half. Names stay listed, so `additionalProperties: false` still rejects unknown
//! ones, and every kept subschema stays at its JSON pointer, so findings point where they did.
//! Definitions no kept subschema refers to are left out.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value as Json};

/// Adds every object key found anywhere in `value` (property names at every depth, and the
/// names of intrinsic functions, which only make the set larger than needed).
pub(super) fn collect_names(value: &Json, names: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            for (key, child) in map {
                if !names.contains(key) {
                    names.insert(key.clone());
                }
                collect_names(child, names);
            }
        }
        Json::Array(items) => items.iter().for_each(|item| collect_names(item, names)),
        _ => {}
    }
}

/// The schema with the subschemas of properties not in `names` replaced by `true`, keeping only
/// the definitions that what remains refers to.
pub(super) fn narrow(schema: &Json, names: &BTreeSet<String>) -> Json {
    let Json::Object(root) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in root {
        if key != "definitions" {
            out.insert(key.clone(), subschema_keyword(key, value, names));
        }
    }
    let Some(Json::Object(definitions)) = root.get("definitions") else {
        return Json::Object(out);
    };
    // Definitions reached from the narrowed body, then from the definitions reached, and so on.
    let mut kept = Map::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo: Vec<String> = Vec::new();
    out.values().for_each(|v| refs_in(v, &mut todo));
    while let Some(name) = todo.pop() {
        let Some((stored, definition)) = definitions.get_key_value(name.as_str()) else {
            continue;
        };
        if !seen.insert(stored.as_str()) {
            continue;
        }
        let narrowed = subschema(definition, names);
        refs_in(&narrowed, &mut todo);
        kept.insert(stored.clone(), narrowed);
    }
    // The same order as the source, so that compiling stays deterministic.
    let ordered: Map<String, Json> = definitions
        .keys()
        .filter_map(|k| kept.remove(k).map(|v| (k.clone(), v)))
        .collect();
    out.insert("definitions".to_string(), Json::Object(ordered));
    Json::Object(out)
}

/// A subschema, narrowed.
fn subschema(value: &Json, names: &BTreeSet<String>) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(key, v)| (key.clone(), subschema_keyword(key, v, names)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The value of one keyword of a (sub)schema, narrowed where it holds subschemas.
fn subschema_keyword(keyword: &str, value: &Json, names: &BTreeSet<String>) -> Json {
    match (keyword, value) {
        ("properties", Json::Object(properties)) => Json::Object(
            properties
                .iter()
                .map(|(name, s)| {
                    let kept = if names.contains(name) {
                        subschema(s, names)
                    } else {
                        Json::Bool(true)
                    };
                    (name.clone(), kept)
                })
                .collect(),
        ),
        ("patternProperties" | "dependencies" | "definitions", Json::Object(map)) => Json::Object(
            map.iter()
                .map(|(k, s)| (k.clone(), subschema(s, names)))
                .collect(),
        ),
        ("items" | "allOf" | "anyOf" | "oneOf", Json::Array(items)) => {
            Json::Array(items.iter().map(|s| subschema(s, names)).collect())
        }
        (
            "items"
            | "additionalItems"
            | "additionalProperties"
            | "contains"
            | "propertyNames"
            | "not"
            | "if"
            | "then"
            | "else",
            _,
        ) => subschema(value, names),
        _ => value.clone(),
    }
}

/// Appends the definition names of the local `$ref`s in `value`.
fn refs_in(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(name) = child
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/definitions/"))
                    {
                        out.push(name.replace("~1", "/").replace("~0", "~"));
                    }
                }
                refs_in(child, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|item| refs_in(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(value: Json) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        collect_names(&value, &mut names);
        names
    }

    #[test]
    fn replaces_unused_properties_and_drops_unreached_definitions() {
        let schema = json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "Used": {"$ref": "#/definitions/Inner"},
                "Unused": {"$ref": "#/definitions/Big"}
            },
            "definitions": {
                "Inner": {"properties": {"A": {"type": "string"}, "B": {"type": "integer"}}},
                "Big": {"properties": {"C": {"type": "string"}}}
            },
            "required": ["Used"]
        });
        let narrowed = narrow(&schema, &names(json!({"Used": {"A": "x"}})));
        assert_eq!(
            narrowed,
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {"Used": {"$ref": "#/definitions/Inner"}, "Unused": true},
                "required": ["Used"],
                "definitions": {"Inner": {"properties": {"A": {"type": "string"}, "B": true}}}
            })
        );
    }

    #[test]
    fn gives_the_same_findings_as_the_whole_schema() {
        let schema = json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "Name": {"type": "string", "maxLength": 3},
                "Nested": {"type": "object", "properties": {"Port": {"type": "integer"}}},
                "Other": {"type": "string"}
            },
            "oneOf": [{"required": ["Name"]}, {"required": ["Other"]}]
        });
        let instance = json!({"Name": "long", "Nested": {"Port": "x"}, "Typo": 1});
        let whole = jsonschema::draft7::new(&schema).unwrap();
        let narrowed = jsonschema::draft7::new(&narrow(&schema, &names(instance.clone()))).unwrap();
        let errors = |v: &jsonschema::Validator| -> Vec<(String, String)> {
            v.iter_errors(&instance)
                .map(|e| (e.instance_path().to_string(), e.schema_path().to_string()))
                .collect()
        };
        assert_eq!(errors(&narrowed), errors(&whole));
        assert_eq!(errors(&whole).len(), 3);
    }
}
