//! The configuration model: every `*.tf` file of a directory, read with `hcl-edit` so that
//! each block and expression keeps its source span for diagnostics.
//!
//! Expressions stay unevaluated here; `lang` evaluates them once the graph walk knows the
//! values they refer to.

mod blocks;
mod load;
mod resources;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;

use crate::addrs::ResourceAddr;
use crate::diags::{Diagnostics, SourceRange, Sources};

/// A whole root module.
#[derive(Clone, Debug)]
pub struct Config {
    pub dir: PathBuf,
    pub sources: Sources,
    /// `terraform { required_providers { NAME = { source, version } } }`, by local name; a
    /// provider used without a requirement gets Terraform's implied `hashicorp/NAME`.
    pub required_providers: BTreeMap<String, ProviderRequirement>,
    /// `provider "NAME" { ... }` blocks, by local name (`NAME.ALIAS` for aliased ones).
    pub providers: BTreeMap<String, ProviderConfig>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    /// Managed and data resources.
    pub resources: BTreeMap<ResourceAddr, Resource>,
    pub outputs: BTreeMap<String, Output>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRequirement {
    /// Fully qualified: `registry.terraform.io/tenantform/tenant`.
    pub source: String,
    pub version: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    /// The `alias` argument.
    pub alias: Option<String>,
    /// The block's body without the meta-arguments `alias` and `version`.
    pub body: Body,
    pub file: String,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub default: Option<Expression>,
    pub description: String,
    pub sensitive: bool,
    /// The `type` argument, unevaluated.
    pub type_constraint: Option<Expression>,
    pub file: String,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expression,
    pub file: String,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub addr: ResourceAddr,
    /// The provider's local name: the `provider` argument, or the type's prefix.
    pub provider: String,
    /// The alias of the `provider` argument (`tenant.secondary`).
    pub provider_alias: Option<String>,
    /// The block's body without the meta-arguments (`count`, `for_each`, `provider`,
    /// `depends_on`, `lifecycle`).
    pub body: Body,
    /// The `lifecycle` block's body.
    pub lifecycle: Option<Body>,
    /// `depends_on` entries, each a reference to a resource.
    pub depends_on: Vec<(ResourceAddr, SourceRange)>,
    pub count: Option<Expression>,
    pub for_each: Option<Expression>,
    pub file: String,
    /// The block header, `resource "TYPE" "NAME"`.
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub expr: Expression,
    pub sensitive: bool,
    pub description: String,
    pub file: String,
    pub range: SourceRange,
}

/// Reads every `*.tf` file of `dir` (in name order).
pub fn load_dir(dir: &Path) -> Result<Config, Diagnostics> {
    let files = load::read_dir(dir)?;
    load::load_sources(dir, files)
}

/// Builds the configuration from sources already read (for example from a saved plan).
/// Keys are file names relative to `dir`.
pub fn load_sources(dir: &Path, files: BTreeMap<String, String>) -> Result<Config, Diagnostics> {
    load::load_sources(dir, files)
}
