//! lpac mode (`oxicard` run under the name `lpac`) against real lpac: its output lines have the
//! shapes of real lpac outputs (`tests/lpac-fixtures/`, see its README) — member order, types,
//! `null` against absent — and are byte for byte lpac's where the card's state allows; the
//! parsers of the front-ends that exec lpac (EasyLPAC, MiniLPA, openpilot, SimAdmin,
//! luci-app-lpac) accept them; lpac's environment, usage texts and exit status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use oxicard_sim::smdp::SmdpServer;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

mod common;
use common::{BIN, Sim};

/// The SM-DP+ address of the tests (reached through `--connect-to`).
const ADDRESS: &str = "smdp.lpac.test";
/// Hand-made example ICCID.
const ICCID: &str = "8944478600004573128";

/// A JSON value that keeps the order of object members, as lpac prints them.
#[derive(Clone, Debug, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<J>),
    Object(Vec<(String, J)>),
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = J;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<J, E> {
                Ok(J::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<J, E> {
                Ok(J::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<J, E> {
                Ok(J::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<J, E> {
                Ok(J::Int(i64::try_from(v).unwrap()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<J, E> {
                Ok(J::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<J, E> {
                Ok(J::Str(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(J::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(J::Object(members))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl J {
    fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn at(&self, path: &[&str]) -> &J {
        path.iter().fold(self, |v, k| v.get(k).unwrap_or_else(|| panic!("no {k} in {v:?}")))
    }

    fn str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "bool",
            J::Int(_) => "int",
            J::Float(_) => "float",
            J::Str(_) => "string",
            J::Array(_) => "array",
            J::Object(_) => "object",
        }
    }
}

fn parse(line: &str) -> J {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// Members lpac leaves out when the card does not send them (`cJSON_AddItemToObject` of NULL,
/// lpac `src/applet/chip/info.c`).
const OPTIONAL: &[&str] = &[
    "EuiccConfiguredAddresses",
    "EUICCInfo2",
    "rulesAuthorisationTable",
    "uiccCapability",
    "rspCapability",
    "euiccCiPKIdListForVerification",
    "euiccCiPKIdListForSigning",
    "forbiddenProfilePolicyRules",
];

/// Asserts that `ours` has the shape of lpac's `theirs`: the same members in the same order
/// (ours may lack only [`OPTIONAL`] ones), each of the same type where neither is `null`, arrays
/// element by element as far as both go.
fn same_shape(ours: &J, theirs: &J, path: &str) {
    match (ours, theirs) {
        (J::Object(a), J::Object(b)) => {
            let mut expected = b.iter().peekable();
            for (key, value) in a {
                while let Some((k, _)) = expected.peek() {
                    if k == key {
                        break;
                    }
                    assert!(OPTIONAL.contains(&k.as_str()), "{path}: lpac prints {k} before {key}");
                    expected.next();
                }
                let (_, theirs) = expected
                    .next()
                    .unwrap_or_else(|| panic!("{path}: {key} is not lpac's (or out of order)"));
                same_shape(value, theirs, &format!("{path}.{key}"));
            }
            for (k, _) in expected {
                assert!(OPTIONAL.contains(&k.as_str()), "{path}: {k} missing");
            }
        }
        (J::Array(a), J::Array(b)) => {
            for (x, y) in a.iter().zip(b) {
                same_shape(x, y, &format!("{path}[]"));
            }
        }
        (J::Null, _) | (_, J::Null) => {}
        (a, b) => assert_eq!(a.kind(), b.kind(), "{path}: {a:?} against lpac's {b:?}"),
    }
}

/// The fixture's lines.
fn fixture(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lpac-fixtures").join(name);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// `oxicard` under the name `lpac`, in `dir`.
fn lpac_binary(dir: &Path) -> PathBuf {
    let link = dir.join("lpac");
    if !link.exists() {
        std::os::unix::fs::symlink(BIN, &link).unwrap();
    }
    link
}

/// Every variable lpac mode reads, so that the user's own setting cannot leak into a test.
const LPAC_VARS: &[&str] = &[
    "LPAC_APDU",
    "LPAC_HTTP",
    "LPAC_CUSTOM_ISD_R_AID",
    "LPAC_CUSTOM_ES10X_MSS",
    "LPAC_APDU_DEBUG",
    "LPAC_HTTP_DEBUG",
    "LIBEUICC_DEBUG_APDU",
    "LIBEUICC_DEBUG_HTTP",
    "LPAC_APDU_PCSC_DRV_IFID",
    "DRIVER_IFID",
    "LPAC_APDU_PCSC_DRV_NAME",
    "DRIVER_NAME",
    "LPAC_APDU_PCSC_DRV_IGNORE_NAME",
    "LPAC_APDU_AT_DEVICE",
    "AT_DEVICE",
    "LPAC_APDU_QMI_DEVICE",
    "QMI_DEVICE",
    "LPAC_APDU_QMI_UIM_SLOT",
    "UIM_SLOT",
    "LPAC_APDU_MBIM_DEVICE",
    "LPAC_APDU_MBIM_UIM_SLOT",
    "LPAC_APDU_MBIM_USE_PROXY",
    "OXICARD_SIM",
];

/// `lpac ARGS` on `sim`'s software eUICC (`OXICARD_SIM`) with `env` set.
fn lpac_env(sim: &Sim, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = sim.state.parent().unwrap();
    let mut command = Command::new(lpac_binary(dir));
    for var in LPAC_VARS {
        command.env_remove(var);
    }
    command.env("OXICARD_SIM", &sim.state).envs(env.iter().copied()).args(args).stdin(Stdio::null());
    command.output().unwrap()
}

fn lpac(sim: &Sim, args: &[&str]) -> Output {
    lpac_env(sim, args, &[])
}

fn stdout_lines(out: &Output) -> Vec<String> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    text.lines().map(str::to_owned).collect()
}

/// The one line of a successful `lpac ARGS`.
fn one_line(sim: &Sim, args: &[&str]) -> String {
    let out = lpac(sim, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

/// The test SM-DP+ of these tests and the options reaching it.
fn smdp(sim: &Sim) -> (SmdpServer, Vec<String>) {
    common::test_smdp(sim, ADDRESS, ICCID)
}

/// `sim` with the test profile downloaded (by oxicard's own command), its installation's
/// notification sent, then enabled and disabled with the notifications kept.
fn with_profile(sim: &Sim) -> (SmdpServer, Vec<String>) {
    let (server, net) = smdp(sim);
    let code = format!("1${ADDRESS}$MATCH-1");
    let mut args = vec!["profile", "download", "--yes", code.as_str()];
    args.extend(net.iter().map(String::as_str));
    assert!(sim.run(&args).status.success());
    assert!(sim.run(&["profile", "enable", ICCID]).status.success());
    assert!(sim.run(&["profile", "disable", ICCID]).status.success());
    (server, net)
}

/// What the front-ends' parsers demand of every line (frontends' source, read for these
/// tests): compact, `type` first and one of `lpa`/`progress` (openpilot asserts it, MiniLPA
/// throws on another), `payload` with `code` an integer, `message` a string and a `data`
/// member always present (MiniLPA and openpilot index it), an error's `data` a string.
fn consumers_accept(line: &str) {
    assert!(line.starts_with(r#"{"type":""#), "SimAdmin finds the last `{{\"type`: {line}");
    assert!(!line.contains(": ") && !line.contains(", \""), "compact: {line}");
    let value = parse(line);
    let J::Object(members) = &value else { panic!() };
    assert_eq!(members.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["type", "payload"]);
    assert!(matches!(value.at(&["type"]).str(), Some("lpa" | "progress")), "{line}");
    let J::Object(payload) = value.at(&["payload"]) else { panic!() };
    assert_eq!(payload.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["code", "message", "data"]);
    let J::Int(code) = value.at(&["payload", "code"]) else { panic!("code not an integer: {line}") };
    assert!(value.at(&["payload", "message"]).str().is_some());
    if *code != 0 {
        assert_eq!(*code, -1);
        assert!(value.at(&["payload", "data"]).str().is_some(), "error data is a string: {line}");
    }
}

/// MiniLPA's `LocalProfileInfo` and EasyLPAC's profile struct: every member present,
/// `profileState` `enabled`/`disabled`, `profileClass` not null, ICCID of 18–20 digits
/// (luci-app-lpac keeps no other), `isdpAid` 32 hex digits, `iconType` never `none`/`jpg`.
fn front_ends_accept_profile(profile: &J) {
    for key in [
        "iccid",
        "isdpAid",
        "profileState",
        "profileNickname",
        "serviceProviderName",
        "profileName",
        "iconType",
        "icon",
        "profileClass",
    ] {
        assert!(profile.get(key).is_some(), "{key}");
    }
    assert!(matches!(profile.at(&["profileState"]).str(), Some("enabled" | "disabled")));
    assert!(matches!(profile.at(&["profileClass"]).str(), Some("test" | "provisioning" | "operational")));
    let iccid = profile.at(&["iccid"]).str().unwrap();
    assert!((18..=20).contains(&iccid.len()) && iccid.bytes().all(|b| b.is_ascii_digit()), "{iccid}");
    let aid = profile.at(&["isdpAid"]).str().unwrap();
    assert!(
        aid.len() == 32 && aid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{aid}"
    );
    assert!(
        matches!(profile.at(&["iconType"]), J::Null)
            || matches!(profile.at(&["iconType"]).str(), Some("png" | "jpeg"))
    );
}

#[test]
fn chip_info_has_lpacs_shape_and_the_members_front_ends_read() {
    let sim = Sim::new();
    let line = one_line(&sim, &["chip", "info"]);
    consumers_accept(&line);
    let ours = parse(&line);
    let theirs = parse(&fixture("02-euicctui-chip-info.jsonl")[0]);
    same_shape(&ours, &theirs, "");
    let data = ours.at(&["payload", "data"]);
    assert_eq!(data.at(&["eidValue"]).str().unwrap(), sim.eid());
    // MiniLPA: rootDsAddress a string, defaultDpAddress present; EasyLPAC: integer memory.
    assert_eq!(data.at(&["EuiccConfiguredAddresses", "rootDsAddress"]).str(), Some("lpa.ds.gsma.com"));
    assert_eq!(data.at(&["EuiccConfiguredAddresses", "defaultDpAddress"]), &J::Null);
    assert!(
        matches!(data.at(&["EUICCInfo2", "extCardResource", "freeNonVolatileMemory"]), J::Int(n) if *n > 0)
    );
    // lpac prints certificationDataObject with nulls when the card has none, never null itself,
    // and the PKIds in lower-case hex.
    assert_eq!(
        data.at(&["EUICCInfo2", "certificationDataObject"]),
        &J::Object(vec![("platformLabel".into(), J::Null), ("discoveryBaseURL".into(), J::Null)])
    );
    let J::Array(pkids) = data.at(&["EUICCInfo2", "euiccCiPKIdListForSigning"]) else { panic!() };
    let pkid = pkids[0].str().unwrap();
    assert_eq!(pkid, pkid.to_ascii_lowercase());
    assert_eq!(data.at(&["rulesAuthorisationTable"]), &J::Array(vec![]));
}

#[test]
fn profiles_and_notifications_have_lpacs_shape() {
    let sim = Sim::new();
    // No profile, no notification: byte for byte lpac's empty list.
    assert_eq!(
        one_line(&sim, &["notification", "list"]),
        fixture("08-euicctui-notification-list-empty.jsonl")[0]
    );
    let (_server, _) = with_profile(&sim);

    let line = one_line(&sim, &["profile", "list"]);
    consumers_accept(&line);
    let ours = parse(&line);
    for name in ["05-euicctui-profile-list.jsonl", "20-lpac-issue242-profile-list-test-profile.jsonl"] {
        same_shape(&ours, &parse(&fixture(name)[0]), name);
    }
    let J::Array(profiles) = ours.at(&["payload", "data"]) else { panic!() };
    front_ends_accept_profile(&profiles[0]);
    assert_eq!(
        line,
        format!(
            r#"{{"type":"lpa","payload":{{"code":0,"message":"success","data":[{{"iccid":"{ICCID}","isdpAid":"{}","profileState":"disabled","profileNickname":null,"serviceProviderName":"oxicard","profileName":"Test","iconType":null,"icon":null,"profileClass":"test"}}]}}}}"#,
            profiles[0].at(&["isdpAid"]).str().unwrap()
        )
    );

    let line = one_line(&sim, &["notification", "list"]);
    consumers_accept(&line);
    let ours = parse(&line);
    same_shape(&ours, &parse(&fixture("07-euicctui-notification-list.jsonl")[0]), "notification list");
    let J::Array(notifications) = ours.at(&["payload", "data"]) else { panic!() };
    let operations: Vec<&str> =
        notifications.iter().map(|n| n.at(&["profileManagementOperation"]).str().unwrap()).collect();
    assert_eq!(operations, ["enable", "disable"]);
    for n in notifications {
        assert!(matches!(n.at(&["seqNumber"]), J::Int(_)), "EasyLPAC and MiniLPA read an integer");
        assert_eq!(n.at(&["notificationAddress"]).str(), Some(ADDRESS));
        assert_eq!(n.at(&["iccid"]).str(), Some(ICCID));
    }
}

#[test]
fn profile_operations_answer_as_lpac() {
    let sim = Sim::new();
    let (_server, _) = with_profile(&sim);
    // Byte for byte: success is `data: null`, an unknown ICCID lpac's reason.
    let success = fixture("11-euicctui-profile-nickname-ok.jsonl")[0].clone();
    assert_eq!(success, fixture("21-lpac-issue242-profile-disable-success.jsonl")[0]);
    assert_eq!(one_line(&sim, &["profile", "nickname", ICCID, "work"]), success);
    assert_eq!(one_line(&sim, &["profile", "enable", ICCID, "1"]), success);
    assert_eq!(one_line(&sim, &["profile", "disable", ICCID]), success);
    let not_found = fixture("06-euicctui-enable-not-found.jsonl")[0].clone();
    assert_eq!(not_found, fixture("25-lpac-5gmodem-issue30-enable-iccid-not-found.jsonl")[0]);
    let out = lpac(&sim, &["profile", "enable", "8949449999999990015"]);
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(stdout_lines(&out), [not_found]);
    // By ISD-P AID (32 hex digits), as lpac tells them apart.
    let list = parse(&one_line(&sim, &["profile", "list"]));
    let J::Array(profiles) = list.at(&["payload", "data"]) else { panic!() };
    let aid = profiles[0].at(&["isdpAid"]).str().unwrap().to_owned();
    assert_eq!(profiles[0].at(&["profileNickname"]).str(), Some("work"));
    assert_eq!(one_line(&sim, &["profile", "enable", &aid]), success);
    let out = lpac(&sim, &["profile", "delete", ICCID]);
    assert_eq!(
        stdout_lines(&out),
        [
            r#"{"type":"lpa","payload":{"code":-1,"message":"es10c_delete_profile","data":"profile not in disabled state"}}"#
        ]
    );
    assert_eq!(one_line(&sim, &["profile", "disable", &aid]), success);
    assert_eq!(one_line(&sim, &["profile", "delete", ICCID]), success);
    assert_eq!(
        one_line(&sim, &["profile", "list"]),
        r#"{"type":"lpa","payload":{"code":0,"message":"success","data":[]}}"#
    );
    // Notifications removed as lpac's `notification remove -a` does: a progress line each.
    let out = lpac(&sim, &["notification", "remove", "-a"]);
    let lines = stdout_lines(&out);
    assert_eq!(
        lines[0],
        r#"{"type":"progress","payload":{"code":0,"message":"es10b_list_notification","data":null}}"#
    );
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.contains(r#""message":"es10b_remove_notification_from_list","data":""#))
    );
    assert_eq!(lines.last().unwrap(), &success);
    lines.iter().for_each(|l| consumers_accept(l));
    let out = lpac(&sim, &["notification", "remove", "1"]);
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        stdout_lines(&out).last().unwrap(),
        r#"{"type":"lpa","payload":{"code":-1,"message":"es10b_remove_notification_from_list","data":"seqNumber not found"}}"#
    );
}

#[test]
fn usage_version_driver_and_environment_as_lpac() {
    let sim = Sim::new();
    // Usage texts on stdout, exit status 255.
    let out = lpac(&sim, &[]);
    assert_eq!(out.status.code(), Some(255));
    let program = lpac_binary(sim.state.parent().unwrap());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("Usage: {} <driver|chip|profile|notification|version>\n", program.display())
    );
    let out = lpac(&sim, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "Unknown command: frobnicate\nUsage: {} <driver|chip|profile|notification|version>\n",
            program.display()
        )
    );
    let out = lpac(&sim, &["chip"]);
    assert_eq!(
        (out.status.code(), out.stdout.as_slice()),
        (Some(255), &b"Usage: chip <info|defaultsmdp|purge>\n"[..])
    );
    let out = lpac(&sim, &["chip", "purge"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Usage: purge [yes|other]\n\t\tConfirm purge eUICC, all data will lost!\n"
    );
    let out = lpac(&sim, &["chip", "purge", "no"]);
    assert_eq!((out.status.code(), out.stdout.as_slice()), (Some(255), &b"Purge canceled\n"[..]));

    // version: a string, as lpac's.
    let ours = parse(&one_line(&sim, &["version"]));
    same_shape(&ours, &parse(&fixture("13-lpac-issue175-version-v2.1.0.jsonl")[0]), "version");
    assert_eq!(
        ours.at(&["payload", "data"]).str().unwrap(),
        concat!("2.3.0-oxicard-", env!("CARGO_PKG_VERSION"))
    );

    // driver apdu list: lpac's driver message; without a PC/SC service no reader is listed
    // (the readers themselves: `pcsc_card.rs`).
    let out = lpac_env(
        &sim,
        &["driver", "apdu", "list"],
        &[("LPAC_APDU", "pcsc"), ("PCSCLITE_CSOCK_NAME", "/nonexistent/oxicard-test/pcscd.comm")],
    );
    assert_eq!(
        stdout_lines(&out),
        [r#"{"type":"driver","payload":{"env":"LPAC_APDU_PCSC_DRV_IFID","data":[]}}"#]
    );
    same_shape(
        &parse(&stdout_lines(&out)[0]),
        &parse(&fixture("15-lpac-issue175-driver-apdu-list-linux.jsonl")[0]),
        "driver",
    );

    // No PC/SC service (pcsc-lite's client pointed at a socket nobody serves): lpac's pcsc
    // driver failing its init, byte for byte, and nothing on stdout. (A reader without a card:
    // `pcsc_lpac_mode_picks_readers_as_lpacs_pcsc_driver`.)
    let out = lpac_env(
        &sim,
        &["profile", "list"],
        &[("LPAC_APDU", "pcsc"), ("PCSCLITE_CSOCK_NAME", "/nonexistent/oxicard-test/pcscd.comm")],
    );
    assert_eq!((out.status.code(), out.stdout.as_slice()), (Some(255), &b""[..]));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "SCardEstablishContext() failed: 8010001D (Service not available.)\nAPDU driver init failed\n"
    );
    // A backend oxicard does not have: the driver loader's line on stderr, nothing on stdout.
    let out = lpac_env(&sim, &["chip", "info"], &[("LPAC_APDU", "gbinder_hidl")]);
    assert_eq!((out.status.code(), out.stdout.len()), (Some(255), 0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "No APDU driver found\n");
    // A deprecated name: lpac's warning on stderr, and the variable used.
    let out = lpac_env(&sim, &["chip", "info"], &[("LIBEUICC_DEBUG_APDU", "1")]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let warning = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/lpac-fixtures/25-lpac-5gmodem-issue30-deprecation-warning.stderr"),
    )
    .unwrap();
    assert_eq!(stderr.lines().next(), warning.lines().next());
    assert!(stderr.contains("81E2910006BF3E035C015A00"), "APDUs traced: {stderr}");
    // A bad custom ISD-R AID or segment size: lpac's euicc_init errors.
    let out = lpac_env(&sim, &["chip", "info"], &[("LPAC_CUSTOM_ISD_R_AID", "XYZ")]);
    assert_eq!(
        stdout_lines(&out),
        [
            r#"{"type":"lpa","payload":{"code":-1,"message":"euicc_init","data":"invalid custom ISD-R applet id given"}}"#
        ]
    );
    let out = lpac_env(&sim, &["chip", "info"], &[("LPAC_CUSTOM_ES10X_MSS", "300")]);
    assert_eq!(
        stdout_lines(&out),
        [
            r#"{"type":"lpa","payload":{"code":-1,"message":"euicc_init","data":"invalid custom ES10x MSS given"}}"#
        ]
    );
    // `oxicard lpac ARGS` is the same mode.
    let out = Command::new(BIN).args(["lpac", "version"]).env("OXICARD_SIM", &sim.state).output().unwrap();
    assert_eq!(stdout_lines(&out), [one_line(&sim, &["version"])]);
}

/// `LPAC_CUSTOM_ES10X_MSS` sets the STORE DATA block size, as lpac's.
#[test]
fn the_segment_size_variable_cuts_the_store_data_blocks() {
    let sim = Sim::new();
    let (_server, _) = with_profile(&sim);
    let out = lpac_env(
        &sim,
        &["profile", "nickname", ICCID, "a long nickname for small blocks"],
        &[("LPAC_CUSTOM_ES10X_MSS", "16"), ("LPAC_APDU_DEBUG", "yes")],
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let blocks: Vec<&str> =
        stderr.lines().filter_map(|l| l.split(">> ").nth(1)).filter(|a| a.starts_with("81E2")).collect();
    // SetNickname of 49 bytes: blocks of 16, 16, 16 and 1.
    assert_eq!(blocks.len(), 4, "{blocks:?}");
    assert!(blocks[0].starts_with("81E2110010BF29"), "{blocks:?}");
}

/// The lines of `lpac ARGS` run against `server` (`OXICARD_CONNECT_TO`, `OXICARD_CA`).
fn lpac_online(sim: &Sim, net: &[String], args: &[&str], stdin: Option<&str>) -> Output {
    let dir = sim.state.parent().unwrap();
    let mut command = Command::new(lpac_binary(dir));
    for var in LPAC_VARS {
        command.env_remove(var);
    }
    command
        .env("OXICARD_SIM", &sim.state)
        .env("OXICARD_CONNECT_TO", &net[1])
        .env("OXICARD_CA", &net[3])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        use std::io::Write as _;
        // A command that refuses its input may exit before reading all of it.
        let _ = child.stdin.as_mut().unwrap().write_all(input.as_bytes());
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn progress(message: &str, data: &str) -> String {
    format!(r#"{{"type":"progress","payload":{{"code":0,"message":"{message}","data":{data}}}}}"#)
}

#[test]
fn a_download_prints_lpacs_progress_and_result() {
    let sim = Sim::new();
    let (server, net) = smdp(&sim);
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    let out = lpac_online(&sim, &net, &["profile", "download", "-a", &code], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = stdout_lines(&out);
    let at = format!("\"{ADDRESS}\"");
    let expected = [
        progress("es10b_get_euicc_challenge_and_info", &at),
        progress("es9p_initiate_authentication", &at),
        progress("es10b_authenticate_server", &at),
        progress("es9p_authenticate_client", &at),
        progress(
            "es8p_meatadata_parse",
            &format!(r#"{{"iccid":"{ICCID}","serviceProviderName":"oxicard","profileName":"Test","iconType":null,"icon":null,"profileClass":"test"}}"#),
        ),
        progress("es10b_prepare_download", &at),
        progress("es9p_get_bound_profile_package", &at),
        progress("es10b_load_bound_profile_package", &at),
        r#"{"type":"lpa","payload":{"code":0,"message":"success","data":{"seqNumber":1,"bppCommandId":"unknown","errorReason":"unknown"}}}"#.to_owned(),
    ];
    assert_eq!(lines, expected);
    lines.iter().for_each(|l| consumers_accept(l));
    // openpilot: the metadata record gives the new profile's ICCID, the last one is success.
    let metadata = lines
        .iter()
        .map(|l| parse(l))
        .find(|v| v.at(&["payload", "message"]).str() == Some("es8p_meatadata_parse"));
    assert_eq!(metadata.unwrap().at(&["payload", "data", "iccid"]).str(), Some(ICCID));
    // The shapes of real lpac downloads that failed at AuthenticateClient (the progress lines
    // they share) and of an installation failure.
    for name in
        ["17-lpac-issue239-download-eid-mismatch.jsonl", "19-lpac-issue153-download-bad-profile-state.jsonl"]
    {
        for (ours, theirs) in
            lines.iter().zip(fixture(name).iter().skip_while(|l| l.contains("es10a_get"))).take(4)
        {
            same_shape(&parse(ours), &parse(theirs), name);
        }
    }
    assert_eq!(server.smdp().notifications().len(), 1, "the installation's notification was delivered");

    // The same ICCID again: the eUICC refuses the installation at StoreMetadata (SGP.22
    // §5.7.6: the ICCID is checked there); lpac's result line, then the
    // cancel-session lines and the error `bppCommandId,errorReason`.
    let out = lpac_online(&sim, &net, &["profile", "download", "-s", ADDRESS, "-m", "MATCH-1"], None);
    assert_eq!(out.status.code(), Some(255));
    let lines = stdout_lines(&out);
    let tail = &lines[lines.len() - 4..];
    assert_eq!(
        tail[0],
        progress(
            "es10b_load_bound_profile_package:result",
            r#"{"seqNumber":2,"bppCommandId":"store_metadata","errorReason":"install_failed_due_to_iccid_already_exists_on_euicc"}"#,
        )
    );
    assert_eq!(tail[1], progress("es10b_cancel_session", &at));
    assert_eq!(tail[2], progress("es9p_cancel_session", &at));
    assert_eq!(
        tail[3],
        r#"{"type":"lpa","payload":{"code":-1,"message":"es10b_load_bound_profile_package","data":"store_metadata,install_failed_due_to_iccid_already_exists_on_euicc"}}"#
    );
    same_shape(&parse(&tail[3]), &parse(&fixture("27-lpac-issue186-load-bpp-unknown-error.jsonl")[0]), "27");
}

#[test]
fn download_errors_are_lpacs() {
    let sim = Sim::new();
    let (_server, net) = smdp(&sim);
    // Byte for byte lpac's answer to a bad activation code (lpac issue #417).
    let out = lpac_online(&sim, &net, &["profile", "download", "-a", "LPA:2$x$y"], None);
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(stdout_lines(&out), fixture("26-lpac-issue417-activation-code-invalid.jsonl"));
    // A MatchingID lpac refuses, a confirmation code the code says is needed.
    let out = lpac_online(&sim, &net, &["profile", "download", "-a", "LPA:1$a.example$M_1"], None);
    assert_eq!(
        stdout_lines(&out).last().unwrap(),
        r#"{"type":"lpa","payload":{"code":-1,"message":"matching_id","data":"invalid format, contains character not alphanumeric or dash"}}"#
    );
    let out = lpac_online(&sim, &net, &["profile", "download", "-a", "LPA:1$a.example$M$$1"], None);
    assert_eq!(
        stdout_lines(&out).last().unwrap(),
        r#"{"type":"lpa","payload":{"code":-1,"message":"confirmation_code","data":"required"}}"#
    );
    // No address and no default SM-DP+: lpac's four lines.
    let out = lpac_online(&sim, &net, &["profile", "download"], None);
    assert_eq!(
        stdout_lines(&out),
        [
            progress("es10a_get_euicc_configured_addresses", "null"),
            progress("es10b_cancel_session", "null"),
            progress("es9p_cancel_session", "null"),
            r#"{"type":"lpa","payload":{"code":-1,"message":"smdp","data":"empty"}}"#.to_owned(),
        ]
    );
    // A MatchingID the SM-DP+ refuses: its status text as lpac's table says it (8.2.6 / 3.8).
    let out = lpac_online(&sim, &net, &["profile", "download", "-s", ADDRESS, "-m", "NOPE"], None);
    let lines = stdout_lines(&out);
    let last = parse(lines.last().unwrap());
    assert_eq!(last.at(&["payload", "message"]).str(), Some("es9p_authenticate_client"));
    let detail = last.at(&["payload", "data"]).str().unwrap().to_owned();
    // The SM-DP+ said why (statusCodeData `message`): lpac prints that, as in lpac issues
    // #239 and #153.
    assert_eq!(detail, "unknown MatchingID \"NOPE\"");
    lines.iter().for_each(|l| consumers_accept(l));
    // `-p`: the preview question, and `n` cancels.
    let out =
        lpac_online(&sim, &net, &["profile", "download", "-p", "-s", ADDRESS, "-m", "MATCH-1"], Some("n"));
    let lines = stdout_lines(&out);
    assert!(lines.contains(&progress("preview", "\"y/n\"")), "{lines:?}");
    assert_eq!(
        lines.last().unwrap(),
        r#"{"type":"lpa","payload":{"code":-1,"message":"cancelled","data":""}}"#
    );
    let out = lpac_online(&sim, &net, &["profile", "download", "-h"], None);
    assert_eq!(out.status.code(), Some(255));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("Usage: download [OPTIONS]\n\t -s SM-DP+ Domain\n")
    );
}

#[test]
fn notifications_are_processed_as_lpac_processes_them() {
    let sim = Sim::new();
    let (server, net) = with_profile(&sim);
    // Enable (seq 2) and disable (seq 3) are pending; `process 2 -r` (the option after the
    // operand, as EasyLPAC and damonto's bots pass it).
    let out = lpac_online(&sim, &net, &["notification", "process", "2", "-r"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let expected = [
        progress("es10b_retrieve_notifications_list", "\"2\""),
        progress("es9p_handle_notification", "\"2\""),
        progress("es10b_remove_notification_from_list", "\"2\""),
        r#"{"type":"lpa","payload":{"code":0,"message":"success","data":null}}"#.to_owned(),
    ];
    assert_eq!(stdout_lines(&out), expected);
    assert_eq!(fixture("10-euicctui-notification-process-ok.jsonl").len(), 4);
    for (ours, theirs) in expected.iter().zip(fixture("10-euicctui-notification-process-ok.jsonl")) {
        same_shape(&parse(ours), &parse(&theirs), "process");
    }
    // Without -r it stays on the eUICC; `dump` prints lpac's lines; `-a` takes every one.
    let out = lpac_online(&sim, &net, &["notification", "dump", "-a"], None);
    let dumped = stdout_lines(&out);
    assert_eq!(dumped.len(), 1, "{dumped:?}");
    assert!(dumped[0].starts_with(&format!(r#"{{"type":"notification","eid":"{}","seqNumber":3,"notificationAddress":"{ADDRESS}","pendingNotification":""#, sim.eid())));
    let out = lpac_online(&sim, &net, &["notification", "replay"], Some(&format!("{}\n", dumped[0])));
    assert_eq!(
        stdout_lines(&out),
        [
            progress("es9p_handle_notification", "\"3\""),
            r#"{"type":"lpa","payload":{"code":0,"message":"success","data":null}}"#.to_owned()
        ]
    );
    // Another eUICC's line, a line that is no JSON, an endless line: refused, nothing sent.
    let other = dumped[0].replace(&sim.eid(), "89049032000001000000000000000123");
    let huge = "x".repeat(70 * 1024);
    let before = server.smdp().notifications().len();
    for (input, function) in [
        (other.as_str(), "parse_notification"),
        ("{", "cJSON_ParseWithLength"),
        (huge.as_str(), "cJSON_ParseWithLength"),
    ] {
        let out = lpac_online(&sim, &net, &["notification", "replay"], Some(&format!("{input}\n")));
        assert_eq!(out.status.code(), Some(255));
        assert_eq!(
            stdout_lines(&out),
            [format!(r#"{{"type":"lpa","payload":{{"code":-1,"message":"{function}","data":""}}}}"#)]
        );
    }
    assert_eq!(server.smdp().notifications().len(), before);
    let out = lpac_online(&sim, &net, &["notification", "process", "-a"], None);
    assert_eq!(stdout_lines(&out)[0], progress("es10b_list_notification", "null"));
    assert_eq!(stdout_lines(&out).len(), 4);
    // A number the eUICC does not have: lpac's retrieve error (lpac issue #145's last line).
    let out = lpac_online(&sim, &net, &["notification", "process", "41"], None);
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        stdout_lines(&out).last(),
        fixture("23-lpac-issue145-notification-process-41-r-error.jsonl").last()
    );
}
