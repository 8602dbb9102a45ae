//! How a plan's changes spread over the waves of a canary rollout.
//!
//! Every change inside a partition (an instance of the partition's module call) goes with
//! its partition. The partitions with changes are taken in Terraform's key order and cut
//! into waves by the cumulative sizes; partitions whose instances are all no-ops ride with
//! the last wave (their refreshed objects are recorded then). A change outside the
//! partitions goes in the first wave, unless it must wait for the partitions: its resource
//! depends on something inside the partition's module call, or it deletes an object a
//! partition's deletion depends on. Those go in the last wave. A replacement the partitions'
//! deletions depend on fits no wave, and the rollout is refused.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::addrs::{ModuleStep, ResourceAddr, static_module_path};
use crate::config::Config;
use crate::graph::{ConfigGraph, Node, NodeId};
use crate::plan::{Action, Plan, ResourceChange};

use super::{Partition, WaveSizes};

/// A partition: the module instance path down to the partition call's instance.
pub(crate) type PartitionKey = Vec<ModuleStep>;

/// One wave: its partitions (in order) and the plan's changes it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Wave {
    pub partitions: Vec<PartitionKey>,
    /// How many changes outside the partitions (not counting no-ops) this wave applies.
    pub outside: usize,
    /// Indices into the plan's changes.
    changes: Vec<usize>,
}

/// The waves of a rollout of one plan.
#[derive(Clone, Debug)]
pub(crate) struct Rollout {
    pub partition: Partition,
    pub waves: Vec<Wave>,
}

impl Rollout {
    /// Spreads `plan`'s changes over waves of `sizes`, partitioned by `partition`.
    pub(crate) fn new(
        plan: &Plan,
        config: &Config,
        partition: Partition,
        sizes: &WaveSizes,
    ) -> Result<Rollout, String> {
        let changed: BTreeSet<PartitionKey> = plan
            .changes
            .iter()
            .filter(|c| changes_something(c))
            .filter_map(|c| partition.key_of(&c.addr.module).map(<[ModuleStep]>::to_vec))
            .collect();
        let reached = sizes.cumulative(changed.len());
        let last = reached.len().saturating_sub(1);
        let mut waves: Vec<Wave> = Vec::new();
        let mut wave_of: BTreeMap<&[ModuleStep], usize> = BTreeMap::new();
        let ordered: Vec<&PartitionKey> = changed.iter().collect();
        let mut start = 0;
        for (index, &end) in reached.iter().enumerate() {
            for key in &ordered[start..end] {
                wave_of.insert(key.as_slice(), index);
            }
            waves.push(Wave {
                partitions: ordered[start..end].iter().map(|&k| k.clone()).collect(),
                outside: 0,
                changes: Vec::new(),
            });
            start = end;
        }
        let outside = OutsideOrder::new(plan, config, &partition)?;
        for (index, change) in plan.changes.iter().enumerate() {
            let wave = match partition.key_of(&change.addr.module) {
                Some(key) => wave_of.get(key).copied().unwrap_or(last),
                None => {
                    let wave = if outside.waits(change)? { last } else { 0 };
                    if changes_something(change) {
                        waves[wave].outside += 1;
                    }
                    wave
                }
            };
            waves[wave].changes.push(index);
        }
        Ok(Rollout { partition, waves })
    }

    /// The plan wave `index` applies: `plan` with only that wave's changes. Every wave but
    /// the last is targeted and evaluates no root output (they keep their stored values);
    /// the last evaluates them all, as the whole plan would.
    pub(crate) fn wave_plan(&self, plan: &Plan, index: usize) -> Plan {
        let last = index + 1 == self.waves.len();
        let mut part = plan.clone();
        part.changes = self.waves[index]
            .changes
            .iter()
            .map(|&i| plan.changes[i].clone())
            .collect();
        part.targeted = !last;
        if !last {
            part.outputs.clear();
        }
        part
    }

