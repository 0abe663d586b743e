//! Notifications out of band and download errors a user can act on, with the `oxicard` binary
//! against a software eUICC in a temp dir and an in-test SM-DP+ (and, for what only the APDUs
//! show, the libraries on the same software eUICC):
//!
//! - `notification dump FILE` writes exactly the bytes the eUICC returns for
//!   RetrieveNotificationsList, owner-only; `notification replay FILE` delivers them to the
//!   SM-DP+ from a command that opens no card; nothing leaves the eUICC until
//!   `notification remove SEQ`; damaged, huge or special dump files are refused, nothing sent.
//! - A refused MatchingID names subjectCode, reasonCode and meaning; an ICCID already on the
//!   eUICC names the ICCID and the profile; after the eUICC's early ProfileInstallationResult no
//!   Bound Profile Package segment is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use oxicard_apdu::card::Card;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::asn1::{Fields, ctx_c, single};
use oxicard_euicc::download::{Consent, DownloadErrorKind, DownloadRequest, ProfileOffer, download};
use oxicard_euicc::es10::{
    BppCommandId, ErrorReason, InstallationError, ProfileInfo, RetrieveNotificationsListRequest,
};
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ResetKind, Transport, TransportError};
use serde_json::Value;

mod common;
use common::{Sim, assert_error, last_json};

/// The SM-DP+ address of the tests (reached through `--connect-to`).
const ADDRESS: &str = "smdp.cli.test";
/// Hand-made example ICCID.
const ICCID: &str = "8944478600004573128";

/// A test SM-DP+ serving `MATCH-1` (ICCID [`ICCID`], every notification to [`ADDRESS`]),
/// trusting `sim`'s PKI.
fn smdp(sim: &Sim) -> SmdpServer {
    let pki = sim.pki();
    let iccid = ICCID.parse().unwrap();
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile(
        "MATCH-1",
        ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, "Test", "oxicard", ADDRESS)),
    );
    SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).unwrap()
}

/// `--connect-to` and `--ca` for `server`.
fn net(sim: &Sim, server: &SmdpServer) -> Vec<String> {
    vec!["--connect-to".into(), format!("{ADDRESS}={}", server.base_url()), "--ca".into(), sim.ca()]
}

fn with<'a>(args: &[&'a str], more: &'a [String]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(more.iter().map(String::as_str));
    all
}

/// The pending notifications' sequence numbers (`notification list`).
fn pending(sim: &Sim) -> Vec<u64> {
    let list = sim.json(&["notification", "list"]);
    list.as_array().unwrap().iter().map(|n| n["seqNumber"].as_u64().unwrap()).collect()
}

/// The TLVs of the RetrieveNotificationsList response (`BF2B 00`, SGP.22 §5.7.10) of the
/// software eUICC in `sim`, byte for byte.
fn retrieved(sim: &Sim) -> Vec<Vec<u8>> {
    let document: Value = serde_json::from_slice(&std::fs::read(&sim.state).unwrap()).unwrap();
    let config =
        EuiccConfig { eid: document["eid"].as_str().unwrap().parse().unwrap(), ..EuiccConfig::default() };
    let euicc = SoftEuicc::open_with(&sim.state, config).unwrap();
    let mut card = Card::new(SimulatorTransport::new(euicc));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let der = isdr.call_with_der(&RetrieveNotificationsListRequest::default()).unwrap().der;
    isdr.close().unwrap();
    let outer = single(&der, ctx_c(43), "RetrieveNotificationsListResponse").unwrap();
    let fields = Fields::parse(outer.value(), "RetrieveNotificationsListResponse").unwrap();
    let list = fields.req(ctx_c(0), "notificationList").unwrap();
    list.fields("notificationList").unwrap().iter().map(|f| f.raw().to_vec()).collect()
}

/// The `pendingNotification` bytes of each line of a dump file.
fn dumped(file: &Path) -> Vec<Vec<u8>> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            base64::engine::general_purpose::STANDARD
                .decode(value["pendingNotification"].as_str().unwrap())
                .unwrap()
        })
        .collect()
}

