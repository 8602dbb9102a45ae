//! Import ids: every resource imports by its uuid id or by its natural key, the tenant slug
//! followed by what names the object within the tenant, separated by `/`:
//!
//! | resource | natural key |
//! |---|---|
//! | `tenant`, `tenant_storage`, `tenant_policy` | `slug` |
//! | `tenant_database`, `tenant_api_key` | `slug/name` |
//! | `tenant_user` | `slug/email` |
//! | `tenant_grant` | `slug/email/database-name` |
//!
//! An id that names an object by id wins over the same text read as a natural key.
//!
//! Objects of a platform without the catalog are imported by their live names (postgres
//! backend only; see `super::foreign` and `super::adopted`):
//!
//! | resource | live-name id |
//! |---|---|
//! | `tenant`, `tenant_database` | `slug/schema:NAME` |
//! | `tenant_user` | `slug/role:NAME` |

use tenantform_proto::value::Value;

use super::common::backend_failure;
use crate::backend::{Backend, BackendError, TenantRecord};
use crate::naming::is_valid_slug;
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// How one resource type is imported.
pub struct ImportSpec {
    /// The resource in messages, e.g. `tenant user`.
    pub what: &'static str,
    /// The natural key's form, e.g. `slug/email`; its `/`-separated parts are counted.
    pub natural_key: &'static str,
}

impl ImportSpec {
    /// The import of `what`s by ids of the form `natural_key`.
    pub const fn new(what: &'static str, natural_key: &'static str) -> ImportSpec {
        ImportSpec { what, natural_key }
    }

    fn parts(&self) -> usize {
        self.natural_key.split('/').count()
    }

    /// The tenant slug and the remaining parts when `id` has the natural key's form.
    pub fn split<'a>(&self, id: &'a str) -> Option<(&'a str, Vec<&'a str>)> {
        let parts: Vec<&str> = id.split('/').collect();
        if parts.len() != self.parts() || parts.iter().any(|part| part.is_empty()) {
            return None;
        }
        let (slug, rest) = parts.split_first()?;
        is_valid_slug(slug).then(|| (*slug, rest.to_vec()))
    }

    fn not_found(&self, id: &str) -> Diagnostics {
        Diagnostic::error(
            format!("Cannot import non-existent {}", self.what),
            format!(
                "No {} has the id {id:?}, and it names none as {}.",
                self.what, self.natural_key
            ),
        )
        .into()
    }

    fn failure(&self, error: &BackendError) -> Diagnostics {
        backend_failure(format!("Failed to import {}", self.what), error).into()
    }

    /// Looks `id` up with `by_id`, else as a natural key: the tenant by slug, then `by_key`
    /// with the tenant and the other parts of the key. Returns the state `to_value` makes.
    pub fn import<R>(
        &self,
        id: &str,
        backend: &dyn Backend,
        by_id: impl FnOnce(&str) -> Result<Option<R>, BackendError>,
        by_key: impl FnOnce(&TenantRecord, &[&str]) -> Result<Option<R>, BackendError>,
        to_value: impl FnOnce(&R) -> Value,
    ) -> Result<Value, Diagnostics> {
        if let Some(record) = by_id(id).map_err(|e| self.failure(&e))? {
            return Ok(to_value(&record));
        }
        let Some((slug, rest)) = self.split(id) else {
            return Err(self.not_found(id));
        };
        let Some(tenant) = backend.tenants().find(slug).map_err(|e| self.failure(&e))? else {
            return Err(Diagnostic::error(
                format!("Cannot import non-existent {}", self.what),
                format!("No tenant has the slug {slug:?} (import id {id:?})."),
            )
            .into());
        };
        match by_key(&tenant, &rest).map_err(|e| self.failure(&e))? {
            Some(record) => Ok(to_value(&record)),
            None => Err(self.not_found(id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRANT: ImportSpec = ImportSpec {
        what: "tenant grant",
        natural_key: "slug/email/database-name",
    };
    const TENANT: ImportSpec = ImportSpec {
        what: "tenant",
        natural_key: "slug",
    };

    #[test]
    fn natural_keys_split_into_the_slug_and_the_rest() {
        assert_eq!(
            GRANT.split("acme/jo@acme.io/main"),
            Some(("acme", vec!["jo@acme.io", "main"]))
        );
        assert_eq!(TENANT.split("acme"), Some(("acme", vec![])));
    }

    #[test]
    fn other_forms_are_not_natural_keys() {
        assert_eq!(GRANT.split("acme/jo@acme.io"), None);
        assert_eq!(GRANT.split("acme//main"), None);
        assert_eq!(GRANT.split("Not A Slug/jo@acme.io/main"), None);
        assert_eq!(TENANT.split("3f1c2a4e-0000-4000-8000-000000000000"), None);
    }
}
