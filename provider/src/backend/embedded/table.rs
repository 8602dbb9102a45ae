//! The catalog side every record kind shares on SQLite: a [`Table`] describes where a kind's
//! rows live and how they map to its record; reads by id, by natural key and by scope, the
//! dependents check, and the [`Store`] implementation are written once here on top of it.

use rusqlite::{Connection, Row, ToSql, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{self, Action};
use super::{EmbeddedBackend, Layout, unique_violation};
use crate::backend::{BackendError, Store};
use crate::records::{KeyParts, Record};

/// Query parameters of any type.
pub(crate) type Values = Vec<Box<dyn ToSql>>;

/// How one record kind is kept in the catalog, and its kind-specific effects.
pub(crate) trait Table: Record {
    const TABLE: &'static str;
    const COLUMNS: &'static str;
    /// The condition a row meets while its object is live (not tombstoned or revoked).
    const LIVE: &'static str = "TRUE";
    /// The condition naming a row by its natural key, `?1`... for the key's parts.
    const KEY_FILTER: &'static str;
    /// The condition naming the rows of a listing scope, `?1`... for the scope's parts.
    const SCOPE_FILTER: &'static str = "tenant_id = ?1";
    /// The order of listings.
    const ORDER_BY: &'static str;

    fn from_row(row: &Row<'_>, layout: &Layout) -> rusqlite::Result<Self>;
    /// Completes a record read from its row, e.g. with measured usage.
    fn completed(self) -> Result<Self, BackendError> {
        Ok(self)
    }

    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError>;
    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError>;

    /// The assignments of an update, `?2`... for [`Table::update_values`] (`?1` is the id).
    const UPDATE_SET: &'static str;
    /// `before` with the changes of `record` that the caller may make.
    fn merged(before: &Self, record: &Self) -> Self;
    /// The values [`Table::UPDATE_SET`] assigns, taken from the updated record.
    fn update_values(&self) -> Result<Values, BackendError>;
    /// Effects of an update beyond its row, e.g. a tenant's status cascade.
    fn after_update(
        tx: &Transaction<'_>,
        layout: &Layout,
        before: &Self,
        after: &Self,
    ) -> Result<(), BackendError> {
        let _ = (tx, layout, before, after);
        Ok(())
    }

    /// Updates the live record `record.id` with the changes [`Table::merged`] keeps.
    fn update(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        let before = require::<Self>(tx, layout, record.id())?;
        let after = Self::merged(&before, record);
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ?1 AND {}",
            Self::TABLE,
            Self::UPDATE_SET,
            Self::LIVE
        );
        let id: Box<dyn ToSql> = Box::new(after.id().to_string());
        let values = std::iter::once(id).chain(after.update_values()?);
        tx.execute(&sql, rusqlite::params_from_iter(values))
            .map_err(unique_violation(Self::KIND, after.key_label()))?;
        audit(tx, Action::Update, Some(&before), Some(&after))?;
        Self::after_update(tx, layout, &before, &after)?;
        Ok(after)
    }
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
        R::COLUMNS,
        R::TABLE,
        R::LIVE,
        R::ORDER_BY
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(args), |row| {
        R::from_row(row, layout)
    })?;
    rows.map(|row| row.map_err(BackendError::from).and_then(R::completed))
        .collect()
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
    Ok(select(connection, layout, R::KEY_FILTER, &key.parts())?
        .into_iter()
        .next())
}

pub(crate) fn list<R: Table>(
    connection: &Connection,
    layout: &Layout,
    scope: R::Scope<'_>,
) -> Result<Vec<R>, BackendError> {
    select(connection, layout, R::SCOPE_FILTER, &scope.parts())
}

/// The JSON text a column stores for `value`.
pub(crate) fn to_json(value: &impl Serialize) -> Result<String, BackendError> {
    serde_json::to_string(value).map_err(|e| BackendError::Corrupt(e.to_string()))
}

/// The value whose JSON text column `index` of `row` holds (`null` for a NULL column).
pub(crate) fn json_column<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: Option<String> = row.get(index)?;
    serde_json::from_str(text.as_deref().unwrap_or("null")).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
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
        let live_only = match dependent.live_only {
            "" => String::new(),
            condition => format!(" AND {condition}"),
        };
        counts.push(tx.query_row(
            &format!(
                "SELECT count(*) FROM {} WHERE {} = ?1{live_only}",
                dependent.table, dependent.column
            ),
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
