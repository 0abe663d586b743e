//! The right card, and only it: `oxicard --reader …` through a real pcscd + vsmartcard-vpcd,
//! with our simulators as the card, played in this process so that the tests see every APDU,
//! reset and power event the card gets.
//!
//! - a blank reader name, a reader with `--sim`, and a name matching several readers are
//!   errors, and no card is touched;
//! - a command leaves the card as it was (no reset reaches it, another application's handle
//!   goes on undisturbed), the ISD-R's channel is closed when a command fails too;
//! - a command's APDUs run in one PC/SC transaction: another application cannot begin one
//!   until the command is done.
//!
//! A reset by another application cannot come inside that transaction (pcscd makes the reset
//! wait: `pcsc_reset_by_another_application_waits_for_our_transaction` in the transport's
//! `pcsc_stack` tests); how the command reports one is tested in `backend`'s unit tests.
//!
//! Needs `scripts/pcsc-stack.sh start`; without it the tests skip, except under `CI=true`.
//! Every test plays its card in slot 0 ("Virtual PCD 00 00"); nextest runs `pcsc_` tests one
//! at a time (`.config/nextest.toml`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oxicard_euicc::es10::ProfileInfo;
use oxicard_euicc::isdr::ISD_R_AID;
use oxicard_secure_channel::scp03::StaticKeys;
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::Transport;
use oxicard_transport::pcsc::{ConnectOptions, OnReset, PcscCard};
use oxicard_transport::sim::CardSimulator;
use oxicard_transport::testbed::VirtualReader;

mod common;
use common::{BIN, assert_error, last_json};

/// Hand-made example ICCID of the profile on the test eUICC; another one that is not there.
const ICCID: &str = "8944478600004573128";
const MISSING_ICCID: &str = "8944478600004573136";
/// The GlobalPlatform test key `404142…4F`.
const GP_TEST_KEY: [u8; 16] =
    [0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F];
/// How long the command may take to reach the held APDU (never reached when all is well).
const PATIENCE: Duration = Duration::from_secs(30);

/// What the card saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// Power off (vpcd control `00`).
    PowerOff,
    /// Power on or reset (vpcd control `01`, `02`).
    Reset,
    /// A command APDU.
    Apdu(Vec<u8>),
    /// Logged by the test: another application's transaction began.
    OtherTransaction,
}

type Log = Arc<Mutex<Vec<Event>>>;

fn push(log: &Log, event: Event) {
    log.lock().unwrap().push(event);
}

fn take(log: &Log) -> Vec<Event> {
    std::mem::take(&mut *log.lock().unwrap())
}

fn apdus(events: &[Event]) -> Vec<&[u8]> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Apdu(apdu) => Some(apdu.as_slice()),
            _ => None,
        })
        .collect()
}

/// Holds the first command `trigger` accepts until the test releases it (or drops the sender).
struct Gate {
    trigger: fn(&[u8]) -> bool,
    reached: Sender<()>,
    release: Receiver<()>,
}

/// A simulator that logs what the card sees and can hold one command ([`Gate`]).
struct Recorder<S> {
    inner: S,
    log: Log,
    gate: Option<Gate>,
}

impl<S: CardSimulator> Recorder<S> {
    fn new(inner: S, log: &Log) -> Self {
        Recorder { inner, log: Arc::clone(log), gate: None }
    }
}

impl<S: CardSimulator> CardSimulator for Recorder<S> {
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self) {
        push(&self.log, Event::Reset);
        self.inner.reset();
    }

    fn power_off(&mut self) {
        push(&self.log, Event::PowerOff);
        self.inner.power_off();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        push(&self.log, Event::Apdu(command.to_vec()));
        if self.gate.as_ref().is_some_and(|gate| (gate.trigger)(command))
            && let Some(gate) = self.gate.take()
        {
            let _ = gate.reached.send(());
            let _ = gate.release.recv();
        }
        self.inner.process(command, response);
    }
}

/// A software eUICC (in memory) with one profile.
fn euicc() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    let iccid = ICCID.parse().unwrap();
    euicc.install_profile_for_tests(ProfileInfo::new(iccid)).unwrap();
    euicc
}

