//! `oxicard profile discover` (SGP.22 §3.6.1, ES11) and `oxicard sim smds`: JSON and text
//! output against an in-test SM-DS, the errors, and discover → download with the `sim smds` and
//! `sim smdp` servers as processes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Sim, assert_error, connect_to, stop};
use oxicard_sim::smdp::{SmdpServer, SmdsServer, TestSmds};
use serde_json::{Value, json};

/// The software eUICC's default root SM-DS (`rootDsAddress`, lpac's default too), reached here
/// through `--connect-to`.
const ROOT_DS: &str = "lpa.ds.gsma.com";

/// An in-test SM-DS answering as `address` with two events for the eUICC of `sim`.
fn smds(sim: &Sim, address: &str) -> SmdsServer {
    let pki = sim.pki();
    let eid = pki.euicc_identity().unwrap().eid();
    let smds = TestSmds::new(pki.smds_identity().unwrap(), address)
        .with_event(&eid, "EVENT-1", "smdp.one.test")
        .with_event(&eid, "EVENT-22", "smdp.two.test");
    SmdpServer::start(smds, "127.0.0.1:0", Some(&sim.tls_for(&[address]))).unwrap()
}

fn events_json() -> Value {
    json!([
        { "eventId": "EVENT-1", "rspServerAddress": "smdp.one.test" },
        { "eventId": "EVENT-22", "rspServerAddress": "smdp.two.test" },
    ])
}

