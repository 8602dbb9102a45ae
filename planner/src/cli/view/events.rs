//! The progress events of an operation (an instance's apply starting, still running,
//! completing or failing; a provisioner's steps; an instance being refreshed) and their two
//! forms: the human line (`tenant.acme: Still creating... [00m10s elapsed]`) and the JSON
//! hook message (`apply_progress`), with Terraform 1.15's wording for each.

use serde_json::{Value as Json, json};

use crate::addrs::InstanceAddr;
use crate::cli::Ui;
use crate::cli::json_view::messages::{action_name, resource_addr};
use crate::plan::Action;

/// One progress event.
#[derive(Clone, Debug, PartialEq)]
pub(in crate::cli) enum Event {
    /// An instance's change starts; `id` is the prior object's id for updates and deletes.
    ApplyStart {
        addr: InstanceAddr,
        action: Action,
        id: Option<String>,
    },
    /// An instance's change is still running after `elapsed` seconds.
    ApplyProgress {
        addr: InstanceAddr,
        action: Action,
        id: Option<String>,
        elapsed: u64,
    },
    /// An instance's change completed; `id` is the new object's id.
    ApplyComplete {
        addr: InstanceAddr,
        action: Action,
        id: Option<String>,
        elapsed: u64,
    },
    /// An instance's change failed (its diagnostics follow at the end).
    ApplyErrored {
        addr: InstanceAddr,
        action: Action,
        elapsed: u64,
    },
    ProvisionStart {
        addr: InstanceAddr,
        kind: String,
    },
    ProvisionProgress {
        addr: InstanceAddr,
        kind: String,
        output: String,
    },
    ProvisionComplete {
        addr: InstanceAddr,
        kind: String,
    },
    ProvisionErrored {
        addr: InstanceAddr,
        kind: String,
    },
    /// A stored object is read again before planning.
    RefreshStart {
        addr: InstanceAddr,
        id: Option<String>,
    },
    RefreshComplete {
        addr: InstanceAddr,
        id: Option<String>,
    },
    /// An `import` block's object is imported (human UI only, as in Terraform).
    Importing {
        addr: InstanceAddr,
        id: String,
    },
    Imported {
        addr: InstanceAddr,
        id: String,
    },
}

/// The action hooks report: the create step of a replacement is a create, as in
/// Terraform, which applies a replacement as separate create and delete steps.
fn step_action(action: Action) -> Action {
    match action {
        Action::DeleteThenCreate | Action::CreateThenDelete => Action::Create,
        other => other,
    }
}

/// `[id=X]` after a text, when the id is known.
fn id_suffix(id: Option<&String>) -> String {
    id.map(|id| format!(" [id={id}]")).unwrap_or_default()
}

