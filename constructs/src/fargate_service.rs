//! `FargateServiceWithDatadog`: an ECS Fargate service whose every task carries a Datadog agent
//! and a FireLens log router that ships container logs to Datadog.

use indexmap::IndexMap;
use serde_json::json;
use stackcraft::intrinsic::{self as cfn, Pseudo};
use stackcraft::resources::ecs::{service, task_definition as td, CfnService, CfnTaskDefinition};
use stackcraft::resources::iam::{role, CfnRole};
use stackcraft::resources::logs::CfnLogGroup;
use stackcraft::resources::servicediscovery::{service as sd, CfnService as CfnDiscoveryService};
use stackcraft::{AsConstruct, Construct, Error, Resource, Result, Token};

use crate::connections::{Connections, Port};
use crate::public_alb::AlbTarget;
use stackcraft::validate::fargate::{self, TaskSizeError};

/// Which Fargate capacity runs the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityProvider {
    /// On-demand Fargate.
    Fargate,
    /// Fargate Spot: cheaper, but a task can be stopped with two minutes' notice; a service of
    /// one task is down until Spot capacity returns.
    FargateSpot,
}

impl CapacityProvider {
    /// The capacity provider's name in ECS.
    pub fn name(self) -> &'static str {
        match self {
            CapacityProvider::Fargate => "FARGATE",
            CapacityProvider::FargateSpot => "FARGATE_SPOT",
        }
    }
}

/// A secret injected into the app container as an environment variable.
#[derive(Debug, Clone)]
pub struct ContainerSecret {
    /// The environment variable's name.
    pub env_name: String,
    /// The secret's ARN (the `Ref` of an `AWS::SecretsManager::Secret`).
    pub secret_arn: Token,
    /// The JSON key to extract from the secret.
    ///
    /// **Default:** the whole secret string.
    pub json_key: Option<String>,
}

/// A container health check run by ECS.
#[derive(Debug, Clone)]
pub struct ContainerHealthCheck {
    /// The command, run with `CMD-SHELL`.
    pub shell_command: String,
    /// Seconds before failures count (0 to 300), for slow starts.
    pub start_period_seconds: u32,
}

/// The Datadog side of every task.
#[derive(Debug, Clone)]
pub struct DatadogProps {
    /// The Datadog site, such as `us5.datadoghq.com`.
    pub site: String,
    /// The name of the Secrets Manager secret that holds the API key. The key itself never
    /// enters a template; the execution role may read exactly this secret.
    pub api_key_secret_name: String,
    /// The agent image, pinned by tag.
    pub agent_image: String,
    /// The AWS for Fluent Bit image of the log router, pinned by tag.
    pub log_router_image: String,
    /// The `env` tag of everything the agent and the log router send.
    pub env: String,
    /// Where the sidecars' own logs (agent, log router) go: a CloudWatch log group kept for
    /// this service, or nowhere.
    pub keep_cloudwatch_logs: bool,
}

