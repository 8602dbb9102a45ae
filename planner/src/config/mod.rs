//! The configuration model: every `*.tf` file of a directory, read with `hcl-edit` so that
//! each block and expression keeps its source span for diagnostics.
//!
//! Expressions stay unevaluated here; `lang` evaluates them once the graph walk knows the
//! values they refer to.

mod backend;
mod blocks;
mod imports;
mod lifecycle;
mod load;
mod modules;
mod provisioners;
mod refactoring;
mod resources;
mod unsupported;
pub(crate) mod version_constraint;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;

#[cfg(test)]
pub(crate) use backend::BackendSetting;
pub(crate) use backend::{Backend, backend_settings};
pub(crate) use imports::{Import, KeyExpr, instance_key};
pub(crate) use load::default_source;
pub(crate) use provisioners::{LOCAL_EXEC, OnFailure, Provisioner, ProvisionerWhen};
pub(crate) use refactoring::{MoveEndpoint, MoveKind, Moved, RemoveTarget, Removed};

use crate::addrs::ResourceAddr;
use crate::diags::{Diagnostics, SourceRange, Sources};

/// A whole root module.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub dir: PathBuf,
    pub sources: Sources,
    /// `terraform { required_providers { NAME = { source, version } } }`, by local name; a
    /// provider used without a requirement gets Terraform's implied `hashicorp/NAME`.
    pub required_providers: BTreeMap<String, ProviderRequirement>,
    /// `terraform { backend "TYPE" { ... } }`: where the state lives; `None` keeps the local
    /// `terraform.tfstate`.
    pub backend: Option<Backend>,
    /// `provider "NAME" { ... }` blocks, by local name (`NAME.ALIAS` for aliased ones).
    pub providers: BTreeMap<String, ProviderConfig>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    /// Managed and data resources.
    pub resources: BTreeMap<ResourceAddr, Resource>,
    pub outputs: BTreeMap<String, Output>,
    /// `module "NAME" { ... }` calls, by name.
    pub module_calls: BTreeMap<String, ModuleCall>,
    /// The configuration of each called module, by call name.
    pub children: BTreeMap<String, Config>,
    /// `check "NAME" { ... }` blocks, by name.
    pub checks: BTreeMap<String, Check>,
    /// This module's static path from the root module (call names; empty for the root).
    pub path: Vec<String>,
    /// `moved` blocks, in file order.
    pub moved: Vec<Moved>,
    /// `removed` blocks, in file order.
    pub removed: Vec<Removed>,
    /// `import` blocks (root module only), in file order.
    pub imports: Vec<Import>,
}

impl Config {
    /// A module with nothing in it.
    pub(crate) fn empty() -> Config {
        Config {
            dir: PathBuf::new(),
            sources: Sources::default(),
            required_providers: BTreeMap::new(),
            backend: None,
            providers: BTreeMap::new(),
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
            module_calls: BTreeMap::new(),
            children: BTreeMap::new(),
            checks: BTreeMap::new(),
            path: Vec::new(),
            moved: Vec::new(),
            removed: Vec::new(),
            imports: Vec::new(),
        }
    }

    /// The local names under which this module's `required_providers` declares the
    /// built-in `terraform` provider.
    pub(crate) fn builtin_provider_names(
        &self,
    ) -> std::sync::Arc<std::collections::BTreeSet<String>> {
        crate::lang::functions::builtin_provider_names(
            self.required_providers
                .iter()
                .map(|(name, r)| (name, &r.source)),
        )
    }

    /// The module at a static path below this one.
    pub(crate) fn descendant(&self, path: &[String]) -> Option<&Config> {
        let mut config = self;
        for name in path {
            config = config.children.get(name)?;
        }
        Some(config)
    }

    /// A resource block, in this module or in a check block of it.
    pub(crate) fn resource(&self, addr: &ResourceAddr) -> Option<&Resource> {
        self.resources.get(addr).or_else(|| {
            self.checks
                .values()
                .flat_map(|check| check.data.iter())
                .find(|r| &r.addr == addr)
        })
    }
}

/// A `module` block.
#[derive(Clone, Debug)]
pub(crate) struct ModuleCall {
    pub name: String,
    /// The `source` argument, a local path (`./modules/tenant`).
    pub source: String,
    pub source_range: SourceRange,
    /// The block's body without the meta-arguments: the module's input variables.
    pub inputs: Body,
    pub count: Option<Expression>,
    pub for_each: Option<Expression>,
    pub depends_on: DependsOn,
    pub file: String,
    /// The block header, `module "NAME"`.
    pub range: SourceRange,
}

