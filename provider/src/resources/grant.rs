//! The `tenant_grant` resource: privileges of a user on a database of the same tenant.

use tenantform_proto::value::{AttributePath, Value};

use super::common::new_id;
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::PlanRules;
use crate::backend::{Backend, BackendError, GrantRecord, Store, TenantRecord};
use crate::values::{attr, required_string, string_set};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

pub(super) const PRIVILEGES: &[&str] = &["read", "write", "admin"];

/// The `tenant_grant` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct GrantKind;

impl Kind for GrantKind {
    type Record = GrantRecord;
    const IMPORT: ImportSpec = ImportSpec::new("tenant grant", "slug/email/database-name");
    const RULES: PlanRules = PlanRules {
        defaults: &[],
        forces_replacement: &["user_id", "database_id"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = None;
    const KEY_ATTRIBUTES: &'static [&'static str] = &["user_id", "database_id"];
    const NOUN: Option<&'static str> = Some("grant");

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant_grant.json");

    fn check_more(config: &Value, diagnostics: &mut Diagnostics) {
        if let Value::Set(items) | Value::List(items) = attr(config, "privileges") {
            if items.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        "Invalid value for privileges",
                        "privileges must name at least one of read, write, admin.",
                    )
                    .at("privileges"),
                );
            }
            for item in items {
                if let Value::String(privilege) = item
                    && !PRIVILEGES.contains(&privilege.as_str())
                {
                    diagnostics.push(
                        Diagnostic::error(
                            "Invalid value for privileges",
                            format!(
                                "{privilege:?} is not a privilege; expected read, write or admin."
                            ),
                        )
                        .at_path(AttributePath::attr("privileges")),
                    );
                }
            }
        }
    }

    fn store(backend: &dyn Backend) -> &dyn Store<GrantRecord> {
        backend.grants()
    }

    fn new_record(planned: &Value, _backend: &dyn Backend) -> Result<GrantRecord, Diagnostic> {
        let invalid = |detail: String| Diagnostic::error("Invalid planned tenant grant", detail);
        Ok(GrantRecord {
            id: new_id(),
            user_id: required_string(planned, "user_id").map_err(invalid)?,
            database_id: required_string(planned, "database_id").map_err(invalid)?,
            privileges: string_set(attr(planned, "privileges")),
        })
    }

    /// Only the privileges change in place.
    fn updated(existing: GrantRecord, planned: &Value) -> Result<GrantRecord, Diagnostic> {
        Ok(GrantRecord {
            privileges: string_set(attr(planned, "privileges")),
            ..existing
        })
    }

    /// Discovers the user, the database and the privileges when the catalog does not list
    /// them yet.
    fn import_by_key(
        backend: &dyn Backend,
        tenant: &TenantRecord,
        rest: &[&str],
    ) -> Result<Option<GrantRecord>, BackendError> {
        let Some(user) = backend.discover_user(&tenant.id, rest[0])? else {
            return Ok(None);
        };
        let Some(database) = backend.discover_database(&tenant.id, rest[1])? else {
            return Ok(None);
        };
        let unregistered = |listed: bool, what: &str, key: &str| {
            (!listed).then(|| {
                BackendError::InvalidReference(format!(
                    "the {what} {key:?} is not registered in the catalog yet: import it, apply \
                     (which registers it), then import its grants"
                ))
            })
        };
        let user_listed = backend.users().get(&user.id)?.is_some();
        let database_listed = backend.databases().get(&database.id)?.is_some();
        if let Some(refusal) = unregistered(user_listed, "user", rest[0])
            .or_else(|| unregistered(database_listed, "database", rest[1]))
        {
            return Err(refusal);
        }
        backend.discover_grant(&user.id, &database.id)
    }
}
