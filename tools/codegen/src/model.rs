//! The model the emitter writes from: one resource type read from its schema, with the property
//! types (`definitions`) it reaches and the Rust type of every property.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use serde_json::Value as Json;

use crate::naming::{camel, snake};

/// The Rust type a property holds inside its `Value<...>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `String`.
    Str,
    /// `i64`.
    Int,
    /// `f64`.
    Num,
    /// `bool`.
    Bool,
    /// `serde_json::Value`: objects without declared properties, unions, anything unclear.
    Json,
    /// `IndexMap<String, Value<String>>`: objects whose every value is a string.
    StrMap,
    /// `Vec<Value<T>>`.
    List(Box<Ty>),
    /// A generated property type, by its Rust name.
    Def(String),
}

/// One property of a resource or property type.
#[derive(Debug, Clone)]
pub struct Field {
    /// The CloudFormation name, used on the wire.
    pub wire: String,
    /// The Rust field name.
    pub name: String,
    /// The type inside `Value<...>`.
    pub ty: Ty,
    /// True when the schema requires it.
    pub required: bool,
    /// The schema's description, if any.
    pub description: String,
}

/// A struct to emit: a resource's properties or a property type.
#[derive(Debug, Clone)]
pub struct Struct {
    /// The schema name (type name of a resource, definition name of a property type).
    pub schema_name: String,
    /// The Rust struct name.
    pub name: String,
    /// The schema's description, if any.
    pub description: String,
    /// Fields in schema order.
    pub fields: Vec<Field>,
    /// Required fields' indexes into `fields`, in declaration order.
    pub required_order: Vec<usize>,
}

/// An attribute `Fn::GetAtt` may read.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The dotted name (`Endpoint.Address`).
    pub name: String,
    /// The accessor name (`attr_endpoint_address`).
    pub method: String,
    /// The description of the property it reads, if any.
    pub description: String,
}

/// One resource type ready to emit.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `AWS::EC2::VPC`.
    pub type_name: String,
    /// The last part of the type name (`VPC`).
    pub short_name: String,
    /// The submodule holding its property types (`vpc`).
    pub module: String,
    /// The resource's own struct (`CfnVpc`).
    pub props: Struct,
    /// The property types it reaches, in schema order.
    pub defs: Vec<Struct>,
    /// Its attributes, in schema order.
    pub attributes: Vec<Attribute>,
}

/// The definition-local names reserved by generated code: a property type with one of these
/// names gets a `Property` suffix.
const RESERVED: [&str; 14] = [
    "Value", "Option", "Some", "None", "Vec", "String", "Box", "Result", "Ok", "Err", "Self",
    "Clone", "Debug", "From",
];

struct Reader<'a> {
    schema: &'a Json,
    defs: &'a serde_json::Map<String, Json>,
    reached: BTreeSet<String>,
    rust_names: BTreeMap<String, String>,
}

impl Reader<'_> {
    fn ty(&mut self, p: &Json, depth: usize) -> Ty {
        if depth > 16 {
            return Ty::Json;
        }
        if let Some(r) = p.get("$ref").and_then(Json::as_str) {
            if let Some(name) = r.strip_prefix("#/definitions/") {
                return self.def_ty(name, depth);
            }
            if let Some(name) = r.strip_prefix("#/properties/") {
                let schema = self.schema;
                return match schema["properties"].get(name) {
                    Some(target) if target.get("$ref").is_none() => self.ty(target, depth + 1),
                    _ => Ty::Json,
                };
            }
            return Ty::Json;
        }
        let Some(kind) = p.get("type").and_then(Json::as_str) else {
            return Ty::Json;
        };
        match kind {
            "string" => Ty::Str,
            "integer" => Ty::Int,
            "number" => Ty::Num,
            "boolean" => Ty::Bool,
            "array" => match p.get("items") {
                Some(items) if items.is_object() => Ty::List(Box::new(self.ty(items, depth + 1))),
                _ => Ty::List(Box::new(Ty::Json)),
            },
            "object" if is_string_map(p) => Ty::StrMap,
            _ => Ty::Json,
        }
    }

    fn def_ty(&mut self, name: &str, depth: usize) -> Ty {
        let Some(def) = self.defs.get(name) else {
            return Ty::Json;
        };
        let declares = def
            .get("properties")
            .and_then(Json::as_object)
            .is_some_and(|m| !m.is_empty());
        let object_like = matches!(
            def.get("type").and_then(Json::as_str),
            Some("object") | None
        ) && def.get("type").is_none_or(Json::is_string);
        if declares && object_like {
            self.reached.insert(name.to_string());
            return Ty::Def(self.rust_names[name].clone());
        }
        if declares {
            return Ty::Json;
        }
        self.ty(def, depth + 1)
    }
}

fn is_string_map(p: &Json) -> bool {
    if p.get("properties")
        .is_some_and(|m| m.as_object().is_some_and(|m| !m.is_empty()))
    {
        return false;
    }
    let mut values: Vec<&Json> = Vec::new();
    if let Some(pp) = p.get("patternProperties").and_then(Json::as_object) {
        values.extend(pp.values());
    }
    if let Some(ap) = p.get("additionalProperties").filter(|a| a.is_object()) {
        values.push(ap);
    }
    !values.is_empty()
        && values
            .iter()
            .all(|v| v.get("type").and_then(Json::as_str) == Some("string"))
}

