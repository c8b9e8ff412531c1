//! ECS and Fargate rules: task sizes, network mode, load balancers, capacity providers and
//! container secrets.
//!
//! Only literal values are judged: a size or name that is an intrinsic is known at deploy time.

use serde_json::Value as Json;

use super::fargate::{self, TaskSizeError};
use super::template_view::{as_number, depends_on, intrinsic, property_pointer, TemplateView};
use super::Finding;

const TASK: &str = "AWS::ECS::TaskDefinition";
const SERVICE: &str = "AWS::ECS::Service";

/// Checks every task definition and service.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    for (id, task) in view.resources_of_type(TASK) {
        task_definition(view, id, &task["Properties"], findings);
    }
    for (id, service) in view.resources_of_type(SERVICE) {
        self::service(view, id, service, findings);
    }
}

/// Task cpu in units: `1024`, `"1024"` or `"1 vCPU"`.
fn cpu_units(value: &Json) -> Option<u64> {
    if let Some(n) = as_number(value) {
        return Some(n as u64);
    }
    let s = value.as_str()?.trim().to_ascii_lowercase();
    let n: f64 = s.strip_suffix("vcpu")?.trim().parse().ok()?;
    Some((n * 1024.0) as u64)
}

/// Task memory in MiB: `2048`, `"2048"` or `"2 GB"`.
fn memory_mib(value: &Json) -> Option<u64> {
    if let Some(n) = as_number(value) {
        return Some(n as u64);
    }
    let s = value.as_str()?.trim().to_ascii_lowercase();
    let n: f64 = s.strip_suffix("gb")?.trim().parse().ok()?;
    Some((n * 1024.0) as u64)
}

fn is_fargate(props: &Json) -> bool {
    props["RequiresCompatibilities"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c == "FARGATE"))
}

fn task_definition(view: &TemplateView<'_>, id: &str, props: &Json, findings: &mut Vec<Finding>) {
    let cpu = props.get("Cpu").and_then(cpu_units);
    let memory = props.get("Memory").and_then(memory_mib);
    if is_fargate(props) {
        for key in ["Cpu", "Memory"] {
            if props.get(key).is_none() {
                findings.push(Finding::of(
                    "E3048",
                    format!("/Resources/{id}/Properties"),
                    format!("a Fargate task definition needs a task-level {key}"),
                ));
            }
        }
        match props.get("NetworkMode") {
            Some(Json::String(mode)) if mode == "awsvpc" => {}
            Some(v) if intrinsic(v).is_some() => {}
            other => findings.push(Finding::of(
                "E3048",
                match other {
                    Some(_) => property_pointer(id, "NetworkMode"),
                    None => format!("/Resources/{id}/Properties"),
                },
                format!(
                    "a Fargate task needs NetworkMode 'awsvpc', got {}",
                    other.map_or("none (bridge)".to_string(), |v| v.to_string())
                ),
            )),
        }
        if let (Some(cpu), Some(memory)) = (cpu, memory) {
            match fargate::check_task_size(cpu, memory) {
                Err(e @ TaskSizeError::Cpu { .. }) => findings.push(Finding::of(
                    "E3047",
                    property_pointer(id, "Cpu"),
                    format!("Fargate task {e}"),
                )),
                Err(e @ TaskSizeError::Memory { .. }) => findings.push(Finding::of(
                    "E3047",
                    property_pointer(id, "Memory"),
                    format!("Fargate task {e}"),
                )),
                Ok(()) => {}
            }
        }
    }
    containers(view, id, props, cpu, memory, findings);
}

