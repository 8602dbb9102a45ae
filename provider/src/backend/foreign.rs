//! Objects of a platform that never had the catalog: live schemas and roles with names of
//! their own (`acme_prod`, `acme_app`), found by name for import and by pattern for the
//! `tenants` data source, and registered in the catalog under those names by the apply that
//! adopts them. Only a backend with live objects outside its catalog offers this (see
//! [`super::Backend::foreign`]).

use super::{BackendError, DatabaseRecord, TenantRecord, UserRecord};

/// A live schema and its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignSchema {
    pub name: String,
    pub owner: String,
    /// The owner role's connection limit; -1 for none.
    pub owner_connection_limit: i64,
}

/// A live role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignRole {
    pub name: String,
    pub can_login: bool,
    /// -1 for no limit.
    pub connection_limit: i64,
}

/// A live schema the catalog does not list, with the roles that own or use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnregisteredSchema {
    pub name: String,
    pub owner: String,
    /// The roles holding privileges on the schema, other than its owner, by name. Roles the
    /// catalog lists already are left out.
    pub users: Vec<String>,
    /// Whether the catalog lists the owner as a user already.
    pub owner_registered: bool,
}

/// Live objects outside the catalog.
pub trait ForeignObjects: Send + Sync {
    /// The live schema `name`, if it exists.
    fn schema(&self, name: &str) -> Result<Option<ForeignSchema>, BackendError>;
    /// The live role `name`, if it exists.
    fn role(&self, name: &str) -> Result<Option<ForeignRole>, BackendError>;
    /// Every live schema that no catalog database names, ordered by name (system schemas and
    /// the catalog's own left out).
    fn unregistered_schemas(&self) -> Result<Vec<UnregisteredSchema>, BackendError>;
    /// Adds the catalog row of an existing schema (`record.schema`, owned by
    /// `record.owner_role`) without changing the schema; records the adoption. When the
    /// catalog does not list the record's tenant yet, `tenant` (an adopted tenant's defaults,
    /// with the record's `tenant_id`) is registered with it, in the same transaction.
    fn register_database(
        &self,
        record: &DatabaseRecord,
        tenant: Option<&TenantRecord>,
    ) -> Result<DatabaseRecord, BackendError>;
    /// Adds the catalog row of an existing role (`record.login`) without changing it;
    /// records the adoption. `tenant` as in [`ForeignObjects::register_database`].
    fn register_user(
        &self,
        record: &UserRecord,
        tenant: Option<&TenantRecord>,
    ) -> Result<UserRecord, BackendError>;
}
