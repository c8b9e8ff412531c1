//! `deploy`: synthesize (or load `--app DIR`), then deploy the selected stacks through change
//! sets. The arguments are declared here; the work is `crate::deploy`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::progress::{interrupted, summarize, TerminalReporter};
use super::{render, AppBuilder};
use crate::assembly::CloudAssembly;
use crate::deploy::selection::{self, Selection};
use crate::deploy::{
    outputs, ClientOptions, Clients, DeployOptions, Outcome, RequireApproval, StackParameter,
};

/// Exit code when a stack failed.
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit code when the command stopped before changing anything: refused, not approved, or a
/// stack state that needs a person.
pub(crate) const EXIT_STOPPED: u8 = 3;
/// Exit code after Ctrl-C.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Where the stacks come from and which of them to take.
#[derive(Debug, clap::Args)]
pub(crate) struct StackArgs {
    /// Stacks to act on (stack names or artifact ids)
    pub(crate) stacks: Vec<String>,
    /// Use the cloud assembly in DIR instead of synthesizing the app
    #[arg(long, value_name = "DIR")]
    pub(crate) app: Option<PathBuf>,
    /// Take the stacks of this environment (stage)
    #[arg(long = "env", value_name = "NAME", conflicts_with = "all")]
    pub(crate) env: Option<String>,
    /// Take every stack, of every environment
    #[arg(long)]
    pub(crate) all: bool,
}

/// Credentials, region and endpoint.
#[derive(Debug, clap::Args)]
pub(crate) struct AwsArgs {
    /// The AWS profile to use
    #[arg(long, env = "AWS_PROFILE")]
    pub(crate) profile: Option<String>,
    /// The region for stacks that do not pin one
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator such as moto)
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL", value_parser = parse_endpoint)]
    pub(crate) endpoint_url: Option<String>,
}

impl AwsArgs {
    pub(crate) fn client_options(&self) -> ClientOptions {
        ClientOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

/// Arguments of `deploy`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    select: StackArgs,
    /// Deploy only the named stacks, not the stacks they depend on
    #[arg(long)]
    exclusively: bool,
    /// Deploy up to N independent stacks at once
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = parse_concurrency)]
    concurrency: usize,
    /// A parameter value: Stack:Key=Value, or Key=Value for every stack (repeatable)
    #[arg(long = "parameters", value_name = "STACK:KEY=VALUE", value_parser = parse_parameter)]
    parameters: Vec<StackParameter>,
    /// A tag for every stack: Key=Value (repeatable)
    #[arg(long = "tags", value_name = "KEY=VALUE", value_parser = parse_tag)]
    tags: Vec<(String, String)>,
    /// The service role CloudFormation assumes
    #[arg(long, value_name = "ARN", value_parser = parse_role_arn)]
    role_arn: Option<String>,
    /// The S3 bucket templates over 51,200 bytes are uploaded to
    #[arg(
        long,
        env = "STACKCRAFT_TEMPLATE_BUCKET",
        value_name = "BUCKET",
        value_parser = parse_bucket
    )]
    template_bucket: Option<String>,
    /// Allow this resource to be replaced or removed although it holds data (repeatable)
    #[arg(long, value_name = "LOGICAL_ID")]
    allow_replacement: Vec<String>,
    /// When to ask before executing: never, any-change or broadening
    #[arg(long, default_value = "broadening", value_name = "LEVEL")]
    require_approval: RequireApproval,
    /// Answer yes to every question
    #[arg(short, long)]
    yes: bool,
    /// Create the change sets and leave them for review
    #[arg(long)]
    no_execute: bool,
    /// Wait for an operation already running on a stack instead of stopping
    #[arg(long)]
    wait_in_progress: bool,
    /// Give up waiting for a stack after this long (90s, 30m, 2h); CloudFormation goes on
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Write the stacks' outputs as JSON to PATH
    #[arg(long, value_name = "PATH")]
    outputs_file: Option<PathBuf>,
    #[command(flatten)]
    aws: AwsArgs,
}

