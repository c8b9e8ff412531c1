//! `destroy`: delete the selected stacks in reverse dependency order, after confirmation. The
//! arguments are declared here; the work is `crate::deploy::destroy`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::deploy::{
    load_assembly, parse_duration, runtime, AwsArgs, StackArgs, EXIT_FAILED, EXIT_INTERRUPTED,
    EXIT_STOPPED,
};
use super::progress::{interrupted, TerminalReporter};
use super::AppBuilder;
use crate::deploy::selection::{self, Selection};
use crate::deploy::{Clients, DestroyOptions, Outcome};

/// Arguments of `destroy`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    select: StackArgs,
    /// Answer yes to the confirmation
    #[arg(short, long)]
    yes: bool,
    /// The service role CloudFormation assumes
    #[arg(long, value_name = "ARN", value_parser = super::deploy::parse_role_arn)]
    role_arn: Option<String>,
    /// Give up waiting for a stack after this long (90s, 30m, 2h); CloudFormation goes on
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    #[command(flatten)]
    aws: AwsArgs,
}

pub(crate) fn run(args: Args, build: AppBuilder<'_>) -> anyhow::Result<ExitCode> {
    if args.select.stacks.is_empty() && args.select.env.is_none() && !args.select.all {
        super::usage!("name the stacks to destroy, or pass --env NAME or --all");
    }
    let Some((assembly, _)) = load_assembly(args.select.app.as_deref(), build)? else {
        return Ok(ExitCode::from(EXIT_FAILED));
    };
    let selection = Selection {
        names: args.select.stacks.clone(),
        env: args.select.env.clone(),
        all: args.select.all,
        with_dependencies: false,
    };
    let stacks = match selection::select(&assembly, &selection) {
        Ok(stacks) => stacks,
        Err(e) => {
            stderr_line!("stackcraft: error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let options = DestroyOptions {
        role_arn: args.role_arn,
        timeout: args.timeout,
    };
    let reporter = Arc::new(TerminalReporter::new(args.yes));
    let dyn_reporter: Arc<dyn crate::deploy::Reporter> = reporter.clone();
    let client_options = args.aws.client_options();
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        let clients = Arc::new(Clients::load(&client_options).await);
        tokio::select! {
            r = crate::deploy::destroy(clients, stacks, options, dyn_reporter) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    runtime.shutdown_background();
    let Some(result) = result else {
        interrupted(&reporter);
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    };
    let reports = match result {
        Ok(reports) => reports,
        Err(e) => {
            reporter.line(&format!("stackcraft: {e}"));
            return Ok(ExitCode::from(EXIT_STOPPED));
        }
    };
    let mut code = ExitCode::SUCCESS;
    for report in reports {
        match report.result {
            Ok(Outcome::Absent) => reporter.out(&format!(
                "{}: does not exist, nothing to delete",
                report.stack
            )),
            Ok(Outcome::Deleted { retained }) => {
                reporter.out(&format!("{}: deleted", report.stack));
                for (id, ty, policy) in retained {
                    reporter.out(&format!(
                        "  kept by DeletionPolicy {policy}: {id} ({ty}); it still exists and \
                         may cost money"
                    ));
                }
            }
            Ok(_) => {}
            Err(e) => {
                reporter.line(&format!("stackcraft: error: {e}"));
                code = ExitCode::from(if e.is_refusal() {
                    EXIT_STOPPED
                } else {
                    EXIT_FAILED
                });
            }
        }
    }
    Ok(code)
}
