//! `oxicard_sim::storage`: the lock, the atomic writes and the bounded reads of state files, and
//! what the simulators do when a save fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::{Duration, Instant};

use oxicard_apdu::card::Card;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::storage::{
    FileError, FollowLinks, StateError, StateLock, read_file, read_state, state_present, write_atomically,
};
use oxicard_transport::sim::SimulatorTransport;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A character device of our own (the null device's numbers, in the test's directory: a
/// regression could only replace that node, never the system's), when this process may create
/// one (root; required under `CI=true`).
fn char_device(dir: &Path) -> Option<std::path::PathBuf> {
    let path = dir.join("null");
    let made = std::process::Command::new("mknod")
        .arg(&path)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(made || std::env::var("CI").as_deref() != Ok("true"), "CI=true: mknod must work (root)");
    made.then_some(path)
}

#[test]
fn reads_refuse_what_is_not_a_regular_file_without_opening_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let started = Instant::now();
    // A FIFO with no writer would block an open(2) for reading: it is never opened.
    match read_file(&fifo, 1024, FollowLinks::Yes) {
        Err(FileError::NotRegular { what, .. }) => assert_eq!(what, "a FIFO"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    if let Some(device) = char_device(dir.path()) {
        match read_file(&device, 1024, FollowLinks::Yes) {
            Err(FileError::NotRegular { what, .. }) => assert_eq!(what, "a character device"),
            other => panic!("{other:?}"),
        }
    }
    match read_state(dir.path(), 1024) {
        Err(e @ FileError::NotRegular { .. }) => {
            assert!(e.to_string().ends_with("is a directory, not a regular file"))
        }
        other => panic!("{other:?}"),
    }
    assert!(read_state(&dir.path().join("absent"), 1024).unwrap().is_none());
    assert!(!state_present(&dir.path().join("absent")).unwrap());
}

#[test]
fn reads_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let sparse = dir.path().join("sparse");
    std::fs::File::create(&sparse).unwrap().set_len(10 << 30).unwrap();
    let started = Instant::now();
    let error = read_file(&sparse, 1 << 20, FollowLinks::Yes).unwrap_err();
    assert!(matches!(error, FileError::TooLarge { limit: 1_048_576, .. }), "{error:?}");
    assert!(error.to_string().ends_with("sparse is too large (over 1048576 bytes)"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(2), "the file was read");
    let exact = dir.path().join("exact");
    std::fs::write(&exact, [7u8; 100]).unwrap();
    assert_eq!(read_file(&exact, 100, FollowLinks::Yes).unwrap(), [7u8; 100]);
    assert!(matches!(read_file(&exact, 99, FollowLinks::Yes), Err(FileError::TooLarge { limit: 99, .. })));
}

#[cfg(unix)]
#[test]
fn links_are_followed_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, b"content").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(read_file(&link, 100, FollowLinks::Yes).unwrap(), b"content");
    assert!(matches!(read_file(&link, 100, FollowLinks::No), Err(FileError::Symlink { .. })));
    assert!(matches!(read_state(&link, 100), Err(FileError::Symlink { .. })));
    // Writing through a link is refused too; the target is untouched.
    assert!(matches!(write_atomically(&link, b"new"), Err(FileError::Symlink { .. })));
    assert_eq!(std::fs::read(&target).unwrap(), b"content");
}

#[cfg(unix)]
#[test]
fn writes_are_atomic_owner_only_and_leave_nothing_behind() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    write_atomically(&path, b"first").unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    // Writers in parallel (distinct temporary files): the file is always one whole document.
    let writers: Vec<_> = (0..8u8)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    write_atomically(&path, &[i; 4096]).unwrap();
                }
            })
        })
        .collect();
    for _ in 0..200 {
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes == b"first" || (bytes.len() == 4096 && bytes.iter().all(|b| *b == bytes[0])));
    }
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(names(dir.path()), ["state.json"]);
    // A failed write leaves the old file and no temporary file.
    let missing = dir.path().join("gone").join("state.json");
    let error = write_atomically(&missing, b"x").unwrap_err();
    assert!(error.to_string().contains("gone/state.json"), "{error}");
}