fn description(p: &Json) -> String {
    p.get("description")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

fn required_list(p: &Json) -> Vec<String> {
    p.get("required")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the fields of an object schema (the resource itself or one definition).
fn read_struct(
    reader: &mut Reader<'_>,
    schema_name: &str,
    name: &str,
    object: &Json,
    skip: &BTreeSet<String>,
) -> Result<Struct> {
    let required = required_list(object);
    let mut fields = Vec::new();
    let mut taken = BTreeSet::from(["new".to_string()]);
    if let Some(props) = object.get("properties").and_then(Json::as_object) {
        for (wire, p) in props {
            if skip.contains(wire) {
                continue;
            }
            let mut field_name = snake(wire);
            while !taken.insert(field_name.clone()) {
                field_name.push('_');
            }
            fields.push(Field {
                wire: wire.clone(),
                name: field_name,
                ty: reader.ty(p, 0),
                required: required.contains(wire),
                description: description(p),
            });
        }
    }
    // Constructor arguments follow the properties' declaration order, not the `required`
    // list, whose order varies between schemas (`Tag::new(key, value)` everywhere).
    let required_order = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.required)
        .map(|(i, _)| i)
        .collect();
    Ok(Struct {
        schema_name: schema_name.to_string(),
        name: name.to_string(),
        description: description(object),
        fields,
        required_order,
    })
}

/// Reads one resource type's schema.
pub fn read_resource(schema: &Json) -> Result<Resource> {
    let type_name = schema["typeName"]
        .as_str()
        .context("schema has no typeName")?
        .to_string();
    let short_name = type_name
        .rsplit("::")
        .next()
        .context("type name has parts")?
        .to_string();
    let empty = serde_json::Map::new();
    let defs = schema
        .get("definitions")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let mut rust_names = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for name in defs.keys() {
        let base = name.rsplit('.').next().unwrap_or(name);
        let mut rust = camel(base);
        if RESERVED.contains(&rust.as_str()) {
            rust.push_str("Property");
        }
        if !taken.insert(rust.clone()) {
            rust = camel(name);
            if !taken.insert(rust.clone()) {
                bail!("{type_name}: two definitions are both named {rust}");
            }
        }
        rust_names.insert(name.clone(), rust);
    }
    let read_only: Vec<String> = schema["readOnlyProperties"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .filter_map(|p| p.strip_prefix("/properties/"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let skip: BTreeSet<String> = read_only
        .iter()
        .filter(|p| !p.contains('/'))
        .cloned()
        .collect();
    let mut reader = Reader {
        schema,
        defs,
        reached: BTreeSet::new(),
        rust_names,
    };
    let props = read_struct(
        &mut reader,
        &type_name,
        &format!("Cfn{}", camel(&short_name)),
        schema,
        &skip,
    )?;
    let mut done: BTreeMap<String, Struct> = BTreeMap::new();
    loop {
        let pending: Vec<String> = reader
            .reached
            .iter()
            .filter(|n| !done.contains_key(*n))
            .cloned()
            .collect();
        if pending.is_empty() {
            break;
        }
        for name in pending {
            let rust = reader.rust_names[&name].clone();
            let def = &defs[&name];
            let s = read_struct(&mut reader, &name, &rust, def, &BTreeSet::new())?;
            done.insert(name, s);
        }
    }
    let mut defs_out: Vec<Struct> = defs.keys().filter_map(|k| done.remove(k)).collect();
    break_cycles(&mut defs_out);
    let mut attributes = Vec::new();
    let mut methods = BTreeSet::new();
    for path in &read_only {
        if path.contains('*') {
            continue;
        }
        let name = path.replace('/', ".");
        let method = format!("attr_{}", snake(&name).trim_end_matches('_'));
        if !methods.insert(method.clone()) {
            continue;
        }
        let top = path.split('/').next().unwrap_or(path);
        let description = if path.contains('/') {
            String::new()
        } else {
            description(&schema["properties"][top])
        };
        attributes.push(Attribute {
            name,
            method,
            description,
        });
    }
    Ok(Resource {
        module: snake(&short_name),
        type_name,
        short_name,
        props,
        defs: defs_out,
        attributes,
    })
}

/// Replaces by `Json` each field that would make a property type contain itself without an
/// indirection (a list is one), which Rust cannot lay out.
fn break_cycles(defs: &mut [Struct]) {
    let direct = |s: &Struct| -> Vec<String> {
        s.fields
            .iter()
            .filter_map(|f| match &f.ty {
                Ty::Def(n) => Some(n.clone()),
                _ => None,
            })
            .collect()
    };
    let edges: BTreeMap<String, Vec<String>> =
        defs.iter().map(|s| (s.name.clone(), direct(s))).collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(edges.get(&n).cloned().unwrap_or_default());
            }
        }
        false
    };
    for s in defs.iter_mut() {
        let own = s.name.clone();
        for f in &mut s.fields {
            if let Ty::Def(n) = &f.ty {
                if reaches(n, &own) {
                    f.ty = Ty::Json;
                }
            }
        }
    }
}
