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

/// One side of a statement with its module path computed once (Terraform's
/// `synthModuleInstance`, where `None` keys match any key).
struct Side<'s> {
    endpoint: &'s MoveEndpoint,
    stmt: &'s MoveStatement,
    synth: Vec<(String, Option<InstanceKey>)>,
}

/// Both sides of a statement.
struct Sides<'s> {
    from: Side<'s>,
    to: Side<'s>,
}

impl<'s> Sides<'s> {
    fn of(stmt: &'s MoveStatement) -> Sides<'s> {
        let side = |endpoint: &'s MoveEndpoint| Side {
            endpoint,
            stmt,
            synth: synth_module(endpoint, stmt),
        };
        Sides {
            from: side(&stmt.from),
            to: side(&stmt.to),
        }
    }
}

/// Whether statement `a` must be applied after statement `b` (Terraform's
/// `statementDependsOn`).
fn depends_on(a: &Sides<'_>, b: &Sides<'_>) -> bool {
    if can_chain_from(&a.from, &b.to) {
        return true;
    }
    let nested = nested_within(&a.from, &b.to)
        || nested_within(&a.to, &b.to)
        || nested_within(&b.from, &a.from)
        || nested_within(&b.to, &a.from);
    if !nested {
        return false;
    }
    // Terraform compares the paths of the modules declaring the statements.
    if a.from.stmt.module.len() >= b.from.stmt.module.len() {
        return true;
    }
    !is_module_reindex(a.from.stmt)
}

fn synth_module(
    endpoint: &MoveEndpoint,
    stmt: &MoveStatement,
) -> Vec<(String, Option<InstanceKey>)> {
    let mut steps: Vec<(String, Option<InstanceKey>)> = stmt
        .module
        .iter()
        .map(|name| (name.clone(), None))
        .collect();
    let keyed = |s: &ModuleStep| (s.name.clone(), Some(s.key.clone()));
    match (endpoint, stmt.kind) {
        (MoveEndpoint::Module(module), MoveKind::ModuleCall) => {
            if let Some((call, caller)) = module.split_last() {
                steps.extend(caller.iter().map(keyed));
                steps.push((call.name.clone(), None));
            }
        }
        (MoveEndpoint::Module(module), _) => steps.extend(module.iter().map(keyed)),
        (MoveEndpoint::Resource(addr), _) => steps.extend(addr.module.iter().map(keyed)),
    }
    steps
}

/// Terraform's `moduleInstanceCanMatch`: `a`'s steps match the start of `b`'s.
fn can_match(a: &[(String, Option<InstanceKey>)], b: &[(String, Option<InstanceKey>)]) -> bool {
    a.len() <= b.len()
        && a.iter().zip(b).all(|(x, y)| match (&x.1, &y.1) {
            (None, _) | (_, None) => x.0 == y.0,
            _ => x == y,
        })
}

fn is_module_kind(kind: MoveKind) -> bool {
    matches!(kind, MoveKind::ModuleCall | MoveKind::ModuleInstance)
}

fn resource_of(endpoint: &MoveEndpoint) -> Option<&ResourceAddr> {
    match endpoint {
        MoveEndpoint::Resource(addr) => Some(&addr.resource),
        MoveEndpoint::Module(_) => None,
    }
}

/// Terraform's `CanChainFrom`: `e` can continue where `o` ends.
fn can_chain_from(e: &Side<'_>, o: &Side<'_>) -> bool {
    if e.synth.len() != o.synth.len() || !can_match(&o.synth, &e.synth) {
        return false;
    }
    let (e_kind, o_kind) = (e.stmt.kind, o.stmt.kind);
    match (is_module_kind(o_kind), is_module_kind(e_kind)) {
        (true, true) => true,
        (false, false) if o_kind == e_kind => match (e.endpoint, o.endpoint) {
            // Instances chain only when the key matches too.
            (MoveEndpoint::Resource(ea), MoveEndpoint::Resource(oa)) => {
                ea.resource == oa.resource && (e_kind == MoveKind::Resource || ea.key == oa.key)
            }
            _ => false,
        },
        _ => false,
    }
}

