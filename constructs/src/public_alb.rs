//! `PublicAlb`: an internet-facing Application Load Balancer whose listeners forward to IP
//! target groups, reachable only from an explicit list of CIDR blocks.

use stackcraft::resources::elasticloadbalancingv2::{
    listener, load_balancer, target_group, CfnListener, CfnLoadBalancer, CfnTargetGroup,
};
use stackcraft::{AsConstruct, Construct, Error, Level, Resource, Result, Token};

use crate::connections::{Connections, Port};

/// Options of a [`PublicAlb`].
#[derive(Debug, Clone)]
pub struct PublicAlbProps {
    /// The VPC.
    pub vpc_id: Token,
    /// Public subnets in at least two zones.
    pub subnet_ids: Vec<Token>,
    /// Who may reach the listeners. There is no silent default to the whole internet:
    /// `0.0.0.0/0` must be listed to open a listener to everyone, and then synthesis warns.
    ///
    /// **Default:** nobody (the listeners are unreachable until a block is listed).
    pub allowed_cidrs: Vec<String>,
    /// Resources the load balancer waits for, such as the internet gateway attachment.
    ///
    /// **Default:** nothing beyond its references.
    pub depends_on: Vec<Construct>,
}

impl PublicAlbProps {
    /// The props of a load balancer in `vpc_id` over `subnet_ids`, reachable by nobody until
    /// `allowed_cidrs` is set (struct update syntax: `..PublicAlbProps::new(...)`).
    pub fn new(vpc_id: Token, subnet_ids: Vec<Token>) -> Self {
        PublicAlbProps {
            vpc_id,
            subnet_ids,
            allowed_cidrs: Vec::new(),
            depends_on: Vec::new(),
        }
    }
}

/// Health check of a target group.
#[derive(Debug, Clone)]
pub struct HealthCheck {
    /// The HTTP path probed.
    pub path: String,
    /// HTTP codes counted as healthy, such as `200` or `200-299`.
    pub healthy_codes: String,
    /// Seconds between probes (5 to 300).
    pub interval_seconds: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            path: "/".into(),
            healthy_codes: "200".into(),
            interval_seconds: 30,
        }
    }
}

/// A listener of a [`PublicAlb`] with its target group, to hand to a service.
#[derive(Debug, Clone)]
pub struct AlbTarget {
    listener: Resource<CfnListener>,
    target_group: Resource<CfnTargetGroup>,
    alb: Connections,
}

impl AlbTarget {
    /// The target group's ARN.
    pub fn target_group_arn(&self) -> Token {
        self.target_group.ref_()
    }

    /// The listener: a service behind it must wait for it.
    pub fn listener(&self) -> &Resource<CfnListener> {
        &self.listener
    }

    /// The load balancer's security group, to let it reach the targets.
    pub fn load_balancer_connections(&self) -> &Connections {
        &self.alb
    }
}

/// An internet-facing Application Load Balancer in public subnets.
#[derive(Debug, Clone)]
pub struct PublicAlb {
    construct: Construct,
    load_balancer: Resource<CfnLoadBalancer>,
    connections: Connections,
    vpc_id: Token,
    allowed_cidrs: Vec<String>,
}

