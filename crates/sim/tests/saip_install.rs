//! The software eUICC checks the UPP of a Bound Profile Package as a real eUICC does (SGP.22
//! §5.7.6, SAIP v3.3.1 §8) and keeps what it installed: the real TS.48 packages install and are
//! kept byte for byte, in memory and in the state file (which still loads without the member);
//! each refusal answers the SGP.22 errorReason with an EUICCResponse `simaResponse` naming the PE.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod download_support;

use der::Tag;
use download_support::*;
use oxicard_apdu::card::Card;
use oxicard_euicc::asn1::{Encoder, ctx, ctx_c};
use oxicard_euicc::es10::{
    BppCommandId, ErrorReason, FinalResult, InstallationError, ProfileInstallationResult,
};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_sim::smdp::ProfileBuilder;
use oxicard_transport::sim::SimulatorTransport;

const TS48V1_A: &[u8] = include_bytes!("../testdata/saip/TS48v1_A.der");
const TS48V5: &[u8] = include_bytes!("../testdata/saip/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der");
const TS48V1_ICCID: &str = "89000123456789012341";
const TS48V5_ICCID: &str = "8949449999999990163";

/// Loads `upp` as a BPP whose metadata names `metadata_iccid` on `card`.
fn load(card: &mut SimCard, metadata_iccid: &str, upp: &[u8]) -> ProfileInstallationResult {
    let pki = pki();
    let mut smdp = TestSmdp::new(&pki);
    smdp.iccid = metadata_iccid.parse().unwrap();
    let mut isdr = Isdr::open(card, &IsdrOptions::default()).unwrap();
    let otpk = authenticate_and_prepare(&mut isdr, &smdp);
    let bpp = smdp.bpp(&otpk, &eid(&pki), upp);
    isdr.load_bound_profile_package(&bpp, |_| ()).unwrap()
}

/// The EUICCResponse of an aborted installation: `{ peStatus [{ status, [identification] }],
/// profileInstallationAborted, statusMessage }` (hand-encoded as SAIP v3.3.1 writes it).
fn aborted(status: i64, identification: Option<i64>, message: &str) -> Vec<u8> {
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        e.nested(ctx_c(0), |e| {
            e.nested(Tag::Sequence, |e| {
                e.int(ctx(0), status);
                e.opt(identification.as_ref(), |e, id| e.int(ctx(1), *id));
            });
        });
        e.tlv(ctx(1), &[]);
        e.utf8(ctx(2), message);
    });
    e.finish()
}

/// The installation failed at LoadProfileElements with `reason` and `sima`, and left nothing.
fn assert_refused(card: &SimCard, result: &ProfileInstallationResult, reason: ErrorReason, sima: Vec<u8>) {
    let expected = FinalResult::Error {
        error: InstallationError::new(BppCommandId::LoadProfileElements, reason),
        sima_response: Some(sima),
    };
    assert_eq!(result.data().final_result, expected);
    let state = euicc(card).state();
    assert!(state.profiles().is_empty());
    assert_eq!(state.check(), Ok(()));
}

#[test]
fn real_packages_install_and_are_kept_byte_for_byte() {
    let mut card = card(&pki());
    for (iccid, upp) in [(TS48V1_ICCID, TS48V1_A), (TS48V5_ICCID, TS48V5)] {
        let result = load(&mut card, iccid, upp);
        assert!(result.outcome().is_ok(), "{iccid}: {:?}", result.data().final_result);
        let iccid: Iccid = iccid.parse().unwrap();
        assert_eq!(result.data().notification_metadata.iccid, Some(iccid));
        let state = euicc(&card).state();
        assert_eq!(state.package(&iccid), Some(upp));
        let profile = state.profiles().iter().find(|p| p.iccid == Some(iccid)).unwrap();
        assert_eq!(profile.profile_size, Some(upp.len() as i64));
    }
    assert_eq!(euicc(&card).state().profiles().len(), 2);
    assert_eq!(euicc(&card).state().check(), Ok(()));
}

#[test]
fn header_and_metadata_iccids_must_agree() {
    let mut card = card(&pki());
    // The metadata offers the built test ICCID, the package is TS.48 v1.
    let result = load(&mut card, ICCID, TS48V1_A);
    let message = "ICCID 89000123456789012341, metadata 8944478600004573128";
    assert_refused(&card, &result, ErrorReason::InstallFailedDueToIccidMismatch, aborted(3, None, message));
}

