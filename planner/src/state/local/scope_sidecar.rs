//! Where a local state keeps its change-scoped planning record: the sidecar
//! `terraform.tfstate.scope` beside the state file (Terraform never reads it), replaced
//! atomically as the state file is.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::LocalStore;
use crate::state::{ScopeRecord, StateError};

impl LocalStore {
    /// The sidecar's path: the state file's name with `.scope` appended.
    pub(crate) fn scope_path(&self) -> PathBuf {
        let mut name = self
            .state_path
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_default();
        name.push(".scope");
        self.state_path.with_file_name(name)
    }
}

/// The record in the sidecar; `None` when there is none or it is not a record of this
/// format (a damaged sidecar only costs a full plan).
pub(super) fn read(path: &Path) -> Result<Option<ScopeRecord>, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(ScopeRecord::from_bytes(&bytes)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(StateError::io("read", path, err)),
    }
}
