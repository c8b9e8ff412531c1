//! The default app: Temporal on ECS Fargate with RDS MySQL, Cloud Map, a public load balancer
//! and a Datadog agent in every task, one set of stacks per environment file in `stacks/`.
#![deny(missing_docs)]

pub mod config;
pub mod demo;
pub mod temporal;

use std::path::PathBuf;

use anyhow::Context;
use stackcraft::App;

use crate::config::EnvConfig;

/// The folder holding one YAML file per environment: `STACKCRAFT_CONFIG_DIR` when set, else
/// this crate's folder (`stacks/`).
pub fn config_dir() -> PathBuf {
    std::env::var_os("STACKCRAFT_CONFIG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Builds the default app: every environment's stacks.
pub fn build_app() -> anyhow::Result<App> {
    let dir = config_dir();
    let envs = EnvConfig::load_dir(&dir)?;
    if envs.is_empty() {
        anyhow::bail!("no environment files (*.yaml) in {}", dir.display());
    }
    let app = App::new();
    for env in &envs {
        temporal::add_environment(&app, env)
            .with_context(|| format!("building environment '{}'", env.name.0))?;
    }
    Ok(app)
}
