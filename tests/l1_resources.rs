//! Typed L1 resources serialize to the CloudFormation JSON their schemas describe: exact property
//! names, absent optionals left out, intrinsics anywhere, nested property types, attributes, and
//! property overrides on typed resources.

use serde_json::{json, Value as Json};
use stackcraft::resources::ec2::{
    security_group, subnet, vpc, CfnSecurityGroup, CfnSecurityGroupIngress, CfnSubnet, CfnVpc,
};
use stackcraft::resources::ecs::{service, task_definition as td, CfnService, CfnTaskDefinition};
use stackcraft::resources::elasticloadbalancingv2::{
    listener, load_balancer, target_group, CfnListener, CfnLoadBalancer, CfnTargetGroup,
};
use stackcraft::resources::rds::CfnDbInstance;
use stackcraft::{App, CfnResource, Resource, Stack, StackProps, Token, Value};

fn stack() -> (App, Stack) {
    let app = App::new();
    let stack = Stack::new(&app, "L1", StackProps::default()).unwrap();
    (app, stack)
}

/// The synthesized `Resources`, without the `aws:cdk:path` metadata.
fn resources(app: &App) -> Json {
    let synthesis = app.synth(&Default::default()).unwrap();
    let mut resources = synthesis.assembly.stacks[0].template["Resources"].clone();
    for r in resources.as_object_mut().unwrap().values_mut() {
        r.as_object_mut().unwrap().remove("Metadata");
    }
    resources
}

#[test]
fn vpc_subnet_and_security_group_synthesize_with_references() {
    let (app, stack) = stack();
    let vpc = Resource::new(
        &stack,
        "Vpc",
        CfnVpc::new()
            .cidr_block("10.0.0.0/16")
            .enable_dns_hostnames(true)
            .enable_dns_support(true)
            .tags(vec![vpc::Tag::new("Name", "main")]),
    )
    .unwrap();
    let az = Token::raw(json!({ "Fn::Select": [0, { "Fn::GetAZs": "" }] }));
    Resource::new(
        &stack,
        "Subnet",
        CfnSubnet::new(vpc.ref_())
            .cidr_block("10.0.0.0/24")
            .availability_zone(az)
            .map_public_ip_on_launch(false)
            .tags(vec![subnet::Tag::new("Tier", "private")]),
    )
    .unwrap();
    let sg = Resource::new(
        &stack,
        "Web",
        CfnSecurityGroup::new("web servers")
            .vpc_id(vpc.ref_())
            .security_group_ingress(vec![security_group::Ingress::new("tcp")
                .from_port(443)
                .to_port(443)
                .cidr_ip("0.0.0.0/0")
                .description("https")])
            .security_group_egress(vec![security_group::Egress::new("-1").cidr_ip("0.0.0.0/0")]),
    )
    .unwrap();
    Resource::new(
        &stack,
        "FromDefault",
        CfnSecurityGroupIngress::new("tcp")
            .group_id(sg.attr_group_id())
            .source_security_group_id(vpc.attr_default_security_group())
            .from_port(8080)
            .to_port(8080),
    )
    .unwrap();
    assert_eq!(
        resources(&app),
        json!({
            "Vpc": {
                "Type": "AWS::EC2::VPC",
                "Properties": {
                    "CidrBlock": "10.0.0.0/16",
                    "EnableDnsHostnames": true,
                    "EnableDnsSupport": true,
                    "Tags": [{ "Key": "Name", "Value": "main" }]
                }
            },
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "AvailabilityZone": { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
                    "CidrBlock": "10.0.0.0/24",
                    "MapPublicIpOnLaunch": false,
                    "Tags": [{ "Key": "Tier", "Value": "private" }],
                    "VpcId": { "Ref": "Vpc" }
                }
            },
            "Web": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "web servers",
                    "SecurityGroupEgress": [{ "CidrIp": "0.0.0.0/0", "IpProtocol": "-1" }],
                    "SecurityGroupIngress": [{
                        "CidrIp": "0.0.0.0/0",
                        "Description": "https",
                        "FromPort": 443,
                        "IpProtocol": "tcp",
                        "ToPort": 443
                    }],
                    "VpcId": { "Ref": "Vpc" }
                }
            },
            "FromDefault": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "FromPort": 8080,
                    "GroupId": { "Fn::GetAtt": ["Web", "GroupId"] },
                    "IpProtocol": "tcp",
                    "SourceSecurityGroupId": { "Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"] },
                    "ToPort": 8080
                }
            }
        })
    );
}

