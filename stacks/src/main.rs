//! The `stackcraft` command line with the default app built in.

use std::process::ExitCode;

// Synthesis allocates many small JSON values: with mimalloc, `synth` of the default app runs a
// fifth fewer instructions than with the system allocator. Its transparent huge pages are off
// (`no_thp`): for a process this short they only add peak memory (16 MiB for `synth`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    stackcraft::cli::main(stackcraft_app::build_app)
}
