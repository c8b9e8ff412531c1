//! Which attributes `Fn::GetAtt` may read from a resource type.
//!
//! The schema's `readOnlyProperties` are the documented attributes. CloudFormation also lets
//! `GetAtt` read the plain properties of some older types (a VPC's `CidrBlock`, a subnet's
//! `AvailabilityZone`); the lists below name those types, agreeing with what cfn-lint accepts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value as Json;

use crate::schema::{self, ResourceSchema};

/// Types whose every property (nested ones dotted) `GetAtt` can read.
const ALL_PROPERTIES: &[&str] = &[
    "AWS::Amplify::Branch",
    "AWS::Amplify::Domain",
    "AWS::AppSync::DomainName",
    "AWS::AppSync::FunctionConfiguration",
    "AWS::AppSync::Resolver",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::Backup::BackupSelection",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository",
    "AWS::EC2::CapacityReservation",
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EFS::MountTarget",
    "AWS::EKS::Nodegroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::EventSchemas::Discoverer",
    "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::Schema",
    "AWS::Events::EventBus",
    "AWS::GameLift::GameSessionQueue",
    "AWS::GameLift::MatchmakingConfiguration",
    "AWS::GameLift::MatchmakingRuleSet",
    "AWS::Grafana::Workspace",
    "AWS::Greengrass::ConnectorDefinition",
    "AWS::Greengrass::CoreDefinition",
    "AWS::Greengrass::DeviceDefinition",
    "AWS::Greengrass::FunctionDefinition",
    "AWS::Greengrass::Group",
    "AWS::Greengrass::LoggerDefinition",
    "AWS::Greengrass::ResourceDefinition",
    "AWS::Greengrass::SubscriptionDefinition",
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::ContainerRecipe",
    "AWS::ImageBuilder::DistributionConfiguration",
    "AWS::ImageBuilder::ImagePipeline",
    "AWS::ImageBuilder::ImageRecipe",
    "AWS::ImageBuilder::InfrastructureConfiguration",
    "AWS::ManagedBlockchain::Node",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::RedshiftServerless::Workgroup",
    "AWS::RoboMaker::RobotApplication",
    "AWS::RoboMaker::SimulationApplication",
    "AWS::Route53Resolver::ResolverRule",
    "AWS::Route53Resolver::ResolverRuleAssociation",
    "AWS::S3::AccessPoint",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SSM::Parameter",
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::MonitoringSchedule",
    "AWS::StepFunctions::Activity",
];

/// Types where a few plain properties are readable besides the read-only ones.
const EXTRA: &[(&str, &[&str])] = &[
    (
        "AWS::AppMesh::GatewayRoute",
        &[
            "GatewayRouteName",
            "MeshName",
            "MeshOwner",
            "VirtualGatewayName",
        ],
    ),
    ("AWS::AppMesh::Mesh", &["MeshName"]),
    (
        "AWS::AppMesh::Route",
        &["MeshName", "MeshOwner", "RouteName", "VirtualRouterName"],
    ),
    (
        "AWS::AppMesh::VirtualGateway",
        &["MeshName", "MeshOwner", "VirtualGatewayName"],
    ),
    (
        "AWS::AppMesh::VirtualNode",
        &["MeshName", "MeshOwner", "VirtualNodeName"],
    ),
    (
        "AWS::AppMesh::VirtualRouter",
        &["MeshName", "MeshOwner", "VirtualRouterName"],
    ),
    (
        "AWS::AppMesh::VirtualService",
        &["MeshName", "MeshOwner", "VirtualServiceName"],
    ),
    ("AWS::AppSync::DataSource", &["Name"]),
    ("AWS::Cloud9::EnvironmentEC2", &["Name"]),
    ("AWS::CloudWatch::InsightRule", &["RuleName"]),
    ("AWS::DocDB::DBCluster", &["Port"]),
    ("AWS::Greengrass::Group", &["Name", "RoleArn"]),
    ("AWS::IoT1Click::Device", &["Enabled"]),
    (
        "AWS::IoT1Click::Placement",
        &["PlacementName", "ProjectName"],
    ),
    ("AWS::IoT1Click::Project", &["ProjectName"]),
    (
        "AWS::Kinesis::StreamConsumer",
        &["ConsumerName", "StreamARN"],
    ),
    ("AWS::ManagedBlockchain::Member", &["NetworkId"]),
    ("AWS::MediaConvert::JobTemplate", &["Name"]),
    ("AWS::MediaConvert::Preset", &["Name"]),
    ("AWS::MediaConvert::Queue", &["Name"]),
    ("AWS::MediaLive::Input", &["Destinations", "Sources"]),
    ("AWS::OpsWorks::Instance", &["AvailabilityZone"]),
    ("AWS::OpsWorks::UserProfile", &["SshUsername"]),
    (
        "AWS::Route53Resolver::ResolverEndpoint",
        &["Direction", "Name"],
    ),
    ("AWS::SageMaker::CodeRepository", &["CodeRepositoryName"]),
    ("AWS::SageMaker::Endpoint", &["EndpointName"]),
    ("AWS::SageMaker::EndpointConfig", &["EndpointConfigName"]),
    ("AWS::SageMaker::Model", &["ModelName"]),
    (
        "AWS::SageMaker::NotebookInstance",
        &["NotebookInstanceName"],
    ),
    (
        "AWS::SageMaker::NotebookInstanceLifecycleConfig",
        &["NotebookInstanceLifecycleConfigName"],
    ),
    ("AWS::SageMaker::Workteam", &["WorkteamName"]),
    ("AWS::ServiceDiscovery::Service", &["Name"]),
    ("AWS::Transfer::User", &["ServerId", "UserName"]),
];

