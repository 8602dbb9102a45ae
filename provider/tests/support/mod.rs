//! Shared pieces of the PostgreSQL backend tests: record builders, a tokio-postgres login as a
//! tenant user, and checks of what a server holds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use terraform_provider_tenant::backend::{
    ApiKeyRecord, DatabaseRecord, GrantRecord, PolicyRecord, StorageRecord, TenantRecord,
    UserRecord, archive,
};

pub(crate) fn tenant(id: &str, slug: &str) -> TenantRecord {
    TenantRecord {
        id: id.to_string(),
        slug: slug.to_string(),
        display_name: format!("Tenant {slug}"),
        tier: "standard".to_string(),
        region: "eu-west-1".to_string(),
        labels: None,
        status: "active".to_string(),
        deletion_protection: false,
        retention_days: 30,
        contacts: Vec::new(),
        created_at: "2026-01-01T00:00:00Z".to_string(),
    }
}

pub(crate) fn database(id: &str, tenant_id: &str, name: &str) -> DatabaseRecord {
    DatabaseRecord {
        id: id.to_string(),
        tenant_id: tenant_id.to_string(),
        name: name.to_string(),
        connection_limit: 10,
        schema: String::new(),
        owner_role: String::new(),
        connection_uri: String::new(),
    }
}

pub(crate) fn user(id: &str, tenant_id: &str, slug: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.to_string(),
        tenant_id: tenant_id.to_string(),
        email: email.to_string(),
        role: "member".to_string(),
        disabled: false,
        login: terraform_provider_tenant::naming::user_login(slug, email),
        password_hash: "salted-hash".to_string(),
        connection_limit: 5,
    }
}

pub(crate) fn grant(
    id: &str,
    user_id: &str,
    database_id: &str,
    privileges: &[&str],
) -> GrantRecord {
    GrantRecord {
        id: id.to_string(),
        user_id: user_id.to_string(),
        database_id: database_id.to_string(),
        privileges: privileges
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
    }
}

pub(crate) fn storage(id: &str, tenant_id: &str) -> StorageRecord {
    StorageRecord {
        id: id.to_string(),
        tenant_id: tenant_id.to_string(),
        quota_gb: 5,
        path: String::new(),
        used_bytes: 0,
    }
}

pub(crate) fn api_key(id: &str, tenant_id: &str) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_string(),
        tenant_id: tenant_id.to_string(),
        name: "ci".to_string(),
        scopes: BTreeSet::from(["read".to_string()]),
        expires_at: None,
        fingerprint: "0123456789abcdef".to_string(),
        secret_hash: "salted-hash".to_string(),
        suspended: false,
        created_at: "2026-01-01T00:00:00Z".to_string(),
    }
}

pub(crate) fn policy(id: &str, tenant_id: &str) -> PolicyRecord {
    PolicyRecord {
        id: id.to_string(),
        tenant_id: tenant_id.to_string(),
        mfa_required: true,
        session_ttl: "8h".to_string(),
        ip_allowlist: vec!["10.0.0.0/8".to_string()],
    }
}

/// Logs in with tokio-postgres and runs `sql` (simple query protocol); the text of the first
/// column of every row, or the server's error message.
pub(crate) fn run_as(dsn: &str, sql: &str) -> Result<Vec<String>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a test runtime");
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(dsn, tokio_postgres::NoTls)
            .await
            .map_err(describe)?;
        let driver = tokio::spawn(connection);
        let result = client.simple_query(sql).await.map_err(describe);
        drop(client);
        let _ = driver.await;
        Ok(result?
            .into_iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    Some(row.get(0).unwrap_or_default().to_string())
                }
                _ => None,
            })
            .collect())
    })
}

fn describe(error: tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

/// Every archive directory (one holding `SHA256SUMS`) under `root`.
pub(crate) fn archives(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.join(archive::CHECKSUM_FILE).is_file() {
                found.push(path);
            } else {
                found.extend(archives(&path));
            }
        }
    }
    found
}
