//! Synthesis benchmarks (divan): the default app, generated stacks of 50 to 500 resources in the
//! default app's proportions, and an app of 50 stacks with cross-stack references.
//!
//! Every synthesis includes validation, as `synth` does. Run with `cargo bench -p stackcraft-app
//! --bench synth`; `scripts/bench` runs it and records the medians in `BENCHMARKS.md`.

use divan::counter::ItemsCount;
use divan::Bencher;
use stackcraft::SynthOptions;

#[path = "support/scale.rs"]
#[allow(dead_code)]
mod scale;

// The allocator of the `stackcraft` binary, so the benches measure what `synth` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resources per stack of the 50-stack app: the default app's average (148 in 6 stacks).
const RESOURCES_PER_STACK: usize = 25;

fn main() {
    let (_, unknown) = scale::default_app_mix();
    if !unknown.is_empty() {
        eprintln!("note: generated stacks leave out types the generator cannot build: {unknown:?}");
    }
    divan::main();
}

/// The default app: YAML environment files read, construct tree built, synthesized.
#[divan::bench(sample_count = 60)]
fn default_app(bencher: Bencher) {
    bencher.bench_local(|| {
        let app = stackcraft_app::build_app().expect("the default app builds");
        let synthesis = app.synth(&SynthOptions::default()).expect("it synthesizes");
        (app, synthesis)
    });
}

/// The default app's construct tree only (environment files read, constructs created).
#[divan::bench(sample_count = 60)]
fn default_app_build(bencher: Bencher) {
    bencher.bench_local(|| stackcraft_app::build_app().expect("the default app builds"));
}

/// The default app's cloud assembly rendered to the bytes `synth` writes.
#[divan::bench(sample_count = 60)]
fn default_app_render(bencher: Bencher) {
    let app = stackcraft_app::build_app().expect("the default app builds");
    let synthesis = app.synth(&SynthOptions::default()).expect("it synthesizes");
    bencher.bench_local(|| synthesis.assembly.files());
}

/// One stack of `n` resources (units of 50 in the default app's proportions): tree built and
/// synthesized.
#[divan::bench(args = [50, 100, 250, 500], sample_count = 40)]
fn stack(bencher: Bencher, n: usize) {
    let (mix, _) = scale::default_app_mix();
    bencher.counter(ItemsCount::new(n)).bench_local(|| {
        let app = scale::stack_app(&mix, n);
        let synthesis = app.synth(&SynthOptions::default()).expect("it synthesizes");
        (app, synthesis)
    });
}

/// 50 stacks: a network stack and 49 stacks of 25 resources, each reading the network and the
/// previous stack through cross-stack references.
#[divan::bench(sample_count = 10)]
fn fifty_stacks(bencher: Bencher) {
    let (mix, _) = scale::default_app_mix();
    let counts = scale::scale_mix(&mix, RESOURCES_PER_STACK);
    bencher.bench_local(|| {
        let app = scale::multi_stack_app(50, &counts);
        let synthesis = app.synth(&SynthOptions::default()).expect("it synthesizes");
        (app, synthesis)
    });
}