/// What `GetAtt` on a type may read.
pub(crate) enum Attributes {
    /// Any attribute (custom resources).
    Any,
    /// Any `Outputs.<Name>` (nested stacks).
    StackOutputs,
    /// Exactly these, dotted.
    Listed(Vec<String>),
}

impl Attributes {
    /// True when `attribute` may be read.
    pub fn allows(&self, attribute: &str) -> bool {
        match self {
            Attributes::Any => true,
            Attributes::StackOutputs => attribute.starts_with("Outputs."),
            Attributes::Listed(names) => names.iter().any(|n| n == attribute),
        }
    }
}

/// The attributes of `type_name`, worked out once per process.
pub(crate) fn attributes_of(type_name: &str) -> Arc<Attributes> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Attributes>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(type_name).cloned()) {
        return found;
    }
    let found = Arc::new(attributes(
        type_name,
        schema::resource(type_name).as_deref(),
    ));
    if let Ok(mut c) = cache.lock() {
        c.insert(type_name.to_string(), found.clone());
    }
    found
}

/// The attributes of `type_name`, from its schema.
fn attributes(type_name: &str, schema: Option<&ResourceSchema>) -> Attributes {
    if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
        return Attributes::Any;
    }
    if type_name == "AWS::CloudFormation::Stack" {
        return Attributes::StackOutputs;
    }
    let Some(schema) = schema else {
        return Attributes::Any;
    };
    if ALL_PROPERTIES.binary_search(&type_name).is_ok() {
        let mut names = Vec::new();
        if let Some(props) = schema.raw()["properties"].as_object() {
            for (name, value) in props {
                flatten(schema.raw(), value, name.clone(), &mut names, 0);
            }
        }
        return Attributes::Listed(names);
    }
    let mut names = schema.attributes.clone();
    if let Some((_, extra)) = EXTRA.iter().find(|(t, _)| *t == type_name) {
        names.extend(extra.iter().map(|s| s.to_string()));
    }
    Attributes::Listed(names)
}

fn flatten(root: &Json, schema: &Json, path: String, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(target) = schema["$ref"].as_str() {
        let resolved = target
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or(&Json::Null);
        return flatten(root, resolved, path, out, depth + 1);
    }
    let types: Vec<&str> = match &schema["type"] {
        Json::String(s) => vec![s.as_str()],
        Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
        _ => vec![],
    };
    if types.contains(&"object") {
        if let Some(props) = schema["properties"].as_object() {
            for (name, value) in props {
                flatten(root, value, format!("{path}.{name}"), out, depth + 1);
            }
        }
    } else if types.contains(&"array") {
        let item_type = &schema["items"]["type"];
        if item_type != "object" && item_type != "array" {
            out.push(path);
        }
    } else {
        out.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    #[test]
    fn reads_read_only_and_plain_properties() {
        let vpc = schema::resource("AWS::EC2::VPC").unwrap();
        let attrs = attributes("AWS::EC2::VPC", Some(&vpc));
        assert!(attrs.allows("CidrBlock") && attrs.allows("VpcId"));
        let db = schema::resource("AWS::RDS::DBInstance").unwrap();
        assert!(attributes("AWS::RDS::DBInstance", Some(&db)).allows("Endpoint.Address"));
        let log = schema::resource("AWS::Logs::LogGroup").unwrap();
        let attrs = attributes("AWS::Logs::LogGroup", Some(&log));
        assert!(attrs.allows("Arn") && !attrs.allows("RetentionInDays"));
        assert!(ALL_PROPERTIES.windows(2).all(|w| w[0] < w[1]));
    }
}
