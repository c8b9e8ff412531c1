//! Change sets: create one with what the template needs, wait until CloudFormation has computed
//! it, read its changes, delete it.
//!
//! Waiting is our own polling loop with back-off ([`Backoff`]): the SDK waiters poll every 30
//! seconds at least, far too slow for a change set that is usually ready in a second or two.

use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag};
use aws_sdk_cloudformation::Client;
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::classify::ServiceChange;
use super::error::{DeployError, DeployErrorKind};
use super::template_source::TemplateSource;

/// Polling intervals that start short and grow to a ceiling.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// Starts at `first`, grows by half each time, up to `max`.
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff { next: first, max }
    }

    /// The delay before the next poll.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 3 / 2).min(self.max);
        delay
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(250), Duration::from_secs(5))
    }
}

/// The capabilities a template needs: IAM resources, named IAM resources, macros.
pub fn capabilities(template: &Json) -> Vec<Capability> {
    let resources = template["Resources"].as_object();
    let mut iam = false;
    let mut named = false;
    let mut expand = !template["Transform"].is_null();
    for resource in resources.into_iter().flat_map(|r| r.values()) {
        let ty = resource["Type"].as_str().unwrap_or_default();
        if ty.starts_with("AWS::IAM::") {
            iam = true;
            let props = &resource["Properties"];
            named |= [
                "RoleName",
                "UserName",
                "GroupName",
                "ManagedPolicyName",
                "InstanceProfileName",
            ]
            .iter()
            .any(|key| !props[key].is_null());
        }
        expand |= ty.starts_with("AWS::Serverless::") || ty == "AWS::CloudFormation::Stack";
    }
    let mut caps = Vec::new();
    if iam {
        caps.push(Capability::CapabilityIam);
    }
    if named {
        caps.push(Capability::CapabilityNamedIam);
    }
    if expand {
        caps.push(Capability::CapabilityAutoExpand);
    }
    caps
}

/// Everything `CreateChangeSet` is given.
#[derive(Debug, Clone)]
pub struct ChangeSetRequest {
    /// The stack name.
    pub stack: String,
    /// The change set's name.
    pub name: String,
    /// True for a new stack.
    pub create: bool,
    /// The template, inline or by URL.
    pub template: TemplateSource,
    /// Parameter values by key.
    pub parameters: Vec<(String, String)>,
    /// Stack tags.
    pub tags: IndexMap<String, String>,
    /// The service role CloudFormation assumes.
    pub role_arn: Option<String>,
    /// The capabilities the template needs.
    pub capabilities: Vec<Capability>,
}

/// A change set CloudFormation accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetId {
    /// The change set's ARN.
    pub arn: String,
    /// The stack's ARN.
    pub stack_id: String,
}

/// What a computed change set holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computed {
    /// Changes to execute.
    Changes(Vec<ServiceChange>),
    /// Nothing to change: the stack is up to date.
    NoChanges,
}

/// A change-set name unique to this run: `stackcraft-<unix seconds>`.
pub fn new_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    format!("stackcraft-{secs}")
}

/// True for the ways CloudFormation says a change set has nothing to do: a `FAILED` change set
/// whose reason says so (AWS), or a refusal to create one (moto).
pub fn means_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("No changes")
}

/// Creates the change set; `None` when CloudFormation refuses it for having no changes.
pub async fn create(
    client: &Client,
    request: &ChangeSetRequest,
) -> Result<Option<ChangeSetId>, DeployError> {
    let mut call = client
        .create_change_set()
        .stack_name(&request.stack)
        .change_set_name(&request.name)
        .change_set_type(if request.create {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        })
        .description("created by stackcraft deploy")
        .set_capabilities(Some(request.capabilities.clone()))
        .set_role_arn(request.role_arn.clone());
    call = match &request.template {
        TemplateSource::Body(body) => call.template_body(body),
        TemplateSource::Url(url) => call.template_url(url),
    };
    for (key, value) in &request.parameters {
        call = call.parameters(
            Parameter::builder()
                .parameter_key(key)
                .parameter_value(value)
                .build(),
        );
    }
    for (key, value) in &request.tags {
        call = call.tags(Tag::builder().key(key).value(value).build());
    }
    match call.send().await {
        Ok(out) => Ok(Some(ChangeSetId {
            arn: out.id().unwrap_or(&request.name).to_string(),
            stack_id: out.stack_id().unwrap_or(&request.stack).to_string(),
        })),
        Err(e) => {
            let err = DeployError::aws(&request.stack, "CreateChangeSet", e);
            match err.kind() {
                DeployErrorKind::Aws { message, .. } if means_no_changes(message) => Ok(None),
                _ => Err(err),
            }
        }
    }
}

