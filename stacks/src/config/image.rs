//! Container images in an environment file: a public image pinned by tag or digest, and a tag
//! of one of the app's ECR repositories, both checked as registries read them.

use serde::Deserialize;

/// A container image pinned by tag or digest (`repo:tag` or `repo@sha256:...`); `latest` is
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PinnedImage(pub String);

impl TryFrom<String> for PinnedImage {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let (name, tag, digest) = image_parts(&s)?;
        let pinned = digest.is_some() || tag.is_some_and(|t| !t.eq_ignore_ascii_case("latest"));
        if !pinned {
            return Err(format!(
                "image '{s}' is not pinned: give a version tag ({name}:1.2.3) or a digest \
                 ({name}@sha256:...); 'latest' changes under a running service"
            ));
        }
        Ok(PinnedImage(s))
    }
}

/// An image reference's name, tag and digest (`registry/repo:tag@sha256:hex`), each part checked
/// as registries accept it.
fn image_parts(s: &str) -> Result<(&str, Option<&str>, Option<&str>), String> {
    let bad = |why: &str| Err(format!("image '{s}' is not an image reference: {why}"));
    let (rest, digest) = match s.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (s, None),
    };
    let last = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last..].rfind(':') {
        Some(i) => (&rest[..last + i], Some(&rest[last + i + 1..])),
        None => (rest, None),
    };
    let mut components = name.split('/').peekable();
    let first = components.next().unwrap_or_default();
    let registry =
        components.peek().is_some() && (first.contains(['.', ':']) || first == "localhost");
    let path_ok = |c: &str| {
        !c.is_empty()
            && c.starts_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            && c.ends_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            && c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch))
    };
    let registry_ok = |c: &str| {
        !c.is_empty()
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ".-:".contains(ch))
    };
    let first_ok = if registry {
        registry_ok(first)
    } else {
        path_ok(first)
    };
    if !first_ok || !components.all(path_ok) {
        return bad(
            "its name is lowercase letters, digits and '.', '_', '-' between slashes, after an \
             optional registry host",
        );
    }
    if let Some(tag) = tag {
        if !tag_ok(tag) {
            return bad(
                "a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or \
                 '-'",
            );
        }
    }
    if let Some(digest) = digest {
        let hex = digest.strip_prefix("sha256:").unwrap_or_default();
        let ok = hex.len() == 64 && hex.chars().all(|ch| matches!(ch, '0'..='9' | 'a'..='f'));
        if !ok {
            return bad("a digest is sha256: and 64 lowercase hexadecimal digits");
        }
    }
    Ok((name, tag, digest))
}

/// Whether `tag` is an image tag registries accept: 1 to 128 letters, digits, `_`, `.` and
/// `-`, not starting with `.` or `-`.
fn tag_ok(tag: &str) -> bool {
    (1..=128).contains(&tag.len())
        && tag.starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        && tag
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
}

/// An image tag for an ECR repository of the app (the repository comes from the stack).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ImageTag(pub String);

impl TryFrom<String> for ImageTag {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if tag_ok(&s) && !s.eq_ignore_ascii_case("latest") {
            Ok(ImageTag(s))
        } else {
            Err(format!(
                "image_tag '{s}' is not allowed: use a version tag of letters, digits, '.', '_' \
                 and '-', not starting with '.' or '-' (not 'latest')"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_references_pinned_by_tag_or_digest() {
        let image = |s: &str| PinnedImage::try_from(s.to_string());
        let digest = format!("repo@sha256:{}", "a".repeat(64));
        for good in [
            "temporalio/auto-setup:1.25.0",
            "public.ecr.aws/datadog/agent:7.59.0",
            "localhost:5000/team/worker:2024-05-01_1",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
            digest.as_str(),
        ] {
            assert!(image(good).is_ok(), "{good}: {:?}", image(good));
        }
        for (bad, why) in [
            ("temporalio/auto-setup: 1.25", "not an image reference"),
            (":1", "not an image reference"),
            ("x@sha256:", "digest"),
            ("Temporalio/ui:2.30.3", "lowercase"),
            ("temporalio/ui", "not pinned"),
            ("temporalio/ui:LATEST", "not pinned"),
            ("localhost:5000/ui", "not pinned"),
        ] {
            let e = image(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
