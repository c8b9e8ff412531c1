//! The demo app: one small stack of resource types the moto emulator models end to end, so a
//! new user can try `deploy` and `destroy` without an AWS account (see the README).

use serde_json::json;
use stackcraft::{App, CfnUntyped, Output, OutputProps, Resource, Stack, StackProps};
use stackcraft_constructs::{Network, NetworkProps};

/// The demo stack's name.
pub const DEMO_STACK: &str = "StackcraftDemo";

/// Builds the demo app: a network, a security group, a log group, an ECS cluster, a task role,
/// an ECR repository, a queue and a parameter.
pub fn build_demo_app() -> anyhow::Result<App> {
    let app = App::new();
    let stack = Stack::new(&app, DEMO_STACK, StackProps::default())?;
    let network = Network::new(&stack, "Network", NetworkProps::default())?;
    let sg = Resource::new(
        &stack,
        "ServiceSecurityGroup",
        CfnUntyped::new(
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupDescription": "demo service",
                "VpcId": network.vpc_id().as_json(),
                "SecurityGroupIngress": [{
                    "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                    "CidrIp": "10.0.0.0/16"
                }]
            }),
        ),
    )?;
    Resource::new(
        &stack,
        "Logs",
        CfnUntyped::new("AWS::Logs::LogGroup", json!({ "RetentionInDays": 7 })),
    )?;
    Resource::new(
        &stack,
        "Cluster",
        CfnUntyped::new("AWS::ECS::Cluster", json!({})),
    )?;
    Resource::new(
        &stack,
        "TaskRole",
        CfnUntyped::new(
            "AWS::IAM::Role",
            json!({
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Service": "ecs-tasks.amazonaws.com" },
                        "Action": "sts:AssumeRole"
                    }]
                }
            }),
        ),
    )?;
    Resource::new(
        &stack,
        "Images",
        CfnUntyped::new(
            "AWS::ECR::Repository",
            json!({ "RepositoryName": "stackcraft-demo" }),
        ),
    )?;
    let queue = Resource::new(
        &stack,
        "Jobs",
        CfnUntyped::new("AWS::SQS::Queue", json!({ "VisibilityTimeout": 60 })),
    )?;
    Resource::new(
        &stack,
        "Greeting",
        CfnUntyped::new(
            "AWS::SSM::Parameter",
            json!({ "Name": "/stackcraft-demo/greeting", "Type": "String", "Value": "hello" }),
        ),
    )?;
    Output::new(&stack, "VpcId", OutputProps::new(network.vpc_id()))?;
    Output::new(&stack, "SecurityGroupId", OutputProps::new(sg.ref_()))?;
    Output::new(&stack, "QueueUrl", OutputProps::new(queue.ref_()))?;
    Ok(app)
}