fn containers(
    view: &TemplateView<'_>,
    id: &str,
    props: &Json,
    cpu: Option<u64>,
    memory: Option<u64>,
    findings: &mut Vec<Finding>,
) {
    let Some(containers) = props["ContainerDefinitions"].as_array() else {
        return;
    };
    let base = property_pointer(id, "ContainerDefinitions");
    let (mut cpu_sum, mut memory_sum) = (0u64, 0u64);
    for (i, c) in containers.iter().enumerate() {
        cpu_sum += c.get("Cpu").and_then(as_number).unwrap_or(0.0) as u64;
        let hard = c.get("Memory").and_then(as_number).map(|n| n as u64);
        let soft = c
            .get("MemoryReservation")
            .and_then(as_number)
            .map(|n| n as u64);
        memory_sum += hard.or(soft).unwrap_or(0);
        if let (Some(hard), Some(soft)) = (hard, soft) {
            if soft > hard {
                findings.push(Finding::of(
                    "SC3101",
                    format!("{base}/{i}/MemoryReservation"),
                    format!(
                        "container MemoryReservation {soft} MiB is above its Memory {hard} MiB; \
                         the hard limit must be the larger"
                    ),
                ));
            }
        }
        secrets(view, &format!("{base}/{i}"), c, props, findings);
    }
    if let Some(cpu) = cpu {
        if cpu_sum > cpu {
            findings.push(Finding::of(
                "SC3101",
                base.clone(),
                format!(
                    "the containers ask for {cpu_sum} cpu units together, more than the task's \
                     {cpu}"
                ),
            ));
        }
    }
    if let Some(memory) = memory {
        if memory_sum > memory {
            findings.push(Finding::of(
                "SC3101",
                base,
                format!(
                    "the containers ask for {memory_sum} MiB together, more than the task's \
                     {memory} MiB"
                ),
            ));
        }
    }
}

/// The logical id of a `Secrets Manager` secret a `valueFrom` names, and the suffix after it.
fn secret_of<'a>(view: &TemplateView<'a>, value: &'a Json) -> Option<(&'a str, String)> {
    match intrinsic(value)? {
        ("Ref", Json::String(target)) => Some((target.as_str(), String::new())),
        ("Fn::Sub", Json::String(text)) => {
            let rest = text.strip_prefix("${")?;
            let (name, suffix) = rest.split_once('}')?;
            (view.type_of(name) == Some("AWS::SecretsManager::Secret"))
                .then(|| (name, suffix.to_string()))
        }
        _ => None,
    }
}

fn secrets(
    view: &TemplateView<'_>,
    base: &str,
    container: &Json,
    props: &Json,
    findings: &mut Vec<Finding>,
) {
    for (i, secret) in container["Secrets"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pointer = format!("{base}/Secrets/{i}/ValueFrom");
        let Some(value) = secret.get("ValueFrom") else {
            continue;
        };
        if let Json::String(arn) = value {
            if let Some(problem) = arn_problem(arn) {
                findings.push(Finding::of(
                    "SC3106",
                    pointer,
                    format!("secret valueFrom '{arn}' {problem}"),
                ));
            }
            continue;
        }
        let Some((secret_id, suffix)) = secret_of(view, value) else {
            continue;
        };
        if !suffix.is_empty() && suffix.matches(':').count() != 3 {
            findings.push(Finding::of(
                "SC3106",
                pointer.clone(),
                format!(
                    "secret valueFrom '${{{secret_id}}}{suffix}' must end in \
                     ':json-key:version-stage:version-id', keeping empty fields' colons (for \
                     example '${{{secret_id}}}:PASSWORD::')"
                ),
            ));
        }
        if view.type_of(secret_id) == Some("AWS::SecretsManager::Secret")
            && !execution_role_reads(view, props, secret_id)
        {
            findings.push(Finding::of(
                "SC3107",
                pointer,
                format!(
                    "the task's execution role has no statement allowing \
                     secretsmanager:GetSecretValue on '{secret_id}', so the container cannot \
                     start; grant it on the execution role (not the task role)"
                ),
            ));
        }
    }
}

/// What is wrong with a literal secret ARN, if anything.
fn arn_problem(arn: &str) -> Option<&'static str> {
    if !arn.starts_with("arn:") {
        return None;
    }
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 6 {
        return Some("is not an ARN (arn:partition:service:region:account:resource)");
    }
    match parts[2] {
        "secretsmanager" => {
            if parts[5] != "secret" || parts.len() < 7 || parts[6].is_empty() {
                Some("must name a secret: arn:aws:secretsmanager:region:account:secret:name")
            } else if parts.len() != 7 && parts.len() != 10 {
                Some(
                    "must be the secret ARN alone or end in ':json-key:version-stage:version-id' \
                     (keep the colons of empty fields)",
                )
            } else {
                None
            }
        }
        "ssm" => (!parts[5].starts_with("parameter/"))
            .then_some("must name a parameter: arn:aws:ssm:region:account:parameter/name"),
        _ => Some("must be a Secrets Manager secret or an SSM parameter"),
    }
}