#[test]
fn dump_replay_elsewhere_then_remove() {
    let sim = Sim::new();
    let server = smdp(&sim);
    let net = net(&sim, &server);
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    sim.text(&with(&["profile", "download", "--yes", &code], &net));
    sim.text(&["profile", "enable", ICCID]);
    sim.text(&["profile", "disable", ICCID]);
    let seqs = pending(&sim);
    assert_eq!(seqs.len(), 2);
    let received_before = server.smdp().notifications().len();

    // The dump: the eUICC's bytes exactly, owner-only, the members for people.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notifications.jsonl");
    let file_arg = file.display().to_string();
    let data = sim.json(&["notification", "dump", &file_arg]);
    assert_eq!(data.as_array().unwrap().len(), 2);
    assert_eq!(dumped(&file), retrieved(&sim));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(&file).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "notification");
    assert_eq!(first["eid"], sim.eid());
    assert_eq!(first["seqNumber"], seqs[0]);
    assert_eq!(first["profileManagementOperation"], "enable");
    assert_eq!(first["notificationAddress"], ADDRESS);
    assert_eq!(first["iccid"], ICCID);
    // Nothing removed by the dump; an existing dump is kept unless --force.
    assert_eq!(pending(&sim), seqs);
    assert_error(&sim.run(&["notification", "dump", &file_arg]), false, "exists; give --force to replace it");
    assert_eq!(sim.run(&["notification", "dump", &file_arg]).status.code(), Some(2));
    assert!(sim.run(&["notification", "dump", "--force", &file_arg]).status.success());
    assert_eq!(dumped(&file), retrieved(&sim));

    // The replay opens no card: with a reader that does not exist it still works.
    let out = common::oxicard()
        .args(with(&["--reader", "no such reader", "notification", "replay", &file_arg], &net))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "notification {} of eUICC {} (enable to {ADDRESS}): delivered",
            seqs[0],
            sim.eid()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("oxicard notification remove SEQ"), "{stdout}");
    // The SM-DP+ verified and recorded them, byte for byte.
    let received: Vec<Vec<u8>> =
        server.smdp().notifications()[received_before..].iter().map(|n| n.raw.clone()).collect();
    assert_eq!(received, dumped(&file));
    // JSON: lpac's progress events, then one element per notification.
    let out = sim.run(&with(&["--json", "notification", "replay", &file_arg], &net));
    assert!(out.status.success());
    let last = last_json(&out);
    assert_eq!(last["payload"]["data"][1]["delivered"], true);
    assert_eq!(last["payload"]["data"][1]["seqNumber"], seqs[1]);
    assert_eq!(last["payload"]["data"][1]["eid"], sim.eid());
    let progress = String::from_utf8(out.stdout).unwrap();
    assert!(progress.contains(r#""message":"es9p_handle_notification","data":"#), "{progress}");

    // Still on the eUICC: removal is `notification remove`, after the acknowledgement.
    assert_eq!(pending(&sim), seqs);
    for seq in &seqs {
        assert!(sim.text(&["notification", "remove", &seq.to_string()]).contains("removed"));
    }
    assert!(pending(&sim).is_empty());
}

#[test]
fn a_replay_that_fails_says_why_and_removes_nothing() {
    let sim = Sim::new();
    let server = smdp(&sim);
    let net = net(&sim, &server);
    sim.text(&with(&["profile", "download", "--yes", &format!("LPA:1${ADDRESS}$MATCH-1")], &net));
    sim.text(&["profile", "enable", ICCID]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.jsonl").display().to_string();
    sim.text(&["notification", "dump", &file]);
    drop(server);
    // The server is gone: each notification says so; the command still reports all of them.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("{ADDRESS}=https://{}", closed.local_addr().unwrap());
    drop(closed);
    let data = sim.json(&["notification", "replay", &file, "--connect-to", &dead, "--ca", &sim.ca()]);
    assert_eq!(data[0]["delivered"], false);
    assert!(
        data[0]["outcome"].as_str().unwrap().starts_with("not delivered: ES9+.HandleNotification:"),
        "{data}"
    );
    assert_eq!(pending(&sim).len(), 1);
}

#[test]
fn hostile_dump_files_are_refused_and_nothing_is_sent() {
    let sim = Sim::new();
    let server = smdp(&sim);
    let net = net(&sim, &server);
    sim.text(&with(&["profile", "download", "--yes", &format!("LPA:1${ADDRESS}$MATCH-1")], &net));
    sim.text(&["profile", "enable", ICCID]);
    sim.text(&["profile", "disable", ICCID]);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jsonl");
    sim.text(&["notification", "dump", &good.display().to_string()]);
    let text = std::fs::read_to_string(&good).unwrap();
    let (first, second) = {
        let mut lines = text.lines();
        (lines.next().unwrap().to_owned(), lines.next().unwrap().to_owned())
    };
    let received = server.smdp().notifications().len();

    let write = |name: &str, contents: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    };
    let mut bad_base64: Value = serde_json::from_str(&second).unwrap();
    bad_base64["pendingNotification"] = Value::from("not*base64");
    let mut hex: Value = serde_json::from_str(&second).unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(hex["pendingNotification"].as_str().unwrap())
        .unwrap();
    hex["pendingNotification"] = Value::from(hex::encode(&der));
    let cases = [
        // A copy cut short: the second line ends in the middle.
        (
            write("truncated.jsonl", format!("{first}\n{}", &second[..second.len() / 2]).as_bytes()),
            "line 2: not JSON",
        ),
        (
            write("base64.jsonl", format!("{first}\n{bad_base64}\n").as_bytes()),
            "line 2: member \"pendingNotification\" is invalid: Invalid symbol",
        ),
        (
            write("hex.jsonl", format!("{first}\n{hex}\n").as_bytes()),
            // Hex where base64 belongs: bad padding, or bytes that are no notification.
            "line 2: member \"pendingNotification\" is ",
        ),
        (write("binary.jsonl", b"\x00\xFF\x10 not text"), "line 1: not UTF-8 text"),
    ];
    for (path, needle) in &cases {
        let out = sim.run(&with(&["notification", "replay", path], &net));
        assert_error(&out, false, needle);
        assert_error(&out, false, "; nothing sent");
        let out = sim.run(&with(&["--json", "notification", "replay", path], &net));
        let e = assert_error(&out, true, needle);
        assert_eq!(e["payload"]["message"], "parse_notification");
    }

    // Huge: refused by its size before it is read (a sparse 5 MiB file).
    let huge = dir.path().join("huge.jsonl");
    std::fs::File::create(&huge).unwrap().set_len(5 * 1024 * 1024).unwrap();
    let out = sim.run(&with(&["notification", "replay", &huge.display().to_string()], &net));
    assert_error(&out, false, "is too large (over 4194304 bytes)");
    // A directory, a missing file.
    assert_error(
        &sim.run(&["notification", "replay", &dir.path().display().to_string()]),
        false,
        "is a directory, not a regular file",
    );
    assert_error(
        &sim.run(&["notification", "replay", "/nonexistent/n.jsonl"]),
        false,
        "cannot read /nonexistent/n.jsonl: no such file",
    );
    // A FIFO: refused at once, never opened (no writer would ever come).
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let started = std::time::Instant::now();
        let out = sim.run(&with(&["notification", "replay", &fifo.display().to_string()], &net));
        assert_error(&out, false, "is a FIFO, not a regular file");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // Nor is a dump written into one, even with --force.
        let out = sim.run(&["notification", "dump", "--force", &fifo.display().to_string()]);
        assert_error(&out, false, "is a FIFO, not a regular file");
    }
    assert_eq!(server.smdp().notifications().len(), received);
    assert_eq!(pending(&sim).len(), 2);
}

