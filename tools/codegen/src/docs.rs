//! Doc comments from schema descriptions: the first sentence or two, made safe for rustdoc and
//! wrapped.

/// Width of a doc line's text, leaving room for indentation and `/// `.
const WIDTH: usize = 88;

/// The first sentence of a description (two when the first is short), on one line.
pub fn summary(description: &str) -> String {
    let first = description
        .split('\n')
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let text = first.replace("``", "`");
    let mut out = String::new();
    let mut sentences = 0;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let ends = matches!(c, '.' | '?' | '!')
            && chars.get(i + 1).is_some_and(|n| *n == ' ')
            && chars.get(i + 2).is_some_and(|n| n.is_uppercase());
        let abbreviation = out.ends_with("e.g.") || out.ends_with("i.e.") || out.ends_with("etc.");
        if ends && !abbreviation {
            sentences += 1;
            if sentences >= 2 || out.chars().count() >= 60 {
                break;
            }
        }
    }
    let out = out.trim().to_string();
    balance_backticks(escape(&out))
}

/// Escapes what rustdoc would read as HTML or as an intra-doc link outside code spans.
fn escape(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '[' if !in_code && !is_link_start(&chars[i..]) => out.push_str("\\["),
            ']' if !in_code && chars.get(i + 1) != Some(&'(') => out.push_str("\\]"),
            _ => out.push(c),
        }
    }
    out
}

fn is_link_start(rest: &[char]) -> bool {
    let Some(close) = rest.iter().position(|c| *c == ']') else {
        return false;
    };
    rest.get(close + 1) == Some(&'(')
}

fn balance_backticks(text: String) -> String {
    if text.matches('`').count() % 2 == 1 {
        text + "`"
    } else {
        text
    }
}

/// Doc comment lines (`/// ...`) at an indentation, paragraphs separated by a blank `///`.
pub fn lines(indent: &str, paragraphs: &[String]) -> String {
    let mut out = String::new();
    let mut first = true;
    for p in paragraphs.iter().filter(|p| !p.trim().is_empty()) {
        if !first {
            out.push_str(indent);
            out.push_str("///\n");
        }
        first = false;
        for line in wrap(p) {
            out.push_str(indent);
            out.push_str("/// ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Wraps text at spaces; a word that markdown would read as a list marker, heading or quote at
/// the start of a line stays on the line before.
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let word = bare_url(word);
        let fits = current.chars().count() + 1 + word.chars().count() <= WIDTH;
        if current.is_empty() || fits || is_block_marker(&word) {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&word);
        } else {
            lines.push(std::mem::take(&mut current));
            current = word;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn is_block_marker(word: &str) -> bool {
    let digits = word.trim_end_matches(['.', ')']);
    matches!(word, "-" | "*" | "+" | "=" | "|")
        || word.starts_with(['#', '>', '|'])
        || (!digits.is_empty()
            && digits.len() < word.len()
            && digits.chars().all(|c| c.is_ascii_digit()))
}

/// Puts a bare URL in angle brackets so rustdoc links it.
fn bare_url(word: &str) -> String {
    if word.starts_with("https://") || word.starts_with("http://") {
        let trimmed = word.trim_end_matches(['.', ',', ';', ')', ':']);
        format!("<{trimmed}>{}", &word[trimmed.len()..])
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_keeps_the_first_sentences() {
        let d = "Specifies a subnet for the specified VPC.\n For an IPv4 only subnet, specify it.";
        assert_eq!(summary(d), "Specifies a subnet for the specified VPC.");
        let d = "The tag key. It is required. More text here.";
        assert_eq!(summary(d), "The tag key. It is required.");
        assert_eq!(
            summary("Use ``true`` for <b>x</b> [a] [b](u)."),
            "Use `true` for &lt;b&gt;x&lt;/b&gt; \\[a\\] [b](u)."
        );
    }

    #[test]
    fn wrapping_never_starts_a_line_with_a_list_marker() {
        let long = format!("{} - item", "word ".repeat(17).trim());
        for line in wrap(&long) {
            assert!(!line.starts_with("- "));
        }
    }
}
