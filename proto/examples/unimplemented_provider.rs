//! The smallest plugin: a provider whose every call answers `Unimplemented`, served with the
//! go-plugin handshake. The launch tests start it as a real child process.

use tenantform_proto::handshake;
use tenantform_proto::tfplugin6::provider_server::Provider;

struct UnimplementedProvider;

#[tonic::async_trait]
impl Provider for UnimplementedProvider {}

#[tokio::main]
async fn main() {
    if let Err(error) = handshake::serve(UnimplementedProvider).await {
        eprintln!("Error: {error}");
        std::process::exit(1);
    }
}
