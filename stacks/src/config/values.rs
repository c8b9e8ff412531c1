//! The checked values of an environment file: names, ids, ranges, versions and sizes, each a
//! type that refuses what AWS would, so a wrong value fails while the file is read, with its
//! line and column.

use std::fmt;

use serde::Deserialize;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str) -> Result<InstanceClass, String> {
        InstanceClass::try_from(name.to_string())
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