#[test]
fn ef_iccid_must_hold_the_header_iccid() {
    let mut card = card(&pki());
    // EF.ICCID of TS.48 v1: 98 00 10 32 54 76 98 10 32 14 at offset 167 of the MF PE (offset 140).
    let mut upp = TS48V1_A.to_vec();
    let at = upp
        .windows(10)
        .position(|w| w == [0x98, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x14])
        .unwrap();
    upp[at + 9] = 0x24;
    let result = load(&mut card, TS48V1_ICCID, &upp);
    let sima = aborted(3, Some(4), "EF.ICCID is not the ProfileHeader's ICCID");
    assert_refused(&card, &result, ErrorReason::InstallFailedDueToIccidMismatch, sima);
}

#[test]
fn a_pe_that_does_not_decode_is_a_pe_processing_error() {
    let mut card = card(&pki());
    // The first pukValue tag of the PUK PE (identification 5) changed from 81 to 82.
    let mut upp = TS48V1_A.to_vec();
    upp[919] = 0x82;
    let result = load(&mut card, TS48V1_ICCID, &upp);
    // invalid-request-format(5); the statusMessage is the decoder's error, cut to 64 characters.
    let full = "PE 2 (pukCodes) #5 at offset 919, pukCodes.pukCodes[0]: mandatory pukValue is missing";
    let message: String = full.chars().take(64).collect();
    assert_refused(
        &card,
        &result,
        ErrorReason::InstallFailedDueToPeProcessingError,
        aborted(5, Some(5), &message),
    );
}

#[test]
fn an_unsupported_saip_version_is_refused() {
    let mut card = card(&pki());
    // The eUICC declares profileVersion 2.3.1 (EUICCInfo2): a SAIP 3.3 package is refused.
    let upp = ProfileBuilder::new(iccid()).saip_version(3, 3).build();
    let result = load(&mut card, ICCID, &upp);
    let sima = aborted(31, None, "SAIP 3.3 not supported");
    assert_refused(&card, &result, ErrorReason::InstallFailedDueToPeProcessingError, sima);
    // Declaring 3.x makes it acceptable.
    let pki = pki();
    let identity = pki.euicc_identity().unwrap();
    let mut config = EuiccConfig::for_identity(&identity);
    config.info2.profile_version.major = 3;
    let mut card = Card::new(SimulatorTransport::new(SoftEuicc::in_memory(config).with_identity(identity)));
    assert!(load(&mut card, ICCID, &upp).outcome().is_ok());
}

#[test]
fn packages_persist_and_old_state_files_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("euicc.json");
    let pki = pki();
    let open = || {
        let identity = pki.euicc_identity().unwrap();
        let config = EuiccConfig::for_identity(&identity);
        Card::new(SimulatorTransport::new(
            SoftEuicc::open_with(&path, config).unwrap().with_identity(identity),
        ))
    };
    let v1: Iccid = TS48V1_ICCID.parse().unwrap();
    {
        let mut card = open();
        assert!(load(&mut card, TS48V1_ICCID, TS48V1_A).outcome().is_ok());
    }
    // Reopened: the package is there, from the file's `packages` member.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["packages"]["98001032547698103214"], hex::encode_upper(TS48V1_A));
    {
        let card = open();
        assert_eq!(euicc(&card).state().package(&v1), Some(TS48V1_A));
    }
    // A file written before `packages` existed loads, without packages.
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("packages");
    std::fs::write(&path, serde_json::to_vec_pretty(&old).unwrap()).unwrap();
    {
        let mut card = open();
        assert_eq!(euicc(&card).state().profiles().len(), 1);
        assert_eq!(euicc(&card).state().package(&v1), None);
        // Deleting the profile drops its package, in memory and in the file.
        assert!(load(&mut card, TS48V5_ICCID, TS48V5).outcome().is_ok());
        let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
        isdr.delete_profile(TS48V5_ICCID.parse::<Iccid>().unwrap()).unwrap();
        drop(isdr);
        assert_eq!(euicc(&card).state().package(&TS48V5_ICCID.parse().unwrap()), None);
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(json.get("packages").is_none(), "{json}");
    // A package of no installed profile is refused on load.
    let mut orphan = json.clone();
    orphan["packages"] = serde_json::json!({ "98001032547698103224": "AA00" });
    std::fs::write(&path, serde_json::to_vec_pretty(&orphan).unwrap()).unwrap();
    let identity = pki.euicc_identity().unwrap();
    let error = SoftEuicc::open_with(&path, EuiccConfig::for_identity(&identity)).unwrap_err();
    assert!(error.to_string().contains("a package belongs to no installed profile"), "{error}");
}
