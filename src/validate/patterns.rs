//! The regexes of the resource schemas: shared by every validator, each compiled on first use.
//!
//! A resource schema carries dozens of `pattern`s, most on properties a template never sets, and
//! compiling a regex costs far more than matching one (the Unicode classes of the tag patterns
//! expand to large automata). The `pattern` keyword is therefore replaced by one that compiles
//! its regex the first time a string reaches it. Errors keep the built-in keyword's kind
//! ([`jsonschema::error::ValidationErrorKind::Pattern`]), so findings read the same. A pattern
//! with a length look-ahead is first tried with the look-ahead decided for the string
//! ([`super::lookahead`]).

use std::sync::{LazyLock, OnceLock};

use jsonschema::paths::Location;
use jsonschema::{Keyword, PatternCache, ValidationError, ValidationOptions, Validator};
use serde_json::{json, Map, Value as Json};

use super::lookahead::LengthLookahead;

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
    Ok(Box::new(LazyPattern::new(pattern)))
}

/// A `pattern` keyword whose regex is compiled when a string first reaches it.
struct LazyPattern {
    /// The regex as the schema writes it.
    pattern: String,
    /// The built-in keyword alone, compiled on first use; `None` when the regex is not one the
    /// engine accepts, which then constrains nothing (as the schema patching at compile time
    /// does for patterns the meta-schema rejects).
    matcher: OnceLock<Option<Validator>>,
    /// The pattern's length look-ahead, if it has one, and the keyword compiled with the
    /// look-ahead decided false (first) and true (second), each on first use.
    decided: Option<(LengthLookahead, [OnceLock<Option<Validator>>; 2])>,
}

impl LazyPattern {
    /// The keyword for `pattern`, nothing compiled yet.
    fn new(pattern: &str) -> LazyPattern {
        LazyPattern {
            pattern: pattern.to_string(),
            matcher: OnceLock::new(),
            decided: LengthLookahead::find(pattern).map(|l| (l, Default::default())),
        }
    }

    /// The keyword for the pattern as written, compiled on first use.
    fn matcher(&self) -> Option<&Validator> {
        self.matcher.get_or_init(|| build(&self.pattern)).as_ref()
    }

    /// True when the string matches; with a length look-ahead, by the pattern with the
    /// look-ahead decided for this string. A mismatch is confirmed by the pattern as written,
    /// which constrains nothing if the engine rejects it.
    fn matches(&self, s: &Json, text: &str) -> bool {
        if let Some((lookahead, compiled)) = &self.decided {
            let holds = lookahead.holds(text);
            let decided = compiled[usize::from(holds)]
                .get_or_init(|| build(&lookahead.decided(&self.pattern, holds)));
            if decided.as_ref().is_some_and(|d| d.is_valid(s)) {
                return true;
            }
        }
        self.matcher().is_none_or(|m| m.is_valid(s))
    }
}

/// The built-in `pattern` keyword alone, compiled; `None` when the engine rejects the regex.
fn build(pattern: &str) -> Option<Validator> {
    jsonschema::draft7::options()
        .with_pattern_cache(PATTERNS.clone())
        .build(&json!({ "pattern": pattern }))
        .ok()
}

impl<'i> Keyword<'i> for LazyPattern {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        let Some(text) = instance.as_str() else {
            return Ok(());
        };
        if self.matches(instance, text) {
            return Ok(());
        }
        // A mismatch is reported by the pattern as written.
        match self.matcher() {
            Some(matcher) => matcher.validate(instance),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance
            .as_str()
            .is_none_or(|text| self.matches(instance, text))
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
        let keyword = LazyPattern::new("^x+$");
        assert!(keyword.is_valid(&json!(1)));
        assert!(keyword.matcher.get().is_none());
        assert!(!keyword.is_valid(&json!("y")));
        assert!(keyword.matcher.get().is_some());
    }

    #[test]
    fn a_length_lookahead_is_decided_and_a_mismatch_names_the_pattern_as_written() {
        let pattern = "(?=^.{1,5}$)^[a-z]+$";
        let keyword = LazyPattern::new(pattern);
        assert!(keyword.is_valid(&json!("abc")));
        assert!(
            keyword.matcher.get().is_none(),
            "the pattern as written is not compiled"
        );
        assert!(!keyword.is_valid(&json!("abcdef")));
        assert!(!keyword.is_valid(&json!("ABC")));
        let schema = json!({"properties": {"Name": {"pattern": pattern}}});
        let validator = options().build(&schema).unwrap();
        let instance = json!({"Name": "abcdef"});
        let errors: Vec<_> = validator.iter_errors(&instance).collect();
        let ValidationErrorKind::Pattern { pattern: reported } = errors[0].kind() else {
            panic!("kind {:?}", errors[0].kind());
        };
        assert_eq!(reported, pattern);
    }
}
