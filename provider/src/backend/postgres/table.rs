//! The [`Store`] implementation every record kind shares on PostgreSQL: a [`Table`] gives a
//! kind's reads (catalog rows, or the live objects they describe) and its transactional
//! create, update and delete; each runs in its own session here.

use tokio_postgres::{Client, Transaction};

use super::{Context, PostgresBackend};
use crate::backend::{BackendError, Store};
use crate::records::Record;

/// How one record kind is read and changed on PostgreSQL.
pub(crate) trait Table: Record {
    async fn get(
        client: &Client,
        context: &Context,
        id: &str,
    ) -> Result<Option<Self>, BackendError>;
    async fn find(
        client: &Client,
        context: &Context,
        key: Self::Key<'_>,
    ) -> Result<Option<Self>, BackendError>;
    async fn list(
        client: &Client,
        context: &Context,
        scope: Self::Scope<'_>,
    ) -> Result<Vec<Self>, BackendError>;
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

impl<R: Table> Store<R> for PostgresBackend {
    fn create(&self, record: &R) -> Result<R, BackendError> {
        self.write(async |tx| R::create(tx, &self.context, record).await)
    }
    fn get(&self, id: &str) -> Result<Option<R>, BackendError> {
        self.read(async |c| R::get(c, &self.context, id).await)
    }
    fn find(&self, key: R::Key<'_>) -> Result<Option<R>, BackendError> {
        self.read(async |c| R::find(c, &self.context, key).await)
    }
    fn update(&self, record: &R) -> Result<R, BackendError> {
        self.write(async |tx| R::update(tx, &self.context, record).await)
    }
    fn delete(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| R::delete(tx, &self.context, id).await)
    }
    fn list(&self, scope: R::Scope<'_>) -> Result<Vec<R>, BackendError> {
        self.read(async |c| R::list(c, &self.context, scope).await)
    }
}
