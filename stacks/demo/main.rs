//! `stackcraft-demo`: the `stackcraft` command line with the demo app built in.

use std::process::ExitCode;

fn main() -> ExitCode {
    stackcraft::cli::main(stackcraft_app::demo::build_demo_app)
}
