//! The order in which `moved` statements apply, as Terraform's `buildMoveStatementGraph`
//! and `statementDependsOn` define it: a statement comes after the one whose destination it
//! continues (a chain) or in which it is nested; statements that depend on each other in a
//! circle are Terraform's "Cyclic dependency in move statements".

use std::collections::BTreeSet;

use crate::addrs::{InstanceKey, ModuleStep, ResourceAddr};
use crate::config::{MoveEndpoint, MoveKind};
use crate::diags::{Diagnostic, Diagnostics};

use super::moves::{MoveStatement, endpoint_string, range_start};

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

pub(crate) fn is_module_kind(kind: MoveKind) -> bool {
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
