//! The `oxicard` binary end to end: every command in human and JSON mode against a software
//! eUICC in a temp dir, downloads from an in-test SM-DP+ (`--connect-to HOST:PORT:CONNECT-TO-HOST:
//! CONNECT-TO-PORT` + `--ca`, its TLS certificate naming the SM-DP+ address), errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command, Stdio};

use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};
use serde_json::Value;

mod common;
use common::{BIN, Sim, all_json, assert_error, connect_to, last_json};

/// The SM-DP+ address of the tests (reached through `--connect-to`).
const ADDRESS: &str = "smdp.cli.test";
/// Hand-made example ICCIDs.
const ICCID: &str = "8944478600004573128";
const ICCID_CC: &str = "8944478600004573136";

/// The in-test SM-DP+ of these tests, for a [`Sim`].
trait WithSmdp {
    fn smdp(&self) -> SmdpServer;
    fn net(&self, server: &SmdpServer) -> Vec<String>;
}

impl WithSmdp for Sim {
    /// A test SM-DP+ with `MATCH-1` and `MATCH-CC` (code 1234), trusting this eUICC's PKI.
    fn smdp(&self) -> SmdpServer {
        let pki = self.pki();
        let iccid = ICCID.parse().unwrap();
        let iccid_cc = ICCID_CC.parse().unwrap();
        let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS)
            .with_profile(
                "MATCH-1",
                ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, "Test", "oxicard", ADDRESS)),
            )
            .with_profile(
                "MATCH-CC",
                ProfileBuilder::new(iccid_cc)
                    .package(ProfileMetadata::new(iccid_cc, "Test CC", "oxicard", ADDRESS))
                    .with_confirmation_code("1234"),
            );
        SmdpServer::start(smdp, "127.0.0.1:0", Some(&self.tls_for(&[ADDRESS]))).unwrap()
    }

    /// `--connect-to` and `--ca` for `server`: the connection goes to 127.0.0.1, TLS checks the
    /// SM-DP+ address.
    fn net(&self, server: &SmdpServer) -> Vec<String> {
        vec![
            "--connect-to".into(),
            connect_to(ADDRESS, server),
            "--ca".into(),
            self.path("ci.pem").display().to_string(),
        ]
    }
}

fn download_args<'a>(net: &'a [String], code: &'a str) -> Vec<&'a str> {
    let mut args = vec!["profile", "download", "--yes", code];
    args.extend(net.iter().map(String::as_str));
    args
}

#[test]
fn chip_info_human_and_json() {
    let sim = Sim::new();
    let text = sim.text(&["chip", "info"]);
    let eid = sim.eid();
    assert!(eid.starts_with("89049032") && eid != "89049032123451234512345678901235", "{eid}");
    assert!(text.contains(&format!("EID:                 {eid}")), "{text}");
    assert!(text.contains("root SM-DS:          lpa.ds.gsma.com"), "{text}");
    let data = sim.json(&["chip", "info"]);
    assert_eq!(data["eidValue"], eid.as_str());
    assert_eq!(data["EuiccConfiguredAddresses"]["rootDsAddress"], "lpa.ds.gsma.com");
    assert_eq!(data["EuiccConfiguredAddresses"]["defaultDpAddress"], Value::Null);
    assert_eq!(data["EUICCInfo2"]["svn"], "2.2.2");
    assert_eq!(data["EUICCInfo2"]["sasAcreditationNumber"], "OXICARD-SIM");
    assert_eq!(data["EUICCInfo2"]["euiccCiPKIdListForVerification"].as_array().unwrap().len(), 1);
    // Named bits as lpac prints them (SGP.22 §5.7.8 UICCCapability, RspCapability).
    assert_eq!(
        data["EUICCInfo2"]["uiccCapability"],
        serde_json::json!(["usimSupport", "isimSupport", "akaMilenage", "javacard"])
    );
    assert_eq!(
        data["EUICCInfo2"]["rspCapability"],
        serde_json::json!(["additionalProfile", "testProfileSupport"])
    );
    assert_eq!(data["EUICCInfo2"]["certificationDataObject"], Value::Null);
    assert!(text.contains("UICC capability:     usimSupport, isimSupport, akaMilenage, javacard"), "{text}");
}

