//! The default app: the stacks of the Temporal deployment, one set per environment.
#![deny(missing_docs)]

pub mod demo;

use stackcraft::{App, Stack, StackProps};
use stackcraft_constructs::{Network, NetworkProps};

/// Builds the default app.
pub fn build_app() -> anyhow::Result<App> {
    let app = App::new();
    let stack = Stack::new(&app, "TemporalNetwork", StackProps::default())?;
    Network::new(&stack, "Network", NetworkProps::default())?;
    Ok(app)
}
