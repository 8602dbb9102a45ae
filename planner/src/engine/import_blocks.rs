//! `import` blocks in a plan, with Terraform's semantics: each block (expanded by its
//! `for_each`) names instances and ids; an instance already in state ignores its import;
//! the others are imported (ImportResourceState, then ReadResource) while their resource is
//! planned, and the imported object is the prior object of the planned change.
//! Targets without a resource block are refused, or with `-generate-config-out` get their
//! configuration generated (`plan_generated_imports`).

use std::collections::HashMap;
use std::sync::Mutex;

use tenantform_proto::value::{Type, Value};

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr};
use crate::config::{Config, Import, KeyExpr, Resource, instance_key};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::NodeId;
use crate::lang::{self, EvalContext, Subject};
use crate::plan::PlanMode;

use super::expand::Expansion;
use super::import::{import_and_read, missing_instance};
use super::instances::PriorObject;
use super::plan::{Planner, in_config};
use super::plan_instance::Subject as PlanSubject;
use super::scope::Scope;

/// An import waiting for its instance to be planned.
#[derive(Clone, Debug)]
pub(super) struct PendingImport {
    pub id: String,
    /// The block's `to` expression.
    pub range: SourceRange,
}

/// The imports evaluated so far and not yet planned, by target instance.
#[derive(Default)]
pub(super) struct PendingImports(Mutex<HashMap<InstanceAddr, PendingImport>>);

/// One instance an import block names, with its id.
pub(super) struct ImportTarget {
    pub addr: InstanceAddr,
    pub id: String,
    pub range: SourceRange,
}

/// Terraform's checks of import targets against the configuration, before planning:
/// the target's module must exist, and a target without a resource block is an error
/// unless its configuration is generated.
pub(super) fn check_import_targets(config: &Config, generating: bool) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let missing = |detail: String, range: &SourceRange| {
        Diagnostic::error("Configuration for import target does not exist", detail)
            .with_range(Some(range.clone()))
    };
    for import in &config.imports {
        let target = import.to.config_string();
        let Some(module) = config.descendant(&import.to.module_path()) else {
            diags.push(missing(
                format!(
                    "The configuration for the given import target {target} does not exist. \
                     All target instances must have an associated configuration to be imported."
                ),
                &import.to_range,
            ));
            continue;
        };
        if let Some(resource) = module.resource(&import.to.resource) {
            diags.extend(check_provider_argument(import, resource));
            continue;
        }
        if !import.to.modules.is_empty() {
            diags.push(missing(
                format!(
                    "Resource {target} not found. Only resources within the root module are \
                     eligible for config generation."
                ),
                &import.to_range,
            ));
        } else if import.to.key.is_some() || import.for_each.is_some() {
            // Beyond Terraform: a `for_each` import keyed by `each` gets a `for_each` resource.
            let keyed_for_each = import.for_each.is_some() && import.to.key.is_some();
            if !(generating && keyed_for_each) {
                diags.push(missing(
                    "The given import block is not compatible with config generation. The \
                     -generate-config-out option cannot be used with import blocks which use \
                     for_each, or resources which use for_each or count."
                        .into(),
                    &import.to_range,
                ));
            }
        } else if !generating {
            diags.push(missing(
                format!(
                    "The configuration for the given import target {target} does not exist. If \
                     you wish to automatically generate config for this resource, use the \
                     -generate-config-out option within tenantform plan. Otherwise, make sure \
                     the target resource exists within your configuration. For example:\n\n  \
                     tenantform plan -generate-config-out=generated.tf"
                ),
                &import.to_range,
            ));
        }
    }
    diags
}

/// Terraform's rule for `provider` in an import block whose target has a resource block:
/// only the resource names the provider, unless both name the same configuration (the
/// import block can only name the default one).
fn check_provider_argument(import: &Import, resource: &Resource) -> Diagnostics {
    let Some(range) = &import.provider_range else {
        return Diagnostics::new();
    };
    let same = resource.provider_explicit
        && resource.provider == resource.addr.implied_provider()
        && resource.provider_alias.is_none();
    if same {
        return Diagnostics::new();
    }
    Diagnostic::error(
        "Invalid import provider argument",
        "The provider argument can only be specified in import blocks that will generate \
         configuration.\n\nUse the provider argument in the target resource block to configure \
         the provider for a resource with explicit provider configuration.",
    )
    .with_range(Some(range.clone()))
    .into()
}

/// Refuses to apply a saved plan that would change an imported object whose resource has no
/// block in the configuration it was made from (its configuration was generated into a file
/// the plan does not hold); an import alone is recorded without one.
pub(super) fn check_apply_imports(config: &Config, plan: &crate::plan::Plan) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for change in plan.changes.iter().filter(|c| c.importing.is_some()) {
        if change.action != crate::plan::Action::NoOp && !in_config(config, &change.addr) {
            diags.push(Diagnostic::error(
                "Import without configuration",
                format!(
                    "The plan imports and changes {} with configuration generated by \
                     -generate-config-out, which the plan's configuration does not hold; \
                     applying such a change is not supported by tenantform. Keep the generated \
                     file and run plan again.",
                    change.addr
                ),
            ));
        }
    }
    diags
}

