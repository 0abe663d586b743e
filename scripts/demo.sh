#!/usr/bin/env bash
# demo.sh — oxicard's main job on the embedded default, from a fresh clone: `oxicard demo`
# creates a software eUICC, starts a test SM-DP+ (HTTPS, test PKI) on 127.0.0.1, downloads a
# profile, lists, enables, sends the notifications, disables and deletes it — in process, no
# card and no reader needed. Extra arguments go to `oxicard demo` (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
# The oxicard binary links libpcsclite (for --reader); install it when missing.
pkg-config --exists libpcsclite 2>/dev/null || scripts/setup.sh
exec cargo run --quiet -p oxicard-cli -- demo "$@"
