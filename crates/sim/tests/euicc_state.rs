//! The software eUICC's state file: what the LPA saw acknowledged survives process death;
//! failed writes are not acknowledged; foreign or corrupt files are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::{
    BitFlags, NotificationConfigurationInformation, ProfileInfo, ProfileState, notification_event,
};
use oxicard_euicc::iccid::{Eid, Iccid};
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::{EuiccConfig, STATE_FORMAT, SoftEuicc};
use oxicard_sim::storage::StateError;
use oxicard_transport::sim::{CardSimulator, SimulatorTransport};

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oxicard-sim-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn iccid(digits: &str) -> Iccid {
    digits.parse().unwrap()
}

fn profile(digits: &str) -> ProfileInfo {
    {
        let mut profile_info = ProfileInfo::new(iccid(digits));
        profile_info.profile_name = Some(format!("profile {digits}"));
        profile_info.notification_configuration = Some(vec![NotificationConfigurationInformation::new(
            BitFlags::from_bits([notification_event::ENABLE, notification_event::DELETE]),
            "smdp.example.com".into(),
        )]);
        profile_info
    }
}

#[test]
fn acknowledged_changes_survive_process_death() {
    let dir = scratch("death");
    let path = dir.join("euicc.json");
    let mut euicc = SoftEuicc::open(&path).unwrap();
    euicc.install_profile_for_tests(profile("8944478600004573128")).unwrap();
    euicc.install_profile_for_tests(profile("8944478600004573136")).unwrap();
    let mut card = Card::new(SimulatorTransport::new(euicc));
    {
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        isdr.enable_profile(iccid("8944478600004573128"), false).unwrap();
        isdr.set_nickname(iccid("8944478600004573128"), "home").unwrap();
        isdr.delete_profile(iccid("8944478600004573136")).unwrap();
        isdr.set_default_dp_address("smdp.example.com").unwrap();
        isdr.remove_notification(1).unwrap();
    }
    let seen = card.transport().simulator().state().clone();
    // Dropping the eUICC only releases its lock: nothing is written at drop (process death
    // itself is tested with killed processes in `state_crash.rs`).
    drop(card);

    let reopened = SoftEuicc::open(&path).unwrap();
    assert_eq!(reopened.state(), &seen);
    let profiles = reopened.state().profiles();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].state, Some(ProfileState::Enabled));
    assert_eq!(profiles[0].nickname.as_deref(), Some("home"));
    assert_eq!(reopened.state().default_dp_address(), Some("smdp.example.com"));
    // Enable (1) was removed; delete (2) is pending; the counter went on.
    let pending: Vec<_> = reopened.state().notifications().iter().map(|n| n.metadata().seq_number).collect();
    assert_eq!(pending, [2]);
    assert_eq!(reopened.state().next_seq_number(), 3);
    // Nothing else in the directory but the lock file: every temporary file was renamed.
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    files.sort();
    assert_eq!(files, ["euicc.json", "euicc.json.lock"]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["format"], STATE_FORMAT);
    assert_eq!(json["eid"], "89882119900000000000000000000005");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_write_is_not_acknowledged() {
    let dir = scratch("fail");
    let path = dir.join("euicc.json");
    let mut euicc = SoftEuicc::open(&path).unwrap();
    euicc.install_profile_for_tests(profile("8944478600004573128")).unwrap();
    euicc.reset();
    let before = euicc.state().clone();
    // The directory disappears (the disk is gone): the write fails.
    std::fs::remove_dir_all(&dir).unwrap();
    let mut response = Vec::new();
    let select = hex::decode("00A4040C10A0000005591010FFFFFFFF8900000100").unwrap();
    euicc.process(&select, &mut response);
    assert_eq!(response, [0x90, 0x00]);
    // EnableProfile { A0 { 5A iccid }, 81 FF }: 6581 memory failure, and nothing changed.
    let enable = hex::decode("80E2910014BF3111A00C5A0A984474680000543721F88101FF00").unwrap();
    response.clear();
    euicc.process(&enable, &mut response);
    assert_eq!(response, [0x65, 0x81]);
    assert_eq!(euicc.state(), &before);
}

#[test]
fn foreign_and_corrupt_files_are_refused() {
    let dir = scratch("refuse");
    let path = dir.join("euicc.json");
    drop(SoftEuicc::open(&path).unwrap());
    let other = EuiccConfig {
        eid: Eid::with_check_digits("89049032000000000000000000000000").unwrap(),
        ..EuiccConfig::default()
    };
    assert!(matches!(SoftEuicc::open_with(&path, other), Err(StateError::EidMismatch { .. })));
    std::fs::write(&path, b"{\"format\": \"something else\"}").unwrap();
    assert!(matches!(SoftEuicc::open(&path), Err(StateError::Format { .. })));
    // A counter below a pending notification's number breaks an invariant.
    std::fs::remove_file(&path).unwrap();
    let euicc = SoftEuicc::open(&path).unwrap();
    let mut card = Card::new(SimulatorTransport::new(euicc));
    {
        card.transport_mut()
            .simulator_mut()
            .install_profile_for_tests(profile("8944478600004573128"))
            .unwrap();
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        isdr.enable_profile(iccid("8944478600004573128"), false).unwrap();
    }
    drop(card);
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["next_seq_number"], 2);
    json["next_seq_number"] = serde_json::json!(1);
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let err = SoftEuicc::open(&path).unwrap_err();
    assert!(err.to_string().contains("sequence number"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
