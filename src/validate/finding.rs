//! A finding: one thing wrong (or risky) in a template, with where and why.

use std::fmt;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Likely a mistake or a risk; fails `synth --strict`.
    Warning,
    /// CloudFormation would reject the template, or the stack would not work.
    Error,
}

/// One finding of validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub level: Severity,
    /// The stable rule id (documented in `docs/rules.md`).
    pub rule: &'static str,
    /// The logical id of the element concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logical_id: Option<String>,
    /// JSON pointer into the template (`/Resources/Vpc/Properties/CidrBlock`).
    pub pointer: String,
    /// The construct path that made the element (set by `synth`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<String>,
    /// The file the template was read from (set by `validate FILE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line and column in that file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_column: Option<(usize, usize)>,
    /// What is wrong: the value given and what is allowed.
    pub message: String,
    /// Why the finding was suppressed, when a resource's `Metadata` suppresses the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

impl Finding {
    /// A finding of the catalogued rule `rule` at `pointer`, at the rule's level.
    pub fn of(rule: &'static str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        let level = super::rules::rule(rule).map_or(Severity::Error, |r| r.level);
        Finding::new(level, rule, pointer, message)
    }

    /// True when the finding fails validation: an error (or, with `strict`, a warning) that no
    /// suppression covers.
    pub fn fails(&self, strict: bool) -> bool {
        self.suppressed.is_none() && (self.level == Severity::Error || strict)
    }

    /// A finding of `rule` at `pointer`.
    pub fn new(
        level: Severity,
        rule: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let pointer = pointer.into();
        let logical_id = logical_id_of(&pointer);
        Finding {
            level,
            rule,
            logical_id,
            pointer,
            construct_path: None,
            file: None,
            line_column: None,
            message: message.into(),
            suppressed: None,
        }
    }
}

/// The element name of a pointer such as `/Resources/Vpc/Properties/X`.
fn logical_id_of(pointer: &str) -> Option<String> {
    let mut parts = pointer.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some("Resources" | "Outputs" | "Parameters" | "Conditions" | "Mappings"), Some(id)) => {
            Some(id.replace("~1", "/").replace("~0", "~"))
        }
        _ => None,
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}] ", self.rule)?;
        if let Some(path) = &self.construct_path {
            write!(f, "[{path}] ")?;
        }
        if let Some(file) = &self.file {
            match self.line_column {
                Some((l, c)) => write!(f, "{file}:{l}:{c}: ")?,
                None => write!(f, "{file}: ")?,
            }
        }
        if !self.pointer.is_empty() {
            write!(f, "{}: ", self.pointer)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(reason) = &self.suppressed {
            write!(f, " (suppressed: {reason})")?;
        }
        Ok(())
    }
}
