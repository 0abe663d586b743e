//! One process at a time per state file.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{FileError, StateError};

/// The suffix of a state's lock file: `euicc.json` is guarded by `euicc.json.lock`.
pub const LOCK_SUFFIX: &str = ".lock";

/// The most of a lock file read to name its holder.
const HOLDER_LEN: u64 = 256;

/// An exclusive lock on a state file, held until dropped.
///
/// The lock is `flock(2)` on `STATE.lock` (created owner-only, never through a link, and left
/// in place: removing a lock file races with the next locker). The holder writes
/// `pid N: COMMAND LINE` into it, so a waiting process can say who it waits for. The state file
/// itself is replaced by `rename(2)` on every save, which is why the lock lives in a file of its
/// own.
///
/// The lock covers the state and everything kept beside it (the software eUICC's identity
/// files): whoever holds it may create, read, replace or remove them.
#[derive(Debug)]
pub struct StateLock {
    file: File,
    state: PathBuf,
}

/// The lock file of `state`.
fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(LOCK_SUFFIX);
    state.with_file_name(name)
}

/// Opens (or creates, `0600`) the lock file, refusing a link or a non-regular file.
fn open_lock_file(path: &Path) -> Result<File, FileError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(FileError::Symlink { path: path.to_owned() });
        }
        Err(e) => return Err(FileError::io(path, e)),
    };
    let metadata = file.metadata().map_err(|e| FileError::io(path, e))?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular { path: path.to_owned(), what: "not a regular file" });
    }
    Ok(file)
}

/// What the holder wrote into the lock file, if anything readable.
fn holder_of(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(HOLDER_LEN).read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().filter(|c| !c.is_control()).collect())
}

/// What this process writes into the lock file it holds.
fn this_holder() -> String {
    let command: Vec<String> = std::env::args().map(|a| a.chars().take(64).collect()).take(6).collect();
    format!("pid {}: {}", std::process::id(), command.join(" "))
}

impl StateLock {
    /// Locks the state file `state`, waiting up to `wait` for another holder to release it.
    ///
    /// Before anything is created, `state` is checked: a symbolic link or anything but a
    /// regular file is refused (the lock file is never created beside a device or inside a
    /// directory named by mistake).
    ///
    /// Errors: [`StateError::File`] (the state or lock path is a link, not a regular file, or
    /// cannot be created), [`StateError::Busy`] after `wait`.
    pub fn acquire(state: &Path, wait: Duration) -> Result<StateLock, StateError> {
        StateLock::acquire_with(state, wait, |_| {})
    }

    /// [`StateLock::acquire`], calling `waiting` once with the holder's description (`pid N:
    /// COMMAND`, when it wrote one) if the lock is taken, before waiting for it.
    pub fn acquire_with(
        state: &Path,
        wait: Duration,
        mut waiting: impl FnMut(Option<&str>),
    ) -> Result<StateLock, StateError> {
        super::read::state_present(state)?;
        let path = lock_path(state);
        let mut file = open_lock_file(&path)?;
        let started = Instant::now();
        let mut told = false;
        let mut pause = Duration::from_millis(5);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(FileError::io(&path, e).into()),
            }
            let waited = started.elapsed();
            if waited >= wait {
                return Err(StateError::Busy {
                    path: state.to_owned(),
                    holder: holder_of(&mut file),
                    waited,
                });
            }
            if !told {
                waiting(holder_of(&mut file).as_deref());
                told = true;
            }
            std::thread::sleep(pause.min(wait.saturating_sub(waited)));
            pause = (pause * 2).min(Duration::from_millis(100));
        }
        // Best effort: the holder text only helps messages.
        let holder = this_holder();
        let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(holder.as_bytes()));
        Ok(StateLock { file, state: state.to_owned() })
    }

    /// The state file this lock guards.
    pub fn state_path(&self) -> &Path {
        &self.state
    }

    /// Whether the state file exists (a regular file); see [`state_present`](super::state_present).
    pub fn state_present(&self) -> Result<bool, StateError> {
        Ok(super::read::state_present(&self.state)?)
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes it immediate.
        let _ = self.file.unlock();
    }
}
