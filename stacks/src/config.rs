//! The environment configuration: one YAML file per environment in `stacks/` (`dev.yaml`,
//! `prod.yaml`).
//!
//! Every value is checked while the file is read, so an unknown key, a wrong type or a value
//! outside what is allowed fails with the file, line and column, the key, and what is allowed.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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

/// An environment name: lowercase letters, digits and hyphens, 1 to 16 characters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct EnvName(pub String);

impl TryFrom<String> for EnvName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 16
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(EnvName(s))
        } else {
            Err(format!(
                "name '{s}' is not allowed: use 1 to 16 lowercase letters, digits and hyphens, \
                 starting with a letter"
            ))
        }
    }
}

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct AccountId(pub String);

impl TryFrom<String> for AccountId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
            Ok(AccountId(s))
        } else {
            Err(format!(
                "account '{s}' is not an AWS account id: use its 12 digits, quoted"
            ))
        }
    }
}

/// An IPv4 CIDR block such as `10.0.0.0/16`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Cidr(pub ipnet::Ipv4Net);

impl TryFrom<String> for Cidr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let net: ipnet::Ipv4Net = s
            .parse()
            .map_err(|_| format!("'{s}' is not an IPv4 CIDR block such as 10.0.0.0/16"))?;
        if net.trunc() != net {
            return Err(format!(
                "'{s}' has host bits set; the block starts at {}",
                net.trunc()
            ));
        }
        Ok(Cidr(net))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A VPC's IPv4 block: a [`Cidr`] from /16 to /28, the sizes a VPC can have.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct VpcCidr(pub Cidr);

impl TryFrom<String> for VpcCidr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let cidr = Cidr::try_from(s)?;
        stackcraft_constructs::network::check_vpc_block(cidr.0)?;
        Ok(VpcCidr(cidr))
    }
}

impl fmt::Display for VpcCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How private subnets reach the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NatMode {
    /// One NAT gateway shared by every availability zone (cheaper; one zone's failure cuts
    /// egress for all).
    Single,
    /// One NAT gateway per availability zone (each zone keeps egress on its own).
    PerAz,
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

/// A full MySQL engine version such as `8.0.39` (a bare `8.0` is refused by cfn-lint, and
/// automatic minor upgrades are off so the template and the instance never disagree).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct EngineVersion(pub String);

impl TryFrom<String> for EngineVersion {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('.').collect();
        let numeric = parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !(parts.len() == 3 && numeric) {
            return Err(format!(
                "engine_version '{s}' is not a full MySQL version: write major.minor.patch, \
                 such as 8.0.39 or 8.4.3"
            ));
        }
        if !matches!((parts[0], parts[1]), ("5", "7") | ("8", "0") | ("8", "4")) {
            return Err(format!(
                "engine_version '{s}' is not a MySQL line RDS runs: 5.7, 8.0 or 8.4 \
                 (such as 8.0.39 or 8.4.3)"
            ));
        }
        Ok(EngineVersion(s))
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

/// An RDS instance class (`db.<family>.<size>`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct InstanceClass(pub String);

impl InstanceClass {
    /// Memory of the class in GiB, for the burstable (`t`), general purpose (`m`) and memory
    /// optimized (`r`) families; `None` for any other.
    pub fn memory_gib(&self) -> Option<f64> {
        let mut parts = self.0.split('.').skip(1);
        let family = parts.next()?;
        let size = parts.next()?;
        let generation = family.get(1..2).and_then(|g| g.parse::<u8>().ok())?;
        if !(3..=8).contains(&generation) {
            return None;
        }
        // Processor and storage variants: t4g, m5d, r6gd, m6idn, r5b, ...
        if !family[2..].chars().all(|c| "abdegintz".contains(c)) {
            return None;
        }
        let large = match family.chars().next()? {
            't' | 'm' => 8.0,
            'r' => 16.0,
            _ => return None,
        };
        let burstable = family.starts_with('t');
        let factor = match size {
            "micro" if burstable => 0.125,
            "small" if burstable => 0.25,
            "medium" if burstable => 0.5,
            "large" => 1.0,
            "xlarge" => 2.0,
            "2xlarge" => 4.0,
            "4xlarge" | "8xlarge" | "12xlarge" | "16xlarge" | "24xlarge" if !burstable => {
                let n: f64 = size.strip_suffix("xlarge")?.parse().ok()?;
                2.0 * n
            }
            _ => return None,
        };
        Some(large * factor)
    }
}

impl TryFrom<String> for InstanceClass {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() != 3 || parts[0] != "db" || parts[1..].iter().any(|p| p.is_empty()) {
            return Err(format!(
                "instance_class '{s}' is not an RDS class such as db.t3.micro"
            ));
        }
        let class = InstanceClass(s);
        if class.memory_gib().is_none() {
            return Err(format!(
                "instance_class '{}' is not a class whose memory is known (db.t*, db.m* or \
                 db.r* of generation 3 to 8, micro to 24xlarge); Temporal's connection pools \
                 are sized from it",
                class.0
            ));
        }
        Ok(class)
    }
}

macro_rules! bounded {
    ($name:ident, $ty:ty, $min:expr, $max:expr, $what:expr) => {
        #[doc = concat!(
                    "A number of ", $what, " from ", stringify!($min), " to ", stringify!($max), "."
                )]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        #[serde(try_from = "i64")]
        pub struct $name(pub $ty);

