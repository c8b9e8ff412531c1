//! Link options of the `stackcraft` binary.

/// Passes the link options to cargo.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Linked at a fixed address (not position-independent) on GNU/Linux: the binary carries the
    // AWS SDK for `deploy`, and as a position-independent executable the dynamic loader would
    // patch about 60,000 pointers (1 MiB of pages) on every start, `synth` and `--version`
    // included. ARCHITECTURE.md (Performance) records the measurements and what this gives up.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=stackcraft=-no-pie");
    }
}
