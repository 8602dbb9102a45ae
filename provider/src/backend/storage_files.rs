//! Tenant storage directories, shared by every backend: a directory under the storage root per
//! tenant, its usage measured by walking it, and its removal only after its contents were
//! archived and verified (archive kind `storage`).
//!
//! The provider does not sit on the write path of the storage, so a quota is not enforced
//! here: reads report `used_bytes`, and [`over_quota`] tells whether that exceeds the quota.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::BackendError;
use super::archive::{ArchiveReceipt, ArchiveWriter};

/// The archive kind of storage archives.
pub const ARCHIVE_KIND: &str = "storage";
/// The folder inside a storage archive that holds the tenant's files.
pub const ARCHIVED_FILES_DIR: &str = "files";
/// The description of the archived directory written beside the files.
pub const ARCHIVE_METADATA_FILE: &str = "storage.json";
const BYTES_PER_GB: i64 = 1024 * 1024 * 1024;

fn storage_error(what: &str, path: &Path, source: std::io::Error) -> BackendError {
    BackendError::Io {
        path: format!("{what} {}", path.display()),
        source,
    }
}

/// Creates the storage directory of a tenant: `<storage_root>/<tenant_slug>`, or
/// `<tenant_slug>-2`, `-3`, ... when that name is taken (for example by the directory of a
/// tombstoned tenant with the same slug). Returns its absolute path.
pub fn create_dir(storage_root: &Path, tenant_slug: &str) -> Result<PathBuf, BackendError> {
    if tenant_slug.is_empty() || tenant_slug.contains(['/', '\\', '.', '\0']) {
        return Err(BackendError::InvalidReference(format!(
            "{tenant_slug:?} cannot name a storage directory"
        )));
    }
    fs::create_dir_all(storage_root).map_err(|e| storage_error("creating", storage_root, e))?;
    let root = storage_root
        .canonicalize()
        .map_err(|e| storage_error("resolving", storage_root, e))?;
    for attempt in 1..1000 {
        let name = if attempt == 1 {
            tenant_slug.to_string()
        } else {
            format!("{tenant_slug}-{attempt}")
        };
        let dir = root.join(name);
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(storage_error("creating", &dir, e)),
        }
    }
    Err(BackendError::Io {
        path: root.display().to_string(),
        source: std::io::Error::other("no free storage directory name"),
    })
}

/// The total size in bytes of the regular files under `dir`; symbolic links are not followed.
/// A missing directory uses nothing.
pub fn used_bytes(dir: &Path) -> Result<u64, BackendError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(storage_error("reading", dir, e)),
    };
    let mut total = 0;
    for entry in entries {
        let entry = entry.map_err(|e| storage_error("reading", dir, e))?;
        let path = entry.path();
        let file_type = entry
            .file_type()
            .map_err(|e| storage_error("reading", &path, e))?;
        if file_type.is_dir() {
            total += used_bytes(&path)?;
        } else if file_type.is_file() {
            total += entry
                .metadata()
                .map_err(|e| storage_error("reading", &path, e))?
                .len();
        }
    }
    Ok(total)
}

/// Whether `used_bytes` exceeds a quota of `quota_gb` GiB.
pub fn over_quota(used_bytes: i64, quota_gb: i64) -> bool {
    used_bytes > quota_gb.saturating_mul(BYTES_PER_GB)
}

#[derive(Serialize)]
struct ArchivedStorage<'a> {
    tenant_slug: &'a str,
    source: String,
    used_bytes: u64,
    archived_at: String,
}

/// Archives the storage directory `dir` (which must lie inside `storage_root`) under
/// `<archive_dir>/<tenant_slug>/storage-<dir name>-<stamp>/`, verifies the archive, and only
/// then removes the directory. Returns `None` when the directory was already gone.
pub fn archive_and_remove(
    storage_root: &Path,
    dir: &Path,
    archive_dir: &Path,
    tenant_slug: &str,
) -> Result<Option<ArchiveReceipt>, BackendError> {
    if !dir.exists() {
        return Ok(None);
    }
    let root = storage_root
        .canonicalize()
        .map_err(|e| storage_error("resolving", storage_root, e))?;
    let resolved = dir
        .canonicalize()
        .map_err(|e| storage_error("resolving", dir, e))?;
    let name = match resolved.strip_prefix(&root) {
        Ok(inside) if inside.components().count() == 1 => inside.display().to_string(),
        _ => {
            return Err(BackendError::InvalidReference(format!(
                "{} is not a storage directory under {}",
                dir.display(),
                root.display()
            )));
        }
    };
    let mut writer = ArchiveWriter::begin(archive_dir, tenant_slug, ARCHIVE_KIND, &name)?;
    writer.copy_tree(ARCHIVED_FILES_DIR, &resolved)?;
    let metadata = ArchivedStorage {
        tenant_slug,
        source: resolved.display().to_string(),
        used_bytes: used_bytes(&resolved)?,
        archived_at: super::now_rfc3339(),
    };
    let json = serde_json::to_vec_pretty(&metadata)
        .map_err(|e| BackendError::Archive(format!("describing the archive: {e}")))?;
    writer.add_file(ARCHIVE_METADATA_FILE, &json)?;
    let receipt = writer.finish()?;
    fs::remove_dir_all(&resolved).map_err(|e| storage_error("removing", &resolved, e))?;
    Ok(Some(receipt))
}

#[cfg(test)]
mod tests;
