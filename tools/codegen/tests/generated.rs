//! `src/generated/` matches what the generator writes from `schemas/`, and a snapshot of the
//! generator's output for a few types, so a change to the generator shows in review.

use stackcraft_codegen::{generate, generate_only, stale, workspace_root};

#[test]
fn src_generated_is_current() {
    let root = workspace_root();
    let generated = generate(&root.join("schemas")).unwrap();
    let differ = stale(
        &root.join("src/generated"),
        &root.join("Cargo.toml"),
        &generated,
    )
    .unwrap();
    assert!(
        differ.is_empty(),
        "src/generated/ is stale ({}): run `cargo run -p stackcraft-codegen`",
        differ.join(", ")
    );
}

#[test]
fn snapshot_of_a_resource_with_property_types_and_attributes() {
    let root = workspace_root();
    let generated = generate_only(&root.join("schemas"), |t| {
        matches!(t, "AWS::EC2::Subnet" | "AWS::SQS::QueuePolicy")
    })
    .unwrap();
    insta::assert_snapshot!("mod.rs", generated.files["mod.rs"]);
    insta::assert_snapshot!("ec2.rs", generated.files["ec2.rs"]);
    insta::assert_snapshot!("sqs.rs", generated.files["sqs.rs"]);
}
