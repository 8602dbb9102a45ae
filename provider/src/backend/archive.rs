//! Verified archives, shared by every backend: data that is about to be dropped is first copied
//! to `<archive_dir>/<tenant slug>/<kind>-<name>-<UTC stamp YYYYMMDDTHHMMSSZ>/` together with a
//! `SHA256SUMS` file in `sha256sum` format, so `sha256sum -c SHA256SUMS` run inside the
//! directory checks it. [`ArchiveWriter::finish`] fsyncs everything and re-reads every file
//! against the digests taken while writing; only then may the caller drop the original.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BackendError;

/// The checksum file of every archive.
pub const CHECKSUM_FILE: &str = "SHA256SUMS";
const BUFFER_BYTES: usize = 64 * 1024;

/// Writes one archive directory; see the module documentation for its layout.
#[derive(Debug)]
pub struct ArchiveWriter {
    dir: PathBuf,
    /// Relative path (with `/` separators) to the SHA-256 of the bytes written there.
    digests: BTreeMap<String, String>,
    bytes: u64,
}

/// What a finished, verified archive holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveReceipt {
    /// The archive directory.
    pub dir: PathBuf,
    /// Number of data files (the checksum file not included).
    pub files: usize,
    /// Total size of the data files.
    pub bytes: u64,
}

fn archive_error(what: impl std::fmt::Display, path: &Path, error: std::io::Error) -> BackendError {
    BackendError::Archive(format!("{what} {}: {error}", path.display()))
}

/// The current UTC time as `YYYYMMDDTHHMMSSZ`.
pub fn utc_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::macros::format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))
    .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// One path component of the archive location: not empty, no separators, not `.` or `..`.
fn check_component(what: &str, value: &str) -> Result<(), BackendError> {
    if value.is_empty() || value == "." || value == ".." || value.contains(['/', '\\', '\0', '\n'])
    {
        return Err(BackendError::Archive(format!(
            "{what} {value:?} cannot name an archive directory"
        )));
    }
    Ok(())
}

/// Checks a path relative to the archive directory and returns it with `/` separators.
fn relative_path(path: &str) -> Result<String, BackendError> {
    let invalid =
        || BackendError::Archive(format!("{path:?} is not a relative path in an archive"));
    let mut parts = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().ok_or_else(invalid)?.to_string()),
            _ => return Err(invalid()),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() || joined == CHECKSUM_FILE {
        return Err(invalid());
    }
    Ok(joined)
}

/// Creates `dir`'s parent folders and `dir` itself, which must not exist yet.
fn create_fresh_dir(base: &Path, stem: &str) -> Result<PathBuf, BackendError> {
    fs::create_dir_all(base).map_err(|e| archive_error("creating", base, e))?;
    for attempt in 1..1000 {
        let name = if attempt == 1 {
            stem.to_string()
        } else {
            format!("{stem}-{attempt}")
        };
        let dir = base.join(name);
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(archive_error("creating", &dir, e)),
        }
    }
    Err(BackendError::Archive(format!(
        "too many archives named {stem} under {}",
        base.display()
    )))
}

impl ArchiveWriter {
    /// Creates `<archive_dir>/<tenant_slug>/<kind>-<name>-<stamp>/` (with a numeric suffix when
    /// an archive of the same name was made in the same second).
    pub fn begin(
        archive_dir: &Path,
        tenant_slug: &str,
        kind: &str,
        name: &str,
    ) -> Result<ArchiveWriter, BackendError> {
        check_component("tenant slug", tenant_slug)?;
        check_component("archive kind", kind)?;
        check_component("archive name", name)?;
        let dir = create_fresh_dir(
            &archive_dir.join(tenant_slug),
            &format!("{kind}-{name}-{}", utc_stamp()),
        )?;
        Ok(ArchiveWriter {
            dir,
            digests: BTreeMap::new(),
            bytes: 0,
        })
    }

