//! State files on disk: how the simulators keep what a card keeps across processes, without
//! ever losing or mixing it up.
//!
//! - [`StateLock`]: one process at a time. A state file `X` is guarded by an exclusive
//!   advisory lock on `X.lock` (`flock(2)`), held from opening the state to the last save —
//!   for the software eUICC and the simulated GP card alike, the whole life of the simulator.
//!   A second process waits, bounded, then fails with [`StateError::Busy`] naming the holder.
//! - [`write_atomically`]: every save goes to a unique temporary file in the same directory,
//!   created exclusively (`O_CREAT | O_EXCL`, so never through a link) with mode `0600` from
//!   its first byte, then `fsync`, `rename(2)` over the state, and `fsync` of the directory:
//!   a crash at any moment leaves the old or the new state, never a mix, and two writers
//!   never share a temporary file.
//! - [`read_file`] and [`read_state`]: regular files only, with a size limit. A state path that
//!   is a symbolic link, a directory, a FIFO or a device is refused before anything is opened
//!   or created beside it; no read can exhaust memory.

mod atomic;
mod lock;
mod read;

use std::path::PathBuf;
use std::time::Duration;

pub use atomic::write_atomically;
pub use lock::{LOCK_SUFFIX, StateLock};
pub use read::{FollowLinks, read_file, read_state, state_present};

/// The largest state file read: 64 MiB (a state holds profile metadata, notifications and, for
/// the GP card, load files; far below this).
pub const MAX_STATE_LEN: u64 = 64 * 1024 * 1024;

/// How long [`StateLock::acquire`] waits by default for another process to release a state.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

/// Why a file could not be read or written: the path and what was wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The operating system refused (read-only file system, no space, permission…).
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The path names a directory, a FIFO, a device or a socket.
    #[error("{} is {what}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead ("a directory", "a FIFO", "a character device", …).
        what: &'static str,
    },
    /// The path is a symbolic link where a link is not followed (state, lock and temporary
    /// files).
    #[error("{} is a symbolic link; state files are not followed through links", path.display())]
    Symlink {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than the limit of what it holds.
    #[error("{} is too large (over {limit} bytes)", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl FileError {
    /// The path the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            FileError::Io { path, .. }
            | FileError::NotRegular { path, .. }
            | FileError::Symlink { path }
            | FileError::TooLarge { path, .. } => path,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> FileError {
        FileError::Io { path: path.to_owned(), source }
    }
}

/// Why a state file could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The file (or its lock or temporary file) could not be read or written, or is no regular
    /// file: `state file: X: Read-only file system (os error 30)` (the [`FileError`] is the source).
    #[error("state file")]
    File(#[from] FileError),
    /// The file is not a state file of this format.
    #[error("state file {}: {problem}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong (`format "x", expected "y"`), or where, when a decoder refused a
        /// member (`profiles`).
        problem: String,
        /// The decoder's error (JSON, hex, DER…), when one refused the file or a member.
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// The file belongs to an eUICC with another EID than the configured one.
    #[error("state file {} belongs to EID {found}, not {expected}", path.display())]
    EidMismatch {
        /// The file.
        path: PathBuf,
        /// The configured EID.
        expected: String,
        /// The EID in the file.
        found: String,
    },
    /// Another process holds the state's lock and did not release it in time.
    #[error(
        "state file {} is in use by another process ({}); gave up after {} s",
        path.display(),
        holder.as_deref().unwrap_or("holder unknown"),
        waited.as_secs()
    )]
    Busy {
        /// The state file.
        path: PathBuf,
        /// What the holder wrote in the lock file (`pid 1234: oxicard sim serve`), if readable.
        holder: Option<String>,
        /// How long this process waited.
        waited: Duration,
    },
}

impl StateError {
    /// [`StateError::Format`]: `path` is wrong in a way `problem` says.
    pub(crate) fn format(path: &std::path::Path, problem: impl Into<String>) -> StateError {
        StateError::Format { path: path.to_owned(), problem: problem.into(), source: None }
    }

    /// [`StateError::Format`]: a decoder refused `path` (or its member `problem` names) with
    /// `source`.
    pub(crate) fn format_because(
        path: &std::path::Path,
        problem: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> StateError {
        StateError::Format { path: path.to_owned(), problem: problem.into(), source: Some(source.into()) }
    }
}
