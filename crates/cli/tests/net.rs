//! The network options of `profile download`, `profile discover` and `notification process`
//! against the test SM-DP+ / SM-DS (`SmdpServer`, HTTPS with a certificate for the server's
//! name, under the eUICC's test CI):
//!
//! - `--connect-to HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT` as curl means it: the connection
//!   goes to 127.0.0.1, the certificate is checked against the SM-DP+ address — it passes for the
//!   name in the certificate and fails for another;
//! - `OXICARD_SIM`, `OXICARD_CONNECT_TO` (`,`-separated) and `OXICARD_CA` (`:`-separated) stand
//!   for `--sim`, `--connect-to` and `--ca`; the command line wins;
//! - MatchingIDs as servers issue them (`_`, `.`): taken as given with a warning on stderr (also
//!   under `--json`); errors name the option;
//! - `profile discover`'s download hints carry the rules that apply and quote the code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Sim, all_json, assert_error, connect_to, oxicard};
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp, TestSmds};
use serde_json::Value;

/// The SM-DP+ address of these tests: the name in the test server's TLS certificate.
const ADDRESS: &str = "smdp.example.com";
/// Hand-made example ICCIDs.
const ICCID: &str = "8944478600004573151";
const ICCID_2: &str = "8944478600004573169";

/// A test SM-DP+ for `sim`'s eUICC at [`ADDRESS`], serving `profiles` (MatchingID, ICCID), its
/// certificate naming [`ADDRESS`] only.
fn smdp(sim: &Sim, profiles: &[(&str, &str)]) -> SmdpServer {
    let pki = sim.pki();
    let mut smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS);
    for (matching_id, iccid) in profiles {
        let iccid = iccid.parse().unwrap();
        smdp = smdp.with_profile(
            matching_id,
            ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, matching_id, "oxicard", ADDRESS)),
        );
    }
    SmdpServer::start(smdp, "127.0.0.1:0", Some(&sim.tls_for(&[ADDRESS]))).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The certificate check stays on the SM-DP+ address: through the same rule target, the name
/// in the certificate passes, another name fails before any request reaches the server.
#[test]
fn connect_to_checks_the_smdp_name() {
    let sim = Sim::new();
    let server = smdp(&sim, &[("MATCH-1", ICCID)]);
    let ca = sim.ca();
    let rule = connect_to(ADDRESS, &server);
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    let out = sim.json(&["profile", "download", "--yes", "--connect-to", &rule, "--ca", &ca, &code]);
    assert_eq!(out["iccid"], ICCID);

    // Another name, the same server: the certificate does not name it.
    let wrong = format!("wrong.example.com:443:127.0.0.1:{}", server.local_addr().port());
    let code = "LPA:1$wrong.example.com$MATCH-1";
    let out = sim.run(&["profile", "download", "--yes", "--connect-to", &wrong, "--ca", &ca, code]);
    assert_eq!(out.status.code(), Some(1));
    let error = assert_error(&out, false, "not valid for name");
    assert!(error.is_null());
    let message = stderr(&out);
    assert!(
        message.contains("https://wrong.example.com/gsma/rsp2/es9plus/initiateAuthentication"),
        "{message}"
    );
    assert!(message.contains(&format!("connected per connect-to {wrong}")), "{message}");
    let out = sim.run(&["--json", "profile", "download", "--yes", "--connect-to", &wrong, "--ca", &ca, code]);
    let error = assert_error(&out, true, "not valid for name");
    assert_eq!(error["payload"]["message"], "es9p_initiate_authentication");
    // The only session the server saw is the successful download's.
    assert_eq!(server.smdp().notifications().len(), 1);

    // Usage errors name the option and the field.
    let out = sim.run(&["profile", "download", "--yes", "--connect-to", "smdp.example.com:443", code]);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, false, "--connect-to \"smdp.example.com:443\": 2 ':'-separated fields");
    let out = sim.run(&["profile", "download", "--yes", "--connect-to", "a:443:b:http", code]);
    assert_error(&out, false, "CONNECT-TO-PORT: \"http\" is not a port number");
}

