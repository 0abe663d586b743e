//! The lock of a simulator's state file (software eUICC or simulated GP card), taken for the
//! whole command, and the check that a file is a state of the right kind before anything is
//! created beside it.

use std::fs;
use std::path::Path;

use oxicard_sim::storage::{MAX_STATE_LEN, StateError, StateLock, read_state};

use crate::error::CliError;

/// How long a command waits for another process to release a state file: `OXICARD_LOCK_WAIT`
/// seconds, default 30.
fn lock_wait() -> Result<std::time::Duration, CliError> {
    match std::env::var("OXICARD_LOCK_WAIT") {
        Err(_) => Ok(std::time::Duration::from_secs(30)),
        Ok(text) => text
            .trim()
            .parse::<u64>()
            .map(std::time::Duration::from_secs)
            .map_err(|_| CliError::Usage(format!("OXICARD_LOCK_WAIT={text:?}: not a number of seconds"))),
    }
}

/// Locks the state file `path` of a simulator (software eUICC or GP card) for this command,
/// creating its directory when missing; while another process holds it, says so on stderr
/// and waits up to [`lock_wait`].
pub(crate) fn lock_state(path: &Path) -> Result<StateLock, CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| CliError::io("cannot create", dir, &e))?;
    }
    let wait = lock_wait()?;
    let lock = StateLock::acquire_with(path, wait, |holder| {
        eprintln!(
            "oxicard: waiting up to {} s for {} (in use by {})",
            wait.as_secs(),
            crate::output::printable(&path.display().to_string()),
            crate::output::printable(holder.unwrap_or("another process"))
        );
    })?;
    Ok(lock)
}

/// Refuses a file at `path` that is not a `what` state (its `format` member is not `format`),
/// before anything beside it is created or removed.
pub(crate) fn check_format(path: &Path, format: &str, what: &str) -> Result<(), CliError> {
    let not_ours = |why: String| {
        CliError::Sim(format!(
            "{} is not a {what} state file ({why}); it is left as it is: pass another --sim path",
            path.display()
        ))
    };
    let bytes = read_state(path, MAX_STATE_LEN).map_err(StateError::from)?.unwrap_or_default();
    let document: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| not_ours(format!("not JSON: {e}")))?;
    match document.get("format").and_then(serde_json::Value::as_str) {
        Some(found) if found == format => Ok(()),
        Some(other) => Err(not_ours(format!("format {other:?}"))),
        None => Err(not_ours("no format member".into())),
    }
}

/// [`lock_state`] for a `what` state whose documents have `format`: a path that is a link or not
/// a regular file, or a file of another kind, is refused before a lock file is created beside it.
pub(crate) fn lock_state_of(path: &Path, format: &str, what: &str) -> Result<StateLock, CliError> {
    if oxicard_sim::storage::state_present(path).map_err(StateError::from)? {
        check_format(path, format, what)?;
    }
    lock_state(path)
}
