//! Reads what the provider left in a PostgreSQL server, through the superuser: the schemas and
//! roles of tenants (`tenant_%`, the platform's own `tenant_catalog` schema excepted), the
//! privileges they hold, and whether a role can log in. Comparisons between runs use a
//! [`PgSnapshot`], which holds names only, never oids or timestamps.

use std::collections::BTreeSet;

use crate::postgres::PostgresServer;

/// The schema of the platform's own catalog, which outlives every tenant.
pub const PLATFORM_SCHEMA: &str = "tenant_catalog";

/// What the tenants own in the server, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PgSnapshot {
    /// Tenant schemas with their owner: `schema owner=<role>`.
    pub schemas: BTreeSet<String>,
    /// Tenant roles with their login flag: `role login=<bool>`.
    pub roles: BTreeSet<String>,
    /// Privileges held by tenant roles or on tenant schemas: `<object> <grantee> <privilege>`,
    /// from schema ACLs, default privileges, table ACLs and the database's ACL.
    pub privileges: BTreeSet<String>,
}

impl PgSnapshot {
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty() && self.roles.is_empty() && self.privileges.is_empty()
    }

    /// Every entry, one per line, for failure messages.
    pub fn describe(&self) -> String {
        let mut lines = Vec::new();
        for (title, entries) in [
            ("schemas", &self.schemas),
            ("roles", &self.roles),
            ("privileges", &self.privileges),
        ] {
            lines.push(format!("{title} ({}):", entries.len()));
            lines.extend(entries.iter().map(|entry| format!("  {entry}")));
        }
        lines.join("\n")
    }
}

/// Queries a server as its superuser.
pub struct PgInspector<'a> {
    server: &'a PostgresServer,
}

/// `LIKE` pattern of tenant object names (`_` escaped).
const TENANT_NAMES: &str = r"'tenant\_%'";

