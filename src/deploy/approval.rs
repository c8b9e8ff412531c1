//! Which change sets may run, and which need a person's approval first.
//!
//! Two checks run before anything is executed: the data guard ([`data_loss`]) refuses changes
//! that destroy data unless each resource was allowed by logical id, and the approval policy
//! ([`approval_reasons`]) says why a person should look before the change set runs.

use std::str::FromStr;

use super::classify::{ClassifiedChange, Replacement};

/// When a change set needs approval before it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequireApproval {
    /// Never ask.
    Never,
    /// Ask for every change set with changes.
    AnyChange,
    /// Ask when IAM or security-group changes broaden access, or a resource is replaced.
    #[default]
    Broadening,
}

impl FromStr for RequireApproval {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "never" => Ok(RequireApproval::Never),
            "any-change" => Ok(RequireApproval::AnyChange),
            "broadening" => Ok(RequireApproval::Broadening),
            other => Err(format!(
                "'{other}' is not an approval level: use never, any-change or broadening"
            )),
        }
    }
}

/// The changes that destroy data and were not allowed with `--allow-replacement`:
/// `(logical id, type, what happens)`.
pub fn data_loss(
    changes: &[ClassifiedChange],
    allowed: &[String],
) -> Vec<(String, String, String)> {
    changes
        .iter()
        .filter(|c| c.destroys_data() && !allowed.contains(&c.logical_id))
        .map(|c| {
            let mut what = c.effect().to_string();
            if !c.replaced_by.is_empty() {
                what.push_str(&format!(" (because of {})", c.replaced_by.join(", ")));
            }
            what.push_str(": its data is lost");
            (c.logical_id.clone(), c.resource_type.clone(), what)
        })
        .collect()
}

/// Why the change set needs approval under `policy`; empty when it does not.
pub fn approval_reasons(policy: RequireApproval, changes: &[ClassifiedChange]) -> Vec<String> {
    match policy {
        RequireApproval::Never => Vec::new(),
        RequireApproval::AnyChange if !changes.is_empty() => {
            vec![format!("{} change(s)", changes.len())]
        }
        RequireApproval::AnyChange => Vec::new(),
        RequireApproval::Broadening => {
            let mut reasons: Vec<String> = changes
                .iter()
                .filter_map(|c| {
                    c.broadening
                        .as_ref()
                        .map(|b| format!("{} adds {b}", c.logical_id))
                })
                .collect();
            reasons.extend(
                changes
                    .iter()
                    .filter(|c| c.replacement >= Replacement::Conditional)
                    .map(|c| format!("{} {}", c.logical_id, c.effect())),
            );
            reasons
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, replacement: Replacement, holds_data: bool) -> ClassifiedChange {
        ClassifiedChange {
            action: "Modify".into(),
            logical_id: id.into(),
            resource_type: "AWS::RDS::DBInstance".into(),
            replacement,
            replaced_by: vec!["DBName".into()],
            holds_data,
            data_kept: false,
            broadening: None,
        }
    }

    #[test]
    fn replacing_a_database_is_refused_unless_allowed() {
        let changes = [change("Db", Replacement::True, true)];
        let refused = data_loss(&changes, &[]);
        assert_eq!(refused.len(), 1);
        assert!(refused[0].2.contains("is replaced (because of DBName)"));
        assert!(data_loss(&changes, &["Db".to_string()]).is_empty());
    }

    #[test]
    fn broadening_policy_asks_for_replacements_and_broadening_only() {
        let mut sg = change("Sg", Replacement::False, false);
        sg.broadening = Some("1 security-group rule(s)".into());
        let quiet = change("Queue", Replacement::False, false);
        let replaced = change("Db", Replacement::True, true);
        let policy = RequireApproval::Broadening;
        assert!(approval_reasons(policy, std::slice::from_ref(&quiet)).is_empty());
        assert_eq!(
            approval_reasons(policy, &[sg, replaced]),
            vec!["Sg adds 1 security-group rule(s)", "Db is replaced"]
        );
        assert!(approval_reasons(RequireApproval::Never, std::slice::from_ref(&quiet)).is_empty());
        assert_eq!(
            approval_reasons(RequireApproval::AnyChange, &[quiet]).len(),
            1
        );
    }

    #[test]
    fn parses_the_command_line_levels() {
        assert_eq!("never".parse(), Ok(RequireApproval::Never));
        assert!("sometimes".parse::<RequireApproval>().is_err());
    }
}
