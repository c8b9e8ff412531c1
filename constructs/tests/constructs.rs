//! Construction-time checks and wiring of the reusable constructs.

use stackcraft::{App, ErrorKind, Stack, StackProps, Token};
use stackcraft_constructs::{
    DatadogProps, FargateServiceWithDatadog, FargateServiceWithDatadogProps, MysqlDb, MysqlDbProps,
    NatGateways, Network, NetworkProps, Port, PublicAlb, PublicAlbProps,
};

fn stack() -> (App, Stack) {
    let app = App::new();
    let stack = Stack::new(&app, "Test", StackProps::default()).unwrap();
    (app, stack)
}

fn datadog() -> DatadogProps {
    DatadogProps {
        site: "datadoghq.com".into(),
        api_key_secret_name: "dd/api-key".into(),
        agent_image: "public.ecr.aws/datadog/agent:7.59.0".into(),
        log_router_image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4".into(),
        env: "test".into(),
        keep_cloudwatch_logs: true,
    }
}

fn property_error(err: stackcraft::Error) -> (String, String) {
    match err.kind() {
        ErrorKind::InvalidProps { property, message } => (property.clone(), message.clone()),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn network_needs_two_zones_and_says_why() {
    let (_app, stack) = stack();
    let err = Network::new(
        &stack,
        "Net",
        NetworkProps {
            max_azs: 1,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.path(), "Test/Net");
    let (property, message) = property_error(err);
    assert_eq!(property, "max_azs");
    assert!(message.contains("two availability zones"), "{message}");
}

#[test]
fn network_refuses_blocks_a_vpc_cannot_have() {
    let cases = [
        ("10.0.0.0/8", 20, "cidr", "from /16"),
        ("10.0.0.0/29", 20, "cidr", "from /16"),
        ("10.0.0.1/16", 20, "cidr", "host bits"),
        ("10.0.0.0/16", 30, "subnet_prefix", "from /16 to /28"),
    ];
    for (cidr, subnet_prefix, expected_property, expected) in cases {
        let (_app, stack) = stack();
        let err = Network::new(
            &stack,
            "Net",
            NetworkProps {
                cidr: cidr.into(),
                subnet_prefix,
                ..Default::default()
            },
        )
        .unwrap_err();
        let (property, message) = property_error(err);
        assert_eq!(property, expected_property, "{cidr}");
        assert!(message.contains(expected), "{cidr}: {message}");
    }
}

#[test]
fn network_computes_subnets_and_nat_per_zone() {
    let (app, stack) = stack();
    Network::new(
        &stack,
        "Net",
        NetworkProps {
            max_azs: 3,
            nat_gateways: NatGateways::PerAz,
            ..Default::default()
        },
    )
    .unwrap();
    let s = app.synth(&Default::default()).unwrap();
    let t = &s.assembly.stacks[0].template["Resources"];
    let of = |ty: &str| {
        t.as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == ty)
            .count()
    };
    assert_eq!(of("AWS::EC2::Subnet"), 6);
    assert_eq!(of("AWS::EC2::NatGateway"), 3);
    let cidrs: Vec<&str> = t
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::Subnet")
        .map(|r| r["Properties"]["CidrBlock"].as_str().unwrap())
        .collect();
    assert!(
        cidrs.contains(&"10.0.0.0/20") && cidrs.contains(&"10.0.80.0/20"),
        "{cidrs:?}"
    );
}

#[test]
fn network_rejects_a_range_too_small_for_its_subnets() {
    let (_app, stack) = stack();
    let err = Network::new(
        &stack,
        "Net",
        NetworkProps {
            cidr: "10.0.0.0/22".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    let (property, message) = property_error(err);
    assert_eq!(property, "subnet_prefix");
    assert!(message.contains("10.0.0.0/22"), "{message}");
}

#[test]
fn fargate_service_checks_the_task_size_at_construction() {
    let (_app, stack) = stack();
    let base = || {
        FargateServiceWithDatadogProps::new(
            Token::from("c"),
            Token::from("vpc"),
            vec![Token::from("s1")],
            Token::from("app:1"),
            datadog(),
        )
    };
    let cases = [
        ("PairWrong", 256, 4096, None, "memory", "512, 1024, 2048"),
        ("OddCpu", 300, 1024, None, "cpu", "256, 512, 1024"),
        ("Small", 256, 512, Some(256), "memory", "MiB short"),
    ];
    for (id, cpu, memory, container_memory, expected, text) in cases {
        let props = FargateServiceWithDatadogProps {
            cpu,
            memory,
            container_memory,
            ..base()
        };
        let err = FargateServiceWithDatadog::new(&stack, id, props).unwrap_err();
        let (property, message) = property_error(err);
        assert_eq!(property, expected, "{id}: {message}");
        assert!(message.contains(text), "{id}: {message}");
    }
    let props = FargateServiceWithDatadogProps {
        subnet_ids: Vec::new(),
        ..base()
    };
    let err = FargateServiceWithDatadog::new(&stack, "NoSubnets", props).unwrap_err();
    assert_eq!(property_error(err).0, "subnet_ids");
}

#[test]
fn database_and_service_are_wired_by_reference() {
    let (app, stack) = stack();
    let net = Network::new(&stack, "Net", NetworkProps::default()).unwrap();
    let db = MysqlDb::new(
        &stack,
        "Db",
        MysqlDbProps::new(net.vpc_id(), net.private_subnet_ids(), "8.0.45"),
    )
    .unwrap();
    let alb = PublicAlb::new(
        &stack,
        "Alb",
        PublicAlbProps {
            allowed_cidrs: vec!["0.0.0.0/0".into()],
            ..PublicAlbProps::new(net.vpc_id(), net.public_subnet_ids())
        },
    )
    .unwrap();
    let target = alb.add_listener(80, 8080, Default::default()).unwrap();
    let svc = FargateServiceWithDatadog::new(
        &stack,
        "Svc",
        FargateServiceWithDatadogProps {
            ports: vec![8080],
            load_balancer: Some((target, 8080)),
            ..FargateServiceWithDatadogProps::new(
                Token::from("cluster"),
                net.vpc_id(),
                net.private_subnet_ids(),
                Token::from("app:1"),
                datadog(),
            )
        },
    )
    .unwrap();
    db.connections()
        .allow_from(svc.connections(), MysqlDb::PORT, "app")
        .unwrap();
    let s = app.synth(&Default::default()).unwrap();
    assert!(s
        .annotations
        .iter()
        .any(|a| a.id == "stackcraft:alb-open-to-world"));
    let t = &s.assembly.stacks[0].template;
    let text = t.to_string();
    assert!(
        !text.contains("MasterUserPassword\":\""),
        "no literal password"
    );
    let service = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::ECS::Service")
        .unwrap();
    let depends: Vec<&str> = service["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        depends
            .iter()
            .any(|d| d.starts_with("AlbListener80Listener")),
        "{depends:?}"
    );
    let ingress_ports: Vec<i64> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .map(|r| r["Properties"]["FromPort"].as_i64().unwrap())
        .collect();
    assert!(
        ingress_ports.contains(&3306) && ingress_ports.contains(&8080),
        "{ingress_ports:?}"
    );
    let _ = Port::tcp(1);
}

#[test]
fn database_requires_a_full_engine_version() {
    let (_app, stack) = stack();
    let err = MysqlDb::new(
        &stack,
        "Db",
        MysqlDbProps::new(
            Token::from("vpc"),
            vec![Token::from("a"), Token::from("b")],
            "8.0",
        ),
    )
    .unwrap_err();
    let (property, message) = property_error(err);
    assert_eq!(property, "engine_version");
    assert!(
        message.contains("8.0.39") || message.contains("major.minor.patch"),
        "{message}"
    );
}
