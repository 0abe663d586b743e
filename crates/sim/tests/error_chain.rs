//! The error chains of the simulators' state files, as printed with `ErrorChain`: a software
//! eUICC whose state file cannot even be locked (its directory is a file), one whose state file
//! is a directory, and a GP card whose state file is not JSON. Each message says what its own
//! layer was doing; none repeats its cause's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_secure_channel::scp03::StaticKeys;
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_sim::storage::{FileError, StateError};
use oxicard_transport::ErrorChain;

fn assert_reads_once(messages: &[String]) {
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its cause {:?}", pair[0], pair[1]);
    }
}

#[cfg(unix)]
#[test]
fn a_state_file_under_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_directory = dir.path().join("plain");
    std::fs::write(&not_a_directory, b"x").unwrap();
    let path = not_a_directory.join("euicc.json");
    let err = SoftEuicc::open(&path).unwrap_err();
    assert!(matches!(&err, StateError::File(FileError::Io { .. })), "{err:?}");
    let path = path.display().to_string();
    // The operating system's message for ENOTDIR (POSIX `strerror`), as Rust's io::Error shows it.
    assert_eq!(ErrorChain(&err).messages(), ["state file", path.as_str(), "Not a directory (os error 20)"]);
    assert_reads_once(&ErrorChain(&err).messages());
}

#[test]
fn a_state_file_that_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("euicc.json");
    std::fs::create_dir(&path).unwrap();
    let err = SoftEuicc::open(&path).unwrap_err();
    assert_eq!(
        ErrorChain(&err).to_string(),
        format!("state file: {} is a directory, not a regular file", path.display())
    );
    assert_reads_once(&ErrorChain(&err).messages());
}

#[test]
fn a_gp_state_file_that_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gp.json");
    std::fs::write(&path, b"{\"format\": ").unwrap();
    let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let err = GpCard::open(&path, || GpCard::new(&DEFAULT_ISD_AID, keys)).unwrap_err();
    assert!(matches!(&err, StateError::Format { .. }), "{err:?}");
    let messages = ErrorChain(&err).messages();
    // The file and what it is not, then the JSON parser's complaint.
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0], format!("state file {}: not the JSON of this format", path.display()));
    assert!(messages[1].starts_with("EOF while parsing"), "{messages:?}");
    assert_reads_once(&messages);
}