/// What a `depends_on` list names.
#[derive(Clone, Debug, Default)]
pub(crate) struct DependsOn {
    pub resources: Vec<(ResourceAddr, SourceRange)>,
    /// Module calls of the same module, by name.
    pub modules: Vec<(String, SourceRange)>,
}

/// A `check` block: optional scoped data sources and `assert` conditions that only warn.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    pub data: Vec<Resource>,
    pub asserts: Vec<Condition>,
    pub range: SourceRange,
}

/// A `precondition`, `postcondition` or `assert` block.
#[derive(Clone, Debug)]
pub(crate) struct Condition {
    pub condition: Expression,
    pub error_message: Expression,
    pub file: String,
    /// The `condition` expression.
    pub range: SourceRange,
}

/// `ignore_changes`: every attribute, or some attribute paths.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum IgnoreChanges {
    All,
    Paths(Vec<tenantform_proto::value::AttributePath>),
}

/// A resource's decoded `lifecycle` rules.
#[derive(Clone, Debug)]
pub(crate) struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    /// References whose change forces replacement, unevaluated.
    pub replace_triggered_by: Vec<Expression>,
    pub preconditions: Vec<Condition>,
    pub postconditions: Vec<Condition>,
}

impl Default for Lifecycle {
    fn default() -> Lifecycle {
        Lifecycle {
            create_before_destroy: false,
            prevent_destroy: false,
            ignore_changes: IgnoreChanges::Paths(Vec::new()),
            replace_triggered_by: Vec::new(),
            preconditions: Vec::new(),
            postconditions: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProviderRequirement {
    /// Fully qualified: `registry.terraform.io/tenantform/tenant`.
    pub source: String,
    pub version: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct ProviderConfig {
    pub name: String,
    /// The block's body without the meta-arguments `alias` and `version`.
    pub body: Body,
    pub file: String,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub(crate) struct Variable {
    pub name: String,
    pub default: Option<Expression>,
    pub description: String,
    pub sensitive: bool,
    /// The `type` argument, unevaluated.
    pub type_constraint: Option<Expression>,
    /// The `nullable` argument; true unless set to false.
    pub nullable: bool,
    /// The `validation` blocks, in order.
    pub validations: Vec<VariableValidation>,
    pub file: String,
    pub range: SourceRange,
}

/// A variable's `validation` block: a condition and the message shown when it is false.
#[derive(Clone, Debug)]
pub(crate) struct VariableValidation {
    pub condition: Expression,
    pub error_message: Expression,
    /// The block header, `validation`.
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub(crate) struct Local {
    pub name: String,
    pub expr: Expression,
    pub file: String,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub(crate) struct Resource {
    pub addr: ResourceAddr,
    /// The provider's local name: the `provider` argument, or the type's prefix.
    pub provider: String,
    /// The alias of the `provider` argument (`tenant.secondary`).
    pub provider_alias: Option<String>,
    /// True when the block has a `provider` argument.
    pub provider_explicit: bool,
    /// The block's body without the meta-arguments (`count`, `for_each`, `provider`,
    /// `depends_on`, `lifecycle`, `provisioner`).
    pub body: Body,
    /// The `lifecycle` block's body.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "kept by the parser; only its tests read it")
    )]
    pub lifecycle: Option<Body>,
    /// The `lifecycle` block's rules.
    pub lifecycle_rules: Lifecycle,
    /// `provisioner "local-exec"` blocks, in order.
    pub provisioners: Vec<Provisioner>,
    /// `depends_on` entries, each a reference to a resource.
    pub depends_on: Vec<(ResourceAddr, SourceRange)>,
    /// `depends_on` entries naming module calls.
    pub depends_on_modules: Vec<(String, SourceRange)>,
    /// The check block a scoped data source belongs to.
    pub check: Option<String>,
    pub count: Option<Expression>,
    pub for_each: Option<Expression>,
    pub file: String,
    /// The block header, `resource "TYPE" "NAME"`.
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub(crate) struct Output {
    pub name: String,
    pub expr: Expression,
    /// `depends_on`: what must be complete before the value is evaluated.
    pub depends_on: DependsOn,
    pub sensitive: bool,
    pub description: String,
    pub file: String,
    pub range: SourceRange,
}

/// Reads every `*.tf` file of `dir` (in name order).
pub(crate) fn load_dir(dir: &Path) -> Result<Config, Diagnostics> {
    let files = load::read_dir(dir)?;
    load::load_sources(dir, files)
}

/// Builds the configuration from sources already read (for example from a saved plan).
/// Keys are file names relative to `dir`.
pub(crate) fn load_sources(
    dir: &Path,
    files: BTreeMap<String, String>,
) -> Result<Config, Diagnostics> {
    load::load_sources(dir, files)
}
