//! API keys of the embedded backend: catalog rows holding the salted hash and fingerprint of the
//! secret, never the secret. Deleting a key revokes it: the row is kept with `revoked_at` set
//! (so the audit trail can name it) and is no longer returned by any lookup.

use rusqlite::{Transaction, params};

use super::audit::Action;
use super::table::{self, Table};
use super::tenants::SUSPENDED_STATUS;
use super::{Layout, now_rfc3339};
use crate::backend::{ApiKeyRecord, BackendError, TenantRecord};

/// Sets `suspended` on every live key of the tenant, one audit entry per key changed.
pub(super) fn set_suspended(
    tx: &Transaction<'_>,
    layout: &Layout,
    tenant_id: &str,
    suspended: bool,
) -> Result<usize, BackendError> {
    let action = Action::of_suspension(suspended);
    let mut changed = 0;
    for before in table::list::<ApiKeyRecord>(tx, layout, tenant_id)?
        .into_iter()
        .filter(|key| key.suspended != suspended)
    {
        tx.execute(
            "UPDATE api_keys SET suspended = ?2 WHERE id = ?1",
            params![before.id, suspended],
        )?;
        let after = ApiKeyRecord {
            suspended,
            ..before.clone()
        };
        table::audit(tx, action, Some(&before), Some(&after))?;
        changed += 1;
    }
    Ok(changed)
}

impl Table for ApiKeyRecord {
    /// A key made while its tenant is suspended starts suspended.
    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        let tenant = table::referenced::<TenantRecord>(tx, layout, &record.tenant_id)?;
        let created = ApiKeyRecord {
            suspended: tenant.status == SUSPENDED_STATUS,
            ..record.clone()
        };
        table::create_row(tx, &created, format!("{:?}", created.name))
    }

    /// Updates the scopes, the expiry and the secret (hash and fingerprint); the tenant, the
    /// name and the suspension are not the caller's to change.
    const UPDATED: &'static [&'static str] =
        &["scopes", "expires_at", "fingerprint", "secret_hash"];

    fn merged(before: &Self, record: &Self) -> Self {
        ApiKeyRecord {
            scopes: record.scopes.clone(),
            expires_at: record.expires_at.clone(),
            fingerprint: record.fingerprint.clone(),
            secret_hash: record.secret_hash.clone(),
            ..before.clone()
        }
    }

    /// Revokes the key.
    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        tx.execute(
            "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1",
            params![id, now_rfc3339()],
        )?;
        table::audit(tx, Action::Revoke, Some(&before), None)?;
        Ok(true)
    }
}
