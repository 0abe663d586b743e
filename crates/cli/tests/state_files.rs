//! The software eUICC's and the simulated GP card's state files are never destroyed: a state
//! without its identity, a backup under another name, an unrelated file, a device, a FIFO, a
//! directory or a link given as `--sim` is refused and left byte for byte as it was; only
//! `sim init --force` replaces a state, and only one of ours; every generated identity has an
//! EID of its own, so a state never loads under another identity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{BIN, Sim, assert_error, names};

/// Runs the binary with `--sim=STATE` and `args`.
fn run_on(state: &Path, args: &[&str]) -> Output {
    common::oxicard_on(state).args(args).output().unwrap()
}

/// A software eUICC with a nickname set, so that losing its state would show.
fn sim_with_data() -> (Sim, Vec<u8>) {
    let sim = Sim::new();
    sim.text(&["chip", "default-dp", "smdp.example.com"]);
    let bytes = std::fs::read(&sim.state).unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("smdp.example.com"));
    (sim, bytes)
}

#[test]
fn a_state_without_its_identity_is_an_error_naming_the_missing_files() {
    let (sim, bytes) = sim_with_data();
    std::fs::remove_file(sim.path("cert.pem")).unwrap();
    std::fs::remove_file(sim.path("key.pem")).unwrap();
    for args in [&["profile", "list"][..], &["chip", "info"], &["notification", "list"]] {
        let out = sim.run(args);
        let message = assert_error(&out, false, "has no identity");
        let _ = message;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("euicc.cert.pem") && stderr.contains("euicc.key.pem"), "{stderr}");
        assert!(!stderr.contains("euicc.eum.pem"), "only the missing files are named: {stderr}");
    }
    // Nothing was created, nothing replaced.
    assert_eq!(std::fs::read(&sim.state).unwrap(), bytes);
    assert!(!sim.path("cert.pem").exists() && !sim.path("key.pem").exists());
    // The servers refuse too (they would otherwise generate a new identity).
    assert_error(&sim.run(&["sim", "smdp", "--listen", "127.0.0.1:0"]), false, "has no identity");
    assert_eq!(std::fs::read(&sim.state).unwrap(), bytes);
}

#[test]
fn a_backup_under_another_name_is_refused_and_kept() {
    let (sim, bytes) = sim_with_data();
    let backup = sim.state.with_file_name("backup.json");
    std::fs::copy(&sim.state, &backup).unwrap();
    let out = run_on(&backup, &["profile", "list"]);
    assert_error(&out, false, "backup.cert.pem");
    assert_eq!(std::fs::read(&backup).unwrap(), bytes);
    // Restoring the identity files under the backup's name makes it load, with its data.
    for suffix in ["cert.pem", "key.pem", "eum.pem", "ci.pem"] {
        std::fs::copy(sim.path(suffix), backup.with_file_name(format!("backup.{suffix}"))).unwrap();
    }
    let out = run_on(&backup, &["--json", "chip", "info"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = &common::last_json(&out)["payload"]["data"];
    assert_eq!(data["eidValue"], sim.eid().as_str());
    assert_eq!(data["EuiccConfiguredAddresses"]["defaultDpAddress"], "smdp.example.com");
}

#[test]
fn another_euiccs_identity_is_refused_by_the_state() {
    let (sim, bytes) = sim_with_data();
    let other = Sim::new();
    assert_ne!(sim.eid(), other.eid(), "each generated identity has its own EID");
    for suffix in ["cert.pem", "key.pem", "eum.pem", "ci.pem"] {
        std::fs::copy(other.path(suffix), sim.path(suffix)).unwrap();
    }
    let out = sim.run(&["profile", "list"]);
    assert_error(&out, false, &format!("belongs to EID {}, not {}", sim.eid(), other.eid()));
    assert_eq!(std::fs::read(&sim.state).unwrap(), bytes);
}

#[test]
fn an_unrelated_file_is_never_touched() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, b"my notes\n").unwrap();
    for args in [
        &["profile", "list"][..],
        &["chip", "info"],
        &["gp", "info"],
        &["gp", "list"],
        &["sim", "init", "--force"],
    ] {
        let out = run_on(&notes, args);
        assert_error(&out, false, "notes.txt is not a");
        assert!(String::from_utf8_lossy(&out.stderr).contains("it is left as it is"));
    }
    // A GP card state is not a software eUICC state, and the other way round.
    let gp = dir.path().join("gp.json");
    assert!(run_on(&gp, &["gp", "info"]).status.success());
    let gp_bytes = std::fs::read(&gp).unwrap();
    assert_error(&run_on(&gp, &["sim", "init", "--force"]), false, "is not a software eUICC state file");
    assert_error(&run_on(&gp, &["profile", "list"]), false, "format \"oxicard-gp-card/1\"");
    assert_eq!(std::fs::read(&gp).unwrap(), gp_bytes);
    assert_eq!(std::fs::read(&notes).unwrap(), b"my notes\n");
    // No identity, lock or temporary file was created beside the notes.
    assert_eq!(names(dir.path()), ["gp.json", "gp.json.lock", "notes.txt"]);
}

