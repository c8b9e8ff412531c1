//! The Temporal deployment of one environment: three stacks (network, data, services).
//!
//! What holds data (the database, its secret, the image repositories) lives in the data stack,
//! with termination protection, so a routine service deploy never touches it. The services stack
//! reads what it needs from the other two through cross-stack references.

use indexmap::IndexMap;
use serde_json::json;
use stackcraft::intrinsic as cfn;
use stackcraft::resources::ecr::{repository, CfnRepository};
use stackcraft::resources::ecs::{cluster, CfnCluster};
use stackcraft::resources::servicediscovery::CfnPrivateDnsNamespace;
use stackcraft::{
    App, AsConstruct, DeletionPolicy, Environment, Level, Output, OutputProps, Resource, Stack,
    StackProps, Token,
};
use stackcraft_constructs::mysql_db::{PASSWORD_KEY, USERNAME_KEY};
use stackcraft_constructs::{
    CapacityProvider, ContainerHealthCheck, ContainerSecret, DatadogProps,
    FargateServiceWithDatadog, FargateServiceWithDatadogProps, HealthCheck, MysqlDb, MysqlDbProps,
    NatGateways, Network, NetworkProps, Port, PublicAlb, PublicAlbProps,
};

use crate::config::{Capacity, EnvConfig, ImageTag, NatMode, ServiceConfig};

/// Temporal's gRPC frontend port.
const FRONTEND_PORT: u16 = 7233;
/// Where the Temporal server serves Prometheus metrics.
const METRICS_PORT: u16 = 8000;
/// The Web UI's port.
const UI_PORT: u16 = 8080;
/// The user's HTTP API port.
const API_PORT: u16 = 8080;
/// The Cloud Map namespace, so the UI reaches `frontend.temporal:7233`.
const NAMESPACE: &str = "temporal";

