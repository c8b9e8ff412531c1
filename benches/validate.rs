//! Validation speed (issue 5): `validate_template` on a generated 500-resource template and on
//! the default app's largest template, with schemas already compiled (as in every stack after
//! the first), and reading plus validating the file as `validate FILE` does.
//!
//! `scripts/bench` runs these and times the release binary as a whole process on the default
//! app's templates and a 500-resource template, beside cfn-lint and AWS's validator on the same
//! files, and writes `BENCHMARKS.md`.

use std::path::PathBuf;

use serde_json::Value as Json;
use stackcraft::validate::{validate_parsed, validate_template, ParsedTemplate};

fn main() {
    divan::main();
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

const GENERATED: &str = "benches/data/generated-500.json";
const DEFAULT_APP: &str = "cdk.out/temporal-prod-services.template.json";

fn read(name: &str) -> String {
    std::fs::read_to_string(path(name)).expect("benchmark template exists")
}

#[divan::bench(args = [GENERATED, DEFAULT_APP])]
fn validate_template_warm(bencher: divan::Bencher, name: &str) {
    let template: Json = serde_json::from_str(&read(name)).expect("JSON");
    validate_template(&template);
    bencher.bench(|| validate_template(divan::black_box(&template)));
}

#[divan::bench(args = [GENERATED, DEFAULT_APP])]
fn parse_and_validate_file(bencher: divan::Bencher, name: &str) {
    let text = read(name);
    bencher.bench(|| {
        let parsed = ParsedTemplate::parse_json(divan::black_box(&text)).expect("JSON");
        validate_parsed(&parsed, name)
    });
}
