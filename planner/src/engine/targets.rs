//! `-target=ADDR` and `-exclude=ADDR`: which resources a plan covers.
//!
//! A target names a resource, a resource instance, a module call or a module instance; the
//! plan covers what it names and every resource those depend on (Terraform's
//! `TargetsTransformer`). An exclude (OpenTofu's `-exclude`) names the same kinds of objects;
//! the plan covers everything except what it names and every resource that depends on the
//! named resources' configuration blocks. In both cases a root output is evaluated only when
//! it depends on at least one resource and every resource it depends on is covered; the
//! other outputs keep their stored values.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use tenantform_proto::value::Value;

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr};
use crate::diags::{Diagnostic, Diagnostics};
use crate::graph::NodeId;
use crate::graph::{ConfigGraph, Node};
use crate::lang::{Marked, Sensitivity};
use crate::plan::Plan;
use crate::plan::objchange::sensitive_paths;
use crate::state::{InstanceState, State};

use super::instances::decode_instance;
use super::node_value::{InstanceValue, NodeValue};
use super::plan::schema_for;
use super::plan_resource::stored_collection;
use super::scope::Scope;

/// Terraform's warning for a plan made with `-target`.
const TARGETING_DETAIL: &str = "You are creating a plan with the -target option, which means \
    that the result of this plan may not represent all of the changes requested by the \
    current configuration.\n\nThe -target option is not for routine use, and is provided only \
    for exceptional situations such as recovering from errors or mistakes, or when Terraform \
    specifically suggests to use it as part of an error message.";

/// OpenTofu's warning for a plan made with `-exclude`.
const EXCLUSION_DETAIL: &str = "You are creating a plan with either the -target option or the \
    -exclude option, which means that the result of this plan may not represent all of the \
    changes requested by the current configuration.\n\nThe -target and -exclude options are \
    not for routine use, and are provided only for exceptional situations such as recovering \
    from errors or mistakes, or when tenantform specifically suggests to use it as part of an \
    error message.";

/// Terraform's warning after applying a plan made with `-target`.
const APPLIED_DETAIL: &str = "The plan was created with the -target option in effect, so some \
    changes requested in the configuration may have been ignored and the output values may \
    not be fully updated. Run the following command to verify that no other changes are \
    pending:\n    terraform plan\n\t\nNote that the -target option is not suitable for routine \
    use, and is provided only for exceptional situations such as recovering from errors or \
    mistakes, or when Terraform specifically suggests to use it as part of an error message.";

/// Whether the addresses select what to plan or what to leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selection {
    Target,
    Exclude,
}

/// The targets (or excludes) of a plan, resolved against the graph.
pub(crate) struct Targeting {
    selection: Selection,
    addrs: Vec<String>,
    /// Resource nodes whose instances are planned one by one, as the addresses select them.
    named: HashSet<NodeId>,
    /// Nodes planned whole: what the targeted resources depend on (directly or not).
    needed: HashSet<NodeId>,
    /// Root outputs that are evaluated.
    outputs: HashSet<NodeId>,
}

/// What the plan does with the instances of one resource node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coverage {
    /// Plan every instance.
    All,
    /// Plan only the instances the addresses select.
    Named,
    /// Plan nothing.
    None,
}

impl Targeting {
    /// `None` when there are neither targets nor excludes (the plan covers everything).
    /// Targets and excludes together are refused before planning.
    /// In a destroy plan the edges turn around, as in Terraform's destroy graph: a target
    /// takes what depends on it along, an exclude keeps what it depends on, and no output
    /// is evaluated.
    pub(super) fn new(
        graph: &ConfigGraph,
        targets: &[String],
        excludes: &[String],
        destroying: bool,
    ) -> Option<Targeting> {
        let edges = Edges::new(graph, destroying);
        let mut targeting = if !targets.is_empty() {
            Targeting::selecting(graph, &edges, targets)
        } else if !excludes.is_empty() {
            Targeting::excluding(graph, &edges, excludes)
        } else {
            return None;
        };
        if !destroying {
            targeting.outputs = kept_outputs(graph, |id| targeting.covers_node(id));
        }
        Some(targeting)
    }