#[test]
fn the_lock_is_exclusive_names_its_holder_and_dies_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("euicc.json");
    let first = StateLock::acquire(&state, Duration::ZERO).unwrap();
    assert_eq!(first.state_path(), state);
    // Another open file description of the same lock file: refused after the wait.
    let mut told = None;
    let started = Instant::now();
    let error = StateLock::acquire_with(&state, Duration::from_millis(300), |holder| {
        told = holder.map(str::to_owned)
    })
    .unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let pid = format!("pid {}:", std::process::id());
    assert!(told.as_deref().is_some_and(|t| t.starts_with(&pid)), "{told:?}");
    match &error {
        StateError::Busy { path, holder, .. } => {
            assert_eq!(path, &state);
            assert!(holder.as_deref().is_some_and(|h| h.starts_with(&pid)));
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("is in use by another process (pid"), "{error}");
    // A waiter gets it as soon as it is released.
    let waiter = {
        let state = state.clone();
        std::thread::spawn(move || StateLock::acquire(&state, Duration::from_secs(10)).map(drop))
    };
    std::thread::sleep(Duration::from_millis(100));
    drop(first);
    waiter.join().unwrap().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("euicc.json.lock")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn nothing_is_created_beside_a_path_that_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    assert!(matches!(
        StateLock::acquire(&sub, Duration::ZERO),
        Err(StateError::File(FileError::NotRegular { what: "a directory", .. }))
    ));
    let device = char_device(dir.path());
    if let Some(device) = &device {
        assert!(matches!(
            StateLock::acquire(device, Duration::ZERO),
            Err(StateError::File(FileError::NotRegular { what: "a character device", .. }))
        ));
    }
    let expected: &[&str] = if device.is_some() { &["null", "sub"] } else { &["sub"] };
    assert_eq!(names(dir.path()), expected);
    #[cfg(unix)]
    {
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"v").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("x.json.lock")).unwrap();
        assert!(matches!(
            StateLock::acquire(&dir.path().join("x.json"), Duration::ZERO),
            Err(StateError::File(FileError::Symlink { .. }))
        ));
        assert_eq!(std::fs::read(&victim).unwrap(), b"v");
    }
}

#[test]
fn a_second_euicc_on_the_same_state_waits_for_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("euicc.json");
    let first = SoftEuicc::open(&path).unwrap();
    let lock = StateLock::acquire(&path, Duration::from_millis(50));
    assert!(matches!(lock, Err(StateError::Busy { .. })));
    drop(first);
    let lock = StateLock::acquire(&path, Duration::from_millis(50)).unwrap();
    let second = SoftEuicc::open_locked(lock, oxicard_sim::euicc::EuiccConfig::default()).unwrap();
    assert_eq!(second.path(), Some(path.as_path()));
}

#[test]
fn a_failed_save_is_undone_answered_6581_and_its_cause_kept() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("state");
    std::fs::create_dir(&state_dir).unwrap();
    let path = state_dir.join("euicc.json");
    let euicc = SoftEuicc::open(&path).unwrap();
    assert!(euicc.last_save_error().is_none());
    // The directory disappears under the open eUICC: every save fails.
    std::fs::remove_dir_all(&state_dir).unwrap();
    let mut card = Card::new(SimulatorTransport::new(euicc));
    {
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        let error = isdr.set_default_dp_address("smdp.example.com").unwrap_err();
        assert!(error.to_string().contains("6581"), "{error}");
    }
    let euicc = card.transport().simulator();
    assert_eq!(euicc.state().default_dp_address(), None, "the change was undone");
    let cause = oxicard_transport::ErrorChain(euicc.last_save_error().unwrap()).to_string();
    assert!(cause.starts_with(&format!("state file: {}: ", path.display())), "{cause}");
    assert!(cause.contains("No such file or directory"), "{cause}");
}
