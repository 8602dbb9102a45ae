//! What `read`, `write` and `admin` mean in PostgreSQL privileges, and the GRANT/REVOKE text
//! that moves a role from one set of them to another on a tenant schema.

use std::collections::BTreeSet;

use super::sql::quote_ident;
use crate::backend::BackendError;

/// One privilege level of a `tenant_grant`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    Read,
    Write,
    Admin,
}

pub(super) const LEVELS: [Level; 3] = [Level::Read, Level::Write, Level::Admin];
const TABLE_ALL: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];

impl Level {
    pub(super) fn parse(name: &str) -> Result<Level, BackendError> {
        match name {
            "read" => Ok(Level::Read),
            "write" => Ok(Level::Write),
            "admin" => Ok(Level::Admin),
            other => Err(BackendError::InvalidReference(format!(
                "{other:?} is not a privilege (read, write or admin)"
            ))),
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
            Level::Admin => "admin",
        }
    }

    /// Schema privileges: write can create tables in the schema.
    pub(super) fn schema_privileges(self) -> &'static [&'static str] {
        match self {
            Level::Read => &["USAGE"],
            Level::Write | Level::Admin => &["USAGE", "CREATE"],
        }
    }

    pub(super) fn table_privileges(self) -> &'static [&'static str] {
        match self {
            Level::Read => &["SELECT"],
            Level::Write => &["SELECT", "INSERT", "UPDATE", "DELETE"],
            Level::Admin => TABLE_ALL,
        }
    }

    pub(super) fn sequence_privileges(self) -> &'static [&'static str] {
        match self {
            Level::Read => &["SELECT"],
            Level::Write | Level::Admin => &["USAGE", "SELECT", "UPDATE"],
        }
    }
}

/// The levels named by a grant record.
pub(super) fn levels(names: &BTreeSet<String>) -> Result<BTreeSet<Level>, BackendError> {
    names.iter().map(|name| Level::parse(name)).collect()
}

/// Everything the levels grant, per object class.
#[derive(Default, PartialEq, Eq, Debug)]
struct Privileges {
    schema: BTreeSet<&'static str>,
    tables: BTreeSet<&'static str>,
    sequences: BTreeSet<&'static str>,
}

fn union(levels: &BTreeSet<Level>) -> Privileges {
    let mut all = Privileges::default();
    for level in levels {
        all.schema.extend(level.schema_privileges());
        all.tables.extend(level.table_privileges());
        all.sequences.extend(level.sequence_privileges());
    }
    all
}

/// Where the statements apply.
pub(super) struct Target<'a> {
    pub schema: &'a str,
    pub owner_role: &'a str,
    pub grantee: &'a str,
}

/// The statements that take `grantee` from `from` to `to`: revoke what was dropped, grant
/// what was added, on the schema, its tables and sequences, and the owner's default
/// privileges for tables created later.
pub(super) fn transition(
    target: &Target<'_>,
    from: &BTreeSet<Level>,
    to: &BTreeSet<Level>,
) -> Result<Vec<String>, BackendError> {
    let schema = quote_ident(target.schema)?;
    let owner = quote_ident(target.owner_role)?;
    let grantee = quote_ident(target.grantee)?;
    let (old, new) = (union(from), union(to));
    let mut statements = Vec::new();
    let classes: [(&str, &BTreeSet<&str>, &BTreeSet<&str>); 3] = [
        ("SCHEMA", &old.schema, &new.schema),
        ("TABLES", &old.tables, &new.tables),
        ("SEQUENCES", &old.sequences, &new.sequences),
    ];
    for (class, old, new) in classes {
        let removed: Vec<&str> = old.difference(new).copied().collect();
        let added: Vec<&str> = new.difference(old).copied().collect();
        let on = match class {
            "SCHEMA" => format!("SCHEMA {schema}"),
            other => format!("ALL {other} IN SCHEMA {schema}"),
        };
        for (levels, verb, direction) in [(removed, "REVOKE", "FROM"), (added, "GRANT", "TO")] {
            if levels.is_empty() {
                continue;
            }
            let list = levels.join(", ");
            statements.push(format!("{verb} {list} ON {on} {direction} {grantee}"));
            if class != "SCHEMA" {
                statements.push(format!(
                    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} \
                     {verb} {list} ON {class} {direction} {grantee}"
                ));
            }
        }
    }
    Ok(statements)
}

/// Revokes everything the grantee may hold on the schema, whatever the catalog says.
pub(super) fn revoke_everything(target: &Target<'_>) -> Result<Vec<String>, BackendError> {
    let schema = quote_ident(target.schema)?;
    let owner = quote_ident(target.owner_role)?;
    let grantee = quote_ident(target.grantee)?;
    Ok(vec![
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}"),
        format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {grantee}"),
        format!("REVOKE ALL ON SCHEMA {schema} FROM {grantee}"),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} \
             REVOKE ALL ON TABLES FROM {grantee}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} \
             REVOKE ALL ON SEQUENCES FROM {grantee}"
        ),
    ])
}
