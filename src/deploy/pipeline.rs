//! The deployment of one stack, step by step: look it up, resolve a state that blocks it,
//! create and wait for the change set, classify and show the changes, refuse data loss, ask for
//! approval, execute, follow, read the outputs.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;

use crate::assembly::StackArtifact;

use super::approval::{approval_reasons, data_loss};
use super::change_set::{self, ChangeSetId, ChangeSetRequest, Computed};
use super::classify::classify;
use super::client::{no_retry, Clients};
use super::error::{DeployError, DeployErrorKind};
use super::events::{self, Target};
use super::report::{Answer, Event, Question, Reporter};
use super::stack_state::{self, Action, StackInfo};
use super::template_source;
use super::{DeployOptions, Outcome};

/// Deploys one stack of the assembly.
pub async fn deploy_stack(
    clients: &Clients,
    artifact: &StackArtifact,
    options: &DeployOptions,
    reporter: &dyn Reporter,
) -> Result<Outcome, DeployError> {
    let started = Instant::now();
    let stack = artifact.stack_name.as_str();
    let note = |message: String| {
        reporter.event(Event::Note {
            stack: stack.to_string(),
            message,
        })
    };
    reporter.event(Event::StackStarted {
        stack: stack.to_string(),
    });
    let client = clients.cloudformation(artifact.region())?;
    let body = artifact.minified_template();
    template_source::plan(stack, &body, options.template_bucket.as_deref())?;

    let info = settle(&client, stack, options, reporter, started).await?;
    let create = info
        .as_ref()
        .is_none_or(|i| i.status == "REVIEW_IN_PROGRESS");
    let deployed = if create {
        None
    } else {
        stack_state::deployed_template(&client, stack).await?
    };
    if !create && deployed.is_none() {
        note(
            "the deployed template is not JSON: replacement is judged from CloudFormation's \
              answer only"
                .to_string(),
        );
    }

    let template = template_source::prepare(
        clients,
        artifact.region(),
        stack,
        body,
        options.template_bucket.as_deref(),
    )
    .await?;
    let mut tags = artifact.tags.clone();
    tags.extend(options.tags.clone());
    let request = ChangeSetRequest {
        stack: stack.to_string(),
        name: change_set::new_name(),
        create,
        template,
        parameters: options.parameters_for(artifact),
        tags,
        role_arn: options.role_arn.clone(),
        capabilities: change_set::capabilities(&artifact.template),
    };
    note(format!(
        "creating {} change set {}",
        if create { "CREATE" } else { "UPDATE" },
        request.name
    ));
    let Some(id) = change_set::create(&client, &request).await? else {
        return up_to_date(&client, artifact, info.as_ref(), reporter).await;
    };
    let computed = within(
        stack,
        remaining(options.timeout, started),
        "CREATE_PENDING",
        change_set::wait(&client, stack, &id.arn),
    )
    .await?;
    let changes = match computed {
        Computed::NoChanges => {
            change_set::delete(&client, stack, &id.arn).await?;
            return up_to_date(&client, artifact, info.as_ref(), reporter).await;
        }
        Computed::Changes(changes) => changes,
    };
    let classified = classify(&changes, deployed.as_ref(), &artifact.template);
    reporter.event(Event::Changes {
        stack: stack.to_string(),
        change_set: request.name.clone(),
        changes: classified.clone(),
    });

    let lost = data_loss(&classified, &options.allow_replacement);
    if !options.execute {
        if !lost.is_empty() {
            let ids: Vec<&str> = lost.iter().map(|(id, _, _)| id.as_str()).collect();
            note(format!(
                "executing this change set would be refused: it destroys data in {}",
                ids.join(", ")
            ));
        }
        return Ok(Outcome::ChangeSetCreated {
            name: request.name,
            arn: id.arn,
            changes: classified.len(),
        });
    }
    if !lost.is_empty() {
        abandon(&client, stack, &id, create).await?;
        return Err(DeployError::new(
            stack,
            DeployErrorKind::DataLoss { resources: lost },
        ));
    }
    let reasons = approval_reasons(options.require_approval, &classified);
    if !reasons.is_empty() {
        let question = Question::Execute {
            stack: stack.to_string(),
            reasons: reasons.clone(),
        };
        let answer = tokio::task::block_in_place(|| reporter.confirm(&question));
        if answer != Answer::Yes {
            abandon(&client, stack, &id, create).await?;
            return Err(DeployError::new(
                stack,
                DeployErrorKind::NotApproved {
                    reasons,
                    unattended: answer == Answer::Unattended,
                    review: "`stackcraft diff --against deployed` shows it, and deploy \
                             --no-execute only creates the change sets",
                },
            ));
        }
    }

    let marker = events::latest_event_id(&client, &id.stack_id).await?;
    reporter.event(Event::OperationStarted {
        stack: stack.to_string(),
        operation: if create { "CREATE" } else { "UPDATE" },
        total: classified.len(),
    });
    client
        .execute_change_set()
        .change_set_name(&id.arn)
        .stack_name(stack)
        .customize()
        .config_override(no_retry())
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "ExecuteChangeSet", e))?;
    let ending = events::follow(
        &client,
        Target {
            stack,
            stack_id: &id.stack_id,
            marker,
            status_before: info.as_ref().map(|i| i.status.clone()),
            timeout: remaining(options.timeout, started),
        },
        reporter,
    )
    .await?;
    reporter.event(Event::OperationEnded {
        stack: stack.to_string(),
        status: ending.status.clone(),
    });
    if !ending.succeeded() {
        return Err(DeployError::new(
            stack,
            DeployErrorKind::StackFailed {
                status: ending.status,
                root_cause: ending.root_cause,
            },
        ));
    }
    let after = stack_state::describe(&client, &id.stack_id).await?;
    sync_termination_protection(&client, artifact, after.as_ref(), reporter).await?;
    Ok(Outcome::Deployed {
        status: ending.status,
        outputs: after.map(|i| i.outputs).unwrap_or_default(),
    })
}

