//! The seam between the operation commands (`plan`, `apply`, `destroy`, `refresh`, `init`)
//! and the terminal: a [`View`] is either the human UI or Terraform's machine-readable
//! `-json` UI, and every message of an operation (diagnostics, the plan, progress events,
//! the summary, outputs) goes through it, so that the two cannot drift apart.

mod compact;
mod events;

pub(super) use events::Event;

use super::json_view::messages::{self, Operation, Summary};
use super::json_view::{JsonView, Level};
use super::output::outputs_text;
use super::{Ui, write_err, write_out};
use crate::diags::{Diagnostics, Severity, Sources, render};
use crate::plan::render::{Counts, Schemas, render_plan};
use crate::plan::{Action, Plan, PlanMode};
use crate::state::State;

/// Where and how an operation reports.
#[derive(Clone, Copy, Debug)]
pub(crate) enum View {
    /// Text for people: color unless `-no-color`, warnings compact with `-compact-warnings`.
    Human { color: bool, compact_warnings: bool },
    /// One JSON message per line (`-json`).
    Json(JsonView),
}

impl View {
    pub(super) fn is_json(&self) -> bool {
        matches!(self, View::Json(_))
    }

    /// Diagnostics: for people, errors on stderr and warnings on stdout (compact when asked
    /// and there are only warnings); as JSON, one `diagnostic` message each on stdout.
    pub(super) fn diagnostics(&self, diags: &Diagnostics, sources: &Sources) {
        match self {
            View::Json(json) => json.diagnostics(diags, sources),
            View::Human {
                color,
                compact_warnings,
            } => {
                let only_warnings = diags.iter().all(|d| d.severity == Severity::Warning);
                if *compact_warnings && only_warnings && diags.iter().next().is_some() {
                    write_out(&compact::compact_warnings(diags, *color));
                    return;
                }
                let (errors, warnings): (Vec<_>, Vec<_>) = diags
                    .iter()
                    .cloned()
                    .partition(|d| d.severity == Severity::Error);
                if !warnings.is_empty() {
                    write_out(&render(&Diagnostics(warnings), sources, *color));
                }
                if !errors.is_empty() {
                    write_err(&render(&Diagnostics(errors), sources, *color));
                }
            }
        }
    }

    /// A notice about the operation itself (an interrupt): a `log` message, or text on
    /// stderr for people.
    pub(super) fn log(&self, text: &str) {
        match self {
            View::Json(json) => json.log(text.trim()),
            View::Human { .. } => write_err(text),
        }
    }

    /// The plan: the rendered changes, or the drift, planned changes, change summary and
    /// planned outputs as messages.
    pub(super) fn plan(&self, plan: &Plan, schemas: &Schemas) {
        match self {
            View::Human { color, .. } => {
                write_out(&format!("\n{}", render_plan(plan, schemas, *color)));
            }
            View::Json(json) => json_plan(*json, plan),
        }
    }

    /// The changes of a saved plan about to be applied: as JSON, a `planned_change` for
    /// each one that is not a no-op; nothing for people, who saw the plan when it was made.
    pub(super) fn saved_plan_changes(&self, plan: &Plan) {
        let View::Json(json) = self else { return };
        for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
            if !change.removes_data_result() {
                let payload = messages::change(change);
                let message = messages::planned_change_message(&payload);
                json.emit(
                    Level::Info,
                    &message,
                    "planned_change",
                    vec![("change", payload)],
                );
            }
        }
    }

    /// A progress event of an operation.
    pub(super) fn event(&self, event: &Event) {
        match self {
            View::Human { color, .. } => {
                if let Some(text) = event.human_text(*color) {
                    write_out(&format!("{text}\n"));
                }
            }
            View::Json(json) => {
                if let Some((kind, message, hook)) = event.json() {
                    json.emit(Level::Info, &message, kind, vec![("hook", hook)]);
                }
            }
        }
    }

    /// The summary line after an apply, destroy or refresh-only apply.
    pub(super) fn apply_summary(&self, counts: Counts, mode: PlanMode) {
        let operation = if mode == PlanMode::Destroy {
            Operation::Destroy
        } else {
            Operation::Apply
        };
        let summary = Summary::from(counts);
        let message = summary.message(operation);
        match self {
            View::Human { color, .. } => {
                write_out(&format!("\n{}\n", Ui::new(*color).green(&message)));
            }
            View::Json(json) => json.emit(
                Level::Info,
                &message,
                "change_summary",
                vec![("changes", summary.to_json(operation))],
            ),
        }
    }

    /// The root module's outputs after an apply or refresh.
    pub(super) fn outputs(&self, state: &State) {
        match self {
            View::Human { .. } => write_out(&outputs_text(state)),
            View::Json(json) => {
                let outputs = messages::state_outputs(state);
                let message = messages::outputs_message(&outputs);
                json.emit(Level::Info, &message, "outputs", vec![("outputs", outputs)]);
            }
        }
    }
}

/// Whether a change forgets a data source's result, which plans do not report.
/// One message of the JSON UI: its `@message`, `type`, and the field holding its payload.
#[derive(Debug)]
struct JsonMessage {
    message: String,
    kind: &'static str,
    field: &'static str,
    payload: serde_json::Value,
}

/// The plan as Terraform's JSON view reports it.
fn json_plan(json: JsonView, plan: &Plan) {
    for m in plan_messages(plan) {
        json.emit(Level::Info, &m.message, m.kind, vec![(m.field, m.payload)]);
    }
}

/// The messages of a plan: drift, planned changes, the change summary, planned outputs.
fn plan_messages(plan: &Plan) -> Vec<JsonMessage> {
    let mut out = Vec::new();
    for drift in &plan.drift {
        if drift.action != Action::NoOp || plan.mode == PlanMode::RefreshOnly {
            let payload = messages::change(drift);
            let message = messages::drift_message(&payload);
            out.push(JsonMessage {
                message,
                kind: "resource_drift",
                field: "change",
                payload,
            });
        }
    }
    for change in &plan.changes {
        let shown = change.as_shown(plan.mode);
        let change = shown.as_ref();
        if change.removes_data_result() {
            continue;
        }
        let moved = change.previous_address.is_some();
        if change.action != Action::NoOp || moved || change.importing.is_some() {
            let payload = messages::change(change);
            let message = messages::planned_change_message(&payload);
            out.push(JsonMessage {
                message,
                kind: "planned_change",
                field: "change",
                payload,
            });
        }
    }
    let summary = Summary::from(Counts::of(plan));
    out.push(JsonMessage {
        message: summary.message(Operation::Plan),
        kind: "change_summary",
        field: "changes",
        payload: summary.to_json(Operation::Plan),
    });
    if !plan.outputs.is_empty() {
        let payload = messages::planned_outputs(&plan.outputs);
        let message = messages::outputs_message(&payload);
        out.push(JsonMessage {
            message,
            kind: "outputs",
            field: "outputs",
            payload,
        });
    }
    out
}

#[cfg(test)]
mod tests;