impl AsConstruct for PublicAlb {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl PublicAlb {
    /// Creates the load balancer under `scope`.
    ///
    /// Fails when fewer than two subnets are given, when an allowed CIDR block is listed twice,
    /// or when one is not valid.
    pub fn new(scope: &impl AsConstruct, id: &str, props: PublicAlbProps) -> Result<Self> {
        let construct = Construct::new(scope, id)?;
        let path = construct.path();
        let vpc_id = props.vpc_id.clone();
        if props.subnet_ids.len() < 2 {
            return Err(Error::invalid_props(
                path,
                "subnet_ids",
                format!(
                    "got {} subnet(s); a load balancer needs public subnets in at least 2 zones",
                    props.subnet_ids.len()
                ),
            ));
        }
        for (i, cidr) in props.allowed_cidrs.iter().enumerate() {
            if props.allowed_cidrs[..i].contains(cidr) {
                return Err(Error::invalid_props(
                    path,
                    "allowed_cidrs",
                    format!("lists {cidr} twice; list each block once"),
                ));
            }
        }
        let connections = Connections::new(
            &construct,
            "SecurityGroup",
            vpc_id.clone(),
            &format!("Load balancer {path}: listeners open to the allowed CIDR blocks only"),
        )?;
        if props.allowed_cidrs.is_empty() {
            construct.annotate(
                Level::Warning,
                "stackcraft:alb-no-allowed-cidrs",
                "no allowed_cidrs: nobody can reach this load balancer's listeners",
            );
        }
        let load_balancer = Resource::new(
            &construct,
            "LoadBalancer",
            CfnLoadBalancer::new()
                .type_("application")
                .scheme("internet-facing")
                .subnets(props.subnet_ids.clone())
                .security_groups(vec![connections.security_group_id()])
                .load_balancer_attributes(vec![load_balancer::LoadBalancerAttribute::new()
                    .key("routing.http.drop_invalid_header_fields.enabled")
                    .value("true")]),
        )?;
        for dep in &props.depends_on {
            load_balancer.add_dependency(dep);
        }
        Ok(PublicAlb {
            construct,
            load_balancer,
            connections,
            vpc_id,
            allowed_cidrs: props.allowed_cidrs,
        })
    }

    /// Adds an HTTP listener on `port` forwarding to a new IP target group whose targets
    /// listen on `target_port`, and opens `port` to the allowed CIDR blocks.
    pub fn add_listener(
        &self,
        port: u16,
        target_port: u16,
        health_check: HealthCheck,
    ) -> Result<AlbTarget> {
        let scope = Construct::new(&self.construct, &format!("Listener{port}"))?;
        if !(5..=300).contains(&health_check.interval_seconds) {
            return Err(Error::invalid_props(
                scope.path(),
                "interval_seconds",
                format!(
                    "{} is out of range: 5 to 300 seconds",
                    health_check.interval_seconds
                ),
            ));
        }
        let target_group = Resource::new(
            &scope,
            "TargetGroup",
            CfnTargetGroup::new()
                .target_type("ip")
                .protocol("HTTP")
                .port(i64::from(target_port))
                .vpc_id(self.vpc_id.clone())
                .health_check_enabled(true)
                .health_check_path(health_check.path.clone())
                .health_check_interval_seconds(i64::from(health_check.interval_seconds))
                .health_check_timeout_seconds(5)
                .healthy_threshold_count(2)
                .unhealthy_threshold_count(3)
                .matcher(target_group::Matcher::new().http_code(health_check.healthy_codes))
                .target_group_attributes(vec![target_group::TargetGroupAttribute::new()
                    .key("deregistration_delay.timeout_seconds")
                    .value("30")]),
        )?;
        let listener = Resource::new(
            &scope,
            "Listener",
            CfnListener::new(
                vec![listener::Action::new("forward").target_group_arn(target_group.ref_())],
                self.load_balancer.ref_(),
            )
            .port(i64::from(port))
            .protocol("HTTP"),
        )?;
        for cidr in &self.allowed_cidrs {
            self.connections
                .allow_from_cidr(cidr, Port::tcp(port), "allowed CIDR block")?;
            if cidr == "0.0.0.0/0" || cidr == "::/0" {
                scope.annotate(
                    Level::Warning,
                    "stackcraft:alb-open-to-world",
                    format!("port {port} is open to the whole internet ({cidr})"),
                );
            }
        }
        Ok(AlbTarget {
            listener,
            target_group,
            alb: self.connections.clone(),
        })
    }

    /// The load balancer's DNS name.
    pub fn dns_name(&self) -> Token {
        self.load_balancer.attr_dns_name()
    }

    /// The load balancer's security group.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }
}
