//! Bounded inputs: every file the command reads (CAP, `--ca`, `--key-file`, `--sim` state,
//! `--profiles` packages, identity files) is refused at once when it is a FIFO or a directory,
//! and before it is read when it is larger than its limit (a 10 GiB sparse file); stdin never
//! grows memory; secrets on the command line are warned about; `chip default-dp` checks its
//! address before the card is opened; `--segment-size` has the minimum a download works with.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{Sim, assert_error, oxicard};

/// How long a refused input may take: a hang (a FIFO opened for reading waits for a writer
/// forever) or a read of gigabytes takes longer.
const QUICK: Duration = Duration::from_secs(20);

/// The size of the sparse files: far above every limit, and no disk space used.
const HUGE: u64 = 10 * 1024 * 1024 * 1024;

/// The limits, as the messages give them.
const CAP_LIMIT: &str = "is too large (over 4194304 bytes)";
const CA_LIMIT: &str = "is too large (over 1048576 bytes)";
const KEY_FILE_LIMIT: &str = "is too large (over 65536 bytes)";
const STATE_LIMIT: &str = "is too large (over 67108864 bytes)";
const PACKAGE_LIMIT: &str = "is too large (over 2097152 bytes)";
const IDENTITY_LIMIT: &str = "is too large (over 1048576 bytes)";

/// The GlobalPlatform test key (what the simulated GP card is created with).
const GP_TEST_KEY: &str = "404142434445464748494A4B4C4D4E4F";

