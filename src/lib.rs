//! stackcraft: typed, validated CloudFormation from Rust constructs.
//!
//! An [`App`] holds [`Stack`]s; stacks hold constructs; constructs hold typed resources
//! ([`Resource`]). [`App::synth`] resolves references, validates every template and returns a
//! [`CloudAssembly`] that [`CloudAssembly::write`] puts into `cdk.out/`.
//!
//! ```
//! use stackcraft::{App, CfnUntyped, Output, OutputProps, Resource, Stack, StackProps};
//! use serde_json::json;
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "Demo", StackProps::default()).unwrap();
//! let vpc = Resource::new(
//!     &stack,
//!     "Vpc",
//!     CfnUntyped::new("AWS::EC2::VPC", json!({ "CidrBlock": "10.0.0.0/16" })),
//! )
//! .unwrap();
//! Output::new(&stack, "VpcId", OutputProps::new(vpc.ref_())).unwrap();
//! let synthesis = app.synth(&Default::default()).unwrap();
//! let template = &synthesis.assembly.stacks[0].template;
//! assert_eq!(template["Outputs"]["VpcId"]["Value"], json!({ "Ref": "Vpc" }));
//! ```
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod app;
pub mod assembly;
pub mod cli;
pub mod construct;
pub mod deploy;
pub mod diff;
pub mod error;
pub mod graph;
pub mod intrinsic;
pub mod logical_id;
#[path = "generated/mod.rs"]
#[rustfmt::skip]
pub mod resources;
pub mod schema;
pub mod stack;
pub mod stateful;
pub mod synth;
pub mod template;
pub mod token;
pub mod validate;
pub mod yaml;

pub use app::App;
pub use assembly::{CloudAssembly, StackArtifact};
pub use construct::{Annotation, AsConstruct, Construct, Level};
pub use error::{Error, ErrorKind, Result};
pub use intrinsic::Pseudo;
pub use stack::{Environment, Stack, StackProps};
pub use synth::{SynthFailure, SynthOptions, Synthesis};
pub use template::{
    CfnResource, CfnUntyped, Condition, DeletionPolicy, Mapping, Output, OutputProps, Parameter,
    ParameterProps, Resource, Template,
};
pub use token::{Token, Value};