/// Options of a [`FargateServiceWithDatadog`].
#[derive(Debug, Clone)]
pub struct FargateServiceWithDatadogProps {
    /// The ECS cluster (its `Ref`).
    pub cluster: Token,
    /// What the service must wait for before it is created: the cluster (whose capacity
    /// providers it uses).
    ///
    /// **Default:** nothing beyond its references.
    pub depends_on: Vec<Construct>,
    /// The VPC of the tasks.
    pub vpc_id: Token,
    /// The subnets of the tasks (private ones); at least one.
    pub subnet_ids: Vec<Token>,
    /// Task CPU units; with `memory`, a size Fargate accepts.
    ///
    /// **Default:** 512.
    pub cpu: u32,
    /// Task memory in MiB.
    ///
    /// **Default:** 1024.
    pub memory: u32,
    /// CPU units the app container needs.
    ///
    /// **Default:** whatever the sidecars leave of the task's cpu.
    pub container_cpu: Option<u32>,
    /// MiB the app container needs.
    ///
    /// **Default:** whatever the sidecars leave of the task's memory.
    pub container_memory: Option<u32>,
    /// The app container's image.
    pub image: Token,
    /// The app container's name.
    ///
    /// **Default:** `app`.
    pub container_name: String,
    /// Ports the app container listens on (TCP).
    ///
    /// **Default:** none.
    pub ports: Vec<u16>,
    /// Plain environment variables of the app container. Never put a secret here: use
    /// `secrets`.
    ///
    /// **Default:** none.
    pub environment: IndexMap<String, Token>,
    /// Secrets injected as environment variables of the app container.
    ///
    /// **Default:** none.
    pub secrets: Vec<ContainerSecret>,
    /// Docker labels of the app container (Datadog autodiscovery reads them).
    ///
    /// **Default:** none.
    pub docker_labels: IndexMap<String, String>,
    /// The app container's health check.
    ///
    /// **Default:** none; ECS watches only whether the process runs.
    pub health_check: Option<ContainerHealthCheck>,
    /// How many tasks run.
    ///
    /// **Default:** 1.
    pub desired_count: u32,
    /// On-demand or Spot capacity.
    ///
    /// **Default:** [`CapacityProvider::Fargate`].
    pub capacity_provider: CapacityProvider,
    /// Lower and upper limits of running tasks during a deployment, in percent of
    /// `desired_count`.
    ///
    /// **Default:** 100 and 200 (a new task starts before the old one stops).
    pub deployment_percent: (u32, u32),
    /// Days CloudWatch keeps this service's logs.
    ///
    /// **Default:** 30.
    pub log_retention_days: u32,
    /// The Datadog agent and log routing.
    pub datadog: DatadogProps,
    /// Registers the tasks in a Cloud Map namespace under this name (an A record per task,
    /// healthy while ECS sees the task healthy): `(namespace id, service name)`.
    ///
    /// **Default:** not registered.
    pub cloud_map: Option<(Token, String)>,
    /// Registers the app container's `port` as targets of a load balancer listener; the
    /// load balancer is let in on that port and the service waits for the listener.
    ///
    /// **Default:** not behind a load balancer.
    pub load_balancer: Option<(AlbTarget, u16)>,
    /// Seconds ECS ignores failing load balancer and container health checks after a task
    /// starts.
    ///
    /// **Default:** 120 when behind a load balancer, none otherwise.
    pub health_check_grace_seconds: Option<u32>,
}

impl FargateServiceWithDatadogProps {
    /// The props of a service given what it cannot do without, every other prop at its
    /// default; change others with struct update syntax (`..Props::new(...)`).
    pub fn new(
        cluster: Token,
        vpc_id: Token,
        subnet_ids: Vec<Token>,
        image: Token,
        datadog: DatadogProps,
    ) -> Self {
        FargateServiceWithDatadogProps {
            cluster,
            depends_on: Vec::new(),
            vpc_id,
            subnet_ids,
            cpu: 512,
            memory: 1024,
            container_cpu: None,
            container_memory: None,
            image,
            container_name: "app".into(),
            ports: Vec::new(),
            environment: IndexMap::new(),
            secrets: Vec::new(),
            docker_labels: IndexMap::new(),
            health_check: None,
            desired_count: 1,
            capacity_provider: CapacityProvider::Fargate,
            deployment_percent: (100, 200),
            log_retention_days: 30,
            datadog,
            cloud_map: None,
            load_balancer: None,
            health_check_grace_seconds: None,
        }
    }
}

/// CPU units and MiB the Datadog agent takes from each task.
pub const AGENT_SIZE: (u32, u32) = (128, 256);
/// CPU units and MiB the log router takes from each task.
pub const LOG_ROUTER_SIZE: (u32, u32) = (64, 128);
/// The least memory the app container may be left with, in MiB.
const MIN_APP_MEMORY: u32 = 128;

/// An ECS Fargate service with a Datadog agent sidecar and FireLens log routing.
///
/// Each task holds the app container, a non-essential Datadog agent (`ECS_FARGATE=true`, API key
/// from Secrets Manager, APM on 8126 and DogStatsD on 8125) and a FireLens log router that sends
/// the app container's stdout to Datadog's log intake. The execution role may read exactly the
/// secrets the containers reference; the deployment circuit breaker rolls back failed
/// deployments.
#[derive(Debug, Clone)]
pub struct FargateServiceWithDatadog {
    construct: Construct,
    service: Resource<CfnService>,
    task_definition: Resource<CfnTaskDefinition>,
    connections: Connections,
    discovery: Option<Resource<CfnDiscoveryService>>,
}

