//! Following a stack operation through its events until it ends.
//!
//! Before an operation starts, [`latest_event_id`] marks where the stack's history stands;
//! [`follow`] then polls `DescribeStackEvents` with back-off, reports each new event once, in
//! order, and ends at the stack's own terminal event (or a terminal status seen through
//! `DescribeStacks`). It keeps the failures so the root cause can be named: the first resource
//! that failed for a reason of its own, not the ones cancelled after it.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;

use super::change_set::Backoff;
use super::error::{DeployError, DeployErrorKind};
use super::report::{Event, Reporter, ResourceEvent};
use super::stack_state;

/// How many pages of events one poll reads at most while looking for the marker.
const MAX_PAGES: usize = 10;

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// The final stack status (`DELETE_COMPLETE` once a deleted stack is gone).
    pub status: String,
    /// The root cause of a failure: `(logical id, type, reason)`.
    pub root_cause: Option<(String, String, String)>,
}

impl Ending {
    /// True when the operation did what it was asked.
    pub fn succeeded(&self) -> bool {
        is_success(&self.status)
    }
}

/// True for the statuses of a finished, successful operation.
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

/// True for a status no operation is running in.
pub fn is_terminal(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// The newest event id of the stack, to mark where an operation's events begin.
pub async fn latest_event_id(client: &Client, stack: &str) -> Result<Option<String>, DeployError> {
    let out = client
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "DescribeStackEvents", e))?;
    Ok(out
        .stack_events()
        .first()
        .and_then(|e| e.event_id().map(str::to_string)))
}

/// What to follow.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The stack name, as it appears in the stack's own events.
    pub stack: &'a str,
    /// The stack id, which still answers once a deleted stack is gone by name.
    pub stack_id: &'a str,
    /// The newest event before the operation started.
    pub marker: Option<String>,
    /// The stack status before the operation started.
    pub status_before: Option<String>,
    /// Give up waiting after this long.
    pub timeout: Option<Duration>,
}

