//! Reference checks: `Ref`, `Fn::GetAtt` and `DependsOn` name elements that exist.

use serde_json::Value as Json;

use super::{Finding, Severity};
use crate::intrinsic::Pseudo;

/// Checks every `Ref`, `Fn::GetAtt` and `DependsOn` of the template.
pub(crate) fn check(template: &Json, findings: &mut Vec<Finding>) {
    let resources = template["Resources"].as_object();
    let parameters = template["Parameters"].as_object();
    let is_resource = |id: &str| resources.is_some_and(|r| r.contains_key(id));
    let is_parameter = |id: &str| parameters.is_some_and(|p| p.contains_key(id));
    let Some(resources_map) = resources else {
        findings.push(Finding::new(
            Severity::Error,
            "E1001",
            "/Resources",
            "the template has no Resources section; CloudFormation needs at least one resource",
        ));
        return;
    };
    for (section, pointer_base) in [("Resources", "/Resources"), ("Outputs", "/Outputs")] {
        let Some(elements) = template[section].as_object() else {
            continue;
        };
        for (id, element) in elements {
            let base = format!("{pointer_base}/{id}");
            walk(element, &base, &mut |value, pointer| match value {
                Json::Object(m) if m.len() == 1 => {
                    if let Some(Json::String(target)) = m.get("Ref") {
                        if !is_resource(target)
                            && !is_parameter(target)
                            && !Pseudo::NAMES.contains(&target.as_str())
                        {
                            findings.push(Finding::new(
                                Severity::Error,
                                "E1012",
                                format!("{pointer}/Ref"),
                                format!(
                                    "Ref to '{target}', which is not a resource, parameter or \
                                     pseudo parameter of this template"
                                ),
                            ));
                        }
                    }
                    if let Some(Json::Array(args)) = m.get("Fn::GetAtt") {
                        if let Some(Json::String(target)) = args.first() {
                            if !is_resource(target) {
                                findings.push(Finding::new(
                                    Severity::Error,
                                    "E1010",
                                    format!("{pointer}/Fn::GetAtt"),
                                    format!("Fn::GetAtt on '{target}', which is not a resource of this template"),
                                ));
                            }
                        }
                    }
                }
                _ => {}
            });
        }
    }
    for (id, resource) in resources_map {
        let deps = match &resource["DependsOn"] {
            Json::String(s) => vec![s.clone()],
            Json::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        };
        for dep in deps {
            if !is_resource(&dep) {
                findings.push(Finding::new(
                    Severity::Error,
                    "E3005",
                    format!("/Resources/{id}/DependsOn"),
                    format!("DependsOn '{dep}', which is not a resource of this template"),
                ));
            }
        }
    }
}

fn walk(value: &Json, pointer: &str, f: &mut impl FnMut(&Json, &str)) {
    f(value, pointer);
    match value {
        Json::Object(m) => {
            for (k, v) in m {
                walk(
                    v,
                    &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")),
                    f,
                );
            }
        }
        Json::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk(v, &format!("{pointer}/{i}"), f);
            }
        }
        _ => {}
    }
}
