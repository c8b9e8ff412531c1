//! Deployment: cloud-assembly stacks into CloudFormation through change sets, and their
//! deletion.
//!
//! One concept per file: [`stack_state`] (look a stack up, decide what its status allows),
//! [`change_set`] (create, wait, read, delete), [`template_source`] (inline or S3),
//! [`classify`] (replacement, data, access), [`approval`] (the data guard and the approval
//! policy), [`events`] (follow an operation), [`outputs`], [`destroy`], [`selection`] (which
//! stacks, in which order), [`client`] (the SDK clients) and [`report`] (what the caller is
//! told and asked). [`deploy`] runs the per-stack pipeline over the selected stacks in
//! dependency order, several at a time when asked.
//!
//! Nothing here parses arguments or prints: the CLI (`src/cli/deploy.rs`,
//! `src/cli/destroy.rs`) fills the options, renders the [`report::Event`]s and answers the
//! [`report::Question`]s.

pub mod approval;
pub mod change_set;
pub mod classify;
pub mod client;
pub mod destroy;
pub mod error;
pub mod events;
pub mod outputs;
mod pipeline;
pub mod report;
pub mod selection;
pub mod stack_state;
pub mod template_source;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use tokio::task::JoinSet;

use crate::assembly::StackArtifact;

pub use approval::RequireApproval;
pub use client::{ClientOptions, Clients};
pub use destroy::{destroy, DestroyOptions};
pub use error::{DeployError, DeployErrorKind};
pub use report::{Answer, Event, Question, Reporter, ResourceEvent};

/// A parameter value from the command line: `Stack:Key=Value`, or `Key=Value` for every stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackParameter {
    /// The stack name or artifact id it applies to; `None` for every stack.
    pub stack: Option<String>,
    /// The parameter's key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Options of a deployment.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Parameter values.
    ///
    /// **Default:** none; templates use their parameters' defaults.
    pub parameters: Vec<StackParameter>,
    /// Tags added to every stack, over the app's stack tags.
    ///
    /// **Default:** only the app's tags.
    pub tags: IndexMap<String, String>,
    /// The service role CloudFormation assumes.
    ///
    /// **Default:** the caller's credentials.
    pub role_arn: Option<String>,
    /// The bucket templates over 51,200 bytes are uploaded to.
    ///
    /// **Default:** none; such a template fails before any call.
    pub template_bucket: Option<String>,
    /// Logical ids whose data-destroying replacement or removal is allowed.
    ///
    /// **Default:** none; such change sets are refused.
    pub allow_replacement: Vec<String>,
    /// When to ask for approval.
    ///
    /// **Default:** when access broadens or a resource is replaced.
    pub require_approval: RequireApproval,
    /// Execute the change sets.
    ///
    /// **Default:** true; false leaves them for review.
    pub execute: bool,
    /// Wait for an operation already running on a stack instead of stopping.
    ///
    /// **Default:** false.
    pub wait_in_progress: bool,
    /// How many independent stacks deploy at once.
    ///
    /// **Default:** 1.
    pub concurrency: usize,
    /// Give up waiting for each stack after this long (CloudFormation goes on).
    ///
    /// **Default:** wait until CloudFormation finishes.
    pub timeout: Option<Duration>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            parameters: Vec::new(),
            tags: IndexMap::new(),
            role_arn: None,
            template_bucket: None,
            allow_replacement: Vec::new(),
            require_approval: RequireApproval::default(),
            execute: true,
            wait_in_progress: false,
            concurrency: 1,
            timeout: None,
        }
    }
}

impl DeployOptions {
    /// The parameter values for one stack.
    pub fn parameters_for(&self, stack: &StackArtifact) -> Vec<(String, String)> {
        self.parameters
            .iter()
            .filter(|p| {
                p.stack
                    .as_deref()
                    .is_none_or(|s| s == stack.stack_name || s == stack.id)
            })
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect()
    }
}

/// How a stack's deployment or deletion ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Nothing to change.
    UpToDate {
        /// The stack's outputs.
        outputs: Vec<(String, String)>,
    },
    /// Deployed.
    Deployed {
        /// The final status.
        status: String,
        /// The stack's outputs.
        outputs: Vec<(String, String)>,
    },
    /// The change set was created and left for review (`--no-execute`).
    ChangeSetCreated {
        /// Its name.
        name: String,
        /// Its ARN.
        arn: String,
        /// How many changes it holds.
        changes: usize,
    },
    /// Deleted; these resources were kept: `(logical id, type, deletion policy)`.
    Deleted {
        /// The resources CloudFormation kept.
        retained: Vec<(String, String, String)>,
    },
    /// There was no such stack to delete.
    Absent,
}

/// The result for one stack.
#[derive(Debug)]
pub struct StackReport {
    /// The stack name.
    pub stack: String,
    /// What happened.
    pub result: Result<Outcome, DeployError>,
}

/// Deploys `stacks` (in dependency order) with up to `options.concurrency` at once. A stack
/// starts once the stacks it depends on have deployed; the dependents of a failed stack are not
/// started. Returns one report per stack, in the given order.
pub async fn deploy(
    clients: Arc<Clients>,
    stacks: Vec<StackArtifact>,
    options: Arc<DeployOptions>,
    reporter: Arc<dyn Reporter>,
) -> Vec<StackReport> {
    let limit = options.concurrency.max(1);
    let mut results: HashMap<String, Result<Outcome, DeployError>> = HashMap::new();
    let mut pending: Vec<StackArtifact> = stacks.clone();
    let mut running: JoinSet<(String, Result<Outcome, DeployError>)> = JoinSet::new();
    loop {
        let mut i = 0;
        while i < pending.len() && running.len() < limit {
            let stack = &pending[i];
            let deps: Vec<&String> = stack
                .dependencies
                .iter()
                .filter(|d| stacks.iter().any(|s| &s.id == *d))
                .collect();
            let failed = deps
                .iter()
                .find(|d| matches!(results.get(d.as_str()), Some(Err(_))));
            if let Some(dep) = failed {
                let name = stacks
                    .iter()
                    .find(|s| &&s.id == dep)
                    .map_or(dep.to_string(), |s| s.stack_name.clone());
                let stack = pending.remove(i);
                results.insert(
                    stack.id.clone(),
                    Err(DeployError::new(
                        &stack.stack_name,
                        DeployErrorKind::DependencyFailed { dependency: name },
                    )),
                );
                i = 0;
                continue;
            }
            if deps.iter().all(|d| results.contains_key(d.as_str())) {
                let stack = pending.remove(i);
                let (clients, options, reporter) =
                    (clients.clone(), options.clone(), reporter.clone());
                running.spawn(async move {
                    let result =
                        pipeline::deploy_stack(&clients, &stack, &options, reporter.as_ref()).await;
                    (stack.id, result)
                });
            } else {
                i += 1;
            }
        }
        match running.join_next().await {
            Some(Ok((id, result))) => {
                results.insert(id, result);
            }
            Some(Err(panic)) => std::panic::resume_unwind(panic.into_panic()),
            None => break,
        }
    }
    stacks
        .into_iter()
        .map(|s| StackReport {
            result: results.remove(&s.id).unwrap_or_else(|| {
                Err(DeployError::new(
                    &s.stack_name,
                    DeployErrorKind::Selection {
                        message: "not started".to_string(),
                    },
                ))
            }),
            stack: s.stack_name,
        })
        .collect()
}
