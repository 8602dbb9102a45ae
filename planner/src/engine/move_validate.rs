//! Checks of `moved` statements against what the configuration declares, after planning
//! (Terraform's `refactoring.ValidateMoves`): a statement that moves an object to itself, an
//! object moved away that the configuration still declares, and two statements that move
//! one object to two places or two objects to one place.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::addrs::{InstanceAddr, ModuleStep, static_module_path};
use crate::config::{Config, MoveEndpoint, MoveKind};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};

use super::moves::{MoveStatement, range_start};

/// What the configuration expands to.
#[derive(Debug, Default)]
pub(crate) struct Declared {
    /// Every module instance (the root module included).
    pub modules: BTreeSet<Vec<ModuleStep>>,
    /// Every resource instance.
    pub instances: BTreeSet<InstanceAddr>,
}

/// One side of a statement in one instance of its module.
struct AbsEndpoint {
    kind: MoveKind,
    /// The module instance path of the side (for a module call: its caller's).
    module: Vec<ModuleStep>,
    endpoint: MoveEndpoint,
    text: String,
}

fn absolute(stmt: &MoveStatement, instance: &[ModuleStep], endpoint: &MoveEndpoint) -> AbsEndpoint {
    let (module, endpoint) = match endpoint {
        MoveEndpoint::Module(steps) => {
            let mut module = instance.to_vec();
            module.extend(steps.iter().cloned());
            (module.clone(), MoveEndpoint::Module(module))
        }
        MoveEndpoint::Resource(addr) => {
            let mut module = instance.to_vec();
            module.extend(addr.module.iter().cloned());
            let addr = InstanceAddr {
                module: module.clone(),
                ..addr.clone()
            };
            (module, MoveEndpoint::Resource(addr))
        }
    };
    AbsEndpoint {
        kind: stmt.kind,
        module,
        text: endpoint.to_string(),
        endpoint,
    }
}

/// Terraform's nouns for the object kinds: (noun, short noun).
fn nouns(kind: MoveKind) -> (&'static str, &'static str) {
    match kind {
        MoveKind::ModuleInstance => ("module instance", "instance"),
        MoveKind::ModuleCall => ("module call", "call"),
        MoveKind::ResourceInstance => ("resource instance", "instance"),
        MoveKind::Resource => ("resource", "resource"),
    }
}

/// Checks the explicit statements; implied ones are valid by construction.
pub(crate) fn validate_moves(
    config: &Config,
    stmts: &[MoveStatement],
    declared: &Declared,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut seen = SeenMoves::default();
    let mut by_path: BTreeMap<Vec<String>, Vec<&Vec<ModuleStep>>> = BTreeMap::new();
    for module in &declared.modules {
        by_path
            .entry(static_module_path(module))
            .or_default()
            .push(module);
    }
    for stmt in stmts {
        let Some(range) = &stmt.range else { continue };
        let instances = by_path
            .get(&stmt.module)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for instance in instances {
            let from = absolute(stmt, instance, &stmt.from);
            let to = absolute(stmt, instance, &stmt.to);
            let error = |summary: &str, detail: String| {
                Diagnostic::error(summary, detail).with_range(Some(range.clone()))
            };
            if from.text == to.text {
                diags.push(error(
                    "Redundant move statement",
                    format!(
                        "This statement declares a move from {} to the same address, which is \
                         the same as not declaring this move at all.",
                        from.text
                    ),
                ));
                continue;
            }
            let (noun, short) = nouns(from.kind);
            if let Some(declared_at) = declared_range(config, declared, &from) {
                let at = declared_at
                    .map(|r| format!(" at {}", range_start(&r)))
                    .unwrap_or_default();
                diags.push(error(
                    "Moved object still exists",
                    format!(
                        "This statement declares a move from {}, but that {noun} is still \
                         declared{at}.\n\nChange your configuration so that this {short} will be \
                         declared as {} instead.",
                        from.text, to.text
                    ),
                ));
            }
            let here = range_start(range);
            for (summary, detail) in seen.ambiguities(&from, &to, here) {
                diags.push(error(summary, detail));
            }
        }
    }
    diags
}