    /// The archive directory being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens `relative` for writing, creating its parent folders.
    fn create(&mut self, relative: &str) -> Result<(String, PathBuf, File), BackendError> {
        let relative = relative_path(relative)?;
        if self.digests.contains_key(&relative) {
            return Err(BackendError::Archive(format!(
                "{relative:?} was already added to the archive"
            )));
        }
        let target = self.dir.join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| archive_error("creating", parent, e))?;
        }
        let file = File::create(&target).map_err(|e| archive_error("creating", &target, e))?;
        Ok((relative, target, file))
    }

    /// Writes `contents` as the archive file `relative`.
    pub fn add_file(&mut self, relative: &str, contents: &[u8]) -> Result<(), BackendError> {
        let (relative, target, mut file) = self.create(relative)?;
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(|e| archive_error("writing", &target, e))?;
        self.digests
            .insert(relative, hex::encode(Sha256::digest(contents)));
        self.bytes += contents.len() as u64;
        Ok(())
    }

    /// Copies the file `source` to the archive file `relative`, hashing what it reads.
    pub fn copy_file(&mut self, relative: &str, source: &Path) -> Result<(), BackendError> {
        let mut input = File::open(source).map_err(|e| archive_error("reading", source, e))?;
        let (relative, target, mut output) = self.create(relative)?;
        let mut hasher = Sha256::new();
        let mut copied = 0u64;
        read_chunks(&mut input, source, |chunk| {
            hasher.update(chunk);
            copied += chunk.len() as u64;
            output
                .write_all(chunk)
                .map_err(|e| archive_error("writing", &target, e))
        })?;
        output
            .sync_all()
            .map_err(|e| archive_error("writing", &target, e))?;
        self.digests
            .insert(relative, hex::encode(hasher.finalize()));
        self.bytes += copied;
        Ok(())
    }

    /// Copies every regular file under the folder `source` to `<relative_prefix>/<path>`, in
    /// name order. Symbolic links are not followed (they could point outside the tenant's
    /// data) and are left out, as are empty folders.
    pub fn copy_tree(&mut self, relative_prefix: &str, source: &Path) -> Result<(), BackendError> {
        let prefix = relative_path(relative_prefix)?;
        let mut entries: Vec<_> = fs::read_dir(source)
            .map_err(|e| archive_error("reading", source, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| archive_error("reading", source, e))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| {
                BackendError::Archive(format!("{} is not a UTF-8 file name", path.display()))
            })?;
            let file_type = entry
                .file_type()
                .map_err(|e| archive_error("reading", &path, e))?;
            let relative = format!("{prefix}/{name}");
            if file_type.is_dir() {
                self.copy_tree(&relative, &path)?;
            } else if file_type.is_file() {
                self.copy_file(&relative, &path)?;
            }
        }
        Ok(())
    }

    /// Writes `SHA256SUMS`, fsyncs the directories, then re-reads every file and compares it
    /// with the digest taken while writing. Only a receipt means the archive can be trusted.
    pub fn finish(self) -> Result<ArchiveReceipt, BackendError> {
        let manifest: String = self
            .digests
            .iter()
            .map(|(path, digest)| manifest_line(digest, path))
            .collect();
        let sums = self.dir.join(CHECKSUM_FILE);
        let mut file = File::create(&sums).map_err(|e| archive_error("creating", &sums, e))?;
        file.write_all(manifest.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| archive_error("writing", &sums, e))?;
        sync_dirs(&self.dir, self.digests.keys())?;
        for (relative, expected) in &self.digests {
            check_digest(&self.dir, relative, expected)?;
        }
        Ok(ArchiveReceipt {
            dir: self.dir,
            files: self.digests.len(),
            bytes: self.bytes,
        })
    }
}

/// Fsyncs the archive directory, every folder inside it and its parent, so the new entries
/// survive a crash.
fn sync_dirs<'a>(dir: &Path, files: impl Iterator<Item = &'a String>) -> Result<(), BackendError> {
    let mut folders: Vec<PathBuf> = files
        .filter_map(|relative| Path::new(relative).parent().map(|p| dir.join(p)))
        .collect();
    folders.push(dir.to_path_buf());
    if let Some(parent) = dir.parent() {
        folders.push(parent.to_path_buf());
    }
    folders.sort();
    folders.dedup();
    for folder in folders {
        File::open(&folder)
            .and_then(|handle| handle.sync_all())
            .map_err(|e| archive_error("syncing", &folder, e))?;
    }
    Ok(())
}

/// One `sha256sum` line; names with a backslash or newline are escaped as GNU coreutils does.
fn manifest_line(digest: &str, path: &str) -> String {
    if path.contains(['\\', '\n']) {
        let escaped = path.replace('\\', "\\\\").replace('\n', "\\n");
        format!("\\{digest}  {escaped}\n")
    } else {
        format!("{digest}  {path}\n")
    }
}

/// Parses one `sha256sum` line into the digest and the relative path.
fn parse_manifest_line(line: &str) -> Option<(String, String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (digest, path) = line.split_once("  ").or_else(|| line.split_once(" *"))?;
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let path = if escaped {
        unescape(path)?
    } else {
        path.to_string()
    };
    Some((digest.to_ascii_lowercase(), path))
}

fn unescape(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The SHA-256 of a file's contents, as hex.
pub fn sha256_file(path: &Path) -> Result<String, BackendError> {
    let mut file = File::open(path).map_err(|e| archive_error("reading", path, e))?;
    let mut hasher = Sha256::new();
    read_chunks(&mut file, path, |chunk| {
        hasher.update(chunk);
        Ok(())
    })?;
    Ok(hex::encode(hasher.finalize()))
}

/// Reads the file `input` (at `path`) to its end, handing each chunk read to `each`.
fn read_chunks(
    input: &mut File,
    path: &Path,
    mut each: impl FnMut(&[u8]) -> Result<(), BackendError>,
) -> Result<(), BackendError> {
    let mut buffer = vec![0u8; BUFFER_BYTES];
    loop {
        let read = input
            .read(&mut buffer)
            .map_err(|e| archive_error("reading", path, e))?;
        if read == 0 {
            return Ok(());
        }
        each(&buffer[..read])?;
    }
}

fn check_digest(dir: &Path, relative: &str, expected: &str) -> Result<(), BackendError> {
    let relative = relative_path(relative)?;
    let actual = sha256_file(&dir.join(&relative))?;
    if actual != expected {
        return Err(BackendError::Archive(format!(
            "{relative} in {} does not match its checksum",
            dir.display()
        )));
    }
    Ok(())
}

/// Re-checks an archive directory: every file listed in its `SHA256SUMS` must exist and match.
pub fn verify(dir: &Path) -> Result<(), BackendError> {
    let sums = dir.join(CHECKSUM_FILE);
    let manifest = fs::read_to_string(&sums).map_err(|e| archive_error("reading", &sums, e))?;
    for (number, line) in manifest.lines().enumerate() {
        let (digest, path) = parse_manifest_line(line).ok_or_else(|| {
            BackendError::Archive(format!(
                "line {} of {} is not a sha256sum line",
                number + 1,
                sums.display()
            ))
        })?;
        check_digest(dir, &path, &digest)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
