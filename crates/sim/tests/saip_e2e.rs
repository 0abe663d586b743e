//! The two real GSMA TS.48 packages end to end: served by the test SM-DP+ over HTTPS (metadata
//! from the ProfileHeader: the ICCID read in reading order, offered nibble-swapped), downloaded
//! by our LPA into the software eUICC, listed with the right ICCID and name, enabled, disabled,
//! deleted, every notification delivered to the SM-DP+, and the installed UPP byte-identical to
//! the file — first in process, then with the eUICC as a card in the vpcd reader of `pcscd`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::download::{Consent, DownloadErrorKind, DownloadRequest, ProfileOffer, download};
use oxicard_euicc::es9::HttpEs9Client;
use oxicard_euicc::es10::{ErrorReason, ProfileClass, ProfileState};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::{NotificationOutcome, ProfileOperation, manage_profile};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, ProfilePackage, SmdpServer, TestSmdp};
use oxicard_transport::Transport;
use oxicard_transport::pcsc::ConnectOptions;
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::testbed::VirtualReader;

const ADDRESS: &str = "smdp.example.com";
const TS48V1_A: &[u8] = include_bytes!("../testdata/saip/TS48v1_A.der");
const TS48V5: &[u8] = include_bytes!("../testdata/saip/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der");

/// (MatchingID, ICCID as the header's digits read in order, profile name, the file).
const PROFILES: [(&str, &str, &str, &[u8]); 2] = [
    ("TS48V1", "89000123456789012341", "TS.48 v1 A", TS48V1_A),
    ("TS48V5", "8949449999999990163", "TS.48 v5 SUCI", TS48V5),
];

/// The SM-DP+ serving both files (plus two packages the eUICC must refuse), its HTTPS server
/// and a client trusting the test CI.
fn smdp() -> (TestPki, SmdpServer, HttpEs9Client) {
    let pki = TestPki::from_seed([7; 32]).unwrap();
    let mut smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS);
    for (matching_id, _, name, upp) in PROFILES {
        smdp.add_profile(matching_id, ProfilePackage::from_upp(upp.to_vec(), name, "GSMA", ADDRESS).unwrap());
    }
    // Served as-is (the fields are public; `ProfilePackage::new` would refuse both): the TS.48 v1
    // package under another ICCID's metadata, and a SAIP 3.3 package.
    let other: Iccid = "8944478600004573128".parse().unwrap();
    let mismatch = ProfilePackage {
        upp: TS48V1_A.to_vec(),
        metadata: ProfileMetadata::new(other, "mismatch", "GSMA", ADDRESS),
        confirmation_code: None,
    };
    smdp.add_profile("MISMATCH", mismatch);
    let v3 = ProfileBuilder::new(other)
        .saip_version(3, 3)
        .package(ProfileMetadata::new(other, "v3", "x", ADDRESS));
    smdp.add_profile("SAIP-3", v3);
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).unwrap();
    let client = server.client(pki.ci().certificate().der()).unwrap();
    (pki, server, client)
}

fn request(matching_id: &str) -> (ActivationCode, DeviceInfo) {
    let code: ActivationCode = format!("LPA:1${ADDRESS}${matching_id}").parse().unwrap();
    (code, DeviceInfo::from_tac("35290611".parse().unwrap()))
}

/// A listed profile: ICCID, name, state, class.
type Listed<'a> = (String, Option<&'a str>, Option<ProfileState>, Option<ProfileClass>);

/// Downloads both packages: the offer shows the header's ICCID, the list its name.
fn download_both<T: Transport>(card: &mut Card<T>, client: &mut HttpEs9Client) {
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    for (matching_id, digits, _, _) in PROFILES {
        let iccid: Iccid = digits.parse().unwrap();
        let (code, device) = request(matching_id);
        let request = DownloadRequest::new(&code, device);
        let mut offered = None;
        let mut consent = |offer: &ProfileOffer<'_>| {
            offered = offer.metadata.as_ref().and_then(|m| m.iccid);
            Consent::Accept(None)
        };
        let result = download(&mut isdr, client, &request, &mut consent).unwrap();
        assert_eq!(offered, Some(iccid), "{matching_id}");
        assert_eq!(result.iccid, Some(iccid), "{matching_id}");
        assert!(matches!(result.notification, NotificationOutcome::Removed), "{:?}", result.notification);
    }
    let profiles = isdr.profiles().unwrap();
    let listed: Vec<Listed<'_>> = profiles
        .iter()
        .map(|p| (p.iccid.unwrap().to_string(), p.profile_name.as_deref(), p.state, p.class))
        .collect();
    let disabled = Some(ProfileState::Disabled);
    assert_eq!(
        listed,
        [
            ("89000123456789012341".to_string(), Some("TS.48 v1 A"), disabled, Some(ProfileClass::Test)),
            ("8949449999999990163".to_string(), Some("TS.48 v5 SUCI"), disabled, Some(ProfileClass::Test)),
        ]
    );
    isdr.close().unwrap();
}

