//! What a download costs a user on hardware: APDU count and wall time of a whole profile
//! download (our LPA → the test SM-DP+ over HTTP on loopback → the software eUICC in process)
//! when each APDU takes 20 ms, as a card does (10–80 ms on hardware), for a 20 KB and a 100 KB
//! profile, with short APDUs only and with extended length (`IsdrOptions::
//! extended_segment_size`, on a card that announces it). A bench binary, not criterion: one
//! download per case is the measurement (wall time is dominated by the APDU latency).
//!
//! `cargo bench --bench download_round_trips` (set `LATENCY_MS` to change the 20 ms).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use oxicard::apdu::card::Card;
use oxicard::euicc::activation::{ActivationCode, DeviceInfo};
use oxicard::euicc::download::{Consent, DownloadRequest, ProfileOffer, download};
use oxicard::euicc::es9::HttpEs9Client;
use oxicard::euicc::iccid::Iccid;
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard::sim::pki::TestPki;
use oxicard::sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};
use oxicard::transport::sim::{Latency, SimulatorTransport};

const ADDRESS: &str = "smdp.example.com";

fn server(pki: &TestPki, profile_len: usize) -> (SmdpServer, HttpEs9Client) {
    let iccid: Iccid = "8944478600004573128".parse().unwrap();
    let package = ProfileBuilder::new(iccid)
        .padding(profile_len)
        .package(ProfileMetadata::new(iccid, "bench", "oxicard", ADDRESS));
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile("BENCH", package);
    let server = SmdpServer::start(smdp, "127.0.0.1:0", None).unwrap();
    let client = server.client(pki.ci().certificate().der()).unwrap();
    (server, client)
}

/// One download; its APDUs (as the card counted them) and wall time.
fn download_once(
    pki: &TestPki,
    client: &mut HttpEs9Client,
    extended: bool,
    latency: Duration,
) -> (u64, Duration) {
    let identity = pki.euicc_identity().unwrap();
    let config = EuiccConfig::for_identity(&identity).with_extended_length();
    let euicc = SoftEuicc::in_memory(config).with_identity(identity);
    let mut card = Card::new(SimulatorTransport::new(Latency::new(euicc, latency)));
    let options = IsdrOptions::default().with_extended_segment_size(extended.then_some(65_535));
    let started = Instant::now();
    let mut isdr = Isdr::open(&mut card, &options).unwrap();
    let code: ActivationCode = "1$smdp.example.com$BENCH".parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let result = download(&mut isdr, client, &request, &mut accept).unwrap();
    assert!(result.iccid.is_some());
    isdr.close().unwrap();
    let elapsed = started.elapsed();
    (card.transport().simulator().inner().commands_seen(), elapsed)
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
        let (_server, mut client) = server(&pki, len);
        for (mode, extended) in [("short", false), ("extended", true)] {
            let (apdus, elapsed) = download_once(&pki, &mut client, extended, latency);
            println!("{name:7}  {mode:8}  {apdus:5}  {:.2} s", elapsed.as_secs_f64());
        }
    }
}
