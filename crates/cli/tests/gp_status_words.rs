//! `oxicard gp …` refused by the simulated GP card (`--sim=STATE`): the status word explained
//! for its command per the GP Card Specification v2.3.1 error tables (and Amendment D for the
//! SCP03 handshake), in the one-line text error and as fields of the JSON error object
//! (`sw`, `operation`, `meaning`, `hint`, `reference`), each part once. And, in process on the
//! same simulated card, the load of a package already on it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Output;

use serde_json::{Value, json};

mod common;
use common::{assert_error, last_json};

const CAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../gp/testdata/hellostk.cap");
/// HelloSTK's package and applet AIDs (crates/gp/testdata/README.md).
const PACKAGE: &str = "D07002CA44";
const APPLET: &str = "D07002CA44900101";
/// The simulated card's ISD.
const ISD: &str = "A000000151000000";
/// A hand-made example key (not a published vector).
const NEW_KEY: &str = "505152535455565758595A5B5C5D5E5F";

/// The simulated GP card in a temp dir.
struct GpSim {
    _dir: tempfile::TempDir,
    state: PathBuf,
}

impl GpSim {
    fn new() -> GpSim {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("gp-card.json");
        GpSim { _dir: dir, state }
    }

    /// `oxicard --sim=STATE ARGS`, the new key of `gp put-key` in the environment.
    fn run(&self, args: &[&str]) -> Output {
        common::oxicard_on(&self.state).args(args).env("OXICARD_GP_NEW_KEY", NEW_KEY).output().unwrap()
    }

    fn ok(&self, args: &[&str]) {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `args` fails with `message` as the one line on stderr (`oxicard: error: MESSAGE`), and
    /// with `--json` with the error object carrying `message` as its data, `function` as its
    /// message and `status` (`sw`, `operation`, `meaning`, `hint`, `reference`) as fields.
    fn refused(&self, args: &[&str], function: &str, message: &str, status: &Value) {
        let text = self.run(args);
        assert_error(&text, false, message);
        assert_eq!(String::from_utf8_lossy(&text.stderr).trim_end(), format!("oxicard: error: {message}"));
        assert!(text.stdout.is_empty());
        reads_once(message, status);

        let json = self.run(&[&["--json"], args].concat());
        let last = assert_error(&json, true, message);
        assert_eq!(String::from_utf8_lossy(&json.stderr).trim_end(), format!("oxicard: error: {message}"));
        let payload = &last["payload"];
        assert_eq!((payload["message"].as_str(), payload["data"].as_str()), (Some(function), Some(message)));
        let keys: Vec<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 8, "{payload}");
        for key in ["sw", "operation", "meaning", "hint", "reference"] {
            assert_eq!(payload[key], status[key], "{key}: {payload}");
        }
        // The fields follow lpac's `code`, `message`, `data`, in this order.
        let line = String::from_utf8_lossy(&json.stdout).lines().last().unwrap().to_owned();
        let at = |key: &str| line.find(&format!("\"{key}\":")).unwrap();
        assert!(at("code") < at("message") && at("data") < at("sw") && at("sw") < at("operation"), "{line}");
        assert!(at("meaning") < at("hint") && at("hint") < at("reference"), "{line}");
    }
}

/// The message names the command, the status word, its meaning and its hint once each.
fn reads_once(message: &str, status: &Value) {
    for key in ["operation", "sw", "meaning", "hint"] {
        if let Some(part) = status[key].as_str() {
            assert_eq!(message.matches(part).count(), 1, "{key} {part:?} in {message:?}");
        }
    }
}

#[test]
fn delete_of_a_package_an_application_still_uses() {
    let gp = GpSim::new();
    gp.ok(&["gp", "install", CAP]);
    gp.refused(
        &["gp", "delete", PACKAGE],
        "gp_delete",
        "DELETE failed: 6985 (conditions of use not satisfied: an application installed from it may still exist \
         (delete it with its related objects), or it cannot be deleted)",
        &json!({
            "sw": "6985",
            "operation": "DELETE",
            "meaning": "conditions of use not satisfied",
            "hint": "an application installed from it may still exist (delete it with its related objects), or it cannot be deleted",
            "reference": "GPC v2.3.1 Table 11-10, §9.5",
        }),
    );
    // As the hint says: with its related objects it goes.
    gp.ok(&["gp", "delete", "--related", PACKAGE]);
}