impl<'a> PgInspector<'a> {
    pub fn new(server: &'a PostgresServer) -> PgInspector<'a> {
        PgInspector { server }
    }

    /// The rows of a query as superuser (`-At`: one line per row, `|` between columns).
    pub fn rows(&self, sql: &str) -> Vec<String> {
        self.server
            .psql(&self.server.superuser_dsn(), sql)
            .unwrap_or_else(|error| panic!("query failed: {sql}\n{error:#}"))
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The single value of a query as superuser.
    pub fn value(&self, sql: &str) -> String {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "expected one row from {sql}, got {rows:?}");
        rows[0].clone()
    }

    /// Schemas named `tenant_%`, the platform's catalog schema excepted.
    pub fn tenant_schemas(&self) -> BTreeSet<String> {
        self.rows(&format!(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE {TENANT_NAMES} \
             AND nspname <> '{PLATFORM_SCHEMA}' ORDER BY 1"
        ))
        .into_iter()
        .collect()
    }

    /// Roles named `tenant_%`.
    pub fn tenant_roles(&self) -> BTreeSet<String> {
        self.rows(&format!(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE {TENANT_NAMES} ORDER BY 1"
        ))
        .into_iter()
        .collect()
    }

    /// Whether `role` exists and may log in; `None` when it does not exist.
    pub fn can_login(&self, role: &str) -> Option<bool> {
        let rows = self.rows(&format!(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = {}",
            literal(role)
        ));
        rows.first().map(|flag| flag == "t")
    }

    /// `has_schema_privilege(role, schema, privilege)`; false when the role or schema is
    /// missing.
    pub fn has_schema_privilege(&self, role: &str, schema: &str, privilege: &str) -> bool {
        let sql = format!(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {role}) \
             AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = {schema}) \
             THEN has_schema_privilege({role}, {schema}, {privilege}) ELSE false END",
            role = literal(role),
            schema = literal(schema),
            privilege = literal(privilege),
        );
        self.value(&sql) == "t"
    }

    /// The owner of a schema, when it exists.
    pub fn schema_owner(&self, schema: &str) -> Option<String> {
        self.rows(&format!(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = {}",
            literal(schema)
        ))
        .into_iter()
        .next()
    }

    /// ACL entries anywhere in the database whose grantee is a tenant role or no role at all
    /// (an entry left behind by a dropped role), as `<object> <grantee> <privilege>`.
    pub fn tenant_privileges(&self) -> BTreeSet<String> {
        let sources = [
            format!(
                "SELECT 'schema:' || n.nspname, a.grantee, a.privilege_type \
                 FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname <> '{PLATFORM_SCHEMA}'"
            ),
            "SELECT 'default:' || coalesce(n.nspname, '*') || ':' || pg_get_userbyid(d.defaclrole) \
             || ':' || d.defaclobjtype::text, a.grantee, a.privilege_type FROM pg_default_acl d \
             LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a"
                .to_string(),
            "SELECT 'table:' || c.oid::regclass::text, a.grantee, a.privilege_type \
             FROM pg_class c, aclexplode(c.relacl) a"
                .to_string(),
            "SELECT 'database:' || d.datname, a.grantee, a.privilege_type \
             FROM pg_database d, aclexplode(d.datacl) a"
                .to_string(),
        ];
        let union = sources
            .iter()
            .map(|source| format!("({source})"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        self.rows(&format!(
            "SELECT DISTINCT acl.object_name || ' ' || CASE WHEN acl.grantee = 0 THEN 'PUBLIC' \
             ELSE coalesce(r.rolname, '#' || acl.grantee::text) END || ' ' || acl.privilege_type \
             FROM ({union}) AS acl(object_name, grantee, privilege_type) \
             LEFT JOIN pg_roles r ON r.oid = acl.grantee \
             WHERE r.rolname LIKE {TENANT_NAMES} OR (acl.grantee <> 0 AND r.oid IS NULL) \
             OR (acl.object_name LIKE {tenant_objects} \
             AND acl.object_name NOT LIKE {platform_objects}) ORDER BY 1",
            tenant_objects = r"'%:tenant\_%'",
            platform_objects = r"'%:tenant\_catalog%'",
        ))
        .into_iter()
        .collect()
    }

    /// Everything the tenants own, by name.
    pub fn snapshot(&self) -> PgSnapshot {
        let schemas = self
            .rows(&format!(
                "SELECT nspname || ' owner=' || pg_get_userbyid(nspowner) FROM pg_namespace \
                 WHERE nspname LIKE {TENANT_NAMES} AND nspname <> '{PLATFORM_SCHEMA}' ORDER BY 1"
            ))
            .into_iter()
            .collect();
        let roles = self
            .rows(&format!(
                "SELECT rolname || ' login=' || rolcanlogin FROM pg_roles \
                 WHERE rolname LIKE {TENANT_NAMES} ORDER BY 1"
            ))
            .into_iter()
            .collect();
        PgSnapshot {
            schemas,
            roles,
            privileges: self.tenant_privileges(),
        }
    }

    /// Asserts that no schema, role or privilege of any tenant is left.
    pub fn assert_no_tenant_objects(&self, context: &str) {
        let snapshot = self.snapshot();
        assert!(
            snapshot.is_empty(),
            "{context}: tenant objects are left in PostgreSQL:\n{}",
            snapshot.describe()
        );
    }
}

/// A SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A quoted SQL identifier.
pub fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The name rule of the provider for a tenant object: `tenant_<parts joined by _>`, with
/// every character outside `[a-z0-9_]` turned into `_`. The example's names stay below
/// PostgreSQL's 63 bytes, where the provider would append a hash instead.
pub fn tenant_object_name(parts: &[&str]) -> String {
    let name = std::iter::once("tenant")
        .chain(parts.iter().copied())
        .map(|part| {
            part.to_ascii_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("_");
    assert!(
        name.len() <= 63,
        "{name} passes 63 bytes; the provider hashes such names"
    );
    name
}

/// The schema of a tenant database: `tenant_<slug>_<database>`.
pub fn schema_name(slug: &str, database: &str) -> String {
    tenant_object_name(&[slug, database])
}

/// The login of a tenant user: `tenant_<slug>_<local part of the email>`.
pub fn login_name(slug: &str, email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    tenant_object_name(&[slug, local])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_provider_rules() {
        assert_eq!(schema_name("pied-piper", "main"), "tenant_pied_piper_main");
        assert_eq!(
            login_name("pied-piper", "richard.h@piedpiper.example"),
            "tenant_pied_piper_richard_h"
        );
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(identifier("a\"b"), "\"a\"\"b\"");
    }
}
