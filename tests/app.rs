//! The default app: the guide's architecture with its errors corrected, checked on the
//! synthesized templates of every environment, plus cfn-lint and the committed `cdk.out`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;
use stackcraft::CloudAssembly;
use stackcraft_app::config::EnvConfig;

fn assembly() -> CloudAssembly {
    let app = stackcraft_app::build_app().expect("the default app builds");
    app.synth(&Default::default())
        .expect("the default app synthesizes")
        .assembly
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn resources_of_type<'a>(template: &'a Json, type_name: &str) -> Vec<(&'a String, &'a Json)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}

fn services_template(a: &CloudAssembly, env: &str) -> Json {
    a.stack(&format!("temporal-{env}-services"))
        .unwrap()
        .template
        .clone()
}

/// The Temporal server's container definition in an environment's services template.
fn temporal_container(template: &Json) -> Json {
    resources_of_type(template, "AWS::ECS::TaskDefinition")
        .into_iter()
        .flat_map(|(_, r)| {
            r["Properties"]["ContainerDefinitions"]
                .as_array()
                .unwrap()
                .clone()
        })
        .find(|c| c["Name"] == "temporal")
        .expect("a temporal container")
}

fn env_names(container: &Json) -> Vec<String> {
    container["Environment"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|kv| kv["Name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_environment_has_network_data_and_services_stacks() {
    let a = assembly();
    let names: Vec<&str> = a.stacks.iter().map(|s| s.stack_name.as_str()).collect();
    for env in ["dev", "prod"] {
        for part in ["network", "data", "services"] {
            assert!(
                names.contains(&format!("temporal-{env}-{part}").as_str()),
                "{names:?}"
            );
        }
        let data = a.stack(&format!("temporal-{env}-data")).unwrap();
        assert!(data.termination_protection, "the data stack is protected");
        assert_eq!(data.stage.as_deref(), Some(env));
        let services = a.stack(&format!("temporal-{env}-services")).unwrap();
        assert!(services
            .dependencies
            .contains(&format!("temporal-{env}-data")));
    }
}

#[test]
fn correction_1_only_variables_temporal_reads() {
    let a = assembly();
    for env in ["dev", "prod"] {
        let names = env_names(&temporal_container(&services_template(&a, env)));
        for dropped in [
            "STATSD_ADDRESS",
            "STATSD_ENABLED",
            "TEMPORAL_EMIT_METRICS",
            "TEMPORAL_METRICS_PREFIX",
            "STATSD_ENDPOINT",
            "MYSQL_TX_ISOLATION_COMPAT",
        ] {
            assert!(
                !names.contains(&dropped.to_string()),
                "{dropped} is set in {env}"
            );
        }
        for kept in [
            "PROMETHEUS_ENDPOINT",
            "BIND_ON_IP",
            "NUM_HISTORY_SHARDS",
            "MYSQL_SEEDS",
        ] {
            assert!(
                names.contains(&kept.to_string()),
                "{kept} is missing in {env}"
            );
        }
        let container = temporal_container(&services_template(&a, env));
        let bind = container["Environment"]
            .as_array()
            .unwrap()
            .iter()
            .find(|kv| kv["Name"] == "BIND_ON_IP")
            .unwrap();
        assert_eq!(bind["Value"], "0.0.0.0");
    }
}

#[test]
fn correction_2_openmetrics_labels_sit_on_the_temporal_container_and_list_metrics() {
    let a = assembly();
    let t = services_template(&a, "dev");
    let labels = &temporal_container(&t)["DockerLabels"];
    assert_eq!(labels["com.datadoghq.ad.check_names"], "[\"openmetrics\"]");
    let instances: Json =
        serde_json::from_str(labels["com.datadoghq.ad.instances"].as_str().unwrap()).unwrap();
    assert!(instances[0]["metrics"]
        .as_array()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(
        instances[0]["openmetrics_endpoint"],
        "http://127.0.0.1:8000/metrics"
    );
    for (_, td) in resources_of_type(&t, "AWS::ECS::TaskDefinition") {
        for c in td["Properties"]["ContainerDefinitions"].as_array().unwrap() {
            if c["Name"] != "temporal" {
                assert!(
                    c.get("DockerLabels").is_none(),
                    "labels only on the Temporal container"
                );
            }
        }
    }
}

#[test]
fn correction_3_logs_reach_datadog_through_firelens() {
    let a = assembly();
    let t = services_template(&a, "dev");
    for (id, td) in resources_of_type(&t, "AWS::ECS::TaskDefinition") {
        let containers = td["Properties"]["ContainerDefinitions"].as_array().unwrap();
        let router = containers
            .iter()
            .find(|c| c["Name"] == "log-router")
            .expect(id);
        assert_eq!(router["FirelensConfiguration"]["Type"], "fluentbit");
        let app = &containers[0];
        assert_eq!(app["LogConfiguration"]["LogDriver"], "awsfirelens");
        assert_eq!(app["LogConfiguration"]["Options"]["Name"], "datadog");
        assert_eq!(
            app["LogConfiguration"]["Options"]["Host"],
            "http-intake.logs.us5.datadoghq.com"
        );
        let agent = containers
            .iter()
            .find(|c| c["Name"] == "datadog-agent")
            .unwrap();
        assert_eq!(agent["Essential"], false);
    }
}

#[test]
fn correction_4_temporal_server_runs_on_fargate_by_default() {
    let a = assembly();
    let t = services_template(&a, "dev");
    let server = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, r)| r["Type"] == "AWS::ECS::Service" && id.starts_with("TemporalServer"))
        .unwrap()
        .1;
    assert_eq!(
        server["Properties"]["CapacityProviderStrategy"][0]["CapacityProvider"],
        "FARGATE"
    );
    assert!(server["Properties"].get("LaunchType").is_none());
}

#[test]
fn correction_5_database_accepts_3306_only_from_the_temporal_server() {
    let a = assembly();
    let t = services_template(&a, "dev");
    let rules: Vec<&Json> = resources_of_type(&t, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .map(|(_, r)| &r["Properties"])
        .filter(|p| p["FromPort"] == 3306)
        .collect();
    assert_eq!(rules.len(), 1);
    assert!(rules[0].get("CidrIp").is_none());
    let source = rules[0]["SourceSecurityGroupId"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap();
    assert!(source.starts_with("TemporalServer"), "{source}");
    let data = &a.stack("temporal-dev-data").unwrap().template;
    let text = data.to_string();
    assert!(
        !text.contains("10.10.0.0/16\",\"FromPort"),
        "no ingress from the VPC range"
    );
}

#[test]
fn correction_6_execution_roles_read_only_referenced_secrets() {
    let a = assembly();
    for env in ["dev", "prod"] {
        let t = services_template(&a, env);
        for (id, role) in resources_of_type(&t, "AWS::IAM::Role") {
            let text = role.to_string();
            assert!(
                !text.contains("\"Resource\":\"*\""),
                "{id} grants Resource *"
            );
        }
    }
}

#[test]
fn correction_7_images_are_pinned() {
    let a = assembly();
    for stack in &a.stacks {
        for (_, td) in resources_of_type(&stack.template, "AWS::ECS::TaskDefinition") {
            for c in td["Properties"]["ContainerDefinitions"].as_array().unwrap() {
                let image = c["Image"].to_string();
                assert!(
                    !image.contains(":latest") && !image.ends_with("\"latest\""),
                    "{image}"
                );
            }
        }
    }
}

#[test]
fn correction_8_no_plaintext_password_and_db_host_from_the_endpoint() {
    let a = assembly();
    for stack in &a.stacks {
        let text = stack.template.to_string();
        assert!(!text.contains("temporal-password"), "{}", stack.stack_name);
        for (_, db) in resources_of_type(&stack.template, "AWS::RDS::DBInstance") {
            let password = db["Properties"]["MasterUserPassword"].to_string();
            assert!(password.contains("{{resolve:secretsmanager:"), "{password}");
        }
    }
    let container = temporal_container(&services_template(&a, "dev"));
    let seeds = container["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv["Name"] == "MYSQL_SEEDS");
    assert!(seeds.unwrap()["Value"].get("Fn::ImportValue").is_some());
    let secrets: Vec<&str> = container["Secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    assert_eq!(secrets, ["MYSQL_USER", "MYSQL_PWD"]);
}

#[test]
fn correction_9_load_balancer_ingress_comes_from_the_configured_cidrs() {
    let a = assembly();
    let t = services_template(&a, "dev");
    let cidrs: Vec<&Json> = resources_of_type(&t, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .filter_map(|(_, r)| r["Properties"].get("CidrIp"))
        .collect();
    assert!(!cidrs.is_empty());
    assert!(cidrs.iter().all(|c| *c == "203.0.113.0/24"), "{cidrs:?}");
}

#[test]
fn correction_9_world_open_load_balancer_warns_about_missing_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_root().join("stacks/dev.yaml"))
        .unwrap()
        .replace(
            "allowed_cidrs: [203.0.113.0/24]",
            "allowed_cidrs: [0.0.0.0/0]",
        );
    std::fs::write(dir.path().join("dev.yaml"), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stackcraft"))
        .args(["synth", "--quiet", "-o"])
        .arg(dir.path().join("out"))
        .env("STACKCRAFT_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("temporal:ui-and-api-open-to-world"),
        "{stderr}"
    );
    assert!(stderr.contains("authentication"), "{stderr}");
}

#[test]
fn correction_10_shards_from_config_and_pools_fit_the_instance() {
    let dev = EnvConfig::load_dir(&repo_root().join("stacks")).unwrap();
    for config in dev {
        let pools = stackcraft_app::temporal::connection_pools(&config).unwrap();
        let memory = config.database.instance_class.memory_gib().unwrap();
        let max_connections = (memory * 1024.0 * 1024.0 * 1024.0 / 12_582_880.0) as u32;
        let tasks = config.services.frontend.desired_count.0.max(1) * 2;
        assert!(
            4 * tasks * (pools.main + pools.visibility) <= max_connections,
            "{pools:?}"
        );
    }
    let a = assembly();
    let container = temporal_container(&services_template(&a, "prod"));
    let shards = container["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv["Name"] == "NUM_HISTORY_SHARDS")
        .unwrap();
    assert_eq!(shards["Value"], "512");
}

#[test]
fn a_world_wide_block_warns_and_a_repeated_block_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_root().join("stacks/dev.yaml")).unwrap();
    let synth = |allowed: &str| {
        let changed = text.replace("allowed_cidrs: [203.0.113.0/24]", allowed);
        std::fs::write(dir.path().join("dev.yaml"), changed).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_stackcraft"))
            .args(["synth", "--quiet", "-o"])
            .arg(dir.path().join("out"))
            .env("STACKCRAFT_CONFIG_DIR", dir.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, stderr) = synth("allowed_cidrs: [0.0.0.0/1, 128.0.0.0/1]");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("temporal:ui-and-api-open-to-world"),
        "{stderr}"
    );
    let changed = text.replace(
        "allowed_cidrs: [203.0.113.0/24]",
        "allowed_cidrs: [0.0.0.0/0]",
    );
    std::fs::write(dir.path().join("dev.yaml"), changed).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stackcraft"))
        .args(["synth", "--strict", "-o"])
        .arg(dir.path().join("strict"))
        .env("STACKCRAFT_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines = stderr
        .lines()
        .filter(|l| l.contains("ui-and-api-open-to-world"));
    assert_eq!(
        lines.count(),
        1,
        "--strict reports each warning once:\n{stderr}"
    );
    let (code, stderr) = synth("allowed_cidrs: [203.0.113.0/24, 203.0.113.0/24]");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("lists 203.0.113.0/24 twice"), "{stderr}");
}

#[test]
fn config_errors_name_file_line_column_and_what_is_allowed() {
    let root = repo_root().join("stacks/dev.yaml");
    let text = std::fs::read_to_string(&root).unwrap();
    let cases = [
        (text.replace("nat: single", "nat: sometimes"), "nat"),
        (
            text.replace("log_retention_days: 14", "log_retention_days: 8"),
            "CloudWatch accepts",
        ),
        (text.replace("agent:7.59.0", "agent:latest"), "not pinned"),
        (
            text.replace("  multi_az: false\n", "  multi_az: false\n  bogus_key: 1\n"),
            "bogus_key",
        ),
        (
            text.replace("allocated_storage_gib: 20", "allocated_storage_gib: twenty"),
            "line",
        ),
        (
            text.replace("availability_zones: 2", "availability_zones: 1"),
            "availability zones must be from 2 to 6",
        ),
        (
            text.replace(
                "instance_class: db.t3.micro",
                "instance_class: db.m5.7xlarge",
            ),
            "memory is known",
        ),
        (
            text.replace("cidr: 10.10.0.0/16", "cidr: 10.0.0.0/8"),
            "from /16",
        ),
        (
            text.replacen(", image_tag: \"0.1.0\" }", " }", 1),
            "missing field `image_tag`",
        ),
        (
            text.replace(
                "capacity: FARGATE }",
                "capacity: FARGATE, image_tag: \"1\" }",
            ),
            "unknown field `image_tag`",
        ),
        (
            text.replace(
                "image_tag: \"0.1.0\" }\n\ndatadog",
                "image_tag: \"0.1.0\", health_check_path: healthz }\n\ndatadog",
            ),
            "starts with '/'",
        ),
        (
            text.clone() + "region: us-east-2\n",
            "duplicate mapping key",
        ),
        (
            text.replace("frontend: { cpu: 1024,", "frontend: { cpu: 1000,"),
            "services.frontend: cpu 1000 is not a Fargate size",
        ),
        (
            text.replace(
                "ui:       { cpu: 256,  memory: 1024",
                "ui:       { cpu: 256,  memory: 4096",
            ),
            "line 30 column 34: services.ui: memory 4096 MiB does not pair with cpu 256",
        ),
        (
            text.replace(
                "allowed_cidrs: [203.0.113.0/24]",
                "allowed_cidrs: [203.0.113.0/24, 203.0.113.0/24]",
            ),
            "lists 203.0.113.0/24 twice",
        ),
        (
            text.replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.0/27"),
            "line 9 column 9: network.cidr 10.10.0.0/27 cannot hold",
        ),
    ];
    for (bad, expected) in cases {
        assert_ne!(bad, text, "{expected}: the case does not change the file");
        let err = EnvConfig::parse(Path::new("stacks/dev.yaml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("stacks/dev.yaml"), "{err}");
        assert!(err.contains("line "), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(
            !err.contains("<input>"),
            "the snippet names the file: {err}"
        );
        assert!(
            !err.contains("Options"),
            "no advice meant for programmers: {err}"
        );
    }
}

#[test]
fn snapshots_of_every_template() {
    let a = assembly();
    for stack in &a.stacks {
        insta::assert_json_snapshot!(stack.stack_name.clone(), stack.template);
    }
}

#[test]
fn the_committed_cdk_out_equals_a_fresh_synth() {
    let dir = repo_root().join("cdk.out");
    for (name, content) in assembly().files() {
        let committed = std::fs::read_to_string(dir.join(&name))
            .unwrap_or_else(|_| panic!("cdk.out/{name} is missing: run `cargo run -- synth`"));
        assert!(
            committed == content,
            "cdk.out/{name} is stale: run `cargo run -- synth`"
        );
    }
}

fn tools_dir() -> PathBuf {
    std::env::var_os("STACKCRAFT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".tools"))
}

#[test]
fn cfn_lint_reports_nothing_on_any_template() {
    let cfn_lint = tools_dir().join("venv/bin/cfn-lint");
    assert!(
        cfn_lint.exists(),
        "{} is missing: run scripts/tools.sh",
        cfn_lint.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let a = assembly();
    a.write(dir.path()).unwrap();
    let files: Vec<PathBuf> = a
        .stacks
        .iter()
        .map(|s| dir.path().join(s.template_file()))
        .collect();
    let out = Command::new(&cfn_lint)
        .arg("--format")
        .arg("parseable")
        .args(&files)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "cfn-lint found:\n{report}"
    );
}
