//! Checks that need more than one value of an environment file (a Fargate task size, a VPC
//! range against its subnets). The file is read a second time, for the line and column of the
//! value at fault, only when a check fails.

use std::path::Path;

use serde::Deserialize;

use super::{ConfigError, EnvConfig};

/// Where each service's cpu and memory are written, read only to point at a task size Fargate
/// refuses.
#[derive(Deserialize)]
struct LocatedSizes {
    services: std::collections::BTreeMap<String, LocatedSize>,
}

/// Where the VPC's range is written.
#[derive(Deserialize)]
struct LocatedNetwork {
    network: LocatedCidr,
}

/// The place of the network's cidr value.
#[derive(Deserialize)]
struct LocatedCidr {
    #[serde(deserialize_with = "location_of")]
    cidr: serde_saphyr::Location,
}

/// The places of one service's cpu and memory values.
#[derive(Clone, Deserialize)]
struct LocatedSize {
    #[serde(deserialize_with = "location_of")]
    cpu: serde_saphyr::Location,
    #[serde(deserialize_with = "location_of")]
    memory: serde_saphyr::Location,
}

fn location_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<serde_saphyr::Location, D::Error> {
    serde_saphyr::Spanned::<serde::de::IgnoredAny>::deserialize(d).map(|s| s.referenced)
}

impl EnvConfig {
    /// Checks that the VPC's range holds a public and a private subnet of at least /28 per
    /// zone.
    pub(super) fn check_network_size(&self, file: &Path, text: &str) -> Result<(), ConfigError> {
        if self.network.subnet_prefix().is_some() {
            return Ok(());
        }
        let at = serde_saphyr::from_str::<LocatedNetwork>(text)
            .ok()
            .map_or_else(String::new, |located| {
                let at = located.network.cidr;
                format!("line {} column {}: ", at.line(), at.column())
            });
        let zones = self.network.availability_zones.0;
        Err(ConfigError {
            file: file.to_path_buf(),
            message: format!(
                "{at}network.cidr {} cannot hold a public and a private subnet of /28 or more \
                 in each of {zones} zones: use a larger range (a smaller prefix)",
                self.network.cidr
            ),
        })
    }

    /// Checks that each service's cpu and memory are a task size Fargate accepts. Only when one
    /// is not is the file read again, for the line and column of the value at fault (the cpu
    /// when Fargate has no such size, the memory when it does not pair with the cpu).
    pub(super) fn check_task_sizes(&self, file: &Path, text: &str) -> Result<(), ConfigError> {
        let s = &self.services;
        let sizes = [
            ("frontend", s.frontend.cpu, s.frontend.memory),
            ("ui", s.ui.cpu, s.ui.memory),
            ("worker", s.worker.cpu, s.worker.memory),
            ("api", s.api.cpu, s.api.memory),
        ];
        for (name, cpu, memory) in sizes {
            let Err(e) =
                stackcraft::validate::fargate::check_task_size(cpu.0.into(), memory.0.into())
            else {
                continue;
            };
            let at = serde_saphyr::from_str::<LocatedSizes>(text)
                .ok()
                .and_then(|located| located.services.get(name).cloned())
                .map_or_else(String::new, |size| {
                    let at = match e {
                        stackcraft::validate::fargate::TaskSizeError::Cpu { .. } => size.cpu,
                        stackcraft::validate::fargate::TaskSizeError::Memory { .. } => size.memory,
                    };
                    format!("line {} column {}: ", at.line(), at.column())
                });
            return Err(ConfigError {
                file: file.to_path_buf(),
                message: format!("{at}services.{name}: {e}"),
            });
        }
        Ok(())
    }
}
