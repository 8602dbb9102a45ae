//! Apply progress lines, as Terraform prints them (`tenant.acme: Creating...`,
//! `tenant.acme: Creation complete after 2s [id=t-1]`), and the counts of the final summary.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::Ui;
use crate::addrs::InstanceAddr;
use crate::engine::ApplyHooks;
use crate::plan::Action;
use crate::plan::render::Counts;

/// Prints progress and counts the instances that completed.
pub(super) struct ProgressHooks {
    color: bool,
    started: Mutex<HashMap<InstanceAddr, Instant>>,
    counts: Mutex<Counts>,
}

impl ProgressHooks {
    pub(super) fn new(ui: &Ui) -> ProgressHooks {
        ProgressHooks {
            color: ui.color,
            started: Mutex::new(HashMap::new()),
            counts: Mutex::new(Counts::default()),
        }
    }

    /// What completed successfully so far.
    pub(super) fn counts(&self) -> Counts {
        self.counts.lock().map(|c| *c).unwrap_or_default()
    }

    fn print(&self, addr: &InstanceAddr, text: &str) {
        let ui = Ui { color: self.color };
        ui.out(&format!("{}: {text}\n", ui.bold(&addr.to_string())));
    }
}

/// Go's duration formatting for whole seconds: `0s`, `59s`, `1m0s`, `1h2m3s`.
pub(super) fn elapsed_text(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// What the progress line of an action says when it starts and when it completes.
fn action_words(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("Creating...", "Creation complete"),
        Action::Update => ("Modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::DeleteThenCreate | Action::CreateThenDelete => {
            ("Replacing...", "Replacement complete")
        }
        Action::Read => ("Reading...", "Read complete"),
        Action::NoOp | Action::Forget => ("Refreshing...", "Refresh complete"),
    }
}

impl ApplyHooks for ProgressHooks {
    fn started(&self, addr: &InstanceAddr, action: Action) {
        if let Ok(mut started) = self.started.lock() {
            started.insert(addr.clone(), Instant::now());
        }
        self.print(addr, action_words(action).0);
    }

    fn finished(&self, addr: &InstanceAddr, action: Action, id: Option<&str>, ok: bool) {
        let began = self.started.lock().ok().and_then(|mut s| s.remove(addr));
        if !ok {
            return;
        }
        if let Ok(mut counts) = self.counts.lock() {
            match action {
                Action::Create => counts.add += 1,
                Action::Update => counts.change += 1,
                Action::Delete => counts.destroy += 1,
                // The replaced object's deletion is a step of its own, counted as a Delete.
                Action::DeleteThenCreate | Action::CreateThenDelete => counts.add += 1,
                Action::Read | Action::NoOp | Action::Forget => {}
            }
        }
        let seconds = began.map_or(0, |b| b.elapsed().as_secs());
        let id = match (action, id) {
            (Action::Delete, _) | (_, None) => String::new(),
            (_, Some(id)) => format!(" [id={id}]"),
        };
        self.print(
            addr,
            &format!(
                "{} after {}{id}",
                action_words(action).1,
                elapsed_text(seconds)
            ),
        );
    }

    fn provisioning(&self, addr: &InstanceAddr, kind: &str) {
        self.print(addr, &format!("Provisioning with '{kind}'..."));
    }

    fn provision_output(&self, addr: &InstanceAddr, kind: &str, line: &str) {
        let ui = Ui { color: self.color };
        ui.out(&format!(
            "{} ({kind}): {line}\n",
            ui.bold(&addr.to_string())
        ));
    }

    fn importing(&self, addr: &InstanceAddr, id: &str) {
        self.print(addr, &format!("Importing... [id={id}]"));
    }

    fn imported(&self, addr: &InstanceAddr, id: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.import += 1;
        }
        self.print(addr, &format!("Import complete [id={id}]"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_like_go() {
        assert_eq!(elapsed_text(0), "0s");
        assert_eq!(elapsed_text(59), "59s");
        assert_eq!(elapsed_text(60), "1m0s");
        assert_eq!(elapsed_text(3723), "1h2m3s");
    }

    #[test]
    fn counts_only_successes() {
        let hooks = ProgressHooks::new(&Ui { color: false });
        let addr: InstanceAddr = "tenant.a".parse().unwrap();
        hooks.started(&addr, Action::Create);
        hooks.finished(&addr, Action::Create, Some("t-1"), true);
        hooks.finished(&addr, Action::DeleteThenCreate, None, true);
        hooks.finished(&addr, Action::Delete, None, true);
        hooks.finished(&addr, Action::Delete, None, false);
        assert_eq!(
            hooks.counts(),
            Counts {
                add: 2,
                change: 0,
                destroy: 1,
                import: 0
            },
            "a replacement counts its create; its delete step counts the destroy"
        );
    }
}
