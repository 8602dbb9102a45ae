//! Addresses as the state commands take them: a module (`module.a`, `module.b[0]`), a
//! resource (`module.a.tenant.x`, every instance of it) or one instance (`tenant.x[1]`).
//! A module step or resource without a key stands for all of its instances, as in
//! Terraform's targeting.

use std::fmt;

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr};
use crate::cli::Failure;

/// A parsed state command address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub module: Vec<ModuleStep>,
    pub resource: Option<ResourceAddr>,
    /// The instance key, when the address names one instance explicitly.
    pub key: Option<InstanceKey>,
}

/// Why an address could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TargetError(String);

impl Target {
    /// Parses every address of `texts`; an unreadable one fails with `summary`.
    pub(crate) fn parse_all(texts: &[String], summary: &str) -> Result<Vec<Target>, Failure> {
        texts
            .iter()
            .map(|text| Target::parse(text).map_err(|e| Failure::error(summary, e.to_string())))
            .collect()
    }

    pub(crate) fn parse(text: &str) -> Result<Target, TargetError> {
        let text = text.trim();
        if let Ok(addr) = text.parse::<InstanceAddr>() {
            let explicit_key = text.ends_with(']');
            return Ok(Target {
                module: addr.module,
                resource: Some(addr.resource),
                key: explicit_key.then_some(addr.key),
            });
        }
        if text.starts_with("module.") {
            // A module path alone: read it as the module of a placeholder resource.
            if let Ok(addr) = format!("{text}.placeholder.placeholder").parse::<InstanceAddr>() {
                return Ok(Target {
                    module: addr.module,
                    resource: None,
                    key: None,
                });
            }
        }
        Err(TargetError(
            "Resource specification must include a resource type and name.".into(),
        ))
    }

    /// Whether the address names one instance (an explicit key).
    pub(crate) fn is_instance(&self) -> bool {
        self.resource.is_some() && self.key.is_some()
    }

    pub(crate) fn is_module(&self) -> bool {
        self.resource.is_none()
    }

    /// Whether `addr` is one of the instances this address stands for.
    pub(crate) fn contains(&self, addr: &InstanceAddr) -> bool {
        let module_matches = |exact: bool| {
            (if exact {
                addr.module.len() == self.module.len()
            } else {
                addr.module.len() >= self.module.len()
            }) && self.module.iter().zip(&addr.module).all(|(want, have)| {
                want.name == have.name && (want.key == InstanceKey::None || want.key == have.key)
            })
        };
        match &self.resource {
            None => module_matches(false),
            Some(resource) => {
                module_matches(true)
                    && &addr.resource == resource
                    && self.key.as_ref().is_none_or(|key| key == &addr.key)
            }
        }
    }

    /// The instance address this target names (no key means the unkeyed instance).
    pub(crate) fn instance(&self) -> Option<InstanceAddr> {
        Some(InstanceAddr {
            module: self.module.clone(),
            resource: self.resource.clone()?,
            key: self.key.clone().unwrap_or(InstanceKey::None),
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self
            .module
            .iter()
            .map(|step| format!("module.{}{}", step.name, step.key))
            .collect();
        write!(f, "{}", steps.join("."))?;
        if let Some(resource) = &self.resource {
            if !self.module.is_empty() {
                write!(f, ".")?;
            }
            write!(f, "{resource}")?;
            if let Some(key) = &self.key {
                write!(f, "{key}")?;
            }
        }
        Ok(())
    }
}