        impl TryFrom<i64> for $name {
            type Error = String;
            fn try_from(n: i64) -> Result<Self, String> {
                if ($min..=$max).contains(&n) {
                    Ok($name(n as $ty))
                } else {
                    Err(format!(
                        "{n} is out of range: {} must be from {} to {}",
                        $what, $min, $max
                    ))
                }
            }
        }
    };
}

bounded!(StorageGib, u32, 20, 65_536, "GiB of storage");
bounded!(BackupDays, u32, 1, 35, "days of backups");
bounded!(DesiredCount, u32, 0, 100, "tasks");
bounded!(HistoryShards, u32, 1, 16_384, "history shards");
bounded!(ZoneCount, u32, 2, 6, "availability zones");
bounded!(TaskCpu, u32, 256, 16_384, "Fargate CPU units");
bounded!(TaskMemory, u32, 512, 122_880, "MiB of Fargate task memory");

/// An AWS region name, such as `eu-west-1` or `us-gov-west-1`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Region(pub String);

impl TryFrom<String> for Region {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let letters = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase());
        const GEOGRAPHIES: [&str; 11] = [
            "af", "ap", "ca", "cn", "eu", "eusc", "il", "me", "mx", "sa", "us",
        ];
        const DIRECTIONS: [&str; 9] = [
            "central",
            "east",
            "north",
            "northeast",
            "northwest",
            "south",
            "southeast",
            "southwest",
            "west",
        ];
        let well_formed = parts.len() >= 3
            && parts.len() <= 4
            && GEOGRAPHIES.contains(&parts[0])
            && parts[..parts.len() - 1].iter().all(|p| letters(p))
            && DIRECTIONS.contains(&parts[parts.len() - 2])
            && parts[parts.len() - 1].parse::<u8>().is_ok();
        if well_formed {
            Ok(Region(s))
        } else {
            Err(format!(
                "region '{s}' is not shaped like an AWS region name (eu-west-1, us-gov-west-1): \
                 a geography ({}), a direction ({}) and a number",
                GEOGRAPHIES.join(", "),
                DIRECTIONS.join(", ")
            ))
        }
    }
}

/// A log retention CloudWatch accepts (1, 3, 5, 7, 14, 30, ... 3653 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct RetentionDays(pub u32);

/// The retention values CloudWatch Logs accepts.
pub const RETENTION_VALUES: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl TryFrom<i64> for RetentionDays {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        match RETENTION_VALUES.iter().find(|&&v| i64::from(v) == n) {
            Some(&v) => Ok(RetentionDays(v)),
            None => Err(format!(
                "log_retention_days {n} is not a value CloudWatch accepts: one of {}",
                RETENTION_VALUES.map(|v| v.to_string()).join(", ")
            )),
        }
    }
}

/// A container image pinned by tag or digest (`repo:tag` or `repo@sha256:...`); `latest` is
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PinnedImage(pub String);