#[test]
fn delete_of_an_aid_not_on_the_card() {
    let gp = GpSim::new();
    gp.refused(
        &["gp", "delete", PACKAGE],
        "gp_delete",
        "DELETE failed: 6A88 (referenced data not found: nothing with this AID or key version on the card)",
        &json!({
            "sw": "6A88",
            "operation": "DELETE",
            "meaning": "referenced data not found",
            "hint": "nothing with this AID or key version on the card",
            "reference": "GPC v2.3.1 Table 11-26",
        }),
    );
}

#[test]
fn put_key_replacing_a_key_version_not_on_the_card() {
    let gp = GpSim::new();
    gp.refused(
        &["gp", "put-key", "--replace", "3F", "--new-kvn", "32"],
        "gp_put_key",
        "PUT KEY failed: 6A88 (referenced data not found: no key set with the key version to replace)",
        &json!({
            "sw": "6A88",
            "operation": "PUT KEY",
            "meaning": "referenced data not found",
            "hint": "no key set with the key version to replace",
            "reference": "GPC v2.3.1 Table 11-78",
        }),
    );
}

#[test]
fn put_key_adding_a_key_version_already_on_the_card() {
    let gp = GpSim::new();
    gp.refused(
        &["gp", "put-key", "--new-kvn", "30"],
        "gp_put_key",
        "PUT KEY failed: 6985 (conditions of use not satisfied: a key set with the new key version may exist \
         already: replace it instead)",
        &json!({
            "sw": "6985",
            "operation": "PUT KEY",
            "meaning": "conditions of use not satisfied",
            "hint": "a key set with the new key version may exist already: replace it instead",
            "reference": "GPC v2.3.1 Table 11-10, §11.8.1",
        }),
    );
}

#[test]
fn install_of_an_instance_whose_aid_is_taken() {
    let gp = GpSim::new();
    gp.refused(
        &["gp", "install", "--replace", "--instance", ISD, CAP],
        "gp_install",
        "installing an applet: INSTALL [for install and make selectable] failed: 6985 (conditions of use not \
         satisfied: is an application with this AID already on the card, or the card locked?)",
        &json!({
            "sw": "6985",
            "operation": "INSTALL [for install and make selectable]",
            "meaning": "conditions of use not satisfied",
            "hint": "is an application with this AID already on the card, or the card locked?",
            "reference": "GPC v2.3.1 Table 11-10, §9.3.6",
        }),
    );
}

#[test]
fn install_on_a_locked_card() {
    let gp = GpSim::new();
    gp.ok(&["gp", "lock", "--card"]);
    gp.refused(
        &["gp", "install", CAP],
        "gp_load",
        "loading the package: INSTALL [for load] failed: 6985 (conditions of use not satisfied: is the load file already on the card, \
         or the card locked?)",
        &json!({
            "sw": "6985",
            "operation": "INSTALL [for load]",
            "meaning": "conditions of use not satisfied",
            "hint": "is the load file already on the card, or the card locked?",
            "reference": "GPC v2.3.1 Table 11-10, §9.3.5",
        }),
    );
}

