//! YAML templates: reading and writing CloudFormation's short-form tags (`!Ref`, `!GetAtt`, ...).
//!
//! serde-saphyr keeps a tag only when the target type asks for it through [`Tagged`], and
//! silently drops it when reading into `serde_json::Value` (`!Ref Vpc` would become `"Vpc"`).
//! So templates go through [`Node`], a small YAML tree whose tagged nodes wrap `Tagged`. Reading
//! turns every short form into its long JSON form (`{"Ref": "Vpc"}`), and records where each
//! value sits in the file; writing turns the long forms back into short tags. JSON stays the
//! canonical form of a template everywhere else.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value as Json};
use serde_saphyr::{Spanned, Tagged};

use crate::validate::source::{escape_pointer, Positions};

/// The short-form tags CloudFormation defines, with the long form each stands for.
const TAGS: [(&str, &str); 22] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("GetAZs", "Fn::GetAZs"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("ImportValue", "Fn::ImportValue"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("ForEach", "Fn::ForEach"),
    ("GetStackOutput", "Fn::GetStackOutput"),
];

/// A YAML document as stackcraft reads and writes it: JSON's values plus tagged nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null` or `~`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string (always quoted on output when YAML 1.1 would read it as something else).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with string keys, in document order.
    Map(IndexMap<String, Node>),
    /// A node with a local tag such as `!Ref`; the tag is stored without its `!`.
    Tagged(String, Box<Node>),
}

/// Why a YAML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct YamlError {
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Node {
    /// The YAML form of a JSON template value: long-form intrinsics become short-form tags.
    ///
    /// `{"Fn::GetAtt": ["Db", "Endpoint.Address"]}` becomes `!GetAtt Db.Endpoint.Address`. A tag
    /// whose argument would itself be a tag keeps the long form for the outer function, because
    /// CloudFormation rejects two short forms in a row (`!Base64 !Sub ...`).
    pub fn from_json(value: &Json) -> Node {
        match value {
            Json::Null => Node::Null,
            Json::Bool(b) => Node::Bool(*b),
            Json::Number(n) => Node::Number(n.clone()),
            Json::String(s) => Node::Str(s.clone()),
            Json::Array(items) => Node::Seq(items.iter().map(Node::from_json).collect()),
            Json::Object(map) => {
                if map.len() == 1 {
                    let (key, arg) = map.iter().next().expect("one entry");
                    if let Some(node) = Node::short_form(key, arg) {
                        return node;
                    }
                }
                Node::Map(
                    map.iter()
                        .map(|(k, v)| (k.clone(), Node::from_json(v)))
                        .collect(),
                )
            }
        }
    }

    fn short_form(key: &str, arg: &Json) -> Option<Node> {
        let (tag, _) = TAGS
            .iter()
            .find(|(tag, long)| *long == key && *tag != "Condition")?;
        let arg_node = match (key, arg) {
            ("Fn::GetAtt", Json::Array(parts)) if parts.len() == 2 && parts[1].is_string() => {
                Node::Str(format!(
                    "{}.{}",
                    parts[0].as_str().unwrap_or_default(),
                    parts[1].as_str().unwrap_or_default()
                ))
            }
            _ => Node::from_json(arg),
        };
        if matches!(arg_node, Node::Tagged(..)) {
            return None;
        }
        Some(Node::Tagged(tag.to_string(), Box::new(arg_node)))
    }

    /// The JSON form of the node: short-form tags become long-form intrinsics.
    ///
    /// Fails on a tag CloudFormation does not define.
    pub fn into_json(self) -> Result<Json, String> {
        Ok(match self {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(b),
            Node::Number(n) => Json::Number(n),
            Node::Str(s) => Json::String(s),
            Node::Seq(items) => Json::Array(
                items
                    .into_iter()
                    .map(Node::into_json)
                    .collect::<Result<_, _>>()?,
            ),
            Node::Map(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    out.insert(k, v.into_json()?);
                }
                Json::Object(out)
            }
            Node::Tagged(tag, inner) => long_form(&tag, inner.into_json()?)?,
        })
    }
}

