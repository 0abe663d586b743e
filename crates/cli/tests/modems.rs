//! The eSIM commands over modems: `oxicard sim modem --at|--qmi|--mbim` serves a simulated modem
//! on a pseudo-terminal from its own process (in front of the software eUICC), and
//! `oxicard --at|--qmi|--mbim DEVICE …` manages the eUICC behind it from another — every quirk
//! of each protocol for chip info and the profile list, and a whole download with its
//! notifications, enable, disable and delete through each protocol, on a well-behaved modem and
//! on one with the hardest quirks together.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use common::{Sim, oxicard, stop};
use oxicard_euicc::es10::{BitFlags, NotificationConfigurationInformation, notification_event};
use oxicard_euicc::notify::dump::operation_name;
use serde_json::Value;

const ICCID: &str = "8944478600004573128";

/// A simulated modem in its own process (`oxicard sim modem`).
struct Modem {
    child: Child,
    /// Its output, kept open so that its last line does not meet a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
    protocol: &'static str,
    device: String,
}

impl Modem {
    fn start(sim: &Sim, protocol: &'static str, quirks: &[&str]) -> Modem {
        let mut command = oxicard();
        command.arg(format!("--sim={}", sim.state.display()));
        let quirks: Vec<&str> = quirks.iter().flat_map(|quirk| ["--quirk", quirk]).collect();
        Modem::spawn(command, protocol, &quirks)
    }

    /// `command` (its global options) with `--json sim modem --PROTOCOL args…`, once it has
    /// printed the device it serves.
    fn spawn(mut command: Command, protocol: &'static str, args: &[&str]) -> Modem {
        command.args(["--json", "sim", "modem", &format!("--{protocol}")]).args(args);
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let started: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        let data = &started["payload"]["data"];
        assert_eq!(data["protocol"], protocol, "{line}");
        let device = data["device"].as_str().unwrap().to_owned();
        assert!(device.starts_with("/dev/pts/"), "{line}");
        Modem { child, _stdout: stdout, protocol, device }
    }

    /// `oxicard --PROTOCOL DEVICE args…`.
    fn run(&self, args: &[&str]) -> Output {
        oxicard().arg(format!("--{}", self.protocol)).arg(&self.device).args(args).output().unwrap()
    }

    /// [`Modem::run`] with `--json`, expecting success: the final payload's data.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{} {args:?}: {stderr}", self.protocol);
        let last: Value =
            serde_json::from_slice(out.stdout.split(|b| *b == b'\n').rfind(|l| !l.is_empty()).unwrap())
                .unwrap();
        assert_eq!(last["payload"]["code"], 0, "{last}");
        last["payload"]["data"].clone()
    }

    fn stop(self) {
        let Modem { child, _stdout, .. } = self;
        stop(child);
    }
}

