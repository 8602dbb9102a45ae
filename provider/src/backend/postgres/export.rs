//! Exports a tenant schema into a verified archive before it is dropped: `schema.sql` with a
//! `CREATE TABLE` per table (columns, defaults and constraints read from the catalogs) and
//! `data/<table>.csv` from `COPY ... TO STDOUT`. Nothing is dropped unless the archive's
//! checksums verify.

use futures_util::StreamExt;
use serde::Serialize;
use tokio_postgres::Transaction;

use super::sql::quote_ident;
use crate::backend::BackendError;
use crate::backend::archive::{ArchiveReceipt, ArchiveWriter};

/// The archive kind of database archives.
pub(super) const ARCHIVE_KIND: &str = "database";

/// What the audit log records about an archive.
#[derive(Serialize)]
pub(super) struct ArchiveSummary {
    pub schema: String,
    pub dir: String,
    pub files: usize,
    pub bytes: u64,
    pub tables: usize,
}

/// Writes and verifies the archive of `schema` under `<archive_dir>/<slug>/database-<name>-…`.
pub(super) async fn export_schema(
    tx: &Transaction<'_>,
    archive_dir: &std::path::Path,
    tenant_slug: &str,
    name: &str,
    schema: &str,
    is_superuser: bool,
) -> Result<ArchiveSummary, BackendError> {
    let tables: Vec<String> = tx
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            &[&schema],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut writer = ArchiveWriter::begin(archive_dir, tenant_slug, ARCHIVE_KIND, name)?;
    let mut ddl = format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote_ident(schema)?);
    for table in &tables {
        ddl.push_str(&table_ddl(tx, schema, table).await?);
        let qualified = format!("{}.{}", quote_ident(schema)?, quote_ident(table)?);
        if !is_superuser {
            // The table's owner may have revoked its own privileges; as a member of the
            // owner we can always grant ourselves read access.
            tx.batch_execute(&format!("GRANT SELECT ON {qualified} TO CURRENT_USER"))
                .await?;
        }
        let stream = tx
            .copy_out(&format!(
                "COPY {qualified} TO STDOUT (FORMAT csv, HEADER true)"
            ))
            .await?;
        let mut data = Vec::new();
        futures_util::pin_mut!(stream);
        while let Some(chunk) = stream.next().await {
            data.extend_from_slice(&chunk?);
        }
        writer.add_file(&format!("data/{table}.csv"), &data)?;
    }
    writer.add_file("schema.sql", ddl.as_bytes())?;
    let ArchiveReceipt { dir, files, bytes } = writer.finish()?;
    Ok(ArchiveSummary {
        schema: schema.to_string(),
        dir: dir.display().to_string(),
        files,
        bytes,
        tables: tables.len(),
    })
}

/// A `CREATE TABLE` reconstructed from `pg_attribute`, `pg_attrdef` and `pg_constraint`.
async fn table_ddl(
    tx: &Transaction<'_>,
    schema: &str,
    table: &str,
) -> Result<String, BackendError> {
    let columns = tx
        .query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                    pg_get_expr(d.adbin, d.adrelid) \
             FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
            &[&schema, &table],
        )
        .await?;
    let constraints = tx
        .query(
            "SELECT con.conname::text, pg_get_constraintdef(con.oid) \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 ORDER BY con.conname",
            &[&schema, &table],
        )
        .await?;
    let mut lines = Vec::new();
    for column in &columns {
        let (name, data_type, not_null, default): (String, String, bool, Option<String>) =
            (column.get(0), column.get(1), column.get(2), column.get(3));
        let mut line = format!("    {} {data_type}", quote_ident(&name)?);
        if let Some(default) = default {
            line.push_str(&format!(" DEFAULT {default}"));
        }
        if not_null {
            line.push_str(" NOT NULL");
        }
        lines.push(line);
    }
    for constraint in &constraints {
        let (name, definition): (String, String) = (constraint.get(0), constraint.get(1));
        lines.push(format!(
            "    CONSTRAINT {} {definition}",
            quote_ident(&name)?
        ));
    }
    Ok(format!(
        "CREATE TABLE {}.{} (\n{}\n);\n",
        quote_ident(schema)?,
        quote_ident(table)?,
        lines.join(",\n")
    ))
}
