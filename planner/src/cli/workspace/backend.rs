//! The workspaces of the configured backend: listing, creating and deleting them (the local
//! backend's folders, the `pg` backend's rows).

use crate::cli::Failure;
use crate::cli::backend::{SelectedBackend, select_backend};
use crate::cli::common;
use crate::state::{PgStore, StateError};

/// The backend of the working directory's configuration.
pub(super) fn configured() -> Result<SelectedBackend, Failure> {
    let config = common::load_config()?;
    select_backend(config.backend.as_ref())
}

/// Every workspace of `backend`, `default` first; `summary` heads the error when the backend
/// cannot list them.
pub(super) fn list(backend: &SelectedBackend, summary: &str) -> Result<Vec<String>, Failure> {
    let listed = match backend {
        SelectedBackend::Local(spaces) => spaces.list(),
        SelectedBackend::Pg(settings) => pg(settings, "default")?.workspaces(),
    };
    listed.map_err(|err| failed(err, summary))
}

/// Creates `name` in `backend` (nothing when it exists).
pub(super) fn create(backend: &SelectedBackend, name: &str) -> Result<(), Failure> {
    let created = match backend {
        SelectedBackend::Local(spaces) => spaces.create(name),
        SelectedBackend::Pg(settings) => pg(settings, name)?.create_workspace(),
    };
    created.map_err(|err| failed(err, "Failed to create the workspace"))
}

/// Deletes `name` and its state from `backend`.
pub(super) fn delete(backend: &SelectedBackend, name: &str) -> Result<(), Failure> {
    let deleted = match backend {
        SelectedBackend::Local(spaces) => spaces.delete(name),
        SelectedBackend::Pg(settings) => pg(settings, name)?.delete_workspace(),
    };
    deleted.map_err(|err| failed(err, "Failed to delete the workspace"))
}

fn pg(settings: &crate::state::PgSettings, workspace: &str) -> Result<PgStore, Failure> {
    PgStore::new(settings.clone(), workspace)
        .map_err(|err| Failure::error("Invalid backend configuration", err.to_string()))
}

fn failed(err: StateError, summary: &str) -> Failure {
    common::state_failure(err, summary)
}

/// What `init` checks, as Terraform's `selectWorkspace`: the selected workspace must exist
/// in the backend; when the backend has a single workspace, that one is selected instead.
pub(crate) fn check_selected(backend: &SelectedBackend) -> Result<(), Failure> {
    let existing = list(backend, "Failed to get existing workspaces")?;
    let selected = super::current::current()?;
    if existing.contains(&selected) {
        return Ok(());
    }
    if let [only] = existing.as_slice() {
        return super::current::save(only)
            .map_err(|err| Failure::error("Failed to select a workspace", err.to_string()));
    }
    Err(Failure::error(
        format!("Currently selected workspace {selected:?} does not exist"),
        "",
    ))
}