#[test]
fn set_status_of_an_unknown_application_and_a_transition_not_allowed() {
    let gp = GpSim::new();
    gp.refused(
        &["gp", "lock", APPLET],
        "gp_set_status",
        "SET STATUS failed: 6A88 (referenced data not found: no application or security domain with this AID on \
         the card)",
        &json!({
            "sw": "6A88",
            "operation": "SET STATUS",
            "meaning": "referenced data not found",
            "hint": "no application or security domain with this AID on the card",
            "reference": "GPC v2.3.1 Table 11-87",
        }),
    );
    // SECURED to SECURED (GPC v2.3.1 §11.10.2.2: a transition to the current state is refused).
    gp.refused(
        &["gp", "unlock", "--card"],
        "gp_set_status",
        "SET STATUS failed: 6985 (conditions of use not satisfied: this life cycle transition is not allowed from \
         the current state)",
        &json!({
            "sw": "6985",
            "operation": "SET STATUS",
            "meaning": "conditions of use not satisfied",
            "hint": "this life cycle transition is not allowed from the current state",
            "reference": "GPC v2.3.1 Table 11-10, §11.10.2.2",
        }),
    );
}

#[test]
fn a_key_version_the_card_does_not_have() {
    let gp = GpSim::new();
    gp.refused(
        &["gp", "list", "--kvn", "3F"],
        "scp03_open",
        "SCP03 authentication failed: INITIALIZE UPDATE answered 6A88 (referenced data not found: no key set with \
         this key version on the card)",
        &json!({
            "sw": "6A88",
            "operation": "INITIALIZE UPDATE",
            "meaning": "referenced data not found",
            "hint": "no key set with this key version on the card",
            "reference": "Amendment D Table 7-4, GPC v2.3.1 Table E-9",
        }),
    );
}

/// Errors without a status word keep lpac's three payload fields.
#[test]
fn errors_without_a_status_word_have_no_status_fields() {
    let gp = GpSim::new();
    // Wrong keys: the host finds the card's cryptogram wrong, nothing is refused by the card.
    let out = gp.run(&["--json", "gp", "list", "--key", NEW_KEY]);
    let last = assert_error(&out, true, "SCP03 authentication failed");
    assert_eq!(last["payload"].as_object().unwrap().len(), 3, "{last}");
    // Refused by oxicard before any command.
    gp.ok(&["gp", "install", CAP]);
    let last =
        assert_error(&gp.run(&["--json", "gp", "install", CAP]), true, "already on the card (use --replace)");
    assert_eq!(last["payload"].as_object().unwrap().len(), 3, "{last}");
    assert_eq!(last_json(&gp.run(&["--json", "gp", "list"]))["payload"]["code"], 0);
}

/// Loading the same CAP file twice on the simulated card, in process through the library:
/// INSTALL [for load] is refused with `6985` (GPC v2.3.1 §9.3.5: the load file's AID is
/// registered already), and the error says so.
#[test]
fn the_same_cap_loaded_twice() {
    use oxicard_apdu::StatusWord;
    use oxicard_apdu::card::Card;
    use oxicard_gp::cap::{CapFile, LoadOptions};
    use oxicard_gp::ops::{self, OpError};
    use oxicard_gp::{GpError, select_isd};
    use oxicard_secure_channel::scp03::{OpenOptions, Scp03Session, SecurityLevel, StaticKeys};
    use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
    use oxicard_transport::sim::SimulatorTransport;

    let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys.clone())));
    select_isd(&mut card, oxicard_gp::connect::IsdSelection::Known).unwrap();
    let mut session =
        Scp03Session::open(&mut card, &keys, SecurityLevel::C_DEC_C_MAC_R_MAC, &OpenOptions::new()).unwrap();
    let cap = CapFile::from_zip(&std::fs::read(CAP).unwrap()).unwrap();
    ops::load(&mut session, &cap, &[], LoadOptions::default(), None).unwrap();
    let err = ops::load(&mut session, &cap, &[], LoadOptions::default(), None).unwrap_err();
    let OpError::Card(error @ GpError::Status { operation, sw }) = &err else { panic!("{err:?}") };
    assert_eq!((*operation, *sw), ("INSTALL [for load]", StatusWord::new(0x69, 0x85)));
    assert_eq!(
        error.to_string(),
        "INSTALL [for load] failed: 6985 (conditions of use not satisfied: is the load file already on the card, \
         or the card locked?)"
    );
    let meaning = error.status_meaning().unwrap();
    assert_eq!(meaning.reference, "GPC v2.3.1 Table 11-10, §9.3.5");
}
