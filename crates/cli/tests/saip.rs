//! The real GSMA TS.48 test profile packages (osmocom pySim `smdpp-data/upp/`, copied to
//! `crates/sim/testdata/saip/`) through the binary: `oxicard sim smdp --profiles DIR` serves
//! them over HTTPS, `profile download` installs each with the ICCID of its ProfileHeader (read in
//! reading order) and the file name as profile name, `sim show` prints the kept package, then
//! enable, disable, delete, and every notification delivered to that SM-DP+.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::Value;

const TS48: [(&str, &str, &str); 2] = [
    ("TS48V1", "TS48v1_A.der", "89000123456789012341"),
    ("TS48V5", "TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der", "8949449999999990163"),
];

fn testdata(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim/testdata/saip").join(name)
}

#[test]
fn ts48_packages_served_downloaded_shown_and_managed() {
    let sim = Sim::new();
    let profiles = sim.state.with_file_name("profiles");
    std::fs::create_dir(&profiles).unwrap();
    for (matching_id, file, _) in TS48 {
        std::fs::copy(testdata(file), profiles.join(format!("{matching_id}.der"))).unwrap();
    }
    let dir = profiles.display().to_string();
    let (server, data) = sim.spawn(&["sim", "smdp", "--listen", "127.0.0.1:0", "--profiles", &dir]);
    let address = data["address"].as_str().unwrap().to_string();
    let ca = data["ca"].as_str().unwrap().to_string();

    for (matching_id, _, iccid) in TS48 {
        let code = format!("LPA:1${address}${matching_id}");
        let out = sim.json(&["profile", "download", "--yes", "--ca", &ca, &code]);
        assert_eq!(out["iccid"], iccid, "{out}");
        assert_eq!(out["profileName"], matching_id);
    }
    let list = sim.json(&["profile", "list"]);
    let listed: Vec<(&str, &str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["iccid"].as_str().unwrap(),
                p["profileName"].as_str().unwrap(),
                p["profileClass"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("89000123456789012341", "TS48V1", "test"), ("8949449999999990163", "TS48V5", "test")]
    );

    // `sim show`: the package the eUICC kept (values as asn1tools decodes the files).
    let shown = sim.json(&["sim", "show", "89000123456789012341"]);
    assert_eq!(shown["iccid"], "89000123456789012341");
    assert_eq!(shown["efIccid"], "89000123456789012341");
    assert_eq!(shown["imsi"], "001010123456063");
    assert_eq!(shown["profileType"], "GSMA Generic eUICC Test Profile");
    assert_eq!(shown["saipVersion"], "2.1");
    assert_eq!(shown["size"], 11_768);
    assert_eq!(shown["profileName"], "TS48V1");
    assert_eq!(
        shown["mandatoryServices"],
        serde_json::json!(["usim", "isim", "csim", "javacard", "usim-test-algorithm"])
    );
    let elements = shown["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 28);
    assert_eq!(
        elements[0],
        serde_json::json!({"index": 0, "kind": "header", "identification": null, "mandated": false, "offset": 0, "length": 140})
    );
    assert_eq!(
        elements[1],
        serde_json::json!({"index": 1, "kind": "mf", "identification": 4, "mandated": true, "offset": 140, "length": 763})
    );
    assert_eq!(elements[27]["kind"], "end");
    assert_eq!(elements[27]["identification"], 29);
    let text = sim.text(&["sim", "show", "8949449999999990163"]);
    for line in [
        "ICCID         8949449999999990163",
        "IMSI          001010123456063",
        "SAIP version  2.3",
        "package       12284 bytes, 30 PEs",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    assert!(text.contains(" 13 df-saip                  14    6812      68"), "{text}");

    // Enable, disable, delete each; the notifications go to the SM-DP+ that served them.
    for (_, _, iccid) in TS48 {
        assert!(sim.text(&["profile", "enable", iccid]).contains("enabled"));
        assert_eq!(sim.json(&["profile", "disable", iccid]), Value::Null);
        assert_eq!(sim.json(&["profile", "delete", iccid]), Value::Null);
    }
    let pending = sim.json(&["notification", "list"]);
    assert_eq!(pending.as_array().unwrap().len(), 6);
    let report = sim.json(&["notification", "process", "--ca", &ca]);
    let delivered: Vec<(bool, bool)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["delivered"].as_bool().unwrap(), n["removed"].as_bool().unwrap()))
        .collect();
    assert_eq!(delivered, [(true, true); 6]);
    assert_eq!(sim.json(&["notification", "list"]), Value::Array(vec![]));
    assert_eq!(sim.text(&["profile", "list"]).trim(), "no profiles");
    stop(server);

    // The package went with the profile.
    let out = sim.run(&["--json", "sim", "show", "89000123456789012341"]);
    assert!(!out.status.success());
    assert_eq!(last_json(&out)["payload"]["data"], "no profile 89000123456789012341 on the software eUICC");
}
