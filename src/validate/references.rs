//! Intrinsic functions and references: every function has the shape CloudFormation expects, and
//! everything it names exists (`Ref`, `Fn::GetAtt` attributes, `${}` of `Fn::Sub`, conditions,
//! mappings). Also collects the resource-to-resource edges the cycle check needs.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::getatt;
use super::template_view::{
    as_number, depends_on, intrinsic, render_pointer, Segment, TemplateView,
};
use super::Finding;
use crate::intrinsic::Pseudo;
use Segment::{Index, Key};

/// One dependency between two resources, and why it exists.
pub(crate) struct Edge {
    /// The resource that depends.
    pub from: String,
    /// The resource it depends on.
    pub to: String,
}

/// What refers to what in a template.
pub(crate) struct Dependencies {
    /// Resource to resource, by reference or `DependsOn`.
    pub resources: Vec<Edge>,
    /// Condition to condition, by `{"Condition": ...}` inside Conditions.
    pub conditions: Vec<Edge>,
}

/// Checks every intrinsic of the template and `DependsOn`; returns the dependency edges.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) -> Dependencies {
    let mut walker = Walker {
        view,
        findings,
        edges: Vec::new(),
        condition_edges: Vec::new(),
        from: None,
        from_condition: None,
        path: Vec::new(),
    };
    for (id, resource) in view.resources() {
        walker.from = Some(id.clone());
        walker.path = vec![Key("Resources"), Key(id)];
        for key in ["Properties", "Condition", "DependsOn"] {
            if let Some(value) = resource.get(key) {
                walker.path.push(Key(key));
                match key {
                    "Properties" => walker.walk(value),
                    "Condition" => walker.condition_name(value),
                    _ => walker.depends_on(resource),
                }
                walker.path.pop();
            }
        }
    }
    walker.from = None;
    for (id, output) in view.outputs.into_iter().flatten() {
        walker.path = vec![Key("Outputs"), Key(id)];
        for key in ["Value", "Export"] {
            if let Some(value) = output.get(key) {
                walker.walk_in(Key(key), value);
            }
        }
        if let Some(c) = output.get("Condition") {
            walker.path.push(Key("Condition"));
            walker.condition_name(c);
            walker.path.pop();
        }
    }
    for (id, condition) in view.conditions.into_iter().flatten() {
        walker.path = vec![Key("Conditions"), Key(id)];
        walker.from_condition = Some(id.clone());
        walker.condition(condition);
    }
    Dependencies {
        resources: walker.edges,
        conditions: walker.condition_edges,
    }
}