/// A simulated GP card (in memory) with the test key set `30`.
fn gp_card() -> GpCard {
    let keys = StaticKeys::new(0x30, &GP_TEST_KEY, &GP_TEST_KEY, &GP_TEST_KEY).unwrap();
    GpCard::new(&DEFAULT_ISD_AID, keys)
}

/// Slot 0, or `None` (skip) without the PC/SC stack outside CI.
fn slot0() -> Option<VirtualReader> {
    VirtualReader::open_for_test(0).expect("CI=true: the PC/SC stack must be usable")
}

/// The binary with stdin closed, a scratch data directory and none of the reader or key
/// variables of the environment.
fn oxicard(home: &tempfile::TempDir, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).stdin(Stdio::null()).env("HOME", home.path()).env("XDG_DATA_HOME", home.path());
    for var in ["OXICARD_READER", "OXICARD_GP_KEY", "OXICARD_GP_KEY_FILE", "OXICARD_GP_KVN", "OXICARD_GP_KDF"]
    {
        command.env_remove(var);
    }
    command
}

fn run(home: &tempfile::TempDir, args: &[&str]) -> Output {
    oxicard(home, args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Another application's connection: held during a test, it keeps pcscd from powering an idle
/// card down, and with [`OnReset::Fail`] a reset of the card would make its next command fail.
fn watcher(reader: &VirtualReader) -> PcscCard {
    reader.connect(&ConnectOptions::default().on_reset(OnReset::Fail)).unwrap()
}

/// SELECT of the ISD-R by the watcher; a reset since its last command is an error.
fn watcher_select(watcher: &mut PcscCard) -> Result<(), oxicard_transport::TransportError> {
    let mut command = vec![0x00, 0xA4, 0x04, 0x00, 0x10];
    command.extend_from_slice(&ISD_R_AID);
    let mut response = [0u8; 258];
    watcher.transmit(&command, &mut response).map(drop)
}

/// A blank reader name (option or environment), a reader together with `--sim`: usage errors
/// (exit 2). A part of both vpcd readers' names: an error listing them. None of it touches the
/// card; a part of one reader's name selects that reader.
#[test]
fn pcsc_blank_conflicting_and_ambiguous_reader_names_touch_no_card() {
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let log = Log::default();
    let inserted = reader.insert(Recorder::new(euicc(), &log)).unwrap();
    let sim = home.path().join("other-euicc.json");
    let sim_option = format!("--sim={}", sim.display());

    let blank = "a reader name cannot be empty";
    let cases: [(&[&str], Option<&str>, &str); 5] = [
        (&["--reader", "", "profile", "list"], None, blank),
        (&["--reader", " ", "profile", "list"], None, blank),
        (&["profile", "list"], Some(""), blank),
        (&["gp", "list"], Some("  "), blank),
        (
            &["--reader", reader.name(), &sim_option, "profile", "list"],
            None,
            "and --sim name two different cards",
        ),
    ];
    for (args, env, needle) in cases {
        let mut command = oxicard(&home, args);
        if let Some(value) = env {
            command.env("OXICARD_READER", value);
        }
        let out = command.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {}", stderr(&out));
        assert_error(&out, false, needle);
    }
    let out = run(&home, &["--json", "--reader", "", "chip", "info"]);
    assert_eq!(assert_error(&out, true, blank)["payload"]["message"], "invalid_argument");

    let out = run(&home, &["--json", "--reader", "Virtual", "profile", "list"]);
    let error = assert_error(&out, true, "reader name \"Virtual\" matches");
    assert_eq!(error["payload"]["message"], "reader_ambiguous");
    for name in ["Virtual PCD 00 00", "Virtual PCD 00 01"] {
        assert!(stderr(&out).contains(name), "{}", stderr(&out));
    }
    assert_eq!(out.status.code(), Some(1));

    assert_eq!(apdus(&take(&log)), Vec::<&[u8]>::new(), "a card was touched");
    assert!(!sim.exists(), "the --sim card was opened");

    let out = run(&home, &["--json", "--reader", "PCD 00 00", "profile", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_json(&out)["payload"]["data"][0]["iccid"], ICCID);
    assert!(!apdus(&take(&log)).is_empty());
    reader.remove(inserted).unwrap();
}

/// MANAGE CHANNEL open (`P1 00`) and close (`P1 80`) commands (ISO/IEC 7816-4 §11.1.2).
fn channel_commands(apdus: &[&[u8]]) -> (usize, usize) {
    let count = |p1: u8| apdus.iter().filter(|a| a.get(1) == Some(&0x70) && a.get(2) == Some(&p1)).count();
    (count(0x00), count(0x80))
}

/// `profile list`, a failing `profile enable`, `gp info` and `gp list` on a reader: no reset
/// or power event reaches the card, and another application's handle goes on undisturbed.
/// The failed command closed the ISD-R's logical channel too.
#[test]
fn pcsc_commands_leave_the_card_as_it_was() {
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let name = reader.name().to_owned();

    let log = Log::default();
    let inserted = reader.insert(Recorder::new(euicc(), &log)).unwrap();
    let mut other = watcher(&reader);
    take(&log);
    let out = run(&home, &["--reader", &name, "--json", "profile", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_json(&out)["payload"]["data"][0]["iccid"], ICCID);
    let out = run(&home, &["--reader", &name, "profile", "enable", MISSING_ICCID]);
    assert_error(&out, false, "es10c_enable_profile");
    let events = take(&log);
    assert!(!events.iter().any(|e| matches!(e, Event::Reset | Event::PowerOff)), "{events:?}");
    let apdus = apdus(&events);
    assert_eq!(channel_commands(&apdus), (2, 2), "{apdus:02X?}");
    assert_eq!(apdus.last().and_then(|a| a.get(1..3)), Some(&[0x70, 0x80][..]), "{apdus:02X?}");
    watcher_select(&mut other).unwrap();
    other.disconnect().unwrap();
    reader.remove(inserted).unwrap();

    let log = Log::default();
    let inserted = reader.insert(Recorder::new(gp_card(), &log)).unwrap();
    let mut other = watcher(&reader);
    take(&log);
    for command in ["info", "list"] {
        let out = run(&home, &["--reader", &name, "gp", command]);
        assert!(out.status.success(), "gp {command}: {}", stderr(&out));
    }
    let events = take(&log);
    assert!(!events.iter().any(|e| matches!(e, Event::Reset | Event::PowerOff)), "{events:?}");
    assert!(!events.is_empty());
    watcher_select(&mut other).unwrap();
    other.disconnect().unwrap();
    reader.remove(inserted).unwrap();
}

/// Runs `args` on `simulator` in slot 0, holding the card at the first command `trigger`
/// accepts; meanwhile another application tries to begin a transaction. It must get it only
/// once the command is done: the command holds one transaction from its first APDU to its last.
fn assert_one_transaction<S: CardSimulator + 'static>(
    reader: &VirtualReader,
    simulator: S,
    trigger: fn(&[u8]) -> bool,
    args: &[&str],
) {
    let home = tempfile::tempdir().unwrap();
    let log = Log::default();
    let (reached_tx, reached) = channel();
    let (release, release_rx) = channel();
    let gate = Gate { trigger, reached: reached_tx, release: release_rx };
    let inserted = reader.insert(Recorder { gate: Some(gate), ..Recorder::new(simulator, &log) }).unwrap();
    let mut other = watcher(reader);
    let child = oxicard(&home, &[&["--reader", reader.name()], args].concat())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let held = reached.recv_timeout(PATIENCE);

    let (begun_tx, begun) = channel();
    let other_log = Arc::clone(&log);
    let contender = std::thread::spawn(move || {
        let result = match other.transaction() {
            Ok(transaction) => {
                push(&other_log, Event::OtherTransaction);
                let _ = begun_tx.send(());
                transaction.end().map_err(|e| e.kind())
            }
            Err(err) => Err(err.kind()),
        };
        (result, other)
    });
    // Time for the contender to queue at pcscd. (It never begins while an APDU is in flight;
    // without the command's transaction it would begin right after the held APDU, before the
    // command's next one.)
    let overtaken = begun.recv_timeout(Duration::from_millis(500)).is_ok();
    drop(release);
    let out = child.wait_with_output().unwrap();
    let (result, other) = contender.join().unwrap();
    let events = take(&log);
    other.disconnect().unwrap();
    reader.remove(inserted).unwrap();

    assert!(held.is_ok(), "{args:?} never reached the held command: {}", stderr(&out));
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    assert!(!overtaken, "{args:?}: another application began a transaction mid-command: {events:02X?}");
    assert_eq!(result, Ok(()));
    // The contender's transaction came after every APDU of the command, not only the held one.
    let held_at = events.iter().position(|e| matches!(e, Event::Apdu(a) if trigger(a))).unwrap();
    assert!(events.len() > held_at + 2, "{events:02X?}");
    assert_eq!(events.last(), Some(&Event::OtherTransaction), "{events:02X?}");
}

/// `profile list` (MANAGE CHANNEL, SELECT ISD-R, STORE DATA, close) held at its STORE DATA,
/// `gp list` (SELECT, GET DATA, SCP03 handshake, GET STATUS…) held at its first GET STATUS:
/// each runs in one PC/SC transaction.
#[test]
fn pcsc_a_command_holds_one_transaction_from_first_to_last_apdu() {
    let Some(reader) = slot0() else { return };
    assert_one_transaction(&reader, euicc(), |c| c.get(1) == Some(&0xE2), &["profile", "list"]);
    assert_one_transaction(&reader, gp_card(), |c| c.get(1) == Some(&0xF2), &["gp", "list"]);
}

/// An SCP02 card (GPC v2.3.1 Appendix E, "i" 15) in the vpcd reader, through pcscd: `gp`
/// finds SCP02 in its Card Recognition Data, installs a CAP file, puts a DES key set and uses
/// it; `--scp 03` on that card is refused by the card.
#[test]
fn pcsc_gp_over_scp02() {
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let name = reader.name().to_owned();
    let keys = StaticKeys::new(0x20, &GP_TEST_KEY, &GP_TEST_KEY, &GP_TEST_KEY).unwrap();
    let card = GpCard::new(&DEFAULT_ISD_AID, keys).with_scp02(oxicard_secure_channel::scp02::IParameter::I15);
    let inserted = reader.insert(card).unwrap();
    let cap = concat!(env!("CARGO_MANIFEST_DIR"), "/../gp/testdata/hellostk.cap");
    let gp = |args: &[&str]| {
        let mut all = vec!["--reader", &name, "--json", "gp", "--kvn", "20"];
        all.extend_from_slice(args);
        run(&home, &all)
    };
    let out = gp(&["install", cap]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_json(&out)["payload"]["data"]["installed"][0], "D07002CA44900101");
    let new_key = "11".repeat(16);
    let out = gp(&["put-key", "--new-kvn", "21", "--replace", "20", "--new-key", &new_key]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut args = vec!["--reader", name.as_str(), "gp", "--kvn", "21", "--key", &new_key, "list"];
    let out = run(&home, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("D07002CA44900101"));
    args.splice(3..3, ["--scp", "03"]);
    let out = run(&home, &args);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("SCP03"), "{}", stderr(&out));
    let removed = reader.remove(inserted).unwrap();
    assert_eq!(removed.key_versions(), [0x21]);
}

/// A card whose ISD requires DAP verification (GPC v2.3.1 §9.2.1), in the vpcd reader through
/// pcscd: `gp install --dap-key` signs the load file (ECDSA P-256, then RSA-2048 with PSS), the
/// card verifies the DAP Block; without the key, or with another one, LOAD is refused `6982`.
#[test]
fn pcsc_gp_install_with_a_dap_block() {
    use oxicard_gp::dap::DapVerifier;
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let name = reader.name().to_owned();
    let testdata = concat!(env!("CARGO_MANIFEST_DIR"), "/../gp/testdata");
    let cap = format!("{testdata}/hellostk.cap");
    for (private, public) in [("p256.pem", "p256-pub.pem"), ("rsa2048.pem", "rsa2048-pub.pem")] {
        let verifier =
            DapVerifier::from_pem(&std::fs::read_to_string(format!("{testdata}/dap/{public}")).unwrap())
                .unwrap();
        let inserted = reader.insert(gp_card().with_dap_key(verifier)).unwrap();
        let install = |extra: &[&str]| {
            let mut args = vec!["--reader", name.as_str(), "--json", "gp", "install", cap.as_str()];
            args.extend_from_slice(extra);
            run(&home, &args)
        };
        let out = install(&[]);
        assert!(!out.status.success(), "{private}");
        let error = last_json(&out);
        assert_eq!(error["payload"]["sw"], "6982", "{private}: {error}");
        let other =
            format!("{testdata}/dap/{}", if private == "p256.pem" { "rsa2048.pem" } else { "p256.pem" });
        assert!(!install(&["--dap-key", &other]).status.success(), "{private}: another key");
        let key = format!("{testdata}/dap/{private}");
        let out = install(&["--dap-key", &key]);
        assert!(out.status.success(), "{private}: {}", stderr(&out));
        assert_eq!(last_json(&out)["payload"]["data"]["installed"][0], "D07002CA44900101");
        let card = reader.remove(inserted).unwrap();
        assert!(
            card.applications().iter().any(|a| a.aid == [0xD0, 0x70, 0x02, 0xCA, 0x44, 0x90, 0x01, 0x01])
        );
    }
}

/// lpac mode through pcscd, as lpac's pcsc driver: `driver apdu list` lists the readers by
/// index; `LPAC_APDU_PCSC_DRV_IFID` picks one by that index, `LPAC_APDU_PCSC_DRV_NAME` by a
/// part of its name, and without either the first reader with a card is used.
#[test]
fn pcsc_lpac_mode_picks_readers_as_lpacs_pcsc_driver() {
    let Some(reader) = slot0() else { return };
    let home = tempfile::tempdir().unwrap();
    let name = reader.name().to_owned();
    let inserted = reader.insert(euicc()).unwrap();
    let lpac = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = oxicard(&home, &["lpac"]);
        command.args(args).env_remove("OXICARD_SIM").env("LPAC_APDU", "pcsc").envs(env.iter().copied());
        command.output().unwrap()
    };
    let out = lpac(&[], &["driver", "apdu", "list"]);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["type"], "driver");
    assert_eq!(listed["payload"]["env"], "LPAC_APDU_PCSC_DRV_IFID");
    let readers = listed["payload"]["data"].as_array().unwrap();
    let index = readers.iter().position(|r| r["name"] == name.as_str()).unwrap();
    assert_eq!(readers[index]["env"], index.to_string());
    let expected_iccid = format!(r#""iccid":"{ICCID}""#);
    for env in [
        vec![("LPAC_APDU_PCSC_DRV_IFID", index.to_string())],
        vec![("LPAC_APDU_PCSC_DRV_NAME", name.clone())],
        vec![],
    ] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = lpac(&env, &["profile", "list"]);
        let stdout = String::from_utf8(out.stdout.clone()).unwrap();
        assert!(
            out.status.success() && stdout.contains(&expected_iccid),
            "{env:?}: {stdout} {}",
            stderr(&out)
        );
        assert!(
            stdout.starts_with(r#"{"type":"lpa","payload":{"code":0,"message":"success","data":[{"iccid""#)
        );
    }
    reader.remove(inserted).unwrap();

    // The reader without its card, and an index no reader has: lpac's euicc_init error byte
    // for byte, after lpac's pcsc driver line for the empty reader (front-ends tell "no card"
    // from "no reader" by its code).
    let init_error =
        r#"{"type":"lpa","payload":{"code":-1,"message":"euicc_init","data":""}}"#.to_owned() + "\n";
    let stdout = |out: &Output| String::from_utf8_lossy(&out.stdout).into_owned();
    let out = lpac(&[("LPAC_APDU_PCSC_DRV_IFID", &index.to_string())], &["profile", "list"]);
    assert_eq!((out.status.code(), stdout(&out)), (Some(255), init_error.clone()));
    assert_eq!(stderr(&out), "SCardConnect() failed: 8010000C (No smart card inserted.)\n");
    let out = lpac(&[("LPAC_APDU_PCSC_DRV_IFID", "99")], &["profile", "list"]);
    assert_eq!((out.status.code(), stdout(&out)), (Some(255), init_error.clone()));
}
