//! Template structure and CloudFormation's limits: sections and their shapes, resource keys and
//! policies, outputs, mappings, logical ids, counts and the size of the template body
//! (parameters have their own file, `parameters.rs`).

use serde_json::Value as Json;

use super::references::short;
use super::source::escape_pointer;
use super::suggest;
use super::template_view::TemplateView;
use super::Finding;

const SECTIONS: [&str; 10] = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

const RESOURCE_KEYS: [&str; 9] = [
    "Type",
    "Properties",
    "DependsOn",
    "Metadata",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
];

/// The body size over which `CreateStack` needs the template in S3 (`TemplateURL`).
pub const BODY_LIMIT: usize = 51_200;
/// The largest template CloudFormation accepts, through S3.
pub const S3_LIMIT: usize = 1_000_000;

/// Checks the template's sections, shapes, names and limits.
pub(crate) fn check(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let Some(top) = view.json.as_object() else {
        findings.push(Finding::of(
            "E1001",
            "",
            format!(
                "a template is an object of sections, got {}",
                short(view.json)
            ),
        ));
        return;
    };
    for key in top.keys() {
        if !SECTIONS.contains(&key.as_str()) {
            findings.push(Finding::of(
                "E1001",
                format!("/{}", escape_pointer(key)),
                format!(
                    "unknown top-level section '{key}'{}",
                    suggest::did_you_mean(key, SECTIONS.into_iter())
                ),
            ));
        }
    }
    if let Some(v) = top.get("AWSTemplateFormatVersion") {
        if v != "2010-09-09" {
            findings.push(Finding::of(
                "E1001",
                "/AWSTemplateFormatVersion",
                format!(
                    "AWSTemplateFormatVersion must be \"2010-09-09\", got {}",
                    short(v)
                ),
            ));
        }
    }
    match top.get("Description") {
        Some(Json::String(d)) if d.len() > 1024 => findings.push(Finding::of(
            "E1003",
            "/Description",
            format!(
                "the description is {} bytes; at most 1,024 are allowed",
                d.len()
            ),
        )),
        Some(Json::String(_)) | None => {}
        Some(other) => findings.push(Finding::of(
            "E1004",
            "/Description",
            format!("the description must be a string, got {}", short(other)),
        )),
    }
    for section in [
        "Parameters",
        "Mappings",
        "Conditions",
        "Outputs",
        "Metadata",
        "Rules",
    ] {
        if let Some(v) = top.get(section) {
            if !v.is_object() {
                findings.push(Finding::of(
                    "E1001",
                    format!("/{section}"),
                    format!("{section} must be an object, got {}", short(v)),
                ));
            }
        }
    }
    resources(view, findings);
    super::parameters::check(view, findings);
    outputs(view, findings);
    mappings(view, findings);
    size(view, findings);
}

fn resources(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let Some(resources) = view.resources else {
        let message = match view.json.get("Resources") {
            None => "the template has no Resources section; CloudFormation needs at least one \
                     resource"
                .to_string(),
            Some(other) => format!("Resources must be an object, got {}", short(other)),
        };
        findings.push(Finding::of("E1001", "/Resources", message));
        return;
    };
    if resources.is_empty() {
        findings.push(Finding::of(
            "E1001",
            "/Resources",
            "Resources is empty; CloudFormation needs at least one resource",
        ));
    }
    if resources.len() > 500 {
        findings.push(Finding::of(
            "E3010",
            "/Resources",
            format!(
                "the template has {} resources; CloudFormation allows at most 500 per stack \
                 (split it into nested or separate stacks)",
                resources.len()
            ),
        ));
    }
    for (id, resource) in resources {
        let base = format!("/Resources/{}", escape_pointer(id));
        logical_id("E3011", "resource", id, &base, findings);
        let Some(map) = resource.as_object() else {
            findings.push(Finding::of(
                "E3001",
                base,
                format!("a resource must be an object, got {}", short(resource)),
            ));
            continue;
        };
        match map.get("Type") {
            Some(Json::String(_)) => {}
            Some(other) => findings.push(Finding::of(
                "E3001",
                format!("{base}/Type"),
                format!("Type must be a string, got {}", short(other)),
            )),
            None => findings.push(Finding::of(
                "E3001",
                base.clone(),
                format!("resource '{id}' has no Type"),
            )),
        }
        for key in map.keys() {
            if !RESOURCE_KEYS.contains(&key.as_str()) {
                findings.push(Finding::of(
                    "E3001",
                    format!("{base}/{}", escape_pointer(key)),
                    format!(
                        "'{key}' is not a resource attribute{}; a resource may have {}",
                        suggest::did_you_mean(key, RESOURCE_KEYS.into_iter()),
                        RESOURCE_KEYS.join(", ")
                    ),
                ));
            }
        }
        if let Some(p) = map.get("Properties") {
            if !p.is_object() {
                findings.push(Finding::of(
                    "E3002",
                    format!("{base}/Properties"),
                    format!("Properties must be an object, got {}", short(p)),
                ));
            }
        }
        let resource_type = map.get("Type").and_then(Json::as_str);
        policy(
            map.get("DeletionPolicy"),
            resource_type,
            ("E3035", "DeletionPolicy"),
            &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"],
            &base,
            findings,
        );
        policy(
            map.get("UpdateReplacePolicy"),
            resource_type,
            ("E3036", "UpdateReplacePolicy"),
            &["Delete", "Retain", "Snapshot"],
            &base,
            findings,
        );
    }
}

