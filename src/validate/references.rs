//! Intrinsic functions and references: every function has the shape CloudFormation expects, and
//! everything it names exists (`Ref`, `Fn::GetAtt` attributes, `${}` of `Fn::Sub`, conditions,
//! mappings). Also collects the resource-to-resource edges the cycle check needs.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::getatt;
use super::source::escape_pointer;
use super::template_view::{as_number, depends_on, TemplateView};
use super::Finding;
use crate::intrinsic::Pseudo;
use crate::schema;

/// One dependency between two resources, and why it exists.
pub(crate) struct Edge {
    /// The resource that depends.
    pub from: String,
    /// The resource it depends on.
    pub to: String,
}

/// Checks every intrinsic of the template and `DependsOn`; returns the dependency edges.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) -> Vec<Edge> {
    let mut walker = Walker {
        view,
        findings,
        edges: Vec::new(),
        from: None,
    };
    for (id, resource) in view.resources() {
        let base = format!("/Resources/{}", escape_pointer(id));
        walker.from = Some(id.clone());
        for key in ["Properties", "Condition", "DependsOn"] {
            if let Some(value) = resource.get(key) {
                let pointer = format!("{base}/{key}");
                match key {
                    "Properties" => walker.walk(value, &pointer),
                    "Condition" => walker.condition_name(value, &pointer),
                    _ => walker.depends_on(resource, &pointer),
                }
            }
        }
    }
    walker.from = None;
    for (id, output) in view.outputs.into_iter().flatten() {
        let base = format!("/Outputs/{}", escape_pointer(id));
        for key in ["Value", "Export"] {
            if let Some(value) = output.get(key) {
                walker.walk(value, &format!("{base}/{key}"));
            }
        }
        if let Some(c) = output.get("Condition") {
            walker.condition_name(c, &format!("{base}/Condition"));
        }
    }
    for (id, condition) in view.conditions.into_iter().flatten() {
        walker.condition(condition, &format!("/Conditions/{}", escape_pointer(id)));
    }
    walker.edges
}

struct Walker<'v, 'f> {
    view: &'v TemplateView<'v>,
    findings: &'f mut Vec<Finding>,
    edges: Vec<Edge>,
    /// The resource being walked, for dependency edges.
    from: Option<String>,
}

impl Walker<'_, '_> {
    fn report(&mut self, rule: &'static str, pointer: &str, message: String) {
        self.findings.push(Finding::of(rule, pointer, message));
    }

    fn edge(&mut self, to: &str) {
        if let Some(from) = &self.from {
            if self.view.resource(to).is_some() {
                self.edges.push(Edge {
                    from: from.clone(),
                    to: to.to_string(),
                });
            }
        }
    }

    fn walk(&mut self, value: &Json, pointer: &str) {
        match value {
            Json::Object(map) => {
                if map.len() == 1 {
                    let (key, arg) = map.iter().next().expect("one entry");
                    if key == "Ref" || key.starts_with("Fn::") {
                        let pointer = format!("{pointer}/{}", escape_pointer(key));
                        self.function(key, arg, &pointer);
                        return;
                    }
                }
                for (k, v) in map {
                    self.walk(v, &format!("{pointer}/{}", escape_pointer(k)));
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.walk(v, &format!("{pointer}/{i}"));
                }
            }
            _ => {}
        }
    }