/// Looks the stack up and resolves what blocks a change set: deletes a failed first creation
/// (after confirmation), waits for a running operation (when asked to), or stops.
async fn settle(
    client: &Client,
    stack: &str,
    options: &DeployOptions,
    reporter: &dyn Reporter,
    started: Instant,
) -> Result<Option<StackInfo>, DeployError> {
    let note = |message: String| {
        reporter.event(Event::Note {
            stack: stack.to_string(),
            message,
        })
    };
    let mut info = stack_state::describe(client, stack).await?;
    loop {
        let status = info.as_ref().map(|i| i.status.clone());
        match Action::for_status(stack, status.as_deref()) {
            Action::Create | Action::Update => return Ok(info),
            Action::Stop { advice } => {
                return Err(DeployError::new(
                    stack,
                    DeployErrorKind::NeedsAttention {
                        status: status.unwrap_or_default(),
                        advice,
                    },
                ))
            }
            Action::InProgress if !options.wait_in_progress => {
                return Err(DeployError::new(
                    stack,
                    DeployErrorKind::NeedsAttention {
                        status: status.unwrap_or_default(),
                        advice: "another operation is running on it: wait for it to end, or \
                                 pass --wait-in-progress; nothing was changed"
                            .to_string(),
                    },
                ))
            }
            Action::InProgress => {
                note(format!(
                    "waiting for the running operation ({}) to end",
                    status.unwrap_or_default()
                ));
                let current = info
                    .as_ref()
                    .map(|i| i.stack_id.clone())
                    .unwrap_or_default();
                events::follow(
                    client,
                    Target {
                        stack,
                        stack_id: &current,
                        marker: events::latest_event_id(client, &current).await?,
                        status_before: None,
                        timeout: remaining(options.timeout, started),
                    },
                    reporter,
                )
                .await?;
            }
            Action::DeleteThenCreate => {
                let reason = info
                    .as_ref()
                    .and_then(|i| i.reason.clone())
                    .unwrap_or_default();
                note(format!(
                    "the stack's first creation failed and rolled back (ROLLBACK_COMPLETE{}); \
                     it must be deleted before it can be created again",
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {reason}")
                    }
                ));
                let question = Question::DeleteRolledBack {
                    stack: stack.to_string(),
                };
                let answer = tokio::task::block_in_place(|| reporter.confirm(&question));
                if answer != Answer::Yes {
                    return Err(DeployError::new(
                        stack,
                        DeployErrorKind::NeedsAttention {
                            status: "ROLLBACK_COMPLETE".to_string(),
                            advice: "it must be deleted before it can be created again: \
                                     confirm the deletion, or pass --yes; nothing was changed"
                                .to_string(),
                        },
                    ));
                }
                let Some(before) = info.as_ref() else {
                    return Ok(None);
                };
                let ending =
                    super::destroy::delete_and_follow(client, stack, before, 0, options, reporter)
                        .await?;
                if !ending.succeeded() {
                    return Err(DeployError::new(
                        stack,
                        DeployErrorKind::StackFailed {
                            status: ending.status,
                            root_cause: ending.root_cause,
                        },
                    ));
                }
            }
        }
        info = stack_state::describe(client, stack).await?;
    }
}

