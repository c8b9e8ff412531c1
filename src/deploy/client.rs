//! The AWS clients `deploy` and `destroy` use, built once from `aws-config`'s standard chain
//! (environment, profile, SSO, instance metadata) and the command line's overrides.
//!
//! Retries are the SDK's own (standard mode: exponential back-off with jitter, throttling
//! errors included); calls that must not be sent twice switch them off per operation with
//! [`no_retry`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use super::error::{DeployError, DeployErrorKind};

/// How many times the SDK tries an idempotent call, throttling included.
const MAX_ATTEMPTS: u32 = 5;

/// Where to find credentials and which endpoint to talk to.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// The named profile of the AWS config files.
    ///
    /// **Default:** `AWS_PROFILE`, then the `default` profile.
    pub profile: Option<String>,
    /// The region for stacks whose environment does not pin one.
    ///
    /// **Default:** `AWS_REGION`, then the profile's region.
    pub region: Option<String>,
    /// A custom endpoint for every service (an emulator such as moto).
    ///
    /// **Default:** the AWS endpoints; `AWS_ENDPOINT_URL` is honoured too.
    pub endpoint_url: Option<String>,
}

/// CloudFormation and S3 clients per region.
#[derive(Debug)]
pub struct Clients {
    config: SdkConfig,
    path_style: bool,
    cfn: Mutex<HashMap<String, aws_sdk_cloudformation::Client>>,
}

/// Limits on every AWS call, so an endpoint that accepts connections but never answers fails
/// the command instead of hanging it: 10 s to connect, 30 s for the first byte of an answer,
/// 60 s per attempt and 3 min per call, retries included.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(180))
        .build()
}

impl Clients {
    /// Loads the shared configuration; no network call is made.
    pub async fn load(options: &ClientOptions) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(timeouts());
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let path_style = config.endpoint_url().is_some();
        Clients {
            config,
            path_style,
            cfn: Mutex::new(HashMap::new()),
        }
    }

    fn region(&self, pinned: Option<&str>) -> Result<Region, DeployError> {
        pinned
            .map(|r| Region::new(r.to_string()))
            .or_else(|| self.config.region().cloned())
            .ok_or_else(|| DeployError::new("", DeployErrorKind::NoRegion))
    }

    /// The CloudFormation client for a stack's pinned region, or the configured one.
    pub fn cloudformation(
        &self,
        pinned_region: Option<&str>,
    ) -> Result<aws_sdk_cloudformation::Client, DeployError> {
        let region = self.region(pinned_region)?;
        let mut cache = self.cfn.lock().unwrap_or_else(|e| e.into_inner());
        let client = cache
            .entry(region.to_string())
            .or_insert_with(|| {
                let config = aws_sdk_cloudformation::config::Builder::from(&self.config)
                    .region(region)
                    .build();
                aws_sdk_cloudformation::Client::from_conf(config)
            })
            .clone();
        Ok(client)
    }

    /// The S3 client for template uploads; path-style addressing when an endpoint is set, since
    /// emulators do not serve bucket subdomains.
    pub fn s3(&self, pinned_region: Option<&str>) -> Result<aws_sdk_s3::Client, DeployError> {
        let region = self.region(pinned_region)?;
        let config = aws_sdk_s3::config::Builder::from(&self.config)
            .region(region)
            .force_path_style(self.path_style)
            .build();
        Ok(aws_sdk_s3::Client::from_conf(config))
    }

    /// The region name a stack deploys to.
    pub fn region_name(&self, pinned_region: Option<&str>) -> Result<String, DeployError> {
        self.region(pinned_region).map(|r| r.to_string())
    }
}

/// A per-operation configuration that switches retries off, for calls that are not idempotent
/// (`ExecuteChangeSet`): a retry after a fault could run a half-applied change twice.
pub fn no_retry() -> aws_sdk_cloudformation::config::Builder {
    aws_sdk_cloudformation::config::Builder::default().retry_config(RetryConfig::disabled())
}
