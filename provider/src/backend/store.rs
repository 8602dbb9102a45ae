//! [`Store`]: create, read, natural-key lookup, update, delete and listing of one record kind,
//! the same six operations for every kind and every backend.

use super::BackendError;
use crate::records::{Record, TenantFilter, TenantRecord, UserRecord};

/// The records of one kind in a backend.
///
/// Every mutating call commits its own transaction and appends to the audit log. `delete`
/// returns `Ok(false)` when the object was already gone, so destroy is idempotent.
pub trait Store<R: Record>: Send + Sync {
    /// Stores a new record under the id the caller chose; returns it as stored (with the
    /// fields the backend assigns).
    fn create(&self, record: &R) -> Result<R, BackendError>;
    fn get(&self, id: &str) -> Result<Option<R>, BackendError>;
    /// The live record with this natural key.
    fn find(&self, key: R::Key<'_>) -> Result<Option<R>, BackendError>;
    fn update(&self, record: &R) -> Result<R, BackendError>;
    fn delete(&self, id: &str) -> Result<bool, BackendError>;
    /// The live records in `scope`, in natural-key order.
    fn list(&self, scope: R::Scope<'_>) -> Result<Vec<R>, BackendError>;
}

/// The tenants of a backend.
///
/// `update` applies a change of `status`: to `suspended`, every user's login is turned off
/// (and its sessions ended) and every API key suspended; back to `active`, users that are
/// not disabled can log in again and the keys are accepted again. Nothing is deleted.
/// `delete` tombstones the tenant: the record is kept, marked deleted, for
/// `retention_days`, then purged; it fails with [`BackendError::HasDependents`] while the
/// tenant has any live database, user, storage, API key or policy.
pub trait TenantStore: Store<TenantRecord> {
    /// The live tenants `filter` matches, ordered by slug.
    fn find_matching(&self, filter: &TenantFilter) -> Result<Vec<TenantRecord>, BackendError> {
        Ok(self
            .list(())?
            .into_iter()
            .filter(|tenant| filter.matches(tenant))
            .collect())
    }
}

/// The users of a backend. `delete` fails while grants still reference the user.
pub trait UserStore: Store<UserRecord> {
    /// [`Store::create`] with the plaintext password the login is to accept. Backends whose
    /// logins are real database roles need it to set the role's password verifier; the
    /// plaintext is never stored, logged or audited.
    fn create_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        let _ = password;
        self.create(record)
    }
    /// [`Store::update`] that also sets a new password (see
    /// [`UserStore::create_with_password`]).
    fn update_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        let _ = password;
        self.update(record)
    }
    fn find_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError>;
}
