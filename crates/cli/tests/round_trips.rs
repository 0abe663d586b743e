//! No round trip that is not needed: the exact APDU sequence of each eSIM command of the `oxicard`
//! binary on the software eUICC, read from its `-v` trace.
//!
//! - one logical channel per command: one MANAGE CHANNEL open and SELECT of the ISD-R, one close;
//! - one STORE DATA per ES10 request that fits a block, no capability probe (TERMINAL
//!   CAPABILITY is not sent, nothing is read that the command does not show);
//! - the last block of each request asks for the answer (`Le = 00`, case 4, ISO/IEC 7816-4
//!   §5.1), earlier blocks do not: GET RESPONSE only follows an answer over 256 bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_sim::smdp::SmdpServer;

mod common;
use common::Sim;

/// The SM-DP+ address of the tests (reached through `--connect-to`).
const ADDRESS: &str = "smdp.round-trips.test";
/// Hand-made example ICCID.
const ICCID: &str = "8944478600004573128";
/// SELECT of the ISD-R on channel 1 (SGP.22 §2.2.3 AID), case 4.
const SELECT_ISDR: &str = "01A4040010A0000005591010FFFFFFFF890000010000";

/// The test SM-DP+ of these tests and the options reaching it.
fn smdp(sim: &Sim) -> (SmdpServer, Vec<String>) {
    common::test_smdp(sim, ADDRESS, ICCID)
}