/// Go's duration formatting for whole seconds: `0s`, `59s`, `1m0s`, `1h2m3s`.
pub(in crate::cli) fn elapsed_text(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// The human UI's words for an action: starting, still running, completed.
fn human_words(action: Action) -> (&'static str, &'static str, &'static str) {
    match step_action(action) {
        Action::Create => ("Creating...", "Still creating...", "Creation complete"),
        Action::Update => (
            "Modifying...",
            "Still modifying...",
            "Modifications complete",
        ),
        Action::Delete => (
            "Destroying...",
            "Still destroying...",
            "Destruction complete",
        ),
        Action::Read => ("Reading...", "Still reading...", "Read complete"),
        _ => ("Applying...", "Still applying...", "Apply complete"),
    }
}

/// The JSON UI's words for an action: start verb, progress verb, noun.
fn json_words(action: Action) -> (&'static str, &'static str, &'static str) {
    match step_action(action) {
        Action::Create => ("Creating", "creating", "Creation"),
        Action::Update => ("Modifying", "modifying", "Modifications"),
        Action::Delete => ("Destroying", "destroying", "Destruction"),
        Action::Read => ("Refreshing", "refreshing", "Refresh"),
        Action::Forget => ("Removing", "applying", "Removal"),
        _ => ("Applying", "applying", "Apply"),
    }
}

impl Event {
    fn addr(&self) -> &InstanceAddr {
        match self {
            Event::ApplyStart { addr, .. }
            | Event::ApplyProgress { addr, .. }
            | Event::ApplyComplete { addr, .. }
            | Event::ApplyErrored { addr, .. }
            | Event::ProvisionStart { addr, .. }
            | Event::ProvisionProgress { addr, .. }
            | Event::ProvisionComplete { addr, .. }
            | Event::ProvisionErrored { addr, .. }
            | Event::RefreshStart { addr, .. }
            | Event::RefreshComplete { addr, .. }
            | Event::Importing { addr, .. }
            | Event::Imported { addr, .. } => addr,
        }
    }

    /// The human line, without its newline; `None` for events the human UI does not show.
    pub(in crate::cli) fn human_text(&self, color: bool) -> Option<String> {
        let ui = Ui::new(color);
        let addr = ui.bold(&self.addr().to_string());
        let text = match self {
            Event::ApplyStart { action, id, .. } => {
                format!("{}{}", human_words(*action).0, id_suffix(id.as_ref()))
            }
            Event::ApplyProgress {
                action,
                id,
                elapsed,
                ..
            } => {
                let id = id
                    .as_ref()
                    .map(|id| format!("id={id}, "))
                    .unwrap_or_default();
                let (minutes, seconds) = (elapsed / 60, elapsed % 60);
                let still = human_words(*action).1;
                format!("{still} [{id}{minutes:02}m{seconds:02}s elapsed]")
            }
            Event::ApplyComplete {
                action,
                id,
                elapsed,
                ..
            } => {
                let id = if step_action(*action) == Action::Delete {
                    String::new()
                } else {
                    id_suffix(id.as_ref())
                };
                let done = human_words(*action).2;
                format!("{done} after {}{id}", elapsed_text(*elapsed))
            }
            Event::ProvisionStart { kind, .. } => format!("Provisioning with '{kind}'..."),
            Event::ProvisionProgress { kind, output, .. } => {
                return Some(format!("{addr} ({kind}): {output}"));
            }
            Event::RefreshStart { id, .. } => {
                format!("Refreshing state...{}", id_suffix(id.as_ref()))
            }
            Event::Importing { id, .. } => format!("Importing... [id={id}]"),
            Event::Imported { id, .. } => format!("Import complete [id={id}]"),
            Event::ApplyErrored { .. }
            | Event::ProvisionComplete { .. }
            | Event::ProvisionErrored { .. }
            | Event::RefreshComplete { .. } => return None,
        };
        Some(format!("{addr}: {text}"))
    }

    /// The JSON hook message: its type, `@message` and `hook` object; `None` for the import
    /// events, which Terraform's JSON UI does not report.
    pub(in crate::cli) fn json(&self) -> Option<(&'static str, String, Json)> {
        let addr = self.addr().to_string();
        let resource = resource_addr(self.addr());
        let reported = match self {
            Event::ApplyStart { action, id, .. } => {
                let mut hook =
                    json!({ "resource": resource, "action": action_name(step_action(*action)) });
                add_id(&mut hook, id.as_ref());
                let message = format!(
                    "{addr}: {}...{}",
                    json_words(*action).0,
                    id_suffix(id.as_ref())
                );
                ("apply_start", message, hook)
            }
            Event::ApplyProgress {
                action, elapsed, ..
            } => {
                let hook = timed_hook(resource, *action, *elapsed);
                let verb = json_words(*action).1;
                let message = format!(
                    "{addr}: Still {verb}... [{} elapsed]",
                    elapsed_text(*elapsed)
                );
                ("apply_progress", message, hook)
            }
            Event::ApplyComplete {
                action,
                id,
                elapsed,
                ..
            } => {
                let mut hook =
                    json!({ "resource": resource, "action": action_name(step_action(*action)) });
                add_id(&mut hook, id.as_ref());
                hook["elapsed_seconds"] = json!(elapsed);
                let noun = json_words(*action).2;
                let message = format!(
                    "{addr}: {noun} complete after {}{}",
                    elapsed_text(*elapsed),
                    id_suffix(id.as_ref())
                );
                ("apply_complete", message, hook)
            }
            Event::ApplyErrored {
                action, elapsed, ..
            } => {
                let hook = timed_hook(resource, *action, *elapsed);
                let noun = json_words(*action).2;
                let message = format!("{addr}: {noun} errored after {}", elapsed_text(*elapsed));
                ("apply_errored", message, hook)
            }
            _ => return self.other_json(&addr, resource),
        };
        Some(reported)
    }

    /// [`Event::json`] of the provisioner, refresh and import events.
    fn other_json(&self, addr: &str, resource: Json) -> Option<(&'static str, String, Json)> {
        let reported = match self {
            Event::ProvisionStart { kind, .. } => (
                "provision_start",
                format!("{addr}: Provisioning with '{kind}'..."),
                json!({ "resource": resource, "provisioner": kind }),
            ),
            Event::ProvisionProgress { kind, output, .. } => (
                "provision_progress",
                format!("{addr}: ({kind}): {output}"),
                json!({ "resource": resource, "provisioner": kind, "output": output }),
            ),
            Event::ProvisionComplete { kind, .. } => (
                "provision_complete",
                format!("{addr}: ({kind}) Provisioning complete"),
                json!({ "resource": resource, "provisioner": kind }),
            ),
            Event::ProvisionErrored { kind, .. } => (
                "provision_errored",
                format!("{addr}: ({kind}) Provisioning errored"),
                json!({ "resource": resource, "provisioner": kind }),
            ),
            Event::RefreshStart { id, .. } => {
                let mut hook = json!({ "resource": resource });
                add_id(&mut hook, id.as_ref());
                let message = format!("{addr}: Refreshing state...{}", id_suffix(id.as_ref()));
                ("refresh_start", message, hook)
            }
            Event::RefreshComplete { id, .. } => {
                let mut hook = json!({ "resource": resource });
                add_id(&mut hook, id.as_ref());
                let message = format!("{addr}: Refresh complete{}", id_suffix(id.as_ref()));
                ("refresh_complete", message, hook)
            }
            _ => return None,
        };
        Some(reported)
    }
}

/// The hook of a message about a running or failed operation: the resource, the action and
/// the seconds elapsed.
fn timed_hook(resource: Json, action: Action, elapsed: u64) -> Json {
    json!({
        "resource": resource,
        "action": action_name(step_action(action)),
        "elapsed_seconds": elapsed,
    })
}

fn add_id(hook: &mut Json, id: Option<&String>) {
    if let Some(id) = id.filter(|id| !id.is_empty()) {
        hook["id_key"] = json!("id");
        hook["id_value"] = json!(id);
    }
}
