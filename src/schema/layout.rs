//! Where the parts of a schema's text are, so that each part is parsed only when it is needed.

use indexmap::IndexMap;
use serde_json::value::RawValue;

/// A schema's text cut into entries, each a name and the text of its value.
#[derive(Debug, Default, Clone)]
pub(crate) struct Layout<'a> {
    /// The top-level keys, in the schema's order.
    pub(crate) top: Vec<(&'a str, &'a str)>,
    /// The entries of the top-level `properties` object.
    pub(crate) properties: Vec<(&'a str, &'a str)>,
    /// The entries of the top-level `definitions` object.
    pub(crate) definitions: Vec<(&'a str, &'a str)>,
}

impl<'a> Layout<'a> {
    /// The layout `build.rs` recorded for `text`, starting at word `start` of `recorded` (32-bit
    /// little-endian numbers: for the top level, then `properties`, then `definitions`, a count
    /// followed by key start, key length, value start and value length of each entry); `None`
    /// when a recorded place falls outside the text.
    pub(crate) fn recorded(text: &'a str, recorded: &[u8], start: usize) -> Option<Layout<'a>> {
        let mut words = recorded
            .get(start * 4..)?
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize);
        let mut list = || -> Option<Vec<(&'a str, &'a str)>> {
            let count = words.next()?;
            (0..count)
                .map(|_| {
                    let (key, key_len) = (words.next()?, words.next()?);
                    let (value, value_len) = (words.next()?, words.next()?);
                    Some((
                        text.get(key..key + key_len)?,
                        text.get(value..value + value_len)?,
                    ))
                })
                .collect()
        };
        Some(Layout {
            top: list()?,
            properties: list()?,
            definitions: list()?,
        })
    }

    /// The layout of `text`, found by reading it; `None` when it is not a JSON object.
    pub(crate) fn scan(text: &'a str) -> Option<Layout<'a>> {
        let entries = |text: &'a str| -> Option<Vec<(&'a str, &'a str)>> {
            let map: IndexMap<&'a str, &'a RawValue> = serde_json::from_str(text).ok()?;
            Some(map.into_iter().map(|(k, v)| (k, v.get())).collect())
        };
        let top = entries(text)?;
        let nested = |key: &str| {
            top.iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| entries(v))
                .unwrap_or_default()
        };
        Some(Layout {
            properties: nested("properties"),
            definitions: nested("definitions"),
            top,
        })
    }

    /// The text of the value of a top-level key.
    pub(crate) fn get(&self, key: &str) -> Option<&'a str> {
        self.top.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_layout_of_every_schema_matches_its_text() {
        for type_name in super::super::type_names() {
            let schema = super::super::resource(type_name).unwrap();
            let scanned = Layout::scan(schema.text()).unwrap();
            assert_eq!(schema.layout().top, scanned.top, "{type_name}");
            assert_eq!(
                schema.layout().properties,
                scanned.properties,
                "{type_name}"
            );
            assert_eq!(
                schema.layout().definitions,
                scanned.definitions,
                "{type_name}"
            );
        }
        let vpc = super::super::resource("AWS::EC2::VPC").unwrap();
        assert!(vpc
            .layout()
            .properties
            .iter()
            .any(|(k, _)| *k == "CidrBlock"));
    }
}