/// Evaluates an import block in the root module: its instances and their ids.
pub(super) fn evaluate_import(
    scope: &Scope<'_>,
    import: &Import,
) -> Result<Vec<ImportTarget>, Diagnostics> {
    let sources = &scope.config.sources;
    let mut subjects = Vec::new();
    for expr in std::iter::once(&import.id).chain(import.for_each.iter()) {
        let found = lang::expression_references(expr, &import.file, sources)?;
        subjects.extend(found.into_iter().map(|r| r.subject));
    }
    let ctx = scope.context_for(&[], &subjects, &[]);
    let expansion = match &import.for_each {
        Some(expr) => Expansion::evaluate(None, Some(expr), &ctx, &import.file, sources)?,
        None => Expansion::Single,
    };
    let mut targets = Vec::new();
    for key in expansion.keys() {
        let mut ctx = ctx.clone();
        expansion.bind(&key, &mut ctx);
        targets.push(ImportTarget {
            addr: resolve_to(scope.config, import, &ctx)?,
            id: import_id(scope.config, import, &ctx)?,
            range: import.to_range.clone(),
        });
    }
    Ok(targets)
}

/// The instance `to` names, its index expressions evaluated with `each` only.
fn resolve_to(
    config: &Config,
    import: &Import,
    ctx: &EvalContext,
) -> Result<InstanceAddr, Diagnostics> {
    let each_only = EvalContext {
        each_key: ctx.each_key.clone(),
        each_value: ctx.each_value.clone(),
        ..EvalContext::default()
    };
    let key = |key: &Option<KeyExpr>| -> Result<InstanceKey, Diagnostics> {
        match key {
            None => Ok(InstanceKey::None),
            Some(KeyExpr::Legacy(n)) => Ok(InstanceKey::Int(*n as i64)),
            Some(KeyExpr::Expr(expr)) => {
                only_each(config, import, expr)?;
                let value = lang::evaluate(expr, &each_only, &import.file, &config.sources)?;
                instance_key(&value).map_err(|message| {
                    Diagnostic::error(
                        "Invalid import 'to' expression",
                        format!("The import block 'to' argument has an invalid key: {message}."),
                    )
                    .with_range(Some(import.to_range.clone()))
                    .into()
                })
            }
        }
    };
    let mut module = Vec::new();
    for (name, step_key) in &import.to.modules {
        module.push(ModuleStep {
            name: name.clone(),
            key: key(step_key)?,
        });
    }
    Ok(InstanceAddr {
        module,
        resource: import.to.resource.clone(),
        key: key(&import.to.key)?,
    })
}

/// Terraform's rule: `to`'s index expressions may refer to `each.key` and `each.value` only,
/// and to nothing without `for_each`.
fn only_each(
    config: &Config,
    import: &Import,
    expr: &hcl_edit::expr::Expression,
) -> Result<(), Diagnostics> {
    let references = lang::expression_references(expr, &import.file, &config.sources)?;
    if import.for_each.is_none() && !references.is_empty() {
        // Without for_each, `to` is a static address (Terraform parses it as a traversal).
        return Err(Diagnostic::error(
            "Invalid expression",
            "A single static variable reference is required: only attribute access and \
             indexing with constant keys. No calculations, function calls, template \
             expressions, etc are allowed here.",
        )
        .with_range(Some(import.to_range.clone()))
        .into());
    }
    for reference in references {
        let root = match &reference.subject {
            Subject::Each => continue,
            Subject::Variable(_) => "var".to_string(),
            Subject::Local(_) => "local".to_string(),
            Subject::Resource(addr) => addr.type_name.clone(),
            Subject::Module { .. } => "module".to_string(),
            Subject::Path => "path".to_string(),
            Subject::Terraform => "terraform".to_string(),
            Subject::Count => "count".to_string(),
            Subject::SelfObject => "self".to_string(),
        };
        return Err(Diagnostic::error(
            "Unknown variable",
            format!(
                "There is no variable named {root:?}.Only \"each.key\" and \"each.value\" can be \
                 used in import address index expressions."
            ),
        )
        .with_range(Some(reference.range))
        .into());
    }
    Ok(())
}

