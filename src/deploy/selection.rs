//! Which stacks of the assembly a command acts on, and in which order.
//!
//! With stacks of several environments (stages) in the app, a selection must name them: stack
//! names, an environment, or all. The order is the dependency order: every stack after the
//! stacks it depends on (`destroy` walks it backwards).

use std::collections::BTreeSet;

use crate::assembly::{CloudAssembly, StackArtifact};

use super::error::{DeployError, DeployErrorKind};

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Stack names or artifact ids.
    pub names: Vec<String>,
    /// The environment (stage) whose stacks to take.
    pub env: Option<String>,
    /// Every stack of the assembly.
    pub all: bool,
    /// Add the stacks the selected ones depend on.
    pub with_dependencies: bool,
}

fn error(message: String) -> DeployError {
    DeployError::new("", DeployErrorKind::Selection { message })
}

/// Why `stack`, named on the command line, cannot be taken together with `--env env`: it
/// belongs to another environment. `None` when it belongs to `env`.
pub fn outside_env(stack: &StackArtifact, env: &str) -> Option<String> {
    (stack.stage.as_deref() != Some(env)).then(|| {
        format!(
            "stack '{}' belongs to environment '{}', not '{env}': name a stack of '{env}', or \
             leave out --env",
            stack.stack_name,
            stack.stage.as_deref().unwrap_or("none")
        )
    })
}

/// The selected stacks in dependency order.
pub fn select(
    assembly: &CloudAssembly,
    selection: &Selection,
) -> Result<Vec<StackArtifact>, DeployError> {
    let stacks = &assembly.stacks;
    let known = || {
        stacks
            .iter()
            .map(|s| s.stack_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let stages: BTreeSet<&str> = stacks.iter().filter_map(|s| s.stage.as_deref()).collect();
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    if !selection.names.is_empty() {
        for name in &selection.names {
            let stack = assembly.stack(name).ok_or_else(|| {
                error(format!("no stack named '{name}'; the app has: {}", known()))
            })?;
            if let Some(why) = selection.env.as_deref().and_then(|e| outside_env(stack, e)) {
                return Err(error(why));
            }
            chosen.insert(stack.id.clone());
        }
    } else if let Some(env) = &selection.env {
        chosen.extend(
            stacks
                .iter()
                .filter(|s| s.stage.as_deref() == Some(env.as_str()))
                .map(|s| s.id.clone()),
        );
        if chosen.is_empty() {
            let list: Vec<&str> = stages.iter().copied().collect();
            return Err(error(format!(
                "no stack belongs to environment '{env}'; the app's environments are: {}",
                if list.is_empty() {
                    "none".to_string()
                } else {
                    list.join(", ")
                }
            )));
        }
    } else if selection.all || stages.len() <= 1 {
        chosen.extend(stacks.iter().map(|s| s.id.clone()));
    } else {
        let list: Vec<&str> = stages.iter().copied().collect();
        return Err(error(format!(
            "the app has stacks for several environments ({}): name the stacks, or pass \
             --env NAME or --all",
            list.join(", ")
        )));
    }
    if selection.with_dependencies {
        let mut queue: Vec<String> = chosen.iter().cloned().collect();
        while let Some(id) = queue.pop() {
            let Some(stack) = stacks.iter().find(|s| s.id == id) else {
                continue;
            };
            for dep in &stack.dependencies {
                if stacks.iter().any(|s| &s.id == dep) && chosen.insert(dep.clone()) {
                    queue.push(dep.clone());
                }
            }
        }
    }
    order(
        stacks
            .iter()
            .filter(|s| chosen.contains(&s.id))
            .cloned()
            .collect(),
    )
}

/// Sorts stacks so that each comes after its dependencies within the list, keeping the given
/// order otherwise.
pub fn order(mut pending: Vec<StackArtifact>) -> Result<Vec<StackArtifact>, DeployError> {
    let mut ordered: Vec<StackArtifact> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|s| {
            s.dependencies
                .iter()
                .all(|d| !pending.iter().any(|p| &p.id == d))
        });
        match ready {
            Some(i) => ordered.push(pending.remove(i)),
            None => {
                let names: Vec<&str> = pending.iter().map(|s| s.stack_name.as_str()).collect();
                return Err(error(format!(
                    "stacks depend on each other in a cycle: {}",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stack(id: &str, stage: Option<&str>, deps: &[&str]) -> StackArtifact {
        StackArtifact {
            id: id.into(),
            stack_name: id.into(),
            construct_path: id.into(),
            environment: "aws://unknown-account/unknown-region".into(),
            termination_protection: false,
            stage: stage.map(str::to_string),
            tags: Default::default(),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            template: json!({}),
        }
    }

    fn assembly(stacks: Vec<StackArtifact>) -> CloudAssembly {
        CloudAssembly {
            stacks,
            tree: json!({}),
        }
    }

    fn names(stacks: &[StackArtifact]) -> Vec<&str> {
        stacks.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn several_environments_need_an_explicit_selection() {
        let a = assembly(vec![
            stack("DevApp", Some("dev"), &[]),
            stack("ProdApp", Some("prod"), &[]),
        ]);
        let err = select(&a, &Selection::default()).unwrap_err();
        assert!(
            err.to_string().contains("several environments (dev, prod)"),
            "{err}"
        );
        let env = Selection {
            env: Some("prod".into()),
            ..Default::default()
        };
        assert_eq!(names(&select(&a, &env).unwrap()), vec!["ProdApp"]);
        let all = Selection {
            all: true,
            ..Default::default()
        };
        assert_eq!(select(&a, &all).unwrap().len(), 2);
        let mismatch = Selection {
            names: vec!["DevApp".into()],
            env: Some("prod".into()),
            ..Default::default()
        };
        let err = select(&a, &mismatch).unwrap_err().to_string();
        assert!(
            err.contains("belongs to environment 'dev', not 'prod'"),
            "{err}"
        );
    }

    #[test]
    fn dependencies_come_first_and_are_added_on_request() {
        let a = assembly(vec![
            stack("App", None, &["Net"]),
            stack("Net", None, &[]),
            stack("Other", None, &[]),
        ]);
        let sel = Selection {
            names: vec!["App".into()],
            with_dependencies: true,
            ..Default::default()
        };
        assert_eq!(names(&select(&a, &sel).unwrap()), vec!["Net", "App"]);
        let all = select(&a, &Selection::default()).unwrap();
        assert_eq!(names(&all), vec!["Net", "App", "Other"]);
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let a = assembly(vec![stack("Net", None, &[])]);
        let sel = Selection {
            names: vec!["Nope".into()],
            ..Default::default()
        };
        let err = select(&a, &sel).unwrap_err();
        assert!(err.to_string().contains("the app has: Net"), "{err}");
    }
}
