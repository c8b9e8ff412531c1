use serde_json::{json, Value as Json};

use crate::intrinsic as cfn;
use crate::{
    App, CfnUntyped, Condition, Construct, ErrorKind, Output, OutputProps, Parameter,
    ParameterProps, Resource, Stack, StackProps,
};

fn vpc(scope: &impl crate::AsConstruct, id: &str) -> Resource<CfnUntyped> {
    Resource::new(
        scope,
        id,
        CfnUntyped::new("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})),
    )
    .unwrap()
}

fn subnet(scope: &impl crate::AsConstruct, id: &str, vpc_id: crate::Token) -> Resource<CfnUntyped> {
    Resource::new(
        scope,
        id,
        CfnUntyped::new(
            "AWS::EC2::Subnet",
            json!({"VpcId": vpc_id.as_json(), "CidrBlock": "10.0.0.0/24"}),
        ),
    )
    .unwrap()
}

fn template(app: &App, stack: &str) -> Json {
    let s = app.synth(&Default::default()).unwrap();
    s.assembly.stack(stack).unwrap().template.clone()
}

#[test]
fn references_in_one_stack_become_ref_and_getatt() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let v = vpc(&stack, "Vpc");
    subnet(&stack, "Subnet", v.ref_());
    Output::new(
        &stack,
        "Sg",
        OutputProps::new(v.get_att("DefaultSecurityGroup")),
    )
    .unwrap();
    let t = template(&app, "S");
    assert_eq!(
        t["Resources"]["Subnet"]["Properties"]["VpcId"],
        json!({"Ref": "Vpc"})
    );
    assert_eq!(
        t["Outputs"]["Sg"]["Value"],
        json!({"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]})
    );
    assert_eq!(
        t["Resources"]["Vpc"]["Metadata"]["aws:cdk:path"],
        json!("S/Vpc")
    );
}

#[test]
fn references_across_stacks_become_exports_and_imports() {
    let app = App::new();
    let producer = Stack::new(&app, "Producer", StackProps::default()).unwrap();
    let consumer = Stack::new(&app, "Consumer", StackProps::default()).unwrap();
    let net = Construct::new(&producer, "Net").unwrap();
    let v = vpc(&net, "Vpc");
    subnet(&consumer, "Subnet", v.ref_());
    Output::new(&consumer, "Cidr", OutputProps::new(v.get_att("CidrBlock"))).unwrap();
    let s = app.synth(&Default::default()).unwrap();

    let p = &s.assembly.stack("Producer").unwrap().template;
    let outputs = p["Outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 2);
    let (ref_id, ref_out) = outputs.iter().next().unwrap();
    assert!(ref_id.starts_with("ExportsOutputRefNetVpc"), "{ref_id}");
    let lid = p["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    assert_eq!(ref_out["Value"], json!({"Ref": lid}));
    let export = ref_out["Export"]["Name"].as_str().unwrap();
    assert_eq!(export, format!("Producer:{ref_id}"));

    let c = s.assembly.stack("Consumer").unwrap();
    assert_eq!(
        c.template["Resources"]["Subnet"]["Properties"]["VpcId"],
        json!({"Fn::ImportValue": export})
    );
    assert_eq!(c.dependencies, vec!["Producer".to_string()]);
    let order: Vec<&str> = s.assembly.stacks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ["Producer", "Consumer"]);
}

#[test]
fn a_reference_to_another_app_names_both_paths() {
    let other = App::new();
    let other_stack = Stack::new(&other, "Other", StackProps::default()).unwrap();
    let foreign = vpc(&other_stack, "Vpc");
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    subnet(&stack, "Subnet", foreign.ref_());
    let failure = app.synth(&Default::default()).unwrap_err();
    let err = &failure.errors[0];
    assert_eq!(err.path(), "S/Subnet");
    assert_eq!(
        err.kind(),
        &ErrorKind::CrossAppReference {
            target: "Other/Vpc".into()
        }
    );
    assert!(err.to_string().contains("[S/Subnet]") && err.to_string().contains("[Other/Vpc]"));
}

#[test]
fn a_reference_to_a_missing_logical_id_fails_and_names_the_construct() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    subnet(&stack, "Subnet", cfn::ref_logical_id("Nowhere"));
    let failure = app.synth(&Default::default()).unwrap_err();
    let f = &failure.findings[0];
    assert_eq!(f.construct_path.as_deref(), Some("S/Subnet"));
    assert!(f.message.contains("Nowhere"), "{}", f.message);
}

#[test]
fn stacks_that_reference_each_other_form_a_cycle_error() {
    let app = App::new();
    let a = Stack::new(&app, "A", StackProps::default()).unwrap();
    let b = Stack::new(&app, "B", StackProps::default()).unwrap();
    let va = vpc(&a, "Vpc");
    let vb = vpc(&b, "Vpc");
    subnet(&a, "Subnet", vb.ref_());
    subnet(&b, "Subnet", va.ref_());
    let failure = app.synth(&Default::default()).unwrap_err();
    let cycle = failure
        .errors
        .iter()
        .find_map(|e| match e.kind() {
            ErrorKind::StackCycle { cycle } => Some(cycle.clone()),
            _ => None,
        })
        .expect("a cycle error");
    assert_eq!(cycle, ["A", "B", "A"]);
}

#[test]
fn construct_dependencies_become_depends_on_or_stack_dependencies() {
    let app = App::new();
    let a = Stack::new(&app, "A", StackProps::default()).unwrap();
    let b = Stack::new(&app, "B", StackProps::default()).unwrap();
    let group = Construct::new(&a, "Group").unwrap();
    let v1 = vpc(&group, "One");
    vpc(&group, "Two");
    let v3 = vpc(&a, "Three");
    v3.add_dependency(&group);
    let vb = vpc(&b, "Vpc");
    vb.add_dependency(&v1);
    let s = app.synth(&Default::default()).unwrap();
    let t = &s.assembly.stack("A").unwrap().template;
    let deps = t["Resources"]["Three"]["DependsOn"].as_array().unwrap();
    assert_eq!(deps.len(), 2);
    assert_eq!(s.assembly.stack("B").unwrap().dependencies, ["A"]);
}

#[test]
fn logical_id_collisions_and_bad_overrides_fail_with_both_paths() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    vpc(&stack, "Vpc");
    let other = vpc(&stack, "Other");
    other.override_logical_id("Vpc");
    let bad = vpc(&stack, "Bad");
    bad.override_logical_id("not-valid");
    let failure = app.synth(&Default::default()).unwrap_err();
    assert!(failure.errors.iter().any(|e| matches!(
        e.kind(),
        ErrorKind::LogicalIdCollision { other, .. } if other == "S/Vpc"
    ) && e.path() == "S/Other"));
    assert!(failure
        .errors
        .iter()
        .any(|e| matches!(e.kind(), ErrorKind::InvalidLogicalId { .. })));
}

#[test]
fn sub_variables_bound_to_references_are_written_inline() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let v = vpc(&stack, "Vpc");
    let token = cfn::sub_with(
        "${Id}:${Cidr}:${Lit}:${Other}",
        [
            ("Id", v.ref_()),
            ("Cidr", v.get_att("CidrBlock")),
            ("Lit", "x".into()),
            ("Other", cfn::select(0, cfn::get_azs(""))),
        ],
    );
    Output::new(&stack, "Out", OutputProps::new(token)).unwrap();
    let t = template(&app, "S");
    assert_eq!(
        t["Outputs"]["Out"]["Value"],
        json!({"Fn::Sub": [
            "${Vpc}:${Vpc.CidrBlock}:x:${Other}",
            {"Other": {"Fn::Select": ["0", {"Fn::GetAZs": ""}]}}
        ]})
    );
}

