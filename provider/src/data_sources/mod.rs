//! The data sources: `tenant` (one tenant by slug) and `tenants` (the tenants matching a
//! filter). Each answers validate and read in terms of cty values and a [`Backend`]; the
//! gRPC layer only decodes and encodes.

mod candidates;
mod tenant;
mod tenants;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Schema};
use tenantform_proto::value::{Type, Value};

use crate::backend::{Backend, BackendError};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

pub use tenant::TenantDataSource;
pub use tenants::TenantsDataSource;

/// One data source type.
pub trait DataSource: Send + Sync {
    /// The full type name, e.g. `tenants`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Checks the configuration; unknown values are skipped.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Reads the data: the configuration with every computed attribute filled in.
    fn read(&self, config: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics>;
}

/// Every data source this provider offers, by type name.
pub fn all_data_sources() -> BTreeMap<&'static str, Box<dyn DataSource>> {
    let sources: Vec<Box<dyn DataSource>> =
        vec![Box::new(TenantDataSource), Box::new(TenantsDataSource)];
    sources.into_iter().map(|s| (s.type_name(), s)).collect()
}

/// The type of a tenant's `contact` entries.
fn contact_type() -> Type {
    Type::Object(BTreeMap::from([
        ("name".to_string(), Type::String),
        ("email".to_string(), Type::String),
        ("kind".to_string(), Type::String),
    ]))
}

/// Every attribute of a tenant, all computed, with the types the `tenant` resource uses.
fn tenant_attributes() -> BTreeMap<String, Attribute> {
    let computed = |ty: Type, text: &str| Attribute::computed(ty).describe(text);
    BTreeMap::from([
        ("id".to_string(), computed(Type::String, "The tenant's id.")),
        (
            "slug".to_string(),
            computed(Type::String, "The tenant's slug."),
        ),
        (
            "display_name".to_string(),
            computed(Type::String, "Human-readable name."),
        ),
        (
            "tier".to_string(),
            computed(Type::String, "free, standard or enterprise."),
        ),
        (
            "region".to_string(),
            computed(Type::String, "Where the tenant's data lives."),
        ),
        (
            "labels".to_string(),
            computed(Type::Map(Box::new(Type::String)), "Free-form labels."),
        ),
        (
            "status".to_string(),
            computed(Type::String, "active or suspended."),
        ),
        (
            "deletion_protection".to_string(),
            computed(Type::Bool, "Whether the tenant is protected from deletion."),
        ),
        (
            "retention_days".to_string(),
            computed(
                Type::Number,
                "Days the tenant's tombstone is kept after deletion.",
            ),
        ),
        (
            "created_at".to_string(),
            computed(Type::String, "Creation time, RFC 3339."),
        ),
        (
            "contact".to_string(),
            computed(
                Type::List(Box::new(contact_type())),
                "People to contact about the tenant.",
            ),
        ),
    ])
}

/// The object type of one tenant, as the `tenants` list holds them.
fn tenant_object_type() -> Type {
    Type::Object(
        tenant_attributes()
            .into_iter()
            .map(|(name, attr)| (name, attr.ty))
            .collect(),
    )
}

/// A backend failure while reading `what`.
fn read_failure(what: &str, error: &BackendError) -> Diagnostics {
    Diagnostic::error(format!("Failed to read {what}"), error.to_string()).into()
}

/// Fails when a configuration value is not wholly known (reads need known arguments).
fn require_known(config: &Value, type_name: &str) -> Result<(), Diagnostics> {
    if config.is_wholly_known() {
        return Ok(());
    }
    Err(Diagnostic::error(
        "Unknown data source configuration",
        format!(
            "The configuration of data source {type_name:?} contains values that are not known \
             yet; it can be read only once they are known."
        ),
    )
    .into())
}

/// The configuration object with `computed` attributes set.
fn with_attributes(config: &Value, computed: BTreeMap<String, Value>) -> Value {
    let mut entries = match config {
        Value::Object(entries) => entries.clone(),
        _ => BTreeMap::new(),
    };
    entries.extend(computed);
    Value::Object(entries)
}