/// Drops a change set that will not run; a stack that the CREATE change set made (empty, in
/// `REVIEW_IN_PROGRESS`) goes too, so a refused first deployment leaves nothing behind.
async fn abandon(
    client: &Client,
    stack: &str,
    id: &ChangeSetId,
    create: bool,
) -> Result<(), DeployError> {
    change_set::delete(client, stack, &id.arn).await?;
    if create {
        client
            .delete_stack()
            .stack_name(&id.stack_id)
            .send()
            .await
            .map_err(|e| DeployError::aws(stack, "DeleteStack", e))?;
    }
    Ok(())
}

async fn up_to_date(
    client: &Client,
    artifact: &StackArtifact,
    info: Option<&StackInfo>,
    reporter: &dyn Reporter,
) -> Result<Outcome, DeployError> {
    sync_termination_protection(client, artifact, info, reporter).await?;
    Ok(Outcome::UpToDate {
        outputs: info.map(|i| i.outputs.clone()).unwrap_or_default(),
    })
}

/// Turns termination protection on or off to match the app.
async fn sync_termination_protection(
    client: &Client,
    artifact: &StackArtifact,
    info: Option<&StackInfo>,
    reporter: &dyn Reporter,
) -> Result<(), DeployError> {
    let current = info.is_some_and(|i| i.termination_protection);
    if current == artifact.termination_protection {
        return Ok(());
    }
    let stack = artifact.stack_name.as_str();
    client
        .update_termination_protection()
        .stack_name(stack)
        .enable_termination_protection(artifact.termination_protection)
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "UpdateTerminationProtection", e))?;
    reporter.event(Event::Note {
        stack: stack.to_string(),
        message: format!(
            "termination protection turned {}",
            if artifact.termination_protection {
                "on"
            } else {
                "off"
            }
        ),
    });
    Ok(())
}

/// What is left of the timeout.
pub(crate) fn remaining(timeout: Option<Duration>, started: Instant) -> Option<Duration> {
    timeout.map(|t| t.saturating_sub(started.elapsed()))
}

/// Runs `future` within `limit`, turning an expiry into a timeout error.
async fn within<T>(
    stack: &str,
    limit: Option<Duration>,
    status: &str,
    future: impl std::future::Future<Output = Result<T, DeployError>>,
) -> Result<T, DeployError> {
    let Some(limit) = limit else {
        return future.await;
    };
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| {
            Err(DeployError::new(
                stack,
                DeployErrorKind::Timeout {
                    status: status.to_string(),
                    waited: limit,
                },
            ))
        })
}