#[test]
fn options_overrides_parameters_and_conditions_reach_the_template() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let env = Parameter::new(
        &stack,
        "Env",
        ParameterProps {
            allowed_values: vec![json!("dev"), json!("prod")],
            ..Default::default()
        },
    )
    .unwrap();
    let is_prod = Condition::new(&stack, "IsProd", cfn::equals(env.ref_(), "prod")).unwrap();
    let v = vpc(&stack, "Vpc");
    v.set_condition(&is_prod);
    v.set_deletion_policy(crate::DeletionPolicy::Retain);
    v.add_property_override(
        "Tags",
        json!([{"Key": "env", "Value": env.ref_().as_json()}]),
    );
    v.add_property_override(
        "CidrBlock",
        cfn::if_(&is_prod, "10.1.0.0/16", "10.2.0.0/16"),
    );
    let t = template(&app, "S");
    assert_eq!(t["Parameters"]["Env"]["Type"], json!("String"));
    assert_eq!(
        t["Conditions"]["IsProd"],
        json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
    );
    let r = &t["Resources"]["Vpc"];
    assert_eq!(r["Condition"], json!("IsProd"));
    assert_eq!(r["DeletionPolicy"], json!("Retain"));
    assert_eq!(r["Properties"]["Tags"][0]["Value"], json!({"Ref": "Env"}));
    assert_eq!(r["Properties"]["CidrBlock"]["Fn::If"][0], json!("IsProd"));
}

#[test]
fn synthesis_is_deterministic() {
    let build = || {
        let app = App::new();
        let a = Stack::new(&app, "A", StackProps::default()).unwrap();
        let b = Stack::new(&app, "B", StackProps::default()).unwrap();
        let v = vpc(&a, "Vpc");
        for i in 0..20 {
            subnet(&b, &format!("Subnet{i}"), v.ref_());
            Output::new(
                &b,
                &format!("Out{i}"),
                OutputProps::new(v.get_att("CidrBlock")),
            )
            .unwrap();
        }
        app.synth(&Default::default()).unwrap().assembly.files()
    };
    assert_eq!(build(), build());
}

#[test]
fn the_tree_is_locked_after_synthesis() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    vpc(&stack, "Vpc");
    app.synth(&Default::default()).unwrap();
    let err = Construct::new(&stack, "Late").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Locked);
}

#[test]
fn overrides_that_would_overwrite_a_value_fail_with_the_path() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let v = vpc(&stack, "Vpc");
    v.add_property_override("Tags", json!([{"Key": "Name", "Value": "main"}]));
    v.add_property_override("CidrBlock.Nested", "x");
    v.add_property_override("Tags.3.Value", "y");
    v.add_property_override("Tags.first", "z");
    v.add_property_override("Fresh.Deep", "created");
    let failure = app.synth(&Default::default()).unwrap_err();
    let messages: Vec<String> = failure.errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages
        .iter()
        .all(|m| m.starts_with("[S/Vpc] property override")));
    assert!(
        messages[0].contains("'CidrBlock' holds \"10.0.0.0/16\""),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("index 3 is past the end of 'Tags', which has 1"));
    assert!(messages[2].contains("'Tags' is a list"), "{}", messages[2]);
}

#[test]
fn error_annotations_fail_synthesis_with_their_id() {
    let app = App::new();
    let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
    let v = vpc(&stack, "Vpc");
    crate::AsConstruct::construct(&v).annotate(
        crate::Level::Error,
        "NoNat",
        "this network has no NAT gateway",
    );
    let failure = app.synth(&Default::default()).unwrap_err();
    assert_eq!(
        failure.errors[0].to_string(),
        "[S/Vpc] this network has no NAT gateway [NoNat]"
    );
}
