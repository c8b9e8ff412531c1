//! Synthetic apps of any size, for the benchmarks and `examples/scale.rs`.
//!
//! A generated stack holds the default app's resource types in the default app's proportions
//! (counted from the app itself, so the mix follows the app as it changes), each built with its
//! typed L1 resource and properties shaped like the ones the real constructs set. Resources are
//! created in dependency order and reference each other the way the app's do (`Ref`,
//! `Fn::GetAtt`, `DependsOn`), so synthesis resolves and validates the same kind of template at
//! any size.

use serde_json::json;
use stackcraft::intrinsic as cfn;
use stackcraft::resources::ec2::{
    security_group, vpc, CfnEip, CfnInternetGateway, CfnNatGateway, CfnRoute, CfnRouteTable,
    CfnSecurityGroup, CfnSecurityGroupIngress, CfnSubnet, CfnSubnetRouteTableAssociation, CfnVpc,
    CfnVpcGatewayAttachment,
};
use stackcraft::resources::ecr::{repository, CfnRepository};
use stackcraft::resources::ecs::{
    cluster, service, task_definition as td, CfnCluster, CfnService, CfnTaskDefinition,
};
use stackcraft::resources::elasticloadbalancingv2::{
    listener, load_balancer, target_group, CfnListener, CfnLoadBalancer, CfnTargetGroup,
};
use stackcraft::resources::iam::{role, CfnRole};
use stackcraft::resources::logs::CfnLogGroup;
use stackcraft::resources::rds::{CfnDbInstance, CfnDbSubnetGroup};
use stackcraft::resources::secretsmanager::{secret, CfnSecret};
use stackcraft::resources::servicediscovery::{
    service as sd, CfnPrivateDnsNamespace, CfnService as CfnDiscoveryService,
};
use stackcraft::{App, AsConstruct, Construct, DeletionPolicy, Resource, Stack, StackProps, Token};
use stackcraft_constructs::{Network, NetworkProps};

#[path = "mix.rs"]
mod mix;
pub use mix::{default_app_mix, scale_mix, Kind};

/// What a generated stack may reference in another stack: these become cross-stack references
/// (an export in the producer, `Fn::ImportValue` here).
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    /// Used by every resource that needs a VPC.
    pub vpc: Option<Token>,
    /// Used by every resource that needs subnets.
    pub subnets: Vec<Token>,
    /// The source of the first security group rule.
    pub security_group: Option<Token>,
}

/// The resources a generated stack made, by kind, for later kinds to reference.
#[derive(Default)]
struct Made {
    vpcs: Vec<Resource<CfnVpc>>,
    gateways: Vec<Resource<CfnInternetGateway>>,
    attachments: Vec<Resource<CfnVpcGatewayAttachment>>,
    subnets: Vec<Resource<CfnSubnet>>,
    route_tables: Vec<Resource<CfnRouteTable>>,
    eips: Vec<Resource<CfnEip>>,
    nats: Vec<Resource<CfnNatGateway>>,
    groups: Vec<Resource<CfnSecurityGroup>>,
    roles: Vec<Resource<CfnRole>>,
    log_groups: Vec<Resource<CfnLogGroup>>,
    repositories: Vec<Resource<CfnRepository>>,
    secrets: Vec<Resource<CfnSecret>>,
    subnet_groups: Vec<Resource<CfnDbSubnetGroup>>,
    clusters: Vec<Resource<CfnCluster>>,
    namespaces: Vec<Resource<CfnPrivateDnsNamespace>>,
    discovery: Vec<Resource<CfnDiscoveryService>>,
    load_balancers: Vec<Resource<CfnLoadBalancer>>,
    target_groups: Vec<Resource<CfnTargetGroup>>,
    listeners: Vec<Resource<CfnListener>>,
    task_definitions: Vec<Resource<CfnTaskDefinition>>,
}

/// The `i`-th made resource of a kind, cycling; `None` when none was made.
fn pick<T>(made: &[Resource<T>], i: usize) -> Option<&Resource<T>> {
    (!made.is_empty()).then(|| &made[i % made.len()])
}

