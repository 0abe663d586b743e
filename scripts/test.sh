#!/usr/bin/env bash
# test.sh — the whole oxicard test suite, as CI runs it, from a fresh clone.
#
# Installs what is missing (scripts/setup.sh --dev), starts a real PC/SC stack
# (scripts/pcsc-stack.sh: pcscd + vsmartcard-vpcd) and runs, in order:
# rustfmt, clippy -D warnings, a dependency check (one RustCrypto generation,
# one web root store), the library builds without their test doubles, the
# public API check, the no_std build of the codec, rustdoc -D warnings, a short
# run of every fuzz target, the bench build, the whole test suite (nextest,
# PC/SC tests included) and the doctests. The simulators are an opt-in feature
# of the facade (`sim`): the steps that build examples, benches and tests run
# with --all-features so that the targets that need them are built and run too.
#
# Env: FUZZ_SECONDS (per fuzz target, default 20; 0 skips fuzzing),
#      CI=true makes PC/SC tests fail, not skip, when the stack is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }
started=$SECONDS

step "setup"
scripts/setup.sh --dev

step "rustfmt"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo clippy -p oxicard-transport --no-default-features --features std --locked -- -D warnings

step "dependencies: one RustCrypto generation, one web root store"
# Issue 13 §3: no second digest / cipher stack (as sha2 0.10 next to 0.11 was) and only
# webpki-root-certs (ureq's own webpki-roots stays out: feature rustls-no-provider).
crypto='^(aes|block-buffer|cipher|cmac|crypto-common|digest|ecdsa|elliptic-curve|hmac|inout|sha1|sha2|signature) v'
for manifest in Cargo.toml fuzz/Cargo.toml; do
  for features in "" "--all-features"; do
    tree=$(cargo tree --manifest-path "$manifest" --workspace $features -e normal,dev -d --depth 0 \
      --prefix none --locked)
    dups=$(grep -E "$crypto" <<<"$tree" | sort -u || true)
    if [ -n "$dups" ]; then
      echo "duplicate RustCrypto crates ($manifest $features):" >&2
      echo "$dups" >&2
      exit 1
    fi
    if cargo tree --manifest-path "$manifest" --workspace $features -i webpki-roots --locked >/dev/null 2>&1; then
      echo "webpki-roots is in the tree ($manifest $features): keep webpki-root-certs only" >&2
      exit 1
    fi
  done
done

step "euicc features: the LPA alone pulls no PKI crate, each role builds alone"
# Issue 13 §6: the eUICC and SM-DP+ roles and their ECDSA / X.509 crates are behind features.
if cargo tree -p oxicard-euicc -e normal --prefix none --locked | grep -qE '^(p256|bp256|ecdsa|x509-cert|oxicard-secure-channel) v'; then
  echo "oxicard-euicc with default features pulls a PKI or BSP crate" >&2
  exit 1
fi
for features in pki euicc-role smdp-role; do
  cargo clippy -p oxicard-euicc --no-default-features --features "$features" --locked -- -D warnings
done

step "test doubles: the libraries build without them (feature test-util)"
# Issue 13 §3: mock, testbed and the test cards are behind `test-util`; only dev-dependencies
# (and the fuzz package) enable it. Without dev-dependencies, nothing turns it on.
cargo check --workspace --lib --bins --locked
if cargo tree --workspace -e normal,features --prefix none --locked | grep -q '"test-util"'; then
  echo "a normal dependency enables a test-util feature" >&2
  exit 1
fi

step "public API: one path per item, no glob re-exports, no duplicate type names"
scripts/public-api.sh check

step "no_std builds (codec, secure channel)"
cargo build -p oxicard-apdu --no-default-features --locked
cargo build -p oxicard-secure-channel --no-default-features --locked

step "rustdoc"
# The CLI's binary `oxicard` and the facade library `oxicard` document into the same folder
# (cargo issue 6313): built together, one rustdoc job can remove the other's files. The binary
# is documented after the libraries, on its own.
for features in "" "--all-features"; do
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --exclude oxicard-cli --no-deps --locked $features
  RUSTDOCFLAGS="-D warnings" cargo doc -p oxicard-cli --no-deps --locked $features
done

step "bench build"
cargo bench --workspace --no-run --all-features --locked

fuzz_seconds=${FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzz smoke (${fuzz_seconds}s per target)"
  (
    cd fuzz
    export RUSTC_BOOTSTRAP=1
    for target in $(cargo fuzz list); do
      echo "fuzz: $target" >&2
      # ASan adds nothing to #![forbid(unsafe_code)] crates; debug assertions stay on.
      log=$(mktemp)
      if ! cargo fuzz run "$target" --sanitizer none -- -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
          >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $target failed" >&2
        exit 1
      fi
      grep -E '^Done|stat::number_of_executed_units' "$log" | tail -n 1 >&2 || true
      rm -f "$log"
    done
  )
fi

step "PC/SC stack"
scripts/pcsc-stack.sh start
trap 'scripts/pcsc-stack.sh stop' EXIT

step "tests"
cargo nextest run --workspace --all-targets --all-features --locked --profile ci --no-fail-fast
cargo test --workspace --doc --all-features --locked

echo "test.sh: all checks passed in $((SECONDS - started))s" >&2