/// Terraform's `NestedWithin`: `e` lies inside `o`.
fn nested_within(e: &Side<'_>, o: &Side<'_>) -> bool {
    if o.synth.len() > e.synth.len() || !can_match(&o.synth, &e.synth) {
        return false;
    }
    match o.stmt.kind {
        MoveKind::ModuleCall | MoveKind::ModuleInstance => {
            !is_module_kind(e.stmt.kind) || e.synth.len() > o.synth.len()
        }
        MoveKind::Resource => {
            e.synth.len() == o.synth.len()
                && e.stmt.kind == MoveKind::ResourceInstance
                && resource_of(e.endpoint) == resource_of(o.endpoint)
        }
        MoveKind::ResourceInstance => false,
    }
}

fn is_module_reindex(stmt: &MoveStatement) -> bool {
    match (&stmt.from, &stmt.to) {
        (MoveEndpoint::Module(from), MoveEndpoint::Module(to)) => {
            from.len() == to.len() && from.iter().zip(to).all(|(a, b)| a.name == b.name)
        }
        _ => false,
    }
}

/// The statements' dependency edges: `edges[a]` lists the statements `a` comes after.
fn dependency_edges(stmts: &[MoveStatement]) -> Vec<Vec<usize>> {
    let sides: Vec<Sides<'_>> = stmts.iter().map(Sides::of).collect();
    (0..stmts.len())
        .map(|a| {
            (0..stmts.len())
                .filter(|&b| a != b && depends_on(&sides[a], &sides[b]))
                .collect()
        })
        .collect()
}

/// The statements in an order where each comes after those it depends on (otherwise in
/// declaration order); `Err` with the statements of each cycle when there is none.
pub(crate) fn ordered(stmts: &[MoveStatement]) -> Result<Vec<usize>, Vec<Vec<usize>>> {
    let edges = dependency_edges(stmts);
    let mut graph = petgraph::graph::DiGraph::<usize, ()>::new();
    let nodes: Vec<_> = (0..stmts.len()).map(|i| graph.add_node(i)).collect();
    for (a, after) in edges.iter().enumerate() {
        for &b in after {
            graph.add_edge(nodes[b], nodes[a], ());
        }
    }
    let cycles: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| scc.into_iter().map(|n| graph[n]).collect())
        .collect();
    if !cycles.is_empty() {
        return Err(cycles);
    }
    let mut waiting: Vec<usize> = edges.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); stmts.len()];
    for (a, after) in edges.iter().enumerate() {
        for &b in after {
            dependents[b].push(a);
        }
    }
    let mut ready: BTreeSet<usize> = (0..stmts.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(stmts.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &dependent in &dependents[next] {
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    Ok(order)
}

/// Terraform's error for statements that move objects in a circle.
pub(crate) fn cycle_diagnostics(stmts: &[MoveStatement], cycles: &[Vec<usize>]) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for cycle in cycles {
        let mut lines: Vec<String> = cycle
            .iter()
            .map(|&i| {
                let stmt = &stmts[i];
                format!(
                    "\n  - {}: {} → {}",
                    stmt.range.as_ref().map(range_start).unwrap_or_default(),
                    endpoint_string(stmt, &stmt.from),
                    endpoint_string(stmt, &stmt.to)
                )
            })
            .collect();
        lines.sort();
        diags.push(Diagnostic::error(
            "Cyclic dependency in move statements",
            format!(
                "The following chained move statements form a cycle, and so there is no final \
                 location to move objects to:{}\n\nA chain of move statements must end with an \
                 address that doesn't appear in any other statements, and which typically also \
                 refers to an object still declared in the configuration.",
                lines.concat()
            ),
        ));
    }
    diags
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
fn endpoint_string(stmt: &MoveStatement, endpoint: &MoveEndpoint) -> String {
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
