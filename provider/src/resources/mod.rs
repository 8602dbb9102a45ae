//! The managed resource types. Each type answers validate, plan, apply, read and import in
//! terms of cty values and a [`Backend`]; the gRPC layer only decodes and encodes.

mod adopted;
mod api_key;
mod checks;
mod common;
mod database;
pub(crate) mod foreign;
mod formats;
mod grant;
mod import;
mod kind;
mod managed;
mod plan;
mod policy;
mod state;
mod storage;
mod tenant;
mod user;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use tenantform_proto::schema::Schema;
use tenantform_proto::value::{AttributePath, Value};

use crate::backend::Backend;
use tenantform_proto::diagnostic::Diagnostics;

pub use api_key::ApiKeyKind;
pub use checks::{Check, run_checks};
pub use database::DatabaseKind;
pub use grant::GrantKind;
pub use import::ImportSpec;
pub use kind::Kind;
pub use managed::Managed;
pub use policy::PolicyKind;
pub use storage::StorageKind;
pub use tenant::{TIERS, TenantKind, record_to_value as tenant_record_to_value};
pub use user::UserKind;

/// What `PlanResourceChange` receives, decoded.
#[derive(Clone, Copy, Debug)]
pub struct PlanInput<'a> {
    /// Null when creating.
    pub prior: &'a Value,
    /// Null when destroying.
    pub proposed: &'a Value,
    /// Null when destroying.
    pub config: &'a Value,
}

/// What `PlanResourceChange` answers.
#[derive(Clone, Debug)]
pub struct PlanOutput {
    pub planned: Value,
    /// Opaque data handed back at apply: the adoption candidate of a create, if any.
    pub planned_private: Vec<u8>,
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
}

/// What `ApplyResourceChange` receives, decoded.
#[derive(Clone, Copy, Debug)]
pub struct ApplyInput<'a> {
    pub prior: &'a Value,
    /// Null when destroying.
    pub planned: &'a Value,
    pub config: &'a Value,
    /// The private data the plan returned.
    pub planned_private: &'a [u8],
}

/// What `ApplyResourceChange` answers: the new state (null after destroy) and diagnostics.
/// On error the new state is the prior state, unless the change already took effect.
#[derive(Clone, Debug)]
pub struct ApplyOutput {
    pub new_state: Value,
    pub diagnostics: Diagnostics,
}

impl Default for PlanOutput {
    /// A null plan (destroy) without diagnostics.
    fn default() -> PlanOutput {
        PlanOutput {
            planned: Value::Null,
            planned_private: Vec::new(),
            requires_replace: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }
}

impl Default for ApplyOutput {
    /// A null new state (destroyed) without diagnostics.
    fn default() -> ApplyOutput {
        ApplyOutput {
            new_state: Value::Null,
            diagnostics: Diagnostics::new(),
        }
    }
}

/// One managed resource type.
pub trait ResourceType: Send + Sync {
    /// The full type name, e.g. `tenant_database`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Checks the configuration; unknown values are skipped.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Plans a create, update, replace or destroy. `backend` is absent before the provider is
    /// configured; adoption lookups are then skipped.
    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput;

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput;

    /// Refreshes `state`; `Ok(Value::Null)` when the object no longer exists.
    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics>;

    /// The state of an existing object, by id or by natural key (see [`ImportSpec`]).
    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics>;
}

/// Every resource type this provider manages, by type name.
pub fn all_resource_types() -> BTreeMap<&'static str, Box<dyn ResourceType>> {
    let types: Vec<Box<dyn ResourceType>> = vec![
        Box::new(Managed(TenantKind)),
        Box::new(Managed(DatabaseKind)),
        Box::new(Managed(UserKind)),
        Box::new(Managed(GrantKind)),
        Box::new(Managed(StorageKind)),
        Box::new(Managed(ApiKeyKind)),
        Box::new(Managed(PolicyKind)),
    ];
    types.into_iter().map(|t| (t.type_name(), t)).collect()
}