#[test]
fn db_instance_serializes_its_properties_and_dotted_attributes() {
    let db = CfnDbInstance::new()
        .engine("mysql")
        .engine_version("8.0.39")
        .db_instance_class("db.t4g.micro")
        .allocated_storage("20")
        .master_username("admin")
        .manage_master_user_password(true)
        .storage_encrypted(true)
        .multi_az(false)
        .vpc_security_groups(vec![Token::raw(json!({ "Fn::GetAtt": ["Sg", "GroupId"] }))])
        .db_subnet_group_name(Token::raw(json!({ "Ref": "Subnets" })));
    assert_eq!(db.cfn_type(), "AWS::RDS::DBInstance");
    assert_eq!(
        serde_json::to_value(&db).unwrap(),
        json!({
            "AllocatedStorage": "20",
            "DBInstanceClass": "db.t4g.micro",
            "DBSubnetGroupName": { "Ref": "Subnets" },
            "Engine": "mysql",
            "EngineVersion": "8.0.39",
            "ManageMasterUserPassword": true,
            "MasterUsername": "admin",
            "MultiAZ": false,
            "StorageEncrypted": true,
            "VPCSecurityGroups": [{ "Fn::GetAtt": ["Sg", "GroupId"] }]
        })
    );

    let (app, stack) = stack();
    let db = Resource::new(&stack, "Db", CfnDbInstance::new().engine("mysql")).unwrap();
    let outputs = stackcraft::Output::new(
        &stack,
        "Endpoint",
        stackcraft::OutputProps::new(db.attr_endpoint_address()),
    );
    outputs.unwrap();
    let synthesis = app.synth(&Default::default()).unwrap();
    assert_eq!(
        synthesis.assembly.stacks[0].template["Outputs"]["Endpoint"]["Value"],
        json!({ "Fn::GetAtt": ["Db", "Endpoint.Address"] })
    );
}

#[test]
fn task_definition_with_container_definitions_and_secrets() {
    let container = td::ContainerDefinition::new("nginx:1.27", "web")
        .essential(true)
        .port_mappings(vec![td::PortMapping::new()
            .container_port(80)
            .protocol("tcp")])
        .environment(vec![td::KeyValuePair::new().name("MODE").value("prod")])
        .secrets(vec![td::Secret::new(
            "DB_PASSWORD",
            Token::raw(json!({ "Fn::Sub": "${Secret}:password::" })),
        )])
        .log_configuration(td::LogConfiguration::new("awslogs").options(vec![
            (
                "awslogs-group",
                Value::from(Token::raw(json!({ "Ref": "Logs" }))),
            ),
            ("awslogs-stream-prefix", Value::from("web")),
        ]));
    let sidecar = td::ContainerDefinition::new("datadog/agent:7", "agent").essential(false);
    let task = CfnTaskDefinition::new()
        .family("web")
        .cpu("256")
        .memory("512")
        .network_mode("awsvpc")
        .requires_compatibilities(vec!["FARGATE"])
        .execution_role_arn(Token::raw(json!({ "Fn::GetAtt": ["ExecRole", "Arn"] })))
        .container_definitions(vec![container, sidecar]);
    assert_eq!(
        serde_json::to_value(&task).unwrap(),
        json!({
            "ContainerDefinitions": [
                {
                    "Environment": [{ "Name": "MODE", "Value": "prod" }],
                    "Essential": true,
                    "Image": "nginx:1.27",
                    "LogConfiguration": {
                        "LogDriver": "awslogs",
                        "Options": {
                            "awslogs-group": { "Ref": "Logs" },
                            "awslogs-stream-prefix": "web"
                        }
                    },
                    "Name": "web",
                    "PortMappings": [{ "ContainerPort": 80, "Protocol": "tcp" }],
                    "Secrets": [{
                        "Name": "DB_PASSWORD",
                        "ValueFrom": { "Fn::Sub": "${Secret}:password::" }
                    }]
                },
                { "Essential": false, "Image": "datadog/agent:7", "Name": "agent" }
            ],
            "Cpu": "256",
            "ExecutionRoleArn": { "Fn::GetAtt": ["ExecRole", "Arn"] },
            "Family": "web",
            "Memory": "512",
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"]
        })
    );
}