/// Enables, disables (and then deletes, when `delete`) each profile, each notification
/// delivered and removed.
fn operate<T: Transport>(card: &mut Card<T>, client: &mut HttpEs9Client, delete: bool) {
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    for (_, digits, _, _) in PROFILES {
        let iccid: Iccid = digits.parse().unwrap();
        let operations: &[(ProfileOperation, Option<ProfileState>)] = if delete {
            &[(ProfileOperation::Delete, None)]
        } else {
            &[
                (ProfileOperation::Enable { refresh: false }, Some(ProfileState::Enabled)),
                (ProfileOperation::Disable { refresh: false }, Some(ProfileState::Disabled)),
            ]
        };
        for (operation, state) in operations {
            let reports = manage_profile(&mut isdr, iccid, *operation, Some(client)).unwrap();
            assert_eq!(reports.len(), 1, "{operation:?}: {reports:?}");
            assert!(matches!(reports[0].outcome, NotificationOutcome::Removed), "{reports:?}");
            let profiles = isdr.profiles().unwrap();
            let now = profiles.iter().find(|p| p.iccid == Some(iccid)).and_then(|p| p.state);
            assert_eq!(now, *state, "{digits} {operation:?}");
        }
    }
    assert!(isdr.list_notifications(None).unwrap().is_empty());
    isdr.close().unwrap();
}

/// The eUICC kept each UPP exactly as the SM-DP+ served it (the file).
fn assert_kept(euicc: &SoftEuicc) {
    for (_, digits, _, upp) in PROFILES {
        assert_eq!(euicc.state().package(&digits.parse().unwrap()), Some(upp), "{digits}");
    }
}

/// After the deletions: nothing left, every notification at the SM-DP+ (install, enable,
/// disable, delete of each), no session open.
fn assert_all_gone(euicc: &SoftEuicc, server: &SmdpServer) {
    let state = euicc.state();
    assert!(state.profiles().is_empty() && state.notifications().is_empty());
    for (_, digits, _, _) in PROFILES {
        assert_eq!(state.package(&digits.parse().unwrap()), None);
    }
    assert_eq!(state.check(), Ok(()));
    let smdp = server.smdp();
    assert_eq!(smdp.notifications().len(), 8);
    assert_eq!(smdp.open_sessions(), 0);
}

#[test]
fn ts48_packages_in_process() {
    let (pki, server, mut client) = smdp();
    let euicc = SoftEuicc::from_identity(pki.euicc_identity().unwrap());
    let mut card = Card::new(SimulatorTransport::new(euicc));
    download_both(&mut card, &mut client);
    assert_kept(card.transport().simulator());
    operate(&mut card, &mut client, false);
    assert_kept(card.transport().simulator());
    operate(&mut card, &mut client, true);
    assert_all_gone(card.transport().simulator(), &server);
}

#[test]
fn pcsc_ts48_packages_through_pcscd() {
    let Some(reader) = VirtualReader::open_for_test(1).expect("CI=true: the PC/SC stack must be usable")
    else {
        return;
    };
    let (pki, server, mut client) = smdp();
    let inserted = reader.insert(SoftEuicc::from_identity(pki.euicc_identity().unwrap())).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    download_both(&mut card, &mut client);
    operate(&mut card, &mut client, false);
    drop(card);
    // Out of the reader: the packages are the files, byte for byte. Back in for the deletions.
    let euicc = reader.remove(inserted).unwrap();
    assert_kept(&euicc);
    let inserted = reader.insert(euicc).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    operate(&mut card, &mut client, true);
    drop(card);
    let euicc = reader.remove(inserted).unwrap();
    assert_all_gone(&euicc, &server);
}

#[test]
fn refused_packages_install_nothing_and_the_smdp_learns_why() {
    let (pki, server, mut client) = smdp();
    let euicc = SoftEuicc::from_identity(pki.euicc_identity().unwrap());
    let mut card = Card::new(SimulatorTransport::new(euicc));
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    for (matching_id, reason) in [
        ("MISMATCH", ErrorReason::InstallFailedDueToIccidMismatch),
        ("SAIP-3", ErrorReason::InstallFailedDueToPeProcessingError),
    ] {
        let (code, device) = request(matching_id);
        let request = DownloadRequest::new(&code, device);
        let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
        let error = download(&mut isdr, &mut client, &request, &mut accept).unwrap_err();
        let DownloadErrorKind::Installation(installation) = &error.kind else { panic!("{error}") };
        assert_eq!(installation.reason, reason, "{matching_id}");
        assert!(matches!(error.notification, Some(NotificationOutcome::Removed)), "{error:?}");
    }
    assert!(isdr.profiles().unwrap().is_empty());
    isdr.close().unwrap();
    let smdp = server.smdp();
    let results: Vec<Option<bool>> =
        smdp.notifications().iter().map(|n| n.installation.as_ref().map(|(_, ok)| *ok)).collect();
    assert_eq!(results, [Some(false), Some(false)]);
    assert_eq!(smdp.open_sessions(), 0);
}
