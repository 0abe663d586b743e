//! Many processes, one state: `oxicard` processes changing the same software eUICC or simulated
//! GP card at once lose no acknowledged change, never leave an invalid file, and a download
//! racing with other writers reports the truth. Each change is a separate process, so the
//! state lock (not anything in one process) is what is tested.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use oxicard_euicc::es10::ProfileInfo;
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use serde_json::Value;

mod common;
use common::Sim;

/// Writer processes at once.
const PROCESSES: usize = 8;
/// Changes each writer makes, one process each.
const CHANGES: usize = 6;

/// `oxicard --sim=STATE ARGS`.
fn oxicard(state: &Path, args: &[&str]) -> Output {
    common::oxicard_on(state).args(args).env("OXICARD_LOCK_WAIT", "120").output().unwrap()
}

/// Reads `state` over and over until `stop`, checking each read is a complete document of
/// `format`; returns the number of reads.
fn watch(state: PathBuf, format: &'static str, stop: Arc<AtomicBool>) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut reads = 0;
        while !stop.load(Ordering::Relaxed) {
            let bytes = std::fs::read(&state).unwrap();
            let json: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!("read {reads}: invalid state ({e}): {}", String::from_utf8_lossy(&bytes))
            });
            assert_eq!(json["format"], format);
            reads += 1;
            thread::sleep(std::time::Duration::from_millis(1));
        }
        reads
    })
}

/// The ICCID of writer `i`'s profile.
fn iccid(i: usize) -> String {
    format!("89444786000045731{i:02}")
}

/// Installs one profile per writer into the state of `sim`, through the library (the state is
/// locked meanwhile, as by any process).
fn install_profiles(sim: &Sim) {
    // The EID the state records (that of the identity beside it).
    let document: Value = serde_json::from_slice(&std::fs::read(&sim.state).unwrap()).unwrap();
    let config =
        EuiccConfig { eid: document["eid"].as_str().unwrap().parse().unwrap(), ..EuiccConfig::default() };
    let mut euicc = SoftEuicc::open_with(&sim.state, config).unwrap();
    for i in 0..PROCESSES {
        let profile = ProfileInfo::new(iccid(i).parse().unwrap());
        euicc.install_profile_for_tests(profile).unwrap();
    }
}

#[test]
fn parallel_nicknames_and_default_addresses_lose_nothing() {
    let sim = Sim::new();
    install_profiles(&sim);
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(sim.state.clone(), "oxicard-soft-euicc/1", stop.clone());
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let state = sim.state.clone();
            let acknowledged = acknowledged.clone();
            thread::spawn(move || {
                for j in 0..CHANGES {
                    let name = format!("n{i}-{j}");
                    let out = oxicard(&state, &["profile", "nickname", &iccid(i), &name]);
                    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
                    let address = format!("p{i}-{j}.example.com");
                    let out = oxicard(&state, &["chip", "default-dp", &address]);
                    assert!(out.status.success(), "{address}: {}", String::from_utf8_lossy(&out.stderr));
                    acknowledged.fetch_add(2, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads = watcher.join().unwrap();
    assert_eq!(acknowledged.load(Ordering::Relaxed), PROCESSES * CHANGES * 2);
    assert!(reads > 0);

    // Every writer's last nickname is there: no acknowledged change was lost.
    let profiles = sim.json(&["profile", "list"]);
    let profiles = profiles.as_array().unwrap();
    assert_eq!(profiles.len(), PROCESSES);
    let mut lost = 0;
    for i in 0..PROCESSES {
        let profile = profiles.iter().find(|p| p["iccid"] == iccid(i).as_str()).unwrap();
        if profile["profileNickname"] != format!("n{i}-{}", CHANGES - 1).as_str() {
            lost += 1;
        }
    }
    assert_eq!(lost, 0, "{profiles:?}");
    // The default address is the last one some writer set.
    let info = sim.json(&["chip", "info"]);
    let address = info["EuiccConfiguredAddresses"]["defaultDpAddress"].as_str().unwrap().to_string();
    assert!((0..PROCESSES).any(|i| address == format!("p{i}-{}.example.com", CHANGES - 1)), "{address}");
    println!(
        "{PROCESSES} processes, {} acknowledged changes, {lost} lost, {reads} concurrent reads all valid",
        PROCESSES * CHANGES * 2
    );
}

#[test]
fn parallel_gp_key_sets_and_sessions_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("gp-card.json");
    assert!(oxicard(&state, &["gp", "info"]).status.success());
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(state.clone(), "oxicard-gp-card/1", stop.clone());
    const PER_WRITER: usize = 3;
    let writers: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let state = state.clone();
            thread::spawn(move || {
                for j in 0..PER_WRITER {
                    let kvn = format!("{:02X}", 0x40 + i * PER_WRITER + j);
                    let key = format!("{:032X}", 0x1111 * (i * PER_WRITER + j + 1));
                    let out = oxicard(&state, &["gp", "put-key", "--new-kvn", &kvn, "--new-key", &key]);
                    assert!(out.status.success(), "kvn {kvn}: {}", String::from_utf8_lossy(&out.stderr));
                    let out = oxicard(&state, &["gp", "list"]);
                    assert!(out.status.success(), "list: {}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads = watcher.join().unwrap();

    let document: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let kvns: Vec<u64> =
        document["keySets"].as_array().unwrap().iter().map(|k| k["kvn"].as_u64().unwrap()).collect();
    let mut lost = 0;
    for n in 0..PROCESSES * PER_WRITER {
        if !kvns.contains(&(0x40 + n as u64)) {
            lost += 1;
        }
    }
    assert_eq!(lost, 0, "key sets {kvns:02X?}");
    // Every command opened exactly one SCP03 session (INITIALIZE UPDATE increments the
    // counter, GPC Amd D §6.2.2): the counter counts them all, none went backwards.
    let sessions = PROCESSES * PER_WRITER * 2;
    assert_eq!(document["sequenceCounter"].as_u64().unwrap(), sessions as u64);
    println!(
        "{PROCESSES} processes, {} key sets + {sessions} sessions, {lost} lost, {reads} reads valid",
        PROCESSES * PER_WRITER
    );
}

#[test]
fn a_download_racing_with_other_writers_reports_the_truth() {
    let sim = Sim::new();
    install_profiles(&sim);
    let (server, data) = sim.spawn(&["sim", "smdp", "--listen", "127.0.0.1:0"]);
    let code = data["activationCode"].as_str().unwrap().to_string();
    let ca = sim.ca();
    let state = sim.state.clone();
    let download = thread::spawn(move || {
        oxicard(&state, &["--json", "profile", "download", "--yes", "--ca", &ca, &code])
    });
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let state = sim.state.clone();
            thread::spawn(move || {
                for j in 0..CHANGES {
                    let out = oxicard(&state, &["profile", "nickname", &iccid(i), &format!("d{i}-{j}")]);
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    let out = download.join().unwrap();
    for writer in writers {
        writer.join().unwrap();
    }
    common::stop(server);
    assert!(out.status.success(), "download: {}", String::from_utf8_lossy(&out.stderr));
    let last = common::last_json(&out);
    assert_eq!(last["payload"]["code"], 0);
    let profiles = sim.json(&["profile", "list"]);
    let profiles = profiles.as_array().unwrap();
    assert!(profiles.iter().any(|p| p["iccid"] == "8944478600004573128"), "{profiles:?}");
    for i in 0..4 {
        let profile = profiles.iter().find(|p| p["iccid"] == iccid(i).as_str()).unwrap();
        assert_eq!(profile["profileNickname"], format!("d{i}-{}", CHANGES - 1).as_str());
    }
}