/// The long form of `!tag arg`.
fn long_form(tag: &str, arg: Json) -> Result<Json, String> {
    let Some((_, long)) = TAGS.iter().find(|(t, _)| *t == tag) else {
        return Err(format!(
            "unknown tag '!{tag}'; CloudFormation's short forms are {}",
            TAGS.iter()
                .map(|(t, _)| format!("!{t}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let arg = match (tag, arg) {
        ("GetAtt", Json::String(s)) => match s.split_once('.') {
            Some((resource, attribute)) => Json::Array(vec![resource.into(), attribute.into()]),
            None => {
                return Err(format!(
                    "!GetAtt '{s}' needs the form Resource.Attribute or [Resource, Attribute]"
                ))
            }
        },
        (_, arg) => arg,
    };
    let mut map = Map::new();
    map.insert(long.to_string(), arg);
    Ok(Json::Object(map))
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Number(n) => n.serialize(serializer),
            Node::Str(s) => serializer.serialize_str(s),
            Node::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Map(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
            Node::Tagged(tag, inner) => {
                Tagged(inner.as_ref(), Some(format!("!{tag}"))).serialize(serializer)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        SpannedNode::deserialize(deserializer).map(SpannedNode::into_node)
    }
}

/// A node as read, with its tag and where it starts.
struct SpannedNode {
    line: usize,
    column: usize,
    tag: Option<String>,
    value: SpannedValue,
}

enum SpannedValue {
    Null,
    Bool(bool),
    Number(Number),
    Str(String),
    Seq(Vec<SpannedNode>),
    Map(Vec<(String, SpannedNode)>),
}

impl SpannedNode {
    fn into_node(self) -> Node {
        let node = match self.value {
            SpannedValue::Null => Node::Null,
            SpannedValue::Bool(b) => Node::Bool(b),
            SpannedValue::Number(n) => Node::Number(n),
            SpannedValue::Str(s) => Node::Str(s),
            SpannedValue::Seq(items) => {
                Node::Seq(items.into_iter().map(SpannedNode::into_node).collect())
            }
            SpannedValue::Map(entries) => Node::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_node()))
                    .collect(),
            ),
        };
        match self.tag {
            Some(tag) => Node::Tagged(tag, Box::new(node)),
            None => node,
        }
    }

    /// The long-form JSON of the node, recording each value's position under its pointer.
    fn into_json(self, pointer: &mut String, positions: &mut Positions) -> Result<Json, YamlError> {
        positions.insert(pointer.clone(), (self.line, self.column));
        let (line, column) = (self.line, self.column);
        let value = match self.value {
            SpannedValue::Null => Json::Null,
            SpannedValue::Bool(b) => Json::Bool(b),
            SpannedValue::Number(n) => Json::Number(n),
            SpannedValue::Str(s) => Json::String(s),
            SpannedValue::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    out.push(item.into_json(pointer, positions)?);
                    pointer.truncate(len);
                }
                Json::Array(out)
            }
            SpannedValue::Map(entries) => {
                let mut out = Map::new();
                for (k, v) in entries {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape_pointer(&k));
                    let value = v.into_json(pointer, positions)?;
                    pointer.truncate(len);
                    out.insert(k, value);
                }
                Json::Object(out)
            }
        };
        match self.tag {
            None => Ok(value),
            Some(tag) => {
                // A tagged node's argument sits one level down in the long form.
                let long = long_form(&tag, value).map_err(|message| YamlError {
                    line,
                    column,
                    message,
                })?;
                Ok(shift_positions(long, pointer, positions, (line, column)))
            }
        }
    }
}

/// Moves the recorded positions of a tagged node's argument under its long-form key.
fn shift_positions(
    long: Json,
    pointer: &str,
    positions: &mut Positions,
    at: (usize, usize),
) -> Json {
    if let Some(key) = long.as_object().and_then(|m| m.keys().next()) {
        let prefix = format!("{pointer}/{}", escape_pointer(key));
        let moved: Vec<(String, (usize, usize))> = positions
            .range(pointer.to_string()..)
            .take_while(|(p, _)| p.starts_with(pointer))
            .filter(|(p, _)| p.len() > pointer.len() && p.as_bytes()[pointer.len()] == b'/')
            .map(|(p, pos)| (format!("{prefix}{}", &p[pointer.len()..]), *pos))
            .collect();
        for (p, pos) in moved {
            positions.insert(p, pos);
        }
        positions.insert(prefix, at);
    }
    long
}

impl<'de> Deserialize<'de> for SpannedNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Tagged<SpannedValue>>::deserialize(deserializer)?;
        let Tagged(value, tag) = spanned.value;
        let tag = match tag {
            Some(t) if t.starts_with('!') && !t.starts_with("!!") => Some(t[1..].to_string()),
            _ => None,
        };
        Ok(SpannedNode {
            line: spanned.referenced.line() as usize,
            column: spanned.referenced.column() as usize,
            tag,
            value,
        })
    }
}

