//! `oxicard gp …` end to end on the simulated GP card kept in a temp file (`--sim=STATE`), in
//! human and JSON mode, with every way to give keys, and the errors; then `sim serve` through a
//! real pcscd + vpcd with `--reader`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

mod common;
use common::{BIN, assert_error, last_json};

const CAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../gp/testdata/hellostk.cap");
/// HelloSTK's package and applet AIDs (crates/gp/testdata/README.md).
const PACKAGE: &str = "D07002CA44";
const APPLET: &str = "D07002CA44900101";
/// Hand-made example keys (not published vectors).
const KEY_2: &str = "505152535455565758595A5B5C5D5E5F";
const KEY_3: &str = "606162636465666768696A6B6C6D6E6F";

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

    fn command(&self) -> Command {
        let mut command = Self::bare_command();
        command.arg(format!("--sim={}", self.state.display()));
        command
    }

    /// The binary with stdin closed and no configuration from the environment.
    fn bare_command() -> Command {
        common::oxicard()
    }

    /// `oxicard --reader READER ARGS`: the card in a reader (without `--sim`, which would name
    /// another card).
    fn run_on_reader(reader: &str, args: &[&str]) -> Output {
        Self::bare_command().args(["--reader", reader]).args(args).output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["--json"], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let last = last_json(&out);
        assert_eq!((last["type"].as_str(), last["payload"]["code"].as_i64()), (Some("lpa"), Some(0)));
        last["payload"]["data"].clone()
    }

    fn text(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

fn aids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|e| e["aid"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn info_human_and_json() {
    let gp = GpSim::new();
    let text = gp.text(&["gp", "info"]);
    assert!(text.contains("ISD:               A000000151000000\n"), "{text}");
    assert!(text.contains("secure channel:    SCP03 i=70"), "{text}");
    assert!(text.contains("SCP03:             S8, pseudo-random challenge, R-MAC yes, R-ENC yes"), "{text}");
    assert!(text.contains("key:               KVN 30 id 01 AES-128"), "{text}");

    let data = gp.json(&["gp", "info"]);
    assert_eq!(data["isd"], "A000000151000000");
    assert_eq!(data["cardLocked"], false);
    assert_eq!(data["cardRecognitionData"]["cardManagementVersion"], "2.2");
    assert_eq!(data["cardRecognitionData"]["secureChannels"][0], json!({"scp": "03", "i": "70"}));
    let keys = data["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3);
    assert_eq!(
        keys[0],
        json!({"kvn": "30", "id": "01", "components": [{"type": "AES", "typeCode": "88", "length": 16}]})
    );
    assert_eq!(data["cplc"]["icFabricator"].as_str().unwrap().len(), 4);
    // The sequence counter is the card's: no session was opened yet.
    assert_eq!(data["sequenceCounter"], 0);
    // SELECT and one GET DATA per object (CPLC, CRD, KIT, counter): the CRD is read once.
    let out = gp.run(&["-v", "gp", "info"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let apdus: Vec<&str> =
        stderr.lines().filter_map(|l| l.split("oxicard::apdu: >> ").nth(1)).map(|a| &a[..8]).collect();
    assert_eq!(apdus, ["00A40400", "80CA9F7F", "80CA0066", "80CA00E0", "80CA00C1"]);
}

#[test]
fn install_list_lock_delete_cycle() {
    let gp = GpSim::new();
    let list = gp.json(&["gp", "list"]);
    assert_eq!(aids(&list["isd"]), ["A000000151000000"]);
    assert_eq!(list["isd"][0]["lifeCycle"], "SECURED");
    assert_eq!(list["isd"][0]["privilegesCode"], "9EFE80");
    assert!(list["applications"].as_array().unwrap().is_empty());
    assert_eq!(aids(&list["loadFiles"]), ["A0000000620001"]);

    let text = gp.text(&["gp", "install", CAP]);
    assert_eq!(text, format!("loaded package {PACKAGE} 1.0\ninstalled {APPLET} (selectable)\n"));
    let list = gp.json(&["gp", "list"]);
    assert_eq!(aids(&list["applications"]), [APPLET]);
    assert_eq!(list["applications"][0]["lifeCycle"], "SELECTABLE");
    assert_eq!(list["applications"][0]["loadFile"], PACKAGE);
    assert_eq!(aids(&list["loadFiles"]), ["A0000000620001", PACKAGE]);
    assert_eq!(list["loadFiles"][1]["modules"], json!([APPLET]));
    let text = gp.text(&["gp", "list"]);
    assert!(text.contains(&format!("APP: {APPLET:<32} SELECTABLE")), "{text}");
    assert!(text.contains(&format!("     applet {APPLET}")), "{text}");

    // Again without --replace: refused, nothing changed.
    let last =
        assert_error(&gp.run(&["--json", "gp", "install", CAP]), true, "already on the card (use --replace)");
    assert_eq!(last["payload"]["message"], "gp_load");
    let data = gp.json(&["gp", "install", "--replace", CAP]);
    assert_eq!(data, json!({"package": PACKAGE, "version": "1.0", "replaced": true, "installed": [APPLET]}));

    assert_eq!(gp.text(&["gp", "lock", APPLET]), format!("application {APPLET} locked\n"));
    let list = gp.json(&["gp", "list"]);
    assert_eq!(
        (list["applications"][0]["lifeCycle"].as_str(), list["applications"][0]["lifeCycleCode"].as_str()),
        (Some("LOCKED"), Some("87"))
    );
    assert_eq!(gp.json(&["gp", "unlock", APPLET]), json!({"aid": APPLET, "locked": false}));
    assert_eq!(gp.json(&["gp", "list"])["applications"][0]["lifeCycleCode"], "07");

    // The package has an application: DELETE without --related is refused with 6985.
    let last = assert_error(&gp.run(&["--json", "gp", "delete", PACKAGE]), true, "DELETE failed: 6985");
    assert_eq!(last["payload"]["message"], "gp_delete");
    assert_eq!(
        gp.text(&["gp", "delete", "--related", PACKAGE]),
        format!("deleted {PACKAGE} and what depends on it\n")
    );
    let list = gp.json(&["gp", "list"]);
    assert!(list["applications"].as_array().unwrap().is_empty());
    assert_eq!(aids(&list["loadFiles"]), ["A0000000620001"]);
    // Unknown AID: 6A88.
    assert_error(&gp.run(&["gp", "delete", PACKAGE]), false, "6A88");
}

#[test]
fn install_options() {
    let gp = GpSim::new();
    assert_error(
        &gp.run(&["gp", "install", "--applet", "A000000001", CAP]),
        false,
        "is not an applet of the CAP file",
    );
    assert_error(
        &gp.run(&["gp", "install", "--privileges", "0102", CAP]),
        false,
        "--privileges: 1 or 3 bytes",
    );
    assert_error(&gp.run(&["gp", "install", "/nonexistent.cap"]), false, "cannot read /nonexistent.cap");
    let not_cap = gp.state.with_file_name("x.cap");
    std::fs::write(&not_cap, b"PK\x03\x04 not really").unwrap();
    assert_error(&gp.run(&["gp", "install", not_cap.to_str().unwrap()]), false, "not a usable CAP file");

    let data = gp.json(&[
        "gp",
        "install",
        "--instance",
        "D07002CA4490010201",
        "--params",
        "0102",
        "--privileges",
        "10",
        "--hash",
        "sha1",
        CAP,
    ]);
    assert_eq!(data["installed"], json!(["D07002CA4490010201"]));
    let app = &gp.json(&["gp", "list"])["applications"][0];
    assert_eq!(app["aid"], "D07002CA4490010201");
    assert_eq!(app["privilegesCode"], "100000");
    assert_eq!(app["privileges"], json!(["CardLock"]));

    let data = gp.json(&["gp", "install", "--replace", "--load-only", "--hash", "none", CAP]);
    assert_eq!(data["installed"], json!([]));
    let list = gp.json(&["gp", "list"]);
    assert!(list["applications"].as_array().unwrap().is_empty());
    assert_eq!(aids(&list["loadFiles"]), ["A0000000620001", PACKAGE]);
}

#[test]
fn keys_from_options_environment_and_file_never_echoed() {
    let gp = GpSim::new();
    // Add key set 31 under the default (test) key set 30.
    assert_eq!(
        gp.text(&["gp", "put-key", "--new-kvn", "31", "--new-key", KEY_2]),
        "key set 31 added (key check values verified)\n"
    );
    let info = gp.json(&["gp", "info"]);
    let kvns: Vec<&str> =
        info["keys"].as_array().unwrap().iter().map(|k| k["kvn"].as_str().unwrap()).collect();
    assert_eq!(kvns, ["30", "30", "30", "31", "31", "31"]);

    // Options.
    assert_eq!(aids(&gp.json(&["gp", "list", "--kvn", "31", "--key", KEY_2])["isd"]), ["A000000151000000"]);
    // Environment.
    let out = gp
        .command()
        .args(["--json", "gp", "list"])
        .env("OXICARD_GP_KEY", KEY_2)
        .env("OXICARD_GP_KVN", "31")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Key file, with separate ENC/MAC/DEK lines.
    let file = gp.state.with_file_name("keys.txt");
    std::fs::write(&file, format!("# test card\nenc={KEY_2}\nmac = {KEY_2}\ndek={KEY_2}\nkvn=31\n")).unwrap();
    assert!(gp.json(&["gp", "list", "--key-file", file.to_str().unwrap()])["isd"].is_array());

    // Wrong keys: one line, exit 1, JSON error scp03_open; the key is not echoed.
    let out = gp.run(&["--json", "gp", "list", "--kvn", "31", "--key", KEY_3]);
    assert_eq!(out.status.code(), Some(1));
    let last = assert_error(&out, true, "SCP03 authentication failed");
    assert_eq!(last["payload"]["message"], "scp03_open");
    assert!(String::from_utf8_lossy(&out.stderr).contains("(wrong keys?)"));
    // Unknown key version.
    assert_error(&gp.run(&["gp", "list", "--kvn", "3F"]), false, "6A88");
    // A malformed key: the value appears nowhere.
    let secret = "0123456789ABCDEF0123456789ABCDEG";
    let out = gp.run(&["--json", "gp", "list", "--key", secret]);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, true, "--key: not a hex key (value not shown)");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(secret)
            && !String::from_utf8_lossy(&out.stderr).contains(secret)
    );
    std::fs::write(&file, format!("key={secret}\n")).unwrap();
    let out = gp.run(&["gp", "list", "--key-file", file.to_str().unwrap()]);
    assert_error(&out, false, "keys.txt:1: not a hex key (value not shown)");
    assert!(!String::from_utf8_lossy(&out.stderr).contains(secret));
    // Help does not show environment values.
    let help = gp.command().args(["gp", "list", "--help"]).env("OXICARD_GP_KEY", KEY_2).output().unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains(KEY_2));
    // -v traces APDUs, but never the PUT KEY or EXTERNAL AUTHENTICATE data, even at level
    // 01 where the command data is not session-encrypted.
    let out = gp.run(&["-v", "gp", "put-key", "--level", "01", "--new-kvn", "32", "--new-key", KEY_3]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SCP03 session open level=01"), "{stderr}");
    assert!(stderr.contains(">> 84820100 [17 bytes redacted]"), "{stderr}");
    assert!(stderr.contains(">> 84D80081 [80 bytes redacted]"), "{stderr}");

    // Replace key set 31 by new values under the same version.
    let data = gp.json(&[
        "gp",
        "put-key",
        "--kvn",
        "31",
        "--key",
        KEY_2,
        "--replace",
        "31",
        "--new-kvn",
        "31",
        "--new-key",
        KEY_3,
    ]);
    assert_eq!(data, json!({"kvn": "31", "replaced": "31"}));
    assert!(gp.json(&["gp", "list", "--kvn", "31", "--key", KEY_3])["isd"].is_array());
    assert_error(&gp.run(&["gp", "list", "--kvn", "31", "--key", KEY_2]), false, "wrong keys?");

    // put-key usage errors.
    assert_error(&gp.run(&["gp", "put-key", "--new-kvn", "33"]), false, "give --new-key");
    assert_error(&gp.run(&["gp", "put-key", "--new-kvn", "80", "--new-key", KEY_2]), false, "not in 01..7F");
}

#[test]
fn security_levels_and_card_lock() {
    let gp = GpSim::new();
    // Each level is the one EXTERNAL AUTHENTICATE asks for (P1); `auto` is the highest "i" 70
    // allows.
    for (level, used) in
        [("01", "01"), ("03", "03"), ("11", "11"), ("13", "13"), ("31", "31"), ("33", "33"), ("auto", "33")]
    {
        let out = gp.run(&["-v", "--json", "gp", "list", "--level", level]);
        assert!(out.status.success(), "level {level}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!(">> 8482{used}00 [")), "level {level}: {stderr}");
        assert!(last_json(&out)["payload"]["data"]["isd"].is_array(), "level {level}");
    }
    assert_error(&gp.run(&["gp", "list", "--level", "02"]), false, "--level: 02 is not an SCP03 level");

    assert_eq!(gp.text(&["gp", "lock", "--card"]), "card locked\n");
    let info = gp.json(&["gp", "info"]);
    assert_eq!(info["cardLocked"], true);
    assert_eq!(gp.json(&["gp", "list"])["isd"][0]["lifeCycle"], "CARD_LOCKED");
    // A locked card refuses content management (GPC v2.3.1 §5.1.1.4): 6985.
    assert_error(&gp.run(&["gp", "install", CAP]), false, "6985");
    assert_eq!(gp.json(&["gp", "unlock", "--card"]), json!({"card": true, "locked": false}));
    assert_eq!(gp.json(&["gp", "list"])["isd"][0]["lifeCycle"], "SECURED");
    // lock needs an AID or --card, not both.
    assert_error(&gp.run(&["gp", "lock"]), false, "required");
    assert_error(&gp.run(&["gp", "lock", APPLET, "--card"]), false, "cannot be used with");
}

#[test]
fn errors_unknown_reader_bad_aid_bad_state() {
    let gp = GpSim::new();
    let last = assert_error(
        &GpSim::run_on_reader("No Such Reader 99", &["--json", "gp", "info"]),
        true,
        "No Such Reader 99",
    );
    assert_eq!(last["payload"]["message"], "reader_not_found");
    let out = gp.run(&["--reader", "No Such Reader 99", "gp", "info"]);
    assert_error(&out, false, "and --sim name two different cards");
    assert_eq!(out.status.code(), Some(2));
    assert_error(&gp.run(&["gp", "delete", "XYZ"]), false, "AID: \"XYZ\" is not hex");
    assert_error(&gp.run(&["gp", "delete", "A0"]), false, "AID: an AID has 5 to 16 bytes");
    assert_error(&gp.run(&["gp", "--isd", "A000000003000000", "info"]), false, "no issuer security domain");
    std::fs::write(&gp.state, b"{}").unwrap();
    assert_error(
        &gp.run(&["gp", "info"]),
        false,
        "gp-card.json is not a simulated GP card state file (no format member)",
    );
}

/// `sim serve --gp` and `sim serve` (the software eUICC) in the vpcd reader of a real pcscd,
/// driven by `--reader` commands from other processes. Skipped without the stack, except under
/// `CI=true`.
#[test]
fn pcsc_sim_serve_through_pcscd() {
    let Some(reader) = oxicard_transport::testbed::VirtualReader::open_for_test(1)
        .expect("CI=true: the PC/SC stack must be usable")
    else {
        return;
    };
    let name = reader.name().to_owned();
    let port = reader.port().to_string();
    let timeout = Duration::from_secs(20);
    let gp = GpSim::new();
    let euicc_state = gp.state.with_file_name("euicc.json");

    for (card, state) in [("gp", &gp.state), ("euicc", &euicc_state)] {
        reader.context().wait_for_empty(&name, timeout).unwrap();
        let mut serve = Command::new(BIN);
        serve.arg(format!("--sim={}", state.display())).args(["sim", "serve", "--port", &port]);
        if card == "gp" {
            serve.arg("--gp");
        }
        let mut child = serve.stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        reader.context().wait_for_card(&name, timeout).unwrap();

        if card == "gp" {
            let on_reader = |args: &[&str]| GpSim::run_on_reader(&name, args);
            let info = on_reader(&["--json", "gp", "info"]);
            assert!(info.status.success(), "{}", String::from_utf8_lossy(&info.stderr));
            assert_eq!(last_json(&info)["payload"]["data"]["isd"], "A000000151000000");
            assert!(on_reader(&["gp", "install", CAP]).status.success());
            let list = last_json(&on_reader(&["--json", "gp", "list"]));
            assert_eq!(aids(&list["payload"]["data"]["applications"]), [APPLET]);
        } else {
            let out = GpSim::run_on_reader(&name, &["--json", "chip", "info"]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(last_json(&out)["payload"]["data"]["eidValue"].as_str().unwrap().len(), 32);
            let out = GpSim::run_on_reader(&name, &["--json", "profile", "list"]);
            assert_eq!(last_json(&out)["payload"]["data"], json!([]));
        }
        drop(child.stdin.take()); // end of input: the card is removed
        assert!(child.wait().unwrap().success());
        reader.context().wait_for_empty(&name, timeout).unwrap();
    }
    // What the card kept while it was served is in its state file.
    assert_eq!(aids(&gp.json(&["gp", "list"])["applications"]), [APPLET]);
}

/// A card with KDF3-diversified keys (master `40…4F`, KDD `00 01 … 09`, the inputs of
/// GlobalPlatformPro's TestPlaintextKeys): `--kdf kdf3` with the master key opens the session
/// and PUT KEY encrypts under the diversified DEK; without `--kdf` the keys are wrong.
#[test]
fn diversified_card_keys_with_kdf() {
    use oxicard_gp::keys::Diversification;
    use oxicard_secure_channel::scp03::SecretKey;
    use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};

    let gp = GpSim::new();
    let kdd: [u8; 10] = core::array::from_fn(|i| i as u8);
    let master = SecretKey::from_slice(&(0x40..0x50).collect::<Vec<u8>>()).unwrap();
    let card_keys = Diversification::Kdf3.diversify(&master, 0x30, &kdd).unwrap();
    drop(
        GpCard::open(&gp.state, || {
            GpCard::new(&DEFAULT_ISD_AID, card_keys).with_key_diversification_data(kdd)
        })
        .unwrap(),
    );

    assert_error(&gp.run(&["gp", "list"]), false, "wrong keys?");
    assert_error(&gp.run(&["gp", "list", "--kdf", "emv"]), false, "wrong keys?");
    let list = gp.json(&["gp", "list", "--kdf", "kdf3"]);
    assert_eq!(aids(&list["isd"]), ["A000000151000000"]);
    let out = gp.command().args(["-v", "gp", "list"]).env("OXICARD_GP_KDF", "kdf3").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("kdd=00010203040506070809"));
    // PUT KEY under the diversified DEK: the card decrypts the new keys and their KCVs match.
    assert_eq!(
        gp.json(&["gp", "put-key", "--kdf", "kdf3", "--new-kvn", "31", "--new-key", KEY_2]),
        json!({"kvn": "31", "replaced": null})
    );
    assert!(gp.json(&["gp", "list", "--kvn", "31", "--key", KEY_2])["isd"].is_array());
}

/// A card in S16 mode ("i" = `71`): the mode is taken from its Card Recognition Data, and the
/// highest level "i" allows (`33`) is used.
#[test]
fn s16_card_detected_from_its_card_recognition_data() {
    use oxicard_secure_channel::scp03::{IParameter, StaticKeys};
    use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};

    let gp = GpSim::new();
    let key =
        [0x40u8, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F];
    let keys = StaticKeys::new(0x30, &key, &key, &key).unwrap();
    let i = IParameter::from_byte(0x71).unwrap();
    drop(GpCard::open(&gp.state, || GpCard::new(&DEFAULT_ISD_AID, keys).with_i(i)).unwrap());
    let info = gp.json(&["gp", "info"]);
    assert_eq!(info["cardRecognitionData"]["secureChannels"][0], json!({"scp": "03", "i": "71"}));
    let out = gp.run(&["-v", "--json", "gp", "list"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SCP03 session open level=33"), "{stderr}");
    // INITIALIZE UPDATE with a 16-byte host challenge: Lc 10.
    assert!(stderr.contains(">> 8050000010"), "{stderr}");
    assert_eq!(aids(&last_json(&out)["payload"]["data"]["isd"]), ["A000000151000000"]);
}
