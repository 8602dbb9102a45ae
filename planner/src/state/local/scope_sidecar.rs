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

impl LocalStore {
    /// `record` with whether it was written for the state file last read.
    pub(super) fn matched_to_read_file(&self, record: Option<ScopeRecord>) -> Option<ScopeRecord> {
        let mut record = record?;
        let read = self.inner().read_sha256.clone();
        record.state_file_matches =
            read.is_some() && record.state_file_sha256.as_ref() == read.as_ref();
        Some(record)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateStore;

    #[test]
    fn the_record_is_kept_beside_the_state_file_and_a_damaged_one_reads_as_none() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = LocalStore::in_dir(dir.path());
        assert_eq!(store.read_scope_record().ok(), Some(None));
        let record = ScopeRecord {
            format: crate::state::scope_record::SCOPE_RECORD_FORMAT,
            lineage: "l".into(),
            serial: 3,
            ..ScopeRecord::default()
        };
        assert!(store.write_scope_record(&record).is_ok());
        assert_eq!(
            store.scope_path(),
            dir.path().join("terraform.tfstate.scope")
        );
        assert_eq!(store.read_scope_record().ok(), Some(Some(record)));
        std::fs::write(store.scope_path(), b"{ not json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.read_scope_record().ok(), Some(None));
    }

    /// A record written after a state write names that file's bytes; a later read of the
    /// same bytes is told it matches, other bytes are not.
    #[test]
    fn the_record_names_the_written_file_and_only_those_bytes_match_it() {
        use crate::test_support::{instance_addr, stored_tenant};
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = LocalStore::in_dir(dir.path());
        let mut state = crate::state::State::new();
        state.set_instance(instance_addr("tenant.acme"), stored_tenant("acme"));
        let serial = store.write(&state).unwrap_or_else(|e| panic!("{e}"));
        let record = ScopeRecord {
            format: crate::state::scope_record::SCOPE_RECORD_FORMAT,
            lineage: state.lineage.clone(),
            serial,
            ..ScopeRecord::default()
        };
        store
            .write_scope_record(&record)
            .unwrap_or_else(|e| panic!("{e}"));
        let read_back = |store: &LocalStore| {
            store.read().unwrap_or_else(|e| panic!("{e}"));
            store
                .read_scope_record()
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no record"))
        };
        // Read in one step, the sidecar beside the state's parse: the same answers.
        let read_together = |store: &LocalStore| {
            let (read, record) = store.read_with_scope_record();
            let read = read.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read.map(|state| state.lineage), Some(state.lineage.clone()));
            record
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no record"))
        };
        let next_run = LocalStore::in_dir(dir.path());
        let matching = read_back(&next_run);
        assert!(matching.state_file_sha256.is_some());
        assert!(matching.state_file_matches);
        assert!(read_together(&LocalStore::in_dir(dir.path())).state_file_matches);
        // The same state written again by hand, indented otherwise: other bytes.
        let text = std::fs::read_to_string(next_run.state_path()).unwrap_or_default();
        std::fs::write(next_run.state_path(), text.replace("  ", "   "))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!read_back(&LocalStore::in_dir(dir.path())).state_file_matches);
        assert!(!read_together(&LocalStore::in_dir(dir.path())).state_file_matches);
        // Without a read, nothing matches.
        let unread = LocalStore::in_dir(dir.path());
        let record = unread.read_scope_record().unwrap_or_else(|e| panic!("{e}"));
        assert!(record.is_some_and(|record| !record.state_file_matches));
    }
}
