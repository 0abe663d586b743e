//! `oxicard` on removable eUICCs:
//!
//! - `chip info` names the ISD-R AID it used (`isdrAid` in the JSON data, beside lpac's keys;
//!   `ISD-R AID:` in text): the SGP.22 §2.2.3 AID on a standard card, a vendor AID found by the
//!   fallback of `oxicard_euicc::isdr` on a card whose ISD-R is elsewhere; `--isd-r` selects
//!   only the AID it names;
//! - `profile enable | disable | delete ICCID` work on a card that refuses the ICCID form
//!   (done by ISD-P AID after a GetProfilesInfo).
//!
//! The vendor cards are the software eUICC (and a wrapper around it) played in the vpcd reader
//! of a real pcscd, as in `pcsc_card.rs`: the binary cannot configure its own software eUICC's
//! ISD-R AID. Those tests need `scripts/pcsc-stack.sh start`; without it they skip, except under
//! `CI=true`. Each plays its card in slot 0 ("Virtual PCD 00 00").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use oxicard_euicc::es10::{ProfileInfo, ProfileState};
use oxicard_euicc::isdr::{ISD_R_AID, ISD_R_AID_5BER};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_transport::sim::CardSimulator;
use oxicard_transport::testbed::VirtualReader;

mod common;
use common::{BIN, Sim, assert_error, last_json};

const STANDARD: &str = "A0000005591010FFFFFFFF8900000100";
const FIVE_BER: &str = "A0000005591010FFFFFFFF8900050500";
/// Hand-made example ICCID of the profile on the test eUICC.
const ICCID: &str = "8944478600004573128";

#[test]
fn chip_info_names_the_standard_isdr_aid() {
    let sim = Sim::new();
    let data = sim.json(&["chip", "info"]);
    assert_eq!(data["isdrAid"], STANDARD);
    // lpac's keys are all still there.
    for key in ["eidValue", "EuiccConfiguredAddresses", "EUICCInfo2"] {
        assert!(data.get(key).is_some(), "{key}: {data}");
    }
    let text = sim.text(&["chip", "info"]);
    assert!(text.contains(&format!("\nISD-R AID:           {STANDARD}\n")), "{text}");
    // `--isd-r` naming it: the same.
    assert_eq!(sim.json(&["--isd-r", STANDARD, "chip", "info"])["isdrAid"], STANDARD);
    // `--isd-r` naming a vendor AID the software eUICC does not have: only that one is tried.
    let out = sim.run(&["--json", "--isd-r", FIVE_BER, "chip", "info"]);
    assert_error(&out, true, "no ISD-R on the card: SELECT refused A0000005591010FFFFFFFF8900050500: 6A82");
}

// --- Vendor cards through pcscd + vpcd ---------------------------------------------------------

/// The commands a card got.
type Log = Arc<Mutex<Vec<Vec<u8>>>>;

/// A simulator that logs each command and, with `refuse_iccid`, answers EnableProfile,
/// DisableProfile and DeleteProfile naming the profile by ICCID with `iccidOrAidNotFound(1)`
/// (SGP.22 §5.7.16–18), as some removable eUICCs do.
struct VendorCard {
    inner: SoftEuicc,
    log: Log,
    refuse_iccid: bool,
}

/// The request tag (`31`, `32`, `33`) of a one-block STORE DATA naming a profile by ICCID (`5A`).
fn by_iccid(apdu: &[u8]) -> Option<u8> {
    let [_, 0xE2, 0x91, 0x00, lc, rest @ ..] = apdu else { return None };
    match rest.get(..usize::from(*lc))? {
        [0xBF, tag @ (0x31 | 0x32), _, 0xA0, _, 0x5A, ..] => Some(*tag),
        [0xBF, 0x33, _, 0x5A, ..] => Some(0x33),
        _ => None,
    }
}

impl CardSimulator for VendorCard {
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn power_off(&mut self) {
        self.inner.power_off();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.log.lock().unwrap().push(command.to_vec());
        match by_iccid(command) {
            Some(tag) if self.refuse_iccid => {
                response.extend_from_slice(&[0xBF, tag, 0x03, 0x80, 0x01, 0x01, 0x90, 0x00]);
            }
            _ => self.inner.process(command, response),
        }
    }
}

/// A software eUICC whose ISD-R is at `aid`, with one disabled profile.
fn euicc_at(aid: &[u8]) -> SoftEuicc {
    let mut euicc = SoftEuicc::in_memory(EuiccConfig { isdr_aid: aid.to_vec(), ..EuiccConfig::default() });
    let iccid = ICCID.parse().unwrap();
    euicc.install_profile_for_tests(ProfileInfo::new(iccid)).unwrap();
    euicc
}

/// Slot 0, or `None` (skip) without the PC/SC stack outside CI.
fn slot0() -> Option<VirtualReader> {
    VirtualReader::open_for_test(0).expect("CI=true: the PC/SC stack must be usable")
}