/// The resource types CloudFormation can snapshot before deleting or replacing them, the only
/// ones a `Snapshot` policy is allowed on.
const SNAPSHOT_TYPES: [&str; 8] = [
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// Checks a `DeletionPolicy` or `UpdateReplacePolicy` (`rule`, `name`) of a resource of type
/// `resource_type` against `allowed`; `Snapshot` only where the type keeps snapshots.
fn policy(
    value: Option<&Json>,
    resource_type: Option<&str>,
    (rule, name): (&'static str, &str),
    allowed: &[&str],
    base: &str,
    findings: &mut Vec<Finding>,
) {
    match value {
        None | Some(Json::Object(_)) => {}
        Some(Json::String(s)) if s == "Snapshot" => {
            if let Some(t) = resource_type.filter(|t| !SNAPSHOT_TYPES.contains(t)) {
                findings.push(Finding::of(
                    rule,
                    format!("{base}/{name}"),
                    format!(
                        "{name} is \"Snapshot\", but CloudFormation cannot snapshot {t}; \
                         Snapshot is allowed on {}; use Retain to keep the resource",
                        SNAPSHOT_TYPES.join(", ")
                    ),
                ));
            }
        }
        Some(Json::String(s)) if allowed.contains(&s.as_str()) => {}
        Some(other) => findings.push(Finding::of(
            rule,
            format!("{base}/{name}"),
            format!(
                "{name} is {}; allowed: {}",
                short(other),
                allowed.join(", ")
            ),
        )),
    }
}

fn outputs(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let Some(outputs) = view.outputs else {
        return;
    };
    at_most_200(outputs.len(), "E6010", ("/Outputs", "outputs"), findings);
    const KEYS: [&str; 4] = ["Description", "Value", "Export", "Condition"];
    for (id, output) in outputs {
        let base = format!("/Outputs/{}", escape_pointer(id));
        logical_id("E6011", "output", id, &base, findings);
        let Some(map) = output.as_object() else {
            findings.push(Finding::of(
                "E6001",
                base,
                format!("an output must be an object, got {}", short(output)),
            ));
            continue;
        };
        for key in map.keys() {
            if !KEYS.contains(&key.as_str()) {
                findings.push(Finding::of(
                    "E6001",
                    format!("{base}/{}", escape_pointer(key)),
                    format!(
                        "'{key}' is not an output key{}; an output may have {}",
                        suggest::did_you_mean(key, KEYS.into_iter()),
                        KEYS.join(", ")
                    ),
                ));
            }
        }
        if !map.contains_key("Value") {
            findings.push(Finding::of(
                "E6002",
                base.clone(),
                format!("output '{id}' has no Value"),
            ));
        }
        if let Some(export) = map.get("Export") {
            if export.get("Name").is_none() {
                findings.push(Finding::of(
                    "E6001",
                    format!("{base}/Export"),
                    "Export needs a Name".to_string(),
                ));
            }
        }
    }
}

fn mappings(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let Some(mappings) = view.mappings else {
        return;
    };
    at_most_200(mappings.len(), "E7010", ("/Mappings", "mappings"), findings);
    for (id, mapping) in mappings {
        let base = format!("/Mappings/{}", escape_pointer(id));
        logical_id("E7002", "mapping", id, &base, findings);
        let ok = mapping
            .as_object()
            .is_some_and(|m| !m.is_empty() && m.values().all(Json::is_object));
        if !ok {
            findings.push(Finding::of(
                "E7001",
                base,
                format!(
                    "a mapping is an object of top-level keys, each an object of values, got {}",
                    short(mapping)
                ),
            ));
        } else if mapping.as_object().is_some_and(|m| {
            m.values()
                .any(|v| v.as_object().is_some_and(|v| v.len() > 200))
        }) {
            findings.push(Finding::of(
                "E7010",
                base,
                "a mapping key has more than 200 attributes".to_string(),
            ));
        }
    }
}

/// Reports a section (`/Parameters`, `/Outputs`, `/Mappings`) of `count` entries over the 200
/// CloudFormation allows.
pub(super) fn at_most_200(
    count: usize,
    rule: &'static str,
    (section, noun): (&str, &str),
    findings: &mut Vec<Finding>,
) {
    if count > 200 {
        findings.push(Finding::of(
            rule,
            section,
            format!("the template has {count} {noun}; at most 200 are allowed"),
        ));
    }
}

pub(super) fn logical_id(
    rule: &'static str,
    kind: &str,
    id: &str,
    pointer: &str,
    findings: &mut Vec<Finding>,
) {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        let cleaned: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
        findings.push(Finding::of(
            rule,
            pointer,
            format!("{kind} name '{id}' must be alphanumeric (A-Z, a-z, 0-9), such as '{cleaned}'"),
        ));
    } else if id.len() > 255 {
        findings.push(Finding::of(
            rule,
            pointer,
            format!(
                "{kind} name is {} characters; at most 255 are allowed",
                id.len()
            ),
        ));
    }
}

/// A writer that keeps only the number of bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The size of the minified body, which is what deploy sends.
fn size(view: &TemplateView<'_>, findings: &mut Vec<Finding>) {
    let mut counter = ByteCount(0);
    let bytes = serde_json::to_writer(&mut counter, view.json).map_or(0, |()| counter.0);
    if bytes > S3_LIMIT {
        findings.push(Finding::of(
            "E1002",
            "",
            format!(
                "the minified template is {bytes} bytes; CloudFormation accepts at most \
                 1,000,000 even through S3 (split it into nested or separate stacks)"
            ),
        ));
    } else if bytes > BODY_LIMIT {
        findings.push(Finding::of(
            "SC1002",
            "",
            format!(
                "the minified template is {bytes} bytes, over the 51,200 CloudFormation \
                 accepts inline; deploy must upload it to an S3 bucket and pass a TemplateURL"
            ),
        ));
    }
}
