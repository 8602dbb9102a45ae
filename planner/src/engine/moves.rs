//! `moved` statements applied to the prior state before planning, as Terraform's
//! `refactoring.ApplyMoves` does: the statements of every module (and the implied moves
//! between no key and `[0]` when a resource gains or loses `count`) are ordered so that
//! chains (`a` -> `b`, `b` -> `c`) resolve, then each moves the stored objects it selects in
//! every instance of its module. A move onto an address that already holds objects is
//! blocked (the plan warns), and the result maps each moved instance's new address to its
//! address in the prior state.

use std::collections::{BTreeMap, BTreeSet};

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr};
use crate::config::{Config, MoveEndpoint, MoveKind};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::state::State;

use super::move_order::is_module_kind;

/// One `moved` statement, in the module that declares it.
#[derive(Clone, Debug)]
pub(crate) struct MoveStatement {
    /// The static path of the module holding the statement; `from` and `to` are relative
    /// to each of its instances.
    pub module: Vec<String>,
    pub from: MoveEndpoint,
    pub to: MoveEndpoint,
    pub kind: MoveKind,
    /// The `moved` keyword; `None` for an implied move.
    pub range: Option<SourceRange>,
    /// True when `to` names a resource block of the configuration (the only case in which
    /// Terraform asks the provider to convert an object moved across resource types).
    pub to_declared: bool,
}

/// What applying the statements did.
#[derive(Clone, Debug, Default)]
pub(crate) struct MoveResults {
    /// Each moved instance's new address and its address in the prior state.
    pub moved: BTreeMap<InstanceAddr, InstanceAddr>,
    /// Moves not made because the destination already held objects: (from, to).
    pub blocked: Vec<(String, String)>,
}

/// The explicit `moved` statements of the whole configuration tree.
pub(crate) fn find_statements(config: &Config) -> Vec<MoveStatement> {
    let mut found = Vec::new();
    collect_statements(config, config, &mut found);
    found
}

fn collect_statements(root: &Config, module: &Config, into: &mut Vec<MoveStatement>) {
    for moved in &module.moved {
        let to_declared = match &moved.to {
            MoveEndpoint::Resource(to) => {
                let mut path = module.path.clone();
                path.extend(to.module.iter().map(|step| step.name.clone()));
                root.descendant(&path)
                    .is_some_and(|m| m.resource(&to.resource).is_some())
            }
            MoveEndpoint::Module(_) => false,
        };
        into.push(MoveStatement {
            module: module.path.clone(),
            from: moved.from.clone(),
            to: moved.to.clone(),
            kind: moved.kind,
            range: Some(moved.range.clone()),
            to_declared,
        });
    }
    for child in module.children.values() {
        collect_statements(root, child, into);
    }
}

/// Terraform's implied moves: a stored instance without a key becomes `[0]` when its block
/// now has `count`, and `[0]` becomes the instance without a key when the block has neither
/// `count` nor `for_each`, unless an explicit statement names the resource.
pub(crate) fn implied_statements(
    config: &Config,
    state: &State,
    explicit: &[MoveStatement],
) -> Vec<MoveStatement> {
    let mut implied = Vec::new();
    let mut seen = BTreeSet::new();
    for addr in state.instances.keys() {
        let path = crate::addrs::static_module_path(&addr.module);
        let Some(resource) = config
            .descendant(&path)
            .and_then(|module| module.resource(&addr.resource))
        else {
            continue;
        };
        let (from_key, to_key) = match (&addr.key, &resource.count, &resource.for_each) {
            (InstanceKey::None, Some(_), _) => (InstanceKey::None, InstanceKey::Int(0)),
            (InstanceKey::Int(0), None, None) => (InstanceKey::Int(0), InstanceKey::None),
            _ => continue,
        };
        if !seen.insert((addr.module.clone(), addr.resource.clone())) {
            continue;
        }
        let named = explicit.iter().any(|s| {
            selects_resource(s, &s.from, &addr.module, &addr.resource)
                || selects_resource(s, &s.to, &addr.module, &addr.resource)
        });
        if named {
            continue;
        }
        let at = |key: InstanceKey| {
            MoveEndpoint::Resource(InstanceAddr {
                key,
                ..addr.clone()
            })
        };
        implied.push(MoveStatement {
            module: Vec::new(),
            from: at(from_key),
            to: at(to_key),
            kind: MoveKind::ResourceInstance,
            range: None,
            to_declared: true,
        });
    }
    implied
}

/// Splits a module instance path into the instance of the statement's module and the rest,
/// when the path lies in (an instance of) that module.
fn split_prefix<'m>(
    stmt: &MoveStatement,
    module: &'m [ModuleStep],
) -> Option<(&'m [ModuleStep], &'m [ModuleStep])> {
    if module.len() < stmt.module.len() {
        return None;
    }
    let (prefix, rest) = module.split_at(stmt.module.len());
    prefix
        .iter()
        .zip(&stmt.module)
        .all(|(step, name)| &step.name == name)
        .then_some((prefix, rest))
}