/// A character device of our own (the null device's numbers, in the test's directory, so that
/// a regression replaces only that node, never the system's), when this process may create one.
fn char_device(dir: &Path) -> Option<PathBuf> {
    let path = dir.join("null");
    let made = Command::new("mknod").arg(&path).args(["c", "1", "3"]).status().ok()?.success();
    made.then_some(path)
}

#[cfg(unix)]
#[test]
fn paths_that_are_not_regular_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let subdir = dir.path().join("subdir");
    std::fs::create_dir(&subdir).unwrap();
    let socket = dir.path().join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (fifo.clone(), "fifo is a FIFO, not a regular file"),
        (socket.clone(), "socket is a socket, not a regular file"),
        (subdir.clone(), "subdir is a directory, not a regular file"),
        (dir.path().to_path_buf(), "is a directory, not a regular file"),
    ];
    let device = char_device(dir.path());
    if let Some(device) = &device {
        cases.push((device.clone(), "null is a character device, not a regular file"));
    } else if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true: mknod must work (root)");
    }
    for (path, needle) in &cases {
        for args in [&["profile", "list"][..], &["gp", "info"], &["sim", "init", "--force"]] {
            let started = std::time::Instant::now();
            assert_error(&run_on(path, args), false, needle);
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "{path:?} {args:?} blocked");
        }
    }
    // Nothing was created beside them (no lock, no identity), and each is what it was.
    let mut expected = vec!["fifo", "socket", "subdir"];
    if device.is_some() {
        expected.insert(1, "null");
    }
    assert_eq!(names(dir.path()), expected);
    assert!(names(&subdir).is_empty());
    if let Some(device) = &device {
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(device).unwrap().file_type().is_char_device());
    }
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_refused_not_followed() {
    let (sim, bytes) = sim_with_data();
    let link = sim.state.with_file_name("link.json");
    std::os::unix::fs::symlink(&sim.state, &link).unwrap();
    assert_error(&run_on(&link, &["profile", "list"]), false, "link.json is a symbolic link");
    assert_error(&run_on(&link, &["sim", "init", "--force"]), false, "link.json is a symbolic link");
    // A link planted as the lock file is not followed either.
    let victim = sim.state.with_file_name("victim");
    std::fs::write(&victim, b"victim\n").unwrap();
    std::fs::remove_file(sim.state.with_file_name("euicc.json.lock")).unwrap();
    std::os::unix::fs::symlink(&victim, sim.state.with_file_name("euicc.json.lock")).unwrap();
    assert_error(&sim.run(&["profile", "list"]), false, "euicc.json.lock is a symbolic link");
    assert_eq!(std::fs::read(&victim).unwrap(), b"victim\n");
    assert_eq!(std::fs::read(&sim.state).unwrap(), bytes);
}

