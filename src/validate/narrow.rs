//! A resource schema narrowed to the property names a template uses.
//!
//! Compiling a type's whole schema is most of what validating costs, yet a template sets a small
//! part of it: the app's `AWS::RDS::DBInstance` sets 16 of 101 properties. Wherever a schema
//! lists `properties`, the subschema of a name that appears nowhere in the resources being
//! checked is replaced by `true`. No value of theirs reaches that subschema through its name,
//! and a property another part of the schema refers to (`"$ref": "#/properties/Arn"`) is kept
//! whatever the names; a schema with any other kind of local reference is not narrowed. So they
//! get the same findings from the narrowed schema as from the whole one, while what is compiled
//! shrinks by more than half. Names stay listed, so `additionalProperties: false` still rejects
//! unknown ones, and every kept subschema stays at its JSON pointer, so findings point where
//! they did. Definitions no kept subschema refers to are left out.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value as Json};

use crate::schema::Layout;

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

/// The schema `text`, given also as its layout, with the subschemas of properties not in `names`
/// replaced by `true`, keeping only the definitions that what remains refers to.
///
/// Only what is kept is parsed: the subschemas of unused names and unreached definitions stay
/// text.
pub(super) fn narrow(layout: &Layout<'_>, text: &str, names: &BTreeSet<String>) -> Json {
    let Some(referred) = referred_properties(text) else {
        return parse(text);
    };
    let extended;
    let names = if referred.is_subset(names) {
        names
    } else {
        extended = names.union(&referred).cloned().collect();
        &extended
    };
    let mut out = Map::new();
    for &(key, text) in &layout.top {
        if key == "definitions" {
            continue;
        }
        let value = if key == "properties" && !layout.properties.is_empty() {
            narrow_properties(&layout.properties, names)
        } else {
            let mut value = parse(text);
            narrow_keyword(key, &mut value, names);
            value
        };
        out.insert(key.to_string(), value);
    }
    if layout.get("definitions").is_none() {
        return Json::Object(out);
    }
    // Definitions reached from the narrowed body, then from the definitions reached, and so on.
    let mut kept: HashMap<&str, Json> = HashMap::new();
    let mut todo: Vec<String> = Vec::new();
    out.values().for_each(|v| refs_in(v, &mut todo));
    while let Some(name) = todo.pop() {
        let Some(&(stored, text)) = layout.definitions.iter().find(|(k, _)| *k == name) else {
            continue;
        };
        if kept.contains_key(stored) {
            continue;
        }
        let mut definition = parse(text);
        narrow_subschema(&mut definition, names);
        refs_in(&definition, &mut todo);
        kept.insert(stored, definition);
    }
    // The same order as the source, so that compiling stays deterministic.
    let ordered: Map<String, Json> = layout
        .definitions
        .iter()
        .filter_map(|(k, _)| kept.remove(k).map(|v| (k.to_string(), v)))
        .collect();
    out.insert("definitions".to_string(), Json::Object(ordered));
    Json::Object(out)
}

/// A value given as text, parsed (`null` if it is not JSON, which the build never embeds).
fn parse(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_default()
}

/// The `properties` map: used names parsed and narrowed, the others `true`.
fn narrow_properties(properties: &[(&str, &str)], names: &BTreeSet<String>) -> Json {
    let narrowed = properties.iter().map(|&(name, text)| {
        let value = if names.contains(name) {
            let mut value = parse(text);
            narrow_subschema(&mut value, names);
            value
        } else {
            Json::Bool(true)
        };
        (name.to_string(), value)
    });
    Json::Object(narrowed.collect())
}

/// Narrows a subschema in place.
fn narrow_subschema(value: &mut Json, names: &BTreeSet<String>) {
    if let Json::Object(map) = value {
        for (key, v) in map.iter_mut() {
            narrow_keyword(key, v, names);
        }
    }
}

/// Narrows the value of one keyword of a (sub)schema in place, where it holds subschemas.
fn narrow_keyword(keyword: &str, value: &mut Json, names: &BTreeSet<String>) {
    match (keyword, value) {
        ("properties", Json::Object(properties)) => {
            for (name, s) in properties.iter_mut() {
                if names.contains(name) {
                    narrow_subschema(s, names);
                } else {
                    *s = Json::Bool(true);
                }
            }
        }
        ("patternProperties" | "dependencies" | "definitions", Json::Object(map)) => {
            map.values_mut().for_each(|s| narrow_subschema(s, names));
        }
        ("items" | "allOf" | "anyOf" | "oneOf", Json::Array(items)) => {
            items.iter_mut().for_each(|s| narrow_subschema(s, names));
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
            value,
        ) => narrow_subschema(value, names),
        _ => {}
    }
}

/// The property names the schema refers to by `$ref` (`#/properties/Name...`); `None` when it has
/// a local reference to anything other than a property or a definition, which narrowing does not
/// follow.
fn referred_properties(text: &str) -> Option<BTreeSet<String>> {
    const REF: &str = "\"$ref\":\"";
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices(REF) {
        let rest = &text[at + REF.len()..];
        let target = &rest[..rest.find('"')?];
        if target.contains('\\') {
            return None;
        }
        if let Some(path) = target.strip_prefix("#/properties/") {
            names.insert(unescape(first_segment(path)));
        } else if target.starts_with('#') && !target.starts_with("#/definitions/") {
            return None;
        }
    }
    Some(names)
}

/// The first segment of a JSON pointer's path (without its leading `/`).
fn first_segment(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// A JSON pointer segment unescaped.
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Appends the definition names of the local `$ref`s in `value`.
fn refs_in(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(path) = child
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/definitions/"))
                    {
                        out.push(unescape(first_segment(path)));
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

    /// `schema` narrowed to the names used in `instance`, as validation narrows it.
    fn narrowed(schema: &Json, instance: &Json) -> Json {
        let text = schema.to_string();
        narrow(
            &Layout::scan(&text).unwrap(),
            &text,
            &names(instance.clone()),
        )
    }

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
        assert_eq!(
            narrowed(&schema, &json!({"Used": {"A": "x"}})),
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
        let narrowed = jsonschema::draft7::new(&narrowed(&schema, &instance)).unwrap();
        let errors = |v: &jsonschema::Validator| -> Vec<(String, String)> {
            v.iter_errors(&instance)
                .map(|e| (e.instance_path().to_string(), e.schema_path().to_string()))
                .collect()
        };
        assert_eq!(errors(&narrowed), errors(&whole));
        assert_eq!(errors(&whole).len(), 3);
    }

    #[test]
    fn keeps_a_property_another_part_refers_to_and_leaves_other_references_whole() {
        let schema = json!({
            "type": "object",
            "properties": {
                "Arn": {"type": "string"},
                "Source": {"properties": {"SourceArn": {"$ref": "#/properties/Arn"}}}
            }
        });
        let instance = json!({"Source": {"SourceArn": {"not": "a string"}}});
        let kept = narrowed(&schema, &instance);
        assert_eq!(kept["properties"]["Arn"], json!({"type": "string"}));
        let whole = jsonschema::draft7::new(&schema).unwrap();
        let narrow = jsonschema::draft7::new(&kept).unwrap();
        assert!(!whole.is_valid(&instance));
        assert!(!narrow.is_valid(&instance));

        let other = json!({"properties": {"A": {"$ref": "#/oneOf/0"}, "B": {}}, "oneOf": [{}]});
        assert_eq!(narrowed(&other, &json!({})), other);
    }
}
