#!/usr/bin/env bash
# setup.sh — install what oxicard needs to build and test, only what is missing.
#
#   scripts/setup.sh          system packages (pcsc-lite headers, pcscd, the vpcd virtual reader driver)
#   scripts/setup.sh --dev    also what the test suite uses: tmux (terminal tests), cargo-nextest, cargo-fuzz
#
# Installing system packages needs root (CI runs as root); without root the
# script says what to install and fails.
set -euo pipefail

PACKAGES=(pkg-config libpcsclite-dev pcscd vsmartcard-vpcd)
# The CLI's terminal tests drive `oxicard` in tmux.
[ "${1:-}" = "--dev" ] && PACKAGES+=(tmux)

say() { echo "setup: $*" >&2; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
else
  say "not a Debian-like system: make sure pcsc-lite (headers + pcscd) and vsmartcard-vpcd are installed"
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { timeout 600 apt-get update -q && timeout 900 apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=120 "${missing[@]}"; } </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "apt-get failed (log above)"
    exit 1
  fi
  rm -f "$log"
fi

if [ "${1:-}" = "--dev" ]; then
  command -v cargo >/dev/null || { say "cargo not found: install Rust (rustup) first"; exit 1; }
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "installing cargo-nextest"
    cargo install --locked cargo-nextest >&2
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install --locked cargo-fuzz >&2
  fi
fi