/// Whether `endpoint` (a side of `stmt`) names the resource `resource` in `module`.
fn selects_resource(
    stmt: &MoveStatement,
    endpoint: &MoveEndpoint,
    module: &[ModuleStep],
    resource: &ResourceAddr,
) -> bool {
    let MoveEndpoint::Resource(side) = endpoint else {
        return false;
    };
    split_prefix(stmt, module).is_some_and(|(_, rest)| rest == side.module.as_slice())
        && &side.resource == resource
}

/// Where a module instance goes under a module-kind statement, if it moves.
fn module_destination(stmt: &MoveStatement, module: &[ModuleStep]) -> Option<Vec<ModuleStep>> {
    let (MoveEndpoint::Module(from), MoveEndpoint::Module(to)) = (&stmt.from, &stmt.to) else {
        return None;
    };
    if module.is_empty() {
        return None;
    }
    let (prefix, rest) = split_prefix(stmt, module)?;
    let (replaced, suffix) = match stmt.kind {
        MoveKind::ModuleInstance => {
            if rest.len() < from.len() || rest[..from.len()] != from[..] {
                return None;
            }
            (to.clone(), &rest[from.len()..])
        }
        MoveKind::ModuleCall => {
            let (call, caller) = from.split_last()?;
            if rest.len() <= caller.len() || rest[..caller.len()] != caller[..] {
                return None;
            }
            let step = &rest[caller.len()];
            if step.name != call.name {
                return None;
            }
            let (to_call, to_caller) = to.split_last()?;
            let mut replaced = to_caller.to_vec();
            replaced.push(ModuleStep {
                name: to_call.name.clone(),
                key: step.key.clone(),
            });
            (replaced, &rest[caller.len() + 1..])
        }
        MoveKind::Resource | MoveKind::ResourceInstance => return None,
    };
    let mut destination = prefix.to_vec();
    destination.extend(replaced);
    destination.extend(suffix.iter().cloned());
    Some(destination)
}

/// Where a stored instance goes under a resource-kind statement, if it moves.
fn instance_destination(stmt: &MoveStatement, addr: &InstanceAddr) -> Option<InstanceAddr> {
    let (MoveEndpoint::Resource(from), MoveEndpoint::Resource(to)) = (&stmt.from, &stmt.to) else {
        return None;
    };
    if from.resource != addr.resource {
        return None;
    }
    let (prefix, rest) = split_prefix(stmt, &addr.module)?;
    if rest != from.module.as_slice() {
        return None;
    }
    let key = match stmt.kind {
        MoveKind::Resource => addr.key.clone(),
        MoveKind::ResourceInstance if addr.key == from.key => to.key.clone(),
        _ => return None,
    };
    let mut module = prefix.to_vec();
    module.extend(to.module.iter().cloned());
    Some(InstanceAddr {
        module,
        resource: to.resource.clone(),
        key,
    })
}

/// `file:line,column` of a range's start, as Terraform names statements.
pub(crate) fn range_start(range: &SourceRange) -> String {
    format!(
        "{}:{},{}",
        range.filename, range.start.line, range.start.column
    )
}

/// An endpoint as Terraform prints statements: its module's instances and a whole resource
/// or module call marked `[*]` (`module.t[*].tenant.a[*]`).
pub(crate) fn endpoint_string(stmt: &MoveStatement, endpoint: &MoveEndpoint) -> String {
    let prefix: String = stmt
        .module
        .iter()
        .map(|name| format!("module.{name}[*]."))
        .collect();
    let whole = matches!(stmt.kind, MoveKind::Resource | MoveKind::ModuleCall);
    format!("{prefix}{endpoint}{}", if whole { "[*]" } else { "" })
}

/// Applies the statements, in `order`, to `state`.
pub(crate) fn apply_moves(
    stmts: &[MoveStatement],
    order: &[usize],
    state: &mut State,
) -> (MoveResults, Diagnostics) {
    let mut results = MoveResults::default();
    let mut diags = Diagnostics::new();
    for &index in order {
        let stmt = &stmts[index];
        if is_module_kind(stmt.kind) {
            move_modules(stmt, state, &mut results);
        } else {
            move_resources(stmt, state, &mut results, &mut diags);
        }
    }
    (results, diags)
}

/// The distinct addresses (current or deposed) stored in `state` that `keep` selects.
fn stored_where(state: &State, keep: impl Fn(&InstanceAddr) -> bool) -> BTreeSet<InstanceAddr> {
    state
        .instances
        .keys()
        .chain(state.deposed.keys().map(|(addr, _)| addr))
        .filter(|addr| keep(addr))
        .cloned()
        .collect()
}