/// `OXICARD_SIM`, `OXICARD_CONNECT_TO` and `OXICARD_CA` instead of the options; the command
/// line's `--ca` replaces `OXICARD_CA`.
#[test]
fn network_options_from_the_environment() {
    let sim = Sim::new();
    let server = smdp(&sim, &[("MATCH-1", ICCID)]);
    // Another eUICC's CI: a second, unrelated entry of the CA list.
    let other = Sim::new();
    let ca_list = std::env::join_paths([other.path("ci.pem"), sim.path("ci.pem")]).unwrap();
    // Two rules, and an empty item (a trailing ',') that is no rule.
    let rules = format!("other.example:443:127.0.0.1:1,{},", connect_to(ADDRESS, &server));
    let code = format!("LPA:1${ADDRESS}$MATCH-1");
    let env = |command: &mut std::process::Command| {
        command.env("OXICARD_SIM", &sim.state).env("OXICARD_CONNECT_TO", &rules).env("OXICARD_CA", &ca_list);
    };

    let mut download = oxicard();
    env(&mut download);
    let out = download.args(["--json", "profile", "download", "--yes", &code]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(all_json(&out).last().unwrap()["payload"]["data"]["iccid"], ICCID);
    // The state named by OXICARD_SIM is the one that got the profile.
    assert_eq!(sim.json(&["profile", "list"]).as_array().unwrap().len(), 1);

    // A notification to send: enabling the profile.
    sim.text(&["profile", "enable", ICCID]);
    // A missing file in OXICARD_CA: the error names the variable.
    let mut process = oxicard();
    env(&mut process);
    let out =
        process.env("OXICARD_CA", "/nonexistent/ci.pem").args(["notification", "process"]).output().unwrap();
    assert_error(&out, false, "OXICARD_CA: cannot read /nonexistent/ci.pem: no such file");
    // `--ca` on the command line replaces it: the install notification goes out.
    let mut process = oxicard();
    env(&mut process);
    let ca = sim.ca();
    let out = process
        .env("OXICARD_CA", "/nonexistent/ci.pem")
        .args(["--json", "notification", "process", "--ca", &ca])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = all_json(&out).last().unwrap()["payload"]["data"].clone();
    assert_eq!(report[0]["delivered"], true, "{report}");
    assert_eq!(server.smdp().notifications().len(), 2);

    // An empty OXICARD_SIM names no file: a usage error naming --sim.
    let out = oxicard().env("OXICARD_SIM", "").args(["chip", "info"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, false, "--sim");
}

/// `-m` takes the MatchingID as the server issued it; the activation code too. Warnings go to
/// stderr (JSON stays on stdout); refusals name the option.
#[test]
fn matching_ids_as_servers_issue_them() {
    let sim = Sim::new();
    let server = smdp(&sim, &[("ORDER_42.A", ICCID), ("ORDER_43.B", ICCID_2)]);
    let net = ["--connect-to".to_string(), connect_to(ADDRESS, &server), "--ca".to_string(), sim.ca()];
    let net: Vec<&str> = net.iter().map(String::as_str).collect();

    let mut args = vec!["--json", "profile", "download", "--yes", "-s", ADDRESS, "-m", "ORDER_42.A"];
    args.extend(&net);
    let out = sim.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "oxicard: warning: --matching-id \"ORDER_42.A\": '_', '.' outside the SGP.22 §4.1.1 set \
         (0-9, A-Z, a-z, '-'); sent to the SM-DP+ as given\n"
    );
    let lines = all_json(&out);
    assert_eq!(lines.last().unwrap()["payload"]["data"]["iccid"], ICCID);

    let code = format!("LPA:1${ADDRESS}$ORDER_43.B");
    let mut args = vec!["profile", "download", "--yes", &code];
    args.extend(&net);
    let out = sim.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("oxicard: warning: activation code field 3 (MatchingID): '_', '.' outside"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sim.json(&["profile", "list"]).as_array().unwrap().len(), 2);

    // The hard limits stay errors, naming the option (exit 2).
    for (mid, needle) in [
        ("A$B", "--matching-id \"A$B\": '$' is not allowed"),
        ("A\u{7}B", "--matching-id \"A\\u{7}B\": control character"),
    ] {
        let out = sim.run(&["profile", "download", "--yes", "-s", ADDRESS, "-m", mid]);
        assert_eq!(out.status.code(), Some(2), "{mid:?}");
        assert_error(&out, false, needle);
    }
    let long = "A".repeat(256);
    let out = sim.run(&["--json", "profile", "download", "--yes", "-s", ADDRESS, "-m", &long]);
    let error = assert_error(&out, true, "256 bytes; at most 255 are allowed");
    assert_eq!(error["payload"]["message"], "invalid_argument");
    assert!(error["payload"]["data"].as_str().unwrap().starts_with("--matching-id \"AAAA"));
    let out = sim.run(&["profile", "download", "--yes", "-s", "bad_host.example", "-m", "X"]);
    assert_error(&out, false, "--address \"bad_host.example\": character '_' is not allowed");
    // An activation code's own errors name the field.
    let out = sim.run(&["profile", "download", "--yes", "LPA:1$smdp.example.com$A\u{1b}B"]);
    assert_error(&out, false, "activation code field 3 (MatchingID) is invalid: control character");
}

/// `profile discover`: the hints carry the `--connect-to` rules that apply to each event's
/// server (not the SM-DS's), `--ca` and `--test-ci`, and the code as one safely quoted shell
/// word; an EventID outside the MatchingID set is a warning on stderr.
#[test]
fn discover_hints_follow_the_rules_and_quote_the_code() {
    const ROOT_DS: &str = "lpa.ds.gsma.com";
    let sim = Sim::new();
    let pki = sim.pki();
    let eid = pki.euicc_identity().unwrap().eid();
    let quoted = "X';touch pwned;'";
    let smds = TestSmds::new(pki.smds_identity().unwrap(), ROOT_DS)
        .with_event(&eid, "ORDER_1", "smdp.one.test")
        .with_event(&eid, quoted, "smdp.one.test:8443");
    let server = SmdpServer::start(smds, "127.0.0.1:0", Some(&sim.tls_for(&[ROOT_DS]))).unwrap();
    let ds_rule = connect_to(ROOT_DS, &server);
    let ca = sim.ca();
    let args = [
        "profile",
        "discover",
        "--connect-to",
        &ds_rule,
        "--connect-to",
        "smdp.one.test::127.0.0.1:9443",
        "--connect-to",
        "smdp.one.test:443:127.0.0.1:9444",
        "--ca",
        &ca,
        "--test-ci",
    ];
    let out = sim.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let hints: Vec<&str> = text.lines().filter(|l| l.starts_with("  oxicard profile download")).collect();
    assert_eq!(hints.len(), 2, "{text}");
    // The first event: port 443, both smdp.one.test rules apply, the SM-DS's does not.
    assert_eq!(
        hints[0],
        format!(
            "  oxicard profile download --connect-to smdp.one.test::127.0.0.1:9443 \
             --connect-to smdp.one.test:443:127.0.0.1:9444 --ca {ca} --test-ci 'LPA:1$smdp.one.test$ORDER_1'"
        )
    );
    // The second: port 8443, only the any-port rule; the quote cannot end the shell word.
    let word = hints[1].rsplit_once(" --test-ci ").unwrap().1;
    assert!(hints[1].contains("--connect-to smdp.one.test::127.0.0.1:9443 --ca"), "{}", hints[1]);
    assert!(!hints[1].contains("9444"), "{}", hints[1]);
    let echoed =
        std::process::Command::new("sh").args(["-c", &format!("printf %s {word}")]).output().unwrap();
    assert_eq!(String::from_utf8(echoed.stdout).unwrap(), format!("LPA:1$smdp.one.test:8443${quoted}"));
    // Both EventIDs are outside the MatchingID set: one warning each.
    let warnings = stderr(&out);
    let lines: Vec<&str> = warnings.lines().collect();
    assert_eq!(lines.len(), 2, "{warnings}");
    assert!(
        lines[0].starts_with("oxicard: warning: event \"ORDER_1\": activation code field 3"),
        "{warnings}"
    );
    assert!(lines[1].contains("'\\'', ';', ' '"), "{warnings}");

    // JSON: the same warnings on stderr, stdout only JSON.
    let mut json_args = vec!["--json"];
    json_args.extend(args);
    let out = sim.run(&json_args);
    assert_eq!(stderr(&out).lines().count(), 2);
    let events: Value = all_json(&out).last().unwrap()["payload"]["data"].clone();
    assert_eq!(events[1]["eventId"], quoted);
}
