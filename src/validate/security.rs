//! Security rules: the world reaching database and admin ports, literal passwords and secrets,
//! and log retention values CloudWatch accepts.

use serde_json::Value as Json;

use super::source::escape_pointer;
use super::template_view::{
    as_number, is_deploy_time, property_pointer, render_pointer, Segment, TemplateView,
};
use super::Finding;
use Segment::{Index, Key};

/// Database and administration ports that must not be open to the whole internet.
pub const SENSITIVE_PORTS: [(u16, &str); 8] = [
    (22, "SSH"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (6379, "Redis"),
    (27017, "MongoDB"),
];

/// The retention periods (days) CloudWatch Logs accepts.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Checks ingress rules, password and secret values, and log retention.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    for (id, resource) in view.resources() {
        let props = &resource["Properties"];
        match resource["Type"].as_str() {
            Some("AWS::EC2::SecurityGroup") => {
                let base = property_pointer(id, "SecurityGroupIngress");
                for (i, rule) in props["SecurityGroupIngress"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    ingress(rule, &format!("{base}/{i}"), findings);
                }
            }
            Some("AWS::EC2::SecurityGroupIngress") => {
                ingress(
                    props,
                    &format!("/Resources/{}/Properties", escape_pointer(id)),
                    findings,
                );
            }
            Some("AWS::Logs::LogGroup") => retention(id, props, findings),
            Some("AWS::ECS::TaskDefinition") => {
                let base = property_pointer(id, "ContainerDefinitions");
                for (i, c) in props["ContainerDefinitions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    for (j, var) in c["Environment"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        if let (Some(name), Some(value)) = (var["Name"].as_str(), var.get("Value"))
                        {
                            secret_variable(
                                name,
                                value,
                                &format!("{base}/{i}/Environment/{j}/Value"),
                                findings,
                            );
                        }
                    }
                }
            }
            Some("AWS::Lambda::Function") => {
                let base = property_pointer(id, "Environment");
                for (name, value) in props["Environment"]["Variables"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    let pointer = format!("{base}/Variables/{}", escape_pointer(name));
                    secret_variable(name, value, &pointer, findings);
                }
            }
            _ => {}
        }
        if props.is_object() {
            let mut path = vec![Key("Resources"), Key(id), Key("Properties")];
            passwords(props, &mut path, findings);
        }
    }
}

fn ingress(rule: &Json, pointer: &str, findings: &mut Vec<Finding>) {
    let open = match (rule.get("CidrIp"), rule.get("CidrIpv6")) {
        (Some(Json::String(c)), _) if c == "0.0.0.0/0" => "0.0.0.0/0",
        (_, Some(Json::String(c))) if c == "::/0" => "::/0",
        _ => return,
    };
    let protocol = rule["IpProtocol"]
        .as_str()
        .map(str::to_ascii_lowercase)
        .or_else(|| rule["IpProtocol"].as_i64().map(|n| n.to_string()));
    let all_ports = matches!(protocol.as_deref(), Some("-1" | "all"));
    if !all_ports && !matches!(protocol.as_deref(), Some("tcp" | "6")) {
        return;
    }
    let from = rule.get("FromPort").and_then(as_number);
    let to = rule.get("ToPort").and_then(as_number);
    let exposed: Vec<String> = SENSITIVE_PORTS
        .iter()
        .filter(|(port, _)| {
            let port = f64::from(*port);
            all_ports
                || matches!(
                    (from, to),
                    (Some(f), Some(t)) if (f == -1.0 && t == -1.0) || (f <= port && port <= t)
                )
        })
        .map(|(port, name)| format!("{port} ({name})"))
        .collect();
    if !exposed.is_empty() {
        findings.push(Finding::of(
            "SC5001",
            pointer,
            format!(
                "ingress from {open} opens {} to the whole internet; allow a security group \
                 (SourceSecurityGroupId) or a narrow CIDR instead",
                exposed.join(", ")
            ),
        ));
    }
}

/// Properties whose name says password hold no literal, at any depth. `path` leads to `value`.
fn passwords<'a>(value: &'a Json, path: &mut Vec<Segment<'a>>, findings: &mut Vec<Finding>) {
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                path.push(Key(k));
                if names_a_password(k) && is_literal_secret(v) {
                    findings.push(Finding::of(
                        "SC5002",
                        render_pointer(path),
                        format!(
                            "'{k}' holds a literal value, which anyone reading the template or \
                             the stack sees; use a dynamic reference such as \
                             '{{{{resolve:secretsmanager:MySecret:SecretString:password}}}}', \
                             a NoEcho parameter, or ManageMasterUserPassword"
                        ),
                    ));
                } else if !is_deploy_time(v) {
                    passwords(v, path, findings);
                }
                path.pop();
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Index(i));
                passwords(v, path, findings);
                path.pop();
            }
        }
        _ => {}
    }
}

/// True for `...Password` and `AuthToken` keys, whatever the case.
fn names_a_password(key: &str) -> bool {
    let suffix = key
        .len()
        .checked_sub("password".len())
        .and_then(|i| key.get(i..));
    suffix.is_some_and(|s| s.eq_ignore_ascii_case("password"))
        || key.eq_ignore_ascii_case("authtoken")
}

fn is_literal_secret(value: &Json) -> bool {
    match value {
        Json::String(s) => !s.is_empty() && !s.contains("{{resolve:") && !s.starts_with("arn:"),
        Json::Number(_) => true,
        _ => false,
    }
}

fn secret_variable(name: &str, value: &Json, pointer: &str, findings: &mut Vec<Finding>) {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let says_secret = ["password", "passwd", "secret", "token", "api_key", "apikey"]
        .iter()
        .any(|w| lower.contains(w));
    if says_secret && is_literal_secret(value) {
        findings.push(Finding::of(
            "SC5003",
            pointer,
            format!(
                "environment variable '{name}' holds a literal value that looks like a secret; \
                 it is stored in plain text in the template and the task definition, so pass it \
                 through the container's Secrets (valueFrom) instead"
            ),
        ));
    }
}

fn retention(id: &str, props: &Json, findings: &mut Vec<Finding>) {
    let Some(value) = props.get("RetentionInDays") else {
        return;
    };
    if is_deploy_time(value) {
        return;
    }
    let days = as_number(value);
    if days.is_some_and(|d| RETENTION_DAYS.iter().any(|r| f64::from(*r) == d)) {
        return;
    }
    let hint = match days {
        Some(d) => {
            let below = RETENTION_DAYS.iter().rev().find(|r| f64::from(**r) < d);
            let above = RETENTION_DAYS.iter().find(|r| f64::from(**r) > d);
            match (below, above) {
                (Some(b), Some(a)) => format!("; the nearest are {b} and {a}"),
                (Some(b), None) => format!("; the largest is {b}"),
                (None, Some(a)) => format!("; the smallest is {a}"),
                _ => String::new(),
            }
        }
        None => String::new(),
    };
    findings.push(Finding::of(
        "SC5004",
        property_pointer(id, "RetentionInDays"),
        format!(
            "log retention {value} days is not a value CloudWatch Logs accepts{hint} (leave it \
             out to keep logs forever)"
        ),
    ));
}
