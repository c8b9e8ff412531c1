//! The validation corpus (issue 5): every template of `tests/validation/faulty/` trips the rule
//! its name starts with, and the templates of `tests/validation/valid/` and the committed
//! `cdk.out/` validate clean.

mod corpus;

use stackcraft::validate::rules::{rule, RULES};
use stackcraft::validate::Severity;

#[test]
fn every_faulty_template_trips_the_rule_it_is_named_after() {
    let faulty = corpus::faulty();
    assert!(faulty.len() >= 40, "only {} faulty templates", faulty.len());
    for file in &faulty {
        let expected = corpus::rule_of(file);
        let catalogued = rule(expected).unwrap_or_else(|| panic!("{file:?}: rule {expected}"));
        let findings = corpus::stackcraft(file);
        assert!(
            findings.iter().any(|f| f.rule == expected
                && f.level == catalogued.level
                && f.suppressed.is_none()),
            "{} does not trip {expected}; found:\n{}",
            file.display(),
            corpus::lines(&findings)
        );
        if catalogued.level == Severity::Error {
            assert!(findings.iter().any(|f| f.fails(false)));
        }
    }
}

#[test]
fn every_rule_has_a_faulty_template() {
    let faulty = corpus::faulty();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !faulty.iter().any(|f| corpus::rule_of(f) == *id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a template that trips them in tests/validation/faulty/ (name it \
         <RULE>-<what>.json): {missing:?}"
    );
}

#[test]
fn valid_templates_and_the_synthesized_app_validate_clean() {
    let files = corpus::valid();
    assert!(files.len() >= 10, "only {} valid templates", files.len());
    for file in &files {
        let findings = corpus::stackcraft(file);
        let open: Vec<_> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
        assert!(
            open.is_empty(),
            "{} should validate clean:\n{}",
            file.display(),
            corpus::lines(&findings)
        );
    }
}

#[test]
fn findings_carry_line_and_column_in_files() {
    let file = corpus::root().join("faulty/E3002-unknown-property.json");
    let findings = corpus::stackcraft(&file);
    let f = findings.iter().find(|f| f.rule == "E3002").unwrap();
    assert_eq!(f.line_column, Some((7, 9)), "{f}");
    assert!(f.message.contains("did you mean 'CidrBlock'"), "{f}");
    let file = corpus::root().join("faulty/E1019-sub-unknown-variable.yaml");
    let f = corpus::stackcraft(&file).remove(0);
    assert_eq!(f.line_column.map(|(l, _)| l), Some(6), "{f}");
}

#[test]
fn the_rules_are_documented() {
    let docs = std::fs::read_to_string(corpus::repo().join("docs/rules.md")).unwrap();
    for r in RULES {
        assert!(
            docs.contains(&format!("| `{}` |", r.id)),
            "docs/rules.md does not document {}",
            r.id
        );
    }
}