impl TryFrom<String> for PinnedImage {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let (name, tag, digest) = image_parts(&s)?;
        let pinned = digest.is_some() || tag.is_some_and(|t| !t.eq_ignore_ascii_case("latest"));
        if !pinned {
            return Err(format!(
                "image '{s}' is not pinned: give a version tag ({name}:1.2.3) or a digest \
                 ({name}@sha256:...); 'latest' changes under a running service"
            ));
        }
        Ok(PinnedImage(s))
    }
}

/// An image reference's name, tag and digest (`registry/repo:tag@sha256:hex`), each part checked
/// as registries accept it.
fn image_parts(s: &str) -> Result<(&str, Option<&str>, Option<&str>), String> {
    let bad = |why: &str| Err(format!("image '{s}' is not an image reference: {why}"));
    let (rest, digest) = match s.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (s, None),
    };
    let last = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last..].rfind(':') {
        Some(i) => (&rest[..last + i], Some(&rest[last + i + 1..])),
        None => (rest, None),
    };
    let mut components = name.split('/').peekable();
    let first = components.next().unwrap_or_default();
    let registry =
        components.peek().is_some() && (first.contains(['.', ':']) || first == "localhost");
    let path_ok = |c: &str| {
        !c.is_empty()
            && c.starts_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            && c.ends_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            && c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch))
    };
    let registry_ok = |c: &str| {
        !c.is_empty()
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ".-:".contains(ch))
    };
    let first_ok = if registry {
        registry_ok(first)
    } else {
        path_ok(first)
    };
    if !first_ok || !components.all(path_ok) {
        return bad(
            "its name is lowercase letters, digits and '.', '_', '-' between slashes, after an \
             optional registry host",
        );
    }
    if let Some(tag) = tag {
        if !tag_ok(tag) {
            return bad(
                "a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or \
                 '-'",
            );
        }
    }
    if let Some(digest) = digest {
        let hex = digest.strip_prefix("sha256:").unwrap_or_default();
        let ok = hex.len() == 64 && hex.chars().all(|ch| matches!(ch, '0'..='9' | 'a'..='f'));
        if !ok {
            return bad("a digest is sha256: and 64 lowercase hexadecimal digits");
        }
    }
    Ok((name, tag, digest))
}

/// Whether `tag` is an image tag registries accept: 1 to 128 letters, digits, `_`, `.` and
/// `-`, not starting with `.` or `-`.
fn tag_ok(tag: &str) -> bool {
    (1..=128).contains(&tag.len())
        && tag.starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        && tag
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
}

/// An image tag for an ECR repository of the app (the repository comes from the stack).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ImageTag(pub String);

impl TryFrom<String> for ImageTag {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if tag_ok(&s) && !s.eq_ignore_ascii_case("latest") {
            Ok(ImageTag(s))
        } else {
            Err(format!(
                "image_tag '{s}' is not allowed: use a version tag of letters, digits, '.', '_' \
                 and '-', not starting with '.' or '-' (not 'latest')"
            ))
        }
    }
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

/// A load balancer health check path: starts with `/`, at most 1,024 printable ASCII
/// characters, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct HealthCheckPath(pub String);

impl TryFrom<String> for HealthCheckPath {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = s.starts_with('/') && s.len() <= 1024 && s.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(HealthCheckPath(s))
        } else {
            Err(format!(
                "health_check_path '{s}' is not a path: it starts with '/' and has at most 1024 \
                 printable ASCII characters, no spaces"
            ))
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

/// A Datadog site.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct DatadogSite(pub String);

/// The Datadog sites an agent can report to.
pub const DATADOG_SITES: [&str; 8] = [
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "datadoghq.eu",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "ddog-gov.com",
    "us2.ddog-gov.com",
];

impl TryFrom<String> for DatadogSite {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if DATADOG_SITES.contains(&s.as_str()) {
            Ok(DatadogSite(s))
        } else {
            Err(format!(
                "site '{s}' is not a Datadog site: one of {}",
                DATADOG_SITES.join(", ")
            ))
        }
    }
}

/// A Secrets Manager secret name (without the random suffix Secrets Manager adds).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct SecretName(pub String);

impl TryFrom<String> for SecretName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 512
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
        if ok && !s.starts_with("arn:") {
            Ok(SecretName(s))
        } else {
            Err(format!(
                "api_key_secret_name '{s}' is not a secret name: use its name (letters, digits \
                 and /_+=.@-), not its ARN"
            ))
        }
    }
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

