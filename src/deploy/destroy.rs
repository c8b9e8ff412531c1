//! `destroy`: delete stacks in reverse dependency order after one confirmation, respect
//! termination protection, follow the deletion, and name the resources CloudFormation keeps
//! (`DeletionPolicy: Retain` or `Snapshot`), which go on existing and costing money.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;
use serde_json::Value as Json;

use crate::assembly::StackArtifact;

use super::client::Clients;
use super::error::{DeployError, DeployErrorKind};
use super::events::{self, Ending, Target};
use super::pipeline::remaining;
use super::report::{Answer, Event, Question, Reporter};
use super::stack_state;
use super::{DeployOptions, Outcome, StackReport};

/// Options of `destroy`.
#[derive(Debug, Clone, Default)]
pub struct DestroyOptions {
    /// The service role CloudFormation assumes to delete.
    ///
    /// **Default:** the caller's credentials.
    pub role_arn: Option<String>,
    /// Give up waiting for each stack after this long.
    ///
    /// **Default:** wait until CloudFormation finishes.
    pub timeout: Option<Duration>,
}

/// Deletes `stacks` (given in dependency order) from last to first, after confirmation; stops
/// at the first stack that cannot be deleted.
pub async fn destroy(
    clients: Arc<Clients>,
    stacks: Vec<StackArtifact>,
    options: DestroyOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<Vec<StackReport>, DeployError> {
    let order: Vec<StackArtifact> = stacks.into_iter().rev().collect();
    let question = Question::Destroy {
        stacks: order.iter().map(|s| s.stack_name.clone()).collect(),
    };
    let answer = tokio::task::block_in_place(|| reporter.confirm(&question));
    if answer != Answer::Yes {
        return Err(DeployError::new(
            "",
            DeployErrorKind::NotApproved {
                reasons: vec!["deleting stacks".to_string()],
                unattended: answer == Answer::Unattended,
                review: "`stackcraft ls` lists the stacks; destroy deletes them in reverse order",
            },
        ));
    }
    let mut reports = Vec::new();
    for artifact in order {
        let result = destroy_stack(&clients, &artifact, &options, reporter.as_ref()).await;
        let failed = result.is_err();
        reports.push(StackReport {
            stack: artifact.stack_name.clone(),
            result,
        });
        if failed {
            break;
        }
    }
    Ok(reports)
}

async fn destroy_stack(
    clients: &Clients,
    artifact: &StackArtifact,
    options: &DestroyOptions,
    reporter: &dyn Reporter,
) -> Result<Outcome, DeployError> {
    let started = Instant::now();
    let stack = artifact.stack_name.as_str();
    reporter.event(Event::StackStarted {
        stack: stack.to_string(),
    });
    let client = clients.cloudformation(artifact.region())?;
    let Some(info) = stack_state::describe(&client, stack).await? else {
        return Ok(Outcome::Absent);
    };
    if info.termination_protection || artifact.termination_protection {
        return Err(DeployError::new(
            stack,
            DeployErrorKind::TerminationProtected,
        ));
    }
    if !events::is_terminal(&info.status) {
        return Err(DeployError::new(
            stack,
            DeployErrorKind::NeedsAttention {
                status: info.status,
                advice: "another operation is running on it: wait for it to end, then destroy \
                         again; nothing was deleted"
                    .to_string(),
            },
        ));
    }
    let deployed = stack_state::deployed_template(&client, stack)
        .await?
        .unwrap_or(Json::Null);
    let retained = kept_on_delete(&deployed);
    let total = deployed["Resources"].as_object().map_or(0, |r| r.len());
    let deploy_options = DeployOptions {
        role_arn: options.role_arn.clone(),
        timeout: remaining(options.timeout, started),
        ..DeployOptions::default()
    };
    let ending = delete_and_follow(&client, stack, &info, total, &deploy_options, reporter).await?;
    if !ending.succeeded() {
        return Err(DeployError::new(
            stack,
            DeployErrorKind::StackFailed {
                status: ending.status,
                root_cause: ending.root_cause,
            },
        ));
    }
    Ok(Outcome::Deleted { retained })
}

/// Resources of `template` whose `DeletionPolicy` keeps them or a snapshot of them.
pub fn kept_on_delete(template: &Json) -> Vec<(String, String, String)> {
    template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(id, r)| {
            let policy = r["DeletionPolicy"].as_str()?;
            matches!(policy, "Retain" | "RetainExceptOnCreate" | "Snapshot").then(|| {
                (
                    id.clone(),
                    r["Type"].as_str().unwrap_or_default().to_string(),
                    policy.to_string(),
                )
            })
        })
        .collect()
}

/// Deletes the stack and follows the deletion to its end.
pub(crate) async fn delete_and_follow(
    client: &Client,
    stack: &str,
    before: &stack_state::StackInfo,
    total: usize,
    options: &DeployOptions,
    reporter: &dyn Reporter,
) -> Result<Ending, DeployError> {
    let stack_id = before.stack_id.as_str();
    let marker = events::latest_event_id(client, stack_id).await?;
    reporter.event(Event::OperationStarted {
        stack: stack.to_string(),
        operation: "DELETE",
        total,
    });
    client
        .delete_stack()
        .stack_name(stack_id)
        .set_role_arn(options.role_arn.clone())
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "DeleteStack", e))?;
    let ending = events::follow(
        client,
        Target {
            stack,
            stack_id,
            marker,
            status_before: Some(before.status.clone()),
            timeout: options.timeout,
        },
        reporter,
    )
    .await?;
    reporter.event(Event::OperationEnded {
        stack: stack.to_string(),
        status: ending.status.clone(),
    });
    Ok(ending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_what_deletion_keeps() {
        let template = json!({ "Resources": {
            "Db": { "Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot" },
            "Logs": { "Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain" },
            "Queue": { "Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete" } } });
        assert_eq!(
            kept_on_delete(&template),
            vec![
                (
                    "Db".into(),
                    "AWS::RDS::DBInstance".into(),
                    "Snapshot".into()
                ),
                ("Logs".into(), "AWS::Logs::LogGroup".into(), "Retain".into()),
            ]
        );
    }
}
