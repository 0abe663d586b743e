//! Helpers shared by the CLI test files: the binary, its JSON lines, the error contract.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Output;

use serde_json::Value;

/// The `oxicard` binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_oxicard");

/// The last stdout line as JSON.
pub(crate) fn last_json(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output; stderr {}", String::from_utf8_lossy(&out.stderr)));
    serde_json::from_str(line).unwrap()
}

/// Every stdout line is one JSON object.
pub(crate) fn all_json(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A failure: non-zero exit, exactly one line on stderr, and in JSON mode the lpac error object.
pub(crate) fn assert_error(out: &Output, json: bool, needle: &str) -> Value {
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr}");
    assert!(stderr.starts_with("oxicard: error: "), "{stderr}");
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
