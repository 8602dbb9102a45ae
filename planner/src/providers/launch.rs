//! Starting the providers a configuration uses: find each plugin binary, launch it with the
//! working directory as its current directory, and fetch its schema.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenantform_proto::handshake::{LaunchOptions, launch};

use super::discovery::find_provider;
use super::grpc::{GrpcProvider, Timeouts};
use super::requirements::{conflicting_local_names, required_providers};
use super::{ProviderClient, Providers};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics};

/// Launches one process per provider the configuration uses and fetches the schemas, each
/// call bounded by `timeouts`.
pub(crate) async fn start_with(
    config: &Config,
    search_dirs: &[PathBuf],
    cwd: &Path,
    timeouts: Timeouts,
) -> Result<Providers, Diagnostics> {
    let mut providers = Providers::default();
    let mut diags = conflicting_local_names(config);
    if diags.has_errors() {
        return Err(diags);
    }
    for (name, source) in required_providers(config) {
        if source == super::builtin::SOURCE {
            let builtin = super::builtin::BuiltinProvider::new(cwd.to_path_buf());
            providers
                .schemas
                .insert(name.clone(), Arc::new(super::builtin::schema()));
            providers.sources.insert(name.clone(), source);
            let version = format!("builtin {}", env!("CARGO_PKG_VERSION"));
            providers.versions.insert(name.clone(), version);
            providers.clients.insert(name, Arc::new(builtin));
            continue;
        }
        let path = match find_provider(&source, search_dirs, cwd) {
            Ok(path) => path,
            Err(not_found) => {
                diags.extend(not_found);
                continue;
            }
        };
        let options = LaunchOptions {
            current_dir: Some(cwd.to_path_buf()),
            ..LaunchOptions::default()
        };
        let process = match launch(&path, options).await {
            Ok(process) => process,
            Err(error) => {
                diags.push(Diagnostic::error(
                    format!("Failed to start provider {source:?}"),
                    format!("Could not launch {}: {error}", path.display()),
                ));
                continue;
            }
        };
        let client = GrpcProvider::new(&source, process, timeouts);
        match client.schema().await {
            Ok(schema) => {
                providers.schemas.insert(name.clone(), Arc::new(schema));
                providers.sources.insert(name.clone(), source);
                providers
                    .versions
                    .insert(name.clone(), version_identity(&path));
                providers.clients.insert(name, Arc::new(client));
            }
            Err(error) => {
                diags.push(Diagnostic::error(
                    format!("Failed to load the schema of provider {source:?}"),
                    error.to_string(),
                ));
                client.close().await;
            }
        }
    }
    if diags.has_errors() {
        providers.close().await;
        return Err(diags);
    }
    Ok(providers)
}

/// What identifies the version of the provider binary at `path` for change-scoped planning:
/// its path (which names the version in a plugin directory), size and modification time, so
/// that replacing the binary, by an upgrade or a rebuild, changes it.
pub(crate) fn version_identity(path: &Path) -> String {
    let metadata = std::fs::metadata(path).ok();
    let size = metadata.as_ref().map_or(0, std::fs::Metadata::len);
    let modified = metadata
        .and_then(|m| m.modified().ok())
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    format!("{} size={size} modified={modified}", path.display())
}
