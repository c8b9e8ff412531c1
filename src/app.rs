//! The app: the root of the construct tree and the entry point of synthesis.

use crate::construct::{AsConstruct, Construct, NodeKind};
use crate::stack::Stack;
use crate::synth::{self, SynthFailure, SynthOptions, Synthesis};

/// The root of a construct tree. Stacks are its children.
///
/// ```
/// use stackcraft::{App, CfnUntyped, Resource, Stack, StackProps};
///
/// let app = App::new();
/// let stack = Stack::new(&app, "Network", StackProps::default()).unwrap();
/// assert_eq!(stack.stack_name(), "Network");
/// // CloudFormation rejects a template without resources, and so does synthesis.
/// Resource::new(&stack, "Queue", CfnUntyped::new("AWS::SQS::Queue", serde_json::json!({}))).unwrap();
/// let synthesis = app.synth(&Default::default()).unwrap();
/// assert_eq!(synthesis.assembly.stacks.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct App {
    construct: Construct,
}

impl AsConstruct for App {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// An empty app.
    pub fn new() -> Self {
        App {
            construct: Construct::root(),
        }
    }

    /// The stacks of the app, in creation order (nested scopes included).
    pub fn stacks(&self) -> Vec<Stack> {
        let tree = self.construct.tree.borrow();
        tree.subtree(0)
            .into_iter()
            .filter(|&i| matches!(tree.nodes[i].kind, NodeKind::Stack(_)))
            .map(|idx| Construct {
                tree: self.construct.tree.clone(),
                idx,
            })
            .filter_map(|c| Stack::of(&c))
            .collect()
    }

    /// Resolves, validates and renders every stack into a cloud assembly held in memory.
    ///
    /// The tree is locked afterwards. Nothing is written: see
    /// [`crate::assembly::CloudAssembly::write`].
    pub fn synth(&self, options: &SynthOptions) -> Result<Synthesis, SynthFailure> {
        synth::synthesize(&self.construct, options)
    }
}
