//! `Network`: a VPC with one public and one private subnet per availability zone, internet
//! access for the public ones and NAT for the private ones.

use ipnet::Ipv4Net;
use stackcraft::resources::ec2::{
    vpc, CfnEip, CfnInternetGateway, CfnNatGateway, CfnRoute, CfnRouteTable, CfnSubnet,
    CfnSubnetRouteTableAssociation, CfnVpc, CfnVpcGatewayAttachment,
};
use stackcraft::{AsConstruct, Construct, Error, Resource, Result, Stack, Token};

/// How private subnets reach the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatGateways {
    /// One NAT gateway in the first zone, shared by all (cheaper; if that zone fails, the
    /// private subnets of every zone lose egress: no image pulls, secrets or log shipping).
    Single,
    /// One NAT gateway per zone, each zone routing through its own.
    PerAz,
}

/// The prefix lengths a VPC or a subnet can have: /16 (65,536 addresses) to /28 (16).
const SIZES: std::ops::RangeInclusive<u8> = 16..=28;

/// Checks that `cidr` is a block a VPC can have: /16 to /28, with no host bits set.
pub fn check_vpc_block(cidr: Ipv4Net) -> std::result::Result<(), String> {
    if !SIZES.contains(&cidr.prefix_len()) {
        return Err(format!(
            "'{cidr}' is a /{}: a VPC's block is from /16 (65,536 addresses) to /28 (16)",
            cidr.prefix_len()
        ));
    }
    if cidr.trunc() != cidr {
        return Err(format!(
            "'{cidr}' has host bits set; the block starts at {}",
            cidr.trunc()
        ));
    }
    Ok(())
}

/// The subnet prefix that gives a VPC of `cidr` a public and a private subnet in each of `zones`
/// availability zones: /20 (4,096 addresses each), or smaller when the range is too small for
/// that. `None` when even /28 subnets do not fit.
pub fn fitting_subnet_prefix(cidr: Ipv4Net, zones: u32) -> Option<u8> {
    let subnets = 2 * zones.max(1);
    let bits = u32::BITS - (subnets - 1).leading_zeros();
    let prefix = (u32::from(cidr.prefix_len()) + bits).max(20);
    u8::try_from(prefix).ok().filter(|p| SIZES.contains(p))
}

/// Options of a [`Network`].
#[derive(Debug, Clone)]
pub struct NetworkProps {
    /// The VPC's IPv4 range.
    ///
    /// **Default:** `10.0.0.0/16`.
    pub cidr: String,
    /// How many availability zones the subnets span; at least 2.
    ///
    /// **Default:** 2, picked with `Fn::GetAZs` in the stack's region.
    pub max_azs: u32,
    /// Prefix length of each subnet; [`fitting_subnet_prefix`] gives one that fits a smaller
    /// range.
    ///
    /// **Default:** 20 (4,096 addresses per subnet).
    pub subnet_prefix: u8,
    /// NAT gateways for the private subnets.
    ///
    /// **Default:** [`NatGateways::PerAz`], so one zone's failure leaves the others working.
    pub nat_gateways: NatGateways,
}

impl Default for NetworkProps {
    fn default() -> Self {
        NetworkProps {
            cidr: "10.0.0.0/16".into(),
            max_azs: 2,
            subnet_prefix: 20,
            nat_gateways: NatGateways::PerAz,
        }
    }
}

/// A VPC with DNS support and hostnames on (Cloud Map private namespaces need both), public and
/// private subnets in each availability zone, an internet gateway and NAT gateways.
///
/// Subnet ranges are computed at synthesis: public subnets take the first blocks of the VPC
/// range, private subnets the blocks after them.
#[derive(Debug, Clone)]
pub struct Network {
    construct: Construct,
    vpc: Resource<CfnVpc>,
    cidr: Ipv4Net,
    attachment: Resource<CfnVpcGatewayAttachment>,
    public_subnets: Vec<Resource<CfnSubnet>>,
    private_subnets: Vec<Resource<CfnSubnet>>,
}

impl AsConstruct for Network {
    fn construct(&self) -> &Construct {
        &self.construct
    }
}