/// Whether any object (current or deposed) is stored for the resource in the module.
fn resource_occupied(state: &State, module: &[ModuleStep], resource: &ResourceAddr) -> bool {
    let start = InstanceAddr {
        module: module.to_vec(),
        resource: resource.clone(),
        key: InstanceKey::None,
    };
    let same = |a: &InstanceAddr| a.module == module && a.resource == *resource;
    state
        .instances
        .range(start.clone()..)
        .next()
        .is_some_and(|(a, _)| same(a))
        || state
            .deposed
            .range((start, String::new())..)
            .next()
            .is_some_and(|((a, _), _)| same(a))
}

/// Whether any object (current or deposed) is stored in the module instance.
fn module_occupied(state: &State, module: &[ModuleStep]) -> bool {
    let start = InstanceAddr {
        module: module.to_vec(),
        resource: ResourceAddr::managed("", ""),
        key: InstanceKey::None,
    };
    state
        .instances
        .range(start.clone()..)
        .next()
        .is_some_and(|(a, _)| a.module == module)
        || state
            .deposed
            .range((start, String::new())..)
            .next()
            .is_some_and(|((a, _), _)| a.module == module)
}

/// Whether any object (current or deposed) is stored at the address.
fn instance_occupied(state: &State, addr: &InstanceAddr) -> bool {
    state.instances.contains_key(addr) || state.deposed_of(addr).next().is_some()
}

fn record(results: &mut MoveResults, old: InstanceAddr, new: InstanceAddr) {
    let original = results.moved.remove(&old).unwrap_or(old);
    results.moved.insert(new, original);
}

fn move_modules(stmt: &MoveStatement, state: &mut State, results: &mut MoveResults) {
    // Addresses are ordered by module first: each module path is looked at once.
    let mut modules: BTreeSet<&[ModuleStep]> = BTreeSet::new();
    for addr in state
        .instances
        .keys()
        .chain(state.deposed.keys().map(|(addr, _)| addr))
    {
        modules.insert(&addr.module);
    }
    let moving: Vec<(Vec<ModuleStep>, Vec<ModuleStep>)> = modules
        .into_iter()
        .filter_map(|module| Some((module.to_vec(), module_destination(stmt, module)?)))
        .collect();
    for (module, destination) in moving {
        let addrs = stored_where(state, |addr| addr.module == module);
        if module_occupied(state, &destination) {
            results.blocked.push((
                crate::addrs::module_instance_string(&module),
                crate::addrs::module_instance_string(&destination),
            ));
            continue;
        }
        for addr in addrs {
            let new = InstanceAddr {
                module: destination.clone(),
                ..addr.clone()
            };
            state.move_instance(&addr, &new);
            record(results, addr, new);
        }
    }
}

fn move_resources(
    stmt: &MoveStatement,
    state: &mut State,
    results: &mut MoveResults,
    diags: &mut Diagnostics,
) {
    let MoveEndpoint::Resource(from) = &stmt.from else {
        return;
    };
    // Only objects of the `from` resource can move.
    let candidates = stored_where(state, |addr| addr.resource == from.resource);
    let mut by_module: BTreeMap<Vec<ModuleStep>, Vec<(InstanceAddr, InstanceAddr)>> =
        BTreeMap::new();
    for addr in candidates {
        if let Some(new) = instance_destination(stmt, &addr) {
            by_module
                .entry(addr.module.clone())
                .or_default()
                .push((addr, new));
        }
    }
    let mut refused = false;
    for moves in by_module.into_values() {
        let Some((first, first_new)) = moves.first() else {
            continue;
        };
        if stmt.kind == MoveKind::Resource
            && resource_occupied(state, &first_new.module, &first_new.resource)
        {
            results
                .blocked
                .push((resource_string(first), resource_string(first_new)));
            continue;
        }
        for (addr, new) in moves {
            if stmt.kind == MoveKind::ResourceInstance && instance_occupied(state, &new) {
                results.blocked.push((addr.to_string(), new.to_string()));
                continue;
            }
            if addr.resource.type_name != new.resource.type_name && stmt.to_declared {
                if !refused {
                    diags.push(cross_type_error(stmt));
                    refused = true;
                }
                continue;
            }
            state.move_instance(&addr, &new);
            record(results, addr, new);
        }
    }
}

fn resource_string(addr: &InstanceAddr) -> String {
    InstanceAddr {
        key: InstanceKey::None,
        ..addr.clone()
    }
    .to_string()
}

/// Terraform asks the provider to convert an object moved to another resource type
/// (`MoveResourceState`); tenantform refuses such a move.
fn cross_type_error(stmt: &MoveStatement) -> Diagnostic {
    Diagnostic::error(
        "Unsupported `moved` across resource types",
        format!(
            "This statement moves {} to {}, a resource of another type. Moving between resource \
             types (the provider's MoveResourceState) is not supported by tenantform.",
            endpoint_string(stmt, &stmt.from),
            endpoint_string(stmt, &stmt.to)
        ),
    )
    .with_range(stmt.range.clone())
}

#[cfg(test)]
mod tests;
