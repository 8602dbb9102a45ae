//! `-partition=module.NAME`: the module call whose `for_each` instances a canary rollout
//! applies wave by wave. The planner knows nothing of tenants: any module call with
//! `for_each` partitions the plan, a root one (`module.tenant`) or a nested one
//! (`module.region.module.tenant`, whose partitions are then the instances of the inner
//! call in every instance of the outer one).

use std::fmt;

use crate::addrs::ModuleStep;
use crate::config::Config;

/// The module call that partitions a rollout, by its static path (call names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Partition {
    calls: Vec<String>,
}

impl Partition {
    /// Parses `module.NAME` or `module.A.module.B`, without instance keys.
    pub(crate) fn parse(text: &str) -> Result<Partition, String> {
        let text = text.trim();
        let invalid = |why: &str| format!("Invalid -partition value {text:?}: {why}");
        if text.contains('[') {
            return Err(invalid(
                "give the module call's address without instance keys, such as \
                 module.tenant: every instance of the call is one partition",
            ));
        }
        let parts: Vec<&str> = text.split('.').collect();
        if !parts.len().is_multiple_of(2) || parts.is_empty() {
            return Err(invalid(
                "expected a module call address such as module.tenant",
            ));
        }
        let mut calls = Vec::new();
        for pair in parts.chunks(2) {
            if pair[0] != "module" || !is_identifier(pair[1]) {
                return Err(invalid(
                    "expected a module call address such as module.tenant",
                ));
            }
            calls.push(pair[1].to_string());
        }
        Ok(Partition { calls })
    }

    /// Checks that the configuration declares this module call, with `for_each`.
    pub(crate) fn check(&self, config: &Config) -> Result<(), String> {
        let mut module = config;
        for (depth, name) in self.calls.iter().enumerate() {
            let (Some(call), Some(child)) =
                (module.module_calls.get(name), module.children.get(name))
            else {
                let whose = match depth {
                    0 => "the root module".to_string(),
                    _ => crate::addrs::module_path_string(&self.calls[..depth]),
                };
                return Err(format!(
                    "Invalid -partition {self}: {whose} has no module call {name:?}. \
                     -partition names a module call with for_each, such as module.tenant."
                ));
            };
            if depth + 1 == self.calls.len() && call.for_each.is_none() {
                let repetition = if call.count.is_some() {
                    "it uses count"
                } else {
                    "it has a single instance"
                };
                return Err(format!(
                    "Invalid -partition {self}: the module call has no for_each ({repetition}). \
                     The partitions of a canary rollout are the instances of a module call \
                     with for_each."
                ));
            }
            module = child;
        }
        Ok(())
    }

    /// The partition a module instance belongs to (its path down to this call's instance),
    /// `None` outside the partitions.
    pub(crate) fn key_of<'m>(&self, module: &'m [ModuleStep]) -> Option<&'m [ModuleStep]> {
        let steps = module.get(..self.calls.len())?;
        steps
            .iter()
            .zip(&self.calls)
            .all(|(step, call)| &step.name == call)
            .then_some(steps)
    }

    /// The call's static path (call names, outermost first).
    pub(crate) fn calls(&self) -> &[String] {
        &self.calls
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::addrs::module_path_string(&self.calls))
    }
}

/// An HCL identifier: a letter or underscore, then letters, digits, `_` or `-`.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests;