#[test]
fn only_sim_init_force_replaces_a_state() {
    let (sim, bytes) = sim_with_data();
    assert_error(&sim.run(&["sim", "init"]), false, "already exists");
    assert_eq!(std::fs::read(&sim.state).unwrap(), bytes);
    // An import that cannot be read or does not verify replaces nothing.
    let other = Sim::new();
    let p = |s: &str| other.path(s).display().to_string();
    let missing = sim.state.with_file_name("missing.pem").display().to_string();
    for (cert, eum) in [(missing.clone(), p("eum.pem")), (p("cert.pem"), p("cert.pem"))] {
        let args = [
            "sim",
            "init",
            "--force",
            "--cert",
            &cert,
            "--key",
            &p("key.pem"),
            "--eum",
            &eum,
            "--ci",
            &p("ci.pem"),
        ];
        assert!(!sim.run(&args).status.success());
        assert_eq!(std::fs::read(&sim.state).unwrap(), bytes, "{cert} {eum}");
    }
    let before = sim.eid();
    let data = sim.json(&["sim", "init", "--force"]);
    assert_eq!(data["eidValue"], sim.eid().as_str());
    assert_ne!(sim.eid(), before);
    let info = sim.json(&["chip", "info"]);
    assert_eq!(info["EuiccConfiguredAddresses"]["defaultDpAddress"], serde_json::Value::Null);
}

#[test]
fn an_interrupted_generation_is_redone_an_incomplete_import_is_not() {
    // Generated identity interrupted before the state was created: the seed says it is ours.
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("euicc.json");
    let sim = Sim::new();
    std::fs::copy(sim.path("pki-seed"), dir.path().join("euicc.pki-seed")).unwrap();
    std::fs::copy(sim.path("key.pem"), dir.path().join("euicc.key.pem")).unwrap();
    let out = run_on(&state, &["--json", "chip", "info"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let seed = common::seed_of(&dir.path().join("euicc.pki-seed"));
    let eid = oxicard_sim::pki::eid_for_seed(&seed);
    assert_eq!(common::last_json(&out)["payload"]["data"]["eidValue"], eid.as_str());

    // An imported identity (no seed) with files missing and no state: an error, the key kept.
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("euicc.json");
    let key = dir.path().join("euicc.key.pem");
    std::fs::copy(sim.path("key.pem"), &key).unwrap();
    let key_bytes = std::fs::read(&key).unwrap();
    let out = run_on(&state, &["profile", "list"]);
    assert_error(&out, false, "identity beside");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("euicc.cert.pem") && !stderr.contains("euicc.key.pem,"), "{stderr}");
    assert_eq!(std::fs::read(&key).unwrap(), key_bytes);
    assert!(!state.exists());
}

#[cfg(unix)]
#[test]
fn every_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (sim, _) = sim_with_data();
    for suffix in ["json", "json.lock", "cert.pem", "key.pem", "eum.pem", "ci.pem", "pki-seed"] {
        let mode = std::fs::metadata(sim.path(suffix)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "euicc.{suffix} is {mode:o}");
    }
    // No temporary file is left behind.
    let dir = sim.state.parent().unwrap();
    assert!(names(dir).iter().all(|n| !n.ends_with(".tmp")), "{:?}", names(dir));
}

/// A failed save reaches the user with its cause. The write limit (`RLIMIT_FSIZE`, with
/// SIGXFSZ ignored so that the write fails with EFBIG instead of killing the process) makes
/// every state write fail.
#[cfg(unix)]
#[test]
fn a_failed_save_says_why() {
    let (sim, bytes) = sim_with_data();
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; exec prlimit --fsize=64 \"$@\"")
        .arg("sh")
        .arg(BIN)
        .arg(format!("--sim={}", sim.state.display()))
        .args(["--json", "chip", "default-dp", "other.example.com"])
        .env_remove("OXICARD_READER")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let last = assert_error(&out, true, "File too large");
    assert_eq!(last["payload"]["message"], "es10a_set_default_dp_address");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("state file: {}: File too large", sim.state.display())), "{stderr}");
    // Nothing changed on disk, and the eUICC still has the old address.
    assert_eq!(std::fs::read(&sim.state).unwrap(), bytes);
    let info = sim.json(&["chip", "info"]);
    assert_eq!(info["EuiccConfiguredAddresses"]["defaultDpAddress"], "smdp.example.com");
}
