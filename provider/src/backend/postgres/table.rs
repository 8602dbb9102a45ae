//! The catalog side every record kind shares on PostgreSQL: a [`Table`] describes where a
//! kind's rows live, how they map to its record and how the live system is consulted; reads
//! by id, by natural key and by scope, the dependents check, and the [`Store`]
//! implementation are written once here on top of it.

use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::session::lock_tenant;
use super::sql::unique_violation;
use super::{Context, PostgresBackend, audit};
use crate::backend::audit::Action;
use crate::backend::columns::{
    CatalogTable, ColumnValue, Columns, dependent_count_sql, equal_filter, values_of,
};
use crate::backend::{BackendError, Store};
use crate::records::{KeyParts, Record};

/// The result of a catalog operation.
pub(crate) type Outcome<T> = Result<T, BackendError>;

/// How one record kind is kept in the catalog, and its kind-specific effects.
pub(crate) trait Table: Record + CatalogTable {
    /// What follows the table in `FROM`: an alias and joins, when the columns need them.
    const JOIN: &'static str = "";
    /// The alias the record's own columns are selected with, e.g. `u.`.
    const COLUMN_PREFIX: &'static str = "";
    /// Columns selected after the record's own, for a [`Table::from_row`] that reads them.
    const EXTRA_SELECTED: &'static str = "";
    /// The order of listings when it is not the kind's usual one.
    const LISTING_ORDER: Option<&'static str> = None;

    /// The record a row holds; by default its own columns.
    fn from_row(context: &Context, row: &Row) -> Result<Self, BackendError> {
        let _ = context;
        read_record(row)
    }

    /// The record a catalog row describes, as the live system shows it; `None` when its live
    /// object is gone. By default the catalog row is the truth.
    async fn live(
        client: &impl GenericClient,
        context: &Context,
        row: &Row,
    ) -> Outcome<Option<Self>> {
        let _ = client;
        Self::from_row(context, row).map(Some)
    }

    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self>;
    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self>;
    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool>;
}

/// The columns of a catalog row, read from the first.
struct PostgresColumns<'a> {
    row: &'a Row,
    next: usize,
}

impl PostgresColumns<'_> {
    fn next<'a, T: tokio_postgres::types::FromSql<'a>>(&'a mut self) -> Result<T, BackendError> {
        self.next += 1;
        Ok(self.row.try_get(self.next - 1)?)
    }
}

column_reader_by_next!(PostgresColumns<'_>);

/// The record whose columns lead `row`.
pub(crate) fn read_record<R: Columns>(row: &Row) -> Result<R, BackendError> {
    R::read_columns(&mut PostgresColumns { row, next: 0 })
}

/// A column value as a query parameter.
fn parameter(value: &ColumnValue) -> &(dyn ToSql + Sync) {
    match value {
        ColumnValue::Text(text) => text,
        ColumnValue::MaybeText(text) => text,
        ColumnValue::Integer(number) => number,
        ColumnValue::Boolean(flag) => flag,
    }
}

/// The columns selected for the rows of `R`.
fn selected_columns<R: Table>() -> String {
    let columns: Vec<String> = (R::NAMES.iter())
        .map(|name| format!("{}{name}", R::COLUMN_PREFIX))
        .collect();
    columns.join(", ") + R::EXTRA_SELECTED
}

/// The catalog rows of `R` that `filter` selects with `params`, in listing order.
pub(crate) async fn query_rows<R: Table>(
    client: &impl GenericClient,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, BackendError> {
    let sql = format!(
        "SELECT {} FROM {}{} WHERE {} AND {filter} ORDER BY {}{}",
        selected_columns::<R>(),
        base_table::<R>(),
        R::JOIN,
        R::LIVE,
        R::COLUMN_PREFIX,
        R::LISTING_ORDER.unwrap_or(R::ORDER_BY)
    );
    Ok(client.query(&sql, params).await?)
}

/// The records of the catalog rows `filter` selects with `params`, as the catalog has them:
/// the live system is not consulted.
pub(crate) async fn catalog_rows<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<R>, BackendError> {
    let rows = query_rows::<R>(client, filter, params).await?;
    rows.iter().map(|row| R::from_row(context, row)).collect()
}

/// The live records of `R` whose rows `filter` selects with `args`, in listing order.
pub(crate) async fn select<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    filter: &str,
    args: &[&str],
) -> Result<Vec<R>, BackendError> {
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|arg| arg as _).collect();
    let mut found = Vec::new();
    for row in query_rows::<R>(client, filter, &params).await? {
        if let Some(record) = R::live(client, context, &row).await? {
            found.push(record);
        }
    }
    Ok(found)
}

pub(crate) async fn get<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    id: &str,
) -> Result<Option<R>, BackendError> {
    Ok(select(client, context, &filter::<R>(&["id"]), &[id])
        .await?
        .pop())
}

/// [`get`], failing with [`BackendError::NotFound`] when there is no such record.
pub(crate) async fn require<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    id: &str,
) -> Result<R, BackendError> {
    get(client, context, id)
        .await?
        .ok_or_else(|| R::not_found(id))
}

/// Locks the tenant `tenant_id` for the rest of the transaction, then [`require`].
pub(crate) async fn lock_and_require<R: Table>(
    tx: &Transaction<'_>,
    context: &Context,
    tenant_id: &str,
    id: &str,
) -> Outcome<R> {
    lock_tenant(tx, tenant_id).await?;
    require(tx, context, id).await
}

pub(crate) async fn find<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    key: R::Key<'_>,
) -> Result<Option<R>, BackendError> {
    Ok(select(client, context, &filter::<R>(R::KEY), &key.parts())
        .await?
        .pop())
}

