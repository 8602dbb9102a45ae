//! The catalog side every record kind shares on SQLite: a [`Table`] describes where a kind's
//! rows live and how they map to its record; reads by id, by natural key and by scope, the
//! dependents check, and the [`Store`] implementation are written once here on top of it.

use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, Row, ToSql, Transaction};

use super::audit::{self, Action};
use super::{EmbeddedBackend, Layout, unique_violation};
use crate::backend::columns::{
    CatalogTable, ColumnValue, Columns, dependent_count_sql, equal_filter, values_of,
};
use crate::backend::{BackendError, Store};
use crate::records::{KeyParts, Record};

/// The result of a catalog operation.
pub(crate) type Outcome<T> = Result<T, BackendError>;

/// How one record kind is kept in the catalog, and its kind-specific effects.
pub(crate) trait Table: Record + CatalogTable {
    /// Columns selected after the record's own, for a [`Table::from_row`] that reads them.
    const EXTRA_SELECTED: &'static str = "";

    /// The record a row holds; by default its own columns.
    fn from_row(row: &Row<'_>, layout: &Layout) -> Result<Self, BackendError> {
        let _ = layout;
        read_record(row)
    }
    /// Completes a record read from its row, e.g. with measured usage.
    fn completed(self) -> Result<Self, BackendError> {
        Ok(self)
    }

    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError>;
    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError>;

    /// The columns an update writes, from the updated record.
    const UPDATED: &'static [&'static str];
    /// `before` with the changes of `record` that the caller may make.
    fn merged(before: &Self, record: &Self) -> Self;
    /// Effects of an update beyond its row, e.g. a tenant's status cascade.
    fn after_update(tx: &Transaction, layout: &Layout, before: &Self, after: &Self) -> Outcome<()> {
        let _ = (tx, layout, before, after);
        Ok(())
    }

    /// Updates the live record `record.id` with the changes [`Table::merged`] keeps.
    fn update(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        let before = require::<Self>(tx, layout, record.id())?;
        let after = Self::merged(&before, record);
        let set: Vec<String> = (Self::UPDATED.iter().enumerate())
            .map(|(index, column)| format!("{column} = ?{}", index + 2))
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ?1 AND {}",
            Self::TABLE,
            set.join(", "),
            Self::LIVE
        );
        let id = ColumnValue::Text(after.id().to_string());
        let values = std::iter::once(id).chain(values_of(&after, Self::UPDATED)?);
        tx.prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(values.map(SqliteValue)))
            .map_err(unique_violation(Self::KIND, after.key_label()))?;
        audit(tx, Action::Update, Some(&before), Some(&after))?;
        Self::after_update(tx, layout, &before, &after)?;
        Ok(after)
    }
}

/// A column value bound as a SQLite parameter.
struct SqliteValue(ColumnValue);

impl ToSql for SqliteValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match &self.0 {
            ColumnValue::Text(text) => text.to_sql(),
            ColumnValue::MaybeText(text) => text.to_sql(),
            ColumnValue::Integer(number) => number.to_sql(),
            ColumnValue::Boolean(flag) => flag.to_sql(),
        }
    }
}

/// The columns of a SQLite row, read from the first.
struct SqliteColumns<'a, 'b> {
    row: &'a Row<'b>,
    next: usize,
}

impl SqliteColumns<'_, '_> {
    fn next<T: rusqlite::types::FromSql>(&mut self) -> Result<T, BackendError> {
        self.next += 1;
        Ok(self.row.get(self.next - 1)?)
    }
}

column_reader_by_next!(SqliteColumns<'_, '_>);

/// The record whose columns lead `row`.
pub(crate) fn read_record<R: Columns>(row: &Row<'_>) -> Result<R, BackendError> {
    R::read_columns(&mut SqliteColumns { row, next: 0 })
}

/// Inserts the row of `record`, with `extra` columns after its own; a row with the same
/// natural key fails with [`BackendError::AlreadyExists`] naming `key`.
pub(crate) fn insert_row<R: Table>(
    tx: &Transaction<'_>,
    record: &R,
    extra: &[(&str, ColumnValue)],
    key: String,
) -> Result<(), BackendError> {
    let names: Vec<&str> = (R::NAMES.iter().copied())
        .chain(extra.iter().map(|(name, _)| *name))
        .collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|n| format!("?{n}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        R::TABLE,
        names.join(", "),
        placeholders.join(",")
    );
    let values =
        (record.column_values()?.into_iter()).chain(extra.iter().map(|(_, value)| value.clone()));
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values.map(SqliteValue)))
        .map_err(unique_violation(R::KIND, key))?;
    Ok(())
}

/// Inserts the row of `record` (see [`insert_row`]) and records its creation.
pub(crate) fn create_row<R: Table>(
    tx: &Transaction<'_>,
    record: &R,
    key: String,
) -> Result<R, BackendError> {
    insert_row(tx, record, &[], key)?;
    audit(tx, Action::Create, None, Some(record))?;
    Ok(record.clone())
}

