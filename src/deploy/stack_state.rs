//! Looking a stack up and deciding what its status allows.
//!
//! The decision is a pure function of the status ([`Action::for_status`]), so every branch is
//! unit-tested without a service; [`describe`] is the one call that fetches the status.

use aws_sdk_cloudformation::types::TemplateStage;
use aws_sdk_cloudformation::Client;
use serde_json::Value as Json;

use super::error::{DeployError, DeployErrorKind};

/// What CloudFormation knows of a deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackInfo {
    /// The stack id (ARN).
    pub stack_id: String,
    /// The status, such as `UPDATE_COMPLETE`.
    pub status: String,
    /// The status reason, if any.
    pub reason: Option<String>,
    /// Whether termination protection is on.
    pub termination_protection: bool,
    /// The stack's outputs: key and value.
    pub outputs: Vec<(String, String)>,
}

/// What `deploy` does with a stack, given its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// No stack, or one made by a change set never executed: a CREATE change set.
    Create,
    /// An existing stack: an UPDATE change set.
    Update,
    /// A failed first creation (`ROLLBACK_COMPLETE`): delete after confirmation, then create.
    DeleteThenCreate,
    /// An operation is running: stop, or wait with `--wait-in-progress`.
    InProgress,
    /// A person must act first; the advice says how.
    Stop {
        /// What to do.
        advice: String,
    },
}

impl Action {
    /// The action for a stack with this status (`None`: no such stack).
    pub fn for_status(stack: &str, status: Option<&str>) -> Action {
        let Some(status) = status else {
            return Action::Create;
        };
        match status {
            "REVIEW_IN_PROGRESS" => Action::Create,
            "ROLLBACK_COMPLETE" => Action::DeleteThenCreate,
            "UPDATE_ROLLBACK_FAILED" => Action::Stop {
                advice: format!(
                    "the update's rollback failed, and deleting the stack would delete its \
                     resources too. Fix the resources named in the stack's events, then \
                     continue the rollback: `aws cloudformation continue-update-rollback \
                     --stack-name {stack}` (add `--resources-to-skip LOGICAL_ID` for resources \
                     that cannot be rolled back), and deploy again once the stack is \
                     UPDATE_ROLLBACK_COMPLETE; nothing was changed"
                ),
            },
            "ROLLBACK_FAILED" | "IMPORT_ROLLBACK_FAILED" => Action::Stop {
                advice: format!(
                    "its rollback failed and it cannot be updated: delete it with `stackcraft \
                     destroy {stack}` (after checking its resources), then deploy; nothing was \
                     changed"
                ),
            },
            "DELETE_FAILED" => Action::Stop {
                advice: format!(
                    "a deletion failed and it cannot be updated: finish deleting it with \
                     `stackcraft destroy {stack}`, then deploy; nothing was changed"
                ),
            },
            s if s.ends_with("_IN_PROGRESS") => Action::InProgress,
            _ => Action::Update,
        }
    }
}

/// Describes the stack; `None` when it does not exist (or was deleted).
pub async fn describe(client: &Client, stack: &str) -> Result<Option<StackInfo>, DeployError> {
    let answer = client.describe_stacks().stack_name(stack).send().await;
    let output = match answer {
        Ok(output) => output,
        Err(e) => {
            let err = DeployError::aws(stack, "DescribeStacks", e);
            if is_missing_stack(&err) {
                return Ok(None);
            }
            return Err(err);
        }
    };
    let Some(s) = output.stacks().first() else {
        return Ok(None);
    };
    let status = s
        .stack_status()
        .map(|x| x.as_str().to_string())
        .unwrap_or_default();
    if status == "DELETE_COMPLETE" {
        return Ok(None);
    }
    Ok(Some(StackInfo {
        stack_id: s.stack_id().unwrap_or(stack).to_string(),
        status,
        reason: s.stack_status_reason().map(str::to_string),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
        outputs: s
            .outputs()
            .iter()
            .map(|o| {
                (
                    o.output_key().unwrap_or_default().to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    }))
}

/// The template the stack runs now, `None` when it is not JSON.
pub async fn deployed_template(client: &Client, stack: &str) -> Result<Option<Json>, DeployError> {
    let out = client
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "GetTemplate", e))?;
    Ok(out
        .template_body()
        .and_then(|body| serde_json::from_str(body).ok()))
}

/// The template the stack runs now, read from JSON or YAML; `None` when the stack does not
/// exist.
pub async fn current_template(client: &Client, stack: &str) -> Result<Option<Json>, DeployError> {
    let out = match client
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let err = DeployError::aws(stack, "GetTemplate", e);
            return if is_missing_stack(&err) {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let body = out.template_body().unwrap_or_default();
    serde_json::from_str(body)
        .or_else(|_| crate::yaml::from_str(body).map_err(|e| e.to_string()))
        .map(Some)
        .map_err(|message| {
            DeployError::new(
                stack,
                DeployErrorKind::Io {
                    message: format!("the deployed template is neither JSON nor YAML: {message}"),
                },
            )
        })
}

/// True for CloudFormation's answer about a stack that does not exist.
pub fn is_missing_stack(err: &DeployError) -> bool {
    match err.kind() {
        DeployErrorKind::Aws { code, message, .. } => {
            code.as_deref() == Some("ValidationError") && message.contains("does not exist")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_and_review_stacks_are_created() {
        assert_eq!(Action::for_status("S", None), Action::Create);
        assert_eq!(
            Action::for_status("S", Some("REVIEW_IN_PROGRESS")),
            Action::Create
        );
    }

    #[test]
    fn rolled_back_first_creations_are_deleted_then_created() {
        assert_eq!(
            Action::for_status("S", Some("ROLLBACK_COMPLETE")),
            Action::DeleteThenCreate
        );
    }

    #[test]
    fn failed_update_rollbacks_stop_with_the_continue_command() {
        let Action::Stop { advice } = Action::for_status("S", Some("UPDATE_ROLLBACK_FAILED"))
        else {
            panic!("expected a stop");
        };
        assert!(advice.contains("continue-update-rollback --stack-name S"));
    }

    #[test]
    fn running_operations_are_in_progress() {
        for s in [
            "UPDATE_IN_PROGRESS",
            "CREATE_IN_PROGRESS",
            "DELETE_IN_PROGRESS",
        ] {
            assert_eq!(Action::for_status("S", Some(s)), Action::InProgress, "{s}");
        }
    }

    #[test]
    fn settled_stacks_are_updated() {
        for s in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE",
        ] {
            assert_eq!(Action::for_status("S", Some(s)), Action::Update, "{s}");
        }
    }
}