/// True when the task's execution role (a role of this template) may read the secret, or
/// when that cannot be known from the template.
fn execution_role_reads(view: &TemplateView<'_>, task: &Json, secret: &str) -> bool {
    let Some(role) = task.get("ExecutionRoleArn").and_then(resource_named) else {
        return true;
    };
    if view.type_of(role) != Some("AWS::IAM::Role") {
        return true;
    }
    let role_props = &view.resource(role).expect("role exists")["Properties"];
    if role_props["ManagedPolicyArns"].as_array().is_some_and(|a| {
        a.iter().any(|p| {
            !p.is_string()
                || p.as_str().is_some_and(|s| {
                    s.contains("SecretsManager") || s.ends_with("/AdministratorAccess")
                })
        })
    }) {
        return true;
    }
    let inline = role_props["Policies"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| &p["PolicyDocument"]);
    let attached = view
        .resources()
        .filter(|(_, r)| {
            matches!(
                r["Type"].as_str(),
                Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
            ) && r["Properties"]["Roles"]
                .as_array()
                .is_some_and(|roles| roles.iter().any(|x| resource_named(x) == Some(role)))
        })
        .map(|(_, r)| &r["Properties"]["PolicyDocument"]);
    inline
        .chain(attached)
        .any(|doc| allows_get_secret(doc, secret))
}

/// The logical id a `Ref` or `Fn::GetAtt` names.
fn resource_named(value: &Json) -> Option<&str> {
    match intrinsic(value)? {
        ("Ref", Json::String(t)) => Some(t),
        ("Fn::GetAtt", Json::Array(parts)) => parts.first()?.as_str(),
        ("Fn::GetAtt", Json::String(s)) => s.split('.').next(),
        _ => None,
    }
}

fn as_list(value: &Json) -> Vec<&Json> {
    match value {
        Json::Array(items) => items.iter().collect(),
        Json::Null => vec![],
        other => vec![other],
    }
}

fn allows_get_secret(document: &Json, secret: &str) -> bool {
    as_list(&document["Statement"]).into_iter().any(|s| {
        s["Effect"] == "Allow"
            && as_list(&s["Action"]).into_iter().any(|a| {
                a.as_str().is_some_and(|a| {
                    let a = a.to_ascii_lowercase();
                    a == "*" || a == "secretsmanager:*" || a == "secretsmanager:getsecretvalue"
                })
            })
            && as_list(&s["Resource"]).into_iter().any(|r| match r {
                Json::String(text) => text == "*" || text.starts_with("arn:"),
                other => {
                    resource_named(other) == Some(secret)
                        || other.to_string().contains(&format!("${{{secret}}}"))
                }
            })
    })
}

