//! CloudFormation answers in the query protocol's XML, shaped after the CloudFormation API
//! reference and the service model (botocore's `cloudformation/2010-05-15/service-2.json`):
//! each operation's output is wrapped in `<OpResponse><OpResult>`; lists are `<member>`
//! elements; errors are `<ErrorResponse><Error><Type/><Code/><Message/></Error>`.

use super::replay::Response;

const NS: &str = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
pub const ACCOUNT: &str = "123456789012";

pub fn stack_id(stack: &str) -> String {
    let uuid = "6a3e1f20-0000-11ef-8000-0a1b2c3d4e5f";
    format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{stack}/{uuid}")
}

pub fn change_set_id(stack: &str) -> String {
    format!(
        "arn:aws:cloudformation:us-east-1:{ACCOUNT}:changeSet/stackcraft-1/\
         0f6c7d11-1a2b-4e2a-9c1b-{:0>12}",
        stack.len()
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn element(name: &str, value: Option<&str>) -> String {
    value.map_or(String::new(), |v| format!("<{name}>{}</{name}>", escape(v)))
}

/// A successful answer of `operation` with `result` inside its result wrapper.
pub fn ok(operation: &str, result: &str) -> Response {
    Response::xml(format!(
        "<{operation}Response xmlns=\"{NS}\">\n  \
         <{operation}Result>{result}</{operation}Result>\n  \
         <ResponseMetadata><RequestId>b9b4c3d2-1a2b-4c5d-8e9f-0a1b2c3d4e5f</RequestId>\
         </ResponseMetadata>\n</{operation}Response>\n"
    ))
}

/// An answer with no result element (`DeleteStack`).
pub fn empty(operation: &str) -> Response {
    Response::xml(format!(
        "<{operation}Response xmlns=\"{NS}\"><ResponseMetadata>\
         <RequestId>c1d2e3f4-1a2b-4c5d-8e9f-0a1b2c3d4e5f</RequestId></ResponseMetadata>\
         </{operation}Response>\n"
    ))
}

/// An AWS error document.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    Response {
        status,
        content_type: "text/xml",
        body: format!(
            "<ErrorResponse xmlns=\"{NS}\">\n  <Error>\n    <Type>Sender</Type>\n    \
             <Code>{code}</Code>\n    <Message>{}</Message>\n  </Error>\n  \
             <RequestId>d4e5f6a7-1a2b-4c5d-8e9f-0a1b2c3d4e5f</RequestId>\n</ErrorResponse>\n",
            escape(message)
        ),
    }
}

/// `ValidationError: Stack with id S does not exist`, CloudFormation's answer for no stack.
pub fn no_such_stack(stack: &str) -> Response {
    error(
        400,
        "ValidationError",
        &format!("Stack with id {stack} does not exist"),
    )
}

/// `Throttling: Rate exceeded`.
pub fn throttling() -> Response {
    error(400, "Throttling", "Rate exceeded")
}

/// What `DescribeStacks` says of one stack.
pub struct StackDesc<'a> {
    pub name: &'a str,
    pub status: &'a str,
    pub reason: Option<&'a str>,
    pub termination_protection: bool,
    pub outputs: &'a [(&'a str, &'a str)],
}

impl<'a> StackDesc<'a> {
    pub fn new(name: &'a str, status: &'a str) -> Self {
        StackDesc {
            name,
            status,
            reason: None,
            termination_protection: false,
            outputs: &[],
        }
    }
}

pub fn describe_stacks(stack: &StackDesc) -> Response {
    let outputs: String = stack
        .outputs
        .iter()
        .map(|(k, v)| {
            format!(
                "<member><OutputKey>{k}</OutputKey><OutputValue>{}</OutputValue>\
                 <Description>output</Description></member>",
                escape(v)
            )
        })
        .collect();
    ok(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackId>{}</StackId><StackName>{}</StackName>\
             <CreationTime>2026-12-03T10:00:00.000Z</CreationTime>\
             <LastUpdatedTime>2026-12-03T10:05:00.000Z</LastUpdatedTime>\
             <StackStatus>{}</StackStatus>{}<DisableRollback>false</DisableRollback>\
             <NotificationARNs/><Capabilities><member>CAPABILITY_IAM</member></Capabilities>\
             <Outputs>{outputs}</Outputs><Tags/>\
             <EnableTerminationProtection>{}</EnableTerminationProtection>\
             <DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus>\
             </DriftInformation></member></Stacks>",
            stack_id(stack.name),
            stack.name,
            stack.status,
            element("StackStatusReason", stack.reason),
            stack.termination_protection
        ),
    )
}