#[test]
fn a_refused_matching_id_names_the_codes_and_their_meaning() {
    let sim = Sim::new();
    let server = smdp(&sim);
    let net = net(&sim, &server);
    let code = format!("LPA:1${ADDRESS}$NO-SUCH-ID");
    let out = sim.run(&with(&["profile", "download", "--yes", &code], &net));
    assert_error(
        &out,
        false,
        "profile download failed at ES9+.AuthenticateClient: SM-DP+ refused: ES9+.AuthenticateClient Failed: \
         subjectCode 8.2.6 (MatchingID) reasonCode 3.8 (refused): MatchingID (AC_Token or EventID) refused",
    );
    assert_error(&out, false, "; then the session was cancelled on both sides (undefinedReason (127))");
}

#[test]
fn an_iccid_already_on_the_euicc_is_named() {
    let sim = Sim::new();
    let server = smdp(&sim);
    let net = net(&sim, &server);
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    sim.text(&with(&["profile", "download", "--yes", &code], &net));
    let out = sim.run(&with(&["--json", "profile", "download", "--yes", &code], &net));
    let aid = sim.json(&["profile", "list"])[0]["isdpAid"].as_str().unwrap().to_owned();
    let e = assert_error(
        &out,
        true,
        &format!(
            "installation failed at storeMetadata (bppCommandId 2): installFailedDueToIccidAlreadyExistsOnEuicc \
             (9): ICCID {ICCID} is already on the eUICC (profile \"Test\", disabled, ISD-P {aid}); the result \
             notification was delivered and removed"
        ),
    );
    assert_eq!(e["payload"]["message"], "es10b_load_bound_profile_package");
}

