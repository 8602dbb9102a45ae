//! The local state store: `terraform.tfstate` in the working directory, as Terraform's local
//! backend keeps it, plus `terraform.tfstate.journal` for per-instance durability.
//!
//! - Writes are atomic and durable: a temporary file in the same directory is written and
//!   fsynced, renamed over the state file, and the directory is fsynced.
//! - The first write of a run keeps the previous content as `terraform.tfstate.backup`.
//! - A state file that cannot be parsed is reported and never overwritten.
//! - `terraform.tfstate.digest` records what was last written, so that a damaged file that
//!   still parses is refused too (see [`super::local_digest`]).
//! - The store owns the serial (see [`StateStore::write`]).
//! - The lock is an OS advisory lock on `.terraform.tfstate.lock.info` (see [`super::lock`]).

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::ScopeRecord;
use super::encrypted::{self, EncryptionChoice};
use super::journal::{self, Header};
use super::local_digest;
use super::lock::{self, StateLock};
use super::snapshot::{Snapshot, WriteSerial, content_digest, replay};
use super::{JournalEntry, State, StateError, StateStore, format_v4};

/// The default state file name.
pub(crate) const DEFAULT_STATE_FILE: &str = "terraform.tfstate";

/// A state file on the local file system, with its backup, journal and lock beside it.
pub(crate) struct LocalStore {
    state_path: PathBuf,
    backup_path: PathBuf,
    journal_path: PathBuf,
    lock_path: PathBuf,
    /// What tenantform last wrote to the state file (see [`super::local_digest`]).
    digest_path: PathBuf,
    /// How messages name the state file (the path as given).
    display_name: String,
    /// The encryption target of the files (`TF_ENCRYPTION`).
    encryption: EncryptionChoice,
    inner: Mutex<Inner>,
}

/// The state file as read: its bytes, its state, and whether it must be re-encrypted.
type StateFile = (Option<Vec<u8>>, Option<State>, bool);

/// The state file as read, with the hex SHA-256 of its bytes when it is not encrypted.
type HashedStateFile = (StateFile, Option<String>);

#[derive(Default)]
struct Inner {
    /// What the state file holds, once known.
    snapshot: Option<Snapshot>,
    /// Whether this run already checked the existing file and took the backup.
    backup_taken: bool,
    /// The journal, open for appending, once this run recorded a change.
    journal: Option<File>,
    /// The state file was read through a fallback method (or unencrypted where the method
    /// encrypts): the next write rewrites it even when its content is unchanged.
    reencrypt: bool,
    /// The hex SHA-256 of the unencrypted state file the last read returned as it is (no
    /// journal changes over it), until the next write.
    read_sha256: Option<String>,
    /// The serial and hex SHA-256 of the unencrypted state file this run last wrote.
    written_sha256: Option<(u64, String)>,
}

impl LocalStore {
    /// The store for `terraform.tfstate` in `dir`.
    #[cfg(test)]
    pub(crate) fn in_dir(dir: impl AsRef<Path>) -> LocalStore {
        LocalStore::at_path(dir.as_ref().join(DEFAULT_STATE_FILE))
    }

