//! State locks: the lock information format (Terraform's `.terraform.tfstate.lock.info`), the
//! guard that holds a lock, and the local lock built on an OS advisory file lock, which the OS
//! releases when the holder dies so that a killed run never leaves a stuck lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::StateError;

/// Who holds a lock and why, in Terraform's lock info format.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    /// What the holder is doing, e.g. `OperationTypeApply`.
    pub operation: String,
    /// Free-form extra information.
    pub info: String,
    /// `user@host`.
    pub who: String,
    /// The holder's program version.
    pub version: String,
    /// When the lock was taken, RFC 3339.
    pub created: String,
    /// The state the lock protects.
    pub path: String,
}

impl LockInfo {
    /// Lock information for this process taking a lock on `path` for `operation`.
    pub(crate) fn for_this_process(operation: &str, path: &str) -> LockInfo {
        let created = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            info: String::new(),
            who: format!("{}@{}", user_name(), host_name()),
            version: super::PROGRAM_VERSION.to_string(),
            created,
            path: path.to_string(),
        }
    }
}

fn user_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// A held state lock; dropping it releases the lock.
pub(crate) struct StateLock {
    info: LockInfo,
    _held: Box<dyn Send + Sync>,
}

impl StateLock {
    /// A lock whose release is whatever dropping `held` does.
    pub(crate) fn new(info: LockInfo, held: Box<dyn Send + Sync>) -> StateLock {
        StateLock { info, _held: held }
    }

    #[cfg(test)]
    pub(crate) fn info(&self) -> &LockInfo {
        &self.info
    }
}

impl std::fmt::Debug for StateLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateLock")
            .field("info", &self.info)
            .finish()
    }
}

/// The message of [`StateError::Locked`], worded as Terraform's.
pub(super) fn locked_message(holder: &LockInfo, reason: &str) -> String {
    format!(
        "Error acquiring the state lock\n\n\
         Error message: {reason}\n\
         Lock Info:\n  ID:        {}\n  Path:      {}\n  Operation: {}\n  Who:       {}\n  \
         Version:   {}\n  Created:   {}\n  Info:      {}\n\n\
         The state is locked by another run. tenantform acquires a state lock to protect the \
         state from being written by multiple users at the same time. Wait for the other run \
         to finish, or retry with -lock-timeout to wait for it.",
        holder.id,
        holder.path,
        holder.operation,
        holder.who,
        holder.version,
        holder.created,
        holder.info,
    )
}

/// An OS advisory lock on the lock info file; dropping it removes the file and unlocks.
struct LocalLockGuard {
    file: File,
    path: PathBuf,
}

impl Drop for LocalLockGuard {
    fn drop(&mut self) {
        // Remove the info file while still holding the lock, so that a waiter that opened
        // the old file notices (see `lock_info_file`) and retries on a fresh one.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Takes the lock on `lock_path` (the info file), retrying until `timeout`.
pub(super) fn lock_info_file(
    lock_path: &Path,
    state_path: &str,
    operation: &str,
    timeout: Duration,
) -> Result<StateLock, StateError> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        match try_lock_once(lock_path, state_path, operation)? {
            Ok(lock) => return Ok(lock),
            Err(holder) => {
                let now = Instant::now();
                if now >= deadline {
                    let reason = "the state lock is held by another process".to_string();
                    return Err(StateError::Locked {
                        holder: Box::new(holder),
                        reason,
                    });
                }
                std::thread::sleep(pause.min(deadline - now));
                pause = (pause * 2).min(Duration::from_secs(1));
            }
        }
    }
}

/// One attempt: `Ok(Ok(lock))` when taken, `Ok(Err(holder))` when someone else holds it.
fn try_lock_once(
    lock_path: &Path,
    state_path: &str,
    operation: &str,
) -> Result<Result<StateLock, LockInfo>, StateError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path)
        .map_err(|err| StateError::io("open the lock file", lock_path, err))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(Err(read_holder(&mut file, state_path))),
        Err(TryLockError::Error(err)) => {
            return Err(StateError::io("lock", lock_path, err));
        }
    }
    if !still_linked(&file, lock_path) {
        // The previous holder removed this file between our open and lock: try again.
        return Ok(Err(LockInfo {
            path: state_path.into(),
            ..LockInfo::default()
        }));
    }
    let info = LockInfo::for_this_process(operation, state_path);
    let body = serde_json::to_vec(&info).unwrap_or_default();
    let write = |file: &mut File| -> std::io::Result<()> {
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&body)?;
        file.sync_data()
    };
    write(&mut file).map_err(|err| StateError::io("write the lock file", lock_path, err))?;
    let guard = LocalLockGuard {
        file,
        path: lock_path.to_path_buf(),
    };
    Ok(Ok(StateLock::new(info, Box::new(guard))))
}

fn read_holder(file: &mut File, state_path: &str) -> LockInfo {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    serde_json::from_str(&text).unwrap_or_else(|_| LockInfo {
        path: state_path.to_string(),
        info: "(the holder has not written its lock information yet)".to_string(),
        ..LockInfo::default()
    })
}

#[cfg(unix)]
fn still_linked(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_linked(_file: &File, path: &Path) -> bool {
    path.exists()
}
