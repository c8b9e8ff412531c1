//! The regexes of the resource schemas: shared by every validator, each compiled on first use.
//!
//! A resource schema carries dozens of `pattern`s, most on properties a template never sets, and
//! compiling a regex costs far more than matching one (the Unicode classes of the tag patterns
//! expand to large automata). The `pattern` keyword is therefore replaced by one that compiles
//! its regex the first time a string reaches it. Errors keep the built-in keyword's kind
//! ([`jsonschema::error::ValidationErrorKind::Pattern`]), so findings read the same.

use std::sync::{LazyLock, OnceLock};

use jsonschema::paths::Location;
use jsonschema::{Keyword, PatternCache, ValidationError, ValidationOptions, Validator};
use serde_json::{json, Map, Value as Json};

/// Regexes compiled so far, kept for every schema of the process.
///
/// The resource schemas share many patterns (most tagged types repeat the same Unicode tag-value
/// pattern), so each distinct regex is compiled once.
static PATTERNS: LazyLock<PatternCache> = LazyLock::new(PatternCache::new);

/// Draft-07 options for the resource schemas: formats not checked, regexes shared, and `pattern`
/// compiled lazily.
pub(super) fn options() -> ValidationOptions<'static> {
    jsonschema::draft7::options()
        .should_validate_formats(false)
        .with_pattern_cache(PATTERNS.clone())
        .with_keyword("pattern", lazy_pattern)
}

/// The keyword factory: keeps the pattern text and compiles nothing yet.
fn lazy_pattern<'a>(
    _parent: &'a Map<String, Json>,
    value: &'a Json,
    _path: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let pattern = value
        .as_str()
        .ok_or_else(|| ValidationError::custom(format!("pattern must be a string, got {value}")))?;
    Ok(Box::new(LazyPattern {
        pattern: pattern.to_string(),
        matcher: OnceLock::new(),
    }))
}

/// A `pattern` keyword whose regex is compiled when a string first reaches it.
struct LazyPattern {
    pattern: String,
    /// The built-in keyword alone, compiled on first use; `None` when the regex is not one the
    /// engine accepts, which then constrains nothing (as the schema patching at compile time
    /// does for patterns the meta-schema rejects).
    matcher: OnceLock<Option<Validator>>,
}

impl LazyPattern {
    fn matcher(&self) -> Option<&Validator> {
        self.matcher
            .get_or_init(|| {
                jsonschema::draft7::options()
                    .with_pattern_cache(PATTERNS.clone())
                    .build(&json!({ "pattern": self.pattern }))
                    .ok()
            })
            .as_ref()
    }
}

impl<'i> Keyword<'i> for LazyPattern {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        if !instance.is_string() {
            return Ok(());
        }
        match self.matcher() {
            Some(matcher) => matcher.validate(instance),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        !instance.is_string() || self.matcher().is_none_or(|m| m.is_valid(instance))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonschema::error::ValidationErrorKind;

    #[test]
    fn reports_a_mismatch_as_the_built_in_keyword_does() {
        let schema = json!({"properties": {"Name": {"pattern": "^[a-z]+$"}}});
        let validator = options().build(&schema).unwrap();
        assert!(validator.is_valid(&json!({"Name": "abc"})));
        assert!(validator.is_valid(&json!({"Name": 5})));
        let instance = json!({"Name": "ABC"});
        let errors: Vec<_> = validator.iter_errors(&instance).collect();
        assert_eq!(errors.len(), 1);
        let ValidationErrorKind::Pattern { pattern } = errors[0].kind() else {
            panic!("kind {:?}", errors[0].kind());
        };
        assert_eq!(pattern, "^[a-z]+$");
        assert_eq!(errors[0].instance_path().as_str(), "/Name");
        assert_eq!(errors[0].schema_path().as_str(), "/properties/Name/pattern");
    }

    #[test]
    fn compiles_a_regex_only_when_a_string_reaches_it() {
        let schema = json!({"properties": {"Unused": {"pattern": "^x+$"}}});
        let validator = options().build(&schema).unwrap();
        assert!(validator.is_valid(&json!({"Other": "y"})));
        let keyword = LazyPattern {
            pattern: "^x+$".into(),
            matcher: OnceLock::new(),
        };
        assert!(keyword.is_valid(&json!(1)));
        assert!(keyword.matcher.get().is_none());
        assert!(!keyword.is_valid(&json!("y")));
        assert!(keyword.matcher.get().is_some());
    }
}
