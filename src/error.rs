//! Errors raised while building the construct tree and synthesizing it.
//!
//! Every error carries the construct path it concerns, so a user can find the line of app code
//! that caused it. Validation findings (schema and rule checks) are not errors of this kind: they
//! live in [`crate::validate`] and are collected into a report instead.

use std::fmt;

/// What went wrong, without the path it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Two children of one scope were given the same id.
    DuplicateId {
        /// The id that was used twice.
        id: String,
    },
    /// An id that cannot be used (empty, or containing `/`).
    InvalidId {
        /// The id given.
        id: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A construct that needs a stack above it was created outside one.
    NotInStack,
    /// The tree was changed after synthesis started.
    Locked,
    /// Two elements of a stack would get the same logical id.
    LogicalIdCollision {
        /// The logical id both elements would get.
        logical_id: String,
        /// The path of the other element.
        other: String,
    },
    /// A logical id override that CloudFormation would refuse.
    InvalidLogicalId {
        /// The logical id given.
        logical_id: String,
    },
    /// A reference to an element that is not part of this app.
    DanglingReference {
        /// The path the reference points at.
        target: String,
    },
    /// A reference to an element of another app.
    CrossAppReference {
        /// The path the reference points at.
        target: String,
    },
    /// Stacks that depend on each other in a circle.
    StackCycle {
        /// The stack paths of the cycle, first one repeated at the end.
        cycle: Vec<String>,
    },
    /// A construct rejected the properties it was given.
    InvalidProps {
        /// The property name, as the construct's props spell it.
        property: String,
        /// What was wrong, with the value given and what is allowed.
        message: String,
    },
    /// A property override or deletion override whose path cannot be followed.
    InvalidOverride {
        /// The override's dotted path below `Properties`.
        path: String,
        /// Why it cannot be applied, with the value found on the way.
        message: String,
    },
    /// A construct added an error annotation (or a warning, under `--strict`).
    Annotation {
        /// The annotation's id, as the construct gave it.
        id: String,
        /// The annotation's text.
        message: String,
    },
    /// A stack named on the command line or in a selection does not exist.
    UnknownStack {
        /// The name asked for.
        name: String,
        /// The stacks the app has.
        known: Vec<String>,
    },
    /// Validation left findings at error level.
    Validation {
        /// How many errors were found.
        errors: usize,
    },
    /// Reading or writing the cloud assembly failed.
    Io {
        /// What was being done, with the file concerned.
        message: String,
    },
}

/// An error that names the construct path it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    path: String,
    kind: ErrorKind,
}

impl Error {
    /// An error about the construct at `path`.
    pub fn new(path: impl Into<String>, kind: ErrorKind) -> Self {
        Error {
            path: path.into(),
            kind,
        }
    }

    /// An error raised by a construct about one of its props.
    pub fn invalid_props(
        path: impl Into<String>,
        property: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::new(
            path,
            ErrorKind::InvalidProps {
                property: property.into(),
                message: message.into(),
            },
        )
    }

    /// The construct path this error concerns (empty for the app itself).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, self.path.is_empty()) {
            (ErrorKind::Io { .. }, true) => {}
            (_, true) => write!(f, "[<app>] ")?,
            (_, false) => write!(f, "[{}] ", self.path)?,
        }
        match &self.kind {
            ErrorKind::DuplicateId { id } => {
                write!(
                    f,
                    "there is already a construct with id '{id}' in this scope"
                )
            }
            ErrorKind::InvalidId { id, reason } => {
                write!(f, "invalid construct id '{id}': {reason}")
            }
            ErrorKind::NotInStack => write!(f, "this construct must be created inside a stack"),
            ErrorKind::Locked => {
                write!(f, "the construct tree cannot change once synthesis started")
            }
            ErrorKind::LogicalIdCollision { logical_id, other } => write!(
                f,
                "logical id '{logical_id}' is also the logical id of [{other}]; \
                 give one of them another id or override its logical id"
            ),
            ErrorKind::InvalidLogicalId { logical_id } => write!(
                f,
                "logical id '{logical_id}' is not allowed: use 1 to 255 letters and digits \
                 (A-Za-z0-9)"
            ),
            ErrorKind::DanglingReference { target } => write!(
                f,
                "refers to [{target}], which is not part of any stack of this app"
            ),
            ErrorKind::CrossAppReference { target } => write!(
                f,
                "refers to [{target}], which belongs to another app; \
                 references only work between stacks of one app"
            ),
            ErrorKind::StackCycle { cycle } => {
                write!(
                    f,
                    "stacks depend on each other in a cycle: {}",
                    cycle.join(" -> ")
                )
            }
            ErrorKind::InvalidProps { property, message } => {
                write!(f, "property '{property}': {message}")
            }
            ErrorKind::InvalidOverride { path, message } => {
                write!(f, "property override '{path}': {message}")
            }
            ErrorKind::Annotation { id, message } => write!(f, "{message} [{id}]"),
            ErrorKind::UnknownStack { name, known } => {
                write!(
                    f,
                    "no stack named '{name}'; the app has: {}",
                    known.join(", ")
                )
            }
            ErrorKind::Validation { errors } => {
                write!(f, "validation found {errors} error(s); nothing was written")
            }
            ErrorKind::Io { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result type of the framework.
pub type Result<T, E = Error> = std::result::Result<T, E>;