    /// The store for the state file at `state_path` (e.g. from `-state=PATH`).
    pub(crate) fn at_path(state_path: impl Into<PathBuf>) -> LocalStore {
        let state_path = state_path.into();
        let file_name = state_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| DEFAULT_STATE_FILE.to_string());
        let sibling = |name: String| state_path.with_file_name(name);
        LocalStore {
            backup_path: sibling(format!("{file_name}.backup")),
            journal_path: sibling(format!("{file_name}.journal")),
            lock_path: sibling(format!(".{file_name}.lock.info")),
            digest_path: sibling(format!("{file_name}.digest")),
            display_name: state_path.display().to_string(),
            state_path,
            encryption: EncryptionChoice::default(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The store with another encryption target than the `state` one.
    pub(crate) fn with_encryption(mut self, encryption: EncryptionChoice) -> LocalStore {
        self.encryption = encryption;
        self
    }

    pub(crate) fn state_path(&self) -> &Path {
        &self.state_path
    }

    #[cfg(test)]
    pub(crate) fn backup_path(&self) -> &Path {
        &self.backup_path
    }

    #[cfg(test)]
    pub(crate) fn journal_path(&self) -> &Path {
        &self.journal_path
    }

    #[cfg(test)]
    pub(crate) fn lock_path(&self) -> &Path {
        &self.lock_path
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The state file's bytes, `None` when it does not exist.
    fn read_state_bytes(&self) -> Result<Option<Vec<u8>>, StateError> {
        match std::fs::read(&self.state_path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(StateError::io("read", &self.state_path, err)),
        }
    }

    /// Parses (and decrypts) the state file as it is on disk, without the journal; also
    /// tells whether it must be re-encrypted.
    fn read_state_file(&self) -> Result<StateFile, StateError> {
        Ok(self.read_hashed_state_file()?.0)
    }

    /// [`Self::read_state_file`], with the SHA-256 of an unencrypted file's bytes (taken once
    /// for both the damage check and the change-scoped planning record).
    fn read_hashed_state_file(&self) -> Result<HashedStateFile, StateError> {
        let bytes = self.read_state_bytes()?;
        let Some(stored) = &bytes else {
            return Ok(((None, None, false), None));
        };
        let target = self.encryption.target()?;
        let (plain, reencrypt) =
            encrypted::open_state(target.as_deref(), stored, &self.display_name)?;
        // The digest is taken on a second thread while the text parses.
        let (state, sha256) = std::thread::scope(|threads| {
            let sha256 = target
                .is_none()
                .then(|| threads.spawn(|| local_digest::bytes_sha256(&plain)));
            let state = format_v4::parse(&plain, &self.display_name);
            let sha256 = sha256.map(|digest| {
                digest
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            (state, sha256)
        });
        let state = state?;
        local_digest::check(
            &self.digest_path,
            &self.display_name,
            Some(&plain),
            sha256.as_deref(),
            state.as_ref(),
        )?;
        Ok(((bytes, state, reencrypt), sha256))
    }

    fn read_journal(&self) -> Result<Option<journal::Journal>, StateError> {
        match std::fs::read(&self.journal_path) {
            Ok(bytes) => journal::parse(
                &bytes,
                &self.journal_path.display().to_string(),
                self.encryption.target()?.as_deref(),
            ),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(StateError::io("read", &self.journal_path, err)),
        }
    }

    /// Checks the file about to be replaced (it must parse and share the lineage) and keeps
    /// its content as the backup, once per run.
    fn prepare_first_write(&self, inner: &mut Inner, state: &State) -> Result<(), StateError> {
        if inner.backup_taken {
            return Ok(());
        }
        let (bytes, existing, _) = self.read_state_file()?;
        if let Some(existing) = existing.as_ref().filter(|e| e.lineage != state.lineage) {
            return Err(StateError::LineageMismatch {
                file: self.display_name.clone(),
                found: existing.lineage.clone(),
                expected: state.lineage.clone(),
            });
        }
        if let Some(bytes) = bytes.filter(|bytes| !bytes.is_empty()) {
            write_atomically(&self.backup_path, &bytes)?;
        }
        inner.snapshot = Some(Snapshot::of(existing.as_ref()));
        inner.backup_taken = true;
        Ok(())
    }

    fn remove_journal(&self, inner: &mut Inner) -> Result<(), StateError> {
        inner.journal = None;
        match std::fs::remove_file(&self.journal_path) {
            Ok(()) => sync_parent_dir(&self.journal_path),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
            Err(err) => Err(StateError::io("remove", &self.journal_path, err)),
        }
    }

    /// Opens the journal for this run: appends to one that applies to the current state
    /// file, replaces a stale one, creates one when there is none.
    fn open_journal(&self, inner: &mut Inner) -> Result<File, StateError> {
        let snapshot = match &inner.snapshot {
            Some(snapshot) => snapshot.clone(),
            None => Snapshot::of(self.read_state_file()?.1.as_ref()),
        };
        let (lineage, serial) = snapshot.base();
        let expected = Header::for_snapshot(lineage, serial);
        inner.snapshot = Some(snapshot);
        match self.read_journal()? {
            Some(existing) if existing.header == expected => {
                journal::open_for_append(&self.journal_path, existing.intact_len)
            }
            Some(stale) => {
                tracing::warn!(
                    "replacing the stale journal {} (it applies to serial {}, the state file is newer)",
                    self.journal_path.display(),
                    stale.header.base_serial
                );
                journal::create(&self.journal_path, &expected)
            }
            None => journal::create(&self.journal_path, &expected),
        }
    }
}

impl StateStore for LocalStore {
    fn local_path(&self) -> Option<&Path> {
        Some(self.state_path())
    }

    fn read(&self) -> Result<Option<State>, StateError> {
        let mut inner = self.inner();
        let ((_, mut state, reencrypt), sha256) = self.read_hashed_state_file()?;
        inner.read_sha256 = sha256;
        // Only the base of a journal is needed before the first write, which digests the
        // file's content itself (`prepare_first_write`).
        inner.snapshot = Some(Snapshot::of_read(state.as_ref()));
        inner.reencrypt = reencrypt;
        let Some(journal) = self.read_journal()? else {
            return Ok(state);
        };
        let journal_file = self.journal_path.display().to_string();
        if let (Some(state), Some(lineage)) = (&state, &journal.header.lineage)
            && &state.lineage != lineage
        {
            return Err(StateError::CorruptJournal {
                file: journal_file,
                line: 1,
                detail: format!(
                    "it belongs to lineage {lineage}, the state file to {}",
                    state.lineage
                ),
            });
        }
        if !journal.header.applies_to(state.as_ref()) {
            tracing::warn!(
                "ignoring the stale journal {journal_file}: the state file was written after it"
            );
            return Ok(state);
        }
        if !journal.changes.is_empty() {
            // The state read is no longer the file's.
            inner.read_sha256 = None;
            tracing::info!(
                "replaying {} change(s) from {journal_file} over the state file",
                journal.changes.len()
            );
        }
        replay(&mut state, journal);
        Ok(state)
    }

    fn write(&self, state: &State) -> Result<u64, StateError> {
        let mut inner = self.inner();
        self.prepare_first_write(&mut inner, state)?;
        let digest = content_digest(state);
        let current = inner.snapshot.clone().unwrap_or(Snapshot::Absent);
        let serial = match current.serial_for(state, &digest) {
            WriteSerial::Unchanged(serial) if !inner.reencrypt => {
                self.remove_journal(&mut inner)?;
                // The file is still the one read: a record written now may name it.
                if let Some(read) = inner.read_sha256.clone() {
                    inner.written_sha256 = Some((serial, read));
                }
                return Ok(serial);
            }
            WriteSerial::Unchanged(serial) | WriteSerial::New(serial) => serial,
        };
        let mut v4 = format_v4::to_v4(state);
        v4.serial = serial;
        let mut bytes = super::pretty_writer::to_vec_pretty(&v4).unwrap_or_default();
        bytes.push(b'\n');
        let target = self.encryption.target()?;
        let stored = encrypted::seal_state(
            target.as_deref(),
            &bytes,
            serial,
            &state.lineage,
            &self.display_name,
        )?;
        write_atomically(&self.state_path, &stored)?;
        local_digest::record(
            &self.digest_path,
            &bytes,
            &self.display_name,
            target.is_some(),
        )?;
        inner.read_sha256 = None;
        inner.written_sha256 = target
            .is_none()
            .then(|| (serial, local_digest::bytes_sha256(&bytes)));
        inner.reencrypt = false;
        inner.snapshot = Some(Snapshot::Present {
            lineage: state.lineage.clone(),
            serial,
            content_digest: digest,
        });
        self.remove_journal(&mut inner)?;
        Ok(serial)
    }

    fn record_entry(&self, entry: JournalEntry<'_>) -> Result<(), StateError> {
        self.append_line(&journal::encode_entry(entry))
    }

    fn compact(&self, state: &State) -> Result<u64, StateError> {
        self.write(state)
    }

    fn replace(&self, state: &State) -> Result<(), StateError> {
        let mut inner = self.inner();
        let target = self.encryption.target()?;
        let plain = format_v4::serialize(state);
        let stored = encrypted::seal_state(
            target.as_deref(),
            &plain,
            state.serial,
            &state.lineage,
            &self.display_name,
        )?;
        write_atomically(&self.state_path, &stored)?;
        local_digest::record(
            &self.digest_path,
            &plain,
            &self.display_name,
            target.is_some(),
        )?;
        inner.snapshot = Some(Snapshot::of(Some(state)));
        inner.read_sha256 = None;
        inner.written_sha256 = None;
        self.remove_journal(&mut inner)
    }

    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, StateError> {
        lock::lock_info_file(&self.lock_path, &self.display_name, operation, timeout)
    }

    fn read_scope_record(&self) -> Result<Option<super::ScopeRecord>, StateError> {
        if self.encryption.target()?.is_some() {
            return Ok(None);
        }
        let record = scope_sidecar::read(&self.scope_path())?;
        Ok(self.matched_to_read_file(record))
    }

    fn read_with_scope_record(&self) -> super::ReadWithRecord {
        if !matches!(self.encryption.target(), Ok(None)) {
            return (self.read(), self.read_scope_record());
        }
        let path = self.scope_path();
        let (state, record) = std::thread::scope(|threads| {
            let record = threads.spawn(|| scope_sidecar::read(&path));
            let state = self.read();
            let record = record
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (state, record)
        });
        (
            state,
            record.map(|record| self.matched_to_read_file(record)),
        )
    }

    fn write_scope_record(&self, record: &super::ScopeRecord) -> Result<(), StateError> {
        if self.encryption.target()?.is_some() {
            return Ok(());
        }
        let written = self.inner().written_sha256.clone();
        let bytes = match written {
            Some((serial, sha256)) if serial == record.serial => ScopeRecord {
                state_file_sha256: Some(sha256),
                ..record.clone()
            }
            .to_bytes(),
            _ => record.to_bytes(),
        };
        write_atomically(&self.scope_path(), &bytes)
    }
}

impl LocalStore {
    /// Appends one journal line durably, opening the journal on the run's first record.
    fn append_line(&self, line: &[u8]) -> Result<(), StateError> {
        let target = self.encryption.target()?;
        let line = encrypted::seal_journal_line(
            target.as_deref(),
            line,
            &self.journal_path.display().to_string(),
        )?;
        let mut inner = self.inner();
        let mut file = match inner.journal.take() {
            Some(file) => file,
            None => self.open_journal(&mut inner)?,
        };
        let appended = journal::append(&mut file, &line, &self.journal_path);
        inner.journal = Some(file);
        appended
    }
}

/// Replaces `path` with `bytes` atomically and durably: temporary file in the same directory,
/// fsync, rename, fsync of the directory. On failure the old file is untouched.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = path.with_file_name(format!(".{name}.tmp-{}-{unique}", std::process::id()));
    let result = (|| {
        let mut file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|err| StateError::io("create", &temp, err))?;
        // Named by the file it replaces: that is the one the user knows (e.g. on a full disk).
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|err| StateError::io("write", path, err))?;
        std::fs::rename(&temp, path).map_err(|err| StateError::io("replace", path, err))?;
        sync_parent_dir(path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Fsyncs the directory holding `path`, so that a rename or removal in it is durable.
pub(super) fn sync_parent_dir(path: &Path) -> Result<(), StateError> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|err| StateError::io("sync the directory", dir, err))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

mod scope_sidecar;
#[cfg(test)]
mod tests;
