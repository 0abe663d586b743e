#!/usr/bin/env bash
# demo.sh — oxicard's main job on the embedded default: a simulated card in
# process (no reader needed). With a reader name, talks to that PC/SC reader:
#
#   scripts/demo.sh                         in-process simulated card
#   scripts/demo.sh --reader "NAME"         a card in a PC/SC reader
set -euo pipefail
cd "$(dirname "$0")/.."
features=()
if ! pkg-config --exists libpcsclite 2>/dev/null; then
  if ! scripts/setup.sh; then
    echo "demo: building without PC/SC (no libpcsclite); only the simulated card is available" >&2
    features=(--no-default-features)
  fi
fi
exec cargo run --quiet "${features[@]}" --example hello_card -- "$@"
