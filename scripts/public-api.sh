#!/usr/bin/env bash
# public-api.sh — the public surface of the library crates, checked (issue 13 §3).
#
#   scripts/public-api.sh          check: fails on a type or function with two public paths, a glob
#                                  re-export (`pub use x::*`), two public types of one name in one
#                                  crate, a re-export of another workspace crate's item, a public
#                                  grab-bag module (util, helpers, der_util…)
#   scripts/public-api.sh list     every public path with its kind
#   scripts/public-api.sh count    public items per crate
#
# Reads rustdoc's JSON output (unstable format, hence RUSTC_BOOTSTRAP=1 as for cargo-fuzz) of every
# library crate with all features, built in its own target directory; the checks themselves are
# in scripts/public_api.py.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-check}
target=target/public-api
RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="-Z unstable-options --output-format json" \
  cargo doc --workspace --exclude oxicard-cli --no-deps --all-features --locked --quiet --target-dir "$target"
python3 scripts/public_api.py "$target/doc" "$mode"