/// Adds one environment's three stacks to `app`.
pub fn add_environment(app: &App, config: &EnvConfig) -> anyhow::Result<()> {
    let env_name = config.name.0.as_str();
    let stack_props = |description: &str, termination_protection: bool| StackProps {
        description: Some(format!(
            "Temporal on ECS Fargate ({env_name}): {description}"
        )),
        env: Environment {
            account: config.account.as_ref().map(|a| a.0.clone()),
            region: config.region.as_ref().map(|r| r.0.clone()),
        },
        termination_protection,
        stage: Some(env_name.to_string()),
        tags: IndexMap::from([
            ("app".to_string(), "temporal".to_string()),
            ("env".to_string(), env_name.to_string()),
        ]),
        ..StackProps::default()
    };

    // Network.
    let network_stack = Stack::new(
        app,
        &format!("temporal-{env_name}-network"),
        stack_props("VPC, subnets, NAT", false),
    )?;
    let network = Network::new(
        &network_stack,
        "Network",
        NetworkProps {
            cidr: config.network.cidr.to_string(),
            // A range too small for any subnet size: the Network refuses it, naming the range.
            subnet_prefix: config
                .network
                .subnet_prefix()
                .unwrap_or(NetworkProps::default().subnet_prefix),
            max_azs: config.network.availability_zones.0,
            nat_gateways: match config.network.nat {
                NatMode::Single => NatGateways::Single,
                NatMode::PerAz => NatGateways::PerAz,
            },
        },
    )?;

    // Data: what must survive every service deploy.
    let data_stack = Stack::new(
        app,
        &format!("temporal-{env_name}-data"),
        stack_props("database, its credentials, image repositories", true),
    )?;
    let db = MysqlDb::new(
        &data_stack,
        "Database",
        MysqlDbProps {
            instance_class: config.database.instance_class.0.clone(),
            allocated_storage_gib: config.database.allocated_storage_gib.0,
            backup_retention_days: config.database.backup_retention_days.0,
            multi_az: config.database.multi_az,
            deletion_protection: config.database.deletion_protection,
            ..MysqlDbProps::new(
                network.vpc_id(),
                network.private_subnet_ids(),
                config.database.engine_version.0.clone(),
            )
        },
    )?;
    let worker_repo = repository(&data_stack, "WorkerRepository", env_name, "worker")?;
    let api_repo = repository(&data_stack, "ApiRepository", env_name, "api")?;

    // Services.
    let services_stack = Stack::new(
        app,
        &format!("temporal-{env_name}-services"),
        stack_props(
            "ECS cluster, Temporal, UI, worker, API, load balancer",
            false,
        ),
    )?;
    let cluster = Resource::new(
        &services_stack,
        "Cluster",
        CfnCluster::new()
            .capacity_providers(vec!["FARGATE", "FARGATE_SPOT"])
            .default_capacity_provider_strategy(vec![cluster::CapacityProviderStrategyItem::new()
                .capacity_provider("FARGATE")
                .weight(1)])
            .cluster_settings(vec![cluster::ClusterSettings::new()
                .name("containerInsights")
                .value("enabled")]),
    )?;
    let namespace = Resource::new(
        &services_stack,
        "Namespace",
        CfnPrivateDnsNamespace::new(NAMESPACE)
            .vpc(network.vpc_id())
            .description(format!("Service discovery of Temporal ({env_name})")),
    )?;
    let alb = PublicAlb::new(
        &services_stack,
        "LoadBalancer",
        PublicAlbProps {
            vpc_id: network.vpc_id(),
            subnet_ids: network.public_subnet_ids(),
            allowed_cidrs: config
                .load_balancer
                .allowed_cidrs
                .iter()
                .map(|c| c.to_string())
                .collect(),
            depends_on: vec![network.internet_attachment().construct().clone()],
        },
    )?;
    if config
        .load_balancer
        .allowed_cidrs
        .iter()
        .any(|c| c.0.prefix_len() < 8)
    {
        alb.construct().annotate(
            Level::Warning,
            "temporal:ui-and-api-open-to-world",
            "allowed_cidrs opens the Temporal UI (port 80) and the API (port 8080) to the whole \
             internet or a large part of it (a block wider than /8), and neither has \
             authentication: anyone can start, cancel or terminate \
             workflows. List trusted networks only, or put authentication in front (see README)",
        );
    }
    let ui_target = alb.add_listener(
        80,
        UI_PORT,
        HealthCheck {
            path: "/healthz".into(),
            ..HealthCheck::default()
        },
    )?;
    let api_target = alb.add_listener(
        8080,
        API_PORT,
        HealthCheck {
            path: config
                .services
                .api
                .health_check_path
                .as_ref()
                .map_or_else(|| "/".into(), |p| p.0.clone()),
            ..HealthCheck::default()
        },
    )?;

    let datadog = DatadogProps {
        site: config.datadog.site.0.clone(),
        api_key_secret_name: config.datadog.api_key_secret_name.0.clone(),
        agent_image: config.datadog.agent_image.0.clone(),
        log_router_image: config.datadog.log_router_image.0.clone(),
        env: env_name.to_string(),
        keep_cloudwatch_logs: config.datadog.keep_cloudwatch_logs,
    };
    let base = |service: &ServiceConfig, image: Token| FargateServiceWithDatadogProps {
        cpu: service.cpu.0,
        memory: service.memory.0,
        desired_count: service.desired_count.0,
        capacity_provider: match service.capacity {
            Capacity::Fargate => CapacityProvider::Fargate,
            Capacity::FargateSpot => CapacityProvider::FargateSpot,
        },
        log_retention_days: config.log_retention_days.0,
        ..FargateServiceWithDatadogProps::new(
            cluster.ref_(),
            network.vpc_id(),
            network.private_subnet_ids(),
            image,
            datadog.clone(),
        )
    };
    let frontend_address = format!("frontend.{NAMESPACE}:{FRONTEND_PORT}");

    // The Temporal server: all four roles in one task.
    let fe = &config.services.frontend;
    let single_task = fe.desired_count.0 <= 1;
    let frontend = FargateServiceWithDatadog::new(
        &services_stack,
        "TemporalServer",
        FargateServiceWithDatadogProps {
            container_name: "temporal".into(),
            ports: vec![FRONTEND_PORT, METRICS_PORT],
            environment: temporal_environment(config, &db)?,
            secrets: vec![
                db_secret("MYSQL_USER", &db, USERNAME_KEY),
                db_secret("MYSQL_PWD", &db, PASSWORD_KEY),
            ],
            docker_labels: openmetrics_labels(),
            health_check: Some(ContainerHealthCheck {
                shell_command: format!(
                    "temporal operator cluster health --address 127.0.0.1:{FRONTEND_PORT} \
                     | grep -q SERVING"
                ),
                start_period_seconds: 300,
            }),
            // One task: stop the old task before starting the new one, so two servers never
            // share the membership ring during a deploy.
            deployment_percent: if single_task { (0, 100) } else { (100, 200) },
            health_check_grace_seconds: Some(300),
            cloud_map: Some((namespace.attr_id(), "frontend".into())),
            ..base(fe, config.temporal.server_image.0.as_str().into())
        },
    )?;
    let temporal = frontend.connections();
    db.connections()
        .allow_from(temporal, MysqlDb::PORT, "from the Temporal server")?;
    temporal.allow_internally(Port::tcp_range(6933, 6939), "Temporal membership")?;
    temporal.allow_internally(Port::tcp_range(7233, 7239), "Temporal roles")?;

    let ui = FargateServiceWithDatadog::new(
        &services_stack,
        "TemporalUi",
        FargateServiceWithDatadogProps {
            container_name: "temporal-ui".into(),
            ports: vec![UI_PORT],
            environment: IndexMap::from([
                (
                    "TEMPORAL_ADDRESS".to_string(),
                    Token::from(frontend_address.as_str()),
                ),
                (
                    "TEMPORAL_UI_PORT".to_string(),
                    Token::from(UI_PORT.to_string()),
                ),
                // The listener is plain HTTP: without this, browsers drop the Secure CSRF
                // cookie and every write action of the UI fails.
                (
                    "TEMPORAL_CSRF_COOKIE_INSECURE".to_string(),
                    Token::from("true"),
                ),
            ]),
            load_balancer: Some((ui_target, UI_PORT)),
            ..base(
                &config.services.ui,
                config.temporal.ui_image.0.as_str().into(),
            )
        },
    )?;
    temporal.allow_from(
        ui.connections(),
        Port::tcp(FRONTEND_PORT),
        "from the Temporal UI",
    )?;

    let worker = FargateServiceWithDatadog::new(
        &services_stack,
        "Worker",
        FargateServiceWithDatadogProps {
            container_name: "worker".into(),
            environment: IndexMap::from([(
                "TEMPORAL_ADDRESS".to_string(),
                Token::from(frontend_address.as_str()),
            )]),
            ..base(
                &config.services.worker.sizing(),
                image_of(&worker_repo, &config.services.worker.image_tag),
            )
        },
    )?;
    temporal.allow_from(
        worker.connections(),
        Port::tcp(FRONTEND_PORT),
        "from the worker",
    )?;

    let api = FargateServiceWithDatadog::new(
        &services_stack,
        "Api",
        FargateServiceWithDatadogProps {
            container_name: "api".into(),
            ports: vec![API_PORT],
            environment: IndexMap::from([(
                "TEMPORAL_ADDRESS".to_string(),
                Token::from(frontend_address.as_str()),
            )]),
            load_balancer: Some((api_target, API_PORT)),
            ..base(
                &config.services.api.sizing(),
                image_of(&api_repo, &config.services.api.image_tag),
            )
        },
    )?;
    temporal.allow_from(api.connections(), Port::tcp(FRONTEND_PORT), "from the API")?;

    let dns = alb.dns_name();
    Output::new(
        &services_stack,
        "UiUrl",
        OutputProps {
            description: Some("The Temporal Web UI".into()),
            ..OutputProps::new(cfn::join("", [Token::from("http://"), dns.clone()]))
        },
    )?;
    Output::new(
        &services_stack,
        "ApiUrl",
        OutputProps {
            description: Some("The HTTP API".into()),
            ..OutputProps::new(cfn::join(
                "",
                [Token::from("http://"), dns.clone(), Token::from(":8080")],
            ))
        },
    )?;
    Output::new(
        &services_stack,
        "LoadBalancerDnsName",
        OutputProps {
            description: Some("The load balancer's DNS name".into()),
            ..OutputProps::new(dns)
        },
    )?;
    Ok(())
}

