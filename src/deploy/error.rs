//! Errors of `deploy` and `destroy`: every one names the stack it concerns and, for AWS calls,
//! the operation that failed, so the CLI can show it as one readable line.
//!
//! SDK errors are flattened here, once: the service's error code and message when the answer was
//! an AWS error document, the HTTP status and the text of the body when it was not (moto answers
//! some faults with HTTP 500 and an HTML page), and the cause chain for transport failures.

use std::fmt;
use std::time::Duration;

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

/// What went wrong during a deployment or a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeployErrorKind {
    /// An AWS API call failed.
    Aws {
        /// The API operation, such as `ExecuteChangeSet`.
        operation: &'static str,
        /// The service's error code, when the answer carried one.
        code: Option<String>,
        /// The service's message, or a description of the failure.
        message: String,
    },
    /// No region is configured for the AWS clients.
    NoRegion,
    /// The template is larger than CloudFormation accepts, even through S3.
    TemplateTooLarge {
        /// The minified template's size.
        bytes: usize,
    },
    /// The template is too large to send inline and no bucket was given to upload it to.
    NeedsTemplateBucket {
        /// The minified template's size.
        bytes: usize,
    },
    /// The stack is in a state that a person must resolve first; nothing was changed.
    NeedsAttention {
        /// The stack's status.
        status: String,
        /// What to do about it.
        advice: String,
    },
    /// The change set replaces or removes resources that hold data and none of them was allowed
    /// with `--allow-replacement`; nothing was executed.
    DataLoss {
        /// `(logical id, resource type, what happens to it)` of each refused change.
        resources: Vec<(String, String, String)>,
    },
    /// Approval was required and refused, or could not be asked for.
    NotApproved {
        /// Why approval was required.
        reasons: Vec<String>,
        /// True when nobody could be asked (no terminal) rather than someone saying no.
        unattended: bool,
        /// How to review the operation before rerunning it with `--yes`.
        review: &'static str,
    },
    /// The stack has termination protection; it was not deleted.
    TerminationProtected,
    /// CloudFormation could not create the change set.
    ChangeSetFailed {
        /// The status reason CloudFormation gave.
        reason: String,
    },
    /// The stack operation ended in a failed or rolled-back status.
    StackFailed {
        /// The final stack status.
        status: String,
        /// The first failure: `(logical id, resource type, reason)`, the root cause rather than
        /// the resources cancelled after it.
        root_cause: Option<(String, String, String)>,
    },
    /// The wait exceeded `--timeout`; CloudFormation goes on.
    Timeout {
        /// The last status seen.
        status: String,
        /// How long was waited.
        waited: Duration,
    },
    /// A stack this one depends on did not deploy, so this one was not started.
    DependencyFailed {
        /// The dependency's stack name.
        dependency: String,
    },
    /// Stack selection on the command line does not match the assembly.
    Selection {
        /// What is wrong and how to select instead.
        message: String,
    },
    /// Writing a local file (the outputs file) failed, or a deployed template cannot be read.
    Io {
        /// What was being done, with the file concerned.
        message: String,
    },
}

/// An error that names the stack it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployError {
    stack: String,
    kind: DeployErrorKind,
}

impl DeployError {
    /// An error about `stack` (empty when it concerns no single stack).
    pub fn new(stack: impl Into<String>, kind: DeployErrorKind) -> Self {
        DeployError {
            stack: stack.into(),
            kind,
        }
    }

    /// Turns an SDK error into one readable error naming the operation.
    pub fn aws<E>(stack: &str, operation: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (code, message) = describe_sdk_error(&err);
        DeployError::new(
            stack,
            DeployErrorKind::Aws {
                operation,
                code,
                message,
            },
        )
    }

    /// The stack name this error concerns (empty when none).
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// What went wrong.
    pub fn kind(&self) -> &DeployErrorKind {
        &self.kind
    }

    /// True when the command stopped before changing anything in the account, on purpose: a
    /// refusal, a missing approval, or a stack state that needs a person.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self.kind,
            DeployErrorKind::NeedsAttention { .. }
                | DeployErrorKind::DataLoss { .. }
                | DeployErrorKind::NotApproved { .. }
                | DeployErrorKind::TerminationProtected
        )
    }

    /// The AWS error code, when this is a failed AWS call that carried one.
    pub fn aws_code(&self) -> Option<&str> {
        match &self.kind {
            DeployErrorKind::Aws { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// Error code and message of an SDK error, whatever shape the answer had.
fn describe_sdk_error<E>(err: &SdkError<E, HttpResponse>) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            match (e.code(), e.message()) {
                (Some(code), message) => (
                    Some(code.to_string()),
                    message.unwrap_or("no message").to_string(),
                ),
                (None, _) => (None, describe_raw(ctx.raw())),
            }
        }
        SdkError::ResponseError(ctx) => (None, describe_raw(ctx.raw())),
        SdkError::TimeoutError(_) => (None, "the request timed out".to_string()),
        other => (None, causes(other)),
    }
}