    /// Walks the arguments of a function, each under its own pointer.
    fn walk_args(&mut self, arg: &Json, pointer: &str) {
        match arg {
            Json::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.walk(v, &format!("{pointer}/{i}"));
                }
            }
            other => self.walk(other, pointer),
        }
    }

    fn function(&mut self, name: &str, arg: &Json, pointer: &str) {
        match name {
            "Ref" => self.reference(arg, pointer),
            "Fn::GetAtt" => self.get_att(arg, pointer),
            "Fn::Sub" => self.sub(arg, pointer),
            "Fn::If" => self.if_(arg, pointer),
            "Fn::Select" => self.select(arg, pointer),
            "Fn::FindInMap" => self.find_in_map(arg, pointer),
            "Fn::Join" => {
                let ok = matches!(
                    arg.as_array().map(Vec::as_slice),
                    Some([Json::String(_), Json::Array(_) | Json::Object(_)])
                );
                if !ok {
                    self.report(
                        "E1022",
                        pointer,
                        format!(
                            "Fn::Join needs [delimiter, [values...]], got {}",
                            short(arg)
                        ),
                    );
                }
                self.walk_args(arg, pointer);
            }
            "Fn::Split" => {
                let ok = matches!(
                    arg.as_array().map(Vec::as_slice),
                    Some([Json::String(_), Json::String(_) | Json::Object(_)])
                );
                if !ok {
                    self.report(
                        "E1018",
                        pointer,
                        format!("Fn::Split needs [delimiter, string], got {}", short(arg)),
                    );
                }
                self.walk_args(arg, pointer);
            }
            "Fn::GetAZs" => {
                if !matches!(arg, Json::String(_) | Json::Object(_)) {
                    self.report(
                        "E1015",
                        pointer,
                        format!(
                            "Fn::GetAZs needs a region name, \"\" or a Ref, got {}",
                            short(arg)
                        ),
                    );
                }
                self.walk(arg, pointer);
            }
            "Fn::Base64" => {
                if !matches!(arg, Json::String(_) | Json::Object(_)) {
                    self.report(
                        "E1021",
                        pointer,
                        format!("Fn::Base64 needs a string, got {}", short(arg)),
                    );
                }
                self.walk(arg, pointer);
            }
            "Fn::Cidr" => {
                let ok = arg.as_array().is_some_and(|a| a.len() == 3);
                if !ok {
                    self.report(
                        "E1024",
                        pointer,
                        format!(
                            "Fn::Cidr needs [ipBlock, count, cidrBits], got {}",
                            short(arg)
                        ),
                    );
                }
                self.walk_args(arg, pointer);
            }
            "Fn::ImportValue" => {
                if !matches!(arg, Json::String(_) | Json::Object(_)) {
                    self.report(
                        "E1016",
                        pointer,
                        format!("Fn::ImportValue needs an export name, got {}", short(arg)),
                    );
                }
                self.walk(arg, pointer);
            }
            _ => self.walk_args(arg, pointer),
        }
    }

    fn reference(&mut self, arg: &Json, pointer: &str) {
        let Json::String(target) = arg else {
            self.report(
                "E1020",
                pointer,
                format!(
                    "Ref needs the name of a resource or parameter, got {}",
                    short(arg)
                ),
            );
            return;
        };
        if self.view.resource(target).is_some() {
            self.edge(target);
        } else if !self.view.is_parameter(target) && !Pseudo::NAMES.contains(&target.as_str()) {
            let message = format!(
                "Ref to '{target}', which is not a resource, parameter or pseudo parameter of \
                 this template{}",
                self.did_you_mean_name(target)
            );
            self.report("E1020", pointer, message);
        }
    }

    fn did_you_mean_name(&self, name: &str) -> String {
        let candidates = self
            .view
            .resources
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .chain(
                self.view
                    .parameters
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.as_str()),
            );
        super::suggest::did_you_mean(name, candidates)
    }

    fn get_att(&mut self, arg: &Json, pointer: &str) {
        let (target, attribute): (&str, Option<&Json>) = match arg {
            Json::Array(parts) if parts.len() == 2 => match &parts[0] {
                Json::String(t) => (t.as_str(), Some(&parts[1])),
                _ => ("", None),
            },
            Json::String(s) => match s.split_once('.') {
                Some((t, _)) => (t, None),
                None => ("", None),
            },
            _ => ("", None),
        };
        let dotted;
        let attribute = match (arg, attribute) {
            (Json::String(s), _) => {
                dotted = Json::String(s.split_once('.').map_or("", |(_, a)| a).to_string());
                Some(&dotted)
            }
            (_, a) => a,
        };
        if target.is_empty() {
            self.report(
                "E1010",
                pointer,
                format!(
                    "Fn::GetAtt needs [LogicalId, Attribute] or \"LogicalId.Attribute\", got {}",
                    short(arg)
                ),
            );
            return;
        }
        let Some(type_name) = self.view.type_of(target) else {
            let message = format!(
                "Fn::GetAtt on '{target}', which is not a resource of this template{}",
                self.did_you_mean_name(target)
            );
            self.report("E1010", pointer, message);
            return;
        };
        self.edge(target);
        match attribute {
            Some(Json::String(attribute)) => {
                let schema = schema::resource(type_name);
                let allowed = getatt::attributes(type_name, schema.as_deref());
                if !allowed.allows(attribute) {
                    let hint = match &allowed {
                        getatt::Attributes::Listed(names) if names.is_empty() => {
                            "; the type returns no attributes".to_string()
                        }
                        getatt::Attributes::Listed(names) => format!(
                            "; it returns {}",
                            names
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        _ => String::new(),
                    };
                    self.report(
                        "E1010",
                        pointer,
                        format!(
                            "Fn::GetAtt reads '{attribute}' of '{target}' ({type_name}), which \
                             has no such attribute{hint}"
                        ),
                    );
                }
            }
            Some(other) => self.walk(other, &format!("{pointer}/1")),
            None => {}
        }
    }

    fn sub(&mut self, arg: &Json, pointer: &str) {
        let (text, variables) = match arg {
            Json::String(s) => (s.as_str(), None),
            Json::Array(parts) if parts.len() == 2 => match (&parts[0], &parts[1]) {
                (Json::String(s), Json::Object(vars)) => (s.as_str(), Some(vars)),
                _ => {
                    self.report(
                        "E1019",
                        pointer,
                        format!(
                            "Fn::Sub needs a string or [string, {{variables}}], got {}",
                            short(arg)
                        ),
                    );
                    return;
                }
            },
            _ => {
                self.report(
                    "E1019",
                    pointer,
                    format!(
                        "Fn::Sub needs a string or [string, {{variables}}], got {}",
                        short(arg)
                    ),
                );
                return;
            }
        };
        if let Some(vars) = variables {
            for (k, v) in vars {
                self.walk(v, &format!("{pointer}/1/{}", escape_pointer(k)));
            }
        }
        let text_pointer = if variables.is_some() {
            format!("{pointer}/0")
        } else {
            pointer.to_string()
        };
        for name in sub_names(text) {
            if variables.is_some_and(|v| v.contains_key(name)) {
                continue;
            }
            if let Some((target, attribute)) = name.split_once('.') {
                if self.view.is_parameter(name) {
                    continue;
                }
                let get_att = Json::Array(vec![target.into(), attribute.into()]);
                self.get_att_in_sub(&get_att, &text_pointer, name);
            } else if self.view.resource(name).is_some() {
                self.edge(name);
            } else if !self.view.is_parameter(name) && !Pseudo::NAMES.contains(&name) {
                let message = format!(
                    "Fn::Sub uses ${{{name}}}, which is not a resource, parameter, pseudo \
                     parameter or variable of the Sub{}",
                    self.did_you_mean_name(name)
                );
                self.report("E1019", &text_pointer, message);
            }
        }
    }

    fn get_att_in_sub(&mut self, get_att: &Json, pointer: &str, name: &str) {
        let before = self.findings.len();
        self.get_att(get_att, pointer);
        for f in &mut self.findings[before..] {
            f.rule = "E1019";
            f.message = format!("Fn::Sub uses ${{{name}}}: {}", f.message);
        }
    }

    fn if_(&mut self, arg: &Json, pointer: &str) {
        match arg.as_array().map(Vec::as_slice) {
            Some([Json::String(condition), _, _]) => {
                if !self.view.is_condition(condition) {
                    self.report(
                        "E8002",
                        &format!("{pointer}/0"),
                        format!(
                            "Fn::If names condition '{condition}', which the template's \
                             Conditions do not define{}",
                            super::suggest::did_you_mean(
                                condition,
                                self.view
                                    .conditions
                                    .into_iter()
                                    .flatten()
                                    .map(|(k, _)| k.as_str())
                            )
                        ),
                    );
                }
                let items = arg.as_array().expect("array");
                self.walk(&items[1], &format!("{pointer}/1"));
                self.walk(&items[2], &format!("{pointer}/2"));
            }
            _ => self.report(
                "E1028",
                pointer,
                format!(
                    "Fn::If needs [condition name, value if true, value if false], got {}",
                    short(arg)
                ),
            ),
        }
    }

    fn select(&mut self, arg: &Json, pointer: &str) {
        match arg.as_array().map(Vec::as_slice) {
            Some([index, list]) => {
                let index_ok = match index {
                    Json::Number(n) => n.as_u64().is_some(),
                    Json::String(s) => s.parse::<u64>().is_ok(),
                    Json::Object(_) => true,
                    _ => false,
                };
                if !index_ok {
                    self.report(
                        "E1017",
                        &format!("{pointer}/0"),
                        format!(
                            "Fn::Select index must be a whole number (or a function giving \
                             one), got {}",
                            short(index)
                        ),
                    );
                }
                if let (Some(i), Json::Array(items)) = (as_number(index), list) {
                    if i >= 0.0 && i as usize >= items.len() && !items.is_empty() {
                        self.report(
                            "E1017",
                            &format!("{pointer}/0"),
                            format!(
                                "Fn::Select index {i} is past the end of a list of {}",
                                items.len()
                            ),
                        );
                    }
                }
                self.walk(index, &format!("{pointer}/0"));
                self.walk(list, &format!("{pointer}/1"));
            }
            _ => self.report(
                "E1017",
                pointer,
                format!("Fn::Select needs [index, list], got {}", short(arg)),
            ),
        }
    }

    fn find_in_map(&mut self, arg: &Json, pointer: &str) {
        let Some(items) = arg.as_array().filter(|a| a.len() == 3 || a.len() == 4) else {
            self.report(
                "E1011",
                pointer,
                format!(
                    "Fn::FindInMap needs [map, top-level key, second-level key], got {}",
                    short(arg)
                ),
            );
            return;
        };
        if let Json::String(map_name) = &items[0] {
            match self.view.mappings.and_then(|m| m.get(map_name)) {
                None => self.report(
                    "E1011",
                    &format!("{pointer}/0"),
                    format!("Fn::FindInMap names mapping '{map_name}', which does not exist"),
                ),
                Some(map) => {
                    if let Json::String(top) = &items[1] {
                        match map.get(top) {
                            None => self.report(
                                "E1011",
                                &format!("{pointer}/1"),
                                format!("mapping '{map_name}' has no key '{top}'"),
                            ),
                            Some(inner) => {
                                if let Json::String(second) = &items[2] {
                                    if inner.get(second).is_none() {
                                        self.report(
                                            "E1011",
                                            &format!("{pointer}/2"),
                                            format!(
                                                "mapping '{map_name}' has no key '{second}' \
                                                 under '{top}'"
                                            ),
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.walk_args(arg, pointer);
    }

    fn condition_name(&mut self, value: &Json, pointer: &str) {
        match value {
            Json::String(name) if self.view.is_condition(name) => {}
            Json::String(name) => self.report(
                "E8002",
                pointer,
                format!("condition '{name}' is not defined in the template's Conditions"),
            ),
            other => self.report(
                "E8002",
                pointer,
                format!("a condition is named by a string, got {}", short(other)),
            ),
        }
    }

    fn depends_on(&mut self, resource: &Json, pointer: &str) {
        let ok = match &resource["DependsOn"] {
            Json::String(_) => true,
            Json::Array(items) => items.iter().all(Json::is_string),
            _ => false,
        };
        if !ok {
            self.report(
                "E3005",
                pointer,
                "DependsOn must be a logical id or a list of logical ids".to_string(),
            );
        }
        for (i, dep) in depends_on(resource).into_iter().enumerate() {
            if self.view.resource(dep).is_some() {
                self.edge(dep);
                continue;
            }
            let at = if resource["DependsOn"].is_array() {
                format!("{pointer}/{i}")
            } else {
                pointer.to_string()
            };
            let message = format!(
                "DependsOn '{dep}', which is not a resource of this template{}",
                super::suggest::did_you_mean(dep, self.view.resources().map(|(k, _)| k.as_str()))
            );
            self.report("E3005", &at, message);
        }
    }

    /// Checks a condition function in the Conditions section.
    fn condition(&mut self, value: &Json, pointer: &str) {
        let Some((name, arg)) = value
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next())
        else {
            self.report(
                "E8001",
                pointer,
                format!(
                    "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, \
                     got {}",
                    short(value)
                ),
            );
            return;
        };
        let pointer = format!("{pointer}/{}", escape_pointer(name));
        let count = arg.as_array().map(Vec::len);
        match name.as_str() {
            "Fn::Equals" => {
                if count != Some(2) {
                    self.report(
                        "E8003",
                        &pointer,
                        format!("Fn::Equals compares exactly two values, got {}", short(arg)),
                    );
                }
                self.walk_args(arg, &pointer);
            }
            "Fn::And" | "Fn::Or" => {
                let rule = if name == "Fn::And" { "E8004" } else { "E8006" };
                if !matches!(count, Some(2..=10)) {
                    self.report(
                        rule,
                        &pointer,
                        format!("{name} takes 2 to 10 conditions, got {}", short(arg)),
                    );
                }
                self.sub_conditions(arg, &pointer);
            }
            "Fn::Not" => {
                if count != Some(1) {
                    self.report(
                        "E8005",
                        &pointer,
                        format!("Fn::Not takes a list of one condition, got {}", short(arg)),
                    );
                }
                self.sub_conditions(arg, &pointer);
            }
            "Condition" => self.condition_name(arg, &pointer),
            _ => self.report(
                "E8001",
                &pointer,
                format!(
                    "{name} is not a condition function; use Fn::Equals, Fn::And, Fn::Or, \
                     Fn::Not or Condition"
                ),
            ),
        }
    }

    fn sub_conditions(&mut self, arg: &Json, pointer: &str) {
        for (i, item) in arg.as_array().into_iter().flatten().enumerate() {
            self.condition(item, &format!("{pointer}/{i}"));
        }
    }
}

/// The `${Name}` references of a `Fn::Sub` string (`${!Literal}` excluded), each once.
pub(crate) fn sub_names(text: &str) -> BTreeSet<&str> {
    crate::intrinsic::sub_variables(text).collect()
}

/// A value shortened for a message.
pub(crate) fn short(value: &Json) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_names_skip_literals() {
        let names: Vec<_> = sub_names("arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${ A.B }")
            .into_iter()
            .collect();
        assert_eq!(names, vec!["A.B", "AWS::Partition", "Bucket"]);
    }
}