impl Network {
    /// Creates the network under `scope`.
    ///
    /// Fails when fewer than 2 zones are asked for, when `cidr` is not an IPv4 block, or when
    /// the block cannot hold two subnets per zone of the requested size.
    pub fn new(scope: &impl AsConstruct, id: &str, props: NetworkProps) -> Result<Self> {
        let construct = Construct::new(scope, id)?;
        let path = construct.path();
        if props.max_azs < 2 {
            return Err(Error::invalid_props(
                path,
                "max_azs",
                format!(
                    "got {}, need at least 2: an RDS subnet group and a load balancer each need \
                     subnets in two availability zones",
                    props.max_azs
                ),
            ));
        }
        let cidr: Ipv4Net = props.cidr.parse().map_err(|_| {
            Error::invalid_props(
                path.clone(),
                "cidr",
                format!(
                    "'{}' is not an IPv4 CIDR block such as 10.0.0.0/16",
                    props.cidr
                ),
            )
        })?;
        if let Err(why) = check_vpc_block(cidr) {
            return Err(Error::invalid_props(path, "cidr", why));
        }
        if !SIZES.contains(&props.subnet_prefix) {
            return Err(Error::invalid_props(
                path,
                "subnet_prefix",
                format!(
                    "/{} is not a subnet size: a subnet is from /16 to /28",
                    props.subnet_prefix
                ),
            ));
        }
        let blocks: Vec<Ipv4Net> = cidr
            .subnets(props.subnet_prefix)
            .map_err(|_| {
                Error::invalid_props(
                    path.clone(),
                    "subnet_prefix",
                    format!("/{} subnets do not fit inside {cidr}", props.subnet_prefix),
                )
            })?
            .collect();
        let zones = props.max_azs as usize;
        if blocks.len() < 2 * zones {
            return Err(Error::invalid_props(
                path,
                "cidr",
                format!(
                    "{cidr} holds {} subnets of /{}, but {} zones need {}",
                    blocks.len(),
                    props.subnet_prefix,
                    zones,
                    2 * zones
                ),
            ));
        }

        let tag = |name: &str| vpc::Tag::new("Name", format!("{path}/{name}"));
        let vpc = Resource::new(
            &construct,
            "Vpc",
            CfnVpc::new()
                .cidr_block(cidr.to_string())
                .enable_dns_support(true)
                .enable_dns_hostnames(true)
                .tags(vec![tag("Vpc")]),
        )?;
        let igw = Resource::new(&construct, "InternetGateway", CfnInternetGateway::new())?;
        let attachment = Resource::new(
            &construct,
            "InternetGatewayAttachment",
            CfnVpcGatewayAttachment::new(vpc.ref_()).internet_gateway_id(igw.ref_()),
        )?;

        let public_table = Resource::new(
            &construct,
            "PublicRouteTable",
            CfnRouteTable::new(vpc.ref_()),
        )?;
        let internet_route = Resource::new(
            &construct,
            "PublicDefaultRoute",
            CfnRoute::new(public_table.ref_())
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id(igw.ref_()),
        )?;
        internet_route.add_dependency(&attachment);

        let azs = Stack::of(&construct)
            .map(|s| s.availability_zones(props.max_azs))
            .unwrap_or_default();
        let mut public_subnets = Vec::new();
        let mut private_subnets = Vec::new();
        let mut nats: Vec<Resource<CfnNatGateway>> = Vec::new();
        for (i, az) in azs.iter().enumerate() {
            let n = i + 1;
            let public = Resource::new(
                &construct,
                &format!("PublicSubnet{n}"),
                CfnSubnet::new(vpc.ref_())
                    .cidr_block(blocks[i].to_string())
                    .availability_zone(az.clone())
                    .map_public_ip_on_launch(false),
            )?;
            Resource::new(
                &construct,
                &format!("PublicSubnet{n}RouteTableAssociation"),
                CfnSubnetRouteTableAssociation::new(public_table.ref_(), public.ref_()),
            )?;
            if i == 0 || props.nat_gateways == NatGateways::PerAz {
                let eip = Resource::new(
                    &construct,
                    &format!("NatEip{n}"),
                    CfnEip::new().domain("vpc"),
                )?;
                eip.add_dependency(&attachment);
                let nat = Resource::new(
                    &construct,
                    &format!("NatGateway{n}"),
                    CfnNatGateway::new()
                        .subnet_id(public.ref_())
                        .allocation_id(eip.attr_allocation_id()),
                )?;
                nats.push(nat);
            }
            let private = Resource::new(
                &construct,
                &format!("PrivateSubnet{n}"),
                CfnSubnet::new(vpc.ref_())
                    .cidr_block(blocks[zones + i].to_string())
                    .availability_zone(az.clone())
                    .map_public_ip_on_launch(false),
            )?;
            let table = Resource::new(
                &construct,
                &format!("PrivateRouteTable{n}"),
                CfnRouteTable::new(vpc.ref_()),
            )?;
            let nat = nats
                .last()
                .expect("the first zone always gets a NAT gateway");
            Resource::new(
                &construct,
                &format!("PrivateDefaultRoute{n}"),
                CfnRoute::new(table.ref_())
                    .destination_cidr_block("0.0.0.0/0")
                    .nat_gateway_id(nat.ref_()),
            )?;
            Resource::new(
                &construct,
                &format!("PrivateSubnet{n}RouteTableAssociation"),
                CfnSubnetRouteTableAssociation::new(table.ref_(), private.ref_()),
            )?;
            public_subnets.push(public);
            private_subnets.push(private);
        }
        Ok(Network {
            construct,
            vpc,
            cidr,
            attachment,
            public_subnets,
            private_subnets,
        })
    }

    /// The VPC's id.
    pub fn vpc_id(&self) -> Token {
        self.vpc.ref_()
    }

    /// The VPC's IPv4 range, as given.
    pub fn cidr(&self) -> Ipv4Net {
        self.cidr
    }

    /// The VPC resource.
    pub fn vpc(&self) -> &Resource<CfnVpc> {
        &self.vpc
    }

    /// The attachment of the internet gateway: resources that need internet access from the
    /// public subnets (load balancers, NAT gateways) depend on it.
    pub fn internet_attachment(&self) -> &Resource<CfnVpcGatewayAttachment> {
        &self.attachment
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
