//! How `deploy` and `destroy` look on the terminal: event lines, change tables, progress bars,
//! prompts, the closing summary and the Ctrl-C message. This is the CLI's [`Reporter`]; the
//! library only hands it events and questions.
//!
//! Without a terminal there are no bars and no prompts: lines go to stderr as they come, and a
//! question nobody can answer is answered [`Answer::Unattended`], so the command stops instead
//! of hanging.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::deploy::{EXIT_FAILED, EXIT_STOPPED};
use crate::deploy::classify::{ClassifiedChange, Replacement};
use crate::deploy::{Answer, Event, Outcome, Question, Reporter, StackReport};

/// The terminal reporter.
pub(crate) struct TerminalReporter {
    multi: MultiProgress,
    interactive: bool,
    yes: bool,
    bars: Mutex<HashMap<String, ProgressBar>>,
    running: Mutex<Vec<(String, &'static str)>>,
    prompt: Mutex<()>,
}

impl TerminalReporter {
    /// A reporter; `yes` answers every question with yes.
    pub(crate) fn new(yes: bool) -> Self {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        TerminalReporter {
            multi: MultiProgress::with_draw_target(target),
            interactive,
            yes,
            bars: Mutex::new(HashMap::new()),
            running: Mutex::new(Vec::new()),
            prompt: Mutex::new(()),
        }
    }

    /// Operations started and not yet ended: stack name and operation.
    pub(crate) fn running(&self) -> Vec<(String, &'static str)> {
        self.running.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// A line on stderr, above the progress bars.
    pub(crate) fn line(&self, text: &str) {
        if self.multi.is_hidden() {
            stderr_line!("{text}");
        } else {
            let _ = self.multi.println(text);
        }
    }

    /// Text on stdout, with the bars out of the way. A closed stdout (`| head`) does not stop
    /// the deployment it reports on.
    pub(crate) fn out(&self, text: &str) {
        self.multi.suspend(|| {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        });
    }

    fn bar(&self, stack: &str, total: usize) {
        let bar = self
            .multi
            .add(ProgressBar::new(total.max(1) as u64).with_prefix(stack.to_string()));
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} resources {elapsed}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(stack.to_string(), bar);
        }
    }
}