/// The columns selected for the rows of `R`.
pub(crate) fn selected_columns<R: Table>() -> String {
    R::NAMES.join(", ") + R::EXTRA_SELECTED
}

/// The live rows of `R` that `filter` selects with `args`, in listing order.
pub(crate) fn select<R: Table>(
    connection: &Connection,
    layout: &Layout,
    filter: &str,
    args: &[&str],
) -> Result<Vec<R>, BackendError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {} AND {filter} ORDER BY {}",
        selected_columns::<R>(),
        R::TABLE,
        R::LIVE,
        R::ORDER_BY
    );
    query_records(connection, layout, &sql, args)
}

/// The records of the rows the query `sql` (selecting [`selected_columns`]) returns for
/// `args`.
pub(crate) fn query_records<R: Table>(
    connection: &Connection,
    layout: &Layout,
    sql: &str,
    args: &[&str],
) -> Result<Vec<R>, BackendError> {
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(args))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(R::from_row(row, layout)?.completed()?);
    }
    Ok(found)
}

pub(crate) fn get<R: Table>(
    connection: &Connection,
    layout: &Layout,
    id: &str,
) -> Result<Option<R>, BackendError> {
    Ok(select(connection, layout, "id = ?1", &[id])?
        .into_iter()
        .next())
}

/// [`get`], failing with [`BackendError::NotFound`] when there is no such record.
pub(crate) fn require<R: Table>(
    connection: &Connection,
    layout: &Layout,
    id: &str,
) -> Result<R, BackendError> {
    get(connection, layout, id)?.ok_or_else(|| R::not_found(id))
}

pub(crate) fn find<R: Table>(
    connection: &Connection,
    layout: &Layout,
    key: R::Key<'_>,
) -> Result<Option<R>, BackendError> {
    Ok(select(
        connection,
        layout,
        &equal_filter(R::KEY, "", '?'),
        &key.parts(),
    )?
    .into_iter()
    .next())
}

pub(crate) fn list<R: Table>(
    connection: &Connection,
    layout: &Layout,
    scope: R::Scope<'_>,
) -> Result<Vec<R>, BackendError> {
    select(
        connection,
        layout,
        &equal_filter(R::SCOPE, "", '?'),
        &scope.parts(),
    )
}

/// Appends the audit entry of a change to a record of `R` in the caller's transaction.
pub(crate) fn audit<R: Record>(
    tx: &Transaction<'_>,
    action: Action,
    before: Option<&R>,
    after: Option<&R>,
) -> Result<(), BackendError> {
    let id = after.or(before).map_or("", Record::id);
    audit::append(tx, R::RESOURCE, id, action, before, after)
}

/// Deletes the row of `before` and records the deletion.
pub(crate) fn delete_row<R: Table>(tx: &Transaction<'_>, before: &R) -> Result<bool, BackendError> {
    tx.execute(
        &format!("DELETE FROM {} WHERE id = ?1", R::TABLE),
        [before.id()],
    )?;
    audit(tx, Action::Delete, Some(before), None)?;
    Ok(true)
}

/// The live record `id` another record references, else [`BackendError::InvalidReference`].
pub(crate) fn referenced<R: Table>(
    connection: &Connection,
    layout: &Layout,
    id: &str,
) -> Result<R, BackendError> {
    get(connection, layout, id)?
        .ok_or_else(|| BackendError::InvalidReference(format!("{} {id:?} does not exist", R::KIND)))
}

/// Fails with [`BackendError::HasDependents`] while live rows reference `record`.
pub(crate) fn check_no_dependents<R: Table>(
    tx: &Transaction<'_>,
    record: &R,
) -> Result<(), BackendError> {
    let mut counts = Vec::new();
    for dependent in R::DEPENDENTS {
        counts.push(tx.query_row(
            &dependent_count_sql(dependent, "", "?1"),
            [record.id()],
            |row| row.get(0),
        )?);
    }
    match record.dependents_error(&counts) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

impl<R: Table> Store<R> for EmbeddedBackend {
    fn create(&self, record: &R) -> Result<R, BackendError> {
        self.write(|tx| R::create(tx, &self.layout, record))
    }
    fn get(&self, id: &str) -> Result<Option<R>, BackendError> {
        self.read(|c| get(c, &self.layout, id))
    }
    fn find(&self, key: R::Key<'_>) -> Result<Option<R>, BackendError> {
        self.read(|c| find(c, &self.layout, key))
    }
    fn update(&self, record: &R) -> Result<R, BackendError> {
        self.write(|tx| R::update(tx, &self.layout, record))
    }
    fn delete(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| R::delete(tx, &self.layout, id))
    }
    fn list(&self, scope: R::Scope<'_>) -> Result<Vec<R>, BackendError> {
        self.read(|c| list(c, &self.layout, scope))
    }
}