#[test]
fn default_dp_and_memory_reset() {
    let sim = Sim::new();
    assert!(sim.text(&["chip", "default-dp", "smdp.example.com"]).contains("smdp.example.com"));
    assert_eq!(
        sim.json(&["chip", "info"])["EuiccConfiguredAddresses"]["defaultDpAddress"],
        "smdp.example.com"
    );
    assert_eq!(sim.json(&["chip", "default-dp", "dp2.example.com"]), Value::Null);
    assert_eq!(sim.json(&["chip", "memory-reset", "--address"]), Value::Null);
    assert_eq!(sim.json(&["chip", "info"])["EuiccConfiguredAddresses"]["defaultDpAddress"], Value::Null);
    assert_error(&sim.run(&["chip", "memory-reset", "--all"]), false, "nothingToDelete");
    let e = assert_error(&sim.run(&["--json", "chip", "memory-reset", "--test"]), true, "nothingToDelete");
    assert_eq!(e["payload"]["message"], "es10c_euicc_memory_reset");
    assert_error(&sim.run(&["chip", "memory-reset"]), false, "choose --operational");
}

#[test]
fn empty_lists() {
    let sim = Sim::new();
    assert_eq!(sim.text(&["profile", "list"]).trim(), "no profiles");
    assert_eq!(sim.json(&["profile", "list"]), Value::Array(vec![]));
    assert_eq!(sim.text(&["notification", "list"]).trim(), "no pending notifications");
    assert_eq!(sim.json(&["notification", "list"]), Value::Array(vec![]));
}