/// A literal id for a reference whose target kind got no resource in a small stack.
fn literal(prefix: &str, i: usize) -> Token {
    Token::from(format!("{prefix}-{i:017x}"))
}

/// Adds `counts` resources under `scope`: the `j`-th resource of each kind under the scope
/// `Slice{j}`, so paths have the depth of the app's constructs and every id is distinct.
/// Returns the first security group's id, for a stack downstream to reference.
pub fn add_resources(
    scope: &impl AsConstruct,
    counts: &[(Kind, usize)],
    upstream: &Upstream,
) -> stackcraft::Result<Option<Token>> {
    let mut slices: Vec<Construct> = Vec::new();
    let mut made = Made::default();
    let azs = Stack::of(scope)
        .expect("generated resources live in a stack")
        .availability_zones(2);
    for &(kind, count) in counts {
        for j in 0..count {
            if slices.len() <= j {
                slices.push(Construct::new(scope, &format!("Slice{j}"))?);
            }
            add_one(&slices[j], kind, j, &mut made, upstream, &azs)?;
        }
    }
    Ok(made.groups.first().map(|g| g.attr_group_id()))
}

fn add_one(
    scope: &Construct,
    kind: Kind,
    j: usize,
    made: &mut Made,
    upstream: &Upstream,
    azs: &[Token],
) -> stackcraft::Result<()> {
    let id = kind.label();
    let vpc = || match (&upstream.vpc, pick(&made.vpcs, j)) {
        (Some(up), _) => up.clone(),
        (None, Some(v)) => v.ref_(),
        (None, None) => literal("vpc", j),
    };
    let subnet = |k: usize| match (upstream.subnets.is_empty(), pick(&made.subnets, j + k)) {
        (false, _) => upstream.subnets[(j + k) % upstream.subnets.len()].clone(),
        (true, Some(s)) => s.ref_(),
        (true, None) => literal("subnet", j + k),
    };
    let group_id = |k: usize| match pick(&made.groups, j + k) {
        Some(g) => g.attr_group_id(),
        None => literal("sg", j + k),
    };
    let role_arn = |k: usize| match pick(&made.roles, j + k) {
        Some(r) => r.attr_arn(),
        None => Token::from(format!("arn:aws:iam::123456789012:role/role-{}", j + k)),
    };
    let path = scope.path();
    match kind {
        Kind::Vpc => made.vpcs.push(Resource::new(
            scope,
            &id,
            CfnVpc::new()
                .cidr_block(format!("10.{}.0.0/16", j % 256))
                .enable_dns_support(true)
                .enable_dns_hostnames(true)
                .tags(vec![vpc::Tag::new("Name", format!("{path}/Vpc"))]),
        )?),
        Kind::InternetGateway => {
            made.gateways
                .push(Resource::new(scope, &id, CfnInternetGateway::new())?)
        }
        Kind::GatewayAttachment => {
            let gateway = match pick(&made.gateways, j) {
                Some(g) => g.ref_(),
                None => literal("igw", j),
            };
            made.attachments.push(Resource::new(
                scope,
                &id,
                CfnVpcGatewayAttachment::new(vpc()).internet_gateway_id(gateway),
            )?);
        }
        Kind::Subnet => {
            // Inside its VPC: VPC `i` is 10.i.0.0/16; the upstream network leaves 10.0.128.0/17.
            let cidr = match (&upstream.vpc, made.vpcs.len()) {
                (Some(_), _) | (None, 0) => format!("10.0.{}.0/24", 128 + j % 128),
                (None, n) => format!("10.{}.{}.0/24", j % n, j / n % 256),
            };
            made.subnets.push(Resource::new(
                scope,
                &id,
                CfnSubnet::new(vpc())
                    .cidr_block(cidr)
                    .availability_zone(azs[j % azs.len()].clone())
                    .map_public_ip_on_launch(false),
            )?);
        }
        Kind::RouteTable => {
            made.route_tables
                .push(Resource::new(scope, &id, CfnRouteTable::new(vpc()))?)
        }
        Kind::RouteTableAssociation => {
            let table = match pick(&made.route_tables, j) {
                Some(t) => t.ref_(),
                None => literal("rtb", j),
            };
            Resource::new(
                scope,
                &id,
                CfnSubnetRouteTableAssociation::new(table, subnet(0)),
            )?;
        }
        Kind::Eip => {
            let eip = Resource::new(scope, &id, CfnEip::new().domain("vpc"))?;
            if let Some(a) = pick(&made.attachments, j) {
                eip.add_dependency(a);
            }
            made.eips.push(eip);
        }
        Kind::NatGateway => {
            let allocation = match pick(&made.eips, j) {
                Some(e) => e.attr_allocation_id(),
                None => literal("eipalloc", j),
            };
            made.nats.push(Resource::new(
                scope,
                &id,
                CfnNatGateway::new()
                    .subnet_id(subnet(0))
                    .allocation_id(allocation),
            )?);
        }
        Kind::Route => {
            let table = match pick(&made.route_tables, j) {
                Some(t) => t.ref_(),
                None => literal("rtb", j),
            };
            let route = CfnRoute::new(table).destination_cidr_block("0.0.0.0/0");
            let route = match pick(&made.nats, j) {
                Some(nat) => route.nat_gateway_id(nat.ref_()),
                None => route.gateway_id(literal("igw", j)),
            };
            let route = Resource::new(scope, &id, route)?;
            if let Some(a) = pick(&made.attachments, j) {
                route.add_dependency(a);
            }
        }
        Kind::SecurityGroup => made.groups.push(Resource::new(
            scope,
            &id,
            CfnSecurityGroup::new(format!("Tasks of {path}"))
                .vpc_id(vpc())
                .tags(vec![security_group::Tag::new(
                    "Name",
                    format!("{path}/SecurityGroup"),
                )]),
        )?),
        Kind::SecurityGroupIngress => {
            let source = match (j, &upstream.security_group) {
                (0, Some(up)) => up.clone(),
                _ => group_id(1),
            };
            let port = 7233 + (j % 7) as i64;
            Resource::new(
                scope,
                &id,
                CfnSecurityGroupIngress::new("tcp")
                    .group_id(group_id(0))
                    .source_security_group_id(source)
                    .from_port(port)
                    .to_port(port)
                    .description(format!("rule {j}")),
            )?;
        }
        Kind::Role => made.roles.push(Resource::new(
            scope,
            &id,
            CfnRole::new(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": { "Service": "ecs-tasks.amazonaws.com" },
                    "Action": "sts:AssumeRole",
                }],
            }))
            .managed_policy_arns(vec![cfn::sub(concat!(
                "arn:${AWS::Partition}:iam::aws:policy/",
                "service-role/AmazonECSTaskExecutionRolePolicy"
            ))])
            .policies(vec![role::Policy::new(
                json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": cfn::sub(&format!(
                            "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:\
                             ${{AWS::AccountId}}:secret:bench/{j}-??????"
                        )).as_json(),
                    }],
                }),
                "ReadContainerSecrets",
            )]),
        )?),
        Kind::LogGroup => made.log_groups.push(Resource::new(
            scope,
            &id,
            CfnLogGroup::new().retention_in_days(30),
        )?),
        Kind::Repository => {
            let repo = Resource::new(
                scope,
                &id,
                CfnRepository::new()
                    .repository_name(format!("bench/{}", path.to_lowercase().replace('/', "-")))
                    .image_tag_mutability("IMMUTABLE")
                    .image_scanning_configuration(
                        repository::ImageScanningConfiguration::new().scan_on_push(true),
                    ),
            )?;
            repo.set_deletion_policy(DeletionPolicy::Retain);
            repo.set_update_replace_policy(DeletionPolicy::Retain);
            made.repositories.push(repo);
        }
        Kind::Secret => {
            let secret = Resource::new(
                scope,
                &id,
                CfnSecret::new()
                    .description(format!("Master credentials of {path}"))
                    .generate_secret_string(
                        secret::GenerateSecretString::new()
                            .secret_string_template(r#"{"username":"temporal"}"#)
                            .generate_string_key("password")
                            .password_length(32)
                            .exclude_characters("\"@/\\ '"),
                    ),
            )?;
            secret.set_deletion_policy(DeletionPolicy::Retain);
            secret.set_update_replace_policy(DeletionPolicy::Retain);
            made.secrets.push(secret);
        }
        Kind::DbSubnetGroup => made.subnet_groups.push(Resource::new(
            scope,
            &id,
            CfnDbSubnetGroup::new(format!("Subnets of {path}"), vec![subnet(0), subnet(1)]),
        )?),
        Kind::DbInstance => {
            let resolve = |key: &str| match pick(&made.secrets, j) {
                Some(s) => cfn::sub_with(
                    &format!("{{{{resolve:secretsmanager:${{Secret}}:SecretString:{key}}}}}"),
                    [("Secret", s.ref_())],
                ),
                None => Token::from(format!("{key}-{j}")),
            };
            let subnet_group = match pick(&made.subnet_groups, j) {
                Some(g) => g.ref_(),
                None => literal("dbsubnet", j),
            };
            let db = Resource::new(
                scope,
                &id,
                CfnDbInstance::new()
                    .engine("mysql")
                    .engine_version("8.0.45")
                    .db_instance_class("db.t4g.medium")
                    .allocated_storage("20")
                    .storage_type("gp3")
                    .storage_encrypted(true)
                    .master_username(resolve("username"))
                    .master_user_password(resolve("password"))
                    .db_subnet_group_name(subnet_group)
                    .vpc_security_groups(vec![group_id(0)])
                    .backup_retention_period(7)
                    .publicly_accessible(false)
                    .copy_tags_to_snapshot(true),
            )?;
            db.set_deletion_policy(DeletionPolicy::Snapshot);
            db.set_update_replace_policy(DeletionPolicy::Snapshot);
        }
        Kind::Cluster => made.clusters.push(Resource::new(
            scope,
            &id,
            CfnCluster::new()
                .capacity_providers(vec!["FARGATE", "FARGATE_SPOT"])
                .default_capacity_provider_strategy(vec![
                    cluster::CapacityProviderStrategyItem::new()
                        .capacity_provider("FARGATE")
                        .weight(1),
                ])
                .cluster_settings(vec![cluster::ClusterSettings::new()
                    .name("containerInsights")
                    .value("enabled")]),
        )?),
        Kind::Namespace => made.namespaces.push(Resource::new(
            scope,
            &id,
            CfnPrivateDnsNamespace::new(format!("bench{j}")).vpc(vpc()),
        )?),
        Kind::DiscoveryService => {
            let namespace = match pick(&made.namespaces, j) {
                Some(n) => n.attr_id(),
                None => literal("ns", j),
            };
            made.discovery.push(Resource::new(
                scope,
                &id,
                CfnDiscoveryService::new()
                    .name(format!("service{j}"))
                    .namespace_id(namespace)
                    .dns_config(
                        sd::DnsConfig::new(vec![sd::DnsRecord::new(10, "A")])
                            .routing_policy("MULTIVALUE"),
                    )
                    .health_check_custom_config(
                        sd::HealthCheckCustomConfig::new().failure_threshold(1),
                    ),
            )?);
        }
        Kind::LoadBalancer => made.load_balancers.push(Resource::new(
            scope,
            &id,
            CfnLoadBalancer::new()
                .type_("application")
                .scheme("internet-facing")
                .subnets(vec![subnet(0), subnet(1)])
                .security_groups(vec![group_id(0)])
                .load_balancer_attributes(vec![load_balancer::LoadBalancerAttribute::new()
                    .key("routing.http.drop_invalid_header_fields.enabled")
                    .value("true")]),
        )?),
        Kind::TargetGroup => made.target_groups.push(Resource::new(
            scope,
            &id,
            CfnTargetGroup::new()
                .target_type("ip")
                .protocol("HTTP")
                .port(8080)
                .vpc_id(vpc())
                .health_check_enabled(true)
                .health_check_path("/healthz")
                .health_check_interval_seconds(30)
                .health_check_timeout_seconds(5)
                .healthy_threshold_count(2)
                .unhealthy_threshold_count(3)
                .matcher(target_group::Matcher::new().http_code("200-399"))
                .target_group_attributes(vec![target_group::TargetGroupAttribute::new()
                    .key("deregistration_delay.timeout_seconds")
                    .value("30")]),
        )?),
        Kind::Listener => {
            let target = match pick(&made.target_groups, j) {
                Some(t) => t.ref_(),
                None => Token::from(format!(
                    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t{j}/0"
                )),
            };
            let balancer = match pick(&made.load_balancers, j) {
                Some(b) => b.ref_(),
                None => Token::from(format!(
                    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/b{j}/0"
                )),
            };
            made.listeners.push(Resource::new(
                scope,
                &id,
                CfnListener::new(
                    vec![listener::Action::new("forward").target_group_arn(target)],
                    balancer,
                )
                .port(80 + j as i64)
                .protocol("HTTP"),
            )?);
        }
        Kind::TaskDefinition => {
            let log_group = match pick(&made.log_groups, j) {
                Some(l) => l.ref_(),
                None => Token::from(format!("/bench/{j}")),
            };
            let image = match pick(&made.repositories, j) {
                Some(r) => cfn::join("", [r.attr_repository_uri(), Token::from(":1.0.0")]),
                None => Token::from("temporalio/auto-setup:1.25.2"),
            };
            let app = td::ContainerDefinition::new(image, format!("app{j}"))
                .essential(true)
                .cpu(256)
                .memory(512)
                .port_mappings(vec![td::PortMapping::new()
                    .container_port(8080)
                    .protocol("tcp")])
                .environment(vec![
                    td::KeyValuePair::new()
                        .name("TEMPORAL_ADDRESS")
                        .value("frontend.temporal:7233"),
                    td::KeyValuePair::new().name("SLICE").value(j.to_string()),
                ])
                .log_configuration(td::LogConfiguration::new("awslogs").options(vec![
                    ("awslogs-group", log_group),
                    ("awslogs-region", Token::from(stackcraft::Pseudo::Region)),
                    ("awslogs-stream-prefix", Token::from("app")),
                ]))
                .depends_on(vec![td::ContainerDependency::new()
                    .container_name("log-router")
                    .condition("START")]);
            let agent = td::ContainerDefinition::new(
                "public.ecr.aws/datadog/agent:7.60.0",
                "datadog-agent",
            )
            .essential(false)
            .cpu(128)
            .memory(256)
            .environment(vec![
                td::KeyValuePair::new().name("ECS_FARGATE").value("true"),
                td::KeyValuePair::new()
                    .name("DD_SITE")
                    .value("datadoghq.eu"),
                td::KeyValuePair::new()
                    .name("DD_SERVICE")
                    .value(format!("app{j}")),
            ])
            .health_check(
                td::HealthCheck::new()
                    .command(vec!["CMD-SHELL", "agent health"])
                    .interval(30)
                    .timeout(5)
                    .retries(3)
                    .start_period(15),
            );
            let router = td::ContainerDefinition::new(
                "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4",
                "log-router",
            )
            .essential(true)
            .cpu(64)
            .memory(128)
            .firelens_configuration(
                td::FirelensConfiguration::new()
                    .type_("fluentbit")
                    .options(vec![("enable-ecs-log-metadata", "true")]),
            );
            made.task_definitions.push(Resource::new(
                scope,
                &id,
                CfnTaskDefinition::new()
                    .family(format!("bench-{j}"))
                    .requires_compatibilities(vec!["FARGATE"])
                    .network_mode("awsvpc")
                    .cpu("512")
                    .memory("1024")
                    .execution_role_arn(role_arn(0))
                    .task_role_arn(role_arn(1))
                    .runtime_platform(
                        td::RuntimePlatform::new()
                            .cpu_architecture("X86_64")
                            .operating_system_family("LINUX"),
                    )
                    .container_definitions(vec![app, agent, router]),
            )?);
        }
        Kind::EcsService => {
            let cluster = match pick(&made.clusters, j) {
                Some(c) => c.ref_(),
                None => Token::from(format!("cluster-{j}")),
            };
            let task = match pick(&made.task_definitions, j) {
                Some(t) => t.ref_(),
                None => Token::from(format!(
                    "arn:aws:ecs:us-east-1:123456789012:task-definition/bench-{j}:1"
                )),
            };
            let mut svc = CfnService::new()
                .cluster(cluster)
                .task_definition(task)
                .desired_count(1)
                .capacity_provider_strategy(vec![service::CapacityProviderStrategyItem::new()
                    .capacity_provider("FARGATE")
                    .weight(1)])
                .network_configuration(
                    service::NetworkConfiguration::new().awsvpc_configuration(
                        service::AwsVpcConfiguration::new()
                            .subnets(vec![subnet(0), subnet(1)])
                            .security_groups(vec![group_id(0)])
                            .assign_public_ip("DISABLED"),
                    ),
                )
                .deployment_configuration(
                    service::DeploymentConfiguration::new()
                        .minimum_healthy_percent(100)
                        .maximum_percent(200)
                        .deployment_circuit_breaker(service::DeploymentCircuitBreaker::new(
                            true, true,
                        )),
                )
                .propagate_tags("SERVICE")
                .enable_ecs_managed_tags(true);
            if let Some(d) = pick(&made.discovery, j) {
                svc = svc.service_registries(vec![
                    service::ServiceRegistry::new().registry_arn(d.attr_arn())
                ]);
            }
            let service = Resource::new(scope, &id, svc)?;
            if let Some(l) = pick(&made.listeners, j) {
                service.add_dependency(l);
            }
        }
    }
    Ok(())
}