#[test]
fn service_with_load_balancers_and_capacity_provider_strategy() {
    let svc = CfnService::new()
        .cluster(Token::raw(json!({ "Ref": "Cluster" })))
        .task_definition(Token::raw(json!({ "Ref": "Task" })))
        .desired_count(2)
        .capacity_provider_strategy(vec![
            service::CapacityProviderStrategyItem::new()
                .capacity_provider("FARGATE")
                .base(1)
                .weight(1),
            service::CapacityProviderStrategyItem::new()
                .capacity_provider("FARGATE_SPOT")
                .weight(3),
        ])
        .load_balancers(vec![service::LoadBalancer::new()
            .container_name("web")
            .container_port(80)
            .target_group_arn(Token::raw(json!({ "Ref": "Targets" })))])
        .network_configuration(
            service::NetworkConfiguration::new().awsvpc_configuration(
                service::AwsVpcConfiguration::new()
                    .subnets(vec![
                        Token::raw(json!({ "Ref": "SubnetA" })),
                        Token::raw(json!({ "Ref": "SubnetB" })),
                    ])
                    .assign_public_ip("DISABLED"),
            ),
        )
        .deployment_configuration(
            service::DeploymentConfiguration::new()
                .minimum_healthy_percent(100)
                .maximum_percent(200),
        );
    assert_eq!(
        serde_json::to_value(&svc).unwrap(),
        json!({
            "CapacityProviderStrategy": [
                { "Base": 1, "CapacityProvider": "FARGATE", "Weight": 1 },
                { "CapacityProvider": "FARGATE_SPOT", "Weight": 3 }
            ],
            "Cluster": { "Ref": "Cluster" },
            "DeploymentConfiguration": { "MaximumPercent": 200, "MinimumHealthyPercent": 100 },
            "DesiredCount": 2,
            "LoadBalancers": [{
                "ContainerName": "web",
                "ContainerPort": 80,
                "TargetGroupArn": { "Ref": "Targets" }
            }],
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "AssignPublicIp": "DISABLED",
                    "Subnets": [{ "Ref": "SubnetA" }, { "Ref": "SubnetB" }]
                }
            },
            "TaskDefinition": { "Ref": "Task" }
        })
    );
}