#[test]
fn download_manage_and_notifications() {
    let sim = Sim::new();
    let server = sim.smdp();
    let net = sim.net(&server);
    let code = format!("LPA:1${ADDRESS}$MATCH-1");

    // JSON download: progress lines in lpac's format, then the result.
    let mut args = vec!["--json"];
    args.extend(download_args(&net, &code));
    let out = sim.run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = all_json(&out);
    assert!(lines.iter().any(|l| l["type"] == "progress"
        && l["payload"]["message"] == "es10b_load_bound_profile_package"
        && l["payload"]["code"] == 0));
    let metadata = lines.iter().find(|l| l["payload"]["message"] == "es8p_metadata_parse").unwrap();
    assert_eq!(metadata["payload"]["data"]["iccid"], ICCID);
    let last = lines.last().unwrap();
    assert_eq!(last["payload"]["data"]["iccid"], ICCID);

    let list = sim.json(&["profile", "list"]);
    let p = &list[0];
    assert_eq!(p["iccid"], ICCID);
    assert_eq!(p["profileState"], "disabled");
    assert_eq!(p["profileClass"], "test");
    assert_eq!(p["serviceProviderName"], "oxicard");
    assert_eq!(p["profileName"], "Test");
    assert_eq!(p["isdpAid"].as_str().unwrap().len(), 32);
    assert!(sim.text(&["profile", "list"]).contains(ICCID));

    // Nickname, enable (human), disable (JSON).
    assert!(sim.text(&["profile", "nickname", ICCID, "work"]).contains("work"));
    assert_eq!(sim.json(&["profile", "list"])[0]["profileNickname"], "work");
    assert!(sim.text(&["profile", "enable", ICCID]).contains("enabled"));
    assert_eq!(sim.json(&["profile", "list"])[0]["profileState"], "enabled");
    assert_eq!(sim.json(&["profile", "disable", ICCID]), Value::Null);

    // enable + disable notifications are pending.
    let pending = sim.json(&["notification", "list"]);
    let ops: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["profileManagementOperation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["enable", "disable"]);
    assert_eq!(pending[0]["notificationAddress"], ADDRESS);
    assert!(sim.text(&["notification", "list"]).contains("enable"));

    // --keep sends but keeps; then process removes; remove SEQ works too.
    let mut keep = vec!["notification", "process", "--keep"];
    keep.extend(net.iter().map(String::as_str));
    let kept = sim.json(&keep);
    assert_eq!(kept[0]["delivered"], true);
    assert_eq!(kept[0]["removed"], false);
    assert_eq!(sim.json(&["notification", "list"]).as_array().unwrap().len(), 2);
    let seq = pending[0]["seqNumber"].as_u64().unwrap().to_string();
    assert!(sim.text(&["notification", "remove", &seq]).contains("removed"));
    let mut process = vec!["notification", "process"];
    process.extend(net.iter().map(String::as_str));
    let text = sim.text(&process);
    assert!(text.contains("delivered and removed"), "{text}");
    assert_eq!(sim.json(&["notification", "list"]), Value::Array(vec![]));
    assert_eq!(server.smdp().notifications().len(), 1 + 2 + 1);

    // The other mode of each operation: nickname and enable in JSON, disable as text.
    assert_eq!(sim.json(&["profile", "nickname", ICCID, "home"]), Value::Null);
    assert_eq!(sim.json(&["profile", "enable", ICCID]), Value::Null);
    assert_eq!(sim.text(&["profile", "disable", ICCID]).trim(), format!("profile {ICCID} disabled"));
    assert_eq!(sim.json(&["notification", "list"]).as_array().unwrap().len(), 2);

    // Delete by ISD-P AID (JSON) after the ICCID-based ops.
    let aid = list[0]["isdpAid"].as_str().unwrap().to_string();
    assert_eq!(sim.json(&["profile", "delete", &aid]), Value::Null);
    assert_eq!(sim.text(&["profile", "list"]).trim(), "no profiles");
}

#[test]
fn download_human_with_address_and_matching_id() {
    let sim = Sim::new();
    let server = sim.smdp();
    let net = sim.net(&server);
    let mut args = vec![
        "profile",
        "download",
        "--yes",
        "--address",
        ADDRESS,
        "--matching-id",
        "MATCH-CC",
        "-c",
        "1234",
        "--imei",
        "356938035643809",
    ];
    args.extend(net.iter().map(String::as_str));
    let text = sim.text(&args);
    assert!(text.contains(&format!("installed profile {ICCID_CC}")), "{text}");
    // lpac's spellings: -a CODE, -i IMEI, `chip defaultsmdp`.
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    let mut args = vec!["profile", "download", "-y", "-a", &code, "-i", "356938035643809"];
    args.extend(net.iter().map(String::as_str));
    assert!(sim.text(&args).contains(&format!("installed profile {ICCID}")));
    assert_eq!(sim.json(&["chip", "defaultsmdp", "x.example.com"]), Value::Null);
}

#[test]
fn error_unknown_reader() {
    // Without `--sim`: a reader and `--sim` name two cards (a usage error, below).
    let on_reader = |args: &[&str]| {
        Command::new(BIN).env_remove("OXICARD_READER").args(args).stdin(Stdio::null()).output().unwrap()
    };
    assert_error(
        &on_reader(&["--reader", "No Such Reader 99", "profile", "list"]),
        false,
        "unknown reader \"No Such Reader 99\"",
    );
    let e = assert_error(
        &on_reader(&["--json", "--reader", "No Such Reader 99", "profile", "list"]),
        true,
        "unknown reader",
    );
    assert_eq!(e["payload"]["message"], "reader_not_found");
    let sim = Sim::new();
    let out = sim.run(&["--json", "--reader", "No Such Reader 99", "profile", "list"]);
    let e = assert_error(&out, true, "and --sim name two different cards");
    assert_eq!((out.status.code(), e["payload"]["message"].as_str()), (Some(2), Some("invalid_argument")));
}

#[test]
fn error_bad_activation_code() {
    let sim = Sim::new();
    let out = sim.run(&["profile", "download", "--yes", "LPA:1$$MATCH"]);
    assert_error(&out, false, "bad activation code: activation code field 2");
    assert_eq!(out.status.code(), Some(2));
    let e = assert_error(
        &sim.run(&["--json", "profile", "download", "--yes", "LPA:9$x$y"]),
        true,
        "bad activation code",
    );
    assert_eq!(e["payload"]["message"], "activation_code");
}

#[test]
fn error_wrong_confirmation_code() {
    let sim = Sim::new();
    let server = sim.smdp();
    let net = sim.net(&server);
    let code = format!("LPA:1${ADDRESS}$MATCH-CC");
    let mut args = download_args(&net, &code);
    args.extend(["--confirmation-code", "9999"]);
    assert_error(&sim.run(&args), false, "download failed");
    let mut json = vec!["--json"];
    json.extend(args);
    let e = assert_error(&sim.run(&json), true, "download failed");
    assert_eq!(e["payload"]["message"], "es9p_get_bound_profile_package");
    assert_eq!(sim.json(&["profile", "list"]), Value::Array(vec![]));
}

#[test]
fn error_server_refusal() {
    let sim = Sim::new();
    let server = sim.smdp();
    let net = sim.net(&server);
    let code = format!("LPA:1${ADDRESS}$NO-SUCH-ID");
    assert_error(&sim.run(&download_args(&net, &code)), false, "download failed");
    let mut json = vec!["--json"];
    json.extend(download_args(&net, &code));
    let e = assert_error(&sim.run(&json), true, "download failed");
    assert_eq!(e["payload"]["message"], "es9p_authenticate_client");
}

#[test]
fn download_refuses_without_terminal_or_yes() {
    let sim = Sim::new();
    let out = sim.run(&["profile", "download", "LPA:1$smdp.example.com$X"]);
    assert_error(&out, false, "pass --yes");
}

#[test]
fn sim_init_twice_and_import() {
    let sim = Sim::new();
    assert_error(&sim.run(&["sim", "init"]), false, "already exists");
    let first = sim.eid();
    let data = sim.json(&["sim", "init", "--force"]);
    // A new identity, a new EID of its own.
    assert_eq!(data["eidValue"], sim.eid().as_str());
    assert_ne!(sim.eid(), first);
    // Import the identity files of another software eUICC.
    let other = Sim::new();
    let p = |s: &str| other.path(s).display().to_string();
    let (cert, key, eum, ci) = (p("cert.pem"), p("key.pem"), p("eum.pem"), p("ci.pem"));
    let text =
        sim.text(&["sim", "init", "--force", "--cert", &cert, "--key", &key, "--eum", &eum, "--ci", &ci]);
    assert!(text.contains("created"), "{text}");
    assert!(!sim.path("pki-seed").exists());
    assert_eq!(sim.json(&["chip", "info"])["eidValue"], other.eid().as_str());
}

#[test]
fn demo_end_to_end() {
    let out = Command::new(BIN).arg("demo").stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "software eUICC created",
        "test SM-DP+",
        "installed profile 8944478600004573128",
        "enabled 8944478600004573128",
        "notifications sent",
        "deleted 8944478600004573128",
        "no profiles",
        "demo complete: the SM-DP+ received 4 notifications",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in {text}");
    }
    let out = Command::new(BIN).args(["--json", "demo"]).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success());
    let lines = all_json(&out);
    let steps: Vec<&str> = lines.iter().filter_map(|l| l["payload"]["message"].as_str()).collect();
    for step in [
        "create_euicc",
        "start_smdp",
        "es10b_load_bound_profile_package",
        "profile_enable",
        "notification_process",
        "profile_delete",
        "success",
    ] {
        assert!(steps.contains(&step), "{step} missing in {steps:?}");
    }
    assert_eq!(lines.last().unwrap()["payload"]["data"]["notificationsReceived"], 4);
}

