//! Helpers of the binary tests: a software eUICC in a temp dir, the binary run against it, the
//! lpac JSON lines of its output, and the one-line error check.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use oxicard_euicc::pki::CertifiedKey;
use oxicard_sim::pki::{TestPki, TestPkiConfig, eid_for_seed};
use oxicard_sim::smdp::{RspServer, SmdpServer};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_oxicard");

/// Every environment variable `oxicard` reads its configuration from.
const CONFIG_VARS: [&str; 26] = [
    "OXICARD_READER",
    "OXICARD_AT",
    "OXICARD_QMI",
    "OXICARD_MBIM",
    "OXICARD_SLOT",
    "OXICARD_BAUD",
    "OXICARD_MODEM_PROXY",
    "OXICARD_SIM",
    "OXICARD_CONNECT_TO",
    "OXICARD_CA",
    "OXICARD_GP_KEY",
    "OXICARD_GP_KEY_ENC",
    "OXICARD_GP_KEY_MAC",
    "OXICARD_GP_KEY_DEK",
    "OXICARD_GP_KEY_FILE",
    "OXICARD_GP_KVN",
    "OXICARD_GP_KDF",
    "OXICARD_GP_NEW_KEY",
    "OXICARD_CONFIRMATION_CODE",
    "OXICARD_LOCK_WAIT",
    "OXICARD_GP_NEW_KEY_ENC",
    "OXICARD_GP_NEW_KEY_MAC",
    "OXICARD_GP_NEW_KEY_DEK",
    "OXICARD_GP_SCP",
    "OXICARD_EXTENDED",
    "OXICARD_LATENCY",
];

/// The binary with stdin closed and no configuration from the environment (no reader, keys,
/// codes or lock wait of the user running the tests). The simulated modems are opened as the
/// devices they are (`OXICARD_MODEM_PROXY=never`), never through a ModemManager proxy that may
/// run on the machine.
pub fn oxicard() -> Command {
    let mut command = Command::new(BIN);
    command.stdin(Stdio::null());
    for var in CONFIG_VARS {
        command.env_remove(var);
    }
    command.env("OXICARD_MODEM_PROXY", "never");
    command
}

/// `oxicard --sim=STATE` ([`oxicard`]).
pub fn oxicard_on(state: &std::path::Path) -> Command {
    let mut command = oxicard();
    command.arg(format!("--sim={}", state.display()));
    command
}

/// The names in `dir`, sorted.
pub fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A software eUICC in a temp dir.
pub struct Sim {
    _dir: tempfile::TempDir,
    pub state: PathBuf,
}

