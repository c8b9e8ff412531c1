//! Rust names for CloudFormation names: words split at case changes with acronyms kept whole,
//! then joined as `snake_case` or `UpperCamelCase`.

/// Words of the Rust 2021 edition and the words reserved for later ones; a name that is one of
/// them gets a trailing underscore (`type_`).
const KEYWORDS: [&str; 53] = [
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "macro_rules",
];

/// Splits a CloudFormation name into words.
///
/// Boundaries are non-alphanumeric characters, a lower-case letter or digit followed by an
/// upper-case letter, and the last letter of an acronym followed by a capitalised word
/// (`VPCGateway` is `VPC` + `Gateway`). An acronym keeps a plural `s` (`IPs`) and a version
/// suffix (`IPv6`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            flush(&mut words, &mut current);
            i += 1;
            continue;
        }
        if c.is_ascii_uppercase() {
            let run = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_uppercase())
                .count();
            let prev_lower = current
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            if prev_lower {
                flush(&mut words, &mut current);
            }
            if run == 1 {
                current.push(c);
                i += 1;
                continue;
            }
            let after = chars.get(i + run).copied();
            let acronym_end = match after {
                Some(n) if n.is_ascii_lowercase() => {
                    let plural = n == 's'
                        && chars
                            .get(i + run + 1)
                            .is_none_or(|x| !x.is_ascii_lowercase());
                    let version =
                        n == 'v' && chars.get(i + run + 1).is_some_and(char::is_ascii_digit);
                    if plural || version {
                        current.extend(&chars[i..i + run + 1]);
                        i += run + 1;
                        continue;
                    }
                    i + run - 1
                }
                _ => i + run,
            };
            current.extend(&chars[i..acronym_end]);
            if acronym_end < i + run || after.is_some_and(|n| n.is_ascii_lowercase()) {
                flush(&mut words, &mut current);
            }
            i = acronym_end;
            continue;
        }
        current.push(c);
        i += 1;
    }
    flush(&mut words, &mut current);
    words
}

fn flush(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

/// `snake_case` of a name, keywords escaped with a trailing underscore.
pub fn snake(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    let joined = if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{joined}")
    } else {
        joined
    };
    if KEYWORDS.contains(&joined.as_str()) {
        format!("{joined}_")
    } else {
        joined
    }
}

/// `UpperCamelCase` of a name, acronyms normalised (`VPCGatewayAttachment` is
/// `VpcGatewayAttachment`).
pub fn camel(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{joined}")
    } else {
        joined
    }
}

/// The module name of a service: `AWS::ElasticLoadBalancingV2` is `elasticloadbalancingv2`;
/// other vendors than AWS keep their prefix (`Alexa::ASK` is `alexa_ask`).
pub fn service_module(vendor: &str, service: &str) -> String {
    let name = if vendor == "AWS" {
        service.to_ascii_lowercase()
    } else {
        format!("{}_{}", vendor, service).to_ascii_lowercase()
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_the_issue() {
        assert_eq!(camel("VPC"), "Vpc");
        assert_eq!(camel("DBInstance"), "DbInstance");
        assert_eq!(camel("VPCGatewayAttachment"), "VpcGatewayAttachment");
        assert_eq!(camel("LoadBalancer"), "LoadBalancer");
        assert_eq!(camel("EIP"), "Eip");
        assert_eq!(camel("EFSVolumeConfiguration"), "EfsVolumeConfiguration");
        assert_eq!(
            camel("AWS::Lambda::Function.Environment"),
            "AwsLambdaFunctionEnvironment"
        );
    }

    #[test]
    fn field_names_are_snake_case_with_keywords_escaped() {
        assert_eq!(snake("CidrBlock"), "cidr_block");
        assert_eq!(snake("VPCId"), "vpc_id");
        assert_eq!(snake("DBInstanceClass"), "db_instance_class");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("IPv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("PrivateIPs"), "private_ips");
        assert_eq!(snake("SubnetIDs"), "subnet_ids");
        assert_eq!(snake("S3Bucket"), "s3_bucket");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("Endpoint.Address"), "endpoint_address");
        assert_eq!(snake("TaskDefinition"), "task_definition");
        assert_eq!(snake("ARNs"), "arns");
        assert_eq!(snake("DNSServers"), "dns_servers");
        assert_eq!(snake("MaxAZs"), "max_azs");
        assert_eq!(snake("ECSManaged"), "ecs_managed");
    }

    #[test]
    fn service_modules_are_lowercase() {
        assert_eq!(
            service_module("AWS", "ElasticLoadBalancingV2"),
            "elasticloadbalancingv2"
        );
        assert_eq!(service_module("AWS", "EC2"), "ec2");
        assert_eq!(service_module("Alexa", "ASK"), "alexa_ask");
    }
}
