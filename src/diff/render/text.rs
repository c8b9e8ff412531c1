//! The terminal rendering: one line per changed element, its changed paths below it.
//!
//! With `color` the output carries ANSI colours (added green, removed red, modified yellow,
//! replacements and wide-open grants in bold red); without it, it is plain text that reads the
//! same.

use owo_colors::{OwoColorize, Style};

use super::{compact, counts, warnings};
use crate::diff::broadening::{Broadening, BroadeningKind};
use crate::diff::element::{ChangeKind, ElementDiff};
use crate::diff::replacement::Replacement;
use crate::diff::resource::ResourceDiff;
use crate::diff::stacks::{AssemblyDiff, StackChange, StackDiff};
use crate::diff::value::PropertyChange;

/// Longest value shown in full on a change line.
const MAX_VALUE: usize = 100;

/// Renders the diff for a terminal.
pub fn text(diff: &AssemblyDiff, color: bool) -> String {
    let p = Painter(color);
    let mut out = String::new();
    for stack in &diff.stacks {
        render_stack(&p, stack, &mut out);
    }
    let summary = diff.summary();
    if diff.is_empty() {
        out.push_str(&format!(
            "No differences in {} stack(s).\n",
            diff.stacks.len()
        ));
        return out;
    }
    let mut last = format!(
        "{} of {} stack(s) differ: {}",
        diff.changed_stacks(),
        diff.stacks.len(),
        counts(&summary)
    );
    for warning in warnings(&summary) {
        last.push_str(&format!(
            "; {}",
            p.paint(&warning, Style::new().red().bold())
        ));
    }
    out.push_str(&last);
    out.push('\n');
    out
}

/// Applies styles only when colour is on.
struct Painter(bool);

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.0 {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }

    fn marker(&self, kind: ChangeKind) -> String {
        let style = match kind {
            ChangeKind::Added => Style::new().green(),
            ChangeKind::Modified => Style::new().yellow(),
            ChangeKind::Removed => Style::new().red(),
        };
        self.paint(&format!("[{}]", kind.marker()), style)
    }
}

fn render_stack(p: &Painter, stack: &StackDiff, out: &mut String) {
    let status = match stack.change {
        StackChange::Added => "new stack",
        StackChange::Modified => "modified",
        StackChange::Removed => "stack removed",
        StackChange::Unchanged => "no differences",
    };
    let title = format!("Stack {}", stack.stack);
    out.push_str(&format!(
        "{} ({status})\n",
        p.paint(&title, Style::new().bold())
    ));
    if stack.change == StackChange::Unchanged {
        out.push('\n');
        return;
    }
    let diff = &stack.template;
    if !diff.resources.is_empty() {
        out.push_str(&format!(
            "{}\n",
            p.paint("Resources", Style::new().underline())
        ));
        for resource in &diff.resources {
            render_resource(p, resource, out);
        }
    }
    if !diff.broadening.is_empty() {
        let title = "Access broadened (IAM statements, security-group rules)";
        out.push_str(&format!("{}\n", p.paint(title, Style::new().underline())));
        for grant in &diff.broadening {
            render_grant(p, grant, out);
        }
    }
    for (name, elements) in diff.sections() {
        if elements.is_empty() {
            continue;
        }
        out.push_str(&format!("{}\n", p.paint(name, Style::new().underline())));
        for element in elements {
            render_element(p, element, out);
        }
    }
    if !diff.other.is_empty() {
        out.push_str(&format!("{}\n", p.paint("Other", Style::new().underline())));
        for change in &diff.other {
            out.push_str(&format!("{}\n", change_line(p, change)));
        }
    }
    out.push('\n');
}

fn render_resource(p: &Painter, r: &ResourceDiff, out: &mut String) {
    let mut line = format!(
        "{} {} {}",
        p.marker(r.change),
        r.resource_type,
        r.logical_id
    );
    if let Some(path) = &r.construct_path {
        line.push_str(&format!(" ({path})"));
    }
    match r.replacement {
        Replacement::True => line.push_str(&format!(
            " {}",
            p.paint("replaces the resource", Style::new().red().bold())
        )),
        Replacement::Conditional => line.push_str(&format!(
            " {}",
            p.paint("may replace the resource", Style::new().yellow().bold())
        )),
        Replacement::False => {}
    }
    if r.loses_data() {
        let what = if r.change == ChangeKind::Removed {
            "holds data: removing it deletes the data"
        } else {
            "holds data: replacing it loses the data"
        };
        line.push_str(&format!(" {}", p.paint(what, Style::new().red().bold())));
    }
    out.push_str(&line);
    out.push('\n');
    let last = r.changes.len().saturating_sub(1);
    for (i, c) in r.changes.iter().enumerate() {
        let branch = if i == last { " └─" } else { " ├─" };
        let mut line = format!("{branch} {}", change_line(p, &c.change));
        match c.replacement {
            Replacement::True => line.push_str(&format!(
                " {}",
                p.paint("(requires replacement)", Style::new().red())
            )),
            Replacement::Conditional => line.push_str(&format!(
                " {}",
                p.paint("(may require replacement)", Style::new().yellow())
            )),
            Replacement::False => {}
        }
        out.push_str(&line);
        out.push('\n');
    }
}