    fn selecting(graph: &ConfigGraph, edges: &Edges, targets: &[String]) -> Targeting {
        let configs: Vec<String> = targets.iter().map(|t| without_keys(t)).collect();
        let named: HashSet<NodeId> = resource_nodes(graph)
            .filter(|&id| configs.iter().any(|t| covers(t, &graph.display(id))))
            .collect();
        let needed = closure(named.iter().flat_map(|&id| edges.upstream(id)), |id| {
            edges.upstream(id)
        });
        Targeting {
            selection: Selection::Target,
            addrs: targets.to_vec(),
            named,
            needed,
            outputs: HashSet::new(),
        }
    }

    /// Everything but the excluded resources and the resources depending on any resource
    /// block an exclude touches (generalised to its configuration block, as OpenTofu does).
    fn excluding(graph: &ConfigGraph, edges: &Edges, excludes: &[String]) -> Targeting {
        let configs: Vec<String> = excludes.iter().map(|e| without_keys(e)).collect();
        let touched: Vec<NodeId> = resource_nodes(graph)
            .filter(|&id| configs.iter().any(|e| covers(e, &graph.display(id))))
            .collect();
        let mut excluded = closure(touched.iter().flat_map(|&id| edges.downstream(id)), |id| {
            edges.downstream(id)
        });
        excluded.extend(
            resource_nodes(graph)
                .filter(|&id| excludes.iter().any(|e| covers(e, &graph.display(id)))),
        );
        let named = resource_nodes(graph)
            .filter(|id| !excluded.contains(id))
            .collect();
        Targeting {
            selection: Selection::Exclude,
            addrs: excludes.to_vec(),
            named,
            needed: HashSet::new(),
            outputs: HashSet::new(),
        }
    }

    /// A resource an address names is planned instance by instance even when another named
    /// resource depends on it (Terraform hands it the targets); one only depended on is
    /// planned whole.
    pub(super) fn coverage(&self, id: NodeId) -> Coverage {
        if self.named.contains(&id) {
            Coverage::Named
        } else if self.needed.contains(&id) {
            Coverage::All
        } else {
            Coverage::None
        }
    }

    /// True when the addresses select this instance: a target names it (or its resource or
    /// module), or no exclude does.
    pub(super) fn names(&self, addr: &InstanceAddr) -> bool {
        let text = addr.to_string();
        let named = self.addrs.iter().any(|t| covers(t, &text));
        match self.selection {
            Selection::Target => named,
            Selection::Exclude => !named,
        }
    }

    /// True when the root output node `id` is evaluated.
    pub(super) fn keeps_output(&self, id: NodeId) -> bool {
        self.outputs.contains(&id)
    }

    /// True for a module output a targeted plan evaluates: one the targets need, or one a
    /// kept root output depends on (Terraform keeps the ancestors of both); when excluding,
    /// one that depends on no excluded resource.
    pub(super) fn keeps_module_output(&self, graph: &ConfigGraph, id: NodeId) -> bool {
        if self.selection == Selection::Exclude {
            return kept_outputs_rule(graph, id, |n| self.covers_node(n));
        }
        self.covers_node(id)
            || self.outputs.iter().any(|&root| {
                closure(graph.dependencies(root), |n| {
                    graph.dependencies(n).collect()
                })
                .contains(&id)
            })
    }

    fn covers_node(&self, id: NodeId) -> bool {
        self.named.contains(&id) || self.needed.contains(&id)
    }

    /// The warning a plan made with these addresses carries.
    pub(super) fn warning(&self) -> Diagnostic {
        let detail = match self.selection {
            Selection::Target => TARGETING_DETAIL,
            Selection::Exclude => EXCLUSION_DETAIL,
        };
        Diagnostic::warning("Resource targeting is in effect", detail)
    }
}

/// Terraform's warning after applying a plan made with `-target` (or `-exclude`).
pub(crate) fn applied_warning() -> Diagnostic {
    Diagnostic::warning("Applied changes may be incomplete", APPLIED_DETAIL)
}

/// True for a root output a targeted plan left out: the apply neither evaluates nor changes
/// it.
pub(crate) fn output_left_out(graph: &ConfigGraph, plan: &Plan, id: NodeId) -> bool {
    let Node::Output(name) = graph.node(id) else {
        return false;
    };
    plan.targeted && graph.module(id).is_empty() && !plan.outputs.iter().any(|o| &o.name == name)
}