#[test]
fn discover_from_the_root_smds_json_and_text() {
    let sim = Sim::new();
    let server = smds(&sim, ROOT_DS);
    let connect = connect_to(ROOT_DS, &server);
    let ca = sim.ca();
    let net = ["--connect-to", connect.as_str(), "--ca", ca.as_str()];

    // JSON: lpac's progress messages, then the events as the SM-DS listed them.
    let mut args = vec!["profile", "discover"];
    args.extend(net);
    let lines = sim.json_lines(&args);
    let progress: Vec<(&str, &str)> = lines[..lines.len() - 1]
        .iter()
        .map(|l| {
            assert_eq!(l["type"], "progress");
            (l["payload"]["message"].as_str().unwrap(), l["payload"]["data"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        progress,
        [
            ("es10b_get_euicc_challenge_and_info", ROOT_DS),
            ("es9p_initiate_authentication", ROOT_DS),
            ("es10b_authenticate_server", ROOT_DS),
            ("es11_authenticate_client", ROOT_DS),
        ]
    );
    assert_eq!(lines.last().unwrap()["payload"]["data"], events_json());
    assert_eq!(server.handler().retrievals().len(), 1);

    // lpac's name `discovery`, and the text table with a download hint per event.
    let mut args = vec!["profile", "discovery"];
    args.extend(net);
    let text = sim.text(&args);
    assert_eq!(
        text,
        format!(
            "2 pending event(s) on SM-DS {ROOT_DS}:\n\
             EVENT ID  SERVER\n\
             EVENT-1   smdp.one.test\n\
             EVENT-22  smdp.two.test\n\
             download with:\n  \
             oxicard profile download --ca {ca} 'LPA:1$smdp.one.test$EVENT-1'\n  \
             oxicard profile download --ca {ca} 'LPA:1$smdp.two.test$EVENT-22'\n"
        )
    );
}

#[test]
fn discover_with_smds_and_imei_and_no_event() {
    let sim = Sim::new();
    let server = smds(&sim, "smds.other.test");
    let connect = connect_to("smds.other.test", &server);
    let ca = sim.ca();
    let mut args = vec!["profile", "discover", "-s", "smds.other.test", "-i", "356938035643809"];
    args.extend(["--connect-to", connect.as_str(), "--ca", ca.as_str()]);
    assert_eq!(sim.json(&args), events_json());
    // Once the events are gone: an empty list.
    let eid = sim.pki().euicc_identity().unwrap().eid();
    assert!(server.handler().remove_event(&eid, "EVENT-1"));
    assert!(server.handler().remove_event(&eid, "EVENT-22"));
    assert_eq!(sim.json(&args), json!([]));
    assert_eq!(sim.text(&args), "no pending event on SM-DS smds.other.test\n");
}

#[test]
fn discover_errors_are_one_line() {
    let sim = Sim::new();
    // Nothing listens there: ES11 InitiateAuthentication fails, exit 1.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = free.local_addr().unwrap().to_string();
    drop(free);
    let out = sim.run(&["profile", "discover", "--smds", &address]);
    assert_eq!(out.status.code(), Some(1));
    assert_error(&out, false, "profile discovery failed at ES11.InitiateAuthentication: SM-DS:");
    let out = sim.run(&["--json", "profile", "discover", "--smds", &address]);
    assert_eq!(out.status.code(), Some(1));
    let error = assert_error(&out, true, "ES11.InitiateAuthentication");
    assert_eq!(error["payload"]["message"], "es9p_initiate_authentication");

    // An SM-DS the eUICC's CI did not certify: refused by the SM-DS (8.8.2 / 3.1).
    let other = Sim::new();
    let server = smds(&other, ROOT_DS);
    let connect = connect_to(ROOT_DS, &server);
    let ca = other.ca();
    let out = sim.run(&["--json", "profile", "discover", "--connect-to", &connect, "--ca", &ca]);
    let error = assert_error(&out, true, "8.8.2");
    assert_eq!(error["payload"]["message"], "es9p_initiate_authentication");

    // Usage errors: exit 2.
    let out = sim.run(&["profile", "discover", "--imei", "123"]);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, false, "bad --imei");
    let out = sim.run(&["sim", "smds", "--listen", "127.0.0.1:0", "--event", "no-event-id"]);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, false, "expected ADDRESS=EVENTID");
}

/// The whole story with the two test servers as processes: `sim smds` registers an event for the
/// software eUICC pointing at `sim smdp`'s `TEST` profile; discover, then download the event.
#[test]
fn sim_smds_then_sim_smdp_discover_then_download() {
    let sim = Sim::new();
    let (smdp, smdp_data) = sim.spawn(&["sim", "smdp", "--listen", "127.0.0.1:0"]);
    let smdp_address = smdp_data["address"].as_str().unwrap().to_string();
    let event = format!("{smdp_address}=TEST");
    let (smds, smds_data) = sim.spawn(&["sim", "smds", "--listen", "127.0.0.1:0", "--event", &event]);
    let smds_address = smds_data["address"].as_str().unwrap().to_string();
    assert!(smds_data["baseUrl"].as_str().unwrap().starts_with("https://127.0.0.1:"));
    assert_eq!(smds_data["ca"], sim.ca());
    let eid = sim.json(&["chip", "info"])["eidValue"].clone();
    assert_eq!(smds_data["eidValue"], eid);
    assert_eq!(smds_data["events"], json!([{ "eventId": "TEST", "rspServerAddress": smdp_address }]));

    // Both servers are named by their bound address: only --ca is needed.
    let ca = sim.ca();
    let events = sim.json(&["profile", "discover", "--ca", &ca, "--smds", &smds_address]);
    assert_eq!(events, json!([{ "eventId": "TEST", "rspServerAddress": smdp_address }]));
    let text = sim.text(&["profile", "discover", "--ca", &ca, "--smds", &smds_address]);
    let hint = format!("oxicard profile download --ca {ca} 'LPA:1${smdp_address}$TEST'");
    assert!(text.contains(&hint), "{text}");

    let code = format!("LPA:1${smdp_address}$TEST");
    let installed = sim.json(&["profile", "download", "--yes", "--ca", &ca, &code]);
    assert_eq!(installed["iccid"], "8944478600004573128");
    let profiles = sim.json(&["profile", "list"]);
    assert_eq!(profiles.as_array().unwrap().len(), 1);
    stop(smds);
    stop(smdp);
}

/// A hostile SM-DS: an EventID with a quote and a terminal escape sequence. The table shows the
/// control characters escaped, no command is offered for it, and JSON carries it as it came.
#[test]
fn hostile_event_ids_are_neither_commands_nor_escapes() {
    let sim = Sim::new();
    let pki = sim.pki();
    let eid = pki.euicc_identity().unwrap().eid();
    let evil = "X';rm -rf ~;'\u{1b}[2J";
    let smds = TestSmds::new(pki.smds_identity().unwrap(), ROOT_DS).with_event(&eid, evil, "smdp.one.test");
    let server = SmdpServer::start(smds, "127.0.0.1:0", Some(&sim.tls_for(&[ROOT_DS]))).unwrap();
    let connect = connect_to(ROOT_DS, &server);
    let ca = sim.ca();
    let text = sim.text(&["profile", "discover", "--connect-to", &connect, "--ca", &ca]);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("\\u{1b}[2J"), "{text}");
    assert!(!text.contains("oxicard profile download"), "{text}");
    assert!(text.contains("not an activation code"), "{text}");
    let data = sim.json(&["profile", "discover", "--connect-to", &connect, "--ca", &ca]);
    assert_eq!(data[0]["eventId"], evil);
}
