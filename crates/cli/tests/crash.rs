//! kill -9 at random points: an `oxicard` process killed while it changes a state leaves the
//! old or the new state — a valid file, every change acknowledged before still there, nothing
//! else — and its lock dies with it, so the next command runs at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::Sim;

/// Kills per test.
const KILLS: usize = 30;

/// A small deterministic generator (SplitMix64), seeded from the clock; the seed is printed so a
/// failure can be replayed with `OXICARD_CRASH_SEED`.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed =
            std::env::var("OXICARD_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
            });
        println!("OXICARD_CRASH_SEED={seed}");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

fn command(state: &Path, args: &[&str]) -> Command {
    let mut command = common::oxicard_on(state);
    command
        .args(args)
        // A lock left behind by a killed process would make the next command wait this long.
        .env("OXICARD_LOCK_WAIT", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// How long `args` takes, in microseconds (run once to the end).
fn duration_of(state: &Path, args: &[&str]) -> u64 {
    let started = Instant::now();
    run(state, args);
    u64::try_from(started.elapsed().as_micros()).unwrap()
}

/// Starts `args`, kills it (SIGKILL) after a random delay between half and 110 % of `usual_us`
/// (its usual run time: most of the first half is process start-up), and says whether it had
/// finished successfully by then (its change acknowledged).
fn run_and_kill(state: &Path, args: &[&str], random: &mut Random, usual_us: u64) -> bool {
    let mut child: Child = command(state, args).spawn().unwrap();
    let delay = usual_us / 2 + random.below(usual_us * 6 / 10 + 1);
    std::thread::sleep(Duration::from_micros(delay));
    let _ = child.kill();
    child.wait().unwrap().success()
}

/// Runs `args` to the end, quickly (no lock left behind), and returns its output.
fn run(state: &Path, args: &[&str]) -> Output {
    let started = Instant::now();
    let out = command(state, args).stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(15), "{args:?} waited for a dead process's lock");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The state document, which must be complete.
fn document(state: &Path) -> Value {
    let bytes = std::fs::read(state).unwrap();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("torn state ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// No temporary file of a killed writer is mistaken for anything: they may stay, but the
/// state and its identity are intact.
#[test]
fn killed_euicc_writers_leave_the_old_or_the_new_state() {
    let sim = Sim::new();
    let mut random = Random::new();
    let mut acknowledged = Some("start.example.com".to_string());
    let usual = duration_of(&sim.state, &["chip", "default-dp", "start.example.com"]);
    let mut completed = 0;
    for kill in 0..KILLS {
        let address = format!("k{kill}.example.com");
        let done = run_and_kill(&sim.state, &["chip", "default-dp", &address], &mut random, usual);
        let out = run(&sim.state, &["--json", "chip", "info"]);
        let data = &common::last_json(&out)["payload"]["data"];
        let now = data["EuiccConfiguredAddresses"]["defaultDpAddress"].as_str().map(str::to_owned);
        assert_eq!(document(&sim.state)["format"], "oxicard-soft-euicc/1");
        if done {
            completed += 1;
            assert_eq!(now.as_deref(), Some(address.as_str()), "an acknowledged change was lost");
        } else {
            // Killed: the change happened entirely or not at all.
            assert!(now == acknowledged || now.as_deref() == Some(address.as_str()), "{now:?}");
        }
        acknowledged = now;
    }
    println!("{KILLS} kills, {completed} commands completed first, no change lost");
}

#[test]
fn killed_gp_writers_leave_the_old_or_the_new_card() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("gp-card.json");
    let usual = duration_of(&state, &["gp", "put-key", "--new-kvn", "3F", "--new-key", &"11".repeat(16)]);
    let mut random = Random::new();
    let mut present: Vec<u64> = vec![0x3F];
    let mut counter = 0u64;
    let mut completed = 0;
    for kill in 0..KILLS {
        let kvn = 0x40 + kill as u64;
        let key = format!("{:032X}", 0x1234 * (kill + 1));
        let done = run_and_kill(
            &state,
            &["gp", "put-key", "--new-kvn", &format!("{kvn:02X}"), "--new-key", &key],
            &mut random,
            usual,
        );
        run(&state, &["gp", "list"]);
        let card = document(&state);
        let kvns: Vec<u64> =
            card["keySets"].as_array().unwrap().iter().map(|k| k["kvn"].as_u64().unwrap()).collect();
        for earlier in &present {
            assert!(kvns.contains(earlier), "key set {earlier:02X} lost: {kvns:02X?}");
        }
        if done {
            completed += 1;
            assert!(kvns.contains(&kvn), "acknowledged key set {kvn:02X} lost");
        }
        if kvns.contains(&kvn) {
            present.push(kvn);
        }
        // The sequence counter never goes backwards.
        let now = card["sequenceCounter"].as_u64().unwrap();
        assert!(now > counter, "counter went from {counter} to {now}");
        counter = now;
    }
    println!(
        "{KILLS} kills, {completed} commands completed first, {} key sets kept, none lost",
        present.len()
    );
}

#[test]
fn killed_downloads_lose_nothing_and_can_be_retried() {
    let sim = Sim::new();
    sim.text(&["chip", "default-dp", "kept.example.com"]);
    let (server, data) = sim.spawn(&["sim", "smdp", "--listen", "127.0.0.1:0"]);
    let code = data["activationCode"].as_str().unwrap().to_string();
    let ca = sim.ca();
    // A whole download of the other test profile gives the usual run time.
    let cc = code.replace("$TEST", "$TEST-CC");
    let usual = duration_of(&sim.state, &["profile", "download", "--yes", "--ca", &ca, "-c", "1234", &cc]);
    let mut random = Random::new();
    let mut installed = false;
    let mut kills = 0;
    let download = ["profile", "download", "--yes", "--ca", ca.as_str(), code.as_str()];
    while kills < 10 && !installed {
        kills += 1;
        run_and_kill(&sim.state, &download, &mut random, usual);
        let out = run(&sim.state, &["--json", "chip", "info"]);
        let data = &common::last_json(&out)["payload"]["data"];
        assert_eq!(data["EuiccConfiguredAddresses"]["defaultDpAddress"], "kept.example.com");
        // Installed or not is what the eUICC says, whatever the killed process printed.
        let profiles = sim.json(&["profile", "list"]);
        installed = profiles.as_array().unwrap().iter().any(|p| p["iccid"] == "8944478600004573128");
    }
    println!("{kills} downloads killed, installed before the last kill: {installed}");
    if installed {
        // Its installation result is not lost: still pending on the eUICC, or delivered.
        let pending = sim.json(&["notification", "list"]);
        println!("pending notifications after the kill: {pending}");
    } else {
        // The interrupted download can be retried to the end.
        let out = run(&sim.state, &download);
        assert!(String::from_utf8_lossy(&out.stdout).contains("installed profile 8944478600004573128"));
    }
    common::stop(server);
    let profiles = sim.json(&["profile", "list"]);
    assert!(profiles.as_array().unwrap().iter().any(|p| p["iccid"] == "8944478600004573128"), "{profiles}");
}