/// The `id`, with Terraform's errors for null, unknown, non-string and empty values.
fn import_id(config: &Config, import: &Import, ctx: &EvalContext) -> Result<String, Diagnostics> {
    let invalid = |detail: &str| -> Diagnostics {
        Diagnostic::error("Invalid import id argument", detail)
            .with_range(Some(import.id_range.clone()))
            .into()
    };
    let (value, marks) =
        lang::evaluate_marked(&import.id, ctx, &import.file, &config.sources)?.into_parts();
    if marks.any() {
        // Terraform drops the mark and shows the id in the plan and the apply output.
        return Err(Diagnostic::error(
            "Sensitive import id",
            "The import ID is sensitive, and an import id is shown in the plan and in the apply \
             output; a sensitive import id is not supported by tenantform, which never shows \
             sensitive values.",
        )
        .with_range(Some(import.id_range.clone()))
        .into());
    }
    if value.is_null() {
        return Err(invalid("The import ID cannot be null."));
    }
    if !value.is_wholly_known() {
        return Err(invalid(
            "The import block \"id\" argument depends on resource attributes that cannot be \
             determined until apply, so tenantform cannot plan to import this resource.",
        ));
    }
    match lang::convert(value, &Type::String) {
        Ok(Value::String(id)) if id.is_empty() => Err(invalid(
            "The import ID value evaluates to an empty string, please provide a non-empty value.",
        )),
        Ok(Value::String(id)) => Ok(id),
        _ => Err(invalid("The import ID value is unsuitable: not a string.")),
    }
}

/// Terraform's check that a target's key matches its resource's repetition.
fn check_key_kind(resource: &Resource, target: &ImportTarget) -> Result<(), Diagnostics> {
    let detail = match (&target.addr.key, &resource.for_each, &resource.count) {
        (InstanceKey::Str(_), None, _) => "The target resource does not use for_each.",
        (InstanceKey::Int(_), _, None) => "The target resource does not use count.",
        (InstanceKey::None, Some(_), _) => "The target resource is using for_each.",
        (InstanceKey::None, _, Some(_)) => "The target resource is using count.",
        _ => return Ok(()),
    };
    Err(Diagnostic::error("Invalid import 'to' expression", detail)
        .with_range(Some(target.range.clone()))
        .into())
}

impl Planner<'_> {
    /// Evaluates the import blocks that target the resource of node `id` and records the
    /// targets not in state yet; returns them, for [`Planner::check_imports_planned`].
    pub(super) fn expand_imports(
        &self,
        id: NodeId,
        addr: &ResourceAddr,
    ) -> Result<Vec<InstanceAddr>, Diagnostics> {
        let config = self.scope.config;
        let module = self.scope.graph.module(id);
        let covered = self
            .targeting
            .as_ref()
            .is_none_or(|t| t.coverage(id) != super::targets::Coverage::None);
        let Some(resource) = self.scope.module_config(id).resource(addr) else {
            return Ok(Vec::new());
        };
        if self.options.mode != PlanMode::Normal || !covered {
            return Ok(Vec::new());
        }
        let mut pending = Vec::new();
        for import in &config.imports {
            if import.to.module_path() != module || import.to.resource != *addr {
                continue;
            }
            for target in evaluate_import(&self.scope, import)? {
                check_key_kind(resource, &target)?;
                if self.state.instances.contains_key(&target.addr) {
                    // Already managed: Terraform ignores the import.
                    continue;
                }
                self.add_pending(&target)?;
                pending.push(target.addr);
            }
        }
        Ok(pending)
    }

    fn add_pending(&self, target: &ImportTarget) -> Result<(), Diagnostics> {
        let mut imports = crate::sync::locked(&self.imports.0);
        if imports.contains_key(&target.addr) {
            return Err(Diagnostic::error(
                format!(
                    "Duplicate import configuration for {:?}",
                    target.addr.to_string()
                ),
                format!(
                    "More than one import block imports to {}. A resource instance can have \
                     only one import block.",
                    target.addr
                ),
            )
            .with_range(Some(target.range.clone()))
            .into());
        }
        let import = PendingImport {
            id: target.id.clone(),
            range: target.range.clone(),
        };
        imports.insert(target.addr.clone(), import);
        Ok(())
    }

    /// The import waiting for `addr`, if any (taken: an instance is imported once).
    pub(super) fn take_import(&self, addr: &InstanceAddr) -> Option<PendingImport> {
        crate::sync::locked(&self.imports.0).remove(addr)
    }

    /// Imports the object of a pending import: the prior object of the instance's plan.
    pub(super) async fn import_prior(
        &self,
        subject: &PlanSubject<'_>,
        import: &PendingImport,
    ) -> Result<PriorObject, Diagnostics> {
        let range = subject.range.clone().or(Some(import.range.clone()));
        let imported = import_and_read(
            &self.scope,
            subject.client,
            &subject.addr,
            &import.id,
            range,
        )
        .await?;
        Ok(PriorObject {
            value: imported.value,
            private: imported.private,
            tainted: false,
            sensitive: Vec::new(),
        })
    }

    /// Reports the targets no planned instance took: the configuration does not expand to
    /// them (targets left out by `-target` are skipped silently, as in Terraform).
    pub(super) fn check_imports_planned(&self, targets: &[InstanceAddr]) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for addr in targets {
            let Some(import) = self.take_import(addr) else {
                continue;
            };
            if self.targeting.as_ref().is_some_and(|t| !t.names(addr)) {
                continue;
            }
            diags.extend(missing_instance(addr, Some(import.range)));
        }
        diags
    }
}

#[cfg(test)]
mod tests;
