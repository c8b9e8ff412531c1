//! Logical ids derived from construct paths, with the algorithm AWS CDK uses.
//!
//! Keeping CDK's algorithm means a resource keeps its logical id, and so its physical resource,
//! across refactors that keep its path, and a stack moved from CDK to stackcraft keeps its ids.

use md5::{Digest, Md5};

/// Longest human-readable part of a generated id; the 8-character hash follows it.
const MAX_HUMAN_LEN: usize = 240;

/// Longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID_LEN: usize = 255;

/// Computes the logical id of the element whose path below its stack is `components`.
///
/// `Default` components are dropped entirely. A single remaining component is used as it is,
/// with characters other than letters and digits removed. Otherwise the id is a human part
/// (repeated suffixes collapsed, `Resource` dropped, non-alphanumerics removed, at most 240
/// characters) followed by the first 8 upper-case hex characters of the MD5 of the components
/// joined by `/`.
pub fn from_path<S: AsRef<str>>(components: &[S]) -> String {
    let parts: Vec<&str> = components
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| *c != "Default")
        .collect();
    if parts.len() == 1 {
        let candidate = remove_non_alphanumeric(parts[0]);
        if candidate.len() <= MAX_LOGICAL_ID_LEN {
            return candidate;
        }
    }
    let hash = path_hash(&parts);
    let human: String = human_components(&parts)
        .iter()
        .map(|c| remove_non_alphanumeric(c))
        .collect::<String>()
        .chars()
        .take(MAX_HUMAN_LEN)
        .collect();
    format!("{human}{hash}")
}

/// True when CloudFormation accepts `id` as a logical id.
pub fn is_valid(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LOGICAL_ID_LEN
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The first 8 upper-case hex characters of the MD5 of the components joined by `/`.
pub(crate) fn path_hash(parts: &[&str]) -> String {
    let digest = Md5::digest(parts.join("/").as_bytes());
    hex::encode_upper(digest)[..8].to_string()
}

fn human_components<'a>(parts: &[&'a str]) -> Vec<&'a str> {
    let mut kept: Vec<&str> = Vec::new();
    for part in parts {
        if let Some(last) = kept.last() {
            if last.ends_with(part) {
                continue;
            }
        }
        kept.push(part);
    }
    kept.into_iter().filter(|p| *p != "Resource").collect()
}

fn remove_non_alphanumeric(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_cdk_ids() {
        assert_eq!(from_path(&["VPC", "Resource"]), "VPCB9E5F0B4");
        assert_eq!(
            from_path(&["VPC", "PublicSubnet1", "Subnet"]),
            "VPCPublicSubnet1SubnetB4246D30"
        );
        assert_eq!(from_path(&["MyBucket", "Resource"]), "MyBucketF68F3FF0");
    }

    #[test]
    fn single_component_is_used_as_is_without_symbols() {
        assert_eq!(from_path(&["My-Queue_1"]), "MyQueue1");
        assert_eq!(from_path(&["Default", "Topic"]), "Topic");
    }

    #[test]
    fn default_components_do_not_change_the_id() {
        assert_eq!(
            from_path(&["VPC", "Default", "Resource"]),
            from_path(&["VPC", "Resource"])
        );
    }

    #[test]
    fn repeated_suffixes_collapse_in_the_human_part() {
        let id = from_path(&["Pipeline", "Pipeline", "Role"]);
        assert!(id.starts_with("PipelineRole"), "{id}");
        assert_eq!(id.len(), "PipelineRole".len() + 8);
    }

    #[test]
    fn long_paths_are_truncated_to_255() {
        let long = "A".repeat(300);
        let id = from_path(&[long.as_str(), "B"]);
        assert_eq!(id.len(), 248);
        assert!(is_valid(&id));
    }

    #[test]
    fn validity_follows_cloudformation() {
        assert!(is_valid("Abc123"));
        assert!(!is_valid("a-b"));
        assert!(!is_valid(""));
        assert!(!is_valid(&"a".repeat(256)));
    }
}
