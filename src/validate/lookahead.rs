//! Look-aheads that bound the length of the whole string, `(?=^.{m,n}$)`, decided without a regex.
//!
//! Several resource schemas bound a name's length with such a look-ahead (the Cloud Map service
//! name allows 1 to 127 characters). The regex engine builds a counted repetition by copying its
//! body, and a Unicode `.` is a large automaton: compiling that one look-ahead cost more than
//! every other regex of the default app together. For a given string the look-ahead is either
//! true at the start of the string and nowhere else, or true nowhere, so the pattern is compiled
//! with it replaced by `(?=^)` or `(?!)`: the same verdict for that string, at a fraction of the
//! cost. A pattern with a look-around runs on the backtracking engine as written, where `.` is
//! any character but a line feed; a pattern that starts with `^(?=` is left alone, since the
//! validator may split it and run the parts with ECMA-262's `.`, which excludes more.

/// The text of a length look-ahead and its bounds, in characters.
pub(super) struct LengthLookahead {
    /// The look-ahead as written in the pattern.
    text: String,
    /// The fewest characters it allows.
    min: usize,
    /// The most characters it allows.
    max: usize,
}

impl LengthLookahead {
    /// The length look-ahead of `pattern`: `None` unless it occurs exactly once, outside a
    /// character class and unescaped, with bounds in order, no inline flag (such as `(?s)`)
    /// changes what `.` matches, and the pattern does not start with a look-ahead.
    pub(super) fn find(pattern: &str) -> Option<LengthLookahead> {
        const OPEN: &str = "(?=^.{";
        let start = pattern.find(OPEN)?;
        if pattern.starts_with("^(?=")
            || pattern.matches(OPEN).count() != 1
            || !is_plain_position(pattern, start)
        {
            return None;
        }
        let rest = &pattern[start + OPEN.len()..];
        let close = rest.find("}$)")?;
        let (min, max) = rest[..close].split_once(',')?;
        let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_number(min) || !is_number(max) || has_inline_flags(pattern) {
            return None;
        }
        let (min, max) = (min.parse().ok()?, max.parse().ok()?);
        (min <= max).then(|| LengthLookahead {
            text: pattern[start..start + OPEN.len() + close + 3].to_string(),
            min,
            max,
        })
    }

    /// True when the look-ahead holds at the start of `s`: `s` has no line feed (which `.` does
    /// not match) and its length in characters is within the bounds.
    pub(super) fn holds(&self, s: &str) -> bool {
        !s.contains('\n') && (self.min..=self.max).contains(&s.chars().count())
    }

    /// `pattern` with the look-ahead decided: `(?=^)` (true at the start only) where it holds,
    /// `(?!)` (never true) where it does not.
    pub(super) fn decided(&self, pattern: &str, holds: bool) -> String {
        pattern.replacen(&self.text, if holds { "(?=^)" } else { "(?!)" }, 1)
    }
}

/// True when the character at byte `at` is neither escaped nor inside a character class.
fn is_plain_position(pattern: &str, at: usize) -> bool {
    let mut in_class = false;
    let mut chars = pattern.char_indices();
    while let Some((i, c)) = chars.next() {
        if i == at {
            return !in_class;
        }
        match c {
            '\\' => {
                let escaped = chars.next();
                if escaped.is_some_and(|(j, _)| j == at) {
                    return false;
                }
            }
            '[' => in_class = true,
            ']' => in_class = false,
            _ => {}
        }
    }
    false
}

