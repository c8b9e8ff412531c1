//! Generates the typed L1 resource code from `schemas/`.

fn main() {}