#[test]
fn completions_and_help() {
    let out = Command::new(BIN).args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("oxicard"));
    let _ = Path::new(BIN);
}

#[test]
fn sim_smdp_serves_downloads() {
    use std::io::{BufRead, BufReader};
    let sim = Sim::new();
    let mut child = Command::new(BIN)
        .arg(format!("--sim={}", sim.state.display()))
        .args(["--json", "sim", "smdp", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    let data = &started["payload"]["data"];
    assert!(data["baseUrl"].as_str().unwrap().starts_with("https://127.0.0.1:"));
    assert_eq!(data["ca"], sim.path("ci.pem").display().to_string());
    let code = data["activationCode"].as_str().unwrap().to_string();
    assert!(code.ends_with("$TEST"));
    // The SM-DP+ address is the bound address: only --ca is needed.
    let ca = sim.path("ci.pem").display().to_string();
    let text = sim.text(&["profile", "download", "--yes", "--ca", &ca, &code]);
    assert!(text.contains("installed profile 8944478600004573128"), "{text}");
    // TEST-CC wants its confirmation code.
    let cc = code.replace("$TEST", "$TEST-CC");
    assert_error(&sim.run(&["profile", "download", "--yes", "--ca", &ca, &cc]), false, "download failed");
    let text = sim.text(&["profile", "download", "--yes", "--ca", &ca, "-c", "1234", &cc]);
    assert!(text.contains("installed profile 8944478600004573136"), "{text}");
    drop(child.stdin.take()); // end of input stops it
    assert!(child.wait().unwrap().success());
}

#[test]
fn sim_serve_connects_to_vpcd_until_eof() {
    let sim = Sim::new();
    // Nothing listening: one-line error.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    assert_error(&sim.run(&["sim", "serve", "--port", &port.to_string()]), false, "cannot reach vpcd");
    // A stand-in for vpcd accepts the card; end of input removes it.
    let vpcd = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = vpcd.local_addr().unwrap().port().to_string();
    // `oxicard ARGS` against the stand-in: its output once the stand-in took the card and the
    // end of input removed it.
    let serve = |args: &[&str]| {
        let child = Command::new(BIN)
            .arg(format!("--sim={}", sim.state.display()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (_conn, _) = vpcd.accept().unwrap();
        child.wait_with_output().unwrap()
    };
    let out = serve(&["sim", "serve", "--port", &port]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("inserted in the vpcd reader on port {port}")), "{text}");
    assert!(text.contains("card removed"), "{text}");

    // JSON: a `progress` line when the card is in, the `lpa` success when it is removed.
    let out = serve(&["--json", "sim", "serve", "--port", &port]);
    assert!(out.status.success());
    let lines = all_json(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "progress");
    assert_eq!(lines[0]["payload"]["message"], "vpcd");
    assert_eq!(lines[0]["payload"]["data"]["card"], "euicc");
    assert_eq!(lines[0]["payload"]["data"]["port"], port.parse::<u64>().unwrap());
    assert_eq!(lines[0]["payload"]["data"]["latencyMs"], 0);
    assert_eq!(lines[1]["payload"]["code"], 0);

    // A per-APDU latency, said in the progress line; a malformed one is a usage error.
    let out = serve(&["--json", "sim", "serve", "--port", &port, "--latency", "20ms"]);
    assert!(out.status.success());
    assert_eq!(all_json(&out)[0]["payload"]["data"]["latencyMs"], 20);
    for bad in ["fast", "20h", "11s"] {
        let out = sim.run(&["sim", "serve", "--port", &port, "--latency", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

/// `--latency` on the in-process software eUICC: `chip info` (MANAGE CHANNEL, SELECT, three
/// STORE DATA, close: 6 APDUs) takes at least 6 × 50 ms, and answers the same (a lower bound
/// on a deliberate delay, not a speed measurement).
#[test]
fn latency_delays_each_apdu_of_the_simulated_card() {
    let sim = Sim::new();
    let quick = sim.json(&["chip", "info"]);
    let started = std::time::Instant::now();
    let slow = sim.json(&["--latency", "50ms", "chip", "info"]);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "{:?}", started.elapsed());
    assert_eq!(slow["eidValue"], quick["eidValue"]);
}

#[test]
fn channel_segment_and_isdr_options() {
    let sim = Sim::new();
    for args in [
        &["--channel", "basic", "chip", "info"][..],
        &["--no-logical-channel", "--segment-size", "16", "chip", "info"][..],
        &["--isd-r", "A0000005591010FFFFFFFF8900000100", "chip", "info"][..],
    ] {
        assert!(sim.text(args).contains("EID:"), "{args:?}");
    }
    assert_error(&sim.run(&["--isd-r", "A000000559", "chip", "info"]), false, "euicc_init");
    assert_error(&sim.run(&["--isd-r", "XYZ", "chip", "info"]), false, "--isd-r: not hex");
}

#[test]
fn verbose_traces_apdus_to_stderr() {
    let sim = Sim::new();
    let out = sim.run(&["-v", "--json", "profile", "list"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // GetProfilesInfo (SGP.22 §5.7.15) as a STORE DATA on logical channel 1.
    assert!(stderr.contains("oxicard::apdu: >> 81E2910003BF2D00"), "{stderr}");
    assert_eq!(last_json(&out)["payload"]["data"], Value::Array(vec![]));
}

#[test]
fn readers_human_and_json() {
    // With or without pcscd: a listing, or one line on stderr and a JSON error.
    let sim = Sim::new();
    let out = sim.run(&["readers"]);
    if !out.status.success() {
        assert_error(&out, false, "PC/SC");
        assert_error(&sim.run(&["--json", "readers"]), true, "PC/SC");
    } else {
        assert!(sim.json(&["readers"]).is_array());
    }
}

#[test]
fn usage_errors_are_one_line() {
    let sim = Sim::new();
    let out = sim.run(&["profile", "enable"]);
    assert_error(&out, false, "the following required arguments were not provided: <PROFILE> (see --help)");
    assert_eq!(out.status.code(), Some(2));
    let e = assert_error(&sim.run(&["--json", "--segment-size", "0", "chip", "info"]), true, "0 is below 8");
    assert_eq!(e["payload"]["message"], "invalid_argument");
    assert_error(&sim.run(&["profile", "enable", "xyz"]), false, "is neither an ICCID nor an ISD-P AID");
    let e = assert_error(&sim.run(&["--json", "profile", "enable", ICCID]), true, "iccidOrAidNotFound");
    assert_eq!(e["payload"]["message"], "es10c_enable_profile");
}

#[test]
fn sim_smdp_profile_dir_and_http() {
    use std::io::{BufRead, BufReader};
    let sim = Sim::new();
    let profiles = sim.state.with_file_name("profiles");
    std::fs::create_dir(&profiles).unwrap();
    let iccid = "8944478600004573144".parse().unwrap(); // hand-made example ICCID
    std::fs::write(profiles.join("MY-PROFILE.der"), ProfileBuilder::new(iccid).build()).unwrap();
    let mut child = Command::new(BIN)
        .arg(format!("--sim={}", sim.state.display()))
        .args(["--json", "sim", "smdp", "--http", "--listen", "127.0.0.1:0", "--profiles"])
        .arg(&profiles)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    let data = &started["payload"]["data"];
    let (address, url) = (data["address"].as_str().unwrap(), data["baseUrl"].as_str().unwrap());
    assert_eq!(url, format!("http://{address}"));
    // A plain-HTTP server is reached with the deprecated ADDRESS=URL form (curl's --connect-to
    // keeps https): it still works, with a warning on stderr.
    let connect = format!("{address}={url}");
    let code = format!("LPA:1${address}$MY-PROFILE");
    let run = sim.run(&["--json", "profile", "download", "--yes", "--connect-to", &connect, &code]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with("oxicard: warning: --connect-to ") && stderr.contains("deprecated"),
        "{stderr}"
    );
    let out = last_json(&run)["payload"]["data"].clone();
    assert_eq!(out["iccid"], "8944478600004573144");
    assert_eq!(out["profileName"], "MY-PROFILE");
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn default_state_in_the_data_dir() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data)
            .env_remove("OXICARD_READER")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["--json", "chip", "info"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = data.join("oxicard");
    let eid = oxicard_sim::pki::eid_for_seed(&common::seed_of(&dir.join("euicc.pki-seed")));
    assert_eq!(last_json(&out)["payload"]["data"]["eidValue"], eid.as_str());
    for file in
        ["euicc.json", "euicc.cert.pem", "euicc.key.pem", "euicc.eum.pem", "euicc.ci.pem", "euicc.pki-seed"]
    {
        assert!(dir.join(file).exists(), "{file}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("euicc.key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The same eUICC next time: identity and default SM-DP+ address persist.
    let cert = std::fs::read(dir.join("euicc.cert.pem")).unwrap();
    assert!(run(&["--sim", "chip", "default-dp", "dp.example.com"]).status.success());
    let out = run(&["--json", "chip", "info"]);
    assert_eq!(
        last_json(&out)["payload"]["data"]["EuiccConfiguredAddresses"]["defaultDpAddress"],
        "dp.example.com"
    );
    assert_eq!(std::fs::read(dir.join("euicc.cert.pem")).unwrap(), cert);
}

#[test]
fn unacknowledged_notifications_stay() {
    let sim = Sim::new();
    let server = sim.smdp();
    let net = sim.net(&server);
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    sim.text(&download_args(&net, &code));
    sim.text(&["profile", "enable", ICCID]);
    // The SM-DP+ is unreachable: nothing acknowledged, nothing removed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("{ADDRESS}:443:127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let report = sim.json(&["notification", "process", "--connect-to", &dead]);
    assert_eq!(report[0]["profileManagementOperation"], "enable");
    assert_eq!(report[0]["delivered"], false);
    assert_eq!(report[0]["removed"], false);
    assert!(report[0]["outcome"].as_str().unwrap().starts_with("not delivered, kept for retry"));
    assert_eq!(sim.json(&["notification", "list"]).as_array().unwrap().len(), 1);
    // Reachable again: delivered and removed.
    let mut process = vec!["notification", "process"];
    process.extend(net.iter().map(String::as_str));
    assert_eq!(sim.json(&process)[0]["removed"], true);
    assert_eq!(sim.json(&["notification", "list"]), Value::Array(vec![]));
}

/// A hostile SM-DP+ puts a terminal escape sequence in the profile name: the offer, the result
/// and `profile list` show it escaped; JSON carries it as it came.
#[test]
fn hostile_profile_names_do_not_reach_the_terminal() {
    let sim = Sim::new();
    let pki = sim.pki();
    let iccid = ICCID.parse().unwrap();
    let evil = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J";
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile(
        "MATCH-1",
        ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, evil, "oxicard", ADDRESS)),
    );
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(&sim.tls_for(&[ADDRESS]))).unwrap();
    let net = sim.net(&server);
    let out = sim.run(&download_args(&net, &format!("LPA:1${ADDRESS}$MATCH-1")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    }
    let list = sim.text(&["profile", "list"]);
    assert!(!list.contains('\u{1b}'), "{list:?}");
    assert!(list.contains("Evil\\u{1b}]0;pwned\\u{7}"), "{list}");
    assert_eq!(sim.json(&["profile", "list"])[0]["profileName"], evil);
}

/// A card typed on the command line wins over the other kind of card exported in the
/// environment; both typed stay a usage error.
#[test]
fn the_command_line_beats_the_environment_for_the_card() {
    let sim = Sim::new();
    // OXICARD_READER exported, --sim typed: the software eUICC answers.
    let out = common::oxicard_on(&sim.state)
        .args(["--json", "chip", "info"])
        .env("OXICARD_READER", "Some Reader")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(last_json(&out)["payload"]["data"]["eidValue"], sim.eid().as_str());
    // OXICARD_SIM exported, --reader typed: the reader is used (here: it does not exist).
    let out = common::oxicard()
        .args(["--reader", "No Such Reader 42", "chip", "info"])
        .env("OXICARD_SIM", &sim.state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("No Such Reader 42") && !stderr.contains("two different cards"), "{stderr}");
    // Both typed: a usage error.
    let out = common::oxicard_on(&sim.state).args(["--reader", "X", "chip", "info"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("two different cards"));
}