/// A value with every unknown part replaced by null, as Terraform stores an output that a
/// targeted apply could not fully compute.
pub(crate) fn unknown_as_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(unknown_as_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(unknown_as_null).collect()),
        Value::Tuple(items) => Value::Tuple(items.into_iter().map(unknown_as_null).collect()),
        Value::Map(entries) => Value::Map(map_values(entries)),
        Value::Object(entries) => Value::Object(map_values(entries)),
        other => other,
    }
}

fn map_values(entries: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    entries
        .into_iter()
        .map(|(key, value)| (key, unknown_as_null(value)))
        .collect()
}

/// The value a resource left out of a targeted apply shows to what still refers to it, in
/// one module instance: its stored instances, as Terraform reads them from the state, and
/// unknown when it has none.
pub(crate) async fn stored_value(
    scope: &Scope<'_>,
    id: NodeId,
    module: &[ModuleStep],
    addr: &ResourceAddr,
    state: &State,
) -> Result<NodeValue, Diagnostics> {
    let config = scope.module_config(id);
    let Some(resource) = config.resource(addr) else {
        return Ok(NodeValue::Evaluated(Marked::plain(Value::Unknown)));
    };
    let stored: Vec<(&InstanceAddr, &InstanceState)> = state
        .instances
        .iter()
        .filter(|(a, _)| a.module == module && &a.resource == addr)
        .collect();
    if stored.is_empty() {
        return Ok(NodeValue::Evaluated(Marked::plain(Value::Unknown)));
    }
    let range = Some(resource.range.clone());
    let client = scope.client(&resource.provider, range.clone())?;
    let schema = schema_for(scope.providers, &resource.provider, addr, range.clone())?;
    let mut values = Vec::new();
    for (instance_addr, instance) in stored {
        let prior = decode_instance(client, schema, instance_addr, instance, range.clone()).await?;
        let marks = Sensitivity::from_paths(&sensitive_paths(&schema.block, &prior.value));
        let value = InstanceValue::new(Arc::new(prior.value), marks);
        values.push((instance_addr.key.clone(), value));
    }
    Ok(stored_collection(resource, values))
}

/// Terraform's warnings for `-replace` addresses without an instance key that name a
/// resource whose instances (`keys`, in one module instance) need one.
pub(crate) fn incomplete_replace_warnings(
    replace: &[InstanceAddr],
    resource: &ResourceAddr,
    instances: &[InstanceAddr],
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let must_have_key = match instances {
        [only] => only.key != InstanceKey::None,
        _ => true,
    };
    if !must_have_key {
        return diags;
    }
    let summary = "Incompletely-matched force-replace resource instance";
    for candidate in replace {
        if candidate.key != InstanceKey::None || &candidate.resource != resource {
            continue;
        }
        let detail = match instances {
            [] => format!(
                "Your force-replace request for {candidate} doesn't match any resource \
                 instances because this resource doesn't have any instances."
            ),
            [only] => format!(
                "Your force-replace request for {candidate} doesn't match any resource \
                 instances because it lacks an instance key.\n\nTo force replacement of the \
                 single declared instance, use the following option instead:\n  -replace={}",
                go_quote(&only.to_string())
            ),
            many => {
                let options: String = many
                    .iter()
                    .map(|addr| format!("\n  -replace={}", go_quote(&addr.to_string())))
                    .collect();
                format!(
                    "Your force-replace request for {candidate} doesn't match any resource \
                     instances because it lacks an instance key.\n\nTo force replacement of \
                     particular instances, use one or more of the following options \
                     instead:{options}"
                )
            }
        };
        diags.push(Diagnostic::warning(summary, detail));
    }
    diags
}

/// Go's `%q` of an address (quotes and backslashes escaped).
fn go_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn resource_nodes(graph: &ConfigGraph) -> impl Iterator<Item = NodeId> + '_ {
    graph
        .ids()
        .filter(|&id| matches!(graph.node(id), Node::Resource(_)))
}

