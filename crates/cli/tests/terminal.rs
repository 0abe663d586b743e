//! `profile download` on a terminal (tmux): the consent prompt shows the offered profile and
//! waits for an answer; the progress bar is drawn; declining cancels the download. Skipped
//! when tmux is not installed, except under `CI=true` (`scripts/setup.sh --dev` installs it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use oxicard_sim::pki::{TestPki, TestPkiConfig};
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};

const BIN: &str = env!("CARGO_BIN_EXE_oxicard");
const ADDRESS: &str = "smdp.tty.test";
/// Hand-made example ICCID.
const ICCID: &str = "8944478600004573128";

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits until the pane shows `needle`; returns the pane.
fn wait_for(session: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let pane = tmux(&["capture-pane", "-p", "-t", session]);
        if pane.contains(needle) {
            return pane;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{needle:?} never appeared in:\n{pane}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A software eUICC, an SM-DP+ trusting it, and the download command line.
fn setup(dir: &Path) -> (SmdpServer, String) {
    let state = dir.join("euicc.json");
    let sim = format!("--sim={}", state.display());
    assert!(Command::new(BIN).args([&sim, "sim", "init"]).output().unwrap().status.success());
    let seed = std::fs::read_to_string(dir.join("euicc.pki-seed")).unwrap();
    let seed: [u8; 32] = hex::decode(seed.trim()).unwrap().try_into().unwrap();
    let pki = TestPki::from_seed(seed).unwrap();
    let iccid = ICCID.parse().unwrap();
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile(
        "TTY",
        ProfileBuilder::new(iccid).padding(4096).package(ProfileMetadata::new(
            iccid,
            "Terminal test",
            "oxicard",
            ADDRESS,
        )),
    );
    // TLS for the SM-DP+ address, under the same test CI (same seed), reached with curl's
    // --connect-to.
    let tls_config =
        TestPkiConfig { tls_dns_names: vec![ADDRESS.to_string()], ..TestPkiConfig::for_seed(seed) };
    let tls = TestPki::generate(&tls_config).unwrap().dp_tls().clone();
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(&tls)).unwrap();
    let command = format!(
        "{BIN} {sim} profile download --connect-to {ADDRESS}:443:127.0.0.1:{} --ca {} 'LPA:1${ADDRESS}$TTY'; echo EXIT=$?; sleep 60",
        server.local_addr().port(),
        dir.join("euicc.ci.pem").display()
    );
    (server, command)
}

fn run(answer: &str) -> Option<(String, tempfile::TempDir)> {
    if Command::new("tmux").arg("-V").output().is_err() {
        // scripts/setup.sh --dev installs it: under CI the test must run.
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true and tmux is not installed");
        eprintln!("tmux not installed: terminal test skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, command) = setup(dir.path());
    let session = format!("oxicard-tty-{}-{answer}", std::process::id());
    tmux(&["new-session", "-d", "-s", &session, "-x", "150", "-y", "40", &command]);
    let prompt = wait_for(&session, "Download and install this profile? [y/N]");
    assert!(prompt.contains(&format!("SM-DP+ {ADDRESS} offers a profile:")), "{prompt}");
    assert!(prompt.contains(&format!("ICCID             {ICCID}")), "{prompt}");
    assert!(prompt.contains("name              Terminal test"), "{prompt}");
    assert!(!prompt.contains("EXIT="), "the prompt must wait for an answer:\n{prompt}");
    tmux(&["send-keys", "-t", &session, answer, "Enter"]);
    let pane = wait_for(&session, "EXIT=");
    tmux(&["kill-session", "-t", &session]);
    Some((pane, dir))
}

#[test]
fn consent_prompt_then_progress_bar() {
    let Some((pane, _dir)) = run("y") else { return };
    assert!(pane.contains("EXIT=0"), "{pane}");
    let bar = pane
        .lines()
        .find(|l| l.contains("installed ") && l.contains('['))
        .unwrap_or_else(|| panic!("{pane}"));
    assert!(bar.contains("[=============================="), "{bar}");
    assert!(pane.contains(&format!("installed profile {ICCID}")), "{pane}");
}

#[test]
fn declining_cancels() {
    let Some((pane, dir)) = run("n") else { return };
    assert!(pane.contains("EXIT=1"), "{pane}");
    assert!(pane.contains("oxicard: error: profile download failed at user consent"), "{pane}");
    let sim = format!("--sim={}", dir.path().join("euicc.json").display());
    let out = Command::new(BIN).args([&sim, "profile", "list"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no profiles");
}