/// An ECR repository kept when the stack goes (it holds the images), scanning every push, with
/// immutable tags so a tag always names the same image.
fn repository(
    stack: &Stack,
    id: &str,
    env_name: &str,
    name: &str,
) -> anyhow::Result<Resource<CfnRepository>> {
    let repo = Resource::new(
        stack,
        id,
        CfnRepository::new()
            .repository_name(format!("temporal-{env_name}/{name}"))
            .image_tag_mutability("IMMUTABLE")
            .image_scanning_configuration(
                repository::ImageScanningConfiguration::new().scan_on_push(true),
            ),
    )?;
    repo.set_deletion_policy(DeletionPolicy::Retain);
    repo.set_update_replace_policy(DeletionPolicy::Retain);
    Ok(repo)
}

fn image_of(repo: &Resource<CfnRepository>, tag: &ImageTag) -> Token {
    cfn::join(
        "",
        [
            repo.attr_repository_uri(),
            Token::from(format!(":{}", tag.0)),
        ],
    )
}

fn db_secret(env_name: &str, db: &MysqlDb, key: &str) -> ContainerSecret {
    ContainerSecret {
        env_name: env_name.into(),
        secret_arn: db.secret().ref_(),
        json_key: Some(key.into()),
    }
}

/// The Temporal server's environment: only variables the auto-setup image reads.
///
/// Host and port come from the database endpoint as plain values; user and password come from
/// the generated secret (see the `secrets` of the service). `STATSD_ENDPOINT` stays unset, since
/// it would turn the Prometheus listener off; `MYSQL_TX_ISOLATION_COMPAT` is never set, since
/// MySQL 8 has no `tx_isolation` and any value turns it on.
fn temporal_environment(
    config: &EnvConfig,
    db: &MysqlDb,
) -> anyhow::Result<IndexMap<String, Token>> {
    let pool = connection_pools(config).map_err(anyhow::Error::msg)?;
    let mut env = IndexMap::new();
    let mut set = |k: &str, v: Token| {
        env.insert(k.to_string(), v);
    };
    set("DB", "mysql8".into());
    set("MYSQL_SEEDS", db.endpoint_address());
    set("DB_PORT", db.endpoint_port());
    set("ENABLE_ES", "false".into());
    set("SKIP_SCHEMA_SETUP", "false".into());
    set("SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES", "true".into());
    set(
        "NUM_HISTORY_SHARDS",
        config.temporal.num_history_shards.0.to_string().into(),
    );
    set("BIND_ON_IP", "0.0.0.0".into());
    set(
        "PROMETHEUS_ENDPOINT",
        format!("0.0.0.0:{METRICS_PORT}").into(),
    );
    set("SQL_MAX_CONNS", pool.main.to_string().into());
    set("SQL_MAX_IDLE_CONNS", pool.main.to_string().into());
    set("SQL_VIS_MAX_CONNS", pool.visibility.to_string().into());
    set("SQL_VIS_MAX_IDLE_CONNS", pool.visibility.to_string().into());
    Ok(env)
}