/// The command APDUs `oxicard -v ARGS` sent, in order (the command must succeed).
fn apdus(sim: &Sim, args: &[&str], net: &[String]) -> Vec<Vec<u8>> {
    let mut all = vec!["-v"];
    all.extend_from_slice(args);
    all.extend(net.iter().map(String::as_str));
    let out = sim.run(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    stderr
        .lines()
        .filter_map(|l| l.split("oxicard::apdu: >> ").nth(1))
        .map(|apdu| hex::decode(apdu.split_whitespace().next().unwrap()).unwrap())
        .collect()
}

/// Names each APDU: `open`, `select`, `close`, `GR` (GET RESPONSE), the ES10 request's tag for
/// the first STORE DATA block of a request (`BF3E`), `+` for a further block. Checks the framing
/// on the way: the ISD-R is selected on channel 1 with `Le`, STORE DATA blocks are short, the last
/// block of a request (P1 `91`) carries `Le = 00` and no other does, P2 numbers the blocks.
fn names(apdus: &[Vec<u8>]) -> Vec<String> {
    let mut block = 0;
    apdus
        .iter()
        .map(|a| match (a[0], a[1]) {
            (0x00, 0x70) if a[2] == 0x00 => {
                assert_eq!(a, &hex::decode("0070000001").unwrap(), "MANAGE CHANNEL open, Le 01");
                "open".to_owned()
            }
            (0x00, 0x70) => {
                assert_eq!(a, &hex::decode("00708001").unwrap(), "MANAGE CHANNEL close of channel 1");
                "close".to_owned()
            }
            (0x01, 0xA4) => {
                assert_eq!(a, &hex::decode(SELECT_ISDR).unwrap());
                "select".to_owned()
            }
            (0x01, 0xC0) => {
                assert_eq!(a.len(), 5, "{a:02X?}");
                "GR".to_owned()
            }
            (0x81, 0xE2) => {
                let (p1, p2, lc) = (a[2], a[3], usize::from(a[4]));
                assert!(lc > 0 && p1 & 0x7F == 0x11, "{a:02X?}");
                assert_eq!(usize::from(p2), block, "P2 numbers the blocks of one request: {a:02X?}");
                let last = p1 & 0x80 != 0;
                if last {
                    assert_eq!(a.len(), 5 + lc + 1, "the last block asks for the answer: {a:02X?}");
                    assert_eq!(a[a.len() - 1], 0x00, "Le = 00: {a:02X?}");
                } else {
                    assert_eq!(a.len(), 5 + lc, "no Le before the last block: {a:02X?}");
                }
                let name = if p2 == 0 { hex::encode_upper(&a[5..7]) } else { "+".to_owned() };
                block = if last { 0 } else { block + 1 };
                name
            }
            _ => panic!("an APDU no eSIM command needs: {a:02X?}"),
        })
        .collect()
}

/// `names` of `oxicard -v ARGS`.
fn sequence(sim: &Sim, args: &[&str], net: &[String]) -> Vec<String> {
    names(&apdus(sim, args, net))
}

fn expect(requests: &[&str]) -> Vec<String> {
    let mut all = vec!["open", "select"];
    all.extend_from_slice(requests);
    all.push("close");
    all.into_iter().map(str::to_owned).collect()
}

#[test]
fn every_command_opens_one_channel_and_sends_one_store_data_per_request() {
    let sim = Sim::new();
    let none: &[String] = &[];
    // chip info: GetEID, GetEuiccConfiguredAddresses, GetEUICCInfo2 — nothing else.
    assert_eq!(sequence(&sim, &["chip", "info"], none), expect(&["BF3E", "BF3C", "BF22"]));
    assert_eq!(sequence(&sim, &["profile", "list"], none), expect(&["BF2D"]));
    assert_eq!(sequence(&sim, &["notification", "list"], none), expect(&["BF28"]));
    assert_eq!(sequence(&sim, &["chip", "default-dp", "smdp.example.com"], none), expect(&["BF3F"]));
    assert_eq!(sequence(&sim, &["chip", "memory-reset", "--address"], none), expect(&["BF34"]));

    // A download: GetEUICCInfo1, GetEUICCChallenge, AuthenticateServer in blocks and its ~1 KiB
    // answer by GET RESPONSE, PrepareDownload, the Bound Profile Package's segments (each its own
    // request, so P2 restarts), then the installation's notification delivered and removed. No
    // notification is listed or retrieved: the result came with the last segment's answer.
    let (server, net) = smdp(&sim);
    let download = sequence(&sim, &["profile", "download", "--yes", &format!("1${ADDRESS}$MATCH-1")], &net);
    let requests: Vec<&str> =
        download.iter().map(String::as_str).filter(|n| !matches!(*n, "+" | "GR")).collect();
    assert_eq!(requests[..6], ["open", "select", "BF20", "BF2E", "BF38", "BF21"]);
    // BoundProfilePackage (SGP.22 §2.5.5): the `BF36` header with InitialiseSecureChannel, then
    // firstSequenceOf87 (`A0`: ConfigureISDP), sequenceOf88 (`A1` and one StoreMetadata `88`),
    // secondSequenceOf87 (`A2`: ReplaceSessionKeys) and sequenceOf86 (`A3` and the one `86` of
    // this small profile, in two blocks) — each header and each TLV a request of its own.
    let segments: Vec<&str> = requests[6..requests.len() - 2].iter().map(|s| &s[..2]).collect();
    assert_eq!(segments, ["BF", "A0", "A1", "88", "A2", "A3", "86"], "{download:?}");
    assert_eq!(requests[6], "BF36");
    assert_eq!(requests[requests.len() - 2..], ["BF30", "close"]);
    // GET RESPONSE only after AuthenticateServer (EUICCSigned1, the eUICC's and the EUM's
    // certificates): every other answer fits one response.
    let authenticate = download.iter().position(|n| n == "BF38").unwrap();
    let prepare = download.iter().position(|n| n == "BF21").unwrap();
    let get_responses: Vec<usize> = (0..download.len()).filter(|&i| download[i] == "GR").collect();
    assert!(
        !get_responses.is_empty() && get_responses.iter().all(|&i| authenticate < i && i < prepare),
        "{download:?}"
    );

    // Profile operations: one STORE DATA each, on one channel.
    assert_eq!(sequence(&sim, &["profile", "enable", ICCID], none), expect(&["BF31"]));
    assert_eq!(sequence(&sim, &["profile", "nickname", ICCID, "work"], none), expect(&["BF29"]));
    assert_eq!(sequence(&sim, &["profile", "disable", ICCID], none), expect(&["BF32"]));
    assert_eq!(sequence(&sim, &["profile", "delete", ICCID], none), expect(&["BF33"]));

    // Three pending notifications (enable, disable, delete): listed, retrieved together in one
    // RetrieveNotificationsList (its answer over 256 bytes: GET RESPONSE rounds), each delivered
    // and then removed.
    let process = sequence(&sim, &["notification", "process"], &net);
    let requests: Vec<&str> = process.iter().map(String::as_str).filter(|n| *n != "GR").collect();
    assert_eq!(requests, ["open", "select", "BF28", "BF2B", "BF30", "BF30", "BF30", "close"]);
    let retrieve = process.iter().position(|n| n == "BF2B").unwrap();
    assert!(process[retrieve + 1..].iter().take_while(|n| *n == "GR").count() >= 3, "{process:?}");
    assert_eq!(sequence(&sim, &["notification", "list"], none), expect(&["BF28"]));
    assert_eq!(server.smdp().notifications().len(), 4, "install, enable, disable, delete");
}

/// `--channel basic`: no MANAGE CHANNEL at all, the ISD-R selected on channel 0.
#[test]
fn the_basic_channel_saves_the_channel_commands() {
    let sim = Sim::new();
    let apdus = apdus(&sim, &["--channel", "basic", "profile", "list"], &[]);
    assert_eq!(apdus.len(), 2, "{apdus:02X?}");
    assert_eq!(apdus[0], hex::decode("00A4040010A0000005591010FFFFFFFF890000010000").unwrap());
    assert_eq!(apdus[1], hex::decode("80E2910003BF2D0000").unwrap());
}