impl AsConstruct for FargateServiceWithDatadog {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl FargateServiceWithDatadog {
    /// Creates the service under `scope`.
    ///
    /// Fails when no subnet is given, when cpu and memory are not a Fargate size, or
    /// when the task is too small for the app container plus the sidecars (the error says by
    /// how much).
    pub fn new(
        scope: &impl AsConstruct,
        id: &str,
        props: FargateServiceWithDatadogProps,
    ) -> Result<Self> {
        let construct = Construct::new(scope, id)?;
        let path = construct.path();
        let fail =
            |property: &str, message: String| Error::invalid_props(path.clone(), property, message);
        let cluster = props.cluster.clone();
        let vpc_id = props.vpc_id.clone();
        let image = props.image.clone();
        let dd = props.datadog.clone();
        if props.subnet_ids.is_empty() {
            return Err(fail(
                "subnet_ids",
                "is empty: give at least one subnet for the tasks".into(),
            ));
        }
        fargate::check_task_size(props.cpu.into(), props.memory.into()).map_err(|e| {
            let property = match e {
                TaskSizeError::Cpu { .. } => "cpu",
                TaskSizeError::Memory { .. } => "memory",
            };
            fail(property, e.to_string())
        })?;
        let side_cpu = AGENT_SIZE.0 + LOG_ROUTER_SIZE.0;
        let side_memory = AGENT_SIZE.1 + LOG_ROUTER_SIZE.1;
        let app_cpu = props
            .container_cpu
            .unwrap_or(props.cpu.saturating_sub(side_cpu))
            .min(u32::MAX / 2);
        let app_memory = props
            .container_memory
            .unwrap_or(props.memory.saturating_sub(side_memory))
            .min(u32::MAX / 2);
        if app_memory < MIN_APP_MEMORY {
            return Err(fail(
                "container_memory",
                format!("{app_memory} MiB is below the {MIN_APP_MEMORY} MiB a container needs"),
            ));
        }
        if app_memory + side_memory > props.memory {
            return Err(fail(
                "memory",
                format!(
                    "{} MiB is {} MiB short: the app container needs {app_memory} MiB and the \
                     agent and log router {side_memory} MiB",
                    props.memory,
                    app_memory + side_memory - props.memory
                ),
            ));
        }
        if app_cpu == 0 || app_cpu + side_cpu > props.cpu {
            return Err(fail(
                "cpu",
                format!(
                    "{} units are {} short: the app container needs {} and the agent and log \
                     router {side_cpu}",
                    props.cpu,
                    (app_cpu.max(1) + side_cpu).saturating_sub(props.cpu),
                    app_cpu.max(1)
                ),
            ));
        }
        if props.desired_count > 100 {
            return Err(fail(
                "desired_count",
                format!("{} is above 100", props.desired_count),
            ));
        }

        let log_group = Resource::new(
            &construct,
            "Logs",
            CfnLogGroup::new().retention_in_days(i64::from(props.log_retention_days)),
        )?;
        let dd_secret_arn = cfn::sub(&format!(
            "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{}",
            dd.api_key_secret_name
        ));
        let dd_secret_pattern = cfn::sub(&format!(
            "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:\
             secret:{}-??????",
            dd.api_key_secret_name
        ));

        let execution_role = Resource::new(
            &construct,
            "ExecutionRole",
            CfnRole::new(assume_role("ecs-tasks.amazonaws.com"))
                .managed_policy_arns(vec![cfn::sub(
                    "arn:${AWS::Partition}:iam::aws:policy/service-role/\
                     AmazonECSTaskExecutionRolePolicy",
                )])
                .policies(vec![role::Policy::new(
                    read_secrets_policy(&props.secrets, dd_secret_pattern),
                    "ReadContainerSecrets",
                )]),
        )?;
        let task_role = Resource::new(
            &construct,
            "TaskRole",
            CfnRole::new(assume_role("ecs-tasks.amazonaws.com")),
        )?;

        let sidecar_logs = |prefix: &str| {
            td::LogConfiguration::new("awslogs").options(vec![
                ("awslogs-group", log_group.ref_()),
                ("awslogs-region", Token::from(Pseudo::Region)),
                ("awslogs-stream-prefix", Token::from(prefix)),
            ])
        };
        let mut app = td::ContainerDefinition::new(image, props.container_name.clone())
            .essential(true)
            .cpu(i64::from(app_cpu))
            .memory(i64::from(app_memory))
            .port_mappings(
                props
                    .ports
                    .iter()
                    .map(|p| {
                        td::PortMapping::new()
                            .container_port(i64::from(*p))
                            .protocol("tcp")
                    })
                    .collect::<Vec<_>>(),
            )
            .environment(
                props
                    .environment
                    .iter()
                    .map(|(k, v)| td::KeyValuePair::new().name(k.clone()).value(v.clone()))
                    .collect::<Vec<_>>(),
            )
            .secrets(
                props
                    .secrets
                    .iter()
                    .map(|s| td::Secret::new(s.env_name.clone(), value_from(s)))
                    .collect::<Vec<_>>(),
            )
            .log_configuration(
                td::LogConfiguration::new("awsfirelens")
                    .options(vec![
                        ("Name", "datadog".to_string()),
                        ("Host", format!("http-intake.logs.{}", dd.site)),
                        ("TLS", "on".to_string()),
                        ("provider", "ecs".to_string()),
                        ("dd_service", id.to_string()),
                        ("dd_source", props.container_name.clone()),
                        ("dd_tags", format!("env:{}", dd.env)),
                    ])
                    .secret_options(vec![td::Secret::new("apikey", dd_secret_arn.clone())]),
            )
            .depends_on(vec![td::ContainerDependency::new()
                .container_name("log-router")
                .condition("START")]);
        if !props.docker_labels.is_empty() {
            app = app.docker_labels(props.docker_labels.clone());
        }
        if let Some(hc) = &props.health_check {
            app = app.health_check(
                td::HealthCheck::new()
                    .command(vec!["CMD-SHELL".to_string(), hc.shell_command.clone()])
                    .interval(30)
                    .timeout(5)
                    .retries(3)
                    .start_period(i64::from(hc.start_period_seconds.min(300))),
            );
        }
        let mut agent = td::ContainerDefinition::new(dd.agent_image.clone(), "datadog-agent")
            .essential(false)
            .cpu(i64::from(AGENT_SIZE.0))
            .memory(i64::from(AGENT_SIZE.1))
            .port_mappings(vec![
                td::PortMapping::new().container_port(8125).protocol("udp"),
                td::PortMapping::new().container_port(8126).protocol("tcp"),
            ])
            .environment(vec![
                td::KeyValuePair::new().name("ECS_FARGATE").value("true"),
                td::KeyValuePair::new()
                    .name("DD_SITE")
                    .value(dd.site.clone()),
                td::KeyValuePair::new().name("DD_APM_ENABLED").value("true"),
                td::KeyValuePair::new()
                    .name("DD_DOGSTATSD_NON_LOCAL_TRAFFIC")
                    .value("true"),
                td::KeyValuePair::new().name("DD_ENV").value(dd.env.clone()),
                td::KeyValuePair::new().name("DD_SERVICE").value(id),
            ])
            .secrets(vec![td::Secret::new("DD_API_KEY", dd_secret_arn.clone())])
            .health_check(
                td::HealthCheck::new()
                    .command(vec!["CMD-SHELL", "agent health"])
                    .interval(30)
                    .timeout(5)
                    .retries(3)
                    .start_period(15),
            );
        let mut router = td::ContainerDefinition::new(dd.log_router_image.clone(), "log-router")
            .essential(true)
            .cpu(i64::from(LOG_ROUTER_SIZE.0))
            .memory(i64::from(LOG_ROUTER_SIZE.1))
            .firelens_configuration(
                td::FirelensConfiguration::new()
                    .type_("fluentbit")
                    .options(vec![("enable-ecs-log-metadata", "true")]),
            );
        if dd.keep_cloudwatch_logs {
            agent = agent.log_configuration(sidecar_logs("datadog-agent"));
            router = router.log_configuration(sidecar_logs("log-router"));
        }

        let task_definition = Resource::new(
            &construct,
            "TaskDefinition",
            CfnTaskDefinition::new()
                .family(format!("{}-{id}", dd.env))
                .requires_compatibilities(vec!["FARGATE"])
                .network_mode("awsvpc")
                .cpu(props.cpu.to_string())
                .memory(props.memory.to_string())
                .execution_role_arn(execution_role.attr_arn())
                .task_role_arn(task_role.attr_arn())
                .runtime_platform(
                    td::RuntimePlatform::new()
                        .cpu_architecture("X86_64")
                        .operating_system_family("LINUX"),
                )
                .container_definitions(vec![app, agent, router]),
        )?;

        let connections = Connections::new(
            &construct,
            "SecurityGroup",
            vpc_id,
            &format!("Tasks of {path}"),
        )?;

        let discovery = match &props.cloud_map {
            Some((namespace_id, name)) => Some(Resource::new(
                &construct,
                "Discovery",
                CfnDiscoveryService::new()
                    .name(name.clone())
                    .namespace_id(namespace_id.clone())
                    .dns_config(
                        sd::DnsConfig::new(vec![sd::DnsRecord::new(10, "A")])
                            .routing_policy("MULTIVALUE"),
                    )
                    .health_check_custom_config(
                        sd::HealthCheckCustomConfig::new().failure_threshold(1),
                    ),
            )?),
            None => None,
        };

        let (min_percent, max_percent) = props.deployment_percent;
        let mut svc = CfnService::new()
            .cluster(cluster)
            .task_definition(task_definition.ref_())
            .desired_count(i64::from(props.desired_count))
            .capacity_provider_strategy(vec![service::CapacityProviderStrategyItem::new()
                .capacity_provider(props.capacity_provider.name())
                .weight(1)])
            .network_configuration(
                service::NetworkConfiguration::new().awsvpc_configuration(
                    service::AwsVpcConfiguration::new()
                        .subnets(props.subnet_ids.clone())
                        .security_groups(vec![connections.security_group_id()])
                        .assign_public_ip("DISABLED"),
                ),
            )
            .deployment_configuration(
                service::DeploymentConfiguration::new()
                    .minimum_healthy_percent(i64::from(min_percent))
                    .maximum_percent(i64::from(max_percent))
                    .deployment_circuit_breaker(service::DeploymentCircuitBreaker::new(true, true)),
            )
            .propagate_tags("SERVICE")
            .enable_ecs_managed_tags(true);
        if let Some(d) = &discovery {
            svc = svc.service_registries(vec![
                service::ServiceRegistry::new().registry_arn(d.attr_arn())
            ]);
        }
        let grace = props
            .health_check_grace_seconds
            .or(props.load_balancer.as_ref().map(|_| 120));
        if let Some((target, port)) = &props.load_balancer {
            if !props.ports.contains(port) {
                return Err(fail(
                    "load_balancer",
                    format!(
                        "port {port} is not one of the app container's ports ({:?})",
                        props.ports
                    ),
                ));
            }
            svc = svc.load_balancers(vec![service::LoadBalancer::new()
                .container_name(props.container_name.clone())
                .container_port(i64::from(*port))
                .target_group_arn(target.target_group_arn())]);
            connections.allow_from(
                target.load_balancer_connections(),
                Port::tcp(*port),
                "from the load balancer",
            )?;
        }
        if let Some(g) = grace {
            svc = svc.health_check_grace_period_seconds(i64::from(g));
        }
        let service = Resource::new(&construct, "Service", svc)?;
        if let Some((target, _)) = &props.load_balancer {
            service.add_dependency(target.listener());
        }
        for dep in &props.depends_on {
            service.add_dependency(dep);
        }
        Ok(FargateServiceWithDatadog {
            construct,
            service,
            task_definition,
            connections,
            discovery,
        })
    }

    /// The tasks' security group.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// The ECS service.
    pub fn service(&self) -> &Resource<CfnService> {
        &self.service
    }

    /// The task definition.
    pub fn task_definition(&self) -> &Resource<CfnTaskDefinition> {
        &self.task_definition
    }

    /// The Cloud Map service the tasks register in, when registered.
    pub fn discovery(&self) -> Option<&Resource<CfnDiscoveryService>> {
        self.discovery.as_ref()
    }
}

fn assume_role(service: &str) -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole",
        }],
    })
}

fn value_from(secret: &ContainerSecret) -> Token {
    match &secret.json_key {
        Some(key) => cfn::sub_with(
            &format!("${{Secret}}:{key}::"),
            [("Secret", secret.secret_arn.clone())],
        ),
        None => secret.secret_arn.clone(),
    }
}

fn read_secrets_policy(secrets: &[ContainerSecret], datadog_pattern: Token) -> serde_json::Value {
    let mut resources: Vec<serde_json::Value> = Vec::new();
    for s in secrets {
        let arn = s.secret_arn.as_json().clone();
        if !resources.contains(&arn) {
            resources.push(arn);
        }
    }
    resources.push(datadog_pattern.as_json().clone());
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": resources,
        }],
    })
}