/// The moves seen so far, by source and by destination, each with the other end and where
/// it was declared.
#[derive(Default)]
struct SeenMoves {
    from_seen: HashMap<String, (String, String)>,
    to_seen: HashMap<String, (String, String)>,
}

impl SeenMoves {
    /// Notes the move `from` → `to` declared at `here`; returns the `(summary, detail)` of
    /// each earlier move it contradicts (another destination, or another source).
    fn ambiguities(
        &mut self,
        from: &AbsEndpoint,
        to: &AbsEndpoint,
        here: String,
    ) -> Vec<(&'static str, String)> {
        let (noun, short) = nouns(from.kind);
        let mut found = Vec::new();
        match self.from_seen.get(&from.text) {
            Some((other, at)) if *other != to.text => found.push((
                "Ambiguous move statements",
                format!(
                    "A statement at {at} declared that {} moved to {other}, but this \
                     statement instead declares that it moved to {}.\n\nEach {noun} can move \
                     to only one destination {short}.",
                    from.text, to.text
                ),
            )),
            Some(_) => {}
            None => {
                let seen = (to.text.clone(), here.clone());
                self.from_seen.insert(from.text.clone(), seen);
            }
        }
        match self.to_seen.get(&to.text) {
            Some((other, at)) if *other != from.text => found.push((
                "Ambiguous move statements",
                format!(
                    "A statement at {at} declared that {other} moved to {}, but this \
                     statement instead declares that {} moved there.\n\nEach {noun} can \
                     have moved from only one source {short}.",
                    to.text, from.text
                ),
            )),
            Some(_) => {}
            None => {
                self.to_seen
                    .insert(to.text.clone(), (from.text.clone(), here));
            }
        }
        found
    }
}

/// `Some` when the configuration still declares the object `from` names, with where (the
/// `count` or `for_each` argument of a repeated block, else the block's header).
fn declared_range(
    config: &Config,
    declared: &Declared,
    from: &AbsEndpoint,
) -> Option<Option<SourceRange>> {
    match (&from.endpoint, from.kind) {
        (MoveEndpoint::Module(steps), MoveKind::ModuleInstance) => {
            if !declared.modules.contains(steps) {
                return None;
            }
            let (last, parent) = steps.split_last()?;
            let module = config.descendant(&static_module_path(parent))?;
            let call = module.module_calls.get(&last.name)?;
            let repetition = call.for_each.as_ref().or(call.count.as_ref());
            Some(Some(repeated_range(
                module,
                &call.file,
                repetition,
                &call.range,
            )))
        }
        (MoveEndpoint::Module(steps), _) => {
            let (last, parent) = steps.split_last()?;
            if !declared.modules.contains(parent) {
                return None;
            }
            let module = config.descendant(&static_module_path(parent))?;
            module
                .module_calls
                .get(&last.name)
                .map(|call| Some(call.range.clone()))
        }
        (MoveEndpoint::Resource(addr), kind) => {
            if !declared.modules.contains(&from.module) {
                return None;
            }
            let module = config.descendant(&static_module_path(&addr.module))?;
            let resource = module.resource(&addr.resource)?;
            if kind == MoveKind::Resource {
                return Some(Some(resource.range.clone()));
            }
            if !declared.instances.contains(addr) {
                return None;
            }
            let repetition = resource.for_each.as_ref().or(resource.count.as_ref());
            Some(Some(repeated_range(
                module,
                &resource.file,
                repetition,
                &resource.range,
            )))
        }
    }
}

fn repeated_range(
    module: &Config,
    file: &str,
    repetition: Option<&hcl_edit::expr::Expression>,
    header: &SourceRange,
) -> SourceRange {
    repetition
        .and_then(hcl_edit::Span::span)
        .map(|span| module.sources.range(file, span))
        .unwrap_or_else(|| header.clone())
}
