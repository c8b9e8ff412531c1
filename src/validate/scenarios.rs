//! Condition scenarios: a value holding `Fn::If` resolved for each way its conditions can go, so
//! that every branch is checked against the schema, and a place in a resolved value traced back to
//! the branch of the template it came from.
//!
//! With up to [`MAX_ENUMERATED`] distinct conditions every assignment of true and false is tried,
//! except those the Conditions section rules out (a condition and its `Fn::Not`; two
//! `Fn::Equals` of one parameter against different values). Beyond that, every condition true
//! and every condition false.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::source::escape_pointer;
use super::template_view::TemplateView;

/// The most conditions whose assignments are all enumerated (2^4 = 16 scenarios).
const MAX_ENUMERATED: usize = 4;

/// Condition names and the value each has in one scenario.
pub(crate) type Scenario = BTreeMap<String, bool>;

/// The scenarios of a value: one empty scenario when it holds no `Fn::If`.
pub(crate) fn scenarios(view: &TemplateView<'_>, value: &Json) -> Vec<Scenario> {
    let mut names = BTreeSet::new();
    if_conditions(value, &mut names);
    if names.is_empty() {
        return vec![Scenario::new()];
    }
    if names.len() > MAX_ENUMERATED {
        return [true, false]
            .into_iter()
            .map(|all| names.iter().map(|n| (n.to_string(), all)).collect())
            .collect();
    }
    let names: Vec<&str> = names.into_iter().collect();
    (0..1u32 << names.len())
        .map(|bits| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), bits & (1 << i) == 0))
                .collect::<Scenario>()
        })
        .filter(|s| possible(view, s))
        .collect()
}

/// The condition names of every `Fn::If` inside `value`.
fn if_conditions<'a>(value: &'a Json, names: &mut BTreeSet<&'a str>) {
    match value {
        Json::Object(map) => {
            if let Some((name, _, _)) = as_if(value) {
                names.insert(name);
            }
            map.values().for_each(|v| if_conditions(v, names));
        }
        Json::Array(items) => items.iter().for_each(|v| if_conditions(v, names)),
        _ => {}
    }
}

/// `Fn::If` as (condition, value if true, value if false), when well formed.
fn as_if(value: &Json) -> Option<(&str, &Json, &Json)> {
    let map = value.as_object().filter(|m| m.len() == 1)?;
    match map.get("Fn::If")?.as_array()?.as_slice() {
        [Json::String(name), yes, no] => Some((name, yes, no)),
        _ => None,
    }
}

/// False when the template's Conditions rule the scenario out.
fn possible(view: &TemplateView<'_>, scenario: &Scenario) -> bool {
    let definition = |name: &str| view.conditions.and_then(|c| c.get(name));
    scenario.iter().all(|(name, value)| {
        let Some(def) = definition(name) else {
            return true;
        };
        if let Some(negated) = negation_of(def) {
            if scenario.get(negated).is_some_and(|v| v == value) {
                return false;
            }
        }
        let Some((parameter, literal)) = parameter_equals(def).filter(|_| *value) else {
            return true;
        };
        scenario.iter().filter(|(_, v)| **v).all(|(other, _)| {
            definition(other)
                .and_then(parameter_equals)
                .is_none_or(|(p, l)| p != parameter || l == literal)
        })
    })
}

/// The condition a `{"Fn::Not": [{"Condition": X}]}` negates.
fn negation_of(definition: &Json) -> Option<&str> {
    match definition.get("Fn::Not")?.as_array()?.as_slice() {
        [inner] => inner.get("Condition")?.as_str(),
        _ => None,
    }
}

/// The parameter and literal of `{"Fn::Equals": [{"Ref": P}, "literal"]}` (either order).
fn parameter_equals(definition: &Json) -> Option<(&str, &Json)> {
    let [a, b] = definition.get("Fn::Equals")?.as_array()?.as_slice() else {
        return None;
    };
    fn reference(v: &Json) -> Option<&str> {
        v.get("Ref").and_then(Json::as_str)
    }
    match (reference(a), reference(b)) {
        (Some(p), None) if b.is_string() => Some((p, b)),
        (None, Some(p)) if a.is_string() => Some((p, a)),
        _ => None,
    }
}

fn is_no_value(value: &Json) -> bool {
    value.get("Ref").and_then(Json::as_str) == Some("AWS::NoValue")
}

/// The branch an `Fn::If` takes in a scenario; `None` when its condition is not in it.
fn branch<'a>(value: &'a Json, scenario: &Scenario) -> Option<(&'a str, bool, &'a Json)> {
    let (name, yes, no) = as_if(value)?;
    let taken = *scenario.get(name)?;
    Some((name, taken, if taken { yes } else { no }))
}

/// [`resolve`], borrowing the value when there is nothing to resolve: no condition in the
/// scenario (so no `Fn::If`) and no `AWS::NoValue` anywhere. Most properties are like that, and
/// checking saves copying them.
pub(crate) fn resolve_borrowed<'a>(value: &'a Json, scenario: &Scenario) -> Option<Cow<'a, Json>> {
    if scenario.is_empty() && !has_no_value(value) {
        return Some(Cow::Borrowed(value));
    }
    resolve(value, scenario).map(Cow::Owned)
}

