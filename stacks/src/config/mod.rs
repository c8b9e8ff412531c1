//! The environment configuration: one YAML file per environment in `stacks/` (`dev.yaml`,
//! `prod.yaml`).
//!
//! Every value is checked while the file is read, so an unknown key, a wrong type or a value
//! outside what is allowed fails with the file, line and column, the key, and what is allowed.

mod image;
mod locate;
mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use image::{ImageTag, PinnedImage};
pub use values::*;

/// One environment's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    /// The environment's name; stack names carry it (`temporal-dev-network`).
    pub name: EnvName,
    /// The AWS account to deploy to; leave out for the deployer's account.
    #[serde(default)]
    pub account: Option<AccountId>,
    /// The AWS region; leave out for the deployer's region.
    #[serde(default)]
    pub region: Option<Region>,
    /// The network.
    pub network: NetworkConfig,
    /// The Temporal database.
    pub database: DatabaseConfig,
    /// Temporal server settings.
    pub temporal: TemporalConfig,
    /// The four services.
    pub services: ServicesConfig,
    /// The Datadog agent and log routing.
    pub datadog: DatadogConfig,
    /// The public load balancer.
    pub load_balancer: LoadBalancerConfig,
    /// Days CloudWatch keeps container logs.
    pub log_retention_days: RetentionDays,
}

/// Network settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// The VPC's range, /16 to /28.
    pub cidr: VpcCidr,
    /// How many availability zones (at least 2).
    pub availability_zones: ZoneCount,
    /// NAT gateways: `single` or `per-az`.
    pub nat: NatMode,
}

impl NetworkConfig {
    /// The subnets' prefix: /20, or smaller when the VPC's range is too small for a public and a
    /// private /20 per zone; `None` when even /28 subnets do not fit (refused when the file is
    /// read).
    pub fn subnet_prefix(&self) -> Option<u8> {
        stackcraft_constructs::network::fitting_subnet_prefix(
            self.cidr.0 .0,
            self.availability_zones.0,
        )
    }
}

/// Database settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// The full MySQL version.
    pub engine_version: EngineVersion,
    /// The RDS instance class, such as `db.t3.micro`.
    pub instance_class: InstanceClass,
    /// Storage in GiB (20 to 65,536).
    pub allocated_storage_gib: StorageGib,
    /// Days of automated backups (1 to 35).
    pub backup_retention_days: BackupDays,
    /// A standby in a second availability zone.
    pub multi_az: bool,
    /// Refuses deletion of the instance until turned off.
    pub deletion_protection: bool,
}

/// Temporal server settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporalConfig {
    /// The Temporal server image (`temporalio/auto-setup:<version>`).
    pub server_image: PinnedImage,
    /// The Temporal Web UI image (`temporalio/ui:<version>`).
    pub ui_image: PinnedImage,
    /// History shards. Fixed when the cluster first starts and NEVER changeable afterwards:
    /// changing it later breaks the cluster.
    pub num_history_shards: HistoryShards,
}

/// Which Fargate capacity a service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Capacity {
    /// On-demand Fargate.
    #[serde(rename = "FARGATE")]
    Fargate,
    /// Fargate Spot: cheaper, interrupted with two minutes' notice.
    #[serde(rename = "FARGATE_SPOT")]
    FargateSpot,
}

/// Size and placement of one service that runs a public image (the Temporal server and Web UI).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).
    pub cpu: TaskCpu,
    /// Task memory in MiB; must pair with `cpu` on Fargate.
    pub memory: TaskMemory,
    /// How many tasks run.
    pub desired_count: DesiredCount,
    /// `FARGATE` or `FARGATE_SPOT`.
    pub capacity: Capacity,
}

/// The user's worker: its size and placement, and the image it runs from the app's ECR
/// repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Task CPU units, as for [`ServiceConfig`].
    pub cpu: TaskCpu,
    /// Task memory in MiB, as for [`ServiceConfig`].
    pub memory: TaskMemory,
    /// How many tasks run.
    pub desired_count: DesiredCount,
    /// `FARGATE` or `FARGATE_SPOT`.
    pub capacity: Capacity,
    /// The image tag in the worker's ECR repository (required: a repository has no default).
    pub image_tag: ImageTag,
}