pub(crate) fn run(args: Args, build: AppBuilder<'_>) -> anyhow::Result<ExitCode> {
    // Checked before anything is deployed: the outputs are written only at the end.
    if let Some(path) = &args.outputs_file {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if path.is_dir() {
            super::usage!("--outputs-file {} is a folder; name a file", path.display());
        }
        if !parent.is_dir() {
            super::usage!(
                "--outputs-file {}: the folder {} does not exist",
                path.display(),
                parent.display()
            );
        }
    }
    let Some((assembly, assembly_dir)) = load_assembly(args.select.app.as_deref(), build)? else {
        return Ok(ExitCode::from(EXIT_FAILED));
    };
    let selection = Selection {
        names: args.select.stacks.clone(),
        env: args.select.env.clone(),
        all: args.select.all,
        with_dependencies: !args.exclusively,
    };
    let stacks = match selection::select(&assembly, &selection) {
        Ok(stacks) => stacks,
        Err(e) => {
            stderr_line!("stackcraft: error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let options = DeployOptions {
        parameters: args.parameters,
        tags: args.tags.into_iter().collect(),
        role_arn: args.role_arn,
        template_bucket: args.template_bucket,
        allow_replacement: args.allow_replacement,
        require_approval: args.require_approval,
        execute: !args.no_execute,
        wait_in_progress: args.wait_in_progress,
        concurrency: args.concurrency,
        timeout: args.timeout,
    };
    let reporter = Arc::new(TerminalReporter::new(args.yes));
    let runtime = runtime()?;
    let client_options = args.aws.client_options();
    let dyn_reporter: Arc<dyn crate::deploy::Reporter> = reporter.clone();
    let reports = runtime.block_on(async {
        let clients = Arc::new(Clients::load(&client_options).await);
        tokio::select! {
            reports = crate::deploy::deploy(clients, stacks, Arc::new(options), dyn_reporter) => {
                Some(reports)
            }
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    runtime.shutdown_background();
    let Some(reports) = reports else {
        interrupted(&reporter);
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    };
    let code = summarize(&reporter, &reports);
    if let Some(path) = &args.outputs_file {
        let collected: outputs::StackOutputs = reports
            .iter()
            .filter_map(|r| match &r.result {
                Ok(Outcome::Deployed { outputs, .. }) | Ok(Outcome::UpToDate { outputs }) => {
                    Some((r.stack.clone(), outputs.clone()))
                }
                _ => None,
            })
            .collect();
        outputs::write(path, &collected, Some(&assembly_dir))?;
        reporter.line(&format!("outputs written to {}", path.display()));
    }
    Ok(code)
}

/// The assembly to act on and its folder: `--app DIR` as it is, or a fresh synthesis of the
/// app (validation included; nothing is written). `None` when synthesis failed (reported).
pub(crate) fn load_assembly(
    app: Option<&Path>,
    build: AppBuilder<'_>,
) -> anyhow::Result<Option<(CloudAssembly, PathBuf)>> {
    if let Some(dir) = app {
        let assembly = CloudAssembly::load(dir)
            .with_context(|| format!("loading the cloud assembly {}", dir.display()))?;
        return Ok(Some((assembly, dir.to_path_buf())));
    }
    let Some(synthesis) = super::synthesize(build, &Default::default())? else {
        return Ok(None);
    };
    render::annotations(&synthesis.annotations);
    render::findings(&synthesis.findings);
    Ok(Some((synthesis.assembly, PathBuf::from("cdk.out"))))
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn parse_parameter(text: &str) -> Result<StackParameter, String> {
    let (left, value) = text
        .split_once('=')
        .ok_or_else(|| format!("'{text}' is not Stack:Key=Value or Key=Value"))?;
    let (stack, key) = match left.split_once(':') {
        Some((stack, key)) => (Some(stack.to_string()), key),
        None => (None, left),
    };
    if key.is_empty() {
        return Err(format!("'{text}' has no parameter key"));
    }
    Ok(StackParameter {
        stack,
        key: key.to_string(),
        value: value.to_string(),
    })
}

/// An endpoint URL: `http://` or `https://` and a host.
fn parse_endpoint(text: &str) -> Result<String, String> {
    let host = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(text.to_string())
        }
        _ => Err(format!(
            "'{text}' is not an endpoint URL such as http://127.0.0.1:5000 or \
             https://cloudformation.eu-west-1.amazonaws.com"
        )),
    }
}

/// An IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub(crate) fn parse_role_arn(text: &str) -> Result<String, String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let ok = matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws")
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && resource.len() > "role/".len()
                && resource.starts_with("role/")
    );
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not an IAM role ARN such as \
             arn:aws:iam::123456789012:role/cloudformation-deployer"
        ))
    }
}

/// An S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and
/// ending with a letter or digit.
fn parse_bucket(text: &str) -> Result<String, String> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(text.chars().next())
        && edge(text.chars().last());
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not an S3 bucket name: 3 to 63 lowercase letters, digits, dots and \
             hyphens, beginning and ending with a letter or digit"
        ))
    }
}

/// A whole number of stacks, 1 or more.
fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("0 stacks at once would deploy nothing: give 1 or more".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "'{text}' is not a whole number of stacks (1 or more)"
        )),
    }
}

fn parse_tag(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("'{text}' is not Key=Value"))
}

/// `90s`, `30m`, `2h`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration such as 90s, 30m or 2h"))?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        _ => return Err(format!("'{text}': use s, m or h")),
    };
    let secs = n
        .checked_mul(factor)
        .ok_or_else(|| format!("'{text}' is too long"))?;
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parameters_durations_and_tags() {
        let p = parse_parameter("Net:Cidr=10.0.0.0/16").unwrap();
        assert_eq!(p.stack.as_deref(), Some("Net"));
        assert_eq!((p.key.as_str(), p.value.as_str()), ("Cidr", "10.0.0.0/16"));
        assert_eq!(parse_parameter("Size=3").unwrap().stack, None);
        assert!(parse_parameter("nothing").is_err());
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_tag("team=core"), Ok(("team".into(), "core".into())));
    }

    #[test]
    fn parses_endpoints_roles_buckets_and_concurrency() {
        assert!(parse_endpoint("http://127.0.0.1:5000").is_ok());
        assert!(parse_endpoint("https://cloudformation.eu-west-1.amazonaws.com/").is_ok());
        for bad in ["not-a-url", "ftp://host", "http://", "http:// spaced"] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
        assert!(parse_role_arn("arn:aws:iam::123456789012:role/deployer").is_ok());
        assert!(parse_role_arn("arn:aws-cn:iam::123456789012:role/path/deployer").is_ok());
        for bad in [
            "deployer",
            "arn:aws:iam::12345:role/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(parse_role_arn(bad).is_err(), "{bad}");
        }
        assert!(parse_bucket("large-template-bucket").is_ok());
        for bad in ["ab", "Bad", "bad_bucket", "-edge", "edge.", &"x".repeat(64)] {
            assert!(parse_bucket(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_concurrency("3"), Ok(3));
        assert!(parse_concurrency("0").is_err());
        assert!(parse_concurrency("-1").is_err());
    }
}
