//! Bounded reads of regular files.

use std::fs::{File, FileType, OpenOptions};
use std::io::Read;
use std::path::Path;

use super::FileError;

/// Whether a symbolic link at the path itself is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowLinks {
    /// Follow it (input files the user names: a CAP file, a CA, a key file).
    Yes,
    /// Refuse it with [`FileError::Symlink`] (state files).
    No,
}

/// What a file type is, for messages.
fn describe(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Checks what `path` is without opening it: `Ok(false)` when nothing is there, `Ok(true)` for
/// a regular file, an error for anything else (a link when `links` is [`FollowLinks::No`]).
fn check_kind(path: &Path, links: FollowLinks) -> Result<bool, FileError> {
    let metadata = match links {
        FollowLinks::Yes => std::fs::metadata(path),
        FollowLinks::No => std::fs::symlink_metadata(path),
    };
    match metadata {
        Ok(m) if m.file_type().is_symlink() => Err(FileError::Symlink { path: path.to_owned() }),
        Ok(m) if !m.is_file() => {
            Err(FileError::NotRegular { path: path.to_owned(), what: describe(m.file_type()) })
        }
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(FileError::io(path, e)),
    }
}

/// Whether a state file is at `path`: `Ok(false)` when nothing is there, `Ok(true)` for a
/// regular file, [`FileError::Symlink`] / [`FileError::NotRegular`] for anything else. Nothing
/// is opened.
pub fn state_present(path: &Path) -> Result<bool, FileError> {
    check_kind(path, FollowLinks::No)
}

/// Opens `path` for reading as a regular file: the type is checked before opening (so no
/// device or FIFO is ever opened) and again on the open file (so a swap in between is caught).
/// `O_NONBLOCK` keeps a FIFO swapped in from blocking the open; `O_NOFOLLOW` refuses a link.
fn open_regular(path: &Path, links: FollowLinks) -> Result<Option<File>, FileError> {
    if !check_kind(path, links)? {
        return Ok(None);
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if links == FollowLinks::No { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) && links == FollowLinks::No => {
            return Err(FileError::Symlink { path: path.to_owned() });
        }
        Err(e) => return Err(FileError::io(path, e)),
    };
    let metadata = file.metadata().map_err(|e| FileError::io(path, e))?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular { path: path.to_owned(), what: describe(metadata.file_type()) });
    }
    Ok(Some(file))
}

/// Reads all of `file`, at most `limit` bytes.
fn read_bounded(path: &Path, file: File, limit: u64) -> Result<Vec<u8>, FileError> {
    let len = file.metadata().map_err(|e| FileError::io(path, e))?.len();
    if len > limit {
        return Err(FileError::TooLarge { path: path.to_owned(), limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| FileError::io(path, e))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        // The file grew after the size check.
        return Err(FileError::TooLarge { path: path.to_owned(), limit });
    }
    Ok(bytes)
}

/// The error of a missing file, worded as the operating system words it.
fn not_found() -> std::io::Error {
    #[cfg(unix)]
    return std::io::Error::from_raw_os_error(libc::ENOENT);
    #[cfg(not(unix))]
    return std::io::ErrorKind::NotFound.into();
}

/// Reads the regular file `path`, at most `limit` bytes: a directory, FIFO, device or socket is
/// [`FileError::NotRegular`] (refused before it is opened), a larger file
/// [`FileError::TooLarge`] (refused before it is read), a missing one [`FileError::Io`] with
/// `NotFound`.
pub fn read_file(path: &Path, limit: u64, links: FollowLinks) -> Result<Vec<u8>, FileError> {
    match open_regular(path, links)? {
        Some(file) => read_bounded(path, file, limit),
        None => Err(FileError::io(path, not_found())),
    }
}

/// Reads the state file `path` as [`read_file`] with [`FollowLinks::No`]; `Ok(None)` when
/// there is none.
pub fn read_state(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, FileError> {
    match open_regular(path, FollowLinks::No)? {
        Some(file) => read_bounded(path, file, limit).map(Some),
        None => Ok(None),
    }
}
