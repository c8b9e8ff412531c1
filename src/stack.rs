//! Stacks: the unit of deployment. Each stack becomes one template in the cloud assembly.

use indexmap::IndexMap;

use crate::app::App;
use crate::construct::{AsConstruct, Construct, NodeKind};
use crate::error::{Error, Result};
use crate::intrinsic::{self, Pseudo};
use crate::token::Token;

/// Where a stack is deployed. Unset parts stay environment-agnostic (`unknown-account`,
/// `unknown-region` in the assembly) and are taken from the deployer's credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// The AWS account id.
    ///
    /// **Default:** the account of the credentials used at deploy time.
    pub account: Option<String>,
    /// The AWS region.
    ///
    /// **Default:** the region configured at deploy time.
    pub region: Option<String>,
}

impl Environment {
    /// The `aws://ACCOUNT/REGION` form of the cloud assembly.
    pub fn to_uri(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or("unknown-account"),
            self.region.as_deref().unwrap_or("unknown-region")
        )
    }
}

/// Options of a stack.
#[derive(Debug, Clone, Default)]
pub struct StackProps {
    /// The CloudFormation stack name.
    ///
    /// **Default:** the stack's construct id.
    pub stack_name: Option<String>,
    /// The template's `Description`.
    ///
    /// **Default:** no description.
    pub description: Option<String>,
    /// Account and region.
    ///
    /// **Default:** environment-agnostic.
    pub env: Environment,
    /// Refuses stack deletion in CloudFormation (and in `destroy`) until turned off.
    ///
    /// **Default:** off.
    pub termination_protection: bool,
    /// The deployment environment this stack belongs to (`dev`, `prod`); `--env` on the command
    /// line selects stacks by it.
    ///
    /// **Default:** none; the stack is selected only by name or by `--all`.
    pub stage: Option<String>,
    /// Tags applied to the stack (CloudFormation propagates them to resources).
    ///
    /// **Default:** no tags.
    pub tags: IndexMap<String, String>,
}

/// What synthesis needs to know about a stack, kept on its node.
#[derive(Debug, Clone)]
pub(crate) struct StackData {
    pub(crate) props: StackProps,
}

/// A stack of the app.
#[derive(Debug, Clone)]
pub struct Stack {
    construct: Construct,
}

impl AsConstruct for Stack {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Stack {
    /// Adds a stack to the app.
    ///
    /// Fails when the id is taken or when the stack name is not one CloudFormation accepts
    /// (1 to 128 letters, digits and hyphens, starting with a letter).
    pub fn new(app: &App, id: &str, props: StackProps) -> Result<Self> {
        let name = props.stack_name.clone().unwrap_or_else(|| id.to_string());
        if !is_valid_stack_name(&name) {
            return Err(Error::invalid_props(
                id,
                "stack_name",
                format!(
                    "'{name}' is not a valid stack name: use 1 to 128 letters, digits and \
                     hyphens, starting with a letter"
                ),
            ));
        }
        let data = StackData { props };
        let construct = app
            .construct()
            .add_child(id, NodeKind::Stack(Box::new(data)))?;
        Ok(Stack { construct })
    }

    /// Finds the stack that contains `construct`.
    pub fn of(construct: &impl AsConstruct) -> Option<Stack> {
        let c = construct.construct();
        c.stack_idx().map(|idx| Stack {
            construct: Construct {
                tree: c.tree.clone(),
                idx,
            },
        })
    }

    fn with_data<R>(&self, f: impl FnOnce(&StackData) -> R) -> R {
        let tree = self.construct.tree.borrow();
        match &tree.nodes[self.construct.idx].kind {
            NodeKind::Stack(data) => f(data),
            _ => unreachable!("a Stack handle always points at a stack node"),
        }
    }

    /// The CloudFormation stack name.
    pub fn stack_name(&self) -> String {
        self.with_data(|d| d.props.stack_name.clone())
            .unwrap_or_else(|| self.construct.id())
    }

    /// The stack's environment.
    pub fn env(&self) -> Environment {
        self.with_data(|d| d.props.env.clone())
    }

    /// The deployment environment (stage) the stack belongs to, if any.
    pub fn stage(&self) -> Option<String> {
        self.with_data(|d| d.props.stage.clone())
    }

    /// The region as a token, or the literal region when the environment pins one.
    pub fn region(&self) -> Token {
        match self.env().region {
            Some(r) => Token::from(r),
            None => Pseudo::Region.into(),
        }
    }

    /// `count` availability zones: `Fn::Select [i, Fn::GetAZs ""]`, which works in any region.
    pub fn availability_zones(&self, count: u32) -> Vec<Token> {
        intrinsic::availability_zones(count)
    }

    /// Makes this stack deploy after `other`.
    pub fn add_dependency(&self, other: &Stack) {
        self.construct.add_dependency(other);
    }
}

/// True when CloudFormation accepts `name` as a stack name.
pub fn is_valid_stack_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}
