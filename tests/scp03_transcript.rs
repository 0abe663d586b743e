//! The `scp03_transcript` example on the pySim SCP03 vectors
//! (crates/secure-channel/tests/vectors/pysim_scp03.txt, from osmocom/pysim
//! tests/unittests/test_globalplatform.py): its output must be the vector's bytes exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../examples/scp03_transcript.rs"]
#[allow(dead_code)]
mod example;

#[path = "../crates/secure-channel/tests/common/vectors.rs"]
mod vectors;

use serde_json::json;

fn sections() -> Vec<vectors::Section> {
    vectors::parse(include_str!("../crates/secure-channel/tests/vectors/pysim_scp03.txt"))
}

/// The vector's steps: every `command` and `response` line in order.
fn steps(s: &vectors::Section) -> Vec<serde_json::Value> {
    s.entries
        .iter()
        .filter(|(k, _)| k == "command" || k == "response")
        .map(|(k, v)| json!({ k.as_str(): v }))
        .collect()
}

/// The expected output, assembled from the vector's `wrapped` and `unwrapped` lines.
fn expected(s: &vectors::Section) -> String {
    let steps: Vec<String> = s
        .entries
        .iter()
        .filter(|(k, _)| k == "wrapped" || k == "unwrapped")
        .map(|(k, v)| format!("{{\"{k}\":\"{v}\"}}"))
        .collect();
    format!(
        "{{\"initialize_update\":\"{}\",\"external_authenticate\":\"{}\",\"steps\":[{}]}}",
        s.get("initialize_update"),
        s.get("external_authenticate"),
        steps.join(",")
    )
}

#[test]
fn pysim_aes128_33_exact_output() {
    let s = sections().into_iter().find(|s| s.name == "pysim_aes128_33").unwrap();
    let input = json!({
        "enc": s.get("enc"), "mac": s.get("mac"), "dek": s.get("dek"),
        "kvn": 48,
        "host_challenge": s.get("host_challenge"),
        "initialize_update_response": s.get("initialize_update_response"),
        "aid": s.get("aid"),
        "security_level": 33,
        "steps": steps(&s),
    });
    let output = example::transcript(&input.to_string()).unwrap();
    assert_eq!(
        output,
        "{\"initialize_update\":\"8050300008fdf38259a1e0de4400\",\
         \"external_authenticate\":\"84823300108c36f96bcc00724a4e13ad591d7da3f0\",\
         \"steps\":[{\"wrapped\":\"84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00\"},\
         {\"unwrapped\":\"bf3e125a10898821199000000000000000000000059000\"},\
         {\"wrapped\":\"84f2200208ac6a59024bed84cc\"},\
         {\"wrapped\":\"84ca006608409912ad8fb7aed000\"},\
         {\"wrapped\":\"84f22002185f3dafc3ac14c381536a488bf44e06d056df9d74dbd21e5a\"},\
         {\"wrapped\":\"84f280021865165105be3373347d0424d4400af2ac393f569ec779389e00\"}]}"
    );
}

#[test]
fn every_pysim_vector() {
    for s in sections() {
        let input = json!({
            "enc": s.get("enc"), "mac": s.get("mac"),
            "kvn": s.get("kvn"),
            "host_challenge": s.get("host_challenge"),
            "initialize_update_response": s.get("initialize_update_response"),
            "aid": s.get("aid"),
            "security_level": s.get("security_level"),
            "steps": steps(&s),
        });
        assert_eq!(example::transcript(&input.to_string()).unwrap(), expected(&s), "[{}]", s.name);
    }
}

#[test]
fn failures_are_reported_in_the_output() {
    let s = sections().into_iter().find(|s| s.name == "pysim_aes128_11").unwrap();
    // A wrong Key-MAC: the card cryptogram does not verify.
    let input = json!({
        "enc": s.get("enc"), "mac": "00112233445566778899aabbccddeeff",
        "kvn": "30", "host_challenge": s.get("host_challenge"),
        "initialize_update_response": s.get("initialize_update_response"),
        "security_level": 17, "steps": [],
    });
    assert_eq!(
        example::transcript(&input.to_string()).unwrap(),
        "{\"initialize_update\":\"8050300008b13e5f938fc108c400\",\"error\":\"card cryptogram invalid\"}"
    );
    // A response with a flipped R-MAC bit fails, and so does everything after it.
    let mut response = s.hex("response");
    let at = response.len() - 3;
    response[at] ^= 1;
    let input = json!({
        "enc": s.get("enc"), "mac": s.get("mac"), "kvn": 48,
        "host_challenge": s.get("host_challenge"),
        "initialize_update_response": s.get("initialize_update_response"),
        "security_level": "11",
        "steps": [{"command": s.get("command")}, {"response": hex::encode(response)}, {"command": "80F22002"}],
    });
    let output = example::transcript(&input.to_string()).unwrap();
    assert!(
        output.ends_with(
            "\"steps\":[{\"wrapped\":\"84e291000ebf3e035c015a558d036518a2829700\"},{\"error\":\"MAC invalid\"},\
             {\"error\":\"secure channel session terminated\"}]}"
        ),
        "{output}"
    );
    assert!(example::transcript("{\"enc\": 1}").unwrap_err().contains("\"enc\""));
    assert!(example::transcript("{}").unwrap_err().contains("missing"));
}

/// The example binary itself, stdin to stdout, when cargo built it next to this test
/// (`cargo test` and `cargo nextest run --all-targets` build the examples first).
#[test]
fn the_binary_reads_stdin_and_writes_stdout() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let binary = binary_path();
    if !binary.exists() {
        eprintln!("example binary not built; covered through the module above");
        return;
    };
    let s = sections().into_iter().find(|s| s.name == "pysim_aes256_03").unwrap();
    let input = json!({
        "enc": s.get("enc"), "mac": s.get("mac"), "kvn": s.get("kvn"),
        "host_challenge": s.get("host_challenge"),
        "initialize_update_response": s.get("initialize_update_response"),
        "aid": s.get("aid"), "security_level": 3, "steps": steps(&s),
    });
    let mut child = Command::new(&binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected(&s) + "\n");
    // Malformed input: exit status 2 and a message on stderr.
    let mut child = Command::new(&binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"not json").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("scp03_transcript: input is no JSON"));
}

/// `target/<profile>/examples/scp03_transcript`, beside this test's `deps/` folder.
fn binary_path() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(|deps| deps.parent()).unwrap();
    profile.join("examples").join(format!("scp03_transcript{}", std::env::consts::EXE_SUFFIX))
}