impl Sim {
    pub fn new() -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("euicc.json");
        let sim = Sim { _dir: dir, state };
        let out = sim.run(&["sim", "init"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        sim
    }

    /// A file next to the state file (`ci.pem`, `pki-seed`, …).
    pub fn path(&self, suffix: &str) -> PathBuf {
        self.state.with_file_name(format!("euicc.{suffix}"))
    }

    /// The `--ca` file: the test CI.
    pub fn ca(&self) -> String {
        self.path("ci.pem").display().to_string()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = oxicard_on(&self.state);
        command.args(args);
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    /// Runs with `--json`, expects success, returns every stdout line.
    pub fn json_lines(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        all_json(&out)
    }

    /// Runs with `--json`, expects success, returns the final payload's data.
    pub fn json(&self, args: &[&str]) -> Value {
        let lines = self.json_lines(args);
        let last = lines.last().unwrap();
        assert_eq!(last["type"], "lpa");
        assert_eq!(last["payload"]["code"], 0);
        assert_eq!(last["payload"]["message"], "success");
        last["payload"]["data"].clone()
    }

    /// Runs in text mode, expects success, returns stdout.
    pub fn text(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// The seed of this eUICC's generated identity.
    pub fn seed(&self) -> [u8; 32] {
        seed_of(&self.path("pki-seed"))
    }

    /// The EID of this eUICC: derived from its seed (every generated identity has its own).
    pub fn eid(&self) -> String {
        eid_for_seed(&self.seed())
    }

    /// The test PKI of this eUICC (from its seed file).
    pub fn pki(&self) -> TestPki {
        TestPki::generate(&TestPkiConfig::for_seed(self.seed())).unwrap()
    }

    /// A CERT.DP.TLS (and key) for the server names `names`, issued by this eUICC's test CI (the
    /// `--ca` file, [`Sim::ca`]): the same seed gives the same CI, only the TLS names differ.
    pub fn tls_for(&self, names: &[&str]) -> CertifiedKey {
        let config = TestPkiConfig {
            tls_dns_names: names.iter().map(|n| n.to_string()).collect(),
            ..TestPkiConfig::for_seed(self.seed())
        };
        TestPki::generate(&config).unwrap().dp_tls().clone()
    }

    /// Starts `oxicard --json <args>` (a `sim smdp` / `sim smds` server) and returns it with the
    /// data of its first line; closing its stdin stops it.
    pub fn spawn(&self, args: &[&str]) -> (Child, Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let mut child = self.command(&all).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let started: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(started["payload"]["code"], 0, "{line}");
        (child, started["payload"]["data"].clone())
    }
}

/// `--connect-to` for requests to `address` (port 443) that reach `server` on 127.0.0.1: curl's
/// `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`.
pub fn connect_to<H: RspServer>(address: &str, server: &SmdpServer<H>) -> String {
    format!("{address}:443:127.0.0.1:{}", server.local_addr().port())
}

/// A test SM-DP+ at `address` (reached through `--connect-to`) serving `MATCH-1`, the profile
/// `iccid` (named "Test", its notifications to `address`), trusting `sim`'s PKI; with the
/// network options that reach it.
pub fn test_smdp(sim: &Sim, address: &str, iccid: &str) -> (SmdpServer, Vec<String>) {
    let pki = sim.pki();
    let iccid = iccid.parse().unwrap();
    let smdp = oxicard_sim::smdp::TestSmdp::new(pki.smdp_identity().unwrap(), address).with_profile(
        "MATCH-1",
        oxicard_sim::smdp::ProfileBuilder::new(iccid)
            .package(oxicard_sim::smdp::ProfileMetadata::new(iccid, "Test", "oxicard", address)),
    );
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(&sim.tls_for(&[address]))).unwrap();
    let net = vec!["--connect-to".into(), connect_to(address, &server), "--ca".into(), sim.ca()];
    (server, net)
}

/// The seed in a `NAME.pki-seed` file.
pub fn seed_of(path: &std::path::Path) -> [u8; 32] {
    let seed = std::fs::read_to_string(path).unwrap();
    hex::decode(seed.trim()).unwrap().try_into().unwrap()
}

/// Stops a server started by [`Sim::spawn`]: end of input, then a clean exit.
pub fn stop(mut child: Child) {
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

pub fn last_json(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output; stderr {}", String::from_utf8_lossy(&out.stderr)));
    serde_json::from_str(line).unwrap()
}

/// Every stdout line is one JSON object.
pub fn all_json(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A failure: non-zero exit, exactly one line on stderr besides warnings, and in JSON mode the
/// lpac error object.
pub fn assert_error(out: &Output, json: bool, needle: &str) -> Value {
    assert!(!out.status.success());
    let all = String::from_utf8_lossy(&out.stderr);
    // Warnings (a secret given on the command line) come before; the error is one line.
    let stderr = all.lines().filter(|l| !l.starts_with("oxicard: warning: ")).collect::<Vec<_>>().join("\n");
    assert_eq!(stderr.lines().count(), 1, "stderr: {all}");
    assert!(stderr.starts_with("oxicard: error: "), "{all}");
    assert!(stderr.contains(needle), "{stderr:?} lacks {needle:?}");
    if json {
        let last = last_json(out);
        assert_eq!(last["type"], "lpa");
        assert_eq!(last["payload"]["code"], -1);
        assert!(last["payload"]["data"].as_str().unwrap().contains(needle));
        last
    } else {
        Value::Null
    }
}