impl WorkerConfig {
    /// Size and placement alone.
    pub fn sizing(&self) -> ServiceConfig {
        ServiceConfig {
            cpu: self.cpu,
            memory: self.memory,
            desired_count: self.desired_count,
            capacity: self.capacity,
        }
    }
}

/// The user's HTTP API: as [`WorkerConfig`], and the path the load balancer probes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Task CPU units, as for [`ServiceConfig`].
    pub cpu: TaskCpu,
    /// Task memory in MiB, as for [`ServiceConfig`].
    pub memory: TaskMemory,
    /// How many tasks run.
    pub desired_count: DesiredCount,
    /// `FARGATE` or `FARGATE_SPOT`.
    pub capacity: Capacity,
    /// The image tag in the API's ECR repository (required: a repository has no default).
    pub image_tag: ImageTag,
    /// The path the load balancer probes; `/` when left out.
    #[serde(default)]
    pub health_check_path: Option<HealthCheckPath>,
}

impl ApiConfig {
    /// Size and placement alone.
    pub fn sizing(&self) -> ServiceConfig {
        ServiceConfig {
            cpu: self.cpu,
            memory: self.memory,
            desired_count: self.desired_count,
            capacity: self.capacity,
        }
    }
}

/// The four services of the deployment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicesConfig {
    /// The Temporal server (all roles in one task).
    pub frontend: ServiceConfig,
    /// The Temporal Web UI.
    pub ui: ServiceConfig,
    /// The user's Temporal worker.
    pub worker: WorkerConfig,
    /// The user's HTTP API.
    pub api: ApiConfig,
}

/// Datadog settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatadogConfig {
    /// The site the account lives on.
    pub site: DatadogSite,
    /// The name of the Secrets Manager secret that holds the API key (stored once by hand; see
    /// the README).
    pub api_key_secret_name: SecretName,
    /// The agent image, pinned.
    pub agent_image: PinnedImage,
    /// The AWS for Fluent Bit image that routes container logs to Datadog, pinned.
    pub log_router_image: PinnedImage,
    /// Also keep container logs in CloudWatch (the log router's own logs always go there).
    pub keep_cloudwatch_logs: bool,
}

/// Load balancer settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerConfig {
    /// Who may reach the load balancer. Neither the Temporal UI nor the API has authentication:
    /// list only networks you trust. `0.0.0.0/0` opens both to the internet (synth warns).
    pub allowed_cidrs: AllowedCidrs,
}

/// A configuration error, with the file and the parser's location and explanation.
#[derive(Debug)]
pub struct ConfigError {
    /// The file that was read.
    pub file: PathBuf,
    /// What is wrong, with line, column and a snippet.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

impl EnvConfig {
    /// Parses one environment file's text; `file` names it in errors.
    pub fn parse(file: &Path, text: &str) -> Result<EnvConfig, ConfigError> {
        let config = serde_saphyr::from_str::<EnvConfig>(text).map_err(|e| {
            // The snippet is headed by the file's name, and the messages speak to the user of
            // the file, not to a programmer of the parser.
            let name = file.display().to_string();
            let options = serde_saphyr::render_options! {
                formatter: &serde_saphyr::UserMessageFormatter,
                source_name: Some(name.as_str()),
            };
            ConfigError {
                file: file.to_path_buf(),
                message: e.render_with_options(options),
            }
        })?;
        config.check_task_sizes(file, text)?;
        config.check_network_size(file, text)?;
        Ok(config)
    }

    /// Reads every `*.yaml` file of `dir`, sorted by file name.
    pub fn load_dir(dir: &Path) -> Result<Vec<EnvConfig>, ConfigError> {
        let io = |e: std::io::Error| ConfigError {
            file: dir.to_path_buf(),
            message: e.to_string(),
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        if let Some(yml) = files
            .iter()
            .find(|p| p.extension().is_some_and(|x| x == "yml"))
        {
            return Err(ConfigError {
                file: yml.clone(),
                message: "environment files end in .yaml: rename this one".into(),
            });
        }
        let mut configs = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| ConfigError {
                file: file.clone(),
                message: e.to_string(),
            })?;
            let config = EnvConfig::parse(&file, &text)?;
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if config.name.0 != stem {
                return Err(ConfigError {
                    file,
                    message: format!(
                        "name '{}' differs from the file name; name the file {}.yaml",
                        config.name.0, config.name.0
                    ),
                });
            }
            configs.push(config);
        }
        Ok(configs)
    }
}