/// The attribute argument of `Fn::GetAtt`: a name, or (in the list form) a function giving one.
enum Attribute<'a> {
    Name(&'a str),
    Function(&'a Json),
}

struct Walker<'v, 'f> {
    view: &'v TemplateView<'v>,
    findings: &'f mut Vec<Finding>,
    edges: Vec<Edge>,
    condition_edges: Vec<Edge>,
    /// The resource being walked, for dependency edges.
    from: Option<String>,
    /// The condition being walked, for edges between conditions.
    from_condition: Option<String>,
    /// Where the walk is. Most of a template holds nothing to report, so the JSON pointer is
    /// rendered from these segments only when a finding needs it.
    path: Vec<Segment<'v>>,
}

impl<'v> Walker<'v, '_> {
    fn report(&mut self, rule: &'static str, message: String) {
        let finding = Finding::of(rule, render_pointer(&self.path), message);
        self.findings.push(finding);
    }

    /// Reports at a child of where the walk is.
    fn report_in(&mut self, segment: Segment<'v>, rule: &'static str, message: String) {
        self.path.push(segment);
        self.report(rule, message);
        self.path.pop();
    }

    /// Walks `value`, a child of where the walk is.
    fn walk_in(&mut self, segment: Segment<'v>, value: &'v Json) {
        self.path.push(segment);
        self.walk(value);
        self.path.pop();
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

    fn walk(&mut self, value: &'v Json) {
        match value {
            Json::Object(map) => {
                if map.len() == 1 {
                    let (key, arg) = map.iter().next().expect("one entry");
                    if key == "Ref" || key.starts_with("Fn::") {
                        self.path.push(Key(key));
                        self.function(key, arg);
                        self.path.pop();
                        return;
                    }
                }
                for (k, v) in map {
                    self.walk_in(Key(k), v);
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.walk_in(Index(i), v);
                }
            }
            _ => {}
        }
    }

    /// Walks the arguments of a function, each under its own pointer.
    fn walk_args(&mut self, arg: &'v Json) {
        match arg {
            Json::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.walk_in(Index(i), v);
                }
            }
            other => self.walk(other),
        }
    }

    fn function(&mut self, name: &str, arg: &'v Json) {
        match name {
            "Ref" => self.reference(arg),
            "Fn::GetAtt" => {
                if let Some(attribute) = self.get_att(arg) {
                    self.walk_in(Index(1), attribute);
                }
            }
            "Fn::Sub" => self.sub(arg),
            "Fn::If" => self.if_(arg),
            "Fn::Select" => self.select(arg),
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::Join" => {
                let ok = matches!(
                    arg.as_array().map(Vec::as_slice),
                    Some([Json::String(_), Json::Array(_) | Json::Object(_)])
                );
                if !ok {
                    self.report(
                        "E1022",
                        format!(
                            "Fn::Join needs [delimiter, [values...]], got {}",
                            short(arg)
                        ),
                    );
                }
                self.walk_args(arg);
            }
            "Fn::Split" => {
                let ok = matches!(
                    arg.as_array().map(Vec::as_slice),
                    Some([Json::String(_), Json::String(_) | Json::Object(_)])
                );
                if !ok {
                    self.report(
                        "E1018",
                        format!("Fn::Split needs [delimiter, string], got {}", short(arg)),
                    );
                }
                self.walk_args(arg);
            }
            "Fn::GetAZs" => {
                if !(arg.is_string() || intrinsic(arg).is_some()) {
                    self.report(
                        "E1015",
                        format!(
                            "Fn::GetAZs needs a region name, \"\" or a Ref, got {}",
                            short(arg)
                        ),
                    );
                }
                self.walk(arg);
            }
            "Fn::Base64" => {
                if !(arg.is_string() || intrinsic(arg).is_some()) {
                    self.report(
                        "E1021",
                        format!("Fn::Base64 needs a string, got {}", short(arg)),
                    );
                }
                self.walk(arg);
            }
            "Fn::Cidr" => {
                match arg.as_array().map(Vec::as_slice) {
                    Some([block, count, bits]) => self.cidr_args(block, count, bits),
                    _ => self.report(
                        "E1024",
                        format!(
                            "Fn::Cidr needs [ipBlock, count, cidrBits], got {}",
                            short(arg)
                        ),
                    ),
                }
                self.walk_args(arg);
            }
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                self.report(
                    "E3012",
                    format!(
                        "{name} is a condition function: it is true or false, which no property \
                         or output takes; define a condition with it under Conditions and choose \
                         a value with Fn::If"
                    ),
                );
                self.condition_function(name, arg);
            }
            "Fn::ImportValue" => {
                if !(arg.is_string() || intrinsic(arg).is_some()) {
                    self.report(
                        "E1016",
                        format!("Fn::ImportValue needs an export name, got {}", short(arg)),
                    );
                }
                self.walk(arg);
            }
            _ => self.walk_args(arg),
        }
    }

    /// The literal arguments of `Fn::Cidr`: an IPv4 or IPv6 block, 1 to 256 subnets, 1 to 128
    /// host bits (functions are left to CloudFormation).
    fn cidr_args(&mut self, block: &Json, count: &Json, bits: &Json) {
        let block_ok = match block {
            Json::String(text) => text.parse::<ipnet::IpNet>().is_ok(),
            other => intrinsic(other).is_some(),
        };
        if !block_ok {
            self.report_in(
                Index(0),
                "E1024",
                format!(
                    "Fn::Cidr's ipBlock is {}; it is a CIDR block such as 10.0.0.0/16, or a \
                     function giving one",
                    short(block)
                ),
            );
        }
        for (i, value, name, max) in [(1, count, "count", 256), (2, bits, "cidrBits", 128)] {
            if intrinsic(value).is_some() {
                continue;
            }
            let n = as_number(value);
            if !n.is_some_and(|n| n.fract() == 0.0 && (1.0..=max as f64).contains(&n)) {
                self.report_in(
                    Index(i),
                    "E1024",
                    format!(
                        "Fn::Cidr's {name} is {}; it is a whole number from 1 to {max}",
                        short(value)
                    ),
                );
            }
        }
    }

    fn reference(&mut self, arg: &Json) {
        let Json::String(target) = arg else {
            self.report(
                "E1020",
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
            self.report("E1020", message);
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

    /// Checks a `Fn::GetAtt`; returns the attribute argument when it is a function to walk.
    fn get_att<'a>(&mut self, arg: &'a Json) -> Option<&'a Json> {
        let (target, attribute) = match arg {
            Json::Array(parts) if parts.len() == 2 => match (&parts[0], &parts[1]) {
                (Json::String(t), Json::String(a)) => (t.as_str(), Attribute::Name(a)),
                (Json::String(t), other) => (t.as_str(), Attribute::Function(other)),
                _ => ("", Attribute::Name("")),
            },
            Json::String(s) => match s.split_once('.') {
                Some((t, a)) => (t, Attribute::Name(a)),
                None => ("", Attribute::Name("")),
            },
            _ => ("", Attribute::Name("")),
        };
        if target.is_empty() {
            self.report(
                "E1010",
                format!(
                    "Fn::GetAtt needs [LogicalId, Attribute] or \"LogicalId.Attribute\", got {}",
                    short(arg)
                ),
            );
            return None;
        }
        let Some(type_name) = self.view.type_of(target) else {
            let message = if self.view.is_parameter(target) {
                format!(
                    "Fn::GetAtt on '{target}', which is a parameter: attributes belong to \
                     resources; use {{\"Ref\": \"{target}\"}} for the parameter's value"
                )
            } else {
                format!(
                    "Fn::GetAtt on '{target}', which is not a resource of this template{}",
                    super::suggest::did_you_mean(
                        target,
                        self.view.resources().map(|(k, _)| k.as_str())
                    )
                )
            };
            self.report("E1010", message);
            return None;
        };
        self.edge(target);
        let attribute = match attribute {
            Attribute::Name(name) => name,
            Attribute::Function(function) => return Some(function),
        };
        let allowed = getatt::attributes_of(type_name);
        if !allowed.allows(attribute) {
            let hint = match allowed.as_ref() {
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
                format!(
                    "Fn::GetAtt reads '{attribute}' of '{target}' ({type_name}), which \
                     has no such attribute{hint}"
                ),
            );
        }
        None
    }

    fn sub(&mut self, arg: &'v Json) {
        let (text, variables) = match arg {
            Json::String(s) => (s.as_str(), None),
            Json::Array(parts) if parts.len() == 2 => match (&parts[0], &parts[1]) {
                (Json::String(s), Json::Object(vars)) => (s.as_str(), Some(vars)),
                _ => {
                    self.report(
                        "E1019",
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
                    format!(
                        "Fn::Sub needs a string or [string, {{variables}}], got {}",
                        short(arg)
                    ),
                );
                return;
            }
        };
        if let Some(vars) = variables {
            self.path.push(Index(1));
            for (k, v) in vars {
                self.walk_in(Key(k), v);
            }
            self.path.pop();
            // Findings about the string are reported at its own pointer.
            self.path.push(Index(0));
        }
        for name in sub_names(text) {
            if variables.is_some_and(|v| v.contains_key(name)) {
                continue;
            }
            if let Some((target, attribute)) = name.split_once('.') {
                if self.view.is_parameter(name) {
                    continue;
                }
                let get_att = Json::Array(vec![target.into(), attribute.into()]);
                self.get_att_in_sub(&get_att, name);
            } else if self.view.resource(name).is_some() {
                self.edge(name);
            } else if !self.view.is_parameter(name) && !Pseudo::NAMES.contains(&name) {
                let message = format!(
                    "Fn::Sub uses ${{{name}}}, which is not a resource, parameter, pseudo \
                     parameter or variable of the Sub{}",
                    self.did_you_mean_name(name)
                );
                self.report("E1019", message);
            }
        }
        if variables.is_some() {
            self.path.pop();
        }
    }

    fn get_att_in_sub(&mut self, get_att: &Json, name: &str) {
        let before = self.findings.len();
        self.get_att(get_att);
        for f in &mut self.findings[before..] {
            f.rule = "E1019";
            f.message = format!("Fn::Sub uses ${{{name}}}: {}", f.message);
        }
    }

    fn if_(&mut self, arg: &'v Json) {
        match arg.as_array().map(Vec::as_slice) {
            Some([Json::String(condition), _, _]) => {
                if !self.view.is_condition(condition) {
                    self.report_in(
                        Index(0),
                        "E8002",
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
                self.walk_in(Index(1), &items[1]);
                self.walk_in(Index(2), &items[2]);
            }
            _ => self.report(
                "E1028",
                format!(
                    "Fn::If needs [condition name, value if true, value if false], got {}",
                    short(arg)
                ),
            ),
        }
    }

    fn select(&mut self, arg: &'v Json) {
        match arg.as_array().map(Vec::as_slice) {
            Some([index, list]) => {
                let index_ok = match index {
                    Json::Number(n) => n.as_u64().is_some(),
                    Json::String(s) => s.parse::<u64>().is_ok(),
                    Json::Object(_) => true,
                    _ => false,
                };
                if !index_ok {
                    self.report_in(
                        Index(0),
                        "E1017",
                        format!(
                            "Fn::Select index must be a whole number (or a function giving \
                             one), got {}",
                            short(index)
                        ),
                    );
                }
                if let (Some(i), Json::Array(items)) = (as_number(index), list) {
                    if i >= 0.0 && i as usize >= items.len() && !items.is_empty() {
                        self.report_in(
                            Index(0),
                            "E1017",
                            format!(
                                "Fn::Select index {i} is past the end of a list of {}",
                                items.len()
                            ),
                        );
                    }
                }
                self.walk_in(Index(0), index);
                self.walk_in(Index(1), list);
            }
            _ => self.report(
                "E1017",
                format!("Fn::Select needs [index, list], got {}", short(arg)),
            ),
        }
    }

    fn find_in_map(&mut self, arg: &'v Json) {
        let Some(items) = arg.as_array().filter(|a| a.len() == 3 || a.len() == 4) else {
            self.report(
                "E1011",
                format!(
                    "Fn::FindInMap needs [map, top-level key, second-level key], got {}",
                    short(arg)
                ),
            );
            return;
        };
        if let Json::String(map_name) = &items[0] {
            match self.view.mappings.and_then(|m| m.get(map_name)) {
                None => self.report_in(
                    Index(0),
                    "E1011",
                    format!("Fn::FindInMap names mapping '{map_name}', which does not exist"),
                ),
                Some(map) => {
                    if let Json::String(top) = &items[1] {
                        match map.get(top) {
                            None => self.report_in(
                                Index(1),
                                "E1011",
                                format!("mapping '{map_name}' has no key '{top}'"),
                            ),
                            Some(inner) => {
                                if let Json::String(second) = &items[2] {
                                    if inner.get(second).is_none() {
                                        self.report_in(
                                            Index(2),
                                            "E1011",
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
        self.walk_args(arg);
    }

    fn condition_name(&mut self, value: &Json) {
        match value {
            Json::String(name) if self.view.is_condition(name) => {
                if let Some(from) = &self.from_condition {
                    self.condition_edges.push(Edge {
                        from: from.clone(),
                        to: name.clone(),
                    });
                }
            }
            Json::String(name) => self.report(
                "E8002",
                format!("condition '{name}' is not defined in the template's Conditions"),
            ),
            other => self.report(
                "E8002",
                format!("a condition is named by a string, got {}", short(other)),
            ),
        }
    }

    fn depends_on(&mut self, resource: &Json) {
        let ok = match &resource["DependsOn"] {
            Json::String(_) => true,
            Json::Array(items) => items.iter().all(Json::is_string),
            _ => false,
        };
        if !ok {
            self.report(
                "E3005",
                "DependsOn must be a logical id or a list of logical ids".to_string(),
            );
        }
        for (i, dep) in depends_on(resource).into_iter().enumerate() {
            if self.view.resource(dep).is_some() {
                self.edge(dep);
                continue;
            }
            let message = if self.view.is_parameter(dep) {
                format!("DependsOn '{dep}', which is a parameter; DependsOn names resources")
            } else {
                format!(
                    "DependsOn '{dep}', which is not a resource of this template{}",
                    super::suggest::did_you_mean(
                        dep,
                        self.view.resources().map(|(k, _)| k.as_str())
                    )
                )
            };
            if resource["DependsOn"].is_array() {
                self.report_in(Index(i), "E3005", message);
            } else {
                self.report("E3005", message);
            }
        }
    }

    /// Checks a condition function in the Conditions section.
    fn condition(&mut self, value: &'v Json) {
        let Some((name, arg)) = value
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next())
        else {
            self.report(
                "E8001",
                format!(
                    "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, \
                     got {}",
                    short(value)
                ),
            );
            return;
        };
        self.path.push(Key(name));
        self.condition_function(name, arg);
        self.path.pop();
    }

    /// Checks the function `name` of a condition, where the walk is.
    fn condition_function(&mut self, name: &str, arg: &'v Json) {
        let count = arg.as_array().map(Vec::len);
        match name {
            "Fn::Equals" => {
                if count != Some(2) {
                    self.report(
                        "E8003",
                        format!("Fn::Equals compares exactly two values, got {}", short(arg)),
                    );
                }
                self.walk_args(arg);
            }
            "Fn::And" | "Fn::Or" => {
                let rule = if name == "Fn::And" { "E8004" } else { "E8006" };
                if !matches!(count, Some(2..=10)) {
                    self.report(
                        rule,
                        format!("{name} takes 2 to 10 conditions, got {}", short(arg)),
                    );
                }
                self.sub_conditions(arg);
            }
            "Fn::Not" => {
                if count != Some(1) {
                    self.report(
                        "E8005",
                        format!("Fn::Not takes a list of one condition, got {}", short(arg)),
                    );
                }
                self.sub_conditions(arg);
            }
            "Condition" => self.condition_name(arg),
            _ => self.report(
                "E8001",
                format!(
                    "{name} is not a condition function; use Fn::Equals, Fn::And, Fn::Or, \
                     Fn::Not or Condition"
                ),
            ),
        }
    }

    fn sub_conditions(&mut self, arg: &'v Json) {
        for (i, item) in arg.as_array().into_iter().flatten().enumerate() {
            self.path.push(Index(i));
            self.condition(item);
            self.path.pop();
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
