//! How many changes of each kind a set of resource instance changes holds: the headline's
//! table, each tenant's summary line and the line that stands for the tenants left out.

use crate::plan::{Action, ResourceChange};

/// Changes by kind. An instance that is imported (or moved) and also changed counts under
/// both kinds, as in Terraform's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct ActionCounts {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub forget: usize,
    pub import: usize,
    pub moved: usize,
    pub read: usize,
}

impl ActionCounts {
    /// Counts one listed change.
    pub(super) fn add(&mut self, change: &ResourceChange) {
        if change.importing.is_some() {
            self.import += 1;
        }
        if change.previous_address.is_some() {
            self.moved += 1;
        }
        match change.action {
            Action::Create => self.create += 1,
            Action::Update => self.update += 1,
            Action::DeleteThenCreate | Action::CreateThenDelete => self.replace += 1,
            Action::Delete => self.delete += 1,
            Action::Forget => self.forget += 1,
            Action::Read => self.read += 1,
            Action::NoOp => {}
        }
    }

    pub(super) fn merge(&mut self, other: &ActionCounts) {
        self.create += other.create;
        self.update += other.update;
        self.replace += other.replace;
        self.delete += other.delete;
        self.forget += other.forget;
        self.import += other.import;
        self.moved += other.moved;
        self.read += other.read;
    }

    /// Each kind with its count, in the headline's order.
    pub(super) fn by_kind(&self) -> [(&'static str, usize); 8] {
        [
            ("create", self.create),
            ("update", self.update),
            ("replace", self.replace),
            ("delete", self.delete),
            ("forget", self.forget),
            ("import", self.import),
            ("move", self.moved),
            ("read", self.read),
        ]
    }

    pub(super) fn is_empty(&self) -> bool {
        self.by_kind().iter().all(|(_, count)| *count == 0)
    }

    /// `2 to create, 1 to delete`: the kinds present, or `no changes`.
    pub(super) fn describe(&self) -> String {
        let parts: Vec<String> = self
            .by_kind()
            .iter()
            .filter(|(_, count)| *count > 0)
            .map(|(kind, count)| format!("{} to {kind}", super::escape::number(*count)))
            .collect();
        if parts.is_empty() {
            "no changes".into()
        } else {
            parts.join(", ")
        }
    }
}