/// Waits until CloudFormation has computed the change set, then reads all its changes.
pub async fn wait(client: &Client, stack: &str, arn: &str) -> Result<Computed, DeployError> {
    let mut backoff = Backoff::default();
    loop {
        let out = client
            .describe_change_set()
            .change_set_name(arn)
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| DeployError::aws(stack, "DescribeChangeSet", e))?;
        let status = out.status().map(|s| s.as_str()).unwrap_or_default();
        match status {
            "CREATE_COMPLETE" => return describe(client, stack, arn, out).await,
            "FAILED" => {
                let reason = out.status_reason().unwrap_or("no reason given").to_string();
                if means_no_changes(&reason) {
                    return Ok(Computed::NoChanges);
                }
                return Err(DeployError::new(
                    stack,
                    DeployErrorKind::ChangeSetFailed { reason },
                ));
            }
            _ => tokio::time::sleep(backoff.next_delay()).await,
        }
    }
}

/// Every change of a computed change set, following `NextToken`.
async fn describe(
    client: &Client,
    stack: &str,
    arn: &str,
    first: aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput,
) -> Result<Computed, DeployError> {
    let mut changes = Vec::new();
    let mut page = first;
    loop {
        for change in page.changes() {
            let Some(rc) = change.resource_change() else {
                continue;
            };
            changes.push(ServiceChange {
                action: rc
                    .action()
                    .map(|a| a.as_str().to_string())
                    .unwrap_or_default(),
                logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: rc.resource_type().unwrap_or_default().to_string(),
                replacement: rc.replacement().map(|r| r.as_str().to_string()),
            });
        }
        let Some(token) = page.next_token().map(str::to_string) else {
            break;
        };
        page = client
            .describe_change_set()
            .change_set_name(arn)
            .stack_name(stack)
            .next_token(token)
            .send()
            .await
            .map_err(|e| DeployError::aws(stack, "DescribeChangeSet", e))?;
    }
    if changes.is_empty() {
        return Ok(Computed::NoChanges);
    }
    Ok(Computed::Changes(changes))
}

/// Deletes a change set that will not be executed.
pub async fn delete(client: &Client, stack: &str, arn: &str) -> Result<(), DeployError> {
    client
        .delete_change_set()
        .change_set_name(arn)
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "DeleteChangeSet", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_follow_the_iam_resources() {
        let plain = json!({ "Resources": { "Q": { "Type": "AWS::SQS::Queue" } } });
        assert!(capabilities(&plain).is_empty());
        let role = json!({ "Resources": { "R": { "Type": "AWS::IAM::Role" } } });
        assert_eq!(capabilities(&role), vec![Capability::CapabilityIam]);
        let named = json!({ "Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "R": { "Type": "AWS::IAM::Role", "Properties": { "RoleName": "r" } } } });
        assert_eq!(
            capabilities(&named),
            vec![
                Capability::CapabilityIam,
                Capability::CapabilityNamedIam,
                Capability::CapabilityAutoExpand
            ]
        );
    }

    #[test]
    fn no_change_answers_are_recognised() {
        assert!(means_no_changes(
            "The submitted information didn't contain changes. Submit different information \
             to create a change set."
        ));
        assert!(means_no_changes("No updates are to be performed."));
        assert!(!means_no_changes("Template format error"));
    }

    #[test]
    fn backoff_grows_to_its_ceiling() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(2));
        let delays: Vec<u64> = (0..4).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(delays, vec![1000, 1500, 2000, 2000]);
    }
}