fn change_line(p: &Painter, c: &PropertyChange) -> String {
    let kind = ChangeKind::of(c.old.as_ref(), c.new.as_ref()).unwrap_or(ChangeKind::Modified);
    let old = compact(c.old.as_ref(), MAX_VALUE);
    let new = compact(c.new.as_ref(), MAX_VALUE);
    let values = match kind {
        ChangeKind::Added => p.paint(&new, Style::new().green()),
        ChangeKind::Removed => p.paint(&old, Style::new().red()),
        ChangeKind::Modified => format!(
            "{} → {}",
            p.paint(&old, Style::new().red()),
            p.paint(&new, Style::new().green())
        ),
    };
    format!("{} {}: {values}", p.marker(kind), c.path)
}

fn render_grant(p: &Painter, g: &Broadening, out: &mut String) {
    let kind = if g.kind == BroadeningKind::IamDenyRemoved {
        ChangeKind::Removed
    } else {
        ChangeKind::Added
    };
    let mut line = format!(
        "{} {} ({} {})",
        p.marker(kind),
        g.summary,
        g.resource_type,
        g.logical_id
    );
    if g.wide_open {
        line.push_str(&format!(
            " {}",
            p.paint("open to anyone", Style::new().red().bold())
        ));
    }
    out.push_str(&line);
    out.push('\n');
}

fn render_element(p: &Painter, e: &ElementDiff, out: &mut String) {
    let mut line = format!("{} {}", p.marker(e.change), e.logical_id);
    match e.change {
        ChangeKind::Added => line.push_str(&format!(": {}", compact(e.new.as_ref(), MAX_VALUE))),
        ChangeKind::Removed => line.push_str(&format!(": {}", compact(e.old.as_ref(), MAX_VALUE))),
        ChangeKind::Modified => {}
    }
    out.push_str(&line);
    out.push('\n');
    let last = e.changes.len().saturating_sub(1);
    for (i, c) in e.changes.iter().enumerate() {
        let branch = if i == last { " └─" } else { " ├─" };
        out.push_str(&format!("{branch} {}\n", change_line(p, c)));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::diff::stacks::StackDiff;

    fn sample() -> AssemblyDiff {
        let old = json!({ "Resources": {
            "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.0.0.0/16" },
                     "Metadata": { "aws:cdk:path": "Net/Vpc" } },
            "Logs": { "Type": "AWS::Logs::LogGroup" }
        } });
        let new = json!({ "Resources": {
            "Vpc": { "Type": "AWS::EC2::VPC", "Properties": { "CidrBlock": "10.1.0.0/16" },
                     "Metadata": { "aws:cdk:path": "Net/Vpc" } }
        } });
        AssemblyDiff {
            stacks: vec![StackDiff::new("Net", Some(&old), Some(&new))],
        }
    }

    #[test]
    fn plain_text_lists_resources_and_paths() {
        let text = text(&sample(), false);
        assert_eq!(
            text,
            "Stack Net (modified)\n\
             Resources\n\
             [~] AWS::EC2::VPC Vpc (Net/Vpc) replaces the resource\n \
             └─ [~] Properties.CidrBlock: \"10.0.0.0/16\" → \"10.1.0.0/16\" \
             (requires replacement)\n\
             [-] AWS::Logs::LogGroup Logs holds data: removing it deletes the data\n\
             \n\
             1 of 1 stack(s) differ: resources 1 modified (1 replaced), 1 removed; \
             1 resource(s) holding data removed or possibly replaced\n"
        );
    }

    #[test]
    fn colour_adds_ansi_codes_only_when_asked() {
        assert!(!text(&sample(), false).contains('\u{1b}'));
        assert!(text(&sample(), true).contains("\u{1b}["));
    }
}
