//! End to end: our LPA (`oxicard_euicc`) → the test SM-DP+ over HTTPS (its DPtls certificate,
//! the test CI as the only trust anchor) → the software eUICC, first in process and then as a
//! card in the vpcd reader of a real `pcscd`. Download, list, enable, disable, delete; every
//! notification delivered to the SM-DP+ and removed from the eUICC.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::download::{Consent, DownloadRequest, ProfileOffer, download};
use oxicard_euicc::es9::HttpEs9Client;
use oxicard_euicc::es10::ProfileState;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::{NotificationOutcome, ProfileOperation, manage_profile};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};
use oxicard_transport::Transport;
use oxicard_transport::pcsc::ConnectOptions;
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::testbed::VirtualReader;

const ADDRESS: &str = "smdp.example.com";
const ICCID: &str = "8944478600004573128";

/// The test PKI, an SM-DP+ serving one profile under `MATCH-1`, its HTTPS server and a client
/// that trusts only the test CI and reaches `ADDRESS` at the server.
fn smdp() -> (TestPki, SmdpServer, HttpEs9Client) {
    let pki = TestPki::from_seed([7; 32]).unwrap();
    let iccid: Iccid = ICCID.parse().unwrap();
    let package = ProfileBuilder::new(iccid).padding(20_000).package(ProfileMetadata::new(
        iccid,
        "oxicard test",
        "oxicard",
        ADDRESS,
    ));
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile("MATCH-1", package);
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let client = HttpEs9Client::builder()
        .webpki_roots(false)
        .add_ca_der(pki.ci().certificate().der())
        .unwrap()
        .override_address(ADDRESS, &server.base_url())
        .unwrap()
        .build()
        .unwrap();
    (pki, server, client)
}

/// The whole life of a profile on `card`, checked on both sides.
fn profile_life_cycle<T: Transport>(card: &mut Card<T>, server: &SmdpServer, client: &mut HttpEs9Client) {
    let iccid: Iccid = ICCID.parse().unwrap();
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    assert!(isdr.profiles().unwrap().is_empty());

    let code: ActivationCode = "LPA:1$smdp.example.com$MATCH-1".parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut offered = None;
    let mut consent = |offer: &ProfileOffer<'_>| {
        offered = offer.metadata.as_ref().and_then(|m| m.iccid);
        Consent::Accept(None)
    };
    let result = download(&mut isdr, client, &request, &mut consent).unwrap();
    assert_eq!(offered, Some(iccid));
    assert_eq!(result.iccid, Some(iccid));
    assert!(matches!(result.notification, NotificationOutcome::Removed), "{:?}", result.notification);

    let profiles = isdr.profiles().unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].iccid, Some(iccid));
    assert_eq!(profiles[0].state, Some(ProfileState::Disabled));
    assert_eq!(profiles[0].profile_name.as_deref(), Some("oxicard test"));

    for (operation, state) in [
        (ProfileOperation::Enable { refresh: false }, Some(ProfileState::Enabled)),
        (ProfileOperation::Disable { refresh: false }, Some(ProfileState::Disabled)),
        (ProfileOperation::Delete, None),
    ] {
        let reports = manage_profile(&mut isdr, iccid, operation, Some(client)).unwrap();
        assert_eq!(reports.len(), 1, "{operation:?}: {reports:?}");
        assert!(matches!(reports[0].outcome, NotificationOutcome::Removed), "{operation:?}: {reports:?}");
        let profiles = isdr.profiles().unwrap();
        assert_eq!(profiles.first().and_then(|p| p.state), state, "{operation:?}");
    }
    assert!(isdr.profiles().unwrap().is_empty());
    assert!(isdr.list_notifications(None).unwrap().is_empty());
    isdr.close().unwrap();

    // The SM-DP+ verified and recorded install, enable, disable and delete.
    let smdp = server.smdp();
    assert_eq!(smdp.notifications().len(), 4);
    assert_eq!(smdp.open_sessions(), 0);
}

#[test]
fn download_enable_disable_delete_in_process() {
    let (pki, server, mut client) = smdp();
    let euicc = SoftEuicc::from_identity(pki.euicc_identity().unwrap());
    let mut card = Card::new(SimulatorTransport::new(euicc));
    profile_life_cycle(&mut card, &server, &mut client);
    let state = card.transport().simulator().state();
    assert!(state.profiles().is_empty() && state.notifications().is_empty());
    assert_eq!(state.check(), Ok(()));
}

#[test]
fn pcsc_download_enable_disable_delete_through_pcscd() {
    let reader = match VirtualReader::open(1) {
        Ok(reader) => reader,
        Err(err) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipped: no PC/SC stack with vpcd ({err}); run scripts/pcsc-stack.sh start");
            return;
        }
        Err(err) => panic!("CI=true and the PC/SC stack is not usable: {err}"),
    };
    let (pki, server, mut client) = smdp();
    let inserted = reader.insert(SoftEuicc::from_identity(pki.euicc_identity().unwrap())).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    profile_life_cycle(&mut card, &server, &mut client);
    drop(card);
    let euicc = reader.remove(inserted).unwrap();
    assert!(euicc.state().profiles().is_empty() && euicc.state().notifications().is_empty());
    assert_eq!(euicc.state().check(), Ok(()));
}