/// Connection pool sizes per Temporal role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionPools {
    /// `SQL_MAX_CONNS`: connections of each role to the main store.
    pub main: u32,
    /// `SQL_VIS_MAX_CONNS`: connections of each role to the visibility store.
    pub visibility: u32,
}

/// Pool sizes that keep every Temporal task's connections within the instance's
/// `max_connections`.
///
/// RDS sets MySQL's `max_connections` to the instance memory divided by 12,582,880 bytes. Each
/// server task runs four roles with a main and a visibility pool each, and during a rolling
/// deploy twice the desired tasks run; the pools get 80% of the connections (the rest stays for
/// the admin), two thirds for the main store, capped at Temporal's defaults (20 and 10). Fails
/// when even pools of 2 and 1 connections would not fit, naming what to change.
pub fn connection_pools(config: &EnvConfig) -> Result<ConnectionPools, String> {
    let class = &config.database.instance_class;
    let memory = class.memory_gib().ok_or_else(|| {
        format!(
            "database.instance_class '{}' has no known memory size",
            class.0
        )
    })?;
    let max_connections = (memory * 1024.0 * 1024.0 * 1024.0 / 12_582_880.0).floor() as u32;
    let tasks = config.services.frontend.desired_count.0.max(1) * 2;
    let roles = 4 * tasks;
    let budget = max_connections * 8 / 10;
    let per_role = budget / roles;
    if per_role < 3 {
        return Err(format!(
            "database.instance_class '{}' allows {max_connections} connections, {budget} of \
             them for Temporal; {} server task(s), doubled during a deploy, run {roles} roles \
             that need at least 3 connections each ({} in all): choose a class with more \
             memory or lower services.frontend.desired_count",
            class.0,
            config.services.frontend.desired_count.0,
            roles * 3
        ));
    }
    let main = (per_role * 2 / 3).min(20);
    let visibility = (per_role - per_role * 2 / 3).min(10);
    Ok(ConnectionPools { main, visibility })
}