/// Every command APDU with its response (data and status word), in order.
type ApduLog = Arc<Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// A transport that records every command and response.
struct Recorder<T> {
    inner: T,
    log: ApduLog,
}

impl<T: Transport> Transport for Recorder<T> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let len = self.inner.exchange(command, response)?;
        self.log.lock().unwrap().push((command.to_vec(), response[..len].to_vec()));
        Ok(len)
    }

    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.inner.reset(kind)
    }
}

/// The software eUICC already holds the offered ICCID: it fails at storeMetadata, long before
/// the profile elements, and the LPA sends nothing of the package after its answer.
#[test]
fn no_package_segment_follows_the_software_euiccs_early_result() {
    let sim = Sim::new();
    let pki = sim.pki();
    let server = smdp(&sim);
    let mut euicc = SoftEuicc::from_identity(pki.euicc_identity().unwrap());
    let existing = ProfileInfo::new(ICCID.parse().unwrap());
    euicc.install_profile_for_tests(existing).unwrap();
    let log: ApduLog = Arc::new(Mutex::new(Vec::new()));
    let mut card = Card::new(Recorder { inner: SimulatorTransport::new(euicc), log: Arc::clone(&log) });
    let mut client = server.client(pki.ci().certificate().der()).unwrap();
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let code: ActivationCode = format!("1${ADDRESS}$MATCH-1").parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let error = download(&mut isdr, &mut client, &request, &mut accept).unwrap_err();
    drop(isdr);

    assert!(
        matches!(
            error.kind,
            DownloadErrorKind::Installation(InstallationError {
                command: BppCommandId::StoreMetadata,
                reason: ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc,
                ..
            })
        ),
        "{error}"
    );
    let log = log.lock().unwrap();
    let answered = log
        .iter()
        .position(|(c, r)| c.get(1) == Some(&0xE2) && r.starts_with(&[0xBF, 0x37]))
        .expect("the ProfileInstallationResult");
    let bpp_tag = |data: &[u8]| {
        matches!(data.first(), Some(0xA0..=0xA3 | 0x86..=0x88)) || data.starts_with(&[0xBF, 0x36])
    };
    // The last segment sent is a StoreMetadata `88`; none of the package follows the result.
    assert_eq!(log[answered].0.get(5), Some(&0x88));
    let later: Vec<String> = log[answered + 1..]
        .iter()
        .filter(|(c, _)| {
            c.get(1) == Some(&0xE2) && c.get(3) == Some(&0) && bpp_tag(c.get(5..).unwrap_or_default())
        })
        .map(|(c, _)| hex::encode_upper(&c[..c.len().min(8)]))
        .collect();
    assert!(later.is_empty(), "package segments after the result: {later:?}");
    assert!(log.iter().all(|(_, r)| !r.ends_with(&[0x6A, 0x88])));
}