#[test]
fn load_balancer_target_group_and_listener_wire_together() {
    let (app, stack) = stack();
    let alb = Resource::new(
        &stack,
        "Alb",
        CfnLoadBalancer::new()
            .type_("application")
            .scheme("internet-facing")
            .subnets(vec!["subnet-1", "subnet-2"])
            .security_groups(vec!["sg-1"])
            .load_balancer_attributes(vec![load_balancer::LoadBalancerAttribute::new()
                .key("idle_timeout.timeout_seconds")
                .value("60")]),
    )
    .unwrap();
    let targets = Resource::new(
        &stack,
        "Targets",
        CfnTargetGroup::new()
            .port(8080)
            .protocol("HTTP")
            .target_type("ip")
            .vpc_id("vpc-1")
            .health_check_path("/health")
            .matcher(target_group::Matcher::new().http_code("200-299")),
    )
    .unwrap();
    let forward = listener::Action::new("forward").target_group_arn(targets.ref_());
    Resource::new(
        &stack,
        "Https",
        CfnListener::new(vec![forward], alb.ref_())
            .port(443)
            .protocol("HTTPS")
            .certificates(vec![
                listener::Certificate::new().certificate_arn("arn:cert")
            ]),
    )
    .unwrap();
    let r = resources(&app);
    assert_eq!(
        r["Alb"]["Properties"],
        json!({
            "LoadBalancerAttributes": [{ "Key": "idle_timeout.timeout_seconds", "Value": "60" }],
            "Scheme": "internet-facing",
            "SecurityGroups": ["sg-1"],
            "Subnets": ["subnet-1", "subnet-2"],
            "Type": "application"
        })
    );
    assert_eq!(
        r["Targets"]["Properties"],
        json!({
            "HealthCheckPath": "/health",
            "Matcher": { "HttpCode": "200-299" },
            "Port": 8080,
            "Protocol": "HTTP",
            "TargetType": "ip",
            "VpcId": "vpc-1"
        })
    );
    assert_eq!(
        r["Https"],
        json!({
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "Certificates": [{ "CertificateArn": "arn:cert" }],
                "DefaultActions": [{ "TargetGroupArn": { "Ref": "Targets" }, "Type": "forward" }],
                "LoadBalancerArn": { "Ref": "Alb" },
                "Port": 443,
                "Protocol": "HTTPS"
            }
        })
    );
}

#[test]
fn intrinsics_stand_for_whole_lists_or_single_items() {
    let whole = CfnSecurityGroup::new("x")
        .security_group_ingress(Token::raw(json!({ "Fn::If": ["Open", [], []] })));
    assert_eq!(
        serde_json::to_value(&whole).unwrap()["SecurityGroupIngress"],
        json!({ "Fn::If": ["Open", [], []] })
    );
    let items: Vec<Value<String>> = vec!["a".into(), Token::raw(json!({ "Ref": "B" })).into()];
    let alb = CfnLoadBalancer::new().subnets(items);
    assert_eq!(
        serde_json::to_value(&alb).unwrap(),
        json!({ "Subnets": ["a", { "Ref": "B" }] })
    );
}

#[test]
fn property_overrides_apply_to_typed_resources() {
    let (app, stack) = stack();
    let vpc = Resource::new(
        &stack,
        "Vpc",
        CfnVpc::new()
            .cidr_block("10.0.0.0/16")
            .enable_dns_support(true)
            .tags(vec![vpc::Tag::new("Name", "main")]),
    )
    .unwrap();
    vpc.add_property_override("Tags.0.Value", "renamed");
    vpc.add_property_override("InstanceTenancy", "dedicated");
    vpc.add_property_override("EnableDnsHostnames", true);
    vpc.add_property_override("Ipv4NetmaskLength", json!({ "Ref": "AWS::NoValue" }));
    vpc.add_property_deletion_override("EnableDnsSupport");
    assert_eq!(
        resources(&app)["Vpc"]["Properties"],
        json!({
            "CidrBlock": "10.0.0.0/16",
            "Tags": [{ "Key": "Name", "Value": "renamed" }],
            "InstanceTenancy": "dedicated",
            "EnableDnsHostnames": true,
            "Ipv4NetmaskLength": { "Ref": "AWS::NoValue" }
        })
    );
}

#[test]
fn property_overrides_are_validated_at_synth() {
    let (app, stack) = stack();
    let vpc = Resource::new(&stack, "Vpc", CfnVpc::new().cidr_block("10.0.0.0/16")).unwrap();
    vpc.add_property_override("CidrBlok", "10.1.0.0/16");
    vpc.add_property_override("EnableDnsSupport", "maybe");
    let failure = app.synth(&Default::default()).unwrap_err();
    let text = failure.to_string();
    assert!(text.contains("CidrBlok"), "{text}");
    assert!(text.contains("EnableDnsSupport"), "{text}");
}
