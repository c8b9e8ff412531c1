//! Template files: JSON or YAML text read into JSON, with the line and column of every value.
//!
//! serde_json gives the position of a syntax error but not of the values it reads, so after a
//! successful parse a small scanner walks the same text once more and records where each value
//! (for object members, each key) starts, keyed by JSON pointer. YAML positions come from
//! [`crate::yaml`]. Findings then map their pointer to the nearest recorded position.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::yaml;

/// Where each value of a template starts: JSON pointer -> 1-based (line, column).
pub type Positions = BTreeMap<String, (usize, usize)>;

/// The text format of a template file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML, short-form tags included.
    Yaml,
}

/// A template read from text.
#[derive(Debug, Clone)]
pub struct ParsedTemplate {
    /// The template in its long (JSON) form.
    pub template: Json,
    /// Where each value starts in the text.
    pub positions: Positions,
    /// Keys an object holds twice (only the last is kept), as pointers.
    pub duplicate_keys: Vec<String>,
    /// The format it was read as.
    pub format: Format,
}

/// Why a template's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl ParsedTemplate {
    /// Reads `text` as JSON when it starts with `{` (after whitespace), as YAML otherwise.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            Self::parse_json(text)
        } else {
            Self::parse_yaml(text)
        }
    }

    /// Reads a file's text, choosing the format from its extension, then from its first character.
    pub fn parse_file_text(path: &Path, text: &str) -> Result<Self, ParseError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Self::parse_json(text),
            Some("yaml" | "yml") => Self::parse_yaml(text),
            _ => Self::parse(text),
        }
    }

    /// Reads JSON text.
    pub fn parse_json(text: &str) -> Result<Self, ParseError> {
        let text = text.trim_start_matches('\u{feff}');
        let template: Json = serde_json::from_str(text).map_err(|e| ParseError {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        let mut scanner = Scanner {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
            counted_to: 0,
            column: 0,
            positions: Positions::new(),
            duplicates: Vec::new(),
        };
        scanner.value(&mut String::new());
        Ok(ParsedTemplate {
            template,
            positions: scanner.positions,
            duplicate_keys: scanner.duplicates,
            format: Format::Json,
        })
    }

    /// Reads YAML text.
    pub fn parse_yaml(text: &str) -> Result<Self, ParseError> {
        let (template, positions) =
            yaml::from_str_with_positions(text).map_err(|e| ParseError {
                line: e.line,
                column: e.column,
                message: e.message,
            })?;
        Ok(ParsedTemplate {
            template,
            positions,
            duplicate_keys: Vec::new(),
            format: Format::Yaml,
        })
    }

    /// The position of `pointer`, or of its nearest ancestor that has one.
    pub fn position_of(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            p = &p[..p.rfind('/')?];
        }
    }
}

/// Escapes a key for use in a JSON pointer (`~` -> `~0`, `/` -> `~1`).
pub fn escape_pointer(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Walks JSON text already known to be valid, recording positions by pointer.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    /// The byte offset up to which the characters of the current line are counted in `column`;
    /// counting on from there keeps the scan linear however long a line is (minified JSON).
    counted_to: usize,
    /// Characters of the current line before `counted_to`.
    column: usize,
    positions: Positions,
    duplicates: Vec<String>,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.counted_to = self.at;
                    self.column = 0;
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                _ => break,
            }
        }
    }

    fn position(&mut self) -> (usize, usize) {
        let new = &self.bytes[self.counted_to..self.at];
        // Every UTF-8 character has exactly one byte that is not a continuation byte.
        self.column += new.iter().filter(|&&b| b & 0xC0 != 0x80).count();
        self.counted_to = self.at;
        (self.line, self.column + 1)
    }

    fn value(&mut self, pointer: &mut String) {
        self.skip_ws();
        if !self.positions.contains_key(pointer.as_str()) {
            let position = self.position();
            self.positions.insert(pointer.clone(), position);
        }
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(pointer),
            Some(b'[') => self.array(pointer),
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&b) = self.bytes.get(self.at) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.at += 1;
                }
            }
            None => {}
        }
    }

    fn object(&mut self, pointer: &mut String) {
        self.at += 1;
        let mut seen = std::collections::HashSet::new();
        loop {
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b'}') | None => {
                    self.at += 1;
                    return;
                }
                Some(b',') => {
                    self.at += 1;
                    continue;
                }
                _ => {}
            }
            let key_position = self.position();
            let key = self.string();
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_pointer(&key));
            if !seen.insert(key) {
                self.duplicates.push(pointer.clone());
            }
            self.positions.insert(pointer.clone(), key_position);
            self.skip_ws();
            self.at += 1;
            self.value(pointer);
            pointer.truncate(len);
        }
    }

    fn array(&mut self, pointer: &mut String) {
        self.at += 1;
        let mut index = 0;
        loop {
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b']') | None => {
                    self.at += 1;
                    return;
                }
                Some(b',') => {
                    self.at += 1;
                    continue;
                }
                _ => {}
            }
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&index.to_string());
            self.value(pointer);
            pointer.truncate(len);
            index += 1;
        }
    }

    /// Reads a string token, returning its decoded text.
    fn string(&mut self) -> String {
        let start = self.at;
        self.at += 1;
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    break;
                }
                _ => self.at += 1,
            }
        }
        let raw = &self.bytes[start..self.at.min(self.bytes.len())];
        serde_json::from_slice(raw).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_positions_of_keys_and_items() {
        let text = "{\n  \"Resources\": {\n    \"Vpc\": {\"Type\": \"AWS::EC2::VPC\",\n      \
                    \"DependsOn\": [\"A\", \"B\"]}\n  }\n}\n";
        let parsed = ParsedTemplate::parse(text).unwrap();
        assert_eq!(parsed.positions["/Resources/Vpc"], (3, 5));
        assert_eq!(parsed.positions["/Resources/Vpc/Type"], (3, 13));
        assert_eq!(parsed.positions["/Resources/Vpc/DependsOn/1"], (4, 26));
        assert_eq!(parsed.position_of("/Resources/Vpc/Type/x/y"), Some((3, 13)));
    }

    #[test]
    fn columns_count_characters_on_long_lines() {
        let items: Vec<String> = (0..2000).map(|i| format!("\"é{i}\"")).collect();
        let text = format!("{{\"A\": [{}], \"B\": 1}}", items.join(","));
        let parsed = ParsedTemplate::parse(&text).unwrap();
        assert_eq!(parsed.positions["/A/1"], (1, 13));
        let column_of_b = text[..text.find("\"B\"").unwrap()].chars().count() + 1;
        assert_eq!(parsed.positions["/B"], (1, column_of_b));
    }

    #[test]
    fn reports_duplicate_keys_and_syntax_errors() {
        let parsed = ParsedTemplate::parse("{\"a\": 1, \"a\": 2}").unwrap();
        assert_eq!(parsed.duplicate_keys, vec!["/a".to_string()]);
        let e = ParsedTemplate::parse("{\n  \"a\": 1,\n  }").unwrap_err();
        assert_eq!((e.line, e.column), (3, 3), "{e}");
    }
}