/// The quirk names `sim modem --PROTOCOL --quirk list` lists.
fn quirks_of(protocol: &str) -> Vec<String> {
    let out = oxicard()
        .args(["--json", "sim", "modem", &format!("--{protocol}"), "--quirk", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last: Value = serde_json::from_slice(out.stdout.trim_ascii_end()).unwrap();
    last["payload"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_quirk_of_every_protocol_reads_the_eid_and_lists_profiles() {
    let sim = Sim::new();
    let eid = sim.eid();
    for protocol in ["at", "qmi", "mbim"] {
        let quirks = quirks_of(protocol);
        assert!(quirks.len() >= 6, "{protocol}: {quirks:?}");
        for quirk in std::iter::once("").chain(quirks.iter().map(String::as_str)) {
            let quirks: Vec<&str> = if quirk.is_empty() { vec![] } else { vec![quirk] };
            let modem = Modem::start(&sim, protocol, &quirks);
            if quirk == "open-channel-failure" {
                // The modem cannot open a channel to the ISD-R: said by name, not hidden.
                let out = modem.run(&["chip", "info"]);
                assert!(!out.status.success());
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stderr.contains("FAILURE"), "{protocol} {quirk}: {stderr}");
            } else {
                let info = modem.json(&["chip", "info"]);
                assert_eq!(info["eidValue"], eid, "{protocol} {quirk}");
                assert_eq!(modem.json(&["profile", "list"]), Value::Array(vec![]), "{protocol} {quirk}");
            }
            modem.stop();
        }
    }
}

#[test]
fn quirk_names_are_checked_and_the_modem_needs_one_protocol() {
    let refused = |args: &[&str], says: &str| {
        let out = oxicard().args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    refused(&["sim", "modem", "--qmi", "--quirk", "csim-only"], "qmi modems have no quirk \"csim-only\"");
    refused(&["sim", "modem"], "sim modem needs --at, --qmi or --mbim");
    refused(&["sim", "modem", "--at", "--mbim"], "serves one modem");
    refused(&["sim", "modem", "--at", "/dev/ttyUSB0"], "takes no device");
    refused(
        &["--qmi", "/nonexistent/cdc-wdm9", "chip", "info"],
        "cannot open the QMI modem /nonexistent/cdc-wdm9",
    );
    refused(&["--at", "/dev/null", "chip", "info"], "cannot open the AT modem /dev/null");
}

/// A whole life of a profile through a `protocol` modem with `quirks` in front of a new software
/// eUICC: download from the test SM-DP+, list, enable, disable, the notifications sent and
/// removed, delete.
fn download_and_manage(protocol: &'static str, quirks: &[&str]) {
    let sim = Sim::new();
    // The SM-DP+ first: it reads the eUICC's test PKI under the state's lock, which the modem
    // then holds for as long as it serves.
    let (smdp, started) = sim.spawn(&["sim", "smdp", "--listen", "127.0.0.1:0"]);
    let modem = Modem::start(&sim, protocol, quirks);
    let what = format!("{protocol} {quirks:?}");
    let code = started["activationCode"].as_str().unwrap().to_owned();
    let ca = sim.ca();
    let result = modem.json(&["profile", "download", "--yes", "--ca", &ca, &code]);
    assert_eq!(result["iccid"], ICCID, "{what}: {result}");
    let list = modem.json(&["profile", "list"]);
    assert_eq!(list[0]["iccid"], ICCID, "{what}");
    assert_eq!(list[0]["profileState"], "disabled", "{what}");
    assert_eq!(modem.json(&["profile", "nickname", ICCID, "modem"]), Value::Null, "{what}");
    assert_eq!(modem.json(&["profile", "list"])[0]["profileNickname"], "modem", "{what}");
    assert_eq!(modem.json(&["chip", "default-dp", "dp.example.com"]), Value::Null, "{what}");
    assert_eq!(
        modem.json(&["chip", "info"])["EuiccConfiguredAddresses"]["defaultDpAddress"],
        "dp.example.com"
    );
    assert_eq!(modem.json(&["chip", "memory-reset", "--address"]), Value::Null, "{what}");
    assert_eq!(modem.json(&["chip", "info"])["EuiccConfiguredAddresses"]["defaultDpAddress"], Value::Null);
    assert_eq!(modem.json(&["profile", "enable", ICCID]), Value::Null, "{what}");
    assert_eq!(modem.json(&["profile", "list"])[0]["profileState"], "enabled", "{what}");
    assert_eq!(modem.json(&["profile", "disable", ICCID]), Value::Null, "{what}");
    let pending = modem.json(&["notification", "list"]);
    let operations: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["profileManagementOperation"].as_str().unwrap())
        .collect();
    // The download delivered its own (install) notification; enable and disable wait.
    assert_eq!(operations, ["enable", "disable"], "{what}");
    let dump = sim.path("dump.jsonl");
    assert!(modem.run(&["notification", "dump", &dump.display().to_string()]).status.success(), "{what}");
    assert_eq!(std::fs::read_to_string(&dump).unwrap().lines().count(), 2, "{what}");
    let processed = modem.json(&["notification", "process", "--ca", &ca]);
    assert_eq!(processed.as_array().unwrap().len(), 2, "{what}: {processed}");
    assert!(
        processed.as_array().unwrap().iter().all(|n| n["delivered"] == true && n["removed"] == true),
        "{what}"
    );
    assert_eq!(modem.json(&["notification", "list"]), Value::Array(vec![]), "{what}");
    assert_eq!(modem.json(&["profile", "delete", ICCID]), Value::Null, "{what}");
    assert_eq!(modem.json(&["profile", "list"]), Value::Array(vec![]), "{what}");
    modem.stop();
    stop(smdp);
}

#[test]
fn a_download_and_its_notifications_through_each_modem() {
    for protocol in ["at", "qmi", "mbim"] {
        download_and_manage(protocol, &[]);
    }
}

#[test]
fn a_download_through_each_modem_with_each_quirk() {
    for protocol in ["at", "qmi", "mbim"] {
        for quirk in quirks_of(protocol) {
            // A modem that cannot open a channel cannot reach the ISD-R at all: its error is
            // checked in the quirk test above. A slow STORE DATA has a test of its own (it runs
            // beside this one).
            if matches!(quirk.as_str(), "slow-store-data" | "open-channel-failure") {
                continue;
            }
            download_and_manage(protocol, &[&quirk]);
        }
    }
}

#[test]
fn a_download_through_a_modem_slow_to_answer_store_data() {
    // Each STORE DATA answered after 2 s: within the STORE DATA timeout (240 s), beyond what a
    // fixed short timeout (lpac's 300 ms before PR #442) would wait.
    download_and_manage("at", &["slow-store-data"]);
}

#[test]
fn a_download_through_each_modem_with_its_hardest_quirks() {
    for (protocol, quirks) in [
        ("at", &["csim-only", "urc", "garbled-echo", "test-commands-silent", "no-space-after-colon"][..]),
        ("at", &["opaque-session-ids", "ccho-bare", "verbose-errors", "cchc-line", "stuck-echo"][..]),
        (
            "qmi",
            &[
                "split-responses",
                "indications",
                "stale-responses",
                "host-flags",
                "open-channel-access-denied",
            ][..],
        ),
        (
            "mbim",
            &["fragments", "indications", "invalid-channel-first-apdu", "store-data-without-le-empty"][..],
        ),
    ] {
        download_and_manage(protocol, quirks);
    }
}

/// Slot 0 of the vpcd virtual reader, or `None` (skip) without the PC/SC stack outside CI.
fn slot0() -> Option<oxicard_transport::testbed::VirtualReader> {
    oxicard_transport::testbed::VirtualReader::open_for_test(0)
        .expect("CI=true: the PC/SC stack must be usable")
}

#[test]
fn pcsc_a_simulated_modem_in_front_of_a_card_in_a_reader() {
    let Some(reader) = slot0() else { return };
    let mut euicc = oxicard_sim::euicc::SoftEuicc::new();
    let mut profile = oxicard_euicc::es10::ProfileInfo::new(ICCID.parse().unwrap());
    profile.state = Some(oxicard_euicc::es10::ProfileState::Disabled);
    profile.notification_configuration = Some(vec![NotificationConfigurationInformation::new(
        BitFlags::from_bits([notification_event::ENABLE, notification_event::DISABLE]),
        "smdp.example.com".into(),
    )]);
    euicc.install_profile_for_tests(profile).unwrap();
    let inserted = reader.insert(euicc).unwrap();
    for protocol in ["at", "qmi", "mbim"] {
        let mut command = oxicard();
        command.args(["--reader", reader.name()]);
        let modem = Modem::spawn(command, protocol, &[]);
        let list = modem.json(&["profile", "list"]);
        assert_eq!(list[0]["iccid"], ICCID, "{protocol}");
        assert_eq!(modem.json(&["profile", "enable", ICCID]), Value::Null, "{protocol}");
        assert_eq!(modem.json(&["profile", "list"])[0]["profileState"], "enabled", "{protocol}");
        assert_eq!(modem.json(&["profile", "disable", ICCID]), Value::Null, "{protocol}");
        modem.stop();
    }
    // The card in the reader is the one that changed: an enable and a disable notification
    // from each modem.
    let euicc = reader.remove(inserted).unwrap();
    let operations: Vec<_> =
        euicc.state().notifications().iter().map(|n| operation_name(&n.metadata().operation)).collect();
    assert_eq!(operations, ["enable", "disable"].repeat(3));
}

#[test]
fn gp_commands_reach_the_simulated_gp_card_behind_a_modem() {
    for protocol in ["at", "qmi", "mbim"] {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("gp-card.json");
        let mut command = oxicard();
        command.arg(format!("--sim={}", state.display()));
        let modem = Modem::spawn(command, protocol, &["--gp"]);
        let out = modem.run(&["gp", "list"]);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        // SCP03 with the GlobalPlatform test key, through the modem; MBIM's UICC access has no
        // basic channel: there the ISD is selected on a logical channel the modem opens.
        assert!(out.status.success(), "{protocol}: {stderr}");
        assert!(stdout.starts_with("ISD: A000000151000000"), "{protocol}: {stdout}");
        // A CAP file loaded and installed, then deleted, through the modem.
        let cap = concat!(env!("CARGO_MANIFEST_DIR"), "/../gp/testdata/hellostk.cap");
        let installed = modem.json(&["gp", "install", cap]);
        assert_eq!(
            installed["installed"],
            serde_json::json!(["D07002CA44900101"]),
            "{protocol}: {installed}"
        );
        assert!(modem.json(&["gp", "delete", "--related", "D07002CA44"])["related"] == true, "{protocol}");
        modem.stop();
    }
}

/// lpac mode reaches the modems as lpac selects its drivers: `LPAC_APDU=at|qmi|mbim` and the
/// driver's device variable (lpac's deprecated `AT_DEVICE` and `QMI_DEVICE` too, with lpac's
/// warning); the lines are those of the same eUICC reached directly.
#[test]
fn lpac_mode_selects_each_modem_as_lpac_selects_its_drivers() {
    let sim = Sim::new();
    let lpac = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = oxicard();
        command.arg("lpac").args(args).envs(env.iter().copied());
        command.output().unwrap()
    };
    let direct = |args: &[&str]| {
        let out = lpac(&[("LPAC_APDU", "oxicard_sim"), ("OXICARD_SIM", sim.state.to_str().unwrap())], args);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let (chip, profiles) = (direct(&["chip", "info"]), direct(&["profile", "list"]));
    assert!(chip.contains(&sim.eid()), "{chip}");
    for (protocol, variable, warned) in [
        ("at", "AT_DEVICE", true),
        ("at", "LPAC_APDU_AT_DEVICE", false),
        ("qmi", "QMI_DEVICE", true),
        ("mbim", "LPAC_APDU_MBIM_DEVICE", false),
    ] {
        let modem = Modem::start(&sim, protocol, &[]);
        let env =
            [("LPAC_APDU", protocol), (variable, modem.device.as_str()), ("LPAC_APDU_MBIM_USE_PROXY", "0")];
        for (args, expected) in [(&["chip", "info"][..], &chip), (&["profile", "list"][..], &profiles)] {
            let out = lpac(&env, args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{protocol} {args:?}: {stderr}");
            assert_eq!(&String::from_utf8(out.stdout).unwrap(), expected, "{protocol} {args:?}");
            assert_eq!(stderr.contains(&format!("instead of '{variable}'")), warned, "{stderr}");
        }
        modem.stop();
    }
}
