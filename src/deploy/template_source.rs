//! How a template reaches CloudFormation: inline up to 51,200 bytes, minified; larger ones are
//! uploaded to an S3 bucket and passed by URL, up to CloudFormation's 1 MB limit.
//!
//! The size is checked before any call, so a template that cannot be sent fails fast with the
//! fix in the message.

use aws_sdk_s3::primitives::ByteStream;
use md5::{Digest, Md5};

use super::client::Clients;
use super::error::{DeployError, DeployErrorKind};

/// The largest `TemplateBody` CloudFormation accepts.
pub const INLINE_LIMIT: usize = 51_200;

/// The largest template CloudFormation accepts through `TemplateURL`.
pub const URL_LIMIT: usize = 1_048_576;

/// A template ready to pass to `CreateChangeSet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// `TemplateBody`.
    Body(String),
    /// `TemplateURL` of the uploaded copy.
    Url(String),
}

/// Decides how to send `body`, failing when it cannot be sent at all.
pub fn plan(stack: &str, body: &str, bucket: Option<&str>) -> Result<Option<String>, DeployError> {
    let bytes = body.len();
    if bytes <= INLINE_LIMIT {
        return Ok(None);
    }
    if bytes > URL_LIMIT {
        return Err(DeployError::new(
            stack,
            DeployErrorKind::TemplateTooLarge { bytes },
        ));
    }
    match bucket {
        Some(bucket) => Ok(Some(bucket.to_string())),
        None => Err(DeployError::new(
            stack,
            DeployErrorKind::NeedsTemplateBucket { bytes },
        )),
    }
}

/// The object key of a template: content-addressed, so an unchanged template is not stored
/// twice under different names.
pub fn object_key(stack: &str, body: &str) -> String {
    let digest = hex::encode(Md5::digest(body.as_bytes()));
    format!("stackcraft/{stack}/{digest}.template.json")
}

/// Puts the template where CloudFormation can read it: inline, or uploaded to `bucket`.
pub async fn prepare(
    clients: &Clients,
    region: Option<&str>,
    stack: &str,
    body: String,
    bucket: Option<&str>,
) -> Result<TemplateSource, DeployError> {
    let Some(bucket) = plan(stack, &body, bucket)? else {
        return Ok(TemplateSource::Body(body));
    };
    let key = object_key(stack, &body);
    let region_name = clients.region_name(region)?;
    clients
        .s3(region)?
        .put_object()
        .bucket(&bucket)
        .key(&key)
        .content_type("application/json")
        .body(ByteStream::from(body.into_bytes()))
        .send()
        .await
        .map_err(|e| DeployError::aws(stack, "PutObject", e))?;
    Ok(TemplateSource::Url(format!(
        "https://{bucket}.s3.{region_name}.amazonaws.com/{key}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_templates_go_inline_and_large_ones_need_a_bucket() {
        assert_eq!(plan("S", "{}", None), Ok(None));
        let large = "x".repeat(INLINE_LIMIT + 1);
        let err = plan("S", &large, None).unwrap_err();
        assert!(err.to_string().contains("--template-bucket"), "{err}");
        assert_eq!(plan("S", &large, Some("b")), Ok(Some("b".to_string())));
        let huge = "x".repeat(URL_LIMIT + 1);
        assert!(plan("S", &huge, Some("b")).is_err());
    }

    #[test]
    fn keys_follow_the_content() {
        assert_eq!(object_key("S", "{}"), object_key("S", "{}"));
        assert_ne!(object_key("S", "{}"), object_key("S", "[]"));
    }
}
