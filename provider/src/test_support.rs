//! What the unit tests of several modules share: answering gRPC calls of the provider.

use std::future::Future;

use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_server::Provider;
use tonic::Request;

use crate::server::TenantProvider;

/// The message of a gRPC call that must succeed at the transport level; problems are
/// reported as diagnostics inside it.
pub(crate) async fn answer<T>(
    call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> T {
    call.await.unwrap().into_inner()
}

/// The answer of `ReadDataSource` for the data source `type_name` with `config`.
pub(crate) async fn read_data_source(
    provider: &TenantProvider,
    type_name: &str,
    config: Option<wire::DynamicValue>,
) -> wire::read_data_source::Response {
    let request = wire::read_data_source::Request {
        type_name: type_name.into(),
        config,
        ..Default::default()
    };
    answer(provider.read_data_source(Request::new(request))).await
}

/// The answer of `ImportResourceState` for the resource type `type_name` and import `id`.
pub(crate) async fn import_resource(
    provider: &TenantProvider,
    type_name: &str,
    id: &str,
) -> wire::import_resource_state::Response {
    let request = wire::import_resource_state::Request {
        type_name: type_name.into(),
        id: id.into(),
        ..Default::default()
    };
    answer(provider.import_resource_state(Request::new(request))).await
}
