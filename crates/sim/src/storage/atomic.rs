//! Atomic, durable replacement of a file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::FileError;

/// A name for a temporary file beside `path` that no other writer uses: the file name, the
/// process id and 64 random bits (`euicc.json.4711.9f3c….tmp`).
fn temporary_name(path: &Path) -> Result<PathBuf, FileError> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random)
        .map_err(|e| FileError::io(path, std::io::Error::other(format!("random temporary name: {e}"))))?;
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(format!(".{}.{}.tmp", std::process::id(), hex::encode(random)));
    Ok(path.with_file_name(name))
}

/// The directory `path` is in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to a new, exclusively created, owner-only file.
fn write_new(temporary: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    // create_new is O_CREAT | O_EXCL: it never opens an existing file, nor follows a link.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(temporary)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces `path` by `bytes`, atomically and durably.
///
/// The bytes go to a unique temporary file in the same directory (created exclusively, mode
/// `0600` from the start), which is synced, renamed over `path` (POSIX `rename(2)`: atomic),
/// and the directory is synced so the rename survives a power cut. A symbolic link or a
/// non-regular file at `path` is refused ([`FileError::Symlink`], [`FileError::NotRegular`]),
/// never written through. On failure the temporary file is removed and `path` is unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    super::read::state_present(path)?;
    let temporary = temporary_name(path)?;
    let written = write_new(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(FileError::io(path, error));
    }
    #[cfg(unix)]
    {
        let directory = directory_of(path);
        File::open(directory).and_then(|d| d.sync_all()).map_err(|e| FileError::io(directory, e))?;
    }
    #[cfg(not(unix))]
    let _ = directory_of(path);
    Ok(())
}