    /// The partitions of waves `0..=index`, the ones applied once wave `index` completes.
    pub(crate) fn partitions_through(&self, index: usize) -> BTreeSet<&[ModuleStep]> {
        self.waves[..=index]
            .iter()
            .flat_map(|wave| &wave.partitions)
            .map(Vec::as_slice)
            .collect()
    }

    /// The number of partitions with changes.
    pub(crate) fn partition_count(&self) -> usize {
        self.waves.iter().map(|wave| wave.partitions.len()).sum()
    }
}

/// True for a change that does something (not a plain no-op).
fn changes_something(change: &ResourceChange) -> bool {
    change.action != Action::NoOp || change.previous_address.is_some() || change.importing.is_some()
}

/// True for a change that deletes an object (alone or as part of a replacement).
fn deletes(change: &ResourceChange) -> bool {
    change.deposed.is_some()
        || matches!(
            change.action,
            Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
        )
}

/// Which changes outside the partitions must wait for them.
struct OutsideOrder {
    graph: ConfigGraph,
    /// Nodes outside the partition call that depend on something inside it.
    after_partitions: HashSet<NodeId>,
    /// Resources (configuration addresses) a partition's deletion depends on.
    needed_by_deletions: HashSet<String>,
}

impl OutsideOrder {
    fn new(plan: &Plan, config: &Config, partition: &Partition) -> Result<OutsideOrder, String> {
        let graph = ConfigGraph::build(config)
            .map_err(|diags| format!("The configuration's graph cannot be built: {diags}"))?;
        let inside = |id: NodeId| inside_call(&graph, id, partition.calls());
        let mut dependents: Vec<Vec<NodeId>> = vec![Vec::new(); graph.len()];
        for id in graph.ids() {
            for dependency in graph.dependencies(id) {
                dependents[dependency.index()].push(id);
            }
        }
        let mut stack: Vec<NodeId> = graph.ids().filter(|&id| inside(id)).collect();
        let mut reached: HashSet<NodeId> = stack.iter().copied().collect();
        while let Some(id) = stack.pop() {
            for &dependent in &dependents[id.index()] {
                if reached.insert(dependent) {
                    stack.push(dependent);
                }
            }
        }
        let after_partitions = reached.into_iter().filter(|&id| !inside(id)).collect();
        let needed_by_deletions = plan
            .changes
            .iter()
            .filter(|c| deletes(c) && partition.key_of(&c.addr.module).is_some())
            .flat_map(|c| c.dependencies.iter().cloned())
            .collect();
        Ok(OutsideOrder {
            graph,
            after_partitions,
            needed_by_deletions,
        })
    }

    /// True when `change` (outside the partitions) goes in the last wave; an error when it
    /// fits no wave.
    fn waits(&self, change: &ResourceChange) -> Result<bool, String> {
        let node = self.graph.id_in(
            &static_module_path(&change.addr.module),
            &Node::Resource(ResourceAddr::clone(&change.addr.resource)),
        );
        if node.is_some_and(|id| self.after_partitions.contains(&id)) {
            return Ok(true);
        }
        let resource = change.addr.config_resource();
        if !deletes(change) || !self.needed_by_deletions.contains(resource.as_str()) {
            return Ok(false);
        }
        if change.deposed.is_some() || change.action == Action::Delete {
            return Ok(true);
        }
        Err(format!(
            "apply -waves cannot split this plan: {} is replaced while objects of the \
             partitions that depend on it are deleted or replaced, and these must happen \
             around its replacement in one apply. Apply this plan without -waves.",
            change.addr
        ))
    }
}

/// True for a node inside the module call at static path `calls` (or the call itself).
fn inside_call(graph: &ConfigGraph, id: NodeId, calls: &[String]) -> bool {
    let module = graph.module(id);
    if module.starts_with(calls) {
        return true;
    }
    let Some((name, parent)) = calls.split_last() else {
        return false;
    };
    module == parent && matches!(graph.node(id), Node::ModuleCall(call) if call == name)
}

#[cfg(test)]
mod tests;
