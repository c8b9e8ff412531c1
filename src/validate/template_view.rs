//! A read-only view of a template's sections that every check shares.

use serde_json::{Map, Value as Json};

use super::source::escape_pointer;

/// The sections of a template, looked up once.
pub(crate) struct TemplateView<'a> {
    /// The whole template.
    pub json: &'a Json,
    /// `Resources`, when it is an object.
    pub resources: Option<&'a Map<String, Json>>,
    /// `Parameters`, when it is an object.
    pub parameters: Option<&'a Map<String, Json>>,
    /// `Conditions`, when it is an object.
    pub conditions: Option<&'a Map<String, Json>>,
    /// `Mappings`, when it is an object.
    pub mappings: Option<&'a Map<String, Json>>,
    /// `Outputs`, when it is an object.
    pub outputs: Option<&'a Map<String, Json>>,
    /// True when the template uses a transform (SAM and macros rewrite it before deploy).
    pub has_transform: bool,
}

impl<'a> TemplateView<'a> {
    /// Looks up the sections of `json`.
    pub fn new(json: &'a Json) -> Self {
        TemplateView {
            json,
            resources: json.get("Resources").and_then(Json::as_object),
            parameters: json.get("Parameters").and_then(Json::as_object),
            conditions: json.get("Conditions").and_then(Json::as_object),
            mappings: json.get("Mappings").and_then(Json::as_object),
            outputs: json.get("Outputs").and_then(Json::as_object),
            has_transform: json.get("Transform").is_some(),
        }
    }

    /// The resources in template order.
    pub fn resources(&self) -> impl Iterator<Item = (&'a String, &'a Json)> {
        self.resources.into_iter().flatten()
    }

    /// The resource of that logical id.
    pub fn resource(&self, id: &str) -> Option<&'a Json> {
        self.resources?.get(id)
    }

    /// The `Type` of the resource of that logical id.
    pub fn type_of(&self, id: &str) -> Option<&'a str> {
        self.resource(id)?.get("Type")?.as_str()
    }

    /// The resources of a type, with their logical ids.
    pub fn resources_of_type(
        &self,
        type_name: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a Json)> + 'a {
        self.resources
            .into_iter()
            .flatten()
            .filter(move |(_, r)| r.get("Type").and_then(Json::as_str) == Some(type_name))
    }

    /// True when `id` names a parameter.
    pub fn is_parameter(&self, id: &str) -> bool {
        self.parameters.is_some_and(|p| p.contains_key(id))
    }

    /// True when `id` names a condition.
    pub fn is_condition(&self, id: &str) -> bool {
        self.conditions.is_some_and(|c| c.contains_key(id))
    }
}

/// One step of a JSON pointer: an object key (unescaped) or an array index.
///
/// Checks that walk a whole value keep the steps to where they are and render the pointer only
/// when they report a finding: most of a template holds nothing to report.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Segment<'a> {
    /// An object key.
    Key(&'a str),
    /// An array index.
    Index(usize),
}

/// The JSON pointer of `segments`, keys escaped (`/Resources/Vpc/Properties/Tags/0`).
pub(crate) fn render_pointer(segments: &[Segment<'_>]) -> String {
    let mut pointer = String::new();
    for segment in segments {
        pointer.push('/');
        match segment {
            Segment::Key(key) => pointer.push_str(&escape_pointer(key)),
            Segment::Index(i) => pointer.push_str(&i.to_string()),
        }
    }
    pointer
}

/// The pointer of a resource property: `/Resources/<id>/Properties/<name>`.
pub(crate) fn property_pointer(id: &str, name: &str) -> String {
    format!(
        "/Resources/{}/Properties/{}",
        escape_pointer(id),
        escape_pointer(name)
    )
}

/// A resource's `DependsOn`, as a list of names (whatever the form).
pub(crate) fn depends_on(resource: &Json) -> Vec<&str> {
    match resource.get("DependsOn") {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// When `value` is an intrinsic function (`{"Ref": ...}`, `{"Fn::X": ...}`), its name and
/// argument.
pub(crate) fn intrinsic(value: &Json) -> Option<(&str, &Json)> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (k, v) = map.iter().next()?;
    (k == "Ref" || k.starts_with("Fn::")).then_some((k.as_str(), v))
}

/// True when a value is an intrinsic function or a string holding a dynamic reference
/// (`{{resolve:...}}`): CloudFormation only knows its value at deploy time.
pub(crate) fn is_deploy_time(value: &Json) -> bool {
    match value {
        Json::String(s) => s.contains("{{resolve:"),
        _ => intrinsic(value).is_some(),
    }
}

/// True when `value` holds a deploy-time value anywhere inside it.
pub(crate) fn contains_deploy_time(value: &Json) -> bool {
    is_deploy_time(value)
        || match value {
            Json::Array(items) => items.iter().any(contains_deploy_time),
            Json::Object(map) => map.values().any(contains_deploy_time),
            _ => false,
        }
}

/// A number given as a JSON number or as a string of digits (CloudFormation accepts both).
pub(crate) fn as_number(value: &Json) -> Option<f64> {
    match value {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The values at `path` (`*` for every list item) under `value`, with their pointers: both
/// branches of an `Fn::If` are entered, and `AWS::NoValue` is no value.
pub(crate) fn values_at<'a>(
    value: &'a Json,
    path: &[&str],
    pointer: String,
) -> Vec<(String, &'a Json)> {
    if let Some(("Fn::If", Json::Array(args))) = intrinsic(value) {
        return args
            .iter()
            .enumerate()
            .skip(1)
            .flat_map(|(i, branch)| values_at(branch, path, format!("{pointer}/Fn::If/{i}")))
            .collect();
    }
    let Some((first, rest)) = path.split_first() else {
        let no_value = value.get("Ref").and_then(Json::as_str) == Some("AWS::NoValue");
        return if no_value {
            Vec::new()
        } else {
            vec![(pointer, value)]
        };
    };
    match (value, *first) {
        (Json::Array(items), "*") => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| values_at(item, rest, format!("{pointer}/{i}")))
            .collect(),
        (Json::Object(map), key) => map.get(key).map_or_else(Vec::new, |v| {
            values_at(v, rest, format!("{pointer}/{}", escape_pointer(key)))
        }),
        _ => Vec::new(),
    }
}