/// An error and its causes on one line, each cause once (`dispatch failure: timeout: HTTP read
/// timeout occurred after 30s`), with a hint when no credentials were found.
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = one_line(&err.to_string());
    let mut source = err.source();
    while let Some(cause) = source {
        let line = one_line(&cause.to_string());
        if !text.contains(&line) {
            text = format!("{text}: {line}");
        }
        source = cause.source();
    }
    if text.contains("credential") {
        text.push_str(
            " (no usable AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, or pass --profile)",
        );
    }
    text
}

/// `HTTP 500: <text of the body>` for answers that are not AWS error documents.
fn describe_raw(raw: &HttpResponse) -> String {
    let status = raw.status().as_u16();
    let body = raw
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let text = strip_tags(&body);
    if text.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        format!("HTTP {status}: {}", truncate(&text, 200))
    }
}

/// The text of an HTML or XML body, whitespace collapsed.
fn strip_tags(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    one_line(&text)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.stack.is_empty() {
            write!(f, "stack {}: ", self.stack)?;
        }
        match &self.kind {
            DeployErrorKind::Aws {
                operation,
                code,
                message,
            } => match code {
                Some(code) => write!(f, "{operation} failed: {code}: {message}"),
                None => write!(f, "{operation} failed: {message}"),
            },
            DeployErrorKind::NoRegion => write!(
                f,
                "no AWS region is configured: pass --region, set AWS_REGION, or pin the \
                 stack's region in the app"
            ),
            DeployErrorKind::TemplateTooLarge { bytes } => write!(
                f,
                "the template is {bytes} bytes; CloudFormation accepts at most 1,048,576 \
                 bytes even through S3: split the stack"
            ),
            DeployErrorKind::NeedsTemplateBucket { bytes } => write!(
                f,
                "the template is {bytes} bytes, over the 51,200 bytes CloudFormation accepts \
                 inline: pass --template-bucket BUCKET (or set STACKCRAFT_TEMPLATE_BUCKET) to \
                 upload it to S3; nothing was sent"
            ),
            DeployErrorKind::NeedsAttention { status, advice } => {
                write!(f, "the stack is {status}; {advice}")
            }
            DeployErrorKind::DataLoss { resources } => {
                write!(
                    f,
                    "refusing to execute: the change set would destroy data in {} resource(s): ",
                    resources.len()
                )?;
                let list: Vec<String> = resources
                    .iter()
                    .map(|(id, ty, what)| format!("{id} ({ty}) {what}"))
                    .collect();
                write!(
                    f,
                    "{}; nothing was executed. If that is intended, pass --allow-replacement \
                     with each logical id",
                    list.join(", ")
                )
            }
            DeployErrorKind::NotApproved {
                reasons,
                unattended,
                review,
            } => {
                if *unattended {
                    write!(
                        f,
                        "approval is required ({}) and there is no terminal to ask: rerun with \
                         --yes once you have reviewed what will change ({review}); nothing was \
                         executed",
                        reasons.join("; ")
                    )
                } else {
                    write!(f, "not approved; nothing was executed")
                }
            }
            DeployErrorKind::TerminationProtected => write!(
                f,
                "termination protection is on; turn it off first (set termination_protection \
                 to false in the app and deploy, or `aws cloudformation \
                 update-termination-protection --no-enable-termination-protection \
                 --stack-name {}`); nothing was deleted",
                self.stack
            ),
            DeployErrorKind::ChangeSetFailed { reason } => {
                write!(f, "the change set could not be created: {reason}")
            }
            DeployErrorKind::StackFailed { status, root_cause } => {
                write!(f, "finished in {status}")?;
                if let Some((id, ty, reason)) = root_cause {
                    write!(f, "; first failure: {id} ({ty}): {reason}")?;
                }
                Ok(())
            }
            DeployErrorKind::Timeout { status, waited } => write!(
                f,
                "still {status} after {}s (--timeout); CloudFormation goes on: watch it with \
                 `aws cloudformation describe-stack-events --stack-name {}`",
                waited.as_secs(),
                self.stack
            ),
            DeployErrorKind::DependencyFailed { dependency } => {
                write!(f, "not started because {dependency} did not deploy")
            }
            DeployErrorKind::Selection { message } | DeployErrorKind::Io { message } => {
                write!(f, "{message}")
            }
        }
    }
}

impl std::error::Error for DeployError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_become_one_line_of_text() {
        let body = "<!doctype html>\n<html><head><title>500 Internal Server Error</title></head>\
                    <body><h1>Internal Server Error</h1>\n<p>The server failed.</p></body></html>";
        assert_eq!(
            strip_tags(body),
            "500 Internal Server Error Internal Server Error The server failed."
        );
    }

    #[test]
    fn long_text_is_cut() {
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
