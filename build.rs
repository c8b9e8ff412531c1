//! Packs the CloudFormation resource schemas of `schemas/cloudformation/` into one blob the
//! binary embeds: descriptions and other documentation-only keys stripped, minified, indexed by
//! type name so each schema is parsed only when a template uses its type. A second blob, the
//! layout, records where each schema's top-level keys, properties and definitions are, so that
//! the binary parses only the parts a template reaches, without scanning the rest.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

use serde_json::{Map, Value};

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

/// Where one entry of a JSON object is, relative to the start of its schema's text: key start,
/// key length (the key is plain, written between quotes), value start, value length.
type Span = [u32; 4];

/// Writes `map` as a minified JSON object, each value by `write_value`, and returns where each
/// entry is, relative to `base`.
fn write_object(
    out: &mut String,
    base: usize,
    map: &Map<String, Value>,
    write_value: &mut dyn FnMut(&mut String, &str, &Value),
) -> Vec<Span> {
    let offset = |at: usize| u32::try_from(at - base).expect("a schema is smaller than 4 GiB");
    let mut spans = Vec::new();
    out.push('{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let quoted = serde_json::to_string(key).expect("JSON serializes");
        assert_eq!(
            quoted.len(),
            key.len() + 2,
            "schema key {key:?} would need escaping"
        );
        let key_start = offset(out.len() + 1);
        out.push_str(&quoted);
        out.push(':');
        let value_start = out.len();
        write_value(out, key, value);
        let key_len = u32::try_from(key.len()).expect("a key is smaller than 4 GiB");
        spans.push([
            key_start,
            key_len,
            offset(value_start),
            offset(out.len()) - offset(value_start),
        ]);
    }
    out.push('}');
    spans
}

/// Writes one schema into the blob and its layout: the top-level entries, then the entries of
/// `properties`, then those of `definitions`, each list preceded by its length.
fn write_schema(blob: &mut String, layout: &mut Vec<u32>, schema: &Map<String, Value>) {
    let base = blob.len();
    let mut properties = Vec::new();
    let mut definitions = Vec::new();
    let top = write_object(
        blob,
        base,
        schema,
        &mut |out, key, value| match (key, value) {
            ("properties", Value::Object(map)) => {
                properties = write_object(out, base, map, &mut plain)
            }
            ("definitions", Value::Object(map)) => {
                definitions = write_object(out, base, map, &mut plain)
            }
            _ => plain(out, key, value),
        },
    );
    for list in [top, properties, definitions] {
        layout.push(u32::try_from(list.len()).expect("fewer than 4 G entries"));
        layout.extend(list.into_iter().flatten());
    }
}

/// Writes a value minified.
fn plain(out: &mut String, _key: &str, value: &Value) {
    out.push_str(&serde_json::to_string(value).expect("JSON serializes"));
}

fn main() {
    let dir = Path::new("schemas/cloudformation");
    println!("cargo:rerun-if-changed=schemas/cloudformation");
    let mut entries: Vec<(String, Map<String, Value>)> = Vec::new();
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
        let Value::Object(schema) = schema else {
            panic!("{} is not a JSON object", path.display());
        };
        entries.push((type_name, schema));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut blob = String::new();
    let mut layout: Vec<u32> = Vec::new();
    let mut index = String::from("/// Type name, offset and length of each schema in the blob,\n");
    index.push_str("/// and the first word of its layout.\n");
    index.push_str("pub(crate) static INDEX: &[(&str, usize, usize, usize)] = &[\n");
    for (name, schema) in &entries {
        let (start, layout_start) = (blob.len(), layout.len());
        write_schema(&mut blob, &mut layout, schema);
        let len = blob.len() - start;
        let _ = writeln!(index, "    ({name:?}, {start}, {len}, {layout_start}),");
    }
    index.push_str("];\n");
    let layout: Vec<u8> = layout.iter().flat_map(|n| n.to_le_bytes()).collect();
    fs::write(Path::new(&out).join("schemas.json.bin"), blob).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("schemas.layout.bin"), layout).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("schema_index.rs"), index).expect("OUT_DIR is writable");
}