/// `start` and everything reachable from it through `next`.
fn closure(
    start: impl Iterator<Item = NodeId>,
    next: impl Fn(NodeId) -> Vec<NodeId>,
) -> HashSet<NodeId> {
    let mut seen: HashSet<NodeId> = start.collect();
    let mut stack: Vec<NodeId> = seen.iter().copied().collect();
    while let Some(id) = stack.pop() {
        for other in next(id) {
            if seen.insert(other) {
                stack.push(other);
            }
        }
    }
    seen
}

/// The graph's edges in the direction an operation follows them: "upstream" is what a node
/// needs done first (its dependencies; its dependents when destroying).
struct Edges {
    dependencies: Vec<Vec<NodeId>>,
    dependents: Vec<Vec<NodeId>>,
    destroying: bool,
}

impl Edges {
    fn new(graph: &ConfigGraph, destroying: bool) -> Edges {
        let dependencies: Vec<Vec<NodeId>> = graph
            .ids()
            .map(|id| graph.dependencies(id).collect())
            .collect();
        let mut dependents = vec![Vec::new(); graph.len()];
        for (id, needs) in graph.ids().zip(&dependencies) {
            for &dependency in needs {
                dependents[dependency.index()].push(id);
            }
        }
        Edges {
            dependencies,
            dependents,
            destroying,
        }
    }

    fn upstream(&self, id: NodeId) -> Vec<NodeId> {
        if self.destroying {
            self.dependents[id.index()].clone()
        } else {
            self.dependencies[id.index()].clone()
        }
    }

    fn downstream(&self, id: NodeId) -> Vec<NodeId> {
        if self.destroying {
            self.dependencies[id.index()].clone()
        } else {
            self.dependents[id.index()].clone()
        }
    }
}

/// The root outputs that depend on at least one resource, all of them covered.
fn kept_outputs(graph: &ConfigGraph, covered: impl Fn(NodeId) -> bool) -> HashSet<NodeId> {
    graph
        .ids()
        .filter(|&id| matches!(graph.node(id), Node::Output(_)) && graph.module(id).is_empty())
        .filter(|&id| kept_outputs_rule(graph, id, &covered))
        .collect()
}

/// True when the node depends on at least one resource and on covered resources only.
fn kept_outputs_rule(graph: &ConfigGraph, id: NodeId, covered: impl Fn(NodeId) -> bool) -> bool {
    let ancestors = closure(graph.dependencies(id), |n| graph.dependencies(n).collect());
    let mut resources = ancestors
        .into_iter()
        .filter(|&n| matches!(graph.node(n), Node::Resource(_)))
        .peekable();
    resources.peek().is_some() && resources.all(covered)
}

/// True when `target` is `text` or a prefix of it ending at a step or key boundary.
fn covers(target: &str, text: &str) -> bool {
    text.strip_prefix(target)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// An address with its instance keys removed (`module.t["a"].x.y[0]` -> `module.t.x.y`).
fn without_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut in_string = false;
    for c in text.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_cover_their_instances_and_modules() {
        assert!(covers("tenant.x", "tenant.x[0]"));
        assert!(covers("module.t", "module.t[\"a\"].tenant.x"));
        assert!(!covers("tenant.x", "tenant.xy"));
        assert_eq!(without_keys("module.t[\"a]\"].x.y[0]"), "module.t.x.y");
    }

    #[test]
    fn replace_without_a_key_of_an_expanded_resource_is_warned_about() {
        let addr = |text: &str| text.parse::<InstanceAddr>().unwrap();
        let resource = addr("tenant.x").resource;
        let replace = [addr("tenant.x"), addr("tenant.x[1]")];
        let many = [addr("tenant.x[0]"), addr("tenant.x[1]")];
        let diags = incomplete_replace_warnings(&replace, &resource, &many);
        assert_eq!(diags.0.len(), 1);
        assert!(
            diags.0[0]
                .detail
                .ends_with("instead:\n  -replace=\"tenant.x[0]\"\n  -replace=\"tenant.x[1]\"")
        );
        let single = [addr("tenant.x")];
        assert!(incomplete_replace_warnings(&replace, &resource, &single).is_empty());
        let none = incomplete_replace_warnings(&replace, &resource, &[]);
        assert!(none.0[0].detail.contains("doesn't have any instances"));
    }
}
