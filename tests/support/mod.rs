//! Test support shared by the deploy tests.
#![allow(dead_code)]

pub mod assembly;
pub mod aws_xml;
pub mod moto;
pub mod replay;

use std::process::{Command, Stdio};

/// Points `cmd` at `endpoint` with dummy credentials, no profile and no instance metadata.
pub fn fake_aws(cmd: &mut Command, endpoint: &str) {
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("STACKCRAFT_TEMPLATE_BUCKET")
        .stdin(Stdio::null());
}
