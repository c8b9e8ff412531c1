//! Comparing templates and assemblies: what a change to the app does to the infrastructure.
//!
//! [`diff_templates`] compares two templates at the resource level: added, removed and modified
//! resources with their changed paths and old and new values, whether each change replaces the
//! resource (from the schema's `createOnlyProperties`, offline), whether the resource holds
//! data ([`crate::stateful`]), and, listed on their own, the IAM statements and security-group
//! rules that broaden access. Parameters, conditions, mappings and outputs are compared element
//! by element. [`diff_assemblies`] does this for every stack of two cloud assemblies, and
//! [`render`] turns the result into text, Markdown or JSON. [`check_assembly`] compares an
//! assembly with an output folder file by file, for `synth --check`.
//!
//! Fetching the deployed template is left to the deploy module; this one only compares.

mod broadening;
mod check;
mod element;
mod replacement;
mod resource;
mod source;
mod stacks;
mod template;
mod value;

pub mod render;

pub use broadening::{broadenings, Broadening, BroadeningKind};
pub use check::{check_assembly, check_assembly_in, FileDifference, FileStatus};
pub use element::{ChangeKind, ElementDiff};
pub use replacement::{classify, Replacement};
pub use resource::{ResourceChange, ResourceDiff, PATH_METADATA};
pub use source::read_template;
pub use stacks::{diff_assemblies, AssemblyDiff, StackChange, StackDiff};
pub use template::{diff_templates, Summary, TemplateDiff};
pub use value::{diff_values, is_intrinsic, PropertyChange};