/// `oxicard --reader NAME ARGS` with a scratch home and none of the reader or key variables.
fn run(home: &tempfile::TempDir, reader: &str, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["--reader", reader])
        .args(args)
        .stdin(Stdio::null())
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path());
    for var in ["OXICARD_READER", "OXICARD_SIM", "OXICARD_GP_KEY", "OXICARD_GP_KEY_FILE"] {
        command.env_remove(var);
    }
    command.output().unwrap()
}

fn ok(out: &Output) -> &Output {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The SELECTs (by AID) among `commands`, as hex.
fn selects(commands: &[Vec<u8>]) -> Vec<String> {
    commands.iter().filter(|c| c.get(1) == Some(&0xA4)).map(hex::encode_upper).collect()
}

/// A 5ber-like card: `chip info` finds the ISD-R at its vendor AID (one more SELECT, on the same
/// channel) and says so; `--isd-r` with the standard AID tries only that and fails; `--isd-r`
/// with the vendor AID goes straight to it.
#[test]
fn pcsc_chip_info_finds_and_reports_a_vendor_isdr_aid() {
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let name = reader.name().to_owned();
    let log = Log::default();
    let inserted = reader
        .insert(VendorCard { inner: euicc_at(&ISD_R_AID_5BER), log: Arc::clone(&log), refuse_iccid: false })
        .unwrap();
    log.lock().unwrap().clear();

    let out = run(&home, &name, &["--json", "chip", "info"]);
    let data = &last_json(ok(&out))["payload"]["data"];
    assert_eq!(data["isdrAid"], FIVE_BER);
    assert_eq!(data["eidValue"], "89882119900000000000000000000005");
    let sent = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(
        selects(&sent),
        [format!("01A4040010{STANDARD}00"), format!("01A4040010{FIVE_BER}00")],
        "both on logical channel 1"
    );

    let out = run(&home, &name, &["chip", "info"]);
    let text = String::from_utf8(ok(&out).stdout.clone()).unwrap();
    assert!(text.contains(&format!("ISD-R AID:           {FIVE_BER}")), "{text}");

    let out = run(&home, &name, &["--json", "--isd-r", STANDARD, "chip", "info"]);
    let error = assert_error(&out, true, "no ISD-R on the card");
    assert_eq!(error["payload"]["message"], "euicc_init");
    log.lock().unwrap().clear();
    let out = run(&home, &name, &["--json", "--isd-r", FIVE_BER, "chip", "info"]);
    assert_eq!(last_json(ok(&out))["payload"]["data"]["isdrAid"], FIVE_BER);
    assert_eq!(selects(&log.lock().unwrap()), [format!("01A4040010{FIVE_BER}00")]);
    reader.remove(inserted).unwrap();
}

/// A card that refuses the ICCID form: `profile enable | disable | delete ICCID` all succeed,
/// each after a GetProfilesInfo and the request by ISD-P AID; the card's state shows it.
#[test]
fn pcsc_profile_operations_by_iccid_on_a_card_refusing_the_iccid_form() {
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let name = reader.name().to_owned();
    let log = Log::default();
    let inserted = reader
        .insert(VendorCard { inner: euicc_at(&ISD_R_AID), log: Arc::clone(&log), refuse_iccid: true })
        .unwrap();

    for (args, state) in [
        (&["profile", "enable", ICCID][..], Some("enabled")),
        (&["profile", "disable", ICCID][..], Some("disabled")),
        (&["profile", "delete", ICCID][..], None),
    ] {
        log.lock().unwrap().clear();
        let out = run(&home, &name, &[&["--json"], args].concat());
        assert_eq!(last_json(ok(&out))["payload"]["code"], 0, "{args:?}");
        let sent = std::mem::take(&mut *log.lock().unwrap());
        let store_data: Vec<String> = sent
            .iter()
            .filter(|c| c.get(1) == Some(&0xE2))
            .map(|c| hex::encode_upper(c.get(5..8).unwrap_or_default()))
            .collect();
        // By ICCID, GetProfilesInfo (`BF2D`), by ISD-P AID: `BF31` / `BF32` / `BF33` twice.
        let tag = match args[1] {
            "enable" => "BF31",
            "disable" => "BF32",
            _ => "BF33",
        };
        assert_eq!(store_data.len(), 3, "{args:?}: {store_data:?}");
        assert!(store_data[0].starts_with(tag) && store_data[2].starts_with(tag), "{store_data:?}");
        assert!(store_data[1].starts_with("BF2D"), "{store_data:?}");
        let out = run(&home, &name, &["--json", "profile", "list"]);
        let list = last_json(ok(&out))["payload"]["data"].clone();
        match state {
            Some(state) => assert_eq!(list[0]["profileState"], state, "{args:?}"),
            None => assert_eq!(list, serde_json::json!([]), "{args:?}"),
        }
    }
    let card = reader.remove(inserted).unwrap();
    assert!(card.inner.state().profiles().iter().all(|p| p.state != Some(ProfileState::Enabled)));
    assert!(card.inner.state().profiles().is_empty());
}
