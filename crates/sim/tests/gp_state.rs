//! A file-backed [`GpCard`]: the registry, key sets, sequence counter and life cycle survive a
//! new process (a new `GpCard::open` of the same file); a bad file is a typed error; a failed
//! write is answered `6581` instead of a success.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::Card;
use oxicard_gp::cap::{CapFile, HashAlgorithm, LoadOptions};
use oxicard_gp::command::{InstallParameters, PutKey};
use oxicard_gp::connect::IsdSelection;
use oxicard_gp::status::{Kind, Privileges, get_status};
use oxicard_gp::{ops, select_isd};
use oxicard_secure_channel::scp03::{
    OpenOptions, Scp03Error, Scp03Session, SecretKey, SecurityLevel, StaticKeys,
};
use oxicard_sim::gp::{DEFAULT_ISD_AID, GP_STATE_FORMAT, GpCard};
use oxicard_sim::storage::StateError;
use oxicard_transport::sim::SimulatorTransport;

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn fresh() -> GpCard {
    GpCard::new(&DEFAULT_ISD_AID, keys()).with_key_diversification_data(*b"0123456789")
}

type SimCard = Card<SimulatorTransport<GpCard>>;

fn open_card(path: &std::path::Path) -> SimCard {
    let mut card = Card::new(SimulatorTransport::new(GpCard::open(path, fresh).unwrap()));
    select_isd(&mut card, IsdSelection::Known).unwrap();
    card
}

#[test]
fn registry_keys_and_counter_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gp.json");
    let cap = CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap();
    let package = cap.package_aid();
    let applet = cap.applet_aids()[0];
    {
        let mut card = open_card(&path);
        assert!(path.exists(), "created on open");
        let mut s = Scp03Session::open(
            &mut card,
            &keys(),
            SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
            &OpenOptions::new(),
        )
        .unwrap();
        ops::load(&mut s, &cap, &[], LoadOptions::default(), Some(HashAlgorithm::Sha256)).unwrap();
        ops::install(
            &mut s,
            &ops::Instance::of(package, applet),
            Privileges::NONE,
            &InstallParameters::default(),
        )
        .unwrap();
        ops::set_application_lock(&mut s, &applet, true).unwrap();
        let dek = keys().dek().unwrap().clone();
        let k = |b: u8| SecretKey::from_slice(&[b; 16]).unwrap();
        let put = PutKey::aes_key_set(&dek, None, 0x31, [&k(0x50), &k(0x51), &k(0x52)]).unwrap();
        ops::put_key(&mut s, &put).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(GP_STATE_FORMAT));
    assert!(text.contains("\"kdd\": \"30313233343536373839\""), "{text}");
    // The document API is the file's: loading and writing gives the same bytes.
    let loaded = GpCard::from_state_json(text.as_bytes()).unwrap();
    assert_eq!(loaded.state_json(), text.as_bytes());
    let e = GpCard::from_state_json(b"{\"format\": 1}").err().unwrap();
    let chain = oxicard_transport::ErrorChain(&e).to_string();
    assert!(chain.starts_with("not the JSON of this format: "), "{chain}");
    assert!(chain.contains("expected a string"), "{chain}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // "Another process": the same file.
    let mut card = open_card(&path);
    let sim = card.transport().simulator();
    assert_eq!(sim.key_versions(), [0x30, 0x31]);
    assert_eq!(sim.sequence_counter(), 1);
    assert_eq!(sim.applications().len(), 1);
    assert_eq!(sim.applications()[0].aid, applet);
    assert_eq!(sim.applications()[0].life_cycle, 0x87);
    assert_eq!(
        sim.load_files().iter().map(|l| l.aid.clone()).collect::<Vec<_>>(),
        [vec![0xA0, 0x00, 0x00, 0x00, 0x62, 0x00, 0x01], package.to_vec()]
    );
    // The added key set opens a session; the counter goes on from the file's value.
    let new = StaticKeys::new(0x31, &[0x50; 16], &[0x51; 16], &[0x52; 16]).unwrap();
    let mut s = Scp03Session::open(&mut card, &new, SecurityLevel::C_MAC, &OpenOptions::new()).unwrap();
    let apps = get_status(&mut s, Kind::Applications).unwrap();
    assert_eq!(apps[0].aid, applet);
    assert_eq!(apps[0].life_cycle_state, 0x87);
    drop(s);
    assert_eq!(card.transport().simulator().sequence_counter(), 2);
    assert_eq!(card.transport().simulator().state_path(), Some(path.as_path()));
}

#[test]
fn a_bad_file_is_a_format_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gp.json");
    std::fs::write(&path, b"{not json").unwrap();
    assert!(matches!(GpCard::open(&path, fresh), Err(StateError::Format { .. })));

    // A valid file with one wrong field.
    drop(GpCard::open(dir.path().join("ok.json"), fresh).unwrap());
    let good = std::fs::read_to_string(dir.path().join("ok.json")).unwrap();
    let bad = good.replace("\"A000000151000000\"", "\"A0\"");
    std::fs::write(&path, bad).unwrap();
    match GpCard::open(&path, fresh) {
        Err(StateError::Format { problem, .. }) => assert!(problem.contains("isdAid"), "{problem}"),
        other => panic!("{other:?}"),
    }
    let other_format = good.replace(GP_STATE_FORMAT, "oxicard-gp-card/99");
    std::fs::write(&path, other_format).unwrap();
    assert!(matches!(GpCard::open(&path, fresh), Err(StateError::Format { .. })));
}

#[test]
fn a_failed_write_is_answered_6581() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gp.json");
    let mut card = open_card(&path);
    // The file replaced by a non-empty directory: the atomic rename fails (also for root).
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("keep"), b"x").unwrap();
    // INITIALIZE UPDATE changes the sequence counter: the write fails, the answer is 6581.
    match Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()) {
        Err(Scp03Error::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x65, 0x81)),
        other => panic!("{:?}", other.err()),
    }
    // The change is undone (the counter is what was last written) and the cause is kept.
    let card = card.transport().simulator();
    let written: serde_json::Value = serde_json::from_slice(&card.state_json()).unwrap();
    assert_eq!(written["sequenceCounter"], 0, "the failed INITIALIZE UPDATE left the counter");
    let cause = oxicard_transport::ErrorChain(card.last_save_error().unwrap()).to_string();
    assert!(cause.starts_with(&format!("state file: {}", path.display())), "{cause}");
    assert!(cause.contains("is a directory"), "{cause}");
}
