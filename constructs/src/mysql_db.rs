//! `MysqlDb`: RDS for MySQL with a generated password, encrypted storage and snapshot policies.

use stackcraft::intrinsic as cfn;
use stackcraft::resources::rds::{CfnDbInstance, CfnDbSubnetGroup};
use stackcraft::resources::secretsmanager::{secret, CfnSecret};
use stackcraft::{AsConstruct, Construct, DeletionPolicy, Error, Resource, Result, Token};

use crate::connections::{Connections, Port};

/// Characters the generated password leaves out: RDS refuses `/`, `"`, `@` and spaces in a
/// master password, and `\`, `'` and `"` would break the quoted YAML value Temporal's
/// configuration template writes.
pub const PASSWORD_EXCLUDED_CHARACTERS: &str = "\"@/\\' ";

/// Key of the user name in the generated secret.
pub const USERNAME_KEY: &str = "USERNAME";

/// Key of the password in the generated secret.
pub const PASSWORD_KEY: &str = "PASSWORD";

/// Options of a [`MysqlDb`].
#[derive(Debug, Clone)]
pub struct MysqlDbProps {
    /// The VPC the database lives in.
    pub vpc_id: Token,
    /// The subnets of the subnet group: private ones, in at least two zones.
    pub subnet_ids: Vec<Token>,
    /// A full MySQL version such as `8.0.39`; automatic minor upgrades are turned off so the
    /// template and the instance never disagree.
    pub engine_version: String,
    /// The instance class.
    ///
    /// **Default:** `db.t3.micro`.
    pub instance_class: String,
    /// Storage in GiB (gp3, encrypted).
    ///
    /// **Default:** 20, the gp3 minimum.
    pub allocated_storage_gib: u32,
    /// Days of automated backups.
    ///
    /// **Default:** 7.
    pub backup_retention_days: u32,
    /// A standby instance in a second zone.
    ///
    /// **Default:** off.
    pub multi_az: bool,
    /// Refuses deletion of the instance until turned off.
    ///
    /// **Default:** off.
    pub deletion_protection: bool,
    /// The master user's name, stored in the secret under `USERNAME`.
    ///
    /// **Default:** `temporal`.
    pub master_username: String,
}

impl MysqlDbProps {
    /// The props of a database given what it cannot do without, every other prop at its
    /// default; change others with struct update syntax (`..MysqlDbProps::new(...)`).
    pub fn new(vpc_id: Token, subnet_ids: Vec<Token>, engine_version: impl Into<String>) -> Self {
        MysqlDbProps {
            vpc_id,
            subnet_ids,
            engine_version: engine_version.into(),
            instance_class: "db.t3.micro".into(),
            allocated_storage_gib: 20,
            backup_retention_days: 7,
            multi_az: false,
            deletion_protection: false,
            master_username: "temporal".into(),
        }
    }
}

/// An RDS for MySQL instance whose credentials live in a generated Secrets Manager secret.
///
/// The password never appears in the template: RDS receives it through a
/// `{{resolve:secretsmanager:...}}` dynamic reference, and containers receive it through ECS
/// secrets. Storage is encrypted; `DeletionPolicy` and `UpdateReplacePolicy` are `Snapshot`; the
/// secret is retained when the stack is deleted, so a snapshot can still be restored with it.
/// Nothing may connect until [`MysqlDb::connections`] allows it.
#[derive(Debug, Clone)]
pub struct MysqlDb {
    construct: Construct,
    instance: Resource<CfnDbInstance>,
    secret: Resource<CfnSecret>,
    connections: Connections,
}