/// Runs `args` with stdin from `stdin`, failing when it takes longer than [`QUICK`] (the
/// process is killed first).
fn run_quick_with(args: &[String], stdin: Stdio) -> Output {
    let started = Instant::now();
    let mut child =
        oxicard().args(args).stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > QUICK {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{args:?} still running after {QUICK:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// [`run_quick_with`], stdin empty.
fn run_quick(args: &[String]) -> Output {
    run_quick_with(args, Stdio::null())
}

/// Strings of `parts`.
fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// A path as a string.
fn text(path: &Path) -> String {
    path.display().to_string()
}

/// What an unusable input is made of.
#[derive(Clone, Copy, Debug)]
enum Bad {
    /// A FIFO (reading it would wait for a writer).
    Fifo,
    /// A 10 GiB sparse file.
    Huge,
    /// A directory.
    Directory,
}

impl Bad {
    /// Makes one at `path`.
    fn make(self, path: &Path) {
        match self {
            Bad::Fifo => assert!(Command::new("mkfifo").arg(path).status().unwrap().success()),
            Bad::Huge => File::create(path).unwrap().set_len(HUGE).unwrap(),
            Bad::Directory => std::fs::create_dir(path).unwrap(),
        }
    }

    /// What the error says about it (`limit` for a sparse file).
    fn said(self, limit: &'static str) -> &'static str {
        match self {
            Bad::Fifo => "is a FIFO, not a regular file",
            Bad::Huge => limit,
            Bad::Directory => "is a directory, not a regular file",
        }
    }
}

/// Every input of the command made `bad`: each is refused quickly, the error naming the
/// option (or the state file) and the file, and saying what is wrong.
fn refused_everywhere(bad: Bad) {
    let sim = Sim::new();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    bad.make(&input);
    let path = text(&input);
    let gp_state = format!("--sim={}", text(&dir.path().join("gp-card.json")));
    let euicc_state = format!("--sim={}", text(&sim.state));
    let profiles = dir.path().join("profiles");
    std::fs::create_dir(&profiles).unwrap();
    let package = profiles.join("MATCH.der");
    bad.make(&package);
    let cases: Vec<(Vec<String>, String)> = vec![
        (strings(&[&gp_state, "gp", "install", &path]), format!("CAP: {path} {}", bad.said(CAP_LIMIT))),
        (
            strings(&[
                &euicc_state,
                "profile",
                "download",
                "--yes",
                "--ca",
                &path,
                "LPA:1$smdp.example.com$M",
            ]),
            format!("--ca: {path} {}", bad.said(CA_LIMIT)),
        ),
        (
            strings(&[&gp_state, "gp", "list", "--key-file", &path]),
            format!("--key-file: {path} {}", bad.said(KEY_FILE_LIMIT)),
        ),
        (strings(&[&format!("--sim={path}"), "gp", "list"]), format!("{path} {}", bad.said(STATE_LIMIT))),
        (
            strings(&[
                &euicc_state,
                "sim",
                "smdp",
                "--listen",
                "127.0.0.1:0",
                "--profiles",
                &text(&profiles),
            ]),
            format!("--profiles: {} {}", text(&package), bad.said(PACKAGE_LIMIT)),
        ),
    ];
    for (args, needle) in cases {
        for json in [false, true] {
            let args = if json { [vec!["--json".to_owned()], args.clone()].concat() } else { args.clone() };
            let out = run_quick(&args);
            assert_error(&out, json, &needle);
        }
    }
    // No card was opened for a refused input (no GP card state), nothing created beside a
    // bad state.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["input", "profiles"]);
}

#[test]
fn fifos_are_refused_at_once() {
    refused_everywhere(Bad::Fifo);
}

#[test]
fn huge_files_are_refused_before_reading() {
    refused_everywhere(Bad::Huge);
}

#[test]
fn directories_are_refused() {
    refused_everywhere(Bad::Directory);
}

/// The software eUICC's own files: its state and its identity files (read by
/// `EuiccIdentity::from_files`), and the files `sim init` imports.
#[test]
fn euicc_state_and_identity_files_are_bounded() {
    for bad in [Bad::Fifo, Bad::Huge, Bad::Directory] {
        // The identity beside the state.
        let sim = Sim::new();
        let cert = sim.path("cert.pem");
        std::fs::remove_file(&cert).unwrap();
        bad.make(&cert);
        let state = format!("--sim={}", text(&sim.state));
        let out = run_quick(&strings(&[&state, "chip", "info"]));
        assert_error(&out, false, &format!("{} {}", text(&cert), bad.said(IDENTITY_LIMIT)));

        // The state itself.
        let sim = Sim::new();
        std::fs::remove_file(&sim.state).unwrap();
        bad.make(&sim.state);
        let out = run_quick(&strings(&[&state_of(&sim), "chip", "info"]));
        assert_error(&out, false, &format!("{} {}", text(&sim.state), bad.said(STATE_LIMIT)));

        // Imported files.
        let sim = Sim::new();
        let input = sim.path("input");
        bad.make(&input);
        let (key, eum, ci) =
            (text(&sim.path("key.pem")), text(&sim.path("eum.pem")), text(&sim.path("ci.pem")));
        let args = [&state_of(&sim), "sim", "init", "--force", "--cert", &text(&input), "--key", &key];
        let out = run_quick(&strings(&[&args[..], &["--eum", &eum, "--ci", &ci]].concat()));
        assert_error(&out, false, &format!("--cert: {} {}", text(&input), bad.said(IDENTITY_LIMIT)));
    }
}

/// `--sim=STATE` of a [`Sim`].
fn state_of(sim: &Sim) -> String {
    format!("--sim={}", text(&sim.state))
}

/// The peak resident memory of a running process, in KiB (`VmHWM`).
fn peak_rss_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A test SM-DP+ (`oxicard sim smdp`) for `sim`, with stdin from `stdin`; returns the process
/// and its activation code for `TEST`.
fn sim_smdp(sim: &Sim, stdin: Stdio) -> (Child, String) {
    let mut child = oxicard()
        .args([&state_of(sim), "--json", "sim", "smdp", "--listen", "127.0.0.1:0"])
        .stdin(stdin)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    let code = started["payload"]["data"]["activationCode"].as_str().unwrap().to_owned();
    (child, code)
}

#[test]
fn an_endless_stdin_grows_no_memory() {
    // `sim smdp` reads stdin until its end: from /dev/zero it reads on and on, in a fixed
    // buffer.
    let sim = Sim::new();
    let (mut server, code) = sim_smdp(&sim, Stdio::from(File::open("/dev/zero").unwrap()));
    std::thread::sleep(Duration::from_secs(2));
    assert!(server.try_wait().unwrap().is_none(), "the server stopped");
    let peak = peak_rss_kib(&server);
    assert!(peak < 64 * 1024, "sim smdp < /dev/zero: peak RSS {peak} KiB");

    // A download with --yes asks nothing, whatever stdin is; without --yes and with stdin no
    // terminal it is refused at once, without reading stdin.
    let ca = sim.ca();
    let download = |yes: &[&str]| {
        let args = strings(
            &[&[state_of(&sim).as_str(), "profile", "download", "--ca", &ca, &code][..], yes].concat(),
        );
        run_quick_with(&args, Stdio::from(File::open("/dev/zero").unwrap()))
    };
    assert_error(&download(&[]), false, "stdin is not a terminal, pass --yes");
    let out = download(&["--yes"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed profile 8944478600004573128"));
    server.kill().unwrap();
    server.wait().unwrap();
}

/// The warning lines of `out`.
fn warnings(out: &Output) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.lines().filter(|l| l.starts_with("oxicard: warning: ")).map(str::to_owned).collect()
}

#[test]
fn secrets_on_the_command_line_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let state = format!("--sim={}", text(&dir.path().join("gp-card.json")));
    let warning = |option: &str, instead: &str| {
        format!(
            "oxicard: warning: {option} on the command line is visible to other local users (ps, /proc); use {instead}"
        )
    };

    // --key before or after the subcommand, once; --key-mac too; the command still runs.
    for args in [
        vec![&state, "gp", "--key", GP_TEST_KEY, "--kvn", "30", "--key-mac", GP_TEST_KEY, "list"],
        vec![&state, "gp", "list", "--kvn", "30", "--key", GP_TEST_KEY, "--key-mac", GP_TEST_KEY],
    ] {
        let out = run_quick(&strings(&args));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            warnings(&out),
            [
                warning("--key", "OXICARD_GP_KEY or --key-file"),
                warning("--key-mac", "OXICARD_GP_KEY_MAC or --key-file")
            ]
        );
    }
    // From the environment: no warning.
    let out = oxicard()
        .args([&state, "gp", "list", "--kvn", "30"])
        .env("OXICARD_GP_KEY", GP_TEST_KEY)
        .env("OXICARD_GP_KEY_MAC", GP_TEST_KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // JSON mode: the warning on stderr only, stdout stays JSON. New keys are secrets too.
    let args =
        ["--json", &state, "gp", "put-key", "--kvn", "30", "--new-kvn", "31", "--new-key", GP_TEST_KEY];
    let out = run_quick(&strings(&args));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(warnings(&out), [warning("--new-key", "OXICARD_GP_NEW_KEY")]);
    assert!(String::from_utf8_lossy(&out.stdout).lines().all(|l| serde_json::from_str::<Value>(l).is_ok()));
    let out = oxicard()
        .args(["--json", &state, "gp", "put-key", "--kvn", "30", "--new-kvn", "32"])
        .env("OXICARD_GP_NEW_KEY", GP_TEST_KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // The confirmation code; a file option named --key (sim init) is no secret.
    let sim = Sim::new();
    let download =
        ["profile", "download", "--yes", "--ca", "/nonexistent/ca.pem", "LPA:1$smdp.example.com$M"];
    let out = run_quick(&strings(&[&[state_of(&sim).as_str()][..], &download[..], &["-c", "1234"]].concat()));
    assert_error(&out, false, "--ca: cannot read /nonexistent/ca.pem: no such file");
    assert_eq!(warnings(&out), [warning("--confirmation-code", "OXICARD_CONFIRMATION_CODE or the prompt")]);
    let out = oxicard()
        .arg(state_of(&sim))
        .args(download)
        .env("OXICARD_CONFIRMATION_CODE", "1234")
        .output()
        .unwrap();
    assert_eq!(warnings(&out), Vec::<String>::new());
    assert_error(&out, false, "--ca: cannot read /nonexistent/ca.pem: no such file");
    let (key, eum, ci, cert) =
        (sim.path("key.pem"), sim.path("eum.pem"), sim.path("ci.pem"), sim.path("cert.pem"));
    let args = [&state_of(&sim), "sim", "init", "--force", "--cert", &text(&cert), "--key", &text(&key)];
    let out = run_quick(&strings(&[&args[..], &["--eum", &text(&eum), "--ci", &text(&ci)]].concat()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(warnings(&out), Vec::<String>::new());

    // --help says it.
    let help = oxicard().args(["gp", "list", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("visible to other local users"), "{help}");
    assert!(help.contains("prefer OXICARD_GP_KEY or --key-file"), "{help}");
}

#[test]
fn default_dp_address_is_checked_before_the_card() {
    let dir = tempfile::tempdir().unwrap();
    // A state in a directory that does not exist: opening the software eUICC would create it.
    let never = dir.path().join("never");
    let state = format!("--sim={}", text(&never.join("euicc.json")));
    let label = "a".repeat(63);
    let long = format!("{label}.{label}.{label}.{}.b", "a".repeat(62));
    assert_eq!(long.len(), 256);
    for (address, reason) in [
        ("a..b", "empty label in \"a..b\""),
        ("-x.com", "label \"-x\" starts or ends with '-'"),
        ("x.com:0", "port \"0\" is not a number in 1..=65535"),
        ("x.com:99999", "port \"99999\" is not a number in 1..=65535"),
        ("smdp example.com", "character ' ' is not allowed in a host name"),
        (" smdp.example.com", "character ' ' is not allowed in a host name"),
        (&long, "host name has 256 characters; at most 253 are allowed"),
        ("[::1]:443", "IPv6 literals are not allowed"),
    ] {
        let out = run_quick(&strings(&[&state, "chip", "default-dp", "--", address]));
        assert_eq!(out.status.code(), Some(2), "{address:?}");
        let e = assert_error(&out, false, &format!("chip default-dp: {address:?} is not an SM-DP+ address"));
        assert_eq!(e, Value::Null);
        assert!(String::from_utf8_lossy(&out.stderr).contains(reason), "{address:?}");
        assert!(!never.exists(), "{address:?}: the card was opened");
    }
    let sim = Sim::new();
    for address in ["smdp.example.com:8443", "SMDP.GSMA.COM", ""] {
        let out = run_quick(&strings(&[&state_of(&sim), "chip", "default-dp", address]));
        assert!(out.status.success(), "{address:?}: {}", String::from_utf8_lossy(&out.stderr));
        let data = sim.json(&["chip", "info"]);
        let expected = if address.is_empty() { Value::Null } else { Value::from(address) };
        assert_eq!(data["EuiccConfiguredAddresses"]["defaultDpAddress"], expected, "{address:?}");
    }
}

/// The STORE DATA blocks of a `-v` trace: (P1, P2, Lc) of each `80 E2` command.
fn store_data_blocks(stderr: &str) -> Vec<(u8, u8, usize)> {
    stderr
        .lines()
        .filter_map(|l| l.split("oxicard::apdu: >> ").nth(1))
        .filter_map(|apdu| hex::decode(apdu.trim()).ok())
        .filter(|a| a.len() > 5 && a[1] == 0xE2)
        .map(|a| (a[2], a[3], usize::from(a[4])))
        .collect()
}

#[test]
fn the_smallest_segment_size_downloads() {
    let sim = Sim::new();
    let (server, code) = sim_smdp(&sim, Stdio::piped());
    let ca = sim.ca();
    let args =
        [&state_of(&sim), "-v", "--segment-size", "8", "profile", "download", "--yes", "--ca", &ca, &code];
    let out = run_quick(&strings(&args));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed profile 8944478600004573128"));
    // Every block carries at most 8 bytes; the longest request (AuthenticateServer, 687 bytes
    // with the test SM-DP+) took 86 of them.
    let blocks = store_data_blocks(&String::from_utf8_lossy(&out.stderr));
    assert!(blocks.iter().all(|&(_, _, lc)| lc <= 8), "{blocks:?}");
    let most = blocks.iter().filter(|&&(p1, _, _)| p1 == 0x91).map(|&(_, p2, _)| usize::from(p2) + 1).max();
    assert_eq!(most, Some(86));
    common::stop(server);

    // One below is refused before anything runs, saying why.
    let dir = tempfile::tempdir().unwrap();
    let never = format!("--sim={}", text(&dir.path().join("never").join("euicc.json")));
    for json in [false, true] {
        let mut args = vec![never.as_str(), "--segment-size", "7", "chip", "info"];
        if json {
            args.insert(0, "--json");
        }
        let out = run_quick(&strings(&args));
        assert_eq!(out.status.code(), Some(2));
        let needle = "7 is below 8: a download's largest ES10 request (up to 2048 bytes) must fit in 256 STORE DATA blocks";
        assert_error(&out, json, needle);
    }
    assert!(!dir.path().join("never").exists());
}

/// Profile directories: more entries than the limit are refused, other entries skipped, more
/// bytes of packages in all than the limit refused.
#[test]
fn profile_directories_are_bounded() {
    let sim = Sim::new();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..257 {
        std::fs::write(dir.path().join(format!("note-{i}.txt")), "").unwrap();
    }
    let args = [&state_of(&sim), "sim", "smdp", "--listen", "127.0.0.1:0", "--profiles", &text(dir.path())];
    let out = run_quick(&strings(&args));
    assert_error(&out, false, &format!("--profiles: {} has more than 256 entries", text(dir.path())));
    // At the limit, with a FIFO that is no package (no `.der`): served, nothing read.
    std::fs::remove_file(dir.path().join("note-0.txt")).unwrap();
    std::fs::remove_file(dir.path().join("note-1.txt")).unwrap();
    Bad::Fifo.make(&dir.path().join("fifo"));
    let mut child =
        oxicard().arg("--json").args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains(r#""code":0"#), "{line}");
    common::stop(child);

    // Packages of 2 MiB each (sparse), 33 of them: over 64 MiB in all.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..33 {
        File::create(dir.path().join(format!("P{i}.der"))).unwrap().set_len(2 * 1024 * 1024).unwrap();
    }
    let args = [&state_of(&sim), "sim", "smdp", "--listen", "127.0.0.1:0", "--profiles", &text(dir.path())];
    let out = run_quick(&strings(&args));
    let needle = format!(
        "--profiles: the packages of {} are too large (over 67108864 bytes in all)",
        text(dir.path())
    );
    assert_error(&out, false, &needle);
}

/// `--extended` on the software eUICC (whose ATR announces extended length): every ES10
/// request of a download is one STORE DATA, extended Lc where it is over 255 bytes, and no
/// GET RESPONSE follows; the download is the same.
#[test]
fn an_extended_length_download_sends_each_request_in_one_store_data() {
    let sim = Sim::new();
    let (server, code) = sim_smdp(&sim, Stdio::piped());
    let ca = sim.ca();
    let args = [&state_of(&sim), "-v", "--extended", "profile", "download", "--yes", "--ca", &ca, &code];
    let out = run_quick(&strings(&args));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed profile 8944478600004573128"));
    let apdus: Vec<Vec<u8>> = stderr
        .lines()
        .filter_map(|l| l.split("oxicard::apdu: >> ").nth(1))
        .filter_map(|apdu| hex::decode(apdu.split_whitespace().next().unwrap_or_default()).ok())
        .collect();
    let store_data: Vec<&Vec<u8>> = apdus.iter().filter(|a| a.get(1) == Some(&0xE2)).collect();
    // Each a single last block (P1 91, P2 00), in the extended form (a `00` byte then a
    // 2-byte Lc, ISO/IEC 7816-4 §5.1): the Bound Profile Package's segments included.
    assert!(!store_data.is_empty());
    assert!(store_data.iter().all(|a| a[2] == 0x91 && a[3] == 0x00 && a[4] == 0x00), "{store_data:02X?}");
    let longest = store_data.iter().map(|a| usize::from(u16::from_be_bytes([a[5], a[6]]))).max().unwrap();
    assert!(longest > 255, "{longest}");
    assert!(!apdus.iter().any(|a| a.get(1) == Some(&0xC0)), "no GET RESPONSE");
    common::stop(server);
}