/// Resources in one unit of a generated stack: the smallest size at which the default app's
/// proportions give every one of its types at least one resource.
pub const UNIT: usize = 50;

/// An app with one stack `Scale{total}` of `total` resources: units of [`UNIT`] resources in
/// the proportions of `mix`, each under its own scope `Unit{u}` and referencing only its own
/// resources, so a stack twice as large holds exactly twice the same resources; a last, smaller
/// unit when `total` is not a multiple of [`UNIT`].
pub fn stack_app(mix: &[(Kind, usize)], total: usize) -> App {
    let app = App::new();
    let stack = Stack::new(&app, &format!("Scale{total}"), StackProps::default())
        .expect("a valid stack id");
    let unit = scale_mix(mix, UNIT);
    let mut sizes = vec![UNIT; total / UNIT];
    if !total.is_multiple_of(UNIT) {
        sizes.push(total % UNIT);
    }
    for (u, size) in sizes.into_iter().enumerate() {
        let scope = Construct::new(&stack, &format!("Unit{u}")).expect("a valid id");
        let counts = if size == UNIT {
            unit.clone()
        } else {
            scale_mix(mix, size)
        };
        add_resources(&scope, &counts, &Upstream::default())
            .expect("generated resources are valid");
    }
    app
}

/// An app of `stacks` stacks: a network stack (the real `Network` construct) and stacks of
/// `counts` resources each, which read the network's VPC and private subnets and the previous
/// stack's first security group through cross-stack references.
pub fn multi_stack_app(stacks: usize, counts: &[(Kind, usize)]) -> App {
    let app = App::new();
    let network_stack =
        Stack::new(&app, "Network", StackProps::default()).expect("a valid stack id");
    let network = Network::new(&network_stack, "Network", NetworkProps::default())
        .expect("the default network is valid");
    let mut upstream = Upstream {
        vpc: Some(network.vpc_id()),
        subnets: network.private_subnet_ids(),
        security_group: None,
    };
    for i in 1..stacks {
        let stack =
            Stack::new(&app, &format!("Service{i}"), StackProps::default()).expect("a valid id");
        let group =
            add_resources(&stack, counts, &upstream).expect("generated resources are valid");
        if group.is_some() {
            upstream.security_group = group;
        }
    }
    app
}
