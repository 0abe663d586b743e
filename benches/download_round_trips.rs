//! What a download costs a user on hardware: APDU count and wall time of a whole profile
//! download (our LPA → the test SM-DP+ over HTTP on loopback → the software eUICC in process)
//! when each APDU takes 20 ms, as a card does (10–80 ms on hardware), for a 20 KB and a 100 KB
//! profile, with short APDUs only and with extended length (`IsdrOptions::
//! extended_segment_size`, on a card that announces it). A bench binary, not criterion: one
//! download per case is the measurement (wall time is dominated by the APDU latency).
//!
//! A third row models lpac (`euicc/euicc.c`, `es10x_transmit_iter`) on the same card: 120-byte
//! STORE DATA blocks (its default `es10x_mss`), no Le, so every answer with data costs an extra
//! GET RESPONSE after the card's `61xx`, and TERMINAL CAPABILITY once on connect. Its count is
//! our LPA's at 120-byte blocks plus one APDU per ES10 answer with data plus one; its time is
//! that count at the latency (the run itself takes fewer APDUs).
//!
//! `cargo bench --bench download_round_trips` (set `LATENCY_MS` to change the 20 ms).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use oxicard::apdu::card::Card;
use oxicard::euicc::es9::HttpEs9Client;
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard::sim::pki::TestPki;
use oxicard::transport::sim::{Latency, SimulatorTransport};

/// How a download sends its STORE DATA blocks.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Short,
    Extended,
    /// Short blocks of 120 bytes (lpac's segment size).
    Lpac,
}

/// One download; its APDUs (as the card counted them), its ES10 answers with data and its wall
/// time.
fn download_once(
    pki: &TestPki,
    client: &mut HttpEs9Client,
    mode: Mode,
    latency: Duration,
) -> (u64, u64, Duration) {
    let identity = pki.euicc_identity().unwrap();
    let config = EuiccConfig::for_identity(&identity).with_extended_length();
    let euicc = SoftEuicc::in_memory(config).with_identity(identity);
    let mut card = Card::new(SimulatorTransport::new(Latency::new(euicc, latency)));
    let options = match mode {
        Mode::Short => IsdrOptions::default(),
        Mode::Extended => IsdrOptions::default().with_extended_segment_size(Some(65_535)),
        Mode::Lpac => IsdrOptions::default().with_segment_size(120),
    };
    let started = Instant::now();
    let mut isdr = Isdr::open(&mut card, &options).unwrap();
    common::download_profile(&mut isdr, client);
    isdr.close().unwrap();
    let elapsed = started.elapsed();
    let euicc = card.transport().simulator().inner();
    (euicc.commands_seen(), euicc.es10_answers_seen(), elapsed)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants no work.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let latency_ms: u64 = std::env::var("LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let latency = Duration::from_millis(latency_ms);
    let pki = TestPki::from_seed([7; 32]).unwrap();
    println!("profile  mode      APDUs  wall time (at {latency_ms} ms per APDU)");
    for (name, len) in [("20 KB", 20 * 1024), ("100 KB", 100 * 1024)] {
        let (_server, mut client) = common::server(&pki, len, false);
        for (label, mode) in [("short", Mode::Short), ("extended", Mode::Extended), ("lpac", Mode::Lpac)] {
            let (apdus, answers, elapsed) = download_once(&pki, &mut client, mode, latency);
            if mode == Mode::Lpac {
                let apdus = apdus + answers + 1;
                let wall = latency.as_secs_f64() * apdus as f64;
                println!("{name:7}  {label:8}  {apdus:5}  {wall:.2} s (modelled)");
            } else {
                println!("{name:7}  {label:8}  {apdus:5}  {:.2} s", elapsed.as_secs_f64());
            }
        }
    }
}
