//! `-parallelism` across a whole run: every provider call of a run waits for one of
//! `parallelism` slots shared by all its providers, as Terraform's walker runs at most that
//! many operations at once. The engine's walks and module fleets can have many more calls
//! ready than that; the slots bound what reaches the providers. Tested with the engine in
//! `engine/tests/parallelism.rs`.

use std::sync::Arc;

use tenantform_proto::schema::ProviderSchema;
use tenantform_proto::value::Value;
use tokio::sync::Semaphore;

use super::{
    ApplyRequest, ApplyResponse, Diagnosed, ImportedObject, PlanRequest, PlanResponse,
    ProviderClient, ProviderDiagnostic, ProviderError, Providers, ReadResponse,
};
use crate::addrs::InstanceAddr;

impl Providers {
    /// Makes every provider call wait for one of `parallelism` slots shared by all the
    /// providers (at least one).
    pub(crate) fn limit_calls(&mut self, parallelism: usize) {
        let slots = Arc::new(Semaphore::new(parallelism.max(1)));
        for client in self.clients.values_mut() {
            let inner = Arc::clone(client);
            *client = Arc::new(Limited {
                inner,
                slots: Arc::clone(&slots),
            });
        }
    }
}

/// A provider whose calls each hold a slot while they run.
struct Limited {
    inner: Arc<dyn ProviderClient>,
    slots: Arc<Semaphore>,
}

impl Limited {
    /// Waits for a free slot; the slot is given back when the returned permit is dropped.
    async fn slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // The semaphore is never closed; should it be, calls go ahead unbounded.
        self.slots.acquire().await.ok()
    }
}

#[async_trait::async_trait]
impl ProviderClient for Limited {
    async fn schema(&self) -> Result<ProviderSchema, ProviderError> {
        let _slot = self.slot().await;
        self.inner.schema().await
    }

    fn generates_resource_config(&self) -> bool {
        self.inner.generates_resource_config()
    }

    async fn generate_resource_config(
        &self,
        type_name: &str,
        state: &Value,
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        let _slot = self.slot().await;
        self.inner.generate_resource_config(type_name, state).await
    }

    async fn validate_provider_config(&self, config: &Value) -> Diagnosed {
        let _slot = self.slot().await;
        self.inner.validate_provider_config(config).await
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnosed {
        let _slot = self.slot().await;
        self.inner.validate_resource_config(type_name, config).await
    }

    async fn validate_data_resource_config(&self, type_name: &str, config: &Value) -> Diagnosed {
        let _slot = self.slot().await;
        self.inner
            .validate_data_resource_config(type_name, config)
            .await
    }

    async fn configure(&self, config: &Value) -> Diagnosed {
        let _slot = self.slot().await;
        self.inner.configure(config).await
    }

    async fn upgrade_resource_state(
        &self,
        type_name: &str,
        schema_version: i64,
        raw_json: &[u8],
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        let _slot = self.slot().await;
        self.inner
            .upgrade_resource_state(type_name, schema_version, raw_json)
            .await
    }

    async fn read_resource(
        &self,
        type_name: &str,
        current: &Value,
        private: &[u8],
    ) -> Result<ReadResponse, ProviderError> {
        let _slot = self.slot().await;
        self.inner.read_resource(type_name, current, private).await
    }

    async fn plan_resource_change(
        &self,
        request: PlanRequest<'_>,
    ) -> Result<PlanResponse, ProviderError> {
        let _slot = self.slot().await;
        self.inner.plan_resource_change(request).await
    }

    async fn apply_resource_change(
        &self,
        request: ApplyRequest<'_>,
    ) -> Result<ApplyResponse, ProviderError> {
        let _slot = self.slot().await;
        self.inner.apply_resource_change(request).await
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        let _slot = self.slot().await;
        self.inner.read_data_source(type_name, config).await
    }

    async fn read_data_source_at(
        &self,
        addr: &InstanceAddr,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        let _slot = self.slot().await;
        self.inner
            .read_data_source_at(addr, type_name, config)
            .await
    }

    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> Result<(Vec<ImportedObject>, Vec<ProviderDiagnostic>), ProviderError> {
        let _slot = self.slot().await;
        self.inner.import_resource_state(type_name, id).await
    }

    /// Shutting down never waits for a slot.
    async fn close(&self) {
        self.inner.close().await;
    }
}