impl Reporter for TerminalReporter {
    fn event(&self, event: Event) {
        match event {
            Event::StackStarted { stack } => self.line(&format!("{stack}: starting")),
            Event::Note { stack, message } => self.line(&format!("{stack}: {message}")),
            Event::Changes {
                stack,
                change_set,
                changes,
            } => {
                self.out(&format!("{stack}: change set {change_set}"));
                self.out(&changes_table(&changes));
            }
            Event::OperationStarted {
                stack,
                operation,
                total,
            } => {
                self.line(&format!("{stack}: {operation} started"));
                if let Ok(mut running) = self.running.lock() {
                    running.push((stack.clone(), operation));
                }
                self.bar(&stack, total);
            }
            Event::Resource {
                stack,
                elapsed,
                event,
                done,
            } => {
                let reason = event
                    .reason
                    .as_deref()
                    .map(|r| format!("  {r}"))
                    .unwrap_or_default();
                self.line(&format!(
                    "{stack} | {:>6.1}s | {:<28} | {:<34} | {}{reason}",
                    elapsed.as_secs_f64(),
                    event.status,
                    event.resource_type,
                    event.logical_id
                ));
                if let Some(bar) = self.bars.lock().ok().and_then(|b| b.get(&stack).cloned()) {
                    bar.set_position(done as u64);
                }
            }
            Event::OperationEnded { stack, status } => {
                if let Some(bar) = self.bars.lock().ok().and_then(|mut b| b.remove(&stack)) {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
                if let Ok(mut running) = self.running.lock() {
                    running.retain(|(s, _)| s != &stack);
                }
                self.line(&format!("{stack}: finished in {status}"));
            }
        }
    }

    fn confirm(&self, question: &Question) -> Answer {
        let text = match question {
            Question::Execute { stack, reasons } => format!(
                "{stack}: this change set needs approval:\n  - {}\nExecute it?",
                reasons.join("\n  - ")
            ),
            Question::DeleteRolledBack { stack } => {
                format!("{stack}: delete the rolled-back stack so it can be created again?")
            }
            Question::Destroy { stacks } => {
                format!("Delete these stacks: {}?", stacks.join(", "))
            }
        };
        if self.yes {
            self.line(&format!("{text} yes (--yes)"));
            return Answer::Yes;
        }
        if !self.interactive {
            self.line(&format!("{text} no terminal to ask"));
            return Answer::Unattended;
        }
        let _guard = self.prompt.lock();
        let answer = self.multi.suspend(|| {
            dialoguer::Confirm::new()
                .with_prompt(text)
                .default(false)
                .interact()
        });
        match answer {
            Ok(true) => Answer::Yes,
            Ok(false) => Answer::No,
            Err(_) => Answer::Unattended,
        }
    }
}

/// The change table: action, logical id, type, replacement, data.
pub(crate) fn changes_table(changes: &[ClassifiedChange]) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "Action",
        "Logical ID",
        "Type",
        "Replacement",
        "Holds data",
        "Notes",
    ]);
    for c in changes {
        let data = match (c.holds_data, c.data_kept) {
            (false, _) => "",
            (true, false) => "yes",
            (true, true) => "yes (kept)",
        };
        let mut notes: Vec<String> = Vec::new();
        if c.replacement >= Replacement::Conditional && !c.replaced_by.is_empty() {
            notes.push(format!("replaced because of {}", c.replaced_by.join(", ")));
        }
        if let Some(b) = &c.broadening {
            notes.push(format!("adds {b}"));
        }
        if c.destroys_data() {
            notes.push("DATA IS LOST".to_string());
        }
        table.add_row(vec![
            c.action.as_str(),
            c.logical_id.as_str(),
            c.resource_type.as_str(),
            c.replacement.as_str(),
            data,
            &notes.join("; "),
        ]);
    }
    table.to_string()
}

/// What to tell a user who pressed Ctrl-C while CloudFormation works.
pub(crate) fn interrupted(reporter: &TerminalReporter) {
    let running = reporter.running();
    if running.is_empty() {
        stderr_line!("stackcraft: interrupted; no stack operation had been started");
        return;
    }
    stderr_line!("stackcraft: interrupted; CloudFormation goes on without us:");
    for (stack, operation) in running {
        stderr_line!("  {stack} ({operation}):");
        stderr_line!("    watch:  aws cloudformation describe-stack-events --stack-name {stack}");
        match operation {
            "UPDATE" => {
                stderr_line!(
                    "    cancel: aws cloudformation cancel-update-stack --stack-name {stack}"
                )
            }
            "CREATE" => stderr_line!(
                "    cancel: wait for it to end, then `stackcraft destroy {stack}` if unwanted"
            ),
            _ => {}
        }
    }
}

/// Prints one line per stack and the outputs; returns the exit code.
pub(crate) fn summarize(reporter: &TerminalReporter, reports: &[StackReport]) -> ExitCode {
    let mut failed = false;
    let mut stopped = false;
    for report in reports {
        match &report.result {
            Ok(Outcome::UpToDate { .. }) => {
                reporter.out(&format!("{}: up to date, no changes", report.stack))
            }
            Ok(Outcome::Deployed { status, outputs }) => {
                reporter.out(&format!("{}: {status}", report.stack));
                for (key, value) in outputs {
                    reporter.out(&format!("  {}.{key} = {value}", report.stack));
                }
            }
            Ok(Outcome::ChangeSetCreated { name, arn, changes }) => reporter.out(&format!(
                "{}: change set {name} left for review ({changes} change(s), not executed)\n  \
                 {arn}",
                report.stack
            )),
            Ok(_) => {}
            Err(e) => {
                reporter.line(&format!("stackcraft: error: {e}"));
                if e.is_refusal() {
                    stopped = true;
                } else {
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::from(EXIT_FAILED)
    } else if stopped {
        ExitCode::from(EXIT_STOPPED)
    } else {
        ExitCode::SUCCESS
    }
}
