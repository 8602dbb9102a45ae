//! Reads what the provider's embedded backend holds: the SQLite catalog
//! (`<path>/catalog.db`, by default `.tenants/` in the working directory) and the tenant
//! database files beside it. The table layout is known only to [`Catalog::read`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// The embedded backend's default folder, relative to the provider's working directory.
pub const DEFAULT_BACKEND_DIR: &str = ".tenants";

/// The resource types whose objects the catalog holds.
pub const RESOURCE_TYPES: [&str; 7] = [
    "tenant",
    "tenant_database",
    "tenant_user",
    "tenant_grant",
    "tenant_storage",
    "tenant_api_key",
    "tenant_policy",
];

/// One live catalog object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CatalogObject {
    pub id: String,
    /// A human key for messages: the slug, name, email or user:database pair.
    pub key: String,
    /// One mutable attribute, to observe updates: a tenant's display name, a database's
    /// connection limit, a user's role, a grant's privileges.
    pub detail: String,
}

/// A snapshot of the embedded backend.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Live objects by resource type (`tenant`, `tenant_database`, ...), sorted by id.
    pub objects: BTreeMap<String, Vec<CatalogObject>>,
    /// Tenants destroyed but kept as tombstones for their retention period.
    pub tombstoned_tenants: usize,
    /// Tenant database files left in `<path>/databases/`.
    pub database_files: Vec<PathBuf>,
    /// Tenant storage directories left in `<path>/storage/`.
    pub storage_dirs: Vec<PathBuf>,
    /// Every table of the catalog, for messages.
    pub tables: Vec<String>,
}

impl Catalog {
    /// Reads the backend rooted at `backend_dir`; an absent catalog reads as empty.
    pub fn read(backend_dir: &Path) -> Catalog {
        let catalog_path = backend_dir.join("catalog.db");
        let mut catalog = Catalog {
            database_files: files_in(&backend_dir.join("databases")),
            storage_dirs: dirs_in(&backend_dir.join("storage")),
            ..Catalog::default()
        };
        if !catalog_path.exists() {
            return catalog;
        }
        let connection = Connection::open_with_flags(
            &catalog_path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", catalog_path.display()));
        connection
            .busy_timeout(Duration::from_secs(30))
            .expect("set busy timeout");
        catalog.tables = query_strings(
            &connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        );
        if !catalog.tables.iter().any(|table| table == "tenants") {
            // Created but not yet migrated.
            return catalog;
        }
        let queries = [
            (
                "tenant",
                "SELECT id, slug, display_name FROM tenants WHERE deleted_at IS NULL",
            ),
            (
                "tenant_database",
                "SELECT id, tenant_id || '/' || name, CAST(connection_limit AS TEXT) FROM databases",
            ),
            (
                "tenant_user",
                "SELECT id, tenant_id || '/' || email, role FROM users",
            ),
            (
                "tenant_grant",
                "SELECT id, user_id || ':' || database_id, privileges FROM grants",
            ),
        ];
        // Tables of catalog version 2 and later.
        let newer_queries = [
            (
                "storage",
                "tenant_storage",
                "SELECT id, tenant_id, CAST(quota_gb AS TEXT) FROM storage",
            ),
            (
                "api_keys",
                "tenant_api_key",
                "SELECT id, tenant_id || '/' || name, fingerprint FROM api_keys \
                 WHERE revoked_at IS NULL",
            ),
            (
                "policies",
                "tenant_policy",
                "SELECT id, tenant_id, session_ttl FROM policies",
            ),
        ];
        let queries = queries.into_iter().chain(
            newer_queries
                .into_iter()
                .filter(|(table, _, _)| catalog.tables.iter().any(|t| t == table))
                .map(|(_, kind, sql)| (kind, sql)),
        );
        for (kind, sql) in queries {
            let mut objects = query_triples(&connection, sql)
                .into_iter()
                .map(|(id, key, detail)| CatalogObject { id, key, detail })
                .collect::<Vec<_>>();
            objects.sort();
            catalog.objects.insert(kind.to_string(), objects);
        }
        catalog.tombstoned_tenants = query_strings(
            &connection,
            "SELECT id FROM tenants WHERE deleted_at IS NOT NULL",
        )
        .len();
        catalog
    }

    /// Live objects of one resource type.
    pub fn of(&self, resource_type: &str) -> &[CatalogObject] {
        self.objects
            .get(resource_type)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Asserts that the catalog holds `expected` objects of each of `resource_types`;
    /// `context` says when ("in the catalog", "after apply").
    #[track_caller]
    pub fn assert_counts(&self, resource_types: &[&str], expected: usize, context: &str) {
        for resource_type in resource_types {
            assert_eq!(
                self.count(resource_type),
                expected,
                "{resource_type} {context}: {}",
                self.summary()
            );
        }
    }

    pub fn count(&self, resource_type: &str) -> usize {
        self.of(resource_type).len()
    }

    /// The live object of a type with this id.
    pub fn find(&self, resource_type: &str, id: &str) -> Option<&CatalogObject> {
        self.of(resource_type).iter().find(|object| object.id == id)
    }

    /// Sorted ids of the live objects of one resource type.
    pub fn ids(&self, resource_type: &str) -> Vec<String> {
        self.of(resource_type)
            .iter()
            .map(|object| object.id.clone())
            .collect()
    }

    /// Every live object with its resource type.
    pub fn all_objects(&self) -> Vec<(String, CatalogObject)> {
        self.objects
            .iter()
            .flat_map(|(kind, objects)| {
                objects
                    .iter()
                    .map(move |object| (kind.clone(), object.clone()))
            })
            .collect()
    }

    /// Whether no live object and no tenant database file remain (tombstones may).
    pub fn is_empty(&self) -> bool {
        self.objects.values().all(Vec::is_empty)
            && self.database_files.is_empty()
            && self.storage_dirs.is_empty()
    }

    /// A one-line summary for messages.
    pub fn summary(&self) -> String {
        let counts: Vec<String> = RESOURCE_TYPES
            .iter()
            .map(|kind| format!("{kind}={}", self.count(kind)))
            .collect();
        format!(
            "{} tombstoned={} database_files={:?} storage_dirs={:?} tables={:?}",
            counts.join(" "),
            self.tombstoned_tenants,
            self.database_files,
            self.storage_dirs,
            self.tables
        )
    }
}

fn query_strings(connection: &Connection, sql: &str) -> Vec<String> {
    let mut statement = connection
        .prepare(sql)
        .unwrap_or_else(|error| panic!("catalog query {sql:?} failed: {error}"));
    statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|error| panic!("catalog query {sql:?} failed: {error}"))
}

fn query_triples(connection: &Connection, sql: &str) -> Vec<(String, String, String)> {
    let mut statement = connection
        .prepare(sql)
        .unwrap_or_else(|error| panic!("catalog query {sql:?} failed: {error}"));
    statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|error| panic!("catalog query {sql:?} failed: {error}"))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    entries_in(dir, Path::is_file)
}

fn dirs_in(dir: &Path) -> Vec<PathBuf> {
    entries_in(dir, Path::is_dir)
}

fn entries_in(dir: &Path, keep: fn(&Path) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| keep(path))
        .collect();
    paths.sort();
    paths
}