pub(crate) async fn list<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    scope: R::Scope<'_>,
) -> Result<Vec<R>, BackendError> {
    select(client, context, &filter::<R>(R::SCOPE), &scope.parts()).await
}

/// The catalog table of `R`, without alias or join.
fn base_table<R: Table>() -> String {
    format!("tenant_catalog.{}", R::TABLE)
}

/// The condition that the `columns` of `R` equal the parameters `$1`...
fn filter<R: Table>(columns: &[&str]) -> String {
    equal_filter(columns, R::COLUMN_PREFIX, '$')
}

/// The tenant of the catalog row `id` of `R`, whether or not its live object still exists.
pub(crate) async fn tenant_of<R: Table>(
    client: &impl GenericClient,
    id: &str,
) -> Result<Option<String>, BackendError> {
    let sql = format!("SELECT tenant_id FROM {} WHERE id = $1", base_table::<R>());
    Ok(client.query_opt(&sql, &[&id]).await?.map(|row| row.get(0)))
}

/// Appends the audit entry of a change to a record of `R` in the caller's transaction.
pub(crate) async fn audit<R: Record>(
    tx: &Transaction<'_>,
    action: Action,
    before: Option<&R>,
    after: Option<&R>,
) -> Result<(), BackendError> {
    let id = after.or(before).map_or("", Record::id);
    audit::append(tx, R::RESOURCE, id, action, before, after).await
}

/// Inserts the row of `record`; a row with the same natural key fails with
/// [`BackendError::AlreadyExists`] naming `key`.
pub(crate) async fn insert_row<R: Table>(
    tx: &Transaction<'_>,
    record: &R,
    key: String,
) -> Result<(), BackendError> {
    let placeholders: Vec<String> = (1..=R::NAMES.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        base_table::<R>(),
        R::NAMES.join(", "),
        placeholders.join(",")
    );
    let values = record.column_values()?;
    let params: Vec<_> = values.iter().map(parameter).collect();
    tx.execute(&sql, &params)
        .await
        .map_err(BackendError::from)
        .map_err(unique_violation(R::KIND, key))?;
    Ok(())
}

/// Inserts the row of `record` (see [`insert_row`]) and records its creation.
pub(crate) async fn create_row<R: Table>(
    tx: &Transaction<'_>,
    record: &R,
    key: String,
) -> Result<R, BackendError> {
    insert_row(tx, record, key).await?;
    audit(tx, Action::Create, None, Some(record)).await?;
    Ok(record.clone())
}

/// Sets the `columns` of the live catalog row of `after` to its values.
pub(crate) async fn update_columns<R: Table>(
    tx: &Transaction<'_>,
    after: &R,
    columns: &[&str],
) -> Result<(), BackendError> {
    let set: Vec<String> = (columns.iter().enumerate())
        .map(|(index, column)| format!("{column} = ${}", index + 2))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE id = $1 AND {}",
        base_table::<R>(),
        set.join(", "),
        R::LIVE
    );
    let id = ColumnValue::Text(after.id().to_string());
    let values: Vec<ColumnValue> = std::iter::once(id)
        .chain(values_of(after, columns)?)
        .collect();
    let params: Vec<_> = values.iter().map(parameter).collect();
    tx.execute(&sql, &params)
        .await
        .map_err(BackendError::from)
        .map_err(unique_violation(R::KIND, after.key_label()))?;
    Ok(())
}

/// [`update_columns`] from `before` to `after`, recording the change.
pub(crate) async fn update_row<R: Table>(
    tx: &Transaction<'_>,
    before: &R,
    after: R,
    columns: &[&str],
) -> Result<R, BackendError> {
    update_columns(tx, &after, columns).await?;
    audit(tx, Action::Update, Some(before), Some(&after)).await?;
    Ok(after)
}

/// Deletes the row of `before` and records the deletion.
pub(crate) async fn delete_row<R: Table>(
    tx: &Transaction<'_>,
    before: &R,
) -> Result<bool, BackendError> {
    tx.execute(
        &format!("DELETE FROM {} WHERE id = $1", base_table::<R>()),
        &[&before.id()],
    )
    .await?;
    audit(tx, Action::Delete, Some(before), None).await?;
    Ok(true)
}

/// Fails with [`BackendError::HasDependents`] while catalog rows reference `record`.
pub(crate) async fn check_no_dependents<R: Table>(
    tx: &Transaction<'_>,
    record: &R,
) -> Result<(), BackendError> {
    let mut counts = Vec::new();
    for dependent in R::DEPENDENTS {
        let sql = dependent_count_sql(dependent, "tenant_catalog.", "$1");
        counts.push(tx.query_one(&sql, &[&record.id()]).await?.get(0));
    }
    match record.dependents_error(&counts) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

impl<R: Table> Store<R> for PostgresBackend {
    fn create(&self, record: &R) -> Result<R, BackendError> {
        self.write(async |tx| R::create(tx, &self.context, record).await)
    }
    fn get(&self, id: &str) -> Result<Option<R>, BackendError> {
        self.read(async |c| get(c, &self.context, id).await)
    }
    fn find(&self, key: R::Key<'_>) -> Result<Option<R>, BackendError> {
        self.read(async |c| find(c, &self.context, key).await)
    }
    fn update(&self, record: &R) -> Result<R, BackendError> {
        self.write(async |tx| R::update(tx, &self.context, record).await)
    }
    fn delete(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| R::delete(tx, &self.context, id).await)
    }
    fn list(&self, scope: R::Scope<'_>) -> Result<Vec<R>, BackendError> {
        self.read(async |c| list(c, &self.context, scope).await)
    }
}
