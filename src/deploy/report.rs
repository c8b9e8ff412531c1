//! What `deploy` and `destroy` tell their caller while they run, and the questions they ask.
//!
//! The library never prints: it hands [`Event`]s to a [`Reporter`], which the CLI renders as
//! lines, tables and progress bars, and asks it to [`Reporter::confirm`] where a person must
//! decide. A reporter that cannot ask (no terminal) answers [`Answer::Unattended`], and the
//! operation stops instead of waiting.

use std::time::Duration;

use super::classify::ClassifiedChange;

/// One resource (or the stack itself) changing status, from `DescribeStackEvents`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEvent {
    /// The event id.
    pub event_id: String,
    /// The logical id (the stack name for events of the stack itself).
    pub logical_id: String,
    /// The resource type (`AWS::CloudFormation::Stack` for the stack itself).
    pub resource_type: String,
    /// The new status, such as `CREATE_FAILED`.
    pub status: String,
    /// The reason CloudFormation gave, if any.
    pub reason: Option<String>,
}

impl ResourceEvent {
    /// True for an event of the stack itself rather than of one of its resources.
    pub fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
    }

    /// True for a failed status.
    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

/// Progress of a deployment or deletion.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// Work on a stack begins.
    StackStarted {
        /// The stack name.
        stack: String,
    },
    /// Something worth a line: what is being done, or a state that was found.
    Note {
        /// The stack name.
        stack: String,
        /// The message.
        message: String,
    },
    /// The change set is ready: these are its changes, classified.
    Changes {
        /// The stack name.
        stack: String,
        /// The change set's name.
        change_set: String,
        /// The changes.
        changes: Vec<ClassifiedChange>,
    },
    /// A stack operation was started in CloudFormation; from here on it goes on without us.
    OperationStarted {
        /// The stack name.
        stack: String,
        /// `CREATE`, `UPDATE` or `DELETE`.
        operation: &'static str,
        /// How many resources it touches, for a progress bar.
        total: usize,
    },
    /// A stack event, with the time since the operation started.
    Resource {
        /// The stack name.
        stack: String,
        /// Time since the operation started.
        elapsed: Duration,
        /// The event.
        event: ResourceEvent,
        /// Resources done so far.
        done: usize,
    },
    /// The operation ended, successfully or not.
    OperationEnded {
        /// The stack name.
        stack: String,
        /// The final stack status.
        status: String,
    },
}

/// A question the operation needs answered before it goes on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Question {
    /// Execute this change set?
    Execute {
        /// The stack name.
        stack: String,
        /// Why approval is required.
        reasons: Vec<String>,
    },
    /// The stack's first creation failed and it is `ROLLBACK_COMPLETE`; delete it to create it
    /// again?
    DeleteRolledBack {
        /// The stack name.
        stack: String,
    },
    /// Delete these stacks?
    Destroy {
        /// The stack names, in the order they will be deleted.
        stacks: Vec<String>,
    },
}

/// The answer to a [`Question`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Go on.
    Yes,
    /// Stop.
    No,
    /// Nobody could be asked: stop.
    Unattended,
}

/// Receives events and answers questions; the CLI's implementation renders and prompts.
pub trait Reporter: Send + Sync {
    /// Called for every event, from any thread.
    fn event(&self, event: Event);

    /// Called when a person must decide; may block until they do.
    fn confirm(&self, question: &Question) -> Answer;
}
