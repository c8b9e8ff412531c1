//! Resource types that hold data.
//!
//! Replacing or deleting one of these loses what it stores (rows, secrets, images, logs,
//! objects, keys), so `diff` marks them and deploy guards them. The list lives here, once, for
//! both.

/// The CloudFormation resource types that hold data, sorted by name.
///
/// RDS instances and clusters, Secrets Manager secrets, ECR repositories, CloudWatch log groups,
/// S3 buckets, DynamoDB tables, EFS file systems and KMS keys (deleting a key makes everything
/// encrypted with it unreadable).
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
];

/// True when resources of this type hold data that a replacement or deletion would lose.
pub fn is_stateful(type_name: &str) -> bool {
    STATEFUL_TYPES.binary_search(&type_name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_so_lookup_works() {
        let mut sorted = STATEFUL_TYPES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STATEFUL_TYPES);
    }

    #[test]
    fn marks_databases_and_buckets_but_not_networks() {
        assert!(is_stateful("AWS::RDS::DBInstance"));
        assert!(is_stateful("AWS::S3::Bucket"));
        assert!(!is_stateful("AWS::EC2::VPC"));
        assert!(!is_stateful("AWS::S3::BucketPolicy"));
    }

    #[test]
    fn every_type_exists_in_the_schemas() {
        for t in STATEFUL_TYPES {
            assert!(crate::schema::is_known_type(t), "{t}");
        }
    }
}