/// Datadog autodiscovery labels for the Temporal container: the openmetrics check scrapes the
/// Prometheus endpoint over the task's shared localhost.
fn openmetrics_labels() -> IndexMap<String, String> {
    let instances = json!([{
        "openmetrics_endpoint": format!("http://127.0.0.1:{METRICS_PORT}/metrics"),
        "namespace": "temporal",
        "metrics": ["temporal_.*", "go_.*", "process_.*"],
    }]);
    IndexMap::from([
        (
            "com.datadoghq.ad.check_names".to_string(),
            json!(["openmetrics"]).to_string(),
        ),
        (
            "com.datadoghq.ad.init_configs".to_string(),
            json!([{}]).to_string(),
        ),
        (
            "com.datadoghq.ad.instances".to_string(),
            instances.to_string(),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{DesiredCount, InstanceClass};

    fn dev() -> EnvConfig {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        EnvConfig::load_dir(dir)
            .unwrap()
            .into_iter()
            .find(|c| c.name.0 == "dev")
            .unwrap()
    }

    #[test]
    fn pools_fit_the_instance_or_say_what_to_change() {
        let mut config = dev();
        config.database.instance_class =
            InstanceClass::try_from("db.t3.micro".to_string()).unwrap();
        config.services.frontend.desired_count = DesiredCount(1);
        let pools = connection_pools(&config).unwrap();
        assert_eq!(
            pools,
            ConnectionPools {
                main: 5,
                visibility: 3
            }
        );

        config.services.frontend.desired_count = DesiredCount(4);
        let err = connection_pools(&config).unwrap_err();
        assert!(err.contains("allows 85 connections"), "{err}");
        assert!(err.contains("32 roles"), "{err}");

        config.database.instance_class =
            InstanceClass::try_from("db.r6g.xlarge".to_string()).unwrap();
        let pools = connection_pools(&config).unwrap();
        assert_eq!(
            pools,
            ConnectionPools {
                main: 20,
                visibility: 10
            }
        );
    }
}
