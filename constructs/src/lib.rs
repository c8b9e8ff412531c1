//! Reusable constructs that are correct and secure by default and wired by reference.
#![deny(missing_docs)]

pub mod network;

pub use network::{Network, NetworkProps};