fn service(view: &TemplateView<'_>, id: &str, service: &Json, findings: &mut Vec<Finding>) {
    let props = &service["Properties"];
    if props.get("LaunchType").is_some() && props.get("CapacityProviderStrategy").is_some() {
        findings.push(Finding::of(
            "SC3104",
            property_pointer(id, "LaunchType"),
            "LaunchType and CapacityProviderStrategy are both set; CreateService rejects that, \
             so keep only the capacity provider strategy",
        ));
    }
    let task = props
        .get("TaskDefinition")
        .and_then(resource_named)
        .filter(|t| view.type_of(t) == Some(TASK))
        .and_then(|t| view.resource(t));
    let deps = depends_on(service);
    for (i, lb) in props["LoadBalancers"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pointer = format!("{}/{i}", property_pointer(id, "LoadBalancers"));
        if let (Some(task), Some(Json::String(name))) = (task, lb.get("ContainerName")) {
            let containers = task["Properties"]["ContainerDefinitions"].as_array();
            match containers.and_then(|c| c.iter().find(|c| c["Name"] == *name)) {
                None if containers.is_some() => findings.push(Finding::of(
                    "SC3102",
                    format!("{pointer}/ContainerName"),
                    format!(
                        "load balancer container '{name}' is not a container of the task \
                         definition; it has {}",
                        containers
                            .into_iter()
                            .flatten()
                            .filter_map(|c| c["Name"].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
                Some(container) => {
                    if let Some(port) = lb.get("ContainerPort").and_then(as_number) {
                        let ports: Vec<f64> = container["PortMappings"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|m| m.get("ContainerPort").and_then(as_number))
                            .collect();
                        if !ports.contains(&port) {
                            findings.push(Finding::of(
                                "SC3102",
                                format!("{pointer}/ContainerPort"),
                                format!(
                                    "container '{name}' maps no port {port}; its container \
                                     ports are {ports:?}"
                                ),
                            ));
                        }
                    }
                }
                None => {}
            }
        }
        let Some(group) = lb.get("TargetGroupArn").and_then(resource_named) else {
            continue;
        };
        let listeners: Vec<&str> = view
            .resources()
            .filter(|(_, r)| {
                matches!(
                    r["Type"].as_str(),
                    Some(
                        "AWS::ElasticLoadBalancingV2::Listener"
                            | "AWS::ElasticLoadBalancingV2::ListenerRule"
                    )
                ) && forwards_to(&r["Properties"], group)
            })
            .map(|(k, _)| k.as_str())
            .collect();
        if !listeners.is_empty() && !listeners.iter().any(|l| deps.contains(l)) {
            findings.push(Finding::of(
                "SC3103",
                format!("/Resources/{id}"),
                format!(
                    "service '{id}' uses target group '{group}' but does not depend on the \
                     listener forwarding to it; add DependsOn: {}",
                    listeners[0]
                ),
            ));
        }
    }
    capacity_providers(view, id, service, findings);
}

fn forwards_to(props: &Json, group: &str) -> bool {
    let actions = props.get("DefaultActions").or_else(|| props.get("Actions"));
    actions.is_some_and(|a| {
        let text = a.to_string();
        text.contains(&format!("{{\"Ref\":\"{group}\"}}"))
    })
}

fn capacity_providers(
    view: &TemplateView<'_>,
    id: &str,
    service: &Json,
    findings: &mut Vec<Finding>,
) {
    let props = &service["Properties"];
    let Some(strategy) = props["CapacityProviderStrategy"].as_array() else {
        return;
    };
    let Some(cluster) = props.get("Cluster").and_then(resource_named) else {
        return;
    };
    if view.type_of(cluster) != Some("AWS::ECS::Cluster") {
        return;
    }
    let on_cluster =
        &view.resource(cluster).expect("cluster exists")["Properties"]["CapacityProviders"];
    let deps = depends_on(service);
    for (i, item) in strategy.iter().enumerate() {
        let Some(provider) = item["CapacityProvider"].as_str() else {
            continue;
        };
        if on_cluster
            .as_array()
            .is_some_and(|a| a.iter().any(|p| p == provider))
        {
            continue;
        }
        let associations: Vec<&str> = view
            .resources_of_type("AWS::ECS::ClusterCapacityProviderAssociations")
            .filter(|(_, r)| {
                resource_named(&r["Properties"]["Cluster"]) == Some(cluster)
                    || r["Properties"]["Cluster"].is_string()
            })
            .filter(|(_, r)| {
                r["Properties"]["CapacityProviders"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|p| p == provider))
            })
            .map(|(k, _)| k.as_str())
            .collect();
        let pointer = format!(
            "{}/{i}/CapacityProvider",
            property_pointer(id, "CapacityProviderStrategy")
        );
        if associations.is_empty() {
            findings.push(Finding::of(
                "SC3105",
                pointer,
                format!(
                    "capacity provider '{provider}' is not associated with cluster '{cluster}'; \
                     list it in the cluster's CapacityProviders or add a \
                     ClusterCapacityProviderAssociations the service depends on"
                ),
            ));
        } else if !associations.iter().any(|a| deps.contains(a)) {
            findings.push(Finding::of(
                "SC3105",
                pointer,
                format!(
                    "service '{id}' uses capacity provider '{provider}' but does not depend on \
                     '{}', which associates it with the cluster; add it to DependsOn",
                    associations[0]
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_and_memory_in_units_and_words() {
        assert_eq!(cpu_units(&"0.25 vCPU".into()), Some(256));
        assert_eq!(memory_mib(&"2 GB".into()), Some(2048));
    }

    #[test]
    fn judges_secret_arns() {
        let ok = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
        assert_eq!(arn_problem(ok), None);
        assert_eq!(arn_problem(&format!("{ok}:PASSWORD::")), None);
        assert!(arn_problem(&format!("{ok}:PASSWORD")).is_some());
        assert!(arn_problem("arn:aws:s3:::bucket").is_some());
        assert_eq!(arn_problem("my-parameter"), None);
    }
}