fn has_no_value(value: &Json) -> bool {
    match value {
        Json::Object(map) => is_no_value(value) || map.values().any(has_no_value),
        Json::Array(items) => items.iter().any(has_no_value),
        _ => false,
    }
}

/// The value with each `Fn::If` replaced by its branch; `None` where that is `AWS::NoValue`.
pub(crate) fn resolve(value: &Json, scenario: &Scenario) -> Option<Json> {
    if let Some((_, _, chosen)) = branch(value, scenario) {
        return resolve(chosen, scenario);
    }
    match value {
        _ if is_no_value(value) => None,
        Json::Object(map) => Some(Json::Object(
            map.iter()
                .filter_map(|(k, v)| resolve(v, scenario).map(|v| (k.clone(), v)))
                .collect(),
        )),
        Json::Array(items) => Some(Json::Array(
            items.iter().filter_map(|v| resolve(v, scenario)).collect(),
        )),
        other => Some(other.clone()),
    }
}

/// Where a place of the resolved value is in the template.
pub(crate) struct Located {
    /// The pointer into the unresolved value (through `Fn::If/1` or `Fn::If/2`).
    pub pointer: String,
    /// The conditions of the `Fn::If`s passed on the way, and the branch taken.
    pub conditions: Vec<(String, bool)>,
}

/// Traces `path` (a JSON pointer into `resolve(value, scenario)`) back into `value`.
pub(crate) fn locate(value: &Json, scenario: &Scenario, path: &str) -> Located {
    let mut located = Located {
        pointer: String::new(),
        conditions: Vec::new(),
    };
    let mut current = value;
    let segments = path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"));
    for segment in segments {
        current = enter_branches(current, scenario, &mut located);
        let next = match current {
            Json::Object(map) => map.get(&segment).map(|v| (segment.clone(), v)),
            Json::Array(items) => segment.parse::<usize>().ok().and_then(|n| {
                items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| resolve(item, scenario).is_some())
                    .nth(n)
                    .map(|(i, item)| (i.to_string(), item))
            }),
            _ => None,
        };
        let Some((key, v)) = next else {
            located.pointer.push('/');
            located.pointer.push_str(&escape_pointer(&segment));
            continue;
        };
        located.pointer.push('/');
        located.pointer.push_str(&escape_pointer(&key));
        current = v;
    }
    enter_branches(current, scenario, &mut located);
    located
}

/// Follows the `Fn::If`s at `value` into the branches the scenario takes.
fn enter_branches<'a>(mut value: &'a Json, scenario: &Scenario, located: &mut Located) -> &'a Json {
    while let Some((name, taken, chosen)) = branch(value, scenario) {
        located
            .pointer
            .push_str(if taken { "/Fn::If/1" } else { "/Fn::If/2" });
        located.conditions.push((name.to_string(), taken));
        value = chosen;
    }
    value
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn scenario(pairs: &[(&str, bool)]) -> Scenario {
        pairs.iter().map(|(n, v)| (n.to_string(), *v)).collect()
    }

    #[test]
    fn nested_branches_of_different_conditions_are_all_reached() {
        let template = json!({"Resources": {}});
        let view = TemplateView::new(&template);
        let value = json!({"A": {"Fn::If": ["Outer", {"Fn::If": ["Inner", 1, 2]}, 3]}});
        let resolved: Vec<Json> = scenarios(&view, &value)
            .iter()
            .filter_map(|s| resolve(&value, s))
            .map(|v| v["A"].clone())
            .collect();
        assert_eq!(resolved, vec![json!(1), json!(2), json!(3), json!(3)]);
    }

    #[test]
    fn scenarios_the_conditions_rule_out_are_skipped() {
        let template = json!({"Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Equals": ["dev", {"Ref": "Env"}]},
            "IsNotProd": {"Fn::Not": [{"Condition": "IsProd"}]}}});
        let view = TemplateView::new(&template);
        let value = json!([{"Fn::If": ["IsProd", 1, 0]}, {"Fn::If": ["IsDev", 1, 0]},
            {"Fn::If": ["IsNotProd", 1, 0]}]);
        let found = scenarios(&view, &value);
        assert_eq!(
            found,
            vec![
                scenario(&[("IsDev", false), ("IsNotProd", false), ("IsProd", true)]),
                scenario(&[("IsDev", true), ("IsNotProd", true), ("IsProd", false)]),
                scenario(&[("IsDev", false), ("IsNotProd", true), ("IsProd", false)]),
            ]
        );
    }

    #[test]
    fn a_place_in_the_resolved_value_is_traced_to_its_branch() {
        let value = json!({"Rules": [
            {"Fn::If": ["Extra", {"Port": 1}, {"Ref": "AWS::NoValue"}]},
            {"Port": {"Fn::If": ["Wide", "all", 22]}}]});
        let s = scenario(&[("Extra", false), ("Wide", true)]);
        assert_eq!(
            resolve(&value, &s),
            Some(json!({"Rules": [{"Port": "all"}]}))
        );
        let located = locate(&value, &s, "/Rules/0/Port");
        assert_eq!(located.pointer, "/Rules/1/Port/Fn::If/1");
        assert_eq!(located.conditions, vec![("Wide".to_string(), true)]);
    }
}
