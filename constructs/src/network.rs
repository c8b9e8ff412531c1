//! `Network`: a VPC with public and private subnets across availability zones.

use ipnet::Ipv4Net;
use serde_json::json;
use stackcraft::{AsConstruct, CfnUntyped, Construct, Error, Resource, Result, Stack, Token};

/// Options of a [`Network`].
#[derive(Debug, Clone)]
pub struct NetworkProps {
    /// The VPC's IPv4 range.
    ///
    /// **Default:** `10.0.0.0/16`.
    pub cidr: String,
    /// How many availability zones the subnets span (at least 2).
    ///
    /// **Default:** 2, chosen with `Fn::GetAZs` in the stack's region.
    pub max_azs: u32,
    /// Prefix length of each subnet.
    ///
    /// **Default:** 20 (4,096 addresses per subnet).
    pub subnet_prefix: u8,
}

impl Default for NetworkProps {
    fn default() -> Self {
        NetworkProps {
            cidr: "10.0.0.0/16".into(),
            max_azs: 2,
            subnet_prefix: 20,
        }
    }
}

/// A VPC with one public and one private subnet per availability zone.
#[derive(Debug, Clone)]
pub struct Network {
    construct: Construct,
    vpc: Resource<CfnUntyped>,
    public_subnets: Vec<Resource<CfnUntyped>>,
    private_subnets: Vec<Resource<CfnUntyped>>,
}

impl AsConstruct for Network {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Network {
    /// Creates the network under `scope`.
    pub fn new(scope: &impl AsConstruct, id: &str, props: NetworkProps) -> Result<Self> {
        let construct = Construct::new(scope, id)?;
        let path = construct.path();
        if props.max_azs < 2 {
            return Err(Error::invalid_props(
                path,
                "max_azs",
                format!(
                    "got {}, need at least 2: RDS subnet groups and the load balancer need \
                     subnets in two availability zones",
                    props.max_azs
                ),
            ));
        }
        let net: Ipv4Net = props.cidr.parse().map_err(|_| {
            Error::invalid_props(
                path.clone(),
                "cidr",
                format!(
                    "'{}' is not an IPv4 CIDR block such as 10.0.0.0/16",
                    props.cidr
                ),
            )
        })?;
        let blocks: Vec<Ipv4Net> = net
            .subnets(props.subnet_prefix)
            .map_err(|_| {
                Error::invalid_props(
                    path.clone(),
                    "subnet_prefix",
                    format!("/{} does not fit inside {net}", props.subnet_prefix),
                )
            })?
            .collect();
        let needed = 2 * props.max_azs as usize;
        if blocks.len() < needed {
            return Err(Error::invalid_props(
                path,
                "cidr",
                format!(
                    "{net} holds {} /{} subnets, {needed} are needed",
                    blocks.len(),
                    props.subnet_prefix
                ),
            ));
        }
        let vpc = Resource::new(
            &construct,
            "Vpc",
            CfnUntyped::new(
                "AWS::EC2::VPC",
                json!({ "CidrBlock": net.to_string(), "EnableDnsSupport": true, "EnableDnsHostnames": true }),
            ),
        )?;
        let azs = Stack::of(&construct)
            .map(|s| s.availability_zones(props.max_azs))
            .unwrap_or_default();
        let mut public_subnets = Vec::new();
        let mut private_subnets = Vec::new();
        for (i, az) in azs.iter().enumerate() {
            for (public, list) in [(true, &mut public_subnets), (false, &mut private_subnets)] {
                let block = blocks[if public {
                    i
                } else {
                    props.max_azs as usize + i
                }];
                let name = format!(
                    "{}Subnet{}",
                    if public { "Public" } else { "Private" },
                    i + 1
                );
                let subnet = Resource::new(
                    &construct,
                    &name,
                    CfnUntyped::new(
                        "AWS::EC2::Subnet",
                        json!({
                            "VpcId": vpc.ref_().as_json(),
                            "CidrBlock": block.to_string(),
                            "AvailabilityZone": az.as_json(),
                            "MapPublicIpOnLaunch": public,
                        }),
                    ),
                )?;
                list.push(subnet);
            }
        }
        Ok(Network {
            construct,
            vpc,
            public_subnets,
            private_subnets,
        })
    }

    /// `Ref` of the VPC (its id).
    pub fn vpc_id(&self) -> Token {
        self.vpc.ref_()
    }

    /// The public subnets' ids, one per availability zone.
    pub fn public_subnet_ids(&self) -> Vec<Token> {
        self.public_subnets.iter().map(|s| s.ref_()).collect()
    }

    /// The private subnets' ids, one per availability zone.
    pub fn private_subnet_ids(&self) -> Vec<Token> {
        self.private_subnets.iter().map(|s| s.ref_()).collect()
    }
}
