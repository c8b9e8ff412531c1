//! The `stackcraft` command line with the default app built in.

use std::process::ExitCode;

fn main() -> ExitCode {
    stackcraft::cli::main(stackcraft_app::build_app)
}
