//! What a plan records about its scope (tenantform extensions): whether it was a
//! change-scoped plan (`-scope=changed`) and which instances it left out unchanged, why it
//! planned everything instead, the digest of each instance's configuration it computed (what
//! an apply of the plan records for the next change-scoped plan), and the `-sweep=K/N` slice
//! of a refresh-only sweep.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::addrs::InstanceAddr;

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PlanScope {
    /// Made with `-scope=changed` against a valid instance record: only the changed
    /// instances were refreshed and planned.
    pub changed_only: bool,
    /// Why a `-scope=changed` plan planned everything (no valid instance record).
    pub fallback: Option<String>,
    /// The instances a change-scoped plan left out as unchanged (neither refreshed nor
    /// planned by the provider).
    pub unchanged: BTreeSet<InstanceAddr>,
    /// How many more instances a change-scoped plan that is only shown left out, counted
    /// but not listed: those of module instances left out whole, which have no change in
    /// such a plan. Never saved (a saved plan lists every one).
    pub unlisted_unchanged: usize,
    /// The digest of each instance's configuration, where it was wholly known.
    pub digests: BTreeMap<InstanceAddr, String>,
    /// `-sweep=K/N` of a refresh-only sweep plan.
    pub sweep: Option<String>,
    /// For a saved change-scoped plan: a digest of every stored object of the state it was
    /// made against (by address, deposed objects as `ADDRESS deposed KEY`), so that applying
    /// it after other applies can tell whether anything it depends on changed since.
    pub stored: BTreeMap<String, String>,
    /// The input digest of each root module call instance (`module.NAME[KEY]`), where its
    /// inputs were wholly known.
    pub modules: BTreeMap<String, String>,
}

impl PlanScope {
    /// What `show` says about a saved plan's scope, one line each.
    pub(crate) fn shown_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.summary().into_iter().collect();
        if let Some(sweep) = &self.sweep {
            lines.push(format!(
                "Sweep: slice {sweep} (a refresh-only plan that read again only this slice)"
            ));
        }
        lines
    }

    /// The one line that says what a `-scope=changed` plan covered; `None` for other plans.
    pub(crate) fn summary(&self) -> Option<String> {
        if let Some(reason) = &self.fallback {
            return Some(format!("Scope: full plan ({reason})"));
        }
        self.changed_only.then(|| {
            format!(
                "Scope: changed ({} unchanged instance(s) left out, not refreshed)",
                self.unchanged.len() + self.unlisted_unchanged
            )
        })
    }
}

/// The scope as a plan file keeps it (a tenantform-only part of a tenantform-only file).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct EncodedScope {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub changed_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchanged: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digests: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stored: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub modules: BTreeMap<String, String>,
}

impl EncodedScope {
    pub(crate) fn is_empty(&self) -> bool {
        *self == EncodedScope::default()
    }

    pub(crate) fn encode(scope: &PlanScope) -> EncodedScope {
        EncodedScope {
            changed_only: scope.changed_only,
            fallback: scope.fallback.clone(),
            unchanged: scope.unchanged.iter().map(ToString::to_string).collect(),
            digests: scope
                .digests
                .iter()
                .map(|(addr, digest)| (addr.to_string(), digest.clone()))
                .collect(),
            sweep: scope.sweep.clone(),
            stored: scope.stored.clone(),
            modules: scope.modules.clone(),
        }
    }

    /// The scope again; an address that does not parse is named in the error.
    pub(crate) fn decode(&self) -> Result<PlanScope, String> {
        let parse = |text: &String| {
            text.parse::<InstanceAddr>()
                .map_err(|e| format!("scope address {text:?}: {e}"))
        };
        Ok(PlanScope {
            changed_only: self.changed_only,
            fallback: self.fallback.clone(),
            unchanged: self.unchanged.iter().map(parse).collect::<Result<_, _>>()?,
            unlisted_unchanged: 0,
            digests: self
                .digests
                .iter()
                .map(|(addr, digest)| Ok((parse(addr)?, digest.clone())))
                .collect::<Result<_, String>>()?,
            sweep: self.sweep.clone(),
            stored: self.stored.clone(),
            modules: self.modules.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> InstanceAddr {
        text.parse()
            .unwrap_or_else(|e| panic!("{text} is an address: {e}"))
    }

    #[test]
    fn a_scope_survives_the_plan_file_encoding_and_an_empty_one_is_left_out() {
        let scope = PlanScope {
            changed_only: true,
            fallback: None,
            unchanged: BTreeSet::from([addr("module.t[\"a\"].fake_thing.x")]),
            unlisted_unchanged: 0,
            digests: BTreeMap::from([(addr("fake_thing.y[1]"), "ab".to_string())]),
            sweep: Some("2/3".into()),
            stored: BTreeMap::from([("fake_thing.y[1]".to_string(), "cd".to_string())]),
            modules: BTreeMap::from([("module.t[\"a\"]".to_string(), "ef".to_string())]),
        };
        let encoded = EncodedScope::encode(&scope);
        let json = serde_json::to_string(&encoded).unwrap_or_default();
        let read: EncodedScope = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(read.decode(), Ok(scope.clone()));
        assert!(EncodedScope::encode(&PlanScope::default()).is_empty());
        let damaged = EncodedScope {
            unchanged: vec!["not an address[".into()],
            ..encoded
        };
        assert!(damaged.decode().is_err());
    }

    #[test]
    fn show_says_what_a_scoped_or_sweep_plan_covered() {
        let scoped = PlanScope {
            changed_only: true,
            unchanged: BTreeSet::from([addr("fake_thing.x")]),
            ..PlanScope::default()
        };
        assert_eq!(
            scoped.shown_lines(),
            ["Scope: changed (1 unchanged instance(s) left out, not refreshed)"]
        );
        let counted = PlanScope {
            unlisted_unchanged: 4,
            ..scoped
        };
        assert_eq!(
            counted.shown_lines(),
            ["Scope: changed (5 unchanged instance(s) left out, not refreshed)"]
        );
        let full = PlanScope {
            fallback: Some("no instance record for serial 3".into()),
            sweep: Some("1/2".into()),
            ..PlanScope::default()
        };
        assert_eq!(
            full.shown_lines(),
            [
                "Scope: full plan (no instance record for serial 3)",
                "Sweep: slice 1/2 (a refresh-only plan that read again only this slice)"
            ]
        );
        assert!(PlanScope::default().shown_lines().is_empty());
    }
}
