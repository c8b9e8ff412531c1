//! The resource types of the default app and its mix of them, for the generated apps of
//! `scale.rs`.

use std::collections::HashMap;

/// The resource types of the default app, in the order a generated stack creates them (each
/// after the types it references).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `AWS::EC2::VPC`
    Vpc,
    /// `AWS::EC2::InternetGateway`
    InternetGateway,
    /// `AWS::EC2::VPCGatewayAttachment`
    GatewayAttachment,
    /// `AWS::EC2::Subnet`
    Subnet,
    /// `AWS::EC2::RouteTable`
    RouteTable,
    /// `AWS::EC2::SubnetRouteTableAssociation`
    RouteTableAssociation,
    /// `AWS::EC2::EIP`
    Eip,
    /// `AWS::EC2::NatGateway`
    NatGateway,
    /// `AWS::EC2::Route`
    Route,
    /// `AWS::EC2::SecurityGroup`
    SecurityGroup,
    /// `AWS::EC2::SecurityGroupIngress`
    SecurityGroupIngress,
    /// `AWS::IAM::Role`
    Role,
    /// `AWS::Logs::LogGroup`
    LogGroup,
    /// `AWS::ECR::Repository`
    Repository,
    /// `AWS::SecretsManager::Secret`
    Secret,
    /// `AWS::RDS::DBSubnetGroup`
    DbSubnetGroup,
    /// `AWS::RDS::DBInstance`
    DbInstance,
    /// `AWS::ECS::Cluster`
    Cluster,
    /// `AWS::ServiceDiscovery::PrivateDnsNamespace`
    Namespace,
    /// `AWS::ServiceDiscovery::Service`
    DiscoveryService,
    /// `AWS::ElasticLoadBalancingV2::LoadBalancer`
    LoadBalancer,
    /// `AWS::ElasticLoadBalancingV2::TargetGroup`
    TargetGroup,
    /// `AWS::ElasticLoadBalancingV2::Listener`
    Listener,
    /// `AWS::ECS::TaskDefinition`
    TaskDefinition,
    /// `AWS::ECS::Service`
    EcsService,
}

impl Kind {
    /// Every kind, in creation order.
    pub const ALL: [Kind; 25] = [
        Kind::Vpc,
        Kind::InternetGateway,
        Kind::GatewayAttachment,
        Kind::Subnet,
        Kind::RouteTable,
        Kind::RouteTableAssociation,
        Kind::Eip,
        Kind::NatGateway,
        Kind::Route,
        Kind::SecurityGroup,
        Kind::SecurityGroupIngress,
        Kind::Role,
        Kind::LogGroup,
        Kind::Repository,
        Kind::Secret,
        Kind::DbSubnetGroup,
        Kind::DbInstance,
        Kind::Cluster,
        Kind::Namespace,
        Kind::DiscoveryService,
        Kind::LoadBalancer,
        Kind::TargetGroup,
        Kind::Listener,
        Kind::TaskDefinition,
        Kind::EcsService,
    ];

    /// The CloudFormation type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Vpc => "AWS::EC2::VPC",
            Kind::InternetGateway => "AWS::EC2::InternetGateway",
            Kind::GatewayAttachment => "AWS::EC2::VPCGatewayAttachment",
            Kind::Subnet => "AWS::EC2::Subnet",
            Kind::RouteTable => "AWS::EC2::RouteTable",
            Kind::RouteTableAssociation => "AWS::EC2::SubnetRouteTableAssociation",
            Kind::Eip => "AWS::EC2::EIP",
            Kind::NatGateway => "AWS::EC2::NatGateway",
            Kind::Route => "AWS::EC2::Route",
            Kind::SecurityGroup => "AWS::EC2::SecurityGroup",
            Kind::SecurityGroupIngress => "AWS::EC2::SecurityGroupIngress",
            Kind::Role => "AWS::IAM::Role",
            Kind::LogGroup => "AWS::Logs::LogGroup",
            Kind::Repository => "AWS::ECR::Repository",
            Kind::Secret => "AWS::SecretsManager::Secret",
            Kind::DbSubnetGroup => "AWS::RDS::DBSubnetGroup",
            Kind::DbInstance => "AWS::RDS::DBInstance",
            Kind::Cluster => "AWS::ECS::Cluster",
            Kind::Namespace => "AWS::ServiceDiscovery::PrivateDnsNamespace",
            Kind::DiscoveryService => "AWS::ServiceDiscovery::Service",
            Kind::LoadBalancer => "AWS::ElasticLoadBalancingV2::LoadBalancer",
            Kind::TargetGroup => "AWS::ElasticLoadBalancingV2::TargetGroup",
            Kind::Listener => "AWS::ElasticLoadBalancingV2::Listener",
            Kind::TaskDefinition => "AWS::ECS::TaskDefinition",
            Kind::EcsService => "AWS::ECS::Service",
        }
    }

    /// The kind of a CloudFormation type name, when the generator can build it.
    pub fn of_type(type_name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.type_name() == type_name)
    }

    pub(super) fn label(self) -> String {
        format!("{self:?}")
    }
}

/// How many resources of each kind the default app synthesizes, and the types it uses that the
/// generator cannot build (empty while the generator keeps up with the app).
pub fn default_app_mix() -> (Vec<(Kind, usize)>, Vec<String>) {
    let app = stackcraft_app::build_app().expect("the default app builds");
    let synthesis = app
        .synth(&Default::default())
        .expect("the default app synthesizes");
    let mut counts: HashMap<Kind, usize> = HashMap::new();
    let mut unknown = Vec::new();
    for stack in &synthesis.assembly.stacks {
        let resources = stack.template["Resources"].as_object();
        for body in resources.into_iter().flat_map(|r| r.values()) {
            let type_name = body["Type"].as_str().unwrap_or_default();
            match Kind::of_type(type_name) {
                Some(kind) => *counts.entry(kind).or_default() += 1,
                None if !unknown.iter().any(|u| u == type_name) => {
                    unknown.push(type_name.to_string())
                }
                None => {}
            }
        }
    }
    let mix = Kind::ALL
        .into_iter()
        .filter_map(|k| counts.get(&k).map(|&n| (k, n)))
        .collect();
    (mix, unknown)
}

/// Splits `total` resources over the kinds of `mix` in its proportions (largest remainder, so
/// the counts add up to `total` exactly and each is within one of its exact share).
pub fn scale_mix(mix: &[(Kind, usize)], total: usize) -> Vec<(Kind, usize)> {
    let sum: usize = mix.iter().map(|(_, n)| n).sum();
    let mut counts: Vec<(Kind, usize, usize)> = mix
        .iter()
        .map(|&(k, n)| (k, n * total / sum, n * total % sum))
        .collect();
    let given: usize = counts.iter().map(|(_, n, _)| n).sum();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| counts[b].2.cmp(&counts[a].2).then(a.cmp(&b)));
    for &i in order.iter().take(total - given) {
        counts[i].1 += 1;
    }
    counts.into_iter().map(|(k, n, _)| (k, n)).collect()
}
