//! The CloudFormation resource schemas, embedded and parsed lazily per type.
//!
//! `build.rs` packs `schemas/cloudformation/` into one blob without the documentation keys. A
//! schema is read the first time a template uses its type and kept for the rest of the run; only
//! its top level is parsed then, each section left as text until it is asked for, since
//! validation needs only the parts of a schema that a template uses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value as Json;

mod layout;

pub(crate) use layout::Layout;

mod generated_index {
    include!(concat!(env!("OUT_DIR"), "/schema_index.rs"));
}

static BLOB: &str = include_str!(concat!(env!("OUT_DIR"), "/schemas.json.bin"));

/// Where the parts of each schema in [`BLOB`] are (see [`Layout::recorded`]).
static LAYOUT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/schemas.layout.bin"));

/// What stackcraft reads from one resource type's schema.
#[derive(Debug)]
pub struct ResourceSchema {
    /// The type name, such as `AWS::EC2::VPC`.
    pub type_name: String,
    /// Where the schema's top-level keys, properties and definitions are in its text.
    layout: Layout<'static>,
    /// The text of the whole schema (documentation keys stripped).
    text: &'static str,
    /// The whole schema, parsed on first use.
    whole: OnceLock<Json>,
    /// Attributes `Fn::GetAtt` may read (from `readOnlyProperties`), dotted (`Endpoint.Address`).
    pub attributes: Vec<String>,
    /// Properties whose change replaces the resource (from `createOnlyProperties`), dotted.
    pub create_only: Vec<String>,
    /// Properties whose change may replace the resource, depending on other settings (from
    /// `conditionalCreateOnlyProperties`), dotted.
    pub conditional_create_only: Vec<String>,
    /// Properties that must be given.
    pub required: Vec<String>,
}

impl ResourceSchema {
    /// Reads what is cheap to read of a schema, given its text and layout.
    ///
    /// Never inlined, so that a profile counts the schemas a run reads (`scripts/bench`).
    #[inline(never)]
    fn parse(type_name: &str, text: &'static str, layout: Layout<'static>) -> Self {
        let strings = |key: &str| -> Vec<String> {
            layout
                .get(key)
                .and_then(|raw| serde_json::from_str::<Vec<String>>(raw).ok())
                .unwrap_or_default()
        };
        let pointers = |key: &str| -> Vec<String> {
            strings(key)
                .iter()
                .map(|p| p.trim_start_matches("/properties/").replace('/', "."))
                .collect()
        };
        ResourceSchema {
            type_name: type_name.to_string(),
            attributes: pointers("readOnlyProperties"),
            create_only: pointers("createOnlyProperties"),
            conditional_create_only: pointers("conditionalCreateOnlyProperties"),
            required: strings("required"),
            layout,
            text,
            whole: OnceLock::new(),
        }
    }

    /// The whole schema (documentation keys stripped), parsed on first use.
    pub fn raw(&self) -> &Json {
        self.whole
            .get_or_init(|| serde_json::from_str(self.text).unwrap_or(Json::Null))
    }

    /// Where the schema's top-level keys, properties and definitions are in its text.
    pub(crate) fn layout(&self) -> &Layout<'static> {
        &self.layout
    }

    /// The text of the whole schema (documentation keys stripped).
    pub(crate) fn text(&self) -> &'static str {
        self.text
    }

    /// The value of one top-level key, parsed now; `None` when the schema has no such key.
    pub fn section(&self, key: &str) -> Option<Json> {
        serde_json::from_str(self.layout.get(key)?).ok()
    }

    /// True when `name` is a top-level property of the type.
    pub fn has_property(&self, name: &str) -> bool {
        self.layout.properties.iter().any(|(k, _)| *k == name)
    }
}

/// Every CloudFormation resource type name known to stackcraft, sorted.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    generated_index::INDEX.iter().map(|(name, ..)| *name)
}

/// True when CloudFormation has a resource type of this name.
pub fn is_known_type(type_name: &str) -> bool {
    find(type_name).is_some()
}

/// The text of a type's schema and where its layout starts.
fn locate(type_name: &str) -> Option<(&'static str, usize)> {
    let index = generated_index::INDEX;
    let i = index
        .binary_search_by(|(name, ..)| (*name).cmp(type_name))
        .ok()?;
    let (_, offset, len, layout) = index[i];
    Some((BLOB.get(offset..offset + len)?, layout))
}

fn find(type_name: &str) -> Option<&'static str> {
    locate(type_name).map(|(text, _)| text)
}

/// The raw (documentation-stripped) schema text of a type.
pub fn schema_text(type_name: &str) -> Option<&'static str> {
    find(type_name)
}

/// The schema of a type, parsed on first use and cached for the rest of the process.
///
/// Threads asking for the same type at once parse it once: the others wait for that result.
pub fn resource(type_name: &str) -> Option<Arc<ResourceSchema>> {
    type Slot = Arc<OnceLock<Option<Arc<ResourceSchema>>>>;
    static CACHE: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    let (text, layout) = locate(type_name)?;
    let slot: Slot = CACHE
        .get_or_init(Default::default)
        .lock()
        .ok()?
        .entry(type_name.to_string())
        .or_default()
        .clone();
    slot.get_or_init(|| {
        let layout = Layout::recorded(text, LAYOUT, layout).or_else(|| Layout::scan(text))?;
        Some(Arc::new(ResourceSchema::parse(type_name, text, layout)))
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_every_type_and_reads_attributes() {
        assert_eq!(type_names().count(), 1898);
        let vpc = resource("AWS::EC2::VPC").unwrap();
        assert!(vpc.attributes.iter().any(|a| a == "DefaultSecurityGroup"));
        assert!(vpc.create_only.iter().any(|a| a == "CidrBlock"));
        let db = resource("AWS::RDS::DBInstance").unwrap();
        assert!(db.attributes.iter().any(|a| a == "Endpoint.Address"));
        assert!(!is_known_type("AWS::Foo::Bar"));
    }
}
