//! The blast-radius guard: a plan may destroy at most a given number of resource
//! instances. It counts the managed resource objects the plan deletes (`Delete`) or
//! replaces (`DeleteThenCreate`, `CreateThenDelete`), deposed objects included, since each
//! is a real object destroyed; `Forget` (removed from state, not destroyed) and data sources
//! do not count. Addresses given to `-allow-destroy` are exempt: a module instance covers
//! everything inside it (`module.tenant["a"]`; without a key, every instance of the call),
//! a resource covers its instances, an instance only itself.

use std::str::FromStr;

use crate::addrs::{
    AddrParseError, InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode,
};
use crate::plan::{Action, Plan, ResourceChange};

/// How many destroyed instances an error lists before summing up the rest.
const LISTED: usize = 10;

/// An address exempt from the guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AllowedAddr {
    /// Everything in a module instance (a step without key: every instance of the call).
    Module(Vec<ModuleStep>),
    /// Every instance of a resource.
    Resource(Vec<ModuleStep>, ResourceAddr),
    /// One resource instance.
    Instance(InstanceAddr),
}

impl FromStr for AllowedAddr {
    type Err = AddrParseError;

    /// Parses a module, resource or instance address with the planner's address parser.
    fn from_str(text: &str) -> Result<AllowedAddr, AddrParseError> {
        match text.parse::<InstanceAddr>() {
            Ok(addr) if addr.key == InstanceKey::None => {
                Ok(AllowedAddr::Resource(addr.module, addr.resource))
            }
            Ok(addr) => Ok(AllowedAddr::Instance(addr)),
            Err(err) => {
                let as_module = format!("{}.x.y", text.trim());
                match as_module.parse::<InstanceAddr>() {
                    Ok(addr) if !addr.module.is_empty() => Ok(AllowedAddr::Module(addr.module)),
                    _ => Err(err),
                }
            }
        }
    }
}

impl AllowedAddr {
    /// True when this address covers the instance `addr`.
    pub(crate) fn covers(&self, addr: &InstanceAddr) -> bool {
        match self {
            AllowedAddr::Module(module) => {
                addr.module.len() >= module.len() && steps_match(module, &addr.module)
            }
            AllowedAddr::Resource(module, resource) => {
                addr.module.len() == module.len()
                    && steps_match(module, &addr.module)
                    && addr.resource == *resource
            }
            AllowedAddr::Instance(instance) => {
                addr.module.len() == instance.module.len()
                    && steps_match(&instance.module, &addr.module)
                    && addr.resource == instance.resource
                    && addr.key == instance.key
            }
        }
    }
}

/// True when each step of `pattern` names the same call as `module`'s step there, with
/// the same key or, where the pattern gives none, any key.
fn steps_match(pattern: &[ModuleStep], module: &[ModuleStep]) -> bool {
    pattern.iter().zip(module).all(|(want, have)| {
        want.name == have.name && (want.key == InstanceKey::None || want.key == have.key)
    })
}

/// Where the limit came from, for the error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LimitSource {
    Flag,
    Environment,
}

/// The largest number of instances a plan may destroy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DestroyLimit {
    pub max: u64,
    pub source: LimitSource,
}

/// Parses a limit: a non-negative whole number.
pub(crate) fn parse_limit(text: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| {
        format!("{text:?} is not a valid destroy limit: expected a whole number of resource instances, 0 or more")
    })
}

/// True when the change destroys an object the guard counts.
fn destroys(change: &ResourceChange) -> bool {
    change.addr.resource.mode == ResourceMode::Managed
        && matches!(
            change.action,
            Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
        )
}

/// The changes of `plan` that destroy an object no allowed address covers.
pub(crate) fn counted<'a>(plan: &'a Plan, allowed: &[AllowedAddr]) -> Vec<&'a ResourceChange> {
    plan.changes
        .iter()
        .filter(|change| destroys(change))
        .filter(|change| !allowed.iter().any(|a| a.covers(&change.addr)))
        .collect()
}

/// Refuses a plan that destroys more instances than `limit` allows; the error's detail
/// gives the count, the limit and the first addresses.
pub(crate) fn check(
    plan: &Plan,
    limit: DestroyLimit,
    allowed: &[AllowedAddr],
) -> Result<(), String> {
    let destroyed = counted(plan, allowed);
    let count = destroyed.len() as u64;
    if count <= limit.max {
        return Ok(());
    }
    let mut lines: Vec<String> = destroyed
        .iter()
        .take(LISTED)
        .map(|change| match &change.deposed {
            Some(key) => format!("  - {} (deposed object {key})", change.addr),
            None => format!("  - {}", change.addr),
        })
        .collect();
    if destroyed.len() > LISTED {
        lines.push(format!("  and {} more", destroyed.len() - LISTED));
    }
    let source = match limit.source {
        LimitSource::Flag => "-max-destroy",
        LimitSource::Environment => "TENANTFORM_MAX_DESTROY",
    };
    Err(format!(
        "The plan destroys or replaces {count} resource instances, more than the limit of {} set \
         by {source}:\n{}\n\nNothing has been changed. To proceed, review the plan, then raise \
         the limit or exempt the intended addresses with -allow-destroy=ADDRESS.",
        limit.max,
        lines.join("\n")
    ))
}
