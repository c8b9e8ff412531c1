//! Writes a generated app's cloud assembly, for measuring tools on templates of a known size.
//!
//! ```sh
//! cargo run --release -p stackcraft-app --example scale -- 500 /tmp/scale   # one stack
//! cargo run --release -p stackcraft-app --example scale -- 50x25 /tmp/apps  # 50 stacks
//! ```
//!
//! The first form writes `Scale500.template.json`: 500 resources in the default app's
//! proportions, ten units of 50 (see `benches/support/scale.rs`).

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../benches/support/scale.rs"]
#[allow(dead_code)]
mod scale;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(size), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: scale RESOURCES|STACKSxRESOURCES OUTPUT_DIR");
        return ExitCode::from(2);
    };
    let (mix, unknown) = scale::default_app_mix();
    if !unknown.is_empty() {
        eprintln!("note: left out types the generator cannot build: {unknown:?}");
    }
    let app = match size.split_once('x') {
        Some((stacks, per_stack)) => {
            let (Ok(stacks), Ok(per_stack)) = (stacks.parse(), per_stack.parse()) else {
                eprintln!("'{size}' is not STACKSxRESOURCES, such as 50x25");
                return ExitCode::from(2);
            };
            scale::multi_stack_app(stacks, &scale::scale_mix(&mix, per_stack))
        }
        None => {
            let Ok(n) = size.parse() else {
                eprintln!("'{size}' is not a number of resources");
                return ExitCode::from(2);
            };
            scale::stack_app(&mix, n)
        }
    };
    let synthesis = match app.synth(&Default::default()) {
        Ok(s) => s,
        Err(failure) => {
            eprintln!("{failure}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = synthesis.assembly.write(&PathBuf::from(out)) {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    for stack in &synthesis.assembly.stacks {
        let resources = stack.template["Resources"]
            .as_object()
            .map_or(0, |r| r.len());
        println!("{out}/{} {resources}", stack.template_file());
    }
    ExitCode::SUCCESS
}