/// One stack event.
#[derive(Clone)]
pub struct Ev {
    pub id: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

/// An event of the stack itself.
pub fn stack_event(stack: &str, n: u32, status: &str, reason: Option<&str>) -> Ev {
    Ev {
        id: format!("{stack}-event-{n:03}"),
        logical_id: stack.to_string(),
        resource_type: "AWS::CloudFormation::Stack".to_string(),
        status: status.to_string(),
        reason: reason.map(str::to_string),
    }
}

/// An event of a resource.
pub fn resource_event(id: &str, ty: &str, n: u32, status: &str, reason: Option<&str>) -> Ev {
    Ev {
        id: format!("{id}-{status}-{n:03}"),
        logical_id: id.to_string(),
        resource_type: ty.to_string(),
        status: status.to_string(),
        reason: reason.map(str::to_string),
    }
}

/// `DescribeStackEvents` with `events` given oldest first (AWS lists newest first).
pub fn describe_stack_events(stack: &str, events: &[Ev]) -> Response {
    let members: String = events
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| {
            format!(
                "<member><StackId>{}</StackId><EventId>{}</EventId><StackName>{stack}</StackName>\
                 <LogicalResourceId>{}</LogicalResourceId>\
                 <PhysicalResourceId>{}</PhysicalResourceId><ResourceType>{}</ResourceType>\
                 <Timestamp>2026-12-03T10:{:02}:{:02}.000Z</Timestamp>\
                 <ResourceStatus>{}</ResourceStatus>{}</member>",
                stack_id(stack),
                e.id,
                e.logical_id,
                if e.resource_type == "AWS::CloudFormation::Stack" {
                    stack_id(stack)
                } else {
                    String::new()
                },
                e.resource_type,
                i / 60,
                i % 60,
                e.status,
                element("ResourceStatusReason", e.reason.as_deref())
            )
        })
        .collect();
    ok(
        "DescribeStackEvents",
        &format!("<StackEvents>{members}</StackEvents>"),
    )
}

pub fn create_change_set(stack: &str) -> Response {
    ok(
        "CreateChangeSet",
        &format!(
            "<Id>{}</Id><StackId>{}</StackId>",
            change_set_id(stack),
            stack_id(stack)
        ),
    )
}

/// `(action, logical id, type, replacement)`.
pub type Ch<'a> = (&'a str, &'a str, &'a str, Option<&'a str>);

pub fn describe_change_set(
    stack: &str,
    status: &str,
    reason: Option<&str>,
    changes: &[Ch],
) -> Response {
    let members: String = changes
        .iter()
        .map(|(action, id, ty, replacement)| {
            format!(
                "<member><Type>Resource</Type><ResourceChange><Action>{action}</Action>\
                 <LogicalResourceId>{id}</LogicalResourceId><ResourceType>{ty}</ResourceType>\
                 {}<Scope>{}</Scope><Details/></ResourceChange></member>",
                element("Replacement", *replacement),
                if replacement.is_some() {
                    "<member>Properties</member>"
                } else {
                    ""
                }
            )
        })
        .collect();
    let execution = if status == "CREATE_COMPLETE" {
        "AVAILABLE"
    } else {
        "UNAVAILABLE"
    };
    ok(
        "DescribeChangeSet",
        &format!(
            "<ChangeSetName>stackcraft-1</ChangeSetName><ChangeSetId>{}</ChangeSetId>\
             <StackId>{}</StackId><StackName>{stack}</StackName>\
             <Description>created by stackcraft deploy</Description><Parameters/>\
             <CreationTime>2026-12-03T10:00:00.000Z</CreationTime>\
             <ExecutionStatus>{execution}</ExecutionStatus><Status>{status}</Status>{}\
             <NotificationARNs/><RollbackConfiguration/><Capabilities/><Tags/>\
             <Changes>{members}</Changes><IncludeNestedStacks>false</IncludeNestedStacks>",
            change_set_id(stack),
            stack_id(stack),
            element("StatusReason", reason)
        ),
    )
}

pub fn get_template(body: &str) -> Response {
    ok(
        "GetTemplate",
        &format!(
            "<TemplateBody>{}</TemplateBody><StagesAvailable><member>Original</member>\
             <member>Processed</member></StagesAvailable>",
            escape(body)
        ),
    )
}

/// The answer moto and misbehaving proxies give to some faults: HTTP 500 with an HTML page.
pub fn html_500() -> Response {
    Response {
        status: 500,
        content_type: "text/html; charset=utf-8",
        body: "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n\
               <h1>Internal Server Error</h1>\n<p>The server encountered an internal error and \
               was unable to complete your request.</p>\n"
            .to_string(),
    }
}
