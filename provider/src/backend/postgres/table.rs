//! The catalog side every record kind shares on PostgreSQL: a [`Table`] describes where a
//! kind's rows live, how they map to its record and how the live system is consulted; reads
//! by id, by natural key and by scope, the dependents check, and the [`Store`]
//! implementation are written once here on top of it.

use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::{Context, PostgresBackend, audit};
use crate::backend::audit::Action;
use crate::backend::{BackendError, Store};
use crate::records::{KeyParts, Record};

/// How one record kind is kept in the catalog, and its kind-specific effects.
pub(crate) trait Table: Record {
    /// The catalog table, with an alias when the columns need one.
    const FROM: &'static str;
    const COLUMNS: &'static str;
    /// The condition a row meets while its object is live (not tombstoned or revoked).
    const LIVE: &'static str = "TRUE";
    /// The condition naming a row by id.
    const ID_FILTER: &'static str = "id = $1";
    /// The condition naming a row by its natural key, `$1`... for the key's parts.
    const KEY_FILTER: &'static str;
    /// The condition naming the rows of a listing scope, `$1`... for the scope's parts.
    const SCOPE_FILTER: &'static str = "tenant_id = $1";
    /// The order of listings.
    const ORDER_BY: &'static str;

    fn from_row(context: &Context, row: &Row) -> Result<Self, BackendError>;

    /// The record a catalog row describes, as the live system shows it; `None` when its live
    /// object is gone. By default the catalog row is the truth.
    async fn live(
        client: &impl GenericClient,
        context: &Context,
        row: &Row,
    ) -> Result<Option<Self>, BackendError> {
        let _ = client;
        Self::from_row(context, row).map(Some)
    }

    async fn create(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError>;
    async fn update(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError>;
    async fn delete(
        tx: &Transaction<'_>,
        context: &Context,
        id: &str,
    ) -> Result<bool, BackendError>;
}

/// The catalog rows of `R` that `filter` selects with `params`, in listing order.
pub(crate) async fn query_rows<R: Table>(
    client: &impl GenericClient,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, BackendError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {} AND {filter} ORDER BY {}",
        R::COLUMNS,
        R::FROM,
        R::LIVE,
        R::ORDER_BY
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
    Ok(select(client, context, R::ID_FILTER, &[id]).await?.pop())
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

pub(crate) async fn find<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    key: R::Key<'_>,
) -> Result<Option<R>, BackendError> {
    Ok(select(client, context, R::KEY_FILTER, &key.parts())
        .await?
        .pop())
}

pub(crate) async fn list<R: Table>(
    client: &impl GenericClient,
    context: &Context,
    scope: R::Scope<'_>,
) -> Result<Vec<R>, BackendError> {
    select(client, context, R::SCOPE_FILTER, &scope.parts()).await
}

/// The catalog table of `R`, without alias or join.
fn base_table<R: Table>() -> &'static str {
    R::FROM.split(' ').next().unwrap_or(R::FROM)
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

/// Sets the catalog row of `before` to `after` with the assignments `set` (`$1` is the id,
/// `values` are `$2`...) and records the change.
pub(crate) async fn update_row<R: Table>(
    tx: &Transaction<'_>,
    before: &R,
    after: R,
    set: &str,
    values: &[&(dyn ToSql + Sync)],
) -> Result<R, BackendError> {
    let sql = format!("UPDATE {} SET {set} WHERE id = $1", base_table::<R>());
    let id = before.id();
    let params: Vec<&(dyn ToSql + Sync)> = std::iter::once(&id as _)
        .chain(values.iter().copied())
        .collect();
    tx.execute(&sql, &params).await?;
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
        let live_only = match dependent.live_only {
            "" => String::new(),
            condition => format!(" AND {condition}"),
        };
        let sql = format!(
            "SELECT count(*) FROM tenant_catalog.{} WHERE {} = $1{live_only}",
            dependent.table, dependent.column
        );
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