/// True when the pattern has a group starting `(?` that is not a look-around or a plain or
/// named group, that is, an inline flag.
fn has_inline_flags(pattern: &str) -> bool {
    pattern.match_indices("(?").any(|(i, _)| {
        !matches!(
            pattern[i + 2..].chars().next(),
            Some('=' | '!' | ':' | '<' | 'P')
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Cloud Map service name pattern.
    const DNS_NAME: &str = concat!(
        r"^((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])",
        r"(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)$"
    );

    /// The verdict of the `pattern` keyword, as the validators compile it.
    fn is_match(pattern: &str, s: &str) -> bool {
        jsonschema::draft7::options()
            .build(&serde_json::json!({ "pattern": pattern }))
            .unwrap()
            .is_valid(&serde_json::json!(s))
    }

    #[test]
    fn the_decided_pattern_gives_the_verdict_of_the_original() {
        let lookahead = LengthLookahead::find(DNS_NAME).unwrap();
        let long = "a".repeat(128);
        let longest = "a.".repeat(63) + "a";
        let samples = [
            "temporal-frontend",
            "a",
            "",
            ".",
            "a.b",
            "-bad",
            "bad-",
            "ok_name.with.dots",
            "two\nlines",
            "carriage\rreturn",
            "line\u{2028}separator",
            "ü",
            long.as_str(),
            longest.as_str(),
        ];
        for s in samples {
            let decided = lookahead.decided(DNS_NAME, lookahead.holds(s));
            assert_eq!(is_match(&decided, s), is_match(DNS_NAME, s), "{s:?}");
        }
    }

    #[test]
    fn only_a_single_plain_lookahead_without_flags_is_decided() {
        let found = LengthLookahead::find(r"(?=^.{3,63}$)[a-z]+").unwrap();
        assert_eq!(
            (found.min, found.max, found.text.as_str()),
            (3, 63, "(?=^.{3,63}$)")
        );
        assert!(LengthLookahead::find(r"[(?=^.{1,2}$)]").is_none());
        assert!(LengthLookahead::find(r"\(?=^.{1,2}$)").is_none());
        assert!(LengthLookahead::find(r"(?s)(?=^.{1,2}$)a").is_none());
        assert!(LengthLookahead::find(r"(?=^.{1,2}$)a|(?=^.{3,4}$)b").is_none());
        assert!(LengthLookahead::find(r"(?=^.{1,}$)a").is_none());
        assert!(LengthLookahead::find(r"(?=^.{5,2}$)a").is_none());
        assert!(LengthLookahead::find(r"^(?=^.{1,2}$)a").is_none());
        assert!(LengthLookahead::find(r"^[a-z]+$").is_none());
    }

    /// Every length look-ahead pattern of the embedded schemas, on strings around its bounds.
    #[test]
    fn every_decided_schema_pattern_agrees_with_the_original() {
        let mut patterns = Vec::new();
        for type_name in crate::schema::type_names() {
            let schema = crate::schema::resource(type_name).unwrap();
            collect_patterns(schema.raw(), &mut patterns);
        }
        patterns.sort();
        patterns.dedup();
        assert!(
            patterns.iter().any(|p| p.contains(".{1,127}")),
            "{patterns:?}"
        );
        for pattern in &patterns {
            let lookahead = LengthLookahead::find(pattern).unwrap();
            let mut samples = vec!["a.b".to_string(), "a\rb".to_string(), "a-b".to_string()];
            for n in [
                lookahead.min.saturating_sub(1),
                lookahead.min,
                lookahead.max,
                lookahead.max + 1,
            ] {
                samples.push("a".repeat(n));
                samples.push("a1.".repeat(n / 3) + &"b".repeat(n % 3));
            }
            for s in &samples {
                let decided = lookahead.decided(pattern, lookahead.holds(s));
                assert_eq!(
                    is_match(&decided, s),
                    is_match(pattern, s),
                    "{pattern} on {s:?}"
                );
            }
        }
    }

    /// The `pattern`s in a schema that have a length look-ahead.
    fn collect_patterns(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    match child.as_str() {
                        Some(p) if key == "pattern" && LengthLookahead::find(p).is_some() => {
                            out.push(p.to_string());
                        }
                        _ => collect_patterns(child, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect_patterns(i, out)),
            _ => {}
        }
    }
}
