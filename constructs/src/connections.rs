//! Security groups and the rules between them.
//!
//! A [`Connections`] handle stands for one security group. `a.allow_from(&b, port)` lets `b`'s
//! members reach `a` on `port` with a separate `AWS::EC2::SecurityGroupIngress` resource, so two
//! groups that allow each other never form a reference cycle. When the two groups live in
//! different stacks, the rule is placed in the stack of the group being allowed in (`b`), so a
//! data stack never depends on the service stacks that use it.

use stackcraft::resources::ec2::{security_group, CfnSecurityGroup, CfnSecurityGroupIngress};
use stackcraft::{AsConstruct, Construct, Error, Resource, Result, Stack, Token};

/// A TCP port or an inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    /// First port of the range.
    pub from: u16,
    /// Last port of the range.
    pub to: u16,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Port {
        Port {
            from: port,
            to: port,
        }
    }

    /// An inclusive range of TCP ports.
    pub fn tcp_range(from: u16, to: u16) -> Port {
        Port { from, to }
    }

    fn label(self) -> String {
        if self.from == self.to {
            self.from.to_string()
        } else {
            format!("{}-{}", self.from, self.to)
        }
    }
}

/// A security group and the handle other constructs use to open it.
#[derive(Debug, Clone)]
pub struct Connections {
    group: Resource<CfnSecurityGroup>,
    label: String,
}

impl AsConstruct for Connections {
    fn construct(&self) -> &Construct {
        self.group.construct()
    }
}

impl Connections {
    /// Creates a security group named `id` under `scope` in the VPC `vpc_id`.
    ///
    /// The group keeps AWS's default egress (all traffic out); ingress comes only from the
    /// rules added with [`Connections::allow_from`] and [`Connections::allow_from_cidr`].
    pub fn new(
        scope: &impl AsConstruct,
        id: &str,
        vpc_id: Token,
        description: &str,
    ) -> Result<Connections> {
        let group =
            Resource::new(
                scope,
                id,
                CfnSecurityGroup::new(description).vpc_id(vpc_id).tags(vec![
                    security_group::Tag::new("Name", format!("{}/{id}", scope.construct().path())),
                ]),
            )?;
        let label = group.construct().path();
        Ok(Connections { group, label })
    }

    /// The group's id (`Fn::GetAtt GroupId`).
    pub fn security_group_id(&self) -> Token {
        self.group.attr_group_id()
    }

    /// The security group resource.
    pub fn security_group(&self) -> &Resource<CfnSecurityGroup> {
        &self.group
    }

    /// Lets members of `other` reach this group's members on `port` (TCP).
    pub fn allow_from(&self, other: &Connections, port: Port, description: &str) -> Result<()> {
        let same_stack = Stack::of(&self.group).map(|s| s.stack_name())
            == Stack::of(&other.group).map(|s| s.stack_name());
        let scope = if same_stack {
            self.group.construct()
        } else {
            other.group.construct()
        };
        let id = if same_stack {
            format!("From{}Port{}", alnum(&other.label), port.label())
        } else {
            format!("To{}Port{}", alnum(&self.label), port.label())
        };
        Resource::new(
            scope,
            &id,
            CfnSecurityGroupIngress::new("tcp")
                .group_id(self.security_group_id())
                .source_security_group_id(other.security_group_id())
                .from_port(i64::from(port.from))
                .to_port(i64::from(port.to))
                .description(description),
        )?;
        Ok(())
    }

    /// Lets members of this group reach each other on `port` (membership rings, clustering).
    pub fn allow_internally(&self, port: Port, description: &str) -> Result<()> {
        Resource::new(
            self.group.construct(),
            &format!("SelfPort{}", port.label()),
            CfnSecurityGroupIngress::new("tcp")
                .group_id(self.security_group_id())
                .source_security_group_id(self.security_group_id())
                .from_port(i64::from(port.from))
                .to_port(i64::from(port.to))
                .description(description),
        )?;
        Ok(())
    }

    /// Lets addresses in `cidr` reach this group's members on `port` (TCP).
    ///
    /// Fails when `cidr` is not an IPv4 or IPv6 CIDR block.
    pub fn allow_from_cidr(&self, cidr: &str, port: Port, description: &str) -> Result<()> {
        let ipv6 = cidr.contains(':');
        let valid = if ipv6 {
            cidr.parse::<ipnet::Ipv6Net>().is_ok()
        } else {
            cidr.parse::<ipnet::Ipv4Net>().is_ok()
        };
        if !valid {
            return Err(Error::invalid_props(
                self.label.clone(),
                "cidr",
                format!("'{cidr}' is not a CIDR block such as 203.0.113.0/24"),
            ));
        }
        let mut rule = CfnSecurityGroupIngress::new("tcp")
            .group_id(self.security_group_id())
            .from_port(i64::from(port.from))
            .to_port(i64::from(port.to))
            .description(description);
        rule = if ipv6 {
            rule.cidr_ipv6(cidr)
        } else {
            rule.cidr_ip(cidr)
        };
        Resource::new(
            self.group.construct(),
            &format!("From{}Port{}", alnum(cidr), port.label()),
            rule,
        )?;
        Ok(())
    }
}

fn alnum(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}