/// The networks that may reach the load balancer, each listed once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Vec<Cidr>")]
pub struct AllowedCidrs(pub Vec<Cidr>);

impl TryFrom<Vec<Cidr>> for AllowedCidrs {
    type Error = String;
    fn try_from(cidrs: Vec<Cidr>) -> Result<Self, String> {
        for (i, cidr) in cidrs.iter().enumerate() {
            if cidrs[..i].contains(cidr) {
                return Err(format!(
                    "allowed_cidrs lists {cidr} twice; list each network once"
                ));
            }
        }
        Ok(AllowedCidrs(cidrs))
    }
}

impl std::ops::Deref for AllowedCidrs {
    type Target = [Cidr];
    fn deref(&self) -> &[Cidr] {
        &self.0
    }
}

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

    /// Checks that the VPC's range holds a public and a private subnet of at least /28 per
    /// zone.
    fn check_network_size(&self, file: &Path, text: &str) -> Result<(), ConfigError> {
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
    fn check_task_sizes(&self, file: &Path, text: &str) -> Result<(), ConfigError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str) -> Result<InstanceClass, String> {
        InstanceClass::try_from(name.to_string())
    }

    #[test]
    fn images_are_references_pinned_by_tag_or_digest() {
        let image = |s: &str| PinnedImage::try_from(s.to_string());
        let digest = format!("repo@sha256:{}", "a".repeat(64));
        for good in [
            "temporalio/auto-setup:1.25.0",
            "public.ecr.aws/datadog/agent:7.59.0",
            "localhost:5000/team/worker:2024-05-01_1",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
            digest.as_str(),
        ] {
            assert!(image(good).is_ok(), "{good}: {:?}", image(good));
        }
        for (bad, why) in [
            ("temporalio/auto-setup: 1.25", "not an image reference"),
            (":1", "not an image reference"),
            ("x@sha256:", "digest"),
            ("Temporalio/ui:2.30.3", "lowercase"),
            ("temporalio/ui", "not pinned"),
            ("temporalio/ui:LATEST", "not pinned"),
            ("localhost:5000/ui", "not pinned"),
        ] {
            let e = image(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn regions_engine_lines_and_instance_classes_are_real_ones() {
        let region = |s: &str| Region::try_from(s.to_string());
        for good in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-4",
            "us-gov-west-1",
            "il-central-1",
            "eusc-de-east-1",
        ] {
            assert!(region(good).is_ok(), "{good}");
        }
        for bad in ["xx-nowhere-1", "us-nowhere-1", "useast1", "eu-west"] {
            assert!(region(bad).is_err(), "{bad}");
        }
        let engine = |s: &str| EngineVersion::try_from(s.to_string());
        assert!(engine("8.0.45").is_ok() && engine("8.4.3").is_ok() && engine("5.7.44").is_ok());
        assert!(engine("5.0.1").unwrap_err().contains("5.7, 8.0 or 8.4"));
        assert!(class("db.t3x.micro").is_err());
        assert!(class("db.r6gd.xlarge").is_ok() && class("db.m6idn.large").is_ok());
    }

    #[test]
    fn instance_classes_know_their_memory() {
        let memory = |name: &str| class(name).unwrap().memory_gib().unwrap();
        assert_eq!(memory("db.t3.micro"), 1.0);
        assert_eq!(memory("db.t4g.medium"), 4.0);
        assert_eq!(memory("db.m6g.large"), 8.0);
        assert_eq!(memory("db.m5.4xlarge"), 64.0);
        assert_eq!(memory("db.r6g.large"), 16.0);
        assert_eq!(memory("db.r5.24xlarge"), 768.0);
        assert!(class("db.x2g.large")
            .unwrap_err()
            .contains("memory is known"));
        assert!(class("db.t3.8xlarge").is_err());
        assert!(class("db.m5.7xlarge").is_err());
        assert!(class("db.r5.999xlarge").is_err());
        assert!(class("db.t99.micro").is_err());
        assert!(class("t3.micro")
            .unwrap_err()
            .contains("such as db.t3.micro"));
    }
}