impl<'de> Deserialize<'de> for SpannedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = SpannedValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Null)
    }

    fn visit_none<E>(self) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<SpannedValue, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E>(self, b: bool) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<SpannedValue, E> {
        Number::from_f64(n)
            .map(SpannedValue::Number)
            .ok_or_else(|| E::custom(format!("{n} is not a number JSON can hold")))
    }

    fn visit_str<E>(self, s: &str) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Str(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<SpannedValue, E> {
        Ok(SpannedValue::Str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SpannedValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<SpannedNode>()? {
            items.push(item);
        }
        Ok(SpannedValue::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SpannedValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            let value = map.next_value::<SpannedNode>()?;
            entries.push((key.0, value));
        }
        Ok(SpannedValue::Map(entries))
    }
}

/// A mapping key: any scalar, kept as its text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E>(self, s: &str) -> Result<Key, E> {
                Ok(Key(s.to_string()))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Key, E> {
                Ok(Key(b.to_string()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Key, E> {
                Ok(Key(n.to_string()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Key, E> {
                Ok(Key(n.to_string()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Key, E> {
                Ok(Key(n.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("null".to_string()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// Reads a YAML template into its long-form JSON, with the position of every value.
///
/// Anchors may be declared, but an alias (`*name`) or a merge key (`<<`) is an error, as it is
/// for CloudFormation, which refuses templates that use them.
pub fn from_str_with_positions(text: &str) -> Result<(Json, Positions), YamlError> {
    let mut options = serde_saphyr::Options::default();
    options.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    options.alias_limits.max_alias_expansions_per_anchor = 0;
    let root: SpannedNode = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        // The errors may come wrapped with a snippet; their text names what they are.
        let text = e.to_string();
        let message = if text.contains("alias expansion limit exceeded") {
            "YAML aliases (*name) are not allowed in CloudFormation templates: write the value out"
                .to_string()
        } else if text.contains("merge key") {
            "YAML merge keys (<<) are not allowed in CloudFormation templates: write the keys out"
                .to_string()
        } else {
            first_line(&text)
        };
        YamlError {
            line,
            column,
            message,
        }
    })?;
    let mut positions = Positions::new();
    let json = root.into_json(&mut String::new(), &mut positions)?;
    Ok((json, positions))
}

/// Reads a YAML template into its long-form JSON.
pub fn from_str(text: &str) -> Result<Json, YamlError> {
    from_str_with_positions(text).map(|(json, _)| json)
}

/// Writes a JSON template as YAML with short-form tags.
pub fn to_string(template: &Json) -> Result<String, YamlError> {
    serde_saphyr::to_string(&Node::from_json(template)).map_err(|e| YamlError {
        line: 0,
        column: 0,
        message: e.to_string(),
    })
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref Cidr
      Tags:
        - Key: Name
          Value: !Sub "${AWS::StackName}-vpc"
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !GetAtt Vpc.VpcId
      AvailabilityZone: !Select [0, !GetAZs ""]
      CidrBlock: !Select [0, !Cidr [!GetAtt [Vpc, CidrBlock], 4, 8]]
"#;

    #[test]
    fn aliases_and_merge_keys_are_refused_like_cloudformation_does() {
        let alias =
            "Base: &b {A: 1}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: *b\n";
        let e = from_str(alias).unwrap_err();
        assert!(e.message.contains("aliases"), "{e:?}");
        assert_eq!(e.line, 5, "{e:?}");
        let merge =
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      <<: {A: 1}\n";
        let e = from_str(merge).unwrap_err();
        assert!(e.message.contains("merge keys"), "{e:?}");
        assert!(from_str("Resources:\n  Q: &q {Type: AWS::SQS::Queue}\n").is_ok());
    }

    #[test]
    fn reads_short_forms_as_long_forms() {
        let json = from_str(TEMPLATE).unwrap();
        let props = &json["Resources"]["Subnet"]["Properties"];
        assert_eq!(props["VpcId"], json!({"Fn::GetAtt": ["Vpc", "VpcId"]}));
        assert_eq!(
            props["AvailabilityZone"],
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
        );
        assert_eq!(
            json["Resources"]["Vpc"]["Properties"]["CidrBlock"],
            json!({"Ref": "Cidr"})
        );
        assert_eq!(json["AWSTemplateFormatVersion"], json!("2010-09-09"));
    }

    #[test]
    fn records_positions_of_values_and_tag_arguments() {
        let (_, positions) = from_str_with_positions(TEMPLATE).unwrap();
        assert_eq!(positions["/Resources/Vpc/Properties/CidrBlock"].0, 7);
        assert_eq!(positions["/Resources/Vpc/Properties/CidrBlock/Ref"].0, 7);
        assert_eq!(positions["/Resources/Subnet/Properties/VpcId"].0, 14);
    }

    #[test]
    fn round_trips_through_short_forms() {
        let json = from_str(TEMPLATE).unwrap();
        let yaml = to_string(&json).unwrap();
        assert!(yaml.contains("!GetAtt Vpc.VpcId"), "{yaml}");
        assert!(yaml.contains("!Ref Cidr"), "{yaml}");
        assert_eq!(from_str(&yaml).unwrap(), json);
    }

    #[test]
    fn quotes_strings_yaml_would_read_as_booleans() {
        let yaml = to_string(&json!({"A": "yes", "B": "on", "C": "2010-09-09"})).unwrap();
        assert_eq!(
            from_str(&yaml).unwrap(),
            json!({"A": "yes", "B": "on", "C": "2010-09-09"})
        );
    }

    #[test]
    fn keeps_the_long_form_for_a_function_of_a_tag() {
        let yaml = to_string(&json!({"U": {"Fn::Base64": {"Fn::Sub": "x"}}})).unwrap();
        assert!(!yaml.contains("!Base64 !Sub"), "{yaml}");
        assert_eq!(
            from_str(&yaml).unwrap(),
            json!({"U": {"Fn::Base64": {"Fn::Sub": "x"}}})
        );
    }

    #[test]
    fn fails_on_unknown_tags_and_bad_syntax_with_a_position() {
        let e = from_str("A:\n  B: !Foo x\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = from_str("A: [1, 2\nB: 3\n").unwrap_err();
        assert!(e.line > 0, "{e}");
    }
}
