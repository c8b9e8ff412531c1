//! Look-aheads that bound the length of the whole string, `(?=^.{m,n}$)`, decided without a regex.
//!
//! Several resource schemas bound a name's length with such a look-ahead (the Cloud Map service
//! name allows 1 to 127 characters). The regex engine builds a counted repetition by copying its
//! body, and a Unicode `.` is a large automaton: compiling that one look-ahead cost more than
//! every other regex of the default app together. For a given string the look-ahead is either
//! true at the start of the string and nowhere else, or true nowhere, so the pattern is compiled
//! with it replaced by `(?=^)` or `(?!)`: the same verdict for that string, at a fraction of the
//! cost.

/// The text of a length look-ahead and its bounds, in characters.
pub(super) struct LengthLookahead {
    text: String,
    min: usize,
    max: usize,
}

impl LengthLookahead {
    /// The length look-ahead of `pattern`: `None` unless it occurs exactly once, outside a
    /// character class and unescaped, and no inline flag (such as `(?s)`) changes what `.`
    /// matches.
    pub(super) fn find(pattern: &str) -> Option<LengthLookahead> {
        const OPEN: &str = "(?=^.{";
        let start = pattern.find(OPEN)?;
        if pattern.matches(OPEN).count() != 1 || !is_plain_position(pattern, start) {
            return None;
        }
        let rest = &pattern[start + OPEN.len()..];
        let close = rest.find("}$)")?;
        let (min, max) = rest[..close].split_once(',')?;
        let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_number(min) || !is_number(max) || has_inline_flags(pattern) {
            return None;
        }
        Some(LengthLookahead {
            text: pattern[start..start + OPEN.len() + close + 3].to_string(),
            min: min.parse().ok()?,
            max: max.parse().ok()?,
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
        assert!(LengthLookahead::find(r"^[a-z]+$").is_none());
    }
}