/// Follows the stack's events until the operation ends, reporting each new one.
pub async fn follow(
    client: &Client,
    target: Target<'_>,
    reporter: &dyn Reporter,
) -> Result<Ending, DeployError> {
    let started = Instant::now();
    let mut seen: HashSet<String> = HashSet::new();
    let mut marker = target.marker.clone();
    let mut done: HashSet<String> = HashSet::new();
    let mut failures: Vec<ResourceEvent> = Vec::new();
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(5));
    let mut last_status = target.status_before.clone().unwrap_or_default();
    loop {
        let events = match new_events(client, &target, marker.as_deref(), &seen).await {
            Ok(events) => events,
            Err(e) if stack_state::is_missing_stack(&e) => {
                return Ok(Ending {
                    root_cause: root_cause(&failures),
                    status: "DELETE_COMPLETE".to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let mut ended: Option<String> = None;
        if let Some(newest) = events.last() {
            marker = Some(newest.event_id.clone());
            backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(5));
        }
        for event in events {
            seen.insert(event.event_id.clone());
            let own = event.is_stack() && event.logical_id == target.stack;
            if !event.is_stack()
                && (event.status.ends_with("_COMPLETE")
                    || event.is_failure()
                    || event.status == "DELETE_SKIPPED")
            {
                done.insert(event.logical_id.clone());
            }
            if event.is_failure() {
                failures.push(event.clone());
            }
            if own {
                last_status = event.status.clone();
                if is_terminal(&event.status) && event.status != "REVIEW_IN_PROGRESS" {
                    ended = Some(event.status.clone());
                }
            }
            reporter.event(Event::Resource {
                stack: target.stack.to_string(),
                elapsed: started.elapsed(),
                event,
                done: done.len(),
            });
        }
        if ended.is_none() {
            match stack_state::describe(client, target.stack_id).await? {
                None => ended = Some("DELETE_COMPLETE".to_string()),
                Some(info) => {
                    let changed = target.status_before.as_deref() != Some(info.status.as_str());
                    if is_terminal(&info.status) && changed {
                        ended = Some(info.status.clone());
                    }
                    last_status = info.status;
                }
            }
        }
        if let Some(status) = ended {
            return Ok(Ending {
                root_cause: root_cause(&failures),
                status,
            });
        }
        if let Some(limit) = target.timeout {
            if started.elapsed() >= limit {
                return Err(DeployError::new(
                    target.stack,
                    DeployErrorKind::Timeout {
                        status: last_status,
                        waited: started.elapsed(),
                    },
                ));
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// Events newer than the marker, oldest first.
async fn new_events(
    client: &Client,
    target: &Target<'_>,
    marker: Option<&str>,
    seen: &HashSet<String>,
) -> Result<Vec<ResourceEvent>, DeployError> {
    let mut fresh = Vec::new();
    let mut token: Option<String> = None;
    'pages: for _ in 0..MAX_PAGES {
        let out = client
            .describe_stack_events()
            .stack_name(target.stack_id)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| DeployError::aws(target.stack, "DescribeStackEvents", e))?;
        for e in out.stack_events() {
            let id = e.event_id().unwrap_or_default();
            if Some(id) == marker || seen.contains(id) {
                break 'pages;
            }
            fresh.push(ResourceEvent {
                event_id: id.to_string(),
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: e
                    .resource_status_reason()
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
            });
        }
        match out.next_token() {
            Some(t) if marker.is_some() => token = Some(t.to_string()),
            _ => break,
        }
    }
    fresh.reverse();
    Ok(fresh)
}

/// Reasons CloudFormation gives to resources that failed only because another one did.
fn is_cascade(reason: &str) -> bool {
    reason.contains("cancelled")
        || reason.starts_with("The following resource(s) failed")
        || reason.contains("failed to create: [")
}

/// The first failure with a reason of its own: resources before the stack itself.
pub fn root_cause(failures: &[ResourceEvent]) -> Option<(String, String, String)> {
    let own = |e: &&ResourceEvent| e.reason.as_deref().is_some_and(|r| !is_cascade(r));
    failures
        .iter()
        .filter(|e| !e.is_stack())
        .find(own)
        .or_else(|| failures.iter().find(own))
        .or_else(|| failures.first())
        .map(|e| {
            (
                e.logical_id.clone(),
                e.resource_type.clone(),
                e.reason.clone().unwrap_or_else(|| e.status.clone()),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(id: &str, ty: &str, reason: &str) -> ResourceEvent {
        ResourceEvent {
            event_id: format!("{id}-1"),
            logical_id: id.into(),
            resource_type: ty.into(),
            status: "CREATE_FAILED".into(),
            reason: Some(reason.into()),
        }
    }

    #[test]
    fn the_root_cause_is_the_first_failure_of_its_own() {
        let failures = [
            failed("Queue", "AWS::SQS::Queue", "Resource creation cancelled"),
            failed("Db", "AWS::RDS::DBInstance", "DB subnet group is invalid"),
            failed(
                "S",
                "AWS::CloudFormation::Stack",
                "The following resource(s) failed to create: [Db, Queue].",
            ),
        ];
        assert_eq!(
            root_cause(&failures),
            Some((
                "Db".into(),
                "AWS::RDS::DBInstance".into(),
                "DB subnet group is invalid".into()
            ))
        );
        assert_eq!(root_cause(&[]), None);
    }

    #[test]
    fn statuses_are_terminal_once_nothing_runs() {
        assert!(is_terminal("ROLLBACK_COMPLETE"));
        assert!(!is_terminal("UPDATE_ROLLBACK_IN_PROGRESS"));
        assert!(is_success("UPDATE_COMPLETE"));
        assert!(!is_success("UPDATE_ROLLBACK_COMPLETE"));
    }
}