impl AsConstruct for MysqlDb {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl MysqlDb {
    /// Creates the database under `scope`.
    ///
    /// Fails when fewer than two subnets are given, when the engine version is not a full
    /// `major.minor.patch` version, or when storage or backup retention is out of range.
    pub fn new(scope: &impl AsConstruct, id: &str, props: MysqlDbProps) -> Result<Self> {
        let construct = Construct::new(scope, id)?;
        let path = construct.path();
        let fail = |property: &str, message: String| {
            Err(Error::invalid_props(path.clone(), property, message))
        };
        let vpc_id = props.vpc_id.clone();
        if props.subnet_ids.len() < 2 {
            return fail(
                "subnet_ids",
                format!(
                    "got {} subnet(s), RDS needs subnets in at least 2 zones",
                    props.subnet_ids.len()
                ),
            );
        }
        let parts: Vec<&str> = props.engine_version.split('.').collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return fail(
                "engine_version",
                format!(
                    "'{}' is not a full MySQL version: write major.minor.patch such as 8.0.39",
                    props.engine_version
                ),
            );
        }
        if !(20..=65_536).contains(&props.allocated_storage_gib) {
            return fail(
                "allocated_storage_gib",
                format!(
                    "{} is out of range: gp3 storage is 20 to 65536 GiB",
                    props.allocated_storage_gib
                ),
            );
        }
        if !(1..=35).contains(&props.backup_retention_days) {
            return fail(
                "backup_retention_days",
                format!(
                    "{} is out of range: 1 to 35 days",
                    props.backup_retention_days
                ),
            );
        }

        let template = serde_json::json!({ USERNAME_KEY: props.master_username }).to_string();
        let secret = Resource::new(
            &construct,
            "Secret",
            CfnSecret::new()
                .description(format!("Master credentials of {path}"))
                .generate_secret_string(
                    secret::GenerateSecretString::new()
                        .secret_string_template(template)
                        .generate_string_key(PASSWORD_KEY)
                        .password_length(32)
                        .exclude_characters(PASSWORD_EXCLUDED_CHARACTERS),
                ),
        )?;
        secret.set_deletion_policy(DeletionPolicy::Retain);
        secret.set_update_replace_policy(DeletionPolicy::Retain);

        let subnet_group = Resource::new(
            &construct,
            "SubnetGroup",
            CfnDbSubnetGroup::new(format!("Subnets of {path}"), props.subnet_ids.clone()),
        )?;
        let connections = Connections::new(
            &construct,
            "SecurityGroup",
            vpc_id,
            &format!("Database {path}: no ingress unless allowed"),
        )?;
        let resolve = |key: &str| {
            cfn::sub_with(
                &format!("{{{{resolve:secretsmanager:${{Secret}}:SecretString:{key}}}}}"),
                [("Secret", secret.ref_())],
            )
        };
        let instance = Resource::new(
            &construct,
            "Instance",
            CfnDbInstance::new()
                .engine("mysql")
                .engine_version(props.engine_version.clone())
                .auto_minor_version_upgrade(false)
                .db_instance_class(props.instance_class.clone())
                .allocated_storage(props.allocated_storage_gib.to_string())
                .storage_type("gp3")
                .storage_encrypted(true)
                .master_username(resolve(USERNAME_KEY))
                .master_user_password(resolve(PASSWORD_KEY))
                .db_subnet_group_name(subnet_group.ref_())
                .vpc_security_groups(vec![connections.security_group_id()])
                .backup_retention_period(i64::from(props.backup_retention_days))
                .multi_az(props.multi_az)
                .deletion_protection(props.deletion_protection)
                .publicly_accessible(false)
                .copy_tags_to_snapshot(true),
        )?;
        instance.set_deletion_policy(DeletionPolicy::Snapshot);
        instance.set_update_replace_policy(DeletionPolicy::Snapshot);
        Ok(MysqlDb {
            construct,
            instance,
            secret,
            connections,
        })
    }

    /// The endpoint's host name.
    pub fn endpoint_address(&self) -> Token {
        self.instance.attr_endpoint_address()
    }

    /// The endpoint's port.
    pub fn endpoint_port(&self) -> Token {
        self.instance.attr_endpoint_port()
    }

    /// The secret holding `USERNAME` and `PASSWORD`.
    pub fn secret(&self) -> &Resource<CfnSecret> {
        &self.secret
    }

    /// The database instance.
    pub fn instance(&self) -> &Resource<CfnDbInstance> {
        &self.instance
    }

    /// The database's security group; allow clients in with
    /// `db.connections().allow_from(&client, MysqlDb::PORT, ...)`.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// The MySQL port.
    pub const PORT: Port = Port {
        from: 3306,
        to: 3306,
    };
}
