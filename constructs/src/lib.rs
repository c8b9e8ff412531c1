//! Reusable constructs that are correct and secure by default and wired by reference:
//! [`Network`], [`MysqlDb`], [`FargateServiceWithDatadog`] and [`PublicAlb`], plus the
//! [`Connections`] handle that opens security groups to each other.
#![deny(missing_docs)]

pub mod connections;
pub mod fargate_service;
pub mod mysql_db;
pub mod network;
pub mod public_alb;

pub use connections::{Connections, Port};
pub use fargate_service::{
    CapacityProvider, ContainerHealthCheck, ContainerSecret, DatadogProps,
    FargateServiceWithDatadog, FargateServiceWithDatadogProps,
};
pub use mysql_db::{MysqlDb, MysqlDbProps};
pub use network::{NatGateways, Network, NetworkProps};
pub use public_alb::{AlbTarget, HealthCheck, PublicAlb, PublicAlbProps};
