//! The template readers never panic, whatever the input (issue 5), and YAML written with
//! short-form tags reads back to the same template.

use proptest::prelude::*;
use serde_json::{json, Value as Json};
use stackcraft::validate::{validate_template, ParsedTemplate};
use stackcraft::yaml;

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-Z0-9 :.${}!-]{0,12}".prop_map(Json::String),
        prop_oneof![
            Just("yes"),
            Just("on"),
            Just("2010-09-09"),
            Just("~"),
            Just("")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::btree_map("[A-Za-z][A-Za-z0-9]{0,6}", inner.clone(), 0..5)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
            "[A-Za-z]{1,6}".prop_map(|s| json!({ "Ref": s })),
            ("[A-Za-z]{1,6}", "[A-Za-z]{1,6}").prop_map(|(r, a)| json!({ "Fn::GetAtt": [r, a] })),
            inner
                .clone()
                .prop_map(|v| json!({ "Fn::Sub": [ "${X}", { "X": v } ] })),
            prop::collection::vec(inner, 1..4).prop_map(|v| json!({ "Fn::Join": [",", v] })),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = ParsedTemplate::parse_json(&text);
        let _ = ParsedTemplate::parse_yaml(&text);
    }

    #[test]
    fn template_like_text_never_panics(text in "[{}\\[\\]:,\"!&*|>'#\\- \\nA-Za-z0-9]{0,300}") {
        if let Ok(parsed) = ParsedTemplate::parse(&text) {
            let _ = validate_template(&parsed.template);
        }
        let _ = ParsedTemplate::parse_yaml(&text);
    }

    #[test]
    fn yaml_round_trips_any_template_value(value in json_value()) {
        let text = yaml::to_string(&value).unwrap();
        prop_assert_eq!(yaml::from_str(&text).unwrap(), value);
    }

    #[test]
    fn any_json_validates_without_panic(value in json_value()) {
        let _ = validate_template(&value);
        let _ = validate_template(&json!({ "Resources": { "R": value.clone() } }));
        let _ = validate_template(&json!({ "Resources": {
            "R": { "Type": "AWS::ECS::TaskDefinition", "Properties": value } } }));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    assert!(ParsedTemplate::parse_json(&deep).is_err());
    assert!(ParsedTemplate::parse_yaml(&deep).is_err());
    let deep_map = "a:\n".to_string() + &" b:\n".repeat(5_000);
    let _ = ParsedTemplate::parse_yaml(&deep_map);
}

#[test]
fn malformed_files_report_line_and_column() {
    let e = ParsedTemplate::parse_json("{\n  \"Resources\": {\n    \"A\": }\n}").unwrap_err();
    assert_eq!((e.line, e.column), (3, 10), "{e}");
    let e = ParsedTemplate::parse_yaml("Resources:\n  A:\n    Type: [x\n").unwrap_err();
    assert!(e.line >= 3, "{e}");
}
