//! Packs the CloudFormation resource schemas of `schemas/cloudformation/` into one blob the
//! binary embeds: descriptions and other documentation-only keys stripped, minified, indexed by
//! type name so each schema is parsed only when a template uses its type.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

use serde_json::Value;

/// Keys that only document a schema; validation and attribute lookups never read them.
const DOC_KEYS: [&str; 6] = [
    "description",
    "documentationUrl",
    "sourceUrl",
    "handlers",
    "$comment",
    "examples",
];

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, v| {
                !(DOC_KEYS.contains(&k.as_str()) && !v.is_object() || k == "handlers")
            });
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn main() {
    let dir = Path::new("schemas/cloudformation");
    println!("cargo:rerun-if-changed=schemas/cloudformation");
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("schemas/cloudformation exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = fs::read_to_string(&path).expect("schema file is readable");
        let mut schema: Value = serde_json::from_str(&text).expect("schema file is JSON");
        let type_name = schema["typeName"]
            .as_str()
            .expect("schema has typeName")
            .to_string();
        strip(&mut schema);
        entries.push((
            type_name,
            serde_json::to_string(&schema).expect("JSON serializes"),
        ));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut blob = String::new();
    let mut index = String::from("/// Type name, offset and length of each schema in the blob.\n");
    index.push_str("pub(crate) static INDEX: &[(&str, usize, usize)] = &[\n");
    for (name, json) in &entries {
        let _ = writeln!(index, "    ({name:?}, {}, {}),", blob.len(), json.len());
        blob.push_str(json);
    }
    index.push_str("];\n");
    fs::write(Path::new(&out).join("schemas.json.bin"), blob).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("schema_index.rs"), index).expect("OUT_DIR is writable");
}
